//! One metric, one query plan: events filtered, bucketed into calendar periods in the
//! workspace zone, optionally joined to the users table for a dimension, and aggregated.
//! Plans are built with DataFusion's DataFrame API; nothing from a definition is pasted into
//! SQL text.

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::{avg, count, count_distinct, sum};
use datafusion::logical_expr::JoinType;
use datafusion::prelude::*;
use throughline_model::{Compute, Grain, Metric, Text};

use crate::error::{EngineError, df};
use crate::sources::{EVENT, TS, Tables, USER, column_type};
use crate::time::Calendar;

pub(crate) const PERIOD: &str = "period";
pub(crate) const SEGMENT: &str = "segment";
pub(crate) const VALUE: &str = "value";

/// What to compute a metric over.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    pub grain: Grain,
    pub by: Option<String>,
    /// UTC instants, microseconds: `[from, to)`.
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
}

/// How a metric's rows are aggregated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fold {
    Count,
    Unique,
    Sum,
    Average,
}

impl Fold {
    /// Whether a period with no rows has the value 0 (a count) rather than no value.
    pub fn zero_when_empty(self) -> bool {
        self != Fold::Average
    }
}

/// The plan of an event metric: columns `period`, `segment` (when `by`), `value`.
pub(crate) fn event_metric(
    t: &Tables,
    m: &Metric,
    cal: &Calendar,
    scope: &Scope,
) -> Result<(DataFrame, Fold), EngineError> {
    let compute = m.compute.as_ref().ok_or_else(|| {
        EngineError::new(
            format!("metric `{}` has no `compute:`", m.id.value),
            "add `compute: { type: count, event: … }` (see DESIGN.md for every type)",
        )
        .at(m.span)
    })?;
    let (event, property, filter, fold): (Option<&Text>, Option<&Text>, Option<&Text>, Fold) =
        match &compute.value {
            Compute::Count { event, filter } => (Some(event), None, filter.as_ref(), Fold::Count),
            Compute::Unique { event, filter } => {
                (event.as_ref(), None, filter.as_ref(), Fold::Unique)
            }
            Compute::Sum {
                event,
                property,
                filter,
            } => (Some(event), Some(property), filter.as_ref(), Fold::Sum),
            Compute::Average {
                event,
                property,
                filter,
            } => (Some(event), Some(property), filter.as_ref(), Fold::Average),
            other => {
                return Err(EngineError::new(
                format!("metric `{}`: compute type `{}` is not computed by this version yet", m.id.value, other.type_name()),
                "count, unique, sum, average and ratio are computed today; the other types come with the rest of the metric engine",
            )
            .at(compute.span));
            }
        };
    if let Some(f) = filter {
        return Err(EngineError::new(
            format!("metric `{}`: `where:` filters are not applied by this version yet", m.id.value),
            "remove `where:` for now, or measure the unfiltered metric; filters come with the expression parser",
        )
        .at(f.span));
    }
    let mut d = t.events.clone();
    if let Some(e) = event {
        d = d
            .filter(col(EVENT).eq(lit(e.value.clone())))
            .map_err(|e| df("filtering events", e))?;
    }
    if let Some(from) = scope.from_us {
        d = d
            .filter(col(TS).gt_eq(ts_lit(from)))
            .map_err(|e| df("filtering dates", e))?;
    }
    if let Some(to) = scope.to_us {
        d = d
            .filter(col(TS).lt(ts_lit(to)))
            .map_err(|e| df("filtering dates", e))?;
    }
    let value = match (fold, property) {
        (Fold::Count, _) => count(lit(1)),
        (Fold::Unique, _) => count_distinct(col(USER)),
        (Fold::Sum | Fold::Average, Some(p)) => {
            let ty = column_type(&d, &p.value).ok_or_else(|| {
                EngineError::new(
                    format!(
                        "metric `{}`: the events have no column `{}`",
                        m.id.value, p.value
                    ),
                    "name a column of the events source in `property:`",
                )
                .at(p.span)
            })?;
            if !ty.is_numeric() {
                return Err(EngineError::new(
                    format!(
                        "metric `{}`: column `{}` is {ty}, not a number",
                        m.id.value, p.value
                    ),
                    "sum and average need a numeric column",
                )
                .at(p.span));
            }
            let v = cast(ident(p.value.clone()), DataType::Float64);
            if fold == Fold::Sum { sum(v) } else { avg(v) }
        }
        _ => unreachable!("sum and average always name a property"),
    };
    let mut groups = vec![cal.bucket(scope.grain, col(TS)).alias(PERIOD)];
    if let Some(dim) = &scope.by {
        let users = t.users.clone().ok_or_else(|| {
            EngineError::new(
                format!("cannot segment by `{dim}`: the workspace has no `users` source"),
                "add a `users` source with `dimensions:` to throughline.yaml",
            )
        })?;
        if !t.dimensions.contains(dim) {
            return Err(EngineError::new(
                format!("`{dim}` is not a dimension of the users source"),
                format!("the dimensions are: {}", t.dimensions.join(", ")),
            ));
        }
        let right = users
            .select(vec![
                col(USER).alias("__user"),
                ident(dim.clone()).alias(SEGMENT),
            ])
            .map_err(|e| df("segmenting", e))?;
        // users without a row in the users table keep their events, with no segment
        d = d
            .join(right, JoinType::Left, &[USER], &["__user"], None)
            .map_err(|e| df("joining users", e))?;
        groups.push(col(SEGMENT));
    }
    let out = d
        .aggregate(groups, vec![cast(value, DataType::Float64).alias(VALUE)])
        .map_err(|e| df("aggregating", e))?;
    Ok((out, fold))
}

fn ts_lit(us: i64) -> Expr {
    lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}
