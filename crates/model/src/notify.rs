//! What `notify:` in throughline.yaml and the `people:` lists say: where messages go
//! (channels), which messages are sent when (rules), and who the owners named in the OKRs are.

use std::collections::BTreeMap;

use crate::source::Text;
use crate::source::{Span, Spanned};

/// `notify:` in throughline.yaml.
#[derive(Clone, Debug, Default)]
pub struct Notify {
    /// The dashboard's address (`https://okrs.example.com`), for the links in messages.
    pub dashboard: Option<Text>,
    pub channels: BTreeMap<String, Channel>,
    pub rules: Vec<NotifyRule>,
    pub span: Span,
}

/// Where messages can go.
#[derive(Clone, Debug)]
pub struct Channel {
    pub id: Text,
    pub kind: Spanned<ChannelKind>,
    /// `slack` and `webhook`: the address posted to, written in the file (`url:`).
    pub url: Option<Text>,
    /// `slack` and `webhook`: the environment variable holding the address (`url_env:`).
    pub url_env: Option<Text>,
    /// `webhook`: the environment variable holding the HMAC-SHA256 signing secret.
    pub secret_env: Option<Text>,
    /// `email`: the SMTP server as `host:port` (port 587 when left out).
    pub smtp: Option<Text>,
    /// `email`: how the SMTP connection is secured.
    pub tls: Option<Spanned<SmtpTls>>,
    /// `email`: the sender, `Name <address>` or an address.
    pub from: Option<Text>,
    /// `email`: environment variables holding the SMTP user name and password.
    pub username_env: Option<Text>,
    pub password_env: Option<Text>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelKind {
    /// A Slack incoming webhook (Mattermost and Rocket.Chat take the same JSON).
    Slack,
    /// Plain JSON, signed with HMAC-SHA256 when a secret is set.
    Webhook,
    /// SMTP mail.
    Email,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Webhook => "webhook",
            ChannelKind::Email => "email",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required), the default.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

/// A weekday and a local time in the workspace's zone: `friday 12:00`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeekTime {
    pub day: chrono::Weekday,
    pub time: chrono::NaiveTime,
}

impl std::fmt::Display for WeekTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.day, self.time.format("%H:%M"))
    }
}

/// What a rule sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotifyKind {
    /// Each owner of key results without a check-in this week, from `due` on.
    CheckinReminder,
    /// The weekly review's summary and link, from `at` in the week after the review's week.
    ReviewDigest,
    /// A guardrail at `level` or worse in the review's week.
    GuardrailAlert,
    /// A key result whose forecast falls short of its target.
    ForecastAlert,
}

impl NotifyKind {
    pub const ALL: [(&'static str, NotifyKind); 4] = [
        ("checkin-reminder", NotifyKind::CheckinReminder),
        ("review-digest", NotifyKind::ReviewDigest),
        ("guardrail-alert", NotifyKind::GuardrailAlert),
        ("forecast-alert", NotifyKind::ForecastAlert),
    ];

    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(n, _)| n)
    }
}

/// Which guardrail lights alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertLevel {
    Yellow,
    Red,
}

/// One entry of `notify: rules:`.
#[derive(Clone, Debug)]
pub struct NotifyRule {
    pub send: Spanned<NotifyKind>,
    /// The channels it goes to (`via:`).
    pub via: Vec<Text>,
    /// Extra recipients (people's names or e-mail addresses) for digests and alerts on an
    /// `email` channel.
    pub to: Vec<Text>,
    /// `checkin-reminder`: when a check-in is due.
    pub due: Option<Spanned<WeekTime>>,
    /// `checkin-reminder`: a second nudge this many seconds after `due`, if still missing.
    pub follow_up: Option<Spanned<i64>>,
    /// `review-digest`: when the digest goes out in the week after the review's week.
    pub at: Option<Spanned<WeekTime>>,
    /// `guardrail-alert`: the light that alerts (and worse).
    pub level: Option<Spanned<AlertLevel>>,
    pub span: Span,
}

/// One entry of a `people:` list: who an owner named in the OKRs is, and where to reach them.
#[derive(Clone, Debug)]
pub struct Person {
    /// As written in `owner:` (`Dana (PM Growth)`).
    pub name: Text,
    /// Other ways the OKRs name the same person (`PM Growth`).
    pub also: Vec<Text>,
    pub email: Option<Text>,
    /// A Slack member id (`U024BE7LH`), mentioned as `<@U024BE7LH>`.
    pub slack: Option<Text>,
    pub span: Span,
}

impl Person {
    /// Whether `owner` (as written in an objective or key result) names this person; case and
    /// surrounding spaces do not matter.
    pub fn is(&self, owner: &str) -> bool {
        let owner = owner.trim();
        std::iter::once(&self.name)
            .chain(&self.also)
            .any(|n| n.value.trim().eq_ignore_ascii_case(owner))
    }
}

/// The person an owner names, if any.
pub fn person<'p>(people: &'p [Person], owner: &str) -> Option<&'p Person> {
    people.iter().find(|p| p.is(owner))
}
