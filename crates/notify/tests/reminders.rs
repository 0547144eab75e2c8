//! Check-in reminders planned and sent for real: a workspace in America/New_York with Sunday
//! weeks, check-ins in a SQLite store in a temp dir, and local Slack, webhook and SMTP
//! receivers on 127.0.0.1.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use throughline_model::{Loaded, Loader};
use throughline_notify::testing::{HttpReceiver, SmtpReceiver};
use throughline_notify::{Input, Message, Outbox, Retry, plan, send};
use throughline_store::{Delivery, NewCheckIn, Store};

fn workspace(hook: &str, smtp: &str) -> Loaded {
    let root = format!(
        "workspace: Acme
timezone: America/New_York
week_starts: sunday
notify:
  dashboard: https://okrs.example.com/
  channels:
    team: {{ kind: slack, url_env: T_SLACK_URL }}
    hook: {{ kind: webhook, url: '{hook}', secret_env: T_HOOK_SECRET }}
    mail: {{ kind: email, smtp: '{smtp}', tls: none, from: 'throughline <okrs@example.com>' }}
  rules:
    - {{ send: checkin-reminder, via: [team, mail, hook], due: friday 12:00, follow_up: 1d }}
people:
  - {{ name: Dana (PM Growth), also: [PM Growth], email: dana@example.com, slack: U024BE7LH }}
  - {{ name: Sam (CEO), email: sam@example.com }}
objectives:
  - id: improve-activation
    title: Get new teams to their first workflow
    period: 2026-Q3
    team: growth
    owner: Dana (PM Growth)
    key_results:
      - {{ id: activation, title: Raise activation from 23% to 35%, manual: {{ unit: percent }}, baseline: 23, target: 35 }}
      - {{ id: invites, title: Raise invites per team from 1.2 to 2, manual: {{ unit: count }}, baseline: 1.2, target: 2 }}
  - id: rely
    title: Be the tool teams rely on every week
    period: 2026-Q3
    owner: Sam (CEO)
    key_results:
      - {{ id: wau, title: Grow weekly active users from 9000 to 12000, manual: {{ unit: count }}, baseline: 9000, target: 12000 }}
      - {{ id: nps, title: Raise NPS from 20 to 35, owner: Alex, manual: {{ unit: score }}, baseline: 20, target: 35 }}
"
    );
    let mut loader = Loader::new();
    loader.add_yaml("throughline.yaml", Path::new("throughline.yaml"), root);
    let l = loader.finish();
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    l
}

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

async fn store_with_checkins(dir: &Path) -> Store {
    let store = Store::open("sqlite://state.db", dir).await.unwrap();
    let c = |o: &str, kr: &str| NewCheckIn {
        objective: o.into(),
        key_result: kr.into(),
        period: "2026-Q3".into(),
        value: Some(1.0),
        confidence: Some(6),
        note: String::new(),
        author: "test".into(),
    };
    // The week is Sunday 2026-09-20 to Saturday 2026-09-26 in New York (UTC-4).
    // In the week: counts.
    store
        .record_checkin_at(
            &c("improve-activation", "activation"),
            at(2026, 9, 22, 15, 0),
        )
        .await
        .unwrap();
    // Saturday 23:30 New York time, the day before the week: does not count.
    store
        .record_checkin_at(&c("improve-activation", "invites"), at(2026, 9, 20, 3, 30))
        .await
        .unwrap();
    // Friday 14:00 New York time, after the run at 13:00: does not count yet.
    store
        .record_checkin_at(&c("rely", "wau"), at(2026, 9, 25, 18, 0))
        .await
        .unwrap();
    store
}

fn planned(
    l: &Loaded,
    checkins: &[throughline_store::CheckIn],
    now: DateTime<Utc>,
) -> throughline_notify::Plan {
    plan(&Input {
        ws: &l.workspace,
        now,
        checkins,
        review: None,
    })
}

fn summary(messages: &[Message]) -> Vec<String> {
    messages
        .iter()
        .map(|m| {
            format!(
                "{} | {} | {}",
                m.key,
                m.address.as_deref().unwrap_or("-"),
                m.subject
            )
        })
        .collect()
}

