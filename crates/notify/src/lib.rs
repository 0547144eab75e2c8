//! throughline's reminders, digests and alerts.
//!
//! [`plan`] decides, without I/O, which messages the workspace's `notify:` rules call for at
//! an instant: check-in reminders and follow-ups for owners (from the OKRs and the store's
//! check-ins), the weekly review's digest, and alerts for guardrails and forecasts (from the
//! weekly review). [`send`] delivers them through an [`Outbox`] (Slack, signed webhooks,
//! SMTP), logging each in the store under a key so that no message goes out twice.

mod channels;
mod message;
mod plan;
mod send;
pub mod when;

#[doc(hidden)]
pub mod testing;

pub use channels::{Failure, Outbox};
pub use message::Message;
pub use plan::{Input, Plan, plan};
pub use send::{Report, Retry, send};

/// The signature header's value for a webhook body (for receivers' tests and docs).
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    channels::webhook_signature(secret, body)
}

/// The JSON a Slack channel posts for a message.
pub fn slack_payload(m: &Message) -> serde_json::Value {
    channels::slack_payload(m)
}
