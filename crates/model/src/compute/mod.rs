//! A metric's compute type in one place. This module holds every match over [`Compute`]
//! that answers for all types at once: the definition, its `type` name, the YAML each type
//! takes (`decode`), what the other crates ask of it (`facts`, see [`facts`]) and its
//! definition in words (`describe`). Each match has an arm per type and no catch-all, so the
//! compiler lists every question a new type has not answered yet; a type with more to say
//! than an arm keeps it in its own file (`cumulative.rs`, `funnel.rs`).
//!
//! Adding a type: its file here, its arms below, its plan module in `throughline-engine`'s
//! `plan/` and the line there that dispatches to it.

mod cumulative;
mod decode;
mod facts;
mod funnel;

pub use cumulative::Running;
pub use facts::{Combines, Composition, Reach, Steps};

use facts::{DAY_SECS, Facts, Periods, longest_days};

use crate::decode::{Ctx, Fields, duration, error_in_text};
use crate::defs::{FunnelOrder, Grain, Start, Stat, Text, Where};
use crate::expr::{Expr, parse_expr};
use crate::source::Spanned;
use crate::yaml::Node;

/// How a metric is computed (see DESIGN.md for the exact meaning of each).
#[derive(Clone, Debug)]
pub enum Compute {
    Count {
        event: Text,
        filter: Option<Where>,
    },
    Unique {
        event: Option<Text>,
        filter: Option<Where>,
    },
    Sum {
        event: Text,
        property: Text,
        filter: Option<Where>,
    },
    Average {
        event: Text,
        property: Text,
        filter: Option<Where>,
    },
    Ratio {
        numerator: Text,
        denominator: Text,
    },
    Conversion {
        from: Start,
        to: Text,
        within: Spanned<i64>,
        filter: Option<Where>,
    },
    Retention {
        from: Start,
        return_event: Text,
        every: Spanned<Grain>,
        horizon: Spanned<u32>,
    },
    Duration {
        from: Start,
        to: Text,
        stat: Spanned<Stat>,
        /// How long after `from` a `to` still counts (seconds); later arrivals count as not
        /// arrived, and a cohort is final once its window has passed. Default
        /// [`DURATION_WINDOW_DEFAULT`].
        within: Spanned<i64>,
    },
    Churn {
        event: Option<Text>,
        every: Spanned<Grain>,
    },
    Stickiness {
        event: Option<Text>,
    },
    Nps {
        event: Text,
        property: Text,
    },
    /// `steps[0]` (or `signup`) enters; `within[k-1]` is how long after entry step k may
    /// be reached (one window per step after the first; non-decreasing).
    Funnel {
        steps: Vec<Text>,
        within: Vec<Spanned<i64>>,
        exclude: Option<Text>,
        order: Spanned<FunnelOrder>,
    },
    Lifecycle {
        event: Option<Text>,
        every: Spanned<Grain>,
    },
    /// A running total at the end of each period, of `of`'s events, sum or users: since the
    /// data begins, or over the trailing `window` (seconds, whole days).
    Cumulative {
        of: Running,
        filter: Option<Where>,
        window: Option<Spanned<i64>>,
    },
    Derived {
        expr: Spanned<Expr>,
        text: Text,
    },
    Sql {
        query: Text,
    },
}

impl Compute {
    pub fn type_name(&self) -> &'static str {
        match self {
            Compute::Count { .. } => "count",
            Compute::Unique { .. } => "unique",
            Compute::Sum { .. } => "sum",
            Compute::Average { .. } => "average",
            Compute::Ratio { .. } => "ratio",
            Compute::Conversion { .. } => "conversion",
            Compute::Retention { .. } => "retention",
            Compute::Duration { .. } => "duration",
            Compute::Churn { .. } => "churn",
            Compute::Stickiness { .. } => "stickiness",
            Compute::Nps { .. } => "nps",
            Compute::Funnel { .. } => "funnel",
            Compute::Lifecycle { .. } => "lifecycle",
            Compute::Cumulative { .. } => "cumulative",
            Compute::Derived { .. } => "derived",
            Compute::Sql { .. } => "sql",
        }
    }
}

