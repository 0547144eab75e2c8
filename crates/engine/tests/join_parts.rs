//! Cohort joins in parts by user (`EngineOptions::join_parts`, and the retry after a join runs
//! out of the memory limit) give the values the whole join gives, for every type that joins a
//! cohort to its events, in total and by segment. The whole join's values are checked by hand
//! in cohorts.rs and funnels.rs; here they are the second method.

mod common;

use std::path::Path;
use std::sync::Mutex;

use common::Rng;
use throughline_engine::{Engine, EngineOptions, MetricValue, Progress, Request};
use throughline_model::Grain;

const METRICS: &str = r#"metrics:
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: workflow, within: 7d } }
  - { id: session_to_workflow, compute: { type: conversion, from: session, to: workflow, within: 1d, where: "channel = 'web'" } }
  - { id: ttv_median, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: median, within: 14d } }
  - { id: ttv_p90, unit: duration, compute: { type: duration, from: session, to: workflow, stat: p90, within: 3d } }
  - { id: ttv_mean, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: mean, within: 14d } }
  - { id: retention_w2, compute: { type: retention, from: signup, return: session, every: week, horizon: 2 } }
  - { id: retention_d3, compute: { type: retention, from: session, return: workflow, every: day, horizon: 3 } }
  - { id: funnel_ordered, compute: { type: funnel, steps: [signup, session, workflow], within: [7d, 14d] } }
  - { id: funnel_strict, compute: { type: funnel, steps: [session, workflow, invite], within: [2d, 4d], order: strict } }
  - { id: funnel_any, compute: { type: funnel, steps: [session, invite, workflow], within: [5d, 5d], order: any, exclude: ticket } }
"#;

/// `users` users signing up over six weeks from Mon 2025-03-03, each with a few sessions,
/// workflows, invites and tickets over the following weeks; ids with no row in users too.
fn fixture(dir: &Path, users: u64, seed: u64) {
    let mut rng = Rng(seed);
    let mut u = String::from("user_id,created_at,plan\n");
    let mut e = String::from("user_id,ts,event,channel\n");
    let start = chrono::NaiveDate::from_ymd_opt(2025, 3, 3)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let at =
        |secs: u64| (start + chrono::Duration::seconds(secs as i64)).format("%Y-%m-%dT%H:%M:%S");
    for i in 0..users {
        let signup = rng.next(42 * 86_400);
        let plan = ["free", "pro", "team"][rng.next(3) as usize];
        if i % 17 != 0 {
            u.push_str(&format!("u{i},{},{plan}\n", at(signup)));
        }
        for _ in 0..rng.next(9) {
            let ts = signup + rng.next(30 * 86_400);
            let (name, channel) = match rng.next(10) {
                0..=3 => ("session", ["web", "app"][rng.next(2) as usize]),
                4..=6 => ("workflow", "web"),
                7..=8 => ("invite", "app"),
                _ => ("ticket", ""),
            };
            e.push_str(&format!("u{i},{},{name},{channel}\n", at(ts)));
        }
    }
    std::fs::write(dir.join("users.csv"), u).unwrap();
    std::fs::write(dir.join("events.csv"), e).unwrap();
}

async fn open(dir: &Path, options: EngineOptions) -> Engine {
    let loaded = common::load(dir, common::CSV_SETTINGS, METRICS);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    Engine::open_with(&loaded.workspace, dir, &options)
        .await
        .expect("opens")
}

type Key = (String, String, String, Vec<(String, String)>);

/// Each value with its key, its numbers as bits (equal means equal), its steps and curve.
fn table(values: &[MetricValue]) -> Vec<(Key, String)> {
    let mut rows: Vec<(Key, String)> = values
        .iter()
        .map(|v| {
            let key = (
                v.metric.clone(),
                v.start.to_rfc3339(),
                v.grain.as_str().to_string(),
                v.segment.clone().into_iter().collect(),
            );
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            let shown = format!(
                "{:?} {:?} {:?} {} {:?} {:?}",
                bits(v.value),
                bits(v.numerator),
                bits(v.denominator),
                v.complete,
                v.steps,
                v.curve
            );
            (key, shown)
        })
        .collect();
    rows.sort();
    rows
}

async fn measured(e: &Engine, by: Option<&str>) -> Vec<(Key, String)> {
    let req = Request {
        grain: Some(Grain::Week),
        by: by.map(String::from),
        ..Request::default()
    };
    table(&e.measure(&req).await.expect("measures"))
}

#[tokio::test]
async fn a_join_in_parts_gives_the_whole_joins_values() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path(), 400, 7);
    let whole = open(tmp.path(), EngineOptions::default()).await;
    for by in [None, Some("plan")] {
        let expected = measured(&whole, by).await;
        // the fixture gives every type values to compare, some of them non-zero
        for id in [
            "activation",
            "ttv_median",
            "retention_w2",
            "funnel_strict",
            "funnel_any",
        ] {
            assert!(
                expected
                    .iter()
                    .any(|((m, ..), v)| m == id && !v.starts_with("None")),
                "{id} has no value: {expected:?}"
            );
        }
        // 2 parts, 7 (uneven), and 64 (the retry's second count; a part holds a few users)
        for parts in [2, 7, 64] {
            let spill = tempfile::tempdir().unwrap();
            let options = EngineOptions {
                join_parts: Some(parts),
                spill_dir: Some(spill.path().to_path_buf()),
                ..EngineOptions::default()
            };
            let split = open(tmp.path(), options).await;
            assert_eq!(
                measured(&split, by).await,
                expected,
                "{parts} parts, by {by:?}"
            );
            // the parts' files are gone once the values are computed (DataFusion's own
            // spill folder stays while the engine is open)
            let left: Vec<_> = std::fs::read_dir(spill.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with("datafusion-"))
                .collect();
            assert!(left.is_empty(), "left in the spill folder: {left:?}");
        }
    }
}

#[tokio::test]
async fn a_join_out_of_the_memory_limit_is_computed_again_in_parts() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path(), 120_000, 11);
    let req = Request {
        metrics: vec!["activation".into(), "retention_w2".into()],
        grain: Some(Grain::Week),
        ..Request::default()
    };
    let limited = |bytes: usize| {
        open(
            tmp.path(),
            EngineOptions {
                memory_limit: Some(bytes),
                ..EngineOptions::default()
            },
        )
    };
    let roomy = limited(1 << 30).await;
    let expected = table(&roomy.measure(&req).await.expect("measures in 1 GB"));
    let tight = limited(16 << 20).await;
    let told = Mutex::new(Vec::new());
    let got = tight
        .measure_with(&req, &|p| {
            if let Progress::InParts { id, parts } = p {
                told.lock().unwrap().push(format!("{id} in {parts}"));
            }
        })
        .await
        .expect("measures in 16 MB, in parts");
    assert_eq!(table(&got), expected);
    let told = told.into_inner().unwrap();
    assert!(
        told.iter().any(|t| t.starts_with("activation in ")),
        "the whole join fitted in 16 MB, so nothing was tested: {told:?}"
    );
}
