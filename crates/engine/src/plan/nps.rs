//! `nps {event, property}`: % of scores 9–10 minus % of scores 0–6 among responses (scores from 0
//! to 10) in each period.

use super::*;

pub(super) fn plan(b: &Builder, event: &Text, property: &Text) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let ts = || col(TS);
    let inputs = b.inputs;
    let d = b.in_range(b.events(Some(event), None)?, ts())?;
    let score = b.numeric(&d, property)?;
    let (response, net) = scoring(b, score)?;
    let d = d.filter(response).map_err(b.fail("reading scores"))?;
    let frame = d
        .aggregate(
            b.groups(grain, ts()),
            vec![
                sum(net).alias(NUMERATOR),
                cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
            ],
        )
        .and_then(|d| with_share(d, inputs.segmented(), 100.0))
        .map_err(b.fail("aggregating"))?;
    let mut p = b.planned(frame, grain);
    p.scale = 100.0;
    Ok(p)
}

/// What makes a row a response (a score from 0 to 10; anything else is not one) and its net
/// contribution: +1 for a promoter (9–10), −1 for a detractor (0–6), 0 otherwise.
pub(super) fn scoring(b: &Builder, score: Expr) -> Result<(Expr, Expr), EngineError> {
    let flag = |cond: Expr| {
        when(cond, lit(1.0))
            .otherwise(lit(0.0))
            .map_err(b.fail("scoring"))
    };
    let response = score.clone().between(lit(0.0), lit(10.0));
    let net = flag(score.clone().gt_eq(lit(9.0)))? - flag(score.lt_eq(lit(6.0)))?;
    Ok((response, net))
}

/// An experiment's outcome: each user's mean score points (100 a promoter, -100 a
/// detractor) over their answers after exposure.
pub(super) fn per_user(
    o: &Outcome,
    event: &Text,
    property: &Text,
) -> Result<(DataFrame, bool), EngineError> {
    let hits = o.hits(Some(event), None, Some(property))?;
    let points = when(col("__v").gt_eq(lit(9.0)), lit(100.0))
        .when(col("__v").lt_eq(lit(6.0)), lit(-100.0))
        .otherwise(lit(0.0))
        .map_err(o.b.fail("scoring answers"))?;
    Ok((
        o.mean_after(hits, points, "scoring answers per user")?,
        false,
    ))
}

/// Its part of the shared scan of the events (see `shared`).
pub(super) fn shared(
    s: &shared::Scan,
    event: &Text,
    property: &Text,
) -> Result<shared::Part, EngineError> {
    let (response, net) = scoring(s.b, s.b.numeric(&s.b.inputs.events, property)?)?;
    let cond = s.cond(event, None)?.and(response);
    let num = s.aggregate(sum(net), &cond, "num")?;
    let den = s.aggregate(count(lit(1)), &cond, "den")?;
    s.part(cond, vec![num, den], shared::Kind::Nps)
}
