//! ## vanity-metric
//!
//! **What it flags.** A key result (or the metric it is computed from) built on a count that
//! looks good but does not show value delivered: page views, downloads, installs, followers,
//! impressions, visits, registered users, and totals that only grow (total signups,
//! cumulative users, all-time downloads).
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
                let Some(phrase) = text::vanity_phrase(&kr.title.value).or(from_metric) else {
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
