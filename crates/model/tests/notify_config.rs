//! `notify:` and `people:` decoded, and their mistakes reported at their place.

use std::path::Path;

use throughline_model::notify::{AlertLevel, ChannelKind, NotifyKind, SmtpTls, person};
use throughline_model::{Loaded, Loader};

fn load(root: &str, people: &str) -> Loaded {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        Path::new("throughline.yaml"),
        root.into(),
    );
    loader.add_yaml("people.yaml", Path::new("people.yaml"), people.into());
    loader.finish()
}

const ROOT: &str = "workspace: Acme
notify:
  dashboard: https://okrs.example.com
  channels:
    team: { kind: slack, url_env: SLACK_WEBHOOK_URL }
    hooks: { kind: webhook, url: 'https://ops.example.com/in', secret_env: HOOK_SECRET }
    mail: { kind: email, smtp: 'smtp.example.com:2525', tls: none, from: 'okrs <okrs@example.com>' }
  rules:
    - { send: checkin-reminder, via: [team, mail], due: friday 12:00, follow_up: 2d }
    - { send: review-digest, via: mail, at: monday 09:30, to: [Sam (CEO), all@example.com] }
    - { send: guardrail-alert, via: hooks, level: red }
    - { send: forecast-alert, via: team }
";

const PEOPLE: &str = "people:
  - { name: Dana (PM Growth), also: [PM Growth], email: dana@example.com, slack: U024BE7LH }
  - { name: Sam (CEO), email: sam@example.com }
";

#[test]
fn channels_rules_and_people_decode() {
    let l = load(ROOT, PEOPLE);
    assert!(l.diagnostics.is_empty(), "{:#?}", l.diagnostics);
    let n = l.workspace.settings.notify.as_ref().unwrap();
    assert_eq!(
        n.dashboard.as_ref().unwrap().value,
        "https://okrs.example.com"
    );
    let kinds: Vec<_> = n.channels.values().map(|c| c.kind.value).collect();
    assert_eq!(
        kinds,
        [ChannelKind::Webhook, ChannelKind::Email, ChannelKind::Slack]
    );
    assert_eq!(
        n.channels["mail"].tls.as_ref().unwrap().value,
        SmtpTls::None
    );
    let sends: Vec<_> = n.rules.iter().map(|r| r.send.value).collect();
    assert_eq!(
        sends,
        [
            NotifyKind::CheckinReminder,
            NotifyKind::ReviewDigest,
            NotifyKind::GuardrailAlert,
            NotifyKind::ForecastAlert
        ]
    );
    let due = n.rules[0].due.as_ref().unwrap().value;
    assert_eq!(due.to_string(), "Fri 12:00");
    assert_eq!(n.rules[0].follow_up.as_ref().unwrap().value, 2 * 86_400);
    assert_eq!(n.rules[1].to.len(), 2);
    assert_eq!(n.rules[2].level.as_ref().unwrap().value, AlertLevel::Red);
    let people = &l.workspace.people;
    assert_eq!(
        person(people, "pm growth").unwrap().name.value,
        "Dana (PM Growth)"
    );
    assert_eq!(
        person(people, " Sam (CEO) ")
            .unwrap()
            .email
            .as_ref()
            .unwrap()
            .value,
        "sam@example.com"
    );
    assert!(person(people, "Alex").is_none());
}

fn errors(root: &str) -> Vec<String> {
    load(root, PEOPLE)
        .diagnostics
        .iter()
        .map(|d| {
            let s = d.span.unwrap();
            format!(
                "{}:{} {} | {}",
                s.line,
                s.column,
                d.message,
                d.help.clone().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn mistakes_name_their_place_and_the_fix() {
    let bad = "notify:
  channels:
    team: { kind: slak, url_env: SLACK_WEBHOOK_URL }
    hook: { kind: webhook }
    mail: { kind: email, smtp: 'smtp.example.com', from: okrs@example.com }
    env: { kind: webhook, url_env: 'https://hooks.slack.com/x' }
  rules:
    - { send: checkin-reminder, via: teem }
    - { send: review-digest, via: mail, due: friday 12:00 }
    - { send: forecast-alert, via: hook, at: 'someday 25:00' }
";
    let e = errors(bad);
    let want = [
        "3:19 `slak` is not a valid `kind` | did you mean `slack`?",
        "4:5 channel `hook` (webhook) needs an address",
        "6:36 `https://hooks.slack.com/x` is not an environment variable's name",
        // `team` did not decode (its kind is wrong), so it is not offered
        "8:38 no channel is called `teem` | `via` is one of: env, hook, mail",
        "8:15 a check-in reminder needs `due`",
        "9:35 `send: review-digest` on the e-mail channel `mail` needs `to:`",
        "9:15 `due` does not apply to `send: review-digest` | `due` belongs to `send: checkin-reminder`",
        "10:46 `someday 25:00` is not a weekday and time | write e.g. `at: friday 12:00`",
    ];
    for w in want {
        assert!(
            e.iter().any(|x| x.starts_with(w)),
            "missing {w:?} in\n{}",
            e.join("\n")
        );
    }
}

#[test]
fn a_follow_up_after_the_week_ends_is_refused() {
    let root = "week_starts: sunday
notify:
  channels: { team: { kind: slack, url_env: SLACK_WEBHOOK_URL } }
  rules:
    - { send: checkin-reminder, via: team, due: friday 12:00, follow_up: 2d }
";
    let e = errors(root);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("5:74 the follow-up would fall after the week ends (weeks start on Sun)"),
        "{e:?}"
    );
    // With Monday weeks, Friday noon + 2 days is Sunday noon: the same week.
    assert!(errors(&root.replace("sunday", "monday")).is_empty());
}
