//! From the gathered inputs to the review: every section of the agenda, with its numbers and
//! the sentences that say what they mean.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use throughline_experiment::Decision;
use throughline_model::{Compute, Direction, Metric, MetricRole, Unit, Workspace};
use throughline_progress::Status;
use throughline_progress::okr::KrStatus;

use crate::analysis::current_index;
use crate::format::{delta, grain, pct, relative, spread, value, words};
use crate::guardrails::{Light, Limit, judge};
use crate::segments::{Contribution, Explanation, explain};
use crate::{DecisionView, Horizon, Input, Movement, Value, Week};

/// Values shown before the period in a key result's chart.
const CHART_HISTORY: i64 = 8;
/// Values in a guardrail's sparkline and the North Star's chart.
const SPARK_VALUES: usize = 12;
const NORTH_STAR_VALUES: usize = 16;

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
    pub current: Value,
    pub last: Option<Value>,
    /// The mean of the 4 values before the current one.
    pub average: Option<f64>,
    /// Changes within ±band are normal wobble.
    pub band: Option<f64>,
    pub trend: Trend,
    pub target: Option<TargetCheck>,
    /// The values the chart shows, oldest first.
    pub series: Vec<Value>,
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
    pub chart: Vec<Value>,
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
    pub now: Option<Value>,
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
    pub spark: Vec<Value>,
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
    pub key_results: Vec<KrRow>,
    pub guardrails: Vec<GuardrailRow>,
    pub gaming: Vec<GamingFlag>,
    pub experiments: Vec<ExperimentRow>,
    pub insights: Vec<Insight>,
    pub stale: Vec<Stale>,
    pub decisions: Vec<DecisionView>,
    /// Owners with key results and no check-in this week, with those key results.
    pub not_checked_in: Vec<(String, Vec<String>)>,
    /// Next week's focus, one sentence each.
    pub focus: Vec<String>,
}

fn unit_of(ws: &Workspace, id: &str) -> Unit {
    ws.metric(id)
        .and_then(|m| m.unit.as_ref())
        .map_or(Unit::Count, |u| u.value.clone())
}

fn up(m: Option<&Metric>) -> bool {
    m.and_then(|m| m.direction.as_ref())
        .is_none_or(|d| d.value == Direction::Up)
}

