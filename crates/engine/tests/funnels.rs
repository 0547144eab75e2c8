//! Funnels and lifecycle, against values computed by hand on a small fixture and against a
//! second, brute-force computation (plain loops over each user's sorted events) on a
//! generated one.
//!
//! Hand fixture: UTC, weeks start on Monday (Mar 3 | Mar 10 | Mar 17, 2025); the last event
//! is on Sunday Mar 23, so the data covers whole days through Mar 24 00:00.
//! - u1: view and cart at the same instant, buy the next day, a refund after the buy
//! - u2: buy before cart (out of order)
//! - u3: buy exactly 2 days after the view (the window's end)
//! - u4: a refund between cart and buy
//! - u5: another event between cart and buy
//! - u6: a view in week Mar 3, the cart six days later after a second view (week Mar 10)
//! - u7: a buy an hour before the view, the cart 2 days and 1 hour after the view
//! - u8: the whole funnel in week Mar 17 (a window that runs past the data)
//! - u9: signed up, no events

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use throughline_engine::{Engine, MetricValue, Request};
use throughline_model::Grain;

const USERS: &str = "user_id,created_at,plan
u1,2025-03-03T09:00:00,pro
u2,2025-03-03T09:00:00,free
u3,2025-03-03T09:00:00,pro
u4,2025-03-03T09:00:00,free
u5,2025-03-03T09:00:00,pro
u6,2025-03-03T09:00:00,free
u7,2025-03-03T09:00:00,pro
u8,2025-03-22T09:00:00,free
u9,2025-03-04T09:00:00,pro
";

const EVENTS: &str = "user_id,ts,event
u1,2025-03-03T10:00:00,view
u1,2025-03-03T10:00:00,cart
u1,2025-03-04T09:00:00,buy
u1,2025-03-04T10:00:00,refund
u2,2025-03-03T12:00:00,view
u2,2025-03-03T13:00:00,buy
u2,2025-03-03T14:00:00,cart
u3,2025-03-04T00:00:00,view
u3,2025-03-05T00:00:00,cart
u3,2025-03-06T00:00:00,buy
u4,2025-03-04T08:00:00,view
u4,2025-03-04T09:00:00,cart
u4,2025-03-04T10:00:00,refund
u4,2025-03-04T11:00:00,buy
u5,2025-03-05T08:00:00,view
u5,2025-03-05T08:30:00,cart
u5,2025-03-05T08:45:00,other
u5,2025-03-05T09:00:00,buy
u6,2025-03-05T10:00:00,view
u6,2025-03-11T10:00:00,view
u6,2025-03-11T11:00:00,cart
u7,2025-03-06T09:00:00,buy
u7,2025-03-06T10:00:00,view
u7,2025-03-08T11:00:00,cart
u1,2025-03-18T10:00:00,other
u8,2025-03-22T10:00:00,view
u8,2025-03-22T11:00:00,cart
u8,2025-03-23T12:00:00,buy
";

const METRICS: &str = r#"metrics:
  - { id: ordered, compute: { type: funnel, steps: [view, cart, buy], within: 2d } }
  - { id: excluded, compute: { type: funnel, steps: [view, cart, buy], within: 2d, exclude: refund } }
  - { id: strict, compute: { type: funnel, steps: [view, cart, buy], within: 2d, order: strict } }
  - { id: any, compute: { type: funnel, steps: [view, cart, buy], within: 2d, order: any } }
  - { id: stepwise, compute: { type: funnel, steps: [view, cart, buy], within: [3d, 4d] } }
  - { id: from_signup, unit: ratio, compute: { type: funnel, steps: [signup, view, buy], within: 7d } }
  - { id: lifecycle, compute: { type: lifecycle, every: week } }
  - { id: lifecycle_monthly, compute: { type: lifecycle, every: month, event: view } }
"#;

async fn engine(dir: &Path, users: &str, events: &str, metrics: &str) -> Engine {
    let files = [("events.csv", events), ("users.csv", users)];
    common::open(dir, &files, common::CSV_SETTINGS, metrics)
        .await
        .expect("opens")
}

