//! What a data file holds before a workspace maps it: each column's kind (text, number,
//! time, with or without an offset), how many distinct values it has and a few of them.
//! `throughline init` proposes the column mapping from it. The files are read the way a
//! source is (the same checks for damaged files, types from every row).

use std::path::Path;

use chrono::Weekday;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::functions_aggregate::expr_fn::{approx_distinct, count};
use datafusion::prelude::*;
use throughline_model::{Source, SourceColumns, SourceFormat, Span, Spanned};

use crate::error::{EngineError, df};
use crate::time::Calendar;

/// What a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Number,
    /// Times; `zoned` when they carry their offset (`Z`, `+02:00`, or a zoned type), else
    /// they are local times of a zone the workspace must name.
    Time {
        zoned: bool,
    },
    Other,
}

/// One column of a file source.
#[derive(Clone, Debug)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ColumnKind,
    /// Distinct values, approximately (HyperLogLog): exact for small counts.
    pub distinct: u64,
    /// Rows where it is empty.
    pub nulls: u64,
    /// The first few values, as text.
    pub examples: Vec<String>,
}

/// A file source's rows and columns.
#[derive(Clone, Debug)]
pub struct Profile {
    pub rows: u64,
    pub files: usize,
    pub columns: Vec<ColumnInfo>,
}

/// How many values of each column are read as examples (and to tell times from text).
const EXAMPLES: usize = 20;
/// The rows the examples are taken from.
const SAMPLE_ROWS: usize = 10_000;

/// Reads the files `path` names (a file, or a glob, relative to `root`) as `format` and
/// profiles every column.
pub async fn profile(
    format: SourceFormat,
    path: &str,
    root: &Path,
) -> Result<Profile, EngineError> {
    if format == SourceFormat::Postgres {
        return Err(EngineError::new(
            "a PostgreSQL table is not profiled from a file path",
            "write the `sources:` block by hand (`throughline explain sources` shows one)",
        ));
    }
    let span = Span::default();
    let source = Source {
        name: Spanned::new("data".to_string(), span),
        format: Spanned::new(format, span),
        path: Some(Spanned::new(path.to_string(), span)),
        table: None,
        query: None,
        url_env: None,
        url: None,
        columns: SourceColumns::default(),
        dimensions: Vec::new(),
        faulty_rows: None,
        watermark: None,
        span,
    };
    let files = crate::locate::files(root, path).len();
    let ctx = SessionContext::new();
    let cal = Calendar::new(chrono_tz::UTC, Weekday::Mon, false);
    let frame = crate::sources::read_source(&ctx, &source, root, "profiled", &cal).await?;
    let schema = frame.schema().as_arrow().clone();
    let fail = |e| df("profiling the data", e);
    let mut aggs = vec![count(lit(1i64)).alias("__rows")];
    for (i, f) in schema.fields().iter().enumerate() {
        aggs.push(distinct_values(f.name(), f.data_type()).alias(format!("__d{i}")));
        aggs.push(count(ident(f.name())).alias(format!("__n{i}")));
    }
    let stats = frame
        .clone()
        .aggregate(vec![], aggs)
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let number = |b: &datafusion::arrow::record_batch::RecordBatch, i: usize| -> u64 {
        let c = b.column(i);
        if c.is_null(0) {
            return 0;
        }
        if let Some(a) = c.as_primitive_opt::<Int64Type>() {
            return a.value(0).max(0) as u64;
        }
        c.as_primitive_opt::<datafusion::arrow::datatypes::UInt64Type>()
            .map_or(0, |a| a.value(0))
    };
    let Some(b) = stats.first().filter(|b| b.num_rows() == 1) else {
        return Err(EngineError::new(
            format!("no rows in {path}"),
            "point at files that hold the events",
        ));
    };
    let rows = number(b, 0);
    let mut sample = examples(&frame, &schema).await?;
    let mut columns = Vec::new();
    for (i, f) in schema.fields().iter().enumerate() {
        let examples = std::mem::take(&mut sample[i]);
        columns.push(ColumnInfo {
            name: f.name().clone(),
            kind: kind(f.data_type(), &examples),
            distinct: number(b, 1 + 2 * i),
            nulls: rows.saturating_sub(number(b, 2 + 2 * i)),
            examples,
        });
    }
    Ok(Profile {
        rows,
        files,
        columns,
    })
}

/// Each column's first values that are not empty, as text, from the first
/// [`SAMPLE_ROWS`] rows: one read for every column (a column per query would parse a CSV
/// file once per column).
async fn examples(
    frame: &DataFrame,
    schema: &datafusion::arrow::datatypes::Schema,
) -> Result<Vec<Vec<String>>, EngineError> {
    let fail = |e| df("reading example values", e);
    let as_text: Vec<Expr> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| cast(ident(f.name()), DataType::Utf8).alias(format!("__c{i}")))
        .collect();
    let batches = frame
        .clone()
        .limit(0, Some(SAMPLE_ROWS))
        .and_then(|d| d.select(as_text))
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let mut out = vec![Vec::new(); schema.fields().len()];
    for b in &batches {
        for (i, values) in out.iter_mut().enumerate() {
            let Some(a) = b.column(i).as_string_opt::<i32>() else {
                continue;
            };
            values.extend(
                (0..a.len())
                    .filter(|&r| !a.is_null(r))
                    .take(EXAMPLES.saturating_sub(values.len()))
                    .map(|r| a.value(r).to_string()),
            );
        }
    }
    Ok(out)
}

/// A column's kind from its type and, for text, its values: text whose values all read as
/// times is times; they carry their offset when they read as the same instant in two zones.
fn kind(ty: &DataType, examples: &[String]) -> ColumnKind {
    match ty {
        DataType::Timestamp(_, tz) => ColumnKind::Time {
            zoned: tz.is_some(),
        },
        DataType::Date32 | DataType::Date64 => ColumnKind::Time { zoned: false },
        t if t.is_numeric() => ColumnKind::Number,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            use crate::instant::parse_text;
            let times = !examples.is_empty()
                && examples
                    .iter()
                    .all(|e| parse_text(e, chrono_tz::UTC).is_some());
            if times {
                let zoned = examples.iter().all(|e| {
                    parse_text(e, chrono_tz::UTC) == parse_text(e, chrono_tz::Asia::Tokyo)
                });
                ColumnKind::Time { zoned }
            } else {
                ColumnKind::Text
            }
        }
        _ => ColumnKind::Other,
    }
}

/// About how many distinct values a column holds. DataFusion 55's `approx_distinct` takes
/// whole numbers, text, dates and times only: a dictionary-encoded column (text in most
/// Parquet exports) is counted by its values, and decimals and booleans by their text; a
/// column that has no text form (a list, an object) has no count.
fn distinct_values(name: &str, ty: &DataType) -> Expr {
    use datafusion::arrow::compute::can_cast_types;
    let counted = |t: &DataType| {
        t.is_integer()
            || matches!(
                t,
                DataType::Utf8
                    | DataType::LargeUtf8
                    | DataType::Utf8View
                    | DataType::Date32
                    | DataType::Date64
                    | DataType::Timestamp(..)
            )
    };
    match ty {
        t if counted(t) => approx_distinct(ident(name)),
        DataType::Dictionary(_, v) if counted(v) => {
            approx_distinct(cast(ident(name), v.as_ref().clone()))
        }
        t if can_cast_types(t, &DataType::Utf8) => {
            approx_distinct(cast(ident(name), DataType::Utf8))
        }
        _ => lit(datafusion::scalar::ScalarValue::UInt64(None)),
    }
}
