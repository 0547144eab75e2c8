//! The review's inputs, gathered once from the engine ([`ReviewData`]); the review itself is
//! then built from them and the store's check-ins and decisions, as often as needed, without
//! touching the event data again.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use throughline_engine::{Engine, EngineError, Request};
use throughline_model::{Period, Workspace};
use throughline_progress::okr::{self, CheckInView, ObjectiveStatus};
use throughline_review::{
    Breakdown, Compare, DecisionView, ExperimentInput, Input, Point, Review, Week,
};

/// Values before the period (or the week) that the review's noise bands and baselines read.
pub const HISTORY_WEEKS: i64 = 16;

/// What the review of one week needs from the event data.
#[derive(Clone, Debug)]
pub struct ReviewData {
    pub week: Week,
    /// The period of the objectives the week falls in.
    pub period: Option<Period>,
    pub data_last: Option<NaiveDate>,
    /// Complete total values per metric at its report grain.
    pub series: HashMap<String, Vec<Point>>,
    pub breakdowns: Vec<Breakdown>,
    pub experiments: Vec<ExperimentInput>,
    pub last_seen: BTreeMap<String, NaiveDate>,
    /// The period the North Star's change is split from.
    pub compare: Compare,
}

/// The week to review: `arg` (an ISO week or a day in it), else the last complete week of
/// data, else last week.
pub fn week_for(engine: &Engine, arg: Option<&str>) -> Result<Week, throughline_model::ValueError> {
    let starts = engine.calendar().week_starts;
    match (arg, engine.data_days()) {
        (Some(w), _) => Week::parse(w, starts),
        (None, Some((_, last))) => Ok(Week::last_complete(last, starts)),
        (None, None) => Ok(Week::containing(chrono::Utc::now().date_naive(), starts).previous()),
    }
}

/// The first day the review's series need: the history before the period, and the period
/// the North Star is compared with.
pub fn history_start(ws: &Workspace, week: Week, compare: Compare) -> NaiveDate {
    let period = okr::default_period(ws, week.start);
    let history =
        period.map_or(week.start, |p| p.start().min(week.start)) - Duration::weeks(HISTORY_WEEKS);
    history.min(week.start - compare.reach())
}

