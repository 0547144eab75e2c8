//! Normal wobble and real moves. A metric's wobble is the residual standard deviation σ of a
//! straight line through its recent values (so a steady trend is not wobble); a change
//! between the mean of `a` values and the mean of `b` values is a move when it exceeds
//! `NOISE_Z · σ · √(1/a + 1/b)`, the spread two such means have when nothing changed.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use throughline_progress::fit;

use crate::{Point, Week};

/// A change is a move beyond noise past this many standard deviations.
pub const NOISE_Z: f64 = 2.0;
/// The wobble is measured over at most this many values before the current one.
pub const NOISE_HISTORY: usize = 12;
/// Fewer values than this before the current one: no claim about moves.
pub const MIN_HISTORY: usize = 4;
/// "The 4-week average": the current value is compared with the mean of this many before it.
pub const AVERAGE_OF: usize = 4;

/// The σ of a series' normal wobble around its trend, from the values before index `upto`.
pub fn wobble(values: &[Point], upto: usize) -> Option<f64> {
    let history = &values[upto.saturating_sub(NOISE_HISTORY)..upto];
    if history.len() < MIN_HISTORY {
        return None;
    }
    fit(history).map(|f| f.resid_sd)
}

/// What a change is measured against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Horizon {
    /// The current value against the mean of the [`AVERAGE_OF`] values before it.
    Week,
    /// The mean of the period's last (up to 4) values against the mean of the 4 before the
    /// period began: the baseline.
    Period,
}

/// A change of a metric's value, and whether it is beyond normal wobble.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Movement {
    pub metric: String,
    pub horizon: Horizon,
    pub before: f64,
    pub after: f64,
    pub change: f64,
    /// Changes within ±band are normal wobble.
    pub band: f64,
    pub moved: bool,
    /// The starts of the periods averaged on each side.
    pub before_starts: Vec<NaiveDate>,
    pub after_starts: Vec<NaiveDate>,
}

fn mean(values: &[Point]) -> f64 {
    values.iter().map(|v| v.value).sum::<f64>() / values.len() as f64
}

/// The index of the value the week reads: the latest one that starts in or before the week.
pub(crate) fn current_index(values: &[Point], week: Week) -> Option<usize> {
    values.iter().rposition(|v| v.start < week.end)
}

fn movement(
    metric: &str,
    horizon: Horizon,
    before: &[Point],
    after: &[Point],
    sigma: f64,
) -> Movement {
    let (b, a) = (mean(before), mean(after));
    let band = NOISE_Z * sigma * (1.0 / before.len() as f64 + 1.0 / after.len() as f64).sqrt();
    Movement {
        metric: metric.to_string(),
        horizon,
        before: b,
        after: a,
        change: a - b,
        band,
        moved: (a - b).abs() > band,
        before_starts: before.iter().map(|v| v.start).collect(),
        after_starts: after.iter().map(|v| v.start).collect(),
    }
}

/// The week's change of one metric against its 4-value average.
pub(crate) fn week_movement(metric: &str, values: &[Point], week: Week) -> Option<Movement> {
    let i = current_index(values, week)?;
    let sigma = wobble(values, i)?;
    let before = &values[i.saturating_sub(AVERAGE_OF)..i];
    Some(movement(
        metric,
        Horizon::Week,
        before,
        &values[i..=i],
        sigma,
    ))
}

/// The change since the period began: the mean of the period's last (up to 4) values against
/// the mean of the 4 values before its start.
pub(crate) fn period_movement(
    metric: &str,
    values: &[Point],
    week: Week,
    period_start: NaiveDate,
) -> Option<Movement> {
    let i = current_index(values, week)?;
    let first_in = values.iter().position(|v| v.start >= period_start)?;
    if first_in > i {
        return None;
    }
    let after_from = first_in.max((i + 1).saturating_sub(AVERAGE_OF));
    let after = &values[after_from..=i];
    let before = &values[first_in.saturating_sub(AVERAGE_OF)..first_in];
    if before.is_empty() {
        return None;
    }
    let sigma = wobble(values, i)?;
    Some(movement(metric, Horizon::Period, before, after, sigma))
}

