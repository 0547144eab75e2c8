//! A measurement refreshing from its cache gives the values a full computation gives, after
//! every kind of change: files appended (later events, and late events for old periods), a
//! file edited, a file removed, a definition changed, nothing changed (and nothing changed
//! while the data reaches the clock). Generated events in New
//! York (both clock changes inside), one metric of every type the cache serves, weekly and
//! monthly. And it does recompute less: an appended week leaves the earlier periods to the
//! cache.

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use throughline_engine::{Engine, Refresh, Refreshed, Request};

use common::Rng;

const SETTINGS: &str = "workspace: T\ntimezone: America/New_York\nweek_starts: monday\nsources:\n  events: { format: csv, path: events/*.csv, columns: { user: user_id, time: ts, name: event } }\n  users: { format: csv, path: users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }\n";

const METRICS: &str = r#"metrics:
  - { id: visits, compute: { type: count, event: visit } }
  - { id: big_buys, compute: { type: count, event: buy, where: "amount >= 30" } }
  - { id: active, compute: { type: unique } }
  - { id: buyers, compute: { type: unique, event: buy, where: "amount >= 10" } }
  - { id: revenue, compute: { type: sum, event: buy, property: amount } }
  - { id: basket, compute: { type: average, event: buy, property: amount } }
  - { id: arpu, compute: { type: ratio, numerator: revenue, denominator: active } }
  - { id: per_visit, compute: { type: derived, expr: "revenue / visits" } }
  - { id: converted_visits, compute: { type: derived, expr: "activation * visits / 100" } }
  - { id: nps, compute: { type: nps, event: rate, property: score } }
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: buy, within: 10d } }
  - { id: first_visit_to_buy, unit: percent, compute: { type: conversion, from: { event: visit }, to: buy, within: 7d } }
  - { id: retained, unit: percent, compute: { type: retention, from: { event: visit }, return: visit, every: week, horizon: 3 } }
  - { id: time_to_buy, compute: { type: duration, from: signup, to: buy, stat: median, within: 21d } }
  - { id: churn, unit: percent, cadence: { report: monthly }, compute: { type: churn, every: month } }
  - { id: sticky, compute: { type: stickiness } }
  - { id: signups_retained, cadence: { report: monthly }, compute: { type: ratio, numerator: retained, denominator: active } }
  - { id: path, unit: percent, compute: { type: funnel, steps: [visit, buy, rate], within: 14d } }
  - { id: lifecycle, compute: { type: lifecycle, event: visit, every: week } }
  - { id: active_28d, compute: { type: cumulative, of: unique, window: 28d } }
  - { id: buys_14d, compute: { type: cumulative, of: count, event: buy, window: 14d } }
"#;

/// (user, instant, event, amount, score): 80 users signing up over 200 days from 2026-02-01,
/// each with events from their signup on.
fn generated(
    seed: u64,
    users: std::ops::Range<u64>,
) -> (String, Vec<(String, DateTime<Utc>, String)>) {
    let mut rng = Rng(seed);
    let start = Utc.with_ymd_and_hms(2026, 2, 1, 5, 0, 0).unwrap();
    let mut people = String::new();
    let mut rows = Vec::new();
    for u in users {
        let signup = start + Duration::minutes(15 * rng.next(4 * 24 * 200) as i64);
        let plan = ["free", "pro"][rng.next(2) as usize];
        people.push_str(&format!(
            "u{u},{},{plan}\n",
            signup.format("%Y-%m-%dT%H:%M:%SZ")
        ));
        for _ in 0..rng.next(30) {
            let t = signup + Duration::minutes(15 * rng.next(4 * 24 * 120) as i64);
            let (name, amount, score) = match rng.next(4) {
                0 | 1 => ("visit", String::new(), String::new()),
                2 => ("buy", (rng.next(60) + 1).to_string(), String::new()),
                _ => ("rate", String::new(), rng.next(11).to_string()),
            };
            let line = format!(
                "u{u},{},{name},{amount},{score}\n",
                t.format("%Y-%m-%dT%H:%M:%SZ")
            );
            rows.push((format!("u{u}"), t, line));
        }
    }
    (people, rows)
}

