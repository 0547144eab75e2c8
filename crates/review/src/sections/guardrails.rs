//! 3. Guardrail check: each guardrail and KPI against its baseline and limits, and the gaming signal (a key result improved while a guardrail of its objective got worse).

use crate::analysis::current_index;
use crate::format::{relative, value};
use crate::guardrails::{Light, Limit, judge};
use crate::review::*;
use crate::sections::*;
use crate::{Horizon, Input, Movement};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use throughline_model::{Metric, MetricRole};
use throughline_progress::okr::KrStatus;

pub(crate) fn guardrail_rows(
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

// Long because it judges one guardrail in order (baseline, limits, light, change, reason); each
// step uses the one before.
pub(crate) fn guardrail_row(
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
pub(crate) fn improved(k: &KrStatus, moves: &BTreeMap<(String, Horizon), Movement>) -> bool {
    match k
        .metric
        .as_ref()
        .and_then(|m| moves.get(&(m.clone(), Horizon::Period)))
    {
        Some(mv) => mv.moved && ((mv.change > 0.0) == k.up),
        None => k.progress.is_some_and(|p| p > 0.0),
    }
}

pub(crate) fn gaming(
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
