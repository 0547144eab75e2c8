//! 5. Insights: every metric that moved beyond noise, with the segments that drove it, and metrics whose data stopped arriving.

use crate::format::{delta, grain, pct, relative, spread, value, words};
use crate::review::*;
use crate::sections::*;
use crate::segments::{Contribution, Explanation, explain};
use crate::{Horizon, Input, Movement, Point};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use throughline_model::{Composition, Metric, MetricRole, Unit, Workspace};

/// How a metric's total splits by segment.
pub(crate) fn contribution_kind(m: &Metric, values: &[Point]) -> Contribution {
    let split = values
        .iter()
        .filter(|v| v.numerator.is_some() && v.denominator.is_some_and(|d| d > 0.0))
        .find(|v| v.numerator.unwrap_or(0.0) > 0.0);
    match m.compute.as_ref().map(|c| c.value.composition()) {
        Some(Composition::Additive) => Contribution::Additive,
        Some(Composition::Rate) => match split {
            Some(v) => Contribution::Rate {
                scale: (v.value / (v.numerator.unwrap_or(1.0) / v.denominator.unwrap_or(1.0)))
                    .round(),
            },
            None => Contribution::None,
        },
        Some(Composition::Other) | None => Contribution::None,
    }
}

/// The insights, most important first, and what several of them share said once
/// ([`shared_notes`]).
pub(crate) fn insights(
    input: &Input,
    moves: &BTreeMap<(String, Horizon), Movement>,
    period: Option<&PeriodInfo>,
) -> (Vec<Insight>, Vec<String>) {
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
    // each insight with the sentence on its segments, added once the grouping is known
    let mut out: Vec<(usize, f64, Insight, Option<String>)> = Vec::new();
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
        let sentence = insight_sentence(ws, m, mv, values, period);
        let grain = values.last().map_or("week", grain);
        let drivers = explanation
            .as_ref()
            .map(|e| drivers_sentence(&unit_of(ws, id), e, grain));
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
            drivers,
        ));
    }
    out.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.metric.cmp(&b.2.metric))
    });
    let (notes, said) = shared_notes(ws, &out.iter().map(|x| &x.2).collect::<Vec<_>>());
    let insights = out
        .into_iter()
        .zip(said)
        .map(|((_, _, mut i, drivers), said)| {
            if let Some(d) = drivers.filter(|_| !said) {
                i.sentence = format!("{} {d}", i.sentence);
            }
            i
        })
        .collect();
    (insights, notes)
}

/// The movement in words; the segments behind it are [`drivers_sentence`]'s.
pub(crate) fn insight_sentence(
    ws: &Workspace,
    m: &Metric,
    mv: &Movement,
    values: &[Point],
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
    match mv.horizon {
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
    }
}

/// Insights that would end the same way (every segment of one dimension moved about in
/// proportion to its size: nothing stands out) say it once: one note names the metrics it is
/// true of, and those insights keep only their movement. Returns the notes and, per insight,
/// whether a note says its segments.
fn shared_notes(ws: &Workspace, insights: &[&Insight]) -> (Vec<String>, Vec<bool>) {
    let mut dims: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, i) in insights.iter().enumerate() {
        let Some(e) = i
            .explanation
            .as_ref()
            .filter(|e| e.broad && matches!(e.contribution, Contribution::Additive))
        else {
            continue;
        };
        match dims.iter_mut().find(|x| x.0 == e.dimension) {
            Some(x) => x.1.push(k),
            None => dims.push((e.dimension.clone(), vec![k])),
        }
    }
    let mut said = vec![false; insights.len()];
    let mut notes = Vec::new();
    for (dim, ks) in dims.into_iter().filter(|x| x.1.len() >= 2) {
        let names: Vec<String> = ks
            .iter()
            .map(|&k| {
                said[k] = true;
                let id = &insights[k].metric;
                ws.metric(id)
                    .map_or(id.clone(), |m| m.display_name().to_string())
            })
            .collect();
        let dim = words(&dim);
        notes.push(format!(
            "{}: every {dim} moved about in proportion to its size; no single {dim} stands out.",
            list(&names)
        ));
    }
    (notes, said)
}

/// The segments behind a change, in words.
// Long because it writes one sentence from the segment split with its cases (one driver,
// several, mix shift, offsetting moves) side by side.
pub(crate) fn drivers_sentence(unit: &Unit, e: &Explanation, grain: &str) -> String {
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
pub(crate) fn events_of(
    ws: &Workspace,
    id: &str,
    seen: &mut BTreeSet<String>,
    out: &mut BTreeSet<String>,
) {
    if !seen.insert(id.to_string()) {
        return;
    }
    let Some(c) = ws.metric(id).and_then(|m| m.compute.as_ref()) else {
        return;
    };
    for r in c.value.metric_refs() {
        events_of(ws, &r.value, seen, out);
    }
    // any event (`None`) is the empty name
    out.extend(
        c.value
            .events()
            .into_iter()
            .map(|e| e.map_or(String::new(), |e| e.value.clone())),
    );
}

pub(crate) fn stale(input: &Input) -> Vec<Stale> {
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
