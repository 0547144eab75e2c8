//! Check-ins on key results: recorded in a transaction, refused on a closed period.

use chrono::{DateTime, Utc};
pub use error::StoreError;

use crate::*;

/// A check-in to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCheckIn {
    pub objective: String,
    pub key_result: String,
    /// The objective's period as written (`2026-Q3`).
    pub period: String,
    /// For manual key results; computed ones take their value from the data.
    pub value: Option<f64>,
    /// 0–10: how likely the owner thinks the target is reached.
    pub confidence: Option<i64>,
    pub note: String,
    pub author: String,
}

/// A stored check-in.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckIn {
    pub id: String,
    pub recorded_at: DateTime<Utc>,
    pub checkin: NewCheckIn,
}

impl Store {
    /// Records a check-in, unless its period is closed. Returns it once committed.
    pub async fn record_checkin(&self, c: &NewCheckIn) -> Result<CheckIn, StoreError> {
        self.record_checkin_at(c, Utc::now()).await
    }

    /// Records a check-in made at `now` (an import of earlier check-ins), unless its period
    /// is closed.
    pub async fn record_checkin_at(
        &self,
        c: &NewCheckIn,
        now: DateTime<Utc>,
    ) -> Result<CheckIn, StoreError> {
        let id = new_id();
        // One statement: the closed-period test and the insert are atomic, on both backends.
        let done = sqlx::query(
            "INSERT INTO checkins (id, objective, key_result, period, value, confidence, note, author, \
             recorded_at, recorded_seq) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE NOT EXISTS (SELECT 1 FROM closed_periods WHERE period = $4)",
        )
        .bind(&id)
        .bind(&c.objective)
        .bind(&c.key_result)
        .bind(&c.period)
        .bind(c.value)
        .bind(c.confidence)
        .bind(&c.note)
        .bind(&c.author)
        .bind(time(&now))
        .bind(now.timestamp_micros())
        // not cached: a value or confidence left out (NULL) must not fix its parameter's type
        // for the next check-in (see snapshots.rs)
        .persistent(false)
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::PeriodClosed {
                period: c.period.clone(),
            });
        }
        Ok(CheckIn {
            id,
            recorded_at: now,
            checkin: c.clone(),
        })
    }

    /// Check-ins, oldest first; of one objective when given.
    pub async fn checkins(&self, objective: Option<&str>) -> Result<Vec<CheckIn>, StoreError> {
        let sql = "SELECT id, objective, key_result, period, value, confidence, note, author, recorded_at \
                   FROM checkins WHERE ($1 = '' OR objective = $1) ORDER BY recorded_seq, id";
        let rows = sqlx::query(sql)
            .bind(objective.unwrap_or(""))
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(CheckIn {
                    id: text(0)?,
                    checkin: NewCheckIn {
                        objective: text(1)?,
                        key_result: text(2)?,
                        period: text(3)?,
                        value: self.col(r, 4)?,
                        confidence: self.col(r, 5)?,
                        note: text(6)?,
                        author: text(7)?,
                    },
                    recorded_at: self.parse_time(&text(8)?)?,
                })
            })
            .collect()
    }
}
