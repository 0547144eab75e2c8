//! The state of every objective and key result on a day: progress, pacing, forecast,
//! confidence, and at the end of the period the score. This is what `status`, `score`, the
//! weekly review and the dashboard show.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use throughline_model::{Commitment, Direction, KeyResult, Objective, Period, Unit, Workspace};

use crate::{
    Forecast, Judgement, Pacing, Point, Status, elapsed_share, forecast, judge, pacing, progress,
    score_key_result, weighted,
};

/// At most this many values before a period feed its forecast when the period itself has
/// fewer than [`MIN_IN_PERIOD`].
pub const HISTORY_POINTS: usize = 8;
/// A forecast uses only the period's own values once it has this many.
pub const MIN_IN_PERIOD: usize = 4;

/// A stored check-in, as the arithmetic needs it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckInView {
    pub objective: String,
    pub key_result: String,
    /// The local day it was recorded.
    pub day: NaiveDate,
    pub value: Option<f64>,
    pub confidence: Option<i64>,
    pub note: String,
    pub author: String,
}

/// Where a key result stands.
#[derive(Clone, Debug, Serialize)]
pub struct KrStatus {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    /// The metric it is computed from; `None` for manual key results.
    pub metric: Option<String>,
    #[serde(skip)]
    pub unit: Unit,
    /// Whether higher is better.
    pub up: bool,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub stretch: Option<f64>,
    pub weight: f64,
    /// The latest complete value in the period (for manual key results, the latest
    /// checked-in value).
    pub current: Option<Point>,
    pub progress: Option<f64>,
    pub pacing: Option<Pacing>,
    pub status: Status,
    pub forecast: Option<Forecast>,
    /// On track by pacing, but the trend is unlikely to reach the target: on paper only.
    pub stalled: bool,
    pub confidence: Option<i64>,
    pub last_checkin: Option<CheckInView>,
    /// The period's values, oldest first.
    pub series: Vec<Point>,
}

impl KrStatus {
    /// A value in the key result's unit, for people.
    pub fn show(&self, v: f64) -> String {
        self.unit.format(v)
    }

    /// The forecast in a few words: "14,922 in the week of 2026-09-28 (80%: 14,805 to
    /// 15,040), >99% likely to reach 12,000"; `None` without a forecast or a target.
    pub fn forecast_text(&self) -> Option<String> {
        let (f, t) = (self.forecast?, self.target?);
        Some(format!(
            "{} {} (80%: {} to {}), {} likely to reach {}",
            self.show(f.value),
            f.when(),
            self.show(f.low),
            self.show(f.high),
            f.chance(),
            self.show(t)
        ))
    }
}

/// Where an objective stands.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveStatus {
    pub id: String,
    /// `team/id`, the form `aligns_to` uses.
    pub path: String,
    pub title: String,
    pub team: Option<String>,
    pub owner: Option<String>,
    pub period: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub aligns_to: Option<String>,
    pub committed: bool,
    pub progress: Option<f64>,
    /// The elapsed share of the period.
    pub expected: f64,
    pub status: Status,
    pub key_results: Vec<KrStatus>,
}

impl ObjectiveStatus {
    pub fn is_company_level(&self) -> bool {
        self.team
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case("company"))
    }
}

/// The status of the objectives of `period` (every period when `None`) and `team`.
pub fn status(
    ws: &Workspace,
    as_of: NaiveDate,
    period: Option<Period>,
    team: Option<&str>,
    series: &HashMap<String, Vec<Point>>,
    checkins: &[CheckInView],
) -> Vec<ObjectiveStatus> {
    ws.objectives
        .iter()
        .filter(|o| {
            let p = o.period.as_ref().map(|p| p.value);
            period.is_none_or(|want| p == Some(want))
                && team.is_none_or(|t| o.team.as_ref().is_some_and(|x| x.value == t))
                && p.is_some()
        })
        .map(|o| objective_status(ws, o, as_of, series, checkins))
        .collect()
}

