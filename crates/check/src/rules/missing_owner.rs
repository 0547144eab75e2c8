//! ## missing-owner
//!
//! **What it flags.** An objective with no `owner` (Markdown: `**Owner:**`), unless every
//! one of its key results names an owner.
//!
//! **Why this is bad.** OKRs without owners have no accountability: nobody checks in, nobody
//! notices the key result is off track, nobody decides what to do about it. A team is not an
//! owner; a person is.
//!
//! **Example.**
//! ```yaml
//! - id: improve-activation
//!   title: Dramatically improve new user activation
//!   team: growth
//! ```
//!
//! **Instead.**
//! ```yaml
//! - id: improve-activation
//!   title: Dramatically improve new user activation
//!   team: growth
//!   owner: Dana (PM Growth)
//! ```

use super::prelude::*;

pub struct MissingOwner;

static META: RuleMeta = RuleMeta::new(
    "missing-owner",
    Severity::Warning,
    "an objective has no owner",
    include_str!("missing_owner.rs"),
);

impl Rule for MissingOwner {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            let krs_owned =
                !o.key_results.is_empty() && o.key_results.iter().all(|k| k.owner.is_some());
            if o.owner.is_none() && !krs_owned {
                let help = match o.origin {
                    Origin::Yaml => {
                        "add `owner:` with the person accountable, e.g. `owner: Dana (PM Growth)`"
                    }
                    Origin::Markdown => {
                        "add a line `**Owner:** Dana (PM Growth)` under the objective's heading"
                    }
                };
                out.push(
                    finding(format!("objective \"{}\" has no owner", o.title.value))
                        .at(o.title.span)
                        .help(help),
                );
            }
        }
    }
}
