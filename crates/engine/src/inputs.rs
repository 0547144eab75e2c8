//! The work shared by every metric of a request, done once: the events are read and
//! filtered to the event names and columns the metrics use, joined to the users' dimension
//! when segmenting, and (when cached) held in memory; a per-user, per-day activity roll-up
//! serves active users, churn and stickiness.

use std::collections::BTreeSet;

use datafusion::logical_expr::JoinType;
use datafusion::prelude::*;
use throughline_model::{Compute, Metric};

use crate::error::{EngineError, df};
use crate::sources::{EVENT, SIGNUP, TS, Tables, USER, column_type};
use crate::time::Calendar;
use throughline_model::Grain;

pub(crate) const SEGMENT: &str = "segment";
pub(crate) const DAY: &str = "day";
/// The segment of users without a row in the users table (or with no value).
pub(crate) const NO_SEGMENT: &str = "(none)";

/// What a set of metrics reads.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// Event names read; `None` inside means every event.
    pub events: BTreeSet<String>,
    pub all_events: bool,
    /// Event columns read (properties and filter columns).
    pub columns: BTreeSet<String>,
    pub activity: bool,
}

impl Needs {
    pub fn add(&mut self, m: &Metric) {
        let Some(c) = &m.compute else { return };
        let mut ev = |e: Option<&throughline_model::Text>| match e {
            Some(e) if e.value != "signup" => {
                self.events.insert(e.value.clone());
            }
            Some(_) => {}
            None => self.all_events = true,
        };
        match &c.value {
            Compute::Count { event, filter } => {
                ev(Some(event));
                self.filter_columns(filter);
            }
            Compute::Unique { event, filter } => {
                ev(event.as_ref());
                if filter.is_none() {
                    self.activity = true;
                }
                self.filter_columns(filter);
            }
            Compute::Sum {
                event,
                property,
                filter,
            }
            | Compute::Average {
                event,
                property,
                filter,
            } => {
                ev(Some(event));
                self.columns.insert(property.value.clone());
                self.filter_columns(filter);
            }
            Compute::Nps { event, property } => {
                ev(Some(event));
                self.columns.insert(property.value.clone());
            }
            Compute::Conversion {
                from, to, filter, ..
            } => {
                ev(Some(from));
                ev(Some(to));
                self.filter_columns(filter);
            }
            Compute::Retention {
                from, return_event, ..
            } => {
                ev(Some(from));
                ev(Some(return_event));
            }
            Compute::Duration { from, to, .. } => {
                ev(Some(from));
                ev(Some(to));
            }
            Compute::Churn { event, .. } | Compute::Stickiness { event } => {
                ev(event.as_ref());
                self.activity = true;
            }
            Compute::Ratio { .. } | Compute::Derived { .. } | Compute::Sql { .. } => {}
        }
    }

    fn filter_columns(&mut self, w: &Option<throughline_model::Where>) {
        if let Some(w) = w {
            self.columns
                .extend(w.filter.properties().into_iter().map(String::from));
        }
    }
}

/// The tables metric plans read.
#[derive(Clone)]
pub(crate) struct Inputs {
    /// `user_id`, `ts`, `event`, the needed columns, and `segment` when segmenting.
    pub events: DataFrame,
    /// `user_id`, `day` (local midnight), `event`, and `segment`: one row per user, day and
    /// event name with at least one event.
    pub activity: Option<DataFrame>,
    /// `user_id`, `signup_ts`, and `segment` when segmenting.
    pub users: Option<DataFrame>,
    /// The dimension segmented by.
    pub by: Option<String>,
    /// Every column of the events source, for messages.
    pub event_columns: Vec<String>,
    /// The session the sources are registered in (for `sql` metrics).
    pub session: SessionContext,
}

impl Inputs {
    /// Whether values are split by a dimension (every plan then carries `segment`).
    pub fn segmented(&self) -> bool {
        self.by.is_some()
    }

    /// `first`, followed by `segment` when segmenting: the leading columns of a plan.
    pub fn keyed(&self, first: Expr) -> Vec<Expr> {
        let mut cols = vec![first];
        if self.segmented() {
            cols.push(col(SEGMENT));
        }
        cols
    }

