//! A message to send, as planned: what it says, for whom, on which channel, and the key that
//! keeps it from being sent twice.

use serde::Serialize;

/// One message for one channel (and, on a personal channel, one person).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    /// Unique for what it is about: `checkin-reminder/2026-W39/team-slack/Sam (CEO)`. The store
    /// logs it; a message whose key was sent is never sent again.
    pub key: String,
    /// The rule kind: `checkin-reminder`, `checkin-follow-up`, `review-digest`,
    /// `guardrail-alert`, `forecast-alert`.
    pub kind: &'static str,
    /// The channel's name in `notify: channels:`.
    pub channel: String,
    /// The person it is for (an owner or a `to:` entry), if it is for one.
    pub person: Option<String>,
    /// Where it goes on the channel: an e-mail address, or a Slack mention (`<@U024BE7LH>`).
    pub address: Option<String>,
    pub subject: String,
    /// The body, a line each (plain text; `*bold*` is left to channels that render it).
    pub lines: Vec<String>,
    /// The dashboard page it is about, when `notify: dashboard:` is set.
    pub link: Option<String>,
    /// The numbers behind it, for webhook receivers.
    pub facts: serde_json::Value,
}

impl Message {
    /// The body as one text, with the link last.
    pub fn body(&self) -> String {
        let mut s = self.lines.join("\n");
        if let Some(l) = &self.link {
            s.push_str(&format!("\n{l}"));
        }
        s
    }
}
