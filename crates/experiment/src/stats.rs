//! The statistics of a two-arm comparison, from per-arm sufficient statistics (count, sum,
//! sum of squares) so that the engine aggregates and nothing here loops over users.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// Per-arm sums of a per-user outcome `y` and, for CUPED, a pre-exposure covariate `x`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Sums {
    pub n: f64,
    pub sy: f64,
    pub syy: f64,
    pub sx: f64,
    pub sxx: f64,
    pub sxy: f64,
}

/// A sample's size, mean and (n − 1) variance.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub n: f64,
    pub mean: f64,
    pub var: f64,
}

impl Sums {
    /// The outcome's sample.
    pub fn sample(&self) -> Sample {
        sample(self.n, self.sy, self.syy)
    }
}

fn sample(n: f64, s: f64, ss: f64) -> Sample {
    let mean = if n > 0.0 { s / n } else { 0.0 };
    let var = if n > 1.0 {
        ((ss - n * mean * mean) / (n - 1.0)).max(0.0)
    } else {
        0.0
    };
    Sample { n, mean, var }
}

/// The result of comparing treatment with control.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub control: f64,
    pub treatment: f64,
    /// treatment − control.
    pub lift: f64,
    /// lift / control.
    pub lift_relative: f64,
    /// The confidence interval of `lift`.
    pub ci_low: f64,
    pub ci_high: f64,
    /// The confidence interval of `lift_relative` (delta method).
    pub rel_ci_low: f64,
    pub rel_ci_high: f64,
    pub p_value: f64,
    /// z or t.
    pub statistic: f64,
    /// Welch–Satterthwaite degrees of freedom; `None` for the z-test.
    pub df: Option<f64>,
}

fn normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// The two-sided normal quantile for a confidence level (0.95 → 1.959964).
pub fn z_quantile(confidence: f64) -> f64 {
    normal().inverse_cdf(0.5 + confidence / 2.0)
}

