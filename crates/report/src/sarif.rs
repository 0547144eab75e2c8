//! SARIF 2.1.0, the format code-scanning services read.

use serde_json::{Value, json};
use throughline_check::rules::ALL;
use throughline_model::{Diagnostic, Severity, SourceMap};

use crate::location;

/// Input error codes with what they mean, listed as rules so that scanners can show them.
const INPUT_CODES: &[(&str, &str)] = &[
    (
        "unreadable-file",
        "a file could not be read (missing, not UTF-8, too large, unsupported type)",
    ),
    ("yaml-syntax", "a YAML file has a syntax error"),
    ("invalid-type", "a field has the wrong type"),
    ("invalid-value", "a field's value is not valid"),
    ("unknown-key", "a field or rule id is not known"),
    ("missing-key", "a required field is missing"),
    ("unused-key", "a field is set where it has no effect"),
    ("no-objectives", "a Markdown document holds no objectives"),
    (
        "markdown-unread",
        "part of a Markdown OKR page looks like an OKR but has no place",
    ),
    (
        "uncertain-reading",
        "a Markdown OKR page may be misread: its reading is doubtful",
    ),
    (
        "shared-key-results",
        "a Markdown OKR page lists key results once for several objectives",
    ),
    (
        "objectives-only",
        "a Markdown OKR page holds objectives and no key results",
    ),
    (
        "unlisted-okr-page",
        "a Markdown OKR page in the workspace is not listed under `pages:`",
    ),
    ("empty-file", "a workspace file is empty"),
    ("duplicate-id", "an id is defined twice"),
    (
        "unknown-reference",
        "a reference names an objective or key result that is not defined",
    ),
    (
        "metric-cycle",
        "metrics are computed from each other in a loop",
    ),
];

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The SARIF log for one run of `check`.
pub fn render_sarif(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut rules: Vec<Value> = ALL
        .iter()
        .map(|r| {
            let m = r.meta();
            json!({
                "id": m.id,
                "shortDescription": { "text": m.summary },
                "fullDescription": { "text": m.summary },
                "help": { "text": m.explanation(), "markdown": m.explanation() },
                "defaultConfiguration": { "level": level(m.severity) },
            })
        })
        .collect();
    rules.extend(INPUT_CODES.iter().map(|(id, text)| {
        // the Markdown reader's findings have their own default severity
        let severity = throughline_check::READER_CODES
            .iter()
            .find(|c| c.0 == *id)
            .map_or(Severity::Error, |c| c.1);
        json!({
            "id": id,
            "shortDescription": { "text": text },
            "defaultConfiguration": { "level": level(severity) },
        })
    }));
    let index = |code: &str| rules.iter().position(|r| r["id"] == code);
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let (file, line, column) = location(d, sources);
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut region = json!({ "startLine": line, "startColumn": column });
            if let Some(s) = d.span
                && s.len > 0
                && let Some(f) = sources.get(s.file)
            {
                let end = (s.offset + s.len) as usize;
                let (el, ec) = throughline_model::source::line_column(&f.text, end);
                region["endLine"] = json!(el);
                region["endColumn"] = json!(ec);
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file.replace('\\', "/").trim_start_matches("./") },
                        "region": region,
                    }
                }],
            });
            if let Some(i) = index(&d.code) {
                result["ruleIndex"] = json!(i);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "throughline",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/throughline-dev/throughline",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&log).expect("SARIF serializes");
    s.push('\n');
    s
}
