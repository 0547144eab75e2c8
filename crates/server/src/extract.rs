//! What the handlers share: the caller and the data for a page or an API call, the limits
//! on what is posted, reading bodies and forms into clear errors, and errors as pages.

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};

use crate::auth::{Caller, caller, check_forgery};
use crate::error::ApiError;
use crate::state::{AppState, Computed, View};

use crate::html::*;

/// Request bodies larger than this are refused (413).
pub const BODY_LIMIT: usize = 16 * 1024;

/// The longest decision accepted, in characters (a check-in's note and value:
/// `throughline_app::checkin`).
pub(crate) const MAX_DECISION: usize = throughline_app::decision::MAX_TEXT;

pub(crate) type Ctx = (Caller, Arc<Computed>, Arc<View>);

/// The caller (allowed to read) and the data, for the API.
pub(crate) async fn api_ctx(st: &AppState, headers: &HeaderMap) -> Result<Ctx, ApiError> {
    let c = caller(st, headers).await?;
    c.may_read(st.settings().public_read)?;
    let view = st.view().await.map_err(ApiError::store)?;
    Ok((c, st.computed().await, view))
}

pub(crate) fn anonymous() -> Caller {
    Caller {
        token: None,
        role: None,
        via_cookie: false,
        csrf: None,
    }
}

/// An error as a page.
pub(crate) fn error_response(caller: &Caller, e: ApiError) -> Response {
    (
        e.status,
        Html(crate::html::error_page(
            caller,
            e.status.as_u16(),
            &e.error,
            &e.help,
        )),
    )
        .into_response()
}

/// The caller and the data, for a page; a reader who must sign in is sent to the sign-in page.
pub(crate) async fn page_ctx(
    st: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<Ctx, Response> {
    let c = match caller(st, headers).await {
        Ok(c) => c,
        Err(e) => {
            // A stale cookie: sign in again.
            let clear = crate::auth::session_cookie(headers, "", 0);
            let page = login_html(&anonymous(), here, Some(&e.error), false);
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
            Redirect::to(&format!("/login?next={}", crate::html::url_path(here))).into_response(),
        );
    }
    let view = st
        .view()
        .await
        .map_err(|e| error_response(&c, ApiError::store(e)))?;
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
pub(crate) use try_page;

/// A posted form's caller and fields, after the CSRF and origin checks; an error page when the
/// token, the form or the check fails. `help` says where the form is submitted from.
pub(crate) async fn posted<T>(
    st: &AppState,
    headers: &HeaderMap,
    form: Result<Form<T>, FormRejection>,
    csrf: impl Fn(&T) -> Option<&str>,
    help: &str,
) -> Result<(Caller, T), Response> {
    let c = caller(st, headers)
        .await
        .map_err(|e| error_response(&anonymous(), e))?;
    let form = match form {
        Ok(Form(f)) => f,
        Err(e) => {
            return Err(error_response(
                &c,
                ApiError::new(e.status(), e.body_text(), help),
            ));
        }
    };
    check_forgery(&c, headers, csrf(&form)).map_err(|e| error_response(&c, e))?;
    Ok((c, form))
}

pub(crate) fn json<T: serde::Serialize>(v: T) -> Response {
    Json(v).into_response()
}

/// A JSON body, or the reason it cannot be read, as an API error.
pub(crate) fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
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

/// The forgery check of an API call (`check_forgery`), with the CSRF token taken from the
/// `X-CSRF-Token` header.
pub(crate) fn header_csrf(c: &Caller, headers: &HeaderMap) -> Result<(), ApiError> {
    check_forgery(
        c,
        headers,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )
}

/// The caller of an API call that writes: signed in, and past the CSRF check.
pub(crate) async fn api_writer(st: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let c = caller(st, headers).await?;
    c.must_sign_in()?;
    header_csrf(&c, headers)?;
    Ok(c)
}
