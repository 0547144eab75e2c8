//! `duration {from, to, stat}`: the time from each user's `from` to their first `to` at or after it,
//! as a median, 90th percentile or mean over the cohort; users who never arrive are left out and
//! counted (numerator: arrived, denominator: cohort).

use super::*;

pub(super) fn plan(
    b: &Builder,
    from: &Text,
    to: &Text,
    stat: &Spanned<Stat>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let cohort = b.cohort(from)?;
    let hits = b.hits(to, None)?;
    let on = col(HIT_US).gt_eq(col(START_US));
    let secs = cast(col("__first") - col(START_US), DataType::Float64) / lit(1_000_000.0);
    let agg = match stat.value {
        Stat::Median => median(col("__secs")),
        Stat::Mean => avg(col("__secs")),
        Stat::P90 => percentile_cont(col("__secs").sort(true, false), lit(0.9)),
    };
    let mut first_cols = b.cohort_groups();
    first_cols.push(secs.alias("__secs"));
    let frame = cohort
        .join_named(hits, JoinType::Left, &[CU], &["__hit_user"], Some(on))
        .and_then(|d| {
            d.aggregate(
                b.cohort_groups(),
                vec![
                    min(col(HIT_US)).alias("__first"),
                    min(col(START_US)).alias(START_US),
                ],
            )
        })
        .and_then(|d| d.select(first_cols))
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
    Ok(b.planned(frame, grain))
}
