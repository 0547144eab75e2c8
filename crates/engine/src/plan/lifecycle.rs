//! `lifecycle {event?, every}`: each period's users by status, as PostHog's lifecycle counts
//! them. Active in the period: *new* (the period of their first activity in the data),
//! *returning* (also active in the previous period) or *resurrected* (not active in the
//! previous period, active before it). Active in the previous period and not in this one:
//! *dormant*, counted negative. The rows carry the four counts (`step_0`..`step_3`, in
//! [`throughline_model::LIFECYCLE_STATUSES`] order); the value is the growth quick ratio,
//! (new + resurrected) / dormant. Reads the per-user daily activity roll-up, all of it: a
//! user's first activity may lie before the requested range.

use super::funnel::step_column;
use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    let inputs = b.inputs;
    let grain = every.value;
    let a = b.activity(event)?;
    let act = b.active_by_period(a.clone(), grain)?;
    let n = |c: &str| cast(sum(col(c)), DataType::Float64);
    let frame = active(b, a, act.clone(), grain)?
        .union(dormant(b, act, grain)?)
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

/// The rows of the users active in a period (`act`), flagged new, returning or resurrected;
/// `a` is the activity roll-up they come from (for each user's first period).
fn active(
    b: &Builder,
    a: DataFrame,
    act: DataFrame,
    grain: Grain,
) -> Result<DataFrame, EngineError> {
    let first = a
        .aggregate(
            vec![col(USER).alias("__fu")],
            vec![min(col(DAY)).alias("__fd")],
        )
        .and_then(|d| {
            d.select(vec![
                col("__fu"),
                b.cal.bucket(grain, col("__fd")).alias("__first"),
            ])
        })
        .map_err(b.fail("finding each user's first period"))?;
    // each active user, paired with the period after the one they were active in
    let was = act
        .clone()
        .select(vec![
            col(USER).alias("__u"),
            b.next_period(grain).alias("__next"),
        ])
        .map_err(b.fail("pairing periods"))?;
    // 1 or 0 by a CASE, not a cast of the boolean: PostgreSQL casts no boolean to bigint
    let flag = |c: Expr| when(c, lit(1i64)).otherwise(lit(0i64));
    act.join_named(
        was,
        JoinType::Left,
        &[USER, PERIOD],
        &["__u", "__next"],
        None,
    )
    .and_then(|d| d.join_named(first, JoinType::Inner, &[USER], &["__fu"], None))
    .and_then(|d| {
        let is_new = col("__first").eq(col(PERIOD));
        let before = col("__first").not_eq(col(PERIOD));
        let mut cols = b.inputs.keyed(col(PERIOD));
        cols.extend([
            flag(is_new)?.alias("__new"),
            flag(before.clone().and(col("__u").is_not_null()))?.alias("__returning"),
            flag(before.and(col("__u").is_null()))?.alias("__resurrected"),
            lit(0i64).alias("__dormant"),
        ]);
        d.select(cols)
    })
    .map_err(b.fail("finding statuses"))
}

/// One row per user gone dormant: active in the period before, not in this one.
fn dormant(b: &Builder, act: DataFrame, grain: Grain) -> Result<DataFrame, EngineError> {
    let mut gone_cols = b.inputs.keyed(col(USER).alias("__g"));
    gone_cols.insert(1, b.next_period(grain).alias(PERIOD));
    let gone = act
        .clone()
        .select(gone_cols)
        .map_err(b.fail("pairing periods"))?;
    let now = act
        .select(vec![col(USER).alias("__u2"), col(PERIOD).alias("__p2")])
        .map_err(b.fail("pairing periods"))?;
    gone.join_named(
        now,
        JoinType::Left,
        &["__g", PERIOD],
        &["__u2", "__p2"],
        None,
    )
    .and_then(|d| d.filter(col("__u2").is_null()))
    .and_then(|d| {
        let mut cols = b.inputs.keyed(col(PERIOD));
        cols.extend([
            lit(0i64).alias("__new"),
            lit(0i64).alias("__returning"),
            lit(0i64).alias("__resurrected"),
            lit(1i64).alias("__dormant"),
        ]);
        d.select(cols)
    })
    .map_err(b.fail("finding dormant users"))
}
