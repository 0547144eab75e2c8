//! Cohort, activity and escape-hatch metrics against values computed by hand on a small
//! fixture (UTC, weeks start on Monday: Feb 24 | Mar 3 | Mar 10 | Mar 17, 2025). The data ends
//! on Sunday Mar 23, so it covers whole days through Mar 24 00:00.
//!
//! Users: a (signup Mon Mar 3 10:00, pro), b (Tue Mar 4 09:00, free), c (Sun Mar 9 23:00,
//! free), d (Mon Mar 10 00:00 — exactly a week start, pro), e (Tue Mar 11, pro, no events),
//! f (Thu Mar 20 12:00, free). g has events but no row in users.

mod common;

use std::path::Path;

use chrono::NaiveDate;

use throughline_engine::{Engine, MetricValue, Request};
use throughline_model::{Grain, Loader};

const USERS: &str = "user_id,created_at,plan
a,2025-03-03T10:00:00,pro
b,2025-03-04T09:00:00,free
c,2025-03-09T23:00:00,free
d,2025-03-10T00:00:00,pro
e,2025-03-11T12:00:00,pro
f,2025-03-20T12:00:00,free
";

const EVENTS: &str = "user_id,ts,event,score,channel
g,2025-03-01T09:00:00,session,,
a,2025-03-03T11:00:00,session,,web
b,2025-03-04T08:00:00,workflow,,web
a,2025-03-05T09:00:00,nps,10,
b,2025-03-05T09:30:00,nps,9,
c,2025-03-06T12:00:00,nps,3,
c,2025-03-09T22:00:00,session,,app
a,2025-03-10T10:00:00,workflow,,web
a,2025-03-10T10:00:00,session,,web
c,2025-03-10T01:00:00,workflow,,app
c,2025-03-10T01:00:00,workflow,,app
d,2025-03-10T00:00:00,session,,app
d,2025-03-10T05:00:00,session,,app
b,2025-03-11T09:00:01,workflow,,web
b,2025-03-12T15:00:00,session,,web
d,2025-03-12T00:00:00,workflow,,web
d,2025-03-14T10:00:00,nps,7,
a,2025-03-13T10:00:00,nps,6,
b,2025-03-13T11:00:00,nps,,
a,2025-03-18T10:00:00,session,,web
f,2025-03-21T12:00:00,workflow,,web
f,2025-03-22T10:00:00,nps,8,
f,2025-03-23T10:00:00,session,,app
";

const METRICS: &str = r#"metrics:
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: workflow, within: 7d } }
  - { id: session_to_workflow, compute: { type: conversion, from: session, to: workflow, within: 1d } }
  - { id: ttv_median, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: median } }
  - { id: ttv_mean, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: mean } }
  - { id: ttv_p90, unit: duration, compute: { type: duration, from: signup, to: workflow, stat: p90 } }
  - { id: ttv_week, unit: duration, compute: { type: duration, from: signup, to: workflow, within: 7d } }
  - { id: session_to_workflow_time, unit: duration, compute: { type: duration, from: session, to: workflow, within: 1d } }
  - { id: retention_w1, compute: { type: retention, from: signup, return: session, every: week, horizon: 1 } }
  - { id: churn, compute: { type: churn, every: week } }
  - { id: stickiness, compute: { type: stickiness } }
  - { id: active, compute: { type: unique } }
  - { id: workflow_users, compute: { type: unique, event: workflow } }
  - { id: nps, unit: score, compute: { type: nps, event: nps, property: score } }
  - { id: web_sessions, compute: { type: count, event: session, where: "channel = 'web'" } }
  - { id: app_users, compute: { type: unique, where: "channel in ('app')" } }
  - { id: churn_index, compute: { type: derived, expr: "churn * 2 + 1" } }
  - id: nps_responses
    compute:
      type: sql
      query: "SELECT date_trunc('week', ts) AS period, count(*) AS value FROM events WHERE event = 'nps' GROUP BY 1"
"#;

async fn engine(dir: &Path) -> Engine {
    let files = [("events.csv", EVENTS), ("users.csv", USERS)];
    common::open(dir, &files, common::CSV_SETTINGS, METRICS)
        .await
        .expect("opens")
}

