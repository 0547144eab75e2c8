//! `cumulative {of, event?, property?, where?, window?}`: a running total at the end of each
//! period, of events (`of: count`), of a property (`of: sum`) or of distinct users
//! (`of: unique`), over everything before the period's end or over its trailing `window` of
//! whole days.
//!
//! The plan gives changes by local day, and the engine adds them up to each period's end
//! ([`Planned::running`]): a period without events still has its running value, the periods
//! before `--from` still count, and a window of days is exact at any grain. A count or a sum
//! changes by each day's events on their day, and back on the day they leave the window.
//! Distinct users: a user's active days form spells, runs of days at most a window apart; the
//! user is in a period's window from a spell's first day until the window has passed its last
//! day, so a spell adds one on its first day and takes it back `window` days after its last
//! (a day with no active day within the window before it starts a spell, one with none
//! within the window after it ends one).
//! Without a window, a user adds one on their first active day.

use datafusion::functions_window::expr_fn::{lag, lead};
use datafusion::logical_expr::ExprFunctionExt;

use super::*;

/// A day's change.
const V: &str = "__v";

pub(super) fn plan(
    b: &Builder,
    of: &Running,
    filter: Option<&Where>,
    window: Option<&Spanned<i64>>,
) -> Result<Planned, EngineError> {
    let days = window.map(|w| w.value / 86_400);
    let changes = match of {
        Running::Count { event } => {
            let d = b.events(Some(event), filter)?;
            entering_and_leaving(b, by_day(b, d, count(lit(1)))?, days)?
        }
        Running::Sum { event, property } => {
            let d = b.events(Some(event), filter)?;
            let v = b.numeric(&d, property)?;
            entering_and_leaving(b, by_day(b, d, sum(v))?, days)?
        }
        Running::Unique { event } => users(b, event.as_ref(), filter, days)?,
    };
    let frame = b.single_by(changes, b.inputs.keyed(col(DAY).alias(PERIOD)), sum(col(V)))?;
    let mut p = b.planned(frame, b.scope.grain);
    p.zero_when_empty = true;
    p.running = true;
    Ok(p)
}

/// `agg` over the events `d` of each local day (and segment): `day`, `__v`.
fn by_day(b: &Builder, d: DataFrame, agg: Expr) -> Result<DataFrame, EngineError> {
    d.aggregate(
        b.inputs.keyed(b.cal.bucket(Grain::Day, col(TS)).alias(DAY)),
        vec![cast(agg, DataType::Float64).alias(V)],
    )
    .map_err(b.fail("adding up each day"))
}

/// Each day's changes `d` (`day`, `__v`), and with a window the same taken back `days` later.
fn entering_and_leaving(
    b: &Builder,
    d: DataFrame,
    days: Option<i64>,
) -> Result<DataFrame, EngineError> {
    let Some(days) = days else {
        return Ok(d);
    };
    let mut cols = b.inputs.keyed(later(b, col(DAY), days).alias(DAY));
    cols.push((lit(0.0) - col(V)).alias(V));
    d.clone()
        .select(cols)
        .and_then(|leaving| d.union(leaving))
        .map_err(b.fail("taking changes out of the window"))
}

/// The local day `days` days after `day`: noon of that day cut to its midnight, so a clock
/// change between them does not move it.
fn later(b: &Builder, day: Expr, days: i64) -> Expr {
    use datafusion::scalar::ScalarValue;
    let shift = ScalarValue::new_interval_mdn(0, days as i32, 12 * 3_600_000_000_000);
    b.cal.bucket(Grain::Day, day + lit(shift))
}

/// Distinct users' changes by day (`day`, `__v`): one in on a user's first active day, and
/// with a window one out `days` after the last day of each spell.
fn users(
    b: &Builder,
    event: Option<&Text>,
    filter: Option<&Where>,
    days: Option<i64>,
) -> Result<DataFrame, EngineError> {
    let who = || b.inputs.keyed(col(USER));
    let mut day_cols = who();
    day_cols.push(col(DAY));
    // each user's active days, once each
    let active = match (&b.inputs.activity, filter) {
        (Some(_), None) => b.activity(event)?.select(day_cols),
        _ => {
            let mut cols = who();
            cols.push(b.cal.bucket(Grain::Day, col(TS)).alias(DAY));
            b.events(event, filter)?
                .select(cols)
                .and_then(|d| d.distinct())
        }
    }
    .map_err(b.fail("finding active days"))?;
    let count_by = |d: DataFrame, day: Expr, sign: f64| {
        d.aggregate(
            b.inputs.keyed(day.alias(DAY)),
            vec![(cast(count(lit(1)), DataType::Float64) * lit(sign)).alias(V)],
        )
    };
    let Some(days) = days else {
        return active
            .aggregate(who(), vec![min(col(DAY)).alias(DAY)])
            .and_then(|d| count_by(d, col(DAY), 1.0))
            .map_err(b.fail("finding each user's first day"));
    };
    let by_user = |e: Expr| {
        e.partition_by(vec![col(USER)])
            .order_by(vec![col(DAY).sort(true, false)])
            .build()
    };
    let fail = b.fail("finding each user's spells of activity");
    let prev = by_user(lag(col(DAY), Some(1), None)).map_err(&fail)?;
    let next = by_user(lead(col(DAY), Some(1), None)).map_err(&fail)?;
    // a spell starts after, and ends before, a gap of more days than the window: in time,
    // more than the window and half a day, which a clock change (an hour or two) cannot blur.
    // Only its first and last days matter, so the days are not numbered into spells (a
    // second window over the first, which the SQL rendered for PostgreSQL loses).
    let gap = lit(days * DAY_US + DAY_US / 2);
    // no neighbour, or one more than the window away
    let apart = |neighbour: &str, earlier: Expr, later: Expr| {
        col(neighbour)
            .is_null()
            .or((us(later) - us(earlier)).gt(gap.clone()))
    };
    let flagged = active
        .window(vec![prev.alias("__prev"), next.alias("__next")])
        .map_err(&fail)?;
    let entering = flagged
        .clone()
        .filter(apart("__prev", col("__prev"), col(DAY)))
        .and_then(|d| count_by(d, col(DAY), 1.0))
        .map_err(&fail)?;
    let leaving = flagged
        .filter(apart("__next", col(DAY), col("__next")))
        .and_then(|d| count_by(d, later(b, col(DAY), days), -1.0))
        .map_err(&fail)?;
    entering.union(leaving).map_err(fail)
}
