//! ## lagging-only
//!
//! **What it flags.** An objective whose key results are all lagging indicators (revenue,
//! ARR, churn, retention, NPS, LTV…), judged by the metric's `timing:` or, without one, by
//! the words of the key result.
//!
//! **Why this is bad.** Lagging indicators move weeks or months after the work that moves
//! them. With only those, the team learns at the end of the quarter whether anything worked,
//! too late to change course. Leading indicators (activation, adoption, time to value)
//! give feedback within days.
//!
//! **Example.**
//! ```markdown
//! - KR1: Grow ARR from $2.0M to $2.6M
//! - KR2: Reduce monthly churn from 3.1% to 2.5%
//! - KR3: Raise NPS from 31 to 40
//! ```
//!
//! **Instead.** Keep one lagging result if it matters, and add the leading ones that
//! predict it: "Increase 7-day activation from 23% to 35%".

use super::prelude::*;
use throughline_model::Timing;

pub struct LaggingOnly;

static META: RuleMeta = RuleMeta::new(
    "lagging-only",
    Severity::Warning,
    "every key result of an objective is a lagging indicator",
    include_str!("lagging_only.rs"),
);

impl Rule for LaggingOnly {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            if o.key_results.len() < 2 {
                continue;
            }
            let lagging = o.key_results.iter().all(|kr| {
                let declared = kr
                    .metric
                    .as_ref()
                    .and_then(|m| cx.workspace.metric(&m.value))
                    .and_then(|m| m.timing.as_ref())
                    .map(|t| t.value);
                match declared {
                    Some(t) => t == Timing::Lagging,
                    None => text::timing_of(&kr.title.value) == text::Timing::Lagging,
                }
            });
            if lagging {
                out.push(
                    finding(format!("every key result of \"{}\" is a lagging indicator", o.title.value))
                        .at(o.title.span)
                        .help("add a leading indicator that moves within days of the work (activation, adoption, time to value) so the team can course-correct during the quarter"),
                );
            }
        }
    }
}
