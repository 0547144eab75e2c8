//! ## key-result-count
//!
//! **What it flags.** An objective with fewer than 3 or more than 5 key results (the limits
//! can be set: `checks: { key-result-count: { min: 2, max: 5 } }`).
//!
//! **Why this is bad.** One or two key results rarely capture an objective: they invite
//! gaming the single number. Ten key results mean no focus: the OKR has become a task list
//! or a dashboard, and nobody can say which ones matter.
//!
//! **Example.** An objective with eight key results, from "Increase activation" to
//! "Update the help center".
//!
//! **Instead.** Keep the three to five results that best show the objective was met; move
//! the rest to initiatives, KPIs or guardrails.

use super::prelude::*;

pub struct KeyResultCount;

static META: RuleMeta = RuleMeta::new(
    "key-result-count",
    Severity::Warning,
    "an objective has too few or too many key results (3–5)",
    include_str!("key_result_count.rs"),
);

impl Rule for KeyResultCount {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let min = cx.options.min.unwrap_or(3) as usize;
        let max = cx.options.max.unwrap_or(5) as usize;
        for o in &cx.workspace.objectives {
            let n = o.key_results.len();
            let (message, help) = if n == 0 {
                (
                    format!("objective \"{}\" has no key results", o.title.value),
                    format!("add {min} to {max} key results that show the objective was met"),
                )
            } else if n < min {
                (format!("objective \"{}\" has {n} key result{}; {min} to {max} capture an objective", o.title.value, if n == 1 { "" } else { "s" }), "add the results that would show this objective was met, so no single number can be gamed".to_string())
            } else if n > max {
                (
                    format!(
                        "objective \"{}\" has {n} key results; more than {max} dilutes focus",
                        o.title.value
                    ),
                    format!(
                        "keep the {max} that matter most; move the rest to initiatives, KPIs or guardrails"
                    ),
                )
            } else {
                continue;
            };
            out.push(finding(message).at(o.title.span).help(help));
        }
    }
}
