//! `throughline cluster`: a scheduler and two executors started from the built binary on
//! 127.0.0.1. Every metric type of the fixture (JSON-lines and CSV times read in New York,
//! so every plan calls the engine's own time function) measured with `--cluster` equals the
//! embedded engine's value, and both executors ran tasks. Killing an executor mid-run gives
//! the right values or a clear error, never a wrong number. Built with the `cluster` feature
//! (`--all-features`, as scripts/test does).
#![cfg(feature = "cluster")]

mod common;

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::run_in;

/// A process of the cluster, its standard error in a file; killed when dropped.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    /// `throughline ARGS` with extra environment variables, in network namespace `netns`
    /// when given (`ip netns exec` runs the program in its own place, so the child is it).
    fn start_in(
        netns: Option<&str>,
        args: &[&str],
        log: PathBuf,
        env: &[(String, String)],
    ) -> Process {
        Process::spawn(netns, env!("CARGO_BIN_EXE_throughline"), args, log, env)
    }

    fn spawn(
        netns: Option<&str>,
        program: &str,
        args: &[&str],
        log: PathBuf,
        env: &[(String, String)],
    ) -> Process {
        let file = std::fs::File::create(&log).unwrap();
        let mut cmd = match netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, program]);
                c
            }
            None => Command::new(program),
        };
        let child = cmd
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env(
                "RUST_LOG",
                "warn,throughline_cluster=info,ballista_executor::executor_server=info",
            )
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("the binary starts");
        Process { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log holds `text`, failing the test (with the log) after `secs`.
    fn wait_for(&mut self, text: &str, secs: u64) {
        let start = Instant::now();
        while !self.log().contains(text) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("exited ({status}) before `{text}`:\n{}", self.log());
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "no `{text}` within {secs} s:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn tasks(&self) -> usize {
        self.log().matches(" runs task ").count()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on, with the next one free too (an executor takes both).
fn free_ports() -> u16 {
    loop {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = a.local_addr().unwrap().port();
        if port < u16::MAX && TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

fn wait_listening(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A scheduler and `n` executors (one task at a time each, so that a stage of several tasks
/// runs on both); the scheduler's address.
fn cluster(tmp: &Path, n: usize) -> (String, Process, Vec<Process>) {
    cluster_with(tmp, n, &[])
}

/// The same, every process with the extra environment variables `env`.
fn cluster_with(tmp: &Path, n: usize, env: &[(String, String)]) -> (String, Process, Vec<Process>) {
    let port = free_ports();
    let bind = format!("127.0.0.1:{port}");
    let scheduler = Process::start_in(
        None,
        &["cluster", "scheduler", "--bind", &bind],
        tmp.join("scheduler.log"),
        env,
    );
    wait_listening(port);
    let executors = (0..n)
        .map(|i| {
            let p = free_ports();
            let mut e = Process::start_in(
                None,
                &[
                    "cluster",
                    "executor",
                    "--scheduler",
                    &bind,
                    "--bind",
                    &format!("127.0.0.1:{p}"),
                    "--concurrency",
                    "1",
                ],
                tmp.join(format!("executor-{i}.log")),
                env,
            );
            e.wait_for("registration succeed", 60);
            e
        })
        .collect();
    (format!("df://{bind}"), scheduler, executors)
}

/// `measure --format json` rows keyed by metric, period and segment.
fn values(dir: &Path, extra: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let mut args = vec!["measure", "-w", "ws", "--format", "json"];
    args.extend_from_slice(extra);
    let r = run_in(dir, &args);
    assert_eq!(r.code, 0, "measure {extra:?}: {}", r.stderr);
    keyed(&r.stdout)
}

/// The same for workspace `ws`, with each stage in `partitions` partitions.
fn values_in(
    dir: &Path,
    ws: &str,
    extra: &[&str],
    partitions: usize,
) -> BTreeMap<String, serde_json::Value> {
    let env = [(
        "DATAFUSION_EXECUTION_TARGET_PARTITIONS".to_string(),
        partitions.to_string(),
    )];
    values_env(dir, ws, extra, &env)
}

fn keyed(json: &str) -> BTreeMap<String, serde_json::Value> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(json).expect("a JSON array");
    rows.into_iter()
        .map(|r| {
            let key = format!("{} {} {}", r["metric"], r["start"], r["segment"]);
            (key, r)
        })
        .collect()
}

/// The same rows, the same completeness, the same values (to the last few bits: a sum
/// added up in another order may differ there).
fn assert_same(
    embedded: &BTreeMap<String, serde_json::Value>,
    cluster: &BTreeMap<String, serde_json::Value>,
) {
    let keys = |m: &BTreeMap<String, serde_json::Value>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(embedded), keys(cluster));
    for (k, want) in embedded {
        let got = &cluster[k];
        assert_eq!(want["complete"], got["complete"], "{k}");
        match (want["value"].as_f64(), got["value"].as_f64()) {
            (Some(w), Some(g)) => assert!(
                (w - g).abs() <= 1e-9 * w.abs().max(1.0),
                "{k}: embedded {w}, cluster {g}"
            ),
            _ => assert_eq!(want["value"], got["value"], "{k}"),
        }
        assert_eq!(want["steps"], got["steps"], "{k}");
    }
}

#[test]
fn every_metric_type_on_two_executors_equals_the_embedded_engine() {
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let (url, _scheduler, executors) = cluster(tmp.path(), 2);

    for extra in [&[][..], &["--by", "plan"][..], &["--grain", "month"][..]] {
        let embedded = values(tmp.path(), extra);
        assert!(embedded.len() > 20, "{}", embedded.len());
        if extra.contains(&"--by") {
            // a plan-week without a purchase is a 0, on the cluster as well (compared below)
            let zeros = embedded
                .values()
                .filter(|r| r["metric"] == "revenue" && r["value"].as_f64() == Some(0.0))
                .count();
            assert!(zeros > 0, "no zero segment to compare: {embedded:?}");
        }
        let mut on_cluster = extra.to_vec();
        on_cluster.extend(["--cluster", &url]);
        assert_same(&embedded, &values(tmp.path(), &on_cluster));
    }
    for (i, e) in executors.iter().enumerate() {
        assert!(e.tasks() > 0, "executor {i} ran no task:\n{}", e.log());
    }

    // the weekly review reads the same numbers
    let review = |extra: &[&str]| {
        let mut args = vec!["review", "-w", "ws", "--week", "2025-03-23"];
        args.extend_from_slice(extra);
        let r = run_in(tmp.path(), &args);
        assert_eq!(r.code, 0, "review {extra:?}: {}", r.stderr);
        r.stdout
    };
    assert_eq!(review(&[]), review(&["--cluster", &url]));

    // `--explain` says where the plan runs
    let r = run_in(
        tmp.path(),
        &[
            "measure",
            "-w",
            "ws",
            "--explain",
            "activation",
            "--cluster",
            &url,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "where it runs: every plan runs on the cluster at {url}"
        )),
        "{}",
        r.stdout
    );

    // `cluster:` in throughline.yaml does the same as the flag
    let yaml = tmp.path().join("ws/throughline.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    std::fs::write(&yaml, format!("{text}cluster: {url}\n")).unwrap();
    let before: usize = executors.iter().map(Process::tasks).sum();
    let r = run_in(tmp.path(), &["measure", "-w", "ws", "--metric", "actives"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let after: usize = executors.iter().map(Process::tasks).sum();
    assert!(
        after > before,
        "no task ran for `cluster:` in throughline.yaml"
    );
}

#[test]
fn an_unreachable_scheduler_is_one_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let port = free_ports();
    let url = format!("df://127.0.0.1:{port}");
    let r = run_in(tmp.path(), &["measure", "-w", "ws", "--cluster", &url]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("cannot reach the cluster's scheduler at {url}")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("throughline cluster scheduler --bind"),
        "{}",
        r.stderr
    );

    let r = run_in(
        tmp.path(),
        &["measure", "-w", "ws", "--cluster", "http://x:1"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("df://HOST:PORT"), "{}", r.stderr);
}

/// Every command that computes takes the same engine flags and opens its engine with them:
/// each one, pointed at a scheduler nobody listens on, says it cannot reach it (before, only
/// `measure` took `--memory-limit`, and `--cluster` was written into the loaded workspace).
#[test]
fn every_command_that_computes_takes_the_engine_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(tmp.path(), &["demo", "ws", "--users", "500", "--seed", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = format!("df://127.0.0.1:{}", free_ports());
    let engine = [
        "--memory-limit",
        "512MB",
        "--spill-dir",
        ".",
        "--cluster",
        &url,
    ];
    let commands: [&[&str]; 9] = [
        &["measure", "-w", "ws"],
        &["review", "-w", "ws"],
        &["status", "-w", "ws"],
        &["score", "-w", "ws", "--period", "2026-Q3"],
        &["experiment", "-w", "ws"],
        &["check", "ws", "--with-data"],
        &[
            "notify",
            "-w",
            "ws",
            "--dry-run",
            "--now",
            "2026-09-25 13:00",
        ],
        &["serve", "-w", "ws", "--port", "0"],
        &[
            "init",
            "fresh",
            "--events",
            "ws/data/events",
            "--users",
            "ws/data/users.parquet",
            "--yes",
        ],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.extend(engine);
        let r = run_in(tmp.path(), &args);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains(&format!("cannot reach the cluster's scheduler at {url}")),
            "{args:?}: {}",
            r.stderr
        );
    }
    // and a size that is not one is refused by each, before anything runs
    let r = run_in(
        tmp.path(),
        &["status", "-w", "ws", "--memory-limit", "lots"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is not a size"), "{}", r.stderr);
}

/// Every metric type, total and by segment, on 2, 4, 8 and 16 partitions a stage: the
/// cluster's values equal the embedded engine's. Ballista 55 plans sort-merge joins by
/// default, and DataFusion 55.2's does not keep the order it declares
/// (`engine/tests/sort_merge_join.rs`): on 4 partitions or more the demo's funnel came out
/// at about a quarter of its value until the engine made every join a hash join.
#[test]
fn every_metric_type_at_2_4_8_and_16_partitions_equals_the_embedded_engine() {
    let tmp = tempfile::tempdir().unwrap();
    common::cluster_workspace(tmp.path());
    let r = run_in(
        tmp.path(),
        &["demo", "demo", "--users", "20000", "--seed", "3"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (url, _scheduler, executors) = cluster(tmp.path(), 2);
    for extra in [&[][..], &["--by", "plan"][..]] {
        let mut on_cluster = extra.to_vec();
        on_cluster.extend(["--cluster", &url]);
        let embedded = values(tmp.path(), extra);
        // the demo's funnel, where the wrong values were seen
        let mut funnel = vec!["--metric", "activation_funnel"];
        funnel.extend_from_slice(extra);
        let funnel_embedded = values_in(tmp.path(), "demo", &funnel, 2);
        funnel.extend(["--cluster", &url]);
        for partitions in [2, 4, 8, 16] {
            assert_same(
                &embedded,
                &values_in(tmp.path(), "ws", &on_cluster, partitions),
            );
            assert_same(
                &funnel_embedded,
                &values_in(tmp.path(), "demo", &funnel, partitions),
            );
        }
    }
    for (i, e) in executors.iter().enumerate() {
        assert!(e.tasks() > 0, "executor {i} ran no task:\n{}", e.log());
    }
}

#[test]
fn an_executor_killed_mid_run_gives_the_right_values_or_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let r = run_in(
        tmp.path(),
        &["demo", "ws", "--users", "20000", "--seed", "3"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let embedded = values(tmp.path(), &[]);
    let (url, _scheduler, mut executors) = cluster(tmp.path(), 2);

    let run = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["measure", "-w", "ws", "--format", "json", "--cluster", &url])
        .current_dir(tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // the second executor dies as soon as it has started a task
    let mut victim = executors.pop().unwrap();
    victim.wait_for(" runs task ", 120);
    victim.child.kill().unwrap();
    let _ = victim.child.wait();

    let Some(common::Run {
        code,
        stdout,
        stderr,
    }) = common::wait_at_most(run, 300)
    else {
        let logs: Vec<String> = executors.iter().map(Process::log).collect();
        panic!(
            "the run did not end within 300 s; executors:\n{}",
            logs.join("\n")
        );
    };
    let ok = code == 0;
    eprintln!(
        "after the kill: {}; the surviving executor ran {} task(s)",
        if ok {
            "the right values".to_string()
        } else {
            format!("an error: {stderr}")
        },
        executors[0].tasks()
    );
    if ok {
        assert_same(&embedded, &keyed(&stdout));
        assert!(executors[0].tasks() > 0);
    } else {
        // the client fetched a result from the killed executor, or the scheduler gave up
        assert!(
            stderr.contains(&format!("on the cluster at {url}")),
            "{stderr}"
        );
        assert!(stderr.contains("help:"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

/// Values by plan, where a segment can be lost or doubled.
const BY_PLAN: [&str; 2] = ["--by", "plan"];

/// `measure -w WS --format json EXTRA` with extra environment variables, rows keyed.
fn values_env(
    dir: &Path,
    ws: &str,
    extra: &[&str],
    env: &[(String, String)],
) -> BTreeMap<String, serde_json::Value> {
    let r = Command::new(env!("CARGO_BIN_EXE_throughline"))
        .args(["measure", "-w", ws, "--format", "json"])
        .args(extra)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "measure -w {ws} {extra:?}: {stderr}");
    keyed(&String::from_utf8_lossy(&r.stdout))
}

/// The demo's files in the local S3 server (scripts/test-s3), on a cluster whose scheduler
/// lists the objects and whose executors read them, each with the S3 client's variables in
/// its own environment: the values of the same files on disk, embedded. The pattern
/// (`part-*.parquet`) leaves out a file in the same folder, on disk and in S3, here and on
/// the cluster.
#[test]
fn the_demo_in_s3_on_a_cluster_equals_the_embedded_engine_on_disk() {
    let Some(endpoint) = common::s3_endpoint() else {
        return;
    };
    let tmp = common::demo_of("5000", "9");
    // a stale copy beside the part files, which the pattern leaves out: a plan that lost
    // the pattern on its way to the executors would count every event twice
    let events = tmp.path().join("ws/data/events");
    std::fs::copy(
        events.join("part-00000.parquet"),
        events.join("stale-00000.parquet"),
    )
    .unwrap();
    let yaml = tmp.path().join("ws/throughline.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap();
    let text = text.replace("data/events/*.parquet", "data/events/part-*.parquet");
    std::fs::write(&yaml, text).unwrap();
    common::workspace_in_s3(tmp.path(), "ws", "lake", &endpoint);
    let env = common::s3_env(&endpoint);
    let (url, _scheduler, executors) = cluster_with(tmp.path(), 2, &env);
    let on_disk = values_env(tmp.path(), "ws", &BY_PLAN, &[]);
    assert!(on_disk.len() > 100, "{}", on_disk.len());
    assert_same(
        &on_disk,
        &values_env(tmp.path(), "ws", &["--by", "plan", "--cluster", &url], &[]),
    );
    assert_same(&on_disk, &values_env(tmp.path(), "lake", &BY_PLAN, &env));
    assert_same(
        &on_disk,
        &values_env(
            tmp.path(),
            "lake",
            &["--by", "plan", "--cluster", &url],
            &env,
        ),
    );
    for (i, e) in executors.iter().enumerate() {
        assert!(e.tasks() > 0, "executor {i} ran no task:\n{}", e.log());
    }
}

/// Network namespaces joined by a bridge: each a machine of its own, with its own address.
/// Made by [`Hosts::new`] and removed when dropped.
struct Hosts {
    prefix: String,
    subnet: String,
    count: usize,
}

impl Hosts {
    /// `count` namespaces at `10.231.N.2`, `.3`, …, this process's at `.1` on the bridge;
    /// `None` when the machine cannot make them (not root, no `ip`, no permission).
    fn new(count: usize) -> Option<Hosts> {
        let n = std::process::id() % 250;
        let hosts = Hosts {
            prefix: format!("tl{n}"),
            subnet: format!("10.231.{n}"),
            count,
        };
        hosts.remove();
        let br = format!("{}br", hosts.prefix);
        let mut steps: Vec<Vec<String>> = vec![
            vec!["link", "add", &br, "type", "bridge"],
            vec!["addr", "add", &format!("{}.1/24", hosts.subnet), "dev", &br],
            vec!["link", "set", &br, "up"],
        ]
        .into_iter()
        .map(|v| v.into_iter().map(String::from).collect())
        .collect();
        for i in 0..count {
            let ns = hosts.ns(i);
            let (outer, inner) = (format!("{ns}a"), format!("{ns}b"));
            let addr = format!("{}/24", hosts.addr(i));
            for step in [
                vec!["netns", "add", &ns],
                vec![
                    "link", "add", &outer, "type", "veth", "peer", "name", &inner,
                ],
                vec!["link", "set", &inner, "netns", &ns],
                vec!["link", "set", &outer, "master", &br],
                vec!["link", "set", &outer, "up"],
                vec!["-n", &ns, "addr", "add", &addr, "dev", &inner],
                vec!["-n", &ns, "link", "set", &inner, "up"],
                vec!["-n", &ns, "link", "set", "lo", "up"],
            ] {
                steps.push(step.into_iter().map(String::from).collect());
            }
        }
        for step in steps {
            let ok = Command::new("ip")
                .args(&step)
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("skipped: `ip {}` failed (needs root)", step.join(" "));
                return None;
            }
        }
        Some(hosts)
    }

    fn ns(&self, i: usize) -> String {
        format!("{}n{i}", self.prefix)
    }

    fn addr(&self, i: usize) -> String {
        format!("{}.{}", self.subnet, i + 2)
    }

    fn remove(&self) {
        for i in 0..self.count {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(i)])
                .stderr(Stdio::null())
                .status();
        }
        let _ = Command::new("ip")
            .args(["link", "del", &format!("{}br", self.prefix)])
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        self.remove();
    }
}

/// Waits until `addr` accepts connections from this namespace.
fn wait_reachable(addr: &str, what: &str, log: &Process) {
    let start = Instant::now();
    let to: std::net::SocketAddr = addr.parse().unwrap();
    while TcpStream::connect_timeout(&to, Duration::from_millis(500)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} at {addr} never answered:\n{}",
            log.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Four machines in network namespaces, each with its own address and working folder: the
/// S3 server, the scheduler and two executors; the client here. The demo read from the
/// object store on that cluster gives the embedded values of the same files on disk, so
/// nothing depends on one machine's files or on 127.0.0.1.
#[test]
fn a_cluster_of_separate_hosts_reads_the_object_store_with_the_embedded_values() {
    let Ok(moto) = std::env::var("THROUGHLINE_TEST_MOTO") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "THROUGHLINE_TEST_MOTO is not set under CI: run the tests with scripts/test"
        );
        eprintln!("skipped: no THROUGHLINE_TEST_MOTO (scripts/test sets it)");
        return;
    };
    let Some(hosts) = Hosts::new(4) else {
        return;
    };
    let tmp = common::demo_of("5000", "11");

    // host 0: the object store
    let s3 = format!("{}:5000", hosts.addr(0));
    let store = Process::spawn(
        Some(&hosts.ns(0)),
        &moto,
        &["-H", &hosts.addr(0), "-p", "5000"],
        tmp.path().join("s3.log"),
        &[],
    );
    wait_reachable(&s3, "the S3 server", &store);
    let endpoint = format!("http://{s3}");
    let made = Command::new("curl")
        .args(["-fsS", "-X", "PUT", &format!("{endpoint}/throughline-test")])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    common::workspace_in_s3(tmp.path(), "ws", "lake", &endpoint);
    let env = common::s3_env(&endpoint);

    // host 1: the scheduler; hosts 2 and 3: the executors, each with its own folder
    let sched = format!("{}:50050", hosts.addr(1));
    let scheduler = Process::start_in(
        Some(&hosts.ns(1)),
        &["cluster", "scheduler", "--bind", &sched],
        tmp.path().join("scheduler.log"),
        &env,
    );
    wait_reachable(&sched, "the scheduler", &scheduler);
    let executors: Vec<Process> = (2..4)
        .map(|i| {
            let work = tmp.path().join(format!("work-{i}"));
            std::fs::create_dir_all(&work).unwrap();
            let mut e = Process::start_in(
                Some(&hosts.ns(i)),
                &[
                    "cluster",
                    "executor",
                    "--scheduler",
                    &sched,
                    "--bind",
                    &format!("{}:50051", hosts.addr(i)),
                    "--concurrency",
                    "1",
                    "--work-dir",
                    &work.to_string_lossy(),
                ],
                tmp.path().join(format!("executor-{i}.log")),
                &env,
            );
            e.wait_for("registration succeed", 60);
            e
        })
        .collect();

    let url = format!("df://{sched}");
    let on_disk = values_env(tmp.path(), "ws", &BY_PLAN, &[]);
    let on_hosts = values_env(
        tmp.path(),
        "lake",
        &["--by", "plan", "--cluster", &url],
        &env,
    );
    assert_same(&on_disk, &on_hosts);
    for (i, e) in executors.iter().enumerate() {
        assert!(e.tasks() > 0, "executor {i} ran no task:\n{}", e.log());
    }
    // the shuffle files went to each executor's own folder
    for i in 2..4 {
        let work = tmp.path().join(format!("work-{i}"));
        assert!(
            std::fs::read_dir(&work).unwrap().next().is_some(),
            "nothing in {}",
            work.display()
        );
    }
    drop(executors);
    drop(scheduler);
    drop(store);
}
