//! The command line as a user meets it: exit codes, init, explain, rules, configuration,
//! inline allow comments and the JSON and SARIF shapes.

mod common;

use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn init_writes_a_workspace_that_checks_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let r = common::run_in(tmp.path(), &["init", "acme", "--period", "2025-Q1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Next steps"), "{}", r.stdout);
    let r = common::run_in(tmp.path(), &["check", "acme", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(common::findings(&r.stdout).is_empty(), "{}", r.stdout);
    let r = common::run_in(tmp.path(), &["check", "acme"]);
    assert!(
        r.stdout.contains("no problems found in 3 files"),
        "{}",
        r.stdout
    );
    // never overwrites
    let again = common::run_in(tmp.path(), &["init", "acme"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("never overwrites"),
        "{}",
        again.stderr
    );
}

#[test]
fn init_defaults_to_the_current_quarter_and_rejects_bad_periods() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(common::run_in(tmp.path(), &["init", "ws"]).code, 0);
    let okrs = std::fs::read_to_string(tmp.path().join("ws/okrs/okrs.yaml")).unwrap();
    assert!(okrs.contains("-Q"), "period should be a quarter");
    let r = common::run_in(tmp.path(), &["init", "other", "--period", "2025-Q7"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("Q1 to Q4"), "{}", r.stderr);
}

#[test]
fn exit_codes_follow_the_worst_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // warnings only → 0
    write(
        d,
        "warn.md",
        "## Q1 2025 OKRs\n\n### Objective 1: Help new admins finish setup on day one\n**Key Results:**\n- KR1: Increase day-one setup from 30% to 45%\n- KR2: Reduce setup tickets from 400 to 200\n- KR3: Raise admin NPS from 20 to 35\n\n**Guardrails:**\n- Ticket volume: no increase\n",
    );
    assert_eq!(common::run_in(d, &["check", "warn.md"]).code, 0);
    // an error-severity rule → 1
    write(
        d,
        "err.md",
        "## Q1 2025 OKRs\n\n### Objective 1: Help new admins finish setup on day one\n**Owner:** Kim\n**Key Results:**\n- KR1: Ship the setup wizard\n- KR2: Reduce setup tickets from 400 to 200\n- KR3: Raise admin NPS from 20 to 35\n\n**Guardrails:**\n- Ticket volume: no increase\n",
    );
    assert_eq!(common::run_in(d, &["check", "err.md"]).code, 1);
    // unreadable input → 2
    write(d, "broken.yaml", "objectives: [\n");
    assert_eq!(common::run_in(d, &["check", "broken.yaml"]).code, 2);
    assert_eq!(common::run_in(d, &["check", "missing.yaml"]).code, 2);
    assert_eq!(common::run_in(d, &["check", "notes.txt"]).code, 2);
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let r = common::run(&["check", "okrs/seed-bad.md", "--format", "json"]);
    let rows = common::findings(&r.stdout);
    assert!(!rows.is_empty());
    // fields appear in the documented order
    let first = &r.stdout[..r.stdout.find('}').unwrap()];
    let at: Vec<usize> = [
        "\"rule\"",
        "\"severity\"",
        "\"file\"",
        "\"line\"",
        "\"column\"",
        "\"message\"",
        "\"help\"",
    ]
    .iter()
    .map(|k| first.find(k).unwrap())
    .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    for row in rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "column", "file", "help", "line", "message", "rule", "severity"
            ]
        );
        assert!(row["line"].as_u64().unwrap() >= 1 && row["column"].as_u64().unwrap() >= 1);
        assert!(["error", "warning", "note"].contains(&row["severity"].as_str().unwrap()));
        assert!(
            !row["help"].as_str().unwrap().is_empty(),
            "every finding says how to fix it: {row}"
        );
    }
}

#[test]
fn findings_point_at_the_key_result_they_are_about() {
    let r = common::run(&["check", "okrs/seed-bad.md", "--format", "json"]);
    let rows = common::findings(&r.stdout);
    let dark = rows
        .iter()
        .find(|r| r["message"].as_str().unwrap().contains("Ship dark mode"))
        .expect("dark mode flagged");
    assert_eq!(
        (
            dark["rule"].as_str().unwrap(),
            dark["line"].as_u64().unwrap(),
            dark["column"].as_u64().unwrap()
        ),
        ("output-key-result", 6, 3)
    );
    assert_eq!(dark["file"], "okrs/seed-bad.md");
}

