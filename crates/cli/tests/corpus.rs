//! OKR documents in both formats, each declaring the rule ids it must produce on its first
//! line (`# expect: a, b` or `<!-- expect: a, b -->`). The set must match exactly: a missing
//! id is a missed problem, an extra id is a false alarm.

mod common;

use std::collections::BTreeSet;

#[test]
fn every_document_reports_exactly_its_expected_rules() {
    let dir = common::fixtures().join("okrs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus is missing files");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let first = text.lines().next().unwrap_or_default();
        let list = first
            .split_once("expect:")
            .map(|(_, rest)| rest.trim_end_matches("-->").trim())
            .unwrap_or_else(|| panic!("{} has no `expect:` header", path.display()));
        let expected: BTreeSet<String> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        let name = format!("okrs/{}", path.file_name().unwrap().to_string_lossy());
        let r = common::run(&["check", &name, "--format", "json"]);
        let found: BTreeSet<String> = common::findings(&r.stdout)
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        if found != expected {
            failures.push(format!("{name}: expected {expected:?}, found {found:?}"));
        }
        let want_code = if expected.iter().any(|r| {
            [
                "output-key-result",
                "unmeasurable-key-result",
                "missing-target",
                "undefined-metric",
            ]
            .contains(&r.as_str())
        }) {
            1
        } else {
            0
        };
        if r.code != want_code {
            failures.push(format!(
                "{name}: exit code {} (expected {want_code})",
                r.code
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
