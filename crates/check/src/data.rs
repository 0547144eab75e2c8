//! What the data says about each key result, computed by the caller (the CLI asks the metric
//! engine) so that this crate stays free of queries.

use std::collections::HashMap;

use throughline_model::{Text, Unit};

/// What the data says: per key result, keyed by `(objective id, key result id)`, and of the
/// event names the metrics read.
#[derive(Clone, Debug, Default)]
pub struct DataFacts {
    pub key_results: HashMap<(String, String), KrData>,
    /// Event names metrics read that never occur in the data.
    pub absent_events: Vec<AbsentEvent>,
    /// Each event name in the data, with how many events have it.
    pub event_counts: std::collections::BTreeMap<String, u64>,
}

/// An event name a metric reads that never occurs in the data, or a value its `where:`
/// requires that its column never has.
#[derive(Clone, Debug)]
pub struct AbsentEvent {
    pub metric: String,
    /// The name (or value) where the metric's definition writes it.
    pub name: Text,
    /// The closest name (or value) that does occur, when one is close.
    pub suggestion: Option<String>,
    /// `None`: an event name; `Some(column)`: a value of that events column.
    pub column: Option<String>,
}

impl DataFacts {
    pub fn get(&self, objective: &str, key_result: &str) -> Option<&KrData> {
        self.key_results
            .get(&(objective.to_string(), key_result.to_string()))
    }
}

/// Every key result with data, and the data.
pub(crate) fn key_results_with_data<'a>(
    cx: &'a crate::Context,
) -> impl Iterator<Item = (&'a throughline_model::KeyResult, &'a KrData)> + 'a {
    cx.data.into_iter().flat_map(move |data| {
        cx.workspace.objectives.iter().flat_map(move |o| {
            o.key_results
                .iter()
                .filter_map(move |kr| Some((kr, data.get(&o.id.value, &kr.id.value)?)))
        })
    })
}

/// What the metric behind one key result did before the key result's period.
#[derive(Clone, Debug)]
pub struct KrData {
    pub metric: String,
    pub unit: Unit,
    /// Whether higher is better.
    pub up: bool,
    /// The last values before the period starts.
    pub before: Option<Measured>,
    /// Where the trend before the period ends up by the period's end.
    pub trend: Option<Trend>,
}

/// The value measured at a period's start: the line through the last values before it (up
/// to 8), at the start; with fewer than 3 values, their mean.
#[derive(Clone, Debug)]
pub struct Measured {
    pub value: f64,
    /// How far values normally stray from that line (the residual standard deviation; with
    /// fewer than 3 values, their standard deviation).
    pub sd: f64,
    /// How many values it is based on.
    pub n: usize,
    /// The grain of the values, for messages (`week`).
    pub grain: String,
    /// The period the key result belongs to, for messages (`2026-Q3`).
    pub period: String,
}

/// The trend before a period, carried on to the period's end.
#[derive(Clone, Debug)]
pub struct Trend {
    /// The bucket forecast, in words: "in the week of 2026-09-28".
    pub when: String,
    pub value: f64,
    /// The 80% prediction interval.
    pub low: f64,
    pub high: f64,
    pub points: usize,
    pub period: String,
}
