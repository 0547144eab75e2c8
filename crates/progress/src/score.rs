//! End-of-period scoring: 0.0–1.0 per key result and objective, judged by the objective's
//! commitment; teams that always score 1.0; stated confidence against outcomes.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use throughline_model::Commitment;

/// An aspirational objective at or above this score is a success.
pub const ASPIRATIONAL_SUCCESS: f64 = 0.7;
/// Below this it missed; between the two it made real progress.
pub const ASPIRATIONAL_PARTIAL: f64 = 0.4;
/// A team scoring 1.0 in this many periods in a row is warned about sandbagging.
pub const SANDBAG_PERIODS: usize = 2;
/// Stated confidence more than this far from the hit rate is over- or under-confident.
pub const CALIBRATION_GAP: f64 = 0.2;
/// Fewer outcomes than this are too few to judge an owner's calibration.
pub const CALIBRATION_MIN: usize = 3;

/// A key result's score: its progress clamped to 0.0–1.0 (1.0 = target reached), rounded to
/// two decimals as scores are reported.
pub fn score_key_result(progress: Option<f64>) -> Option<f64> {
    progress.map(|p| round2(p.clamp(0.0, 1.0)))
}

/// Rounded to two decimals, the precision scores are reported and judged at.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What a score means for the objective's kind of commitment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Judgement {
    /// Committed and reached 1.0.
    Delivered,
    /// Committed and fell short: committed objectives are expected to reach 1.0.
    Missed,
    /// Aspirational and at or above 0.7.
    Success,
    /// Aspirational, between 0.4 and 0.7.
    Partial,
    /// Aspirational, below 0.4.
    Fell,
}

impl Judgement {
    pub fn describe(self) -> &'static str {
        match self {
            Judgement::Delivered => "delivered: a committed objective reached 1.0",
            Judgement::Missed => {
                "missed: committed objectives are expected to reach 1.0; find out what got in the way"
            }
            Judgement::Success => "success: about 0.7 is what an ambitious objective should reach",
            Judgement::Partial => {
                "partial: real progress, short of the 0.7 an ambitious objective aims for"
            }
            Judgement::Fell => "fell short: below 0.4; was the bet wrong or the effort missing?",
        }
    }
}

/// Judges an objective's score by its commitment.
pub fn judge(score: f64, commitment: Commitment) -> Judgement {
    match commitment {
        Commitment::Committed if score >= 1.0 => Judgement::Delivered,
        Commitment::Committed => Judgement::Missed,
        Commitment::Aspirational if score >= ASPIRATIONAL_SUCCESS => Judgement::Success,
        Commitment::Aspirational if score >= ASPIRATIONAL_PARTIAL => Judgement::Partial,
        Commitment::Aspirational => Judgement::Fell,
    }
}

/// A team's mean objective score in one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scored {
    pub team: String,
    /// The period's first day, to order periods.
    pub period_start: NaiveDate,
    pub period: String,
    pub score: f64,
}

/// Teams whose last [`SANDBAG_PERIODS`] scored periods all reached 1.0, with those periods.
pub fn sandbagging_teams(history: &[Scored]) -> Vec<(String, Vec<String>)> {
    let mut by_team: BTreeMap<&str, Vec<&Scored>> = BTreeMap::new();
    for s in history {
        by_team.entry(&s.team).or_default().push(s);
    }
    let mut out = Vec::new();
    for (team, mut periods) in by_team {
        periods.sort_by_key(|s| s.period_start);
        periods.dedup_by_key(|s| s.period_start);
        if periods.len() < SANDBAG_PERIODS {
            continue;
        }
        let last = &periods[periods.len() - SANDBAG_PERIODS..];
        if last.iter().all(|s| s.score >= 1.0) {
            out.push((
                team.to_string(),
                last.iter().map(|s| s.period.clone()).collect(),
            ));
        }
    }
    out
}

/// How an owner's stated confidence compares with what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Calibration {
    TooFew,
    Calibrated,
    Overconfident,
    Underconfident,
}

/// One owner's confidence against outcomes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnerCalibration {
    pub owner: String,
    /// Key results with a stated confidence and a final score.
    pub n: usize,
    /// Mean stated confidence as a probability (confidence / 10).
    pub stated: f64,
    /// Share of those key results that reached their target.
    pub hit_rate: f64,
    /// Mean squared difference between stated probability and outcome (0 is perfect).
    pub brier: f64,
    pub verdict: Calibration,
}

