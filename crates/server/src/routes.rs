//! The routes: pages (HTML) and the API (JSON) over the same data, check-ins from a form or
//! JSON, decisions, sign-in, and an admin's refresh.

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use throughline_app::CheckInRequest;

use crate::auth::{COOKIE, Caller, caller, check_forgery};
use crate::data;
use crate::error::ApiError;
use crate::pages::{self, DecisionForm, FormState};
use crate::state::{AppState, Computed, View};

/// Request bodies larger than this are refused (413).
pub const BODY_LIMIT: usize = 16 * 1024;
/// The longest note, decision and value accepted, in characters.
pub const MAX_NOTE: usize = 2000;
pub const MAX_DECISION: usize = 1000;
pub const MAX_VALUE: usize = 40;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(page_overview))
        .route("/alignment", get(page_alignment))
        .route("/objectives/{*path}", get(page_objective))
        .route(
            "/key-results/{*path}",
            get(page_key_result).post(post_checkin_form),
        )
        .route("/metrics", get(page_metrics))
        .route("/metrics/{id}", get(page_metric))
        .route("/review", get(page_review).post(post_decision_form))
        .route("/experiments", get(page_experiments))
        .route("/login", get(page_login).post(post_login))
        .route("/logout", post(post_logout))
        .route(
            "/api/health",
            get(|| async { Json(serde_json::json!({"status": "ok"})) }),
        )
        .route("/api/openapi.json", get(openapi))
        .route("/api/overview", get(api_overview))
        .route("/api/alignment", get(api_alignment))
        .route("/api/objectives/{*path}", get(api_objective))
        .route("/api/key-results/{*path}", get(api_key_result))
        .route("/api/metrics", get(api_metrics))
        .route("/api/metrics/{id}", get(api_metric))
        .route("/api/review", get(api_review))
        .route("/api/experiments", get(api_experiments))
        .route("/api/checkins", post(api_checkin))
        .route("/api/decisions", post(api_decision))
        .route("/api/refresh", post(api_refresh))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers on every response: no script, no framing, no sniffing.
async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    r
}

type Ctx = (Caller, Arc<Computed>, Arc<View>);

/// The caller (allowed to read) and the data, for the API.
async fn api_ctx(st: &AppState, headers: &HeaderMap) -> Result<Ctx, ApiError> {
    let c = caller(st, headers).await?;
    c.may_read(st.settings().public_read)?;
    let view = st.view().await.map_err(ApiError::store)?;
    Ok((c, st.computed().await, view))
}

fn anonymous() -> Caller {
    Caller {
        token: None,
        role: None,
        via_cookie: false,
        csrf: None,
    }
}

/// An error as a page.
fn error_page(caller: &Caller, e: ApiError) -> Response {
    (
        e.status,
        Html(pages::error_page(
            caller,
            e.status.as_u16(),
            &e.error,
            &e.help,
        )),
    )
        .into_response()
}

/// The caller and the data, for a page; a reader who must sign in is sent to the sign-in page.
async fn page_ctx(st: &AppState, headers: &HeaderMap, here: &str) -> Result<Ctx, Response> {
    let c = match caller(st, headers).await {
        Ok(c) => c,
        Err(e) => {
            // A stale cookie: sign in again.
            let clear = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
            let page = pages::login(&anonymous(), here, Some(&e.error), false);
            return Err((
                StatusCode::UNAUTHORIZED,
                [(header::SET_COOKIE, clear)],
                Html(page),
            )
                .into_response());
        }
    };
    if c.may_read(st.settings().public_read).is_err() {
        return Err(
            Redirect::to(&format!("/login?next={}", pages::url_path(here))).into_response(),
        );
    }
    let view = st
        .view()
        .await
        .map_err(|e| error_page(&c, ApiError::store(e)))?;
    Ok((c, st.computed().await, view))
}

macro_rules! try_page {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(r) => return r,
        }
    };
}

async fn page_overview(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/").await);
    let ws = &st.loaded().workspace;
    Html(pages::overview(
        &data::overview(ws, &comp, &view),
        &view.review,
        &c,
    ))
    .into_response()
}

#[derive(Deserialize)]
struct AlignmentQuery {
    team: Option<String>,
    period: Option<String>,
}

async fn page_alignment(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AlignmentQuery>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/alignment").await);
    match data::alignment(
        &st.loaded().workspace,
        &comp,
        &view,
        q.team.as_deref(),
        q.period.as_deref(),
    ) {
        Ok(a) => Html(pages::alignment(&a, &c)).into_response(),
        Err(e) => error_page(&c, e),
    }
}