/// Builds the review.
pub fn build(input: &Input) -> Review {
    let ws = input.ws;
    let week = input.week;
    let period = input.objectives.first().map(|o| PeriodInfo {
        label: o.period.clone(),
        start: o.period_start,
        end: o.period_end,
        elapsed: o.expected,
    });
    let period_start = period.as_ref().map(|p| p.start);
    let series = |id: &str| input.series.get(id).map_or(&[][..], |v| v.as_slice());
    let moves: BTreeMap<(String, Horizon), Movement> =
        crate::movements(&input.series, week, period_start)
            .into_iter()
            .map(|m| ((m.metric.clone(), m.horizon), m))
            .collect();

    let north_star = north_star(input, &moves);
    let key_results: Vec<KrRow> = input
        .objectives
        .iter()
        .flat_map(|o| {
            o.key_results.iter().map(move |k| KrRow {
                objective: o.path.clone(),
                objective_title: o.title.clone(),
                status: k.clone(),
                checked_in: input
                    .checkins
                    .iter()
                    .any(|c| c.objective == o.id && c.key_result == k.id && week.contains(c.day)),
                chart: k
                    .metric
                    .as_deref()
                    .map(|m| {
                        series(m)
                            .iter()
                            .copied()
                            .filter(|v| {
                                v.start >= o.period_start - Duration::weeks(CHART_HISTORY)
                                    && v.start < week.end
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                period_start: o.period_start,
                period_end: o.period_end,
            })
        })
        .collect();

    let guardrails = guardrail_rows(input, period_start, &moves);
    let gaming = gaming(input, &guardrails, &moves);
    let experiments = input
        .experiments
        .iter()
        .map(|e| experiment_row(ws, e))
        .collect();
    let insights = insights(input, &moves, period.as_ref());
    let stale = stale(input);
    let decisions: Vec<DecisionView> = input
        .decisions
        .iter()
        .filter(|d| week.contains(d.day))
        .cloned()
        .collect();
    let not_checked_in = not_checked_in(&key_results);
    let mut review = Review {
        workspace: input.name.clone(),
        week,
        week_label: week.label(),
        week_span: week.span(),
        period,
        data_last: input.data_last,
        north_star,
        key_results,
        guardrails,
        gaming,
        experiments,
        insights,
        stale,
        decisions,
        not_checked_in,
        focus: Vec::new(),
    };
    review.focus = focus(&review);
    review
}

fn north_star(input: &Input, moves: &BTreeMap<(String, Horizon), Movement>) -> Option<NorthStar> {
    let ws = input.ws;
    let m = ws.metrics.iter().find(|m| {
        m.role
            .as_ref()
            .is_some_and(|r| r.value == MetricRole::NorthStar)
    })?;
    let id = m.id.value.as_str();
    let values = input.series.get(id)?;
    let i = current_index(values, input.week)?;
    let wm = moves.get(&(id.to_string(), Horizon::Week));
    let trend = match wm {
        Some(w) if w.change > w.band => Trend::Up,
        Some(w) if w.change < -w.band => Trend::Down,
        Some(_) => Trend::Flat,
        None => Trend::Unknown,
    };
    let kr = input
        .objectives
        .iter()
        .flat_map(|o| o.key_results.iter().map(move |k| (o, k)))
        .find(|(_, k)| k.metric.as_deref() == Some(id));
    let target = match kr {
        Some((o, k)) => k.target.map(|t| TargetCheck {
            target: t,
            by: o.period_end - Duration::days(1),
            key_result: Some(format!("{}/{}", o.path, k.id)),
            progress: k.progress,
            verdict: match (k.status, k.pacing) {
                (Status::Done, _) => "reached".into(),
                (_, Some(p)) if p.actual > p.expected + throughline_progress::ON_TRACK_GAP => {
                    "ahead".into()
                }
                (Status::OnTrack, _) => "on track".into(),
                (Status::AtRisk | Status::OffTrack, _) => "behind".into(),
                (Status::Unknown, _) => "no progress yet".into(),
            },
        }),
        None => m
            .targets
            .iter()
            .find(|t| {
                t.period.value.start() <= input.week.start
                    && input.week.start < t.period.value.end()
            })
            .map(|t| {
                let reached =
                    throughline_progress::reached(values[i].value, t.target.value, up(Some(m)));
                TargetCheck {
                    target: t.target.value,
                    by: t.period.value.end() - Duration::days(1),
                    key_result: None,
                    progress: None,
                    verdict: if reached {
                        "reached".into()
                    } else {
                        "below target".into()
                    },
                }
            }),
    };
    Some(NorthStar {
        metric: id.to_string(),
        name: m.display_name().to_string(),
        unit: unit_of(ws, id),
        current: values[i],
        last: i.checked_sub(1).map(|j| values[j]),
        average: wm.map(|w| w.before),
        band: wm.map(|w| w.band),
        trend,
        target,
        series: values[(i + 1).saturating_sub(NORTH_STAR_VALUES)..=i].to_vec(),
    })
}

fn guardrail_rows(
    input: &Input,
    period_start: Option<NaiveDate>,
    moves: &BTreeMap<(String, Horizon), Movement>,
) -> Vec<GuardrailRow> {
    let ws = input.ws;
    let role = |m: &Metric| m.role.as_ref().map(|r| r.value);
    let mut ids: Vec<&Metric> = ws
        .metrics
        .iter()
        .filter(|m| role(m) == Some(MetricRole::Guardrail))
        .collect();
    // Metrics the objectives name as guardrails, then the KPIs.
    let named: Vec<&str> = review_objectives(input)
        .flat_map(|o| o.guardrails.iter().filter_map(|g| g.metric.as_ref()))
        .map(|t| t.value.as_str())
        .collect();
    for id in named {
        if let Some(m) = ws.metric(id)
            && !ids.iter().any(|x| x.id.value == id)
        {
            ids.push(m);
        }
    }
    for m in ws
        .metrics
        .iter()
        .filter(|m| role(m) == Some(MetricRole::Kpi))
    {
        if !ids.iter().any(|x| x.id.value == m.id.value) {
            ids.push(m);
        }
    }
    ids.iter()
        .map(|m| guardrail_row(input, m, period_start, moves))
        .collect()
}

/// The workspace objectives the review covers.
fn review_objectives<'a>(
    input: &'a Input,
) -> impl Iterator<Item = &'a throughline_model::Objective> {
    input.ws.objectives.iter().filter(|o| {
        input
            .objectives
            .iter()
            .any(|s| s.id == o.id.value && s.path == o.path())
    })
}

fn guardrail_row(
    input: &Input,
    m: &Metric,
    period_start: Option<NaiveDate>,
    moves: &BTreeMap<(String, Horizon), Movement>,
) -> GuardrailRow {
    let ws = input.ws;
    let id = m.id.value.as_str();
    let unit = unit_of(ws, id);
    let up = up(Some(m));
    let values = input.series.get(id).map_or(&[][..], |v| v.as_slice());
    let i = current_index(values, input.week);
    let now = i.map(|i| values[i]);
    let baseline = period_start.and_then(|p| {
        let before: Vec<f64> = values
            .iter()
            .filter(|v| v.start < p)
            .map(|v| v.value)
            .collect();
        let last = &before[before.len().saturating_sub(crate::AVERAGE_OF)..];
        (!last.is_empty()).then(|| last.iter().sum::<f64>() / last.len() as f64)
    });
    let mut limits: Vec<Limit> = Vec::new();
    let mut guards = Vec::new();
    for o in review_objectives(input) {
        for g in o
            .guardrails
            .iter()
            .filter(|g| g.metric.as_ref().is_some_and(|x| x.value == id))
        {
            let found = [
                g.max_increase
                    .as_ref()
                    .map(|p| Limit::MaxIncrease { percent: p.value }),
                g.max_decrease
                    .as_ref()
                    .map(|p| Limit::MaxDecrease { percent: p.value }),
                g.min.as_ref().map(|v| Limit::Min { value: v.value }),
                g.max.as_ref().map(|v| Limit::Max { value: v.value }),
            ];
            for l in found.into_iter().flatten() {
                if !limits.contains(&l) {
                    limits.push(l);
                }
            }
            let krs: Vec<&str> = o.key_results.iter().map(|k| k.id.value.as_str()).collect();
            guards.push(format!("{} ({})", o.path(), krs.join(", ")));
        }
    }
    if let Some(h) = &m.healthy {
        limits.extend(h.min.as_ref().map(|v| Limit::Min { value: v.value }));
        limits.extend(h.max.as_ref().map(|v| Limit::Max { value: v.value }));
    }
    let wrong_way = moves
        .get(&(id.to_string(), Horizon::Period))
        .is_some_and(|mv| mv.moved && ((mv.change > 0.0) != up));
    let (light, why) = match now {
        Some(n) => judge(n.value, baseline, &limits, wrong_way, &|v| value(&unit, v)),
        None => (Light::Unknown, None),
    };
    let change = match (now, baseline) {
        (Some(n), Some(b)) => Some(n.value - b),
        _ => None,
    };
    GuardrailRow {
        metric: id.to_string(),
        name: m.display_name().to_string(),
        role: match m.role.as_ref().map(|r| r.value) {
            Some(MetricRole::Kpi) => "kpi".into(),
            _ => "guardrail".into(),
        },
        unit,
        up,
        now,
        baseline,
        change,
        change_relative: match (change, baseline) {
            (Some(c), Some(b)) if b != 0.0 => Some(c / b.abs()),
            _ => None,
        },
        light,
        why,
        limits,
        guards,
        spark: i.map_or(Vec::new(), |i| {
            values[(i + 1).saturating_sub(SPARK_VALUES)..=i].to_vec()
        }),
    }
}

/// Whether a key result got better since its baseline: its metric moved the right way beyond
/// noise since the period began, or (without enough history) it made progress.
fn improved(k: &KrStatus, moves: &BTreeMap<(String, Horizon), Movement>) -> bool {
    match k
        .metric
        .as_ref()
        .and_then(|m| moves.get(&(m.clone(), Horizon::Period)))
    {
        Some(mv) => mv.moved && ((mv.change > 0.0) == k.up),
        None => k.progress.is_some_and(|p| p > 0.0),
    }
}

fn gaming(
    input: &Input,
    rows: &[GuardrailRow],
    moves: &BTreeMap<(String, Horizon), Movement>,
) -> Vec<GamingFlag> {
    let mut out = Vec::new();
    for o in review_objectives(input) {
        let Some(status) = input.objectives.iter().find(|s| s.path == o.path()) else {
            continue;
        };
        let worse: Vec<&GuardrailRow> = o
            .guardrails
            .iter()
            .filter_map(|g| g.metric.as_ref())
            .filter_map(|g| rows.iter().find(|r| r.metric == g.value))
            .filter(|r| {
                matches!(r.light, Light::Yellow | Light::Red)
                    && r.change.is_some_and(|c| (c > 0.0) != r.up)
            })
            .collect();
        let better: Vec<&KrStatus> = status
            .key_results
            .iter()
            .filter(|k| improved(k, moves))
            .collect();
        if worse.is_empty() || better.is_empty() {
            continue;
        }
        let improved: Vec<String> = better
            .iter()
            .map(|k| match (k.baseline, k.current) {
                (Some(b), Some(c)) => format!("{} ({} → {})", k.id, k.show(b), k.show(c.value)),
                _ => k.id.clone(),
            })
            .collect();
        let got_worse: Vec<String> = worse
            .iter()
            .map(|r| {
                let change = r.change_relative.map_or(String::new(), relative);
                match &r.why {
                    Some(w) => format!("{} ({change}; {w})", r.name),
                    None => format!("{} ({change})", r.name),
                }
            })
            .collect();
        let sentence = format!(
            "{}: {} improved while {} got worse. Check that the gain is real value and not bought at the guardrail's expense.",
            o.path(),
            list(&improved),
            list(&got_worse)
        );
        out.push(GamingFlag {
            objective: o.path(),
            improved: better.iter().map(|k| k.id.clone()).collect(),
            worse: worse.iter().map(|r| r.metric.clone()).collect(),
            sentence,
        });
    }
    out
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn experiment_row(ws: &Workspace, e: &crate::ExperimentInput) -> ExperimentRow {
    match &e.analysis {
        Err(why) => ExperimentRow {
            id: e.id.clone(),
            hypothesis: e.hypothesis.clone(),
            decision: None,
            label: "could not be analyzed".into(),
            reason: why.clone(),
            lift: None,
            srm_p_value: None,
        },
        Ok(a) => {
            let lift = a.metrics.iter().find(|m| !m.guardrail).and_then(|m| {
                let unit = unit_of(ws, &m.metric);
                let v = m
                    .variants
                    .iter()
                    .filter(|v| v.lift.is_some())
                    .max_by(|x, y| {
                        x.lift
                            .unwrap_or(0.0)
                            .abs()
                            .total_cmp(&y.lift.unwrap_or(0.0).abs())
                    })?;
                let show = |x: f64| {
                    if m.test == "proportion" && unit == Unit::Percent {
                        delta(&Unit::Percent, x)
                    } else {
                        delta(&unit, x)
                    }
                };
                Some(format!(
                    "{} {} in {} ({}; 95% CI {} to {}; p {})",
                    m.metric,
                    show(v.lift?),
                    v.variant,
                    relative(v.lift_relative.unwrap_or(0.0)),
                    show(v.ci_low?),
                    show(v.ci_high?),
                    throughline_experiment::format_p(v.p_value?)
                ))
            });
            ExperimentRow {
                id: e.id.clone(),
                hypothesis: e.hypothesis.clone(),
                decision: Some(a.decision),
                label: a.decision.label().into(),
                reason: a.reason.clone(),
                lift,
                srm_p_value: Some(a.srm_p_value),
            }
        }
    }
}

/// How a metric's total splits by segment.
fn contribution_kind(m: &Metric, values: &[Value]) -> Contribution {
    let split = values
        .iter()
        .filter(|v| v.numerator.is_some() && v.denominator.is_some_and(|d| d > 0.0))
        .find(|v| v.numerator.unwrap_or(0.0) > 0.0);
    match m.compute.as_ref().map(|c| &c.value) {
        Some(Compute::Count { .. } | Compute::Sum { .. } | Compute::Unique { .. }) => {
            Contribution::Additive
        }
        Some(
            Compute::Conversion { .. }
            | Compute::Retention { .. }
            | Compute::Ratio { .. }
            | Compute::Churn { .. },
        ) => match split {
            Some(v) => Contribution::Rate {
                scale: (v.value / (v.numerator.unwrap_or(1.0) / v.denominator.unwrap_or(1.0)))
                    .round(),
            },
            None => Contribution::None,
        },
        _ => Contribution::None,
    }
}

fn insights(
    input: &Input,
    moves: &BTreeMap<(String, Horizon), Movement>,
    period: Option<&PeriodInfo>,
) -> Vec<Insight> {
    let ws = input.ws;
    // Key result metrics and the North Star first, then guardrails, then the rest.
    let rank = |id: &str| {
        let m = ws.metric(id);
        let in_kr = input.objectives.iter().any(|o| {
            o.key_results
                .iter()
                .any(|k| k.metric.as_deref() == Some(id))
        });
        match m.and_then(|m| m.role.as_ref()).map(|r| r.value) {
            Some(MetricRole::NorthStar) => 0,
            _ if in_kr => 1,
            Some(MetricRole::Guardrail) => 2,
            _ => 3,
        }
    };
    let mut out: Vec<(usize, f64, Insight)> = Vec::new();
    for mv in moves.values().filter(|m| m.moved) {
        let id = mv.metric.as_str();
        let Some(m) = ws.metric(id) else { continue };
        // A move this week that the period's move already covers is said once, as the
        // period's.
        if mv.horizon == Horizon::Week
            && moves
                .get(&(id.to_string(), Horizon::Period))
                .is_some_and(|p| p.moved && (p.change > 0.0) == (mv.change > 0.0))
        {
            continue;
        }
        let values = input.series.get(id).map_or(&[][..], |v| v.as_slice());
        let kind = contribution_kind(m, values);
        let breakdowns: Vec<&crate::Breakdown> =
            input.breakdowns.iter().filter(|b| b.metric == id).collect();
        let explanation = explain(kind, &breakdowns, mv);
        let sentence = insight_sentence(ws, m, mv, explanation.as_ref(), values, period);
        let size = if mv.band > 0.0 {
            mv.change.abs() / mv.band
        } else {
            f64::MAX
        };
        out.push((
            rank(id),
            size,
            Insight {
                metric: id.to_string(),
                movement: mv.clone(),
                explanation,
                sentence,
            },
        ));
    }
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.metric.cmp(&b.2.metric))
    });
    out.into_iter().map(|x| x.2).collect()
}

