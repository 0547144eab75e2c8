//! CSV users with zone-less local signup times and JSON-lines events with UTC `Z` times (and
//! fractions of a second) and one with a UTC offset, in a workspace in America/New_York with
//! Sunday weeks, across the spring-forward change of 2025-03-09 (02:00 EST → 03:00 EDT).
//! Every value below is computed by hand from this table (local = New York time):
//!
//! | user | signup (written)          | signup (UTC)          | local week (Sun) |
//! |------|---------------------------|-----------------------|------------------|
//! | u1   | 2025-03-01 09:00:00       | 03-01 14:00Z          | Feb 23           |
//! | u2   | 2025-03-08 23:30:00       | 03-09 04:30Z          | Mar 2            |
//! | u3   | 2025-03-09 02:30:00 (gap) | 03-09 07:30Z (03:30)  | Mar 9            |
//! | u4   | 2025-03-10 12:00:00.123456| 03-10 16:00:00.123456Z| Mar 9            |
//!
//! | event | user | time (UTC)                  | local            | name               | amount | score |
//! |-------|------|-----------------------------|------------------|--------------------|--------|-------|
//! | e1    | u1   | 03-01T15:00:00.000001Z      | Sat Mar 1 10:00  | workflow_completed | 10.5   | 9     |
//! | e2    | u1   | 03-09T06:59:59.999999Z      | Sun Mar 9 01:59  | login              |        |       |
//! | e3    | u2   | 03-09T03:00:00-04:00 (07:00Z)| Sun Mar 9 03:00 | workflow_completed | 5      | 3     |
//! | e4    | u3   | 03-16T12:00:00.5Z           | Sun Mar 16 08:00 | login              |        |       |
//! | e5    | u4   | 03-10T17:00:00Z             | Mon Mar 10 13:00 | workflow_completed | 2      | 10    |
//! | e6    | u4   | 04-02T12:00:00Z             | Wed Apr 2 08:00  | login              |        |       |
//!
//! The data ends on Wednesday April 2: the week of March 30 and the month of April are
//! partial, whatever the metric.

mod common;

use std::path::Path;

use throughline_engine::{Engine, EngineError, MetricValue, Request};
use throughline_model::Grain;

const USERS: &str = "uid,signed_up,plan
u1,2025-03-01 09:00:00,free
u2,2025-03-08 23:30:00,pro
u3,2025-03-09 02:30:00,free
u4,2025-03-10 12:00:00.123456,pro
";

const EVENTS: &str = r#"{"uid":"u1","at":"2025-03-01T15:00:00.000001Z","name":"workflow_completed","amount":10.5,"score":9}
{"uid":"u1","at":"2025-03-09T06:59:59.999999Z","name":"login","amount":null,"score":null}
{"uid":"u2","at":"2025-03-09T03:00:00-04:00","name":"workflow_completed","amount":5,"score":3}
{"uid":"u3","at":"2025-03-16T12:00:00.5Z","name":"login","amount":null,"score":null}
{"uid":"u4","at":"2025-03-10T17:00:00Z","name":"workflow_completed","amount":2,"score":10}
{"uid":"u4","at":"2025-04-02T12:00:00Z","name":"login","amount":null,"score":null}
"#;

const SETTINGS: &str = "workspace: TZ
timezone: America/New_York
week_starts: sunday
sources:
  events:
    format: jsonl
    path: events.jsonl
    columns: { user: uid, time: at, name: name }
  users:
    format: csv
    path: users.csv
    columns: { user: uid, time: signed_up }
    dimensions: [plan]
";