/// Every metric at its report grain from the history the review needs through the week.
pub async fn measure_series(
    engine: &Engine,
    ws: &Workspace,
    week: Week,
    compare: Compare,
    progress: &(dyn Fn(throughline_engine::Progress<'_>) + Sync),
) -> Result<HashMap<String, Vec<Point>>, EngineError> {
    let request = Request {
        from: Some(history_start(ws, week, compare)),
        to: Some(week.last_day()),
        ..Request::default()
    };
    Ok(crate::series::with_steps(
        &engine.measure_with(&request, progress).await?,
    ))
}

/// Gathers the rest of what the review needs, given the metric series: segment breakdowns of
/// the metrics that moved and of the North Star's formula inputs (one query per user
/// dimension), every experiment's analysis, and how fresh each event is. `step` hears what is
/// being done.
// Long because it is the review's one gathering pass, step by step in the agenda's order; each
// step is a few lines calling the engine or the review crate.
pub async fn gather(
    engine: &Engine,
    ws: &Workspace,
    week: Week,
    series: HashMap<String, Vec<Point>>,
    compare: Compare,
    step: &(dyn Fn(&str) + Sync),
) -> Result<ReviewData, EngineError> {
    let period = okr::default_period(ws, week.start);
    let moves = throughline_review::movements(&series, week, period.map(|p| p.start()));
    let mut moved: Vec<String> = moves
        .iter()
        .filter(|m| m.moved)
        .map(|m| m.metric.clone())
        .filter(|id| {
            ws.metric(id)
                .and_then(|m| m.compute.as_ref())
                .is_some_and(|c| !c.value.is_sql())
        })
        .collect();
    let mut earliest = moves
        .iter()
        .flat_map(|m| m.before_starts.first().copied())
        .min()
        .unwrap_or(week.start);
    // "What moved it" splits each input of a formula North Star further by segment
    let inputs = north_star_inputs(ws);
    if !inputs.is_empty() {
        moved.extend(inputs);
        earliest = earliest.min(week.start - compare.reach());
    }
    moved.sort();
    moved.dedup();
    let dimensions: Vec<String> = ws
        .settings
        .sources
        .get("users")
        .map(|s| s.dimensions.iter().map(|d| d.value.clone()).collect())
        .unwrap_or_default();
    let mut breakdowns: Vec<Breakdown> = Vec::new();
    for (i, dim) in dimensions.iter().enumerate() {
        let metrics: Vec<String> = moved
            .iter()
            .filter(|id| {
                ws.metric(id).is_some_and(|m| {
                    m.segments.is_empty() || m.segments.iter().any(|s| s.value == *dim)
                })
            })
            .cloned()
            .collect();
        if metrics.is_empty() {
            continue;
        }
        step(&format!(
            "breaking down what moved by {dim} ({}/{})",
            i + 1,
            dimensions.len()
        ));
        let request = Request {
            metrics,
            by: Some(dim.clone()),
            from: Some(earliest),
            to: Some(week.last_day()),
            ..Request::default()
        };
        // A breakdown is an extra: a dimension that cannot be computed is left out.
        let Ok(values) = engine.measure(&request).await else {
            step(&format!("no breakdown by {dim}"));
            continue;
        };
        let mut by_metric: BTreeMap<String, BTreeMap<String, Vec<Point>>> = BTreeMap::new();
        for v in &values {
            if let Some(x) = crate::series::of_value(v) {
                let segment = v
                    .segment
                    .get(dim)
                    .cloned()
                    .unwrap_or_else(|| "(none)".into());
                by_metric
                    .entry(v.metric.clone())
                    .or_default()
                    .entry(segment)
                    .or_default()
                    .push(x);
            }
        }
        breakdowns.extend(by_metric.into_iter().map(|(metric, segments)| Breakdown {
            metric,
            dimension: dim.clone(),
            segments,
        }));
    }
    step("analyzing experiments");
    let mut experiments = Vec::new();
    for e in &ws.experiments {
        experiments.push(ExperimentInput {
            id: e.id.value.clone(),
            hypothesis: e.hypothesis.as_ref().map(|h| h.value.clone()),
            analysis: crate::experiment::analyze(engine, ws, e, false).await,
        });
    }
    let last_seen = engine.last_seen().await?;
    Ok(ReviewData {
        week,
        period,
        data_last: engine.data_days().map(|(_, last)| last),
        series,
        breakdowns,
        experiments,
        last_seen,
        compare,
    })
}

/// The metrics a formula North Star is computed from (its `derived` or `ratio` inputs, or
/// the metrics that `drive` it).
fn north_star_inputs(ws: &Workspace) -> Vec<String> {
    let ns = ws.metrics.iter().find(|m| {
        m.role
            .as_ref()
            .is_some_and(|r| r.value == throughline_model::MetricRole::NorthStar)
    });
    ns.and_then(|m| throughline_review::drivers::formula(ws, m))
        .map(|f| {
            f.expr
                .metrics()
                .into_iter()
                .map(|(id, _)| id.to_string())
                .filter(|id| {
                    ws.metric(id)
                        .and_then(|m| m.compute.as_ref())
                        .is_some_and(|c| !c.value.is_sql())
                })
                .collect()
        })
        .unwrap_or_default()
}

impl ReviewData {
    /// The first and last week a review can be built for from these series alone: from the
    /// first week they hold a value in, through the week they were gathered for.
    pub fn weeks(&self) -> (Week, Week) {
        let first = self
            .series
            .values()
            .filter_map(|v| v.first())
            .map(|v| v.start)
            .min()
            .unwrap_or(self.week.start);
        let starts = chrono::Datelike::weekday(&self.week.start);
        (Week::containing(first, starts), self.week)
    }

    /// The same data as it stood at the end of an earlier `week`: values of periods that end
    /// by then, the objectives' period of that week. The segment breakdowns and experiment
    /// analyses were gathered for [`ReviewData::week`] only, so an earlier week has none (the
    /// CLI's `review --week` computes them). `None` for a week outside [`ReviewData::weeks`].
    pub fn at_week(&self, ws: &Workspace, week: Week) -> Option<ReviewData> {
        let (first, last) = self.weeks();
        if week.start < first.start || week.end > last.end {
            return None;
        }
        if week == self.week {
            return Some(self.clone());
        }
        let series = self
            .series
            .iter()
            .map(|(id, vs)| {
                let kept = vs.iter().filter(|v| v.end <= week.end).copied().collect();
                (id.clone(), kept)
            })
            .collect();
        Some(ReviewData {
            week,
            period: okr::default_period(ws, week.start),
            data_last: self.data_last,
            series,
            breakdowns: Vec::new(),
            experiments: Vec::new(),
            last_seen: self.last_seen.clone(),
            compare: self.compare,
        })
    }

    /// The series as the OKR arithmetic reads them.
    pub fn points(&self) -> HashMap<String, Vec<Point>> {
        self.series
            .iter()
            .map(|(id, vs)| (id.clone(), vs.clone()))
            .collect()
    }

    /// The status of the week's objectives (of one team when given) at the week's end.
    pub fn objectives(
        &self,
        ws: &Workspace,
        team: Option<&str>,
        checkins: &[CheckInView],
    ) -> Vec<ObjectiveStatus> {
        match self.period {
            Some(p) => okr::status(ws, self.week.end, Some(p), team, &self.points(), checkins),
            None => Vec::new(),
        }
    }

    /// The review, with the check-ins and decisions recorded up to the week's end.
    pub fn review(
        &self,
        ws: &Workspace,
        checkins: Vec<CheckInView>,
        decisions: Vec<DecisionView>,
    ) -> Review {
        let checkins: Vec<CheckInView> = checkins
            .into_iter()
            .filter(|c| c.day < self.week.end)
            .collect();
        let decisions = decisions
            .into_iter()
            .filter(|d| d.day < self.week.end)
            .collect();
        let name = ws
            .settings
            .name
            .as_ref()
            .map_or("workspace".into(), |n| n.value.clone());
        throughline_review::build(&Input {
            ws,
            name,
            week: self.week,
            data_last: self.data_last,
            series: self.series.clone(),
            breakdowns: self.breakdowns.clone(),
            objectives: self.objectives(ws, None, &checkins),
            experiments: self.experiments.clone(),
            decisions,
            checkins,
            last_seen: self.last_seen.clone(),
            compare: self.compare,
        })
    }
}
