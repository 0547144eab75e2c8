//! Event files with the faults real exports have: each is refused with the file, line and
//! column, or left out and counted in a warning that names the file; never skipped in silence,
//! never a query engine's words. The fixtures are made by hand here and then damaged.

mod common;

use std::path::Path;

use common::total;
use throughline_engine::{Engine, EngineError, Request};
use throughline_model::Grain;

const USERS: &str = "user_id,created_at,plan
u1,2025-03-01T10:00:00,free
u2,2025-03-02T12:00:00,pro
u3,2025-03-05T08:00:00,pro
";

const GOOD: &str = "user_id,ts,event,amount
u1,2025-03-03T10:00:00,purchase,5
u2,2025-03-04T09:00:00,purchase,20
u3,2025-03-10T01:00:00,purchase,7
";

const METRICS: &str = "metrics:
  - { id: purchases, compute: { type: count, event: purchase } }
  - { id: revenue, compute: { type: sum, event: purchase, property: amount } }
";

fn settings(format: &str, path: &str) -> String {
    format!(
        "workspace: T\ntimezone: UTC\nweek_starts: monday\nsources:\n  events: {{ format: {format}, path: '{path}', columns: {{ user: user_id, time: ts, name: event }} }}\n  users: {{ format: csv, path: users.csv, columns: {{ user: user_id, time: created_at }}, dimensions: [plan] }}\n"
    )
}

/// Writes `files` (path, bytes) under `dir` and opens the workspace.
async fn open(
    dir: &Path,
    format: &str,
    path: &str,
    files: &[(&str, &[u8])],
) -> Result<Engine, EngineError> {
    std::fs::create_dir_all(dir.join("events")).unwrap();
    for (f, bytes) in files {
        std::fs::write(dir.join(f), bytes).unwrap();
    }
    common::open(
        dir,
        &[("users.csv", USERS)],
        &settings(format, path),
        METRICS,
    )
    .await
}

/// The error of opening, which must be one of throughline's own.
async fn refused(format: &str, path: &str, files: &[(&str, &[u8])]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    match open(tmp.path(), format, path, files).await {
        Ok(_) => panic!("{files:?} opened"),
        Err(e) => {
            assert!(!e.internal, "an engine error: {}", e.message);
            assert!(
                !e.message.contains("/tmp") && !e.message.contains(tmp.path().to_str().unwrap()),
                "a temporary path in {}",
                e.message
            );
            assert!(!e.help.is_empty());
            format!("{} | {}", e.message, e.help)
        }
    }
}

#[tokio::test]
async fn a_file_that_would_be_skipped_or_misread_is_refused_by_name_and_line() {
    let glob = "events/*.csv";
    let e = refused(
        "csv",
        glob,
        &[("events/a.csv", GOOD.as_bytes()), ("events/b.csv", b"")],
    )
    .await;
    assert!(
        e.starts_with("source `events`: events/b.csv is empty (0 bytes) |"),
        "{e}"
    );

    // a row with one field too many, on line 5 of the second file
    let bad = format!("{GOOD}u1,2025-03-11T10:00:00,purchase,5,extra\n");
    let e = refused(
        "csv",
        glob,
        &[
            ("events/a.csv", GOOD.as_bytes()),
            ("events/b.csv", bad.as_bytes()),
        ],
    )
    .await;
    assert!(
        e.starts_with("source `events`: events/b.csv:5: this row has 5 fields; the header has 4 |"),
        "{e}"
    );

    // CSV columns are read by position: a file with another order would swap them
    let swapped = GOOD.replacen("user_id,ts,event,amount", "ts,user_id,event,amount", 1);
    let e = refused(
        "csv",
        glob,
        &[
            ("events/a.csv", GOOD.as_bytes()),
            ("events/b.csv", swapped.as_bytes()),
        ],
    )
    .await;
    assert!(
        e.starts_with(
            "source `events`: events/b.csv:1: the header differs from the first file's |"
        ),
        "{e}"
    );

    let jsonl = "{\"user_id\": \"u1\", \"ts\": \"2025-03-03T10:00:00\", \"event\": \"purchase\"}\n\n{\"user_id\": \"u2\", \"ts\": \"2025-03-04T09:00:00\", \"event\": purchase}\n";
    let e = refused(
        "jsonl",
        "events.jsonl",
        &[("events.jsonl", jsonl.as_bytes())],
    )
    .await;
    assert!(
        e.starts_with(
            "source `events`: events.jsonl:3:57: this line is not valid JSON (expected value) |"
        ),
        "{e}"
    );
    let e = refused("jsonl", "events.jsonl", &[("events.jsonl", b"[1, 2]\n")]).await;
    assert!(
        e.starts_with("source `events`: events.jsonl:1:1: this line is not a JSON object |"),
        "{e}"
    );
}