const HEADER: &str = "user_id,ts,event,amount,score\n";

fn write_events(dir: &std::path::Path, file: &str, rows: &[&(String, DateTime<Utc>, String)]) {
    let mut text = String::from(HEADER);
    for r in rows {
        text.push_str(&r.2);
    }
    std::fs::write(dir.join("events").join(file), text).unwrap();
}

async fn open(dir: &std::path::Path, metrics: &str) -> Engine {
    let loaded = common::load(dir, SETTINGS, metrics);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    Engine::open(&loaded.workspace, dir).await.expect("opens")
}

/// The values refreshed from the cache, checked against a full computation on a fresh engine.
async fn refreshed_equals_full(dir: &std::path::Path, metrics: &str, what: &str) -> Refreshed {
    let refresh = Refresh {
        dir: dir.join(".throughline/cache"),
        full: false,
    };
    let req = Request::default();
    let (got, how) = open(dir, metrics)
        .await
        .measure_refreshing(&req, &refresh, &|_| {})
        .await
        .unwrap_or_else(|e| panic!("{what}: {e:?}"));
    let want = open(dir, metrics)
        .await
        .measure(&req)
        .await
        .expect("measures");
    let keys = |v: &[throughline_engine::MetricValue]| -> std::collections::BTreeSet<String> {
        v.iter()
            .map(|v| format!("{} {}", v.metric, v.start))
            .collect()
    };
    let (g, w) = (keys(&got), keys(&want));
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: {}\nonly refreshed: {:?}\nonly in full: {:?}",
        how.sentence(),
        g.difference(&w).collect::<Vec<_>>(),
        w.difference(&g).collect::<Vec<_>>()
    );
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{what}: {}", how.sentence());
    }
    how
}

fn partial(how: &Refreshed) -> (usize, usize) {
    match how {
        Refreshed::Partial { kept, computed, .. } => (*kept, *computed),
        other => panic!("expected a partial refresh, got {other:?}"),
    }
}

