//! ## quantitative-objective
//!
//! **What it flags.** An objective whose title carries a number: a percent, an amount, a
//! count ("Increase revenue by 20%", "Reach 1M users").
//!
//! **Why this is bad.** The objective says *what* and *why* in words that inspire; the key
//! results carry the numbers that prove it. A number in the objective turns it into a key
//! result with no context, and leaves the real key results to repeat or contradict it.
//!
//! **Example.**
//! ```yaml
//! title: Grow revenue by 20%
//! ```
//!
//! **Instead.**
//! ```yaml
//! title: Make self-serve the way mid-market teams buy
//! key_results:
//!   - { id: self-serve-revenue, title: Increase self-serve revenue from $1.0M to $1.2M, … }
//! ```

use super::prelude::*;

pub struct QuantitativeObjective;

static META: RuleMeta = RuleMeta::new(
    "quantitative-objective",
    Severity::Warning,
    "an objective's title holds a number; numbers belong in key results",
    include_str!("quantitative_objective.rs"),
);

impl Rule for QuantitativeObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            if !text::numbers(&o.title.value).is_empty() {
                out.push(
                    finding(format!("objective \"{}\" is quantitative", o.title.value))
                        .at(o.title.span)
                        .label("a number in the objective")
                        .help("write the objective as the qualitative outcome you want and why it matters; move the number into a key result"),
                );
            }
        }
    }
}
