//! Malformed and hostile files: every one gets an error naming file:line:column and exit
//! code 2; nothing panics (exit code 101) and nothing hangs (the runner's watchdog).

mod common;

use std::path::Path;

fn assert_input_error(dir: &Path, file: &str) {
    let r = common::run_in(dir, &["check", file, "--format", "json"]);
    assert_ne!(r.code, 101, "{file}: panicked\n{}", r.stderr);
    assert_eq!(
        r.code, 2,
        "{file}: expected exit 2, got {}\n{}",
        r.code, r.stdout
    );
    let rows = common::findings(&r.stdout);
    assert!(!rows.is_empty(), "{file}: no diagnostic");
    for row in &rows {
        assert!(
            row["file"]
                .as_str()
                .unwrap()
                .ends_with(file.trim_start_matches("bad/")),
            "{file}: {row}"
        );
        assert!(
            row["line"].as_u64().unwrap() >= 1 && row["column"].as_u64().unwrap() >= 1,
            "{row}"
        );
        assert!(
            !row["help"].as_str().unwrap().is_empty(),
            "{file}: no help in {row}"
        );
    }
    // the human form must not panic either, and must end with the summary
    let human = common::run_in(dir, &["check", file]);
    assert_eq!(human.code, 2, "{file}");
    assert!(
        human.stdout.contains("the rules were not run"),
        "{file}: {}",
        human.stdout
    );
}

#[test]
fn committed_hostile_files() {
    let dir = common::fixtures();
    let mut files: Vec<String> = std::fs::read_dir(dir.join("bad"))
        .unwrap()
        .flatten()
        .map(|e| format!("bad/{}", e.file_name().to_string_lossy()))
        .collect();
    files.sort();
    assert!(files.len() >= 15);
    for f in files {
        assert_input_error(&dir, &f);
    }
}

#[test]
fn specific_errors_say_where_and_what() {
    let dir = common::fixtures();
    let rows =
        |f: &str| common::findings(&common::run_in(&dir, &["check", f, "--format", "json"]).stdout);
    let utf8 = &rows("bad/invalid-utf8.yaml")[0];
    assert_eq!(
        (
            utf8["rule"].as_str(),
            utf8["line"].as_u64(),
            utf8["column"].as_u64()
        ),
        (Some("unreadable-file"), Some(3), Some(15))
    );
    let quote = &rows("bad/unclosed-quote.yaml")[0];
    assert_eq!(quote["rule"], "yaml-syntax");
    assert_eq!(quote["line"], 3);
    let types = rows("bad/wrong-types.yaml");
    let msgs: Vec<&str> = types
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    assert!(
        msgs.contains(&"`objectives` should be a list, found text"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"`targets` should be a list, found a number"),
        "{msgs:?}"
    );
    let values = rows("bad/wrong-values.yaml");
    let msgs: Vec<&str> = values
        .iter()
        .map(|r| r["message"].as_str().unwrap())
        .collect();
    for needle in [
        "`id` should be text",
        "`title` should be text",
        "2025-Q9",
        "`lots` is not a number",
        "`weight` must be above 0",
    ] {
        assert!(
            msgs.iter().any(|m| m.contains(needle)),
            "{needle} not in {msgs:?}"
        );
    }
}

#[test]
fn generated_hostile_files() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // 10,000-deep nesting, flow and block style
    std::fs::write(
        d.join("deep-flow.yaml"),
        format!("objectives: {}", "[".repeat(10_000)),
    )
    .unwrap();
    let block: String = (0..10_000)
        .map(|i| format!("{}- \n", " ".repeat(i * 2)))
        .collect();
    std::fs::write(d.join("deep-block.yaml"), block).unwrap();
    let md = format!(
        "{}KR1: nested\n{}quote\n",
        "- ".repeat(10_000),
        "> ".repeat(10_000)
    );
    std::fs::write(
        d.join("deep-list.md"),
        format!("## Q1 2025 OKRs\n### Objective 1: Deep\n**Key Results:**\n{md}"),
    )
    .unwrap();
    // a 50 MB file
    let line = "# padding padding padding padding padding padding padding padding padding\n";
    std::fs::write(
        d.join("huge.yaml"),
        line.repeat(50 * 1024 * 1024 / line.len()),
    )
    .unwrap();
    // many nodes under the size limit
    let many: String = (0..300_000).map(|i| format!("  - m{i}\n")).collect();
    std::fs::write(d.join("many-nodes.yaml"), format!("metrics:\n{many}")).unwrap();
    for f in [
        "deep-flow.yaml",
        "deep-block.yaml",
        "huge.yaml",
        "many-nodes.yaml",
    ] {
        assert_input_error(d, f);
    }
    // the deep Markdown list is valid Markdown: it reads, without overflowing the stack
    let r = common::run_in(d, &["check", "deep-list.md", "--format", "json"]);
    assert!(
        r.code == 0 || r.code == 1,
        "deep Markdown: exit {}\n{}",
        r.code,
        r.stderr
    );
    let huge =
        common::findings(&common::run_in(d, &["check", "huge.yaml", "--format", "json"]).stdout);
    assert!(
        huge[0]["message"].as_str().unwrap().contains("MB"),
        "{huge:?}"
    );
}

#[test]
fn random_bytes_never_panic() {
    // a cheap deterministic fuzz pass over both readers (cargo-fuzz targets go further)
    let tmp = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let alphabet = b"- :{}[]\"'#\n\t*!&|>%@`,?abc019KR";
    for i in 0..40 {
        let len = (next() % 400) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if next() % 10 == 0 {
                    (next() % 256) as u8
                } else {
                    alphabet[(next() % alphabet.len() as u64) as usize]
                }
            })
            .collect();
        for ext in ["yaml", "md"] {
            let name = format!("f{i}.{ext}");
            std::fs::write(tmp.path().join(&name), &bytes).unwrap();
            let r = common::run_in(tmp.path(), &["check", &name, "--format", "json"]);
            assert!(
                matches!(r.code, 0..=2),
                "{name} exited {}: {}\ninput: {:?}",
                r.code,
                r.stderr,
                String::from_utf8_lossy(&bytes)
            );
            common::findings(&r.stdout);
        }
    }
}
