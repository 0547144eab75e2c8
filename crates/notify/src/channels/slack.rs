//! Slack incoming webhooks (Mattermost and Rocket.Chat accept the same JSON): `{"text": …}`
//! with Slack's `*bold*`, `<@member>` mentions and `<url|label>` links.

use super::{Failure, post_json};
use crate::Message;

pub(crate) struct Slack {
    http: reqwest::Client,
    url: String,
}

impl Slack {
    pub fn new(http: reqwest::Client, url: String) -> Slack {
        Slack { http, url }
    }

    pub async fn send(&self, m: &Message) -> Result<(), Failure> {
        post_json(&self.http, &self.url, payload(m).to_string(), &[]).await
    }
}

/// The JSON posted for `m`.
pub(crate) fn payload(m: &Message) -> serde_json::Value {
    let mut text = String::new();
    if let Some(a) = &m.address {
        text.push_str(a);
        text.push(' ');
    }
    text.push_str(&format!("*{}*", escape(&m.subject)));
    for l in &m.lines {
        text.push('\n');
        text.push_str(&escape(l));
    }
    if let Some(link) = &m.link {
        text.push_str(&format!("\n<{link}|Open in throughline>"));
    }
    serde_json::json!({ "text": text })
}

/// Slack's three control characters, as its docs ask.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
