#!/usr/bin/env python3
"""Benchmark and cross-check of the metric engine against DuckDB (the named baseline).

Generates the demo data set (or reuses it), then in the same run:
  1. throughline: `measure --grain week --format json` on every demo metric, in total and
     `--by plan`, timing each run and its peak memory;
  2. DuckDB: hand-written SQL of DESIGN.md's definitions for the same metrics on the same
     Parquet files, timed the same way;
  3. plain DataFusion SQL: the same definitions hand-written for DataFusion 55
     (`crates/engine/examples/plain_sql.rs`), the engine's own query library without it;
  4. compares every value throughline printed with DuckDB's (an independent computation);
  5. per metric: each one measured alone by throughline (`--metric M`, one process each, so
     it includes opening the sources), by DuckDB and by plain DataFusion.

Usage:
  pip install duckdb
  cargo build --release -p throughline -p throughline-engine --bins --examples
  python3 bench/engine_vs_duckdb.py --users 1000000 [--dir /tmp/tl-bench-1m]

Figures go to stdout; exit status 1 if any value differs.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "throughline")
PLAIN = os.path.join(TARGET, "release", "examples", "plain_sql")


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, seconds, peak RSS in MB)."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stderr}")
    peak_kb = int(p.stderr.strip().splitlines()[-1])
    return p.stdout, secs, peak_kb / 1024


# DESIGN.md's definitions as DuckDB SQL. {seg} is the segment expression ('' for the total),
# {segcol} the output column. Weeks start on Monday, UTC.
SQL = {
    "weekly_active_users": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(DISTINCT e.user_id)::DOUBLE AS value
        FROM ev e {join} WHERE e.event = 'workflow_completed' GROUP BY ALL""",
    "invites_sent": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(*)::DOUBLE AS value
        FROM ev e {join} WHERE e.event = 'invite_sent' GROUP BY ALL""",
    "support_tickets": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(*)::DOUBLE AS value
        FROM ev e {join} WHERE e.event = 'support_ticket_created' GROUP BY ALL""",
    "revenue": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, sum(e.amount) AS value
        FROM ev e {join} WHERE e.event = 'purchase' GROUP BY ALL""",
    "active_users": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(DISTINCT e.user_id)::DOUBLE AS value
        FROM ev e {join} GROUP BY ALL""",
    "new_user_nps": """
        SELECT date_trunc('week', e.ts) AS period, {seg} AS segment,
               100.0 * (count(*) FILTER (WHERE e.score >= 9) - count(*) FILTER (WHERE e.score <= 6)) / count(*) AS value
        FROM ev e {join} WHERE e.event = 'nps_submitted' AND e.score BETWEEN 0 AND 10 GROUP BY ALL""",
    "activation_rate": """
        WITH c AS (
          SELECT u.user_id, u.created_at, {useg} AS segment,
                 EXISTS (SELECT 1 FROM ev e WHERE e.user_id = u.user_id AND e.event = 'workflow_completed'
                         AND e.ts >= u.created_at AND e.ts <= u.created_at + INTERVAL 7 DAY) AS hit
          FROM us u)
        SELECT date_trunc('week', created_at) AS period, segment, 100.0 * avg(hit::INT) AS value
        FROM c GROUP BY ALL""",
    "time_to_first_value": """
        WITH f AS (
          SELECT u.user_id, u.created_at, {useg} AS segment,
                 (SELECT min(e.ts) FROM ev e WHERE e.user_id = u.user_id AND e.event = 'workflow_completed'
                  AND e.ts >= u.created_at AND e.ts <= u.created_at + INTERVAL 14 DAY) AS first
          FROM us u)
        SELECT date_trunc('week', created_at) AS period, segment,
               median(epoch_us(first) - epoch_us(created_at)) / 1e6 AS value
        FROM f GROUP BY ALL HAVING count(first) > 0""",
    "retention_w4": """
        WITH r AS (
          SELECT u.user_id, u.created_at, {useg} AS segment,
                 EXISTS (SELECT 1 FROM ev e WHERE e.user_id = u.user_id AND e.event = 'session_started'
                         AND e.ts >= u.created_at + INTERVAL 28 DAY AND e.ts < u.created_at + INTERVAL 35 DAY) AS back
          FROM us u)
        SELECT date_trunc('week', created_at) AS period, segment, 100.0 * avg(back::INT) AS value
        FROM r GROUP BY ALL""",
    "stickiness": """
        WITH d AS (SELECT date_trunc('day', e.ts) AS day, {seg} AS segment, count(DISTINCT e.user_id) AS dau
                   FROM ev e {join} GROUP BY ALL),
             w AS (SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(DISTINCT e.user_id) AS wau
                   FROM ev e {join} GROUP BY ALL),
             bounds AS (SELECT min(date_trunc('day', ts)) AS lo, max(date_trunc('day', ts)) AS hi FROM ev)
        SELECT w.period, w.segment,
               100.0 * sum(d.dau) / (date_diff('day', greatest(w.period, any_value(bounds.lo)),
                                     least(w.period + INTERVAL 7 DAY, any_value(bounds.hi) + INTERVAL 1 DAY))) / any_value(w.wau) AS value
        FROM w JOIN d ON date_trunc('week', d.day) = w.period AND d.segment IS NOT DISTINCT FROM w.segment, bounds
        GROUP BY w.period, w.segment""",
    # ordered steps from signup, each at or after the one before, all within 14 days of signup
    "activation_funnel": """
        WITH s0 AS (SELECT u.user_id, u.created_at AS t0, {useg} AS segment FROM us u WHERE u.created_at IS NOT NULL),
             s1 AS (SELECT s0.user_id, s0.t0, s0.segment, min(e.ts) AS t1 FROM s0
                    LEFT JOIN ev e ON e.user_id = s0.user_id AND e.event = 'session_started'
                     AND e.ts >= s0.t0 AND e.ts <= s0.t0 + INTERVAL 14 DAY GROUP BY ALL),
             s2 AS (SELECT s1.user_id, s1.t0, s1.segment, s1.t1, min(e.ts) AS t2 FROM s1
                    LEFT JOIN ev e ON e.user_id = s1.user_id AND e.event = 'workflow_completed'
                     AND e.ts >= s1.t1 AND e.ts <= s1.t0 + INTERVAL 14 DAY GROUP BY ALL),
             s3 AS (SELECT s2.user_id, s2.t0, s2.segment, min(e.ts) AS t3 FROM s2
                    LEFT JOIN ev e ON e.user_id = s2.user_id AND e.event = 'invite_sent'
                     AND e.ts >= s2.t2 AND e.ts <= s2.t0 + INTERVAL 14 DAY GROUP BY ALL)
        SELECT date_trunc('week', t0) AS period, segment, 100.0 * count(t3) / count(*) AS value
        FROM s3 GROUP BY ALL""",
    # users with a workflow each week: (new + resurrected) / dormant, PostHog's statuses
    "active_user_flow": """
        WITH a AS (SELECT DISTINCT e.user_id, date_trunc('week', e.ts) AS w, {seg} AS segment
                   FROM ev e {join} WHERE e.event = 'workflow_completed'),
             f AS (SELECT user_id, min(w) AS first FROM a GROUP BY user_id),
             cur AS (SELECT a.w AS period, a.segment,
                            count(*) FILTER (WHERE f.first = a.w) AS new,
                            count(*) FILTER (WHERE f.first < a.w AND p.user_id IS NULL) AS resurrected
                     FROM a JOIN f ON f.user_id = a.user_id
                     LEFT JOIN a p ON p.user_id = a.user_id AND p.w = a.w - INTERVAL 7 DAY
                     GROUP BY ALL),
             gone AS (SELECT p.w + INTERVAL 7 DAY AS period, p.segment, count(*) AS dormant
                      FROM a p LEFT JOIN a n ON n.user_id = p.user_id AND n.w = p.w + INTERVAL 7 DAY
                      WHERE n.user_id IS NULL GROUP BY ALL)
        SELECT coalesce(cur.period, gone.period) AS period, coalesce(cur.segment, gone.segment) AS segment,
               CASE WHEN coalesce(gone.dormant, 0) > 0
                    THEN (coalesce(cur.new, 0) + coalesce(cur.resurrected, 0))::DOUBLE / gone.dormant END AS value
        FROM cur FULL JOIN gone ON cur.period = gone.period AND cur.segment IS NOT DISTINCT FROM gone.segment
        WHERE coalesce(cur.period, gone.period) <= (SELECT max(ts) FROM ev)""",
    "monthly_churn": """
        WITH a AS (SELECT DISTINCT e.user_id, date_trunc('month', e.ts) AS m, {seg} AS segment FROM ev e {join})
        SELECT p.m + INTERVAL 1 MONTH AS period, p.segment,
               100.0 * count(*) FILTER (WHERE n.user_id IS NULL) / count(*) AS value
        FROM a p LEFT JOIN a n ON n.user_id = p.user_id AND n.m = p.m + INTERVAL 1 MONTH
        WHERE p.m + INTERVAL 1 MONTH <= (SELECT max(ts) FROM ev)
        GROUP BY ALL""",
}
DERIVED = {
    "arpu": ("revenue", "active_users", 1.0),
    "tickets_per_100_active": ("support_tickets", "active_users", 100.0),
}


