//! The router: every page and API route with its handler (each in its page module under
//! `pages/`), the security headers on every response, the fallback, the OpenAPI document and
//! an admin's refresh.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::caller;
use crate::error::ApiError;
use crate::state::AppState;

use crate::extract::*;
use crate::pages::*;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(overview::page_overview))
        .route("/alignment", get(alignment::page_alignment))
        .route("/objectives/{*path}", get(objective::page_objective))
        .route(
            "/key-results/{*path}",
            get(key_result::page_key_result).post(checkin::post_checkin_form),
        )
        .route("/metrics", get(metric::page_metrics))
        .route("/metrics/{id}", get(metric::page_metric))
        .route(
            "/review",
            get(review::page_review).post(review::post_decision_form),
        )
        .route("/experiments", get(experiments::page_experiments))
        .route("/notifications", get(notifications::page_notifications))
        .route("/login", get(login::page_login).post(login::post_login))
        .route("/logout", post(login::post_logout))
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/overview", get(overview::api_overview))
        .route("/api/alignment", get(alignment::api_alignment))
        .route("/api/objectives/{*path}", get(objective::api_objective))
        .route("/api/key-results/{*path}", get(key_result::api_key_result))
        .route("/api/metrics", get(metric::api_metrics))
        .route("/api/metrics/{id}", get(metric::api_metric))
        .route("/api/review", get(review::api_review))
        .route("/api/experiments", get(experiments::api_experiments))
        .route("/api/notifications", get(notifications::api_notifications))
        .route("/api/checkins", post(checkin::api_checkin))
        .route("/api/decisions", post(review::api_decision))
        .route("/api/refresh", post(api_refresh))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Headers on every response: no script, no framing, no sniffing.
pub(crate) async fn security_headers(mut r: Response) -> Response {
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
    // pages and answers carry the team's data and who signed in: never kept by a cache
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// Whether the server can serve: it is up and its store answers (a store that is down is a
/// 503 naming it, so that a load balancer stops sending requests here).
pub(crate) async fn health(State(st): State<AppState>) -> Response {
    match st.store().revision().await {
        Ok(_) => Json(serde_json::json!({"status": "ok", "store": "ok"})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "unavailable", "store": e.to_string()})),
        )
            .into_response(),
    }
}

pub(crate) async fn not_found(
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
    error_response(&c, e)
}

// ---- the API ----

pub(crate) async fn openapi(State(st): State<AppState>) -> Response {
    Json(crate::openapi::document(&st.loaded().workspace)).into_response()
}

pub(crate) async fn api_refresh(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let c = caller(&st, &headers).await?;
    c.may_admin()?;
    header_csrf(&c, &headers)?;
    let at = st.refresh().await.map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            e.0,
            "check the sources; the old data is still served",
        )
    })?;
    Ok(json(serde_json::json!({"computed_at": at})))
}
