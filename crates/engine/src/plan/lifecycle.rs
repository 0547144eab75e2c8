//! `lifecycle {event?, every}`: each period's users by status, as PostHog's lifecycle counts
//! them. Active in the period: *new* (the period of their first activity in the data),
//! *returning* (also active in the previous period) or *resurrected* (not active in the
//! previous period, active before it). Active in the previous period and not in this one:
//! *dormant*, counted negative. The rows carry the four counts (`step_0`..`step_3`, in
//! [`throughline_model::LIFECYCLE_STATUSES`] order); the value is the growth quick ratio,
//! (new + resurrected) / dormant. Reads the per-user daily activity roll-up, all of it: a
//! user's first activity may lie before the requested range.
//!
//! One pass over each user's active periods in order (window functions: the first, the one
//! before, the one after), not joins: a sort spills to disk when it outgrows its memory, a
//! hash join's build side does not (1B events: 80M users' periods).

use super::funnel::step_column;
use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    use datafusion::functions_window::expr_fn::{first_value, lag, lead};
    use datafusion::logical_expr::ExprFunctionExt;
    let inputs = b.inputs;
    let grain = every.value;
    let act = b.active_by_period(b.activity(event)?, grain)?;
    let over = |e: Expr, name: &str| {
        e.partition_by(vec![col(USER)])
            .order_by(vec![col(PERIOD).sort(true, false)])
            .build()
            .map(|e| e.alias(name))
    };
    let act = over(first_value(col(PERIOD)), "__first")
        .and_then(|first| {
            let prev = over(lag(col(PERIOD), Some(1), None), "__prev")?;
            let next = over(lead(col(PERIOD), Some(1), None), "__later")?;
            act.window(vec![first, prev, next])
        })
        .map_err(b.fail("ordering each user's periods"))?;
    // 1 or 0 by a CASE, not a cast of the boolean: PostgreSQL casts no boolean to bigint
    let flag = |c: Expr, name: &str| {
        when(c, lit(1i64))
            .otherwise(lit(0i64))
            .map(|e| e.alias(name))
            .map_err(b.fail("finding statuses"))
    };
    let is_new = col("__first").eq(col(PERIOD));
    let returning = b.period_after(grain, col("__prev")).eq(col(PERIOD));
    let active = act
        .clone()
        .select({
            let mut cols = inputs.keyed(col(PERIOD));
            cols.extend([
                flag(is_new.clone(), "__new")?,
                flag(returning.clone(), "__returning")?,
                flag(is_new.not().and(returning.not()), "__resurrected")?,
                lit(0i64).alias("__dormant"),
            ]);
            cols
        })
        .map_err(b.fail("finding statuses"))?;
    // active in a period and not in the one after it: dormant in the one after
    let next = b.next_period(grain);
    let dormant = act
        .filter(
            col("__later")
                .is_null()
                .or(col("__later").not_eq(next.clone())),
        )
        .and_then(|d| {
            let mut cols = inputs.keyed(next.alias(PERIOD));
            cols.extend([
                lit(0i64).alias("__new"),
                lit(0i64).alias("__returning"),
                lit(0i64).alias("__resurrected"),
                lit(1i64).alias("__dormant"),
            ]);
            d.select(cols)
        })
        .map_err(b.fail("finding dormant users"))?;
    let n = |c: &str| cast(sum(col(c)), DataType::Float64);
    let frame = active
        .union(dormant)
        .and_then(|d| {
            d.aggregate(
                inputs.keyed(col(PERIOD)),
                vec![
                    n("__new").alias(step_column(0)),
                    n("__returning").alias(step_column(1)),
                    n("__resurrected").alias(step_column(2)),
                    (-n("__dormant")).alias(step_column(3)),
                ],
            )
        })
        .map_err(b.fail("counting statuses"))?;
    let frame = b.in_range(frame, col(PERIOD))?;
    let mut cols = inputs.keyed(col(PERIOD));
    let num = col(step_column(0)) + col(step_column(2));
    let den = -col(step_column(3));
    cols.extend([
        when(den.clone().gt(lit(0.0)), num.clone() / den.clone())
            .end()
            .map_err(b.fail("the quick ratio"))?
            .alias(VALUE),
        num.alias(NUMERATOR),
        den.alias(DENOMINATOR),
    ]);
    cols.extend((0..4).map(|k| col(step_column(k))));
    let frame = frame.select(cols).map_err(b.fail("the quick ratio"))?;
    Ok(b.planned(frame, grain))
}
