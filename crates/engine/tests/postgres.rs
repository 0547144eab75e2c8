//! PostgreSQL sources computed inside the database equal the embedded engine on the same rows.
//!
//! A generated fixture (180 users, a few thousand events from January to late March 2026,
//! across New York's spring-forward change of March 8) is written as CSV files for the
//! embedded engine and copied, from the same text, into tables of a fresh database on the test
//! server (`THROUGHLINE_TEST_POSTGRES`, see scripts/test-postgres). Users' signup times are
//! zone-less local times in both (`timestamp` in PostgreSQL), events' times UTC instants with
//! microseconds (`timestamptz`). Every metric type, total and by plan, weekly and monthly, in
//! UTC with Monday weeks and in America/New_York with Sunday weeks, must give the same values,
//! partial marks and cohort maturity on both engines. The embedded engine's own values are
//! checked by hand in measure.rs, cohorts.rs and time_zones.rs.
//!
//! The server's statement log (pg_stat_statements) then shows what ran: grouped statements
//! over the events table, returning a few rows each, never the table's rows.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, Row};
use throughline_engine::{Engine, MetricValue, Request};
use throughline_model::{Grain, Loader};

const METRICS: &str = "metrics:
  - { id: logins, compute: { type: count, event: login } }
  - { id: actives, compute: { type: unique } }
  - { id: completers, compute: { type: unique, event: workflow_completed } }
  - { id: revenue, unit: currency:USD, compute: { type: sum, event: workflow_completed, property: amount } }
  - { id: order_value, unit: currency:USD, compute: { type: average, event: workflow_completed, property: amount } }
  - { id: activation, unit: percent, compute: { type: conversion, from: signup, to: workflow_completed, within: 7d } }
  - { id: invite_rate, unit: percent, compute: { type: conversion, from: login, to: invite_sent, within: 3d } }
  - { id: ttv, unit: duration, compute: { type: duration, from: signup, to: workflow_completed, stat: median } }
  - { id: ttv_p90, unit: duration, compute: { type: duration, from: signup, to: workflow_completed, stat: p90 } }
  - { id: ttv_mean, unit: duration, compute: { type: duration, from: signup, to: workflow_completed, stat: mean } }
  - { id: ret, unit: percent, compute: { type: retention, from: signup, return: login, every: week, horizon: 3 } }
  - { id: churn, unit: percent, compute: { type: churn, every: month } }
  - { id: weekly_churn, unit: percent, compute: { type: churn, event: login, every: week } }
  - { id: sticky, unit: percent, compute: { type: stickiness } }
  - { id: nps, unit: score, compute: { type: nps, event: survey_answered, property: score } }
  - { id: funnel, unit: percent, compute: { type: funnel, steps: [signup, login, workflow_completed, invite_sent], within: [2d, 7d, 14d], exclude: survey_answered } }
  - { id: strict_funnel, unit: percent, compute: { type: funnel, steps: [login, workflow_completed], within: 1d, order: strict } }
  - { id: any_funnel, unit: percent, compute: { type: funnel, steps: [login, invite_sent, workflow_completed], within: 3d, order: any } }
  - { id: flow, compute: { type: lifecycle, event: login, every: week } }
  - { id: logins_to_date, compute: { type: cumulative, of: count, event: login } }
  - { id: revenue_30d, unit: currency:USD, compute: { type: cumulative, of: sum, event: workflow_completed, property: amount, window: 30d } }
  - { id: users_to_date, compute: { type: cumulative, of: unique } }
  - { id: active_28d, compute: { type: cumulative, of: unique, window: 28d } }
  - { id: revenue_per_active, unit: ratio, compute: { type: ratio, numerator: revenue, denominator: actives } }
  - { id: double_revenue, unit: currency:USD, compute: { type: derived, expr: revenue * 2 + logins } }
  - { id: sql_logins, compute: { type: sql, query: \"SELECT date_trunc('week', ts) AS period, count(*) AS value FROM events WHERE event = 'login' GROUP BY 1\" } }
";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (users.csv, events.csv): the same text is read by the embedded engine and copied into
/// PostgreSQL.
fn fixture() -> (String, String) {
    use chrono::{Duration, NaiveDate};
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let plans = ["free", "pro", "team"];
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut users = String::from("user_id,created_at,plan\n");
    let mut events = String::from("user_id,ts,event,amount,score\n");
    for u in 1..=180u64 {
        // signups on local days 0..70, at 08:00–19:59 (never in a clock change's gap)
        let day = rng.below(70) as i64;
        let secs = 8 * 3600 + rng.below(12 * 3600) as i64;
        let signup =
            start.and_hms_opt(0, 0, 0).unwrap() + Duration::days(day) + Duration::seconds(secs);
        let plan = plans[rng.below(3) as usize];
        // every fifth user has no plan: the `(none)` segment
        let plan = if u % 5 == 0 { "" } else { plan };
        users.push_str(&format!(
            "{u},{},{plan}\n",
            signup.format("%Y-%m-%d %H:%M:%S")
        ));
        // events as UTC instants from around the signup (read as if UTC here: the offset of
        // up to 5 hours between the two only moves events around the signup, which is what a
        // fixture wants) to the end of the data
        let mut t = signup + Duration::minutes(rng.below(600) as i64);
        let end = NaiveDate::from_ymd_opt(2026, 3, 25)
            .unwrap()
            .and_hms_opt(15, 0, 0)
            .unwrap();
        let activity = 1 + rng.below(6) as i64;
        while t < end {
            let (name, amount, score) = match rng.below(10) {
                0..=4 => ("login", String::new(), String::new()),
                5..=7 => (
                    "workflow_completed",
                    format!("{}.{:02}", rng.below(200), rng.below(100)),
                    String::new(),
                ),
                8 => ("invite_sent", String::new(), String::new()),
                _ => ("survey_answered", String::new(), rng.below(11).to_string()),
            };
            let micros = rng.below(1_000_000);
            events.push_str(&format!(
                "{u},{}.{micros:06}Z,{name},{amount},{score}\n",
                t.format("%Y-%m-%dT%H:%M:%S")
            ));
            // the next event within hours to days; some users stop early (churn)
            t += Duration::minutes(30 + rng.below(60 * 24 * 4 / activity as u64) as i64);
            if rng.below(40) == 0 {
                break;
            }
        }
    }
    (users, events)
}

fn settings(zone: &str, week_starts: &str, sources: &str) -> String {
    format!("workspace: PG\ntimezone: {zone}\nweek_starts: {week_starts}\nsources:\n{sources}")
}

fn file_sources() -> &'static str {
    "  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }
  users: { format: csv, path: users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }
"
}

fn postgres_sources(url: &str) -> String {
    format!(
        "  events: {{ format: postgres, table: public.events, url: '{url}', columns: {{ user: user_id, time: ts, name: event }} }}
  users: {{ format: postgres, query: 'SELECT user_id, created_at, plan FROM users', url: '{url}', columns: {{ user: user_id, time: created_at }}, dimensions: [plan] }}
"
    )
}

async fn open(dir: &Path, settings: String) -> Engine {
    let loaded = common::load(dir, &settings, METRICS);
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    Engine::open(&loaded.workspace, dir)
        .await
        .unwrap_or_else(|e| panic!("{}\nhelp: {}", e.message, e.help))
}

type Key = (String, String, String);

fn keyed(values: Vec<MetricValue>) -> BTreeMap<Key, MetricValue> {
    values
        .into_iter()
        .map(|v| {
            let k = (
                v.metric.clone(),
                v.start.to_rfc3339(),
                format!("{:?}", v.segment),
            );
            (k, v)
        })
        .collect()
}

/// Equal to the last few digits (`tolerance`, relative).
fn same_within(a: Option<f64>, b: Option<f64>, tolerance: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= tolerance * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    same_within(a, b, 1e-9)
}

/// Compares the two engines' values; returns how many there were.
fn assert_equal(what: &str, files: Vec<MetricValue>, db: Vec<MetricValue>) -> usize {
    let (files, db) = (keyed(files), keyed(db));
    let only = |a: &BTreeMap<Key, MetricValue>, b: &BTreeMap<Key, MetricValue>| {
        a.keys()
            .filter(|k| !b.contains_key(*k))
            .cloned()
            .collect::<Vec<_>>()
    };
    let (only_files, only_db) = (only(&files, &db), only(&db, &files));
    assert!(
        only_files.is_empty() && only_db.is_empty(),
        "{what}: only the embedded engine has {only_files:?}; only PostgreSQL has {only_db:?}"
    );
    for (k, f) in &files {
        let d = &db[k];
        // DataFusion's percentile_cont rounds the interpolation weight down to a millionth
        // (0.6 becomes 0.599999 between the 13th and 14th of 15 values); PostgreSQL's does not.
        // The difference is at most a millionth of the gap between two neighbouring values,
        // here days against values of days.
        let tolerance = if k.0 == "ttv_p90" { 1e-5 } else { 1e-9 };
        let ok = same_within(f.value, d.value, tolerance)
            && same(f.numerator, d.numerator)
            && same(f.denominator, d.denominator)
            && f.complete == d.complete
            && f.end == d.end
            && f.steps == d.steps
            && f.curve.len() == d.curve.len()
            && f.curve
                .iter()
                .zip(&d.curve)
                .all(|(x, y)| same(Some(*x), Some(*y)));
        assert!(ok, "{what} {k:?}:\n embedded   {f:?}\n postgresql {d:?}");
    }
    files.len()
}

async fn load(url: &str, users: &str, events: &str) {
    copy_tables(
        url,
        "CREATE TABLE events (user_id bigint, ts timestamptz, event text, amount numeric(10,2), score integer);
         CREATE TABLE users (user_id bigint, created_at timestamp, plan text);",
        &[("events", events), ("users", users)],
    )
    .await;
}

/// Creates tables with `ddl` and copies each `(table, CSV text with a header)` into one.
async fn copy_tables(url: &str, ddl: &str, tables: &[(&str, &str)]) {
    let mut c = PgConnection::connect(url).await.expect("connect");
    c.execute(AssertSqlSafe(ddl.to_string()))
        .await
        .expect("create the tables");
    for (table, text) in tables {
        let mut copy = c
            .copy_in_raw(&format!(
                "COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)"
            ))
            .await
            .expect("start a copy");
        copy.send(text.as_bytes()).await.expect("copy rows");
        copy.finish().await.expect("finish the copy");
    }
    c.execute("ANALYZE").await.expect("analyze");
}

/// The test server and a fresh database on it, or `None` (skipped) outside CI without one.
async fn database() -> Option<String> {
    let server = match std::env::var("THROUGHLINE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => panic!(
            "CI must test PostgreSQL sources: set THROUGHLINE_TEST_POSTGRES=$(scripts/test-postgres start)"
        ),
        _ => {
            eprintln!(
                "note: THROUGHLINE_TEST_POSTGRES is not set; skipping the PostgreSQL sources test"
            );
            return None;
        }
    };
    let name = format!(
        "tl_sources_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_micros()
    );
    let mut admin = PgConnection::connect(&server).await.expect("connect");
    admin
        .execute(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .expect("create a database");
    let (base, _) = server.rsplit_once('/').expect("a URL with a database");
    Some(format!("{base}/{name}"))
}

/// Starts the server's statement log afresh; whether it has one (CI's server must).
async fn statements_from_now(url: &str) -> bool {
    let mut c = PgConnection::connect(url).await.expect("connect");
    let log = c
        .execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .await
        .is_ok()
        && c.execute("SELECT pg_stat_statements_reset()").await.is_ok();
    if !log && std::env::var_os("CI").is_some() {
        panic!("the test server has no pg_stat_statements; start it with scripts/test-postgres");
    }
    log
}

/// Statements the server ran in this database that read the events table: (text, rows a run).
async fn statements_on_events(url: &str) -> Option<Vec<(String, i64)>> {
    let mut c = PgConnection::connect(url).await.expect("connect");
    let rows = sqlx::query(
        "SELECT query, rows / calls FROM pg_stat_statements
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND query LIKE '%\"events\"%' AND query NOT LIKE '%pg_stat_statements%'",
    )
    .fetch_all(&mut c)
    .await
    .ok()?;
    Some(
        rows.iter()
            .map(|r| (r.get::<String, _>(0), r.get::<i64, _>(1)))
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_type_in_postgresql_equals_the_embedded_engine() {
    let Some(url) = database().await else { return };
    let (users, events) = fixture();
    let event_rows = events.lines().count() - 1;
    load(&url, &users, &events).await;
    let log = statements_from_now(&url).await;

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("users.csv"), &users).unwrap();
    std::fs::write(tmp.path().join("events.csv"), &events).unwrap();
    let mut compared = 0;
    for (zone, week_starts) in [("UTC", "monday"), ("America/New_York", "sunday")] {
        let files = open(tmp.path(), settings(zone, week_starts, file_sources())).await;
        let db = open(
            tmp.path(),
            settings(zone, week_starts, &postgres_sources(&url)),
        )
        .await;
        assert_eq!(files.data_days(), db.data_days(), "{zone}: the data's days");
        for grain in [Grain::Week, Grain::Month] {
            for by in [None, Some("plan".to_string())] {
                let req = Request {
                    grain: Some(grain),
                    by: by.clone(),
                    ..Request::default()
                };
                let what = format!("{zone}, {grain:?}, by {by:?}");
                let a = files.measure(&req).await.expect("embedded");
                let b = db
                    .measure(&req)
                    .await
                    .unwrap_or_else(|e| panic!("{what}: {}\nhelp: {}", e.message, e.help));
                compared += assert_equal(&what, a, b);
            }
        }
        // what `--explain` shows is what runs: every metric's statements, run here as shown
        let mut shown = PgConnection::connect(&url).await.expect("connect");
        shown
            .execute(AssertSqlSafe(format!("SET TIME ZONE '{zone}'")))
            .await
            .unwrap();
        let mut ran_shown = 0;
        for m in METRICS.lines().filter_map(|l| l.split("id: ").nth(1)) {
            let id = m.split(',').next().unwrap();
            let req = Request {
                grain: Some(Grain::Week),
                ..Request::default()
            };
            let e = db.explain(id, &req).await.expect("explains");
            assert!(
                e.database
                    .iter()
                    .all(|(_, place)| place.starts_with("runs in PostgreSQL as one statement")),
                "{id}: {:?}",
                e.database
            );
            for (label, sql) in &e.sql {
                assert!(!sql.contains("tl_zone"), "{label}: {sql}");
                let rows = sqlx::query(AssertSqlSafe(sql.clone()))
                    .fetch_all(&mut shown)
                    .await
                    .unwrap_or_else(|err| panic!("{label}: {err}\n{sql}"));
                assert!(!rows.is_empty(), "{label}: no rows from {sql}");
                ran_shown += 1;
            }
        }
        // one statement per metric but the ratio and the derived one, which show the two
        // metrics each reads
        assert_eq!(ran_shown, 24 + 2 + 2, "{zone}: statements shown and run");
        // the partial marks are there to compare: the data ends on a Wednesday
        let last = db
            .measure(&Request {
                metrics: vec!["logins".into()],
                grain: Some(Grain::Month),
                ..Request::default()
            })
            .await
            .unwrap();
        assert!(!last.last().unwrap().complete, "March is partial");
    }
    // every metric type, both zones, both grains, total and by plan
    assert!(compared > 2000, "{compared} values compared");

    if !log {
        eprintln!(
            "note: no pg_stat_statements on the test server; the statement log is not checked"
        );
        return;
    }
    let ran = statements_on_events(&url).await.expect("the statement log");
    let grouped = ran.iter().filter(|(q, _)| q.contains("GROUP BY")).count();
    let rows: i64 = ran.iter().map(|(_, r)| r).sum();
    eprintln!(
        "{compared} values compared; {} statements over events ({grouped} grouped) returned {rows} rows a run in all, for {event_rows} events",
        ran.len()
    );
    assert!(
        grouped >= 20,
        "{grouped} grouped statements over events: {ran:#?}"
    );
    for (q, rows) in &ran {
        // each run of a statement returns periods × segments (days × segments for a running
        // total's changes; × users for the experiment-free cohort checks at most), never the
        // events themselves
        assert!(
            q.contains("GROUP BY") || q.contains("count(") || q.contains("min("),
            "a statement reads events without aggregating them: {q}"
        );
        assert!(
            (*rows as usize) < event_rows / 4,
            "a statement returned {rows} rows a run, of {event_rows} events: {q}"
        );
    }
}

/// The message of opening a workspace that fails.
async fn open_error(dir: &Path, settings: String) -> String {
    let mut loader = Loader::new();
    loader.add_yaml("throughline.yaml", &dir.join("throughline.yaml"), settings);
    loader.add_yaml("metrics.yaml", &dir.join("metrics.yaml"), METRICS.into());
    let loaded = loader.finish();
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    match Engine::open(&loaded.workspace, dir).await {
        Ok(_) => panic!("opened"),
        Err(e) => format!("{} | help: {}", e.message, e.help),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_that_cannot_be_read_is_named_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let source = |table: &str, url: &str, user: &str| {
        settings(
            "UTC",
            "monday",
            &format!(
                "  events: {{ format: postgres, table: {table}, url: '{url}', columns: {{ user: {user}, time: ts, name: event }} }}\n"
            ),
        )
    };
    // nothing listens on port 1
    let e = open_error(
        tmp.path(),
        source("events", "postgres://nobody@127.0.0.1:1/db", "user_id"),
    )
    .await;
    assert!(
        e.starts_with("source `events`: cannot reach PostgreSQL at 127.0.0.1:1/db"),
        "{e}"
    );
    let unset = settings(
        "UTC",
        "monday",
        "  events: { format: postgres, table: events, url_env: THROUGHLINE_TEST_UNSET_VARIABLE }\n",
    );
    assert_eq!(
        open_error(tmp.path(), unset).await,
        "source `events` reads its database address from the environment variable `THROUGHLINE_TEST_UNSET_VARIABLE`, which is not set | help: set it where throughline runs: `export THROUGHLINE_TEST_UNSET_VARIABLE=postgres://user@host:5432/db` (add `?sslmode=require` for TLS)"
    );
    let Some(url) = database().await else { return };
    load(
        &url,
        "user_id,created_at,plan\n",
        "user_id,ts,event,amount,score\n",
    )
    .await;
    let e = open_error(tmp.path(), source("no_such_table", &url, "user_id")).await;
    assert!(
        e.starts_with("source `events`: cannot read table `no_such_table`"),
        "{e}"
    );
    let e = open_error(tmp.path(), source("events", &url, "uid")).await;
    assert!(
        e.starts_with(
            "source `events` has no user column `uid` | help: the columns are: user_id, ts, event"
        ),
        "{e}"
    );
}

/// Text from the workspace (a `where:` value; event names are ids) stays inside its literal in
/// the statements sent to PostgreSQL: quotes, backslashes, doubled quotes, dollar quotes and LIKE's
/// wildcards, through every operator, give the embedded engine's counts; order comparisons
/// compare bytes, as the embedded engine does, under any collation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_text_never_leaves_its_literal_in_postgresql() {
    let Some(url) = database().await else { return };
    let values = [
        r"x'y",
        r"x\'y",
        r"a\b",
        r"a\\b",
        "it''s",
        "$$",
        "$tag$ x $tag$",
        "%",
        "_",
        r#"say "hi""#,
        "E'x'",
        r"\",
        "plain",
        "Plain",
        "é ü 😀",
    ];
    // value i is sent by i + 1 users
    let csv = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut events = String::from("user_id,ts,event,variant\n");
    for (i, v) in values.iter().enumerate() {
        for u in 0..=i {
            events.push_str(&format!(
                "{u},2026-03-0{}T10:00:00Z,pick,{}\n",
                1 + u % 7,
                csv(v)
            ));
        }
    }
    let users = "user_id,created_at,plan\n".to_string()
        + &(0..values.len())
            .map(|u| format!("{u},2026-02-01 09:00:00,free\n"))
            .collect::<String>();
    copy_tables(
        &url,
        // a linguistic collation, under which `'B' < 'a'` is false; throughline compares bytes
        "CREATE TABLE events (user_id bigint, ts timestamptz, event text, variant text COLLATE \"und-x-icu\");
         CREATE TABLE users (user_id bigint, created_at timestamp, plan text);",
        &[("events", &events), ("users", &users)],
    )
    .await;

    // a YAML double-quoted scalar; a `where:` text value in the quote it does not hold
    let yaml = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let quoted = |s: &str| {
        if s.contains('\'') {
            format!("\"{s}\"")
        } else {
            format!("'{s}'")
        }
    };
    let mut metrics = String::from("metrics:\n");
    for (i, v) in values.iter().enumerate() {
        let q = quoted(v);
        let wheres = [
            format!("variant = {q}"),
            format!("variant != {q}"),
            format!("variant < {q}"),
            format!("variant >= {q}"),
            format!("variant in ({q}, 'plain')"),
            format!("not (variant not in ({q}))"),
        ];
        for (j, w) in wheres.iter().enumerate() {
            metrics.push_str(&format!(
                "  - {{ id: where_{i}_{j}, compute: {{ type: count, event: pick, where: {} }} }}\n",
                yaml(w)
            ));
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("events.csv"), &events).unwrap();
    std::fs::write(tmp.path().join("users.csv"), &users).unwrap();
    let dir = tmp.path();
    let mut engines = Vec::new();
    for sources in [file_sources().to_string(), postgres_sources(&url)] {
        let loaded = common::load(dir, &settings("UTC", "monday", &sources), &metrics);
        assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
        engines.push(
            Engine::open(&loaded.workspace, dir)
                .await
                .unwrap_or_else(|e| panic!("{}\nhelp: {}", e.message, e.help)),
        );
    }
    let (files, db) = (&engines[0], &engines[1]);
    let req = Request {
        grain: Some(Grain::Month),
        ..Request::default()
    };
    let a = files.measure(&req).await.expect("embedded");
    let b = db
        .measure(&req)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL: {}\nhelp: {}", e.message, e.help));
    // each value's own count is there to compare: i + 1 events equal to value i
    let march = |id: &str| {
        a.iter()
            .find(|v| v.metric == id && v.start.to_rfc3339().starts_with("2026-03"))
            .and_then(|v| v.value)
    };
    for (i, v) in values.iter().enumerate() {
        assert_eq!(march(&format!("where_{i}_0")), Some(i as f64 + 1.0), "{v}");
    }
    let compared = assert_equal("literals", a, b);
    assert!(compared >= values.len() * 6, "{compared} values compared");
}

/// Zero is a value on both engines: a segment of the users source with nothing to count in a
/// period (a plan whose users never buy, users without a plan who never come back) gets 0 for
/// counts and sums, and the ratios over them, from PostgreSQL as from the files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zero_segments_are_values_in_postgresql_too() {
    let Some(url) = database().await else { return };
    let users = "user_id,created_at,plan\n1,2026-03-01 10:00:00,free\n2,2026-03-02 12:00:00,pro\n3,2026-03-03 08:00:00,trial\n4,2026-03-04 08:00:00,\n";
    let events = "user_id,ts,event,amount,score\n1,2026-03-03T10:00:00Z,workflow_completed,5,\n1,2026-03-04T10:00:00Z,login,,\n2,2026-03-04T09:00:00Z,workflow_completed,20,\n2,2026-03-11T09:00:00Z,workflow_completed,30,\n3,2026-03-05T09:00:00Z,login,,\n3,2026-03-12T09:00:00Z,login,,\n1,2026-03-12T10:00:00Z,login,,\n";
    load(&url, users, events).await;
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("users.csv"), users).unwrap();
    std::fs::write(tmp.path().join("events.csv"), events).unwrap();
    let files = open(tmp.path(), settings("UTC", "monday", file_sources())).await;
    let db = open(
        tmp.path(),
        settings("UTC", "monday", &postgres_sources(&url)),
    )
    .await;
    let req = Request {
        metrics: ["revenue", "actives", "logins", "revenue_per_active"]
            .map(String::from)
            .to_vec(),
        grain: Some(Grain::Week),
        by: Some("plan".into()),
        ..Request::default()
    };
    let a = files.measure(&req).await.expect("embedded");
    let b = db.measure(&req).await.expect("PostgreSQL");
    // the trial plan never buys: 0 revenue in both weeks, 0 a user while active
    let trial: Vec<Option<f64>> = a
        .iter()
        .filter(|v| {
            v.metric == "revenue" && v.segment.get("plan").map(String::as_str) == Some("trial")
        })
        .map(|v| v.value)
        .collect();
    assert_eq!(trial, [Some(0.0), Some(0.0)]);
    let compared = assert_equal("zero segments", a, b);
    // 4 metrics × 2 weeks × 4 segments (free, pro, trial, (none)), less the ratio's weeks
    // where a segment had no active user (none: both weeks; pro: the second)
    assert!(compared >= 28, "{compared} values compared");
}

/// Rows without a user in a database table are left out and counted like a file's, with the
/// table named, and refused under `faulty_rows: refuse`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_without_a_user_in_a_table_are_counted_with_the_table() {
    let Some(url) = database().await else { return };
    let users = "user_id,created_at,plan\n1,2026-03-01 10:00:00,free\n2,2026-03-02 12:00:00,pro\n";
    let events = "user_id,ts,event,amount,score\n1,2026-03-03T10:00:00Z,workflow_completed,5,\n,2026-03-04T10:00:00Z,workflow_completed,100,\n,2026-03-05T10:00:00Z,login,,\n2,2026-03-04T09:00:00Z,workflow_completed,20,\n";
    load(&url, users, events).await;
    let tmp = tempfile::tempdir().unwrap();
    let e = open(
        tmp.path(),
        settings("UTC", "monday", &postgres_sources(&url)),
    )
    .await;
    assert!(
        e.warnings().contains(&"source `events`: 2 event(s) have no user in `user_id` and are not counted, in table `public.events`".to_string()),
        "{:?}",
        e.warnings()
    );
    assert_eq!(
        common::total(&e, "revenue").await,
        25.0,
        "5 + 20, the rows without a user left out"
    );

    let strict = settings("UTC", "monday", &postgres_sources(&url)).replacen(
        "name: event } }",
        "name: event }, faulty_rows: refuse }",
        1,
    );
    let said = open_error(tmp.path(), strict).await;
    assert!(
        said.starts_with(
            "source `events`: 2 event(s) have no user in `user_id`, in table `public.events`"
        ),
        "{said}"
    );
}

