//! A key result's page: its value over the period, forecast, check-in history and the check-in form; `/api/key-results/PATH`.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use throughline_model::Workspace;
use throughline_progress::okr::{self, CheckInView};
use throughline_review::KrRow;
use throughline_review::html::{escape, kr_chart};
use throughline_review::svg::{self, Chart};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed, View};

use crate::extract::*;
use crate::html::*;
use crate::pages::checkin::{CheckInInput, record_checkin};
use crate::pages::objective::find_objective;
use crate::pages::*;

#[derive(Clone, Debug, Serialize)]
pub(crate) struct KeyResultPage {
    /// `TEAM/OBJECTIVE/KR`.
    pub path: String,
    pub team: String,
    pub row: KrRow,
    /// This page of its check-ins, newest first ([`CHECKINS_PER_PAGE`] a page).
    pub checkins: Vec<CheckInView>,
    /// Check-ins on it in all, the page shown (from 1) and the number of pages.
    pub checkins_total: usize,
    pub page: usize,
    pub pages: usize,
    /// The confidence stated last on each day a check-in gave one, oldest first, over the
    /// whole history (the chart's points: at most one a day, however many check-ins).
    pub confidence: Vec<(chrono::NaiveDate, f64)>,
    /// Whether a value is checked in by hand (`manual:`).
    pub manual: bool,
    pub unit: String,
    /// The decisions about it and its check-ins' notes, marked on its chart at their dates.
    #[serde(skip)]
    pub marks: Vec<(chrono::NaiveDate, String)>,
}

