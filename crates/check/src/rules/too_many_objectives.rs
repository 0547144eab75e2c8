//! ## too-many-objectives
//!
//! **What it flags.** A team with more than 5 objectives in the same period (the limit can
//! be set: `checks: { too-many-objectives: { max: 4 } }`). Objectives without a team are
//! counted together.
//!
//! **Why this is bad.** OKRs are a tool for focus. Seven objectives mean everything is a
//! priority, so nothing is; they usually list all of a team's responsibilities, which is
//! what KPIs are for.
//!
//! **Example.** Team `platform` with seven objectives for 2025-Q3.
//!
//! **Instead.** Choose the three to five outcomes that matter most this quarter; track the
//! rest of the team's responsibilities as KPIs.

use std::collections::BTreeMap;

use super::prelude::*;

pub struct TooManyObjectives;

static META: RuleMeta = RuleMeta::new(
    "too-many-objectives",
    Severity::Warning,
    "a team has more than 5 objectives in one period",
    include_str!("too_many_objectives.rs"),
);

impl Rule for TooManyObjectives {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let max = cx.options.max.unwrap_or(5) as usize;
        let mut groups: BTreeMap<(String, String), Vec<&Objective>> = BTreeMap::new();
        for o in &cx.workspace.objectives {
            let team = o
                .team
                .as_ref()
                .map(|t| t.value.to_lowercase())
                .unwrap_or_default();
            let period = o
                .period
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_default();
            groups.entry((team, period)).or_default().push(o);
        }
        for ((_, period), objectives) in groups {
            if objectives.len() <= max {
                continue;
            }
            let first_extra = objectives[max];
            let who = first_extra.team.as_ref().map_or_else(
                || "this document".to_string(),
                |t| format!("team `{}`", t.value),
            );
            let when = if period.is_empty() {
                String::new()
            } else {
                format!(" for {period}")
            };
            out.push(
                finding(format!("{who} has {} objectives{when}; more than {max} is no focus", objectives.len()))
                    .at(first_extra.title.span)
                    .label(format!("objective {} of {}", max + 1, objectives.len()))
                    .help("keep the 3 to 5 outcomes that matter most this period; track ongoing responsibilities as KPIs instead"),
            );
        }
    }
}