#[tokio::test]
async fn a_damaged_parquet_file_is_refused_by_name() {
    // a real Parquet file, written by the query engine from the good CSV
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.parquet");
    let ctx = datafusion::prelude::SessionContext::new();
    std::fs::write(tmp.path().join("good.csv"), GOOD).unwrap();
    ctx.read_csv(
        tmp.path().join("good.csv").to_str().unwrap(),
        datafusion::prelude::CsvReadOptions::new(),
    )
    .await
    .unwrap()
    .write_parquet(
        good.to_str().unwrap(),
        datafusion::dataframe::DataFrameWriteOptions::new().with_single_file_output(true),
        None,
    )
    .await
    .unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let glob = "events/*.parquet";

    // whole, it reads
    let dir = tempfile::tempdir().unwrap();
    let e = open(dir.path(), "parquet", glob, &[("events/a.parquet", &bytes)])
        .await
        .expect("a whole file opens");
    assert_eq!(total(&e, "revenue").await, 32.0);

    for (what, damaged) in [
        ("cut in half", bytes[..bytes.len() / 2].to_vec()),
        ("CSV under a Parquet name", GOOD.as_bytes().to_vec()),
    ] {
        let e = refused(
            "parquet",
            glob,
            &[("events/a.parquet", &bytes), ("events/b.parquet", &damaged)],
        )
        .await;
        assert!(
            e.starts_with(
                "source `events`: events/b.parquet is not a Parquet file that can be read"
            ),
            "{what}: {e}"
        );
    }
    let e = refused(
        "parquet",
        glob,
        &[("events/a.parquet", &bytes), ("events/b.parquet", b"")],
    )
    .await;
    assert!(
        e.starts_with("source `events`: events/b.parquet is empty (0 bytes)"),
        "{e}"
    );
}

#[tokio::test]
async fn rows_without_a_user_or_at_impossible_times_are_left_out_and_counted() {
    let tmp = tempfile::tempdir().unwrap();
    // two rows without a user in b.csv; one dated 2200 and one at the Unix epoch in a.csv
    let a = format!(
        "{GOOD}u1,2200-01-01T00:00:00,purchase,1000\nu2,1970-01-01T00:00:00,purchase,1000\n"
    );
    let b = "user_id,ts,event,amount\n,2025-03-05T10:00:00,purchase,100\n,2025-03-06T10:00:00,purchase,100\nu2,2025-03-06T11:00:00,purchase,1\n";
    let e = open(
        tmp.path(),
        "csv",
        "events/*.csv",
        &[
            ("events/a.csv", a.as_bytes()),
            ("events/b.csv", b.as_bytes()),
        ],
    )
    .await
    .expect("opens");
    // counted by hand: 5 + 20 + 7 + 1; nothing of the four rows left out
    assert_eq!(total(&e, "revenue").await, 33.0);
    assert_eq!(total(&e, "purchases").await, 4.0);
    let days = e.data_days().expect("days");
    assert_eq!(
        days.1.to_string(),
        "2025-03-10",
        "the series end at the last real event"
    );
    let w = e.warnings().join("\n");
    assert!(
        w.contains("source `events`: 2 event(s) have no user in `user_id` and are not counted, in events/b.csv (2)"),
        "{w}"
    );
    assert!(
        w.contains("source `events`: 2 event(s) dated before 2025-01-01 (the first signup's year) or after "),
        "{w}"
    );
    assert!(
        w.contains("are not counted (dated 1970-01-01 to 2200-01-01), in events/a.csv (2)"),
        "{w}"
    );

    // nothing left to count is an error, not an empty report
    let only_header = "user_id,ts,event,amount\n";
    let e = refused(
        "csv",
        "events.csv",
        &[("events.csv", only_header.as_bytes())],
    )
    .await;
    assert!(
        e.starts_with("source `events` has no events to measure: it has no rows |"),
        "{e}"
    );
}

