//! throughline's experiment analysis, free of I/O: the statistics of an A/B test from per-arm
//! sums (`stats`), and the decision they support. The engine computes the sums per variant;
//! the CLI prints the result.

pub mod stats;

use serde::Serialize;
use stats::{Comparison, Sample, Sequential, Sums, cuped, msprt, sample_size, srm, welch, z_test};

/// Significance level of every test.
pub const ALPHA: f64 = 0.05;
/// Below this sample-ratio p-value the split is broken and nothing else is read.
pub const SRM_ALPHA: f64 = 0.001;
/// The power the needed sample size is computed for.
pub const POWER: f64 = 0.8;
/// CUPED is used when the covariate explains at least this share of the variance.
pub const CUPED_MIN_RHO2: f64 = 0.01;

/// One metric's per-user sums by variant.
#[derive(Clone, Debug)]
pub struct MetricInput {
    pub id: String,
    pub guardrail: bool,
    /// Whether higher is better.
    pub up: bool,
    /// Outcomes are 0/1: compare proportions (z-test); otherwise means (Welch).
    pub proportion: bool,
    /// Multiplies values and lifts for display (100 for percent metrics).
    pub scale: f64,
    pub arms: Vec<(String, Sums)>,
}

/// What the analysis needs.
#[derive(Clone, Debug)]
pub struct Input {
    pub id: String,
    pub control: String,
    /// Users per variant.
    pub arms: Vec<(String, u64)>,
    /// Users seen in several variants (excluded).
    pub multiple: u64,
    /// The minimum detectable effect relative to control (0.02 = 2%).
    pub mde_relative: Option<f64>,
    /// Days from the first exposure to the end of the data.
    pub days_running: f64,
    /// Use always-valid (mSPRT) p-values and intervals, safe to look at every day.
    pub sequential: bool,
    /// Goal metrics first, in the order declared; the first goal decides.
    pub metrics: Vec<MetricInput>,
}

/// One variant of one metric.
#[derive(Clone, Debug, Serialize)]
pub struct VariantResult {
    pub variant: String,
    pub users: f64,
    pub value: f64,
    /// Against control; `None` for the control itself.
    pub lift: Option<f64>,
    pub lift_relative: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub p_value: Option<f64>,
}

/// One metric's result.
#[derive(Clone, Debug, Serialize)]
pub struct MetricResult {
    pub metric: String,
    pub guardrail: bool,
    /// `proportion` (two-proportion z-test) or `mean` (Welch's t-test).
    pub test: &'static str,
    pub variants: Vec<VariantResult>,
    /// θ and the share of variance removed, when CUPED was used.
    pub cuped: Option<(f64, f64)>,
    /// Users per arm needed to detect the minimum detectable effect with 80% power.
    pub needed_per_arm: Option<f64>,
    pub sequential: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Ship,
    DontShip,
    KeepRunning,
    GuardrailHarmed,
    NotTrustworthy,
}

impl Decision {
    pub fn label(self) -> &'static str {
        match self {
            Decision::Ship => "ship",
            Decision::DontShip => "don't ship",
            Decision::KeepRunning => "keep running",
            Decision::GuardrailHarmed => "guardrail harmed",
            Decision::NotTrustworthy => "results not trustworthy (SRM)",
        }
    }
}

/// The analysis of one experiment.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub experiment: String,
    pub decision: Decision,
    /// The decision's reason, in one line.
    pub reason: String,
    pub srm_p_value: f64,
    pub srm_chi2: f64,
    pub arms: Vec<(String, u64)>,
    pub excluded_multiple_variants: u64,
    pub days_running: f64,
    /// Days until the first goal metric reaches its needed sample at the current rate.
    pub days_left: Option<f64>,
    pub metrics: Vec<MetricResult>,
}

/// Why an experiment cannot be analyzed.
#[derive(Clone, Debug, PartialEq)]
pub enum Unanalyzable {
    /// No user has the assignment event with a variant.
    NoExposures { experiment: String },
    /// The control never appears among the variants seen.
    NoControl {
        experiment: String,
        control: String,
        seen: Vec<String>,
    },
    /// Every exposed user saw one variant.
    SingleVariant { experiment: String, variant: String },
    /// Its data could not be read, in the engine's words.
    Data(String),
}

