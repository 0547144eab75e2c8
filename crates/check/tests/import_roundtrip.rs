//! `throughline import`'s YAML for a Markdown page: the seed's good example (as the CLI's
//! fixture holds it) becomes a workspace that loads without input errors and that `check`
//! passes with no error, with the same objectives, key results, targets and baselines.

use std::path::PathBuf;

use throughline_model::markdown::{KnownMetric, to_yaml};
use throughline_model::{Severity, load_paths};

fn seed_good() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/okrs/seed-good.md")
}

#[test]
fn the_seeds_good_example_imports_to_yaml_that_check_passes() {
    let page = load_paths(&[seed_good()]);
    let md: Vec<_> = page.workspace.objectives.clone();
    assert_eq!(md.len(), 1);
    assert_eq!(md[0].key_results.len(), 3);
    let metrics = [KnownMetric {
        id: "activation_rate",
        name: "Activation rate",
    }];
    let yaml = to_yaml(&md, &metrics, "seed-good.md");

    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("throughline.yaml"),
        "workspace: imported\npeople:\n  - { name: Dana (PM Growth) }\n",
    )
    .unwrap();
    std::fs::write(tmp.path().join("okrs.yaml"), &yaml).unwrap();
    std::fs::write(
        tmp.path().join("metrics.yaml"),
        "metrics:\n  - { id: activation_rate, name: Activation rate, role: input, unit: percent, direction: up, timing: leading, owner: Dana (PM Growth), compute: { type: conversion, from: signup, to: workflow_completed, within: 7d } }\n",
    )
    .unwrap();
    let ws = load_paths(&[tmp.path().to_path_buf()]);
    let input: Vec<_> = ws
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(input.is_empty(), "{yaml}\n{input:#?}");
    let y = &ws.workspace.objectives;
    assert_eq!(y.len(), 1, "{yaml}");
    assert_eq!(y[0].title.value, md[0].title.value);
    assert_eq!(
        y[0].period.as_ref().map(|p| p.value.to_string()),
        Some("2024-Q1".to_string())
    );
    for (a, b) in y[0].key_results.iter().zip(&md[0].key_results) {
        assert_eq!(a.title.value, b.title.value);
        assert_eq!(
            a.target.as_ref().map(|q| q.value.to_string()),
            b.target.as_ref().map(|q| q.value.to_string()),
            "{yaml}"
        );
        assert_eq!(
            a.baseline.as_ref().map(|q| q.value.to_string()),
            b.baseline.as_ref().map(|q| q.value.to_string()),
            "{yaml}"
        );
    }
    // the activation key result is measured by the metric whose name it says
    assert_eq!(
        y[0].key_results[0]
            .metric
            .as_ref()
            .map(|m| m.value.as_str()),
        Some("activation_rate"),
        "{yaml}"
    );
    let errors: Vec<_> = throughline_check::run(&ws)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{yaml}\n{errors:#?}");
}