#[tokio::test]
async fn column_types_come_from_every_row() {
    // a sparse amount: empty for the first 1,500 rows (past the engine's default sample)
    let mut events = String::from("user_id,ts,event,amount\n");
    for i in 0..1500 {
        events.push_str(&format!(
            "u1,2025-03-03T10:{:02}:{:02},view,\n",
            i / 60 % 60,
            i % 60
        ));
    }
    events.push_str("u2,2025-03-04T09:00:00,purchase,20.5\n");
    let tmp = tempfile::tempdir().unwrap();
    let e = open(
        tmp.path(),
        "csv",
        "events.csv",
        &[("events.csv", events.as_bytes())],
    )
    .await
    .expect("opens");
    assert_eq!(total(&e, "revenue").await, 20.5);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len() as u64) as usize]
    }
}

/// One generated event file's text: mostly good rows, some with the faults real exports have.
fn generated_events(rng: &mut Rng, jsonl: bool) -> String {
    let names = ["login", "purchase", "invite", "survey"];
    let times = [
        "2025-03-03T10:00:00",
        "2025-03-04 09:30:00",
        "2025-03-11T23:59:59Z",
        "2025-03-20",
        "2025-03-09T02:30:00+01:00",
        "2200-01-01T00:00:00",
        "1970-01-01T00:00:00",
    ];
    let users = ["u1", "u2", "u3", "u4", ""];
    let mut out = if jsonl {
        String::new()
    } else {
        "user_id,ts,event,amount\n".to_string()
    };
    for _ in 0..rng.below(40) {
        let (u, t, e) = (rng.pick(&users), rng.pick(&times), rng.pick(&names));
        let amount = match rng.below(4) {
            0 => String::new(),
            1 => "-3.5".into(),
            _ => rng.below(100).to_string(),
        };
        if jsonl {
            let amount = if amount.is_empty() {
                "null".into()
            } else {
                amount
            };
            let user = if u.is_empty() {
                "null".into()
            } else {
                format!("\"{u}\"")
            };
            out.push_str(&format!(
                "{{\"user_id\": {user}, \"ts\": \"{t}\", \"event\": \"{e}\", \"amount\": {amount}}}\n"
            ));
        } else {
            out.push_str(&format!("{u},{t},{e},{amount}\n"));
        }
    }
    // now and then, a fault of the file itself
    match rng.below(12) {
        0 => out.clear(),
        3 if !jsonl => out.push_str("u2,not a time,login,\nu3,,login,\n"),
        1 if !jsonl => out.push_str("u1,2025-03-05T10:00:00,login,1,extra\n"),
        1 => out.push_str("{\"user_id\": \"u1\", \"ts\": \n"),
        2 => out.push('\n'),
        _ => {}
    }
    out
}

