//! The dashboard's API and forms through the real router, on a small workspace with CSV data
//! and a real SQLite store in a temporary folder: who may read and write (roles scoped by
//! team), validation with clear 4xx errors, CSRF and origin checks, escaping, the OpenAPI
//! document, and pages that keep working when the raw events are gone.

use std::path::Path;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use throughline_server::{AppState, Settings, compute, router};
use throughline_store::{NewToken, ScoreRow, Store};
use tower::ServiceExt;

const THROUGHLINE: &str = "workspace: Tiny
timezone: UTC
store: sqlite://state.db
sources:
  events: { format: csv, path: data/events.csv, columns: { user: user_id, time: ts, name: event } }
  users: { format: csv, path: data/users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }
";

const OKRS: &str = "metrics:
  - { id: wau, name: Weekly active users, role: north_star, unit: count, direction: up, cadence: { report: weekly }, compute: { type: unique, event: work } }
  - { id: tickets, name: Tickets, role: guardrail, unit: count, direction: down, cadence: { report: weekly }, compute: { type: count, event: ticket } }
objectives:
  - id: grow
    title: Grow weekly use
    period: 2026-Q3
    team: company
    owner: Sam
    key_results:
      - { id: reach, title: Increase weekly active users from 10 to 20, metric: wau, baseline: 10, target: 20 }
  - id: partners
    title: Win design partners who shape the roadmap
    period: 2026-Q3
    team: growth
    owner: Dana
    aligns_to: company/grow
    key_results:
      - { id: signed, title: Sign 6 design partners, manual: { unit: count }, baseline: 0, target: 6 }
      - { id: reach2, title: Increase weekly active users from 10 to 30, metric: wau, baseline: 10, target: 30 }
    guardrails:
      - { metric: tickets, max_increase: 5% }
";

/// 40 users; user i works on days d where (d + i) % 3 == 0, from 2026-06-01 to 2026-08-30,
/// more of them as the weeks go by; tickets on Mondays.
fn write_workspace(dir: &Path) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("throughline.yaml"), THROUGHLINE).unwrap();
    std::fs::write(dir.join("okrs.yaml"), OKRS).unwrap();
    let mut users = String::from("user_id,created_at,plan\n");
    let mut events = String::from("user_id,ts,event\n");
    let first = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    for i in 0..40 {
        users.push_str(&format!(
            "u{i},2026-05-01T09:00:00,{}\n",
            if i % 2 == 0 { "free" } else { "paid" }
        ));
        for d in 0..91 {
            let day = first + chrono::Duration::days(d);
            if (d + i) % 3 == 0 && i < 10 + d / 4 {
                events.push_str(&format!("u{i},{day}T10:00:00,work\n"));
            }
            if d % 7 == 0 && i % 5 == 0 {
                events.push_str(&format!("u{i},{day}T11:00:00,ticket\n"));
            }
        }
    }
    std::fs::write(dir.join("data/users.csv"), users).unwrap();
    std::fs::write(dir.join("data/events.csv"), events).unwrap();
}

struct World {
    _tmp: tempfile::TempDir,
    state: AppState,
    viewer: String,
    growth: String,
    admin: String,
}

async fn world(public_read: bool) -> World {
    world_with(public_read, "").await
}

