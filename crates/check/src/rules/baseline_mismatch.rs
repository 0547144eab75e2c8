//! ## baseline-mismatch
//!
//! **What it flags.** A key result whose declared `baseline:` is not what its metric measured
//! when the period started: the line through the last values before the start (up to eight),
//! read at the start, is further from the baseline than the values' normal wobble around that
//! line (two residual standard deviations, and at least 2%). Runs with
//! `throughline check --with-data`.
//!
//! **Why this is bad.** Progress is measured from the baseline. A baseline copied from an old
//! slide, or from a differently defined number, makes the key result look closer or further
//! than it is, and the end-of-quarter score becomes an argument about the starting point
//! instead of the outcome.
//!
//! **Example.** Weekly active users stood at about 5,900 when the quarter started:
//! ```yaml
//! - id: wau
//!   metric: weekly_active_users
//!   baseline: 6700
//!   target: 12000
//! ```
//!
//! **Instead.** Start from what the data says (`throughline measure --metric
//! weekly_active_users --to 2026-06-30`), or fix the metric if the key result means something
//! else:
//! ```yaml
//!   baseline: 5900
//! ```

use super::prelude::*;

pub struct BaselineMismatch;

static META: RuleMeta = RuleMeta::new(
    "baseline-mismatch",
    Severity::Warning,
    "a key result's baseline is not what its metric measured when the period started (reads data)",
    include_str!("baseline_mismatch.rs"),
);

/// Differences smaller than this share of the measured value are never flagged.
const MIN_RELATIVE: f64 = 0.02;

impl Rule for BaselineMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        for (kr, d) in crate::data::key_results_with_data(cx) {
            let Some(baseline) = &kr.baseline else {
                continue;
            };
            let (Some(m), Ok(declared)) = (&d.before, d.unit.accept(&baseline.value)) else {
                continue;
            };
            let noise = (2.0 * m.sd).max(MIN_RELATIVE * m.value.abs());
            if (declared - m.value).abs() <= noise {
                continue;
            }
            let show = |v: f64| d.unit.format(v);
            out.push(
                    finding(format!(
                        "baseline {} is not what `{}` measured when {} started: {} (from the last {} {}s, normal wobble ±{})",
                        show(declared),
                        d.metric,
                        m.period,
                        show(m.value),
                        m.n,
                        m.grain,
                        show(noise),
                    ))
                    .at(baseline.span)
                    .label(format!("the data says about {}", show(m.value)))
                    .help(format!(
                        "start from the measured value (`baseline: {}`), or point the key result at the metric it really means",
                        round_for_yaml(m.value)
                    )),
                );
        }
    }
}

/// A value as someone would write it in YAML: whole numbers for large values, else 1 decimal.
fn round_for_yaml(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}").trim_end_matches(".0").to_string()
    }
}