fn insight_sentence(
    ws: &Workspace,
    m: &Metric,
    mv: &Movement,
    e: Option<&Explanation>,
    values: &[Value],
    period: Option<&PeriodInfo>,
) -> String {
    let id = m.id.value.as_str();
    let unit = unit_of(ws, id);
    let name = m.display_name();
    let rose = mv.change > 0.0;
    let verb = if rose { "rose" } else { "fell" };
    let good = rose == up(Some(m));
    let judgement = if good { "" } else { " — the wrong way" };
    let grain = values.last().map_or("week", grain);
    let show = |v: f64| value(&unit, v);
    let amount = delta(&unit, mv.change)
        .trim_start_matches(['+', '−'])
        .to_string();
    let size = if unit == Unit::Percent || mv.before == 0.0 {
        amount
    } else {
        format!("{amount} ({})", relative(mv.change / mv.before.abs()))
    };
    let mut s = match mv.horizon {
        Horizon::Period => format!(
            "{name} {verb} {size} since {} began: {} → {} ({}-{grain} averages; normal wobble ±{}){judgement}.",
            period.map_or("the period", |p| p.label.as_str()),
            show(mv.before),
            show(mv.after),
            mv.before_starts.len().max(mv.after_starts.len()),
            spread(&unit, mv.band),
        ),
        Horizon::Week => format!(
            "{name} {verb} {size} in the {grain} of {} against the {}-{grain} average before it: {} → {} (normal wobble ±{}){judgement}.",
            mv.after_starts
                .first()
                .map_or(String::new(), |d| d.to_string()),
            mv.before_starts.len(),
            show(mv.before),
            show(mv.after),
            spread(&unit, mv.band),
        ),
    };
    if let Some(e) = e {
        s.push(' ');
        s.push_str(&drivers_sentence(&unit, e, grain));
    }
    s
}