async fn weekly(e: &Engine, metric: &str, by: Option<&str>) -> Vec<MetricValue> {
    e.measure(&Request {
        metrics: vec![metric.into()],
        grain: Some(Grain::Week),
        by: by.map(String::from),
        ..Request::default()
    })
    .await
    .unwrap_or_else(|err| panic!("{metric}: {err:?}"))
}

type Row = (String, String, Option<f64>, Option<f64>, Option<f64>, bool);

/// (week start, segment, value, numerator, denominator, complete), rounded to 4 places.
fn rows(values: &[MetricValue]) -> Vec<Row> {
    let r = |x: Option<f64>| x.map(|x| (x * 1e4).round() / 1e4);
    values
        .iter()
        .map(|v| {
            (
                v.start.date_naive().format("%m-%d").to_string(),
                v.segment.values().next().cloned().unwrap_or_default(),
                r(v.value),
                r(v.numerator),
                r(v.denominator),
                v.complete,
            )
        })
        .collect()
}

fn row(week: &str, seg: &str, v: f64, n: Option<f64>, d: Option<f64>, complete: bool) -> Row {
    (week.into(), seg.into(), Some(v), n, d, complete)
}

#[tokio::test]
async fn conversion_windows_cohorts_and_maturity() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    // Mar 3 cohort a, b, c: a's workflow is exactly 7d after signup (in), b's first is before
    // signup and the next 7d + 1s after (out), c converts twice within 2h (counted once).
    // Mar 10: d converts, e has no events. Mar 17: f converts but the window runs past the
    // data, so the cohort is immature. Nobody signed up in the week of Feb 24: no value.
    assert_eq!(
        rows(&weekly(&e, "activation", None).await),
        vec![
            row("03-03", "", 66.6667, Some(2.0), Some(3.0), true),
            row("03-10", "", 50.0, Some(1.0), Some(2.0), true),
            row("03-17", "", 100.0, Some(1.0), Some(1.0), false),
        ]
    );
    assert_eq!(
        rows(&weekly(&e, "activation", Some("plan")).await),
        vec![
            row("03-03", "free", 50.0, Some(1.0), Some(2.0), true),
            row("03-03", "pro", 100.0, Some(1.0), Some(1.0), true),
            row("03-10", "pro", 50.0, Some(1.0), Some(2.0), true),
            row("03-17", "free", 100.0, Some(1.0), Some(1.0), false),
        ]
    );
    // from an event: each user's first session. g (Mar 1) never converts; c converts in 3h;
    // a's and d's workflows come later than a day; f's window ends after the data.
    assert_eq!(
        rows(&weekly(&e, "session_to_workflow", None).await),
        vec![
            row("02-24", "", 0.0, Some(0.0), Some(1.0), true),
            row("03-03", "", 50.0, Some(1.0), Some(2.0), true),
            row("03-10", "", 0.0, Some(0.0), Some(2.0), true),
            row("03-17", "", 0.0, Some(0.0), Some(1.0), false),
        ]
    );
}

#[tokio::test]
async fn durations_exclude_users_who_never_arrive() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    // seconds to the first workflow at or after signup: a 604800, b 604801, c 7200 | d 172800
    // (e never: excluded, counted in the denominator) | f 86400
    // (the default window, 30 days, has passed for no cohort: none is final)
    let median = rows(&weekly(&e, "ttv_median", None).await);
    assert_eq!(
        median,
        vec![
            row("03-03", "", 604800.0, Some(3.0), Some(3.0), false),
            row("03-10", "", 172800.0, Some(1.0), Some(2.0), false),
            row("03-17", "", 86400.0, Some(1.0), Some(1.0), false),
        ]
    );
    // within 7d: b (7d + 1s) has not arrived; the Mar 3 and Mar 10 cohorts' windows end by the
    // data's end (Mar 24 00:00), the Mar 17 cohort's does not: only the users who arrived
    // fast are in it yet, so its median is not final
    assert_eq!(
        rows(&weekly(&e, "ttv_week", None).await),
        vec![
            row("03-03", "", 306000.0, Some(2.0), Some(3.0), true),
            row("03-10", "", 172800.0, Some(1.0), Some(2.0), true),
            row("03-17", "", 86400.0, Some(1.0), Some(1.0), false),
        ]
    );
    // from an event: each user's first session (as session_to_workflow above): g never
    // arrives, c in 3 h (10800 s), a, b and d later than a day or never, f's window ends
    // after the data; a cohort where nobody arrived has no duration, and says how many
    let none = |week: &str, n: f64, complete: bool| {
        (
            week.to_string(),
            String::new(),
            None,
            Some(0.0),
            Some(n),
            complete,
        )
    };
    assert_eq!(
        rows(&weekly(&e, "session_to_workflow_time", None).await),
        vec![
            none("02-24", 1.0, true),
            row("03-03", "", 10800.0, Some(1.0), Some(2.0), true),
            none("03-10", 2.0, true),
            none("03-17", 1.0, false),
        ]
    );
    let mean = rows(&weekly(&e, "ttv_mean", None).await);
    assert_eq!(mean[0].2, Some(405600.3333));
    // p90, interpolated: sorted [7200, 604800, 604801], position 0.9 × 2 = 1.8
    let p90 = rows(&weekly(&e, "ttv_p90", None).await);
    assert_eq!(p90[0].2, Some(604800.8));
    // an even count: the median is the mean of the two middle values
    let by_plan = rows(&weekly(&e, "ttv_median", Some("plan")).await);
    assert_eq!(
        by_plan[0],
        row("03-03", "free", 306000.5, Some(2.0), Some(2.0), false)
    );
}

