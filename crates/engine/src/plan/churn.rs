//! `churn {event?, every}`: of the users active in a period, the share not active in the next;
//! the value belongs to the next period. Reads the per-user daily activity roll-up.
//!
//! The users active in each period and in the one before are counted by hashing each user's
//! periods (see [`super::streaks`]), not by ordering them.

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    every: &Spanned<Grain>,
) -> Result<Planned, EngineError> {
    let inputs = b.inputs;
    let grain = every.value;
    let act = b.active_by_period(event, grain)?;
    // of the users active in the period before, those not active in this one
    let frame = b
        .consecutive(&act, grain)?
        .filter(col("__before").gt(lit(0.0)))
        .and_then(|d| {
            d.select({
                let mut cols = inputs.keyed(col(PERIOD));
                cols.push((col("__before") - col("__both")).alias(NUMERATOR));
                cols.push(col("__before").alias(DENOMINATOR));
                cols
            })
        })
        .map_err(b.fail("finding churned users"))?;
    let scale = share_scale(b.m);
    let frame = b.in_range(frame, col(PERIOD))?;
    let frame = with_share(frame, inputs.segmented(), scale).map_err(b.fail("churn"))?;
    let mut p = b.planned(frame, grain);
    p.scale = scale;
    Ok(p)
}
