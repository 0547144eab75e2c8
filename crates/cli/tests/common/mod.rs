//! Running the real binary, with a watchdog so a hang fails the test instead of stalling CI.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Runs `throughline ARGS` in `dir`, killing it after 60 s.
pub fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_env(dir, args, &[])
}

/// Runs `throughline ARGS` in `dir` with extra environment variables.
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    let child = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    wait_at_most(child, 60)
        .unwrap_or_else(|| panic!("throughline {args:?} did not finish within 60 s"))
}

/// The output of `child` (spawned with piped stdout and stderr), read while it runs; `None`
/// when it had not ended after `secs` and was killed.
pub fn wait_at_most(mut child: std::process::Child, secs: u64) -> Option<Run> {
    let out_pipe = child.stdout.take().expect("stdout");
    let err_pipe = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(out_pipe).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(err_pipe).unwrap_or_default());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let code = status.code().expect("exited, not killed by a signal");
    Some(Run {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

pub fn run(args: &[&str]) -> Run {
    run_in(&fixtures(), args)
}

/// Parses `--format json` output into (rule, file, line, column) rows.
pub fn findings(stdout: &str) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    v.as_array().expect("a JSON array").clone()
}

/// The findings of rule `rule` in `--format json` output.
pub fn findings_of(stdout: &str, rule: &str) -> Vec<serde_json::Value> {
    findings(stdout)
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// Compares `got` with the golden file `tests/golden/NAME`; `UPDATE_GOLDEN=1` rewrites it
/// (review the diff after an intended change).
pub fn assert_golden(name: &str, got: &str) {
    let path = fixtures().join("../golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing; run with UPDATE_GOLDEN=1", path.display()));
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from the golden file at line {}:\n  got:  {:?}\n  want: {:?}\n(run with UPDATE_GOLDEN=1 to accept)",
            first + 1,
            got.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

/// The demo at its default size and seed, in `ws` under a temporary folder (its OKRs are set
/// for 100,000 users).
pub fn demo() -> tempfile::TempDir {
    demo_of("100000", "7")
}

/// The demo of `users` users from `seed`, in `ws` under a temporary folder.
pub fn demo_of(users: &str, seed: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(
        tmp.path(),
        &["demo", "ws", "--users", users, "--seed", seed],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    tmp
}

/// A command's `--format json` output, parsed.
pub fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

/// The cluster fixture (every metric type over JSON-lines events in New York) copied into
/// `dir/ws`.
pub fn cluster_workspace(dir: &Path) {
    let ws = dir.join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    for f in [
        "throughline.yaml",
        "metrics.yaml",
        "events.jsonl",
        "users.csv",
    ] {
        std::fs::copy(fixtures().join("cluster").join(f), ws.join(f)).unwrap();
    }
}

/// The local S3-compatible server scripts/test-s3 started (`THROUGHLINE_TEST_S3`, its
/// endpoint), with the bucket `throughline-test`. `None` (the test is skipped) when the
/// variable is unset, except under CI, where the test fails instead.
pub fn s3_endpoint() -> Option<String> {
    match std::env::var("THROUGHLINE_TEST_S3") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "THROUGHLINE_TEST_S3 is not set under CI: run the tests with scripts/test"
            );
            eprintln!("skipped: no THROUGHLINE_TEST_S3 (scripts/test starts the S3 server)");
            None
        }
    }
}

/// The environment a process reading `endpoint`'s objects needs: the standard variables of
/// the S3 client (the test server accepts any credentials).
pub fn s3_env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "throughline-test"),
        ("AWS_SECRET_ACCESS_KEY", "throughline-test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT", endpoint),
        ("AWS_ALLOW_HTTP", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// A prefix of the test bucket no other test uses.
pub fn s3_prefix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("t{}-{nanos}", std::process::id())
}

/// Puts `file` in the test bucket at `key` (the test server checks no signature).
pub fn s3_put(endpoint: &str, key: &str, file: &Path) {
    let url = format!("{endpoint}/throughline-test/{key}");
    let out = Command::new("curl")
        .args([
            "-fsS",
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/octet-stream",
        ])
        .arg("--data-binary")
        .arg(format!("@{}", file.display()))
        .arg(&url)
        .output()
        .expect("curl runs");
    assert!(out.status.success(), "PUT {url}: {out:?}");
}

/// Copies the workspace `dir/ws`'s data files to `endpoint`'s bucket under a prefix of its
/// own, and writes `dir/to` (a copy of its YAML, without its data folder) whose sources name
/// the objects (`s3://throughline-test/PREFIX/…`).
pub fn workspace_in_s3(dir: &Path, ws: &str, to: &str, endpoint: &str) {
    let prefix = s3_prefix();
    let from = dir.join(ws);
    let data = from.join("data");
    let mut files = vec![data.join("users.parquet")];
    for e in std::fs::read_dir(data.join("events")).unwrap() {
        files.push(e.unwrap().path());
    }
    for f in &files {
        let key = f.strip_prefix(&data).unwrap().display().to_string();
        s3_put(endpoint, &format!("{prefix}/{key}"), f);
    }
    let to = dir.join(to);
    std::fs::create_dir_all(&to).unwrap();
    for e in std::fs::read_dir(&from).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.replace(
                "path: data/",
                &format!("path: s3://throughline-test/{prefix}/"),
            );
            std::fs::write(to.join(p.file_name().unwrap()), text).unwrap();
        }
    }
    let yaml = std::fs::read_to_string(to.join("throughline.yaml")).unwrap();
    assert!(yaml.contains("path: s3://"), "{yaml}");
}
