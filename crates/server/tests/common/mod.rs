//! The dashboard tests' world: a small workspace with CSV data and a real SQLite store in a
//! temporary folder, tokens of each role, and requests through the real router.

#![allow(dead_code, unused_imports)]

pub use std::path::Path;

pub use axum::body::Body;
pub use axum::http::{Request, StatusCode, header};
pub use http_body_util::BodyExt;
pub use serde_json::{Value, json};
pub use throughline_server::{AppState, Settings, compute, router};
pub use throughline_store::{NewToken, ScoreRow, Store};
pub use tower::ServiceExt;

pub const THROUGHLINE: &str = "workspace: Tiny
timezone: UTC
store: sqlite://state.db
sources:
  events: { format: csv, path: data/events.csv, columns: { user: user_id, time: ts, name: event } }
  users: { format: csv, path: data/users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }
";

pub const OKRS: &str = "metrics:
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
pub fn write_workspace(dir: &Path) {
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

pub struct World {
    pub _tmp: tempfile::TempDir,
    pub state: AppState,
    pub viewer: String,
    pub growth: String,
    pub admin: String,
}

pub async fn world(public_read: bool) -> World {
    world_with(public_read, "").await
}

/// A world whose throughline.yaml ends with `extra`.
pub async fn world_with(public_read: bool, extra: &str) -> World {
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
    let state = state_of(loaded, dir, store, public_read).await;
    World {
        _tmp: tmp,
        state,
        viewer,
        growth,
        admin,
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

pub async fn send(w: &World, req: Request<Body>) -> Reply {
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

pub fn get(path: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).unwrap()
}

pub fn post_json(path: &str, token: Option<&str>, body: Value) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).unwrap()
}

pub async fn sign_in(w: &World, secret: &str) -> String {
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
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no form on the page: {page}"))
        .split('"')
        .next()
        .unwrap()
        .to_string()
}

/// A page as the holder of `cookie` sees it.
pub async fn page_as(w: &World, path: &str, cookie: &str) -> Reply {
    send(
        w,
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

pub fn form_post(path: &str, cookie: &str, body: &str, origin: Option<&str>) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "dash.example");
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The server's state over `loaded` (in `dir`), its data computed with the default engine
/// settings.
pub async fn state_of(
    loaded: throughline_model::Loaded,
    dir: std::path::PathBuf,
    store: Store,
    public_read: bool,
) -> AppState {
    let computed = compute(&loaded, &dir, &store, &Default::default(), &|_| {})
        .await
        .unwrap();
    AppState::new(
        loaded,
        dir,
        store,
        Settings {
            public_read,
            ..Settings::default()
        },
        computed,
    )
}
