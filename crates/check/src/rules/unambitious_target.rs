//! ## unambitious-target
//!
//! **What it flags.** A key result whose target the metric's trend before the period already
//! reaches by the period's end: a straight line through the last values before the period
//! (up to eight) gets there without the team doing anything different, even at the
//! pessimistic end of its 80% prediction band (a chance of about 90% or more). Runs with
//! `throughline check --with-data`.
//!
//! **Why this is bad.** A key result should describe the change the team's work causes. A
//! target the current trend hits anyway scores 1.0 for business as usual: it sandbags the
//! quarter, hides whether the initiatives worked, and teaches the team that OKRs are a
//! reporting ritual.
//!
//! **Example.** Weekly active users grow by about 300 a week and stand at 9,000 at the start
//! of the quarter, so the trend alone reaches about 12,900 by its last week:
//! ```yaml
//! - id: wau
//!   metric: weekly_active_users
//!   baseline: 9000
//!   target: 12000
//! ```
//!
//! **Instead.** Set the target beyond the trend, by the effect the initiatives should add,
//! or explain in `why:` what will stop the trend:
//! ```yaml
//!   target: 15000
//! ```

use super::prelude::*;

pub struct UnambitiousTarget;

static META: RuleMeta = RuleMeta::new(
    "unambitious-target",
    Severity::Warning,
    "the metric's trend already reaches the target without any change (reads data)",
    include_str!("unambitious_target.rs"),
);

impl Rule for UnambitiousTarget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (kr, d) in crate::data::key_results_with_data(cx) {
            let Some(target) = &kr.target else {
                continue;
            };
            let (Some(t), Ok(goal)) = (&d.trend, d.unit.accept(&target.value)) else {
                continue;
            };
            // The pessimistic end of the band: flag only what the trend reaches with ~90%.
            let reached = if d.up { t.low >= goal } else { t.high <= goal };
            if !reached {
                continue;
            }
            let show = |v: f64| d.unit.format(v);
            out.push(
                    finding(format!(
                        "the trend of `{}` before {} already reaches the target {} {}: {} (80% band {} to {}, from {} values)",
                        d.metric,
                        t.period,
                        show(goal),
                        t.when,
                        show(t.value),
                        show(t.low),
                        show(t.high),
                        t.points,
                    ))
                    .at(target.span)
                    .label("reached without any change")
                    .help(format!(
                        "set a target beyond {} by the effect the team's work should add, or say in `why:` what stops the trend",
                        show(if d.up { t.high } else { t.low })
                    )),
                );
        }
    }
}
