//! ## event-not-in-data
//!
//! **What it flags.** An event name a metric reads (`event:`, `from:`, `to:`, `return:`, a
//! funnel's `steps:` and `exclude:`) that no event in the data has. Runs with
//! `throughline check --with-data`; `measure`, `review` and the dashboard say the same and show
//! the metric as no data.
//!
//! **Why this is bad.** Counting a name that never occurs gives zero, every period, with
//! nothing to say that the zero comes from a typo rather than from the product. A guardrail on
//! errors reads as healthy; a key result reads as a flat line that no one can move. A number
//! that cannot be right must not look like one.
//!
//! **Example.** The data has `note_exported`; the metric reads a misspelling:
//! ```yaml
//! - id: exports
//!   compute: { type: count, event: note_exportd }
//! ```
//!
//! **Instead.** Use the name the data has (`throughline check --with-data` suggests the
//! closest one and lists the most common):
//! ```yaml
//!   compute: { type: count, event: note_exported }
//! ```
//! If the event is real but has not happened yet (a new feature, an error that never
//! occurred), say so where the metric is defined:
//! `# throughline: allow(event-not-in-data)`.

use super::prelude::*;

pub struct EventNotInData;

static META: RuleMeta = RuleMeta::new(
    "event-not-in-data",
    Severity::Error,
    "a metric reads an event name that never occurs in the data (reads data)",
    include_str!("event_not_in_data.rs"),
);

/// How many of the most common names the help lists when none is close.
const LISTED: usize = 6;

impl Rule for EventNotInData {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
    fn check(&self, cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(data) = cx.data else { return };
        for a in data.absent_events.iter().filter(|a| a.column.is_none()) {
            let help = match &a.suggestion {
                Some(s) => format!(
                    "did you mean `{s}`? ({} events have that name)",
                    data.event_counts.get(s).copied().unwrap_or(0)
                ),
                None => {
                    let mut common: Vec<(&String, &u64)> = data.event_counts.iter().collect();
                    common.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                    let names: Vec<String> = common
                        .iter()
                        .take(LISTED)
                        .map(|(n, _)| format!("`{n}`"))
                        .collect();
                    format!(
                        "the most common event names are {}; if this event has simply not happened yet, allow it with `# throughline: allow(event-not-in-data)`",
                        names.join(", ")
                    )
                }
            };
            out.push(
                finding(format!(
                    "metric `{}` reads event `{}`, which never occurs in the data",
                    a.metric, a.name.value
                ))
                .at(a.name.span)
                .label("no event has this name")
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{AbsentEvent, DataFacts};

    fn run(yaml: &str, facts: &DataFacts) -> Vec<(u32, u32, String, String)> {
        let mut loader = throughline_model::Loader::new();
        loader.add_yaml(
            "throughline.yaml",
            std::path::Path::new("throughline.yaml"),
            yaml.into(),
        );
        let loaded = loader.finish();
        let ws = &loaded.workspace;
        let mut facts = facts.clone();
        // the names where the workspace writes them, as the engine reports them
        for a in &mut facts.absent_events {
            a.name = ws
                .metric(&a.metric)
                .and_then(|m| m.compute.as_ref())
                .and_then(|c| {
                    c.value
                        .events()
                        .into_iter()
                        .flatten()
                        .find(|t| t.value == a.name.value)
                        .cloned()
                })
                .expect("the metric reads the name");
        }
        crate::run_with_data(&loaded, Some(&facts))
            .into_iter()
            .filter(|d| d.code == "event-not-in-data")
            .map(|d| {
                let at = d.span.expect("a place");
                (at.line, at.column, d.message, d.help.unwrap_or_default())
            })
            .collect()
    }

    fn absent(metric: &str, name: &str, suggestion: Option<&str>) -> AbsentEvent {
        AbsentEvent {
            metric: metric.into(),
            name: throughline_model::Text {
                value: name.into(),
                span: Default::default(),
            },
            suggestion: suggestion.map(String::from),
            column: None,
        }
    }

    const YAML: &str = "workspace: T
metrics:
  - id: exports
    compute: { type: count, event: note_exportd }
  - id: activation
    compute: { type: conversion, from: signup, to: first_payment, within: 7d }
";

    #[test]
    fn names_the_metric_the_place_and_the_likely_name() {
        let facts = DataFacts {
            event_counts: [("note_exported", 120), ("login", 900), ("payment", 40)]
                .into_iter()
                .map(|(n, c)| (n.to_string(), c))
                .collect(),
            absent_events: vec![
                absent("exports", "note_exportd", Some("note_exported")),
                absent("activation", "first_payment", None),
            ],
            ..DataFacts::default()
        };
        let found = run(YAML, &facts);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            (found[0].0, found[0].1, found[0].2.as_str()),
            (
                4,
                36,
                "metric `exports` reads event `note_exportd`, which never occurs in the data"
            )
        );
        assert_eq!(
            found[0].3,
            "did you mean `note_exported`? (120 events have that name)"
        );
        assert_eq!((found[1].0, found[1].1), (6, 52));
        assert!(
            found[1].3.starts_with(
                "the most common event names are `login`, `note_exported`, `payment`;"
            ),
            "{}",
            found[1].3
        );
    }

    #[test]
    fn says_nothing_without_data_or_when_allowed() {
        assert!(run(YAML, &DataFacts::default()).is_empty());
        let allowed = YAML.replace(
            "event: note_exportd }",
            "event: note_exportd } # throughline: allow(event-not-in-data)",
        );
        let facts = DataFacts {
            absent_events: vec![absent("exports", "note_exportd", None)],
            ..DataFacts::default()
        };
        assert!(run(&allowed, &facts).is_empty());
    }
}
