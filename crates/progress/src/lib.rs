//! throughline's OKR arithmetic, free of I/O: where a key result stands between its baseline
//! and target, whether it is on pace for the elapsed part of its period, where its trend ends
//! up by the period's end, and how a closed period scores.
//!
//! Inputs are plain values (a series of metric values, stated confidences); the CLI and the
//! server fetch them from the engine and the store. Every threshold is a named constant here.

mod forecast;
pub mod okr;
mod score;

use chrono::NaiveDate;
use serde::Serialize;

pub use forecast::{Fit, Forecast, fit, forecast};
pub use score::{
    Calibration, Judgement, OwnerCalibration, Scored, calibration, judge, round2,
    sandbagging_teams, score_key_result,
};

/// One complete value of a metric over one period of its grain, in local days: the one
/// series type that the OKR arithmetic, the weekly review and the dashboard read (the use
/// cases convert the engine's values and the stored snapshots into it, each in one place). A
/// manual check-in's value is one too, its bucket the day it was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Point {
    /// First local day of the bucket.
    pub start: NaiveDate,
    /// The day after its last day.
    pub end: NaiveDate,
    pub value: f64,
    /// A ratio's parts (a share's users and entrants, a sum's total and count), when the
    /// metric has them.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

impl Point {
    /// A value without parts.
    pub fn new(start: NaiveDate, end: NaiveDate, value: f64) -> Point {
        Point {
            start,
            end,
            value,
            numerator: None,
            denominator: None,
        }
    }

    /// The bucket in words: "2026-09-14" (a day), "week of 2026-09-14", "September 2026", or
    /// "2026-09-14 to 2026-09-20".
    pub fn bucket(&self) -> String {
        bucket_words(self.start, (self.end - self.start).num_days()).1
    }
}

/// A bucket of `days` days from `start`, in words (see [`Point::bucket`]), with the
/// preposition that puts a value in it: ("in the", "week of 2026-09-14").
pub fn bucket_words(start: NaiveDate, days: i64) -> (&'static str, String) {
    match days {
        ..=1 => ("on", start.to_string()),
        7 => ("in the", format!("week of {start}")),
        28..=31 => ("in", start.format("%B %Y").to_string()),
        d => (
            "from",
            format!("{start} to {}", start + chrono::Duration::days(d - 1)),
        ),
    }
}

/// Pacing is on track when actual progress is at most this far behind the expected share.
pub const ON_TRACK_GAP: f64 = 0.10;
/// ...and at risk up to this far behind; beyond it, off track.
pub const AT_RISK_GAP: f64 = 0.25;

/// How far from baseline to target: 0 at the baseline, 1 at the target, beyond 1 toward a
/// stretch target, negative when it went the wrong way. Works for targets below their baseline
/// (`direction: down`). `None` when target equals baseline.
pub fn progress(baseline: f64, target: f64, current: f64) -> Option<f64> {
    let span = target - baseline;
    (span != 0.0 && span.is_finite() && current.is_finite()).then(|| (current - baseline) / span)
}

/// Progress for people, the same wherever it is shown: `56%`; past the target, `144% (past
/// the target)`; moved away from it, `−7% (moved away from the target)` (a minus sign, not a
/// hyphen).
pub fn progress_text(p: f64) -> String {
    let (n, note) = progress_parts(p);
    match note {
        Some(note) => format!("{n} ({note})"),
        None => n,
    }
}

/// Progress as a percent (`−7%`) and, outside 0–100%, what that means in words.
pub fn progress_parts(p: f64) -> (String, Option<&'static str>) {
    let whole = (p * 100.0).round();
    let n = format!("{}{:.0}%", if whole < 0.0 { "−" } else { "" }, whole.abs());
    let note = if whole < 0.0 {
        Some("moved away from the target")
    } else if whole > 100.0 {
        Some("past the target")
    } else {
        None
    };
    (n, note)
}

/// Whether `value` is at or beyond `target` in the good direction (at or above when `up`).
pub fn reached(value: f64, target: f64, up: bool) -> bool {
    if up { value >= target } else { value <= target }
}

/// The share of a period `[start, end)` that has elapsed at the start of day `as_of`, 0–1.
pub fn elapsed_share(start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> f64 {
    let total = (end - start).num_days() as f64;
    if total <= 0.0 {
        return 1.0;
    }
    ((as_of - start).num_days() as f64 / total).clamp(0.0, 1.0)
}

/// Where a key result stands against the straight line from baseline (period start) to target
/// (period end).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reached its target already.
    Done,
    OnTrack,
    AtRisk,
    OffTrack,
    /// No value yet, or no baseline and target to measure progress against.
    Unknown,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::OnTrack => "on track",
            Status::AtRisk => "at risk",
            Status::OffTrack => "off track",
            Status::Unknown => "no data",
        }
    }
}

