//! 1b. What moved the North Star: its change since the last period split into exact parts.
//! A North Star that is a formula of other metrics (`derived`, `ratio`, or the product or sum
//! of the metrics that `drive` it) is split into each input's contribution
//! ([`crate::drivers`]; a tree formula's rest is a part of its own); one that counts active users (`unique` without
//! `where:`) is split into users gained and lost, when a `lifecycle` metric over the same event
//! and period length is measured: this period's users are last period's, plus the new and the
//! resurrected, minus those gone dormant. A split is shown only when its parts add up to the
//! North Star's own change.

use std::collections::BTreeMap;

use crate::drivers;
use crate::format::{grain, grain_of};
use crate::review::{Mover, Movers, SegmentParts};
use crate::sections::{contribution_kind, unit_of};
use crate::segments::{Contribution, explain};
use crate::{Compare, Horizon, Input, Movement, Point};
use throughline_model::Metric;

/// The value the change is measured from (the index in `values`, before `i`), and the words
/// for it: the period before, or the one `input.compare` names.
/// `Err` says why there is none, when `--compare` asked for a period without a value.
pub(crate) fn base(
    input: &Input,
    values: &[Point],
    i: usize,
) -> Result<(String, usize), Option<String>> {
    let now = values.get(i).ok_or(None)?;
    let g = grain(now);
    if input.compare == Compare::Previous {
        return Ok((format!("last {g}"), i.checked_sub(1).ok_or(None)?));
    }
    let start = input
        .compare
        .earlier(grain_of(now), now.start)
        .map_err(|e| Some(e.into()))?;
    let day = start.format("%b %-d, %Y");
    let ago = match input.compare {
        Compare::YearAgo => "a year before".to_string(),
        Compare::Weeks(1) => "1 week before".to_string(),
        Compare::Weeks(n) => format!("{n} weeks before"),
        Compare::Previous => format!("the {g} before"),
    };
    let since = match g {
        "day" => format!("{day} ({ago})"),
        _ => format!("the {g} of {day} ({ago})"),
    };
    let Some(j) = values[..i].iter().position(|v| v.start == start) else {
        let first = values.first().map_or(String::new(), |v| {
            format!(
                " (its values start with the {g} of {})",
                v.start.format("%b %-d, %Y")
            )
        });
        return Err(Some(format!(
            "No split of the change since {since}: the North Star has no value for it{first}."
        )));
    };
    Ok((since, j))
}

pub(crate) fn movers(
    input: &Input,
    m: &Metric,
    since: String,
    last: &Point,
    now: &Point,
) -> Option<Movers> {
    let mut mv = if let Some(f) = drivers::formula(input.ws, m) {
        formula(input, &f, last, now)
    } else {
        let event = m.compute.as_ref()?.value.active_users()?;
        lifecycle(input, event.map(|e| e.value.as_str()), last, now)
    }?;
    mv.since = since;
    mv.since_start = last.start;
    Some(mv)
}

fn at(input: &Input, id: &str, period: &Point) -> Option<f64> {
    input
        .series
        .get(id)?
        .iter()
        .find(|v| v.start == period.start && v.end == period.end)
        .map(|v| v.value)
}

fn formula(input: &Input, f: &drivers::Formula, last: &Point, now: &Point) -> Option<Movers> {
    let ids: Vec<&str> = f.expr.metrics().into_iter().map(|(m, _)| m).collect();
    let values = |period: &Point| -> Option<BTreeMap<String, f64>> {
        ids.iter()
            .map(|id| Some((id.to_string(), at(input, id, period)?)))
            .collect()
    };
    let split = drivers::split_change(f, &values(last)?, &values(now)?, last.value, now.value)?;
    let mut parts: Vec<Mover> = split
        .parts
        .iter()
        .map(|p| Mover {
            label: input
                .ws
                .metric(&p.metric)
                .map_or(p.metric.clone(), |m| m.display_name().to_string()),
            metric: Some(p.metric.clone()),
            unit: Some(unit_of(input.ws, &p.metric)),
            before: Some(p.before),
            after: Some(p.after),
            contribution: p.contribution,
            segments: by_segment(input, p, last, now),
        })
        .collect();
    parts.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    if !drivers::close(split.rest, 0.0) {
        parts.push(Mover {
            label: format!("the rest (not in {})", f.text),
            metric: None,
            unit: None,
            before: None,
            after: None,
            contribution: split.rest,
            segments: None,
        });
    }
    Some(Movers {
        method: if f.exact { "formula" } else { "tree" },
        source: f.text.clone(),
        since: String::new(),
        since_start: last.start,
        before: split.before,
        after: split.after,
        parts,
        interaction: Some(split.interaction),
    })
}

