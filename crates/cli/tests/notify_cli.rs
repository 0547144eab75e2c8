//! `throughline notify` on the built-in demo (Flowboard, generated into a throwaway cache
//! folder): the dry run for the demo week as a golden file, and a real run against a local
//! Slack-style HTTP receiver and a local SMTP server: owners nudged, the digest sent, the
//! planted Red guardrail alerted, a 500 retried, and a second run that sends nothing new.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{Run, assert_golden, run_env};
use throughline_notify::testing::{HttpReceiver, SmtpReceiver};

fn cache() -> &'static Path {
    static CACHE: OnceLock<tempfile::TempDir> = OnceLock::new();
    CACHE.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn notify(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let mut all = vec!["notify"];
    all.extend_from_slice(args);
    let mut env = env.to_vec();
    env.push(("THROUGHLINE_CACHE_DIR", cache()));
    run_env(dir, &all, &env)
}

/// Friday of the demo's last week of data, 13:00 UTC: the check-ins of the week are due at
/// noon; Dana checks in at 15:00 and Sam skips the week.
const FRIDAY: &str = "2026-09-25 13:00";

#[test]
fn the_dry_run_for_the_demo_week() {
    let r = notify(cache(), &["--demo", "--dry-run", "--now", FRIDAY], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_golden("notify-demo-dry-run.txt", &r.stdout);
    // JSON: the same messages, with their keys and numbers.
    let r = notify(
        cache(),
        &["--demo", "--dry-run", "--now", FRIDAY, "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let kinds: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"checkin-reminder")
            && kinds.contains(&"review-digest")
            && kinds.contains(&"guardrail-alert"),
        "{kinds:?}"
    );
    // Nothing was sent or logged by the dry runs.
    let demo = demo_dir();
    let log = rt().block_on(async {
        let store = throughline_store::Store::open("sqlite://.throughline/state.db", &demo)
            .await
            .unwrap();
        store.notifications(10).await.unwrap()
    });
    assert!(log.is_empty());
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

/// The cached demo's folder (prepared by a first `--demo` run).
fn demo_dir() -> PathBuf {
    let r = notify(cache(), &["--demo", "--dry-run", "--now", FRIDAY], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::read_dir(cache())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("demo-")
                && p.join(".ready").exists()
        })
        .expect("the demo was prepared")
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

#[test]
fn a_real_run_sends_each_message_once() {
    let rt = rt();
    let slack = rt.block_on(HttpReceiver::start(vec![500, 200]));
    let smtp = rt.block_on(SmtpReceiver::start());
    let ws = tempfile::tempdir().unwrap();
    copy(&demo_dir(), ws.path());
    // The demo's notify settings, pointed at the local receivers.
    let root = std::fs::read_to_string(ws.path().join("throughline.yaml")).unwrap();
    let root = root
        .replace("smtp: smtp.flowboard.example:587", &format!("smtp: \"{}\"\n      tls: none", smtp.address))
        .replace("      username_env: FLOWBOARD_SMTP_USER\n      password_env: FLOWBOARD_SMTP_PASSWORD\n", "");
    assert!(root.contains("tls: none"), "{root}");
    std::fs::write(ws.path().join("throughline.yaml"), root).unwrap();
    let slack_url = PathBuf::from(&slack.url);
    let env = [("FLOWBOARD_SLACK_WEBHOOK_URL", slack_url.as_path())];

    let r = notify(ws.path(), &["-w", ".", "--now", FRIDAY], &env);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let posted = slack.posted();
    let first_lines: Vec<String> = posted
        .iter()
        .map(|p| {
            let v: serde_json::Value = serde_json::from_str(&p.body).unwrap();
            format!(
                "{} {}",
                p.status,
                v["text"].as_str().unwrap().lines().next().unwrap()
            )
        })
        .collect();
    let mail = smtp.mail();
    let mails: Vec<String> = mail
        .iter()
        .map(|m| {
            let subject = m
                .data
                .lines()
                .find(|l| l.starts_with("Subject: "))
                .unwrap_or_default();
            format!("{} | {subject}", m.to.join(","))
        })
        .collect();
    let got = format!(
        "{}\n\nslack:\n{}\n\nmail:\n{}\n",
        r.stdout.trim_end(),
        first_lines.join("\n"),
        mails.join("\n")
    );
    assert_golden("notify-demo-sent.txt", &got);
    // The first Slack message was refused once (500) and sent on the retry.
    assert_eq!(posted[0].status, 500);
    assert_eq!(posted[0].body, posted[1].body);
    assert!(posted[1..].iter().all(|p| p.status == 200));
    assert!(
        first_lines
            .iter()
            .any(|l| l.contains("🔴 Guardrail Red: Tickets per 100 active users")),
        "{first_lines:#?}"
    );
    assert!(
        first_lines
            .iter()
            .any(|l| l.starts_with("200 <@U024BE7LH> *Check-in due")),
        "{first_lines:#?}"
    );
    assert!(
        mails
            .iter()
            .any(|m| m.starts_with("sam@flowboard.example | Subject: Weekly metrics review")),
        "{mails:#?}"
    );

    // A second run sends nothing new.
    let again = notify(ws.path(), &["-w", ".", "--now", FRIDAY], &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.starts_with("0 sent, "), "{}", again.stdout);
    assert_eq!(slack.posted().len(), posted.len());
    assert_eq!(smtp.mail().len(), mail.len());

    // The log is on the dashboard's API too.
    let log = rt.block_on(async {
        let store = throughline_store::Store::open("sqlite://.throughline/state.db", ws.path())
            .await
            .unwrap();
        store.notifications(100).await.unwrap()
    });
    assert_eq!(log.len(), posted.len() - 1 + mail.len());
    assert!(
        log.iter()
            .all(|n| n.status == throughline_store::Delivery::Sent)
    );
}

#[test]
fn a_workspace_without_notify_settings_says_how_to_add_them() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::write(ws.path().join("throughline.yaml"), "workspace: T\n").unwrap();
    let r = notify(ws.path(), &["--dry-run"], &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: the workspace has no `notify:` settings\nhelp: add `notify:` to throughline.yaml"), "{}", r.stderr);
    let r = notify(ws.path(), &["--dry-run", "--now", "friday"], &[]);
    assert!(
        r.stderr.contains("error: --now: `friday` is not a time"),
        "{}",
        r.stderr
    );
}