/// Relative lift and its delta-method interval: var(t/c) ≈ var_t/c² + t²·var_c/c⁴, where
/// `var_*` are the variances of the two means.
fn relative(c: f64, t: f64, var_c: f64, var_t: f64, confidence: f64) -> (f64, f64, f64) {
    if c == 0.0 {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let rel = t / c - 1.0;
    let se = (var_t / (c * c) + t * t * var_c / c.powi(4)).sqrt();
    let z = z_quantile(confidence);
    (rel, rel - z * se, rel + z * se)
}

/// Two-proportion z-test: the test uses the pooled proportion, the interval the unpooled
/// standard error. `c.mean` and `t.mean` are the proportions (0–1).
pub fn z_test(c: Sample, t: Sample, confidence: f64) -> Comparison {
    let (pc, pt) = (c.mean, t.mean);
    let pooled = (pc * c.n + pt * t.n) / (c.n + t.n);
    let se0 = (pooled * (1.0 - pooled) * (1.0 / c.n + 1.0 / t.n)).sqrt();
    let diff = pt - pc;
    let z = if se0 > 0.0 { diff / se0 } else { 0.0 };
    let p_value = 2.0 * (1.0 - normal().cdf(z.abs()));
    let (var_c, var_t) = (pc * (1.0 - pc) / c.n, pt * (1.0 - pt) / t.n);
    let se = (var_c + var_t).sqrt();
    let q = z_quantile(confidence);
    let (rel, rl, rh) = relative(pc, pt, var_c, var_t, confidence);
    Comparison {
        control: pc,
        treatment: pt,
        lift: diff,
        lift_relative: rel,
        ci_low: diff - q * se,
        ci_high: diff + q * se,
        rel_ci_low: rl,
        rel_ci_high: rh,
        p_value,
        statistic: z,
        df: None,
    }
}

/// Welch's t-test for a difference in means, with the Welch–Satterthwaite degrees of freedom.
pub fn welch(c: Sample, t: Sample, confidence: f64) -> Comparison {
    let (vc, vt) = (c.var / c.n, t.var / t.n);
    let se = (vc + vt).sqrt();
    let diff = t.mean - c.mean;
    let df = (vc + vt).powi(2) / (vc * vc / (c.n - 1.0) + vt * vt / (t.n - 1.0));
    let (stat, p_value, q) = if se > 0.0 && df.is_finite() {
        let dist = StudentsT::new(0.0, 1.0, df).expect("positive degrees of freedom");
        let stat = diff / se;
        (
            stat,
            2.0 * (1.0 - dist.cdf(stat.abs())),
            dist.inverse_cdf(0.5 + confidence / 2.0),
        )
    } else {
        (0.0, 1.0, z_quantile(confidence))
    };
    let (rel, rl, rh) = relative(c.mean, t.mean, vc, vt, confidence);
    Comparison {
        control: c.mean,
        treatment: t.mean,
        lift: diff,
        lift_relative: rel,
        ci_low: diff - q * se,
        ci_high: diff + q * se,
        rel_ci_low: rl,
        rel_ci_high: rh,
        p_value,
        statistic: stat,
        df: Some(df),
    }
}

/// Pearson's chi-square goodness of fit of the arms' user counts against the planned shares:
/// the sample ratio mismatch check. Returns the statistic and its p-value.
pub fn srm(observed: &[f64], shares: &[f64]) -> (f64, f64) {
    let total: f64 = observed.iter().sum();
    let share_sum: f64 = shares.iter().sum();
    let chi2: f64 = observed
        .iter()
        .zip(shares)
        .map(|(o, s)| {
            let e = total * s / share_sum;
            (o - e).powi(2) / e
        })
        .sum();
    let df = (observed.len() as f64 - 1.0).max(1.0);
    let p = 1.0 - ChiSquared::new(df).expect("positive df").cdf(chi2);
    (chi2, p)
}

/// An always-valid result (mixture sequential probability ratio test with a normal mixing
/// distribution of variance `tau2` over the effect): safe to look at after every day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sequential {
    pub p_value: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// mSPRT for an estimated difference `diff` with variance `var`: the likelihood ratio
/// Λ = √(V/(V+τ²))·exp(τ²·diff² / (2V(V+τ²))), p = min(1, 1/Λ), and the always-valid
/// interval diff ± √(V(V+τ²)/τ² · (ln((V+τ²)/V) − 2 ln α)).
pub fn msprt(diff: f64, var: f64, tau2: f64, alpha: f64) -> Sequential {
    let v = var;
    let log_lr = 0.5 * (v / (v + tau2)).ln() + tau2 * diff * diff / (2.0 * v * (v + tau2));
    let p_value = (-log_lr).exp().min(1.0);
    let half = (v * (v + tau2) / tau2 * (((v + tau2) / v).ln() - 2.0 * alpha.ln())).sqrt();
    Sequential {
        p_value,
        ci_low: diff - half,
        ci_high: diff + half,
    }
}

/// CUPED: the outcome adjusted by a pre-exposure covariate, θ = cov(x, y) / var(x) over both
/// arms. Returns the adjusted samples, θ, and the share of variance removed (ρ²). `None` when
/// the covariate does not vary.
pub fn cuped(c: &Sums, t: &Sums) -> Option<(Sample, Sample, f64, f64)> {
    let n = c.n + t.n;
    let (sx, sy) = (c.sx + t.sx, c.sy + t.sy);
    let cov = (c.sxy + t.sxy - sx * sy / n) / (n - 1.0);
    let var_x = (c.sxx + t.sxx - sx * sx / n) / (n - 1.0);
    let var_y = (c.syy + t.syy - sy * sy / n) / (n - 1.0);
    if var_x <= 0.0 || var_y <= 0.0 {
        return None;
    }
    let theta = cov / var_x;
    let mean_x = sx / n;
    let adjust = |a: &Sums| {
        let y = sample(a.n, a.sy, a.syy);
        let x = sample(a.n, a.sx, a.sxx);
        let cov_a = if a.n > 1.0 {
            (a.sxy - a.sx * a.sy / a.n) / (a.n - 1.0)
        } else {
            0.0
        };
        Sample {
            n: a.n,
            mean: y.mean - theta * (x.mean - mean_x),
            var: (y.var - 2.0 * theta * cov_a + theta * theta * x.var).max(0.0),
        }
    };
    let rho2 = cov * cov / (var_x * var_y);
    Some((adjust(c), adjust(t), theta, rho2))
}

/// Power of a two-sided test of standardized effect `d` with `n` per arm (equal arms), as
/// statsmodels' NormalIndPower computes it: both tails.
pub fn power(d: f64, n: f64, alpha: f64) -> f64 {
    let z = normal().inverse_cdf(1.0 - alpha / 2.0);
    let shift = d * (n / 2.0).sqrt();
    normal().cdf(shift - z) + normal().cdf(-shift - z)
}

/// Users needed per arm to detect standardized effect `d` with the given power.
pub fn sample_size(d: f64, alpha: f64, target: f64) -> f64 {
    if d == 0.0 || !d.is_finite() {
        return f64::INFINITY;
    }
    let (mut lo, mut hi) = (2.0_f64, 2.0_f64);
    while power(d.abs(), hi, alpha) < target {
        hi *= 2.0;
        if hi > 1e13 {
            return f64::INFINITY;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if power(d.abs(), mid, alpha) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}
