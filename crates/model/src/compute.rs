//! What every crate asks of a compute type, answered in one place: the events and columns it
//! reads (the engine plans its inputs from them, the review finds stale sources with them),
//! whether it reads the per-user activity roll-up, how its values add up across segments,
//! the steps or curve it reports, and its definition in words (the dashboard's metric page).
//! A new compute type answers them here, in matches with no catch-all arm, so the compiler
//! lists every question it has not answered yet.

use crate::defs::{Compute, Grain, Running, Start, Text, Where};
use crate::expr::Expr;
use crate::source::Spanned;

/// How a metric's values over segments relate to its total, for explaining a change by
/// segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Composition {
    /// The total is the sum of the segments' values (counts, sums, distinct users: a user is
    /// in one segment).
    Additive,
    /// The value is a share, numerator over denominator, each additive.
    Rate,
    /// Neither (averages, durations, scores, formulas, SQL).
    Other,
}

/// A metric computed from other metrics' values rather than from data.
#[derive(Clone, Copy, Debug)]
pub enum Combines<'a> {
    /// `numerator / denominator` (×100 with `unit: percent`).
    Ratio {
        numerator: &'a Text,
        denominator: &'a Text,
    },
    /// Arithmetic over metric ids, and the text it was written as.
    Formula {
        expr: &'a Spanned<Expr>,
        text: &'a Text,
    },
}

/// The named steps a metric reports besides its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Steps<'a> {
    pub names: Vec<&'a str>,
    /// Funnel steps are shares of the entrants; lifecycle statuses are counts only.
    pub shares: bool,
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

/// How far from a period lies the data its value reads: what `measure` recomputes when new
/// data arrives (the periods whose reach the change falls in) and what it reads to do so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The events from `before_days` days before the period starts through `after_us`
    /// microseconds after it ends; of the events before those, only each user's first of
    /// each name (a cohort's start, a first activity), never their number or columns.
    Window { before_days: i64, after_us: i64 },
    /// Every event since the data begins: a running total without a window, or a SQL query
    /// the engine cannot see into.
    Everything,
}

/// The most days a period of `g` can have.
fn longest_days(g: Grain) -> i64 {
    match g {
        Grain::Day => 1,
        Grain::Week => 7,
        Grain::Month => 31,
        Grain::Quarter => 92,
    }
}

const DAY_SECS: i64 = 86_400;

/// Where a type reads users' active periods from the activity roll-up (each user's active
/// weeks, say), so that they are rolled up once for every metric that reads them.
#[derive(Clone, Copy, Debug)]
enum Periods {
    /// Of the grain the metric is measured at.
    Measured,
    /// Of the type's own `every`.
    Every(Grain),
}

/// Everything the other crates ask of one compute type, answered together in one arm per
/// type of [`Compute::facts`]: the events it reads, and whatever differs from
/// [`Facts::reading`]'s answers (no filter, no property, no roll-up, a value that neither
/// adds up over segments nor is a share).
struct Facts<'a> {
    /// The events it reads, one entry per named event (`None`: any event).
    events: Vec<Option<&'a Text>>,
    filter: Option<&'a Where>,
    /// The numeric event column it reads.
    property: Option<&'a Text>,
    /// `Some(event)` when it reads the per-user daily activity roll-up.
    activity: Option<Option<&'a Text>>,
    periods: Option<Periods>,
    shares_the_scan: bool,
    composition: Composition,
    combines: Option<Combines<'a>>,
    steps: Option<Steps<'a>>,
    /// A retention curve's last step.
    horizon: Option<u32>,
    only_grows: bool,
    reach: Reach,
    /// The events whose first occurrence per user it reads from before its [`Reach`] (`None`:
    /// a first activity of any event).
    firsts: Vec<Option<&'a Text>>,
}