impl Compute {
    // Long because it is one match with an arm per compute type, each answering every
    // question in `Facts`; side by side they show how the types differ.
    fn facts(&self) -> Facts<'_> {
        // the start event and the target, for cohort types
        fn named<'a>(from: &'a Start, to: &'a Text) -> Vec<Option<&'a Text>> {
            from.event().into_iter().chain([to]).map(Some).collect()
        }
        // a cohort's value settles `secs` after its period ends
        fn after(secs: i64) -> Reach {
            Reach::Window {
                before_days: 0,
                after_us: secs.max(0).saturating_mul(1_000_000),
            }
        }
        // the period before reads too
        fn previous(every: Grain) -> Reach {
            Reach::Window {
                before_days: longest_days(every),
                after_us: 0,
            }
        }
        match self {
            Compute::Count { event, filter } => Facts {
                filter: filter.as_ref(),
                shares_the_scan: true,
                composition: Composition::Additive,
                ..Facts::reading(vec![Some(event)])
            },
            Compute::Unique { event, filter } => Facts {
                filter: filter.as_ref(),
                // without `where:`, from the roll-up (a filter needs the events' columns)
                activity: filter.is_none().then_some(event.as_ref()),
                periods: filter.is_none().then_some(Periods::Measured),
                composition: Composition::Additive,
                ..Facts::reading(vec![event.as_ref()])
            },
            Compute::Sum {
                event,
                property,
                filter,
            }
            | Compute::Average {
                event,
                property,
                filter,
            } => Facts {
                filter: filter.as_ref(),
                property: Some(property),
                shares_the_scan: true,
                // a sum adds up over segments; a mean does not
                composition: if matches!(self, Compute::Sum { .. }) {
                    Composition::Additive
                } else {
                    Composition::Other
                },
                ..Facts::reading(vec![Some(event)])
            },
            Compute::Ratio {
                numerator,
                denominator,
            } => Facts {
                composition: Composition::Rate,
                combines: Some(Combines::Ratio {
                    numerator,
                    denominator,
                }),
                ..Facts::reading(Vec::new())
            },
            Compute::Conversion {
                from,
                to,
                filter,
                within,
            } => Facts {
                filter: filter.as_ref(),
                composition: Composition::Rate,
                reach: after(within.value),
                firsts: from.event().into_iter().map(Some).collect(),
                ..Facts::reading(named(from, to))
            },
            Compute::Retention {
                from,
                return_event,
                horizon,
                every,
            } => Facts {
                composition: Composition::Rate,
                horizon: Some(horizon.value),
                // a user's last step ends horizon + 1 steps after their start
                reach: after(
                    (i64::from(horizon.value) + 1)
                        .saturating_mul(longest_days(every.value))
                        .saturating_mul(DAY_SECS),
                ),
                firsts: from.event().into_iter().map(Some).collect(),
                ..Facts::reading(named(from, return_event))
            },
            Compute::Duration {
                from, to, within, ..
            } => Facts {
                reach: after(within.value),
                firsts: from.event().into_iter().map(Some).collect(),
                ..Facts::reading(named(from, to))
            },
            Compute::Churn { event, every } => Facts {
                activity: Some(event.as_ref()),
                periods: Some(Periods::Every(every.value)),
                composition: Composition::Rate,
                reach: previous(every.value),
                ..Facts::reading(vec![event.as_ref()])
            },
            Compute::Stickiness { event } => Facts {
                activity: Some(event.as_ref()),
                // any event: the measured grain's active periods count the period's actives
                periods: event.is_none().then_some(Periods::Measured),
                ..Facts::reading(vec![event.as_ref()])
            },
            Compute::Nps { event, property } => Facts {
                property: Some(property),
                shares_the_scan: true,
                ..Facts::reading(vec![Some(event)])
            },
            Compute::Funnel {
                steps,
                exclude,
                order,
                within,
            } => Facts {
                composition: Composition::Rate,
                reach: after(within.iter().map(|w| w.value).max().unwrap_or(0)),
                steps: Some(Steps {
                    names: steps.iter().map(|s| s.value.as_str()).collect(),
                    shares: true,
                }),
                ..Facts::reading(if order.value == crate::FunnelOrder::Strict {
                    // every event of the user may break a strict funnel
                    vec![None]
                } else {
                    // a first step `signup` is the users' signup; later ones are events
                    let entry = usize::from(steps.first().is_some_and(|s| s.value == "signup"));
                    steps.iter().skip(entry).chain(exclude).map(Some).collect()
                })
            },
            Compute::Lifecycle { event, every } => Facts {
                activity: Some(event.as_ref()),
                periods: Some(Periods::Every(every.value)),
                // the previous period's actives, and whether a user was ever active before
                reach: previous(every.value),
                firsts: vec![event.as_ref()],
                steps: Some(Steps {
                    names: crate::LIFECYCLE_STATUSES.to_vec(),
                    shares: false,
                }),
                ..Facts::reading(vec![event.as_ref()])
            },
            Compute::Cumulative { of, filter, window } => cumulative::facts(of, filter, window),
            Compute::Derived { expr, text } => Facts {
                combines: Some(Combines::Formula { expr, text }),
                ..Facts::reading(Vec::new())
            },
            Compute::Sql { .. } => Facts {
                reach: Reach::Everything,
                ..Facts::reading(Vec::new())
            },
        }
    }

    // what is asked of one type in particular
    /// Whether it is a `sql` query, whose values come as the query gives them (no segments,
    /// no plan of the engine's own).
    pub fn is_sql(&self) -> bool {
        matches!(self, Compute::Sql { .. })
    }

    /// `Some(event)` for the active users of a period (`unique` without `where:`), whose
    /// change lifecycle statuses explain.
    pub fn active_users(&self) -> Option<Option<&Text>> {
        let Compute::Unique {
            event,
            filter: None,
        } = self
        else {
            return None;
        };
        Some(event.as_ref())
    }

    /// `Some(event)` for a lifecycle metric.
    pub fn lifecycle(&self) -> Option<Option<&Text>> {
        let Compute::Lifecycle { event, .. } = self else {
            return None;
        };
        Some(event.as_ref())
    }

    /// The definition in words, e.g. "number of `invite_sent` events in the period".
    // Long because it is one match with a sentence per compute type; side by side they show
    // that every definition is worded the same way.
    pub fn describe(&self) -> String {
        let (f, ev) = (where_words, event_words);
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
            } => funnel::describe(steps, within, exclude, order.value),
            Compute::Lifecycle { event, every } => format!(
                "users with {} by status each {}: new, returning, resurrected and dormant; the value is (new + resurrected) / dormant",
                ev(event),
                every.value.as_str()
            ),
            Compute::Cumulative { of, filter, window } => cumulative::describe(of, filter, window),
            Compute::Derived { text, .. } => text.value.clone(),
            Compute::Sql { .. } => "a SQL query (the escape hatch): see its definition".into(),
        }
    }
}

