//! The metrics catalog and a metric's page: its definition as a formula, lineage, targets and stored values; `/api/metrics`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;
use throughline_model::{Grain, Workspace};
use throughline_progress::okr::{self};
use throughline_review::Point;
use throughline_review::html::{escape, inline};
use throughline_review::svg::{self, Chart};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::{AppState, Computed};

use crate::extract::*;
use crate::html::*;
use crate::pages::*;

#[derive(Clone, Debug, Serialize)]
pub(crate) struct MetricSummary {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub owner: Option<String>,
    pub compute: Option<&'static str>,
    pub latest: Option<Point>,
    /// Why a computed metric has no value at all (an event name the data never has…).
    pub no_data: Vec<String>,
}

/// Why a computed metric has no complete value at all: the run's warnings that name it, or
/// a plain sentence when none does. Empty when it has values or is not computed.
fn no_data(m: &throughline_model::Metric, c: &Computed) -> Vec<String> {
    let has_values = c
        .data
        .series
        .get(&m.id.value)
        .is_some_and(|s| !s.is_empty());
    if has_values || m.compute.is_none() {
        return Vec::new();
    }
    let named = format!("metric `{}`", m.id.value);
    let why: Vec<String> = c
        .warnings
        .iter()
        .filter(|w| w.contains(&named))
        .cloned()
        .collect();
    if why.is_empty() {
        vec!["no complete period has a value yet".to_string()]
    } else {
        why
    }
}

pub(crate) fn metrics(ws: &Workspace, c: &Computed) -> Vec<MetricSummary> {
    ws.metrics
        .iter()
        .map(|m| MetricSummary {
            id: m.id.value.clone(),
            name: m.display_name().to_string(),
            role: role_name(m.role.as_ref().map(|r| r.value)),
            unit: m
                .unit
                .as_ref()
                .map_or("count".into(), |u| u.value.to_string()),
            owner: m.owner.as_ref().map(|o| o.value.clone()),
            compute: m.compute.as_ref().map(|x| x.value.type_name()),
            latest: c
                .data
                .series
                .get(&m.id.value)
                .and_then(|s| s.last().copied()),
            no_data: no_data(m, c),
        })
        .collect()
}

/// One stored value behind a metric.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct StoredValue {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub complete: bool,
    pub measured_at: DateTime<Utc>,
    pub definition_hash: String,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Target {
    pub period: String,
    pub target: f64,
    pub stretch: Option<f64>,
    /// The key result that sets it, or `None` for the metric's own `targets:`.
    pub key_result: Option<String>,
}

/// A metric in the definition template: definition, formula, data source, segmentation,
/// cadence, owner, targets, related metrics, lineage, and the stored values behind it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct MetricPage {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub direction: Option<&'static str>,
    pub timing: Option<&'static str>,
    pub definition: Option<String>,
    pub formula: Option<String>,
    /// Where it is defined and the lines as written.
    pub defined_at: Option<String>,
    pub source_lines: Vec<String>,
    pub sources: Vec<String>,
    pub sql: Vec<(String, String)>,
    /// When the events are in PostgreSQL: where each plan runs.
    pub database: Vec<(String, String)>,
    pub segments: Vec<String>,
    pub cadence_report: Option<&'static str>,
    pub cadence_review: Option<&'static str>,
    pub owner: Option<String>,
    pub targets: Vec<Target>,
    pub healthy_min: Option<f64>,
    pub healthy_max: Option<f64>,
    pub related: Vec<(String, String)>,
    /// The metrics it feeds, up to the North Star (`supports:`).
    pub supports: Vec<String>,
    /// The metrics that feed it.
    pub inputs: Vec<String>,
    /// The metrics it is computed from, and those computed from it.
    pub computed_from: Vec<String>,
    pub used_by_metrics: Vec<String>,
    pub key_results: Vec<String>,
    pub guardrail_of: Vec<String>,
    pub experiments: Vec<String>,
    pub values: Vec<StoredValue>,
    /// A funnel's or a lifecycle's latest complete period, step by step.
    pub steps: Option<Steps>,
    /// Why it has no value at all, when it has none.
    pub no_data: Vec<String>,
    /// Its complete values over time, oldest first (the chart), at [`MetricPage::grain`].
    pub series: Vec<Point>,
    /// The grain of `series`: its own (`cadence.report`, else week) unless another was asked.
    pub grain: &'static str,
    /// Why it has no values at the grain asked for, when it has none.
    pub grain_error: Option<String>,
    /// The period still running at its own grain (its first day, local) and its value so far.
    pub running: Option<(chrono::NaiveDate, f64)>,
    /// Its values by segment, one table per dimension of its `segments:`.
    pub by_segment: Vec<SegmentTable>,
    /// Decisions about it and the start of experiments that measure it, marked on its chart.
    #[serde(skip)]
    pub marks: Vec<(chrono::NaiveDate, String)>,
}

/// The marks on metric `id`'s chart: the decisions about it (or about nothing in
/// particular), and the first day of each experiment that measures it.
fn metric_marks(
    c: &Computed,
    id: &str,
    decisions: &[throughline_review::DecisionView],
) -> Vec<(chrono::NaiveDate, String)> {
    let mut marks = throughline_review::html::decision_marks(decisions, &[id]);
    if let Some(last) = c.data.data_last {
        for e in &c.data.experiments {
            let Ok(a) = &e.analysis else { continue };
            if !a.metrics.iter().any(|m| m.metric == id) {
                continue;
            }
            let start = last - chrono::Duration::days(a.days_running.round() as i64);
            marks.push((start, format!("experiment `{}` started", e.id)));
        }
    }
    marks
}

