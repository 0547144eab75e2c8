//! Decisions taken in reviews, for the weekly review's decision log.

use chrono::{DateTime, Utc};
pub use error::StoreError;

use crate::*;

/// A stored decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub id: String,
    pub text: String,
    /// The objective, key result or metric it is about, if any.
    pub about: Option<String>,
    pub author: String,
    pub decided_at: DateTime<Utc>,
}

impl Store {
    /// Records a decision.
    pub async fn record_decision(
        &self,
        text: &str,
        about: Option<&str>,
        author: &str,
    ) -> Result<Decision, StoreError> {
        self.record_decision_at(text, about, author, Utc::now())
            .await
    }

    /// Records a decision taken at `now` (an import of earlier decisions).
    pub async fn record_decision_at(
        &self,
        text: &str,
        about: Option<&str>,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, StoreError> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO decisions (id, text, about, author, decided_at, decided_seq) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(text)
        .bind(about)
        .bind(author)
        .bind(time(&now))
        .bind(now.timestamp_micros())
        // not cached: a NULL `about` must not fix its parameter's type (see snapshots.rs)
        .persistent(false)
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        Ok(Decision {
            id,
            text: text.to_string(),
            about: about.map(str::to_string),
            author: author.to_string(),
            decided_at: now,
        })
    }

    /// Decisions, oldest first.
    pub async fn decisions(&self) -> Result<Vec<Decision>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, text, about, author, decided_at FROM decisions ORDER BY decided_seq, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                Ok(Decision {
                    id: text(0)?,
                    text: text(1)?,
                    about: self.col(r, 2)?,
                    author: text(3)?,
                    decided_at: self.parse_time(&text(4)?)?,
                })
            })
            .collect()
    }
}
