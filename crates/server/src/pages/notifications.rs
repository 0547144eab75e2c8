//! The notification log: every reminder, digest and alert sent or tried, newest first, with
//! the channels and rules it came from; `/api/notifications`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use throughline_review::html::escape;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use crate::extract::*;
use crate::html::*;

/// How many logged messages the page and the API show.
const SHOWN: i64 = 200;

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Entry {
    pub key: String,
    pub kind: String,
    pub channel: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: &'static str,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Notifications {
    /// Whether throughline.yaml has `notify:`.
    pub configured: bool,
    /// `name (kind)` of each channel.
    pub channels: Vec<String>,
    /// Each rule in words: `checkin-reminder via team-slack, mail`.
    pub rules: Vec<String>,
    pub log: Vec<Entry>,
}

async fn notifications(st: &AppState) -> Result<Notifications, ApiError> {
    let notify = st.loaded().workspace.settings.notify.as_ref();
    let tz = throughline_app::tz(&st.loaded().workspace);
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
    };
    let log = st
        .store()
        .notifications(SHOWN)
        .await
        .map_err(ApiError::store)?;
    Ok(Notifications {
        configured: notify.is_some(),
        channels: notify
            .map(|n| {
                n.channels
                    .values()
                    .map(|c| format!("{} ({})", c.id.value, c.kind.value.as_str()))
                    .collect()
            })
            .unwrap_or_default(),
        rules: notify
            .map(|n| {
                n.rules
                    .iter()
                    .map(|r| {
                        let via: Vec<&str> = r.via.iter().map(|v| v.value.as_str()).collect();
                        format!("{} via {}", r.send.value.as_str(), via.join(", "))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        log: log
            .into_iter()
            .map(|n| Entry {
                key: n.key,
                kind: n.kind,
                channel: n.channel,
                recipient: n.recipient,
                subject: n.subject,
                body: n.body,
                status: n.status.as_str(),
                attempts: n.attempts,
                error: n.error,
                created_at: local(n.created_at),
                updated_at: local(n.updated_at),
            })
            .collect(),
    })
}

fn notifications_html(n: &Notifications, caller: &Caller) -> String {
    let mut s = String::from("<h1>Notifications</h1>");
    if !n.configured {
        s.push_str("<p>No <code>notify:</code> settings in throughline.yaml: nothing is sent. Add channels and rules to remind owners, post the review and alert on guardrails.</p>");
    } else {
        s.push_str(&format!(
            "<p class=\"legend\">Channels: {}. Rules: {}.</p>",
            escape(&n.channels.join(", ")),
            escape(&n.rules.join("; "))
        ));
    }
    if n.log.is_empty() {
        s.push_str("<p>Nothing has been sent yet. <code>throughline notify --dry-run</code> shows what is due.</p>");
        return layout("Notifications", caller, &s);
    }
    s.push_str("<table><thead><tr><th>Last try</th><th>Kind</th><th>Channel</th><th>To</th><th>Subject</th><th>Status</th><th>Tries</th></tr></thead><tbody>");
    for e in &n.log {
        let pill = match e.status {
            "sent" => "Green",
            "failed" => "Red",
            _ => "Unknown",
        };
        let error = e.error.as_ref().map_or(String::new(), |x| {
            format!("<br><span class=\"legend\">{}</span>", escape(x))
        });
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><details><summary>{}</summary><pre>{}</pre></details></td><td><span class=\"pill {pill}\">{}</span>{error}</td><td class=\"num\">{}</td></tr>",
            escape(&e.updated_at),
            escape(&e.kind),
            escape(&e.channel),
            escape(e.recipient.as_deref().unwrap_or("—")),
            escape(&e.subject),
            escape(&e.body),
            e.status,
            e.attempts
        ));
    }
    s.push_str("</tbody></table>");
    layout("Notifications", caller, &s)
}

pub(crate) async fn page_notifications(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, _, _) = try_page!(page_ctx(&st, &headers, "/notifications").await);
    match notifications(&st).await {
        Ok(n) => Html(notifications_html(&n, &c)).into_response(),
        Err(e) => error_response(&c, e),
    }
}

pub(crate) async fn api_notifications(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    api_ctx(&st, &headers).await?;
    Ok(json(notifications(&st).await?))
}

/// The notification log, with the channels and rules.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object};
    crate::pages::Resource {
        pages: vec![("/notifications", axum::routing::get(page_notifications))],
        nav: Some(("/notifications", "Notifications")),
        api: vec![("/api/notifications", axum::routing::get(api_notifications))],
        openapi: |_| {
            vec![(
                "/api/notifications",
                get(
                    "The notification log, newest first, with the channels and rules",
                    serde_json::json!([]),
                    object(),
                ),
            )]
        },
    }
}