#[tokio::test]
async fn retention_curves_from_each_users_own_start() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    let got = weekly(&e, "retention_w1", None).await;
    // Mar 3 cohort (a, b, c): step 0 only a (c's session is before signup); step 1 a (exactly
    // 7d after) and b. a's Mar 18 session is step 2, past the horizon. Mar 10 (d, e): d in
    // step 0. The last two cohorts' two weeks run past the data: immature.
    assert_eq!(
        rows(&got),
        vec![
            row("03-03", "", 66.6667, Some(2.0), Some(3.0), true),
            row("03-10", "", 0.0, Some(0.0), Some(2.0), false),
            row("03-17", "", 0.0, Some(0.0), Some(1.0), false),
        ]
    );
    let curve = |v: &MetricValue| {
        v.curve
            .iter()
            .map(|x| (x * 1e4).round() / 1e4)
            .collect::<Vec<_>>()
    };
    assert_eq!(curve(&got[0]), [33.3333, 66.6667]);
    assert_eq!(curve(&got[1]), [50.0, 0.0]);
    assert_eq!(curve(&got[2]), [100.0, 0.0]);
}

#[tokio::test]
async fn activity_metrics_churn_stickiness_nps() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    // active by week: Feb 24 {g} | Mar 3 {a, b, c} | Mar 10 {a, b, c, d} | Mar 17 {a, f}
    assert_eq!(
        rows(&weekly(&e, "churn", None).await),
        vec![
            row("03-03", "", 100.0, Some(1.0), Some(1.0), true),
            row("03-10", "", 0.0, Some(0.0), Some(3.0), true),
            row("03-17", "", 75.0, Some(3.0), Some(4.0), true),
        ]
    );
    // mean daily actives ÷ weekly actives; the week of Feb 24 has data on 2 of its days
    // (Mar 1 and 2): 1/2/1; Mar 3: (1+1+2+1+1)/7/3; Mar 10: (3+1+2+2+1)/7/4; Mar 17: 4/7/2
    assert_eq!(
        rows(&weekly(&e, "stickiness", None).await),
        vec![
            row("02-24", "", 50.0, Some(1.0), Some(1.0), true),
            row("03-03", "", 28.5714, Some(6.0), Some(3.0), true),
            row("03-10", "", 32.1429, Some(9.0), Some(4.0), true),
            row("03-17", "", 28.5714, Some(4.0), Some(2.0), true),
        ]
    );
    // scores 10, 9, 3 | 7, 6 and a blank (not a response) | 8
    assert_eq!(
        rows(&weekly(&e, "nps", None).await),
        vec![
            row("03-03", "", 33.3333, Some(1.0), Some(3.0), true),
            row("03-10", "", -50.0, Some(-1.0), Some(2.0), true),
            row("03-17", "", 0.0, Some(0.0), Some(1.0), true),
        ]
    );
}

