//! The questions every crate asks of a compute type, and the answers' types: the events and
//! columns it reads, its roll-up, how its values add up over segments, its steps, its reach.
//! Each type answers them all in its arm of `Compute::facts` (in `compute/mod.rs`).

use super::Compute;
use crate::defs::{Grain, Text, Where};
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
pub(super) fn longest_days(g: Grain) -> i64 {
    match g {
        Grain::Day => 1,
        Grain::Week => 7,
        Grain::Month => 31,
        Grain::Quarter => 92,
    }
}

pub(super) const DAY_SECS: i64 = 86_400;

/// Where a type reads users' active periods from the activity roll-up (each user's active
/// weeks, say), so that they are rolled up once for every metric that reads them.
#[derive(Clone, Copy, Debug)]
pub(super) enum Periods {
    /// Of the grain the metric is measured at.
    Measured,
    /// Of the type's own `every`.
    Every(Grain),
}

/// Everything the other crates ask of one compute type, answered together in one arm per
/// type of [`Compute::facts`]: the events it reads, and whatever differs from
/// [`Facts::reading`]'s answers (no filter, no property, no roll-up, a value that neither
/// adds up over segments nor is a share).
pub(super) struct Facts<'a> {
    /// The events it reads, one entry per named event (`None`: any event).
    pub(super) events: Vec<Option<&'a Text>>,
    pub(super) filter: Option<&'a Where>,
    /// The numeric event column it reads.
    pub(super) property: Option<&'a Text>,
    /// `Some(event)` when it reads the per-user daily activity roll-up.
    pub(super) activity: Option<Option<&'a Text>>,
    pub(super) periods: Option<Periods>,
    pub(super) shares_the_scan: bool,
    pub(super) composition: Composition,
    pub(super) combines: Option<Combines<'a>>,
    pub(super) steps: Option<Steps<'a>>,
    /// A retention curve's last step.
    pub(super) horizon: Option<u32>,
    pub(super) only_grows: bool,
    pub(super) reach: Reach,
    /// The events whose first occurrence per user it reads from before its [`Reach`] (`None`:
    /// a first activity of any event).
    pub(super) firsts: Vec<Option<&'a Text>>,
}

impl<'a> Facts<'a> {
    /// A type that reads `events` and nothing else of note.
    pub(super) fn reading(events: Vec<Option<&'a Text>>) -> Facts<'a> {
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

    /// The steps it reports with each value: a funnel's steps, or lifecycle's statuses.
    pub fn steps(&self) -> Option<Steps<'_>> {
        self.facts().steps
    }

    /// A retention curve's last step (its `horizon`), for the curve reported with each value.
    pub fn horizon(&self) -> Option<u32> {
        self.facts().horizon
    }
}

impl Compute {
    /// Other metrics this one is computed from, with the span of each reference.
    pub fn metric_refs(&self) -> Vec<Text> {
        match self.combines() {
            Some(Combines::Ratio {
                numerator,
                denominator,
            }) => vec![numerator.clone(), denominator.clone()],
            Some(Combines::Formula { expr, text }) => {
                let quoted = usize::from(expr.span.len as usize > text.value.len());
                expr.metrics()
                    .into_iter()
                    .map(|(id, off)| {
                        let mut span = expr.span;
                        span.offset += (off + quoted) as u32;
                        span.column += (text.value[..off].chars().count() + quoted) as u32;
                        span.len = id.len() as u32;
                        Spanned::new(id.to_string(), span)
                    })
                    .collect()
            }
            None => Vec::new(),
        }
    }
}
