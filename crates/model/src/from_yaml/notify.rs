//! `notify:` (throughline.yaml only) and `people:` (any workspace file).

use crate::decode::{Ctx, Fields};
use crate::defs::Text;
use crate::notify::*;
use crate::source::Spanned;
use crate::values::parse_duration;
use crate::yaml::{Node, Value};

const CHANNEL_EXAMPLE: &str =
    "write e.g. `channels: { team-slack: { kind: slack, url_env: SLACK_WEBHOOK_URL } }`";

pub(crate) fn notify(cx: &mut Ctx, n: &Node) -> Option<Notify> {
    let mut f = Fields::new(cx, n, "`notify:`")?;
    let mut out = Notify {
        span: n.span,
        ..Notify::default()
    };
    if let Some(v) = f.get("dashboard") {
        out.dashboard = cx.text(v, "dashboard");
        if let Some(d) = &out.dashboard
            && !(d.value.starts_with("http://") || d.value.starts_with("https://"))
        {
            cx.value_error(
                d.span,
                format!("`{}` is not a web address", d.value),
                "write the dashboard's address, e.g. `dashboard: https://okrs.example.com`".into(),
            );
        }
    }
    if let Some(v) = f.get("channels") {
        match &v.value {
            Value::Map(entries) => {
                for (k, c) in entries {
                    if let Some(id) = cx.ident(k, "channels")
                        && let Some(ch) = channel(cx, id.clone(), c)
                    {
                        out.channels.insert(id.value, ch);
                    }
                }
            }
            _ => cx.type_error(v, "channels", "a mapping of channel names", CHANNEL_EXAMPLE),
        }
    }
    out.rules = cx.list(
        f.get("rules"),
        "rules",
        "rules:\n  - { send: checkin-reminder, via: team-slack, due: friday 12:00 }",
        rule,
    );
    f.finish(cx);
    for r in &out.rules {
        for via in &r.via {
            let personal = r.send.value == NotifyKind::CheckinReminder;
            if let Some(ch) = out.channels.get(&via.value) {
                if ch.kind.value == ChannelKind::Email && !personal && r.to.is_empty() {
                    cx.value_error(
                        via.span,
                        format!(
                            "`send: {}` on the e-mail channel `{}` needs `to:`",
                            r.send.value.as_str(),
                            via.value
                        ),
                        "add who gets it, e.g. `to: [Sam (CEO), team@example.com]` (names from `people:` or addresses)".into(),
                    );
                }
            } else {
                let names: Vec<&str> = out.channels.keys().map(String::as_str).collect();
                cx.value_error(
                    via.span,
                    format!("no channel is called `{}`", via.value),
                    crate::decode::one_of_help(&via.value, &names, "via"),
                );
            }
        }
    }
    Some(out)
}

