//! Metric values against numbers computed by hand on a small fixture (see the table in each
//! test). Times are local to Europe/Berlin (UTC+1 in March before the 30th).

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use throughline_engine::{Engine, MetricValue, Request};
use throughline_model::{Grain, Loader};

const USERS: &str = "user_id,created_at,plan
u1,2025-03-01T10:00:00,free
u2,2025-03-02T12:00:00,pro
u3,2025-03-05T08:00:00,pro
";

// u4 has events but no row in users. u2 bought twice at the same second (a duplicate event:
// counted twice). u1's 23:30 Sunday purchase is Monday 00:30 if misread as UTC.
const EVENTS: &str = "user_id,ts,event,amount
u1,2025-03-01T10:05:00,signup,
u1,2025-03-02T23:30:00,purchase,5
u1,2025-03-03T00:00:00,purchase,10
u2,2025-03-04T09:00:00,purchase,20
u2,2025-03-04T09:00:00,purchase,20
u3,2025-03-10T01:00:00,purchase,7
u4,2025-03-10T02:00:00,purchase,3
u2,2025-03-10T02:00:00,session,
u3,2025-03-16T22:30:00,session,
";

const METRICS: &str = "metrics:
  - { id: purchases, compute: { type: count, event: purchase } }
  - { id: buyers, compute: { type: unique, event: purchase } }
  - { id: active, compute: { type: unique } }
  - { id: revenue, compute: { type: sum, event: purchase, property: amount } }
  - { id: aov, compute: { type: average, event: purchase, property: amount } }
  - { id: arpu, unit: ratio, compute: { type: ratio, numerator: revenue, denominator: active } }
  - { id: buyer_share, unit: percent, compute: { type: ratio, numerator: buyers, denominator: active } }
";

fn settings(week_starts: &str) -> String {
    format!(
        "workspace: T\ntimezone: Europe/Berlin\nweek_starts: {week_starts}\nsources:\n  events: {{ format: csv, path: events.csv, columns: {{ user: user_id, time: ts, name: event }} }}\n  users: {{ format: csv, path: users.csv, columns: {{ user: user_id, time: created_at }}, dimensions: [plan] }}\n"
    )
}

async fn engine(dir: &Path, week_starts: &str) -> Engine {
    let files = [("events.csv", EVENTS), ("users.csv", USERS)];
    common::open(dir, &files, &settings(week_starts), METRICS)
        .await
        .expect("opens")
}

fn req(metric: &str, grain: Grain) -> Request {
    Request {
        metrics: vec![metric.into()],
        grain: Some(grain),
        ..Request::default()
    }
}

/// (local start date, segment value or "", value)
fn rows(values: &[MetricValue]) -> Vec<(String, String, Option<f64>)> {
    values
        .iter()
        .map(|v| {
            (
                v.start.date_naive().to_string(),
                v.segment.values().next().cloned().unwrap_or_default(),
                v.value.map(|x| (x * 1e4).round() / 1e4),
            )
        })
        .collect()
}

fn expect(pairs: &[(&str, &str, f64)]) -> Vec<(String, String, Option<f64>)> {
    pairs
        .iter()
        .map(|(d, s, v)| (d.to_string(), s.to_string(), Some(*v)))
        .collect()
}

#[tokio::test]
async fn event_metrics_by_week() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path(), "monday").await;
    // weeks (Monday starts): Feb 24 | Mar 3 | Mar 10
    let cases: &[(&str, [f64; 3])] = &[
        ("purchases", [1.0, 3.0, 2.0]),
        ("buyers", [1.0, 2.0, 2.0]),
        ("active", [1.0, 2.0, 3.0]),
        ("revenue", [5.0, 50.0, 10.0]),
        ("aov", [5.0, 16.6667, 5.0]),
        ("arpu", [5.0, 25.0, 3.3333]),
        ("buyer_share", [100.0, 100.0, 66.6667]),
    ];
    for (metric, want) in cases {
        let got = e.measure(&req(metric, Grain::Week)).await.unwrap();
        let want = expect(&[
            ("2025-02-24", "", want[0]),
            ("2025-03-03", "", want[1]),
            ("2025-03-10", "", want[2]),
        ]);
        assert_eq!(rows(&got), want, "{metric}");
        assert!(
            got.iter().all(|v| v.complete),
            "{metric}: data runs through Sunday Mar 16, so every week is complete"
        );
        assert_eq!(got[1].end.date_naive().to_string(), "2025-03-10");
        assert_eq!(got[1].start.to_rfc3339(), "2025-03-03T00:00:00+01:00");
    }
    let arpu = e.measure(&req("arpu", Grain::Week)).await.unwrap();
    assert_eq!(
        (arpu[1].numerator, arpu[1].denominator),
        (Some(50.0), Some(2.0))
    );
}

