//! Rows in PostgreSQL's text format read into Arrow arrays of the types a plan expects.
//!
//! The text format is what every PostgreSQL type can be written as, so a `bigint`, `numeric`
//! or `double precision` result reads into whichever number type the plan wants, and
//! `timestamptz` values (printed with their offset) read into UTC instants exactly.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Float32Builder, Float64Builder, Int16Builder,
    Int32Builder, Int64Builder, LargeStringBuilder, NullBuilder, StringBuilder, StringViewBuilder,
    TimestampMicrosecondBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use sqlx::postgres::PgRow;
use sqlx::{Row, ValueRef};

enum Column {
    Null(NullBuilder),
    Bool(BooleanBuilder),
    I16(Int16Builder),
    I32(Int32Builder),
    I64(Int64Builder),
    F32(Float32Builder),
    F64(Float64Builder),
    Text(StringBuilder),
    LargeText(LargeStringBuilder),
    TextView(StringViewBuilder),
    Date(Date32Builder),
    Micros(TimestampMicrosecondBuilder, Option<Arc<str>>),
    Nanos(TimestampNanosecondBuilder, Option<Arc<str>>),
}

/// Rows gathered into one record batch.
pub(crate) struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<Column>,
    rows: usize,
    /// For each field of the schema, the statement's column that holds it: by name when every
    /// field's name is one column's (the unparser may put a grouping's keys after its
    /// aggregates), else by position. Read from the first row.
    order: Option<Vec<usize>>,
}

impl BatchBuilder {
    pub fn new(schema: SchemaRef) -> BatchBuilder {
        let columns = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::Null => Column::Null(NullBuilder::new()),
                DataType::Boolean => Column::Bool(BooleanBuilder::new()),
                DataType::Int16 => Column::I16(Int16Builder::new()),
                DataType::Int32 => Column::I32(Int32Builder::new()),
                DataType::Int64 => Column::I64(Int64Builder::new()),
                DataType::Float32 => Column::F32(Float32Builder::new()),
                DataType::Float64 => Column::F64(Float64Builder::new()),
                DataType::LargeUtf8 => Column::LargeText(LargeStringBuilder::new()),
                DataType::Utf8View => Column::TextView(StringViewBuilder::new()),
                DataType::Date32 => Column::Date(Date32Builder::new()),
                DataType::Timestamp(TimeUnit::Microsecond, tz) => {
                    Column::Micros(TimestampMicrosecondBuilder::new(), tz.clone())
                }
                DataType::Timestamp(TimeUnit::Nanosecond, tz) => {
                    Column::Nanos(TimestampNanosecondBuilder::new(), tz.clone())
                }
                // anything else arrives as its text; the schema check in `finish` says which
                _ => Column::Text(StringBuilder::new()),
            })
            .collect();
        BatchBuilder {
            schema,
            columns,
            rows: 0,
            order: None,
        }
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Appends one row; a value that does not read as its column's type is an error naming
    /// the column and the value.
    pub fn push(&mut self, row: &PgRow) -> std::result::Result<(), Undecodable> {
        let order = self
            .order
            .get_or_insert_with(|| column_order(&self.schema, row));
        for (i, c) in self.columns.iter_mut().enumerate() {
            let raw = row
                .try_get_raw(order[i])
                .map_err(|e| Undecodable(e.to_string()))?;
            let text = if raw.is_null() {
                None
            } else {
                Some(raw.as_str().map_err(|e| Undecodable(e.to_string()))?)
            };
            let name = self.schema.field(i).name();
            read(c, text).map_err(|expected| {
                Undecodable(format!(
                    "column `{name}`: `{}` is not {expected}",
                    text.unwrap_or_default()
                ))
            })?;
        }
        self.rows += 1;
        Ok(())
    }

    pub fn finish(mut self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Column::Null(b) => Arc::new(b.finish()),
                    Column::Bool(b) => Arc::new(b.finish()),
                    Column::I16(b) => Arc::new(b.finish()),
                    Column::I32(b) => Arc::new(b.finish()),
                    Column::I64(b) => Arc::new(b.finish()),
                    Column::F32(b) => Arc::new(b.finish()),
                    Column::F64(b) => Arc::new(b.finish()),
                    Column::Text(b) => Arc::new(b.finish()),
                    Column::LargeText(b) => Arc::new(b.finish()),
                    Column::TextView(b) => Arc::new(b.finish()),
                    Column::Date(b) => Arc::new(b.finish()),
                    Column::Micros(b, tz) => Arc::new(b.finish().with_timezone_opt(tz.clone())),
                    Column::Nanos(b, tz) => Arc::new(b.finish().with_timezone_opt(tz.clone())),
                }
            })
            .collect();
        RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| {
            DataFusionError::Execution(format!(
                "PostgreSQL returned columns of other types than the plan expects: {e}"
            ))
        })
    }
}

