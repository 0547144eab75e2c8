//! The overview page: the North Star, its metric tree and the guardrails; `/api/overview`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use throughline_model::{MetricRole, Workspace};
use throughline_review::html::escape;
use throughline_review::{GuardrailRow, Movers, NorthStar, Point};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed, View};

use crate::extract::*;
use crate::html::*;
use crate::pages::*;

/// A metric in the tree under the North Star: its latest value and its inputs.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MetricNode {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub latest: Option<Point>,
    /// The change against the value before it.
    pub change: Option<f64>,
    /// The last 12 values, for a sparkline.
    pub recent: Vec<Point>,
    /// On the edge to the metric it feeds: its exact part in that metric's last change, when
    /// the parent is a formula of it, or (a lifecycle under the North Star) the users gained
    /// and lost.
    pub edge: Option<String>,
    pub children: Vec<MetricNode>,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Overview {
    pub workspace: String,
    pub week_label: String,
    pub week_span: String,
    pub data_through: Option<NaiveDate>,
    pub computed_at: DateTime<Utc>,
    pub north_star: Option<NorthStar>,
    /// The North Star and, under each metric, the metrics that `supports:` it.
    pub tree: Option<MetricNode>,
    pub guardrails: Vec<GuardrailRow>,
    /// Key results by status: done, on track, at risk, off track, no data.
    pub key_results: [usize; 5],
}

/// `child`'s part in `parent`'s last change (see [`MetricNode::edge`]).
fn edge(
    ws: &Workspace,
    c: &Computed,
    parent: &str,
    child: &str,
    ns: Option<&Movers>,
) -> Option<String> {
    let unit = |id: &str| {
        ws.metric(id)
            .and_then(|m| m.unit.as_ref())
            .map_or(throughline_model::Unit::Count, |u| u.value.clone())
    };
    let signed = |u: &throughline_model::Unit, x: f64| u.delta(x);
    if let Some(mv) = ns.filter(|mv| mv.method == "lifecycle" && mv.source == child) {
        let parts: Vec<String> = mv
            .parts
            .iter()
            .map(|p| {
                format!(
                    "{} {}",
                    signed(&throughline_model::Unit::Count, p.contribution),
                    p.label
                )
            })
            .collect();
        return Some(format!(
            "{} of the last change: {}",
            signed(&unit(parent), mv.after - mv.before),
            parts.join(" · ")
        ));
    }
    let f = throughline_review::drivers::formula(ws, ws.metric(parent)?)?;
    let values = c.data.series.get(parent)?;
    let [.., before, after] = values.as_slice() else {
        return None;
    };
    let at = |start: NaiveDate| -> Option<std::collections::BTreeMap<String, f64>> {
        f.expr
            .metrics()
            .into_iter()
            .map(|(id, _)| {
                let v = c.data.series.get(id)?.iter().find(|v| v.start == start)?;
                Some((id.to_string(), v.value))
            })
            .collect()
    };
    let split = throughline_review::drivers::split_change(
        &f,
        &at(before.start)?,
        &at(after.start)?,
        before.value,
        after.value,
    )?;
    let part = split.parts.iter().find(|p| p.metric == child)?;
    Some(format!(
        "{} of the last change ({})",
        signed(&unit(parent), part.contribution),
        signed(&unit(parent), split.after - split.before)
    ))
}

/// The tree under `id`; `ns` is the North Star's split, for the edges under it.
fn node_under(
    ws: &Workspace,
    c: &Computed,
    id: &str,
    depth: usize,
    ns: Option<&Movers>,
) -> MetricNode {
    let m = ws.metric(id);
    let values = c.data.series.get(id).map_or(&[][..], |v| v.as_slice());
    let latest = values.last().copied();
    let change = match values {
        [.., a, b] => Some(b.value - a.value),
        _ => None,
    };
    let children = if depth > 8 {
        Vec::new()
    } else {
        ws.metrics
            .iter()
            .filter(|x| x.supports.as_ref().is_some_and(|s| s.value == id))
            .map(|x| {
                let mut n = node_under(ws, c, &x.id.value, depth + 1, None);
                n.edge = edge(ws, c, id, &x.id.value, ns);
                n
            })
            .collect()
    };
    MetricNode {
        id: id.to_string(),
        name: m.map_or(id.to_string(), |m| m.display_name().to_string()),
        role: role_name(m.and_then(|m| m.role.as_ref()).map(|r| r.value)),
        unit: m
            .and_then(|m| m.unit.as_ref())
            .map_or("count".into(), |u| u.value.to_string()),
        latest,
        change,
        recent: values[values.len().saturating_sub(12)..].to_vec(),
        edge: None,
        children,
    }
}

