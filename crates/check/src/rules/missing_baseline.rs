//! ## missing-baseline
//!
//! **What it flags.** A key result with a target but no baseline: no `baseline:` in YAML;
//! in Markdown, neither "from X to Y" in the title nor a `Current:` value.
//!
//! **Why this is bad.** A target means little without the starting point. "Reach 50 NPS" is
//! a stretch from 20 and a rounding error from 48; without the baseline nobody can tell
//! whether the team is improving, and progress cannot be computed.
//!
//! **Example.**
//! ```markdown
//! - KR3: Achieve 50+ NPS for users in their first 30 days
//! ```
//!
//! **Instead.** Measure the current state and write it down.
//! ```markdown
//! - KR3: Achieve 50+ NPS for users in their first 30 days
//!   - Current: 32 | Target: 50
//! ```

use super::prelude::*;

pub struct MissingBaseline;

static META: RuleMeta = RuleMeta::new(
    "missing-baseline",
    Severity::Warning,
    "a key result has a target but no baseline (current value)",
    include_str!("missing_baseline.rs"),
);

impl Rule for MissingBaseline {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for o in &cx.workspace.objectives {
            for kr in &o.key_results {
                let f = kr_facts(kr, o.origin);
                if !f.has_target || f.has_baseline || f.output || f.unmeasurable || f.maintain {
                    continue;
                }
                let help = match o.origin {
                    Origin::Yaml => "add `baseline:` with the value measured at the start of the period".to_string(),
                    Origin::Markdown => "add the starting value: \"from 23% to 35%\" in the title, or a sub-bullet `Current: 23% | Target: 35%`".to_string(),
                };
                out.push(
                    finding(format!(
                        "key result \"{}\" has a target but no baseline",
                        kr.title.value
                    ))
                    .at(kr.title.span)
                    .label("where does it start?")
                    .help(help),
                );
            }
        }
    }
}
