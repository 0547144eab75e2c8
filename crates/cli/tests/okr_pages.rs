//! OKR pages in the shapes real teams write them (`fixtures/okr-pages`, each mirroring a public
//! page; `SOURCES.md` says which): what each line is read as, and the findings, against golden
//! files (`UPDATE_GOLDEN=1` rewrites them), and the count of objectives and key results a
//! person sees on each page, counted by hand.

mod common;

use std::collections::BTreeSet;

fn pages() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::fixtures().join("okr-pages"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SOURCES.md")
        .collect();
    names.sort();
    names
}

#[test]
fn every_page_reads_as_its_golden_file() {
    let names = pages();
    assert!(
        names.len() >= 10,
        "the collection is missing pages: {names:?}"
    );
    for name in names {
        let r = common::run(&[
            "check",
            &format!("okr-pages/{name}"),
            "--explain-read",
            "--color",
            "never",
        ]);
        common::assert_golden(&format!("okr-pages/{name}.txt"), &r.stdout);
    }
}

/// (page, objectives, key results), counted by reading each page.
const COUNTS: &[(&str, usize, usize)] = &[
    ("gitlab-fiscal-quarter.md", 3, 9),
    ("handbook-mixed.md", 4, 9),
    ("ipfs-bold-objectives.md", 2, 6),
    ("ipfs-headings-key-results.md", 3, 7),
    ("joystream-release-okrs.md", 2, 6),
    ("nodejs-objective-key-result-items.md", 3, 6),
    ("posthog-goals-list.mdx", 5, 0),
    ("posthog-numbered-objectives.mdx", 3, 0),
    ("posthog-team-objectives.mdx", 5, 0),
    ("sourcegraph-cascade-hard-breaks.md", 6, 8),
    ("sourcegraph-nested-owners.md", 2, 10),
    ("sourcegraph-team-sections.md", 8, 13),
    ("sourcegraph-why-and-kr-prefix.md", 3, 9),
    ("table-okrs.md", 5, 10),
];

#[test]
fn every_page_holds_the_objectives_a_person_counts() {
    let listed: BTreeSet<&str> = COUNTS.iter().map(|c| c.0).collect();
    for name in pages() {
        assert!(
            listed.contains(name.as_str()) || name == "prose-about-okrs.md",
            "{name} has no hand count in COUNTS"
        );
    }
    for (name, objectives, krs) in COUNTS {
        let r = common::run(&[
            "check",
            &format!("okr-pages/{name}"),
            "--explain-read",
            "--format",
            "json",
        ]);
        let head = r.stdout.lines().next().unwrap_or_default();
        let want = format!(
            "okr-pages/{name}: {objectives} objective{}, {krs} key result{}",
            if *objectives == 1 { "" } else { "s" },
            if *krs == 1 { "" } else { "s" }
        );
        assert_eq!(head, want, "{name}");
    }
}