pub(crate) fn overview(ws: &Workspace, c: &Computed, v: &View) -> Overview {
    let r = &v.review;
    let root = ws.metrics.iter().find(|m| {
        m.role
            .as_ref()
            .is_some_and(|r| r.value == MetricRole::NorthStar)
    });
    let mut counts = [0usize; 5];
    for k in &r.key_results {
        let i = match k.status.status {
            throughline_progress::Status::Done => 0,
            throughline_progress::Status::OnTrack => 1,
            throughline_progress::Status::AtRisk => 2,
            throughline_progress::Status::OffTrack => 3,
            throughline_progress::Status::Unknown => 4,
        };
        counts[i] += 1;
    }
    Overview {
        workspace: r.workspace.clone(),
        week_label: r.week_label.clone(),
        week_span: r.week_span.clone(),
        data_through: r.data_last,
        computed_at: c.at,
        north_star: r.north_star.clone(),
        tree: root.map(|m| {
            let ns = r.north_star.as_ref().and_then(|n| n.movers.as_ref());
            node_under(ws, c, &m.id.value, 0, ns)
        }),
        guardrails: r.guardrails.clone(),
        key_results: counts,
    }
}

pub(crate) fn tree_node(n: &MetricNode, out: &mut String) {
    let unit = unit_of(&n.unit);
    let latest = n.latest.map_or("—".into(), |v| unit.format(v.value));
    let change = n.change.map_or(String::new(), |c| {
        format!(
            " <span class=\"legend\">{} vs the period before</span>",
            escape(&unit.delta(c))
        )
    });
    out.push_str(&format!(
        "<li><a href=\"/metrics/{}\">{}</a> <span class=\"legend\">{}</span> <strong>{}</strong>{change} {}",
        url_path(&n.id),
        escape(&n.name),
        n.role.replace('_', " "),
        escape(&latest),
        sparkline(&n.recent, &unit, &format!("{}: recent values", n.name))
    ));
    if let Some(e) = &n.edge {
        out.push_str(&format!(" <span class=\"edge\">↑ {}</span>", escape(e)));
    }
    if !n.children.is_empty() {
        out.push_str("<ul>");
        for c in &n.children {
            tree_node(c, out);
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>");
}

pub(crate) fn overview_html(
    o: &Overview,
    review: &throughline_review::Review,
    caller: &Caller,
) -> String {
    let mut s = format!(
        "<h1>{}</h1><p class=\"sub\">{} ({}) · data through {} · computed {}</p>",
        escape(&o.workspace),
        escape(&o.week_label),
        escape(&o.week_span),
        o.data_through.map_or("—".into(), |d| d.to_string()),
        o.computed_at.format("%Y-%m-%d %H:%M UTC")
    );
    let [done, on, risk, off, unknown] = o.key_results;
    s.push_str(&format!(
        "<p>Key results: {done} done · {on} on track · {risk} at risk · {off} off track · {unknown} without data — <a href=\"/alignment\">see the alignment</a></p>"
    ));
    s.push_str("<h2>North Star</h2>");
    s.push_str(&throughline_review::html::north_star_html(review));
    if let Some(t) = &o.tree {
        s.push_str("<h2>The metric tree</h2><p class=\"legend\">Each metric under the one it feeds (<code>supports:</code>); follow a metric to its definition and the data behind it.</p><div class=\"tree\"><ul>");
        tree_node(t, &mut s);
        s.push_str("</ul></div>");
    }
    s.push_str("<h2>Guardrails and KPIs</h2>");
    s.push_str(&throughline_review::html::guardrails_html(review));
    layout(&o.workspace, caller, &s)
}

pub(crate) async fn page_overview(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, "/").await);
    let ws = &st.loaded().workspace;
    Html(overview_html(&overview(ws, &comp, &view), &view.review, &c)).into_response()
}

pub(crate) async fn api_overview(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    Ok(json(overview(&st.loaded().workspace, &comp, &view)))
}

/// The overview: the North Star, the metric tree and the guardrails.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object};
    crate::pages::Resource {
        pages: vec![("/", axum::routing::get(page_overview))],
        nav: Some(("/", "Overview")),
        api: vec![("/api/overview", axum::routing::get(api_overview))],
        openapi: |_| {
            vec![(
                "/api/overview",
                get(
                    "The North Star, the metric tree and the guardrails",
                    serde_json::json!([]),
                    object(),
                ),
            )]
        },
    }
}
