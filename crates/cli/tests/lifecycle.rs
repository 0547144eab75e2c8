//! The OKR lifecycle through the real binary on the demo workspace: measure --save, checkin,
//! decide, status, score --close, check --with-data; refused check-ins; and the store's
//! promises under SIGKILL and two writers at once, on SQLite and on a real PostgreSQL.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use common::{demo, json, run_in};
use throughline_store::{Store, testing};

/// Adds a key result checked in by hand, and points the store at `store`.
fn extend(ws: &Path, store: Option<&str>) {
    std::fs::write(
        ws.join("partners.yaml"),
        "objectives:\n  - id: design-partners\n    title: Win design partners who shape the roadmap\n    period: 2026-Q3\n    team: growth\n    owner: Lee\n    aligns_to: company/rely-every-week\n    key_results:\n      - id: partners\n        title: Sign 6 design partners\n        manual: { unit: count }\n        baseline: 0\n        target: 6\n",
    )
    .unwrap();
    if let Some(url) = store {
        let path = ws.join("throughline.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace(
                "store: sqlite://.throughline/state.db",
                &format!("store: {url}"),
            ),
        )
        .unwrap();
    }
}

/// Asserts that `text` contains `needle`, showing the text when it does not.
fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
}

#[test]
fn the_quarter_from_measure_to_score() {
    let tmp = demo();
    let ws = tmp.path().join("ws");
    extend(&ws, None);
    let dir = tmp.path();

    let r = run_in(
        dir,
        &[
            "measure", "-w", "ws", "--grain", "week", "--save", "--format", "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let values = json(&r.stdout).as_array().unwrap().len();
    has(&r.stderr, &format!("saved {values} values"));
    has(&r.stderr, &format!("{values} new, 0 unchanged"));
    let r = run_in(dir, &["measure", "-w", "ws", "--grain", "week", "--save"]);
    has(&r.stderr, &format!("0 new, {values} unchanged, 0 revised"));
    // A changed definition is visible: the new values are stored beside the old ones.
    let metrics = ws.join("metrics.yaml");
    let text = std::fs::read_to_string(&metrics).unwrap();
    std::fs::write(
        &metrics,
        text.replace(
            "to: workflow_completed, within: 7d",
            "to: workflow_completed, within: 14d",
        ),
    )
    .unwrap();
    let r = run_in(
        dir,
        &[
            "measure",
            "-w",
            "ws",
            "--metric",
            "activation_rate",
            "--grain",
            "week",
            "--save",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    has(
        &r.stderr,
        "0 new, 0 unchanged, 0 revised (new data), 25 from a changed definition",
    );
    std::fs::write(&metrics, text).unwrap();

    // Check-ins: confidence and a story on a computed key result, a value on a manual one.
    let ok = run_in(
        dir,
        &[
            "checkin",
            "-w",
            "ws",
            "activation",
            "--confidence",
            "6",
            "--note",
            "checklist at 100%",
            "--author",
            "Dana",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.starts_with("recorded check-in "), "{}", ok.stdout);
    let ok = run_in(
        dir,
        &[
            "checkin",
            "-w",
            "ws",
            "design-partners/partners",
            "--value",
            "4",
            "--confidence",
            "7",
            "--author",
            "Lee",
        ],
    );
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    let r = run_in(
        dir,
        &[
            "decide",
            "-w",
            "ws",
            "Roll the checklist out to every signup",
            "--about",
            "activation",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Refused, each with its reason, and nothing stored.
    for (args, why) in [
        (
            vec!["activaton", "--confidence", "5"],
            "no key result `activaton` in the workspace (did you mean `activation`?)",
        ),
        (
            vec!["wau", "--value", "14000"],
            "`wau` is computed from the metric `weekly_active_users`: its value comes from the data",
        ),
        (
            vec!["partners", "--value", "40%"],
            "value `40%` for `partners`: a percent was given, but the key result is measured in count",
        ),
        (vec!["partners", "--value", "many"], "`many` is not a value"),
        (
            vec!["activation", "--confidence", "11"],
            "confidence 11 is out of range",
        ),
        (
            vec!["activation", "--confidence", "-1"],
            "confidence -1 is out of range",
        ),
        // the checks the dashboard makes, made here too: a note is plain text
        (
            vec!["activation", "--note", "\u{1b}[2Jcleared"],
            "`note` holds the control character U+001B",
        ),
        (
            vec!["activation"],
            "a check-in needs at least a confidence, a note or",
        ),
    ] {
        let mut a = vec!["checkin", "-w", "ws"];
        a.extend(args);
        let r = run_in(dir, &a);
        assert_eq!(r.code, 2, "{a:?} was accepted");
        assert!(r.stderr.contains(why), "{a:?}: {}", r.stderr);
    }

    // Status: the alignment tree, with the numbers the engine computes.
    let r = run_in(dir, &["status", "-w", "ws", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = json(&r.stdout);
    assert_eq!(s["period"], "2026-Q3");
    assert_eq!(s["as_of"], "2026-09-28", "the day after the data ends");
    let objectives = s["objectives"].as_array().unwrap();
    assert_eq!(objectives.len(), 3);
    let kr = |o: &str, k: &str| -> serde_json::Value {
        let o = objectives.iter().find(|x| x["id"] == o).unwrap();
        o["key_results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == k)
            .unwrap()
            .clone()
    };
    let wau = kr("rely-every-week", "wau");
    let r = run_in(
        dir,
        &[
            "measure",
            "-w",
            "ws",
            "--metric",
            "weekly_active_users",
            "--from",
            "2026-09-21",
            "--to",
            "2026-09-27",
            "--format",
            "json",
        ],
    );
    let measured = json(&r.stdout)[0]["value"].as_f64().unwrap();
    assert_eq!(wau["current"]["value"].as_f64().unwrap(), measured);
    let expected_progress = (measured - 6700.0) / (12000.0 - 6700.0);
    assert!((wau["progress"].as_f64().unwrap() - expected_progress).abs() < 1e-12);
    assert_eq!(kr("improve-activation", "activation")["confidence"], 6);
    let partners = kr("design-partners", "partners");
    assert_eq!(
        (
            partners["current"]["value"].as_f64(),
            partners["progress"].as_f64()
        ),
        (Some(4.0), Some(4.0 / 6.0))
    );
    let r = run_in(dir, &["status", "-w", "ws"]);
    has(
        &r.stdout,
        "company/rely-every-week — Become the tool product teams rely on every week",
    );
    has(&r.stdout, "└─ growth/design-partners — Win design partners");
    has(&r.stdout, "“checklist at 100%” — Dana");

    // The data rules: the planted WAU target that the trend reaches anyway.
    let r = run_in(dir, &["check", "ws", "--with-data", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let found: Vec<(String, String)> = json(&r.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
            )
        })
        .filter(|(rule, _)| rule == "unambitious-target" || rule == "baseline-mismatch")
        .collect();
    assert_eq!(
        found,
        vec![("unambitious-target".to_string(), "ws/okrs.yaml".to_string())]
    );
    let r = run_in(dir, &["check", "ws", "--format", "json"]);
    let rules: Vec<String> = json(&r.stdout)
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !rules.iter().any(|r| r == "unambitious-target"),
        "without --with-data the data rules do not run"
    );

    // Score and close 2026-Q3 (it ended on 2026-09-30); then it refuses check-ins.
    let r = run_in(
        dir,
        &[
            "score", "-w", "ws", "--close", "--format", "json", "--author", "Sam",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sc = json(&r.stdout);
    let partners_obj = sc["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "design-partners")
        .unwrap()
        .clone();
    assert_eq!(
        partners_obj["score"].as_f64(),
        Some(0.67),
        "4 of 6, rounded"
    );
    assert_eq!(partners_obj["judgement"], "partial");
    has(&r.stderr, "closed 2026-Q3");
    let r = run_in(
        dir,
        &["checkin", "-w", "ws", "activation", "--confidence", "9"],
    );
    assert_eq!(r.code, 2);
    has(&r.stderr, "period 2026-Q3 is closed");
    let r = run_in(dir, &["score", "-w", "ws", "--close"]);
    assert_eq!(r.code, 2);
    has(&r.stderr, "2026-Q3 is already closed");
}

/// Starts `throughline checkin --batch -` in `dir`.
fn batch_writer(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["checkin", "-w", "ws", "--batch", "-"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

fn line(i: usize) -> String {
    format!(
        "{{\"key_result\": \"activation\", \"confidence\": {}, \"note\": \"burst {i}\"}}\n",
        i % 11
    )
}

/// The check-ins the test wrote (`burst N`, `start`), in the order stored.
async fn stored_notes(ws: &Path) -> Vec<String> {
    let url = store_url(ws);
    let store = Store::open(&url, ws)
        .await
        .expect("the store opens after the kill");
    let notes = store
        .checkins(None)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.checkin.note)
        // the test's own: the demo's quarter of check-ins is in the store too
        .filter(|n| n.starts_with("burst ") || n == "start")
        .collect();
    store.close().await;
    notes
}

fn store_url(ws: &Path) -> String {
    let text = std::fs::read_to_string(ws.join("throughline.yaml")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("store: "))
        .unwrap()
        .trim()
        .to_string()
}

/// Every acknowledged check-in survives a SIGKILL in the middle of a burst.
fn killed_mid_burst(store: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ws = tmp.path().join("ws");
    extend(&ws, store);
    let mut child = batch_writer(tmp.path());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for i in 0..100_000 {
            if stdin.write_all(line(i).as_bytes()).is_err() {
                break; // the process was killed
            }
        }
    });
    let mut acked = Vec::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while acked.len() < 300 {
        text.clear();
        if out.read_line(&mut text).unwrap() == 0 {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("the writer stopped early: {err}");
        }
        assert!(text.starts_with("recorded "), "{text}");
        acked.push(acked.len());
    }
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());
    // Acknowledgements already in the pipe count too.
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut out, &mut rest);
    let acked_total = acked.len() + rest.lines().filter(|l| l.starts_with("recorded ")).count();
    writer.join().unwrap();

    let rt = tokio::runtime::Runtime::new().unwrap();
    let notes = rt.block_on(stored_notes(&ws));
    assert!(
        notes.len() >= acked_total,
        "{} stored, {acked_total} acknowledged",
        notes.len()
    );
    // The burst was written in order: the first `acked_total` notes are all there, in order.
    for (i, n) in notes.iter().take(acked_total).enumerate() {
        assert_eq!(n, &format!("burst {i}"));
    }
}

#[test]
fn acknowledged_checkins_survive_sigkill_on_sqlite() {
    killed_mid_burst(None);
}

/// Runs `f` with a fresh database on the test PostgreSQL server (see scripts/test-postgres).
fn on_postgres(f: fn(Option<&str>)) {
    let Some(server) = testing::postgres_server() else {
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(testing::fresh_postgres_database(&server));
    f(Some(&url));
}

#[test]
fn acknowledged_checkins_survive_sigkill_on_postgres() {
    on_postgres(killed_mid_burst);
}

/// Two processes checking in at once both finish, and every check-in is stored once.
fn two_writers(store: Option<&str>) {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ws = tmp.path().join("ws");
    extend(&ws, store);
    // Create the store first, as a first `status` or `checkin` would.
    let r = run_in(
        tmp.path(),
        &["checkin", "-w", "ws", "activation", "--note", "start"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let n = 200;
    let children: Vec<std::process::Child> = (0..2)
        .map(|w| {
            let mut c = batch_writer(tmp.path());
            let mut stdin = c.stdin.take().unwrap();
            let lines: String = (0..n).map(|i| line(w * 1000 + i)).collect();
            std::thread::spawn(move || stdin.write_all(lines.as_bytes()).unwrap());
            c
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), n);
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut notes = rt.block_on(stored_notes(&ws));
    notes.sort();
    notes.dedup();
    assert_eq!(notes.len(), 2 * n + 1);
}

#[test]
fn two_writers_at_once_on_sqlite() {
    two_writers(None);
}

#[test]
fn two_writers_at_once_on_postgres() {
    on_postgres(two_writers);
}

#[test]
fn a_batch_reports_bad_lines_and_keeps_the_good_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0);
    let file = tmp.path().join("b.jsonl");
    std::fs::write(
        &file,
        "{\"key_result\": \"activation\", \"confidence\": 7}\n{\"key_result\": \"activation\", \"confidence\": 12}\nnot json\n{\"key_result\": \"activation\", \"mood\": 1}\n",
    )
    .unwrap();
    let r = run_in(
        tmp.path(),
        &["checkin", "-w", "ws", "--batch", file.to_str().unwrap()],
    );
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    has(&r.stderr, "b.jsonl:2: confidence 12 is out of range");
    has(&r.stderr, "b.jsonl:3: not a JSON object");
    has(&r.stderr, "b.jsonl:4: unknown field `mood`");
    has(&r.stderr, "3 check-in(s) refused");
}

/// `throughline demo DIR` stores the quarter's check-ins and decisions as `--demo` does, so
/// that the two demos show the same key results with confidence and the same decisions.
#[test]
fn a_written_demo_has_the_check_ins_and_decisions_of_the_built_in_one() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("check-ins and decisions"), "{}", r.stdout);
    let r = run_in(tmp.path(), &["status", "-w", "ws", "--period", "2026-Q3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let with_confidence = r.stdout.matches("confidence").count();
    assert!(with_confidence > 0, "{}", r.stdout);
}

/// A check-in note that holds a terminal escape sequence is refused when it is written (as
/// the dashboard refuses it), and one already in the store (written by another tool, or
/// before that check) is shown with the escape as a picture (`␛`), never sent to the
/// terminal as is.
#[test]
fn escape_sequences_in_a_note_are_refused_and_shown_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let note = "On track \u{1b}[2J\u{1b}[31mreally";
    let r = run_in(
        tmp.path(),
        &[
            "checkin",
            "-w",
            "ws",
            "activation",
            "--confidence",
            "6",
            "--note",
            note,
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("`note` holds the control character U+001B"),
        "{}",
        r.stderr
    );
    let ws = tmp.path().join("ws");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = throughline_store::Store::open("sqlite://.throughline/state.db", &ws)
            .await
            .unwrap();
        store
            .record_checkin(&throughline_store::NewCheckIn {
                objective: "improve-activation".into(),
                key_result: "activation".into(),
                period: "2026-Q3".into(),
                value: None,
                confidence: Some(6),
                note: note.into(),
                author: "another tool".into(),
            })
            .await
            .unwrap();
        store.close().await;
    });
    let r = run_in(tmp.path(), &["status", "-w", "ws", "--period", "2026-Q3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains('\u{1b}'),
        "an escape reached the terminal"
    );
    assert!(r.stdout.contains("On track \u{241b}[2J"), "{}", r.stdout);
}
