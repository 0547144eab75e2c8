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

/// A workspace folder with `generated` users and an empty events folder; the events.
fn generated_workspace(
    dir: &std::path::Path,
    seed: u64,
    users: u64,
) -> Vec<(String, DateTime<Utc>, String)> {
    std::fs::create_dir_all(dir.join("events")).unwrap();
    let (people, rows) = generated(seed, 0..users);
    std::fs::write(
        dir.join("users.csv"),
        format!("user_id,created_at,plan\n{people}"),
    )
    .unwrap();
    rows
}

/// The generated events from day `lo` to day `hi` (days after 2026-02-01, UTC).
fn between(
    rows: &[(String, DateTime<Utc>, String)],
    lo: u32,
    hi: u32,
) -> Vec<&(String, DateTime<Utc>, String)> {
    let cut =
        |d: u32| Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap() + Duration::days(i64::from(d));
    rows.iter()
        .filter(|r| r.1 >= cut(lo) && r.1 < cut(hi))
        .collect()
}

/// A workspace folder with an empty events folder and two users, u1 and u2, signed up in
/// March 2026.
fn two_users(dir: &std::path::Path) {
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(
        dir.join("users.csv"),
        "user_id,created_at,plan\nu1,2026-03-01T10:00:00Z,free\nu2,2026-03-02T10:00:00Z,pro\n",
    )
    .unwrap();
}

/// An events row as `write_events` takes it (a `rate` scores 9).
fn event(user: &str, at: DateTime<Utc>, name: &str) -> (String, DateTime<Utc>, String) {
    let score = if name == "rate" { "9" } else { "" };
    let line = format!(
        "{user},{},{name},,{score}\n",
        at.format("%Y-%m-%dT%H:%M:%SZ")
    );
    (user.to_string(), at, line)
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

/// How many days of the activity roll-up a partial refresh read from the cache.
fn days_reused(how: &Refreshed) -> i64 {
    match how {
        Refreshed::Partial { days_reused, .. } => *days_reused,
        other => panic!("expected a partial refresh, got {other:?}"),
    }
}

/// The cache's activity roll-up files, as its manifest names them (the latest days' last),
/// checked to be the ones in the folder.
fn activity_files(cache: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(cache.join("manifest.json")).expect("a manifest");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut files: Vec<(i64, String)> = m["activity"]["files"]
        .as_array()
        .expect("an activity roll-up")
        .iter()
        .map(|f| {
            let from = f["from_us"].as_i64().unwrap();
            (from, f["file"].as_str().unwrap().to_string())
        })
        .collect();
    files.sort();
    let named: std::collections::BTreeSet<String> = files.iter().map(|f| f.1.clone()).collect();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("activity-"))
        .collect();
    assert_eq!(named, on_disk, "the roll-up's files in the folder");
    files.into_iter().map(|f| f.1).collect()
}

/// The grains whose rolled-up periods a partial refresh read from the cache.
fn periods_reused(how: &Refreshed) -> Vec<String> {
    match how {
        Refreshed::Partial { periods_reused, .. } => periods_reused.clone(),
        other => panic!("expected a partial refresh, got {other:?}"),
    }
}

