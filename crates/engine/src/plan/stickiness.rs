//! `stickiness {event?}`: mean daily active users over the period's active users (DAU/WAU or
//! DAU/MAU), over the days of the period the data covers.

use super::*;

pub(super) fn plan(b: &Builder, event: Option<&Text>) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let m = b.m;
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
    let frame = period
        .join_named(daily, JoinType::Inner, &l, &r, None)
        .and_then(|d| {
            let mut cols = inputs.keyed(col(PERIOD));
            cols.extend([
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(VALUE),
                col(NUMERATOR),
                col(DENOMINATOR),
            ]);
            d.select(cols)
        })
        .map_err(b.fail("stickiness"))?;
    let mut p = b.planned(frame, grain);
    p.per_day = true;
    p.scale = share_scale(m);
    Ok(p)
}
