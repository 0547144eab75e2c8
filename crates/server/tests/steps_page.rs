//! A funnel's and a lifecycle's metric pages draw their latest complete period step by step,
//! with the counts computed by hand for this fixture; the API carries the same numbers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use throughline_server::{AppState, Settings, compute, router};
use throughline_store::Store;
use tower::ServiceExt;

const THROUGHLINE: &str = "workspace: Steps
timezone: UTC
store: sqlite://state.db
sources:
  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }
";

const METRICS: &str = "metrics:
  - { id: buy_funnel, name: Buying, cadence: { report: weekly }, compute: { type: funnel, steps: [view, cart, buy], within: 1d } }
  - { id: flow, name: Flow, supports: wau, cadence: { report: weekly }, compute: { type: lifecycle, every: week } }
  - { id: wau, name: Weekly users, role: north_star, cadence: { report: weekly }, compute: { type: unique } }
  - { id: buys, name: Buys, supports: per_user, cadence: { report: weekly }, compute: { type: count, event: buy } }
  - { id: per_user, name: Buys per user, unit: ratio, supports: wau, cadence: { report: weekly }, compute: { type: derived, expr: buys / wau } }
  - { id: views, name: Views, supports: wau, cadence: { report: weekly }, compute: { type: count, event: view } }
  - { id: viewers, name: Viewers, drives: { metric: views, as: term }, cadence: { report: weekly }, compute: { type: unique, event: view } }
  - { id: buyers, name: Buyers, drives: { metric: views, as: term }, cadence: { report: weekly }, compute: { type: unique, event: buy } }
  - { id: carts, name: Carts, cadence: { report: weekly }, compute: { type: count, event: crat } }
";

/// Week of Jun 1, 2026: u0..u5 view; u0..u3 add to cart; u0 and u1 buy. Week of Jun 8: u0
/// views again, u6 views. The data runs through Sunday Jun 14: both weeks are over, but the
/// 1-day window of the Jun 8 entrants ends after the data, so that funnel week is immature.
fn events() -> String {
    let mut s = String::from("user_id,ts,event\n");
    for i in 0..6 {
        s.push_str(&format!("u{i},2026-06-02T10:00:00,view\n"));
    }
    for i in 0..4 {
        s.push_str(&format!("u{i},2026-06-02T11:00:00,cart\n"));
    }
    for i in 0..2 {
        s.push_str(&format!("u{i},2026-06-02T12:00:00,buy\n"));
    }
    s.push_str(
        "u0,2026-06-09T10:00:00,view\nu6,2026-06-10T10:00:00,view\nu6,2026-06-14T10:00:00,other\n",
    );
    s
}

async fn page(path: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    std::fs::write(dir.join("throughline.yaml"), THROUGHLINE).unwrap();
    std::fs::write(dir.join("metrics.yaml"), METRICS).unwrap();
    std::fs::write(dir.join("events.csv"), events()).unwrap();
    let loaded = throughline_model::load_paths(std::slice::from_ref(&dir));
    let store = Store::open("sqlite://state.db", &dir).await.unwrap();
    let computed = compute(&loaded, &dir, &store, &Default::default(), &|_| {})
        .await
        .unwrap();
    let state = AppState::new(
        loaded,
        dir,
        store,
        Settings {
            public_read: true,
            ..Settings::default()
        },
        computed,
    );
    let r = router(state)
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test]
async fn a_funnel_page_draws_the_latest_week_step_by_step() {
    let html = page("/metrics/buy_funnel").await;
    assert!(html.contains("<h2>Step by step</h2>"), "{html}");
    // the latest complete funnel week is Jun 1: 6 viewed, 4 carted, 2 bought
    assert!(html.contains("2026-06-01 to 2026-06-07"), "{html}");
    assert!(html.contains("<title>view: 6</title>"), "{html}");
    assert!(
        html.contains("<title>cart: 4 · 66.7% of all · 66.7% of the step before</title>"),
        "{html}"
    );
    assert!(
        html.contains("<title>buy: 2 · 33.3% of all · 50.0% of the step before</title>"),
        "{html}"
    );
    let api = page("/api/metrics/buy_funnel").await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(
        v["steps"]["steps"],
        serde_json::json!([["view", 6.0], ["cart", 4.0], ["buy", 2.0]])
    );
}

#[tokio::test]
async fn a_lifecycle_page_draws_its_statuses() {
    // the week of Jun 8: u6 new, u0 returning (active the week before too), u1..u5 dormant
    let api = page("/api/metrics/flow").await;
    let v: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(
        v["steps"]["steps"],
        serde_json::json!([
            ["new", 1.0],
            ["returning", 1.0],
            ["resurrected", 0.0],
            ["dormant", -5.0]
        ])
    );
    let html = page("/metrics/flow").await;
    assert!(html.contains("<title>dormant: -5</title>"), "{html}");
    // and over time, each period's statuses stacked, dormant users below zero
    let history = v["steps"]["history"].as_array().unwrap();
    if history.len() >= 2 {
        assert!(html.contains("Users by status over time"), "{html}");
        let last = history.last().unwrap();
        assert!(
            html.contains(&format!(
                "<title>{}: dormant -5</title>",
                last[0].as_str().unwrap()
            )),
            "{html}"
        );
    }
}

#[tokio::test]
async fn the_metric_tree_shows_each_inputs_part_in_the_last_change() {
    let html = page("/").await;
    // weekly users 6 → 2 (−4): u6 new, nobody resurrected, u1..u5 dormant
    assert!(
        html.contains("↑ −4 of the last change: +1 new users · +0 resurrected users (back after a gap) · −5 gone dormant (active last period, not this one)"),
        "{html}"
    );
    // buys per user 2/6 → 0/2: buys' Shapley part ½[(0/6 − 2/6) + (0/2 − 2/2)] = −2/3 of
    // the change −1/3
    let v: serde_json::Value = serde_json::from_str(&page("/api/overview").await).unwrap();
    let per_user = v["tree"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "per_user")
        .unwrap();
    assert_eq!(per_user["children"][0]["id"], "buys");
    assert_eq!(
        per_user["children"][0]["edge"],
        "−0.67 of the last change (−0.33)"
    );
    // views = viewers + buyers in the tree: views 6 → 2 (−4); viewers 6 → 2 (−4), buyers
    // 2 → 0 (−2); the model's −6 leaves +2 of the measured −4 as the rest
    let views = v["tree"]["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "views")
        .unwrap_or_else(|| panic!("no views node in {v}"));
    let edges: Vec<(&str, &str)> = views["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["edge"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        edges,
        [
            ("viewers", "−4 of the last change (−4)"),
            ("buyers", "−2 of the last change (−4)")
        ]
    );
}

/// A metric over an event name the data never has (a typo) reads "no data" with the reason on
/// its page and in the list, never a 0 or a blank.
#[tokio::test]
async fn a_metric_without_data_says_so_and_why() {
    let html = page("/metrics/carts").await;
    assert!(
        html.contains("<p class=\"warn\">No data, not 0: metric `carts` reads event `crat`, which never occurs in source `events` (did you mean `cart`?)"),
        "{html}"
    );
    let list = page("/metrics").await;
    let row = list
        .split("<tr>")
        .find(|r| r.contains("/metrics/carts"))
        .expect("the carts row");
    assert!(row.contains(">no data</td>"), "{row}");
    // a metric with values has no such line
    let html = page("/metrics/buyers").await;
    assert!(!html.contains("No data, not 0"), "{html}");
}