/// A world whose throughline.yaml ends with `extra`.
async fn world_with(public_read: bool, extra: &str) -> World {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    write_workspace(&dir);
    if !extra.is_empty() {
        std::fs::write(
            dir.join("throughline.yaml"),
            format!("{THROUGHLINE}{extra}"),
        )
        .unwrap();
    }
    let loaded = throughline_model::load_paths(std::slice::from_ref(&dir));
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == throughline_model::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let store = Store::open("sqlite://state.db", &dir).await.unwrap();
    let token = |name: &str, role: &str, teams: &[&str]| NewToken {
        name: name.into(),
        role: role.into(),
        teams: teams.iter().map(|t| t.to_string()).collect(),
    };
    let viewer = store
        .create_token(&token("vera", "viewer", &["*"]))
        .await
        .unwrap()
        .1;
    let growth = store
        .create_token(&token("dana", "editor", &["growth"]))
        .await
        .unwrap()
        .1;
    let admin = store
        .create_token(&token("root", "admin", &["*"]))
        .await
        .unwrap()
        .1;
    let computed = compute(&loaded, &dir, &store, &|_| {}).await.unwrap();
    let state = AppState::new(loaded, dir, store, Settings { public_read }, computed);
    World {
        _tmp: tmp,
        state,
        viewer,
        growth,
        admin,
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn send(w: &World, req: Request<Body>) -> Reply {
    let r = router(w.state.clone()).oneshot(req).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

fn post_json(path: &str, token: Option<&str>, body: Value) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn reading_needs_a_token_unless_public() {
    let w = world(false).await;
    let r = send(&w, get("/api/overview", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let e = r.json();
    assert_eq!(e["error"], "this dashboard needs a token to read");
    assert!(
        e["help"]
            .as_str()
            .unwrap()
            .contains("throughline token create")
    );
    let r = send(&w, get("/api/overview", Some(&w.viewer))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json()["north_star"]["metric"], "wau");
    // Pages send a reader without a token to the sign-in page.
    let r = send(&w, get("/alignment", None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/login?next=/alignment");
    // A wrong token is refused, not taken for no token.
    let r = send(&w, get("/api/overview", Some("tl_nope"))).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json()["error"],
        "the token is not valid (unknown or revoked)"
    );

    let open = world(true).await;
    for path in [
        "/",
        "/alignment",
        "/metrics",
        "/metrics/wau",
        "/review",
        "/experiments",
        "/objectives/growth/partners",
        "/key-results/company/grow/reach",
        "/api/overview",
        "/api/alignment?team=growth",
        "/api/metrics/wau",
        "/api/review",
        "/api/key-results/growth/partners/signed",
    ] {
        let r = send(&open, get(path, None)).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(
            r.headers[header::CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .contains("default-src 'none'")
        );
    }
}

#[tokio::test]
async fn writes_are_scoped_by_role_and_team() {
    let w = world(false).await;
    let checkin = |kr: &str| json!({"key_result": kr, "confidence": 7, "note": "two signed"});
    // A viewer reads only.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.viewer),
            checkin("growth/partners/signed"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"],
        "token `vera` is a viewer's: it may read, not write"
    );
    // An editor of growth checks in on growth's key result...
    let r = send(&w, post_json("/api/checkins", Some(&w.growth), json!({"key_result": "growth/partners/signed", "value": 2, "confidence": 7, "note": "two signed"}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let c = r.json();
    assert_eq!(
        (
            c["author"].as_str(),
            c["value"].as_f64(),
            c["period"].as_str()
        ),
        (Some("dana"), Some(2.0), Some("2026-Q3"))
    );
    // ...and not on the company's.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.growth),
            checkin("company/grow/reach"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.json()["error"],
        "token `dana` may write for growth only, not for team `company`"
    );
    // An admin writes anywhere.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            Some(&w.admin),
            checkin("company/grow/reach"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Without a token: 401.
    let r = send(
        &w,
        post_json("/api/checkins", None, checkin("growth/partners/signed")),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // The stored check-ins: exactly the two allowed ones.
    let stored = w.state.store().checkins(None).await.unwrap();
    let who: Vec<(&str, &str)> = stored
        .iter()
        .map(|c| (c.checkin.key_result.as_str(), c.checkin.author.as_str()))
        .collect();
    assert_eq!(who, vec![("signed", "dana"), ("reach", "root")]);
    // The key result's page and data show it at once.
    let r = send(
        &w,
        get("/api/key-results/growth/partners/signed", Some(&w.viewer)),
    )
    .await;
    let page = r.json();
    assert_eq!(page["checkins"][0]["note"], "two signed");
    assert_eq!(page["row"]["status"]["current"]["value"], 2.0);

    // Decisions: about a growth objective by its editor, not about the company's.
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "Focus on two partners", "about": "growth/partners"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "Change the company goal", "about": "company/grow/reach"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        post_json(
            "/api/decisions",
            Some(&w.growth),
            json!({"text": "x", "about": "no-such-thing"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "about");

    // Refreshing is an admin's.
    let r = send(
        &w,
        Request::post("/api/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.growth))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        Request::post("/api/refresh")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.admin))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.json()["computed_at"].is_string());
}

#[tokio::test]
async fn bad_requests_are_clear_4xx_errors() {
    let w = world(false).await;
    let t = Some(w.growth.as_str());
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "confidence": 11}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "confidence",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/nope", "confidence": 5}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "key_result",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/reach2", "value": 12}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "value": "35%"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "value",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed", "note": "x".repeat(2001)}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "note",
        ),
        (
            post_json(
                "/api/checkins",
                t,
                json!({"key_result": "growth/partners/signed"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "note",
        ),
    ];
    for (req, status, field) in cases {
        let r = send(&w, req).await;
        assert_eq!(r.status, status, "{}", r.text);
        let e = r.json();
        assert_eq!(e["field"], field, "{e}");
        assert!(!e["help"].as_str().unwrap().is_empty());
    }
    // Unknown fields, broken JSON, the wrong content type, a body too large.
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            t,
            json!({"key_result": "growth/partners/signed", "confidense": 5}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("unknown field `confidense`"),
        "{}",
        r.text
    );
    let raw = |ct: &str, body: String| {
        Request::post("/api/checkins")
            .header(header::AUTHORIZATION, format!("Bearer {}", w.growth))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let r = send(&w, raw("application/json", "{\"key_result\": ".into())).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&w, raw("text/plain", "{}".into())).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["help"], "send `Content-Type: application/json`");
    let r = send(
        &w,
        raw(
            "application/json",
            format!("{{\"key_result\": \"{}\"}}", "x".repeat(20_000)),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // A closed period takes no more check-ins: 409.
    let row = ScoreRow {
        period: "2026-Q3".into(),
        team: "growth".into(),
        objective: "partners".into(),
        key_result: String::new(),
        commitment: "aspirational".into(),
        owner: None,
        value: None,
        score: 0.5,
        confidence: None,
    };
    w.state
        .store()
        .close_period("2026-Q3", "root", &[row])
        .await
        .unwrap();
    let r = send(
        &w,
        post_json(
            "/api/checkins",
            t,
            json!({"key_result": "growth/partners/signed", "confidence": 5}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json()["error"],
        "period 2026-Q3 is closed: it has been scored"
    );
    // Unknown pages and API paths.
    assert_eq!(
        send(&w, get("/api/metrics/wauu", Some(&w.viewer)))
            .await
            .json()["help"],
        "did you mean `wau`? the metrics catalog lists them"
    );
    assert_eq!(
        send(&w, get("/api/nothing", Some(&w.viewer))).await.status,
        StatusCode::NOT_FOUND
    );
    let r = send(&w, get("/api/alignment?team=sales", Some(&w.viewer))).await;
    assert_eq!(
        (r.status, r.json()["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("team"))
    );
}

/// Signs in through the form and returns the cookie.
async fn sign_in(w: &World, secret: &str) -> String {
    let r = send(
        w,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "token={secret}&next=%2Fkey-results%2Fgrowth%2Fpartners%2Fsigned"
            )))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers[header::LOCATION],
        "/key-results/growth/partners/signed"
    );
    let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

/// The CSRF token of the first form on a page.
fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no form on the page: {page}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// A page as the holder of `cookie` sees it.
async fn page_as(w: &World, path: &str, cookie: &str) -> Reply {
    send(
        w,
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

fn form_post(path: &str, cookie: &str, body: &str, origin: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "dash.example");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_check_in_form_is_csrf_safe_and_escapes_what_it_shows() {
    let w = world(false).await;
    let cookie = sign_in(&w, &w.growth).await;
    let page = send(
        &w,
        Request::get("/key-results/growth/partners/signed")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("id=\"checkin-form\""),
        "an editor of growth sees the form"
    );
    let csrf = csrf_of(&page.text);
    let note = "<script>alert(1)</script> & \"quotes\"";
    let body = format!("csrf={csrf}&confidence=8&value=3&note={}", urlencode(note));
    let path = "/key-results/growth/partners/signed";
    // Without the CSRF token, with a wrong one, or from another site: refused.
    let r = send(
        &w,
        form_post(path, &cookie, "confidence=8&value=3&note=x", None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(
        r.text
            .contains("the form&#39;s CSRF token is missing or stale"),
        "{}",
        r.text
    );
    let r = send(
        &w,
        form_post(path, &cookie, &body.replace(&csrf, "0000"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        form_post(path, &cookie, &body, Some("https://evil.example")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        w.state.store().checkins(None).await.unwrap().is_empty(),
        "nothing was recorded"
    );
    // The real form: recorded, then back to the page, which shows it escaped.
    let r = send(
        &w,
        form_post(path, &cookie, &body, Some("http://dash.example")),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers[header::LOCATION],
        "/key-results/growth/partners/signed?recorded=1#check-in"
    );
    let page = send(
        &w,
        Request::get("/key-results/growth/partners/signed?recorded=1")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(page.text.contains("Check-in recorded."));
    assert!(!page.text.contains("<script>alert(1)</script>"));
    assert!(
        page.text
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;")
    );
    // A bad value comes back on the form with the reason, what was typed kept.
    let body = format!("csrf={csrf}&confidence=6&value=lots&note=kept");
    let r = send(&w, form_post(path, &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("`lots` is not a value"), "{}", r.text);
    assert!(
        r.text.contains(">kept</textarea>") && r.text.contains("<option value=\"6\" selected>")
    );
    // The growth editor sees no form on the company's key result.
    let page = send(
        &w,
        Request::get("/key-results/company/grow/reach")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!page.text.contains("id=\"checkin-form\""));
    assert!(page.text.contains("may write for growth only"));
    // Signing out needs the CSRF token too, and clears the cookie.
    let r = send(&w, form_post("/logout", &cookie, "", None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = send(
        &w,
        form_post("/logout", &cookie, &format!("csrf={csrf}"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    // A bad token on the sign-in form.
    let r = send(
        &w,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("token=tl_bad&next=%2F%2Fevil.example"))
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text.contains("that token is not valid"));
    assert!(
        !r.text.contains("//evil.example"),
        "an outside `next` is dropped"
    );
}

#[tokio::test]
async fn the_decision_form_records_and_escapes_and_keeps_to_the_team() {
    let w = world(false).await;
    let cookie = sign_in(&w, &w.growth).await;
    let page = page_as(&w, "/review", &cookie).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text.contains("id=\"decision-form\""),
        "an editor sees the form"
    );
    assert!(
        page.text
            .contains("<option value=\"growth/partners/signed\">")
    );
    assert!(page.text.contains("No decisions recorded yet."));
    let csrf = csrf_of(&page.text);
    let text = "Pause <b>paid</b> & \"referral\" tests";
    let body = format!(
        "csrf={csrf}&text={}&about=growth%2Fpartners",
        urlencode(text)
    );
    // Without the CSRF token: refused, nothing stored.
    let r = send(&w, form_post("/review", &cookie, "text=x", None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(w.state.store().decisions().await.unwrap().is_empty());
    // Recorded, then the log shows it, newest first and escaped.
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
    assert_eq!(
        r.headers[header::LOCATION],
        "/review?recorded=1#decision-log"
    );
    let page = page_as(&w, "/review?recorded=1", &cookie).await;
    assert!(page.text.contains("Decision recorded."));
    assert!(!page.text.contains("<b>paid</b>"));
    let log = page.text.split("id=\"decisions-all\"").nth(1).unwrap();
    assert!(
        log.contains("Pause &lt;b&gt;paid&lt;/b&gt; &amp; &quot;referral&quot; tests</td><td>growth/partners</td><td>dana</td>"),
        "{log}"
    );
    let stored = w.state.store().decisions().await.unwrap();
    assert_eq!(
        (
            stored.len(),
            stored[0].about.as_deref(),
            stored[0].author.as_str()
        ),
        (1, Some("growth/partners"), "dana")
    );
    // About the company's key result: not growth's to decide; the form comes back with the
    // reason and what was typed.
    let body = format!("csrf={csrf}&text=Raise+the+target&about=company%2Fgrow%2Freach");
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("may write for growth only"), "{}", r.text);
    assert!(r.text.contains(">Raise the target</textarea>"));
    assert!(r.text.contains("value=\"company/grow/reach\""));
    // An empty decision and an unknown subject are 422s that say which field.
    let r = send(
        &w,
        form_post("/review", &cookie, &format!("csrf={csrf}&text=+"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text.contains("a decision is one sentence"));
    let body = format!("csrf={csrf}&text=x&about=nope");
    let r = send(&w, form_post("/review", &cookie, &body, None)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(w.state.store().decisions().await.unwrap().len(), 1);
    // A viewer reads the log but gets no form, and a post of theirs is refused.
    let viewer = sign_in(&w, &w.viewer).await;
    let page = page_as(&w, "/review", &viewer).await;
    assert!(!page.text.contains("id=\"decision-form\""));
    assert!(
        page.text
            .contains("recording decisions needs an editor or admin token")
    );
    let r = send(
        &w,
        form_post(
            "/review",
            &viewer,
            &format!("csrf={}&text=x", csrf_of(&page.text)),
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(w.state.store().decisions().await.unwrap().len(), 1);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

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
async fn the_openapi_document_lists_every_api_route() {
    let w = world(true).await;
    let doc = send(&w, get("/api/openapi.json", None)).await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/overview",
        "/api/alignment",
        "/api/objectives/{path}",
        "/api/key-results/{path}",
        "/api/metrics",
        "/api/metrics/{id}",
        "/api/review",
        "/api/experiments",
        "/api/checkins",
        "/api/decisions",
        "/api/refresh",
        "/api/health",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    assert_eq!(
        doc["components"]["schemas"]["CheckIn"]["properties"]["confidence"]["maximum"],
        10
    );
}

#[tokio::test]
async fn the_schedule_sends_the_digest_once_and_the_log_is_shown() {
    let hook = throughline_notify::testing::HttpReceiver::start(vec![200]).await;
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