#[tokio::test]
async fn by_a_dimension_with_empty_periods_and_unknown_users() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path(), "monday").await;
    let got = e
        .measure(&Request {
            by: Some("plan".into()),
            ..req("purchases", Grain::Week)
        })
        .await
        .unwrap();
    assert_eq!(
        rows(&got),
        expect(&[
            ("2025-02-24", "(none)", 0.0),
            ("2025-02-24", "free", 1.0),
            ("2025-02-24", "pro", 0.0),
            ("2025-03-03", "(none)", 0.0),
            ("2025-03-03", "free", 1.0),
            ("2025-03-03", "pro", 2.0),
            ("2025-03-10", "(none)", 1.0),
            ("2025-03-10", "free", 0.0),
            ("2025-03-10", "pro", 1.0),
        ])
    );
    assert_eq!(
        got[0].segment,
        BTreeMap::from([("plan".to_string(), "(none)".to_string())])
    );
    // an average has no value in a period without rows
    let aov = e
        .measure(&Request {
            by: Some("plan".into()),
            ..req("aov", Grain::Week)
        })
        .await
        .unwrap();
    assert_eq!(
        rows(&aov),
        expect(&[
            ("2025-02-24", "free", 5.0),
            ("2025-03-03", "free", 10.0),
            ("2025-03-03", "pro", 20.0),
            ("2025-03-10", "(none)", 3.0),
            ("2025-03-10", "pro", 7.0)
        ])
    );
}

#[tokio::test]
async fn grains_week_starts_and_ranges() {
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path(), "sunday").await;
    // Sunday weeks: Feb 23 | Mar 2 (holds the 23:30 Sunday purchase) | Mar 9 | Mar 16
    let got = e.measure(&req("purchases", Grain::Week)).await.unwrap();
    assert_eq!(
        rows(&got),
        expect(&[
            ("2025-02-23", "", 0.0),
            ("2025-03-02", "", 4.0),
            ("2025-03-09", "", 2.0),
            ("2025-03-16", "", 0.0)
        ])
    );
    assert_eq!(
        got.iter().map(|v| v.complete).collect::<Vec<_>>(),
        [true, true, true, false]
    );

    let month = e.measure(&req("purchases", Grain::Month)).await.unwrap();
    assert_eq!(rows(&month), expect(&[("2025-03-01", "", 6.0)]));
    assert!(!month[0].complete, "March runs past the data");
    let quarter = e.measure(&req("revenue", Grain::Quarter)).await.unwrap();
    assert_eq!(rows(&quarter), expect(&[("2025-01-01", "", 65.0)]));
    let days = e.measure(&req("purchases", Grain::Day)).await.unwrap();
    assert_eq!(days.len(), 16, "Mar 1 to Mar 16");
    assert_eq!(days.iter().map(|v| v.value.unwrap()).sum::<f64>(), 6.0);
    assert_eq!(
        rows(&days)[1],
        ("2025-03-02".to_string(), String::new(), Some(1.0))
    );

    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let ranged = e
        .measure(&Request {
            from: Some(d("2025-03-03")),
            to: Some(d("2025-03-08")),
            ..req("purchases", Grain::Day)
        })
        .await
        .unwrap();
    assert_eq!(ranged.len(), 6);
    assert_eq!(
        ranged.iter().map(|v| v.value.unwrap()).collect::<Vec<_>>(),
        [1.0, 2.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert!(ranged.iter().all(|v| v.complete));
}

#[tokio::test]
async fn json_lines_with_offsets_are_instants() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // 23:30Z on Sunday is 00:30 on Monday in Berlin; the second has no zone, so it is Berlin time
    std::fs::write(dir.join("e.jsonl"), "{\"u\":\"a\",\"t\":\"2025-03-02T23:30:00Z\",\"n\":\"x\"}\n{\"u\":\"b\",\"t\":\"2025-03-02T23:30:00\",\"n\":\"x\"}\n").unwrap();
    let mut loader = Loader::new();
    loader.add_yaml("throughline.yaml", &dir.join("throughline.yaml"), "workspace: T\ntimezone: Europe/Berlin\nsources:\n  events: { format: jsonl, path: e.jsonl, columns: { user: u, time: t, name: n } }\nmetrics:\n  - { id: x, compute: { type: count, event: x } }\n".into());
    let loaded = loader.finish();
    let e = Engine::open(&loaded.workspace, dir).await.unwrap();
    let got = e.measure(&req("x", Grain::Day)).await.unwrap();
    assert_eq!(
        rows(&got),
        expect(&[("2025-03-02", "", 1.0), ("2025-03-03", "", 1.0)])
    );
}

