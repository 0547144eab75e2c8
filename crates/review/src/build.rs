//! Builds the review from its inputs: each agenda section in turn (`sections/`), in the meeting's order.

use crate::review::*;
use crate::sections::*;
use crate::{DecisionView, Horizon, Input, Movement};
use chrono::Duration;
use std::collections::BTreeMap;

/// Builds the review.
// Long because it builds the review in the agenda's order, each section a call into
// `sections/`.
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
    let north_star_without_data = match &north_star {
        Some(_) => None,
        None => ws
            .metrics
            .iter()
            .find(|m| {
                m.role
                    .as_ref()
                    .is_some_and(|r| r.value == throughline_model::MetricRole::NorthStar)
            })
            .map(|m| m.name.as_ref().map_or(&m.id.value, |n| &n.value).clone()),
    };
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
    let (insights, insight_notes) = insights(input, &moves, period.as_ref());
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
        north_star_without_data,
        key_results,
        guardrails,
        gaming,
        experiments,
        insights,
        insight_notes,
        stale,
        decisions,
        not_checked_in,
        focus: Vec::new(),
    };
    review.focus = focus(&review);
    review
}