impl MetricPage {
    /// The grain the metric is measured at: its `cadence.report`, else a week.
    fn own_grain(&self) -> &'static str {
        self.cadence_report.unwrap_or("week")
    }

    /// Whether the series is at a grain other than the metric's own (asked for by the view).
    fn other_grain(&self) -> bool {
        self.grain != self.own_grain()
    }
}

/// The page at the grain the view asks for, when it is not the metric's own: its series
/// replaced by the values measured at that grain (or why there are none).
async fn at_grain(st: &AppState, m: &mut MetricPage, view: &ChartView) {
    let Some(g) = view.grain() else { return };
    if g.as_str() == m.grain {
        return;
    }
    m.grain = g.as_str();
    m.series.clear();
    match st.series_at(g).await {
        Ok(at) => match (at.series.get(&m.id), at.failed.get(&m.id)) {
            (Some(v), _) => m.series = v.clone(),
            (None, Some(why)) => m.grain_error = Some(why.clone()),
            (None, None) => {
                m.grain_error = Some("it is not computed (no `compute:`)".into());
            }
        },
        Err(e) => m.grain_error = Some(e.0),
    }
}

/// A metric's values by the segments of one dimension over its latest periods.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct SegmentTable {
    pub dimension: String,
    /// The periods shown, oldest first (their first days).
    pub periods: Vec<chrono::NaiveDate>,
    /// One row per segment, the highest latest value first.
    pub rows: Vec<SegmentRow>,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct SegmentRow {
    pub segment: String,
    /// The value in each of [`SegmentTable::periods`], `None` where it has none.
    pub values: Vec<Option<f64>>,
    /// Every complete value, for its small chart.
    pub series: Vec<Point>,
}

/// Periods a segment table shows.
const SEGMENT_PERIODS: usize = 6;

/// The metric's values by segment, from the stored values of each dimension.
fn segment_tables(id: &str, c: &Computed) -> Vec<SegmentTable> {
    let Some(all) = c.segments.get(id) else {
        return Vec::new();
    };
    let mut dims: Vec<&str> = all.iter().map(|s| s.dimension.as_str()).collect();
    dims.dedup();
    dims.into_iter()
        .map(|d| {
            let of_d: Vec<_> = all.iter().filter(|s| s.dimension == d).collect();
            let mut periods: Vec<chrono::NaiveDate> = of_d
                .iter()
                .flat_map(|s| s.values.iter().map(|v| v.start))
                .collect();
            periods.sort_unstable();
            periods.dedup();
            let periods = periods.split_off(periods.len().saturating_sub(SEGMENT_PERIODS));
            let mut rows: Vec<SegmentRow> = of_d
                .iter()
                .map(|s| SegmentRow {
                    segment: s.segment.clone(),
                    values: periods
                        .iter()
                        .map(|p| s.values.iter().find(|v| v.start == *p).map(|v| v.value))
                        .collect(),
                    series: s.values.clone(),
                })
                .collect();
            let latest = |r: &SegmentRow| r.values.last().copied().flatten();
            rows.sort_by(|a, b| {
                latest(b)
                    .unwrap_or(f64::NEG_INFINITY)
                    .total_cmp(&latest(a).unwrap_or(f64::NEG_INFINITY))
                    .then_with(|| a.segment.cmp(&b.segment))
            });
            SegmentTable {
                dimension: d.to_string(),
                periods,
                rows,
            }
        })
        .collect()
}

/// Each step's users in one period: a funnel's steps, or a lifecycle's statuses.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Steps {
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    /// Step (or status) and users.
    pub steps: Vec<(String, f64)>,
    /// A lifecycle's statuses (dormant users count down), not a funnel's steps.
    pub lifecycle: bool,
    /// A lifecycle's statuses in each of its last periods (up to 12), oldest first, in the
    /// order of `steps`.
    pub history: Vec<(chrono::NaiveDate, Vec<f64>)>,
}

/// A lifecycle status's color in the chart over time.
fn status_color(name: &str) -> &'static str {
    match name {
        "new" => "#16a34a",
        "returning" => svg::SERIES,
        "resurrected" => "#0891b2",
        "dormant" => svg::LIMIT,
        _ => svg::PACING,
    }
}

