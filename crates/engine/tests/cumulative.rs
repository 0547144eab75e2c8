//! `cumulative`: running totals to each period's end, by hand on a small fixture (with a week
//! without events, segments and `--from`), and against a brute-force count over generated
//! events in New York, across both clock changes, at every grain.

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use throughline_engine::{Engine, MetricValue, Request};
use throughline_model::Grain;

const USERS: &str = "user_id,created_at,plan
u1,2026-03-01,pro
u2,2026-03-01,free
u3,2026-03-01,pro
u4,2026-03-01,free
";

// weeks (Monday): 03-02, 03-09, 03-16 (no events), 03-23, 03-30 (the data ends 04-02)
const EVENTS: &str = "user_id,ts,event,amount
u1,2026-03-02T10:00:00Z,purchase,10
u2,2026-03-03T11:00:00Z,login,
u1,2026-03-08T23:00:00Z,purchase,5
u3,2026-03-10T09:00:00Z,purchase,20
u2,2026-03-14T12:00:00Z,purchase,8
u4,2026-03-25T08:00:00Z,login,
u1,2026-03-29T10:00:00Z,purchase,30
u3,2026-04-02T10:00:00Z,login,
";

const METRICS: &str = r#"metrics:
  - { id: purchases_to_date, compute: { type: cumulative, of: count, event: purchase } }
  - { id: revenue_to_date, compute: { type: cumulative, of: sum, event: purchase, property: amount } }
  - { id: users_to_date, compute: { type: cumulative, of: unique } }
  - { id: buyers_to_date, compute: { type: cumulative, of: unique, event: purchase, where: "amount >= 10" } }
  - { id: active_14d, compute: { type: cumulative, of: unique, window: 14d } }
  - { id: purchases_7d, compute: { type: cumulative, of: count, event: purchase, window: 7d } }
  - { id: buyers_7d, compute: { type: cumulative, of: unique, event: purchase, where: "amount >= 5", window: 1w } }
"#;

async fn measure(
    e: &Engine,
    metric: &str,
    grain: Grain,
    by: Option<&str>,
    from: Option<&str>,
) -> Vec<MetricValue> {
    e.measure(&Request {
        metrics: vec![metric.into()],
        grain: Some(grain),
        by: by.map(String::from),
        from: from.map(|f| NaiveDate::parse_from_str(f, "%Y-%m-%d").unwrap()),
        ..Request::default()
    })
    .await
    .unwrap_or_else(|err| panic!("{metric}: {err:?}"))
}

/// (period start, segment, value) of each value.
fn rows(values: &[MetricValue]) -> Vec<(String, String, Option<f64>)> {
    values
        .iter()
        .map(|v| {
            (
                v.start.date_naive().format("%m-%d").to_string(),
                v.segment.values().next().cloned().unwrap_or_default(),
                v.value,
            )
        })
        .collect()
}

fn weekly(values: &[f64]) -> Vec<(String, String, Option<f64>)> {
    ["03-02", "03-09", "03-16", "03-23", "03-30"]
        .iter()
        .zip(values)
        .map(|(w, v)| (w.to_string(), String::new(), Some(*v)))
        .collect()
}