/// The segments behind a change, in words.
fn drivers_sentence(unit: &Unit, e: &Explanation, grain: &str) -> String {
    let dim = words(&e.dimension);
    let show = |v: f64| value(unit, v);
    let seg = |d: &crate::Driver| format!("{dim} {}", d.segment);
    let moves = |ds: &[crate::Driver]| -> String {
        let parts: Vec<String> = ds
            .iter()
            .map(|d| format!("{} {} → {}", d.segment, show(d.before), show(d.after)))
            .collect();
        parts.join(", ")
    };
    let growth = |ds: &[crate::Driver]| -> String {
        let parts: Vec<String> = ds
            .iter()
            .filter(|d| d.before != 0.0)
            .map(|d| {
                format!(
                    "{} {}",
                    d.segment,
                    relative((d.after - d.before) / d.before.abs())
                )
            })
            .collect();
        parts.join(", ")
    };
    let Some(d) = e.drivers.first() else {
        return String::new();
    };
    let c = d.contribution.unwrap_or(0.0);
    match e.contribution {
        Contribution::None if e.broad => {
            format!("Every {dim} moved the same way ({}).", moves(&e.drivers))
        }
        Contribution::None => {
            let top = &e.drivers[..e.drivers.len().min(2)];
            format!("By {dim}, the largest moves: {}.", moves(top))
        }
        Contribution::Additive if e.broad => format!(
            "Every {dim} moved about in proportion to its size ({}): no single {dim} stands out.",
            growth(&e.drivers)
        ),
        Contribution::Additive => format!(
            "Users with {} stand out: {} of the {} ({} → {} a {grain}), {} of the change from {} of the total before.",
            seg(d),
            delta(unit, c),
            delta(unit, e.total_change),
            show(d.before),
            show(d.after),
            pct(e.top_share.unwrap_or(0.0)),
            pct(d.share_before.unwrap_or(0.0))
        ),
        Contribution::Rate { .. } if e.broad => {
            let top: Vec<String> = e
                .drivers
                .iter()
                .take(3)
                .map(|d| {
                    format!(
                        "{} {}",
                        d.segment,
                        delta(unit, d.contribution.unwrap_or(0.0))
                    )
                })
                .collect();
            format!(
                "The change is broad: no single {dim} explains half of it ({}).",
                top.join(", ")
            )
        }
        Contribution::Rate { .. } => {
            let share = e.top_share.unwrap_or(0.0);
            if share >= 0.75 || e.drivers.len() < 2 {
                format!(
                    "Users with {} drove {} of the {} ({}; their own rate {} → {}).",
                    seg(d),
                    delta(unit, c),
                    delta(unit, e.total_change),
                    pct(share),
                    show(d.before),
                    show(d.after)
                )
            } else {
                let d2 = &e.drivers[1];
                format!(
                    "Users with {} ({}) and {} ({}) drove most of the {}.",
                    seg(d),
                    delta(unit, c),
                    seg(d2),
                    delta(unit, d2.contribution.unwrap_or(0.0)),
                    delta(unit, e.total_change)
                )
            }
        }
    }
}

