//! ## kpi-as-key-result
//!
//! **What it flags.** A key result that keeps a value where it is: "Maintain 99.9% uptime",
//! "Keep churn below 3%", or a target equal to its baseline.
//!
//! **Why this is bad.** Key results are the few things a team sets out to *change* this
//! quarter. Holding a level steady is a health metric that is watched all the time: a KPI,
//! or a guardrail that protects the key results from being gamed. Writing it as a key result
//! fills the OKR with business-as-usual and hides what the team is trying to move.
//!
//! **Example.**
//! ```markdown
//! - KR3: Maintain 4.5+ app rating across all platforms
//! ```
//!
//! **Instead.** Make it a guardrail of the objective (or a `role: kpi` metric with
//! `healthy:` thresholds), and keep key results for what should change.
//! ```yaml
//! guardrails:
//!   - { metric: app_rating, min: 4.5 }
//! ```

use super::prelude::*;

pub struct KpiAsKeyResult;

static META: RuleMeta = RuleMeta::new(
    "kpi-as-key-result",
    Severity::Warning,
    "a key result only maintains a level; that is a KPI or guardrail",
    include_str!("kpi_as_key_result.rs"),
);

impl Rule for KpiAsKeyResult {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                let f = kr_facts(kr, o.origin);
                if f.maintain && !f.output {
                    out.push(
                        finding(format!("key result \"{}\" maintains a level instead of changing one", kr.title.value))
                            .at(kr.title.span)
                            .label("this is a KPI")
                            .help("move it to the objective's guardrails (or a `role: kpi` metric with `healthy:` thresholds) and keep key results for what should change"),
                    );
                }
            }
        }
    }
}
