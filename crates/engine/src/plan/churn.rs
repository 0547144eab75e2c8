//! `churn {event?, every}`: of the users active in a period, the share not active in the next;
//! the value belongs to the next period. Reads the per-user daily activity roll-up.

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    let inputs = b.inputs;
    let m = b.m;
    let grain = every.value;
    let act = b.active_by_period(event, grain)?;
    // users active in a period, paired with the period after it
    let next = b.next_period(grain);
    let mut prev_cols = inputs.keyed(col(USER).alias("__u"));
    prev_cols.insert(1, next.alias(PERIOD));
    let prev = act
        .clone()
        .select(prev_cols)
        .map_err(b.fail("pairing periods"))?;
    let now = act
        .select(vec![col(USER).alias("__u2"), col(PERIOD).alias("__p2")])
        .map_err(b.fail("pairing periods"))?;
    let groups = inputs.keyed(col(PERIOD));
    let scale = share_scale(m);
    let frame = prev
        .join_named(
            now,
            JoinType::Left,
            &["__u", PERIOD],
            &["__u2", "__p2"],
            None,
        )
        .and_then(|d| {
            d.aggregate(
                groups,
                vec![
                    cast(count(lit(1)) - count(col("__u2")), DataType::Float64).alias(NUMERATOR),
                    cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                ],
            )
        })
        .map_err(b.fail("finding churned users"))?;
    let frame = b.in_range(frame, col(PERIOD))?;
    let frame = with_share(frame, inputs.segmented(), scale).map_err(b.fail("churn"))?;
    let mut p = b.planned(frame, grain);
    p.scale = scale;
    Ok(p)
}