/// Expected against actual progress.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Pacing {
    /// The elapsed share of the period: where progress should be on a straight line.
    pub expected: f64,
    pub actual: f64,
    pub status: Status,
}

/// Pacing of `actual` progress when `expected` of the period has elapsed.
pub fn pacing(actual: f64, expected: f64) -> Pacing {
    let gap = expected - actual;
    let status = if actual >= 1.0 {
        Status::Done
    } else if gap <= ON_TRACK_GAP {
        Status::OnTrack
    } else if gap <= AT_RISK_GAP {
        Status::AtRisk
    } else {
        Status::OffTrack
    };
    Pacing {
        expected,
        actual,
        status,
    }
}

/// The progress of a group (an objective from its key results, a team from its objectives):
/// the weighted mean of the members that have one. `None` when none has.
pub fn weighted(parts: impl IntoIterator<Item = (Option<f64>, f64)>) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (p, w) in parts {
        if let Some(p) = p {
            sum += p * w;
            weights += w;
        }
    }
    (weights > 0.0).then(|| sum / weights)
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_reads_the_same_everywhere_and_says_when_it_is_outside_the_way() {
        use super::progress_text;
        assert_eq!(progress_text(0.56), "56%");
        assert_eq!(progress_text(1.0), "100%");
        assert_eq!(progress_text(1.44), "144% (past the target)");
        assert_eq!(progress_text(-0.07), "−7% (moved away from the target)");
        assert_eq!(progress_text(-1.92), "−192% (moved away from the target)");
        assert_eq!(progress_text(-0.001), "0%");
    }

    #[test]
    fn buckets_in_words() {
        let p = |a: &str, b: &str| Point::new(d(a), d(b), 0.0);
        assert_eq!(p("2026-09-14", "2026-09-15").bucket(), "2026-09-14");
        assert_eq!(p("2026-09-14", "2026-09-21").bucket(), "week of 2026-09-14");
        assert_eq!(p("2026-09-01", "2026-10-01").bucket(), "September 2026");
        assert_eq!(
            p("2026-07-01", "2026-10-01").bucket(),
            "2026-07-01 to 2026-09-30"
        );
    }

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn progress_is_direction_aware() {
        assert_eq!(progress(27.0, 35.0, 31.0), Some(0.5));
        assert_eq!(progress(27.0, 35.0, 39.0), Some(1.5));
        assert_eq!(progress(27.0, 35.0, 25.0), Some(-0.25));
        // Time to value from 22 h down to 16 h, now 19 h: half way.
        assert_eq!(progress(22.0, 16.0, 19.0), Some(0.5));
        assert_eq!(progress(22.0, 16.0, 23.5), Some(-0.25));
        assert_eq!(progress(5.0, 5.0, 6.0), None);
    }

    #[test]
    fn elapsed_share_of_a_quarter() {
        // 2026-Q3 has 92 days; on Aug 16, 46 have passed.
        assert_eq!(
            elapsed_share(d("2026-07-01"), d("2026-10-01"), d("2026-08-16")),
            0.5
        );
        assert_eq!(
            elapsed_share(d("2026-07-01"), d("2026-10-01"), d("2026-06-01")),
            0.0
        );
        assert_eq!(
            elapsed_share(d("2026-07-01"), d("2026-10-01"), d("2026-11-24")),
            1.0
        );
    }

    #[test]
    fn pacing_thresholds() {
        assert_eq!(pacing(0.45, 0.5).status, Status::OnTrack);
        assert_eq!(
            pacing(0.40, 0.5).status,
            Status::OnTrack,
            "exactly 10 points behind"
        );
        assert_eq!(pacing(0.30, 0.5).status, Status::AtRisk);
        assert_eq!(
            pacing(0.25, 0.5).status,
            Status::AtRisk,
            "exactly 25 points behind"
        );
        assert_eq!(pacing(0.20, 0.5).status, Status::OffTrack);
        assert_eq!(pacing(1.0, 0.5).status, Status::Done);
        assert_eq!(pacing(0.9, 0.95).status, Status::OnTrack);
    }

    #[test]
    fn weighted_progress_skips_unknowns() {
        assert_eq!(
            weighted([(Some(0.5), 1.0), (Some(1.0), 3.0), (None, 5.0)]),
            Some(0.875)
        );
        assert_eq!(weighted([(None, 1.0)]), None);
    }
}
