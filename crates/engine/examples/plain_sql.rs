//! The demo metrics as hand-written SQL on plain DataFusion (the same version the engine uses),
//! one query per metric over the demo's Parquet files: the "plain DataFusion SQL" baseline of
//! `bench/engine_vs_duckdb.py`.
//!
//! `cargo run --release -p throughline-engine --example plain_sql -- DIR [DIMENSION]` prints one
//! JSON object per metric: `{"metric", "seconds", "rows": [[period, segment, value], …]}`.

use std::time::Instant;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMicrosecondType};
use datafusion::prelude::*;

/// DESIGN.md's definitions in DataFusion's dialect; `{seg}` is the segment expression of an
/// event row, `{useg}` of a user row, `{join}` the join that brings the user's dimension.
const QUERIES: &[(&str, &str)] = &[
    (
        "weekly_active_users",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, CAST(count(DISTINCT e.user_id) AS DOUBLE) AS value
         FROM ev e {join} WHERE e.event = 'workflow_completed' GROUP BY 1, 2",
    ),
    (
        "invites_sent",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, CAST(count(*) AS DOUBLE) AS value
         FROM ev e {join} WHERE e.event = 'invite_sent' GROUP BY 1, 2",
    ),
    (
        "support_tickets",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, CAST(count(*) AS DOUBLE) AS value
         FROM ev e {join} WHERE e.event = 'support_ticket_created' GROUP BY 1, 2",
    ),
    (
        "revenue",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, sum(e.amount) AS value
         FROM ev e {join} WHERE e.event = 'purchase' GROUP BY 1, 2",
    ),
    (
        "active_users",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, CAST(count(DISTINCT e.user_id) AS DOUBLE) AS value
         FROM ev e {join} GROUP BY 1, 2",
    ),
    (
        "new_user_nps",
        "SELECT date_trunc('week', e.ts) AS period, {seg} AS segment,
                100.0 * (count(*) FILTER (WHERE e.score >= 9) - count(*) FILTER (WHERE e.score <= 6)) / count(*) AS value
         FROM ev e {join} WHERE e.event = 'nps_submitted' AND e.score BETWEEN 0 AND 10 GROUP BY 1, 2",
    ),
    (
        "activation_rate",
        "WITH hits AS (
           SELECT u.user_id, count(e.user_id) AS n FROM us u LEFT JOIN ev e
             ON e.user_id = u.user_id AND e.event = 'workflow_completed'
            AND e.ts >= u.created_at AND e.ts <= u.created_at + INTERVAL '7 days'
           GROUP BY u.user_id)
         SELECT date_trunc('week', u.created_at) AS period, {useg} AS segment,
                100.0 * avg(CASE WHEN h.n > 0 THEN 1.0 ELSE 0.0 END) AS value
         FROM us u JOIN hits h ON h.user_id = u.user_id GROUP BY 1, 2",
    ),
    (
        "time_to_first_value",
        "WITH f AS (
           SELECT u.user_id, min(e.ts) AS first FROM us u JOIN ev e
             ON e.user_id = u.user_id AND e.event = 'workflow_completed' AND e.ts >= u.created_at
           GROUP BY u.user_id)
         SELECT date_trunc('week', u.created_at) AS period, {useg} AS segment,
                median(CAST(CAST(f.first AS BIGINT) - CAST(u.created_at AS BIGINT) AS DOUBLE) / 1e6) AS value
         FROM us u JOIN f ON f.user_id = u.user_id GROUP BY 1, 2",
    ),
    (
        "retention_w4",
        "WITH back AS (
           SELECT DISTINCT e.user_id FROM us u JOIN ev e
             ON e.user_id = u.user_id AND e.event = 'session_started'
            AND e.ts >= u.created_at + INTERVAL '28 days' AND e.ts < u.created_at + INTERVAL '35 days')
         SELECT date_trunc('week', u.created_at) AS period, {useg} AS segment,
                100.0 * avg(CASE WHEN b.user_id IS NULL THEN 0.0 ELSE 1.0 END) AS value
         FROM us u LEFT JOIN back b ON b.user_id = u.user_id GROUP BY 1, 2",
    ),
    (
        "stickiness",
        "WITH d AS (SELECT date_trunc('day', e.ts) AS day, {seg} AS segment, count(DISTINCT e.user_id) AS dau
                    FROM ev e {join} GROUP BY 1, 2),
              w AS (SELECT date_trunc('week', e.ts) AS period, {seg} AS segment, count(DISTINCT e.user_id) AS wau
                    FROM ev e {join} GROUP BY 1, 2),
              b AS (SELECT min(date_trunc('day', ts)) AS lo, max(date_trunc('day', ts)) AS hi FROM ev)
         SELECT w.period, w.segment,
                100.0 * sum(d.dau) / (CAST(CAST(least(w.period + INTERVAL '7 days', max(b.hi) + INTERVAL '1 day') AS BIGINT)
                                     - CAST(greatest(w.period, max(b.lo)) AS BIGINT) AS DOUBLE) / 86400e6) / max(w.wau) AS value
         FROM w JOIN d ON date_trunc('week', d.day) = w.period AND d.segment = w.segment CROSS JOIN b
         GROUP BY w.period, w.segment",
    ),
    (
        "monthly_churn",
        "WITH a AS (SELECT DISTINCT e.user_id, date_trunc('month', e.ts) AS m, {seg} AS segment FROM ev e {join})
         SELECT p.m + INTERVAL '1 month' AS period, p.segment,
                100.0 * count(*) FILTER (WHERE n.user_id IS NULL) / count(*) AS value
         FROM a p LEFT JOIN a n ON n.user_id = p.user_id AND n.m = p.m + INTERVAL '1 month'
         WHERE p.m + INTERVAL '1 month' <= (SELECT max(ts) FROM ev)
         GROUP BY 1, 2",
    ),
];

