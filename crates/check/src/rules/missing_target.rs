//! ## missing-target
//!
//! **What it flags.** A key result that is measured (it has a metric, a manual unit, a
//! current value or a measurement) but says nowhere what value counts as success, or that
//! holds a placeholder where the target belongs (`Achieve X% of ARR`, `$N net new ARR`,
//! `Target: TBD`).
//!
//! **Why this is bad.** Without a target there is no pacing, no forecast and no score: any
//! movement can be called progress. The target is also where ambition is set; leaving it
//! out leaves the team free to decide at the end of the quarter what "good" was.
//!
//! **Example.**
//! ```yaml
//! - id: activation
//!   title: Increase activation rate
//!   metric: activation_rate
//!   baseline: 23
//! ```
//!
//! **Instead.**
//! ```yaml
//! - id: activation
//!   title: Increase activation rate from 23% to 35%
//!   metric: activation_rate
//!   baseline: 23
//!   target: 35
//! ```

use super::prelude::*;

pub struct MissingTarget;

static META: RuleMeta = RuleMeta::new(
    "missing-target",
    Severity::Error,
    "a measured key result has no target value",
    include_str!("missing_target.rs"),
);

impl Rule for MissingTarget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                let f = kr_facts(kr, o.origin);
                if f.has_target || f.output || f.unmeasurable {
                    continue;
                }
                if let Some(p) = kr.placeholder.as_ref().filter(|_| f.placeholder_target) {
                    out.push(
                        finding(format!(
                            "key result \"{}\" has the placeholder `{}` where its target belongs",
                            kr.title.value, p.value
                        ))
                        .at(p.span)
                        .label("a placeholder, not a number")
                        .help("write the number the team commits to (\"Achieve 30% of ARR on cloud licensing\"); a target left open cannot be paced, forecast or scored"),
                    );
                    continue;
                }
                let help = match o.origin {
                    Origin::Yaml => "add `target:` (and `stretch:` if there is one) in the metric's unit".to_string(),
                    Origin::Markdown => "add the target to the title (\"from 23% to 35%\") or a sub-bullet `Current: 23% | Target: 35%`".to_string(),
                };
                out.push(
                    finding(format!("key result \"{}\" has no target", kr.title.value))
                        .at(kr.title.span)
                        .label("what value is success?")
                        .help(help),
                );
            }
        }
    }
}
