//! Experiment exposures and per-variant sums against values worked out by hand.
//!
//! u1 (control) and u3 (control), u2 and u4 (treatment) are exposed once (u4 twice, in the same
//! variant); u5 is seen in both variants and left out; u6 is never assigned. Every user is
//! exposed 5 minutes after signing up, so each one's start is their exposure. The data ends on
//! Mar 12, so it covers whole days through Mar 13 00:00.

use throughline_engine::Engine;
use throughline_experiment::stats::Sums;
use throughline_model::Loader;

const USERS: &str = "user_id,created_at
u1,2025-03-03T10:00:00
u2,2025-03-03T11:00:00
u3,2025-03-04T09:00:00
u4,2025-03-04T10:00:00
u5,2025-03-05T08:00:00
u6,2025-03-05T09:00:00
";

const EVENTS: &str = "user_id,ts,event,variant,amount
u1,2025-02-28T09:00:00,ticket,,
u1,2025-03-03T10:05:00,assigned,control,
u2,2025-03-03T11:05:00,assigned,treatment,
u3,2025-03-04T09:05:00,assigned,control,
u4,2025-03-04T10:00:00,ticket,,
u4,2025-03-04T10:05:00,assigned,treatment,
u4,2025-03-04T12:00:00,workflow,,
u5,2025-03-05T08:05:00,assigned,control,
u1,2025-03-05T10:05:00,workflow,,
u4,2025-03-05T10:00:00,purchase,,10
u2,2025-03-06T09:00:00,purchase,,30
u4,2025-03-06T10:00:00,assigned,treatment,
u5,2025-03-06T10:00:00,assigned,treatment,
u1,2025-03-07T09:00:00,ticket,,
u4,2025-03-07T09:00:00,purchase,,20
u2,2025-03-08T09:00:00,ticket,,
u2,2025-03-09T09:00:00,ticket,,
u4,2025-03-10T09:00:00,ticket,,
u6,2025-03-10T09:00:00,workflow,,
u2,2025-03-12T12:00:00,workflow,,
";

const WS: &str = r#"metrics:
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: workflow, within: 7d } }
  - { id: tickets, compute: { type: count, event: ticket } }
  - { id: revenue, compute: { type: sum, event: purchase, property: amount } }
  - { id: ttv, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: median } }
  - { id: any_workflow, compute: { type: unique, event: workflow } }
experiments:
  - id: checklist
    assignment: { event: assigned, property: variant, control: control }
    goal_metrics: [activation, ttv, any_workflow]
    guardrail_metrics: [tickets, revenue]
"#;

fn arm(variant: &str, n: f64, sy: f64, syy: f64, sx: f64, sxx: f64, sxy: f64) -> (String, Sums) {
    let sums = Sums {
        n,
        sy,
        syy,
        sx,
        sxx,
        sxy,
    };
    (variant.into(), sums)
}

#[tokio::test]
async fn exposures_and_per_user_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("events.csv"), EVENTS).unwrap();
    std::fs::write(dir.join("users.csv"), USERS).unwrap();
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        &dir.join("throughline.yaml"),
        "workspace: T\ntimezone: UTC\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n  users: { format: csv, path: users.csv, columns: { user: user_id, time: created_at } }\n".into(),
    );
    loader.add_yaml("ws.yaml", &dir.join("ws.yaml"), WS.into());
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let engine = Engine::open(&loaded.workspace, dir).await.unwrap();
    let data = engine
        .experiment(&loaded.workspace.experiments[0])
        .await
        .unwrap();

    assert_eq!(
        data.arms,
        vec![("control".to_string(), 2), ("treatment".to_string(), 2)]
    );
    assert_eq!(data.multiple, 1, "u5 saw both variants");
    let got = |id: &str| {
        data.metrics
            .iter()
            .find(|m| m.metric == id)
            .unwrap()
            .clone()
    };

    // Activation within 7 days of the start: u1 yes (Mar 5), u3 no; u2 no (Mar 12 12:00 is
    // after Mar 10 11:05), u4 yes (2 h after).
    let a = got("activation");
    assert!(a.proportion);
    assert_eq!(
        a.arms,
        vec![
            arm("control", 2.0, 1.0, 1.0, 0.0, 0.0, 0.0),
            arm("treatment", 2.0, 1.0, 1.0, 0.0, 0.0, 0.0)
        ]
    );

    // Tickets after exposure (y) and in the 28 days before (x): u1 y1 x1, u3 0 0; u2 y2 x0,
    // u4 y1 x1 (its 10:00 ticket came 5 minutes before exposure).
    let t = got("tickets");
    assert!(!t.proportion);
    assert_eq!(
        t.arms,
        vec![
            arm("control", 2.0, 1.0, 1.0, 1.0, 1.0, 1.0),
            arm("treatment", 2.0, 3.0, 5.0, 1.0, 1.0, 1.0)
        ]
    );

    // Revenue after exposure: 0 and 0; u2 30, u4 10 + 20 = 30.
    let r = got("revenue");
    assert_eq!(
        r.arms,
        vec![
            arm("control", 2.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            arm("treatment", 2.0, 60.0, 1800.0, 0.0, 0.0, 0.0)
        ]
    );

    // Time from start to the first workflow: u1 2 days = 172,800 s, u3 never (left out);
    // u2 9 d 55 min = 777,600 + 3,300 = 780,900 s, u4 1 h 55 min = 6,900 s.
    let d = got("ttv");
    assert_eq!(
        d.arms,
        vec![
            arm(
                "control",
                1.0,
                172_800.0,
                172_800.0f64.powi(2),
                0.0,
                0.0,
                0.0
            ),
            arm(
                "treatment",
                2.0,
                787_800.0,
                780_900.0f64.powi(2) + 6_900.0f64.powi(2),
                0.0,
                0.0,
                0.0
            ),
        ]
    );

    // Any workflow after exposure: u1 1, u3 0; u2 1, u4 1 (u6 was never assigned).
    let u = got("any_workflow");
    assert!(u.proportion);
    assert_eq!(
        u.arms,
        vec![
            arm("control", 2.0, 1.0, 1.0, 0.0, 0.0, 0.0),
            arm("treatment", 2.0, 2.0, 2.0, 0.0, 0.0, 0.0)
        ]
    );
}