#[tokio::main]
async fn main() -> datafusion::error::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("usage: plain_sql DIR [DIMENSION]");
    let by = args.next();
    let ctx = SessionContext::new();
    ctx.register_parquet(
        "ev",
        &format!("{dir}/data/events/"),
        ParquetReadOptions::default(),
    )
    .await?;
    ctx.register_parquet(
        "us",
        &format!("{dir}/data/users.parquet"),
        ParquetReadOptions::default(),
    )
    .await?;
    let (seg, useg, join) = match &by {
        Some(d) => (
            format!("coalesce(u.{d}, '(none)')"),
            format!("u.{d}"),
            "LEFT JOIN us u ON u.user_id = e.user_id".to_string(),
        ),
        None => ("''".to_string(), "''".to_string(), String::new()),
    };
    for (metric, q) in QUERIES {
        let sql = q
            .replace("{seg}", &seg)
            .replace("{useg}", &useg)
            .replace("{join}", &join);
        let t0 = Instant::now();
        let batches = ctx.sql(&sql).await?.collect().await?;
        let secs = t0.elapsed().as_secs_f64();
        let mut rows = Vec::new();
        for b in &batches {
            let p = datafusion::arrow::compute::cast(
                b.column(0),
                &DataType::Timestamp(TimeUnit::Microsecond, None),
            )?;
            let p = p.as_primitive::<TimestampMicrosecondType>();
            let s = datafusion::arrow::compute::cast(b.column(1), &DataType::Utf8)?;
            let s = s.as_string::<i32>();
            let v = datafusion::arrow::compute::cast(b.column(2), &DataType::Float64)?;
            let v = v.as_primitive::<Float64Type>();
            for i in 0..b.num_rows() {
                let day = chrono::DateTime::from_timestamp_micros(p.value(i))
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                let value = if v.is_null(i) {
                    "null".to_string()
                } else {
                    format!("{}", v.value(i))
                };
                rows.push(format!("[\"{day}\",\"{}\",{value}]", s.value(i)));
            }
        }
        println!(
            "{{\"metric\":\"{metric}\",\"seconds\":{secs},\"rows\":[{}]}}",
            rows.join(",")
        );
    }
    Ok(())
}