fn rules_at(page: &str) -> Vec<(String, u64, String)> {
    let r = common::run(&["check", &format!("okr-pages/{page}"), "--format", "json"]);
    common::findings(&r.stdout)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_rules_fire_on_pages_as_on_yaml() {
    let gitlab = rules_at("gitlab-fiscal-quarter.md");
    let has = |found: &[(String, u64, String)], rule: &str, line: u64| {
        found.iter().any(|(r, l, _)| r == rule && *l == line)
    };
    // a task is flagged as a task, a placeholder where the target belongs as a missing target
    assert!(has(&gitlab, "output-key-result", 31), "{gitlab:#?}");
    assert!(has(&gitlab, "missing-target", 30), "{gitlab:#?}");
    assert!(
        gitlab
            .iter()
            .any(|(r, _, m)| r == "missing-target" && m.contains("placeholder `X%`")),
        "{gitlab:#?}"
    );
    // a target with no starting point: missing-baseline; no guardrails anywhere on the page
    assert!(has(&gitlab, "missing-baseline", 36), "{gitlab:#?}");
    assert!(has(&gitlab, "missing-guardrails", 28), "{gitlab:#?}");
    // "from 640 to 900" has both
    assert!(!has(&gitlab, "missing-baseline", 34), "{gitlab:#?}");

    let mixed = rules_at("handbook-mixed.md");
    // the page's guardrails cover the first objective only
    assert!(!has(&mixed, "missing-guardrails", 9), "{mixed:#?}");
    assert!(has(&mixed, "missing-guardrails", 22), "{mixed:#?}");
    assert!(has(&mixed, "missing-target", 27), "{mixed:#?}");

    // objectives without key results, as the PostHog pages have them
    let posthog = rules_at("posthog-numbered-objectives.mdx");
    assert!(has(&posthog, "key-result-count", 5), "{posthog:#?}");
}

#[test]
fn a_page_with_no_okrs_says_what_was_looked_for() {
    let r = common::run(&["check", "okr-pages/prose-about-okrs.md", "--color", "never"]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("error[no-objectives]: no objectives found in okr-pages/prose-about-okrs.md"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("looked for objective headings"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("`throughline explain markdown`"),
        "{}",
        r.stdout
    );
}

#[test]
fn explain_markdown_shows_every_accepted_shape() {
    let r = common::run(&["explain", "markdown"]);
    assert_eq!(r.code, 0);
    for shape in [
        "FY24-Q2 OKRs",
        "### Objective 1:",
        "### 2. CEO: Improve user engagement",
        "**Objective:**",
        "**Daemon is as reliable as it can be**",
        "| Objective | Key result | Owner | Target |",
        "`KR1:`",
        "<TeamMember name=",
        "--explain-read",
        "markdown-unread",
    ] {
        assert!(
            r.stdout.contains(shape),
            "`{shape}` is not in:\n{}",
            r.stdout
        );
    }
}

#[test]
fn text_that_looks_like_an_okr_but_has_no_place_is_a_warning_with_its_line_and_a_doubtful_reading()
{
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("q3.md"),
        "# Q3 2026 OKRs\n\n- KR1: Raise activation from 20% to 30%\n\n**Objective:**\n\n## Objective 1: Faster onboarding\n- Cut setup time from 3 days to 1 day\n",
    )
    .unwrap();
    let r = common::run_in(tmp.path(), &["check", "q3.md", "--format", "json"]);
    let unread: Vec<u64> = common::findings(&r.stdout)
        .iter()
        .filter(|f| f["rule"] == "markdown-unread")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(unread, [3, 5], "{}", r.stdout);
    // a page with lines the reading could not place may be misread: an error says so
    let doubt = common::findings(&r.stdout)
        .iter()
        .any(|f| f["rule"] == "uncertain-reading" && f["severity"] == "error");
    assert!(doubt, "{}", r.stdout);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // a team that knows the page is read right says so on the page
    let allowed = "<!-- throughline: allow(uncertain-reading) -->\n";
    let page = std::fs::read_to_string(tmp.path().join("q3.md")).unwrap();
    std::fs::write(tmp.path().join("q3.md"), format!("{allowed}{page}")).unwrap();
    let r = common::run_in(tmp.path(), &["check", "q3.md", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
}

#[test]
fn a_workspace_page_that_names_its_metrics_is_measured_reviewed_and_imported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let r = common::run_in(dir, &["demo", "ws", "--users", "500"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ws = dir.join("ws");
    let yaml = std::fs::read_to_string(ws.join("throughline.yaml")).unwrap();
    std::fs::write(
        ws.join("throughline.yaml"),
        format!("{yaml}\npages: [okrs/*.md]\n"),
    )
    .unwrap();
    std::fs::create_dir_all(ws.join("okrs")).unwrap();
    std::fs::write(
        ws.join("okrs/growth.md"),
        "## Q3 2026 OKRs - Growth\n\n### Objective 1: Get new teams to value in their first week\n\
         **Owner:** Dana (PM Growth)\n**Aligns to:** company/rely-every-week\n\n**Key Results:**\n\
         - KR1: Increase activation rate from 23% to 35% (metric: activation_rate)\n\
         - KR2: Cut time to first value from 22 hours to 16 hours\n  - Metric: `time_to_first_value`\n\n\
         **Guardrails:**\n- Support ticket volume: no increase > 5%\n",
    )
    .unwrap();

    // the page is part of the workspace: checked with it
    let r = common::run_in(dir, &["check", "ws", "--format", "json"]);
    let on_page: Vec<String> = common::findings(&r.stdout)
        .iter()
        .filter(|f| f["file"].as_str().unwrap().ends_with("growth.md"))
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !on_page.contains(&"undefined-metric".to_string()),
        "{}",
        r.stdout
    );

    // its key results get computed values in status and the review
    let r = common::run_in(dir, &["status", "-w", "ws"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    for title in [
        "Increase activation rate from 23% to 35%",
        "Cut time to first value from 22 hours to 16 hours",
    ] {
        let at = lines
            .iter()
            .position(|l| l.contains(title))
            .unwrap_or_else(|| panic!("{title} not in status:\n{}", r.stdout));
        assert!(
            lines[at + 1]
                .trim_start_matches(['│', ' '])
                .starts_with("now "),
            "{title} has no value:\n{}",
            r.stdout
        );
    }
    let r = common::run_in(dir, &["review", "-w", "ws"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("| **Increase activation rate from 23% to 35%**<br>"),
        "{}",
        r.stdout
    );

    // import writes it as YAML with the metrics it names, and never overwrites a file
    let r = common::run_in(
        dir,
        &[
            "import",
            "ws/okrs/growth.md",
            "-w",
            "ws",
            "--out",
            "okrs.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let imported = std::fs::read_to_string(dir.join("okrs.yaml")).unwrap();
    assert!(
        imported.contains("metric: \"activation_rate\""),
        "{imported}"
    );
    assert!(
        imported.contains("metric: \"time_to_first_value\""),
        "{imported}"
    );
    assert!(
        imported.contains("# guardrail: Support ticket volume"),
        "{imported}"
    );
    let again = common::run_in(dir, &["import", "ws/okrs/growth.md", "--out", "okrs.yaml"]);
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("not overwritten"), "{}", again.stderr);
}

#[test]
fn import_refuses_a_page_it_cannot_read_surely() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("q3.md"),
        "# Q3 2026 OKRs\n\n- KR1: Raise activation from 20% to 30%\n\n## Objective 1: Faster onboarding\n- Cut setup time from 3 days to 1 day\n",
    )
    .unwrap();
    let r = common::run_in(tmp.path(), &["import", "q3.md"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("uncertain-reading"), "{}", r.stderr);
    assert!(r.stderr.contains("not imported"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}