async fn page_objective(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, &format!("/objectives/{path}")).await);
    match data::objective(&st.loaded().workspace, &comp, &view, &path) {
        Ok(p) => Html(pages::objective(&p, &c)).into_response(),
        Err(e) => error_page(&c, e),
    }
}

#[derive(Deserialize)]
struct KrQuery {
    recorded: Option<String>,
}

/// Whether the caller may check in on the key result at `path`, in words when not.
fn may_check_in(st: &AppState, c: &Caller, path: &str) -> Result<(), String> {
    let (opath, _) = data::split_kr(path);
    let o = st
        .loaded()
        .workspace
        .objectives
        .iter()
        .find(|o| o.path() == opath);
    let team = o.map_or("company".into(), data::team_of);
    c.may_write(&team)
        .map_err(|e| format!("{} ({})", e.error, e.help))
}

async fn page_key_result(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<KrQuery>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, &format!("/key-results/{path}")).await);
    match data::key_result(&st.loaded().workspace, &comp, &view, &path) {
        Ok(p) => {
            let form = FormState {
                flash: q.recorded.map(|_| "Check-in recorded.".to_string()),
                ..FormState::default()
            };
            let may = may_check_in(&st, &c, &path);
            Html(pages::key_result(&p, &c, &form, may)).into_response()
        }
        Err(e) => error_page(&c, e),
    }
}

async fn page_metrics(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, _) = try_page!(page_ctx(&st, &headers, "/metrics").await);
    Html(pages::metrics(
        &data::metrics(&st.loaded().workspace, &comp),
        &c,
    ))
    .into_response()
}

async fn page_metric(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (c, comp, _) = try_page!(page_ctx(&st, &headers, &format!("/metrics/{id}")).await);
    match data::metric(st.loaded(), &comp, &id) {
        Ok(m) => Html(pages::metric(&m, &c)).into_response(),
        Err(e) => error_page(&c, e),
    }
}

#[derive(Deserialize)]
struct ReviewQuery {
    recorded: Option<String>,
}

/// Whether the caller may record decisions, in words when not: editors and admins may.
fn may_decide(c: &Caller) -> Result<(), String> {
    match c.role {
        Some(crate::auth::Role::Editor | crate::auth::Role::Admin) => Ok(()),
        _ => Err(format!(
            "token `{}` is a viewer's: recording decisions needs an editor or admin token",
            c.name().unwrap_or("?")
        )),
    }
}

async fn page_review(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReviewQuery>,
) -> Response {
    let (c, _, view) = try_page!(page_ctx(&st, &headers, "/review").await);
    let form = DecisionForm {
        flash: q.recorded.map(|_| "Decision recorded.".to_string()),
        ..DecisionForm::default()
    };
    Html(pages::review(
        &view.review,
        &view.decisions,
        &data::decision_subjects(&st.loaded().workspace),
        &c,
        &form,
        may_decide(&c),
    ))
    .into_response()
}

/// A posted form's caller and fields, after the CSRF and origin checks; an error page when the
/// token, the form or the check fails. `help` says where the form is submitted from.
async fn posted<T>(
    st: &AppState,
    headers: &HeaderMap,
    form: Result<Form<T>, FormRejection>,
    csrf: impl Fn(&T) -> Option<&str>,
    help: &str,
) -> Result<(Caller, T), Response> {
    let c = caller(st, headers)
        .await
        .map_err(|e| error_page(&anonymous(), e))?;
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            return Err(error_page(
                &c,
                ApiError::new(e.status(), e.body_text(), help),
            ));
        }
    };
    check_forgery(&c, headers, csrf(&form)).map_err(|e| error_page(&c, e))?;
    Ok((c, form))
}

#[derive(Deserialize)]
struct DecisionFormBody {
    csrf: Option<String>,
    text: Option<String>,
    about: Option<String>,
}

