//! What every crate asks of a compute type, answered in one place: the events and columns it
//! reads (the engine plans its inputs from them, the review finds stale sources with them),
//! whether it reads the per-user activity roll-up, and its definition in words (the
//! dashboard's metric page). A new compute type answers them here.

use crate::defs::{Compute, Start, Text, Where};

impl Compute {
    /// The events it reads: one entry per named event (`None`: any event). `signup`, the users
    /// source's time, is not an event and is left out.
    pub fn events(&self) -> Vec<Option<&Text>> {
        fn named<'a>(from: &'a Start, to: &'a Text) -> Vec<Option<&'a Text>> {
            from.event().into_iter().chain([to]).map(Some).collect()
        }
        match self {
            Compute::Count { event, .. }
            | Compute::Sum { event, .. }
            | Compute::Average { event, .. }
            | Compute::Nps { event, .. } => vec![Some(event)],
            Compute::Unique { event, .. }
            | Compute::Churn { event, .. }
            | Compute::Lifecycle { event, .. }
            | Compute::Stickiness { event } => vec![event.as_ref()],
            Compute::Funnel {
                steps,
                exclude,
                order,
                ..
            } => {
                if order.value == crate::FunnelOrder::Strict {
                    // every event of the user may break a strict funnel
                    return vec![None];
                }
                // a first step `signup` is the users' signup; later ones are events
                let entry = usize::from(steps.first().is_some_and(|s| s.value == "signup"));
                steps.iter().skip(entry).chain(exclude).map(Some).collect()
            }
            Compute::Conversion { from, to, .. } | Compute::Duration { from, to, .. } => {
                named(from, to)
            }
            Compute::Retention {
                from, return_event, ..
            } => named(from, return_event),
            Compute::Ratio { .. } | Compute::Derived { .. } | Compute::Sql { .. } => Vec::new(),
        }
    }

    /// Its `where:` filter, if it has one.
    pub fn filter(&self) -> Option<&Where> {
        match self {
            Compute::Count { filter, .. }
            | Compute::Unique { filter, .. }
            | Compute::Conversion { filter, .. }
            | Compute::Sum { filter, .. }
            | Compute::Average { filter, .. } => filter.as_ref(),
            _ => None,
        }
    }

    /// The event columns it reads besides user, time and name: its property and the columns
    /// its `where:` names.
    pub fn columns(&self) -> Vec<String> {
        let filtered = |w: &Option<Where>| -> Vec<String> {
            w.as_ref().map_or(Vec::new(), |w| {
                w.filter
                    .properties()
                    .into_iter()
                    .map(String::from)
                    .collect()
            })
        };
        match self {
            Compute::Count { filter, .. }
            | Compute::Unique { filter, .. }
            | Compute::Conversion { filter, .. } => filtered(filter),
            Compute::Sum {
                property, filter, ..
            }
            | Compute::Average {
                property, filter, ..
            } => {
                let mut cols = vec![property.value.clone()];
                cols.extend(filtered(filter));
                cols
            }
            Compute::Nps { property, .. } => vec![property.value.clone()],
            _ => Vec::new(),
        }
    }

    /// `Some(event)` when it is computed from the per-user daily activity roll-up (`None`
    /// inside: any event): unique users without `where:`, churn, stickiness and lifecycle.
    pub fn activity(&self) -> Option<Option<&Text>> {
        match self {
            Compute::Unique {
                event,
                filter: None,
            }
            | Compute::Churn { event, .. }
            | Compute::Lifecycle { event, .. }
            | Compute::Stickiness { event } => Some(event.as_ref()),
            _ => None,
        }
    }

