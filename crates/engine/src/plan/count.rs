//! `count {event, where?}`: the number of events in each period (0 when there are none).

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: &Text,
    filter: Option<&Where>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let ts = || col(TS);
    let d = b.in_range(b.events(Some(event), filter)?, ts())?;
    let mut p = b.planned(b.single(d, grain, ts(), count(lit(1)))?, grain);
    p.zero_when_empty = true;
    Ok(p)
}
