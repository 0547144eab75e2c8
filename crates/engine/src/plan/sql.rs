//! The `sql` escape hatch: the team's own query over the normalized `events` and `users`
//! tables, returning `period`, the segment column when measured by a dimension, and `value`.
//! The query may only read: statements that define or change data are refused. Its periods
//! are cut again at the grain measured, and the values of rows that fall in one period (and
//! segment) are added up: a query counting per day, measured weekly, gives the week's count,
//! whatever order the rows come in.

use datafusion::arrow::datatypes::DataType;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::*;
use throughline_model::{Metric, Text};

use crate::columns::{NO_SEGMENT, PERIOD, SEGMENT, VALUE};
use crate::error::EngineError;
use crate::inputs::Inputs;
use crate::plan::{DENOMINATOR, NUMERATOR, Planned, Scope};
use crate::sources::{column_type, instant};
use crate::time::Calendar;

// Long because a user's query is checked step by step (registered tables, its columns, their
// types, the segment column when segmenting), each with its own error and help.
pub(crate) async fn plan(
    inputs: &Inputs,
    cal: &Calendar,
    m: &Metric,
    query: &Text,
    scope: &Scope,
) -> Result<Planned, EngineError> {
    let bad = |msg: String, help: &str| EngineError::new(msg, help).at(query.span);
    let ctx = inputs.session.clone();
    let options = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let d = ctx.sql_with_options(&query.value, options).await.map_err(|e| {
        bad(
            format!("metric `{}`: the query does not plan: {e}", m.id.value),
            "the query reads the tables `events` (user_id, ts, event, …) and `users` (user_id, signup_ts, dimensions…) and returns `period` and `value`",
        )
    })?;
    let ty = column_type(&d, PERIOD).ok_or_else(|| {
        bad(
            format!("metric `{}`: the query returns no `period` column", m.id.value),
            "alias the period start: `SELECT date_trunc('week', ts) AS period, count(*) AS value …`",
        )
    })?;
    if column_type(&d, VALUE).is_none() {
        return Err(bad(
            format!(
                "metric `{}`: the query returns no `value` column",
                m.id.value
            ),
            "alias the number: `… count(*) AS value`",
        ));
    }
    let period = instant(col(PERIOD), &ty, cal.tz).ok_or_else(|| {
        bad(
            format!("metric `{}`: `period` is {ty}, not a time", m.id.value),
            "return the period's start as a timestamp or a date",
        )
    })?;
    let mut cols = vec![cal.bucket(scope.grain, period).alias(PERIOD)];
    if let Some(dim) = &inputs.by {
        if column_type(&d, dim).is_none() {
            let mut e = bad(
                format!(
                    "metric `{}`: measured by `{dim}`, but the query returns no `{dim}` column",
                    m.id.value
                ),
                "return the dimension as a column named like it, or measure this metric without `--by`",
            );
            e.unsegmentable = true;
            return Err(e);
        }
        cols.push(coalesce(vec![cast(ident(dim), DataType::Utf8), lit(NO_SEGMENT)]).alias(SEGMENT));
    }
    let groups: Vec<Expr> = cols
        .iter()
        .map(|c| col(c.schema_name().to_string()))
        .collect();
    let mut keys: Vec<Expr> = cols;
    keys.push(cast(col(VALUE), DataType::Float64).alias(VALUE));
    let mut out = groups.clone();
    out.extend([
        col(VALUE),
        lit(datafusion::scalar::ScalarValue::Float64(None)).alias(NUMERATOR),
        lit(datafusion::scalar::ScalarValue::Float64(None)).alias(DENOMINATOR),
    ]);
    let frame = d
        .select(keys)
        .and_then(|d| {
            d.aggregate(
                groups,
                vec![datafusion::functions_aggregate::expr_fn::sum(col(VALUE)).alias(VALUE)],
            )
        })
        .and_then(|d| d.select(out))
        .map_err(|e| {
            bad(
                format!("metric `{}`: reading the query's result: {e}", m.id.value),
                "return `period` as a timestamp or date and `value` as a number",
            )
        })?;
    Ok(Planned::new(frame, scope.grain))
}
