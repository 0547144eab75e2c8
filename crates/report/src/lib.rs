//! Renders diagnostics: for people (the source snippet with a caret and a `help:` line, like a
//! compiler), as JSON (one array of `{"rule","severity","file","line","column","message","help"}`)
//! and as SARIF 2.1.0 for code scanning in CI.

mod human;
mod reading;
mod sarif;

use serde::Serialize;
use throughline_model::{Diagnostic, SourceMap};

pub use human::{HumanOptions, render_human, summary_line};
pub use reading::render_reading;
pub use sarif::render_sarif;

/// One finding as `--format json` prints it.
#[derive(Serialize, Debug, PartialEq)]
pub struct JsonFinding<'a> {
    pub rule: &'a str,
    pub severity: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    pub message: &'a str,
    pub help: &'a str,
}

/// Where a diagnostic is: file name, line, column (1-based; 1:1 when it has no span).
pub fn location<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> (&'a str, u32, u32) {
    match d.span {
        Some(s) => (sources.name(s.file), s.line.max(1), s.column.max(1)),
        None => (d.file_name.as_deref().unwrap_or(""), 1, 1),
    }
}

/// The JSON array of findings.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let rows: Vec<JsonFinding> = diags
        .iter()
        .map(|d| {
            let (file, line, column) = location(d, sources);
            JsonFinding {
                rule: &d.code,
                severity: d.severity.as_str(),
                file,
                line,
                column,
                message: &d.message,
                help: d.help.as_deref().unwrap_or(""),
            }
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&rows).expect("findings serialize");
    s.push('\n');
    s
}
