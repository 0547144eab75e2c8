//! ## annual-period
//!
//! **What it flags.** An objective set for a whole year (`period: 2025`, a Markdown heading
//! such as `## 2025 OKRs`, or a range longer than about seven months).
//!
//! **Why this is bad.** A year is too long to learn and adapt: by the time a yearly key
//! result shows it is off, the plan behind it is months old. Quarterly OKRs force a
//! check on what worked and a new bet four times as often. Yearly direction belongs in the
//! strategy and the North Star; OKRs break it into quarters.
//!
//! **Example.**
//! ```yaml
//! period: 2025
//! ```
//!
//! **Instead.**
//! ```yaml
//! period: 2025-Q1
//! ```

use super::prelude::*;
use throughline_model::PeriodLength;

pub struct AnnualPeriod;

static META: RuleMeta = RuleMeta::new(
    "annual-period",
    Severity::Warning,
    "an objective runs for a year; OKRs work in quarters",
    include_str!("annual_period.rs"),
);

impl Rule for AnnualPeriod {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            let Some(len) = &o.period_length else {
                continue;
            };
            let long = match len.value {
                PeriodLength::Year => true,
                PeriodLength::Days(d) => d > 213,
                _ => false,
            };
            if long {
                let label = o
                    .period
                    .as_ref()
                    .map_or_else(|| "a year".to_string(), |p| p.value.to_string());
                out.push(
                    finding(format!("objective \"{}\" runs for {label}, too long to learn and adapt", o.title.value))
                        .at(len.span)
                        .label("annual period")
                        .help("set OKRs per quarter (e.g. `2025-Q1`); keep the yearly direction in the strategy and the North Star"),
                );
            }
        }
    }
}
