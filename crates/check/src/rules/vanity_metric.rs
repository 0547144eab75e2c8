//! ## vanity-metric
//!
//! **What it flags.** A key result (or the metric it is computed from) built on a count that
//! looks good but does not show value delivered: page views, downloads, installs, followers,
//! impressions, visits, registered users, and totals that only grow (total signups,
//! cumulative users, all-time downloads), in its words or in its definition (a `cumulative`
//! count or unique metric without a `window`).
//!
//! **Why this is bad.** These numbers rise with marketing spend, seasonality or time itself,
//! whether or not anyone gets value from the product. A team can hit them while retention
//! falls. They cannot be acted on because they do not say what to change.
//!
//! **Example.**
//! ```markdown
//! - KR1: Reach 1M total signups
//! ```
//!
//! **Instead.** Measure the behaviour that shows value, per period, as a rate where it helps.
//! ```markdown
//! - KR1: Increase weekly active teams from 4,200 to 6,000
//! ```

use super::prelude::*;

pub struct VanityMetric;

static META: RuleMeta = RuleMeta::new(
    "vanity-metric",
    Severity::Warning,
    "a key result measures a vanity count (page views, downloads, total signups…)",
    include_str!("vanity_metric.rs"),
);

impl Rule for VanityMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                let metric = kr
                    .metric
                    .as_ref()
                    .and_then(|m| cx.workspace.metric(&m.value));
                let from_metric = metric.and_then(|m| {
                    text::vanity_phrase(&format!(
                        "{} {}",
                        m.display_name(),
                        m.description.as_ref().map_or("", |d| d.value.as_str())
                    ))
                });
                let grows = metric
                    .and_then(|m| m.compute.as_ref())
                    .is_some_and(|c| c.value.only_grows())
                    .then(|| "a running total since the data begins".to_string());
                let Some(phrase) = text::vanity_phrase(&kr.title.value)
                    .or(from_metric)
                    .or(grows)
                else {
                    continue;
                };
                out.push(
                    finding(format!("key result \"{}\" measures {phrase}, a vanity count", kr.title.value))
                        .at(kr.title.span)
                        .label("vanity metric")
                        .help("measure the behaviour that shows value instead (active use, activation, retention, conversion), per period rather than as a running total"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    fn findings(yaml: &str) -> Vec<String> {
        super::super::findings_in_root(yaml, "vanity-metric")
    }

    fn okrs(window: &str) -> String {
        format!(
            "metrics:
  - {{ id: teams, name: Teams with a workflow, compute: {{ type: cumulative, of: unique, event: workflow_completed{window} }} }}
objectives:
  - id: a
    title: Get new teams to their first workflow
    period: 2026-Q3
    owner: Dana
    key_results:
      - {{ id: k, title: Raise teams with a workflow from 4200 to 6000, owner: Dana, metric: teams, baseline: 4200, target: 6000 }}
"
        )
    }

    #[test]
    fn a_running_total_since_the_data_begins_is_a_vanity_count() {
        assert_eq!(
            findings(&okrs("")),
            [
                "9:25 key result \"Raise teams with a workflow from 4200 to 6000\" measures a running total since the data begins, a vanity count"
            ]
        );
        // over a trailing window the value falls when teams stop
        assert!(findings(&okrs(", window: 28d")).is_empty());
    }
}
