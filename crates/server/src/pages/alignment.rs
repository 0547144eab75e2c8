//! The alignment page: company → team → objective → key result with each one's status; `/api/alignment`.

use std::collections::BTreeSet;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use throughline_model::{Period, Workspace};
use throughline_progress::okr::{KrStatus, ObjectiveStatus};
use throughline_review::html::escape;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed, View};

use crate::extract::*;
use crate::html::*;
use crate::pages::*;

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Alignment {
    pub period: String,
    pub periods: Vec<String>,
    pub teams: Vec<String>,
    pub team: Option<String>,
    pub as_of: NaiveDate,
    pub objectives: Vec<ObjectiveStatus>,
}

pub(crate) fn alignment(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    team: Option<&str>,
    period: Option<&str>,
) -> Result<Alignment, ApiError> {
    let mut periods: Vec<Period> = ws
        .objectives
        .iter()
        .filter_map(|o| o.period.as_ref().map(|p| p.value))
        .collect();
    periods.sort_by_key(|p| (p.start(), p.end()));
    periods.dedup();
    let period = match period.filter(|p| !p.is_empty()) {
        Some(text) => Period::parse(text).map_err(|e| {
            ApiError::field(
                "period",
                format!("`{text}`: {e}"),
                "write a period like 2026-Q3",
            )
        })?,
        None => c
            .data
            .period
            .or_else(|| periods.last().copied())
            .ok_or_else(|| {
                ApiError::not_found(
                    "the workspace has no objectives with a period",
                    "add `period:` to the objectives",
                )
            })?,
    };
    let teams: BTreeSet<String> = ws
        .objectives
        .iter()
        .filter_map(|o| o.team.as_ref().map(|t| t.value.clone()))
        .collect();
    let team = team.filter(|t| !t.is_empty());
    if let Some(t) = team
        && !teams.contains(t)
    {
        return Err(ApiError::field(
            "team",
            format!("no objective belongs to the team `{t}`"),
            format!(
                "teams: {}",
                teams.iter().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Ok(Alignment {
        period: period.to_string(),
        periods: periods.iter().map(|p| p.to_string()).collect(),
        teams: teams.into_iter().collect(),
        team: team.map(str::to_string),
        as_of: as_of(c, period),
        objectives: status_of(ws, c, v, period, team),
    })
}

pub(crate) fn kr_line(o: &ObjectiveStatus, k: &KrStatus) -> String {
    let now = k.current.map_or("no value yet".into(), |c| k.show(c.value));
    let target = k
        .target
        .map_or(String::new(), |t| format!(" → {}", k.show(t)));
    let confidence = k
        .confidence
        .map_or("no check-in".into(), |c| format!("confidence {c}/10"));
    let forecast = match (k.forecast, k.target) {
        (Some(f), Some(t)) => format!(
            " · forecast {} ({} likely to reach {})",
            k.show(f.value),
            f.chance(),
            k.show(t)
        ),
        _ => String::new(),
    };
    format!(
        "<li><a href=\"/key-results/{}/{}\">{}</a> — {}{} · {} {} · {}{}</li>",
        url_path(&o.path),
        url_path(&k.id),
        escape(&k.title),
        escape(&now),
        escape(&target),
        bar(k.progress),
        status_pill(k.status),
        escape(&confidence),
        escape(&forecast)
    )
}

pub(crate) fn objective_item(
    all: &[ObjectiveStatus],
    i: usize,
    seen: &mut Vec<bool>,
    out: &mut String,
) {
    if std::mem::replace(&mut seen[i], true) {
        return;
    }
    let o = &all[i];
    out.push_str(&format!(
        "<li class=\"obj\"><a href=\"/objectives/{}\"><strong>{}</strong></a> <span class=\"id\">{}</span><br><span class=\"legend\">{} · {}</span> {} {}",
        url_path(&o.path),
        escape(&o.title),
        escape(&o.path),
        escape(o.owner.as_deref().unwrap_or("no owner")),
        if o.committed { "committed" } else { "aspirational" },
        bar(o.progress),
        status_pill(o.status)
    ));
    out.push_str("<ul class=\"krs\">");
    for k in &o.key_results {
        out.push_str(&kr_line(o, k));
    }
    for (c, child) in all.iter().enumerate() {
        let parent = child.aligns_to.as_deref();
        if c != i && (parent == Some(o.path.as_str()) || parent == Some(o.id.as_str())) {
            objective_item(all, c, seen, out);
        }
    }
    out.push_str("</ul></li>");
}

pub(crate) fn alignment_html(a: &Alignment, caller: &Caller) -> String {
    let option = |v: &str, sel: bool, label: &str| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            escape(v),
            if sel { " selected" } else { "" },
            escape(label)
        )
    };
    let mut s = format!(
        "<h1>Alignment</h1><p class=\"sub\">company → team → objective → key result · {} as of {}</p>",
        escape(&a.period),
        a.as_of
    );
    s.push_str("<form class=\"inline\" method=\"get\" action=\"/alignment\"><div><label for=\"team\">Team</label><select id=\"team\" name=\"team\">");
    s.push_str(&option("", a.team.is_none(), "every team"));
    for t in &a.teams {
        s.push_str(&option(t, a.team.as_deref() == Some(t.as_str()), t));
    }
    s.push_str("</select></div><div><label for=\"period\">Period</label><select id=\"period\" name=\"period\">");
    for p in &a.periods {
        s.push_str(&option(p, *p == a.period, p));
    }
    s.push_str("</select></div><button>Show</button></form>");
    if a.objectives.is_empty() {
        s.push_str("<p>No objectives match.</p>");
    }
    let all = &a.objectives;
    let has_parent = |o: &ObjectiveStatus| {
        o.aligns_to.as_deref().is_some_and(|p| {
            all.iter()
                .any(|x| (x.path == p || x.id == p) && x.path != o.path)
        })
    };
    let mut roots: Vec<usize> = (0..all.len()).filter(|&i| !has_parent(&all[i])).collect();
    roots.sort_by_key(|&i| !all[i].is_company_level());
    let mut seen = vec![false; all.len()];
    s.push_str("<div class=\"tree\"><ul>");
    for r in roots {
        objective_item(all, r, &mut seen, &mut s);
    }
    s.push_str("</ul></div>");
    layout("Alignment", caller, &s)
}

#[derive(Deserialize)]
pub(crate) struct AlignmentQuery {
    team: Option<String>,
    period: Option<String>,
}

pub(crate) async fn page_alignment(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AlignmentQuery>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/alignment").await);
    match alignment(
        &st.loaded().workspace,
        &comp,
        &view,
        q.team.as_deref(),
        q.period.as_deref(),
    ) {
        Ok(a) => Html(alignment_html(&a, &c)).into_response(),
        Err(e) => error_response(&c, e),
    }
}

pub(crate) async fn api_alignment(
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
    Ok(json(alignment(
        &st.loaded().workspace,
        &comp,
        &view,
        q.team.as_deref(),
        q.period.as_deref(),
    )?))
}

/// The alignment tree: company → team → objective → key result.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object, one_of_or_empty};
    crate::pages::Resource {
        pages: vec![("/alignment", axum::routing::get(page_alignment))],
        nav: Some(("/alignment", "Alignment")),
        api: vec![("/api/alignment", axum::routing::get(api_alignment))],
        openapi: |n| {
            vec![(
                "/api/alignment",
                get(
                    "Company → team → objective → key result",
                    serde_json::json!([
                        {"name": "team", "in": "query", "schema": one_of_or_empty(&n.teams), "description": "empty or absent: every team"},
                        {"name": "period", "in": "query", "schema": one_of_or_empty(&n.periods), "description": "e.g. 2026-Q3; empty or absent: the current one"}
                    ]),
                    object(),
                ),
            )]
        },
    }
}
