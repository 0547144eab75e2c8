//! A metric's page leads with its chart and its values by segment, checked against the
//! fixture's counts by hand (tests/common: user i is on the free plan when i is even, paid
//! when odd; the weekly active users of the last two weeks are users 0–29 and 0–31).

mod common;

use common::*;

#[tokio::test]
async fn a_metric_page_draws_its_chart_and_its_values_by_segment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    write_workspace(&dir);
    let okrs = std::fs::read_to_string(dir.join("okrs.yaml")).unwrap();
    let okrs = okrs.replace(
        "cadence: { report: weekly }, compute: { type: unique, event: work } }",
        "cadence: { report: weekly }, segments: [plan], compute: { type: unique, event: work } }",
    );
    assert!(okrs.contains("segments: [plan]"));
    std::fs::write(dir.join("okrs.yaml"), okrs).unwrap();
    let loaded = throughline_model::load_paths(std::slice::from_ref(&dir));
    let store = Store::open("sqlite://state.db", &dir).await.unwrap();
    let state = state_of(loaded, dir, store, true).await;
    let page = |path: &str| {
        let app = router(state.clone());
        let path = path.to_string();
        async move {
            let r = app
                .oneshot(Request::get(&path).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            let bytes = r.into_body().collect().await.unwrap().to_bytes();
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };

    let api: Value = serde_json::from_str(&page("/api/metrics/wau").await).unwrap();
    let tables = api["by_segment"].as_array().unwrap();
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0]["dimension"], "plan");
    let periods = tables[0]["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 6);
    assert_eq!(periods.last().unwrap(), "2026-08-24");
    let row = |seg: &str| {
        tables[0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["segment"] == seg)
            .unwrap_or_else(|| panic!("no {seg} row: {api}"))
            .clone()
    };
    let last_two = |r: Value| -> Vec<f64> {
        let v = r["values"].as_array().unwrap();
        v[v.len() - 2..]
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    // by hand: users 0–29 (15 even, 15 odd), then 0–31 (16 and 16)
    assert_eq!(last_two(row("free")), [15.0, 16.0]);
    assert_eq!(last_two(row("paid")), [15.0, 16.0]);
    // the chart's series is the total's
    let series = api["series"].as_array().unwrap();
    assert_eq!(series.last().unwrap()["value"].as_f64(), Some(32.0));

    let html = page("/metrics/wau").await;
    let chart = html.find("<h2>Over time</h2>").expect("a chart");
    let by = html.find("<h2>By plan</h2>").expect("values by plan");
    let definition = html.find("<h2>Definition</h2>").unwrap();
    assert!(
        chart < by && by < definition,
        "chart, segments, then the definition"
    );
    assert!(html[chart..by].contains("<svg"));
    // both key results on it set a target for the quarter: both lines, named
    for t in [
        "target 20 (company/grow/reach)",
        "target 30 (growth/partners/reach2)",
    ] {
        assert!(html[chart..by].contains(t), "{t}: {}", &html[chart..by]);
    }
    assert!(html[by..definition].contains("<td>free</td>"));
    // a metric without `segments:` is shown by every user dimension, as the review breaks it
    // down. By hand: each Monday users 0, 5, …, 35 log a ticket: 0, 10, 20, 30 are on the free
    // plan, 5, 15, 25, 35 paid: 4 and 4 a week
    let api: Value = serde_json::from_str(&page("/api/metrics/tickets").await).unwrap();
    let tables = api["by_segment"].as_array().unwrap();
    assert_eq!(tables.len(), 1, "{api}");
    for r in tables[0]["rows"].as_array().unwrap() {
        let v = r["values"].as_array().unwrap();
        assert_eq!(v.last().unwrap().as_f64(), Some(4.0), "{r}");
    }
    let html = page("/metrics/tickets").await;
    assert!(html.contains("<h2>By plan"));

    // the range keeps the latest periods; the comparison draws each one's value the period
    // before as a dotted line, its value on hover
    let n = series.len();
    assert!(n >= 3, "{n} periods");
    let values: Vec<f64> = series
        .iter()
        .map(|v| v["value"].as_f64().unwrap())
        .collect();
    let html = page("/metrics/wau?range=12&compare=previous").await;
    let shown = n.min(12);
    assert!(
        html.contains(&format!("({shown} of {n} shown)")),
        "{}",
        &html[html.find("<h2>Over time</h2>").unwrap()..][..600]
    );
    assert!(
        html.contains("The dotted line is each period&#39;s value the period before.")
            || html.contains("The dotted line is each period's value the period before.")
    );
    assert!(html.contains(&format!(
        "<title>the period before: {}</title>",
        values[n - 2]
    )));
    assert!(html.contains("<strong>the period before</strong>"));
    // a value the page does not know is refused, naming the field
    let app = router(state.clone());
    let r = app
        .oneshot(
            Request::get("/metrics/wau?range=7")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // another grain: measured on demand, from the same events. By hand: tickets are logged on
    // Mondays by users 0, 5, …, 35 (8 users): June 2026 has 5 Mondays (40 tickets), July 4
    // (32); August is still running when the data ends (Aug 30) and is not drawn.
    let api: Value = serde_json::from_str(&page("/api/metrics/tickets?grain=month").await).unwrap();
    assert_eq!(api["grain"], "month");
    let monthly: Vec<(String, f64)> = api["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["start"].as_str().unwrap().to_string(),
                v["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        monthly,
        [
            ("2026-06-01".to_string(), 40.0),
            ("2026-07-01".to_string(), 32.0)
        ]
    );
    let html = page("/metrics/tickets?grain=month").await;
    assert!(
        html.contains("Per month, complete periods (2 of 2 shown)."),
        "{html}"
    );
    assert!(html.contains("<strong>month</strong>"));
    // a weekly target is not drawn on monthly values, and the page says so
    let html = page("/metrics/wau?grain=month").await;
    assert!(!html.contains("target 20 (company/grow/reach)"));
    assert!(html.contains(
        "Targets and the healthy range are set on the values per week: not drawn per month."
    ));
    // the links keep the grain while changing the range
    assert!(
        html.contains("/metrics/wau?grain=month&amp;range=12"),
        "{html}"
    );
    for (q, field) in [("grain=hour", "grain"), ("sort=size", "sort")] {
        let app = router(state.clone());
        let r = app
            .oneshot(
                Request::get(format!("/api/metrics/wau?{q}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        let body = r.into_body().collect().await.unwrap().to_bytes();
        let e: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(e["field"], field, "{e}");
    }

    // the tables by segment: ordered by name, or by the size of their change, whose column
    // says last minus first of the periods shown
    let api: Value = serde_json::from_str(&page("/api/metrics/wau").await).unwrap();
    let rows = api["by_segment"][0]["rows"].as_array().unwrap().clone();
    let html = page("/metrics/wau?sort=segment").await;
    let (free, paid) = (
        html.find("<td>free</td>").unwrap(),
        html.find("<td>paid</td>").unwrap(),
    );
    assert!(free < paid);
    assert!(html.contains("aria-sort=\"descending\">plan ▾</th>"));
    for r in &rows {
        let v: Vec<f64> = r["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|x| x.as_f64())
            .collect();
        let d = v.last().unwrap() - v.first().unwrap();
        let said = if d < 0.0 {
            format!("−{}", -d)
        } else {
            format!("+{d}")
        };
        let seg = r["segment"].as_str().unwrap();
        let row = &html[html.find(&format!("<td>{seg}</td>")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains(&format!("<td class=\"num\">{said}</td>")),
            "{seg}: {row}"
        );
    }
    let html = page("/metrics/wau?sort=change").await;
    assert!(html.contains("aria-sort=\"descending\">Change ▾</th>"));
}

#[tokio::test]
async fn the_period_still_running_is_drawn_dotted_and_the_normal_wobble_shaded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    write_workspace(&dir);
    // one more event on Wednesday 2026-09-02: the week of Aug 31 is running, 1 user so far
    let mut events = std::fs::read_to_string(dir.join("data/events.csv")).unwrap();
    events.push_str("u0,2026-09-02T10:00:00,work\n");
    std::fs::write(dir.join("data/events.csv"), events).unwrap();
    let loaded = throughline_model::load_paths(std::slice::from_ref(&dir));
    let store = Store::open("sqlite://state.db", &dir).await.unwrap();
    let state = state_of(loaded, dir, store, true).await;
    let r = router(state)
        .oneshot(Request::get("/metrics/wau").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html =
        String::from_utf8_lossy(&r.into_body().collect().await.unwrap().to_bytes()).into_owned();
    assert!(
        html.contains("<title>so far, the period still running: 1 (not final)</title>"),
        "{}",
        &html[html.find("<h2>Over time</h2>").unwrap()..][..3000]
    );
    assert!(html.contains("the period still running is dotted, its value so far not final"));
    assert!(html.contains("The shaded band is the average of the 4 periods before the latest"));
}