async fn post_decision_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<DecisionFormBody>, FormRejection>,
) -> Response {
    let (c, form) = try_page!(
        posted(
            &st,
            &headers,
            form,
            |f| f.csrf.as_deref(),
            "submit the decision form from /review"
        )
        .await
    );
    let text = form.text.unwrap_or_default();
    let about = form.about.unwrap_or_default();
    let result = match c.must_sign_in() {
        Ok(()) => {
            record_decision(&st, &c, &text, Some(about.trim()).filter(|a| !a.is_empty())).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to("/review?recorded=1#decision-log").into_response(),
        Err(e) => {
            // The page again, with the error and what was typed.
            let view = match st.view().await {
                Ok(v) => v,
                Err(_) => return error_page(&c, e),
            };
            let state = DecisionForm {
                flash: None,
                error: Some(format!("{} — {}", e.error, e.help)),
                text,
                about,
            };
            (
                e.status,
                Html(pages::review(
                    &view.review,
                    &view.decisions,
                    &data::decision_subjects(&st.loaded().workspace),
                    &c,
                    &state,
                    may_decide(&c),
                )),
            )
                .into_response()
        }
    }
}

async fn page_experiments(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/experiments").await);
    Html(pages::experiments(
        &data::experiments(&comp, &view.review),
        &c,
    ))
    .into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

/// A path on this site to go back to after signing in; anything else goes home.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".into(),
    }
}

async fn page_login(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let c = caller(&st, &headers).await.unwrap_or_else(|_| anonymous());
    Html(pages::login(
        &c,
        &safe_next(q.next.as_deref()),
        None,
        st.settings().public_read,
    ))
    .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn post_login(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let anon = anonymous();
    if let Err(e) = check_forgery(&anon, &headers, None) {
        return error_page(&anon, e);
    }
    let Ok(Form(form)) = form else {
        let page = pages::login(&anon, "/", Some("enter a token"), false);
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    let next = safe_next(form.next.as_deref());
    let secret = form.token.trim();
    match st.store().token_for_secret(secret).await {
        Ok(Some(_)) if !secret.contains([';', ',', ' ']) => {
            let cookie =
                format!("{COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000");
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Ok(_) => {
            let page = pages::login(
                &anon,
                &next,
                Some("that token is not valid (unknown or revoked)"),
                false,
            );
            (StatusCode::UNAUTHORIZED, Html(page)).into_response()
        }
        Err(e) => error_page(&anon, ApiError::store(e)),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn post_logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let c = caller(&st, &headers).await.unwrap_or_else(|_| anonymous());
    let given = form.ok().and_then(|f| f.0.csrf);
    if let Err(e) = check_forgery(&c, &headers, given.as_deref()) {
        return error_page(&c, e);
    }
    let clear = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response()
}

/// What a check-in says, from a form or JSON.
struct CheckInInput {
    key_result: String,
    confidence: Option<i64>,
    note: String,
    value: Option<String>,
}

/// Validates and records a check-in for the caller: the key result exists, the caller may
/// write for its team, the fields are in range, the period is open.
async fn record_checkin(
    st: &AppState,
    c: &Caller,
    input: CheckInInput,
) -> Result<throughline_store::CheckIn, ApiError> {
    let ws = &st.loaded().workspace;
    let (o, _) = throughline_app::find_key_result(ws, &input.key_result).map_err(|e| {
        ApiError::field("key_result", e, "name the key result as TEAM/OBJECTIVE/KR")
    })?;
    c.may_write(&data::team_of(o))?;
    if input.note.chars().count() > MAX_NOTE {
        return Err(ApiError::field(
            "note",
            format!("the note is longer than {MAX_NOTE} characters"),
            "shorten it",
        ));
    }
    if input
        .value
        .as_ref()
        .is_some_and(|v| v.chars().count() > MAX_VALUE)
    {
        return Err(ApiError::field(
            "value",
            format!("the value is longer than {MAX_VALUE} characters"),
            "write a number, e.g. `12` or `35%`",
        ));
    }
    if let Some(x) = input.confidence
        && !(0..=10).contains(&x)
    {
        return Err(ApiError::field(
            "confidence",
            format!("confidence {x} is out of range"),
            "give 0 (no chance) to 10 (certain)",
        ));
    }
    if input.confidence.is_none()
        && input.note.trim().is_empty()
        && input.value.as_ref().is_none_or(|v| v.trim().is_empty())
    {
        return Err(ApiError::field(
            "note",
            "a check-in needs at least a confidence, a note or (for manual key results) a value",
            "say how likely the target is (0-10) and what changed",
        ));
    }
    let request = CheckInRequest {
        key_result: input.key_result,
        value: input.value.filter(|v| !v.trim().is_empty()),
        confidence: input.confidence,
        note: input.note,
        author: c.name().unwrap_or("unknown").to_string(),
    };
    let checkin = throughline_app::validate_checkin(ws, request).map_err(|e| {
        let field = if e.contains("value") {
            "value"
        } else if e.contains("confidence") {
            "confidence"
        } else {
            "note"
        };
        ApiError::field(
            field,
            e,
            "`throughline checkin --help` describes a check-in",
        )
    })?;
    let stored = st
        .store()
        .record_checkin(&checkin)
        .await
        .map_err(ApiError::store)?;
    tracing::info!(
        id = %stored.id,
        objective = %checkin.objective,
        key_result = %checkin.key_result,
        author = %checkin.author,
        "check-in recorded"
    );
    Ok(stored)
}

#[derive(Deserialize)]
struct CheckInForm {
    csrf: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
    value: Option<String>,
}

async fn post_checkin_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
    form: Result<Form<CheckInForm>, FormRejection>,
) -> Response {
    let (c, form) = try_page!(
        posted(
            &st,
            &headers,
            form,
            |f| f.csrf.as_deref(),
            "submit the check-in form from its page"
        )
        .await
    );
    let confidence = match form
        .confidence
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("confidence `{s}` is not a whole number 0-10")),
    };
    let result = match confidence {
        Ok(confidence) => {
            record_checkin(
                &st,
                &c,
                CheckInInput {
                    key_result: path.clone(),
                    confidence,
                    note: form.note.clone().unwrap_or_default(),
                    value: form.value.clone(),
                },
            )
            .await
        }
        Err(e) => Err(ApiError::field("confidence", e, "choose 0 to 10")),
    };
    match result {
        Ok(_) => Redirect::to(&format!(
            "/key-results/{}?recorded=1#check-in",
            pages::url_path(&path)
        ))
        .into_response(),
        Err(e) => {
            // The page again, with the error and what was typed.
            let Ok(view) = st.view().await else {
                return error_page(&c, e);
            };
            let comp = st.computed().await;
            match data::key_result(&st.loaded().workspace, &comp, &view, &path) {
                Ok(p) => {
                    let state = FormState {
                        flash: None,
                        error: Some(format!("{} — {}", e.error, e.help)),
                        note: form.note.unwrap_or_default(),
                        value: form.value.unwrap_or_default(),
                        confidence: form.confidence.and_then(|x| x.trim().parse().ok()),
                    };
                    let may = may_check_in(&st, &c, &path);
                    (e.status, Html(pages::key_result(&p, &c, &state, may))).into_response()
                }
                Err(_) => error_page(&c, e),
            }
        }
    }
}

async fn not_found(
    State(st): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let e = ApiError::not_found(
        format!("nothing at {}", uri.path()),
        "start at the overview: /",
    );
    if uri.path().starts_with("/api/") {
        return e.into_response();
    }
    let c = caller(&st, &headers).await.unwrap_or_else(|_| anonymous());
    error_page(&c, e)
}

// ---- the API ----

async fn openapi(State(st): State<AppState>) -> Response {
    Json(crate::openapi::document(&st.loaded().workspace)).into_response()
}

fn json<T: serde::Serialize>(v: T) -> Response {
    Json(v).into_response()
}

async fn api_overview(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(data::overview(&st.loaded().workspace, &comp, &view)))
}

