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

pub fn router(state: AppState) -> Router {
    let mut r = Router::new()
        .route("/api/health", get(health))
        .route("/api/openapi.json", get(openapi))
        .route("/api/refresh", post(api_refresh));
    for resource in crate::pages::all() {
        for (path, handlers) in resource.pages.into_iter().chain(resource.api) {
            r = r.route(path, handlers);
        }
    }
    r.fallback(not_found)
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
    Json(crate::pages::openapi_document(&st.loaded().workspace)).into_response()
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
