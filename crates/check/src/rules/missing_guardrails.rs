//! ## missing-guardrails
//!
//! **What it flags.** An objective that names no guardrails (in YAML `guardrails:`; in
//! Markdown a `**Guardrails:**` list under the objective or for the whole document) while
//! one of its key results is a result to move (not work to do, not a level to keep, whether
//! or not it names a metric yet), or while all of its key results are work items (shipping
//! the work says nothing of what it must not break).
//!
//! **Why this is bad.** A number that people are rewarded for will be optimized at the
//! expense of what it does not measure: activation bought with spammy emails, tickets
//! closed without solving anything. Guardrails name what must not get worse, so that gaming
//! shows up in the same review as the key result.
//!
//! **Example.** An objective "Increase activation from 23% to 35%" with no guardrails.
//!
//! **Instead.**
//! ```yaml
//! guardrails:
//!   - { metric: support_tickets, max_increase: 5% }
//!   - { metric: infra_cost, max_increase: 10% }
//! ```

use super::prelude::*;

pub struct MissingGuardrails;

static META: RuleMeta = RuleMeta::new(
    "missing-guardrails",
    Severity::Warning,
    "an objective pushes metrics without guardrails against gaming",
    include_str!("missing_guardrails.rs"),
);

impl Rule for MissingGuardrails {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            if !o.guardrails.is_empty() {
                continue;
            }
            // any key result that is a result to move (not work to do, not a level to keep),
            // whether or not it names a metric yet
            let facts: Vec<_> = o
                .key_results
                .iter()
                .map(|kr| kr_facts(kr, o.origin))
                .collect();
            let pushes = facts.iter().any(|f| !f.output && !f.maintain);
            // all work items: nothing says what the work must not break either (the seed's
            // bad example lists "no guardrails" among an all-tasks objective's failures)
            let all_work = !facts.is_empty() && facts.iter().all(|f| f.output);
            if pushes || all_work {
                let help = match o.origin {
                    Origin::Yaml => {
                        "add `guardrails:` naming what must not get worse, e.g. `- { metric: support_tickets, max_increase: 5% }`"
                    }
                    Origin::Markdown => {
                        "add a `**Guardrails:**` list naming what must not get worse, e.g. `- Support ticket volume: no increase > 5%`"
                    }
                };
                out.push(
                    finding(format!("objective \"{}\" has no guardrails", o.title.value))
                        .at(o.title.span)
                        .help(help),
                );
            }
        }
    }
}
