//! Pages that keep working when the raw events are gone, the scheduled refresh, and the
//! scheduled digest.

mod common;

use common::*;

#[tokio::test]
async fn pages_read_stored_values_not_the_raw_events() {
    let w = world(true).await;
    // The raw events disappear after the start: every page still answers from the store.
    std::fs::remove_dir_all(w._tmp.path().join("data")).unwrap();
    for path in [
        "/",
        "/alignment",
        "/metrics/wau",
        "/review",
        "/key-results/company/grow/reach",
        "/api/overview",
        "/api/metrics/wau",
    ] {
        let r = send(&w, get(path, None)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
    }
    // The metric page shows the stored values with their definition hash.
    let m = send(&w, get("/api/metrics/wau", None)).await.json();
    let values = m["values"].as_array().unwrap();
    assert!(!values.is_empty());
    assert_eq!(values[0]["definition_hash"].as_str().unwrap().len(), 16);
    assert_eq!(m["formula"], "distinct users with `work` in the period");
    assert_eq!(
        m["key_results"],
        json!(["company/grow/reach", "growth/partners/reach2"])
    );
    assert!(
        m["sql"][0][1].as_str().unwrap().contains("SELECT"),
        "{}",
        m["sql"]
    );
    // The weekly values are those of the stored snapshots, which equal a fresh measurement:
    // week of Jun 1 has users 0..10 working on days where (d + i) % 3 == 0 within the week.
    let stored = w
        .state
        .store()
        .latest_snapshots("wau", "week")
        .await
        .unwrap();
    let first = stored.iter().find(|s| s.value.segment.is_empty()).unwrap();
    // Days 0..6 of week 1, users i < 10 + d/4 (10 or 11): user i works if some d in 0..=6 has
    // (d + i) % 3 == 0 — always true within 3 consecutive days; users 0..=10 (u10 from d=4).
    assert_eq!(first.value.value, Some(11.0));
    // And the refresh needs the events: it fails cleanly, keeping the old data.
    let admin = w.admin.clone();
    let r = send(
        &w,
        Request::post("/api/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text);
    assert_eq!(
        send(&w, get("/api/overview", None)).await.status,
        StatusCode::OK
    );
}

/// The total weekly active users of the week starting `monday`, as stored.
async fn stored_wau(w: &World, monday: &str) -> Option<f64> {
    let start = format!("{monday}T00:00:00Z");
    w.state
        .store()
        .latest_snapshots("wau", "week")
        .await
        .unwrap()
        .into_iter()
        .find(|s| {
            s.value.segment.is_empty() && s.value.start.to_rfc3339() == start.replace('Z', "+00:00")
        })
        .and_then(|s| s.value.value)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_refresh_brings_new_events_to_the_pages() {
    let w = world(true).await;
    assert_eq!(
        stored_wau(&w, "2026-09-07").await,
        None,
        "no data that week yet"
    );
    // Five users work in the week of Sep 7, after the server started.
    let path = w._tmp.path().join("data/events.csv");
    let mut events = std::fs::read_to_string(&path).unwrap();
    for i in 0..5 {
        events.push_str(&format!("u{i},2026-09-08T10:00:00,work\n"));
    }
    std::fs::write(&path, events).unwrap();
    let refresher = tokio::spawn(
        w.state
            .clone()
            .refresh_every(std::time::Duration::from_millis(200)),
    );
    // A refresh takes well under a second here; allow a slow machine a minute.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while stored_wau(&w, "2026-09-07").await.is_none() {
        assert!(
            std::time::Instant::now() < until,
            "no scheduled refresh picked up the new events"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(stored_wau(&w, "2026-09-07").await, Some(5.0));
    // And the page reads it: the metric's API lists the new week once the refresh that saved
    // it has also swapped in the data the pages read (a moment after the store write).
    loop {
        let m = send(&w, get("/api/metrics/wau", None)).await.json();
        let listed = m["values"].as_array().unwrap().iter().any(|v| {
            v["start"]
                .as_str()
                .is_some_and(|s| s.starts_with("2026-09-07"))
        });
        if listed {
            break;
        }
        assert!(
            std::time::Instant::now() < until,
            "the pages never showed the refreshed week: {}",
            m["values"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    refresher.abort();
}

#[tokio::test]
async fn the_schedule_sends_the_digest_once_and_the_log_is_shown() {
    let (hook, w, outbox) = digest_to_a_hook(vec![200]).await;
    // The data ends on Sunday 2026-08-30: the digest of 2026-W35 is due from Monday 09:00.
    let report = w.state.notify_once(&outbox).await.unwrap();
    assert_eq!(report.sent, ["review-digest/2026-W35/hook"]);
    let again = w.state.notify_once(&outbox).await.unwrap();
    assert!(again.sent.is_empty() && again.already.len() == 1);
    let posted = hook.posted();
    assert_eq!(posted.len(), 1);
    let body: Value = serde_json::from_str(&posted[0].body).unwrap();
    assert_eq!(body["subject"], "Weekly metrics review — Tiny · 2026-W35");
    assert_eq!(body["link"], "https://okrs.example.com/review");
    assert_eq!(body["facts"]["north_star"]["metric"], "wau");

    // The log, for a viewer: the API and the page.
    let r = send(&w, get("/api/notifications", Some(&w.viewer))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let v = r.json();
    assert_eq!(v["configured"], true);
    assert_eq!(v["channels"], json!(["hook (webhook)"]));
    assert_eq!(v["rules"], json!(["review-digest via hook"]));
    assert_eq!(v["log"][0]["status"], "sent");
    assert_eq!(v["log"][0]["attempts"], 1);
    let cookie = sign_in(&w, &w.viewer).await;
    let page = page_as(&w, "/notifications", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("<summary>Weekly metrics review — Tiny · 2026-W35</summary>"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("<span class=\"pill Green\">sent</span>"),
        "{}",
        page.text
    );
    // Without a token, neither.
    let r = send(&w, get("/api/notifications", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// `serve --notify` reports on the week `throughline notify` would at the same instant: on
/// Friday 2026-08-28, inside the data's last week (2026-W35, not yet ended), the digest due is
/// the one of 2026-W34, built from the stored series as they stood then; from Monday
/// 2026-08-31, the one of 2026-W35 (before, the schedule planned from the served review
/// of W35 whatever the day).
#[tokio::test]
async fn the_schedule_reports_on_the_week_that_has_ended() {
    let (hook, w, outbox) = digest_to_a_hook(vec![200, 200]).await;
    let at = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let friday = w
        .state
        .notify_at(&outbox, at("2026-08-28T13:00:00Z"))
        .await
        .unwrap();
    assert_eq!(friday.sent, ["review-digest/2026-W34/hook"]);
    let monday = w
        .state
        .notify_at(&outbox, at("2026-08-31T13:00:00Z"))
        .await
        .unwrap();
    assert_eq!(monday.sent, ["review-digest/2026-W35/hook"]);
    let posted = hook.posted();
    let subject = |i: usize| {
        let body: Value = serde_json::from_str(&posted[i].body).unwrap();
        body["subject"].as_str().unwrap_or_default().to_string()
    };
    assert!(subject(0).ends_with("2026-W34"), "{}", subject(0));
    assert!(subject(1).ends_with("2026-W35"), "{}", subject(1));
}

/// The world with a review digest sent to a webhook that answers `replies`, and its outbox.
async fn digest_to_a_hook(
    replies: Vec<u16>,
) -> (
    throughline_notify::testing::HttpReceiver,
    World,
    throughline_notify::Outbox,
) {
    let hook = throughline_notify::testing::HttpReceiver::start(replies).await;
    let extra = format!(
        "notify:
  dashboard: https://okrs.example.com
  channels:
    hook: {{ kind: webhook, url: '{}' }}
  rules:
    - {{ send: review-digest, via: hook }}
",
        hook.url
    );
    let w = world_with(false, &extra).await;
    let config = w.state.loaded().workspace.settings.notify.clone().unwrap();
    let outbox = throughline_notify::Outbox::new(&config, &|_| None);
    (hook, w, outbox)
}
