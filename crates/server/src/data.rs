//! The data behind every page, as the API returns it: the pages render these same values.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use throughline_model::{Compute, MetricRole, Objective, Period, Workspace};
use throughline_progress::okr::{self, CheckInView, KrStatus, ObjectiveStatus};
use throughline_review::{ExperimentRow, GuardrailRow, KrRow, NorthStar, Review, Value};

use crate::error::ApiError;
use crate::state::{Computed, View};

fn role_name(r: Option<MetricRole>) -> &'static str {
    match r {
        Some(MetricRole::NorthStar) => "north_star",
        Some(MetricRole::Input) => "input",
        Some(MetricRole::Guardrail) => "guardrail",
        Some(MetricRole::Kpi) => "kpi",
        None => "metric",
    }
}

/// A metric in the tree under the North Star: its latest value and its inputs.
#[derive(Clone, Debug, Serialize)]
pub struct MetricNode {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub latest: Option<Value>,
    /// The change against the value before it.
    pub change: Option<f64>,
    /// The last 12 values, for a sparkline.
    pub recent: Vec<Value>,
    pub children: Vec<MetricNode>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Overview {
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

fn node(ws: &Workspace, c: &Computed, id: &str, depth: usize) -> MetricNode {
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
            .map(|x| node(ws, c, &x.id.value, depth + 1))
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
        children,
    }
}

pub fn overview(ws: &Workspace, c: &Computed, v: &View) -> Overview {
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
        tree: root.map(|m| node(ws, c, &m.id.value, 0)),
        guardrails: r.guardrails.clone(),
        key_results: counts,
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Alignment {
    pub period: String,
    pub periods: Vec<String>,
    pub teams: Vec<String>,
    pub team: Option<String>,
    pub as_of: NaiveDate,
    pub objectives: Vec<ObjectiveStatus>,
}

/// The day a period is seen from: the review week's end, or the period's end if earlier.
fn as_of(c: &Computed, p: Period) -> NaiveDate {
    c.data.week.end.min(p.end())
}

/// The status of a period's objectives: the metrics as of the data, and every check-in so far
/// (the dashboard shows the latest confidence, even when the data is older).
fn status_of(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    p: Period,
    team: Option<&str>,
) -> Vec<ObjectiveStatus> {
    okr::status(
        ws,
        as_of(c, p),
        Some(p),
        team,
        &c.data.points(),
        &v.checkins,
    )
}

pub fn alignment(
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

fn find_objective<'a>(ws: &'a Workspace, path: &str) -> Result<&'a Objective, ApiError> {
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
fn kr_row(
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
pub struct ObjectivePage {
    pub status: ObjectiveStatus,
    pub why: Option<String>,
    pub key_results: Vec<KrRow>,
    pub initiatives: Vec<String>,
    pub guardrails: Vec<GuardrailRow>,
    /// Objectives that align to this one.
    pub children: Vec<String>,
}

pub fn objective(
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
    let key_results = status
        .key_results
        .iter()
        .map(|k| kr_row(c, &status, k, c.data.week, &v.checkins))
        .collect();
    let names: Vec<&str> = o
        .guardrails
        .iter()
        .filter_map(|g| g.metric.as_ref().map(|m| m.value.as_str()))
        .collect();
    Ok(ObjectivePage {
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

#[derive(Clone, Debug, Serialize)]
pub struct KeyResultPage {
    /// `TEAM/OBJECTIVE/KR`.
    pub path: String,
    pub team: String,
    pub row: KrRow,
    /// Every check-in on it, newest first.
    pub checkins: Vec<CheckInView>,
    /// Whether a value is checked in by hand (`manual:`).
    pub manual: bool,
    pub unit: String,
}

/// Splits `TEAM/OBJECTIVE/KR` (or `OBJECTIVE/KR`) into the objective's path and the key result.
pub fn split_kr(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// What a decision may be about: every metric id, objective path and key result path.
pub fn decision_subjects(ws: &Workspace) -> Vec<String> {
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

/// The team an objective writes for: its team, or `company`.
pub fn team_of(o: &Objective) -> String {
    o.team
        .as_ref()
        .map_or("company".into(), |t| t.value.clone())
}

pub fn key_result(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    path: &str,
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
    let page = objective(ws, c, v, opath)?;
    let row = page
        .key_results
        .into_iter()
        .find(|r| r.status.id == kid)
        .ok_or_else(|| ApiError::not_found(format!("no status for `{path}`"), "reload"))?;
    let mut checkins: Vec<CheckInView> = v
        .checkins
        .iter()
        .filter(|x| x.objective == o.id.value && x.key_result == kid)
        .cloned()
        .collect();
    checkins.reverse();
    Ok(KeyResultPage {
        path: path.to_string(),
        team: team_of(o),
        unit: okr::key_result_unit(ws, kr).to_string(),
        manual: kr.metric.is_none(),
        row,
        checkins,
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricSummary {
    pub id: String,
    pub name: String,
    pub role: &'static str,
    pub unit: String,
    pub owner: Option<String>,
    pub compute: Option<&'static str>,
    pub latest: Option<Value>,
}

pub fn metrics(ws: &Workspace, c: &Computed) -> Vec<MetricSummary> {
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
        })
        .collect()
}

/// One stored value behind a metric.
#[derive(Clone, Debug, Serialize)]
pub struct StoredValue {
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
pub struct Target {
    pub period: String,
    pub target: f64,
    pub stretch: Option<f64>,
    /// The key result that sets it, or `None` for the metric's own `targets:`.
    pub key_result: Option<String>,
}

/// A metric in the definition template: definition, formula, data source, segmentation,
/// cadence, owner, targets, related metrics, lineage, and the stored values behind it.
#[derive(Clone, Debug, Serialize)]
pub struct MetricPage {
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
}

/// A formula in words.
pub fn formula(c: &Compute) -> String {
    let f = |w: &Option<throughline_model::Where>| {
        w.as_ref()
            .map_or(String::new(), |w| format!(" where {}", w.text.value))
    };
    let ev = |e: &Option<throughline_model::Text>| {
        e.as_ref()
            .map_or("any event".to_string(), |e| format!("`{}`", e.value))
    };
    match c {
        Compute::Count { event, filter } => format!(
            "number of `{}` events in the period{}",
            event.value,
            f(filter)
        ),
        Compute::Unique { event, filter } => format!(
            "distinct users with {} in the period{}",
            ev(event),
            f(filter)
        ),
        Compute::Sum {
            event,
            property,
            filter,
        } => format!(
            "sum of `{}` over `{}` events{}",
            property.value,
            event.value,
            f(filter)
        ),
        Compute::Average {
            event,
            property,
            filter,
        } => format!(
            "mean of `{}` over `{}` events{}",
            property.value,
            event.value,
            f(filter)
        ),
        Compute::Ratio {
            numerator,
            denominator,
        } => format!(
            "`{}` / `{}` in the same period and segment",
            numerator.value, denominator.value
        ),
        Compute::Conversion {
            from,
            to,
            within,
            filter,
        } => format!(
            "users whose `{}` falls in the period and who have a `{}`{} within {} of it / users whose `{}` falls in the period",
            from.value,
            to.value,
            f(filter),
            throughline_model::Unit::Duration.format(within.value as f64),
            from.value
        ),
        Compute::Retention {
            from,
            return_event,
            every,
            horizon,
        } => format!(
            "of the users whose `{}` falls in the period, the share with a `{}` in {} {} after their own start",
            from.value,
            return_event.value,
            every.value.as_str(),
            horizon.value
        ),
        Compute::Duration { from, to, stat } => format!(
            "{} time from each user's `{}` to their first `{}` after it, for users whose `{}` falls in the period",
            match stat.value {
                throughline_model::Stat::Median => "median",
                throughline_model::Stat::P90 => "90th percentile of the",
                throughline_model::Stat::Mean => "mean",
            },
            from.value,
            to.value,
            from.value
        ),
        Compute::Churn { event, every } => format!(
            "of the users with {} in the previous {}, the share without one in this {}",
            ev(event),
            every.value.as_str(),
            every.value.as_str()
        ),
        Compute::Stickiness { event } => format!(
            "mean daily users with {} / users with {} in the period",
            ev(event),
            ev(event)
        ),
        Compute::Nps { event, property } => format!(
            "% of `{}` scores (in `{}` events) from 9 to 10 minus % from 0 to 6",
            property.value, event.value
        ),
        Compute::Derived { text, .. } => text.value.clone(),
        Compute::Sql { .. } => "a SQL query (the escape hatch): see its definition".into(),
    }
}

pub fn metric(
    loaded: &throughline_model::Loaded,
    c: &Computed,
    id: &str,
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
        formula: m.compute.as_ref().map(|c| formula(&c.value)),
        defined_at: (!defined_at.is_empty()).then_some(defined_at),
        source_lines,
        sources: explained.sources,
        sql: explained.sql,
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
    })
}

#[derive(Clone, Debug, Serialize)]
pub struct Experiments {
    pub experiments: Vec<ExperimentRow>,
    pub analyses: Vec<serde_json::Value>,
}

pub fn experiments(c: &Computed, r: &Review) -> Experiments {
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