#[tokio::test]
async fn filters_derived_and_sql() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    let values = |v: Vec<MetricValue>| v.iter().map(|v| v.value).collect::<Vec<_>>();
    assert_eq!(
        values(weekly(&e, "web_sessions", None).await),
        [Some(0.0), Some(1.0), Some(2.0), Some(1.0)]
    );
    assert_eq!(
        values(weekly(&e, "app_users", None).await),
        [Some(0.0), Some(1.0), Some(2.0), Some(1.0)]
    );
    assert_eq!(
        values(weekly(&e, "churn_index", None).await),
        [Some(201.0), Some(1.0), Some(151.0)]
    );
    let sql = weekly(&e, "nps_responses", None).await;
    assert_eq!(
        rows(&sql)
            .into_iter()
            .map(|r| (r.0, r.2))
            .collect::<Vec<_>>(),
        [
            ("03-03".to_string(), Some(3.0)),
            ("03-10".to_string(), Some(3.0)),
            ("03-17".to_string(), Some(1.0))
        ]
    );
}

/// Measured together, churn, stickiness and active users read one roll-up of users' active
/// weeks (two readers or more of a grain); alone, or for a range that may cut a week short,
/// each reads the daily roll-up. Both give the hand counts.
#[tokio::test]
async fn active_weeks_rolled_up_once_give_the_hand_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    let pick = |all: &[MetricValue], id: &str| -> Vec<Row> {
        rows(
            &all.iter()
                .filter(|v| v.metric == id)
                .cloned()
                .collect::<Vec<_>>(),
        )
    };
    for (from, to) in [(None, None), (NaiveDate::from_ymd_opt(2025, 2, 24), None)] {
        let all = e
            .measure(&Request {
                grain: Some(Grain::Week),
                from,
                to,
                ..Request::default()
            })
            .await
            .unwrap();
        // active by week: Feb 24 {g} | Mar 3 {a, b, c} | Mar 10 {a, b, c, d} | Mar 17 {a, f}
        let none = |w: &str, v: f64| row(w, "", v, None, None, true);
        assert_eq!(
            pick(&all, "active"),
            vec![
                none("02-24", 1.0),
                none("03-03", 3.0),
                none("03-10", 4.0),
                none("03-17", 2.0)
            ]
        );
        // workflow: b (Mar 4) | a, c, b, d | f
        assert_eq!(
            pick(&all, "workflow_users"),
            vec![
                none("02-24", 0.0),
                none("03-03", 1.0),
                none("03-10", 4.0),
                none("03-17", 1.0)
            ]
        );
        assert_eq!(
            pick(&all, "churn"),
            vec![
                row("03-03", "", 100.0, Some(1.0), Some(1.0), true),
                row("03-10", "", 0.0, Some(0.0), Some(3.0), true),
                row("03-17", "", 75.0, Some(3.0), Some(4.0), true),
            ]
        );
        assert_eq!(
            pick(&all, "stickiness"),
            vec![
                row("02-24", "", 50.0, Some(1.0), Some(1.0), true),
                row("03-03", "", 28.5714, Some(6.0), Some(3.0), true),
                row("03-10", "", 32.1429, Some(9.0), Some(4.0), true),
                row("03-17", "", 28.5714, Some(4.0), Some(2.0), true),
            ]
        );
    }
}

#[tokio::test]
async fn many_metrics_in_one_request_match_one_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    let all = e
        .measure(&Request {
            grain: Some(Grain::Week),
            by: Some("plan".into()),
            ..Request::default()
        })
        .await
        .unwrap();
    // the sql metric's query has no `plan` column: left out of the all-metrics request
    assert!(all.iter().all(|v| v.metric != "nps_responses"));
    for id in [
        "activation",
        "churn",
        "stickiness",
        "active",
        "workflow_users",
        "nps",
        "web_sessions",
        "ttv_p90",
    ] {
        let alone = weekly(&e, id, Some("plan")).await;
        let together: Vec<MetricValue> = all.iter().filter(|v| v.metric == id).cloned().collect();
        assert_eq!(together, alone, "{id}");
    }
}

#[tokio::test]
async fn unreadable_times_are_counted_and_shown_not_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("events.csv"),
        "user_id,ts,event\na,2025-03-03T10:00:00,session\nb,yesterday,session\nc,2025-13-45,session\n",
    )
    .unwrap();
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        &dir.join("throughline.yaml"),
        "workspace: T\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n".into(),
    );
    let loaded = loader.finish();
    let err = Engine::open(&loaded.workspace, dir)
        .await
        .err()
        .expect("unreadable times are an error");
    assert!(err.message.contains("2 row(s)"), "{}", err.message);
    assert!(err.message.contains("`yesterday`"), "{}", err.message);
    assert!(err.message.contains("`2025-13-45`"), "{}", err.message);
    assert!(err.span.is_some(), "points at the `time:` mapping");
}

