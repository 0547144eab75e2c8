//! Which messages are due at a given instant: pure, from the workspace, the store's check-ins
//! and the weekly review. One module per kind of rule; this one resolves who gets a message on
//! which channel.

mod alerts;
mod digest;
mod reminders;

use chrono::{DateTime, Utc};
use throughline_model::Workspace;
use throughline_model::notify::{ChannelKind, Notify, NotifyKind, NotifyRule, person};
use throughline_review::Review;

use crate::Message;

/// What the planning reads.
pub struct Input<'a> {
    pub ws: &'a Workspace,
    /// The instant planned for: rules whose time has come by then are due.
    pub now: DateTime<Utc>,
    /// Every recorded check-in.
    pub checkins: &'a [throughline_store::CheckIn],
    /// The weekly review of the last complete week of data, which digests and alerts report
    /// on; without it they are not planned.
    pub review: Option<&'a Review>,
}

/// The messages due, and what could not be addressed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Plan {
    pub messages: Vec<Message>,
    /// Messages left out, in words (an owner without an e-mail address, say).
    pub skipped: Vec<String>,
}

/// The messages due at `input.now` under the workspace's `notify:` rules, in rule order.
pub fn plan(input: &Input) -> Plan {
    let mut out = Plan::default();
    let Some(notify) = &input.ws.settings.notify else {
        return out;
    };
    for rule in &notify.rules {
        match rule.send.value {
            NotifyKind::CheckinReminder => reminders::plan(input, notify, rule, &mut out),
            NotifyKind::ReviewDigest => digest::plan(input, notify, rule, &mut out),
            NotifyKind::GuardrailAlert => alerts::guardrails(input, notify, rule, &mut out),
            NotifyKind::ForecastAlert => alerts::forecasts(input, notify, rule, &mut out),
        }
    }
    out
}

/// A message before it is addressed: what it says.
pub(crate) struct Draft {
    pub kind: &'static str,
    /// The key without the channel and the recipient.
    pub key: String,
    pub subject: String,
    pub lines: Vec<String>,
    /// A dashboard path (`/review`), made absolute with `notify: dashboard:`.
    pub path: Option<String>,
    pub facts: serde_json::Value,
}

impl Draft {
    fn addressed(
        &self,
        notify: &Notify,
        channel: &str,
        person: Option<&str>,
        address: Option<String>,
    ) -> Message {
        let mut key = format!("{}/{channel}", self.key);
        if let Some(p) = person.or(address.as_deref()) {
            key.push('/');
            key.push_str(p);
        }
        Message {
            key,
            kind: self.kind,
            channel: channel.to_string(),
            person: person.map(str::to_string),
            address,
            subject: self.subject.clone(),
            lines: self.lines.clone(),
            link: link(notify, self.path.as_deref()),
            facts: self.facts.clone(),
        }
    }
}

fn link(notify: &Notify, path: Option<&str>) -> Option<String> {
    let base = notify.dashboard.as_ref()?.value.trim_end_matches('/');
    Some(format!("{base}{}", path.unwrap_or("/")))
}

/// Sends `draft` to `owner` on every channel of `rule`: on Slack with a mention when
/// `people:` has their member id, on e-mail to their address (skipped without one).
pub(crate) fn to_owner(
    input: &Input,
    notify: &Notify,
    rule: &NotifyRule,
    owner: &str,
    draft: &Draft,
    out: &mut Plan,
) {
    let who = person(&input.ws.people, owner);
    for via in &rule.via {
        let Some(ch) = notify.channels.get(&via.value) else {
            continue;
        };
        let address = match ch.kind.value {
            ChannelKind::Slack => who
                .and_then(|p| p.slack.as_ref())
                .map(|s| format!("<@{}>", s.value)),
            ChannelKind::Webhook => who.and_then(|p| p.email.as_ref()).map(|e| e.value.clone()),
            ChannelKind::Email => match who.and_then(|p| p.email.as_ref()) {
                Some(e) => Some(e.value.clone()),
                None => {
                    out.skipped.push(format!(
                        "{} for {owner} on `{}`: no e-mail address (add {owner} with `email:` to a `people:` list)",
                        draft.kind, via.value
                    ));
                    continue;
                }
            },
        };
        out.messages
            .push(draft.addressed(notify, &via.value, Some(owner), address));
    }
}

/// Sends `draft` on every channel of `rule`: once to a Slack or webhook channel, and on an
/// e-mail channel to each `to:` entry (a person's name or an address).
pub(crate) fn to_channels(
    input: &Input,
    notify: &Notify,
    rule: &NotifyRule,
    draft: &Draft,
    out: &mut Plan,
) {
    for via in &rule.via {
        let Some(ch) = notify.channels.get(&via.value) else {
            continue;
        };
        if ch.kind.value != ChannelKind::Email {
            out.messages
                .push(draft.addressed(notify, &via.value, None, None));
            continue;
        }
        for to in &rule.to {
            match person(&input.ws.people, &to.value) {
                Some(p) => match &p.email {
                    Some(e) => out.messages.push(draft.addressed(
                        notify,
                        &via.value,
                        Some(&p.name.value),
                        Some(e.value.clone()),
                    )),
                    None => out.skipped.push(format!(
                        "{} for {} on `{}`: no e-mail address (add `email:` to {} in `people:`)",
                        draft.kind, to.value, via.value, p.name.value
                    )),
                },
                None if to.value.contains('@') => out.messages.push(draft.addressed(
                    notify,
                    &via.value,
                    None,
                    Some(to.value.clone()),
                )),
                None => out.skipped.push(format!(
                    "{} for {} on `{}`: not in a `people:` list and not an e-mail address",
                    draft.kind, to.value, via.value
                )),
            }
        }
    }
}
