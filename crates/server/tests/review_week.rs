//! The review page and API for an earlier week (`?week=`), with a picker; the stored series
//! as they stood at that week's end, checked against the fixture's counts by hand.

mod common;

use common::*;

#[tokio::test]
async fn an_earlier_week_is_shown_as_it_stood() {
    let w = world(true).await;
    // the latest complete week of the fixture's data (through Sunday 2026-08-30)
    let latest = send(&w, get("/api/review", None)).await.json();
    assert_eq!(latest["week_label"], "2026-W35");

    // W30 (Jul 20 – Jul 26): the fixture's weekly active users that week, by hand: users
    // i < 10 + d/4 working on days d with (d + i) % 3 == 0, d = 49..55 → 23 (the series says
    // the same at the end of W30, and nothing after it)
    let r = send(&w, get("/api/review?week=2026-W30", None)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let past = r.json();
    assert_eq!(past["week_label"], "2026-W30");
    assert_eq!(past["north_star"]["current"]["start"], "2026-07-20");
    assert_eq!(past["north_star"]["current"]["value"].as_f64(), Some(23.0));
    let series = past["north_star"]["series"].as_array().unwrap();
    assert_eq!(series.last().unwrap()["start"], "2026-07-20");
    // a day in the week names the same week
    let same = send(&w, get("/api/review?week=2026-07-22", None))
        .await
        .json();
    assert_eq!(same["week_label"], "2026-W30");

    // the page: the picker, links to the weeks around it, and what an earlier week lacks
    let page = send(&w, get("/review?week=2026-W30", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text
            .contains("<input type=\"week\" id=\"week\" name=\"week\" value=\"2026-W30\""),
        "{}",
        page.text
    );
    assert!(
        page.text
            .contains("href=\"/review?week=2026-W29\">← previous week</a>")
    );
    assert!(
        page.text
            .contains("href=\"/review?week=2026-W31\">next week →</a>")
    );
    assert!(
        page.text
            .contains("href=\"/review?week=2026-W35\">latest week</a>")
    );
    assert!(page.text.contains("throughline review --week 2026-W30"));
    // the latest week has no "next" and says nothing of what is missing
    let page = send(&w, get("/review", None)).await;
    assert!(page.text.contains("value=\"2026-W35\""));
    assert!(!page.text.contains("next week →"));
    assert!(!page.text.contains("are gathered for the latest week only"));

    // a week the dashboard does not hold, or not a week: 422 naming `week`
    for (q, says) in [
        ("2026-W40", "the dashboard holds the weeks"),
        ("2025-W10", "the dashboard holds the weeks"),
        ("soon", "is not a week"),
    ] {
        let r = send(&w, get(&format!("/api/review?week={q}"), None)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{q}: {}",
            r.text
        );
        let e = r.json();
        assert_eq!(e["field"], "week", "{q}");
        assert!(e["error"].as_str().unwrap().contains(says), "{q}: {e}");
    }
}
