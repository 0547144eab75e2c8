//! Period over period: each value beside the same metric and segment in an earlier period
//! (`previous`, `year-ago`, or `N` weeks before), its change, and for a formula metric
//! (`derived`, `ratio`) that change split into its inputs' contributions
//! ([`throughline_review::drivers`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use throughline_engine::MetricValue;
use throughline_model::Workspace;
pub use throughline_review::Compare;
use throughline_review::drivers::{self, Split};

/// A value's earlier counterpart.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The earlier period's first day.
    pub start: NaiveDate,
    /// Its value, when it has one.
    pub value: Option<f64>,
    /// Now minus then.
    pub change: Option<f64>,
    /// A formula metric's change split into its inputs (when every input has both values).
    pub split: Option<Split>,
}

type Key = (String, BTreeMap<String, String>, &'static str, NaiveDate);

fn key(metric: &str, v: &MetricValue, start: NaiveDate) -> Key {
    (
        metric.to_string(),
        v.segment.clone(),
        v.grain.as_str(),
        start,
    )
}

/// Each value's comparison (in the same order; `None` when the earlier period was not
/// measured). `values` holds the earlier periods too, and for a formula metric its inputs.
pub fn compare(
    ws: &Workspace,
    values: &[MetricValue],
    when: Compare,
) -> Result<Vec<Option<Comparison>>, throughline_model::ValueError> {
    let by_key: HashMap<Key, &MetricValue> = values
        .iter()
        .map(|v| (key(&v.metric, v, v.start.date_naive()), v))
        .collect();
    values
        .iter()
        .map(|v| {
            let now = v.start.date_naive();
            let then = when.earlier(v.grain, now)?;
            let Some(e) = by_key.get(&key(&v.metric, v, then)) else {
                return Ok(None);
            };
            let change = match (v.value, e.value) {
                (Some(a), Some(b)) => Some(a - b),
                _ => None,
            };
            let split = formula(ws, &v.metric).and_then(|f| {
                let inputs = |start: NaiveDate| -> Option<BTreeMap<String, f64>> {
                    f.expr
                        .metrics()
                        .into_iter()
                        .map(|(id, _)| {
                            let x = by_key.get(&key(id, v, start))?.value?;
                            Some((id.to_string(), x))
                        })
                        .collect()
                };
                drivers::split_change(&f, &inputs(then)?, &inputs(now)?, e.value?, v.value?)
            });
            Ok(Some(Comparison {
                start: then,
                value: e.value,
                change,
                split,
            }))
        })
        .collect()
}

/// A formula metric's formula (see [`drivers::formula`]).
fn formula(ws: &Workspace, id: &str) -> Option<drivers::Formula> {
    drivers::formula(ws, ws.metric(id)?)
}

/// The metrics a formula metric reads directly, which its split needs beside it.
pub fn inputs(ws: &Workspace, id: &str) -> Vec<String> {
    formula(ws, id).map_or_else(Vec::new, |f| {
        f.expr
            .metrics()
            .into_iter()
            .map(|(m, _)| m.to_string())
            .collect()
    })
}