/// The latest period in which every step of `id` was measured.
fn steps(m: &throughline_model::Metric, c: &Computed) -> Option<Steps> {
    let kind = m.compute.as_ref()?.value.steps()?;
    // lifecycle statuses are counts of users, drawn with their history; funnel steps are shares
    let (names, lifecycle) = (kind.names, !kind.shares);
    let series = |name: &str| c.data.series.get(&format!("{}#{name}", m.id.value));
    let last = *series(names[0])?.last()?;
    let steps = names
        .iter()
        .map(|n| {
            let v = series(n)?.iter().find(|v| v.start == last.start)?;
            Some((n.to_string(), v.value))
        })
        .collect::<Option<Vec<_>>>()?;
    let history = if lifecycle {
        let firsts = series(names[0])?;
        firsts[firsts.len().saturating_sub(12)..]
            .iter()
            .filter_map(|f| {
                let values = names
                    .iter()
                    .map(|n| Some(series(n)?.iter().find(|v| v.start == f.start)?.value))
                    .collect::<Option<Vec<f64>>>()?;
                Some((f.start, values))
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(Steps {
        start: last.start,
        end: last.end,
        steps,
        lifecycle,
        history,
    })
}

// Long because it gathers a metric page's parts in order (definition, lineage, targets, stored
// values, SQL); each part is a few lines.
pub(crate) fn metric(
    loaded: &throughline_model::Loaded,
    c: &Computed,
    id: &str,
    decisions: &[throughline_review::DecisionView],
) -> Result<MetricPage, ApiError> {
    let ws = &loaded.workspace;
    let m = ws.metric(id).ok_or_else(|| {
        let ids = ws.metrics.iter().map(|m| m.id.value.as_str());
        let hint = throughline_model::did_you_mean(id, ids)
            .map_or(String::new(), |s| format!("did you mean `{s}`? "));
        ApiError::not_found(
            format!("no metric `{id}`"),
            format!("{hint}the metrics catalog lists them"),
        )
    })?;
    let mut supports = Vec::new();
    let mut at = m.supports.as_ref().map(|s| s.value.clone());
    while let Some(s) = at.filter(|s| !supports.contains(s) && supports.len() < 16) {
        at = ws
            .metric(&s)
            .and_then(|x| x.supports.as_ref())
            .map(|x| x.value.clone());
        supports.push(s);
    }
    let refs = |x: &throughline_model::Metric| -> Vec<String> {
        x.compute.as_ref().map_or(Vec::new(), |c| {
            c.value.metric_refs().into_iter().map(|r| r.value).collect()
        })
    };
    let mut targets: Vec<Target> = m
        .targets
        .iter()
        .map(|t| Target {
            period: t.period.value.to_string(),
            target: t.target.value,
            stretch: t.stretch.as_ref().map(|s| s.value),
            key_result: None,
        })
        .collect();
    let mut key_results = Vec::new();
    for (o, k) in ws.key_results() {
        if k.metric.as_ref().is_some_and(|x| x.value == id) {
            let path = format!("{}/{}", o.path(), k.id.value);
            let unit = okr::key_result_unit(ws, k);
            if let (Some(p), Some(t)) = (
                &o.period,
                k.target.as_ref().and_then(|t| unit.accept(&t.value).ok()),
            ) {
                targets.push(Target {
                    period: p.value.to_string(),
                    target: t,
                    stretch: k.stretch.as_ref().and_then(|s| unit.accept(&s.value).ok()),
                    key_result: Some(path.clone()),
                });
            }
            key_results.push(path);
        }
    }
    let (defined_at, source_lines) = loaded.definition_lines(m.span).unwrap_or_default();
    let explained = c.explained.get(id).cloned().unwrap_or_default();
    let mut related = Vec::new();
    for (kind, list) in [
        ("leading", &m.related.leading),
        ("lagging", &m.related.lagging),
        ("input", &m.related.input),
    ] {
        related.extend(list.iter().map(|r| (kind.to_string(), r.value.clone())));
    }
    Ok(MetricPage {
        marks: metric_marks(c, id, decisions),
        id: id.to_string(),
        name: m.display_name().to_string(),
        role: role_name(m.role.as_ref().map(|r| r.value)),
        unit: m
            .unit
            .as_ref()
            .map_or("count".into(), |u| u.value.to_string()),
        direction: m.direction.as_ref().map(|d| match d.value {
            throughline_model::Direction::Up => "up",
            throughline_model::Direction::Down => "down",
        }),
        timing: m.timing.as_ref().map(|t| match t.value {
            throughline_model::Timing::Leading => "leading",
            throughline_model::Timing::Lagging => "lagging",
        }),
        definition: m.description.as_ref().map(|d| d.value.clone()),
        formula: m.compute.as_ref().map(|c| c.value.describe()),
        defined_at: (!defined_at.is_empty()).then_some(defined_at),
        source_lines,
        sources: explained.sources,
        sql: explained.sql,
        database: explained.database,
        segments: m.segments.iter().map(|s| s.value.clone()).collect(),
        cadence_report: m
            .cadence
            .as_ref()
            .and_then(|c| c.report.as_ref())
            .map(|g| g.value.as_str()),
        cadence_review: m
            .cadence
            .as_ref()
            .and_then(|c| c.review.as_ref())
            .map(|g| g.value.as_str()),
        owner: m.owner.as_ref().map(|o| o.value.clone()),
        targets,
        healthy_min: m
            .healthy
            .as_ref()
            .and_then(|h| h.min.as_ref())
            .map(|v| v.value),
        healthy_max: m
            .healthy
            .as_ref()
            .and_then(|h| h.max.as_ref())
            .map(|v| v.value),
        related,
        supports,
        inputs: ws
            .metrics
            .iter()
            .filter(|x| x.supports.as_ref().is_some_and(|s| s.value == id))
            .map(|x| x.id.value.clone())
            .collect(),
        computed_from: refs(m),
        used_by_metrics: ws
            .metrics
            .iter()
            .filter(|x| refs(x).iter().any(|r| r == id))
            .map(|x| x.id.value.clone())
            .collect(),
        key_results,
        guardrail_of: ws
            .objectives
            .iter()
            .filter(|o| {
                o.guardrails
                    .iter()
                    .any(|g| g.metric.as_ref().is_some_and(|x| x.value == id))
            })
            .map(|o| o.path())
            .collect(),
        experiments: ws
            .experiments
            .iter()
            .filter(|e| {
                e.goal_metrics
                    .iter()
                    .chain(&e.guardrail_metrics)
                    .any(|x| x.value == id)
            })
            .map(|e| e.id.value.clone())
            .collect(),
        values: c
            .stored
            .get(id)
            .map(|rows| {
                rows.iter()
                    .rev()
                    .take(26)
                    .map(|s| StoredValue {
                        start: s.value.start,
                        end: s.value.end,
                        value: s.value.value,
                        numerator: s.value.numerator,
                        denominator: s.value.denominator,
                        complete: s.value.complete,
                        measured_at: s.measured_at,
                        definition_hash: s.value.definition_hash.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        steps: steps(m, c),
        no_data: no_data(m, c),
        series: c.data.series.get(id).cloned().unwrap_or_default(),
        grain: m
            .cadence
            .as_ref()
            .and_then(|c| c.report.as_ref())
            .map_or("week", |g| g.value.as_str()),
        grain_error: None,
        running: c
            .stored
            .get(id)
            .and_then(|rows| rows.last())
            .filter(|s| !s.value.complete)
            .and_then(|s| throughline_app::series::of_snapshot(s, throughline_app::tz(ws)))
            .map(|v| (v.start, v.value)),
        by_segment: segment_tables(id, c),
    })
}

pub(crate) fn metrics_html(list: &[MetricSummary], caller: &Caller) -> String {
    let mut s = String::from(
        "<h1>Metrics</h1><p class=\"sub\">Every metric with its definition, formula, data source and owner.</p><table><thead><tr><th>Metric</th><th>Role</th><th>Type</th><th>Owner</th><th>Latest</th></tr></thead><tbody>",
    );
    for m in list {
        let unit = unit_of(&m.unit);
        s.push_str(&format!(
            "<tr><td><a href=\"/metrics/{}\">{}</a> <span class=\"id\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
            url_path(&m.id),
            escape(&m.name),
            escape(&m.id),
            m.role.replace('_', " "),
            m.compute.unwrap_or("—"),
            escape(m.owner.as_deref().unwrap_or("—")),
            match (&m.latest, m.no_data.is_empty()) {
                (Some(v), _) => escape(&unit.format(v.value)),
                (None, false) => "no data".into(),
                (None, true) => "—".into(),
            }
        ));
    }
    s.push_str("</tbody></table>");
    layout("Metrics", caller, &s)
}

pub(crate) fn metric_links(ids: &[String]) -> String {
    if ids.is_empty() {
        return "—".into();
    }
    ids.iter()
        .map(|i| format!("<a href=\"/metrics/{}\">{}</a>", url_path(i), escape(i)))
        .collect::<Vec<_>>()
        .join(", ")
}

// Long because it is the page's template, top to bottom.
pub(crate) fn metric_html(m: &MetricPage, caller: &Caller, view: &ChartView) -> String {
    let unit = unit_of(&m.unit);
    let mut s = format!(
        "<h1>Metric: {}</h1><p class=\"sub\"><span class=\"id\">{}</span> · {} · {} · {}{}</p>",
        escape(&m.name),
        escape(&m.id),
        m.role.replace('_', " "),
        escape(&m.unit),
        m.direction
            .map_or(String::new(), |d| format!("{d} is better")),
        m.timing.map_or(String::new(), |t| format!(" · {t}"))
    );
    for why in &m.no_data {
        s.push_str(&format!(
            "<p class=\"warn\">No data, not 0: {}</p>",
            escape(why)
        ));
    }
    s.push_str(&metric_chart(m, &unit, view));
    s.push_str(&segments_html(m, &unit, view));
    s.push_str(&format!(
        "<h2>Definition</h2><p>{}</p>",
        escape(
            m.definition
                .as_deref()
                .unwrap_or("No description: add `description:` to the metric.")
        )
    ));
    s.push_str(&format!(
        "<h2>Formula</h2><p>{}</p>",
        inline(
            m.formula
                .as_deref()
                .unwrap_or("No `compute:`: this metric is not computed.")
        )
    ));
    if let Some(st) = &m.steps {
        let (heading, what) = if st.lifecycle {
            (
                "Users by status",
                "new, returning and resurrected users count up; dormant users (active the period before, not this one) count down, left of zero",
            )
        } else {
            ("Step by step", "users at each step")
        };
        s.push_str(&format!(
            "<h2>{heading}</h2><p class=\"legend\">{} to {}: {what}</p>",
            st.start,
            st.end - chrono::Duration::days(1)
        ));
        s.push_str(&throughline_review::svg::steps(
            &format!("{} step by step", m.name),
            &st.steps,
        ));
        if st.history.len() >= 2 {
            let parts: Vec<(&str, &str)> = st
                .steps
                .iter()
                .map(|(name, _)| (name.as_str(), status_color(name)))
                .collect();
            let show = |v: f64| throughline_model::Unit::Count.format(v);
            s.push_str("<h3>Users by status over time</h3>");
            s.push_str(&throughline_review::svg::stacked(
                &format!("{}: users by status in each period", m.name),
                &st.history,
                &parts,
                &show,
            ));
            s.push_str("<p class=\"legend\">");
            for (name, color) in &parts {
                s.push_str(&format!(
                    "<span><i class=\"sw\" style=\"border-color:{color};border-top-width:8px\"></i>{}</span>",
                    escape(name)
                ));
            }
            s.push_str(" dormant users are drawn below zero.</p>");
        }
    }
    if let Some(at) = &m.defined_at {
        s.push_str(&format!(
            "<p class=\"legend\">As written at {}:</p><pre>{}</pre>",
            escape(at),
            escape(&m.source_lines.join("\n"))
        ));
    }
    s.push_str("<h2>Data source</h2><ul>");
    for src in &m.sources {
        s.push_str(&format!("<li>{}</li>", escape(src)));
    }
    s.push_str("</ul>");
    for (label, place) in &m.database {
        s.push_str(&format!(
            "<p class=\"legend\">Where <code>{}</code> runs: {}.</p>",
            escape(label),
            escape(place)
        ));
    }
    let sent = if m.database.is_empty() {
        "(PostgreSQL dialect)"
    } else {
        "as sent to PostgreSQL"
    };
    for (label, sql) in &m.sql {
        s.push_str(&format!(
            "<p class=\"legend\">The query of <code>{}</code> {sent}:</p><pre>{}</pre>",
            escape(label),
            escape(sql)
        ));
    }
    s.push_str(&format!(
        "<h2>Segmentation</h2><p>{}</p><h2>Cadence</h2><p>Reported {}, reviewed {}</p><h2>Owner</h2><p>{}</p>",
        if m.segments.is_empty() { "—".into() } else { escape(&m.segments.join(", ")) },
        m.cadence_report.unwrap_or("—"),
        m.cadence_review.unwrap_or("—"),
        escape(m.owner.as_deref().unwrap_or("No owner: add `owner:`."))
    ));
    s.push_str("<h2>Targets</h2>");
    if m.targets.is_empty() && m.healthy_min.is_none() && m.healthy_max.is_none() {
        s.push_str("<p>—</p>");
    } else {
        s.push_str("<table><thead><tr><th>Period</th><th>Target</th><th>Stretch</th><th>Set by</th></tr></thead><tbody>");
        for t in &m.targets {
            s.push_str(&format!(
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&t.period),
                escape(&unit.format(t.target)),
                escape(&t.stretch.map_or("—".into(), |x| unit.format(x))),
                t.key_result.as_ref().map_or(
                    "the metric's <code>targets:</code>".into(),
                    |k| format!("<a href=\"/key-results/{}\">{}</a>", url_path(k), escape(k))
                )
            ));
        }
        s.push_str("</tbody></table>");
        if m.healthy_min.is_some() || m.healthy_max.is_some() {
            s.push_str(&format!(
                "<p>Healthy range: {} to {}</p>",
                escape(&m.healthy_min.map_or("—".into(), |v| unit.format(v))),
                escape(&m.healthy_max.map_or("—".into(), |v| unit.format(v)))
            ));
        }
    }
    s.push_str("<h2>Related metrics</h2><ul>");
    for (kind, id) in &m.related {
        s.push_str(&format!(
            "<li>{} <a href=\"/metrics/{}\">{}</a></li>",
            escape(kind),
            url_path(id),
            escape(id)
        ));
    }
    if m.related.is_empty() {
        s.push_str("<li>—</li>");
    }
    s.push_str("</ul><h2>Lineage</h2><dl class=\"facts\">");
    s.push_str(&format!(
        "<dt>Feeds (up to the North Star)</dt><dd>{}</dd>",
        metric_links(&m.supports)
    ));
    s.push_str(&format!(
        "<dt>Fed by</dt><dd>{}</dd>",
        metric_links(&m.inputs)
    ));
    s.push_str(&format!(
        "<dt>Computed from</dt><dd>{}</dd>",
        metric_links(&m.computed_from)
    ));
    s.push_str(&format!(
        "<dt>Read by</dt><dd>{}</dd>",
        metric_links(&m.used_by_metrics)
    ));
    s.push_str(&format!(
        "<dt>Key results</dt><dd>{}</dd>",
        page_links("/key-results/", &m.key_results)
    ));
    s.push_str(&format!(
        "<dt>Guardrail of</dt><dd>{}</dd>",
        page_links("/objectives/", &m.guardrail_of)
    ));
    s.push_str(&format!(
        "<dt>Experiments</dt><dd>{}</dd></dl>",
        if m.experiments.is_empty() {
            "—".into()
        } else {
            escape(&m.experiments.join(", "))
        }
    ));
    s.push_str("<h2 id=\"data\">The data behind it</h2><p class=\"legend\">The stored values (newest first), each with the hash of the definition that produced it. <code>throughline measure --explain ");
    s.push_str(&escape(&m.id));
    s.push_str("</code> shows the same plan.</p><table><thead><tr><th>Period</th><th>Value</th><th>Numerator</th><th>Denominator</th><th>Complete</th><th>Measured</th><th>Definition</th></tr></thead><tbody>");
    for v in &m.values {
        let num = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x}"));
        s.push_str(&format!(
            "<tr><td>{} – {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>",
            v.start.format("%Y-%m-%d"),
            v.end.format("%Y-%m-%d"),
            escape(&v.value.map_or("—".into(), |x| unit.format(x))),
            num(v.numerator),
            num(v.denominator),
            if v.complete { "yes" } else { "no (partial)" },
            v.measured_at.format("%Y-%m-%d %H:%M"),
            escape(&v.definition_hash.chars().take(12).collect::<String>())
        ));
    }
    s.push_str("</tbody></table>");
    layout(&m.name, caller, &s)
}

/// The metric over time: axes, its targets and healthy range as labelled lines.
/// How the metric page's chart is drawn: how many of the latest periods (all when `None`),
/// and what it is compared with (`previous`: the period before; `year`: a year earlier).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub(crate) struct ChartView {
    pub range: Option<String>,
    pub compare: Option<String>,
    /// `day`, `week`, `month` or `quarter`; the metric's own grain when `None`.
    pub grain: Option<String>,
    /// How the tables by segment are ordered: `latest` (default), `change` or `segment`.
    pub sort: Option<String>,
}

/// The grains a chart can be drawn at.
const GRAINS: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter];

impl ChartView {
    /// The view, or a 422 naming the query field that is not one of its values.
    pub(crate) fn checked(self) -> Result<ChartView, ApiError> {
        let grains: Vec<&str> = GRAINS.iter().map(|g| g.as_str()).collect();
        one_of(
            "range",
            &self.range,
            &["12", "26", "52", "all"],
            "is not a range",
            "range is 12, 26 or 52 (the latest periods) or all",
        )?;
        one_of(
            "compare",
            &self.compare,
            &["previous", "year", "none"],
            "is not something to compare with",
            "compare is previous (the period before), year (a year earlier) or none",
        )?;
        one_of(
            "grain",
            &self.grain,
            &grains,
            "is not a grain",
            "grain is day, week, month or quarter",
        )?;
        one_of(
            "sort",
            &self.sort,
            &["latest", "change", "segment"],
            "is not an order of the tables by segment",
            "sort is latest (the highest latest value first), change (the largest change \
             over the periods shown first) or segment (by name)",
        )?;
        Ok(self)
    }

    /// The grain asked for, if any.
    fn grain(&self) -> Option<Grain> {
        let g = self.grain.as_deref()?;
        GRAINS.into_iter().find(|x| x.as_str() == g)
    }

    /// This view's query with some of its fields replaced.
    fn query(&self, with: Change) -> String {
        let mut q = Vec::new();
        let pick = |new: Option<&'static str>, old: &Option<String>| {
            new.map(str::to_string).or_else(|| old.clone())
        };
        for (name, v) in [
            ("grain", pick(with.grain, &self.grain)),
            ("range", pick(with.range, &self.range)),
            ("compare", pick(with.compare, &self.compare)),
            ("sort", pick(with.sort, &self.sort)),
        ] {
            if let Some(v) = v {
                q.push(format!("{name}={v}"));
            }
        }
        if q.is_empty() {
            String::new()
        } else {
            format!("?{}", q.join("&amp;"))
        }
    }
}

/// A 422 naming query field `field` when its value is not one of `allowed`.
fn one_of(
    field: &str,
    value: &Option<String>,
    allowed: &[&str],
    what: &str,
    help: &str,
) -> Result<(), ApiError> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => {
            Err(ApiError::field(field, format!("`{v}` {what}"), help))
        }
        _ => Ok(()),
    }
}