const METRICS: &str = "metrics:
  - { id: logins, compute: { type: count, event: login } }
  - { id: actives, compute: { type: unique } }
  - { id: revenue, unit: currency:USD, compute: { type: sum, event: workflow_completed, property: amount } }
  - { id: order_value, unit: currency:USD, compute: { type: average, event: workflow_completed, property: amount } }
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: workflow_completed, within: 7d } }
  - { id: ttv, unit: duration, compute: { type: duration, from: signup, to: workflow_completed, stat: median, within: 7d } }
  - { id: ret, unit: percent, compute: { type: retention, from: signup, return: login, every: week, horizon: 1 } }
  - { id: churn, unit: percent, compute: { type: churn, every: month } }
  - { id: sticky, unit: percent, compute: { type: stickiness } }
  - { id: nps, unit: score, compute: { type: nps, event: workflow_completed, property: score } }
  - { id: revenue_per_active, unit: ratio, compute: { type: ratio, numerator: revenue, denominator: actives } }
  - { id: double_revenue, unit: currency:USD, compute: { type: derived, expr: revenue * 2 } }
  - { id: sql_logins, compute: { type: sql, query: \"SELECT date_trunc('week', ts) AS period, count(*) AS value FROM events WHERE event = 'login' GROUP BY 1\" } }
";

async fn engine(dir: &Path, users: &str, events: &str) -> Result<Engine, EngineError> {
    let files = [("users.csv", users), ("events.jsonl", events)];
    common::open(dir, &files, SETTINGS, METRICS).await
}

/// (local start date, value rounded to 1e-6, complete)
fn rows(values: &[MetricValue]) -> Vec<(String, Option<f64>, bool)> {
    values
        .iter()
        .map(|v| {
            (
                v.start.date_naive().to_string(),
                v.value.map(|x| (x * 1e6).round() / 1e6),
                v.complete,
            )
        })
        .collect()
}

async fn measure(e: &Engine, metric: &str, grain: Grain) -> Vec<(String, Option<f64>, bool)> {
    let req = Request {
        metrics: vec![metric.into()],
        grain: Some(grain),
        ..Request::default()
    };
    rows(
        &e.measure(&req)
            .await
            .unwrap_or_else(|err| panic!("{metric}: {}", err.message)),
    )
}

fn r(day: &str, v: f64, complete: bool) -> (String, Option<f64>, bool) {
    (day.to_string(), Some(v), complete)
}

#[tokio::test]
async fn every_metric_type_reads_text_times_across_the_clock_change() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path(), USERS, EVENTS).await.expect("opens");
    let w = Grain::Week;
    // weeks from Sun Feb 23 to Sun Mar 30 (the data's last week, partial)
    assert_eq!(
        measure(&e, "logins", w).await,
        [
            r("2025-02-23", 0.0, true),
            r("2025-03-02", 0.0, true),
            r("2025-03-09", 1.0, true), // e2: 01:59:59 EST, still Sunday
            r("2025-03-16", 1.0, true),
            r("2025-03-23", 0.0, true),
            r("2025-03-30", 1.0, false),
        ]
    );
    assert_eq!(
        measure(&e, "actives", w).await,
        [
            r("2025-02-23", 1.0, true),
            r("2025-03-02", 0.0, true),
            r("2025-03-09", 3.0, true), // u1, u2, u4
            r("2025-03-16", 1.0, true),
            r("2025-03-23", 0.0, true),
            r("2025-03-30", 1.0, false),
        ]
    );
    let revenue = measure(&e, "revenue", w).await;
    assert_eq!(revenue[0], r("2025-02-23", 10.5, true));
    assert_eq!(revenue[2], r("2025-03-09", 7.0, true));
    assert_eq!(revenue.last().unwrap(), &r("2025-03-30", 0.0, false));
    assert_eq!(
        measure(&e, "order_value", w).await,
        [r("2025-02-23", 10.5, true), r("2025-03-09", 3.5, true)]
    );
    // cohorts by signup week; u3 signed up in the skipped hour (read as 03:30 EDT)
    assert_eq!(
        measure(&e, "activation", w).await,
        [
            r("2025-02-23", 100.0, true),
            r("2025-03-02", 100.0, true),
            r("2025-03-09", 50.0, true), // u4 yes, u3 no
        ]
    );
    assert_eq!(
        measure(&e, "ttv", w).await,
        [
            r("2025-02-23", 3600.000001, true), // the microsecond is kept
            r("2025-03-02", 9000.0, true),      // 04:30Z → 07:00Z
            r("2025-03-09", 3599.876544, true), // 16:00:00.123456Z → 17:00Z
        ]
    );
    assert_eq!(
        measure(&e, "ret", w).await,
        [
            r("2025-02-23", 100.0, true), // u1 returns 7 days 17 hours after signup
            r("2025-03-02", 0.0, true),
            r("2025-03-09", 50.0, true), // u3 in week 1; u4 only in week 3
        ]
    );
    // March: u1, u2, u3, u4 active; April (partial): u4
    assert_eq!(
        measure(&e, "churn", w).await,
        [r("2025-04-01", 75.0, false)]
    );
    assert_eq!(
        measure(&e, "nps", w).await,
        [r("2025-02-23", 100.0, true), r("2025-03-09", 0.0, true)]
    );
    // week of Mar 9: daily actives 2 (Sun) + 1 (Mon) over 7 days, of 3 weekly actives
    let sticky = measure(&e, "sticky", w).await;
    assert_eq!(sticky[1], r("2025-03-09", 14.285714, true)); // 100 × 3 / 7 / 3
    assert!(!sticky.last().unwrap().2);
    let ratio = measure(&e, "revenue_per_active", w).await;
    assert_eq!(ratio[2], r("2025-03-09", 2.333333, true)); // 7 / 3
    assert_eq!(ratio.last().unwrap(), &r("2025-03-30", 0.0, false));
    let derived = measure(&e, "double_revenue", w).await;
    assert_eq!(derived[0], r("2025-02-23", 21.0, true));
    assert!(!derived.last().unwrap().2);
    let sql = measure(&e, "sql_logins", w).await;
    assert_eq!(sql.last().unwrap(), &r("2025-03-30", 1.0, false));
    // months: March complete, April partial
    assert_eq!(
        measure(&e, "logins", Grain::Month).await,
        [r("2025-03-01", 2.0, true), r("2025-04-01", 1.0, false)]
    );
    assert_eq!(
        measure(&e, "actives", Grain::Month).await,
        [r("2025-03-01", 4.0, true), r("2025-04-01", 1.0, false)]
    );
}

