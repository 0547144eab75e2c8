//! An A/A split (both arms from the same distribution) is called significant about as often
//! as the nominal 5%, and never far more: 2,000 simulated experiments per test.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use throughline_experiment::stats::{Sample, Sums, welch, z_test};

const RUNS: usize = 2000;

/// The 99.9% upper bound of a binomial(2000, 0.05) count is about 134 (6.7%).
const MAX_FALSE_POSITIVES: usize = 134;

#[test]
fn aa_proportions_are_not_significant_beyond_the_nominal_rate() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut hits = 0;
    for _ in 0..RUNS {
        let arm = |rng: &mut ChaCha8Rng| {
            let n = 2000;
            let x = (0..n).filter(|_| rng.random::<f64>() < 0.27).count();
            Sample {
                n: n as f64,
                mean: x as f64 / n as f64,
                var: 0.0,
            }
        };
        let (c, t) = (arm(&mut rng), arm(&mut rng));
        if z_test(c, t, 0.95).p_value < 0.05 {
            hits += 1;
        }
    }
    assert!(
        hits <= MAX_FALSE_POSITIVES,
        "{hits} of {RUNS} A/A splits called significant"
    );
    assert!(
        hits >= 50,
        "{hits}: the test should reject about 5% of A/A splits, not never"
    );
}

#[test]
fn aa_means_are_not_significant_beyond_the_nominal_rate() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut hits = 0;
    for _ in 0..RUNS {
        let arm = |rng: &mut ChaCha8Rng| {
            let mut s = Sums::default();
            for _ in 0..500 {
                // A skewed outcome (tickets per user): mostly 0, sometimes 1-3.
                let u: f64 = rng.random();
                let y = if u < 0.8 {
                    0.0
                } else if u < 0.95 {
                    1.0
                } else {
                    3.0
                };
                s.n += 1.0;
                s.sy += y;
                s.syy += y * y;
            }
            s.sample()
        };
        let (c, t) = (arm(&mut rng), arm(&mut rng));
        if welch(c, t, 0.95).p_value < 0.05 {
            hits += 1;
        }
    }
    assert!(
        hits <= MAX_FALSE_POSITIVES,
        "{hits} of {RUNS} A/A splits called significant"
    );
    assert!(hits >= 50, "{hits}");
}

/// Peeking: an A/A experiment looked at 20 times as its users arrive. With always-valid mSPRT
/// p-values the chance of ever calling it significant stays under α; the fixed-horizon z-test
/// read at every look is fooled far more often, which is why `--sequential` exists.
#[test]
fn aa_with_peeking_msprt_stays_under_alpha_and_fixed_horizon_does_not() {
    use throughline_experiment::stats::msprt;
    const PEEK_RUNS: usize = 1000;
    const LOOKS: usize = 20;
    const PER_LOOK: usize = 200;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut sequential_hits, mut naive_hits) = (0, 0);
    // The mixing variance of mSPRT: a 10% relative effect on a 27% rate.
    let tau2 = (0.1f64 * 0.27).powi(2);
    for _ in 0..PEEK_RUNS {
        let (mut xc, mut xt, mut n) = (0usize, 0usize, 0usize);
        let (mut seq, mut naive) = (false, false);
        for _ in 0..LOOKS {
            for _ in 0..PER_LOOK {
                xc += usize::from(rng.random::<f64>() < 0.27);
                xt += usize::from(rng.random::<f64>() < 0.27);
            }
            n += PER_LOOK;
            let arm = |x: usize| Sample {
                n: n as f64,
                mean: x as f64 / n as f64,
                var: 0.0,
            };
            let r = z_test(arm(xc), arm(xt), 0.95);
            naive |= r.p_value < 0.05;
            let (pc, pt) = (xc as f64 / n as f64, xt as f64 / n as f64);
            let var = pc * (1.0 - pc) / n as f64 + pt * (1.0 - pt) / n as f64;
            seq |= msprt(r.lift, var, tau2, 0.05).p_value < 0.05;
        }
        sequential_hits += usize::from(seq);
        naive_hits += usize::from(naive);
    }
    eprintln!(
        "peeked A/A: mSPRT {sequential_hits}/{PEEK_RUNS}, fixed-horizon {naive_hits}/{PEEK_RUNS}"
    );
    // 99.9% upper bound of binomial(1000, 0.05) ≈ 73.
    assert!(
        sequential_hits <= 73,
        "mSPRT called {sequential_hits} of {PEEK_RUNS} peeked A/A runs significant"
    );
    assert!(
        naive_hits >= 100,
        "peeking at a fixed-horizon test fooled it only {naive_hits} times"
    );
    assert!(
        naive_hits > 2 * sequential_hits,
        "{naive_hits} vs {sequential_hits}"
    );
}
