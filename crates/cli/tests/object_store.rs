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
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let prefix = common::s3_prefix();
    let ws = tmp.path().join("ws");
    common::s3_put(
        &endpoint,
        &format!("{prefix}/events-1.jsonl"),
        &ws.join("events.jsonl"),
    );
    common::s3_put(
        &endpoint,
        &format!("{prefix}/users.csv"),
        &ws.join("users.csv"),
    );
    let lake = tmp.path().join("lake");
    std::fs::create_dir_all(&lake).unwrap();
    let bucket = format!("s3://throughline-test/{prefix}");
    for f in ["metrics.yaml", "throughline.yaml"] {
        let text = std::fs::read_to_string(ws.join(f)).unwrap();
        let text = text
            .replace(
                "path: events.jsonl",
                &format!("path: {bucket}/events-*.jsonl"),
            )
            .replace("path: users.csv", &format!("path: {bucket}/users.csv"));
        std::fs::write(lake.join(f), text).unwrap();
    }
    let (code, on_disk, err) = measure(tmp.path(), "ws", &[]);
    assert_eq!(code, 0, "{err}");
    let (code, in_s3, err) = measure(tmp.path(), "lake", &s3_env(&endpoint));
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&in_s3).unwrap();
    assert!(rows.len() > 20, "{}", rows.len());
    assert_eq!(in_s3, on_disk);
}