/// Generated workspaces with generated (and sometimes damaged) event files: opening and
/// measuring either works or fails with throughline's own message, never the query engine's
/// words, a temporary path or a panic.
#[tokio::test]
async fn no_generated_input_gets_an_internal_error() {
    let metrics = [
        "{ type: count, event: purchase }",
        "{ type: unique }",
        "{ type: sum, event: purchase, property: amount }",
        "{ type: average, event: purchase, property: amount }",
        "{ type: conversion, from: signup, to: purchase, within: 7d }",
        "{ type: duration, from: login, to: purchase }",
        "{ type: retention, from: signup, return: login, every: week, horizon: 2 }",
        "{ type: funnel, steps: [login, purchase], within: 3d }",
        "{ type: churn, every: week }",
        "{ type: stickiness }",
        "{ type: nps, event: survey, property: amount }",
        "{ type: lifecycle, every: week }",
        "{ type: count, event: purchse }",
        "{ type: count, event: login, where: \"amount > 3\" }",
    ];
    let mut rng = Rng(0x0dd_f00d_5eed);
    let mut outcomes = std::collections::BTreeMap::new();
    for case in 0..40 {
        let tmp = tempfile::tempdir().unwrap();
        let jsonl = rng.below(2) == 0;
        let (format, ext) = if jsonl {
            ("jsonl", "jsonl")
        } else {
            ("csv", "csv")
        };
        std::fs::create_dir_all(tmp.path().join("events")).unwrap();
        for f in 0..1 + rng.below(3) {
            let text = generated_events(&mut rng, jsonl);
            std::fs::write(tmp.path().join(format!("events/part-{f}.{ext}")), text).unwrap();
        }
        std::fs::write(tmp.path().join("users.csv"), USERS).unwrap();
        let mut yaml = String::from("metrics:\n");
        for i in 0..1 + rng.below(4) {
            let m = rng.pick(&metrics);
            yaml.push_str(&format!("  - {{ id: m{i}, compute: {m} }}\n"));
        }
        let loaded = common::load(
            tmp.path(),
            &settings(format, &format!("events/*.{ext}")),
            &yaml,
        );
        assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
        let grain = [Grain::Day, Grain::Week, Grain::Month][rng.below(3) as usize];
        let by = (rng.below(2) == 0).then(|| "plan".to_string());
        let result = match Engine::open(&loaded.workspace, tmp.path()).await {
            Ok(e) => e
                .measure(&Request {
                    grain: Some(grain),
                    by,
                    ..Request::default()
                })
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        let what = match result {
            Ok(()) => "measured".to_string(),
            Err(e) => {
                assert!(
                    !e.internal,
                    "case {case}: the query engine's words: {}\nmetrics:\n{yaml}",
                    e.message
                );
                assert!(
                    !e.message.contains(tmp.path().to_str().unwrap()),
                    "case {case}: a temporary path in {}",
                    e.message
                );
                e.message.chars().take(60).collect::<String>()
            }
        };
        *outcomes.entry(what).or_insert(0) += 1;
    }
    eprintln!("{outcomes:#?}");
    // the generator reaches both sides
    assert!(
        outcomes.get("measured").copied().unwrap_or(0) >= 10,
        "{outcomes:?}"
    );
    assert!(outcomes.len() >= 3, "{outcomes:?}");
}

/// `faulty_rows: refuse` turns the counted rows into an error naming the same files.
#[tokio::test]
async fn a_source_can_refuse_rows_it_would_leave_out() {
    let b = "user_id,ts,event,amount\n,2025-03-05T10:00:00,purchase,100\nu2,2025-03-06T11:00:00,purchase,1\n";
    let strict = settings("csv", "events/*.csv")
        .replace("name: event } }", "name: event }, faulty_rows: refuse }");
    assert!(strict.contains("faulty_rows: refuse"), "{strict}");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("events")).unwrap();
    std::fs::write(tmp.path().join("events/a.csv"), GOOD).unwrap();
    std::fs::write(tmp.path().join("events/b.csv"), b).unwrap();
    let e = match common::open(tmp.path(), &[("users.csv", USERS)], &strict, METRICS).await {
        Ok(_) => panic!("a row without a user was not refused"),
        Err(e) => e,
    };
    assert!(!e.internal);
    assert_eq!(
        e.message,
        "source `events`: 1 event(s) have no user in `user_id`, in events/b.csv (1)"
    );
    assert!(e.help.contains("`faulty_rows: refuse`"), "{}", e.help);
    let settings_text = strict.as_str();
    let at = e.span.expect("points at the setting");
    let (from, len) = (at.offset as usize, at.len as usize);
    assert_eq!(&settings_text[from..from + len], "refuse");

    // the same files with the default (count): measured, the row left out and said
    let counting = strict.replace("faulty_rows: refuse", "faulty_rows: count");
    let e = common::open(tmp.path(), &[("users.csv", USERS)], &counting, METRICS)
        .await
        .expect("opens");
    assert_eq!(total(&e, "revenue").await, 33.0);
    assert_eq!(e.warnings().len(), 1, "{:?}", e.warnings());

    // a clean source opens under `refuse`
    std::fs::remove_file(tmp.path().join("events/b.csv")).unwrap();
    let e = common::open(tmp.path(), &[("users.csv", USERS)], &strict, METRICS)
        .await
        .expect("nothing to refuse");
    assert_eq!(total(&e, "revenue").await, 32.0);
}