// Long because each channel kind has its own required fields, checked here in one place so
// every mistake is reported with its place.
fn channel(cx: &mut Ctx, id: Text, n: &Node) -> Option<Channel> {
    let mut f = Fields::new(cx, n, "a channel")?;
    let kinds = [
        ("slack", ChannelKind::Slack),
        ("webhook", ChannelKind::Webhook),
        ("email", ChannelKind::Email),
    ];
    let kind = f
        .require(cx, "kind", "kind: slack")
        .and_then(|v| cx.choice(v, "kind", &kinds));
    let text =
        |f: &mut Fields, cx: &mut Ctx, key: &'static str| f.get(key).and_then(|v| cx.text(v, key));
    let url = text(&mut f, cx, "url");
    let url_env = text(&mut f, cx, "url_env");
    let secret_env = text(&mut f, cx, "secret_env");
    let smtp = text(&mut f, cx, "smtp");
    let tls = f.get("tls").and_then(|v| {
        cx.choice(
            v,
            "tls",
            &[
                ("starttls", SmtpTls::Starttls),
                ("tls", SmtpTls::Tls),
                ("none", SmtpTls::None),
            ],
        )
    });
    let from = text(&mut f, cx, "from");
    let username_env = text(&mut f, cx, "username_env");
    let password_env = text(&mut f, cx, "password_env");
    f.finish(cx);
    let kind = kind?;
    let missing = |cx: &mut Ctx, what: &str, help: &str| {
        cx.value_error(
            id.span,
            format!(
                "channel `{}` ({}) needs {what}",
                id.value,
                kind.value.as_str()
            ),
            help.into(),
        )
    };
    match kind.value {
        ChannelKind::Slack | ChannelKind::Webhook => {
            if url.is_none() && url_env.is_none() {
                missing(
                    cx,
                    "an address",
                    "add `url_env: SLACK_WEBHOOK_URL` (an environment variable holding the webhook's address; keep it out of the repo)",
                );
            }
            if kind.value == ChannelKind::Slack && secret_env.is_some() {
                missing(
                    cx,
                    "no `secret_env`",
                    "Slack webhooks are not signed; use `kind: webhook` for a signed JSON post",
                );
            }
        }
        ChannelKind::Email => {
            if smtp.is_none() {
                missing(cx, "an SMTP server", "add `smtp: smtp.example.com:587`");
            }
            if from.is_none() {
                missing(
                    cx,
                    "a sender",
                    "add `from: \"throughline <okrs@example.com>\"`",
                );
            }
        }
    }
    for env in [&url_env, &secret_env, &username_env, &password_env]
        .into_iter()
        .flatten()
    {
        let ok = !env.value.is_empty()
            && env
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            cx.value_error(
                env.span,
                format!("`{}` is not an environment variable's name", env.value),
                "name the variable (letters, digits and `_`), e.g. `SLACK_WEBHOOK_URL`, not its value".into(),
            );
        }
    }
    Some(Channel {
        span: n.span,
        id,
        kind,
        url,
        url_env,
        secret_env,
        smtp,
        tls,
        from,
        username_env,
        password_env,
    })
}

// Long because a rule has many optional fields (send, via, to, due, at, follow_up, level, …),
// each decoded and checked in the order the documentation lists them.
fn rule(cx: &mut Ctx, n: &Node) -> Option<NotifyRule> {
    let mut f = Fields::new(cx, n, "a notification rule")?;
    let send = f
        .require(cx, "send", "send: checkin-reminder")
        .and_then(|v| cx.choice(v, "send", &NotifyKind::ALL));
    let via = match f.require(cx, "via", "via: team-slack") {
        Some(v) => cx.text_list(v, "via"),
        None => Vec::new(),
    };
    let to = f.get("to").map_or_else(Vec::new, |v| cx.texts(v, "to"));
    let due = f.get("due").and_then(|v| week_time(cx, v, "due"));
    let at = f.get("at").and_then(|v| week_time(cx, v, "at"));
    let follow_up = f.get("follow_up").and_then(|v| {
        let t = cx.text(v, "follow_up")?;
        match parse_duration(&t.value) {
            Ok(s) => Some(Spanned::new(s, t.span)),
            Err(e) => {
                cx.value_error(
                    t.span,
                    e.to_string(),
                    "write e.g. `follow_up: 2d` or `follow_up: 4h`".into(),
                );
                None
            }
        }
    });
    let level = f.get("level").and_then(|v| {
        cx.choice(
            v,
            "level",
            &[("yellow", AlertLevel::Yellow), ("red", AlertLevel::Red)],
        )
    });
    f.finish(cx);
    let send = send?;
    let misplaced: [(&str, bool, NotifyKind); 4] = [
        ("due", due.is_some(), NotifyKind::CheckinReminder),
        (
            "follow_up",
            follow_up.is_some(),
            NotifyKind::CheckinReminder,
        ),
        ("at", at.is_some(), NotifyKind::ReviewDigest),
        ("level", level.is_some(), NotifyKind::GuardrailAlert),
    ];
    for (key, present, belongs) in misplaced {
        if present && send.value != belongs {
            cx.value_error(
                send.span,
                format!("`{key}` does not apply to `send: {}`", send.value.as_str()),
                format!(
                    "`{key}` belongs to `send: {}`; remove it here",
                    belongs.as_str()
                ),
            );
        }
    }
    if send.value == NotifyKind::CheckinReminder && due.is_none() {
        cx.value_error(
            send.span,
            "a check-in reminder needs `due`".into(),
            "add when check-ins are due, e.g. `due: friday 12:00` (the workspace's time zone)"
                .into(),
        );
    }
    if let Some(fu) = &follow_up
        && fu.value >= 7 * 86_400
    {
        cx.value_error(
            fu.span,
            "a follow-up a week or more after the due time falls in the next week".into(),
            "use a shorter delay, e.g. `follow_up: 2d`".into(),
        );
    }
    Some(NotifyRule {
        send,
        via,
        to,
        due,
        follow_up,
        at,
        level,
        span: n.span,
    })
}

