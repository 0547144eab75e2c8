//! Which segments drove a change. For additive metrics (counts, sums, distinct users, where
//! every user is in one segment) a segment's contribution is its own change; it drove the
//! change when that is well beyond its share of the total before (a big segment growing with
//! everyone else explains nothing). For rates with a
//! numerator and a denominator (conversion, retention, ratios) the overall rate is the
//! denominator-weighted mean of the segments' rates, R = Σ wₛ·rₛ, and segment s contributes
//! w₁ₛ(r₁ₛ − R₀) − w₀ₛ(r₀ₛ − R₀): the contributions add up to R₁ − R₀ exactly, and a segment
//! that only grew while converting at the old overall rate contributes nothing. Other metrics
//! (medians, averages, NPS, derived) have no exact split: the segments' own changes are shown.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::{Breakdown, Movement, Point};

/// How a metric's total relates to its segments.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Contribution {
    /// The total is the sum of the segments.
    Additive,
    /// The total is Σ numerators / Σ denominators, times `scale`.
    Rate { scale: f64 },
    /// No exact split.
    None,
}

/// One segment's part in a change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Driver {
    pub segment: String,
    /// The segment's own value before and after (its mean, or its rate).
    pub before: f64,
    pub after: f64,
    /// Its contribution to the total's change, when the metric splits exactly.
    pub contribution: Option<f64>,
    /// Its share of the total (or of the rate's denominator) before.
    pub share_before: Option<f64>,
}

/// The segments behind one metric's change, by the dimension that explains it best.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub dimension: String,
    pub contribution: Contribution,
    /// The change the contributions add up to (the segments' total).
    pub total_change: f64,
    /// Segments, those that explain most of the change first.
    pub drivers: Vec<Driver>,
    /// The share of the change the first driver explains (contributions only).
    pub top_share: Option<f64>,
    /// For additive metrics: how much more of the change the first driver explains than its
    /// share of the total before would (its excess over moving in proportion), as a share of
    /// the change.
    pub excess: Option<f64>,
    /// No single segment stands out: rates where none explains half of the change, additive
    /// metrics where every segment moved about in proportion to its size (excess under
    /// [`PROPORTIONAL`]), others where every segment moved the same way.
    pub broad: bool,
}

/// An additive metric's segment drove a change when its contribution exceeds what its share of
/// the total before would give by at least this share of the change.
pub const PROPORTIONAL: f64 = 0.25;

/// One side of a comparison for one segment: the sum of values (or numerators and
/// denominators) over the window's periods.
#[derive(Default, Clone, Copy)]
struct Side {
    periods: usize,
    sum: f64,
    num: f64,
    den: f64,
}

fn side(values: &[Point], starts: &[NaiveDate]) -> Side {
    let mut s = Side::default();
    for v in values.iter().filter(|v| starts.contains(&v.start)) {
        s.periods += 1;
        s.sum += v.value;
        s.num += v.numerator.unwrap_or(0.0);
        s.den += v.denominator.unwrap_or(0.0);
    }
    s
}