#[tokio::test]
async fn bad_sources_and_requests_say_what_to_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("events.csv"), EVENTS).unwrap();
    let open = |yaml: String| {
        let mut loader = Loader::new();
        loader.add_yaml("throughline.yaml", &dir.join("throughline.yaml"), yaml);
        let loaded = loader.finish();
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        async move { Engine::open(&loaded.workspace, dir).await }
    };
    let missing =
        open("workspace: T\nsources:\n  events: { format: csv, path: nope.csv }\n".into())
            .await
            .err()
            .unwrap();
    assert!(
        missing.message.contains("does not exist"),
        "{}",
        missing.message
    );
    assert!(missing.span.is_some());
    let column = open("workspace: T\nsources:\n  events: { format: csv, path: events.csv, columns: { user: usr_id, time: ts, name: event } }\n".into()).await.err().unwrap();
    assert_eq!(
        column.message,
        "source `events` has no user column `usr_id`"
    );
    assert!(
        column.help.contains("did you mean `user_id`?"),
        "{}",
        column.help
    );
    let not_time = open("workspace: T\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: amount, name: event } }\n".into()).await.err().unwrap();
    assert!(
        not_time.message.contains("not a time"),
        "{}",
        not_time.message
    );

    let e = engine(dir, "monday").await;
    let unknown = e.measure(&req("purchase", Grain::Week)).await.unwrap_err();
    assert_eq!(unknown.help, "did you mean `purchases`?");
    let dim = e
        .measure(&Request {
            by: Some("country".into()),
            ..req("purchases", Grain::Week)
        })
        .await
        .unwrap_err();
    assert!(dim.help.contains("plan"), "{}", dim.help);
}

/// Events through today: today's day, this week and this month are still running by the wall
/// clock, so none of them is complete, though the data's last day is today (issue: a period
/// whose data ends today was final).
#[tokio::test]
async fn a_period_still_running_by_the_wall_clock_is_never_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let today = chrono::Utc::now().date_naive();
    let day = |d: chrono::NaiveDate| format!("{d}T00:30:00Z");
    let start = today - chrono::Days::new(40);
    let events = format!(
        "user_id,ts,event\nu1,{},login\nu2,{},login\nu1,{},login\n",
        day(start),
        day(today - chrono::Days::new(1)),
        day(today)
    );
    let users = format!(
        "user_id,created_at,plan\nu1,{},free\nu2,{},pro\n",
        day(start),
        day(start)
    );
    let metrics =
        "metrics:\n  - { id: logins, unit: count, compute: { type: count, event: login } }\n";
    let e = common::open(
        tmp.path(),
        &[("events.csv", &events), ("users.csv", &users)],
        common::CSV_SETTINGS,
        metrics,
    )
    .await
    .unwrap();
    for grain in [Grain::Day, Grain::Week, Grain::Month] {
        let got = e.measure(&req("logins", grain)).await.unwrap();
        let last = got.last().unwrap();
        assert!(last.start.date_naive() <= today);
        assert!(
            last.end.date_naive() > today && !last.complete,
            "{grain:?}: the period with today in it is running: {last:?}"
        );
        // the periods before it ended before today began: those are final
        assert!(
            got.iter().rev().skip(1).all(|v| v.complete),
            "{grain:?}: {got:?}"
        );
    }
}

/// `--explain` shows churn's and lifecycle's plans as SQL a database can run: no table that
/// lives only in this process (a measurement lists their periods from the calendar, in
/// memory; the explained plan finds them in the data).
#[tokio::test]
async fn explained_churn_and_lifecycle_are_sql_on_the_sources_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = "metrics:
  - { id: churn, unit: percent, compute: { type: churn, every: week } }
  - { id: flow, compute: { type: lifecycle, every: week } }
";
    let files = [("events.csv", EVENTS), ("users.csv", USERS)];
    let e = common::open(tmp.path(), &files, &settings("monday"), metrics)
        .await
        .expect("opens");
    for id in ["churn", "flow"] {
        let x = e.explain(id, &Request::default()).await.expect("explains");
        assert!(!x.sql.is_empty(), "{id}: no SQL");
        for (label, sql) in &x.sql {
            assert!(!sql.contains("?table?"), "{id}, {label}: {sql}");
        }
    }
}