/// `friday 12:00` (or `fri 12:00`, `friday`: midnight).
fn week_time(cx: &mut Ctx, n: &Node, key: &str) -> Option<Spanned<WeekTime>> {
    let t = cx.text(n, key)?;
    let mut words = t.value.split_whitespace();
    let day = words.next().unwrap_or_default().to_ascii_lowercase();
    let time = words.next().unwrap_or("00:00");
    let day: Option<chrono::Weekday> = day.parse().ok();
    let time = chrono::NaiveTime::parse_from_str(time, "%H:%M").ok();
    match (day, time, words.next()) {
        (Some(day), Some(time), None) => Some(Spanned::new(WeekTime { day, time }, t.span)),
        _ => {
            cx.value_error(
                t.span,
                format!("`{}` is not a weekday and time", t.value),
                format!(
                    "write e.g. `{key}: friday 12:00` (24-hour time in the workspace's time zone)"
                ),
            );
            None
        }
    }
}

pub(crate) fn person(cx: &mut Ctx, n: &Node) -> Option<Person> {
    let mut f = Fields::new(cx, n, "a person")?;
    let name = f
        .require(cx, "name", "name: Dana (PM Growth)")
        .and_then(|v| cx.text(v, "name"));
    let also = f.get("also").map_or_else(Vec::new, |v| cx.texts(v, "also"));
    let email = f.get("email").and_then(|v| cx.text(v, "email"));
    if let Some(e) = &email
        && (!e.value.contains('@') || e.value.contains(char::is_whitespace))
    {
        cx.value_error(
            e.span,
            format!("`{}` is not an e-mail address", e.value),
            "write e.g. `email: dana@example.com`".into(),
        );
    }
    let slack = f.get("slack").and_then(|v| cx.text(v, "slack"));
    f.finish(cx);
    Some(Person {
        name: name?,
        also,
        email,
        slack,
        span: n.span,
    })
}

/// A follow-up is sent in the week its reminder was due: one that would fall after the week
/// ends (with the workspace's `week_starts`) would never go out.
pub(crate) fn follow_ups_in_week(cx: &mut Ctx, config: &Notify, starts: chrono::Weekday) {
    for r in &config.rules {
        let (Some(due), Some(fu)) = (&r.due, &r.follow_up) else {
            continue;
        };
        let day = i64::from(
            (7 + due.value.day.num_days_from_monday() - starts.num_days_from_monday()) % 7,
        );
        let at = day * 86_400
            + i64::from(chrono::Timelike::num_seconds_from_midnight(&due.value.time))
            + fu.value;
        if at >= 7 * 86_400 && fu.value < 7 * 86_400 {
            cx.value_error(
                fu.span,
                format!(
                    "the follow-up would fall after the week ends (weeks start on {starts}), so it would never be sent"
                ),
                "make `due` earlier in the week or `follow_up` shorter, so both fall in the same week".into(),
            );
        }
    }
}
