//! Reading a plan's result batches into rows keyed by period start and segment.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMicrosecondType};

use crate::EngineError;
use crate::columns::{PERIOD, SEGMENT, VALUE};
use crate::plan::{DENOMINATOR, NUMERATOR, OFFSET};

pub(crate) type Key = (DateTime<Tz>, Option<String>);
type Segments = Vec<Option<String>>;
type Starts = Vec<Option<DateTime<Tz>>>;

/// A value as read from a plan, before it is given its period's end and completeness.
#[derive(Clone, Debug, Default)]
pub(crate) struct Row {
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub curve: BTreeMap<i64, f64>,
    /// Funnel steps and lifecycle statuses: the `step_K` columns, by K.
    pub steps: BTreeMap<usize, f64>,
}

fn unexpected() -> EngineError {
    EngineError::new(
        "the engine returned columns of an unexpected type",
        "this is a bug in throughline; please report it with the metric definition",
    )
}

fn period_and_segment(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
) -> Result<(Starts, Segments), EngineError> {
    let period = b.column_by_name(PERIOD).ok_or_else(unexpected)?;
    let period = datafusion::arrow::compute::cast(
        period,
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    )
    .map_err(|_| unexpected())?;
    let period = period
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(unexpected)?;
    let starts = (0..b.num_rows())
        .map(|i| {
            (!period.is_null(i))
                .then(|| Utc.timestamp_micros(period.value(i)).single())
                .flatten()
                .map(|t| t.with_timezone(&tz))
        })
        .collect();
    let segs = if segmented {
        let s = b.column_by_name(SEGMENT).ok_or_else(unexpected)?;
        let s = datafusion::arrow::compute::cast(s, &DataType::Utf8).map_err(|_| unexpected())?;
        let s = s.as_string::<i32>();
        (0..b.num_rows())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect()
    } else {
        vec![None; b.num_rows()]
    };
    Ok((starts, segs))
}

fn f64_column(b: &RecordBatch, name: &str) -> Result<Vec<Option<f64>>, EngineError> {
    let c = b.column_by_name(name).ok_or_else(unexpected)?;
    let c = datafusion::arrow::compute::cast(c, &DataType::Float64).map_err(|_| unexpected())?;
    let c = c.as_primitive_opt::<Float64Type>().ok_or_else(unexpected)?;
    Ok((0..b.num_rows())
        .map(|i| (!c.is_null(i)).then(|| c.value(i)))
        .collect())
}

pub(crate) fn read_rows(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
    found: &mut BTreeMap<Key, Row>,
) -> Result<(), EngineError> {
    let (starts, segs) = period_and_segment(b, tz, segmented)?;
    let value = f64_column(b, VALUE)?;
    let num = f64_column(b, NUMERATOR)?;
    let den = f64_column(b, DENOMINATOR)?;
    let mut steps = Vec::new();
    for k in 0.. {
        let name = crate::plan::funnel::step_column(k);
        if b.column_by_name(&name).is_none() {
            break;
        }
        steps.push(f64_column(b, &name)?);
    }
    for i in 0..b.num_rows() {
        let Some(start) = starts[i] else { continue };
        let row = found.entry((start, segs[i].clone())).or_default();
        row.value = value[i];
        row.numerator = num[i];
        row.denominator = den[i];
        for (k, s) in steps.iter().enumerate() {
            row.steps.insert(k, s[i].unwrap_or(0.0));
        }
    }
    Ok(())
}

pub(crate) fn read_curve(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
    found: &mut BTreeMap<Key, Row>,
) -> Result<(), EngineError> {
    let (starts, segs) = period_and_segment(b, tz, segmented)?;
    let k = f64_column(b, OFFSET)?;
    let n = f64_column(b, "returned")?;
    for i in 0..b.num_rows() {
        let (Some(start), Some(k), Some(n)) = (starts[i], k[i], n[i]) else {
            continue;
        };
        if let Some(row) = found.get_mut(&(start, segs[i].clone())) {
            row.curve.insert(k as i64, n);
        }
    }
    Ok(())
}

/// The first column's text values of `batches`, empty ones left out.
pub(crate) fn texts(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        if let Some(a) = b.column(0).as_string_opt::<i32>() {
            out.extend(
                (0..a.len())
                    .filter(|&i| !a.is_null(i))
                    .map(|i| a.value(i).to_string()),
            );
        }
    }
    out
}
