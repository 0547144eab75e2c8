//! `churn {event?, every}`: of the users active in a period, the share not active in the next;
//! the value belongs to the next period. Reads the per-user daily activity roll-up.
//!
//! One pass over each user's active periods in order (the window function `lead`: a user
//! active in a period churned unless their next active period is the one right after it),
//! not a join of the periods to themselves: a sort spills to disk when it outgrows its
//! memory, a hash join's build side does not (1B events: 80M users' periods).

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    use datafusion::functions_window::expr_fn::lead;
    use datafusion::logical_expr::ExprFunctionExt;
    let inputs = b.inputs;
    let m = b.m;
    let grain = every.value;
    let act = b.active_by_period(event, grain)?;
    let next = lead(col(PERIOD), Some(1), None)
        .partition_by(vec![col(USER)])
        .order_by(vec![col(PERIOD).sort(true, false)])
        .build()
        .map(|e| e.alias("__next"))
        .map_err(b.fail("ordering each user's periods"))?;
    // each user's active period, as the period after it (where its value belongs), and
    // whether the user was active again then: 1 or 0 by a CASE, not a cast of the boolean
    // (PostgreSQL casts no boolean to bigint)
    let stayed = when(col("__next").eq(b.next_period(grain)), lit(1i64))
        .otherwise(lit(0i64))
        .map_err(b.fail("finding churned users"))?;
    let mut cols = inputs.keyed(b.next_period(grain).alias(PERIOD));
    cols.push(stayed.alias("__stayed"));
    let groups = inputs.keyed(col(PERIOD));
    let scale = share_scale(m);
    let frame = act
        .window(vec![next])
        .and_then(|d| d.select(cols))
        .and_then(|d| {
            d.aggregate(
                groups,
                vec![
                    cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                    cast(sum(col("__stayed")), DataType::Float64).alias("__stayed"),
                ],
            )
        })
        .and_then(|d| {
            let mut cols = inputs.keyed(col(PERIOD));
            cols.push((col(DENOMINATOR) - col("__stayed")).alias(NUMERATOR));
            cols.push(col(DENOMINATOR));
            d.select(cols)
        })
        .map_err(b.fail("finding churned users"))?;
    let frame = b.in_range(frame, col(PERIOD))?;
    let frame = with_share(frame, inputs.segmented(), scale).map_err(b.fail("churn"))?;
    let mut p = b.planned(frame, grain);
    p.scale = scale;
    Ok(p)
}
