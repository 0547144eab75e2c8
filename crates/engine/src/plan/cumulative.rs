//! `cumulative {of, event?, property?, where?, window?}`: a running total at the end of each
//! period, of events (`of: count`), of a property (`of: sum`) or of distinct users
//! (`of: unique`), over everything before the period's end or over its trailing `window` of
//! whole days.
//!
//! The plan gives, in one pass over the data, what each local day adds to the total and what
//! leaves it a window later, and the engine adds them up to each period's end
//! ([`Planned::running`]), shifting what leaves by the window in the workspace's calendar: a
//! period without events still has its running value, the periods before `--from` still
//! count, and a window of days is exact at any grain. A count or a sum adds each day's events
//! on their day, and they leave a window later.
//! Distinct users: a user's active days form spells, runs of days at most a window apart; the
//! user is in a period's window from a spell's first day until the window has passed its last
//! day, so a spell adds one on its first day and takes it back `window` days after its last
//! (a day with no active day within the window before it starts a spell, one with none
//! within the window after it ends one).
//! Without a window, a user adds one on their first active day.

use datafusion::functions_window::expr_fn::{lag, lead};
use datafusion::logical_expr::ExprFunctionExt;

use super::*;

pub(super) fn plan(
    b: &Builder,
    of: &Running,
    filter: Option<&Where>,
    window: Option<&Spanned<i64>>,
) -> Result<Planned, EngineError> {
    let days = window.map(|w| w.value / 86_400);
    let day = || b.cal.bucket(Grain::Day, col(TS));
    let frame = match of {
        // what a day adds leaves the window with the same amount
        Running::Count { event } => {
            let d = b.events(Some(event), filter)?;
            by_day(b, d, day(), count(lit(1)), count(lit(1)))?
        }
        Running::Sum { event, property } => {
            let d = b.events(Some(event), filter)?;
            let v = b.numeric(&d, property)?;
            by_day(b, d, day(), sum(v.clone()), sum(v))?
        }
        Running::Unique { event } => users(b, event.as_ref(), filter, days)?,
    };
    let mut p = b.planned(frame, b.scope.grain);
    p.zero_when_empty = true;
    p.running = Some(RunningTotal {
        window_days: days.and_then(|d| u64::try_from(d).ok()),
    });
    Ok(p)
}

/// Each local day (and segment) of `d`, grouped by `day`: what the day adds (`value`) and what
/// leaves the total a window later (`numerator`).
fn by_day(
    b: &Builder,
    d: DataFrame,
    day: Expr,
    entering: Expr,
    leaving: Expr,
) -> Result<DataFrame, EngineError> {
    let mut cols = b.inputs.keyed(col(PERIOD));
    cols.extend([
        col(VALUE),
        col(NUMERATOR),
        lit(datafusion::scalar::ScalarValue::Float64(None)).alias(DENOMINATOR),
    ]);
    d.aggregate(
        b.inputs.keyed(day.alias(PERIOD)),
        vec![
            cast(entering, DataType::Float64).alias(VALUE),
            cast(leaving, DataType::Float64).alias(NUMERATOR),
        ],
    )
    .and_then(|d| d.select(cols))
    .map_err(b.fail("adding up each day"))
}

/// Distinct users by day: one enters on a user's first active day; with a window, a user's
/// active days form spells and each spell enters on its first day and leaves a window after
/// its last.
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
    let none = || lit(datafusion::scalar::ScalarValue::Float64(None));
    let Some(days) = days else {
        let first = active
            .aggregate(who(), vec![min(col(DAY)).alias(DAY)])
            .map_err(b.fail("finding each user's first day"))?;
        return by_day(b, first, col(DAY), count(lit(1)), none());
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
    let starts = apart("__prev", col("__prev"), col(DAY));
    let ends = apart("__next", col(DAY), col("__next"));
    let one_if = |cond: Expr| when(cond, lit(1.0)).otherwise(lit(0.0));
    let (entering, leaving) = (
        one_if(starts.clone()).map_err(&fail)?,
        one_if(ends.clone()).map_err(&fail)?,
    );
    // only the days a spell starts or ends on count; keeping just them also puts a filter
    // between the window and the sums, without which the SQL rendered for PostgreSQL drops
    // the window's columns
    let flagged = active
        .window(vec![prev.alias("__prev"), next.alias("__next")])
        .and_then(|d| d.filter(starts.or(ends)))
        .map_err(&fail)?;
    by_day(b, flagged, col(DAY), sum(entering), sum(leaving))
}
