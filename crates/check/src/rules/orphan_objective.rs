//! ## orphan-objective
//!
//! **What it flags.** A team objective that does not say which company objective it serves
//! (`aligns_to:` in YAML, `**Aligns to:**` in Markdown), in a workspace that has company
//! objectives for the same period.
//!
//! **Why this is bad.** Leadership asks for the through line: company objective → team
//! objective → key result. A team objective that connects to nothing above it is either
//! strategic drift or a missing link; either way nobody can see how it adds up.
//!
//! **Example.**
//! ```yaml
//! - id: faster-onboarding
//!   team: growth
//!   period: 2025-Q1
//!   title: Get new teams to value in their first week
//! ```
//!
//! **Instead.**
//! ```yaml
//! - id: faster-onboarding
//!   team: growth
//!   period: 2025-Q1
//!   aligns_to: company/grow-revenue
//!   title: Get new teams to value in their first week
//! ```

use super::prelude::*;

pub struct OrphanObjective;

static META: RuleMeta = RuleMeta::new(
    "orphan-objective",
    Severity::Warning,
    "a team objective does not align to any company objective",
    include_str!("orphan_objective.rs"),
);

impl Rule for OrphanObjective {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let company: Vec<&Objective> = cx
            .workspace
            .objectives
            .iter()
            .filter(|o| o.is_company_level() && o.team.is_some())
            .collect();
        let company = if company.is_empty() {
            // without an explicit `company` team, objectives with no team are the company's
            // when other objectives name teams
            cx.workspace
                .objectives
                .iter()
                .filter(|o| o.team.is_none())
                .collect()
        } else {
            company
        };
        if company.is_empty() {
            return;
        }
        for o in &cx.workspace.objectives {
            if o.is_company_level() || o.aligns_to.is_some() {
                continue;
            }
            let same_period: Vec<&&Objective> = company
                .iter()
                .filter(|c| match (&c.period, &o.period) {
                    (Some(a), Some(b)) => a.value.overlaps(&b.value),
                    _ => true,
                })
                .collect();
            if same_period.is_empty() {
                continue;
            }
            let example = same_period[0].path();
            let help = match o.origin {
                Origin::Yaml => format!(
                    "add `aligns_to: {example}` (or whichever company objective this serves)"
                ),
                Origin::Markdown => {
                    format!("add a line `**Aligns to:** {example}` under the objective's heading")
                }
            };
            out.push(
                finding(format!(
                    "team objective \"{}\" does not align to a company objective",
                    o.title.value
                ))
                .at(o.title.span)
                .help(help),
            );
        }
    }
}