fn objective_status(
    ws: &Workspace,
    o: &Objective,
    as_of: NaiveDate,
    series: &HashMap<String, Vec<Point>>,
    checkins: &[CheckInView],
) -> ObjectiveStatus {
    let period = o
        .period
        .as_ref()
        .expect("filtered to objectives with a period")
        .value;
    let (start, end) = (period.start(), period.end());
    let expected = elapsed_share(start, end, as_of);
    let krs: Vec<KrStatus> = o
        .key_results
        .iter()
        .map(|kr| kr_status(ws, o, kr, (start, end), as_of, expected, series, checkins))
        .collect();
    let progress = weighted(krs.iter().map(|k| (k.progress, k.weight)));
    let status = if !krs.is_empty() && krs.iter().all(|k| k.status == Status::Done) {
        Status::Done
    } else {
        progress.map_or(Status::Unknown, |p| pacing(p, expected).status)
    };
    ObjectiveStatus {
        id: o.id.value.clone(),
        path: o.path(),
        title: o.title.value.clone(),
        team: o.team.as_ref().map(|t| t.value.clone()),
        owner: o.owner.as_ref().map(|t| t.value.clone()),
        period: period.to_string(),
        period_start: start,
        period_end: end,
        aligns_to: o.aligns_to.as_ref().map(|t| t.value.clone()),
        committed: o
            .commitment
            .as_ref()
            .is_some_and(|c| c.value == Commitment::Committed),
        progress,
        expected,
        status,
        key_results: krs,
    }
}

#[allow(clippy::too_many_arguments)]
// Long because it computes a key result's status in one order (value, progress, pacing,
// forecast, confidence); each step reads the previous one's result.
fn kr_status(
    ws: &Workspace,
    o: &Objective,
    kr: &KeyResult,
    (start, end): (NaiveDate, NaiveDate),
    as_of: NaiveDate,
    expected: f64,
    series: &HashMap<String, Vec<Point>>,
    checkins: &[CheckInView],
) -> KrStatus {
    let metric = kr.metric.as_ref().and_then(|m| ws.metric(&m.value));
    let unit = key_result_unit(ws, kr);
    let value = |q: &Option<throughline_model::Spanned<throughline_model::Quantity>>| {
        q.as_ref().and_then(|q| unit.accept(&q.value).ok())
    };
    let (baseline, target, stretch) = (value(&kr.baseline), value(&kr.target), value(&kr.stretch));
    let up = match metric.and_then(|m| m.direction.as_ref()) {
        Some(d) => d.value == Direction::Up,
        None => !matches!((baseline, target), (Some(b), Some(t)) if t < b),
    };
    let mine: Vec<&CheckInView> = checkins
        .iter()
        .filter(|c| c.objective == o.id.value && c.key_result == kr.id.value)
        .collect();
    // The values: the metric's complete values up to `as_of`, or every checked-in value.
    let all: Vec<Point> = match &kr.metric {
        Some(m) => series
            .get(&m.value)
            .map(|s| s.iter().copied().filter(|p| p.end <= as_of).collect())
            .unwrap_or_default(),
        None => mine
            .iter()
            .filter_map(|c| {
                c.value
                    .map(|v| Point::new(c.day, c.day + Duration::days(1), v))
            })
            .collect(),
    };
    // A manual key result's check-ins all belong to its period, even those recorded after
    // its last day (before it is closed).
    let in_period: Vec<Point> = all
        .iter()
        .copied()
        .filter(|p| kr.metric.is_none() || (p.start >= start && p.start < end))
        .collect();
    let current = in_period.last().copied();
    let progress = match (baseline, target, current) {
        (Some(b), Some(t), Some(c)) => progress(b, t, c.value),
        _ => None,
    };
    let pacing = progress.map(|p| pacing(p, expected));
    let status = pacing.map_or(Status::Unknown, |p| p.status);
    let basis: Vec<Point> = if in_period.len() >= MIN_IN_PERIOD {
        in_period.clone()
    } else {
        let before: Vec<Point> = all.iter().copied().filter(|p| p.start < end).collect();
        before[before.len().saturating_sub(HISTORY_POINTS)..].to_vec()
    };
    let forecast = target.and_then(|t| forecast(&basis, forecast_day(&basis, end), t, up));
    let stalled = status == Status::OnTrack && forecast.is_some_and(|f| f.probability < 0.5);
    let last = mine.last().map(|c| (*c).clone());
    KrStatus {
        id: kr.id.value.clone(),
        title: kr.title.value.clone(),
        owner: kr
            .owner
            .as_ref()
            .or(o.owner.as_ref())
            .map(|t| t.value.clone()),
        metric: kr.metric.as_ref().map(|m| m.value.clone()),
        unit,
        up,
        baseline,
        target,
        stretch,
        weight: kr.weight.as_ref().map_or(1.0, |w| w.value),
        current,
        progress,
        pacing,
        status,
        forecast,
        stalled,
        confidence: mine.iter().rev().find_map(|c| c.confidence),
        last_checkin: last,
        series: in_period,
    }
}

