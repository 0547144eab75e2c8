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

/// An experiment's outcome: each user's sum of the property after exposure (and in the 28
/// days before), or the mean over their events after it.
pub(super) fn per_user(
    o: &Outcome,
    event: &Text,
    property: &Text,
    filter: Option<&Where>,
    is_sum: bool,
) -> Result<(DataFrame, bool), EngineError> {
    let hits = o.hits(Some(event), filter, Some(property))?;
    let frame = if is_sum {
        o.after_and_before(hits, col("__v"), false)?
    } else {
        o.mean_after(hits, col("__v"), "averaging per user")?
    };
    Ok((frame, false))
}

/// Its part of the shared scan of the events (see `shared`).
pub(super) fn shared(
    s: &shared::Scan,
    event: &Text,
    property: &Text,
    filter: Option<&Where>,
    is_sum: bool,
) -> Result<shared::Part, EngineError> {
    let cond = s.cond(event, filter)?;
    let x = s.b.numeric(&s.b.inputs.events, property)?;
    let agg = if is_sum { sum(x) } else { avg(x) };
    let v = s.aggregate(agg, &cond, "v")?;
    s.part(
        cond,
        vec![v],
        shared::Kind::Single {
            zero_when_empty: is_sum,
        },
    )
}