/// The event names a metric reads (`""` for any event), through ratio and derived metrics.
fn events_of(ws: &Workspace, id: &str, seen: &mut BTreeSet<String>, out: &mut BTreeSet<String>) {
    if !seen.insert(id.to_string()) {
        return;
    }
    let Some(c) = ws.metric(id).and_then(|m| m.compute.as_ref()) else {
        return;
    };
    let name = |t: &throughline_model::Text| t.value.clone();
    match &c.value {
        Compute::Count { event, .. }
        | Compute::Sum { event, .. }
        | Compute::Average { event, .. }
        | Compute::Nps { event, .. } => {
            out.insert(name(event));
        }
        Compute::Unique { event, .. }
        | Compute::Churn { event, .. }
        | Compute::Stickiness { event } => {
            out.insert(event.as_ref().map_or(String::new(), name));
        }
        Compute::Conversion { from, to, .. } | Compute::Duration { from, to, .. } => {
            for e in [from, to] {
                if e.value != "signup" {
                    out.insert(name(e));
                }
            }
        }
        Compute::Retention {
            from, return_event, ..
        } => {
            for e in [from, return_event] {
                if e.value != "signup" {
                    out.insert(name(e));
                }
            }
        }
        Compute::Ratio { .. } | Compute::Derived { .. } => {
            for r in c.value.metric_refs() {
                events_of(ws, &r.value, seen, out);
            }
        }
        Compute::Sql { .. } => {}
    }
}