async fn api_alignment(
    State(st): State<AppState>,
    headers: HeaderMap,
    q: Result<Query<AlignmentQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| {
        ApiError::new(
            e.status(),
            e.body_text(),
            "give `team` and `period` at most once each",
        )
    })?;
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(data::alignment(
        &st.loaded().workspace,
        &comp,
        &view,
        q.team.as_deref(),
        q.period.as_deref(),
    )?))
}

async fn api_objective(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(data::objective(
        &st.loaded().workspace,
        &comp,
        &view,
        &path,
    )?))
}

async fn api_key_result(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(data::key_result(
        &st.loaded().workspace,
        &comp,
        &view,
        &path,
    )?))
}

async fn api_metrics(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (_, comp, _) = api_ctx(&st, &headers).await?;
    Ok(json(data::metrics(&st.loaded().workspace, &comp)))
}

async fn api_metric(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (_, comp, _) = api_ctx(&st, &headers).await?;
    Ok(json(data::metric(st.loaded(), &comp, &id)?))
}

async fn api_review(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (_, _, view) = api_ctx(&st, &headers).await?;
    Ok(json(&view.review))
}

async fn api_experiments(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(data::experiments(&comp, &view.review)))
}

/// A JSON body, or the reason it cannot be read, as an API error.
fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v).map_err(|e| {
        let help = match e.status() {
            StatusCode::PAYLOAD_TOO_LARGE => format!("send at most {BODY_LIMIT} bytes"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                "send `Content-Type: application/json`".to_string()
            }
            _ => "the OpenAPI document at /api/openapi.json describes the body".to_string(),
        };
        ApiError::new(e.status(), e.body_text(), help)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckInJson {
    key_result: String,
    /// A number, so that `7.0` (a whole number to JSON Schema) is read as 7.
    confidence: Option<f64>,
    #[serde(default)]
    note: String,
    value: Option<serde_json::Value>,
}

async fn api_checkin(
    State(st): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<CheckInJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let c = caller(&st, &headers).await?;
    c.must_sign_in()?;
    check_forgery(
        &c,
        &headers,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )?;
    let b = body(b)?;
    let confidence = match b.confidence {
        None => None,
        Some(x) if x.fract() == 0.0 && (0.0..=10.0).contains(&x) => Some(x as i64),
        Some(x) => {
            return Err(ApiError::field(
                "confidence",
                format!("confidence {x} is not a whole number from 0 to 10"),
                "give 0 (no chance) to 10 (certain)",
            ));
        }
    };
    let value = match b.value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(ApiError::field(
                "value",
                "`value` must be a number or text like \"35%\"",
                "send e.g. \"value\": 4",
            ));
        }
    };
    let stored = record_checkin(
        &st,
        &c,
        CheckInInput {
            key_result: b.key_result,
            confidence,
            note: b.note,
            value,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": stored.id,
            "recorded_at": stored.recorded_at,
            "objective": stored.checkin.objective,
            "key_result": stored.checkin.key_result,
            "period": stored.checkin.period,
            "confidence": stored.checkin.confidence,
            "value": stored.checkin.value,
            "note": stored.checkin.note,
            "author": stored.checkin.author,
        })),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionJson {
    text: String,
    about: Option<String>,
}

