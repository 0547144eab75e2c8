//! `stickiness {event?}`: mean daily active users over the period's active users (DAU/WAU or
//! DAU/MAU), over the days of the period the data covers.

use super::*;

pub(super) fn plan(b: &Builder, event: Option<&Text>) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let counted = match (event, b.whole_periods()) {
        // one row per user and period, with the user's active days in it: the period's
        // users are its rows, the sum of the days' actives the sum of its days
        (None, Some(p)) => b
            .in_range(p.clone(), col(PERIOD))?
            .aggregate(
                inputs.keyed(col(PERIOD)),
                vec![
                    cast(sum(col(DAYS)), DataType::Float64).alias(NUMERATOR),
                    cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                ],
            )
            .map_err(b.fail("stickiness"))?,
        _ => from_days(b, event)?,
    };
    let frame = counted
        .select({
            let mut cols = inputs.keyed(col(PERIOD));
            cols.extend([
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(VALUE),
                col(NUMERATOR),
                col(DENOMINATOR),
            ]);
            cols
        })
        .map_err(b.fail("stickiness"))?;
    let mut p = b.planned(frame, grain);
    p.per_day = true;
    p.scale = share_scale(b.m);
    Ok(p)
}

/// `period` (and `segment`), the sum of the days' actives and the period's actives, from the
/// daily roll-up.
fn from_days(b: &Builder, event: Option<&Text>) -> Result<DataFrame, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let a = b.in_range(b.activity(event)?, col(DAY))?;
    let daily_groups = inputs.keyed(col(DAY));
    let daily = a
        .clone()
        // the roll-up has one row per user and day: counting rows counts the day's users,
        // without a set of users per day (100M events: a hash table that outgrew its share)
        .aggregate(daily_groups, vec![count(lit(1)).alias("__dau")])
        .and_then(|d| {
            let mut g = vec![b.cal.bucket(grain, col(DAY)).alias("__p")];
            if inputs.segmented() {
                g.push(col(SEGMENT).alias("__s"));
            }
            d.aggregate(
                g,
                vec![cast(sum(col("__dau")), DataType::Float64).alias(NUMERATOR)],
            )
        })
        .map_err(b.fail("counting daily actives"))?;
    let period = a
        .aggregate(
            b.groups(grain, col(DAY)),
            vec![cast(count_distinct(col(USER)), DataType::Float64).alias(DENOMINATOR)],
        )
        .map_err(b.fail("counting period actives"))?;
    let (l, r) = join_keys(inputs.segmented());
    period
        .join_named(daily, JoinType::Inner, &l, &r, None)
        .map_err(b.fail("stickiness"))
}
