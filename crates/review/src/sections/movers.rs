//! 1b. What moved the North Star: its change since the last period split into exact parts.
//! A North Star that is a formula of other metrics (`derived`, `ratio`) is split into each
//! input's contribution ([`crate::drivers`]); one that counts active users (`unique` without
//! `where:`) is split into users gained and lost, when a `lifecycle` metric over the same event
//! and period length is measured: this period's users are last period's, plus the new and the
//! resurrected, minus those gone dormant. A split is shown only when its parts add up to the
//! North Star's own change.

use std::collections::BTreeMap;

use crate::drivers;
use crate::review::{Mover, Movers};
use crate::sections::unit_of;
use crate::{Input, Value};
use throughline_model::{Compute, Metric};

pub(crate) fn movers(input: &Input, m: &Metric, last: &Value, now: &Value) -> Option<Movers> {
    if let Some((expr, text)) = drivers::formula(m) {
        return formula(input, &expr, &text, last, now);
    }
    match &m.compute.as_ref()?.value {
        Compute::Unique {
            event,
            filter: None,
        } => lifecycle(input, event.as_ref().map(|e| e.value.as_str()), last, now),
        _ => None,
    }
}

/// `x` and `y` agree to rounding.
fn close(x: f64, y: f64) -> bool {
    (x - y).abs() <= 1e-9 * y.abs().max(1.0)
}

fn at(input: &Input, id: &str, period: &Value) -> Option<f64> {
    input
        .series
        .get(id)?
        .iter()
        .find(|v| v.start == period.start && v.end == period.end)
        .map(|v| v.value)
}

fn formula(
    input: &Input,
    expr: &throughline_model::expr::Expr,
    text: &str,
    last: &Value,
    now: &Value,
) -> Option<Movers> {
    let ids: Vec<&str> = expr.metrics().into_iter().map(|(m, _)| m).collect();
    let values = |period: &Value| -> Option<BTreeMap<String, f64>> {
        ids.iter()
            .map(|id| Some((id.to_string(), at(input, id, period)?)))
            .collect()
    };
    let split = drivers::split(expr, &values(last)?, &values(now)?)?;
    // the inputs' values give the North Star's own: else the split is not of this change
    if !close(split.before, last.value) || !close(split.after, now.value) {
        return None;
    }
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
        })
        .collect();
    parts.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    Some(Movers {
        method: "formula",
        source: text.to_string(),
        before: split.before,
        after: split.after,
        parts,
        interaction: Some(split.interaction),
    })
}

fn lifecycle(input: &Input, event: Option<&str>, last: &Value, now: &Value) -> Option<Movers> {
    let l = input.ws.metrics.iter().find(|l| {
        matches!(
            l.compute.as_ref().map(|c| &c.value),
            Some(Compute::Lifecycle { event: e, .. })
                if e.as_ref().map(|e| e.value.as_str()) == event
        ) && at(input, &format!("{}#new", l.id.value), now).is_some()
    })?;
    let id = &l.id.value;
    let part = |status: &str, label: &str| {
        Some(Mover {
            label: label.to_string(),
            metric: None,
            unit: None,
            before: None,
            after: None,
            contribution: at(input, &format!("{id}#{status}"), now)?,
        })
    };
    let parts = vec![
        part("new", "new users")?,
        part("resurrected", "resurrected users (back after a gap)")?,
        part("dormant", "gone dormant (active last period, not this one)")?,
    ];
    let sum: f64 = parts.iter().map(|p| p.contribution).sum();
    if !close(last.value + sum, now.value) {
        return None;
    }
    Some(Movers {
        method: "lifecycle",
        source: id.clone(),
        before: last.value,
        after: now.value,
        parts,
        interaction: None,
    })
}
