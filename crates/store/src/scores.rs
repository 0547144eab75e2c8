//! End-of-period scores: stored with the period's close, read for sandbagging and calibration.

use chrono::{DateTime, Utc};
pub use error::StoreError;

use crate::*;

/// A final score of a closed period: a key result's, or an objective's when `key_result` is
/// empty.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoreRow {
    pub period: String,
    pub team: String,
    pub objective: String,
    pub key_result: String,
    /// `committed` or `aspirational`.
    pub commitment: String,
    pub owner: Option<String>,
    pub value: Option<f64>,
    pub score: f64,
    /// The last stated confidence (0–10) before closing.
    pub confidence: Option<i64>,
}

/// A closed period.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosedPeriod {
    pub period: String,
    pub closed_at: DateTime<Utc>,
    pub closed_by: String,
}

impl Store {
    /// Closes a period with its final scores, in one transaction. A period closes once.
    pub async fn close_period(
        &self,
        period: &str,
        closed_by: &str,
        scores: &[ScoreRow],
    ) -> Result<ClosedPeriod, StoreError> {
        let now = Utc::now();
        let mut tx = self.pool.begin().await.map_err(|e| self.io(e))?;
        let done = sqlx::query(
            "INSERT INTO closed_periods (period, closed_at, closed_by) SELECT $1, $2, $3 \
             WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE period = $1)",
        )
        .bind(period)
        .bind(time(&now))
        .bind(closed_by)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.io(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::PeriodClosed {
                period: period.to_string(),
            });
        }
        for s in scores {
            sqlx::query(
                "INSERT INTO scores (period, team, objective, key_result, commitment, owner, value, score, confidence) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&s.period)
            .bind(&s.team)
            .bind(&s.objective)
            .bind(&s.key_result)
            .bind(&s.commitment)
            .bind(s.owner.as_deref())
            .bind(s.value)
            .bind(s.score)
            .bind(s.confidence)
            // not cached: a NULL must not fix its parameter's type (see snapshots.rs)
            .persistent(false)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.io(e))?;
        }
        tx.commit().await.map_err(|e| self.io(e))?;
        Ok(ClosedPeriod {
            period: period.to_string(),
            closed_at: now,
            closed_by: closed_by.to_string(),
        })
    }

    /// Closed periods, oldest first.
    pub async fn closed_periods(&self) -> Result<Vec<ClosedPeriod>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, closed_at, closed_by FROM closed_periods ORDER BY closed_at, period",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(ClosedPeriod {
                    period: text(0)?,
                    closed_at: self.parse_time(&text(1)?)?,
                    closed_by: text(2)?,
                })
            })
            .collect()
    }

    /// Every final score, by period, objective and key result.
    pub async fn scores(&self) -> Result<Vec<ScoreRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT period, team, objective, key_result, commitment, owner, value, score, confidence \
             FROM scores ORDER BY period, objective, key_result",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let get = |i: usize| self.col::<String>(r, i);
                Ok(ScoreRow {
                    period: get(0)?,
                    team: get(1)?,
                    objective: get(2)?,
                    key_result: get(3)?,
                    commitment: get(4)?,
                    owner: self.col(r, 5)?,
                    value: self.col(r, 6)?,
                    score: self.col(r, 7)?,
                    confidence: self.col(r, 8)?,
                })
            })
            .collect()
    }
}