    /// The definition in words, e.g. "number of `invite_sent` events in the period".
    // Long because it is one match with a sentence per compute type; side by side they show
    // that every definition is worded the same way.
    pub fn describe(&self) -> String {
        let f = |w: &Option<crate::Where>| {
            w.as_ref()
                .map_or(String::new(), |w| format!(" where {}", w.text.value))
        };
        let ev = |e: &Option<crate::Text>| {
            e.as_ref()
                .map_or("any event".to_string(), |e| format!("`{}`", e.value))
        };
        match self {
            Compute::Count { event, filter } => format!(
                "number of `{}` events in the period{}",
                event.value,
                f(filter)
            ),
            Compute::Unique { event, filter } => format!(
                "distinct users with {} in the period{}",
                ev(event),
                f(filter)
            ),
            Compute::Sum {
                event,
                property,
                filter,
            } => format!(
                "sum of `{}` over `{}` events{}",
                property.value,
                event.value,
                f(filter)
            ),
            Compute::Average {
                event,
                property,
                filter,
            } => format!(
                "mean of `{}` over `{}` events{}",
                property.value,
                event.value,
                f(filter)
            ),
            Compute::Ratio {
                numerator,
                denominator,
            } => format!(
                "`{}` / `{}` in the same period and segment",
                numerator.value, denominator.value
            ),
            Compute::Conversion {
                from,
                to,
                within,
                filter,
            } => format!(
                "users whose `{}` falls in the period and who have a `{}`{} within {} of it / users whose `{}` falls in the period",
                from.name(),
                to.value,
                f(filter),
                crate::Unit::Duration.format(within.value as f64),
                from.name()
            ),
            Compute::Retention {
                from,
                return_event,
                every,
                horizon,
            } => format!(
                "of the users whose `{}` falls in the period, the share with a `{}` in {} {} after their own start",
                from.name(),
                return_event.value,
                every.value.as_str(),
                horizon.value
            ),
            Compute::Duration {
                from,
                to,
                stat,
                within,
            } => format!(
                "{} time from each user's `{}` to their first `{}` after it (within {}), for users whose `{}` falls in the period",
                match stat.value {
                    crate::Stat::Median => "median",
                    crate::Stat::P90 => "90th percentile of the",
                    crate::Stat::Mean => "mean",
                },
                from.name(),
                to.value,
                crate::Unit::Duration.format(within.value as f64),
                from.name()
            ),
            Compute::Churn { event, every } => format!(
                "of the users with {} in the previous {}, the share without one in this {}",
                ev(event),
                every.value.as_str(),
                every.value.as_str()
            ),
            Compute::Stickiness { event } => format!(
                "mean daily users with {} / users with {} in the period",
                ev(event),
                ev(event)
            ),
            Compute::Nps { event, property } => format!(
                "% of `{}` scores (in `{}` events) from 9 to 10 minus % from 0 to 6",
                property.value, event.value
            ),
            Compute::Funnel {
                steps,
                within,
                exclude,
                order,
            } => {
                let names: Vec<String> = steps.iter().map(|s| format!("`{}`", s.value)).collect();
                let window = match within.first() {
                    Some(w) if within.iter().all(|x| x.value == w.value) => {
                        format!(
                            "within {} of entry",
                            crate::Unit::Duration.format(w.value as f64)
                        )
                    }
                    _ => format!(
                        "within {} of entry (step by step)",
                        within
                            .iter()
                            .map(|w| crate::Unit::Duration.format(w.value as f64))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                let order = match order.value {
                    crate::FunnelOrder::Ordered => "in order",
                    crate::FunnelOrder::Strict => "in order with no other event between steps",
                    crate::FunnelOrder::Any => "in any order",
                };
                format!(
                    "of the users whose first {} in the period enters them, the share who go through {} {order}, {window}{}",
                    names[0],
                    names.join(" → "),
                    exclude.as_ref().map_or(String::new(), |x| format!(
                        ", without a `{}` between steps",
                        x.value
                    ))
                )
            }
            Compute::Lifecycle { event, every } => format!(
                "users with {} by status each {}: new, returning, resurrected and dormant; the value is (new + resurrected) / dormant",
                ev(event),
                every.value.as_str()
            ),
            Compute::Derived { text, .. } => text.value.clone(),
            Compute::Sql { .. } => "a SQL query (the escape hatch): see its definition".into(),
        }
    }
}
