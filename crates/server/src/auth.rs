//! Who is calling, and what they may do. A token comes in an `Authorization: Bearer` header
//! (the API) or in the `throughline_token` cookie the sign-in form sets (the pages). Viewers
//! read; editors also check in and record decisions for their teams; admins do everything,
//! refreshes included. Without a token, reading is allowed only when the server runs with
//! public read access. A form posted with the cookie must carry the CSRF token the page was
//! rendered with, and a request whose `Origin` is another site is refused.

use axum::http::{HeaderMap, StatusCode, header};
use sha2::{Digest, Sha256};
use throughline_store::Token;

use crate::error::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "throughline_token";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "viewer" => Some(Role::Viewer),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

/// The caller of one request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token: Option<Token>,
    pub role: Option<Role>,
    /// The token came from the sign-in cookie (a browser): writes need the CSRF token.
    pub via_cookie: bool,
    /// The CSRF token of this caller's forms.
    pub csrf: Option<String>,
}

impl Caller {
    pub fn name(&self) -> Option<&str> {
        self.token.as_ref().map(|t| t.name.as_str())
    }

    /// Reading: any token, or none when reading is public.
    pub fn may_read(&self, public: bool) -> Result<(), ApiError> {
        if public || self.role.is_some() {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "this dashboard needs a token to read",
                "sign in at /login, or send `Authorization: Bearer TOKEN`; an admin creates tokens with `throughline token create`",
            ))
        }
    }

    /// Any write needs a token: without one, 401 before anything else is looked at.
    pub fn must_sign_in(&self) -> Result<(), ApiError> {
        if self.token.is_some() {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "writing needs a token",
                "send `Authorization: Bearer TOKEN` (an editor's or an admin's), or sign in at /login",
            ))
        }
    }

    /// Writing for `team`: an editor of that team (or of every team), or an admin.
    pub fn may_write(&self, team: &str) -> Result<(), ApiError> {
        let Some(token) = &self.token else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "checking in needs a token with the editor role",
                "sign in at /login, or send `Authorization: Bearer TOKEN`",
            ));
        };
        match self.role {
            Some(Role::Admin) => Ok(()),
            Some(Role::Editor)
                if token
                    .teams
                    .iter()
                    .any(|t| t == "*" || t.eq_ignore_ascii_case(team)) =>
            {
                Ok(())
            }
            Some(Role::Editor) => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "token `{}` may write for {} only, not for team `{team}`",
                    token.name,
                    token.teams.join(", ")
                ),
                format!("ask an admin for a token of team `{team}`"),
            )),
            _ => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "token `{}` is a viewer's: it may read, not write",
                    token.name
                ),
                "ask an admin for an editor token of your team",
            )),
        }
    }

    pub fn may_admin(&self) -> Result<(), ApiError> {
        self.must_sign_in()?;
        if self.role == Some(Role::Admin) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this needs a token with the admin role",
                "ask an admin, or run `throughline token create --role admin`",
            ))
        }
    }
}

/// The CSRF token for a secret: a keyed hash, so a page from another site cannot know it.
pub fn csrf_for(key: &str, secret: &str) -> String {
    Sha256::digest(format!("{key}\u{0}{secret}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The token a request carries, if any: `(secret, from the cookie)`.
fn secret(headers: &HeaderMap) -> Option<(String, bool)> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // the scheme in any case (`bearer`, `BEARER`), as HTTP has it
        .and_then(|v| {
            let (scheme, token) = v.trim_start().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        })
        .map(|s| s.trim().to_string());
    match bearer {
        Some(b) => Some((b, false)),
        None => cookie(headers, COOKIE)
            .filter(|s| !s.is_empty())
            .map(|s| (s, true)),
    }
}

/// Identifies the caller. A token that is unknown or revoked is refused (401) rather than
/// treated as anonymous, so a typo is noticed.
pub async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some((secret, via_cookie)) = secret(headers) else {
        return Ok(Caller {
            token: None,
            role: None,
            via_cookie: false,
            csrf: None,
        });
    };
    let token = state
        .store()
        .token_for_secret(&secret)
        .await
        .map_err(ApiError::store)?;
    let Some(token) = token else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "the token is not valid (unknown or revoked)",
            "sign in again at /login with a current token; `throughline token list` shows the active ones",
        ));
    };
    let role = Role::parse(&token.role);
    Ok(Caller {
        csrf: Some(csrf_for(&state.0.csrf_key, &secret)),
        token: Some(token),
        role,
        via_cookie,
    })
}

/// Refuses a write from a browser that did not come from this server's own form: a foreign
/// `Origin`, or (for cookie sign-ins) a missing or wrong CSRF token.
pub fn check_forgery(
    caller: &Caller,
    headers: &HeaderMap,
    given: Option<&str>,
) -> Result<(), ApiError> {
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split("://").nth(1).unwrap_or(origin);
        if origin != "null" && origin_host != host {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("a request from {origin} cannot write here"),
                "submit the form from the dashboard itself",
            ));
        }
    }
    if caller.via_cookie {
        let ok = matches!((given, &caller.csrf), (Some(g), Some(want)) if g == want);
        if !ok {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "the form's CSRF token is missing or stale",
                "reload the page and submit the form again",
            ));
        }
    }
    Ok(())
}

/// The `Set-Cookie` value of the sign-in cookie (`value` empty and `max_age` 0 clear it):
/// HttpOnly, SameSite=Strict, and `Secure` when the request came over HTTPS through a proxy
/// that says so (`X-Forwarded-Proto: https`, or `Forwarded: …proto=https`), so that the
/// browser never sends the token over plain HTTP.
pub(crate) fn session_cookie(headers: &HeaderMap, value: &str, max_age: u64) -> String {
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .next()
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        })
        || headers
            .get(header::FORWARDED)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split([';', ','])
                    .any(|kv| kv.trim().eq_ignore_ascii_case("proto=https"))
            });
    format!(
        "{COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{}",
        if https { "; Secure" } else { "" }
    )
}