/// Parquet files written here, from (user, seconds since the epoch, event, amount) rows; the
/// user column left out when `with_user` is false, the time as `unit` with a UTC zone.
fn parquet_bytes(
    rows: &[(&str, i64, &str, f64)],
    with_user: bool,
    unit: datafusion::arrow::datatypes::TimeUnit,
    scale: i64,
) -> Vec<u8> {
    use datafusion::arrow::array::{
        ArrayRef, Float64Array, StringArray, TimestampMillisecondArray, TimestampSecondArray,
    };
    use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    use datafusion::arrow::record_batch::RecordBatch;
    use std::sync::Arc;
    let mut fields = Vec::new();
    let mut cols: Vec<ArrayRef> = Vec::new();
    if with_user {
        fields.push(Field::new("user_id", DataType::Utf8, true));
        cols.push(Arc::new(StringArray::from(
            rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        )));
    }
    let times: Vec<i64> = rows.iter().map(|r| r.1.saturating_mul(scale)).collect();
    let ts: ArrayRef = match unit {
        TimeUnit::Second => Arc::new(TimestampSecondArray::from(times).with_timezone("UTC")),
        _ => Arc::new(TimestampMillisecondArray::from(times).with_timezone("UTC")),
    };
    fields.push(Field::new(
        "ts",
        DataType::Timestamp(unit, Some("UTC".into())),
        false,
    ));
    cols.push(ts);
    fields.push(Field::new("event", DataType::Utf8, false));
    cols.push(Arc::new(StringArray::from(
        rows.iter().map(|r| r.2).collect::<Vec<_>>(),
    )));
    fields.push(Field::new("amount", DataType::Float64, false));
    cols.push(Arc::new(Float64Array::from(
        rows.iter().map(|r| r.3).collect::<Vec<_>>(),
    )));
    let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), cols).unwrap();
    let mut out = Vec::new();
    let mut w =
        datafusion::parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// 2025-03-03T10:00:00Z and two days later, as seconds.
const MAR3: i64 = 1_740_996_000;
const MAR5: i64 = MAR3 + 2 * 86_400;

/// One Parquet file of three written without the user column: its rows are rows without a
/// user, left out and counted with the file's name, never a column error from the engine.
#[tokio::test]
async fn a_parquet_file_without_the_user_column_is_counted_by_name() {
    use datafusion::arrow::datatypes::TimeUnit;
    let a = parquet_bytes(
        &[
            ("u1", MAR3, "purchase", 5.0),
            ("u2", MAR5, "purchase", 20.0),
        ],
        true,
        TimeUnit::Second,
        1,
    );
    let b = parquet_bytes(&[("u3", MAR5, "purchase", 7.0)], true, TimeUnit::Second, 1);
    let c = parquet_bytes(
        &[("", MAR3, "purchase", 100.0), ("", MAR5, "purchase", 100.0)],
        false,
        TimeUnit::Second,
        1,
    );
    let tmp = tempfile::tempdir().unwrap();
    let e = open(
        tmp.path(),
        "parquet",
        "events/*.parquet",
        &[
            ("events/a.parquet", &a),
            ("events/b.parquet", &b),
            ("events/c.parquet", &c),
        ],
    )
    .await
    .expect("opens");
    // by hand: 5 + 20 + 7; the two rows of c.parquet have no user
    assert_eq!(total(&e, "revenue").await, 32.0);
    let w = e.warnings().join("\n");
    assert!(
        w.contains("source `events`: 2 event(s) have no user in `user_id` and are not counted, in events/c.parquet (2)"),
        "{w}"
    );
}