def duckdb_values(con, by):
    out = {}
    seg = f"coalesce(u.{by}, '(none)')" if by else "''"
    useg = f"u.{by}" if by else "''"
    join = "LEFT JOIN us u ON u.user_id = e.user_id" if by else ""
    for metric, sql in SQL.items():
        q = sql.format(seg=seg, useg=useg, join=join)
        for period, segment, value in con.execute(q).fetchall():
            out[(metric, period.strftime("%Y-%m-%d"), segment or "")] = value
    for metric, (num, den, scale) in DERIVED.items():
        for (m, p, s), v in list(out.items()):
            if m == num and (den, p, s) in out and out[(den, p, s)]:
                out[(metric, p, s)] = v / out[(den, p, s)] * scale
    return out


def plain_datafusion(d, by):
    """Runs the plain DataFusion SQL baseline; returns ({metric: seconds}, total seconds, peak MB)."""
    if not os.path.exists(PLAIN):
        return None
    text, secs, mb = timed([PLAIN, d] + ([by] if by else []))
    per = {}
    for line in text.splitlines():
        row = json.loads(line)
        per[row["metric"]] = row["seconds"]
    return per, secs, mb


def per_metric(d, con):
    """Each demo metric alone: throughline (one process), DuckDB, plain DataFusion."""
    plain = plain_datafusion(d, None)
    print("\nper metric, total (seconds; throughline includes opening the sources):")
    print(f"  {'metric':<24} {'throughline':>11} {'DuckDB':>8} {'DataFusion':>10} {'vs DuckDB':>9}")
    sums = [0.0, 0.0, 0.0]
    for metric, sql in SQL.items():
        _, t_secs, _ = timed([BIN, "measure", "-w", d, "--grain", "week", "--format", "json", "--metric", metric])
        t0 = time.perf_counter()
        con.execute(sql.format(seg="''", useg="''", join="")).fetchall()
        d_secs = time.perf_counter() - t0
        p_secs = plain[0].get(metric) if plain else None
        sums[0] += t_secs
        sums[1] += d_secs
        sums[2] += p_secs or 0.0
        shown = f"{p_secs:10.2f}" if p_secs is not None else f"{'-':>10}"
        print(f"  {metric:<24} {t_secs:11.2f} {d_secs:8.2f} {shown} {t_secs / d_secs:8.2f}x")
    shown = f"{sums[2]:10.2f}" if plain else f"{'-':>10}"
    print(f"  {'sum':<24} {sums[0]:11.2f} {sums[1]:8.2f} {shown} {sums[0] / sums[1]:8.2f}x")


