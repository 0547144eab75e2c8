//! The notification log: every reminder, digest and alert sent (or tried), keyed so that the
//! same message is never sent twice. Sending is claim → send → mark: a message is claimed in
//! one statement (only one process wins the claim), and marked sent or failed after.

use chrono::{DateTime, Utc};

use crate::{Store, StoreError, time};

/// A message as logged.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// What the message is about, unique: `checkin-reminder/2026-W39/slack/Dana (PM Growth)`.
    pub key: String,
    /// The rule kind (`checkin-reminder`, `review-digest`, …).
    pub kind: String,
    pub channel: String,
    pub recipient: Option<String>,
    pub subject: String,
    pub body: String,
    pub status: Delivery,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Where a logged message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Claimed by a run that is sending it now (or that crashed while sending).
    Sending,
    Sent,
    /// Every attempt failed; the next run tries again.
    Failed,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sending => "sending",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
        }
    }
}

/// A message to claim.
#[derive(Clone, Debug)]
pub struct NewNotification<'a> {
    pub key: &'a str,
    pub kind: &'a str,
    pub channel: &'a str,
    pub recipient: Option<&'a str>,
    pub subject: &'a str,
    pub body: &'a str,
}

/// How long a claim by a run that never marked it holds before another run may take it over.
const CLAIM_HOLDS_MICROS: i64 = 10 * 60 * 1_000_000;

impl Store {
    /// Claims a message for sending at `now`: true when this caller should send it (it was
    /// never logged, its last try failed, or a claim is older than ten minutes); false when it
    /// was sent or another run is sending it.
    pub async fn claim_notification(
        &self,
        n: &NewNotification<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let seq = now.timestamp_micros();
        let done = sqlx::query(
            "INSERT INTO notifications (key, kind, channel, recipient, subject, body, status, \
             attempts, error, created_at, updated_at, updated_seq) \
             VALUES ($1, $2, $3, $4, $5, $6, 'sending', 0, NULL, $7, $7, $8) \
             ON CONFLICT (key) DO UPDATE SET status = 'sending', updated_at = $7, updated_seq = $8 \
             WHERE notifications.status = 'failed' \
             OR (notifications.status = 'sending' AND notifications.updated_seq < $9)",
        )
        .bind(n.key)
        .bind(n.kind)
        .bind(n.channel)
        .bind(n.recipient)
        .bind(n.subject)
        .bind(n.body)
        .bind(time(&now))
        .bind(seq)
        .bind(seq - CLAIM_HOLDS_MICROS)
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a claimed message sent (`error` `None`) or failed, after `attempts` more tries.
    pub async fn finish_notification(
        &self,
        key: &str,
        attempts: i64,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let status = match error {
            None => Delivery::Sent,
            Some(_) => Delivery::Failed,
        };
        sqlx::query(
            "UPDATE notifications SET status = $1, attempts = attempts + $2, error = $3, \
             updated_at = $4, updated_seq = $5 WHERE key = $6",
        )
        .bind(status.as_str())
        .bind(attempts)
        .bind(error)
        .bind(time(&now))
        .bind(now.timestamp_micros())
        .bind(key)
        // not cached: a NULL error must not fix its parameter's type (see snapshots.rs)
        .persistent(false)
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        Ok(())
    }

    /// The log, newest first, at most `limit` messages.
    pub async fn notifications(&self, limit: i64) -> Result<Vec<Notification>, StoreError> {
        let rows = sqlx::query(
            "SELECT key, kind, channel, recipient, subject, body, status, attempts, error, \
             created_at, updated_at FROM notifications ORDER BY updated_seq DESC, key LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter()
            .map(|r| {
                let text = |i: usize| self.col::<String>(r, i);
                let status = match text(6)?.as_str() {
                    "sending" => Delivery::Sending,
                    "sent" => Delivery::Sent,
                    "failed" => Delivery::Failed,
                    other => {
                        return Err(self.corrupt(format!("unknown notification status `{other}`")));
                    }
                };
                Ok(Notification {
                    key: text(0)?,
                    kind: text(1)?,
                    channel: text(2)?,
                    recipient: self.col(r, 3)?,
                    subject: text(4)?,
                    body: text(5)?,
                    status,
                    attempts: self.col(r, 7)?,
                    error: self.col(r, 8)?,
                    created_at: self.parse_time(&text(9)?)?,
                    updated_at: self.parse_time(&text(10)?)?,
                })
            })
            .collect()
    }
}