/// Times beyond what a timestamp can hold (a corrupt value of trillions of seconds) are not
/// the engine's "out of range" error: they are rows whose time cannot be read, named.
#[tokio::test]
async fn times_out_of_any_range_are_named_not_an_engine_error() {
    use datafusion::arrow::datatypes::TimeUnit;
    // seconds near i64::MAX / 1000: a microsecond cannot hold them
    let corrupt = i64::MAX / 1000;
    let a = parquet_bytes(
        &[
            ("u1", MAR3, "purchase", 5.0),
            ("u2", corrupt, "purchase", 20.0),
        ],
        true,
        TimeUnit::Second,
        1,
    );
    let e = refused("parquet", "events/*.parquet", &[("events/a.parquet", &a)]).await;
    assert_eq!(
        e,
        "source `events`: 1 row(s) have a time in `ts` that cannot be read, e.g. `9223372036854775 (seconds since 1970, as stored)`; the first is at events/a.parquet:row 2: `9223372036854775 (seconds since 1970, as stored)` | a stored timestamp this far from today is a damaged value, not a time: export the rows again, or remove them"
    );
    // milliseconds in year 10,000 and beyond: a microsecond holds them, the plausible range
    // does not
    let far = 400_000_000_000i64; // seconds: year 14,645
    let b = parquet_bytes(
        &[("u1", MAR3, "purchase", 5.0), ("u2", far, "purchase", 20.0)],
        true,
        TimeUnit::Millisecond,
        1000,
    );
    let tmp = tempfile::tempdir().unwrap();
    let e = open(
        tmp.path(),
        "parquet",
        "events/*.parquet",
        &[("events/b.parquet", &b)],
    )
    .await
    .expect("opens");
    assert_eq!(total(&e, "revenue").await, 5.0);
    let w = e.warnings().join("\n");
    assert!(w.contains("in events/b.parquet (1)"), "{w}");
}

/// What opening learned, as a test compares it: the warnings, each name's count, the data's
/// days and the names a metric reads that never occur; or the error.
fn opened(r: Result<Engine, EngineError>) -> String {
    match r {
        Ok(e) => format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            e.warnings(),
            e.event_counts(),
            e.data_days(),
            e.absent_names()
        ),
        Err(e) => format!("error: {} | {}", e.message, e.help),
    }
}

/// Opens the workspace in `dir`, with what opening learns of each file kept in `cache` (read
/// back when `read`), or without a cache.
async fn open_keeping(
    dir: &Path,
    settings: &str,
    metrics: &str,
    cache: Option<(&Path, bool)>,
) -> Result<Engine, EngineError> {
    let loaded = common::load(dir, settings, metrics);
    let options = throughline_engine::EngineOptions {
        opening_cache: cache.map(|(c, read)| throughline_engine::OpeningCache {
            dir: c.to_path_buf(),
            read,
        }),
        ..Default::default()
    };
    Engine::open_with(&loaded.workspace, dir, &options).await
}

/// Generated (and sometimes damaged) event files, 3 or 40 (more than are scanned one by
/// one), opened with their facts kept and read back after files are added, rewritten and
/// removed, tell what a fresh opening of the same files tells: the same warnings (counts of rows left out, with their files), the same counts
/// per name, the same days, the same errors.
#[tokio::test]
async fn facts_kept_per_file_equal_a_fresh_scan_after_any_change() {
    let metrics = "metrics:\n  - { id: purchases, compute: { type: count, event: purchase } }\n  - { id: typo, compute: { type: count, event: purchse } }\n";
    let mut rng = Rng(0x05ee_d0ff_11e5);
    let mut compared = 0;
    for case in 0..16 {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let jsonl = case % 2 == 1;
        let (format, ext) = if jsonl {
            ("jsonl", "jsonl")
        } else {
            ("csv", "csv")
        };
        let settings = settings(format, &format!("events/*.{ext}"));
        std::fs::create_dir_all(tmp.path().join("events")).unwrap();
        std::fs::write(tmp.path().join("users.csv"), USERS).unwrap();
        let file = |f: u64| tmp.path().join(format!("events/part-{f}.{ext}"));
        // now and then more files than are scanned one by one (kept as one batch)
        let n = if case % 4 == 3 { 40 } else { 3 };
        for f in 0..n {
            std::fs::write(file(f), generated_events(&mut rng, jsonl)).unwrap();
        }
        for step in 0..4 {
            let kept =
                opened(open_keeping(tmp.path(), &settings, metrics, Some((&cache, true))).await);
            let fresh = opened(open_keeping(tmp.path(), &settings, metrics, None).await);
            assert_eq!(kept, fresh, "case {case}, step {step}");
            compared += 1;
            // a change: a file added, one rewritten, or one removed (one is always left)
            let f = rng.below(n + 2);
            match rng.below(3) {
                0 => std::fs::write(file(f), generated_events(&mut rng, jsonl)).unwrap(),
                // rows appended (to a CSV file, with a second header: a damaged row)
                1 if file(f).exists() => {
                    let text = std::fs::read_to_string(file(f)).unwrap();
                    let more = generated_events(&mut rng, jsonl);
                    std::fs::write(file(f), text + &more).unwrap();
                }
                _ => {
                    let left = (0..n + 2).filter(|g| file(*g).exists()).count();
                    if left > 1 {
                        let _ = std::fs::remove_file(file(f));
                    }
                }
            }
        }
    }
    assert_eq!(compared, 64);
}

