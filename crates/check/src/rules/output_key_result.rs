//! ## output-key-result
//!
//! **What it flags.** A key result that describes work to do (ship, launch, migrate, roll
//! out, hire, write, build, integrate, complete, conduct, redesign, fix…) or counts things
//! the team produces (features shipped, integrations added, tests run), with no measured
//! change in a user or business outcome.
//!
//! **Why this is bad.** Work is the *input* to a result, not the result. A team can ship
//! every item on the list and move nothing that matters; the key result is "done" while the
//! objective fails. Feature counting rewards activity over impact, and the team stops asking
//! whether the work worked.
//!
//! **Example.**
//! ```yaml
//! key_results:
//!   - id: dark-mode
//!     title: Ship dark mode
//! ```
//!
//! **Instead.** Name the change the work is meant to cause, with a baseline and a target,
//! and move the work to `initiatives:`.
//! ```yaml
//! key_results:
//!   - id: evening-retention
//!     title: Increase week-4 retention of evening users from 31% to 38%
//!     metric: retention_w4_evening
//!     baseline: 31
//!     target: 38
//! initiatives:
//!   - { title: Ship dark mode, supports: [evening-retention] }
//! ```

use super::prelude::*;

pub struct OutputKeyResult;

static META: RuleMeta = RuleMeta::new(
    "output-key-result",
    Severity::Error,
    "a key result describes work to do (an output), not a measured outcome",
    include_str!("output_key_result.rs"),
);

impl Rule for OutputKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                if kr_facts(kr, o.origin).output {
                    out.push(
                        finding(format!("key result \"{}\" describes work, not a measured outcome", kr.title.value))
                            .at(kr.title.span)
                            .label("this is an output")
                            .help("state the change this work should cause, e.g. \"Increase <metric> from <baseline> to <target>\", and list the work under initiatives"),
                    );
                }
            }
        }
    }
}
