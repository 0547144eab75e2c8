#!/usr/bin/env python3
"""Incremental refresh against a full recompute (the named baseline), in one run.

On the demo workspace (1M users by default, about 12.5M events):
  1. `measure --save --full`: every period from all of the events (the baseline), which also
     writes the cache;
  2. a new part file holding a week of later events (the data's last week moved on by 7 days,
     written by DuckDB next to the other parts), as a daily export would add;
  3. `measure --save`: the refresh, which reads the new file, the cached first events of the
     others, and recomputes only the periods the new week can change;
  4. `measure --full` on the same files: the values the refresh must equal, compared value by
     value (metric, period, segment, value, parts, completeness, curve, steps);
  5. the same refresh again with nothing changed.

Usage:
  pip install duckdb
  cargo build --release -p throughline
  python3 bench/refresh.py [--users 1000000] [--dir /tmp/tl-refresh-1m] [--weekly-files]

The demo writes one file per 50,000 users, each holding all 25 weeks, so every file holds
events the refresh reads again. `--weekly-files` first rewrites the events as one file per
week (as exports by day or week come), so that the files before the refresh's window are not
read at all.

Prints each run's seconds and peak memory, the share of the events the refresh's window holds
(the events from its cut on; the demo's later weeks hold more events than its first), and the
refresh's share of the full run's time (the goal: at most a quarter, aiming for a tenth).
Exit status 1 if any value differs.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "throughline")


def timed(args):
    """Runs throughline with args under /usr/bin/time; returns (stdout, stderr, seconds, peak MB)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", BIN] + args, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: throughline {' '.join(args)}\n{p.stderr}")
    lines = p.stderr.strip().splitlines()
    return p.stdout, "\n".join(lines[:-1]), secs, int(lines[-1]) / 1024


def said(stderr, start):
    return next((l for l in stderr.splitlines() if l.startswith(start)), "(nothing said)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/tl-refresh-1m")
    ap.add_argument("--weekly-files", action="store_true",
                    help="rewrite the demo's events as one file per week first")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release -p throughline (CARGO_TARGET_DIR says where)")
    import duckdb

    # a fresh copy of the demo each run, so the new part file is the only change
    if os.path.exists(a.dir):
        shutil.rmtree(a.dir)
    t0 = time.perf_counter()
    subprocess.run([BIN, "demo", a.dir, "--users", str(a.users)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    events = os.path.join(a.dir, "data", "events")
    con = duckdb.connect()
    if a.weekly_files:
        weekly = os.path.join(a.dir, "data", "weekly")
        con.execute(f"""COPY (SELECT *, strftime(date_trunc('week', ts), '%Y-%m-%d') AS week
                              FROM '{events}/*.parquet' ORDER BY ts)
                        TO '{weekly}' (FORMAT parquet, PARTITION_BY (week))""")
        shutil.rmtree(events)
        os.makedirs(events)
        for d in sorted(os.listdir(weekly)):
            for i, f in enumerate(sorted(os.listdir(os.path.join(weekly, d)))):
                os.rename(os.path.join(weekly, d, f),
                          os.path.join(events, f"{d.split('=')[1]}-{i}.parquet"))
        shutil.rmtree(weekly)
    n, last = con.execute(f"SELECT count(*), max(ts) FROM '{events}/*.parquet'").fetchone()
    print(f"data: the demo with {a.users:,} users, {n:,} events to {last} "
          f"({len(os.listdir(events))} part files), made in {time.perf_counter() - t0:.0f} s", flush=True)

    ws = ["-w", a.dir, "--format", "json"]
    _, err, full_s, full_mb = timed(["measure", "--save", "--full"] + ws)
    print(f"1. full run, measure --save --full: {full_s:.2f} s, peak {full_mb:.0f} MB", flush=True)

    # the last 7 days of events again, 7 days later: a week of new data in one new file
    new_file = os.path.join(events, "part-later.parquet")
    con.execute(f"""COPY (SELECT * REPLACE (ts + INTERVAL 7 DAY AS ts) FROM '{events}/*.parquet'
                          WHERE ts > (SELECT max(ts) FROM '{events}/*.parquet') - INTERVAL 7 DAY)
                    TO '{new_file}' (FORMAT parquet)""")
    added = con.execute(f"SELECT count(*) FROM '{new_file}'").fetchone()[0]
    print(f"2. added {os.path.basename(new_file)}: {added:,} events in the week after the data's end", flush=True)

    refreshed, err, ref_s, ref_mb = timed(["measure", "--save"] + ws)
    print(f"3. refresh, measure --save: {ref_s:.2f} s, peak {ref_mb:.0f} MB", flush=True)
    print(f"   it said: {said(err, 'refreshed') if 'refreshed' in err else said(err, 'computed')}")
    # how much of the data the refresh's window holds: the bound on what a window saves (the
    # cut is a local midnight, and the demo's zone is UTC)
    since = re.search(r"computed from the events since (\d{4}-\d{2}-\d{2})", err)
    if since:
        total, inside = con.execute(
            f"""SELECT count(*), count(*) FILTER (WHERE ts >= TIMESTAMPTZ '{since[1]} 00:00:00+00')
                FROM '{events}/*.parquet'""").fetchone()
        print(f"   its window: the {inside:,} events since {since[1]} of {total:,} "
              f"({100 * inside / total:.0f}%), and each user's first events before it", flush=True)

    full, _, full2_s, full2_mb = timed(["measure", "--full"] + ws)
    print(f"4. full run on the new files, measure --full: {full2_s:.2f} s, peak {full2_mb:.0f} MB", flush=True)
    got, want = json.loads(refreshed), json.loads(full)
    differ = [(g, w) for g, w in zip(got, want) if g != w]
    same = len(got) == len(want) and not differ
    print(f"   values: {len(got)} refreshed, {len(want)} in full; "
          + ("all equal" if same else f"{len(differ)} differ, first: {differ[:1]}"))

    again, err, again_s, again_mb = timed(["measure", "--save"] + ws)
    print(f"5. refresh with nothing changed: {again_s:.2f} s, peak {again_mb:.0f} MB; "
          f"values {'equal' if json.loads(again) == want else 'DIFFER'}")

    share = ref_s / full2_s
    print(f"\nrefresh / full run on the same files: {ref_s:.2f} s / {full2_s:.2f} s = {share:.2f} "
          f"(goal <= 0.25, aim 0.10): {'met' if share <= 0.25 else 'NOT met'}")
    sys.exit(0 if same and json.loads(again) == want else 1)


if __name__ == "__main__":
    main()