/// What a link changes in the view.
#[derive(Clone, Copy, Default)]
struct Change {
    grain: Option<&'static str>,
    range: Option<&'static str>,
    compare: Option<&'static str>,
    sort: Option<&'static str>,
}

/// The links that change the chart's grain, range and comparison, the one shown in bold.
fn view_links(id: &str, v: &ChartView, grain: &str) -> String {
    // one link per option (`value`, label), each changing the view as `set` says
    let choices =
        |options: &[(&'static str, &str)], on: &str, set: &dyn Fn(&'static str) -> Change| {
            options
                .iter()
                .map(|(value, label)| {
                    if *value == on {
                        format!("<strong>{label}</strong>")
                    } else {
                        let q = v.query(set(value));
                        format!("<a href=\"/metrics/{}{q}\">{label}</a>", url_path(id))
                    }
                })
                .collect::<Vec<_>>()
                .join(" · ")
        };
    let grains: Vec<(&'static str, &str)> =
        GRAINS.iter().map(|g| (g.as_str(), g.as_str())).collect();
    let grains = choices(&grains, grain, &|g| Change {
        grain: Some(g),
        ..Change::default()
    });
    let ranges = choices(
        &[
            ("12", "12 periods"),
            ("26", "26"),
            ("52", "52"),
            ("all", "all"),
        ],
        v.range.as_deref().unwrap_or("all"),
        &|r| Change {
            range: Some(r),
            ..Change::default()
        },
    );
    let compares = choices(
        &[
            ("none", "nothing"),
            ("previous", "the period before"),
            ("year", "a year earlier"),
        ],
        v.compare.as_deref().unwrap_or("none"),
        &|c| Change {
            compare: Some(c),
            ..Change::default()
        },
    );
    format!("<p class=\"legend\">Per {grains} · show {ranges} · compare with {compares}</p>")
}

/// The value a period earlier than `v` by one period (`previous`) or by a year (`year`).
fn earlier(series: &[Point], i: usize, how: &str) -> Option<f64> {
    let v = &series[i];
    match how {
        "previous" => i.checked_sub(1).map(|j| series[j].value),
        "year" => {
            let days = (v.end - v.start).num_days();
            let then = if days == 7 || days == 1 {
                v.start - chrono::Duration::days(364)
            } else {
                v.start.checked_sub_months(chrono::Months::new(12))?
            };
            series.iter().find(|x| x.start == then).map(|x| x.value)
        }
        _ => None,
    }
}

fn metric_chart(m: &MetricPage, unit: &throughline_model::Unit, view: &ChartView) -> String {
    let other_grain = m.other_grain();
    if let Some(why) = &m.grain_error {
        return format!(
            "<h2>Over time</h2>{}<p class=\"warn\">No values per {}: {}</p>",
            view_links(&m.id, view, m.grain),
            m.grain,
            escape(why)
        );
    }
    if m.series.len() < 2 {
        if !other_grain {
            return String::new();
        }
        return format!(
            "<h2>Over time</h2>{}<p class=\"legend\">Fewer than two complete periods per {}: nothing to draw.</p>",
            view_links(&m.id, view, m.grain),
            m.grain
        );
    }
    let keep = match view.range.as_deref() {
        Some("12") => 12,
        Some("26") => 26,
        Some("52") => 52,
        _ => usize::MAX,
    };
    let from = m.series.len().saturating_sub(keep.max(2));
    // what the chart is compared with: the same periods, each one's earlier value, dotted
    let how = view.compare.as_deref().unwrap_or("none");
    let mut compare_segments = Vec::new();
    let mut compared: Vec<(chrono::NaiveDate, f64)> = Vec::new();
    for i in from..m.series.len() {
        if let Some(e) = earlier(&m.series, i, how) {
            compared.push((m.series[i].start, e));
        }
    }
    let what = if how == "year" {
        "a year earlier"
    } else {
        "the period before"
    };
    for w in compared.windows(2) {
        compare_segments.push(svg::Segment {
            from: w[0],
            to: w[1],
            color: svg::PACING,
            label: format!("{what}: {}", unit.format(w[1].1)),
        });
    }
    let show = |v: f64| unit.format(v);
    let mut levels = Vec::new();
    // the target of the period the latest value is in, else of the latest period begun
    // by then (and its stretch)
    let last = m.series.last().map(|v| v.start);
    let begun = |t: &Target| {
        let p = throughline_model::Period::parse(&t.period).ok()?;
        last.filter(|d| p.start() <= *d)
            .map(|d| (d < p.end(), p.start()))
    };
    // targets and healthy ranges are set on the values at the metric's own grain
    let chosen = if other_grain {
        None
    } else {
        m.targets.iter().filter_map(begun).max()
    };
    // every target set for that period (two key results may set two)
    for t in m
        .targets
        .iter()
        .filter(|t| chosen.is_some() && begun(t) == chosen)
    {
        let said = |what: &str, v: f64| {
            let who = t
                .key_result
                .as_deref()
                .map_or(String::new(), |k| format!(" ({k})"));
            format!("{what} {}{who}", show(v))
        };
        levels.push((t.target, svg::TARGET, said("target", t.target)));
        if let Some(st) = t.stretch {
            levels.push((st, svg::TARGET, said("stretch", st)));
        }
    }
    if let Some(v) = m.healthy_min.filter(|_| !other_grain) {
        levels.push((v, svg::PACING, format!("healthy ≥ {}", show(v))));
    }
    if let Some(v) = m.healthy_max.filter(|_| !other_grain) {
        levels.push((v, svg::PACING, format!("healthy ≤ {}", show(v))));
    }
    let shown = &m.series[from..];
    // the normal wobble around the average of the periods before the latest: a latest value
    // inside the band has not moved (the review's test of a move, drawn)
    let n = m.series.len();
    let band = (n > throughline_review::AVERAGE_OF && !other_grain)
        .then(|| {
            let before = &m.series[n - 1 - throughline_review::AVERAGE_OF..n - 1];
            let avg = before.iter().map(|v| v.value).sum::<f64>() / before.len() as f64;
            let sigma = throughline_review::wobble(&m.series, n - 1)?;
            let half = throughline_review::NOISE_Z
                * sigma
                * (1.0 / throughline_review::AVERAGE_OF as f64 + 1.0).sqrt();
            Some((before[0].start.max(shown[0].start), avg - half, avg + half))
        })
        .flatten();
    // the period still running, dotted from the last complete one: its value so far
    let running = m
        .running
        .filter(|(d, _)| !other_grain && shown.last().is_some_and(|l| *d > l.start));
    let mut segments = compare_segments;
    if let (Some((d, v)), Some(l)) = (running, shown.last()) {
        segments.push(svg::Segment {
            from: (l.start, l.value),
            to: (d, v),
            color: svg::SERIES,
            label: format!("so far, the period still running: {} (not final)", show(v)),
        });
    }
    let chart = Chart {
        width: 720.0,
        height: 240.0,
        title: format!("{} over time", m.name),
        series: m.series[from..]
            .iter()
            .map(|v| (v.start, v.value))
            .collect(),
        levels,
        segments,
        band,
        x_range: running.map(|(d, _)| (shown[0].start, d)),
        axes: true,
        show: &show,
        annotations: &m.marks,
    };
    let set_on = if other_grain
        && (!m.targets.is_empty() || m.healthy_min.is_some() || m.healthy_max.is_some())
    {
        format!(
            " Targets and the healthy range are set on the values per {}: not drawn per {}.",
            m.own_grain(),
            m.grain
        )
    } else {
        String::new()
    };
    format!(
        "<h2>Over time</h2>{}<div class=\"chart\">{}</div><p class=\"legend\">Per {}, complete periods ({} of {} shown){}.{}{}{} {}</p>",
        view_links(&m.id, view, m.grain),
        chart.render(),
        m.grain,
        m.series.len() - from,
        m.series.len(),
        if running.is_some() {
            "; the period still running is dotted, its value so far not final"
        } else {
            ""
        },
        if band.is_some() {
            format!(
                " The shaded band is the average of the {} periods before the latest ± its normal wobble: a latest value inside it has not moved.",
                throughline_review::AVERAGE_OF
            )
        } else {
            String::new()
        },
        if compared.is_empty() {
            String::new()
        } else {
            format!(" The dotted line is each period's value {what}.")
        },
        set_on,
        super::key_result::marks_legend(&m.marks)
    )
}

/// The values by segment: per dimension, a row per segment over the latest periods, its
/// change over them and a small chart of its whole history; ordered as the view asks (the
/// column headers are the links that order it).
fn segments_html(m: &MetricPage, unit: &throughline_model::Unit, view: &ChartView) -> String {
    let order = view.sort.as_deref().unwrap_or("latest");
    let head = |label: &str, key: &'static str, class: &str| {
        if order == key {
            format!("<th{class} aria-sort=\"descending\">{label} ▾</th>")
        } else {
            let q = view.query(Change {
                sort: Some(key),
                ..Change::default()
            });
            format!(
                "<th{class}><a href=\"/metrics/{}{q}#by-segment\">{label}</a></th>",
                url_path(&m.id)
            )
        }
    };
    let mut s = String::new();
    if !m.by_segment.is_empty() {
        s.push_str("<span id=\"by-segment\"></span>");
    }
    for t in &m.by_segment {
        let mut rows: Vec<&SegmentRow> = t.rows.iter().collect();
        match order {
            "segment" => rows.sort_by(|a, b| a.segment.cmp(&b.segment)),
            "change" => rows.sort_by(|a, b| {
                let size = |r: &SegmentRow| change(r).map_or(f64::NEG_INFINITY, f64::abs);
                size(b).total_cmp(&size(a))
            }),
            _ => {}
        }
        let note = if m.other_grain() {
            format!(" <span class=\"legend\">(per {})</span>", m.own_grain())
        } else {
            String::new()
        };
        s.push_str(&format!(
            "<h2>By {}{note}</h2><div class=\"scroll\"><table class=\"segments\"><thead><tr>{}",
            escape(&t.dimension),
            head(&escape(&t.dimension), "segment", "")
        ));
        let last = t.periods.len().saturating_sub(1);
        for (i, p) in t.periods.iter().enumerate() {
            let label = p.format("%b %-d").to_string();
            if i == last {
                s.push_str(&head(&label, "latest", " class=\"num\""));
            } else {
                s.push_str(&format!("<th class=\"num\">{label}</th>"));
            }
        }
        s.push_str(&head("Change", "change", " class=\"num\""));
        s.push_str("<th>History</th></tr></thead><tbody>");
        for r in rows {
            s.push_str(&format!("<tr><td>{}</td>", escape(&r.segment)));
            for v in &r.values {
                s.push_str(&format!(
                    "<td class=\"num\">{}</td>",
                    escape(&v.map_or("—".into(), |x| unit.format(x)))
                ));
            }
            s.push_str(&format!(
                "<td class=\"num\">{}</td><td>{}</td></tr>",
                escape(&change(r).map_or("—".into(), |d| unit.delta(d))),
                sparkline(&r.series, unit, &format!("{} for {}", m.name, r.segment))
            ));
        }
        s.push_str("</tbody></table></div>");
    }
    s
}

/// A segment's change from the first to the last of the periods shown that have a value.
fn change(r: &SegmentRow) -> Option<f64> {
    let mut known = r.values.iter().flatten();
    let first = *known.next()?;
    let last = *known.next_back()?;
    Some(last - first)
}

pub(crate) async fn page_metrics(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let (c, comp, _) = try_page!(page_ctx(&st, &headers, "/metrics").await);
    Html(metrics_html(&metrics(&st.loaded().workspace, &comp), &c)).into_response()
}

pub(crate) async fn page_metric(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(chart): axum::extract::Query<ChartView>,
) -> Response {
    let (c, comp, view) = try_page!(page_ctx(&st, &headers, &format!("/metrics/{id}")).await);
    let chart = match chart.checked() {
        Ok(v) => v,
        Err(e) => return error_response(&c, e),
    };
    match metric(st.loaded(), &comp, &id, &view.decisions) {
        Ok(mut m) => {
            at_grain(&st, &mut m, &chart).await;
            Html(metric_html(&m, &c, &chart)).into_response()
        }
        Err(e) => error_response(&c, e),
    }
}

pub(crate) async fn api_metrics(
    State(st): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (_, comp, _) = api_ctx(&st, &headers).await?;
    Ok(json(metrics(&st.loaded().workspace, &comp)))
}

pub(crate) async fn api_metric(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::extract::Query(chart): axum::extract::Query<ChartView>,
) -> Result<Response, ApiError> {
    let (_, comp, view) = api_ctx(&st, &headers).await?;
    let chart = chart.checked()?;
    let mut m = metric(st.loaded(), &comp, &id, &view.decisions)?;
    at_grain(&st, &mut m, &chart).await;
    Ok(json(m))
}

/// Links to the pages under `prefix` (`/key-results/`, `/objectives/`) of `paths`, or a dash.
fn page_links(prefix: &str, paths: &[String]) -> String {
    if paths.is_empty() {
        return "—".into();
    }
    paths
        .iter()
        .map(|p| format!("<a href=\"{prefix}{}\">{}</a>", url_path(p), escape(p)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The metrics catalog and each metric's page.
pub(crate) fn resource() -> crate::pages::Resource {
    use crate::openapi::{get, object, path_param};
    use axum::routing::get as handle;
    crate::pages::Resource {
        pages: vec![
            ("/metrics", handle(page_metrics)),
            ("/metrics/{id}", handle(page_metric)),
        ],
        nav: Some(("/metrics", "Metrics")),
        api: vec![
            ("/api/metrics", handle(api_metrics)),
            ("/api/metrics/{id}", handle(api_metric)),
        ],
        openapi: |n| {
            vec![
                (
                    "/api/metrics",
                    get(
                        "The metrics catalog",
                        serde_json::json!([]),
                        serde_json::json!({"type": "array", "items": {"type": "object"}}),
                    ),
                ),
                (
                    "/api/metrics/{id}",
                    get(
                        "A metric's definition, lineage and stored values; its series at another grain with `grain`",
                        serde_json::json!([
                            path_param("id", "the metric id", &n.metrics),
                            {"name": "grain", "in": "query", "schema": {"type": "string", "enum": ["day", "week", "month", "quarter"]}, "description": "the series at this grain (measured on the first request after each refresh); absent: the metric's own"},
                        ]),
                        object(),
                    ),
                ),
            ]
        },
    }
}