/// The unit a key result is measured in: its metric's, its `manual:` one, or a count.
pub fn key_result_unit(ws: &Workspace, kr: &KeyResult) -> Unit {
    let from_metric = kr
        .metric
        .as_ref()
        .and_then(|m| ws.metric(&m.value))
        .and_then(|m| m.unit.as_ref());
    let manual = kr.manual.as_ref().and_then(|m| m.unit.as_ref());
    from_metric
        .or(manual)
        .map_or(Unit::Count, |u| u.value.clone())
}

/// The day whose value decides the key result: the start of the last bucket of the series'
/// grain that starts before the period's end.
pub fn forecast_day(points: &[Point], end: NaiveDate) -> NaiveDate {
    let Some(last) = points.last() else {
        return end - Duration::days(1);
    };
    let step = (last.end - last.start).num_days().max(1);
    let mut day = last.start;
    while day + Duration::days(step) < end {
        day += Duration::days(step);
    }
    day
}

/// A key result's final score.
#[derive(Clone, Debug, Serialize)]
pub struct KrScore {
    pub id: String,
    pub owner: Option<String>,
    pub value: Option<f64>,
    pub score: Option<f64>,
    /// Reached the stretch target.
    pub stretch_reached: bool,
    pub confidence: Option<i64>,
}

/// An objective's final score.
#[derive(Clone, Debug, Serialize)]
pub struct ObjectiveScore {
    pub id: String,
    pub team: String,
    pub title: String,
    pub committed: bool,
    pub score: Option<f64>,
    pub judgement: Option<Judgement>,
    pub key_results: Vec<KrScore>,
}

/// Scores objectives from their status at the period's end.
pub fn score(objectives: &[ObjectiveStatus]) -> Vec<ObjectiveScore> {
    objectives
        .iter()
        .map(|o| {
            let krs: Vec<KrScore> = o
                .key_results
                .iter()
                .map(|k| KrScore {
                    id: k.id.clone(),
                    owner: k.owner.clone(),
                    value: k.current.map(|c| c.value),
                    score: score_key_result(k.progress),
                    stretch_reached: match (k.stretch, k.current) {
                        (Some(s), Some(c)) => crate::reached(c.value, s, k.up),
                        _ => false,
                    },
                    confidence: k.confidence,
                })
                .collect();
            let score = weighted(
                krs.iter()
                    .zip(&o.key_results)
                    .map(|(s, k)| (s.score, k.weight)),
            )
            .map(crate::score::round2);
            let commitment = if o.committed {
                Commitment::Committed
            } else {
                Commitment::Aspirational
            };
            ObjectiveScore {
                id: o.id.clone(),
                team: o.team.clone().unwrap_or_else(|| "company".into()),
                title: o.title.clone(),
                committed: o.committed,
                score,
                judgement: score.map(|s| judge(s, commitment)),
                key_results: krs,
            }
        })
        .collect()
}

/// The period shown by default on `as_of`: the one containing it among the objectives', else
/// the latest that started before it, else the earliest.
pub fn default_period(ws: &Workspace, as_of: NaiveDate) -> Option<Period> {
    let mut periods: Vec<Period> = ws
        .objectives
        .iter()
        .filter_map(|o| o.period.as_ref().map(|p| p.value))
        .collect();
    periods.sort_by_key(|p| (p.start(), p.end()));
    periods.dedup();
    periods
        .iter()
        .filter(|p| p.start() <= as_of && as_of < p.end())
        .min_by_key(|p| p.end() - p.start())
        .or_else(|| periods.iter().rev().find(|p| p.start() <= as_of))
        .or(periods.first())
        .copied()
}
