//! `cumulative`: a running total at the end of each period, of events, a sum or distinct
//! users, since the data begins or over a trailing window of whole days. Its definition, its
//! YAML, its answers to the engine and the other crates, and its words; the engine's plan is
//! `throughline-engine`'s `plan/cumulative.rs`.

use super::Compute;
use super::facts::{Composition, DAY_SECS, Facts, Reach};
use crate::decode::{Ctx, Fields, duration};
use crate::defs::{Text, Where};
use crate::source::Spanned;

/// What a `cumulative` metric adds up.
#[derive(Clone, Debug)]
pub enum Running {
    /// The number of `event` events.
    Count { event: Text },
    /// The sum of `property` over `event` events.
    Sum { event: Text, property: Text },
    /// Distinct users with `event` (any event when `None`).
    Unique { event: Option<Text> },
}

impl Running {
    /// The event it adds up (`None`: any event).
    pub fn event(&self) -> Option<&Text> {
        match self {
            Running::Count { event } | Running::Sum { event, .. } => Some(event),
            Running::Unique { event } => event.as_ref(),
        }
    }
}

/// `cumulative`: `of` (count, sum or unique), the event (and for a sum the property) it adds
/// up, and an optional trailing `window` of whole days; `filter` is its `where:`.
pub(super) fn decode(cx: &mut Ctx, f: &mut Fields<'_>, filter: Option<Where>) -> Option<Compute> {
    #[derive(Clone, Copy)]
    enum Of {
        Count,
        Sum,
        Unique,
    }
    let of = f.require(cx, "of", "of: unique").and_then(|v| {
        cx.choice(
            v,
            "of",
            &[
                ("count", Of::Count),
                ("sum", Of::Sum),
                ("unique", Of::Unique),
            ],
        )
    })?;
    let event = |cx: &mut Ctx, f: &mut Fields| {
        f.require(cx, "event", "event: workflow_completed")
            .and_then(|v| cx.data_name(v, "event"))
    };
    let of = match of.value {
        Of::Count => Running::Count {
            event: event(cx, f)?,
        },
        Of::Sum => {
            let event = event(cx, f);
            let property = f
                .require(cx, "property", "property: amount")
                .and_then(|v| cx.data_name(v, "property"));
            Running::Sum {
                event: event?,
                property: property?,
            }
        }
        Of::Unique => Running::Unique {
            event: f.get("event").and_then(|v| cx.data_name(v, "event")),
        },
    };
    let window = match f.get("window") {
        None => None,
        Some(v) => {
            let w = duration(cx, v, "window")?;
            if w.value % 86_400 != 0 {
                cx.value_error(
                    w.span,
                    "a cumulative `window` is a whole number of days".into(),
                    "write e.g. `window: 28d` or `window: 4w`; leave it out to add up since the data begins".into(),
                );
                return None;
            }
            Some(w)
        }
    };
    Some(Compute::Cumulative { of, filter, window })
}

/// Its answers (see [`Facts`]).
pub(super) fn facts<'a>(
    of: &'a Running,
    filter: &'a Option<Where>,
    window: &'a Option<Spanned<i64>>,
) -> Facts<'a> {
    Facts {
        filter: filter.as_ref(),
        property: match of {
            Running::Sum { property, .. } => Some(property),
            Running::Count { .. } | Running::Unique { .. } => None,
        },
        activity: match of {
            Running::Unique { event } if filter.is_none() => Some(event.as_ref()),
            Running::Unique { .. } | Running::Count { .. } | Running::Sum { .. } => None,
        },
        // a user is in one segment, so distinct users add up too
        composition: Composition::Additive,
        // a sum can fall with negative amounts; a window lets values go
        only_grows: window.is_none() && !matches!(of, Running::Sum { .. }),
        // what a day adds leaves a window later: older days no longer count; a
        // total since the data begins counts every event
        reach: match window {
            Some(w) => Reach::Window {
                before_days: w.value.div_euclid(DAY_SECS) + 1,
                after_us: 0,
            },
            None => Reach::Everything,
        },
        ..Facts::reading(vec![of.event()])
    }
}

/// In words: what it adds up, and over which days.
pub(super) fn describe(
    of: &Running,
    filter: &Option<Where>,
    window: &Option<Spanned<i64>>,
) -> String {
    let what = match of {
        Running::Count { event } => format!("number of `{}` events", event.value),
        Running::Sum { event, property } => {
            format!("sum of `{}` over `{}` events", property.value, event.value)
        }
        Running::Unique { event } => format!("distinct users with {}", super::event_words(event)),
    };
    let over = match window {
        Some(w) => format!(
            "in the {} to the end of each period",
            crate::Unit::Duration.format(w.value as f64)
        ),
        None => "from the start of the data to the end of each period".into(),
    };
    format!("{what}{} {over}", super::where_words(filter))
}
