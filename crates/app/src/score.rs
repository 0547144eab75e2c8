//! Scoring a period: each key result's and objective's score, the teams that keep scoring
//! 1.0 (sandbagging) and each owner's stated confidence against outcomes, both read from
//! every closed period in the store; and closing the period with exactly those scores.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use throughline_progress::okr::{self, ObjectiveScore, ObjectiveStatus};
use throughline_progress::{OwnerCalibration, Scored};
use throughline_store::{ScoreRow, Store};

use crate::Error;
use crate::status::Quarter;

/// A period's scores and what the store's history says about them.
pub struct Scoring {
    pub quarter: Quarter,
    pub scores: Vec<ObjectiveScore>,
    /// The period is closed: its final scores are stored (these are recomputed).
    pub closed: bool,
    /// The period has ended by `today`.
    pub ended: bool,
    /// Teams that scored 1.0 period after period, with those periods.
    pub sandbagging: Vec<(String, Vec<String>)>,
    pub calibration: Vec<OwnerCalibration>,
}

/// Scores the quarter's objectives, and reads the closed periods' scores from the store for
/// sandbagging and calibration (this period's count too while it is not closed).
pub async fn score(store: &Store, quarter: Quarter, today: NaiveDate) -> Result<Scoring, Error> {
    let scores = okr::score(&quarter.objectives);
    let period = quarter.period.to_string();
    let stored = store.scores().await?;
    let closed = stored.iter().any(|r| r.period == period);
    let (history, outcomes) = history(&stored, &scores, &period, closed);
    Ok(Scoring {
        sandbagging: throughline_progress::sandbagging_teams(&history),
        calibration: throughline_progress::calibration(&outcomes),
        ended: quarter.period.end() <= today,
        closed,
        scores,
        quarter,
    })
}

/// Stores the scores as final and closes the period (no more check-ins on it), once it has
/// ended and only once. Returns how many scores were stored.
pub async fn close(store: &Store, scoring: &Scoring, author: &str) -> Result<usize, Error> {
    let period = scoring.quarter.period.to_string();
    if scoring.closed {
        return Err(Error::conflict(
            format!("{period} is already closed"),
            "its scores are final; `throughline score --period` shows other periods",
        ));
    }
    if !scoring.ended {
        return Err(Error::conflict(
            format!(
                "{period} has not ended: it runs until {}",
                scoring.quarter.period.end()
            ),
            "close a period once it is over; until then `throughline score` shows a preview",
        ));
    }
    let rows = score_rows(&scoring.quarter.objectives, &scoring.scores, &period);
    store.close_period(&period, author, &rows).await?;
    Ok(rows.len())
}

/// What sandbagging and calibration read: every closed period's team scores and owners'
/// confidence against outcomes, and this period's when it is not closed yet.
fn history(
    stored: &[ScoreRow],
    scores: &[ObjectiveScore],
    period_text: &str,
    closed: bool,
) -> (Vec<Scored>, Vec<(String, i64, bool)>) {
    let mut history: Vec<Scored> = Vec::new();
    let mut team_scores: BTreeMap<(String, String), Vec<f64>> = Default::default();
    for r in stored.iter().filter(|r| r.key_result.is_empty()) {
        team_scores
            .entry((r.team.clone(), r.period.clone()))
            .or_default()
            .push(r.score);
    }
    let mut outcomes: Vec<(String, i64, bool)> = stored
        .iter()
        .filter(|r| !r.key_result.is_empty())
        .filter_map(|r| Some((r.owner.clone()?, r.confidence?, r.score >= 1.0)))
        .collect();
    if !closed {
        for s in scores {
            if let Some(x) = s.score {
                team_scores
                    .entry((s.team.clone(), period_text.to_string()))
                    .or_default()
                    .push(x);
            }
            for k in &s.key_results {
                if let (Some(o), Some(c), Some(x)) = (&k.owner, k.confidence, k.score) {
                    outcomes.push((o.clone(), c, x >= 1.0));
                }
            }
        }
    }
    for ((team, p), xs) in team_scores {
        let start = throughline_model::Period::parse(&p).map_or(NaiveDate::MIN, |p| p.start());
        history.push(Scored {
            team,
            period_start: start,
            period: p,
            score: xs.iter().sum::<f64>() / xs.len() as f64,
        });
    }
    (history, outcomes)
}

/// The rows closing stores: one per scored objective and one per scored key result.
fn score_rows(
    objectives: &[ObjectiveStatus],
    scores: &[ObjectiveScore],
    period_text: &str,
) -> Vec<ScoreRow> {
    let mut rows = Vec::new();
    for (o, s) in objectives.iter().zip(scores) {
        let commitment = if s.committed {
            "committed"
        } else {
            "aspirational"
        };
        let row = |key_result: &str, owner: &Option<String>, value, score, confidence| ScoreRow {
            period: period_text.to_string(),
            team: s.team.clone(),
            objective: o.id.clone(),
            key_result: key_result.to_string(),
            commitment: commitment.into(),
            owner: owner.clone(),
            value,
            score,
            confidence,
        };
        if let Some(x) = s.score {
            rows.push(row("", &o.owner, None, x, None));
        }
        for k in &s.key_results {
            if let Some(x) = k.score {
                rows.push(row(&k.id, &k.owner, k.value, x, k.confidence));
            }
        }
    }
    rows
}
