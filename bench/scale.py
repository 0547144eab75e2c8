#!/usr/bin/env python3
"""Scale run: every demo metric, weekly, over a data set built from demo parts; prints the
time and the peak memory (RSS) of `throughline measure --full` (every period computed, as on
a first run; a run without `--full` would take what has not changed from the cache).

`throughline demo` writes at most 50M users (about 625M events) at once, so a larger data set
is built in parts: part k is a demo of --users-per-part users with seed 7 + k, its user ids
moved up by k x 50,000,000 (DuckDB rewrites its event files into the first part's events
folder, and its users into one users file), so the parts' users are distinct. A last small
part tops the total up to --events when the parts fall short.

Then a second method checks a sample of the values: DuckDB runs bench/engine_vs_duckdb.py's
hand-written SQL of the metrics in --check (by default the six that read the events alone,
which DuckDB computes in minutes at 1B events) on the same files, and every weekly value of
those metrics is compared with throughline's, both ways (a non-zero throughline value for a
week DuckDB has no row for differs too). Exit status 1 if any differs.

Usage:
  pip install duckdb
  cargo build --release -p throughline
  python3 bench/scale.py --events 1000000000 --dir /tmp/tl-1b    # 2 parts of 40.1M users
  python3 bench/scale.py --events 100000000 --dir /tmp/tl-100m   # 1 part of 8.1M users
  python3 bench/scale.py ... --check none                        # no DuckDB check
  RUST_LOG=throughline_engine=debug python3 bench/scale.py ... --log /tmp/1b.err  # each step's seconds

Needs about 11 GB of disk per billion events, plus the spill folder (THROUGHLINE_SPILL_DIR or
the system's temp folder) for the activity roll-up.
"""

import argparse
import glob
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from engine_vs_duckdb import SQL  # noqa: E402  (the hand-written DuckDB SQL of each metric)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "throughline")
EVENTS_PER_USER = 12.46  # the demo's mean
MAX_USERS = 40_100_000
ID_STRIDE = 50_000_000
# the metrics DuckDB checks by default: those it reads from the events alone (no cohorts, no
# self-joins), which it computes in minutes at 1B events
CHECKED = ["weekly_active_users", "invites_sent", "support_tickets", "revenue", "active_users",
           "new_user_nps"]


