#!/usr/bin/env python3
"""Benchmark of PostgreSQL sources: every demo metric computed inside PostgreSQL (the plans
pushed down) against the same data as Parquet files on the embedded engine (the named
baseline), in one run.

Generates the demo data set (or reuses it), loads it into PostgreSQL (tables `events` and
`users`, with `crates/postgres/examples/load_parquet.rs`), writes a copy of the workspace whose
sources are those tables, then:
  1. Parquet: `measure --grain week --format json`, in total and `--by plan`, timed, peak RSS;
  2. PostgreSQL: the same, with the server's statement log (pg_stat_statements) reset first,
     then read: statements run, rows they returned (what crossed the wire) and server time;
  3. compares every value of the two runs (exit status 1 if any differs).

Usage:
  export URL=$(scripts/test-postgres start)      # a server with pg_stat_statements loaded
  cargo build --release -p throughline -p throughline-postgres --bins --examples
  python3 bench/postgres_vs_parquet.py --url "$URL" --users 810000   # about 10M events

The database named by --url is used as is: its `events` and `users` tables are replaced.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "throughline")
LOAD = os.path.join(TARGET, "release", "examples", "load_parquet")


def timed(cmd, env=None):
    """Runs cmd under /usr/bin/time; returns (stdout, seconds, peak RSS in MB)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    return p.stdout, secs, peak_kb / 1024


def psql(url, sql):
    p = subprocess.run(["psql", url, "-X", "-q", "-A", "-t", "-F", "\t", "-c", sql],
                       capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"psql failed: {sql}\n{p.stderr}")
    return [line.split("\t") for line in p.stdout.strip().splitlines() if line]


def postgres_workspace(src, dst):
    """A copy of the demo workspace reading the tables through $THROUGHLINE_BENCH_DB."""
    os.makedirs(dst, exist_ok=True)
    for name in os.listdir(src):
        if name.endswith((".yaml", ".md")):
            text = open(os.path.join(src, name)).read()
            if name == "throughline.yaml":
                text = text.replace(
                    "format: parquet\n    path: data/events/*.parquet",
                    "format: postgres\n    table: events\n    url_env: THROUGHLINE_BENCH_DB",
                ).replace(
                    "format: parquet\n    path: data/users.parquet",
                    "format: postgres\n    table: users\n    url_env: THROUGHLINE_BENCH_DB",
                )
                assert text.count("format: postgres") == 2, "the demo's sources changed shape"
            open(os.path.join(dst, name), "w").write(text)


def values(out):
    rows = json.loads(out)
    return {(r["metric"], r["start"], json.dumps(r["segment"], sort_keys=True)): r for r in rows}


def differ(a, b):
    bad = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if x is None or y is None:
            bad.append(f"{k}: only in {'PostgreSQL' if x is None else 'Parquet'}")
            continue
        for f in ("value", "numerator", "denominator", "complete"):
            u, v = x.get(f), y.get(f)
            if isinstance(u, float) and isinstance(v, float):
                if abs(u - v) > 1e-6 * max(1.0, abs(u), abs(v)):
                    bad.append(f"{k} {f}: {u} vs {v}")
            elif u != v:
                bad.append(f"{k} {f}: {u} vs {v}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="postgres://… of the database to load into")
    ap.add_argument("--users", type=int, default=810_000)
    ap.add_argument("--dir", help="demo workspace (default /tmp/tl-pgbench-USERS)")
    ap.add_argument("--skip-load", action="store_true", help="the tables are already loaded")
    a = ap.parse_args()
    for b in (BIN, LOAD):
        if not os.path.exists(b):
            sys.exit(f"{b} is missing: cargo build --release -p throughline -p throughline-postgres --bins --examples")
    d = a.dir or f"/tmp/tl-pgbench-{a.users}"
    if not os.path.exists(os.path.join(d, "throughline.yaml")):
        print(f"generating the demo with {a.users} users in {d} …", flush=True)
        subprocess.run([BIN, "demo", d, "--users", str(a.users)], check=True, stdout=subprocess.DEVNULL)
    if not a.skip_load:
        for table, path in (("events", f"{d}/data/events/*.parquet"), ("users", f"{d}/data/users.parquet")):
            t0 = time.perf_counter()
            subprocess.run([LOAD, a.url, table, path], check=True)
            print(f"loaded {table} in {time.perf_counter() - t0:.1f}s", flush=True)
    events = int(psql(a.url, "SELECT count(*) FROM events")[0][0])
    pg_dir = d + "-postgres"
    postgres_workspace(d, pg_dir)
    env = dict(os.environ, THROUGHLINE_BENCH_DB=a.url)
    psql(a.url, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    print(f"\n{events:,} events in PostgreSQL and as Parquet; every demo metric, weekly\n")
    print(f"{'run':<10} {'source':<11} {'seconds':>8} {'peak MB':>8} {'statements':>10} {'rows back':>11} {'server s':>9}")
    failed = False
    for label, extra in (("total", []), ("by plan", ["--by", "plan"])):
        cmd = [BIN, "measure", "--grain", "week", "--format", "json"] + extra
        parquet_out, p_secs, p_mb = timed(cmd + ["-w", d], env)
        psql(a.url, "SELECT pg_stat_statements_reset()")
        pg_out, g_secs, g_mb = timed(cmd + ["-w", pg_dir], env)
        stats = psql(a.url, """
            SELECT count(*), coalesce(sum(rows), 0), coalesce(sum(total_exec_time), 0) / 1000
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query LIKE '%"events"%' AND query NOT LIKE '%pg_stat_statements%'""")[0]
        print(f"{label:<10} {'Parquet':<11} {p_secs:>8.2f} {p_mb:>8.0f} {'-':>10} {'-':>11} {'-':>9}")
        print(f"{'':<10} {'PostgreSQL':<11} {g_secs:>8.2f} {g_mb:>8.0f} {int(stats[0]):>10} {int(stats[1]):>11,} {float(stats[2]):>9.2f}")
        bad = differ(values(pg_out), values(parquet_out))
        if bad:
            failed = True
            print(f"  {len(bad)} values differ, e.g.:\n    " + "\n    ".join(bad[:10]))
        else:
            print(f"  all {len(values(pg_out))} values equal")
    print(f"\nrows back: what PostgreSQL returned for all statements over events (the table has {events:,});")
    print("PostgreSQL figures are with the server's default settings (work_mem 4MB).")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