async fn measure(e: &Engine, metric: &str, grain: Grain, by: Option<&str>) -> Vec<MetricValue> {
    e.measure(&Request {
        metrics: vec![metric.into()],
        grain: Some(grain),
        by: by.map(String::from),
        ..Request::default()
    })
    .await
    .unwrap_or_else(|err| panic!("{metric}: {err:?}"))
}

/// (period start, segment, value rounded to 4 places, step users, complete).
type Row = (String, String, Option<f64>, Vec<f64>, bool);

fn rows(values: &[MetricValue]) -> Vec<Row> {
    values
        .iter()
        .map(|v| {
            (
                v.start.date_naive().format("%m-%d").to_string(),
                v.segment.values().next().cloned().unwrap_or_default(),
                v.value.map(|x| (x * 1e4).round() / 1e4),
                v.steps.iter().map(|s| s.users).collect(),
                v.complete,
            )
        })
        .collect()
}

fn row(week: &str, seg: &str, v: Option<f64>, steps: &[f64], complete: bool) -> Row {
    (week.into(), seg.into(), v, steps.to_vec(), complete)
}

async fn hand(dir: &Path) -> Engine {
    engine(dir, USERS, EVENTS, METRICS).await
}

#[tokio::test]
async fn ordered_funnel_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let e = hand(tmp.path()).await;
    // week Mar 3: u1 (same-instant cart), u3 (buy at the window's end), u4, u5 finish; u2's
    // buy came before its cart; u6's and u7's carts are past 2 days. Week Mar 10: u6 enters
    // again at its second view. Week Mar 17: u8 finishes, but the 2-day window runs past the
    // data: immature.
    let got = measure(&e, "ordered", Grain::Week, None).await;
    assert_eq!(
        rows(&got),
        vec![
            row("03-03", "", Some(57.1429), &[7.0, 5.0, 4.0], true),
            row("03-10", "", Some(0.0), &[1.0, 1.0, 0.0], true),
            row("03-17", "", Some(100.0), &[1.0, 1.0, 1.0], false),
        ]
    );
    let names: Vec<&str> = got[0].steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["view", "cart", "buy"]);
    let rates: Vec<f64> = got[0].steps.iter().filter_map(|s| s.rate).collect();
    let want = [100.0, 500.0 / 7.0, 400.0 / 7.0];
    assert!(
        rates.iter().zip(want).all(|(r, w)| (r - w).abs() < 1e-9),
        "{rates:?}"
    );
    assert_eq!(rates.len(), 3);
    assert_eq!(
        (got[0].numerator, got[0].denominator),
        (Some(4.0), Some(7.0))
    );
    // by plan: pro u1 u3 u5 u7, free u2 u4 u6 (and u8 later)
    assert_eq!(
        rows(&measure(&e, "ordered", Grain::Week, Some("plan")).await),
        vec![
            row("03-03", "free", Some(33.3333), &[3.0, 2.0, 1.0], true),
            row("03-03", "pro", Some(75.0), &[4.0, 3.0, 3.0], true),
            row("03-10", "free", Some(0.0), &[1.0, 1.0, 0.0], true),
            row("03-17", "free", Some(100.0), &[1.0, 1.0, 1.0], false),
        ]
    );
}