/// Splits `TEAM/OBJECTIVE/KR` (or `OBJECTIVE/KR`) into the objective's path and the key result.
pub(crate) fn split_kr(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// Check-ins shown on one page of a key result's history: a page's size stays the same however
/// long the history grows.
pub(crate) const CHECKINS_PER_PAGE: usize = 25;

/// The key result at `path`, with page `page` (from 1) of its check-in history.
pub(crate) fn key_result(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    path: &str,
    page: usize,
) -> Result<KeyResultPage, ApiError> {
    let (opath, kid) = split_kr(path);
    let o = find_objective(ws, opath)?;
    let kr = o
        .key_results
        .iter()
        .find(|k| k.id.value == kid)
        .ok_or_else(|| {
            ApiError::not_found(
                format!("objective `{opath}` has no key result `{kid}`"),
                "the objective's page lists its key results",
            )
        })?;
    let objective = super::objective::objective(ws, c, v, opath)?;
    let (row, mut marks) = objective
        .key_results
        .into_iter()
        .zip(objective.marks)
        .find(|(r, _)| r.status.id == kid)
        .ok_or_else(|| ApiError::not_found(format!("no status for `{path}`"), "reload"))?;
    let all: Vec<&CheckInView> = v
        .checkins
        .iter()
        .filter(|x| x.objective == o.id.value && x.key_result == kid)
        .collect();
    let mut confidence: Vec<(chrono::NaiveDate, f64)> = Vec::new();
    for c in &all {
        let Some(x) = c.confidence else { continue };
        match confidence.last_mut() {
            Some(last) if last.0 == c.day => last.1 = x as f64,
            _ => confidence.push((c.day, x as f64)),
        }
    }
    marks.extend(
        all.iter()
            .filter(|c| !c.note.trim().is_empty())
            .map(|c| (c.day, format!("check-in ({}): {}", c.author, c.note.trim()))),
    );
    let total = all.len();
    let pages = total.div_ceil(CHECKINS_PER_PAGE).max(1);
    if page == 0 || page > pages {
        return Err(ApiError::field(
            "page",
            format!("`{path}` has {pages} page(s) of check-ins, not a page {page}"),
            "pages run from 1 (the newest check-ins) to the last (the oldest)",
        ));
    }
    let checkins: Vec<CheckInView> = all
        .iter()
        .rev()
        .skip((page - 1) * CHECKINS_PER_PAGE)
        .take(CHECKINS_PER_PAGE)
        .map(|c| (*c).clone())
        .collect();
    Ok(KeyResultPage {
        path: path.to_string(),
        team: team_of(o),
        unit: okr::key_result_unit(ws, kr).to_string(),
        manual: kr.metric.is_none(),
        row,
        checkins,
        checkins_total: total,
        page,
        pages,
        confidence,
        marks,
    })
}

/// The state of the check-in form: a message to show, and what was typed.
#[derive(Default)]
pub(crate) struct FormState {
    pub flash: Option<String>,
    pub error: Option<String>,
    pub note: String,
    pub value: String,
    pub confidence: Option<i64>,
}

// Long because it is the page's template, top to bottom: headline, chart, forecast, check-in
// history and the form.
pub(crate) fn key_result_html(
    p: &KeyResultPage,
    caller: &Caller,
    form: &FormState,
    may_write: Result<(), ApiError>,
) -> String {
    let r = &p.row;
    let k = &r.status;
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\"><span class=\"id\">{}</span> · objective <a href=\"/objectives/{}\">{}</a></p>",
        escape(&k.title),
        escape(&p.path),
        url_path(&r.objective),
        escape(&r.objective_title)
    );
    if let Some(f) = &form.flash {
        s.push_str(&format!(
            "<p class=\"flash\" role=\"status\">{}</p>",
            escape(f)
        ));
    }
    s.push_str("<dl class=\"facts\">");
    let fact =
        |s: &mut String, k: &str, v: String| s.push_str(&format!("<dt>{k}</dt><dd>{v}</dd>"));
    match &k.metric {
        Some(m) => fact(
            &mut s,
            "Metric",
            format!(
                "<a href=\"/metrics/{}\">{}</a> — its definition and the data behind it",
                url_path(m),
                escape(m)
            ),
        ),
        None => fact(
            &mut s,
            "Measured",
            format!("by hand: check in a value in {}", escape(&p.unit)),
        ),
    }
    fact(&mut s, "Owner", escape(k.owner.as_deref().unwrap_or("—")));
    fact(
        &mut s,
        "Current",
        escape(&k.current.map_or("no value yet".into(), |c| {
            format!("{} ({})", k.show(c.value), c.bucket())
        })),
    );
    fact(
        &mut s,
        "Baseline → target",
        escape(&match (k.baseline, k.target) {
            (Some(b), Some(t)) => format!(
                "{} → {}{}",
                k.show(b),
                k.show(t),
                k.stretch
                    .map_or(String::new(), |x| format!(" (stretch {})", k.show(x)))
            ),
            _ => "—".into(),
        }),
    );
    fact(
        &mut s,
        "Progress",
        format!("{} {}", bar(k.progress), status_pill(k.status)),
    );
    fact(
        &mut s,
        "Confidence",
        k.confidence
            .map_or("no check-in yet".into(), |c| format!("{c}/10")),
    );
    fact(
        &mut s,
        "Forecast",
        escape(&throughline_review::markdown::forecast_text(k)),
    );
    s.push_str("</dl>");
    if k.stalled {
        s.push_str("<p class=\"warn\">On track on paper, but not moving: the trend is unlikely to reach the target.</p>");
    }
    if !r.chart.is_empty() {
        s.push_str("<h2>Values against target and pacing</h2>");
        s.push_str(&kr_chart(r, 640.0, 240.0, &p.marks));
        s.push_str(&format!(
            "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:{}\"></i>value</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dashed\"></i>target</span><span><i class=\"sw\" style=\"border-color:{};border-top-style:dotted\"></i>pacing</span>{}</p>",
            svg::SERIES,
            svg::TARGET,
            svg::PACING,
            marks_legend(&p.marks)
        ));
    }
    let confidences = p.confidence.clone();
    if confidences.len() > 1 {
        let show = |v: f64| format!("{v:.0}/10");
        s.push_str("<h2>Confidence over time</h2>");
        s.push_str(
            &Chart {
                width: 640.0,
                height: 160.0,
                title: format!("{}: stated confidence at each check-in", k.title),
                series: confidences,
                levels: vec![
                    (0.0, svg::PACING, "0".into()),
                    (10.0, svg::PACING, "10".into()),
                ],
                segments: Vec::new(),
                band: None,
                x_range: None,
                axes: true,
                show: &show,
                annotations: &p.marks,
            }
            .render(),
        );
    }
    s.push_str("<h2 id=\"check-in\">Check in</h2>");
    if let Some(e) = &form.error {
        s.push_str(&format!(
            "<p class=\"err\" role=\"alert\">{}</p>",
            escape(e)
        ));
    }
    match (&may_write, caller.name()) {
        (Ok(()), _) => {
            s.push_str(&format!(
                "<form method=\"post\" action=\"/key-results/{}\" id=\"checkin-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                url_path(&p.path),
                escape(caller.csrf.as_deref().unwrap_or(""))
            ));
            s.push_str("<div class=\"inline\" style=\"display:flex;gap:12px;flex-wrap:wrap\"><div><label for=\"confidence\">Confidence that it reaches its target (0–10)</label><select id=\"confidence\" name=\"confidence\"><option value=\"\">—</option>");
            for c in throughline_app::checkin::CONFIDENCE {
                s.push_str(&format!(
                    "<option value=\"{c}\"{}>{c}</option>",
                    if form.confidence == Some(c) { " selected" } else { "" }
                ));
            }
            s.push_str("</select></div>");
            if p.manual {
                s.push_str(&format!(
                    "<div><label for=\"value\">Value ({})</label><input id=\"value\" name=\"value\" value=\"{}\" maxlength=\"{}\"></div>",
                    escape(&p.unit),
                    escape(&form.value),
                    throughline_app::checkin::MAX_VALUE
                ));
            }
            s.push_str(&format!(
                "</div><label for=\"note\">What changed, what is blocking</label><textarea id=\"note\" name=\"note\" maxlength=\"{}\">{}</textarea><p><button type=\"submit\">Record check-in</button></p></form>",
                throughline_app::checkin::MAX_NOTE,
                escape(&form.note)
            ));
        }
        (Err(why), Some(_)) => s.push_str(&format!(
            "<p class=\"legend\">{} ({})</p>",
            escape(&why.error),
            escape(&why.help)
        )),
        (Err(_), None) => s.push_str(&format!(
            "<p><a href=\"/login?next=/key-results/{}\">Sign in</a> with an editor token of team {} to check in.</p>",
            url_path(&p.path),
            escape(&p.team)
        )),
    }
    s.push_str(&format!(
        "<h2>Check-in history</h2><p class=\"legend\">{}</p>",
        match p.checkins_total {
            0 => String::new(),
            n if p.pages == 1 => format!("{n} check-in(s), newest first"),
            n => format!(
                "{n} check-ins, newest first: {} to {} on this page",
                (p.page - 1) * CHECKINS_PER_PAGE + 1,
                (p.page - 1) * CHECKINS_PER_PAGE + p.checkins.len()
            ),
        }
    ));
    if p.checkins.is_empty() {
        s.push_str("<p>No check-ins yet.</p>");
    } else {
        s.push_str("<table id=\"checkins\"><thead><tr><th>Day</th><th>Who</th><th>Confidence</th><th>Value</th><th>Note</th></tr></thead><tbody>");
        for c in &p.checkins {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                c.day,
                escape(&c.author),
                c.confidence.map_or("—".into(), |x| format!("{x}/10")),
                escape(&c.value.map_or("—".into(), |v| k.show(v))),
                escape(&c.note)
            ));
        }
        s.push_str("</tbody></table>");
        if p.pages > 1 {
            let link = |n: usize, label: &str| {
                format!(
                    "<a href=\"/key-results/{}?page={n}#checkins\">{label}</a>",
                    url_path(&p.path)
                )
            };
            let mut nav = Vec::new();
            if p.page > 1 {
                nav.push(link(p.page - 1, "← newer"));
            }
            nav.push(format!("page {} of {}", p.page, p.pages));
            if p.page < p.pages {
                nav.push(link(p.page + 1, "older →"));
            }
            s.push_str(&format!(
                "<nav class=\"pager\" aria-label=\"check-in pages\">{}</nav>",
                nav.join(" · ")
            ));
        }
    }
    layout(&k.title, caller, &s)
}

