//! ## vague-objective
//!
//! **What it flags.** An objective made only of generic words: "Make customers happy",
//! "Improve performance", "Ship new features", "Be the best".
//!
//! **Why this is bad.** An objective should tell the team which problem it is solving and
//! for whom, so that they can choose between ideas. Generic words fit every team in every
//! quarter and so guide nothing; they are also impossible to connect to a metric.
//!
//! **Example.**
//! ```markdown
//! ### Objective 2: Make customers happy
//! ```
//!
//! **Instead.** Name who, what changes for them, and (in `why`) why now.
//! ```markdown
//! ### Objective 2: Make first-week support answers fast enough that new admins never stall
//! ```

use super::prelude::*;

pub struct VagueObjective;

static META: RuleMeta = RuleMeta::new(
    "vague-objective",
    Severity::Warning,
    "an objective is only generic words and names no specific outcome",
    include_str!("vague_objective.rs"),
);

impl Rule for VagueObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            if text::is_vague(&o.title.value) {
                out.push(
                    finding(format!("objective \"{}\" is too vague to guide decisions", o.title.value))
                        .at(o.title.span)
                        .help("name who benefits and what changes for them, e.g. \"Get new teams to their first successful workflow in their first week\""),
                );
            }
        }
    }
}