/// Appends `text` (`None` for NULL) to `c`; on error, what was expected.
/// Where each field of `schema` is among `row`'s columns (see [`BatchBuilder::order`]).
fn column_order(schema: &SchemaRef, row: &PgRow) -> Vec<usize> {
    use sqlx::{Column as _, Row as _};
    let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    let by_name: Option<Vec<usize>> = schema
        .fields()
        .iter()
        .map(|f| {
            let mut at = names.iter().enumerate().filter(|(_, n)| **n == f.name());
            match (at.next(), at.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
        .collect();
    by_name
        .filter(|o| names.len() == o.len())
        .unwrap_or_else(|| (0..schema.fields().len()).collect())
}

fn read(c: &mut Column, text: Option<&str>) -> std::result::Result<(), &'static str> {
    macro_rules! put {
        ($b:expr, $parse:expr, $what:literal) => {
            match text {
                None => $b.append_null(),
                Some(t) => $b.append_value($parse(t).ok_or($what)?),
            }
        };
    }
    match c {
        Column::Null(b) => b.append_null(),
        Column::Bool(b) => put!(b, boolean, "a boolean"),
        Column::I16(b) => put!(
            b,
            |t| integer(t).and_then(|v| i16::try_from(v).ok()),
            "a small integer"
        ),
        Column::I32(b) => put!(
            b,
            |t| integer(t).and_then(|v| i32::try_from(v).ok()),
            "an integer"
        ),
        Column::I64(b) => put!(b, integer, "an integer"),
        Column::F32(b) => put!(b, |t: &str| t.parse::<f32>().ok(), "a number"),
        Column::F64(b) => put!(b, |t: &str| t.parse::<f64>().ok(), "a number"),
        Column::Text(b) => put!(b, Some, "text"),
        Column::LargeText(b) => put!(b, Some, "text"),
        Column::TextView(b) => put!(b, Some, "text"),
        Column::Date(b) => put!(b, date, "a date"),
        Column::Micros(b, tz) => {
            let zoned = tz.is_some();
            put!(b, |t| micros(t, zoned), "a timestamp")
        }
        Column::Nanos(b, tz) => {
            let zoned = tz.is_some();
            put!(
                b,
                |t| micros(t, zoned).and_then(|us| us.checked_mul(1000)),
                "a timestamp"
            )
        }
    }
    Ok(())
}

fn boolean(t: &str) -> Option<bool> {
    match t {
        "t" | "true" => Some(true),
        "f" | "false" => Some(false),
        _ => None,
    }
}

/// An integer, also when written as a `numeric` with a zero fraction (`sum(bigint)` is
/// `numeric` in PostgreSQL).
fn integer(t: &str) -> Option<i64> {
    t.parse::<i64>().ok().or_else(|| {
        let (whole, frac) = t.split_once('.')?;
        frac.bytes()
            .all(|b| b == b'0')
            .then(|| whole.parse().ok())?
    })
}

fn date(t: &str) -> Option<i32> {
    let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((d - epoch).num_days()).ok()
}

/// Microseconds since the epoch: a `timestamptz` as printed (`2025-03-02 00:00:00.5-05`,
/// `+05:30` offsets too) is an instant; a `timestamp` is a wall-clock time read as if UTC.
fn micros(t: &str, zoned: bool) -> Option<i64> {
    if zoned {
        DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%#z")
            .ok()
            .map(|d| d.timestamp_micros())
    } else {
        NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")
            .ok()
            .map(|d| d.and_utc().timestamp_micros())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_as_the_plan_type() {
        assert_eq!(integer("42"), Some(42));
        assert_eq!(integer("42.000"), Some(42));
        assert_eq!(integer("42.5"), None);
        assert_eq!(
            micros("2025-03-02 00:00:00-05", true),
            Some(1_740_891_600_000_000)
        );
        assert_eq!(
            micros("2025-03-02 05:30:00.25+05:30", true),
            Some(1_740_873_600_250_000)
        );
        assert_eq!(
            micros("2025-03-02 00:00:00", false),
            Some(1_740_873_600_000_000)
        );
        assert_eq!(date("1970-01-02"), Some(1));
        assert_eq!(boolean("t"), Some(true));
    }
}

/// A value PostgreSQL returned that cannot be read as its column's type, and which.
#[derive(Debug)]
pub struct Undecodable(String);

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