#[derive(Deserialize)]
pub(crate) struct KrQuery {
    recorded: Option<String>,
    /// The page of the check-in history, from 1 (the newest).
    page: Option<String>,
}

impl KrQuery {
    /// `?page=`, 1 when absent; not a whole number is a 422 naming the field.
    fn page(&self) -> Result<usize, ApiError> {
        match self.page.as_deref().map(str::trim) {
            None | Some("") => Ok(1),
            Some(p) => p.parse().map_err(|_| {
                ApiError::field(
                    "page",
                    format!("`{p}` is not a page number"),
                    "write `?page=2` for the second page of check-ins",
                )
            }),
        }
    }
}

/// Whether the caller may check in on the key result at `path`, and why not.
pub(crate) fn may_check_in(st: &AppState, c: &Caller, path: &str) -> Result<(), ApiError> {
    let (opath, _) = split_kr(path);
    let o = st
        .loaded()
        .workspace
        .objectives
        .iter()
        .find(|o| o.path() == opath);
    let team = o.map_or("company".into(), crate::pages::team_of);
    c.may_write(&team)
}

pub(crate) async fn page_key_result(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<KrQuery>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, &format!("/key-results/{path}")).await);
    let page = match q.page() {
        Ok(n) => n,
        Err(e) => return error_response(&c, e),
    };
    match key_result(&st.loaded().workspace, &comp, &view, &path, page) {
        Ok(p) => {
            let form = FormState {
                flash: q.recorded.map(|_| "Check-in recorded.".to_string()),
                ..FormState::default()
            };
            let may = may_check_in(&st, &c, &path);
            Html(key_result_html(&p, &c, &form, may)).into_response()
        }
        Err(e) => error_response(&c, e),
    }
}