#[tokio::test]
async fn running_totals_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let files = [("events.csv", EVENTS), ("users.csv", USERS)];
    let e = common::open(tmp.path(), &files, common::CSV_SETTINGS, METRICS)
        .await
        .expect("opens");
    let cases: [(&str, [f64; 5]); 7] = [
        // events 1 and 3; 4 and 5; none; 8; none
        ("purchases_to_date", [2.0, 4.0, 4.0, 5.0, 5.0]),
        ("revenue_to_date", [15.0, 43.0, 43.0, 73.0, 73.0]),
        // u1 u2; u3; -; u4; -
        ("users_to_date", [2.0, 3.0, 3.0, 4.0, 4.0]),
        // u1 (10); u3 (20; u2's 8 is under 10); -; u1 again; -
        ("buyers_to_date", [1.0, 2.0, 2.0, 2.0, 2.0]),
        // the 14 days before each Monday: u1 u2 | u1 u2 u3 | u2 u3 | u4 u1 | u4 u1 u3
        ("active_14d", [2.0, 3.0, 2.0, 2.0, 3.0]),
        ("purchases_7d", [2.0, 2.0, 0.0, 1.0, 0.0]),
        ("buyers_7d", [1.0, 2.0, 0.0, 1.0, 0.0]),
    ];
    for (metric, want) in cases {
        let got = measure(&e, metric, Grain::Week, None, None).await;
        assert_eq!(rows(&got), weekly(&want), "{metric}");
        // the last week runs past the data's end
        assert!(got[..4].iter().all(|v| v.complete), "{metric}");
        assert!(!got[4].complete, "{metric}");
    }

    // by segment: a user is in one segment, so the segments add up to the total
    let by = |v: [f64; 5], plan: &str| {
        weekly(&v)
            .into_iter()
            .map(move |(w, _, x)| (w, plan.to_string(), x))
            .collect::<Vec<_>>()
    };
    let sorted = |mut r: Vec<(String, String, Option<f64>)>| {
        r.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        r
    };
    for (metric, free, pro) in [
        (
            "users_to_date",
            [1.0, 1.0, 1.0, 2.0, 2.0],
            [1.0, 2.0, 2.0, 2.0, 2.0],
        ),
        (
            "active_14d",
            [1.0, 1.0, 1.0, 1.0, 1.0],
            [1.0, 2.0, 1.0, 1.0, 2.0],
        ),
        (
            "revenue_to_date",
            [0.0, 8.0, 8.0, 8.0, 8.0],
            [15.0, 35.0, 35.0, 65.0, 65.0],
        ),
    ] {
        let got = measure(&e, metric, Grain::Week, Some("plan"), None).await;
        let mut want = by(free, "free");
        want.extend(by(pro, "pro"));
        assert_eq!(sorted(rows(&got)), sorted(want), "{metric} by plan");
    }

    // `--from` shows later periods only, with everything before them still counted
    let got = measure(&e, "users_to_date", Grain::Week, None, Some("2026-03-16")).await;
    assert_eq!(rows(&got), weekly(&[2.0, 3.0, 3.0, 4.0, 4.0])[2..].to_vec());
    let got = measure(&e, "active_14d", Grain::Week, None, Some("2026-03-16")).await;
    assert_eq!(rows(&got), weekly(&[2.0, 3.0, 2.0, 2.0, 3.0])[2..].to_vec());

    // by day: the running count the day after each purchase
    let got = measure(&e, "purchases_to_date", Grain::Day, None, None).await;
    let on = |d: &str| {
        got.iter()
            .find(|v| v.start.date_naive().format("%m-%d").to_string() == d)
            .and_then(|v| v.value)
    };
    assert_eq!(
        [
            on("03-01"),
            on("03-02"),
            on("03-07"),
            on("03-08"),
            on("04-02")
        ],
        [None, Some(1.0), Some(1.0), Some(2.0), Some(5.0)]
    );
}

#[test]
fn a_window_that_is_not_whole_days_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let metrics = "metrics:\n  - { id: m, compute: { type: cumulative, of: count, event: x, window: 36h } }\n  - { id: n, compute: { type: cumulative, of: sum, event: x } }\n  - { id: o, compute: { type: cumulative, of: users } }\n";
    let loaded = common::load(tmp.path(), common::CSV_SETTINGS, metrics);
    let said: Vec<String> = loaded
        .diagnostics
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert!(
        said.iter().any(|m| m.contains("whole number of days")),
        "{said:?}"
    );
    // a sum needs its property; `of` is one of three
    assert!(said.iter().any(|m| m.contains("property")), "{said:?}");
    assert!(said.iter().any(|m| m.contains("users")), "{said:?}");
}

// ---- the second method: brute force over generated events in New York ----

const NY: &str = "workspace: T\ntimezone: America/New_York\nweek_starts: sunday\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n";

use common::Rng;

/// (user, UTC instant, event, amount): 60 users over 300 days from 2026-02-01, so both of
/// New York's clock changes fall inside, with quiet stretches longer than the windows.
fn generated() -> Vec<(String, DateTime<Utc>, &'static str, i64)> {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let start = Utc.with_ymd_and_hms(2026, 2, 1, 5, 0, 0).unwrap();
    let mut out = Vec::new();
    for u in 0..60 {
        let n = rng.next(40);
        for _ in 0..n {
            // times on the quarter hour, around midnight as often as not
            let t = start + Duration::minutes(15 * rng.next(4 * 24 * 300) as i64);
            let name = ["buy", "view"][rng.next(2) as usize];
            out.push((format!("g{u}"), t, name, rng.next(50) as i64));
        }
    }
    out
}