/// A `where:` filter in words (` where plan = 'pro'`), or nothing.
fn where_words(w: &Option<Where>) -> String {
    w.as_ref()
        .map_or(String::new(), |w| format!(" where {}", w.text.value))
}

/// An event in words: `` `visit` ``, or any event.
fn event_words(e: &Option<Text>) -> String {
    e.as_ref()
        .map_or("any event".to_string(), |e| format!("`{}`", e.value))
}

pub(crate) const COMPUTE_TYPES: &[&str] = &[
    "count",
    "unique",
    "sum",
    "average",
    "ratio",
    "conversion",
    "retention",
    "duration",
    "churn",
    "stickiness",
    "nps",
    "funnel",
    "lifecycle",
    "cumulative",
    "derived",
    "sql",
];

/// A metric's `compute:`: its `type` and the fields that type takes.
// Long because it is one match with an arm per compute type and the fields each takes; the arms
// are short and reading them side by side shows what each type accepts.
pub(crate) fn decode(cx: &mut Ctx, n: &Node) -> Option<Spanned<Compute>> {
    use self::decode::{choice_or, every, filter, name, optional_name, req, start};
    let mut f = Fields::new(cx, n, "`compute`")?;
    let ty = f.require(cx, "type", "type: conversion")?;
    let ty_text = cx.text(ty, "type")?;
    let ty_name = ty_text.value.trim().to_ascii_lowercase();
    let c = match ty_name.as_str() {
        "count" => {
            let event = name(cx, &mut f, "event", "event: workflow_completed");
            let filter = filter(cx, &mut f);
            event.map(|event| Compute::Count { event, filter })
        }
        "unique" => {
            let event = optional_name(cx, &mut f, "event");
            let filter = filter(cx, &mut f);
            Some(Compute::Unique { event, filter })
        }
        "sum" | "average" => {
            let event = name(cx, &mut f, "event", "event: purchase");
            let property = name(cx, &mut f, "property", "property: amount");
            let filter = filter(cx, &mut f);
            match (event, property) {
                (Some(event), Some(property)) if ty_name == "sum" => Some(Compute::Sum {
                    event,
                    property,
                    filter,
                }),
                (Some(event), Some(property)) => Some(Compute::Average {
                    event,
                    property,
                    filter,
                }),
                _ => None,
            }
        }
        "ratio" => {
            let numerator = req(cx, &mut f, "numerator", "numerator: revenue");
            let denominator = req(cx, &mut f, "denominator", "denominator: active_users");
            Some(Compute::Ratio {
                numerator: numerator?,
                denominator: denominator?,
            })
        }
        "conversion" => {
            let from = start(cx, &mut f);
            let to = name(cx, &mut f, "to", "to: workflow_completed");
            let within = f
                .require(cx, "within", "within: 7d")
                .and_then(|v| duration(cx, v, "within"));
            let filter = filter(cx, &mut f);
            Some(Compute::Conversion {
                from: from?,
                to: to?,
                within: within?,
                filter,
            })
        }
        "retention" => {
            let from = start(cx, &mut f);
            let return_event = name(cx, &mut f, "return", "return: session_started");
            let every = every(cx, &mut f, Grain::Week);
            let horizon = f
                .require(cx, "horizon", "horizon: 4")
                .and_then(|v| cx.number(v, "horizon"))
                .and_then(|h| {
                    if h.value >= 0.0 && h.value <= 520.0 && h.value.fract() == 0.0 {
                        Some(Spanned::new(h.value as u32, h.span))
                    } else {
                        cx.value_error(
                            h.span,
                            "`horizon` must be a whole number of periods from 0 to 520".into(),
                            "write e.g. `horizon: 4` for week 4 retention".into(),
                        );
                        None
                    }
                });
            Some(Compute::Retention {
                from: from?,
                return_event: return_event?,
                every: every?,
                horizon: horizon?,
            })
        }
        "duration" => {
            let from = start(cx, &mut f);
            let to = name(cx, &mut f, "to", "to: workflow_completed");
            let stat = choice_or(
                cx,
                &mut f,
                "stat",
                &[
                    ("median", Stat::Median),
                    ("p90", Stat::P90),
                    ("mean", Stat::Mean),
                ],
                Stat::Median,
            );
            let within = match f.get("within") {
                Some(v) => duration(cx, v, "within"),
                None => Some(Spanned::new(
                    crate::defs::DURATION_WINDOW_DEFAULT,
                    Default::default(),
                )),
            };
            Some(Compute::Duration {
                from: from?,
                to: to?,
                stat: stat?,
                within: within?,
            })
        }
        "churn" => {
            let event = optional_name(cx, &mut f, "event");
            let every = every(cx, &mut f, Grain::Month);
            Some(Compute::Churn {
                event,
                every: every?,
            })
        }
        "stickiness" => Some(Compute::Stickiness {
            event: optional_name(cx, &mut f, "event"),
        }),
        "nps" => {
            let event = name(cx, &mut f, "event", "event: nps_response");
            let property = name(cx, &mut f, "property", "property: score");
            Some(Compute::Nps {
                event: event?,
                property: property?,
            })
        }
        "funnel" => funnel::decode(cx, &mut f),
        "lifecycle" => {
            let event = optional_name(cx, &mut f, "event");
            let every = every(cx, &mut f, Grain::Week);
            Some(Compute::Lifecycle {
                event,
                every: every?,
            })
        }
        "cumulative" => {
            let filter = filter(cx, &mut f);
            cumulative::decode(cx, &mut f, filter)
        }
        "derived" => {
            let text = f
                .require(cx, "expr", "expr: arpu / churn_rate")
                .and_then(|v| cx.text(v, "expr"))?;
            match parse_expr(&text.value) {
                Ok(e) => Some(Compute::Derived {
                    expr: Spanned::new(e, text.span),
                    text,
                }),
                Err(e) => {
                    error_in_text(
                        cx,
                        &text,
                        e.offset,
                        format!("invalid expression: {}", e.message),
                        "a derived metric is arithmetic over metric ids, e.g. `expr: arpu / churn_rate`",
                    );
                    None
                }
            }
        }
        "sql" => {
            let query = f
                .require(cx, "query", "query: SELECT …")
                .and_then(|v| cx.text(v, "query"));
            Some(Compute::Sql { query: query? })
        }
        _ => {
            let help = crate::decode::one_of_help(&ty_name, COMPUTE_TYPES, "type");
            cx.value_error(
                ty_text.span,
                format!("`{}` is not a compute type", ty_text.value),
                help,
            );
            // don't also report the type-specific fields as unknown
            return None;
        }
    };
    let span = f.span;
    f.finish(cx);
    c.map(|c| Spanned::new(c, span))
}
