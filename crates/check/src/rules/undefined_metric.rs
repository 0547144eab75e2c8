//! ## undefined-metric
//!
//! **What it flags.** A reference to a metric that the workspace does not define: a key
//! result's `metric:`, a guardrail's `metric:`, a metric's `supports:` or `related:`, the
//! metrics a `ratio` or `derived` metric is computed from, and an experiment's goal and
//! guardrail metrics. A lone file checked outside any workspace that defines no metrics at
//! all is not judged: its metrics may be defined elsewhere.
//!
//! **Why this is bad.** When a metric is not defined in one place, each team measures it
//! its own way: the dashboard says 31%, the review deck says 28%, and nobody can say which
//! is right. A key result without a definition has no number behind it that anyone can
//! trace back to data.
//!
//! **Example.**
//! ```yaml
//! key_results:
//!   - { id: activation, title: …, metric: activaton_rate, baseline: 23, target: 35 }
//! ```
//!
//! **Instead.** Fix the id, or define the metric under `metrics:` with its formula, source,
//! owner and unit.

use super::prelude::*;
use throughline_model::{Spanned, Workspace, did_you_mean};

pub struct UndefinedMetric;

static META: RuleMeta = RuleMeta::new(
    "undefined-metric",
    Severity::Error,
    "a key result, guardrail or metric refers to a metric that is not defined",
    include_str!("undefined_metric.rs"),
);

fn references(ws: &Workspace) -> Vec<(&'static str, Spanned<String>)> {
    let mut refs = Vec::new();
    for m in &ws.metrics {
        refs.extend(m.supports.iter().map(|s| ("metric `supports`", s.clone())));
        for list in [&m.related.leading, &m.related.lagging, &m.related.input] {
            refs.extend(list.iter().map(|s| ("related metric", s.clone())));
        }
        if let Some(c) = &m.compute {
            refs.extend(
                c.metric_refs()
                    .into_iter()
                    .map(|s| ("computed-from metric", s)),
            );
        }
    }
    for o in &ws.objectives {
        refs.extend(
            o.key_results
                .iter()
                .filter_map(|k| k.metric.clone())
                .map(|s| ("key result metric", s)),
        );
        refs.extend(
            o.guardrails
                .iter()
                .filter_map(|g| g.metric.clone())
                .map(|s| ("guardrail metric", s)),
        );
    }
    for e in &ws.experiments {
        refs.extend(
            e.goal_metrics
                .iter()
                .map(|s| ("experiment goal metric", s.clone())),
        );
        refs.extend(
            e.guardrail_metrics
                .iter()
                .map(|s| ("experiment guardrail metric", s.clone())),
        );
    }
    refs
}

impl Rule for UndefinedMetric {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let ws = cx.workspace;
        if !cx.in_workspace && ws.metrics.is_empty() {
            return;
        }
        let ids: Vec<&str> = ws.metrics.iter().map(|m| m.id.value.as_str()).collect();
        for (what, r) in references(ws) {
            if ids.contains(&r.value.as_str()) {
                continue;
            }
            let help = match did_you_mean(&r.value, ids.iter().copied()) {
                Some(id) => format!("did you mean `{id}`?"),
                None if ids.is_empty() => format!(
                    "define `{}` under `metrics:` (id, name, unit, direction, owner and `compute:`)",
                    r.value
                ),
                None => format!(
                    "define `{}` under `metrics:`, or use one of: {}",
                    r.value,
                    ids.iter().take(8).copied().collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(
                finding(format!("{what} `{}` is not defined", r.value))
                    .at(r.span)
                    .label("unknown metric")
                    .help(help),
            );
        }
    }
}