impl std::fmt::Display for Unanalyzable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanalyzable::NoExposures { experiment } => write!(
                f,
                "experiment `{experiment}` has no exposures: no user has the assignment event with a variant"
            ),
            Unanalyzable::NoControl {
                experiment,
                control,
                seen,
            } => write!(
                f,
                "experiment `{experiment}`: the control `{control}` never appears; the variants seen are {}",
                seen.join(", ")
            ),
            Unanalyzable::SingleVariant {
                experiment,
                variant,
            } => write!(
                f,
                "experiment `{experiment}` has a single variant (`{variant}`): there is nothing to compare"
            ),
            Unanalyzable::Data(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Unanalyzable {}

/// Analyzes an experiment. Errors say what is wrong with the input: no exposures, a single
/// variant, a control that never appears.
pub fn analyze(input: &Input) -> Result<Analysis, Unanalyzable> {
    let id = &input.id;
    let total: u64 = input.arms.iter().map(|a| a.1).sum();
    if total == 0 {
        return Err(Unanalyzable::NoExposures {
            experiment: id.clone(),
        });
    }
    if !input.arms.iter().any(|a| a.0 == input.control) {
        return Err(Unanalyzable::NoControl {
            experiment: id.clone(),
            control: input.control.clone(),
            seen: input.arms.iter().map(|a| a.0.clone()).collect(),
        });
    }
    if input.arms.len() < 2 {
        return Err(Unanalyzable::SingleVariant {
            experiment: id.clone(),
            variant: input.control.clone(),
        });
    }
    let counts: Vec<f64> = input.arms.iter().map(|a| a.1 as f64).collect();
    let (srm_chi2, srm_p) = srm(&counts, &vec![1.0; counts.len()]);
    let metrics: Vec<MetricResult> = input.metrics.iter().map(|m| metric(input, m)).collect();
    let (decision, reason, days_left) = decide(input, &metrics, srm_p, &counts);
    Ok(Analysis {
        experiment: id.clone(),
        decision,
        reason,
        srm_p_value: srm_p,
        srm_chi2,
        arms: input.arms.clone(),
        excluded_multiple_variants: input.multiple,
        days_running: input.days_running,
        days_left,
        metrics,
    })
}

fn metric(input: &Input, m: &MetricInput) -> MetricResult {
    let control = m.arms.iter().find(|a| a.0 == input.control).map(|a| a.1);
    let mut variants = Vec::new();
    let mut cuped_used = None;
    let mut needed = None;
    let s = m.scale;
    for (name, sums) in &m.arms {
        let sample = if m.proportion {
            proportion(sums)
        } else {
            sums.sample()
        };
        let Some(c) = control.filter(|_| *name != input.control) else {
            variants.push(VariantResult {
                variant: name.clone(),
                users: sums.n,
                value: sample.mean * s,
                lift: None,
                lift_relative: None,
                ci_low: None,
                ci_high: None,
                p_value: None,
            });
            continue;
        };
        let r: Comparison = if m.proportion {
            z_test(proportion(&c), sample, 1.0 - ALPHA)
        } else {
            match cuped(&c, sums).filter(|x| x.3 >= CUPED_MIN_RHO2) {
                Some((ac, at, theta, rho2)) => {
                    cuped_used = Some((theta, rho2));
                    welch(ac, at, 1.0 - ALPHA)
                }
                None => welch(c.sample(), sample, 1.0 - ALPHA),
            }
        };
        let cs = if m.proportion {
            proportion(&c)
        } else {
            c.sample()
        };
        if let Some(mde) = input.mde_relative {
            needed = Some(needed_per_arm(cs, mde, m.proportion));
        }
        let (p, lo, hi) = if input.sequential {
            let var = ((r.lift / r.statistic).powi(2)).max(f64::MIN_POSITIVE);
            let tau2 = input
                .mde_relative
                .map_or(var, |mde| (mde * cs.mean).powi(2).max(f64::MIN_POSITIVE));
            let sq: Sequential = msprt(r.lift, var, tau2, ALPHA);
            (sq.p_value, sq.ci_low, sq.ci_high)
        } else {
            (r.p_value, r.ci_low, r.ci_high)
        };
        variants.push(VariantResult {
            variant: name.clone(),
            users: sums.n,
            value: r.treatment * s,
            lift: Some(r.lift * s),
            lift_relative: Some(r.lift_relative),
            ci_low: Some(lo * s),
            ci_high: Some(hi * s),
            p_value: Some(p),
        });
    }
    MetricResult {
        metric: m.id.clone(),
        guardrail: m.guardrail,
        test: if m.proportion { "proportion" } else { "mean" },
        variants,
        cuped: cuped_used,
        needed_per_arm: needed,
        sequential: input.sequential,
    }
}

fn proportion(s: &Sums) -> Sample {
    let mean = if s.n > 0.0 { s.sy / s.n } else { 0.0 };
    Sample {
        n: s.n,
        mean,
        var: mean * (1.0 - mean),
    }
}

/// Users per arm to detect a relative change `mde` of the control's value with 80% power.
fn needed_per_arm(c: Sample, mde: f64, proportion: bool) -> f64 {
    let delta = (mde * c.mean).abs();
    let sd = if proportion {
        let t = (c.mean + delta).min(1.0);
        ((c.mean * (1.0 - c.mean) + t * (1.0 - t)) / 2.0).sqrt()
    } else {
        c.var.sqrt()
    };
    if sd == 0.0 {
        return f64::INFINITY;
    }
    sample_size(delta / sd, ALPHA, POWER)
}

fn significant(v: &VariantResult) -> bool {
    v.p_value.is_some_and(|p| p < ALPHA)
}

fn describe(m: &MetricResult, v: &VariantResult, unit_pp: bool) -> String {
    let lift = v.lift.unwrap_or(0.0);
    let unit = if unit_pp { " pp" } else { "" };
    format!(
        "`{}` {:+.2}{unit} ({:+.1}%, 95% CI {:+.2} to {:+.2}, p {}) in {}",
        m.metric,
        lift,
        v.lift_relative.unwrap_or(0.0) * 100.0,
        v.ci_low.unwrap_or(0.0),
        v.ci_high.unwrap_or(0.0),
        p_text(v.p_value.unwrap_or(1.0)),
        v.variant
    )
}

/// `= 0.031` or `< 0.001`.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("= {p:.3}")
    }
}

