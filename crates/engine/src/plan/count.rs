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

/// An experiment's outcome: each user's events after exposure (and the 28 days before).
pub(super) fn per_user(
    o: &Outcome,
    event: &Text,
    filter: Option<&Where>,
) -> Result<(DataFrame, bool), EngineError> {
    let hits = o.hits(Some(event), filter, None)?;
    Ok((o.after_and_before(hits, col("__v"), false)?, false))
}

/// Its part of the shared scan of the events (see `shared`).
pub(super) fn shared(
    s: &shared::Scan,
    event: &Text,
    filter: Option<&Where>,
) -> Result<shared::Part, EngineError> {
    let cond = s.cond(event, filter)?;
    let v = s.aggregate(count(lit(1)), &cond, "v")?;
    s.part(
        cond,
        vec![v],
        shared::Kind::Single {
            zero_when_empty: true,
        },
    )
}