#[tokio::test]
async fn exclusion_strict_any_and_step_windows_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let e = hand(tmp.path()).await;
    let week3 = |v: Vec<MetricValue>| rows(&v).into_iter().next().unwrap();
    // u4's refund between cart and buy stops it at the cart; u1's refund after its buy does not
    assert_eq!(
        week3(measure(&e, "excluded", Grain::Week, None).await),
        row("03-03", "", Some(42.8571), &[7.0, 5.0, 3.0], true)
    );
    // strict: u2's buy lies between its view and cart, u4's refund and u5's other event
    // between cart and buy; u1's same-instant view and cart have nothing between them
    assert_eq!(
        week3(measure(&e, "strict", Grain::Week, None).await),
        row("03-03", "", Some(28.5714), &[7.0, 4.0, 2.0], true)
    );
    // any order: u2's earlier buy counts, reached when its cart is; u7's buy before entry
    // does not count
    assert_eq!(
        week3(measure(&e, "any", Grain::Week, None).await),
        row("03-03", "", Some(71.4286), &[7.0, 5.0, 5.0], true)
    );
    // 3 days to the cart, 4 to the buy: u7's cart is now in, its buy was before
    let stepwise = rows(&measure(&e, "stepwise", Grain::Week, None).await);
    assert_eq!(
        stepwise,
        vec![
            row("03-03", "", Some(57.1429), &[7.0, 6.0, 4.0], true),
            row("03-10", "", Some(0.0), &[1.0, 1.0, 0.0], true),
            row("03-17", "", Some(100.0), &[1.0, 1.0, 1.0], false),
        ]
    );
    // from signup: u9 enters and goes nowhere; u6's cart-less path and u7's buy before its
    // view do not finish. unit: ratio.
    assert_eq!(
        rows(&measure(&e, "from_signup", Grain::Week, None).await),
        vec![
            row("03-03", "", Some(0.625), &[8.0, 7.0, 5.0], true),
            row("03-17", "", Some(1.0), &[1.0, 1.0, 1.0], false),
        ]
    );
}

#[tokio::test]
async fn lifecycle_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let e = hand(tmp.path()).await;
    // Mar 3: u1..u7 new. Mar 10: u6 returning, the other six dormant. Mar 17: u8 new, u1
    // resurrected, u6 dormant. The value is (new + resurrected) / dormant.
    let got = measure(&e, "lifecycle", Grain::Week, None).await;
    assert_eq!(
        rows(&got),
        vec![
            row("03-03", "", None, &[7.0, 0.0, 0.0, 0.0], true),
            row("03-10", "", Some(0.0), &[0.0, 1.0, 0.0, -6.0], true),
            row("03-17", "", Some(2.0), &[1.0, 0.0, 1.0, -1.0], true),
        ]
    );
    let names: Vec<&str> = got[0].steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["new", "returning", "resurrected", "dormant"]);
    assert!(got[0].steps.iter().all(|s| s.rate.is_none()));
    // a range that starts later still knows who was active before it
    let later = e
        .measure(&Request {
            metrics: vec!["lifecycle".into()],
            grain: Some(Grain::Week),
            from: NaiveDate::from_ymd_opt(2025, 3, 10),
            ..Request::default()
        })
        .await
        .unwrap();
    assert_eq!(rows(&later), rows(&got)[1..].to_vec());
    // by plan: pro u1 u3 u5 u7, free u2 u4 u6 u8
    assert_eq!(
        rows(&measure(&e, "lifecycle", Grain::Week, Some("plan")).await),
        vec![
            row("03-03", "free", None, &[3.0, 0.0, 0.0, 0.0], true),
            row("03-03", "pro", None, &[4.0, 0.0, 0.0, 0.0], true),
            row("03-10", "free", Some(0.0), &[0.0, 1.0, 0.0, -2.0], true),
            row("03-10", "pro", Some(0.0), &[0.0, 0.0, 0.0, -4.0], true),
            row("03-17", "free", Some(1.0), &[1.0, 0.0, 0.0, -1.0], true),
            row("03-17", "pro", None, &[0.0, 0.0, 1.0, 0.0], true),
        ]
    );
}

#[tokio::test]
async fn the_last_month_is_partial() {
    let tmp = tempfile::tempdir().unwrap();
    let e = hand(tmp.path()).await;
    // the data ends on Mar 23: March as a whole is not complete, for both types (lifecycle
    // in its own `every`, whatever the grain asked for)
    for id in ["ordered", "lifecycle_monthly"] {
        let got = measure(&e, id, Grain::Month, None).await;
        assert_eq!(got.len(), 1, "{id}");
        assert!(!got[0].complete, "{id}");
    }
    // every entrant of March counted once per month: u6's second view is not a new entry
    let got = measure(&e, "ordered", Grain::Month, None).await;
    assert_eq!(rows(&got)[0].3, [8.0, 6.0, 5.0]);
    // the users with a view in March: all new
    let got = measure(&e, "lifecycle_monthly", Grain::Week, None).await;
    assert_eq!(rows(&got)[0].3, [8.0, 0.0, 0.0, 0.0]);
}

