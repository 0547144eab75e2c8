//! `throughline experiment` on the demo: the planted onboarding-checklist effect is found with
//! the right direction and a sensible interval, and bad definitions are clear errors.

mod common;

use common::{demo, run_in};

#[test]
fn the_planted_experiment_is_detected() {
    let tmp = demo();
    let r = run_in(
        tmp.path(),
        &[
            "experiment",
            "-w",
            "ws",
            "onboarding-checklist",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let all: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let a = &all[0];
    assert_eq!(a["experiment"], "onboarding-checklist");
    // The treatment activates about 6 points more, and files more tickets: the guardrail
    // decides.
    assert_eq!(a["decision"], "guardrail_harmed", "{}", a["reason"]);
    assert!(a["srm_p_value"].as_f64().unwrap() > 0.001);
    let metric = |id: &str| {
        a["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["metric"] == id)
            .unwrap()
            .clone()
    };
    let act = metric("activation_rate");
    let t = &act["variants"][1];
    assert_eq!(t["variant"], "treatment");
    let (lift, lo, hi) = (
        t["lift"].as_f64().unwrap(),
        t["ci_low"].as_f64().unwrap(),
        t["ci_high"].as_f64().unwrap(),
    );
    assert!((4.0..8.0).contains(&lift), "lift {lift} pp");
    assert!(
        lo > 0.0 && lo < lift && lift < hi && hi - lo < 3.0,
        "{lo} {hi}"
    );
    assert!(t["p_value"].as_f64().unwrap() < 0.001);
    for key in ["users", "value", "lift_relative"] {
        assert!(t[key].is_number(), "{key}");
    }
    let control = &act["variants"][0];
    assert!(control["lift"].is_null() && control["value"].as_f64().unwrap() > 20.0);
    let tickets = metric("support_tickets");
    assert!(tickets["variants"][1]["lift"].as_f64().unwrap() > 0.0);

    let r = run_in(tmp.path(), &["experiment", "-w", "ws"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("decision: guardrail harmed — guardrail `support_tickets`"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("activation_rate (goal)"), "{}", r.stdout);

    let r = run_in(
        tmp.path(),
        &["experiment", "-w", "ws", "--sequential", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seq: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let s = &seq[0]["metrics"][0]["variants"][1];
    assert!(
        s["ci_high"].as_f64().unwrap() - s["ci_low"].as_f64().unwrap() > hi - lo,
        "always-valid intervals are wider"
    );
}

#[test]
fn bad_experiments_are_clear_errors() {
    let tmp = demo();
    std::fs::write(
        tmp.path().join("ws/more.yaml"),
        "experiments:
  - id: wrong-control
    assignment: { event: experiment_assigned, property: variant, control: baseline }
    goal_metrics: [activation_rate]
  - id: never-assigned
    assignment: { event: no_such_event, property: variant, control: control }
    goal_metrics: [activation_rate]
  - id: ratio-goal
    assignment: { event: experiment_assigned, property: variant, control: control }
    goal_metrics: [arpu]
",
    )
    .unwrap();
    for (id, want) in [
        (
            "wrong-control",
            "the control `baseline` never appears; the variants seen are control, treatment",
        ),
        ("never-assigned", "`never-assigned` has no exposures"),
        (
            "ratio-goal",
            "experiment `ratio-goal`: metric `arpu` cannot be computed per user",
        ),
        (
            "onboarding-checklst",
            "no experiment `onboarding-checklst` in the workspace (did you mean `onboarding-checklist`?)",
        ),
    ] {
        let r = run_in(tmp.path(), &["experiment", "-w", "ws", id]);
        assert_eq!(r.code, 2, "{id}: {}", r.stdout);
        assert!(r.stderr.contains(want), "{id}: {}", r.stderr);
    }
}
