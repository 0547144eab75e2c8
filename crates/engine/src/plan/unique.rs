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
        let p = b.active_by_period(event, grain)?;
        let frame = b.single_by(p, inputs.keyed(col(PERIOD)), count(lit(1)))?;
        let mut p = b.planned(frame, grain);
        p.zero_when_empty = true;
        return Ok(p);
    }
    let (d, t) = match (&inputs.activity, filter) {
        (Some(a), None) => {
            let mut a = a.clone();
            if let Some(e) = event {
                a = a
                    .filter(b.has_activity_event(e)?)
                    .map_err(b.fail("filtering events"))?;
            }
            (a, col(DAY))
        }
        _ => (b.events(event, filter)?, ts()),
    };
    let d = b.in_range(d, t.clone())?;
    let mut p = b.planned(b.single(d, grain, t, count_distinct(col(USER)))?, grain);
    p.zero_when_empty = true;
    Ok(p)
}