// ---- the second method: brute force over a generated fixture ----

const EVENT_NAMES: [&str; 5] = ["view", "cart", "buy", "refund", "other"];

use common::Rng;

type Events = BTreeMap<String, Vec<(NaiveDateTime, &'static str)>>;

/// 80 users over four weeks, up to 23 events each; times on the hour so that same-instant
/// events are common.
fn generated() -> (String, String, Events) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let start = NaiveDate::from_ymd_opt(2025, 3, 3)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let mut users = String::from("user_id,created_at,plan\n");
    let mut events = String::from("user_id,ts,event\n");
    let mut by_user: Events = BTreeMap::new();
    for u in 0..80 {
        let id = format!("g{u}");
        let plan = if rng.next(2) == 0 { "pro" } else { "free" };
        let signup = start + Duration::hours(rng.next(24 * 21) as i64);
        users.push_str(&format!(
            "{id},{},{plan}\n",
            signup.format("%Y-%m-%dT%H:%M:%S")
        ));
        let n = rng.next(24);
        let list = by_user.entry(id.clone()).or_default();
        for _ in 0..n {
            let t = signup + Duration::hours(rng.next(24 * 9) as i64);
            let name = EVENT_NAMES[rng.next(5) as usize];
            events.push_str(&format!("{id},{},{name}\n", t.format("%Y-%m-%dT%H:%M:%S")));
            list.push((t, name));
        }
        list.sort();
    }
    (users, events, by_user)
}

fn week_of(t: NaiveDateTime) -> NaiveDate {
    let d = t.date();
    d - Duration::days(i64::from(d.weekday().num_days_from_monday()))
}

/// The funnel by its definition, one user at a time: (week, steps) → users at each step.
fn brute_funnel(
    events: &Events,
    steps: &[&str],
    within_h: &[i64],
    exclude: Option<&str>,
    order: &str,
) -> BTreeMap<NaiveDate, Vec<f64>> {
    let mut out: BTreeMap<NaiveDate, Vec<f64>> = BTreeMap::new();
    for list in events.values() {
        let weeks: BTreeSet<NaiveDate> = list
            .iter()
            .filter(|(_, e)| *e == steps[0])
            .map(|(t, _)| week_of(*t))
            .collect();
        for w in weeks {
            let entry = list
                .iter()
                .filter(|(t, e)| *e == steps[0] && week_of(*t) == w)
                .map(|(t, _)| *t)
                .min()
                .unwrap();
            let counts = out.entry(w).or_insert_with(|| vec![0.0; steps.len()]);
            counts[0] += 1.0;
            let mut prev = entry;
            for k in 1..steps.len() {
                let limit = entry + Duration::hours(within_h[k - 1]);
                let lower = if order == "any" { entry } else { prev };
                let Some(t) = list
                    .iter()
                    .filter(|(t, e)| *e == steps[k] && *t >= lower && *t <= limit)
                    .map(|(t, _)| *t)
                    .min()
                else {
                    break;
                };
                let at = if order == "any" { t.max(prev) } else { t };
                let between = |name: Option<&str>| {
                    list.iter()
                        .any(|(x, e)| *x > prev && *x < at && name.is_none_or(|n| n == *e))
                };
                if (order == "strict" && between(None)) || exclude.is_some_and(|x| between(Some(x)))
                {
                    break;
                }
                counts[k] += 1.0;
                prev = at;
            }
        }
    }
    out
}