#[tokio::test]
async fn owners_without_a_checkin_this_week_are_nudged_from_the_due_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_checkins(dir.path()).await;
    let checkins = store.checkins(None).await.unwrap();
    let l = workspace("http://127.0.0.1:9/hook", "127.0.0.1:9");

    // Friday 11:59 in New York: not due yet.
    assert!(
        planned(&l, &checkins, at(2026, 9, 25, 15, 59))
            .messages
            .is_empty()
    );

    // Friday 13:00 in New York.
    let p = planned(&l, &checkins, at(2026, 9, 25, 17, 0));
    assert_eq!(
        summary(&p.messages),
        [
            "checkin-reminder/2026-W39/team/Alex | - | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/hook/Alex | - | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/team/Dana (PM Growth) | <@U024BE7LH> | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/mail/Dana (PM Growth) | dana@example.com | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/hook/Dana (PM Growth) | dana@example.com | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/team/Sam (CEO) | - | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/mail/Sam (CEO) | sam@example.com | Check-in due: 1 key result for 2026-W39",
            "checkin-reminder/2026-W39/hook/Sam (CEO) | sam@example.com | Check-in due: 1 key result for 2026-W39",
        ]
    );
    assert_eq!(
        p.skipped,
        [
            "checkin-reminder for Alex on `mail`: no e-mail address (add Alex with `email:` to a `people:` list)"
        ]
    );
    let dana = &p.messages[2];
    assert_eq!(
        throughline_notify::slack_payload(dana)["text"],
        "<@U024BE7LH> *Check-in due: 1 key result for 2026-W39*\n\
         Check-in due for 1 key result of 2026-Q3 (2026-W39), due Fri 12:00 America/New_York:\n\
         • Raise invites per team from 1.2 to 2 (invites)\n\
         Record the value or your confidence (0–10) with a line on what changed: `throughline checkin`, or the key result's page.\n\
         <https://okrs.example.com/key-results/growth/improve-activation/invites#check-in|Open in throughline>"
    );

    // Saturday 12:30: the follow-up (the check-in Sam recorded Friday 14:00 now counts).
    let p = planned(&l, &checkins, at(2026, 9, 26, 16, 30));
    let keys: Vec<&str> = p.messages.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "checkin-follow-up/2026-W39/team/Alex",
            "checkin-follow-up/2026-W39/hook/Alex",
            "checkin-follow-up/2026-W39/team/Dana (PM Growth)",
            "checkin-follow-up/2026-W39/mail/Dana (PM Growth)",
            "checkin-follow-up/2026-W39/hook/Dana (PM Growth)",
        ]
    );
    assert!(p.messages[0].lines[0].starts_with("Still no check-in for 1 key result"));

    // After the quarter: no objectives in the period, nothing to nudge.
    assert!(
        planned(&l, &checkins, at(2026, 10, 9, 17, 0))
            .messages
            .is_empty()
    );
}

/// The environment without the Slack address.
fn without_slack(var: &str) -> Option<String> {
    (var == "T_HOOK_SECRET").then(|| "s3cret".into())
}

const FAST: Retry = Retry {
    attempts: 3,
    first_wait: Duration::from_millis(10),
};

