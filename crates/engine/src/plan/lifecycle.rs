//! `lifecycle {event?, every}`: each period's users by status, as PostHog's lifecycle counts
//! them. Active in the period: *new* (the period of their first activity in the data),
//! *returning* (also active in the previous period) or *resurrected* (not active in the
//! previous period, active before it). Active in the previous period and not in this one:
//! *dormant*, counted negative. The rows carry the four counts (`step_0`..`step_3`, in
//! [`throughline_model::LIFECYCLE_STATUSES`] order); the value is the growth quick ratio,
//! (new + resurrected) / dormant. Reads the per-user daily activity roll-up, all of it: a
//! user's first activity may lie before the requested range.
//!
//! Counted by hashing, not by ordering each user's periods (see [`super::streaks`]): a
//! period's new users are those whose earliest active period it is, its returning users
//! those active in the period before too, the rest of its active users resurrected; its
//! dormant users are the period before's actives less its returning users.

use super::funnel::step_column;
use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    let inputs = b.inputs;
    let grain = every.value;
    let periods = b.active_by_period(event, grain)?;
    let fail = b.fail("finding statuses");
    // each user's first active period, and how many users each period is the first of
    let new = periods
        .clone()
        .aggregate(
            inputs.keyed(col(USER)),
            vec![min(col(PERIOD)).alias(PERIOD)],
        )
        .and_then(|d| {
            d.aggregate(
                inputs.keyed(col(PERIOD)),
                vec![cast(count(lit(1i64)), DataType::Float64).alias("__new")],
            )
        })
        .and_then(|d| {
            let mut cols = renamed_keys(inputs.segmented());
            cols.push(col("__new"));
            d.select(cols)
        })
        .map_err(&fail)?;
    let (l, r) = join_keys(inputs.segmented());
    let zero = |c: &str| coalesce(vec![col(c), lit(0.0)]);
    // the periods with active users, and those after one (where only dormant users are)
    let frame = b
        .consecutive(&periods, grain)?
        .join_named(new, JoinType::Left, &l, &r, None)
        .and_then(|d| {
            let mut cols = inputs.keyed(col(PERIOD));
            cols.extend([
                zero("__new").alias(step_column(0)),
                col("__both").alias(step_column(1)),
                (col("__active") - zero("__new") - col("__both")).alias(step_column(2)),
                (col("__both") - col("__before")).alias(step_column(3)),
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