#[tokio::test]
async fn bad_metric_definitions_say_what_to_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path()).await;
    let dir = tmp.path();
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        &dir.join("throughline.yaml"),
        "workspace: T\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n".into(),
    );
    loader.add_yaml(
        "metrics.yaml",
        &dir.join("metrics.yaml"),
        r#"metrics:
  - { id: drop, compute: { type: sql, query: "DROP TABLE events" } }
  - { id: typo, compute: { type: count, event: session, where: "chanel = 'web'" } }
  - { id: cohort, compute: { type: conversion, from: signup, to: workflow, within: 7d } }
"#
        .into(),
    );
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let bare = Engine::open(&loaded.workspace, dir).await.unwrap();
    let one = |id: &str| Request {
        metrics: vec![id.into()],
        ..Request::default()
    };
    let err = bare.measure(&one("drop")).await.unwrap_err();
    assert!(err.message.contains("does not plan"), "{}", err.message);
    let err = bare.measure(&one("typo")).await.unwrap_err();
    assert!(err.help.contains("did you mean `channel`"), "{}", err.help);
    let err = bare.measure(&one("cohort")).await.unwrap_err();
    assert!(err.message.contains("users source"), "{}", err.message);
    // the events are intact after the refused DROP
    assert!(!weekly(&e, "web_sessions", None).await.is_empty());
}

/// `from: signup` is the users source's time; an event that is called `signup` (a confirmed
/// address, say, days later) is `from: { event: signup }`, and names with spaces are written
/// as the data has them. By hand: a's users row is Mar 3 and its `signup` event Mar 12, a
/// `Workflow Run` on Mar 13; b's row and event are both Mar 10, its workflow Mar 20.
#[tokio::test]
async fn an_event_called_signup_is_not_the_users_signup() {
    let tmp = tempfile::tempdir().unwrap();
    let users = "user_id,created_at,plan\na,2025-03-03T10:00:00,pro\nb,2025-03-10T09:00:00,free\n";
    let events = "user_id,ts,event,score,channel\na,2025-03-12T10:00:00,signup,,\na,2025-03-13T10:00:00,Workflow Run,,\nb,2025-03-10T09:00:00,signup,,\nb,2025-03-20T10:00:00,Workflow Run,,\n";
    let metrics = r#"metrics:
  - { id: from_users, unit: percent, compute: { type: conversion, from: signup, to: Workflow Run, within: 7d } }
  - { id: from_event, unit: percent, compute: { type: conversion, from: { event: signup }, to: "Workflow Run", within: 7d } }
  - { id: signup_events, compute: { type: count, event: { event: signup } } }
"#;
    let e = common::open(
        tmp.path(),
        &[("events.csv", events), ("users.csv", users)],
        common::CSV_SETTINGS,
        metrics,
    )
    .await
    .expect("opens");
    let values = |v: Vec<MetricValue>| -> Vec<(String, Option<f64>, Option<f64>)> {
        v.iter()
            .map(|v| {
                (
                    v.start.date_naive().format("%m-%d").to_string(),
                    v.numerator,
                    v.denominator,
                )
            })
            .collect()
    };
    // from the users' rows: b (Mar 10) converts 10 days later, too late (a's Mar 3 is before
    // the data's first day, so its week is not measured)
    assert_eq!(
        values(weekly(&e, "from_users", None).await),
        vec![("03-10".into(), Some(0.0), Some(1.0))]
    );
    // from the event: both start in the week of Mar 10; a converts a day later, b does not
    assert_eq!(
        values(weekly(&e, "from_event", None).await),
        vec![("03-10".into(), Some(1.0), Some(2.0))]
    );
    let counts: Vec<(String, Option<f64>)> = weekly(&e, "signup_events", None)
        .await
        .iter()
        .map(|v| (v.start.date_naive().format("%m-%d").to_string(), v.value))
        .filter(|(_, v)| *v != Some(0.0))
        .collect();
    assert_eq!(counts, vec![("03-10".into(), Some(2.0))]);
}