#[test]
fn sarif_is_a_valid_2_1_0_log() {
    let r = common::run(&["check", "okrs/seed-bad.md", "--format", "sarif"]);
    assert_eq!(r.code, 1);
    let log: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.len() >= 16);
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        common::findings(&common::run(&["check", "okrs/seed-bad.md", "--format", "json"]).stdout)
            .len()
    );
    for res in results {
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        let region = &res["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(
            res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "okrs/seed-bad.md"
        );
    }
}

#[test]
fn rules_and_explain_cover_every_rule() {
    let r = common::run(&["rules", "--format", "json"]);
    let rules = common::findings(&r.stdout);
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in [
        "output-key-result",
        "unmeasurable-key-result",
        "missing-baseline",
        "missing-target",
        "missing-guardrails",
        "key-result-count",
        "too-many-objectives",
        "annual-period",
        "missing-owner",
        "quantitative-objective",
        "vague-objective",
        "kpi-as-key-result",
        "vanity-metric",
        "lagging-only",
        "undefined-metric",
        "orphan-objective",
    ] {
        assert!(ids.contains(&id), "{id} missing from `rules`");
        let e = common::run(&["explain", id]);
        assert_eq!(e.code, 0);
        for part in ["What it flags", "Why this is bad", "Example", "Instead"] {
            assert!(
                e.stdout.contains(part),
                "`explain {id}` lacks {part}:\n{}",
                e.stdout
            );
        }
    }
    let human = common::run(&["rules"]);
    assert!(human.stdout.contains("output-key-result") && human.stdout.contains("error"));
    let bad = common::run(&["explain", "output-key-results"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("did you mean `output-key-result`"),
        "{}",
        bad.stderr
    );
}

const NO_GUARDRAILS: &str = "objectives:
  - id: onboarding
    title: Get new teams to their first report in the first week
    period: 2025-Q2
    owner: Kim
    key_results:
      - { id: a, title: Increase first-week reports from 20% to 35%, manual: { unit: percent }, baseline: 20, target: 35 }
      - { id: b, title: Reduce time to first report from 4 days to 1 day, manual: { unit: duration }, baseline: 4 days, target: 1 day }
      - { id: c, title: Raise week-2 return rate from 40% to 50%, manual: { unit: percent }, baseline: 40, target: 50 }
";

#[test]
fn checks_setting_turns_rules_off_and_changes_severity() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "throughline.yaml", "workspace: T\n");
    write(d, "okrs.yaml", NO_GUARDRAILS);
    let rows = common::findings(&common::run_in(d, &["check", ".", "--format", "json"]).stdout);
    assert_eq!(
        rows.iter()
            .map(|r| r["rule"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["missing-guardrails"]
    );
    assert_eq!(rows[0]["severity"], "warning");

    write(
        d,
        "throughline.yaml",
        "workspace: T\nchecks:\n  missing-guardrails: error\n",
    );
    let r = common::run_in(d, &["check", ".", "--format", "json"]);
    assert_eq!(common::findings(&r.stdout)[0]["severity"], "error");
    assert_eq!(r.code, 1);

    write(
        d,
        "throughline.yaml",
        "workspace: T\nchecks:\n  missing-guardrails: off\n",
    );
    let r = common::run_in(d, &["check", ".", "--format", "json"]);
    assert!(common::findings(&r.stdout).is_empty());
    assert_eq!(r.code, 0);

    write(
        d,
        "throughline.yaml",
        "workspace: T\nchecks:\n  key-result-count: { min: 4 }\n  missing-guardrails: off\n",
    );
    let rows = common::findings(&common::run_in(d, &["check", ".", "--format", "json"]).stdout);
    assert_eq!(
        rows.iter()
            .map(|r| r["rule"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["key-result-count"]
    );

    write(
        d,
        "throughline.yaml",
        "workspace: T\nchecks:\n  missing-guardrail: off\n",
    );
    let r = common::run_in(d, &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 2);
    let rows = common::findings(&r.stdout);
    assert_eq!(rows[0]["rule"], "unknown-key");
    assert!(
        rows[0]["help"]
            .as_str()
            .unwrap()
            .contains("missing-guardrails")
    );
    assert_eq!(
        (rows[0]["line"].as_u64(), rows[0]["column"].as_u64()),
        (Some(3), Some(3))
    );
}

#[test]
fn an_allow_comment_silences_one_rule_on_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let allowed = NO_GUARDRAILS.replace(
        "    title: Get new",
        "    # throughline: allow(missing-guardrails)\n    title: Get new",
    );
    write(d, "a.yaml", &allowed);
    assert!(
        common::findings(&common::run_in(d, &["check", "a.yaml", "--format", "json"]).stdout)
            .is_empty()
    );
    // a different rule id does not silence it
    write(
        d,
        "b.yaml",
        &NO_GUARDRAILS.replace(
            "    title: Get new",
            "    # throughline: allow(missing-owner)\n    title: Get new",
        ),
    );
    assert_eq!(
        common::findings(&common::run_in(d, &["check", "b.yaml", "--format", "json"]).stdout).len(),
        1
    );
    // Markdown comments work the same way
    let md = "## Q1 2025 OKRs\n\n### Objective 1: Help new admins finish setup on day one <!-- throughline: allow(missing-owner) -->\n**Key Results:**\n- KR1: Increase day-one setup from 30% to 45%\n- KR2: Reduce setup tickets from 400 to 200\n- KR3: Raise admin NPS from 20 to 35\n\n**Guardrails:**\n- Ticket volume: no increase\n";
    write(d, "c.md", md);
    let rows = common::findings(&common::run_in(d, &["check", "c.md", "--format", "json"]).stdout);
    assert!(rows.is_empty(), "{rows:?}");
}

#[test]
fn model_errors_name_the_place_and_suggest_a_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "throughline.yaml",
        "workspace: T\ntimezone: Mars/Olympus\n",
    );
    write(
        d,
        "m.yaml",
        "metrics:\n  - id: a\n    suports: b\n    unit: furlongs\n    compute: { type: conversoin }\n  - id: ratio_a\n    compute: { type: ratio, numerator: ratio_b, denominator: a }\n  - id: ratio_b\n    compute: { type: derived, expr: ratio_a * 2 }\n",
    );
    let r = common::run_in(d, &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 2);
    let rows = common::findings(&r.stdout);
    let find = |rule: &str, needle: &str| {
        rows.iter()
            .find(|r| r["rule"] == rule && r["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no {rule} about {needle}: {rows:#?}"))
    };
    let tz = find("invalid-value", "Mars/Olympus");
    assert_eq!(
        (tz["line"].as_u64(), tz["column"].as_u64()),
        (Some(2), Some(11))
    );
    let key = find("unknown-key", "suports");
    assert_eq!(key["help"], "did you mean `supports`?");
    assert_eq!(
        (
            key["file"].as_str().unwrap().ends_with("m.yaml"),
            key["line"].as_u64(),
            key["column"].as_u64()
        ),
        (true, Some(3), Some(5))
    );
    find("invalid-value", "furlongs");
    assert!(
        find("invalid-value", "conversoin")["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `conversion`")
    );
}

