//! Data that would give a confident wrong number: what each command says and does instead, on
//! a small demo whose definitions or files the test damages.

mod common;

use common::{demo_of, findings_of, json, run_in};

fn edit(path: &std::path::Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// A metric over an event name the data never has (a typo) is flagged by `check --with-data`
/// with the likely name, measures as no data with a warning, and its guardrail shows no light.
#[test]
fn an_event_name_the_data_never_has_is_no_data_never_zero() {
    let tmp = demo_of("2000", "3");
    let dir = tmp.path();
    edit(
        &dir.join("ws/metrics.yaml"),
        "event: support_ticket_created",
        "event: support_ticket_creatd",
    );

    let r = run_in(dir, &["check", "ws", "--with-data", "--format", "json"]);
    assert_eq!(r.code, 1, "an error finding fails the check\n{}", r.stderr);
    let found = findings_of(&r.stdout, "event-not-in-data");
    assert_eq!(found.len(), 1, "{found:?}");
    let f = &found[0];
    assert_eq!(f["file"], "ws/metrics.yaml");
    assert_eq!(
        f["message"],
        "metric `support_tickets` reads event `support_ticket_creatd`, which never occurs in the data"
    );
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .starts_with("did you mean `support_ticket_created`?"),
        "{f}"
    );
    let line = std::fs::read_to_string(dir.join("ws/metrics.yaml"))
        .unwrap()
        .lines()
        .position(|l| l.contains("support_ticket_creatd"))
        .unwrap()
        + 1;
    assert_eq!(f["line"].as_u64(), Some(line as u64));
    // without --with-data the data is not read, and the name is not judged
    let r = run_in(dir, &["check", "ws", "--format", "json"]);
    assert!(!r.stdout.contains("event-not-in-data"), "{}", r.stdout);

    // measure: the metric and the ratio over it are no data, and the run says why
    let r = run_in(
        dir,
        &[
            "measure",
            "-w",
            "ws",
            "--metric",
            "support_tickets",
            "--metric",
            "tickets_per_100_active",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows = json(&r.stdout);
    let rows = rows.as_array().unwrap();
    assert!(rows.len() > 10, "{rows:?}");
    assert!(rows.iter().all(|r| r["value"].is_null()), "{rows:?}");
    assert!(
        r.stderr.contains(
            "metric `support_tickets` reads event `support_ticket_creatd`, which never occurs in source `events` (did you mean `support_ticket_created`?); its values are shown as no data, not 0"
        ),
        "{}",
        r.stderr
    );

    // the review: the guardrail has no light, and the run says why
    let r = run_in(dir, &["review", "-w", "ws", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let review = json(&r.stdout);
    let guardrails = review["guardrails"].as_array().expect("guardrails");
    let tickets = guardrails
        .iter()
        .find(|g| g["metric"] == "support_tickets")
        .expect("the support tickets guardrail");
    assert_eq!(tickets["light"], "unknown", "{tickets}");
    assert!(r.stderr.contains("support_ticket_creatd"), "{}", r.stderr);
}

/// Rows without a user are left out and counted by default; with `faulty_rows: refuse` the
/// same sentence is an error, exit 2, in `measure` and `review` alike.
#[test]
fn faulty_rows_are_counted_or_refused_as_the_source_says() {
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let ws = tmp.path().join("ws");
    let events = ws.join("events.jsonl");
    let mut text = std::fs::read_to_string(&events).unwrap();
    text.push_str("{\"uid\":null,\"at\":\"2025-03-10T12:00:00Z\",\"name\":\"login\",\"amount\":null,\"score\":null}\n");
    std::fs::write(&events, text).unwrap();
    let said = "source `events`: 1 event(s) have no user in `uid` and are not counted, in events.jsonl (1)";

    let r = run_in(tmp.path(), &["measure", "-w", "ws", "--metric", "logins"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(said), "{}", r.stderr);

    edit(
        &ws.join("throughline.yaml"),
        "columns: { user: uid, time: at, name: name }",
        "columns: { user: uid, time: at, name: name }\n    faulty_rows: refuse",
    );
    for cmd in ["measure", "review"] {
        let r = run_in(tmp.path(), &[cmd, "-w", "ws"]);
        assert_eq!(r.code, 2, "{cmd}: {}", r.stderr);
        let refused = said.replace(" and are not counted", "");
        assert!(r.stderr.contains(&refused), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("faulty_rows: refuse"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

/// A demo whose event folder gains a damaged file (zero bytes, then cut in half): every
/// command that reads the data refuses it with exit 2 and the file's name, none skips it.
#[test]
fn a_damaged_event_file_stops_every_command_that_reads_data() {
    let tmp = demo_of("500", "5");
    let dir = tmp.path();
    let events = dir.join("ws/data/events");
    let whole = std::fs::read(events.join("part-00000.parquet")).unwrap();
    let commands: [&[&str]; 8] = [
        &["measure", "-w", "ws"],
        &["review", "-w", "ws"],
        &["status", "-w", "ws"],
        &["score", "-w", "ws"],
        &["check", "ws", "--with-data"],
        &["experiment", "-w", "ws"],
        &["notify", "-w", "ws", "--dry-run"],
        &["serve", "-w", "ws", "--port", "18731"],
    ];
    for (what, bytes, said) in [
        (
            "empty",
            Vec::new(),
            "data/events/part-00001.parquet is empty (0 bytes)",
        ),
        (
            "cut in half",
            whole[..whole.len() / 2].to_vec(),
            "data/events/part-00001.parquet is not a Parquet file that can be read",
        ),
    ] {
        std::fs::write(events.join("part-00001.parquet"), &bytes).unwrap();
        for args in commands {
            let r = run_in(dir, args);
            assert_eq!(r.code, 2, "{what}: {args:?}\n{}", r.stderr);
            assert!(r.stderr.contains(said), "{what}: {args:?}\n{}", r.stderr);
            assert!(!r.stderr.contains("/tmp"), "{what}: {args:?}\n{}", r.stderr);
        }
    }
}