pub(crate) async fn api_key_result(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
    Query(q): Query<KrQuery>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(key_result(
        &st.loaded().workspace,
        &comp,
        &view,
        &path,
        q.page()?,
    )?))
}

/// The legend entry for a chart's marks, when it has any.
pub(crate) fn marks_legend(marks: &[(chrono::NaiveDate, String)]) -> String {
    if marks.is_empty() {
        return String::new();
    }
    format!(
        "<span><span style=\"color:{}\">◆</span> a decision, an experiment's start or a check-in note: point at it for its text</span>",
        svg::NOTE
    )
}

/// The check-in form as posted.
#[derive(Deserialize)]
pub(crate) struct CheckInForm {
    csrf: Option<String>,
    confidence: Option<String>,
    note: Option<String>,
    value: Option<String>,
}

/// The check-in form posted from the page: recorded, or the page again with the error and
/// what was typed.
pub(crate) async fn post_checkin_form(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(path): Path<String>,
    form: Result<Form<CheckInForm>, FormRejection>,
) -> Response {
    let (c, form) = try_page!(
        posted(
            &st,
            &headers,
            form,
            |f| f.csrf.as_deref(),
            "submit the check-in form from its page"
        )
        .await
    );
    let confidence = match form
        .confidence
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("confidence `{s}` is not a whole number 0-10")),
    };
    let result = match confidence {
        Ok(confidence) => {
            record_checkin(
                &st,
                &c,
                CheckInInput {
                    key_result: path.clone(),
                    confidence,
                    note: form.note.clone().unwrap_or_default(),
                    value: form.value.clone(),
                },
            )
            .await
        }
        Err(e) => Err(ApiError::field("confidence", e, "choose 0 to 10")),
    };
    match result {
        Ok(_) => Redirect::to(&format!(
            "/key-results/{}?recorded=1#check-in",
            crate::html::url_path(&path)
        ))
        .into_response(),
        Err(e) => {
            // The page again, with the error and what was typed.
            let Ok(view) = st.view().await else {
                return error_response(&c, e);
            };
            let comp = st.computed().await;
            match key_result(&st.loaded().workspace, &comp, &view, &path, 1) {
                Ok(p) => {
                    let state = FormState {
                        flash: None,
                        error: Some(format!("{} — {}", e.error, e.help)),
                        note: form.note.unwrap_or_default(),
                        value: form.value.unwrap_or_default(),
                        confidence: form.confidence.and_then(|x| x.trim().parse().ok()),
                    };
                    let may = may_check_in(&st, &c, &path);
                    (
                        e.status,
                        Html(key_result_html(&p, &c, &state, may)),
                    )
                        .into_response()
                }
                Err(_) => error_response(&c, e),
            }
        }
    }
}


/// A key result's page and its check-in form.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object, path_param};
    crate::pages::Resource {
        pages: vec![(
            "/key-results/{*path}",
            axum::routing::get(page_key_result).post(post_checkin_form),
        )],
        nav: None,
        api: vec![("/api/key-results/{*path}", axum::routing::get(api_key_result))],
        openapi: |n| {
            vec![(
                "/api/key-results/{path}",
                get(
                    "A key result with its series and a page of its check-in history (25 a page, newest first)",
                    serde_json::json!([path_param("path", "TEAM/OBJECTIVE/KR", &n.key_results), {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "the page of check-ins, from 1 (the newest); `pages` in the answer says how many"}]),
                    object(),
                ),
            )]
        },
    }
}
