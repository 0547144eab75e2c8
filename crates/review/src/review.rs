//! The review's types: what each agenda section holds, every number with where it came from.

use crate::guardrails::{Light, Limit};
use crate::segments::Explanation;
use crate::{DecisionView, Movement, Point, Week};
use chrono::NaiveDate;
use serde::Serialize;
use throughline_experiment::Decision;
use throughline_model::Unit;
use throughline_progress::okr::KrStatus;

/// Values shown before the period in a key result's chart.
pub(crate) const CHART_HISTORY: i64 = 8;

/// Values in a guardrail's sparkline and the North Star's chart.
pub(crate) const SPARK_VALUES: usize = 12;

pub(crate) const NORTH_STAR_VALUES: usize = 16;

/// The period the review's objectives belong to.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodInfo {
    pub label: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The elapsed share at the week's end.
    pub elapsed: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Flat,
    /// Too little history to tell wobble from a move.
    Unknown,
}

/// The North Star against its target.
#[derive(Clone, Debug, Serialize)]
pub struct TargetCheck {
    pub target: f64,
    pub by: NaiveDate,
    /// The key result that sets it, when one does.
    pub key_result: Option<String>,
    /// That key result's title.
    pub key_result_title: Option<String>,
    pub progress: Option<f64>,
    /// `ahead`, `on track`, `behind`, `reached`.
    pub verdict: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct NorthStar {
    pub metric: String,
    pub name: String,
    #[serde(skip)]
    pub unit: Unit,
    pub current: Point,
    pub last: Option<Point>,
    /// The mean of the 4 values before the current one.
    pub average: Option<f64>,
    /// Changes within ±band are normal wobble.
    pub band: Option<f64>,
    pub trend: Trend,
    pub target: Option<TargetCheck>,
    /// The values the chart shows, oldest first.
    pub series: Vec<Point>,
    /// What moved it since the last period, when it can be split exactly.
    pub movers: Option<Movers>,
    /// Why there is no split of the change since the period `--compare` asked for.
    pub movers_note: Option<String>,
}

/// The North Star's change since the last period, split into exact parts.
#[derive(Clone, Debug, Serialize)]
pub struct Movers {
    /// How it was split: `formula` (its inputs' Shapley contributions), `tree` (the same, by
    /// the formula its `drives:` edges give, with the rest a part of its own) or `lifecycle`
    /// (users gained and lost, from a lifecycle metric over the same event).
    pub method: &'static str,
    /// The formula, or the lifecycle metric.
    pub source: String,
    /// The earlier period: `last week`, or with `--compare`, e.g. `the week of Sep 22, 2025
    /// (a year before)`.
    pub since: String,
    /// Its first day.
    pub since_start: NaiveDate,
    pub before: f64,
    pub after: f64,
    /// The parts, adding up to `after - before`.
    pub parts: Vec<Mover>,
    /// Formulas: the change minus each input's change alone (shared out among the parts).
    pub interaction: Option<f64>,
}

impl Movers {
    /// The earlier period in a table's heading: `last week`, or its first day.
    pub fn then_label(&self) -> String {
        if self.since.starts_with("last ") {
            self.since.clone()
        } else {
            self.since_start.format("%b %-d, %Y").to_string()
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Mover {
    /// The input metric's name, or the lifecycle status.
    pub label: String,
    /// The input metric's id (formulas).
    pub metric: Option<String>,
    #[serde(skip)]
    pub unit: Option<Unit>,
    /// The input's own values (formulas).
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub contribution: f64,
    /// An input's contribution split further by the segments of the dimension that explains
    /// its change best (when its change splits exactly by segment).
    pub segments: Option<SegmentParts>,
}

/// A contribution shared out among segments: each segment's part of the input's own change,
/// scaled to the contribution. The parts add up to the contribution.
#[derive(Clone, Debug, Serialize)]
pub struct SegmentParts {
    pub dimension: String,
    /// Segment and its part, the largest first.
    pub parts: Vec<(String, f64)>,
}

/// Segments shown by name; the rest are summed.
pub(crate) const SHOWN_SEGMENTS: usize = 4;

impl SegmentParts {
    /// The largest parts by name, then the others summed as one (`3 others`).
    pub fn shown(&self) -> Vec<(String, f64)> {
        let n = self.parts.len().min(SHOWN_SEGMENTS);
        let mut out = self.parts[..n].to_vec();
        let rest = &self.parts[n..];
        if !rest.is_empty() {
            out.push((
                format!("{} others", rest.len()),
                rest.iter().map(|p| p.1).sum(),
            ));
        }
        out
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct KrRow {
    /// `team/objective`.
    pub objective: String,
    pub objective_title: String,
    pub status: KrStatus,
    /// A check-in during the reviewed week.
    pub checked_in: bool,
    /// The metric's values from 8 periods before the objective's period through the week.
    pub chart: Vec<Point>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

#[derive(Clone, Debug, Serialize)]
pub struct GuardrailRow {
    pub metric: String,
    pub name: String,
    /// `guardrail` or `kpi`.
    pub role: String,
    #[serde(skip)]
    pub unit: Unit,
    pub up: bool,
    pub now: Option<Point>,
    /// The mean of the 4 values before the period began.
    pub baseline: Option<f64>,
    pub change: Option<f64>,
    pub change_relative: Option<f64>,
    pub light: Light,
    /// The limit that decided the light, in words.
    pub why: Option<String>,
    pub limits: Vec<Limit>,
    /// The objectives that name it as a guardrail, with their key results.
    pub guards: Vec<String>,
    pub spark: Vec<Point>,
}

/// A key result improved while a guardrail of its objective got worse: the signal that the
/// number may be bought at the guardrail's expense.
#[derive(Clone, Debug, Serialize)]
pub struct GamingFlag {
    pub objective: String,
    pub improved: Vec<String>,
    pub worse: Vec<String>,
    pub sentence: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct ExperimentRow {
    pub id: String,
    pub hypothesis: Option<String>,
    pub decision: Option<Decision>,
    /// `ship`, `don't ship`, …, or `could not be analyzed`.
    pub label: String,
    pub reason: String,
    /// The first goal metric's lift in words, e.g. `activation_rate +6.0 pp (95% CI …)`.
    pub lift: Option<String>,
    pub srm_p_value: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Insight {
    pub metric: String,
    pub movement: Movement,
    pub explanation: Option<Explanation>,
    pub sentence: String,
}

/// Metrics whose source data stopped: one entry per stopped input and day, so a feed that died
/// is said once with every metric it starves.
#[derive(Clone, Debug, Serialize)]
pub struct Stale {
    /// The metrics' ids, in the workspace's order.
    pub metrics: Vec<String>,
    pub names: Vec<String>,
    /// The event that stopped; `None` when no events of any kind arrived.
    pub event: Option<String>,
    pub last_seen: Option<NaiveDate>,
    pub sentence: String,
}

/// The weekly review.
#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub workspace: String,
    pub week: Week,
    /// `2026-W39`.
    pub week_label: String,
    /// `Sep 21 – Sep 27, 2026`.
    pub week_span: String,
    pub period: Option<PeriodInfo>,
    pub data_last: Option<NaiveDate>,
    pub north_star: Option<NorthStar>,
    /// The North Star metric's name when the workspace has one but it has no value for the
    /// week (its event never occurs, or no data yet): said as such, not as "no North Star".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub north_star_without_data: Option<String>,
    pub key_results: Vec<KrRow>,
    pub guardrails: Vec<GuardrailRow>,
    pub gaming: Vec<GamingFlag>,
    pub experiments: Vec<ExperimentRow>,
    pub insights: Vec<Insight>,
    /// What several insights share, said once after them (`Weekly active users, invites sent
    /// and revenue: every signup source moved about in proportion to its size …`).
    pub insight_notes: Vec<String>,
    pub stale: Vec<Stale>,
    pub decisions: Vec<DecisionView>,
    /// Owners with key results and no check-in this week, with those key results.
    pub not_checked_in: Vec<(String, Vec<String>)>,
    /// Next week's focus, one sentence each.
    pub focus: Vec<String>,
}
