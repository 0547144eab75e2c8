//! `sum {event, property}` and `average {event, property}`: a numeric property of the events in
//! each period (a sum is 0 when there are none; an average of nothing is no value).

use super::*;

pub(super) fn plan(
    b: &Builder,
    event: &Text,
    property: &Text,
    filter: Option<&Where>,
    is_sum: bool,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let ts = || col(TS);
    let d = b.in_range(b.events(Some(event), filter)?, ts())?;
    let v = b.numeric(&d, property)?;
    let agg = if is_sum { sum(v) } else { avg(v) };
    let mut p = b.planned(b.single(d, grain, ts(), agg)?, grain);
    p.zero_when_empty = is_sum;
    Ok(p)
}
