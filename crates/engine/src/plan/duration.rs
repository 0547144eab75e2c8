//! `duration {from, to, stat, within}`: the time from each user's `from` to their first `to` at
//! or after it and no later than `within` after it, as a median, 90th percentile or mean over
//! the users who arrived; the others are counted (numerator: arrived, denominator: cohort).
//!
//! Censoring: a recent cohort holds only the users who arrived fast, because the slow ones
//! have not had the time yet; its median falls with nothing changed. So a cohort is final only
//! once its window has passed (like a conversion's), and every cohort's value is read over the
//! same window: a user who arrives after it counts as not arrived, in old cohorts as in new.

use super::*;

pub(super) async fn plan(
    b: &Builder<'_>,
    from: &Start,
    to: &Text,
    stat: &Spanned<Stat>,
    within: &Spanned<i64>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let within_us = within.value.saturating_mul(1_000_000);
    // the start under a name of its own: grouped by user, a cohort of first events makes the
    // user's start a dependent column, which DataFusion adds to the grouping as `__start_us`
    let secs = cast(col("__first") - col("__from_us"), DataType::Float64) / lit(1_000_000.0);
    let agg = match stat.value {
        Stat::Median => median(col("__secs")),
        Stat::Mean => avg(col("__secs")),
        Stat::P90 => percentile_cont(col("__secs").sort(true, false), lit(0.9)),
    };
    let mut first_cols = b.cohort_groups();
    first_cols.push(secs.alias("__secs"));
    // each cohort user's first `to` in the window
    let per_user = b
        .per_user_within(
            from,
            to,
            None,
            within.value,
            vec![
                min(col(HIT_US)).alias("__first"),
                min(col(START_US)).alias("__from_us"),
            ],
        )
        .await?;
    let frame = per_user
        .select(first_cols)
        .and_then(|d| {
            d.aggregate(
                b.groups(grain, col(START)),
                vec![
                    cast(agg, DataType::Float64).alias(VALUE),
                    // users who reached `to` of the cohort's users
                    cast(count(col("__secs")), DataType::Float64).alias(NUMERATOR),
                    cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                ],
            )
        })
        .map_err(b.fail("measuring durations"))?;
    let mut p = b.planned(frame, grain);
    p.maturity_us = within_us;
    Ok(p)
}

/// An experiment's outcome: each user's time from their start (or exposure, when later) to
/// their first `to` within the window.
pub(super) fn per_user(
    o: &Outcome,
    from: &Start,
    to: &Text,
    within: &Spanned<i64>,
) -> Result<(DataFrame, bool), EngineError> {
    Ok((
        o.time_to(from, to, within.value.saturating_mul(1_000_000))?,
        false,
    ))
}