/// Explains a movement with one breakdown.
// Long because it is the segment decomposition in one place: each segment's rate and mix
// effects and the totals they must add up to.
pub(crate) fn explain_by(kind: Contribution, b: &Breakdown, m: &Movement) -> Option<Explanation> {
    let (nb, na) = (m.before_starts.len() as f64, m.after_starts.len() as f64);
    let sides: BTreeMap<&String, (Side, Side)> = b
        .segments
        .iter()
        .map(|(seg, values)| {
            (
                seg,
                (
                    side(values, &m.before_starts),
                    side(values, &m.after_starts),
                ),
            )
        })
        .filter(|(_, (x, y))| x.periods + y.periods > 0)
        .collect();
    if sides.is_empty() {
        return None;
    }
    let mut drivers: Vec<Driver> = Vec::new();
    let mut total_change = 0.0;
    match kind {
        Contribution::Additive => {
            let total_before: f64 = sides.values().map(|(x, _)| x.sum / nb).sum();
            for (seg, (x, y)) in &sides {
                let (before, after) = (x.sum / nb, y.sum / na);
                total_change += after - before;
                drivers.push(Driver {
                    segment: (*seg).clone(),
                    before,
                    after,
                    contribution: Some(after - before),
                    share_before: (total_before != 0.0).then(|| before / total_before),
                });
            }
        }
        Contribution::Rate { scale } => {
            let (n0, d0): (f64, f64) = sides
                .values()
                .fold((0.0, 0.0), |a, (x, _)| (a.0 + x.num, a.1 + x.den));
            let d1: f64 = sides.values().map(|(_, y)| y.den).sum();
            if d0 <= 0.0 || d1 <= 0.0 {
                return None;
            }
            let r0 = scale * n0 / d0;
            for (seg, (x, y)) in &sides {
                let rate = |s: &Side| {
                    if s.den > 0.0 {
                        scale * s.num / s.den
                    } else {
                        0.0
                    }
                };
                let (w0, w1) = (x.den / d0, y.den / d1);
                let c = w1 * (rate(y) - r0) - w0 * (rate(x) - r0);
                total_change += c;
                drivers.push(Driver {
                    segment: (*seg).clone(),
                    before: rate(x),
                    after: rate(y),
                    contribution: Some(c),
                    share_before: Some(w0),
                });
            }
        }
        Contribution::None => {
            for (seg, (x, y)) in &sides {
                if x.periods == 0 || y.periods == 0 {
                    continue;
                }
                drivers.push(Driver {
                    segment: (*seg).clone(),
                    before: x.sum / x.periods as f64,
                    after: y.sum / y.periods as f64,
                    contribution: None,
                    share_before: None,
                });
            }
            total_change = m.change;
        }
    }
    let toward = |x: f64| if total_change >= 0.0 { x } else { -x };
    // Additive metrics are ranked by how far each segment outgrew its share; the others by
    // their contribution (or their own change).
    let rank = |d: &Driver| match (kind, d.contribution, d.share_before) {
        (Contribution::Additive, Some(c), Some(w)) => toward(c - w * total_change),
        (_, Some(c), _) => toward(c),
        _ => toward(d.after - d.before),
    };
    drivers.sort_by(|a, b| rank(b).total_cmp(&rank(a)).then(a.segment.cmp(&b.segment)));
    let top_share = match kind {
        Contribution::None => None,
        _ => drivers
            .first()
            .and_then(|d| d.contribution)
            .filter(|_| total_change != 0.0)
            .map(|c| c / total_change),
    };
    let excess = match kind {
        Contribution::Additive if total_change != 0.0 => {
            drivers.first().map(|d| rank(d) / total_change.abs())
        }
        _ => None,
    };
    let broad = match (kind, top_share, excess) {
        (Contribution::Additive, _, Some(e)) => e < PROPORTIONAL,
        (Contribution::Rate { .. }, Some(s), _) => s < 0.5,
        // Without an exact split: broad when every segment moved the way the total did.
        _ => drivers.iter().all(|d| toward(d.after - d.before) > 0.0),
    };
    Some(Explanation {
        dimension: b.dimension.clone(),
        contribution: kind,
        total_change,
        drivers,
        top_share,
        excess,
        broad,
    })
}

