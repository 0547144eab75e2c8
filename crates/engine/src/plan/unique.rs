//! `unique {event?, where?}`: distinct users with the event (any event when none is named) in each
//! period: daily, weekly or monthly active users. Without `where:` it reads the per-user daily
//! activity roll-up instead of the events (or its active periods, rolled up once for several
//! metrics).

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: Option<&Text>,
    filter: Option<&Where>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let ts = || col(TS);
    let inputs = b.inputs;
    if filter.is_none() && b.whole_periods().is_some() {
        // one row per user and period: the period's users are its rows
        let p = b.in_range(b.active_by_period(event, grain)?, col(PERIOD))?;
        let frame = b.single_by(p, inputs.keyed(col(PERIOD)), count(lit(1)))?;
        let mut p = b.planned(frame, grain);
        p.zero_when_empty = true;
        return Ok(p);
    }
    let (d, t) = match (&inputs.activity, filter) {
        (Some(_), None) => (b.activity(event)?, col(DAY)),
        _ => (b.events(event, filter)?, ts()),
    };
    let d = b.in_range(d, t.clone())?;
    let mut p = b.planned(b.single(d, grain, t, count_distinct(col(USER)))?, grain);
    p.zero_when_empty = true;
    Ok(p)
}

/// An experiment's outcome: whether each user has the event after exposure (and in the 28
/// days before); a proportion.
pub(super) fn per_user(
    o: &Outcome,
    event: Option<&Text>,
    filter: Option<&Where>,
) -> Result<(DataFrame, bool), EngineError> {
    let hits = o.hits(event, filter, None)?;
    Ok((o.after_and_before(hits, lit(1.0), true)?, true))
}