/// Lifecycle by its definition: week → [new, returning, resurrected, -dormant].
fn brute_lifecycle(events: &Events) -> BTreeMap<NaiveDate, Vec<f64>> {
    let mut active: BTreeMap<NaiveDate, BTreeSet<&str>> = BTreeMap::new();
    let mut first: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for (u, list) in events {
        for (t, _) in list {
            active.entry(week_of(*t)).or_default().insert(u);
            let f = first.entry(u).or_insert(week_of(*t));
            *f = (*f).min(week_of(*t));
        }
    }
    let empty = BTreeSet::new();
    let (lo, hi) = (
        *active.keys().next().unwrap(),
        *active.keys().last().unwrap(),
    );
    let weeks = (0..)
        .map(|i| lo + Duration::days(7 * i))
        .take_while(|w| *w <= hi);
    let mut out = BTreeMap::new();
    for w in weeks {
        let now = active.get(&w).unwrap_or(&empty);
        let before = active.get(&(w - Duration::days(7))).unwrap_or(&empty);
        let mut c = vec![0.0; 4];
        for u in now {
            if first[u] == w {
                c[0] += 1.0;
            } else if before.contains(u) {
                c[1] += 1.0;
            } else {
                c[2] += 1.0;
            }
        }
        c[3] = -(before.difference(now).count() as f64);
        out.insert(w, c);
    }
    out
}

/// id, steps, windows in hours, excluded event, order.
type Case<'a> = (&'a str, &'a [&'a str], &'a [i64], Option<&'a str>, &'a str);

#[tokio::test]
async fn funnels_and_lifecycle_equal_a_brute_force_computation() {
    let (users, events, by_user) = generated();
    let cases: [Case; 5] = [
        (
            "g_ordered",
            &["view", "cart", "buy"],
            &[48, 48],
            None,
            "ordered",
        ),
        (
            "g_strict",
            &["view", "cart", "buy"],
            &[24, 72],
            None,
            "strict",
        ),
        ("g_any", &["view", "cart", "buy"], &[48, 48], None, "any"),
        (
            "g_excluded",
            &["cart", "view", "buy", "other"],
            &[24, 48, 96],
            Some("refund"),
            "ordered",
        ),
        (
            "g_any_excluded",
            &["buy", "cart", "view"],
            &[72, 72],
            Some("other"),
            "any",
        ),
    ];
    let mut metrics = String::from("metrics:\n");
    for (id, steps, within, exclude, order) in &cases {
        let within: Vec<String> = within.iter().map(|h| format!("{h}h")).collect();
        metrics.push_str(&format!(
            "  - {{ id: {id}, compute: {{ type: funnel, steps: [{}], within: [{}], order: {order}{} }} }}\n",
            steps.join(", "),
            within.join(", "),
            exclude.map_or(String::new(), |x| format!(", exclude: {x}"))
        ));
    }
    metrics.push_str("  - { id: g_lifecycle, compute: { type: lifecycle, every: week } }\n");
    let tmp = tempfile::tempdir().unwrap();
    let e = engine(tmp.path(), &users, &events, &metrics).await;
    let mut compared = 0;
    for (id, steps, within, exclude, order) in &cases {
        let want = brute_funnel(&by_user, steps, within, *exclude, order);
        let got: BTreeMap<NaiveDate, Vec<f64>> = measure(&e, id, Grain::Week, None)
            .await
            .iter()
            .map(|v| {
                (
                    v.start.date_naive(),
                    v.steps.iter().map(|s| s.users).collect(),
                )
            })
            .collect();
        assert_eq!(got, want, "{id}");
        assert!(
            want.values().any(|c| c[steps.len() - 1] > 0.0),
            "{id} reaches the end"
        );
        compared += want.len();
    }
    let want = brute_lifecycle(&by_user);
    let got: BTreeMap<NaiveDate, Vec<f64>> = measure(&e, "g_lifecycle", Grain::Week, None)
        .await
        .iter()
        .map(|v| {
            (
                v.start.date_naive(),
                v.steps.iter().map(|s| s.users).collect(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(compared > 10, "{compared} funnel periods compared");
}