fn stale(input: &Input) -> Vec<Stale> {
    let ws = input.ws;
    let week = input.week;
    let mut out: Vec<Stale> = Vec::new();
    for m in ws.metrics.iter().filter(|m| m.compute.is_some()) {
        let id = m.id.value.as_str();
        let mut events = BTreeSet::new();
        events_of(ws, id, &mut BTreeSet::new(), &mut events);
        if events.is_empty() {
            continue;
        }
        // The metric is as fresh as its stalest input.
        let last: Vec<(String, Option<NaiveDate>)> = events
            .iter()
            .map(|e| (e.clone(), input.last_seen.get(e).copied()))
            .collect();
        let Some((event, seen)) = last.iter().min_by_key(|(_, d)| d.unwrap_or(NaiveDate::MIN))
        else {
            continue;
        };
        if seen.is_some_and(|d| d >= week.start) {
            continue;
        }
        // An input that stopped on the day the whole feed stopped stopped with it: say so once,
        // for every metric it starves.
        let whole_feed = seen.is_some() && *seen == input.last_seen.get("").copied();
        let event = (!event.is_empty() && !whole_feed).then(|| event.clone());
        match out
            .iter_mut()
            .find(|s| s.event == event && s.last_seen == *seen)
        {
            Some(s) => {
                s.metrics.push(id.to_string());
                s.names.push(m.display_name().to_string());
            }
            None => out.push(Stale {
                metrics: vec![id.to_string()],
                names: vec![m.display_name().to_string()],
                event,
                last_seen: *seen,
                sentence: String::new(),
            }),
        }
    }
    for s in &mut out {
        let what = match &s.event {
            Some(e) => format!("no `{e}` events"),
            None => "no events at all".to_string(),
        };
        let names = match s.names.len() {
            n if n > 4 => format!("{n} metrics ({})", list(&s.names)),
            _ => list(&s.names),
        };
        let its = if s.names.len() == 1 {
            "its numbers"
        } else {
            "their numbers"
        };
        s.sentence = match s.last_seen {
            Some(d) => format!(
                "{names}: {what} since {d}, {} days before the week ended; {its} for the week are missing or old. Check the data feed.",
                (week.end - d).num_days() - 1
            ),
            None => {
                format!("{names}: {what} in the data; cannot be computed. Check the data feed.")
            }
        };
    }
    out
}