def throughline_values(text, by):
    out = {}
    for row in json.loads(text):
        seg = row["segment"].get(by, "") if by else ""
        out[(row["metric"], row["start"][:10], seg)] = row["value"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--dimension", default="plan")
    ap.add_argument("--no-per-metric", action="store_true", help="skip the per-metric table")
    a = ap.parse_args()
    for exe in (BIN, PLAIN):
        if not os.path.exists(exe):
            sys.exit(f"{exe} is missing: build it first with\n"
                     "  cargo build --release -p throughline -p throughline-engine --bins --examples\n"
                     "(CARGO_TARGET_DIR, when set, says where the binaries are)")
    import duckdb

    d = a.dir or f"/tmp/throughline-bench-{a.users}"
    if not os.path.exists(os.path.join(d, "throughline.yaml")):
        print(f"generating {a.users} users into {d} …", flush=True)
        t0 = time.perf_counter()
        subprocess.run([BIN, "demo", d, "--users", str(a.users)], check=True, stdout=subprocess.DEVNULL)
        print(f"  generated in {time.perf_counter() - t0:.1f} s")
    con = duckdb.connect()
    n_events = con.execute(f"SELECT count(*) FROM '{d}/data/events/*.parquet'").fetchone()[0]
    print(f"data: {a.users} users, {n_events} events, {len(SQL) + len(DERIVED)} metrics\n")

    results = {}
    for by in (None, a.dimension):
        label = f"by {by}" if by else "total"
        # --full: without it a second run of the bench would take every value from the cache
        # (a run over every metric writes it; --full writes it too, and that is timed)
        cmd = [BIN, "measure", "-w", d, "--grain", "week", "--format", "json", "--full"] + (["--by", by] if by else [])
        text, t_secs, t_mb = timed(cmd)
        tl = throughline_values(text, by)
        # DuckDB, same machine, same files: views over the Parquet files, then the queries
        con = duckdb.connect()
        t0 = time.perf_counter()
        con.execute(f"CREATE VIEW ev AS SELECT user_id, ts, event::VARCHAR AS event, amount, score FROM '{d}/data/events/*.parquet'")
        con.execute(f"CREATE VIEW us AS SELECT * FROM '{d}/data/users.parquet'")
        dk = duckdb_values(con, by)
        d_secs = time.perf_counter() - t0
        plain = plain_datafusion(d, by)
        p_secs = plain[1] if plain else float("nan")
        results[label] = (t_secs, t_mb, d_secs, p_secs)
        mismatches = []
        for key, want in dk.items():
            got = tl.get(key)
            if want is None and got is None:
                continue
            if got is None or want is None or not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9):
                mismatches.append((key, got, want))
        extra = [k for k, v in tl.items() if k not in dk and v not in (0, 0.0, None)]
        print(f"{label}: throughline {t_secs:.2f} s (peak {t_mb:.0f} MB) | DuckDB {d_secs:.2f} s "
              f"| plain DataFusion SQL {p_secs:.2f} s "
              f"| ratio {t_secs / d_secs:.2f}x DuckDB (goal <= 0.7x) | {len(dk)} values compared, "
              f"{len(mismatches)} differ, {len(extra)} non-zero values DuckDB has no row for")
        for m in mismatches[:10]:
            print("   differs:", m)
        for k in extra[:5]:
            print("   only throughline:", k, tl[k])
        if mismatches or extra:
            results["failed"] = True
    tt = sum(v[0] for k, v in results.items() if k != "failed")
    dt = sum(v[2] for k, v in results.items() if k != "failed")
    pt = sum(v[3] for k, v in results.items() if k != "failed")
    print(f"\nall: throughline {tt:.2f} s vs DuckDB {dt:.2f} s = {tt / dt:.2f}x (goal <= 0.7x); "
          f"vs plain DataFusion SQL {pt:.2f} s = {tt / pt:.2f}x; "
          f"peak memory {max(v[1] for k, v in results.items() if k != 'failed'):.0f} MB")
    if not a.no_per_metric:
        con = duckdb.connect()
        con.execute(f"CREATE VIEW ev AS SELECT user_id, ts, event::VARCHAR AS event, amount, score FROM '{d}/data/events/*.parquet'")
        con.execute(f"CREATE VIEW us AS SELECT * FROM '{d}/data/users.parquet'")
        per_metric(d, con)
    sys.exit(1 if results.get("failed") else 0)


if __name__ == "__main__":
    main()