/// The kept facts are what the next opening reads for a file that did not change (a count
/// altered in the cache shows), and not for a file that did, nor for one with a row dated past
/// the plausible range (the clock may reach it), nor under `--full`'s `read: false`, nor after
/// the source's definition changed.
#[tokio::test]
async fn kept_facts_are_read_only_while_they_hold() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cache = dir.join("cache");
    // as above: a.csv has a row dated 2200 and one at the epoch, b.csv two rows without a user
    let a = format!(
        "{GOOD}u1,2200-01-01T00:00:00,purchase,1000\nu2,1970-01-01T00:00:00,purchase,1000\n"
    );
    let b = "user_id,ts,event,amount\n,2025-03-05T10:00:00,purchase,100\n,2025-03-06T10:00:00,purchase,100\nu2,2025-03-06T11:00:00,purchase,1\n";
    std::fs::create_dir_all(dir.join("events")).unwrap();
    std::fs::write(dir.join("events/a.csv"), &a).unwrap();
    std::fs::write(dir.join("events/b.csv"), b).unwrap();
    std::fs::write(dir.join("users.csv"), USERS).unwrap();
    let settings = settings("csv", "events/*.csv");
    let warnings = |r: Result<Engine, EngineError>| r.expect("opens").warnings().join("\n");
    let first = warnings(open_keeping(dir, &settings, METRICS, Some((&cache, true))).await);
    assert!(first.contains("2 event(s) have no user"), "{first}");
    assert!(first.contains("2 event(s) dated before"), "{first}");
    // alter the kept counts of both files
    let alter = || {
        let path = cache.join("opening.json");
        let mut kept: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for f in kept["batches"].as_array_mut().unwrap() {
            let seen = &mut f["seen"];
            if seen["no_user"] == 2 {
                seen["no_user"] = 9.into();
            }
            if seen["implausible"] == 2 {
                seen["implausible"] = 50.into();
            }
        }
        std::fs::write(&path, kept.to_string()).unwrap();
    };
    alter();
    let read = warnings(open_keeping(dir, &settings, METRICS, Some((&cache, true))).await);
    // b.csv's facts are read back; a.csv, with a row past the range's end, is scanned again
    assert!(read.contains("9 event(s) have no user"), "{read}");
    assert!(read.contains("2 event(s) dated before"), "{read}");
    // `read: false` scans every file, and keeps the true counts again
    alter();
    let full = warnings(open_keeping(dir, &settings, METRICS, Some((&cache, false))).await);
    assert_eq!(full, first);
    let again = warnings(open_keeping(dir, &settings, METRICS, Some((&cache, true))).await);
    assert_eq!(again, first);
    // a rewritten file is scanned again
    alter();
    std::fs::write(
        dir.join("events/b.csv"),
        format!("{b}u3,2025-03-07T11:00:00,login,1\n"),
    )
    .unwrap();
    let rewritten = warnings(open_keeping(dir, &settings, METRICS, Some((&cache, true))).await);
    assert_eq!(rewritten, first);
    // a changed definition of the source: every file is scanned again
    alter();
    let zoned = settings.replace("name: event }", "name: event, time_zone: Europe/Paris }");
    assert_ne!(zoned, settings);
    let redefined = warnings(open_keeping(dir, &zoned, METRICS, Some((&cache, true))).await);
    let fresh = warnings(open_keeping(dir, &zoned, METRICS, None).await);
    assert_eq!(redefined, fresh);
    assert!(fresh.contains("2 event(s) have no user"), "{fresh}");
}