/// Every metric's moves: against its 4-value average, and since the period began.
pub fn movements(
    series: &HashMap<String, Vec<Point>>,
    week: Week,
    period_start: Option<NaiveDate>,
) -> Vec<Movement> {
    // a funnel's steps and a lifecycle's statuses (`metric#step`) move with their metric
    let mut ids: Vec<&String> = series.keys().filter(|id| !id.contains('#')).collect();
    ids.sort();
    let mut out = Vec::new();
    for id in ids {
        let values = &series[id];
        out.extend(week_movement(id, values, week));
        if let Some(p) = period_start {
            out.extend(period_movement(id, values, week, p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn weekly(values: &[f64]) -> Vec<Point> {
        let first = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| Point {
                start: first + Duration::weeks(i as i64),
                end: first + Duration::weeks(i as i64 + 1),
                value: v,
                numerator: None,
                denominator: None,
            })
            .collect()
    }

    #[test]
    fn a_steady_trend_is_not_wobble_and_a_jump_is_a_move() {
        // 100, 102, ..., 114: a straight line, wobble 0 (up to rounding).
        let line: Vec<f64> = (0..8).map(|i| 100.0 + 2.0 * i as f64).collect();
        let s = wobble(&weekly(&line), 8).unwrap();
        assert!(s < 1e-9, "{s}");

        // Around 100 ± 1 (residuals of a flat line: 1, -1, 1, -1, ...), then 110.
        let mut v: Vec<f64> = (0..8)
            .map(|i| if i % 2 == 0 { 101.0 } else { 99.0 })
            .collect();
        v.push(110.0);
        let values = weekly(&v);
        let week = Week {
            start: values[8].start,
            end: values[8].end,
        };
        let m = week_movement("m", &values, week).unwrap();
        // The 4 before: 101, 99, 101, 99 → 100. The change: 10.
        assert_eq!(m.before, 100.0);
        assert_eq!(m.change, 10.0);
        // σ by hand: x = 0..7 weeks, y − 100 = ±1; Sxx = 42, Sxy = −4, Syy = 8, so the
        // residual sum of squares is 8 − 16/42 over 6 degrees of freedom.
        let sigma = wobble(&values, 8).unwrap();
        let by_hand = ((8.0 - 16.0 / 42.0) / 6.0f64).sqrt();
        assert!((sigma - by_hand).abs() < 1e-9, "{sigma} vs {by_hand}");
        assert!((m.band - 2.0 * by_hand * 1.25f64.sqrt()).abs() < 1e-9);
        assert!(m.moved);

        // 100.5 is within the wobble.
        v[8] = 100.5;
        let m = week_movement("m", &weekly(&v), week).unwrap();
        assert!(!m.moved, "{m:?}");
    }

    #[test]
    fn the_period_compares_its_last_four_with_the_four_before_it() {
        let v = [
            10.0, 11.0, 10.0, 11.0, 10.0, 11.0, 20.0, 21.0, 20.0, 21.0, 20.0,
        ];
        let values = weekly(&v);
        let period_start = values[6].start;
        let week = Week {
            start: values[10].start,
            end: values[10].end,
        };
        let m = period_movement("m", &values, week, period_start).unwrap();
        assert_eq!(
            m.before_starts,
            values[2..6].iter().map(|x| x.start).collect::<Vec<_>>()
        );
        assert_eq!(
            m.after_starts,
            values[7..11].iter().map(|x| x.start).collect::<Vec<_>>()
        );
        assert_eq!(m.before, 10.5);
        assert_eq!(m.after, 20.5);
        assert!(m.moved);
        // Too little history: no claim.
        assert!(week_movement("m", &values[..4], week).is_none());
    }
}
