//! One module per agenda section of the weekly review (the key results' progress rows are
//! built with the objectives in `build`); each turns the gathered inputs into its rows. The
//! small lookups they share are below.

pub(crate) mod experiments;
pub(crate) mod focus;
pub(crate) mod guardrails;
pub(crate) mod insights;
pub(crate) mod movers;
pub(crate) mod north_star;

pub(crate) use experiments::*;
pub(crate) use focus::*;
pub(crate) use guardrails::*;
pub(crate) use insights::*;
pub(crate) use north_star::*;

use crate::Input;
use throughline_model::{Metric, Unit, Workspace};

pub(crate) fn unit_of(ws: &Workspace, id: &str) -> Unit {
    ws.metric(id).map_or(Unit::Count, Metric::unit_or_count)
}

pub(crate) fn up(m: Option<&Metric>) -> bool {
    m.is_none_or(Metric::higher_is_better)
}

/// The workspace objectives the review covers.
pub(crate) fn review_objectives<'a>(
    input: &'a Input,
) -> impl Iterator<Item = &'a throughline_model::Objective> {
    input.ws.objectives.iter().filter(|o| {
        input
            .objectives
            .iter()
            .any(|s| s.id == o.id.value && s.path == o.path())
    })
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