#[test]
fn references_cycles_and_duplicates_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "throughline.yaml", "workspace: T\n");
    write(
        d,
        "m.yaml",
        "metrics:\n  - { id: a, compute: { type: ratio, numerator: b, denominator: c } }\n  - { id: b, compute: { type: derived, expr: a + 1 } }\n  - { id: c, compute: { type: count, event: x } }\n  - { id: c, compute: { type: count, event: y } }\nobjectives:\n  - id: o\n    title: Help teams plan every week\n    period: 2025-Q1\n    team: core\n    owner: K\n    aligns_to: company/missing\n    key_results:\n      - { id: k, title: Increase plans from 10% to 20%, metric: plan_rate, baseline: 10, target: 20 }\n    initiatives:\n      - { title: Templates, supports: [kk] }\n",
    );
    let r = common::run_in(d, &["check", ".", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let rows = common::findings(&r.stdout);
    let rules: Vec<&str> = rows.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    for want in [
        "metric-cycle",
        "duplicate-id",
        "unknown-reference",
        "undefined-metric",
    ] {
        assert!(rules.contains(&want), "{want} not in {rules:?}");
    }
    let cycle = rows.iter().find(|r| r["rule"] == "metric-cycle").unwrap();
    assert!(
        cycle["message"].as_str().unwrap().contains("a → b → a"),
        "{cycle}"
    );
    let undefined = rows
        .iter()
        .find(|r| r["rule"] == "undefined-metric")
        .unwrap();
    assert!(undefined["message"].as_str().unwrap().contains("plan_rate"));
    let init = rows
        .iter()
        .find(|r| r["rule"] == "unknown-reference" && r["message"].as_str().unwrap().contains("kk"))
        .unwrap();
    assert_eq!(init["help"], "did you mean `k`?");
}

#[test]
fn human_output_shows_snippet_caret_and_help() {
    let r = common::run(&["check", "okrs/seed-bad.md", "--color", "never"]);
    assert!(
        r.stdout
            .contains("error[output-key-result]: key result \"Ship dark mode\" describes work"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(" --> okrs/seed-bad.md:6:3"));
    assert!(
        r.stdout
            .contains("6 | - Ship dark mode\n  |   ^^^^^^^^^^^^^^ this is an output"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("help: state the change"));
    assert!(
        r.stdout
            .trim_end()
            .ends_with("7 errors, 6 warnings in 1 file"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_single_file_is_checked_in_the_context_of_its_workspace() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert_eq!(
        common::run_in(d, &["init", "ws", "--period", "2025-Q1"]).code,
        0
    );
    // another file of the workspace has a problem; checking okrs.yaml alone must not show it
    write(
        d,
        "ws/more.yaml",
        "objectives:\n  - id: x\n    title: Ship new features\n    period: 2025\n    key_results: []\n",
    );
    let r = common::run_in(
        &d.join("ws/okrs"),
        &["check", "okrs.yaml", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(common::findings(&r.stdout).is_empty(), "{}", r.stdout);
    // its references resolve against metrics.yaml, and a typo is still caught
    let okrs = std::fs::read_to_string(d.join("ws/okrs/okrs.yaml")).unwrap();
    std::fs::write(
        d.join("ws/okrs/okrs.yaml"),
        okrs.replace("metric: activation_rate", "metric: activaton_rate"),
    )
    .unwrap();
    let r = common::run_in(
        &d.join("ws/okrs"),
        &["check", "okrs.yaml", "--format", "json"],
    );
    let rows = common::findings(&r.stdout);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["rule"], "undefined-metric");
    assert_eq!(rows[0]["file"], "okrs.yaml");
    assert_eq!(rows[0]["help"], "did you mean `activation_rate`?");
    // the whole workspace shows both files' findings
    let all = common::findings(&common::run_in(d, &["check", "ws", "--format", "json"]).stdout);
    assert!(all.iter().any(|r| r["file"] == "ws/more.yaml"), "{all:?}");
}

#[test]
fn a_lone_file_without_metric_definitions_is_not_judged_on_them() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let r = common::run_in(d, &["init", "ws", "--period", "2025-Q1"]);
    assert_eq!(r.code, 0);
    std::fs::copy(d.join("ws/okrs/okrs.yaml"), d.join("lone.yaml")).unwrap();
    let r = common::run_in(d, &["check", "lone.yaml", "--format", "json"]);
    assert!(common::findings(&r.stdout).is_empty(), "{}", r.stdout);
    // with some metrics defined in what was checked, the rest are judged
    write(
        d,
        "with-metrics.yaml",
        &format!(
            "{}\nmetrics:\n  - {{ id: weekly_active_users, compute: {{ type: unique }} }}\n",
            std::fs::read_to_string(d.join("lone.yaml")).unwrap()
        ),
    );
    let rows = common::findings(
        &common::run_in(d, &["check", "with-metrics.yaml", "--format", "json"]).stdout,
    );
    assert!(
        rows.iter().any(|r| r["rule"] == "undefined-metric"
            && r["message"].as_str().unwrap().contains("activation_rate")),
        "{rows:?}"
    );
}

#[test]
fn serve_refuses_a_refresh_interval_it_cannot_keep() {
    let tmp = tempfile::tempdir().unwrap();
    for (every, says) in [
        ("10s", "`10s` is shorter than a minute"),
        ("soon", "`soon` is not a duration; write e.g. 15m, 1h or 1d"),
        ("5x", "`x` is not a duration unit"),
    ] {
        let r = common::run_in(tmp.path(), &["serve", "--refresh-every", every]);
        assert_eq!(r.code, 2, "{every}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{every}: {}", r.stderr);
    }
}