/// A p-value for people: `0.031`, `<0.001`.
pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "<0.001".into()
    } else {
        format!("{p:.3}")
    }
}

// Long because the decision rules are read in order of precedence (not trustworthy, then
// guardrail harmed, then the goal's result against the sample it needs); keeping them in one
// place keeps that order visible.
fn decide(
    input: &Input,
    metrics: &[MetricResult],
    srm_p: f64,
    counts: &[f64],
) -> (Decision, String, Option<f64>) {
    if srm_p < SRM_ALPHA {
        let split: Vec<String> = input.arms.iter().map(|(v, n)| format!("{v} {n}")).collect();
        return (
            Decision::NotTrustworthy,
            format!(
                "sample ratio mismatch (p {}): {} users instead of an even split; fix the assignment before reading any result",
                p_text(srm_p),
                split.join(" vs ")
            ),
            None,
        );
    }
    let input_of = |m: &MetricResult| input.metrics.iter().find(|x| x.id == m.metric);
    for m in metrics.iter().filter(|m| m.guardrail) {
        let Some(mi) = input_of(m) else { continue };
        for v in m.variants.iter().filter(|v| significant(v)) {
            let worse = (v.lift.unwrap_or(0.0) < 0.0) == mi.up;
            if worse {
                return (
                    Decision::GuardrailHarmed,
                    format!(
                        "guardrail {} (worse)",
                        describe(m, v, mi.proportion && mi.scale == 100.0)
                    ),
                    None,
                );
            }
        }
    }
    let Some(goal) = metrics.iter().find(|m| !m.guardrail) else {
        return (
            Decision::KeepRunning,
            "no goal metric: add `goal_metrics:` to decide".into(),
            None,
        );
    };
    let gi = input_of(goal).expect("every result has its input");
    let pp = gi.proportion && gi.scale == 100.0;
    let better: Vec<&VariantResult> = goal
        .variants
        .iter()
        .filter(|v| significant(v) && (v.lift.unwrap_or(0.0) > 0.0) == gi.up)
        .collect();
    let worse: Vec<&VariantResult> = goal
        .variants
        .iter()
        .filter(|v| significant(v) && (v.lift.unwrap_or(0.0) > 0.0) != gi.up)
        .collect();
    if let Some(v) = worse.first() {
        return (
            Decision::DontShip,
            format!("goal {} (the wrong way)", describe(goal, v, pp)),
            None,
        );
    }
    if let Some(v) = better.first() {
        return (
            Decision::Ship,
            format!("goal {}", describe(goal, v, pp)),
            None,
        );
    }
    let smallest = counts.iter().cloned().fold(f64::INFINITY, f64::min);
    let per_day = if input.days_running > 0.0 {
        smallest / input.days_running
    } else {
        0.0
    };
    match goal.needed_per_arm {
        Some(n) if n.is_finite() && smallest < n && per_day > 0.0 => {
            let days = ((n - smallest) / per_day).ceil();
            (
                Decision::KeepRunning,
                format!(
                    "no significant effect on `{}` yet; {:.0} users per arm are needed to detect the minimum effect, {:.0} so far: about {days:.0} more days at the current rate",
                    goal.metric, n, smallest
                ),
                Some(days),
            )
        }
        Some(_) => (
            Decision::DontShip,
            format!(
                "no significant effect on `{}` with the sample the minimum detectable effect needs",
                goal.metric
            ),
            Some(0.0),
        ),
        None => (
            Decision::KeepRunning,
            format!(
                "no significant effect on `{}` yet; set `minimum_detectable_effect:` to know how long to run",
                goal.metric
            ),
            None,
        ),
    }
}