#[tokio::test]
async fn refreshed_values_equal_a_full_computation_after_every_change() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("events")).unwrap();
    let (people, rows) = generated(0x2545_f491_4f6c_dd1d, 0..80);
    std::fs::write(
        dir.join("users.csv"),
        format!("user_id,created_at,plan\n{people}"),
    )
    .unwrap();
    let cut =
        |d: u32| Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap() + Duration::days(i64::from(d));
    let between = |lo: u32, hi: u32| -> Vec<&(String, DateTime<Utc>, String)> {
        rows.iter()
            .filter(|r| r.1 >= cut(lo) && r.1 < cut(hi))
            .collect()
    };
    // two files that overlap in time, then nothing cached
    let (a, b): (Vec<_>, Vec<_>) = between(0, 200)
        .into_iter()
        .partition(|r| r.0.len() % 2 == 0);
    write_events(dir, "a.csv", &a);
    write_events(dir, "b.csv", &b);
    let how = refreshed_equals_full(dir, METRICS, "first run").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");

    // nothing changed, and the data ended long before the clock: every value from the cache
    let how = refreshed_equals_full(dir, METRICS, "nothing changed").await;
    assert!(
        matches!(how, Refreshed::Unchanged { kept } if kept > 0),
        "{how:?}"
    );

    // later events appended in a new file
    write_events(dir, "c.csv", &between(200, 230));
    let how = refreshed_equals_full(dir, METRICS, "a later file").await;
    let (kept, computed) = partial(&how);
    assert!(kept > computed, "{}", how.sentence());

    // late events: a file of purchases from two months before (sent again: the same row twice
    // is two events), with a file of later events
    write_events(dir, "d.csv", &between(230, 260));
    let late: Vec<_> = between(170, 180)
        .into_iter()
        .filter(|r| r.2.contains(",buy,"))
        .collect();
    write_events(dir, "late.csv", &late);
    let how = refreshed_equals_full(dir, METRICS, "late events").await;
    partial(&how);

    // a file edited: the second half of its rows gone
    let c = between(200, 230);
    write_events(dir, "c.csv", &c[..c.len() / 2]);
    let how = refreshed_equals_full(dir, METRICS, "an edited file").await;
    partial(&how);

    // a file removed
    std::fs::remove_file(dir.join("events/late.csv")).unwrap();
    let how = refreshed_equals_full(dir, METRICS, "a removed file").await;
    partial(&how);

    // a month later: the first files end before the events read again, and are not read
    write_events(dir, "e.csv", &between(260, 290));
    let how = refreshed_equals_full(dir, METRICS, "a month later").await;
    let (kept, computed) = partial(&how);
    assert!(kept > computed, "{}", how.sentence());

    // a file edited that holds the first events: every period again
    write_events(dir, "b.csv", &b[..b.len() / 2]);
    let how = refreshed_equals_full(dir, METRICS, "an edited first file").await;
    assert!(
        matches!(&how, Refreshed::Full { reason } if reason.contains("start of the data")),
        "{how:?}"
    );

    // a definition changed: every period again
    let changed = METRICS.replace("within: 10d", "within: 12d");
    let how = refreshed_equals_full(dir, &changed, "a changed definition").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");
    let how = refreshed_equals_full(dir, &changed, "after the changed definition").await;
    assert!(matches!(how, Refreshed::Unchanged { .. }), "{how:?}");

    // the data reaching the clock (an event an hour ago): a period still running is not
    // final, so with nothing changed the last periods are computed again, not kept
    let (user, at) = (rows[0].0.clone(), Utc::now() - Duration::hours(1));
    let line = format!("{user},{},visit,,\n", at.format("%Y-%m-%dT%H:%M:%SZ"));
    write_events(dir, "today.csv", &[&(user, at, line)]);
    let how = refreshed_equals_full(dir, &changed, "an event an hour ago").await;
    partial(&how);
    let how = refreshed_equals_full(dir, &changed, "nothing changed, data to the clock").await;
    let (kept, computed) = partial(&how);
    assert!(computed > 0 && kept > 0, "{}", how.sentence());
}

#[tokio::test]
async fn what_the_cache_cannot_serve_is_computed_in_full() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("events")).unwrap();
    let (people, rows) = generated(7, 0..20);
    std::fs::write(
        dir.join("users.csv"),
        format!("user_id,created_at,plan\n{people}"),
    )
    .unwrap();
    write_events(dir, "a.csv", &rows.iter().collect::<Vec<_>>());
    let with_total =
        format!("{METRICS}  - {{ id: users_ever, compute: {{ type: cumulative, of: unique }} }}\n");
    let refresh = Refresh {
        dir: dir.join(".throughline/cache"),
        full: false,
    };
    let e = open(dir, &with_total).await;
    for _ in 0..2 {
        let (_, how) = e
            .measure_refreshing(&Request::default(), &refresh, &|_| {})
            .await
            .unwrap();
        assert!(
            matches!(&how, Refreshed::Uncached { reason } if reason.contains("users_ever")),
            "{how:?}"
        );
    }
    let some = Request {
        metrics: vec!["visits".into()],
        ..Request::default()
    };
    let (_, how) = e
        .measure_refreshing(&some, &refresh, &|_| {})
        .await
        .unwrap();
    assert!(matches!(how, Refreshed::Uncached { .. }), "{how:?}");
    // `--full` computes every period, and a run after it takes them from the cache
    let e = open(dir, METRICS).await;
    let full = Refresh {
        full: true,
        ..refresh.clone()
    };
    let (_, how) = e
        .measure_refreshing(&Request::default(), &full, &|_| {})
        .await
        .unwrap();
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");
    let (_, how) = e
        .measure_refreshing(&Request::default(), &full, &|_| {})
        .await
        .unwrap();
    assert!(
        matches!(how, Refreshed::Full { .. }),
        "--full again: {how:?}"
    );
    let (_, how) = e
        .measure_refreshing(&Request::default(), &refresh, &|_| {})
        .await
        .unwrap();
    assert!(matches!(how, Refreshed::Unchanged { .. }), "{how:?}");
}