/// An events table with a `watermark:` column refreshes from the rows written since the last
/// run: later events and a late one for an early week give the values a full computation
/// gives, with the earlier periods from the cache; nothing written gives every value from the
/// cache; a deleted row and a changed users table are seen, and everything is computed again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_with_a_watermark_refreshes_from_the_rows_written_since() {
    use throughline_engine::{Refresh, Refreshed};
    let Some(url) = database().await else { return };
    let (users, events) = fixture();
    // the metrics the cache serves: not `sql`, not a running total without a window
    let metrics: String = METRICS
        .lines()
        .filter(|l| !l.contains("type: sql"))
        .filter(|l| !l.contains("cumulative") || l.contains("window"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (header, rows) = events.split_once('\n').unwrap();
    let (early, later): (Vec<&str>, Vec<&str>) = rows
        .lines()
        .partition(|l| l.split(',').nth(1).unwrap() < "2026-03-16");
    let csv = |lines: &[&str]| format!("{header}\n{}\n", lines.join("\n"));
    // `loaded_at` numbers the rows as they are copied in: an increasing id
    copy_tables(
        &url,
        "CREATE TABLE events (user_id bigint, ts timestamptz, event text, amount numeric(10,2), score integer, loaded_at bigserial);
         CREATE TABLE users (user_id bigint, created_at timestamp, plan text);",
        &[
            ("events (user_id, ts, event, amount, score)", &csv(&early)),
            ("users", &users),
        ],
    )
    .await;
    let sources = postgres_sources(&url).replacen(
        "table: public.events,",
        "table: public.events, watermark: loaded_at,",
        1,
    );
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let ws = settings("America/New_York", "sunday", &sources);
    let engine = || async {
        let loaded = common::load(dir, &ws, &metrics);
        assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
        Engine::open(&loaded.workspace, dir)
            .await
            .unwrap_or_else(|e| panic!("{}\nhelp: {}", e.message, e.help))
    };
    let refresh = Refresh {
        dir: dir.join("cache"),
        full: false,
    };
    let req = Request::default();
    let refreshed = |what: &'static str| {
        let refresh = refresh.clone();
        let req = req.clone();
        async move {
            let (got, how) = engine()
                .await
                .measure_refreshing(&req, &refresh, &|_| {})
                .await
                .unwrap_or_else(|e| panic!("{what}: {}", e.message));
            let want = engine().await.measure(&req).await.expect("measures");
            assert_equal(&format!("{what}: {}", how.sentence()), want, got);
            how
        }
    };
    let how = refreshed("the first run").await;
    assert!(matches!(how, Refreshed::Full { .. }), "{how:?}");

    // later events, and one late event for an early week
    let mut more = later.clone();
    more.push("7,2026-03-05T15:00:00Z,login,,");
    copy_tables(
        &url,
        "SELECT 1",
        &[("events (user_id, ts, event, amount, score)", &csv(&more))],
    )
    .await;
    let log = statements_from_now(&url).await;
    let how = refreshed("rows written").await;
    // the refresh reads the rows from the cut (cut in the database) and the new rows' first
    // events, never the whole table
    let table_rows = early.len() + more.len();
    if let Some(ran) = statements_on_events(&url).await.filter(|_| log) {
        assert!(!ran.is_empty());
        for (sql, rows) in &ran {
            let rows = *rows as usize;
            assert!(rows < table_rows, "{rows} of {table_rows} rows from: {sql}");
            assert!(
                rows < 200 || sql.contains("WHERE (\"ts\" >= "),
                "{rows} rows, not cut in the database: {sql}"
            );
        }
    }
    match &how {
        Refreshed::Partial {
            rows, kept, from, ..
        } => {
            assert_eq!(*rows, Some(more.len() as u64), "{}", how.sentence());
            assert!(*kept > 0, "{}", how.sentence());
            assert!(
                from.to_string().as_str() < "2026-03-05",
                "the late event's weeks: {from}"
            );
        }
        other => panic!("expected a partial refresh, got {other:?}"),
    }
    assert!(
        how.sentence().contains("row(s) written since the last run"),
        "{}",
        how.sentence()
    );

    let how = refreshed("nothing written").await;
    assert!(matches!(how, Refreshed::Unchanged { .. }), "{how:?}");

    let mut c = PgConnection::connect(&url).await.expect("connect");
    c.execute("DELETE FROM events WHERE loaded_at = 5")
        .await
        .expect("delete a row");
    let full_because = |how: Refreshed, words: &str| match how {
        Refreshed::Full { reason } => assert!(reason.contains(words), "{reason}"),
        other => panic!("expected a full computation, got {other:?}"),
    };
    full_because(refreshed("a row deleted").await, "rows were deleted");

    c.execute("INSERT INTO users VALUES (999, '2026-03-20 09:00:00', 'pro')")
        .await
        .expect("add a user");
    full_because(refreshed("a user added").await, "the users source changed");
}
