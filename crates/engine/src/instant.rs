//! Reading times as instants: ISO 8601 text with or without an offset (`Z`, `+02:00`,
//! `-0500`), with any fraction of a second, zone-less timestamps and dates.
//!
//! A time written with an offset is that instant. A time written without one is a local time
//! of the source's zone (`columns.time_zone`, else the workspace's `timezone`): in the hour the
//! clocks skip (a spring-forward gap) it is moved forward by the gap, `02:30` → `03:30`; in
//! the hour they repeat (an autumn overlap) it is the first of the two instants. A date is
//! its local midnight. Instants are held to the microsecond: digits past the sixth are read
//! and dropped.
//!
//! One scalar function does this for every row (`tl_instant`), so that CSV and JSON lines
//! read the same way as Parquet and no cast can fail half way through a query.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, ArrayRef, AsArray, TimestampMicrosecondArray};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::prelude::Expr;

/// The instant of local time `t` in `tz`, as microseconds since the epoch.
pub fn local_to_utc_us(t: NaiveDateTime, tz: Tz) -> Option<i64> {
    use chrono::offset::LocalResult;
    let resolved = match tz.from_local_datetime(&t) {
        LocalResult::Single(d) => d,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => {
            // a gap: the offset in force before it (a day earlier), applied to the written
            // time, lands after the gap by as much as the written time was into it
            use chrono::Offset;
            let before = tz
                .from_local_datetime(&(t - Duration::days(1)))
                .earliest()?
                .offset()
                .fix();
            let utc = t - Duration::seconds(i64::from(before.local_minus_utc()));
            Utc.from_utc_datetime(&utc).with_timezone(&tz)
        }
    };
    Some(resolved.with_timezone(&Utc).timestamp_micros())
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM[:SS[.fraction]]` and either with an offset.
/// Returns microseconds since the epoch, or `None` when the text is not such a time.
// Long because it is one scanner over the ISO 8601 forms accepted (date, time, fraction, offset
// or zone), in the order they appear in the text.
pub fn parse_text(s: &str, tz: Tz) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.is_empty() || !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let rest = &s[10..];
    if rest.is_empty() {
        return local_to_utc_us(date.and_time(NaiveTime::MIN), tz);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let rb = rest.as_bytes();
    if rb.len() < 5 || rb[2] != b':' {
        return None;
    }
    let two = |at: usize| -> Option<u32> {
        let p = rest.get(at..at + 2)?;
        p.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| p.parse().ok())?
    };
    let (h, m) = (two(0)?, two(3)?);
    let mut i = 5;
    let mut sec = 0;
    let mut micros = 0u32;
    if rb.get(i) == Some(&b':') {
        sec = two(i + 1)?;
        i += 3;
        if rb.get(i).is_some_and(|c| *c == b'.' || *c == b',') {
            let digits: String = rest[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if digits.is_empty() || digits.len() > 9 {
                return None;
            }
            let six: String = digits
                .chars()
                .chain(std::iter::repeat('0'))
                .take(6)
                .collect();
            micros = six.parse().ok()?;
            i += 1 + digits.len();
        }
    }
    let time = NaiveTime::from_hms_micro_opt(h, m, sec.min(59), micros)?;
    let local = date.and_time(time) + Duration::seconds(i64::from(sec.saturating_sub(59)));
    let zone = rest[i..].trim_start();
    if zone.is_empty() {
        return local_to_utc_us(local, tz);
    }
    let offset_secs: i64 = match zone {
        "Z" | "z" | "UTC" | "GMT" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = zone[1..].chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|c| c.is_ascii_digit()) || ![2, 4].contains(&digits.len()) {
                return None;
            }
            let hh: i64 = digits[..2].parse().ok()?;
            let mm: i64 = if digits.len() == 4 {
                digits[2..].parse().ok()?
            } else {
                0
            };
            if hh > 23 || mm > 59 {
                return None;
            }
            sign * (hh * 3600 + mm * 60)
        }
    };
    let utc = local - Duration::seconds(offset_secs);
    Some(Utc.from_utc_datetime(&utc).timestamp_micros())
}

/// The UTC instant type every normalized time column has.
pub fn utc_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// `tl_instant(time, zone)`: a text, zone-less timestamp or date column as UTC instants, local
/// times read in `zone` (an IANA name, a literal). Unreadable text becomes null (the caller
/// counts such rows and refuses them with their file, line and column).
///
/// The zone is an argument rather than a field of the function so that a plan sent to a
/// cluster ([`functions`]) carries it: a function travels by name only.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InstantUdf {
    signature: Signature,
}

impl Default for InstantUdf {
    fn default() -> Self {
        InstantUdf {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

/// `tl_instant(e, tz)`: `e` read as local times of `tz`.
pub fn instant_expr(e: Expr, tz: Tz) -> Expr {
    ScalarUDF::from(InstantUdf::default()).call(vec![e, datafusion::prelude::lit(tz.name())])
}

/// The engine's own scalar functions, which every process that runs its plans (a cluster's
/// scheduler and executors) registers by name.
pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(InstantUdf::default())),
        Arc::new(ScalarUDF::from(EpochUsUdf::default())),
    ]
}

impl ScalarUDFImpl for InstantUdf {
    fn name(&self) -> &str {
        throughline_postgres::INSTANT_FN
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args.first() {
            Some(
                DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Timestamp(_, _)
                | DataType::Date32
                | DataType::Date64
                | DataType::Null,
            ) => Ok(utc_type()),
            other => {
                exec_err!("tl_instant reads text, zone-less timestamps and dates, not {other:?}")
            }
        }
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [arg, zone] = <[ColumnarValue; 2]>::try_from(args.args).map_err(|_| {
            datafusion::error::DataFusionError::Execution(
                "tl_instant takes a time and a time zone".into(),
            )
        })?;
        let tz: Tz = match &zone {
            ColumnarValue::Scalar(
                ScalarValue::Utf8(Some(z))
                | ScalarValue::Utf8View(Some(z))
                | ScalarValue::LargeUtf8(Some(z)),
            ) => match z.parse() {
                Ok(t) => t,
                Err(_) => return exec_err!("unknown time zone {z}"),
            },
            other => {
                return exec_err!("tl_instant's time zone must be a text literal, not {other:?}");
            }
        };
        let array = arg.into_array(args.number_rows)?;
        Ok(ColumnarValue::Array(instants(&array, tz)?))
    }
}

/// The instants of a column (see [`InstantUdf`]).
pub fn instants(array: &ArrayRef, tz: Tz) -> Result<ArrayRef> {
    let n = array.len();
    let mut out: Vec<Option<i64>> = Vec::with_capacity(n);
    let naive = |v: i64, unit: &TimeUnit| -> Option<i64> {
        let (secs, nanos) = match unit {
            TimeUnit::Second => (v, 0),
            TimeUnit::Millisecond => (v.div_euclid(1_000), v.rem_euclid(1_000) * 1_000_000),
            TimeUnit::Microsecond => (v.div_euclid(1_000_000), v.rem_euclid(1_000_000) * 1_000),
            TimeUnit::Nanosecond => (v.div_euclid(1_000_000_000), v.rem_euclid(1_000_000_000)),
        };
        let t = chrono::DateTime::from_timestamp(secs, nanos as u32)?.naive_utc();
        local_to_utc_us(t, tz)
    };
    match array.data_type() {
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            out.extend(a.iter().map(|v| v.and_then(|s| parse_text(s, tz))));
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            out.extend(a.iter().map(|v| v.and_then(|s| parse_text(s, tz))));
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            out.extend(a.iter().map(|v| v.and_then(|s| parse_text(s, tz))));
        }
        DataType::Timestamp(unit, None) => {
            let unit = *unit;
            let values = stored(array, unit);
            out.extend(values.into_iter().map(|v| v.and_then(|v| naive(v, &unit))));
        }
        DataType::Timestamp(unit, Some(_)) => {
            // already an instant: only its unit changes, and a value too large for a
            // microsecond (a corrupt file's) is a time that cannot be read, not an error
            let unit = *unit;
            let values = stored(array, unit);
            out.extend(values.into_iter().map(|v| {
                let us = match unit {
                    TimeUnit::Second => v?.checked_mul(1_000_000)?,
                    TimeUnit::Millisecond => v?.checked_mul(1_000)?,
                    TimeUnit::Microsecond => v?,
                    TimeUnit::Nanosecond => v?.div_euclid(1_000),
                };
                chrono::DateTime::from_timestamp_micros(us).map(|_| us)
            }));
        }
        DataType::Date32 => {
            let a = array.as_primitive::<datafusion::arrow::datatypes::Date32Type>();
            out.extend(a.iter().map(|v| {
                let d = NaiveDate::from_num_days_from_ce_opt(v? + 719_163)?;
                local_to_utc_us(d.and_time(NaiveTime::MIN), tz)
            }));
        }
        DataType::Date64 => {
            let a = array.as_primitive::<datafusion::arrow::datatypes::Date64Type>();
            out.extend(a.iter().map(|v| naive(v?, &TimeUnit::Millisecond)));
        }
        DataType::Null => out.resize(n, None),
        other => return exec_err!("tl_instant cannot read {other:?}"),
    }
    Ok(Arc::new(
        TimestampMicrosecondArray::from(out).with_timezone("UTC"),
    ))
}

/// A timestamp column's values as stored, in its own unit.
fn stored(array: &ArrayRef, unit: TimeUnit) -> Vec<Option<i64>> {
    use datafusion::arrow::datatypes as t;
    match unit {
        TimeUnit::Second => prim::<t::TimestampSecondType>(array),
        TimeUnit::Millisecond => prim::<t::TimestampMillisecondType>(array),
        TimeUnit::Microsecond => prim::<t::TimestampMicrosecondType>(array),
        TimeUnit::Nanosecond => prim::<t::TimestampNanosecondType>(array),
    }
}

fn prim<T: datafusion::arrow::datatypes::ArrowPrimitiveType<Native = i64>>(
    a: &ArrayRef,
) -> Vec<Option<i64>> {
    a.as_primitive::<T>().iter().collect()
}

/// A UTC-instant literal.
pub fn ts_lit(us: i64) -> Expr {
    datafusion::prelude::lit(ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn offsets_are_instants_and_fractions_are_kept() {
        let ny = chrono_tz::America::New_York;
        assert_eq!(
            parse_text("2025-03-01T15:00:00Z", ny),
            Some(utc("2025-03-01T15:00:00Z"))
        );
        assert_eq!(
            parse_text("2025-03-01T15:00:00.123456Z", ny),
            Some(utc("2025-03-01T15:00:00.123456Z"))
        );
        // nanoseconds: read, then held to the microsecond
        assert_eq!(
            parse_text("2025-03-01T15:00:00.123456789+00:00", ny),
            Some(utc("2025-03-01T15:00:00.123456Z"))
        );
        assert_eq!(
            parse_text("2025-03-01 10:00:00-0500", ny),
            Some(utc("2025-03-01T15:00:00Z"))
        );
        assert_eq!(
            parse_text("2025-03-01T16:00+01", ny),
            Some(utc("2025-03-01T15:00:00Z"))
        );
        for bad in [
            "yesterday",
            "2025-13-45",
            "2025-03-01T25:00:00",
            "2025-03-01T10:00:00+25:00",
            "2025-03-01X10:00",
            "",
        ] {
            assert_eq!(parse_text(bad, ny), None, "{bad}");
        }
    }

    #[test]
    fn local_times_around_the_clock_changes() {
        let ny = chrono_tz::America::New_York;
        // EST is UTC-5, EDT UTC-4; clocks jump 02:00 → 03:00 on 2025-03-09, fall back
        // 02:00 → 01:00 on 2025-11-02
        assert_eq!(
            parse_text("2025-03-01 09:00:00", ny),
            Some(utc("2025-03-01T14:00:00Z"))
        );
        assert_eq!(
            parse_text("2025-03-09 01:59:59", ny),
            Some(utc("2025-03-09T06:59:59Z"))
        );
        // in the gap: moved forward by the hour the clocks skip
        assert_eq!(
            parse_text("2025-03-09 02:30:00", ny),
            Some(utc("2025-03-09T07:30:00Z"))
        );
        assert_eq!(
            parse_text("2025-03-09 03:30:00", ny),
            Some(utc("2025-03-09T07:30:00Z"))
        );
        // in the overlap: the first 01:30 (still EDT)
        assert_eq!(
            parse_text("2025-11-02 01:30:00", ny),
            Some(utc("2025-11-02T05:30:00Z"))
        );
        assert_eq!(
            parse_text("2025-11-02 02:30:00", ny),
            Some(utc("2025-11-02T07:30:00Z"))
        );
        // a date is its local midnight
        assert_eq!(
            parse_text("2025-07-04", ny),
            Some(utc("2025-07-04T04:00:00Z"))
        );
        // east of Greenwich too: Auckland skips 02:00 → 03:00 on 2025-09-28 (NZST +12 → NZDT +13)
        let akl = chrono_tz::Pacific::Auckland;
        assert_eq!(
            parse_text("2025-09-28 02:30:00", akl),
            Some(utc("2025-09-27T14:30:00Z"))
        );
    }
}

/// `tl_us(instant)`: an instant (or a local-zone timestamp) as microseconds since the epoch. A
/// function of its own rather than a cast to `BIGINT`, which PostgreSQL refuses for
/// timestamps: the PostgreSQL dialect writes it as `EXTRACT(EPOCH FROM …)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EpochUsUdf {
    signature: Signature,
}

impl Default for EpochUsUdf {
    fn default() -> Self {
        EpochUsUdf {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

/// `tl_us(e)`.
pub fn epoch_us(e: Expr) -> Expr {
    ScalarUDF::from(EpochUsUdf::default()).call(vec![e])
}

impl ScalarUDFImpl for EpochUsUdf {
    fn name(&self) -> &str {
        throughline_postgres::EPOCH_US_FN
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args.first() {
            Some(DataType::Timestamp(TimeUnit::Microsecond, Some(_)) | DataType::Null) => {
                Ok(DataType::Int64)
            }
            other => exec_err!("tl_us reads microsecond instants, not {other:?}"),
        }
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some(arg) = args.args.into_iter().next() else {
            return exec_err!("tl_us takes one argument");
        };
        arg.cast_to(&DataType::Int64, None)
    }
}
