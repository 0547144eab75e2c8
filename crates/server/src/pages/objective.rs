//! An objective's page: its key results, their progress and charts; `/api/objectives/PATH`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::Duration;
use serde::Serialize;
use throughline_model::{Objective, Workspace};
use throughline_progress::okr::{CheckInView, KrStatus, ObjectiveStatus};
use throughline_review::html::{escape, kr_chart};
use throughline_review::{GuardrailRow, KrRow};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed, View};

use crate::extract::*;
use crate::html::*;
use crate::pages::*;

pub(crate) fn find_objective<'a>(ws: &'a Workspace, path: &str) -> Result<&'a Objective, ApiError> {
    ws.objectives
        .iter()
        .find(|o| o.path() == path)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("no objective `{path}`"),
                "objectives are addressed as TEAM/OBJECTIVE; the alignment page lists them",
            )
        })
}

/// A key result's row as the review shows it, for any period.
pub(crate) fn kr_row(
    c: &Computed,
    o: &ObjectiveStatus,
    k: &KrStatus,
    week: throughline_review::Week,
    checkins: &[CheckInView],
) -> KrRow {
    let chart = k
        .metric
        .as_deref()
        .and_then(|m| c.data.series.get(m))
        .map(|vs| {
            vs.iter()
                .copied()
                .filter(|v| {
                    v.start >= o.period_start - Duration::weeks(8) && v.start < o.period_end
                })
                .collect()
        })
        .unwrap_or_default();
    KrRow {
        objective: o.path.clone(),
        objective_title: o.title.clone(),
        status: k.clone(),
        checked_in: checkins
            .iter()
            .any(|x| x.objective == o.id && x.key_result == k.id && week.contains(x.day)),
        chart,
        period_start: o.period_start,
        period_end: o.period_end,
    }
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct ObjectivePage {
    pub status: ObjectiveStatus,
    pub why: Option<String>,
    pub key_results: Vec<KrRow>,
    pub initiatives: Vec<String>,
    pub guardrails: Vec<GuardrailRow>,
    /// Objectives that align to this one.
    pub children: Vec<String>,
    /// The decisions each key result's chart is marked with (in the order of `key_results`).
    #[serde(skip)]
    pub marks: Vec<Vec<(chrono::NaiveDate, String)>>,
}

pub(crate) fn objective(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    path: &str,
) -> Result<ObjectivePage, ApiError> {
    let o = find_objective(ws, path)?;
    let p = o.period.as_ref().map(|p| p.value).ok_or_else(|| {
        ApiError::not_found(
            format!("objective `{path}` has no period"),
            "add `period:` to it",
        )
    })?;
    let status = status_of(ws, c, v, p, None)
        .into_iter()
        .find(|s| s.path == path)
        .ok_or_else(|| ApiError::not_found(format!("no status for `{path}`"), "reload"))?;
    let key_results: Vec<KrRow> = status
        .key_results
        .iter()
        .map(|k| kr_row(c, &status, k, c.data.week, &v.checkins))
        .collect();
    let marks = key_results
        .iter()
        .map(|r| {
            let ids = throughline_review::html::kr_ids(r);
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            throughline_review::html::decision_marks(&v.decisions, &ids)
        })
        .collect();
    let names: Vec<&str> = o
        .guardrails
        .iter()
        .filter_map(|g| g.metric.as_ref().map(|m| m.value.as_str()))
        .collect();
    Ok(ObjectivePage {
        marks,
        why: o.why.as_ref().map(|w| w.value.clone()),
        key_results,
        initiatives: o
            .initiatives
            .iter()
            .map(|i| i.title.value.clone())
            .collect(),
        guardrails: v
            .review
            .guardrails
            .iter()
            .filter(|g| names.contains(&g.metric.as_str()))
            .cloned()
            .collect(),
        children: ws
            .objectives
            .iter()
            .filter(|x| {
                x.aligns_to
                    .as_ref()
                    .is_some_and(|a| a.value == path || a.value == o.id.value)
                    && x.path() != path
            })
            .map(|x| x.path())
            .collect(),
        status,
    })
}

pub(crate) fn kr_table(rows: &[throughline_review::KrRow]) -> String {
    let mut s = String::from(
        "<table><thead><tr><th>Key result</th><th>Current</th><th>Target</th><th>Progress</th><th>Status</th><th>Confidence</th></tr></thead><tbody>",
    );
    for r in rows {
        let k = &r.status;
        s.push_str(&format!(
            "<tr><td><a href=\"/key-results/{}/{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            url_path(&r.objective),
            url_path(&k.id),
            escape(&k.title),
            escape(&k.current.map_or("—".into(), |c| k.show(c.value))),
            escape(&k.target.map_or("—".into(), |t| k.show(t))),
            bar(k.progress),
            status_pill(k.status),
            k.confidence.map_or("—".into(), |c| format!("{c}/10"))
        ));
    }
    s.push_str("</tbody></table>");
    s
}

pub(crate) fn objective_html(p: &ObjectivePage, caller: &Caller) -> String {
    let o = &p.status;
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\"><span class=\"id\">{}</span> · {} · {} · {} · {} {}</p>",
        escape(&o.title),
        escape(&o.path),
        escape(o.owner.as_deref().unwrap_or("no owner")),
        escape(&o.period),
        if o.committed {
            "committed"
        } else {
            "aspirational"
        },
        bar(o.progress),
        status_pill(o.status)
    );
    if let Some(a) = &o.aligns_to {
        s.push_str(&format!(
            "<p>Aligns to <a href=\"/objectives/{}\">{}</a></p>",
            url_path(a),
            escape(a)
        ));
    }
    if let Some(w) = &p.why {
        s.push_str(&format!("<p><strong>Why:</strong> {}</p>", escape(w)));
    }
    s.push_str("<h2>Key results</h2>");
    s.push_str(&kr_table(&p.key_results));
    s.push_str("<div class=\"cards\">");
    for (r, marks) in p.key_results.iter().zip(&p.marks) {
        if r.chart.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "<div class=\"card\"><h3><a href=\"/key-results/{}/{}\">{}</a></h3>{}</div>",
            url_path(&r.objective),
            url_path(&r.status.id),
            escape(&r.status.title),
            kr_chart(r, 320.0, 150.0, marks)
        ));
    }
    s.push_str("</div>");
    if !p.guardrails.is_empty() {
        s.push_str("<h2>Guardrails</h2><ul>");
        for g in &p.guardrails {
            s.push_str(&format!(
                "<li><a href=\"/metrics/{}\">{}</a> <span class=\"pill {}\">{}</span> {}</li>",
                url_path(&g.metric),
                escape(&g.name),
                g.light.label(),
                g.light.label(),
                escape(g.why.as_deref().unwrap_or(""))
            ));
        }
        s.push_str("</ul>");
    }
    if !p.initiatives.is_empty() {
        s.push_str("<h2>Initiatives</h2><ul>");
        for i in &p.initiatives {
            s.push_str(&format!("<li>{}</li>", escape(i)));
        }
        s.push_str("</ul>");
    }
    if !p.children.is_empty() {
        s.push_str("<h2>Aligned objectives</h2><ul>");
        for c in &p.children {
            s.push_str(&format!(
                "<li><a href=\"/objectives/{}\">{}</a></li>",
                url_path(c),
                escape(c)
            ));
        }
        s.push_str("</ul>");
    }
    layout(&o.title, caller, &s)
}

pub(crate) async fn page_objective(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, &format!("/objectives/{path}")).await);
    match objective(&st.loaded().workspace, &comp, &view, &path) {
        Ok(p) => Html(objective_html(&p, &c)).into_response(),
        Err(e) => error_response(&c, e),
    }
}

pub(crate) async fn api_objective(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(objective(
        &st.loaded().workspace,
        &comp,
        &view,
        &path,
    )?))
}

/// An objective's page.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object, path_param};
    crate::pages::Resource {
        pages: vec![("/objectives/{*path}", axum::routing::get(page_objective))],
        nav: None,
        api: vec![("/api/objectives/{*path}", axum::routing::get(api_objective))],
        openapi: |n| {
            vec![(
                "/api/objectives/{path}",
                get(
                    "An objective with its key results and guardrails",
                    serde_json::json!([path_param("path", "TEAM/OBJECTIVE", &n.objectives)]),
                    object(),
                ),
            )]
        },
    }
}
