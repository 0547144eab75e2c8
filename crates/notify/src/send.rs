//! Sending planned messages once: each is claimed in the store's notification log, delivered
//! with retries (exponential backoff on transient failures), and marked sent or failed. A
//! message already sent, or being sent by another run, is left alone.

use std::time::Duration;

use serde::Serialize;
use throughline_store::{NewNotification, Store, StoreError};

use crate::{Message, Outbox, channels::Failure};

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Tries per message in one run.
    pub attempts: u32,
    /// The wait after the first failure; it doubles after each one.
    pub first_wait: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            attempts: 4,
            first_wait: Duration::from_secs(1),
        }
    }
}

/// What a run did, message by message.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Keys of the messages sent now.
    pub sent: Vec<String>,
    /// Keys of the messages sent before (or being sent by another run).
    pub already: Vec<String>,
    /// Keys of the messages that failed, with why (they are tried again next run).
    pub failed: Vec<(String, String)>,
}

/// Sends each message not sent before. `progress` hears each outcome as it happens.
pub async fn send(
    store: &Store,
    outbox: &Outbox,
    messages: &[Message],
    retry: Retry,
    progress: &(dyn Fn(&Message, &str) + Sync),
) -> Result<Report, StoreError> {
    let mut report = Report::default();
    for m in messages {
        if let Some(why) = outbox.broken(&m.channel) {
            // Not claimed: once the channel is fixed, the next run sends it.
            progress(m, &format!("not sent: {why}"));
            report.failed.push((m.key.clone(), why.to_string()));
            continue;
        }
        let body = m.body();
        let new = NewNotification {
            key: &m.key,
            kind: m.kind,
            channel: &m.channel,
            recipient: m.address.as_deref().or(m.person.as_deref()),
            subject: &m.subject,
            body: &body,
        };
        if !store.claim_notification(&new, chrono::Utc::now()).await? {
            report.already.push(m.key.clone());
            continue;
        }
        let (tries, error) = deliver(outbox, m, retry).await;
        store
            .finish_notification(
                &m.key,
                i64::from(tries),
                error.as_deref(),
                chrono::Utc::now(),
            )
            .await?;
        match error {
            None => {
                progress(
                    m,
                    if tries > 1 {
                        "sent after a retry"
                    } else {
                        "sent"
                    },
                );
                report.sent.push(m.key.clone());
            }
            Some(e) => {
                progress(m, &format!("failed: {e}"));
                report.failed.push((m.key.clone(), e));
            }
        }
    }
    Ok(report)
}

/// Tries until delivered, a permanent failure, or `retry.attempts` tries: how many tries,
/// and why the last one failed when none succeeded.
async fn deliver(outbox: &Outbox, m: &Message, retry: Retry) -> (u32, Option<String>) {
    let mut wait = retry.first_wait;
    let mut tries = 0;
    loop {
        tries += 1;
        match outbox.deliver(m).await {
            Ok(()) => return (tries, None),
            Err(Failure::Permanent(e)) => return (tries, Some(e)),
            Err(Failure::Transient(e)) if tries >= retry.attempts.max(1) => {
                return (tries, Some(format!("{e} (after {tries} tries)")));
            }
            Err(Failure::Transient(e)) => {
                tracing::warn!(key = %m.key, "delivery failed, trying again in {wait:?}: {e}");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(60));
            }
        }
    }
}
