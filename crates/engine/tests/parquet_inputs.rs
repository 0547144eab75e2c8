//! Parquet event files from different writers, read as one source: one stores the event name
//! as a dictionary (as throughline's demo and pandas write it), the other as plain text (as
//! DuckDB and Spark write it), and one lacks a column the other has.

mod common;

use std::path::Path;

use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::prelude::SessionContext;
use throughline_engine::Request;
use throughline_model::Grain;

async fn write(dir: &Path, file: &str, select: &str) {
    let ctx = SessionContext::new();
    let path = dir.join(file);
    ctx.sql(&format!(
        "COPY ({select}) TO '{}' STORED AS PARQUET",
        path.display()
    ))
    .await
    .unwrap()
    .collect()
    .await
    .unwrap();
}

#[tokio::test]
async fn files_with_and_without_a_dictionary_are_one_source() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("events")).unwrap();
    let ts = |t: &str| format!("arrow_cast('{t}', 'Timestamp(Microsecond, Some(\"UTC\"))')");
    // week of Mar 2, 2026: a views twice (dictionary file), b views once and buys (plain file);
    // week of Mar 9: c views (plain file)
    write(
        dir,
        "events/a.parquet",
        &format!(
            "SELECT 'a' AS user_id, {} AS ts, arrow_cast('view', 'Dictionary(Int32, Utf8)') AS event \
             UNION ALL SELECT 'a', {}, arrow_cast('view', 'Dictionary(Int32, Utf8)')",
            ts("2026-03-02T10:00:00Z"),
            ts("2026-03-03T10:00:00Z")
        ),
    )
    .await;
    write(
        dir,
        "events/b.parquet",
        &format!(
            "SELECT 'b' AS user_id, {} AS ts, 'view' AS event, 10.0 AS amount \
             UNION ALL SELECT 'b', {}, 'buy', 25.0 \
             UNION ALL SELECT 'c', {}, 'view', CAST(NULL AS DOUBLE)",
            ts("2026-03-04T10:00:00Z"),
            ts("2026-03-04T11:00:00Z"),
            ts("2026-03-10T10:00:00Z")
        ),
    )
    .await;
    // the two files do differ in how they store `event`
    let event_type = |f: &str| {
        let r = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(dir.join(f)).unwrap())
            .unwrap();
        r.schema()
            .field_with_name("event")
            .unwrap()
            .data_type()
            .clone()
    };
    assert_ne!(
        event_type("events/a.parquet"),
        event_type("events/b.parquet")
    );

    let settings = "workspace: T\ntimezone: UTC\nsources:\n  events: { format: parquet, path: events/*.parquet, columns: { user: user_id, time: ts, name: event } }\n";
    let metrics = "metrics:\n  - { id: views, compute: { type: count, event: view } }\n  - { id: viewers, compute: { type: unique, event: view } }\n  - { id: revenue, compute: { type: sum, event: buy, property: amount } }\n";
    let e = common::open(dir, &[], settings, metrics)
        .await
        .expect("opens");
    let got = e
        .measure(&Request {
            grain: Some(Grain::Week),
            ..Request::default()
        })
        .await
        .unwrap();
    let value = |id: &str, week: &str| {
        got.iter()
            .find(|v| v.metric == id && v.start.date_naive().to_string() == week)
            .and_then(|v| v.value)
    };
    assert_eq!(value("views", "2026-03-02"), Some(3.0));
    assert_eq!(value("views", "2026-03-09"), Some(1.0));
    assert_eq!(value("viewers", "2026-03-02"), Some(2.0));
    assert_eq!(value("revenue", "2026-03-02"), Some(25.0));
}
