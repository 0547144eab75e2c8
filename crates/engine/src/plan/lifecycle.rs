//! `lifecycle {event?, every}`: each period's users by status, as PostHog's lifecycle counts
//! them. Active in the period: *new* (the period of their first activity in the data),
//! *returning* (also active in the previous period) or *resurrected* (not active in the
//! previous period, active before it). Active in the previous period and not in this one:
//! *dormant*, counted negative. The rows carry the four counts (`step_0`..`step_3`, in
//! [`throughline_model::LIFECYCLE_STATUSES`] order); the value is the growth quick ratio,
//! (new + resurrected) / dormant. Reads the per-user daily activity roll-up, all of it: a
//! user's first activity may lie before the requested range.
//!
//! One pass over each user's active periods in order (window functions: the first and the
//! one before), not joins: a sort spills to disk when it outgrows its memory, a hash join's
//! build side does not (1B events: 80M users' periods). The dormant users of a period are
//! the previous period's actives less its returning users, from per-period counts of the
//! active periods (counted apart, so that the ordering runs once).

use super::funnel::step_column;
use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    use datafusion::functions_window::expr_fn::{first_value, lag};
    use datafusion::logical_expr::ExprFunctionExt;
    let inputs = b.inputs;
    let grain = every.value;
    let periods = b.active_by_period(event, grain)?;
    let over = |e: Expr, name: &str| {
        e.partition_by(vec![col(USER)])
            .order_by(vec![col(PERIOD).sort(true, false)])
            .build()
            .map(|e| e.alias(name))
    };
    let act = over(first_value(col(PERIOD)), "__first")
        .and_then(|first| {
            let prev = over(lag(col(PERIOD), Some(1), None), "__prev")?;
            periods.clone().window(vec![first, prev])
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
    let n = |c: &str| cast(sum(col(c)), DataType::Float64);
    let active = act
        .select({
            let mut cols = inputs.keyed(col(PERIOD));
            cols.extend([
                flag(is_new.clone(), "__new")?,
                flag(returning.clone(), "__returning")?,
                flag(is_new.not().and(returning.not()), "__resurrected")?,
            ]);
            cols
        })
        .and_then(|d| {
            d.aggregate(
                inputs.keyed(col(PERIOD)),
                vec![
                    n("__new").alias(step_column(0)),
                    n("__returning").alias(step_column(1)),
                    n("__resurrected").alias(step_column(2)),
                ],
            )
        })
        .map_err(b.fail("finding statuses"))?;
    // dormant in a period: active in the one before and not in it, which is the one
    // before's actives less the period's returning users. The actives are counted from the
    // active periods themselves, not from the statuses: those would order each user's
    // periods a second time (a plan read twice runs twice)
    let before = periods
        .aggregate(
            inputs.keyed(col(PERIOD)),
            vec![cast(count(lit(1i64)), DataType::Float64).alias("__before")],
        )
        .and_then(|d| {
            let mut cols = vec![b.next_period(grain).alias("__p")];
            if inputs.segmented() {
                cols.push(col(SEGMENT).alias("__s"));
            }
            cols.push(col("__before"));
            d.select(cols)
        })
        .map_err(b.fail("finding dormant users"))?;
    let (l, r) = join_keys(inputs.segmented());
    let zero = |c: &str| coalesce(vec![col(c), lit(0.0)]);
    let frame = active
        .join_named(before, JoinType::Full, &l, &r, None)
        .and_then(|d| {
            let mut cols = vec![coalesce(vec![col(PERIOD), col("__p")]).alias(PERIOD)];
            if inputs.segmented() {
                cols.push(coalesce(vec![col(SEGMENT), col("__s")]).alias(SEGMENT));
            }
            cols.extend([
                zero(&step_column(0)).alias(step_column(0)),
                zero(&step_column(1)).alias(step_column(1)),
                zero(&step_column(2)).alias(step_column(2)),
                (zero(&step_column(1)) - zero("__before")).alias(step_column(3)),
            ]);
            d.select(cols)
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