/// Per owner: `(owner, confidence 0–10, reached the target)`.
pub fn calibration(outcomes: &[(String, i64, bool)]) -> Vec<OwnerCalibration> {
    let mut by_owner: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for (owner, confidence, reached) in outcomes {
        let p = (*confidence as f64 / 10.0).clamp(0.0, 1.0);
        by_owner
            .entry(owner)
            .or_default()
            .push((p, if *reached { 1.0 } else { 0.0 }));
    }
    by_owner
        .into_iter()
        .map(|(owner, rows)| {
            let n = rows.len();
            let nf = n as f64;
            let stated = rows.iter().map(|r| r.0).sum::<f64>() / nf;
            let hit_rate = rows.iter().map(|r| r.1).sum::<f64>() / nf;
            let brier = rows.iter().map(|r| (r.0 - r.1).powi(2)).sum::<f64>() / nf;
            let verdict = if n < CALIBRATION_MIN {
                Calibration::TooFew
            } else if stated - hit_rate > CALIBRATION_GAP {
                Calibration::Overconfident
            } else if hit_rate - stated > CALIBRATION_GAP {
                Calibration::Underconfident
            } else {
                Calibration::Calibrated
            };
            OwnerCalibration {
                owner: owner.to_string(),
                n,
                stated,
                hit_rate,
                brier,
                verdict,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_clamped_progress() {
        assert_eq!(score_key_result(Some(1.625)), Some(1.0));
        assert_eq!(score_key_result(Some(-0.2)), Some(0.0));
        assert_eq!(score_key_result(Some(0.7)), Some(0.7));
        assert_eq!(score_key_result(Some(0.6967)), Some(0.7));
        assert_eq!(score_key_result(None), None);
    }

    #[test]
    fn committed_and_aspirational_are_judged_differently() {
        assert_eq!(judge(0.7, Commitment::Aspirational), Judgement::Success);
        assert_eq!(judge(0.7, Commitment::Committed), Judgement::Missed);
        assert_eq!(judge(1.0, Commitment::Committed), Judgement::Delivered);
        assert_eq!(judge(0.55, Commitment::Aspirational), Judgement::Partial);
        assert_eq!(judge(0.39, Commitment::Aspirational), Judgement::Fell);
    }

    fn s(team: &str, start: &str, period: &str, score: f64) -> Scored {
        Scored {
            team: team.into(),
            period_start: start.parse().unwrap(),
            period: period.into(),
            score,
        }
    }

    #[test]
    fn sandbagging_needs_two_periods_in_a_row_at_one() {
        let h = vec![
            s("growth", "2026-04-01", "2026-Q2", 1.0),
            s("growth", "2026-07-01", "2026-Q3", 1.0),
            s("core", "2026-01-01", "2026-Q1", 1.0),
            s("core", "2026-04-01", "2026-Q2", 0.6),
            s("core", "2026-07-01", "2026-Q3", 1.0),
            s("search", "2026-07-01", "2026-Q3", 1.0),
        ];
        assert_eq!(
            sandbagging_teams(&h),
            vec![(
                "growth".to_string(),
                vec!["2026-Q2".to_string(), "2026-Q3".to_string()]
            )]
        );
    }

    /// Dana said 8, 9, 7 and 9 (mean 0.825) and reached 1 of 4 (0.25): overconfident.
    /// Brier: (0.8−0)² + (0.9−1)² + (0.7−0)² + (0.9−0)² = 0.64 + 0.01 + 0.49 + 0.81 = 1.95 → 0.4875.
    #[test]
    fn calibration_by_owner() {
        let o = |w: &str, c, r| (w.to_string(), c, r);
        let got = calibration(&[
            o("Dana", 8, false),
            o("Dana", 9, true),
            o("Dana", 7, false),
            o("Dana", 9, false),
            o("Sam", 5, true),
            o("Lee", 3, true),
            o("Lee", 2, true),
            o("Lee", 4, false),
        ]);
        let dana = &got[0];
        assert_eq!((dana.owner.as_str(), dana.n), ("Dana", 4));
        assert!((dana.stated - 0.825).abs() < 1e-12 && (dana.hit_rate - 0.25).abs() < 1e-12);
        assert!((dana.brier - 0.4875).abs() < 1e-12);
        assert_eq!(dana.verdict, Calibration::Overconfident);
        // Lee: stated 0.3, hit 2/3: underconfident.
        assert_eq!(got[1].verdict, Calibration::Underconfident);
        assert_eq!(
            got.iter().find(|c| c.owner == "Sam").unwrap().verdict,
            Calibration::TooFew
        );
    }
}