#[tokio::test]
async fn each_message_is_delivered_once_and_a_500_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_checkins(dir.path()).await;
    let checkins = store.checkins(None).await.unwrap();
    let slack = HttpReceiver::start(vec![500, 200]).await;
    let hook = HttpReceiver::start(vec![200]).await;
    let smtp = SmtpReceiver::start().await;
    let l = workspace(&hook.url, &smtp.address);
    let slack_url = slack.url.clone();
    let env = move |var: &str| match var {
        "T_SLACK_URL" => Some(slack_url.clone()),
        "T_HOOK_SECRET" => Some("s3cret".into()),
        _ => None,
    };
    let notify = l.workspace.settings.notify.as_ref().unwrap();
    let outbox = Outbox::new(notify, &env);
    let p = planned(&l, &checkins, at(2026, 9, 25, 17, 0));
    let report = send(&store, &outbox, &p.messages, FAST, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(report.sent.len(), 8, "{report:#?}");
    assert!(report.failed.is_empty() && report.already.is_empty());

    // Slack: three messages, the first tried twice (500, then 200).
    let posted = slack.posted();
    let statuses: Vec<u16> = posted.iter().map(|p| p.status).collect();
    assert_eq!(statuses, [500, 200, 200, 200]);
    assert_eq!(posted[0].body, posted[1].body);
    let texts: Vec<String> = posted[1..]
        .iter()
        .map(|p| {
            serde_json::from_str::<serde_json::Value>(&p.body).unwrap()["text"]
                .as_str()
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        texts,
        [
            "*Check-in due: 1 key result for 2026-W39*",
            "<@U024BE7LH> *Check-in due: 1 key result for 2026-W39*",
            "*Check-in due: 1 key result for 2026-W39*",
        ]
    );

    // The webhook: signed JSON with the key.
    let posted = hook.posted();
    assert_eq!(posted.len(), 3);
    for p in &posted {
        assert_eq!(
            p.header("x-throughline-signature-256"),
            Some(throughline_notify::webhook_signature("s3cret", p.body.as_bytes()).as_str())
        );
        let json: serde_json::Value = serde_json::from_str(&p.body).unwrap();
        assert_eq!(p.header("x-throughline-key"), json["key"].as_str());
        assert_eq!(json["kind"], "checkin-reminder");
    }
    let sam: serde_json::Value = serde_json::from_str(&posted[2].body).unwrap();
    assert_eq!(sam["person"], "Sam (CEO)");
    assert_eq!(sam["facts"]["key_results"][0]["id"], "wau");
    assert_eq!(sam["facts"]["due"], "2026-09-25T16:00:00+00:00");

    // Mail: Dana and Sam (Alex has no address).
    let mail = smtp.mail();
    let to: Vec<Vec<String>> = mail.iter().map(|m| m.to.clone()).collect();
    assert_eq!(
        to,
        [
            vec!["dana@example.com".to_string()],
            vec!["sam@example.com".to_string()]
        ]
    );
    assert_eq!(mail[0].from, "okrs@example.com");
    assert!(
        mail[0]
            .data
            .contains("Subject: Check-in due: 1 key result for 2026-W39\r\n"),
        "{}",
        mail[0].data
    );
    // The name is encoded (RFC 2047: it has parentheses): "Dana (PM Growth)".
    assert!(
        mail[0]
            .data
            .contains("To: =?utf-8?b?RGFuYSAoUE0gR3Jvd3RoKQ==?= <dana@example.com>\r\n"),
        "{}",
        mail[0].data
    );
    // The body is quoted-printable: join its soft line breaks.
    let body = mail[1].data.replace("=\r\n", "");
    assert!(
        body.contains("\r\n=E2=80=A2 Grow weekly active users from 9000 to 12000 (wau)\r\n"),
        "{body}"
    );
    assert!(
        body.contains("https://okrs.example.com/key-results/rely/wau#check-in"),
        "{body}"
    );

    // The log: every message sent, Alex's Slack message after two tries.
    let log = store.notifications(100).await.unwrap();
    assert_eq!(log.len(), 8);
    assert!(log.iter().all(|n| n.status == Delivery::Sent));
    let alex = log
        .iter()
        .find(|n| n.key == "checkin-reminder/2026-W39/team/Alex")
        .unwrap();
    assert_eq!(alex.attempts, 2);

    // A second run (or a restart) sends nothing new.
    let again = send(&store, &outbox, &p.messages, FAST, &|_, _| {})
        .await
        .unwrap();
    assert!(again.sent.is_empty() && again.failed.is_empty());
    assert_eq!(again.already.len(), 8);
    assert_eq!(slack.posted().len(), 4);
    assert_eq!(hook.posted().len(), 3);
    assert_eq!(smtp.mail().len(), 2);
}

#[tokio::test]
async fn refused_and_unconfigured_messages_are_reported_and_tried_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_checkins(dir.path()).await;
    let checkins = store.checkins(None).await.unwrap();
    // The webhook refuses the first request (400: not worth a retry in this run).
    let hook = HttpReceiver::start(vec![400, 200]).await;
    let smtp = SmtpReceiver::start().await;
    let l = workspace(&hook.url, &smtp.address);
    let notify = l.workspace.settings.notify.as_ref().unwrap();
    // No T_SLACK_URL: the Slack channel cannot send.
    let outbox = Outbox::new(notify, &without_slack);
    let p = planned(&l, &checkins, at(2026, 9, 25, 17, 0));
    let report = send(&store, &outbox, &p.messages, FAST, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(report.sent.len(), 4, "{report:#?}");
    let failed: Vec<(&str, &str)> = report
        .failed
        .iter()
        .map(|(k, e)| (k.as_str(), e.as_str()))
        .collect();
    let slack_why = "the environment variable T_SLACK_URL (the address of channel `team`) is not set; set it where throughline runs (a CI secret, the server's environment)";
    assert_eq!(
        failed,
        [
            ("checkin-reminder/2026-W39/team/Alex", slack_why),
            (
                "checkin-reminder/2026-W39/hook/Alex",
                "HTTP 400 Bad Request: ok"
            ),
            ("checkin-reminder/2026-W39/team/Dana (PM Growth)", slack_why),
            ("checkin-reminder/2026-W39/team/Sam (CEO)", slack_why),
        ]
    );
    assert_eq!(
        hook.posted().len(),
        3,
        "a 400 is not retried in the same run"
    );
    let log = store.notifications(100).await.unwrap();
    let failed_log: Vec<&str> = log
        .iter()
        .filter(|n| n.status == Delivery::Failed)
        .map(|n| n.key.as_str())
        .collect();
    assert_eq!(failed_log, ["checkin-reminder/2026-W39/hook/Alex"]);

    // The next run sends the refused one again (the receiver now takes it); Slack still
    // cannot send, and the rest are not sent twice.
    let again = send(&store, &outbox, &p.messages, FAST, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(again.sent, ["checkin-reminder/2026-W39/hook/Alex"]);
    assert_eq!(again.failed.len(), 3);
    assert_eq!(hook.posted().len(), 4);
    assert_eq!(smtp.mail().len(), 2);
}
