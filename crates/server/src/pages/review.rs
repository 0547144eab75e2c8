//! The weekly review page with its decision log and form; recording a decision (`POST /api/decisions`).

use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use throughline_model::Workspace;
use throughline_review::html::escape;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use crate::extract::*;
use crate::html::*;

/// What a decision may be about: every metric id, objective path and key result path.
pub(crate) fn decision_subjects(ws: &Workspace) -> Vec<String> {
    let metrics = ws.metrics.iter().map(|m| m.id.value.clone());
    let objectives = ws.objectives.iter().flat_map(|o| {
        std::iter::once(o.path()).chain(
            o.key_results
                .iter()
                .map(move |k| format!("{}/{}", o.path(), k.id.value)),
        )
    });
    metrics.chain(objectives).collect()
}

/// The decision form: what was typed, and how the last submission went.
#[derive(Default)]
pub(crate) struct DecisionForm {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub text: String,
    pub about: String,
}

/// How many decisions the log on the review page shows, newest first.
pub(crate) const DECISION_LOG: usize = 50;

/// The weekly review, then the decision log with the form that adds to it. `subjects` are the
/// ids a decision may be about (offered as suggestions, no script needed).
pub(crate) fn review_html(
    r: &throughline_review::Review,
    decisions: &[throughline_review::DecisionView],
    subjects: &[String],
    caller: &Caller,
    form: &DecisionForm,
    may_decide: Result<(), String>,
) -> String {
    let mut s = throughline_review::html::body(r);
    s.push_str("<section id=\"decision-log\"><h2>Decision log</h2>");
    if let Some(f) = &form.flash {
        s.push_str(&format!(
            "<p class=\"flash\" role=\"status\">{}</p>",
            escape(f)
        ));
    }
    if let Some(e) = &form.error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    match (&may_decide, caller.name()) {
        (Ok(()), _) => {
            s.push_str(&format!(
                "<form method=\"post\" action=\"/review\" id=\"decision-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
                 <label for=\"text\">What was decided</label><textarea id=\"text\" name=\"text\" maxlength=\"1000\" required>{}</textarea>\
                 <div class=\"inline\" style=\"display:flex;gap:12px;align-items:end;flex-wrap:wrap\"><div><label for=\"about\">About (a metric, objective or key result; optional)</label>\
                 <input id=\"about\" name=\"about\" list=\"subjects\" value=\"{}\" size=\"40\"><datalist id=\"subjects\">",
                escape(caller.csrf.as_deref().unwrap_or("")),
                escape(&form.text),
                escape(&form.about)
            ));
            for id in subjects {
                s.push_str(&format!("<option value=\"{}\">", escape(id)));
            }
            s.push_str("</datalist></div><div><button type=\"submit\">Record decision</button></div></div></form>");
        }
        (Err(why), Some(_)) => s.push_str(&format!("<p class=\"legend\">{}</p>", escape(why))),
        (Err(_), None) => s.push_str(
            "<p><a href=\"/login?next=/review\">Sign in</a> with an editor token to record a decision.</p>",
        ),
    }
    if decisions.is_empty() {
        s.push_str("<p>No decisions recorded yet.</p>");
    } else {
        s.push_str("<table id=\"decisions-all\"><thead><tr><th>Day</th><th>Decision</th><th>About</th><th>Who</th></tr></thead><tbody>");
        for d in decisions.iter().rev().take(DECISION_LOG) {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                d.day,
                escape(&d.text),
                escape(d.about.as_deref().unwrap_or("—")),
                escape(&d.author)
            ));
        }
        s.push_str("</tbody></table>");
        if decisions.len() > DECISION_LOG {
            s.push_str(&format!(
                "<p class=\"legend\">The newest {DECISION_LOG} of {}; <code>GET /api/review</code> and the store hold them all.</p>",
                decisions.len()
            ));
        }
    }
    s.push_str("</section>");
    layout("Weekly review", caller, &s)
}

#[derive(Deserialize)]
pub(crate) struct ReviewQuery {
    recorded: Option<String>,
}

/// Whether the caller may record decisions, in words when not: editors and admins may.
pub(crate) fn may_decide(c: &Caller) -> Result<(), String> {
    match c.role {
        Some(crate::auth::Role::Editor | crate::auth::Role::Admin) => Ok(()),
        _ => Err(format!(
            "token `{}` is a viewer's: recording decisions needs an editor or admin token",
            c.name().unwrap_or("?")
        )),
    }
}

pub(crate) async fn page_review(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReviewQuery>,
) -> Response {
    let (c, _, view) = try_page!(page_ctx(&st, &headers, "/review").await);
    let form = DecisionForm {
        flash: q.recorded.map(|_| "Decision recorded.".to_string()),
        ..DecisionForm::default()
    };
    Html(review_html(
        &view.review,
        &view.decisions,
        &decision_subjects(&st.loaded().workspace),
        &c,
        &form,
        may_decide(&c),
    ))
    .into_response()
}

#[derive(Deserialize)]
pub(crate) struct DecisionFormBody {
    csrf: Option<String>,
    text: Option<String>,
    about: Option<String>,
}

pub(crate) async fn post_decision_form(
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
                Err(_) => return error_response(&c, e),
            };
            let state = DecisionForm {
                flash: None,
                error: Some(format!("{} — {}", e.error, e.help)),
                text,
                about,
            };
            (
                e.status,
                Html(review_html(
                    &view.review,
                    &view.decisions,
                    &decision_subjects(&st.loaded().workspace),
                    &c,
                    &state,
                    may_decide(&c),
                )),
            )
                .into_response()
        }
    }
}

pub(crate) async fn api_review(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, _, view) = api_ctx(&st, &headers).await?;
    Ok(json(&view.review))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionJson {
    text: String,
    about: Option<String>,
}

pub(crate) async fn api_decision(
    State(st): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<DecisionJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let c = api_writer(&st, &headers).await?;
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
pub(crate) async fn record_decision(
    st: &AppState,
    c: &Caller,
    text: &str,
    about: Option<&str>,
) -> Result<throughline_store::Decision, ApiError> {
    let ws = &st.loaded().workspace;
    let text = text.trim();
    ApiError::plain_text("text", text)?;
    if let Some(a) = about {
        ApiError::plain_text("about", a)?;
    }
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
            Some(o) => Some(crate::pages::team_of(o)),
            None => match throughline_app::find_key_result(ws, a) {
                Ok((o, _)) => Some(crate::pages::team_of(o)),
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
    crate::pages::wait_for_view(st).await;
    Ok(d)
}