async fn api_decision(
    State(st): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<DecisionJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let c = caller(&st, &headers).await?;
    c.must_sign_in()?;
    check_forgery(
        &c,
        &headers,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )?;
    let b = body(b)?;
    let about = b.about.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let d = record_decision(&st, &c, &b.text, about).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"id": d.id, "text": d.text, "about": d.about, "author": d.author, "decided_at": d.decided_at})),
    )
        .into_response())
}

/// Validates and records a decision for the caller: one sentence, about nothing, a metric, or an
/// objective or key result of the workspace; about an objective or key result it is its team's to
/// record, otherwise any editor's or admin's.
async fn record_decision(
    st: &AppState,
    c: &Caller,
    text: &str,
    about: Option<&str>,
) -> Result<throughline_store::Decision, ApiError> {
    let ws = &st.loaded().workspace;
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DECISION {
        return Err(ApiError::field(
            "text",
            format!("a decision is one sentence of 1 to {MAX_DECISION} characters"),
            "write what was decided",
        ));
    }
    let team = match about {
        None => None,
        Some(a) if ws.metric(a).is_some() => None,
        Some(a) => match ws
            .objectives
            .iter()
            .find(|o| o.path() == a || o.id.value == a)
        {
            Some(o) => Some(data::team_of(o)),
            None => match throughline_app::find_key_result(ws, a) {
                Ok((o, _)) => Some(data::team_of(o)),
                Err(e) => {
                    return Err(ApiError::field(
                        "about",
                        e,
                        "name a metric, an objective or a key result",
                    ));
                }
            },
        },
    };
    match &team {
        Some(t) => c.may_write(t)?,
        None => {
            if !matches!(
                c.role,
                Some(crate::auth::Role::Editor | crate::auth::Role::Admin)
            ) {
                c.may_write("company")?;
            }
        }
    }
    let d = st
        .store()
        .record_decision(text, about, c.name().unwrap_or("unknown"))
        .await
        .map_err(ApiError::store)?;
    tracing::info!(id = %d.id, author = %d.author, "decision recorded");
    Ok(d)
}

async fn api_refresh(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let c = caller(&st, &headers).await?;
    c.may_admin()?;
    check_forgery(
        &c,
        &headers,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )?;
    let at = st.refresh().await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.0,
            "check the sources; the old data is still served",
        )
    })?;
    Ok(json(serde_json::json!({"computed_at": at})))
}
