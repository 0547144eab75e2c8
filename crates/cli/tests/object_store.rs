//! Sources in object storage: the demo's Parquet files copied to a local S3-compatible server
//! (moto, started by scripts/test-s3), read with `path: s3://…` and the S3 client's standard
//! environment variables, give exactly the values of the same files on disk. The copy of the
//! workspace has no data folder, so nothing is read from this machine's files.

mod common;

use std::path::Path;
use std::process::Command;

use common::{s3_endpoint, s3_env, workspace_in_s3};

fn measure(dir: &Path, ws: &str, env: &[(String, String)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["measure", "-w", ws, "--format", "json", "--by", "plan"])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_demo_read_from_s3_equals_the_demo_on_disk() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let tmp = common::demo_of("3000", "5");
    workspace_in_s3(tmp.path(), "ws", "lake", &endpoint);
    assert!(!tmp.path().join("lake/data").exists());

    let (code, on_disk, err) = measure(tmp.path(), "ws", &[]);
    assert_eq!(code, 0, "{err}");
    let env = s3_env(&endpoint);
    let (code, in_s3, err) = measure(tmp.path(), "lake", &env);
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&in_s3).unwrap();
    assert!(rows.len() > 100, "{}", rows.len());
    assert_eq!(in_s3, on_disk);

    // a prefix with no objects is one clear error that names the source and the pattern
    let yaml = tmp.path().join("lake/throughline.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let moved = text.replacen("/events/*.parquet", "/nothing-here/*.parquet", 1);
    assert_ne!(moved, text);
    std::fs::write(&yaml, moved).unwrap();
    let (code, out, err) = measure(tmp.path(), "lake", &env);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("source `events`"), "{err}");
    assert!(err.contains("nothing-here/*.parquet"), "{err}");
}

/// JSON-lines events (times with `Z` and with offsets) and CSV users (zone-less local times,
/// New York, Sunday weeks) in S3, the events named by a glob: the values of the same files
/// on disk.
#[test]
fn json_lines_and_csv_in_s3_read_as_on_disk() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (tmp, prefix) = fixture_with_events_in_s3(&endpoint);
    let ws = tmp.path().join("ws");
    common::s3_put(
        &endpoint,
        &format!("{prefix}/users.csv"),
        &ws.join("users.csv"),
    );
    fixture_in_s3(tmp.path(), &prefix, "users.csv");
    let (code, on_disk, err) = measure(tmp.path(), "ws", &[]);
    assert_eq!(code, 0, "{err}");
    let (code, in_s3, err) = measure(tmp.path(), "lake", &s3_env(&endpoint));
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&in_s3).unwrap();
    assert!(rows.len() > 20, "{}", rows.len());
    assert_eq!(in_s3, on_disk);
}

/// The checks local files get hold for objects: CSV users split into two objects whose
/// headers name the same columns in another order (read by position, the plan column would
/// hold user ids), and an empty events object beside a full one, are each refused with the
/// object's URL, where both were read without a word before.
#[test]
fn csv_objects_that_disagree_and_empty_objects_are_refused() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let (tmp, prefix) = fixture_with_events_in_s3(&endpoint);
    let ws = tmp.path().join("ws");
    let users = std::fs::read_to_string(ws.join("users.csv")).unwrap();
    let lines: Vec<&str> = users.lines().collect();
    assert_eq!(lines[0], "uid,signed_up,plan");
    let (first, second) = lines[1..].split_at(3);
    let part = |name: &str, text: String| {
        let f = tmp.path().join(name);
        std::fs::write(&f, text).unwrap();
        common::s3_put(&endpoint, &format!("{prefix}/{name}"), &f);
    };
    part(
        "users-1.csv",
        format!("{}\n{}\n", lines[0], first.join("\n")),
    );
    // the same columns, in another order: right on its own, wrong read by position
    let swapped: Vec<String> = second
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{}", f[2], f[1], f[0])
        })
        .collect();
    part(
        "users-2.csv",
        format!("plan,signed_up,uid\n{}\n", swapped.join("\n")),
    );
    let bucket = format!("s3://throughline-test/{prefix}");
    let write = |users: &str| fixture_in_s3(tmp.path(), &prefix, users);
    let env = s3_env(&endpoint);
    // the first part alone reads
    write("users-1.csv");
    let (code, _, err) = measure(tmp.path(), "lake", &env);
    assert_eq!(code, 0, "{err}");
    write("users-*.csv");
    let (code, out, err) = measure(tmp.path(), "lake", &env);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("source `users`"), "{err}");
    assert!(err.contains(&format!("{bucket}/users-2.csv:1")), "{err}");
    assert!(err.contains("header differs"), "{err}");
    assert!(err.contains("`uid,signed_up,plan`"), "{err}");

    write("users-1.csv");
    part("events-2.jsonl", String::new());
    let (code, out, err) = measure(tmp.path(), "lake", &env);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("source `events`"), "{err}");
    assert!(err.contains(&format!("{bucket}/events-2.jsonl")), "{err}");
    assert!(err.contains("is empty (0 bytes)"), "{err}");
}

/// Writes `dir/lake`, the cluster fixture in `dir/ws` with its sources in the test bucket
/// under `prefix`: the events as `events-*.jsonl`, the users as `users`.
fn fixture_in_s3(dir: &Path, prefix: &str, users: &str) {
    let (ws, lake) = (dir.join("ws"), dir.join("lake"));
    std::fs::create_dir_all(&lake).unwrap();
    let bucket = format!("s3://throughline-test/{prefix}");
    for f in ["metrics.yaml", "throughline.yaml"] {
        let text = std::fs::read_to_string(ws.join(f)).unwrap();
        let text = text
            .replace(
                "path: events.jsonl",
                &format!("path: {bucket}/events-*.jsonl"),
            )
            .replace("path: users.csv", &format!("path: {bucket}/{users}"));
        std::fs::write(lake.join(f), text).unwrap();
    }
}

/// The cluster fixture in a temporary `ws`, and the prefix of the test bucket its events were
/// put under (as `events-1.jsonl`).
fn fixture_with_events_in_s3(endpoint: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let prefix = common::s3_prefix();
    common::s3_put(
        endpoint,
        &format!("{prefix}/events-1.jsonl"),
        &tmp.path().join("ws/events.jsonl"),
    );
    (tmp, prefix)
}