#[tokio::test]
async fn the_first_time_that_cannot_be_read_is_named_with_its_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let bad_users = USERS.replace("2025-03-08 23:30:00", "2025-13-45 10:00");
    let err = engine(tmp.path(), &bad_users, EVENTS)
        .await
        .err()
        .expect("refused")
        .message;
    assert!(err.contains("source `users`: 1 row(s)"), "{err}");
    assert!(err.contains("users.csv:3:4: `2025-13-45 10:00`"), "{err}");
    let bad_events = EVENTS.replace("2025-03-16T12:00:00.5Z", "yesterday");
    let err = engine(tmp.path(), USERS, &bad_events)
        .await
        .err()
        .expect("refused")
        .message;
    assert!(err.contains("source `events`: 1 row(s)"), "{err}");
    assert!(err.contains("events.jsonl:4:18: `yesterday`"), "{err}");
    assert!(!err.contains("Arrow"), "{err}");
}

/// A purchase at Saturday 02:30 local, the day before the spring-forward Sunday: shifting its
/// local time a day to find its Sunday week lands in the skipped hour (Sunday 02:30 does not
/// exist), which once failed every weekly metric with "Timestamp out of range".
#[tokio::test]
async fn an_event_a_day_before_the_clock_change_at_the_skipped_hour_counts() {
    let tmp = tempfile::tempdir().unwrap();
    // 2025-03-08 02:30 EST = 07:30Z; 2025-03-09 is the spring-forward Sunday
    let events = r#"{"uid":"u1","at":"2025-03-08T07:30:00Z","name":"workflow_completed","amount":4,"score":9}
{"uid":"u2","at":"2025-03-09T15:00:00Z","name":"workflow_completed","amount":6,"score":7}
"#;
    let e = engine(tmp.path(), USERS, events).await.expect("opens");
    // Saturday Mar 8 is in the week of Sunday Mar 2; Sunday Mar 9 starts the next week
    assert_eq!(
        measure(&e, "revenue", Grain::Week).await,
        [r("2025-03-02", 4.0, true), r("2025-03-09", 6.0, false)]
    );
}
