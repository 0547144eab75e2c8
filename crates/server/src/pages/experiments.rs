//! The experiments page: each experiment's decision and per-variant results; `/api/experiments`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use throughline_model::Unit;
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
}

pub(crate) fn experiments(c: &Computed, r: &Review) -> Experiments {
    Experiments {
        experiments: r.experiments.clone(),
        analyses: c
            .data
            .experiments
            .iter()
            .map(|e| match &e.analysis {
                Ok(a) => serde_json::to_value(a).unwrap_or_default(),
                Err(why) => serde_json::json!({ "experiment": e.id, "error": why }),
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
        s.push_str("<table><thead><tr><th>Metric</th><th>Variant</th><th>Users</th><th>Value</th><th>Lift</th><th>95% CI</th><th>p</th></tr></thead><tbody>");
        for m in metrics {
            let id = m.get("metric").and_then(|x| x.as_str()).unwrap_or("");
            let role = if m
                .get("guardrail")
                .and_then(|g| g.as_bool())
                .unwrap_or(false)
            {
                "guardrail"
            } else {
                "goal"
            };
            for v in m
                .get("variants")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let n = |k: &str| v.get(k).and_then(|x| x.as_f64());
                let f = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.3}"));
                s.push_str(&format!(
                    "<tr><td><a href=\"/metrics/{}\">{}</a> <span class=\"legend\">{role}</span></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                    url_path(id),
                    escape(id),
                    escape(v.get("variant").and_then(|x| x.as_str()).unwrap_or("")),
                    n("users").map_or("—".into(), |u| Unit::Count.format(u)),
                    f(n("value")),
                    f(n("lift")),
                    match (n("ci_low"), n("ci_high")) {
                        (Some(l), Some(h)) => format!("{l:.3} to {h:.3}"),
                        _ => "—".into(),
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
    Html(experiments_html(&experiments(&comp, &view.review), &c)).into_response()
}

pub(crate) async fn api_experiments(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(experiments(&comp, &view.review)))
}