/// An input's contribution shared out among the segments of its own change: segment s gets
/// the contribution × (s's part of the input's change ÷ the input's change). For sums and
/// products (formulas linear in the input) that is exactly s's own Shapley part of the change;
/// for an input in a denominator it is its proportional share. Only for inputs whose change
/// splits exactly by segment ([`crate::segments`]).
fn by_segment(input: &Input, p: &drivers::Part, last: &Point, now: &Point) -> Option<SegmentParts> {
    let m = input.ws.metric(&p.metric)?;
    let change = p.after - p.before;
    if drivers::close(change, 0.0) {
        return None;
    }
    let kind = contribution_kind(m, input.series.get(&p.metric)?);
    if kind == Contribution::None {
        return None;
    }
    let breakdowns: Vec<&crate::Breakdown> = input
        .breakdowns
        .iter()
        .filter(|b| b.metric == p.metric)
        .collect();
    let movement = Movement {
        metric: p.metric.clone(),
        horizon: Horizon::Week,
        before: p.before,
        after: p.after,
        change,
        band: 0.0,
        moved: true,
        before_starts: vec![last.start],
        after_starts: vec![now.start],
    };
    let e = explain(kind, &breakdowns, &movement)?;
    // the segments must add up to the input's own change
    if !drivers::close(e.total_change, change) {
        return None;
    }
    let mut parts: Vec<(String, f64)> = e
        .drivers
        .iter()
        .map(|d| Some((d.segment.clone(), d.contribution? / change * p.contribution)))
        .collect::<Option<_>>()?;
    parts.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    Some(SegmentParts {
        dimension: e.dimension,
        parts,
    })
}

fn lifecycle(input: &Input, event: Option<&str>, last: &Point, now: &Point) -> Option<Movers> {
    let l = input.ws.metrics.iter().find(|l| {
        l.compute
            .as_ref()
            .and_then(|c| c.value.lifecycle())
            .is_some_and(|e| e.map(|e| e.value.as_str()) == event)
            && at(input, &format!("{}#new", l.id.value), now).is_some()
    })?;
    let id = &l.id.value;
    // the statuses of every period after `last` through `now`, one after another
    let span = |status: &str| -> Option<f64> {
        let values = input.series.get(&format!("{id}#{status}"))?;
        let mut end = last.end;
        let mut sum = 0.0;
        for v in values
            .iter()
            .filter(|v| v.start > last.start && v.start <= now.start)
        {
            if v.start != end {
                return None;
            }
            end = v.end;
            sum += v.value;
        }
        (end == now.end).then_some(sum)
    };
    let periods = input
        .series
        .get(&format!("{id}#new"))?
        .iter()
        .filter(|v| v.start > last.start && v.start <= now.start)
        .count();
    let over = if periods > 1 {
        format!(", over {periods} {}s", grain(now))
    } else {
        String::new()
    };
    let part = |status: &str, label: &str| {
        Some(Mover {
            label: format!("{label}{over}"),
            metric: None,
            unit: None,
            before: None,
            after: None,
            contribution: span(status)?,
            segments: None,
        })
    };
    let parts = vec![
        part("new", "new users")?,
        part("resurrected", "resurrected users (back after a gap)")?,
        part("dormant", "gone dormant (active last period, not this one)")?,
    ];
    let sum: f64 = parts.iter().map(|p| p.contribution).sum();
    if !drivers::close(last.value + sum, now.value) {
        return None;
    }
    Some(Movers {
        method: "lifecycle",
        source: id.clone(),
        since: String::new(),
        since_start: last.start,
        before: last.value,
        after: now.value,
        parts,
        interaction: None,
    })
}
