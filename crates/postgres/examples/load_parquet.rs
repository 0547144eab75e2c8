//! Loads Parquet files into a new PostgreSQL table, for the PostgreSQL benchmark and for trying
//! a PostgreSQL workspace on the demo's data:
//!
//! ```sh
//! cargo run --release -p throughline-postgres --example load_parquet -- \
//!   postgres://throughline@127.0.0.1:55432/postgres events 'demo/data/events/*.parquet'
//! ```
//!
//! The table is dropped and created with the files' columns (`timestamptz` for instants,
//! `text` for names), filled with `COPY … FROM STDIN` in batches, then analyzed.

use std::time::Instant;

use datafusion::arrow::array::Array;
use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::prelude::*;
use futures::StreamExt;
use sqlx::postgres::PgPoolOptions;
use sqlx::{AssertSqlSafe, Connection};

fn pg_type(t: &DataType) -> Option<&'static str> {
    Some(match t {
        DataType::Int8 | DataType::Int16 | DataType::UInt8 => "smallint",
        DataType::Int32 | DataType::UInt16 => "integer",
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint",
        DataType::Float16 | DataType::Float32 | DataType::Float64 => "double precision",
        DataType::Boolean => "boolean",
        DataType::Date32 | DataType::Date64 => "date",
        DataType::Timestamp(_, Some(_)) => "timestamptz",
        DataType::Timestamp(_, None) => "timestamp",
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "text",
        DataType::Dictionary(_, v) if v.is_string() => "text",
        _ => return None,
    })
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, table, path] = args.as_slice() else {
        eprintln!("usage: load_parquet POSTGRES_URL TABLE 'PATH/*.parquet'");
        std::process::exit(2);
    };
    let started = Instant::now();
    let ctx = SessionContext::new();
    let frame = ctx
        .read_parquet(path.as_str(), ParquetReadOptions::default())
        .await?;
    let schema: Schema = frame.schema().as_arrow().clone();
    let mut columns = Vec::new();
    for f in schema.fields() {
        let Some(t) = pg_type(f.data_type()) else {
            return Err(format!(
                "column `{}` is {}: not loaded by this tool",
                f.name(),
                f.data_type()
            )
            .into());
        };
        columns.push(format!("{} {t}", quoted(f.name())));
    }
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let name = quoted(table);
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP TABLE IF EXISTS {name}; CREATE TABLE {name} ({})",
        columns.join(", ")
    )))
    .execute(&mut *tx)
    .await?;
    let mut copy = tx
        .copy_in_raw(&format!("COPY {name} FROM STDIN WITH (FORMAT csv)"))
        .await?;
    let options = FormatOptions::default().with_null("");
    let mut stream = frame.execute_stream().await?;
    let mut rows = 0usize;
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        let texts: Vec<bool> = schema
            .fields()
            .iter()
            .map(|f| pg_type(f.data_type()) == Some("text"))
            .collect();
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = String::with_capacity(batch.num_rows() * 64);
        for r in 0..batch.num_rows() {
            for (i, f) in formatters.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if batch.column(i).is_null(r) {
                    continue;
                }
                let v = f.value(r).to_string();
                if texts[i] {
                    out.push_str(&format!("\"{}\"", v.replace('"', "\"\"")));
                } else {
                    out.push_str(&v);
                }
            }
            out.push('\n');
        }
        copy.send(out.into_bytes()).await?;
        rows += batch.num_rows();
    }
    copy.finish().await?;
    tx.commit().await?;
    sqlx::raw_sql(AssertSqlSafe(format!("ANALYZE {name}")))
        .execute(&mut *conn)
        .await?;
    eprintln!(
        "loaded {rows} rows into {table} in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
