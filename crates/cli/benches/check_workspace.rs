//! Benchmark: `check` on a generated workspace of 1,000 objectives (4,000 key results,
//! 20 files, 200 metrics). Goal: under one second for load + rules + JSON output.
//!
//! Baseline, measured in the same run on the same files: reading them and parsing the YAML
//! alone (serde-saphyr into its own spanned tree), so the figure shows what the typed model,
//! the validation and the rules cost on top of parsing.
//!
//! Run: `cargo bench -p throughline --bench check_workspace` (add `-- --objectives N`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const GOAL: Duration = Duration::from_secs(1);

fn generate(dir: &Path, objectives: usize) -> usize {
    let metrics = 200;
    let mut m = String::from("metrics:\n");
    for i in 0..metrics {
        m.push_str(&format!(
            "  - id: metric_{i}\n    name: Metric {i}\n    role: input\n    unit: percent\n    direction: up\n    timing: {}\n    owner: Analyst {i}\n    compute: {{ type: conversion, from: signup, to: event_{i}, within: 7d }}\n",
            if i % 2 == 0 { "leading" } else { "lagging" }
        ));
    }
    std::fs::write(
        dir.join("throughline.yaml"),
        "workspace: Bench\ntimezone: UTC\n",
    )
    .unwrap();
    std::fs::write(dir.join("metrics.yaml"), m).unwrap();
    let per_file = 50;
    let files = objectives.div_ceil(per_file);
    for f in 0..files {
        let mut o = String::from("objectives:\n");
        for j in 0..per_file.min(objectives - f * per_file) {
            let n = f * per_file + j;
            o.push_str(&format!(
                "  - id: objective-{n}\n    title: Help {} customers reach value in their first week\n    period: 2025-Q{}\n    team: team-{}\n    owner: Owner {n}\n    key_results:\n",
                word(n),
                n % 4 + 1,
                n / 5
            ));
            for k in 0..4 {
                let metric = (n * 4 + k) % metrics;
                o.push_str(&format!(
                    "      - id: kr-{n}-{k}\n        title: Increase metric {metric} from {b}% to {t}%\n        metric: metric_{metric}\n        baseline: {b}\n        target: {t}\n",
                    b = 20 + k,
                    t = 30 + k
                ));
            }
            o.push_str("    guardrails:\n      - { metric: metric_1, max_increase: 5% }\n");
        }
        std::fs::write(dir.join(format!("okrs-{f:03}.yaml")), o).unwrap();
    }
    files + 2
}

/// A number spelled in letters, so titles stay free of numbers.
fn word(mut n: usize) -> String {
    let mut s = String::new();
    loop {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
        if n == 0 {
            return s;
        }
    }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let objectives = args
        .iter()
        .position(|a| a == "--objectives")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().unwrap();
    let files = generate(tmp.path(), objectives);
    let paths = vec![PathBuf::from(tmp.path())];

    // baseline: read + parse YAML only
    let mut yaml_files: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    yaml_files.sort();
    let parse_only = best_of(5, || {
        for (i, p) in yaml_files.iter().enumerate() {
            let text = std::fs::read_to_string(p).unwrap();
            throughline_model::yaml::parse(&text, throughline_model::FileId(i as u32)).unwrap();
        }
    });

    let mut findings = 0;
    let mut krs = 0;
    let full = best_of(5, || {
        let loaded = throughline_model::load_paths(&paths);
        assert!(
            !loaded.has_input_errors(),
            "{:?}",
            loaded.diagnostics.first()
        );
        krs = loaded.workspace.key_results().count();
        let mut diags = loaded.diagnostics.clone();
        diags.extend(throughline_check::run(&loaded));
        findings = diags.len();
        std::hint::black_box(throughline_report::render_json(&diags, &loaded.sources));
    });

    // the same number of objectives in one Markdown document (titles repeat on purpose:
    // assigning unique ids once went cubic on them)
    let mut md = String::from("## Q1 2025 OKRs - Growth\n");
    for n in 0..objectives {
        md.push_str(&format!(
            "### Objective {n}: Help admins reach value in their first week\n**Owner:** P{n}\n\
             **Key Results:**\n- KR1: Increase setup from 20% to 30%\n  - Current: 20% | Target: 30%\n\
             - KR2: Reduce time to value from 3 days to 1 day\n- KR3: Raise NPS from 20 to 40\n\
             **Guardrails:**\n- Tickets: no increase\n\n"
        ));
    }
    let md_dir = tempfile::tempdir().unwrap();
    let md_paths = vec![md_dir.path().join("okrs.md")];
    std::fs::write(&md_paths[0], &md).unwrap();
    let markdown = best_of(5, || {
        let loaded = throughline_model::load_paths(&md_paths);
        std::hint::black_box(throughline_check::run(&loaded));
    });

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "check_workspace: {objectives} objectives, {krs} key results, {files} files, {findings} findings"
    );
    println!(
        "  baseline (read + parse YAML only):          {:>8.1} ms",
        ms(parse_only)
    );
    println!(
        "  check (load + validate + rules + JSON):     {:>8.1} ms  ({:.2}x the baseline)",
        ms(full),
        full.as_secs_f64() / parse_only.as_secs_f64()
    );
    println!(
        "  same objectives as one Markdown file ({} KB): {:>8.1} ms",
        md.len() / 1024,
        ms(markdown)
    );
    let worst = full.max(markdown);
    println!(
        "  goal: under {} ms: {}",
        GOAL.as_millis(),
        if worst < GOAL { "met" } else { "MISSED" }
    );
}
