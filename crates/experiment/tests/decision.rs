//! The decision and its one-line reason, from hand-made per-arm sums.

use throughline_experiment::stats::Sums;
use throughline_experiment::{Decision, Input, MetricInput, analyze};

/// Sums of n users of whom `x` have outcome 1.
fn rate(n: f64, x: f64) -> Sums {
    Sums {
        n,
        sy: x,
        syy: x,
        ..Sums::default()
    }
}

/// Sums of n users whose outcome has mean `mean` and (population) variance `var`.
fn mean(n: f64, mean: f64, var: f64) -> Sums {
    Sums {
        n,
        sy: n * mean,
        syy: n * (var + mean * mean),
        ..Sums::default()
    }
}

fn input(arms: &[(&str, u64)], metrics: Vec<MetricInput>) -> Input {
    Input {
        id: "onboarding-checklist".into(),
        control: "control".into(),
        arms: arms.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
        multiple: 12,
        mde_relative: Some(0.02),
        days_running: 50.0,
        sequential: false,
        metrics,
    }
}

fn activation(c: Sums, t: Sums) -> MetricInput {
    MetricInput {
        id: "activation_rate".into(),
        guardrail: false,
        up: true,
        proportion: true,
        scale: 100.0,
        arms: vec![("control".into(), c), ("treatment".into(), t)],
    }
}

fn tickets(c: Sums, t: Sums) -> MetricInput {
    MetricInput {
        id: "support_tickets".into(),
        guardrail: true,
        up: false,
        proportion: false,
        scale: 1.0,
        arms: vec![("control".into(), c), ("treatment".into(), t)],
    }
}

#[test]
fn a_clear_win_ships() {
    let a = analyze(&input(
        &[("control", 5000), ("treatment", 5000)],
        vec![
            activation(rate(5000.0, 1350.0), rate(5000.0, 1650.0)),
            tickets(mean(5000.0, 0.2, 0.3), mean(5000.0, 0.2, 0.3)),
        ],
    ))
    .unwrap();
    assert_eq!(a.decision, Decision::Ship, "{}", a.reason);
    assert!(
        a.reason
            .starts_with("goal `activation_rate` +6.00 pp (+22.2%"),
        "{}",
        a.reason
    );
    let t = &a.metrics[0].variants[1];
    assert!((t.value - 33.0).abs() < 1e-9 && (t.lift.unwrap() - 6.0).abs() < 1e-9);
    assert_eq!(a.srm_p_value, 1.0);
    assert_eq!(a.excluded_multiple_variants, 12);
}

#[test]
fn a_harmed_guardrail_overrides_the_win() {
    // Tickets per user 0.20 → 0.26 (variance 0.3): se = √(0.3/5000·2) = 0.01095, z ≈ 5.5.
    let a = analyze(&input(
        &[("control", 5000), ("treatment", 5000)],
        vec![
            activation(rate(5000.0, 1350.0), rate(5000.0, 1650.0)),
            tickets(mean(5000.0, 0.2, 0.3), mean(5000.0, 0.26, 0.3)),
        ],
    ))
    .unwrap();
    assert_eq!(a.decision, Decision::GuardrailHarmed);
    assert!(
        a.reason
            .starts_with("guardrail `support_tickets` +0.06 (+30.0%"),
        "{}",
        a.reason
    );
}

#[test]
fn a_broken_split_is_not_read() {
    let a = analyze(&input(
        &[("control", 5000), ("treatment", 5400)],
        vec![activation(rate(5000.0, 1350.0), rate(5400.0, 1790.0))],
    ))
    .unwrap();
    assert_eq!(a.decision, Decision::NotTrustworthy);
    assert!(
        a.reason.contains("control 5000 vs treatment 5400"),
        "{}",
        a.reason
    );
    assert!(a.srm_p_value < 0.001);
}

#[test]
fn too_early_keeps_running_with_the_days_left() {
    // 27% vs 27.2% with 2,000 users each: not significant. The needed sample for a 2%
    // relative change (27% → 27.54%) with 80% power: d = 0.0054 / √((0.27·0.73 + 0.2754·0.7246)/2)
    // = 0.0121256; statsmodels' NormalIndPower gives n = 106,765.72 per arm. At 40 users per
    // arm a day (2,000 in 50 days) that is (106,765.72 − 2,000) / 40 = 2,619.1 → 2,620 days.
    let a = analyze(&input(
        &[("control", 2000), ("treatment", 2000)],
        vec![activation(rate(2000.0, 540.0), rate(2000.0, 544.0))],
    ))
    .unwrap();
    assert_eq!(a.decision, Decision::KeepRunning, "{}", a.reason);
    let needed = a.metrics[0].needed_per_arm.unwrap();
    assert!((needed - 106_765.723_922).abs() < 1e-3, "{needed}");
    assert_eq!(a.days_left, Some(2620.0));
}

#[test]
fn a_significant_loss_does_not_ship() {
    let a = analyze(&input(
        &[("control", 5000), ("treatment", 5000)],
        vec![activation(rate(5000.0, 1650.0), rate(5000.0, 1350.0))],
    ))
    .unwrap();
    assert_eq!(a.decision, Decision::DontShip);
    assert!(a.reason.contains("(the wrong way)"), "{}", a.reason);
}

#[test]
fn sequential_intervals_are_wider_than_fixed_ones() {
    let mut i = input(
        &[("control", 5000), ("treatment", 5000)],
        vec![activation(rate(5000.0, 1350.0), rate(5000.0, 1450.0))],
    );
    let fixed = analyze(&i).unwrap();
    i.sequential = true;
    let seq = analyze(&i).unwrap();
    let (f, s) = (&fixed.metrics[0].variants[1], &seq.metrics[0].variants[1]);
    assert!(s.ci_high.unwrap() - s.ci_low.unwrap() > f.ci_high.unwrap() - f.ci_low.unwrap());
    assert!(s.p_value.unwrap() > f.p_value.unwrap());
}

#[test]
fn bad_input_names_the_experiment_and_the_fix() {
    let none = analyze(&input(&[], vec![])).unwrap_err().to_string();
    assert!(
        none.contains("`onboarding-checklist` has no exposures"),
        "{none}"
    );
    let single = analyze(&input(&[("control", 10)], vec![]))
        .unwrap_err()
        .to_string();
    assert!(single.contains("has a single variant"), "{single}");
    let no_control = analyze(&input(&[("a", 10), ("b", 10)], vec![]))
        .unwrap_err()
        .to_string();
    assert!(
        no_control.contains("the control `control` never appears; the variants seen are a, b"),
        "{no_control}"
    );
}
