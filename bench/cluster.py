#!/usr/bin/env python3
"""Benchmark: every demo metric (weekly) on a Ballista cluster of 1 and of 2 executors, each
with stages of 2 and of 8 partitions (DATAFUSION_EXECUTION_TARGET_PARTITIONS), against the
embedded engine (the named baseline), in one run, on the demo data set. For each it prints
the time, the tasks each executor ran and the tasks per stage.

All processes run on this one machine, so the figures show the cluster's overhead (plans
sent over gRPC, shuffles written to disk and read back over Arrow Flight, results returned to
the client), not a speed-up: the executors share the same cores the embedded engine uses
alone. Every value on the cluster is compared with the embedded engine's.

Usage:
  cargo build --release -p throughline
  python3 bench/cluster.py --users 1000000 [--dir /tmp/tl-bench-1m] [--concurrency N]

Exit status 1 if a value differs.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "throughline")


def free_port():
    """A port with the next one free too (an executor takes both)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue


def wait_for(path, text, secs=60):
    t0 = time.time()
    while time.time() - t0 < secs:
        if os.path.exists(path) and text in open(path).read():
            return
        time.sleep(0.1)
    sys.exit(f"no `{text}` in {path} within {secs} s:\n{open(path).read()}")


def start_cluster(executors, concurrency, logs):
    port = free_port()
    env = dict(os.environ, RUST_LOG="warn,throughline_cluster=info,ballista_executor::executor_server=info")
    procs = [subprocess.Popen([BIN, "cluster", "scheduler", "--bind", f"127.0.0.1:{port}"],
                              stderr=open(f"{logs}/scheduler.log", "w"), env=env)]
    t0 = time.time()
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() - t0 > 30:
                sys.exit("the scheduler did not start")
            time.sleep(0.1)
    for i in range(executors):
        log = f"{logs}/executor-{i}.log"
        cmd = [BIN, "cluster", "executor", "--scheduler", f"127.0.0.1:{port}",
               "--bind", f"127.0.0.1:{free_port()}"]
        if concurrency:
            cmd += ["--concurrency", str(concurrency)]
        procs.append(subprocess.Popen(cmd, stderr=open(log, "w"), env=env))
        wait_for(log, "registration succeed")
    return f"df://127.0.0.1:{port}", procs


def measure(d, extra, partitions=None):
    cmd = ["/usr/bin/time", "-f", "%M", BIN, "measure", "-w", d, "--grain", "week", "--format", "json"] + extra
    env = dict(os.environ)
    if partitions:
        env["DATAFUSION_EXECUTION_TARGET_PARTITIONS"] = str(partitions)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    peak_mb = int(p.stderr.strip().splitlines()[-1]) / 1024
    rows = {(r["metric"], r["start"], json.dumps(r.get("segment"), sort_keys=True)): r["value"]
            for r in json.loads(p.stdout)}
    return rows, secs, peak_mb


def tasks(logs, executors):
    return [open(f"{logs}/executor-{i}.log").read().count(" runs task ") for i in range(executors)]


def per_stage(logs, executors):
    """Over every job: how many stages ran, the tasks per stage, and the output partitions
    each task wrote (`global_output_partition_ids` in the executor's log line)."""
    tasks, outputs = {}, []
    for i in range(executors):
        for line in open(f"{logs}/executor-{i}.log"):
            if " runs task " not in line or " of job " not in line:
                continue
            rest = line.split(" of job ", 1)[1].strip()
            stage, _, ids = rest.partition(", partitions ")
            tasks[stage] = tasks.get(stage, 0) + 1
            outputs.append(len([x for x in ids.strip("[] ").split(",") if x.strip()]))
    if not tasks:
        return "no stages"
    t = sorted(tasks.values())
    o = sorted(outputs)
    return (f"{len(t)} stages; tasks per stage median {t[len(t) // 2]}, max {t[-1]}; "
            f"output partitions per task median {o[len(o) // 2]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--concurrency", type=int, default=0,
                    help="tasks at once per executor (default: the machine's cores)")
    a = ap.parse_args()
    d = a.dir or f"/tmp/tl-bench-{a.users}"
    if not os.path.exists(os.path.join(d, "throughline.yaml")):
        print(f"generating the demo with {a.users} users in {d} ...", flush=True)
        subprocess.run([BIN, "demo", d, "--users", str(a.users)], check=True, stdout=subprocess.DEVNULL)
    print(f"machine: {os.cpu_count()} cores; data: {d}", flush=True)

    base, base_secs, mb = measure(d, [])
    secs = base_secs
    print(f"{'embedded (baseline)':<24} {secs:8.1f} s  client peak RSS {mb:7.0f} MB  {len(base)} values", flush=True)
    bad = 0
    for n in (1, 2):
        for parts in (2, 8):
            with tempfile.TemporaryDirectory() as logs:
                url, procs = start_cluster(n, a.concurrency, logs)
                try:
                    rows, secs, mb = measure(d, ["--cluster", url], parts)
                    per = tasks(logs, n)
                    stages = per_stage(logs, n)
                finally:
                    for p in procs:
                        p.kill()
                        p.wait()
            def differs(k):
                a, b = base[k], rows.get(k)
                if a is None or b is None:
                    return a is not b or k not in rows
                return abs(a - b) > 1e-9 * max(abs(a), 1.0)
            diff = [k for k in base if differs(k)]
            bad += len(diff) + len(set(rows) - set(base))
            print(f"{f'{n} executor(s), {parts} partitions':<24} {secs:8.1f} s  client peak RSS {mb:7.0f} MB  "
                  f"{secs / base_secs:.2f}x the embedded time  tasks per executor {per}  {stages}  "
                  f"{'values equal' if not diff else f'{len(diff)} values differ, e.g. {diff[:3]}'}",
                  flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
