//! Every file a source's `path:` matches, checked before the query engine reads it: a file
//! the engine would skip (zero bytes), misread (a truncated Parquet file, another format) or
//! refuse with its own words and a wrong line (a CSV row with too many fields, a JSON-lines
//! line that is not JSON) is an error here that names the file, the line and the column, and
//! says how to fix it. Nothing is skipped in silence.
//!
//! CSV and JSON-lines files are read through once for this (they are the formats of small and
//! medium data); a Parquet file's footer is read, not its rows.

use std::io::BufRead;
use std::path::Path;

use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use throughline_model::{Source, SourceFormat};

use super::listing::Files;
use crate::error::EngineError;

/// Checks each file of a file source; returns how many there are.
pub(crate) fn check(s: &Source, root: &Path) -> Result<usize, EngineError> {
    let Some(pattern) = &s.path else {
        return Ok(0);
    };
    let files = crate::locate::files(root, &pattern.value);
    let mut headers = Headers::default();
    for f in &files {
        let name = f.strip_prefix(root).unwrap_or(f).display().to_string();
        let fault = |what: String, help: &str| {
            EngineError::new(format!("source `{}`: {name}{what}", s.name.value), help)
                .at(pattern.span)
        };
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        if len == 0 {
            return Err(fault(EMPTY.0.into(), EMPTY.1));
        }
        if s.format.value == SourceFormat::Csv
            && let Some(this) = std::fs::File::open(f).ok().and_then(csv_header)
            && let Some((what, help)) = headers.agree(&name, this)
        {
            return Err(fault(what, &help));
        }
        let found = match s.format.value {
            SourceFormat::Parquet => parquet_file(f),
            SourceFormat::Csv => csv_file(f),
            SourceFormat::Jsonl => jsonl_file(f),
            SourceFormat::Postgres => None,
        };
        if let Some((place, what, help)) = found {
            let at = if place.is_empty() {
                format!(" {what}")
            } else {
                format!("{place}: {what}")
            };
            return Err(fault(at, help));
        }
    }
    Ok(files.len())
}

/// Checks each object of a file source in a store (S3, GCS, Azure) with what the listing and
/// each object's first line tell: an empty object, and a CSV header that differs from the
/// first object's, are errors as they are for local files. DataFusion fails loudly on the
/// rest (a row with too many fields, a line that is not JSON, a cut Parquet file), so the
/// objects are not read through twice.
pub(crate) async fn check_objects(s: &Source, files: &Files) -> Result<(), EngineError> {
    let Some(pattern) = &s.path else {
        return Ok(());
    };
    let mut headers = Headers::default();
    for (url, meta) in files.objects() {
        let fault = |what: String, help: &str| {
            EngineError::new(format!("source `{}`: {url}{what}", s.name.value), help)
                .at(pattern.span)
        };
        if meta.size == 0 {
            return Err(fault(EMPTY.0.into(), EMPTY.1));
        }
        if s.format.value != SourceFormat::Csv {
            continue;
        }
        let first = files.first_line(meta).await.map_err(|e| {
            fault(
                format!(": cannot be read ({e})"),
                "check that this process has the store's credentials and the object still exists",
            )
        })?;
        if let Some(this) = csv_header(first.as_slice())
            && let Some((what, help)) = headers.agree(url.as_str(), this)
        {
            return Err(fault(what, &help));
        }
    }
    Ok(())
}

/// What a file of zero bytes is, and what to do.
const EMPTY: (&str, &str) = (
    " is empty (0 bytes)",
    "an export that stopped before writing leaves such a file: write it again, or remove it from the folder `path:` reads",
);

/// The header of each file of a CSV source, against the first file's: CSV columns are read
/// by position, so files that disagree on them would fill one column with another's values.
#[derive(Default)]
struct Headers(Option<(String, Vec<String>)>);

impl Headers {
    /// What is wrong with file `name`'s header `this`, and how to fix it; `None` when it
    /// agrees with the first file's (or is the first).
    fn agree(&mut self, name: &str, this: Vec<String>) -> Option<(String, String)> {
        match &self.0 {
            Some((first, cols)) if *cols != this => Some((
                ":1: the header differs from the first file's".into(),
                format!(
                    "every file of a CSV source needs the same columns in the same order; {first} has `{}`, this one `{}`",
                    cols.join(","),
                    this.join(",")
                ),
            )),
            Some(_) => None,
            None => {
                self.0 = Some((name.to_string(), this));
                None
            }
        }
    }
}

type Fault = (String, String, &'static str);

/// The header of the CSV text `from` (the whole file, or its first line).
fn csv_header(from: impl std::io::Read) -> Option<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(from);
    Some(
        r.headers()
            .ok()?
            .iter()
            .map(|h| h.trim().to_string())
            .collect(),
    )
}

fn parquet_file(path: &Path) -> Option<Fault> {
    let file = std::fs::File::open(path).ok()?;
    match SerializedFileReader::new(file) {
        Ok(r) => {
            // the footer read; a file cut after it still lists row groups it no longer holds
            let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let meta = r.metadata();
            let past_end = (0..meta.num_row_groups()).any(|i| {
                let g = meta.row_group(i);
                g.columns().iter().any(|c| {
                    let (start, size) = c.byte_range();
                    start.saturating_add(size) > len
                })
            });
            past_end.then(|| {
                (
                    String::new(),
                    "is cut short: its footer lists data past the end of the file".into(),
                    "the file was not copied or written whole: copy or export it again",
                )
            })
        }
        Err(_) => Some((
            String::new(),
            "is not a Parquet file that can be read (it is cut short, or in another format)".into(),
            "export it again as Parquet, or set the source's `format:` to what the file is (csv, jsonl)",
        )),
    }
}

fn csv_file(path: &Path) -> Option<Fault> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .ok()?;
    let mut record = csv::ByteRecord::new();
    loop {
        match r.read_byte_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                if std::str::from_utf8(record.as_slice()).is_err() {
                    let line = record.position().map_or(0, |p| p.line());
                    return Some((
                        format!(":{line}"),
                        "this row is not UTF-8 text".into(),
                        "export the file as UTF-8",
                    ));
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let what = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("this row has {len} fields; the header has {expected_len}"),
                    _ => "this row cannot be read as CSV".into(),
                };
                return Some((
                    format!(":{line}"),
                    what,
                    "a field with a comma, quote or line break must be quoted (`\"a, b\"`, a quote doubled inside: `\"say \"\"hi\"\"\"`); fix or remove the row",
                ));
            }
        }
    }
}

fn jsonl_file(path: &Path) -> Option<Fault> {
    let mut file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    let mut line = String::new();
    let mut n = 0usize;
    loop {
        line.clear();
        n += 1;
        match file.read_line(&mut line) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(_) => {
                return Some((
                    format!(":{n}"),
                    "this line is not UTF-8 text".into(),
                    "export the file as UTF-8",
                ));
            }
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if !text.starts_with('{') {
            return Some((
                format!(":{n}:1"),
                "this line is not a JSON object".into(),
                "each line of a JSON-lines file is one event as an object: `{\"user_id\": 1, \"ts\": \"2026-03-01T09:30:00Z\", \"event\": \"login\"}`",
            ));
        }
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            let lead = line.len() - line.trim_start().len();
            return Some((
                format!(":{n}:{}", e.column() + lead),
                format!("this line is not valid JSON ({})", plain(&e)),
                "each line of a JSON-lines file is one complete JSON object; fix or remove the line",
            ));
        }
    }
}

/// serde_json's reason without its position (the caller gives the file's).
fn plain(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
