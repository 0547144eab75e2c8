//! The experiments page: each experiment's decision and per-variant results; `/api/experiments`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use std::collections::HashMap;
use throughline_model::{Unit, Workspace};
use throughline_review::html::{escape, inline};
use throughline_review::{ExperimentRow, Review};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed};

use crate::extract::*;
use crate::html::*;

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Experiments {
    pub experiments: Vec<ExperimentRow>,
    pub analyses: Vec<serde_json::Value>,
    /// The unit each (metric, test) is shown in ([`throughline_review::experiment_unit`]),
    /// and whether up is better for it.
    #[serde(skip)]
    pub units: HashMap<(String, String), (Unit, bool)>,
}

pub(crate) fn experiments(ws: &Workspace, c: &Computed, r: &Review) -> Experiments {
    let units = c
        .data
        .experiments
        .iter()
        .filter_map(|e| e.analysis.as_ref().ok())
        .flat_map(|a| &a.metrics)
        .map(|m| {
            (
                (m.metric.clone(), m.test.to_string()),
                (
                    throughline_review::experiment_unit(ws, &m.metric, m.test),
                    ws.metric(&m.metric)
                        .is_none_or(throughline_model::Metric::higher_is_better),
                ),
            )
        })
        .collect();
    Experiments {
        units,
        experiments: r.experiments.clone(),
        analyses: c
            .data
            .experiments
            .iter()
            .map(|e| match &e.analysis {
                Ok(a) => serde_json::to_value(a).unwrap_or_default(),
                Err(why) => serde_json::json!({ "experiment": e.id, "error": why.to_string() }),
            })
            .collect(),
    }
}

pub(crate) fn experiments_html(e: &Experiments, caller: &Caller) -> String {
    let mut s = String::from("<h1>Experiments</h1>");
    if e.experiments.is_empty() {
        s.push_str("<p>No experiments are defined (<code>experiments:</code>).</p>");
    }
    for (row, a) in e.experiments.iter().zip(&e.analyses) {
        s.push_str(&format!(
            "<h2>{}</h2><p><span class=\"pill {}\">{}</span> {}</p>",
            escape(&row.id),
            match row.decision {
                Some(throughline_experiment::Decision::Ship) => "Green",
                Some(throughline_experiment::Decision::KeepRunning) => "Unknown",
                _ => "Red",
            },
            escape(&row.label),
            inline(&row.reason)
        ));
        if let Some(h) = &row.hypothesis {
            s.push_str(&format!(
                "<p class=\"legend\">Hypothesis: {}</p>",
                escape(h)
            ));
        }
        let Some(metrics) = a.get("metrics").and_then(|m| m.as_array()) else {
            continue;
        };
        s.push_str("<table><thead><tr><th>Metric</th><th>Variant</th><th class=\"num\">Users</th><th class=\"num\">Value</th><th class=\"num\">Lift</th><th class=\"num\">95% CI</th><th>Against no effect</th><th class=\"num\">p</th></tr></thead><tbody>");
        for m in metrics {
            let id = m.get("metric").and_then(|x| x.as_str()).unwrap_or("");
            let test = m.get("test").and_then(|x| x.as_str()).unwrap_or("");
            let (unit, up) = e
                .units
                .get(&(id.to_string(), test.to_string()))
                .cloned()
                .unwrap_or((Unit::Ratio, true));
            let role = if m
                .get("guardrail")
                .and_then(|g| g.as_bool())
                .unwrap_or(false)
            {
                "guardrail"
            } else {
                "goal"
            };
            let variants: Vec<&serde_json::Value> = m
                .get("variants")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .collect();
            // one scale for the metric's intervals: the widest end, with a little room
            let span = variants
                .iter()
                .flat_map(|v| ["ci_low", "ci_high"].map(|k| v.get(k).and_then(|x| x.as_f64())))
                .flatten()
                .map(f64::abs)
                .fold(0.0, f64::max)
                * 1.15;
            for v in variants {
                let n = |k: &str| v.get(k).and_then(|x| x.as_f64());
                let value = n("value").map_or("—".into(), |x| unit.format(x));
                let lift = match (n("lift"), n("lift_relative")) {
                    (Some(l), Some(r)) => format!("{} ({})", unit.delta(l), Unit::relative(r)),
                    (Some(l), None) => unit.delta(l),
                    _ => "—".into(),
                };
                s.push_str(&format!(
                    "<tr><td><a href=\"/metrics/{}\">{}</a> <span class=\"legend\">{role}</span></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    url_path(id),
                    escape(id),
                    escape(v.get("variant").and_then(|x| x.as_str()).unwrap_or("")),
                    n("users").map_or("—".into(), |u| Unit::Count.format(u)),
                    escape(&value),
                    escape(&lift),
                    match (n("ci_low"), n("ci_high")) {
                        (Some(l), Some(h)) => escape(&format!("{} to {}", unit.delta(l), unit.delta(h))),
                        _ => "—".into(),
                    },
                    match (n("lift"), n("ci_low"), n("ci_high")) {
                        (Some(l), Some(lo), Some(hi)) => throughline_review::svg::interval(
                            &format!(
                                "{id}, {}: {} (95% CI {} to {}); the line is no effect",
                                v.get("variant").and_then(|x| x.as_str()).unwrap_or(""),
                                unit.delta(l),
                                unit.delta(lo),
                                unit.delta(hi)
                            ),
                            l,
                            (lo, hi),
                            span,
                            up
                        ),
                        _ => String::new(),
                    },
                    n("p_value").map_or("—".into(), throughline_experiment::format_p)
                ));
            }
        }
        s.push_str("</tbody></table>");
    }
    layout("Experiments", caller, &s)
}

pub(crate) async fn page_experiments(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/experiments").await);
    let e = experiments(&st.loaded().workspace, &comp, &view.review);
    Html(experiments_html(&e, &c)).into_response()
}

pub(crate) async fn api_experiments(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(experiments(
        &st.loaded().workspace,
        &comp,
        &view.review,
    )))
}

/// Every experiment's decision and analysis.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object};
    crate::pages::Resource {
        pages: vec![("/experiments", axum::routing::get(page_experiments))],
        nav: Some(("/experiments", "Experiments")),
        api: vec![("/api/experiments", axum::routing::get(api_experiments))],
        openapi: |_| {
            vec![(
                "/api/experiments",
                get(
                    "Every experiment's decision and analysis",
                    serde_json::json!([]),
                    object(),
                ),
            )]
        },
    }
}