    /// Builds the shared inputs; `cache` runs them once and keeps the result in memory.
    pub async fn build(
        session: &SessionContext,
        t: &Tables,
        needs: &Needs,
        by: Option<&str>,
        cal: &Calendar,
        cache: bool,
    ) -> Result<Inputs, EngineError> {
        let mut events = t.events.clone();
        if !needs.all_events {
            let names: Vec<Expr> = needs.events.iter().map(|e| lit(e.clone())).collect();
            events = events
                .filter(col(EVENT).in_list(names, false))
                .map_err(|e| df("selecting events", e))?;
        }
        let mut cols = vec![col(USER), col(TS), col(EVENT)];
        for c in &needs.columns {
            if column_type(&events, c).is_some() {
                cols.push(ident(c.clone()));
            }
        }
        events = events
            .select(cols)
            .map_err(|e| df("selecting columns", e))?;
        let mut users = t.users.clone();
        if let Some(dim) = by {
            let u = users.clone().ok_or_else(|| {
                EngineError::new(
                    format!("cannot segment by `{dim}`: the workspace has no `users` source"),
                    "add a `users` source with `dimensions:` to throughline.yaml",
                )
            })?;
            if !t.dimensions.iter().any(|d| d == dim) {
                let help = match throughline_model::did_you_mean(
                    dim,
                    t.dimensions.iter().map(String::as_str),
                ) {
                    Some(s) => format!(
                        "did you mean `{s}`? the dimensions are: {}",
                        t.dimensions.join(", ")
                    ),
                    None if t.dimensions.is_empty() => {
                        "declare `dimensions:` on the users source in throughline.yaml".into()
                    }
                    None => format!("the dimensions are: {}", t.dimensions.join(", ")),
                };
                return Err(EngineError::new(
                    format!("`{dim}` is not a dimension of the users source"),
                    help,
                ));
            }
            let u = u
                .select(vec![
                    col(USER),
                    col(SIGNUP),
                    coalesce(vec![ident(dim), lit(NO_SEGMENT)]).alias(SEGMENT),
                ])
                .map_err(|e| df("segmenting", e))?;
            let right = u
                .clone()
                .select(vec![
                    col(USER).alias("__user"),
                    col(SEGMENT).alias("__segment"),
                ])
                .map_err(|e| df("segmenting", e))?;
            // users without a row in the users table keep their events, in `(none)`
            let mut keep: Vec<Expr> = events
                .schema()
                .fields()
                .iter()
                .map(|f| ident(f.name()))
                .collect();
            keep.push(coalesce(vec![col("__segment"), lit(NO_SEGMENT)]).alias(SEGMENT));
            events = events
                .join(right, JoinType::Left, &[USER], &["__user"], None)
                .and_then(|d| d.select(keep))
                .map_err(|e| df("joining users", e))?;
            users = Some(u);
        } else if let Some(u) = users {
            users = Some(
                u.select(vec![col(USER), col(SIGNUP)])
                    .map_err(|e| df("reading users", e))?,
            );
        }
        if cache {
            events = events
                .cache()
                .await
                .map_err(|e| df("reading the events", e))?;
            if let Some(u) = users {
                users = Some(u.cache().await.map_err(|e| df("reading the users", e))?);
            }
        }
        let activity = if needs.activity {
            let mut groups = vec![
                col(USER),
                cal.bucket(Grain::Day, col(TS)).alias(DAY),
                col(EVENT),
            ];
            if by.is_some() {
                groups.push(col(SEGMENT));
            }
            let a = events
                .clone()
                .aggregate(groups, vec![])
                .map_err(|e| df("rolling up activity", e))?;
            Some(if cache {
                a.cache().await.map_err(|e| df("rolling up activity", e))?
            } else {
                a
            })
        } else {
            None
        };
        Ok(Inputs {
            events,
            activity,
            users,
            by: by.map(String::from),
            event_columns: t
                .events
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|n| n != crate::sources::RAW_TIME)
                .collect(),
            session: session.clone(),
        })
    }
}