impl<'a> Facts<'a> {
    /// A type that reads `events` and nothing else of note.
    fn reading(events: Vec<Option<&'a Text>>) -> Facts<'a> {
        Facts {
            events,
            filter: None,
            property: None,
            activity: None,
            periods: None,
            shares_the_scan: false,
            composition: Composition::Other,
            combines: None,
            steps: None,
            horizon: None,
            only_grows: false,
            reach: Reach::Window {
                before_days: 0,
                after_us: 0,
            },
            firsts: Vec::new(),
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
            Compute::Cumulative { of, filter, window } => Facts {
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
            },
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

    /// The events whose first occurrence per user it reads from before its [`Reach`]: a
    /// cohort's `from` event, lifecycle's activity (`None`: of any event).
    pub fn first_events(&self) -> Vec<Option<&Text>> {
        self.facts().firsts
    }

    /// How far from a period lies the data its value reads (see [`Reach`]); a `ratio` or
    /// `derived` metric's own (its parts have theirs).
    pub fn reach(&self) -> Reach {
        self.facts().reach
    }

    /// The events it reads: one entry per named event (`None`: any event). `signup`, the users
    /// source's time, is not an event and is left out.
    pub fn events(&self) -> Vec<Option<&Text>> {
        self.facts().events
    }

    /// Its `where:` filter, if it has one.
    pub fn filter(&self) -> Option<&Where> {
        self.facts().filter
    }

    /// The numeric event column it reads (`sum`, `average`, `nps`, a cumulative sum).
    pub fn property(&self) -> Option<&Text> {
        self.facts().property
    }

    /// The event columns it reads besides user, time and name: its property and the columns
    /// its `where:` names.
    pub fn columns(&self) -> Vec<String> {
        let f = self.facts();
        let mut cols: Vec<String> = f.property.map(|p| p.value.clone()).into_iter().collect();
        if let Some(w) = f.filter {
            cols.extend(w.filter.properties().into_iter().map(String::from));
        }
        cols
    }

    /// `Some(event)` when it is computed from the per-user daily activity roll-up (`None`
    /// inside: any event): unique users without `where:` (at each period or running), churn,
    /// stickiness and lifecycle.
    pub fn activity(&self) -> Option<Option<&Text>> {
        self.facts().activity
    }

    /// The grain of the active periods it reads from the activity roll-up when measured at
    /// `grain`, so that they are rolled up once for every metric that reads them.
    pub fn active_periods(&self, grain: Grain) -> Option<Grain> {
        self.facts().periods.map(|p| match p {
            Periods::Measured => grain,
            Periods::Every(g) => g,
        })
    }

    /// Whether it is one aggregate over the period's events (`count`, `sum`, `average`,
    /// `nps`), so that several such metrics can share one scan of the events.
    pub fn shares_the_scan(&self) -> bool {
        self.facts().shares_the_scan
    }

    /// How its values over segments relate to its total.
    pub fn composition(&self) -> Composition {
        self.facts().composition
    }

    /// `Some` when it combines other metrics' values instead of reading data.
    pub fn combines(&self) -> Option<Combines<'_>> {
        self.facts().combines
    }

    /// Whether its values can only grow: a running total of events or users since the data
    /// begins.
    pub fn only_grows(&self) -> bool {
        self.facts().only_grows
    }

    /// Whether it is a `sql` query, whose values come as the query gives them (no segments,
    /// no plan of the engine's own).
    pub fn is_sql(&self) -> bool {
        matches!(self, Compute::Sql { .. })
    }

    /// The steps it reports with each value: a funnel's steps, or lifecycle's statuses.
    pub fn steps(&self) -> Option<Steps<'_>> {
        self.facts().steps
    }

    /// A retention curve's last step (its `horizon`), for the curve reported with each value.
    pub fn horizon(&self) -> Option<u32> {
        self.facts().horizon
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
            Compute::Cumulative { of, filter, window } => {
                let what = match of {
                    Running::Count { event } => format!("number of `{}` events", event.value),
                    Running::Sum { event, property } => {
                        format!("sum of `{}` over `{}` events", property.value, event.value)
                    }
                    Running::Unique { event } => format!("distinct users with {}", ev(event)),
                };
                let over = match window {
                    Some(w) => format!(
                        "in the {} to the end of each period",
                        crate::Unit::Duration.format(w.value as f64)
                    ),
                    None => "from the start of the data to the end of each period".into(),
                };
                format!("{what}{} {over}", f(filter))
            }
            Compute::Derived { text, .. } => text.value.clone(),
            Compute::Sql { .. } => "a SQL query (the escape hatch): see its definition".into(),
        }
    }
}