fn not_checked_in(rows: &[KrRow]) -> Vec<(String, Vec<String>)> {
    let mut by_owner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.checked_in) {
        let owner = r
            .status
            .owner
            .clone()
            .unwrap_or_else(|| "(no owner)".into());
        by_owner.entry(owner).or_default().push(r.status.id.clone());
    }
    by_owner.into_iter().collect()
}

fn focus(r: &Review) -> Vec<String> {
    let mut out = Vec::new();
    let elapsed = r.period.as_ref().map_or(String::new(), |p| {
        format!(" with {} of {} gone", pct(p.elapsed), p.label)
    });
    for row in &r.key_results {
        let k = &row.status;
        let forecast = match (k.forecast, k.target) {
            (Some(f), Some(t)) => format!(
                "; the trend reaches {} {} ({} likely to reach {})",
                k.show(f.value),
                f.when(),
                f.chance(),
                k.show(t)
            ),
            _ => String::new(),
        };
        let progress = k.progress.map_or("no progress yet".into(), |p| {
            format!("{} of the way", pct(p))
        });
        match k.status {
            Status::AtRisk | Status::OffTrack => out.push(format!(
                "{}/{} ({}) is {}: {progress}{elapsed}{forecast}.",
                row.objective,
                k.id,
                k.title,
                k.status.label()
            )),
            Status::OnTrack if k.stalled => out.push(format!(
                "{}/{} is on track on paper only: {progress}, but{}.",
                row.objective,
                k.id,
                forecast.trim_start_matches(';')
            )),
            _ => {}
        }
    }
    for g in r.guardrails.iter().filter(|g| g.light == Light::Red) {
        out.push(format!(
            "{} is Red ({}{}): find what changed before pushing the key results it guards further.",
            g.name,
            g.change_relative.map_or(String::new(), relative),
            g.why.as_ref().map_or(String::new(), |w| format!(", {w}"))
        ));
    }
    for e in &r.experiments {
        match e.decision {
            Some(Decision::KeepRunning) => out.push(format!("Experiment {}: keep it running — {}.", e.id, e.reason)),
            Some(Decision::GuardrailHarmed) => out.push(format!(
                "Experiment {}: a guardrail was harmed; decide whether to fix the treatment or stop it.",
                e.id
            )),
            Some(Decision::NotTrustworthy) => out.push(format!(
                "Experiment {}: fix the assignment (sample ratio mismatch) before reading it.",
                e.id
            )),
            Some(Decision::Ship) => out.push(format!("Experiment {}: roll out the winning variant.", e.id)),
            _ => {}
        }
    }
    for s in &r.stale {
        out.push(format!(
            "Restore the data behind {}: {}.",
            match s.names.len() {
                n if n > 4 => format!("{n} metrics"),
                _ => list(&s.names),
            },
            s.last_seen
                .map_or("it has no data".into(), |d| format!("nothing since {d}"))
        ));
    }
    for (owner, krs) in &r.not_checked_in {
        out.push(format!("{owner}: no check-in this week on {}.", list(krs)));
    }
    out
}
