//! ## unmeasurable-key-result
//!
//! **What it flags.** A key result with no way to tell whether it was reached: in YAML, no
//! `metric:` to compute it from and no `manual:` check-in; in Markdown, no number, no
//! `Current:`/`Target:` and no `Measurement:`.
//!
//! **Why this is bad.** A key result is the evidence that an objective was met. "Get more
//! feedback" or "Improve performance" can be declared done or not done by anyone, at any
//! time: there is nothing to check in, nothing to pace and nothing to score.
//!
//! **Example.**
//! ```markdown
//! - KR2: Improve performance
//! ```
//!
//! **Instead.** Name the measure, its current value and the target.
//! ```markdown
//! - KR2: Reduce p95 dashboard load time from 4.2s to 1.5s
//!   - Measurement: p95 of dashboard_loaded.duration, all users
//!   - Current: 4.2 seconds | Target: 1.5 seconds
//! ```

use super::prelude::*;

pub struct UnmeasurableKeyResult;

static META: RuleMeta = RuleMeta::new(
    "unmeasurable-key-result",
    Severity::Error,
    "a key result has no measure: no metric, no number, no target",
    include_str!("unmeasurable_key_result.rs"),
);

impl Rule for UnmeasurableKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                let f = kr_facts(kr, o.origin);
                if !f.unmeasurable || f.output {
                    continue;
                }
                let help = match o.origin {
                    Origin::Yaml => format!("add `metric: <metric id>` (defined under `metrics:`) to compute \"{}\" from data, or `manual: {{ unit: percent }}` to check it in by hand", kr.title.value),
                    Origin::Markdown => "say what is measured and to what value, e.g. \"Reduce p95 load time from 4.2s to 1.5s\" with `Current: … | Target: …`".into(),
                };
                out.push(
                    finding(format!(
                        "key result \"{}\" cannot be measured",
                        kr.title.value
                    ))
                    .at(kr.title.span)
                    .label("no measure")
                    .help(help),
                );
            }
        }
    }
}