/// The cache's files of rolled-up periods of `grain`, as its manifest names them, checked to
/// be the ones in the folder.
fn period_files(cache: &std::path::Path, grain: &str) -> Vec<String> {
    let text = std::fs::read_to_string(cache.join("manifest.json")).expect("a manifest");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let named: Vec<String> = m["activity"]["periods"][grain]
        .as_array()
        .map(|files| {
            files
                .iter()
                .map(|f| f["file"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("periods-{grain}-")))
        .collect();
    assert_eq!(
        named
            .iter()
            .cloned()
            .collect::<std::collections::BTreeSet<_>>(),
        on_disk,
        "the {grain} periods' files in the folder"
    );
    named
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
    let rows = generated_workspace(dir, 0x2545_f491_4f6c_dd1d, 80);
    let between = |lo: u32, hi: u32| between(&rows, lo, hi);
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
    assert!(days_reused(&how) > 0, "{}", how.sentence());

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
    let rows = generated_workspace(dir, 7, 20);
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

/// The cache's activity roll-up: a full run keeps it whole; each refresh reads the days
/// before the change from it instead of their events (the values equal a full computation
/// still), adds a file of the days from the change on, and writes the days before into one
/// file when it has too many. A file of it damaged or gone: that run computes every period
/// and keeps a whole roll-up again, which the next refresh reads.
#[tokio::test]
async fn the_activity_roll_up_is_kept_and_read_again() {
    const ACTIVITY: &str = r#"metrics:
  - { id: visits, compute: { type: count, event: visit } }
  - { id: active, compute: { type: unique } }
  - { id: visitors, compute: { type: unique, event: visit } }
  - { id: churn, unit: percent, cadence: { report: monthly }, compute: { type: churn, every: month } }
  - { id: sticky, compute: { type: stickiness } }
  - { id: lifecycle, compute: { type: lifecycle, event: visit, every: week } }
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: buy, within: 10d } }
"#;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let rows = generated_workspace(dir, 0x9e37_79b9_7f4a_7c15, 60);
    let between = |lo: u32, hi: u32| between(&rows, lo, hi);
    let cache = dir.join(".throughline/cache");
    write_events(dir, "a.csv", &between(0, 150));
    let how = refreshed_equals_full(dir, ACTIVITY, "first run").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");
    assert_eq!(activity_files(&cache).len(), 1);
    // the weeks are rolled up for several metrics (active, visitors, sticky, lifecycle), and
    // kept; the months are read by churn alone, so not rolled up
    assert_eq!(period_files(&cache, "week").len(), 1);
    assert!(period_files(&cache, "month").is_empty());
    // a week at a time: every refresh reads the roll-up, which never holds more than 8 files,
    // and the whole weeks before the change
    let mut most = 0;
    for week in 0..10u32 {
        let (lo, hi) = (150 + 7 * week, 157 + 7 * week);
        write_events(dir, &format!("w{week}.csv"), &between(lo, hi));
        let how = refreshed_equals_full(dir, ACTIVITY, &format!("week {week}")).await;
        assert!(days_reused(&how) > 0, "week {week}: {}", how.sentence());
        assert_eq!(
            periods_reused(&how),
            ["week"],
            "week {week}: {}",
            how.sentence()
        );
        assert!(
            how.sentence().contains("whole week periods"),
            "{}",
            how.sentence()
        );
        let files = activity_files(&cache).len();
        assert!((2..=8).contains(&files), "week {week}: {files} files");
        let weeks = period_files(&cache, "week").len();
        assert!(
            (1..=8).contains(&weeks),
            "week {week}: {weeks} files of weeks"
        );
        most = most.max(files);
    }
    // a file of weeks gone: those weeks are rolled up from the days again (the values equal
    // all the same), and the cache keeps this run's
    for f in period_files(&cache, "week") {
        std::fs::remove_file(cache.join(f)).unwrap();
    }
    write_events(dir, "v.csv", &between(220, 222));
    let how = refreshed_equals_full(dir, ACTIVITY, "the weeks' files gone").await;
    assert!(periods_reused(&how).is_empty(), "{}", how.sentence());
    assert_eq!(period_files(&cache, "week").len(), 1);
    assert_eq!(
        most, 8,
        "the days before a change written into one file at 8"
    );
    // its latest file damaged: computed in full, and kept whole again
    let latest = activity_files(&cache).pop().unwrap();
    std::fs::write(cache.join(&latest), b"not parquet").unwrap();
    write_events(dir, "x.csv", &between(222, 227));
    let how = refreshed_equals_full(dir, ACTIVITY, "a damaged file").await;
    assert!(
        matches!(&how, Refreshed::Full { reason } if reason.contains("refresh failed")),
        "{how:?}"
    );
    assert_eq!(activity_files(&cache).len(), 1);
    write_events(dir, "y.csv", &between(227, 234));
    let how = refreshed_equals_full(dir, ACTIVITY, "after the damaged file").await;
    assert!(days_reused(&how) > 0, "{}", how.sentence());
    // a file gone: the same
    let first = activity_files(&cache).remove(0);
    std::fs::remove_file(cache.join(&first)).unwrap();
    write_events(dir, "z.csv", &between(234, 241));
    let how = refreshed_equals_full(dir, ACTIVITY, "a file gone").await;
    assert!(
        matches!(&how, Refreshed::Full { reason } if reason.contains("misses its file")),
        "{how:?}"
    );
    assert_eq!(activity_files(&cache).len(), 1);
}

/// A refresh whose new days hold no activity (the new events are of a name no activity metric
/// reads) keeps a roll-up file of no rows, which the next refresh reads.
#[tokio::test]
async fn a_roll_up_of_no_new_days_is_kept_too() {
    const VISITORS: &str = r#"metrics:
  - { id: visitors, compute: { type: unique, event: visit } }
  - { id: lifecycle, compute: { type: lifecycle, event: visit, every: week } }
"#;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_users(dir);
    let row = |user: &str, day: i64, name: &str| {
        event(
            user,
            Utc.with_ymd_and_hms(2026, 3, 2, 15, 0, 0).unwrap() + Duration::days(day),
            name,
        )
    };
    let first: Vec<_> = (0..20)
        .map(|d| row(["u1", "u2"][d as usize % 2], d, "visit"))
        .chain([row("u1", 30, "rate")])
        .collect();
    write_events(dir, "a.csv", &first.iter().collect::<Vec<_>>());
    let how = refreshed_equals_full(dir, VISITORS, "first run").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");
    let cache = dir.join(".throughline/cache");
    // rates only, after the last visit: the roll-up has no row from the change's day on
    let rates = [row("u2", 37, "rate"), row("u1", 38, "rate")];
    write_events(dir, "b.csv", &rates.iter().collect::<Vec<_>>());
    let how = refreshed_equals_full(dir, VISITORS, "no new activity").await;
    partial(&how);
    assert_eq!(activity_files(&cache).len(), 2);
    let visits = [row("u1", 44, "visit"), row("u2", 45, "visit")];
    write_events(dir, "c.csv", &visits.iter().collect::<Vec<_>>());
    let how = refreshed_equals_full(dir, VISITORS, "activity again").await;
    assert!(days_reused(&how) > 0, "{}", how.sentence());
    assert_eq!(activity_files(&cache).len(), 3);
}

/// With the roll-up's days read from the cache, the events are read from a later cut than the
/// roll-up's: a monthly churn reads the month before the change's from the roll-up only, and
/// the events are read from where the weekly lifecycle reads its users' first activity. A user
/// back in the change's week after months away, with no event after the change, is still
/// resurrected there (their first activity, before both cuts, is read), not new.
#[tokio::test]
async fn the_events_are_read_from_a_later_cut_than_the_roll_up() {
    const METRICS: &str = r#"metrics:
  - { id: churn, unit: percent, cadence: { report: monthly }, compute: { type: churn, every: month } }
  - { id: lifecycle, compute: { type: lifecycle, event: visit, every: week } }
"#;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    two_users(dir);
    let visit = |user: &str, month: u32, day: u32| {
        event(
            user,
            Utc.with_ymd_and_hms(2026, month, day, 15, 0, 0).unwrap(),
            "visit",
        )
    };
    // u1: a first visit in March, back on Monday 15 June; u2: every fourth day to Tuesday
    // 16 June (the last run's data end, so the change's day)
    let mut first = vec![visit("u1", 3, 2), visit("u1", 6, 15)];
    let mut day = Utc.with_ymd_and_hms(2026, 3, 3, 15, 0, 0).unwrap();
    while day <= Utc.with_ymd_and_hms(2026, 6, 16, 15, 0, 0).unwrap() {
        first.push(event("u2", day, "visit"));
        day += Duration::days(4);
    }
    first.push(visit("u2", 6, 16));
    write_events(dir, "a.csv", &first.iter().collect::<Vec<_>>());
    let how = refreshed_equals_full(dir, METRICS, "first run").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");
    let later = [visit("u2", 6, 18), visit("u2", 6, 19)];
    write_events(dir, "b.csv", &later.iter().collect::<Vec<_>>());
    let how = refreshed_equals_full(dir, METRICS, "a later file").await;
    // the roll-up's days from 30 April (churn's May, less a day) to the change read from the
    // cache; the events from 7 June (the lifecycle's week before the change's, less a day)
    match &how {
        Refreshed::Partial {
            read_from,
            days_reused,
            ..
        } => {
            assert_eq!(read_from.to_string(), "2026-06-07", "{}", how.sentence());
            assert_eq!(*days_reused, 47, "{}", how.sentence());
        }
        other => panic!("expected a partial refresh, got {other:?}"),
    }
}
