//! Where a time that cannot be read was written: the file, line and column of the first such
//! value of a CSV or JSON-lines source, or the file and row of a Parquet source, so that the
//! error points at the data the way a compiler points at code.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use datafusion::arrow::array::Array;
use datafusion::prelude::*;
use throughline_model::{Source, SourceFormat};

use crate::instant::instants;

/// The files a source's `path:` names, in order.
pub(crate) fn files(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let full = root.join(pattern);
    let text = full.to_string_lossy();
    match glob::glob(&text) {
        Ok(paths) => {
            let mut v: Vec<PathBuf> = paths.flatten().filter(|p| p.is_file()).collect();
            v.sort();
            v
        }
        Err(_) => vec![full],
    }
}

/// `file:line:column: \`value\`` of the first time in column `time` that cannot be read.
pub(crate) async fn first_unreadable(
    s: &Source,
    root: &Path,
    time: &str,
    tz: Tz,
) -> Option<String> {
    let pattern = s.path.as_ref()?;
    for f in files(root, &pattern.value) {
        let found = match s.format.value {
            SourceFormat::Csv => csv_file(&f, time, tz),
            SourceFormat::Jsonl => jsonl_file(&f, time, tz),
            SourceFormat::Parquet => parquet_file(&f, time, tz).await,
            SourceFormat::Postgres => None,
        };
        if let Some((place, value)) = found {
            let name = f.strip_prefix(root).unwrap_or(&f).display().to_string();
            return Some(format!("{name}:{place}: `{value}`"));
        }
    }
    None
}

fn readable(value: &str, tz: Tz) -> bool {
    value.trim().is_empty() || crate::instant::parse_text(value, tz).is_some()
}

fn csv_file(path: &Path, time: &str, tz: Tz) -> Option<(String, String)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_path(path)
        .ok()?;
    let at = r.headers().ok()?.iter().position(|h| h == time)?;
    let mut record = csv::StringRecord::new();
    while r.read_record(&mut record).ok()? {
        let Some(value) = record.get(at) else {
            continue;
        };
        if readable(value, tz) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        // the column: one past the commas before the field (quoted fields may differ a little)
        let before: usize = (0..at)
            .map(|i| record.get(i).map_or(0, |f| f.chars().count()) + 1)
            .sum();
        return Some((format!("{line}:{}", before + 1), value.to_string()));
    }
    None
}

fn jsonl_file(path: &Path, time: &str, tz: Tz) -> Option<(String, String)> {
    let file = std::fs::File::open(path).ok()?;
    let key = format!("\"{time}\"");
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.ok()?;
        let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&line) else {
            continue;
        };
        let value = match map.get(time) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => continue,
            Some(other) => other.to_string(),
        };
        if readable(&value, tz) {
            continue;
        }
        let column = line
            .find(&key)
            .and_then(|k| {
                line[k + key.len()..]
                    .find(|c: char| c != ':' && !c.is_whitespace())
                    .map(|v| k + key.len() + v)
            })
            .map_or(1, |b| line[..b].chars().count() + 1);
        return Some((format!("{}:{column}", i + 1), value));
    }
    None
}

async fn parquet_file(path: &Path, time: &str, tz: Tz) -> Option<(String, String)> {
    let ctx = SessionContext::new();
    let df = ctx
        .read_parquet(
            path.to_string_lossy().as_ref(),
            ParquetReadOptions::default(),
        )
        .await
        .ok()?
        .select(vec![ident(time)])
        .ok()?;
    let batches = df.collect().await.ok()?;
    let mut row = 0usize;
    for b in batches {
        let raw = b.column(0);
        let parsed = instants(raw, tz).ok()?;
        for i in 0..b.num_rows() {
            if !raw.is_null(i) && parsed.is_null(i) {
                let text = stored_text(&raw.slice(i, 1)).unwrap_or_default();
                return Some((format!("row {}", row + i + 1), text));
            }
        }
        row += b.num_rows();
    }
    None
}

/// One stored time as text for a message: a timestamp as its number (one past any calendar has
/// no date to show), anything else as its text.
fn stored_text(one: &datafusion::arrow::array::ArrayRef) -> Option<String> {
    use datafusion::arrow::datatypes::DataType;
    use datafusion::arrow::util::display::array_value_to_string;
    match one.data_type() {
        DataType::Timestamp(unit, _) => {
            let n = datafusion::arrow::compute::cast(one, &DataType::Int64).ok()?;
            Some(format!(
                "{}{}",
                array_value_to_string(&n, 0).ok()?,
                as_stored(unit)
            ))
        }
        _ => array_value_to_string(one, 0).ok(),
    }
}

/// What a stored timestamp's number counts: ` (seconds since 1970, as stored)`.
pub(crate) fn as_stored(unit: &datafusion::arrow::datatypes::TimeUnit) -> String {
    format!(
        " ({}s since 1970, as stored)",
        format!("{unit:?}").to_lowercase()
    )
}