/// The periods of `grain` from the one holding `first` to the one holding `last`, each as
/// (start, end) local dates, end exclusive.
fn periods(grain: Grain, first: NaiveDate, last: NaiveDate) -> Vec<(NaiveDate, NaiveDate)> {
    let start_of = |d: NaiveDate| match grain {
        Grain::Day => d,
        Grain::Week => d - Duration::days(i64::from(d.weekday().num_days_from_sunday())),
        Grain::Month => d.with_day(1).unwrap(),
        Grain::Quarter => unreachable!(),
    };
    let next = |d: NaiveDate| match grain {
        Grain::Day => d + Duration::days(1),
        Grain::Week => d + Duration::days(7),
        Grain::Month => d.checked_add_months(chrono::Months::new(1)).unwrap(),
        Grain::Quarter => unreachable!(),
    };
    let mut out = Vec::new();
    let mut s = start_of(first);
    while s <= last {
        out.push((s, next(s)));
        s = next(s);
    }
    out
}

#[tokio::test]
async fn running_totals_equal_a_brute_force_count_in_new_york() {
    let tz: Tz = "America/New_York".parse().unwrap();
    let events = generated();
    let mut csv = String::from("user_id,ts,event,amount\n");
    for (u, t, name, amount) in &events {
        csv.push_str(&format!(
            "{u},{},{name},{amount}\n",
            t.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    let metrics = "metrics:\n  - { id: buys, compute: { type: cumulative, of: count, event: buy } }\n  - { id: amount_30d, compute: { type: cumulative, of: sum, event: buy, property: amount, window: 30d } }\n  - { id: users, compute: { type: cumulative, of: unique } }\n  - { id: active_28d, compute: { type: cumulative, of: unique, window: 28d } }\n  - { id: big_buyers_7d, compute: { type: cumulative, of: unique, event: buy, where: \"amount >= 25\", window: 7d } }\n";
    let tmp = tempfile::tempdir().unwrap();
    let e = common::open(tmp.path(), &[("events.csv", &csv)], NY, metrics)
        .await
        .expect("opens");
    let local: Vec<(&str, NaiveDate, &str, i64)> = events
        .iter()
        .map(|(u, t, n, a)| (u.as_str(), t.with_timezone(&tz).date_naive(), *n, *a))
        .collect();
    let first = local.iter().map(|x| x.1).min().unwrap();
    let last = local.iter().map(|x| x.1).max().unwrap();
    // (metric, window in days, whether an event counts, and what it adds: None = its user)
    type Counts = fn(&(&str, NaiveDate, &str, i64)) -> Option<Option<f64>>;
    let cases: [(&str, Option<i64>, Counts); 5] = [
        ("buys", None, |x| (x.2 == "buy").then_some(Some(1.0))),
        ("amount_30d", Some(30), |x| {
            (x.2 == "buy").then_some(Some(x.3 as f64))
        }),
        ("users", None, |_| Some(None)),
        ("active_28d", Some(28), |_| Some(None)),
        ("big_buyers_7d", Some(7), |x| {
            (x.2 == "buy" && x.3 >= 25).then_some(None)
        }),
    ];
    let mut checked = 0;
    for grain in [Grain::Day, Grain::Week, Grain::Month] {
        for (metric, window, counts) in cases {
            let got = measure(&e, metric, grain, None, None).await;
            let spine = periods(grain, first, last);
            assert_eq!(got.len(), spine.len(), "{metric} {grain:?}");
            for (v, (start, end)) in got.iter().zip(&spine) {
                assert_eq!(v.start.date_naive(), *start, "{metric} {grain:?}");
                let lo = window.map(|w| *end - Duration::days(w));
                let inside = local
                    .iter()
                    .filter(|x| x.1 < *end && lo.is_none_or(|lo| x.1 >= lo));
                let mut sum = 0.0;
                let mut users = BTreeSet::new();
                for x in inside {
                    match counts(x) {
                        Some(Some(v)) => sum += v,
                        Some(None) => {
                            users.insert(x.0);
                        }
                        None => {}
                    }
                }
                let want = if users.is_empty() {
                    sum
                } else {
                    users.len() as f64
                };
                assert_eq!(
                    v.value,
                    Some(want),
                    "{metric} at {grain:?} starting {start}"
                );
                checked += 1;
            }
        }
    }
    // 5 metrics × (about 300 days + 43 weeks + 10 months)
    assert!(checked > 1700, "{checked}");
}