/// The dimension that explains a movement best: the one whose top segment stands out most
/// (explains the largest share of a rate's change, or outgrew its share of an additive total
/// the most).
pub(crate) fn explain(
    kind: Contribution,
    breakdowns: &[&Breakdown],
    m: &Movement,
) -> Option<Explanation> {
    let mut best: Option<Explanation> = None;
    for b in breakdowns {
        let Some(e) = explain_by(kind, b, m) else {
            continue;
        };
        let score = |x: &Explanation| x.excess.or(x.top_share).unwrap_or(0.0);
        let better = match &best {
            None => true,
            Some(cur) => score(&e) > score(cur),
        };
        if better {
            best = Some(e);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Horizon;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, day).unwrap()
    }

    fn rate(start: u32, n: f64, den: f64) -> Point {
        Point {
            start: d(start),
            end: d(start + 7),
            value: 100.0 * n / den,
            numerator: Some(n),
            denominator: Some(den),
        }
    }

    fn movement(change: f64) -> Movement {
        Movement {
            metric: "m".into(),
            horizon: Horizon::Period,
            before: 0.0,
            after: change,
            change,
            band: 0.0,
            moved: true,
            before_starts: vec![d(1)],
            after_starts: vec![d(8)],
        }
    }

    #[test]
    fn rate_contributions_add_up_and_name_the_segment_that_moved() {
        // Before: organic 30/100, referral 6/20 → 36/120 = 30%.
        // After: organic 30/100, referral 12/20 → 42/120 = 35%.
        let b = Breakdown {
            metric: "m".into(),
            dimension: "signup_source".into(),
            segments: BTreeMap::from([
                (
                    "organic".to_string(),
                    vec![rate(1, 30.0, 100.0), rate(8, 30.0, 100.0)],
                ),
                (
                    "referral".to_string(),
                    vec![rate(1, 6.0, 20.0), rate(8, 12.0, 20.0)],
                ),
            ]),
        };
        let e = explain_by(Contribution::Rate { scale: 100.0 }, &b, &movement(5.0)).unwrap();
        // By hand: R0 = 30. organic: 100/120·(30−30) − 100/120·(30−30) = 0.
        // referral: 20/120·(60−30) − 20/120·(30−30) = 5.
        assert!((e.total_change - 5.0).abs() < 1e-12);
        assert_eq!(e.drivers[0].segment, "referral");
        assert!((e.drivers[0].contribution.unwrap() - 5.0).abs() < 1e-12);
        assert_eq!((e.drivers[0].before, e.drivers[0].after), (30.0, 60.0));
        assert!((e.drivers[1].contribution.unwrap()).abs() < 1e-12);
        assert_eq!(e.top_share, Some(1.0));
        assert!(!e.broad);
    }

    #[test]
    fn a_segment_that_only_grew_at_the_old_rate_contributes_nothing() {
        // Before: a 10/100, b 50/100 → 30%. After: a 10/100, b 150/300 → 160/400 = 40%.
        // b's rate is still 50%, but it grew: mix. Contributions: R0 = 30;
        // a: 100/400·(10−30) − 100/200·(10−30) = −5 + 10 = 5; b: 300/400·(50−30) − 100/200·(50−30) = 15 − 10 = 5.
        let b = Breakdown {
            metric: "m".into(),
            dimension: "plan".into(),
            segments: BTreeMap::from([
                (
                    "a".to_string(),
                    vec![rate(1, 10.0, 100.0), rate(8, 10.0, 100.0)],
                ),
                (
                    "b".to_string(),
                    vec![rate(1, 50.0, 100.0), rate(8, 150.0, 300.0)],
                ),
            ]),
        };
        let e = explain_by(Contribution::Rate { scale: 100.0 }, &b, &movement(10.0)).unwrap();
        assert!((e.total_change - 10.0).abs() < 1e-12);
        let c: Vec<f64> = e.drivers.iter().map(|x| x.contribution.unwrap()).collect();
        assert!(
            (c[0] - 5.0).abs() < 1e-12 && (c[1] - 5.0).abs() < 1e-12,
            "{c:?}"
        );
        assert!(!e.broad, "exactly half is not broad");
    }

    #[test]
    fn additive_and_unsplittable_metrics() {
        let v = |start: u32, x: f64| Point {
            start: d(start),
            end: d(start + 7),
            value: x,
            numerator: None,
            denominator: None,
        };
        let b = Breakdown {
            metric: "tickets".into(),
            dimension: "plan".into(),
            segments: BTreeMap::from([
                ("free".to_string(), vec![v(1, 100.0), v(8, 200.0)]),
                ("paid".to_string(), vec![v(1, 50.0), v(8, 90.0)]),
                ("trial".to_string(), vec![v(1, 40.0), v(8, 85.0)]),
            ]),
        };
        let e = explain_by(Contribution::Additive, &b, &movement(185.0)).unwrap();
        assert_eq!(e.total_change, 185.0);
        // Shares before: free 100/190, paid 50/190, trial 40/190. Moving in proportion, trial
        // would have added 40/190 · 185 = 38.9; it added 45, an excess of 6.1: the most, but
        // only 3% of the change: broad.
        assert_eq!(e.drivers[0].segment, "trial");
        let excess = (45.0 - 40.0 / 190.0 * 185.0) / 185.0;
        assert!((e.excess.unwrap() - excess).abs() < 1e-12, "{e:?}");
        assert!(e.broad);
        assert!((e.top_share.unwrap() - 45.0 / 185.0).abs() < 1e-12);

        // Only paid grows: 50 → 150 of a change of 100, against a third of the total before.
        let b = Breakdown {
            metric: "tickets".into(),
            dimension: "plan".into(),
            segments: BTreeMap::from([
                ("free".to_string(), vec![v(1, 100.0), v(8, 100.0)]),
                ("paid".to_string(), vec![v(1, 50.0), v(8, 150.0)]),
            ]),
        };
        let e = explain_by(Contribution::Additive, &b, &movement(100.0)).unwrap();
        assert_eq!(e.drivers[0].segment, "paid");
        assert!((e.excess.unwrap() - (100.0 - 100.0 / 3.0) / 100.0).abs() < 1e-12);
        assert!(!e.broad);

        let e = explain_by(Contribution::None, &b, &movement(1.0)).unwrap();
        assert!(!e.broad, "free did not move");
        assert_eq!(e.drivers[0].segment, "paid");
    }
}
