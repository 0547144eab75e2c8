//! Signing in with a token (a cookie for the pages) and signing out.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{caller, check_forgery};
use crate::error::ApiError;
use crate::state::AppState;

use crate::extract::*;
use crate::html::*;

#[derive(Deserialize)]
pub(crate) struct LoginQuery {
    next: Option<String>,
}

/// A path on this site to go back to after signing in; anything else goes home. Browsers
/// drop tabs and line breaks from a `Location` and read `\` as `/`, so `/\t/evil.example`
/// would leave the site: a path with a control character, a space or a backslash, or whose
/// second character is a `/`, is refused.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with('/')
                && !n
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace() || c == '\\') =>
        {
            n.to_string()
        }
        _ => "/".into(),
    }
}

pub(crate) async fn page_login(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let c = caller(&st, &headers).await.unwrap_or_else(|_| anonymous());
    Html(login_html(
        &c,
        &safe_next(q.next.as_deref()),
        None,
        st.settings().public_read,
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    token: String,
    next: Option<String>,
}

pub(crate) async fn post_login(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let anon = anonymous();
    if let Err(e) = check_forgery(&anon, &headers, None) {
        return error_response(&anon, e);
    }
    let Ok(Form(form)) = form else {
        let page = login_html(&anon, "/", Some("enter a token"), false);
        return (StatusCode::BAD_REQUEST, Html(page)).into_response();
    };
    let next = safe_next(form.next.as_deref());
    let secret = form.token.trim();
    match st.store().token_for_secret(secret).await {
        Ok(Some(_)) if !secret.contains([';', ',', ' ']) => {
            let cookie = crate::auth::session_cookie(&headers, secret, 2_592_000);
            ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
        }
        Ok(_) => {
            let page = login_html(
                &anon,
                &next,
                Some("that token is not valid (unknown or revoked)"),
                false,
            );
            (StatusCode::UNAUTHORIZED, Html(page)).into_response()
        }
        Err(e) => error_response(&anon, ApiError::store(e)),
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    csrf: Option<String>,
}

pub(crate) async fn post_logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Response {
    let c = caller(&st, &headers).await.unwrap_or_else(|_| anonymous());
    let given = form.ok().and_then(|f| f.0.csrf);
    if let Err(e) = check_forgery(&c, &headers, given.as_deref()) {
        return error_response(&c, e);
    }
    let clear = crate::auth::session_cookie(&headers, "", 0);
    ([(header::SET_COOKIE, clear)], Redirect::to("/")).into_response()
}

/// Signing in with a token, and out.
pub(crate) fn resource() -> crate::pages::Resource {
    crate::pages::Resource {
        pages: vec![
            ("/login", axum::routing::get(page_login).post(post_login)),
            ("/logout", axum::routing::post(post_logout)),
        ],
        nav: None,
        api: Vec::new(),
        openapi: |_| Vec::new(),
    }
}
