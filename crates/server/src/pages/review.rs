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
    held: (throughline_review::Week, throughline_review::Week),
    decisions: &[throughline_review::DecisionView],
    subjects: &[String],
    caller: &Caller,
    form: &DecisionForm,
    may_decide: Result<(), ApiError>,
) -> String {
    let mut s = week_picker(r, held);
    s.push_str(&throughline_review::html::body(r));
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
        (Err(why), Some(_)) => s.push_str(&format!(
            "<p class=\"legend\">{}</p>",
            escape(&why.error)
        )),
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
    /// `2026-W30` or a day in the week; the last complete week of data when absent.
    week: Option<String>,
}

/// The review of the week `?week=` names, built from the stored series as they stood at that
/// week's end (with the store's check-ins and decisions up to then); the view's own review,
/// of the last complete week, when none is named. An unreadable week, or one the stored
/// series do not reach, is a 422 naming `week`.
pub(crate) fn review_of_week(
    st: &AppState,
    comp: &crate::state::Computed,
    view: &crate::state::View,
    week: Option<&str>,
) -> Result<throughline_review::Review, ApiError> {
    let Some(text) = week.map(str::trim).filter(|w| !w.is_empty()) else {
        return Ok(view.review.clone());
    };
    let ws = &st.loaded().workspace;
    let week = throughline_review::Week::parse(text, ws.settings.week_start())
        .map_err(|e| ApiError::field("week", e, "write an ISO week such as `2026-W30`"))?;
    if week == comp.data.week {
        return Ok(view.review.clone());
    }
    let (first, last) = comp.data.weeks();
    match comp.data.at_week(ws, week) {
        Some(data) => Ok(data.review(ws, view.checkins.clone(), view.decisions.clone())),
        None => Err(ApiError::field(
            "week",
            format!(
                "the dashboard holds the weeks {} to {}, not {}",
                first.label(),
                last.label(),
                week.label()
            ),
            format!(
                "pick a week in that range, or compute any week with `throughline review --week {}`",
                week.label()
            ),
        )),
    }
}

/// The week picker above the review: the week shown, the weeks before and after it that the
/// dashboard holds, and a field for any other (no script needed).
fn week_picker(
    r: &throughline_review::Review,
    held: (throughline_review::Week, throughline_review::Week),
) -> String {
    let (first, last) = held;
    let shown = r.week;
    let link = |w: throughline_review::Week, label: &str| {
        format!("<a href=\"/review?week={}\">{label}</a>", w.label())
    };
    let mut nav = Vec::new();
    if shown.previous().start >= first.start {
        nav.push(link(shown.previous(), "← previous week"));
    }
    let next = throughline_review::Week {
        start: shown.end,
        end: shown.end + chrono::Duration::days(7),
    };
    if next.end <= last.end {
        nav.push(link(next, "next week →"));
    }
    if shown != last {
        nav.push(link(last, "latest week"));
    }
    let mut s = format!(
        "<form method=\"get\" action=\"/review\" class=\"picker\" style=\"display:flex;gap:12px;align-items:end;flex-wrap:wrap\"><div><label for=\"week\">Week</label><input type=\"week\" id=\"week\" name=\"week\" value=\"{}\" min=\"{}\" max=\"{}\"></div><div><button type=\"submit\">Show</button></div><p class=\"legend\">{}</p></form>",
        shown.label(),
        first.label(),
        last.label(),
        nav.join(" · ")
    );
    if shown != last {
        s.push_str(&format!(
            "<p class=\"legend\">The review as the stored values stood at the end of {}: segment breakdowns and experiments are gathered for the latest week only (<code>throughline review --week {}</code> computes them for this one).</p>",
            shown.label(),
            shown.label()
        ));
    }
    s
}

/// Whether the caller may record decisions, and why not: editors and admins may.
pub(crate) fn may_decide(c: &Caller) -> Result<(), ApiError> {
    match c.role {
        Some(crate::auth::Role::Editor | crate::auth::Role::Admin) => Ok(()),
        _ => Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            format!(
                "token `{}` is a viewer's: recording decisions needs an editor or admin token",
                c.name().unwrap_or("?")
            ),
            "sign in with an editor or admin token",
        )),
    }
}

pub(crate) async fn page_review(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ReviewQuery>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/review").await);
    let review = match review_of_week(&st, &comp, &view, q.week.as_deref()) {
        Ok(r) => r,
        Err(e) => return error_response(&c, e),
    };
    let form = DecisionForm {
        flash: q.recorded.map(|_| "Decision recorded.".to_string()),
        ..DecisionForm::default()
    };
    Html(review_html(
        &review,
        comp.data.weeks(),
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
                    st.computed().await.data.weeks(),
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
    Query(q): Query<ReviewQuery>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(&review_of_week(&st, &comp, &view, q.week.as_deref())?))
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
                        e.message(),
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

/// The weekly review with its decision log and form.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object, write};
    crate::pages::Resource {
        pages: vec![(
            "/review",
            axum::routing::get(page_review).post(post_decision_form),
        )],
        nav: Some(("/review", "Weekly review")),
        api: vec![
            ("/api/review", axum::routing::get(api_review)),
            ("/api/decisions", axum::routing::post(api_decision)),
        ],
        openapi: |_| {
            vec![
                (
                    "/api/review",
                    get(
                        "The weekly review of the last complete week, or of the week `week` names (from the stored values as they stood then)",
                        serde_json::json!([{"name": "week", "in": "query", "schema": {"type": "string"}, "description": "an ISO week (`2026-W30`) or a day in it; absent: the last complete week of data"}]),
                        object(),
                    ),
                ),
                (
                    "/api/decisions",
                    write(
                        "Record a decision",
                        serde_json::json!({"$ref": "#/components/schemas/Decision"}),
                    ),
                ),
            ]
        },
    }
}
