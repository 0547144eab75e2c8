//! `conversion {from, to, within}`: of the users whose `from` falls in a period (their signup, or
//! their first `from` event), the share with a `to` event at or after it and no later than
//! `within` after it. A cohort is immature until `within` has passed after its period.

use super::*;

pub(super) async fn plan(
    b: &Builder<'_>,
    from: &Start,
    to: &Text,
    within: &Spanned<i64>,
    filter: Option<&Where>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let m = b.m;
    let within_us = within.value.saturating_mul(1_000_000);
    let scale = share_scale(m);
    // each cohort user with their `to` events in the window
    let per_user = b
        .per_user_within(
            from,
            to,
            filter,
            within.value,
            vec![count(col(HIT_US)).alias("__hits")],
        )
        .await?;
    let frame = per_user
        .aggregate(
            b.groups(grain, col(START)),
            vec![
                sum(when(col("__hits").gt(lit(0)), lit(1.0))
                    .otherwise(lit(0.0))
                    .map_err(b.fail("converting"))?)
                .alias(NUMERATOR),
                cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
            ],
        )
        .and_then(|d| with_share(d, inputs.segmented(), scale))
        .map_err(b.fail("converting"))?;
    let mut p = b.planned(frame, grain);
    p.maturity_us = within_us;
    p.scale = scale;
    Ok(p)
}

/// An experiment's outcome: whether each user reaches `to` within the window after their
/// start (or exposure, when later); a proportion.
pub(super) fn per_user(
    o: &Outcome,
    from: &Start,
    to: &Text,
    within: &Spanned<i64>,
    filter: Option<&Where>,
) -> Result<(DataFrame, bool), EngineError> {
    let w = Window {
        lo: 0,
        hi: within.value.saturating_mul(1_000_000),
        inclusive: true,
    };
    Ok((o.windowed(from, to, filter, w)?, true))
}
