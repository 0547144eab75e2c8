//! A stale view is rebuilt by one request while the others in flight are served the last
//! view (single flight), and a request that has just written is answered only once a view
//! holds its write.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_rebuild_for_a_burst_and_writers_see_their_write() {
    let w = world(true).await;
    let r = send(&w, get("/api/review", None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(w.state.views_built(), 1);

    // a decision of the review's week written behind the server's back: the view is stale
    w.state
        .store()
        .record_decision_at(
            "Pause the referral test",
            None,
            "tester",
            "2026-08-26T10:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
    let burst: Vec<_> = (0..32)
        .map(|_| {
            let app = router(w.state.clone());
            tokio::spawn(async move {
                app.oneshot(get("/api/overview", None))
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for b in burst {
        assert_eq!(b.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(
        w.state.views_built(),
        2,
        "32 requests over a stale view rebuilt it once"
    );
    let r = send(&w, get("/api/review", None)).await;
    assert!(r.text.contains("Pause the referral test"), "{}", r.text);

    // a check-in through the API: the next read holds it, with no rebuild of its own
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.growth),
            json!({"key_result": "growth/partners/signed", "value": 3, "confidence": 6, "note": "three signed"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let built = w.state.views_built();
    assert_eq!(built, 3, "the writer waited for one view holding its write");
    let r = send(&w, get("/api/key-results/growth/partners/signed", None)).await;
    assert!(r.text.contains("three signed"), "{}", r.text);
    assert_eq!(w.state.views_built(), built);
}

/// A long check-in history is paged (25 a page, newest first), on the page and in the API;
/// the confidence chart keeps one point a day over the whole history.
#[tokio::test]
async fn a_long_history_is_paged() {
    let w = world(true).await;
    // 60 check-ins over 30 days, two a day: confidence i % 11, note "n{i}"
    for i in 0..60i64 {
        let at = chrono::DateTime::parse_from_rfc3339("2026-07-01T09:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
            + chrono::Duration::hours(12 * i);
        w.state
            .store()
            .record_checkin_at(
                &throughline_store::NewCheckIn {
                    objective: "partners".into(),
                    key_result: "signed".into(),
                    period: "2026-Q3".into(),
                    value: Some((i % 7) as f64),
                    confidence: Some(i % 11),
                    note: format!("n{i}"),
                    author: "dana".into(),
                },
                at,
            )
            .await
            .unwrap();
    }
    let api = |q: &str| get(&format!("/api/key-results/growth/partners/signed{q}"), None);
    let first = send(&w, api("")).await.json();
    assert_eq!(
        (
            first["checkins_total"].as_u64(),
            first["page"].as_u64(),
            first["pages"].as_u64()
        ),
        (Some(60), Some(1), Some(3))
    );
    let notes = |v: &Value| -> Vec<String> {
        v["checkins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["note"].as_str().unwrap().to_string())
            .collect()
    };
    let page1 = notes(&first);
    assert_eq!(page1.len(), 25);
    assert_eq!((page1[0].as_str(), page1[24].as_str()), ("n59", "n35"));
    let last = send(&w, api("?page=3")).await.json();
    let page3 = notes(&last);
    assert_eq!(page3.len(), 10);
    assert_eq!((page3[0].as_str(), page3[9].as_str()), ("n9", "n0"));
    // one confidence point a day (the day's last), 30 days
    let conf = first["confidence"].as_array().unwrap();
    assert_eq!(conf.len(), 30, "{conf:?}");
    assert_eq!(
        conf[0][1].as_f64(),
        Some(1.0),
        "day 1: n0 then n1, the last is 1"
    );
    for q in ["?page=4", "?page=0", "?page=two"] {
        let r = send(&w, api(q)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.text
        );
        assert_eq!(r.json()["field"], "page", "{q}");
    }
    let html = send(&w, get("/key-results/growth/partners/signed?page=2", None)).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.text.contains("page 2 of 3"), "{}", html.text);
    assert!(
        html.text.contains("?page=1#checkins\">← newer</a>"),
        "{}",
        html.text
    );
    assert!(
        html.text.contains("?page=3#checkins\">older →</a>"),
        "{}",
        html.text
    );
    assert!(
        html.text
            .contains("60 check-ins, newest first: 26 to 50 on this page")
    );
    assert!(html.text.contains(">n34<") && !html.text.contains(">n35<"));
}