def demo(path, users, seed):
    t0 = time.perf_counter()
    subprocess.run([BIN, "demo", path, "--users", str(users), "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL)
    print(f"  part seed {seed}: {users} users in {time.perf_counter() - t0:.0f} s", flush=True)


def build(d, events, per_part):
    import duckdb
    con = duckdb.connect()
    users_file = os.path.join(d, "data", "users-all.parquet")
    total_users = round(events / EVENTS_PER_USER)
    parts = []
    while total_users > 0:
        parts.append(min(total_users, per_part))
        total_users -= parts[-1]
    demo(d, parts[0], 7)
    con.execute(f"COPY (SELECT * FROM '{d}/data/users.parquet') TO '{users_file}' (FORMAT parquet)")
    os.remove(os.path.join(d, "data", "users.parquet"))

    def add_part(k, users):
        part = f"{d}-part{k}"
        demo(part, users, 7 + k)
        shift = k * ID_STRIDE
        con.execute(f"""COPY (SELECT user_id + {shift} AS user_id, * EXCLUDE (user_id)
                              FROM '{part}/data/events/*.parquet')
                        TO '{d}/data/events/part{k}' (FORMAT parquet, PER_THREAD_OUTPUT true)""")
        for i, f in enumerate(sorted(glob.glob(f"{d}/data/events/part{k}/*.parquet"))):
            os.rename(f, f"{d}/data/events/p{k}-{i:05d}.parquet")
        os.rmdir(f"{d}/data/events/part{k}")
        con.execute(f"""COPY (SELECT * FROM '{users_file}' UNION ALL
                              SELECT user_id + {shift} AS user_id, * EXCLUDE (user_id)
                              FROM '{part}/data/users.parquet')
                        TO '{users_file}.new' (FORMAT parquet)""")
        os.replace(f"{users_file}.new", users_file)
        subprocess.run(["rm", "-rf", part], check=True)

    for k, users in enumerate(parts[1:], start=1):
        add_part(k, users)
    n = con.execute(f"SELECT count(*) FROM '{d}/data/events/*.parquet'").fetchone()[0]
    if n < events:
        add_part(len(parts), round((events - n) / EVENTS_PER_USER) + 1000)
    ws = os.path.join(d, "throughline.yaml")
    text = open(ws).read().replace("path: data/users.parquet", "path: data/users-all.parquet")
    open(ws, "w").write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000_000)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--users-per-part", type=int, default=MAX_USERS,
                    help="users per demo part (at most 50M; smaller to try the script quickly)")
    ap.add_argument("--check", default=",".join(CHECKED),
                    help="the metrics DuckDB computes again, comma-separated; 'all' or 'none'")
    ap.add_argument("--log", metavar="FILE",
                    help="write the measurement's stderr here (with RUST_LOG=throughline_engine=debug, "
                         "the seconds of each step)")
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: cargo build --release -p throughline (CARGO_TARGET_DIR says where)")
    import duckdb
    if not os.path.exists(os.path.join(a.dir, "throughline.yaml")):
        print(f"building about {a.events:,} events in {a.dir} …", flush=True)
        build(a.dir, a.events, min(a.users_per_part, MAX_USERS))
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM '{a.dir}/data/events/*.parquet'").fetchone()[0]
    u = con.execute(f"SELECT count(*) FROM '{a.dir}/data/users-all.parquet'").fetchone()[0]
    print(f"data: {n:,} events of {u:,} users", flush=True)
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %e", BIN, "measure", "-w", a.dir,
                        "--grain", "week", "--format", "json", "--full"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"measure failed after {time.perf_counter() - t0:.0f} s:\n{p.stderr}")
    if a.log:
        with open(a.log, "w") as f:
            f.write(p.stderr)
    peak_kb, secs = p.stderr.strip().splitlines()[-1].split()
    # what the run told (a cohort join computed in parts, a warning about the data)
    for line in p.stderr.splitlines():
        if line.startswith(("note:", "warning:")):
            print(f"  {line}", flush=True)
    values = p.stdout.count('"metric"')
    print(f"measure, every metric weekly: {float(secs):.0f} s, peak RSS {int(peak_kb) / 1024 / 1024:.2f} GB, "
          f"{values} values (goal at 100M events: <= 3 GB; the machine: {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB)",
          flush=True)
    checked = list(SQL) if a.check == "all" else [m for m in a.check.split(",") if m and m != "none"]
    unknown = [m for m in checked if m not in SQL]
    if unknown:
        sys.exit(f"--check: no DuckDB SQL for {', '.join(unknown)}; known: {', '.join(SQL)}")
    if checked and not check(a.dir, p.stdout, checked):
        sys.exit(1)



def check(d, text, metrics):
    """DuckDB computes `metrics` again on the same files; True when every value is the same."""
    import duckdb
    got = {(r["metric"], r["start"][:10]): r["value"] for r in json.loads(text)}
    con = duckdb.connect()
    con.execute(f"CREATE VIEW ev AS SELECT user_id, ts, event::VARCHAR AS event, amount, score "
                f"FROM '{d}/data/events/*.parquet'")
    compared, differ = 0, []
    t0 = time.perf_counter()
    for m in metrics:
        seen = set()
        for period, _, want in con.execute(SQL[m].format(seg="''", useg="''", join="")).fetchall():
            key = (m, period.strftime("%Y-%m-%d"))
            seen.add(key)
            have = got.get(key)
            compared += 1
            if want is None and have is None:
                continue
            if have is None or want is None or not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-9):
                differ.append((key, have, want))
        # the other way: a value throughline gives for a period DuckDB has no row for (DuckDB
        # gives no row for an empty period, which throughline gives as 0 or no value)
        for key, have in got.items():
            if key[0] == m and key not in seen and have not in (0, 0.0, None):
                compared += 1
                differ.append((key, have, None))
    print(f"DuckDB on the same files, {', '.join(metrics)}: {compared} values compared in "
          f"{time.perf_counter() - t0:.0f} s, {len(differ)} differ", flush=True)
    for x in differ[:10]:
        print("   differs:", x)
    return not differ


if __name__ == "__main__":
    main()
