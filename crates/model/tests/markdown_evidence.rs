//! The Markdown reader by evidence, on small pages written for each shape: what it reads, and
//! that it says so when the reading is doubtful. (The real pages are in `okr_corpus.rs`.)

use std::path::Path;

use throughline_model::markdown::{MarkdownRead, NoteKind, parse_markdown};
use throughline_model::{Severity, SourceMap};

fn read(src: &str) -> MarkdownRead {
    let mut map = SourceMap::default();
    let file = map.add("page.md", Path::new("page.md"), src.to_string());
    parse_markdown(src, file, "page.md")
}

/// (objective titles, key results per objective)
fn shape(r: &MarkdownRead) -> (Vec<String>, Vec<usize>) {
    (
        r.objectives.iter().map(|o| o.title.value.clone()).collect(),
        r.objectives.iter().map(|o| o.key_results.len()).collect(),
    )
}

/// Each objective's period as written (`2025-Q3`), or "" when it has none.
fn periods(r: &MarkdownRead) -> Vec<String> {
    r.objectives
        .iter()
        .map(|o| {
            o.period
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_default()
        })
        .collect()
}

fn codes(r: &MarkdownRead) -> Vec<(String, Severity)> {
    r.diagnostics
        .iter()
        .map(|d| (d.code.clone(), d.severity))
        .collect()
}

/// The `uncertain-reading` error of a page read with doubt.
fn doubt(r: &MarkdownRead) -> &throughline_model::Diagnostic {
    r.diagnostics
        .iter()
        .find(|d| d.code == "uncertain-reading")
        .unwrap_or_else(|| panic!("the reading is not doubted: {:#?}", codes(r)))
}

fn has(r: &MarkdownRead, code: &str) -> bool {
    r.diagnostics.iter().any(|d| d.code == code)
}

#[test]
fn a_bare_objective_heading_takes_its_text_and_the_key_results_heading_beside_it() {
    let r = read(
        "## Objective\n\n**Make onboarding effortless for new teams.**\n\n## Key Results\n\n\
         ### KR1 — Activation\nRaise activation from 23% to 35%.\n\n\
         ### KR2 — Time to value\nCut time to first workflow from 3 days to 1 day.\n\n\
         ## Links\n\n| KR | Dashboard |\n|---|---|\n| KR1 (activation) | link |\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        ["Make onboarding effortless for new teams."],
        "{r:#?}"
    );
    assert_eq!(krs, [2]);
    assert!(!has(&r, "uncertain-reading"), "{:?}", codes(&r));
}

#[test]
fn objective_and_key_result_items_side_by_side_pair_up() {
    let r = read(
        "October\n\n- O: Build a startup and product\n- KR: Explore 5 startup ideas in a doc\n\
         - O: Produce music\n- KR: Make 5 snippets and 2 covers\n- KR: Play one gig\n",
    );
    assert_eq!(shape(&r).1, [1, 2], "{r:#?}");
}

#[test]
fn key_results_indented_into_a_code_block_are_read() {
    // eight spaces under a heading: CommonMark makes it code, a person reads a list
    let r = read(
        "## 2017 OKRs\n\n### Be profitable\n        - make £15,000 revenue per month\n        \
         - reach 20% long term retention for private projects\n\n\
         ### Grow the community\n        -align social media with the main objective\n        \
         -host 4 meetups\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Be profitable", "Grow the community"], "{r:#?}");
    assert_eq!(krs, [2, 2]);
}

#[test]
fn a_page_inside_an_unclosed_fence_is_read_as_markdown() {
    let r = read(
        "```\n# Project OKRs\n\n**Objective:** Build a reliable conflation pipeline\n\n\
         - **KR1 — Dataset**\n  Build a dataset of 20+ patterns with <10% parsing errors.\n\
         - **KR2 — Accuracy**\n  Reach 80% attribute accuracy.\n",
    );
    assert_eq!(shape(&r).1, [2], "{r:#?}");
}

#[test]
fn objective_numbered_key_results_and_bare_kr_headings() {
    let r = read(
        "# CY22-Q2 OKRs\n## Team\n### O1\n_Objective_: Build the data platform\n\n\
         #### O1KR1\n_Key Result_: One new use case runs end to end on the platform [1/5]\n\n\
         #### O1KR2\nAll 3 codebases are deployed by CI [7/14]\n\n\
         ### O2\n_Objective_: Onboard the analysts\n\n#### O2KR1\n_Key Result_: 4 analysts merge 2 pull requests each\n",
    );
    let (_, krs) = shape(&r);
    assert_eq!(krs, [2, 1], "{r:#?}");
    let period = r.objectives[0].period.as_ref().map(|p| p.value.to_string());
    assert_eq!(period.as_deref(), Some("2022-Q2"));
}

#[test]
fn periods_the_headings_do_not_give_come_from_the_page() {
    let cases = [
        (
            "The OKRs guiding the framework to the end of 2025 are:\n\n\
             - Objective: grow the community\n  - Key result: 30 contributors by end 2025\n",
            "2025",
        ),
        (
            "| | |\n|---|---|\n| **Cycle** | Q2 2026 (90 days) |\n\n\
             ### Objective 1: Ship the matcher\n- KR1: Reach 0.9 F1 on 1,000 places\n",
            "2026-Q2",
        ),
        (
            "We plan in three-month periods. Start is 23.11.2020. End is 28.02.2021.\n\n\
             ### Objective 1: Learn\n- KR1: Read 6 books\n",
            "2020-11-23..2021-02-28",
        ),
        (
            "# 2022OKR\n\n### O1 Make trading reliable\n- KR1: 99.9% uptime\n",
            "2022",
        ),
        (
            "**2019 Q1**\n\nApply mathematics at work – 2\n\n- statistics applied to data\n\
             - 1% improvement for every task\n\nUnderstand software design – 3\n\n\
             - modules with 2 layers\n- documented code\n",
            "2019-Q1",
        ),
    ];
    for (src, want) in cases {
        let r = read(src);
        assert!(!r.objectives.is_empty(), "{src}\n{r:#?}");
        for o in &r.objectives {
            let got = o.period.as_ref().map(|p| p.value.to_string());
            assert_eq!(got.as_deref(), Some(want), "{src}");
        }
    }
}

#[test]
fn objectives_read_without_their_key_results_are_an_uncertain_reading() {
    // the key results are under each objective, but as a list a lead-in line introduces
    let r = read(
        "# Q3 2026 OKRs\n\n### Objective 1: Grow activation\n\nWe want:\n\n\
         - activation from 23% to 35%\n- 40% of trials convert in 14 days\n- 3 onboarding guides\n\n\
         ### Objective 2: Keep customers\n\nWe want:\n\n- churn below 2% a month\n- NPS above 40\n",
    );
    if r.objectives.iter().all(|o| o.key_results.is_empty()) {
        let d = r
            .diagnostics
            .iter()
            .find(|d| d.code == "uncertain-reading")
            .unwrap_or_else(|| panic!("no uncertain-reading: {:?}", codes(&r)));
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("look like key results"), "{}", d.message);
        assert!(d.help.as_deref().unwrap_or("").contains("--explain-read"));
    }
}

#[test]
fn a_page_with_objectives_and_nothing_like_a_key_result_is_objectives_only() {
    let r = read(
        "### Q4 2026 Objectives\n\n#### Objective: Replays load in under two seconds\n\n\
         Most people leave a replay that has not started.\n\n#### Ship a mobile replay SDK\n\n\
         Mobile teams need an official SDK.\n",
    );
    assert_eq!(shape(&r).1, [0, 0], "{r:#?}");
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "objectives-only")
        .expect("objectives-only");
    assert_eq!(d.severity, Severity::Warning);
    assert!(!has(&r, "uncertain-reading"));
}

#[test]
fn the_reading_and_its_runner_up_are_noted_for_explain_read() {
    let r = read("### Objective 1: Grow\n- KR1: Reach 100 teams\n- KR2: Raise NPS from 20 to 40\n");
    let notes: Vec<&str> = r
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Reading)
        .map(|n| n.text.as_str())
        .collect();
    assert!(notes[0].starts_with("read as "), "{notes:?}");
    assert!(notes[0].contains("1 objective, 2 key results"), "{notes:?}");
    assert!(notes[0].contains("confidence"), "{notes:?}");
    assert!(
        notes.iter().any(|n| n.starts_with("runner-up: ")),
        "{notes:?}"
    );
}

#[test]
fn metadata_bullets_are_never_key_results() {
    let r = read(
        "### Objective: Introduce a better publishing system\n- **Active from:** 02.01.26\n\
         - **Tracked**: Every Tuesday\n- **Final Score**: 0.7\n- **Key Results**: Alice, Bob and Carol\n\
         - **Key Results:**\n  1. Members can publish under a profile.\n  2. Launch with 3 content types.\n",
    );
    assert_eq!(shape(&r).1, [2], "{r:#?}");
}

#[test]
fn a_workspace_reads_the_pages_it_lists_and_names_the_okr_pages_it_does_not() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(
        root.join("throughline.yaml"),
        "workspace: acme\npages: [okrs/*.md]\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("okrs")).unwrap();
    std::fs::create_dir_all(root.join("notes")).unwrap();
    let page = "# Q3 2026 OKRs\n\n### Objective 1: Grow activation\n- KR1: Raise activation from 23% to 35% (metric: activation_rate)\n- KR2: Cut time to value from 3 days to 1 day\n";
    std::fs::write(root.join("okrs/q3.md"), page).unwrap();
    std::fs::write(root.join("notes/old-okrs.md"), page).unwrap();
    std::fs::write(
        root.join("README.md"),
        "# Acme goals\n\nHow we write goals: see the okrs folder.\n",
    )
    .unwrap();
    let loaded = throughline_model::load_paths(&[root.to_path_buf()]);
    let titles: Vec<&str> = loaded
        .workspace
        .objectives
        .iter()
        .map(|o| o.title.value.as_str())
        .collect();
    assert_eq!(titles, ["Grow activation"], "{:#?}", loaded.diagnostics);
    let kr = &loaded.workspace.objectives[0].key_results[0];
    assert_eq!(
        kr.metric.as_ref().map(|m| m.value.as_str()),
        Some("activation_rate")
    );
    let unlisted: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "unlisted-okr-page")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(unlisted.len(), 1, "{unlisted:?}");
    assert!(
        unlisted[0].starts_with(&format!("{}", root.join("notes/old-okrs.md").display())),
        "{unlisted:?}"
    );

    // a pattern that matches nothing is an error at its place
    std::fs::write(root.join("throughline.yaml"), "pages: [okr/*.md]\n").unwrap();
    let loaded = throughline_model::load_paths(&[root.to_path_buf()]);
    assert!(
        loaded
            .diagnostics
            .iter()
            .any(|d| d.code == "unreadable-file" && d.message.contains("`okr/*.md` matches no")),
        "{:#?}",
        loaded.diagnostics
    );
}

#[test]
fn values_read_as_a_person_reads_them() {
    let r = read(
        "# Q2 2026 OKRs\n\n### Objective 1: Keep the platform reliable\n\
         - KR1: Zero severity-1 issues in production\n\
         - KR2: No more than 2 outages longer than 5 minutes\n\
         - **KR3 — Faster pages**\n  Reduce p95 load time from 4.2s to 1.5s.\n\n\
         ### Objective 2: Grow the catalogue\n| KR | End of Q2 | Current |\n|---|---|---|\n\
         | Validated records | 500 | 120 |\n| Partner feeds live | 12 | 3 |\n",
    );
    let values: Vec<(String, Option<String>, Option<String>)> = r
        .objectives
        .iter()
        .flat_map(|o| &o.key_results)
        .map(|kr| {
            (
                kr.title.value.clone(),
                kr.baseline.as_ref().map(|q| q.value.to_string()),
                kr.target.as_ref().map(|q| q.value.to_string()),
            )
        })
        .collect();
    let want = |t: &str, b: Option<&str>, g: Option<&str>| {
        (t.to_string(), b.map(String::from), g.map(String::from))
    };
    assert_eq!(
        values,
        [
            // `severity-1` names a class; "zero" is the target
            want("Zero severity-1 issues in production", None, Some("0")),
            want(
                "No more than 2 outages longer than 5 minutes",
                None,
                Some("2")
            ),
            // the sentence under the bold title measures it
            want("Faster pages", Some("4.2 seconds"), Some("1.5 seconds")),
            // the period-end column is the target; `Current` is where things stand, not the
            // baseline
            want("Validated records", None, Some("500")),
            want("Partner feeds live", None, Some("12")),
        ]
    );
}

#[test]
fn a_setext_title_and_a_season_name_the_period_as_far_as_they_can() {
    let page = |title: &str| {
        format!(
            "{title}\n\n### Objective 1: Make releases boring\n- KR1: Ship 6 releases with no rollback\n- KR2: Cut release time from 3 days to 4 hours\n"
        )
    };
    let r = read(&page("Q2-19 OKR Archive\n================="));
    assert_eq!(shape(&r).1, [2], "{r:#?}");
    let p = r.objectives[0].period.as_ref().map(|p| p.value.to_string());
    assert_eq!(p.as_deref(), Some("2019-Q2"));
    // a season is about a quarter long, but its months are the page's to say
    let r = read(&page("# Team goals, Spring 2026"));
    assert!(r.objectives[0].period.is_none(), "{r:#?}");
    assert_eq!(
        r.objectives[0].period_length.as_ref().map(|l| l.value),
        Some(throughline_model::PeriodLength::Quarter)
    );
}

#[test]
fn spans_of_a_page_read_after_its_indentation_was_undone_are_where_the_page_has_them() {
    // found by the fuzzer: key results in an indented block with CJK text after them; the
    // spans were made on the dedented text and split a character of the page as written
    let src = "## Goals\n\n    - **Key Result:** Run 3 capacity **KR3** DolphinDB替换现有的MySQL历史数据\n    - **Key Result:** Cut 延迟 from 40ms to 20ms\n\n### O1 开拓海外市场\n        -reach 3 markets\n        -sign 2 partners\n";
    let r = read(src);
    let spans = r
        .objectives
        .iter()
        .flat_map(|o| {
            std::iter::once(o.title.span).chain(o.key_results.iter().map(|k| k.title.span))
        })
        .chain(r.diagnostics.iter().filter_map(|d| d.span))
        .chain(r.notes.iter().map(|n| n.span));
    for s in spans {
        let (a, b) = (s.offset as usize, (s.offset + s.len) as usize);
        assert!(
            b <= src.len() && src.is_char_boundary(a) && src.is_char_boundary(b),
            "{s:?}"
        );
        let line = src.lines().nth(s.line as usize - 1).unwrap();
        assert!(
            line.contains(&src[a..b]),
            "{s:?} `{}` is not on line {}",
            &src[a..b],
            s.line
        );
    }
    // the dedented key results are read, and named at their own text
    let kr = r
        .objectives
        .iter()
        .flat_map(|o| &o.key_results)
        .find(|k| k.title.value == "reach 3 markets")
        .unwrap_or_else(|| panic!("{r:#?}"));
    let s = kr.title.span;
    assert_eq!(
        &src[s.offset as usize..(s.offset + s.len) as usize],
        "reach 3 markets"
    );
}

#[test]
fn key_results_written_only_in_code_blocks_are_doubted() {
    let r = read(
        "# OKRs\n\n## Q2 2026\n\n### Examples for the kick-off\n\n```markdown\n## OBJECTIF 1 : Prove the analyst works\n| Key Result | Target |\n|---|---|\n| KR1 : Graphs for 10 modules | 10 |\n| KR2 : Profiles for 5 domains | 5 |\n```\n",
    );
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "uncertain-reading")
        .unwrap_or_else(|| panic!("{:?}", codes(&r)));
    assert!(d.message.contains("inside code blocks"), "{}", d.message);
}

#[test]
fn a_summary_over_an_html_table_dates_the_objectives_in_it() {
    let table = |o: &str, kr: &str| {
        format!(
            "<table>\n<thead><tr><th>OKR</th><th>Progress</th></tr></thead>\n<tbody>\n\
             <tr><td><strong>{o}</strong></td><td>50%</td></tr>\n\
             <tr><td>↳ {kr}</td><td>50%</td></tr>\n</tbody>\n</table>\n"
        )
    };
    let src = format!(
        "# OKRs\n\n## Current OKRs – Q3 2025\n\n{}\n## Past OKRs\n\n<details>\n  <summary>Q2 2025 (70%)</summary>\n{}</details>\n",
        table("Ship the mobile app", "Publish 2 releases to the store"),
        table("Grow the newsletter", "Reach 4,000 subscribers")
    );
    let r = read(&src);
    assert_eq!(periods(&r), ["2025-Q3", "2025-Q2"], "{r:#?}");
}

#[test]
fn a_lone_line_under_a_period_heading_is_an_objective_like_its_cousins() {
    let r = read(
        "# Goals\n\n## Quarterly\n### Q1 2024\nLaunch the beta\n- 50 beta teams\n- 3 case studies\n\n\
         ### Q2 2024\nOpen the public sign-up\n- 500 sign-ups\n\n### Q3 2024\nPrice the paid plan?\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "Launch the beta",
            "Open the public sign-up",
            "Price the paid plan?"
        ],
        "{r:#?}"
    );
    assert_eq!(krs, [2, 1, 0]);
}

#[test]
fn a_month_in_a_post_title_dates_the_post_and_the_half_named_in_the_text_dates_the_okrs() {
    let r = read(
        "---\ntitle: Team offsite March 2023\ndate: 2023-03-20 10:00:00\n---\n\n\
         We met to plan the second half of the year.\n\n\
         ## Objective 1: Make the docs the best way in\n\n* Key Result 1: 40 new tutorials\n* Key Result 2: Search finds an answer in 80% of visits\n",
    );
    let p = r.objectives[0].period.as_ref().map(|p| p.value.to_string());
    assert_eq!(p.as_deref(), Some("2023-H2"), "{r:#?}");
    // a quarter in a title is the OKRs' period, OKR words or not
    let r = read(
        "---\ntitle: Platform team Q4 2023\n---\n\n## Objective: Faster builds\n\n- Cut CI time from 20 to 8 minutes\n",
    );
    let p = r.objectives[0].period.as_ref().map(|p| p.value.to_string());
    assert_eq!(p.as_deref(), Some("2023-Q4"), "{r:#?}");
}

#[test]
fn log_and_session_headings_are_not_objectives() {
    let r = read(
        "# Objectives and key results\n\n## Current objectives\n### Win the regional league\n\
         - KR1: Win 8 of 10 matches\n- KR2: Concede under 12 goals\n\n## Progress Log\n\
         *updated after every match*\n\n## Session 2025-03-02 18:30\n- Match started\n- Match ended\n",
    );
    assert_eq!(shape(&r).0, ["Win the regional league"], "{r:#?}");
    // nothing else reads as an objective, so the reading is sure
    assert!(!has(&r, "uncertain-reading"), "{:?}", codes(&r));
}

#[test]
fn goals_under_a_goals_heading_that_are_read_as_nothing_make_the_reading_doubtful() {
    let r = read(
        "# Objectives & key results\n\n### Main goal: Finish the marathon\n\
         - **KR1**: Run 4 times a week\n- **KR2**: Long run of 30 km by May\n\n\
         ### Secondary goals:\n- **Nutrition**: Plan every meal of race week\n\
         - **Recovery**: Sleep eight hours before long runs\n",
    );
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.code == "uncertain-reading")
        .unwrap_or_else(|| panic!("no uncertain-reading: {:?}", codes(&r)));
    assert!(d.message.contains("Secondary goals"), "{}", d.message);
    // a heading that only mentions an OKR (`Why this OKR fits`) over its reasons is not one
    let r = read(
        "## Objective: Make onboarding effortless\n\n- KR1: Activation from 23% to 35%\n\
         - KR2: Time to value from 3 days to 1 day\n\n## Why this OKR fits the product\n\
         - It is where new teams drop\n- It is what sales hear about\n",
    );
    assert!(!has(&r, "uncertain-reading"), "{:?}", codes(&r));
}

#[test]
fn every_row_of_a_key_results_column_is_a_key_result_however_it_reads() {
    let r = read(
        "## reliability\n\n**Description:** The service stays up.\n\n| Target (KR) | Current status |\n|---|---|\n\
         | The team ships well-formed releases: each release is small enough to roll back easily; has clear notes covering what changed, why, and how to check it; has tagged builds with signed artifacts; and includes an explicit smoke test / rollback plan. (survey) | partly |\n\
         | Uptime of 99.9% each month | 99.5% |\n| p95 latency under 300 ms | 410 ms |\n",
    );
    assert_eq!(shape(&r).1, [3], "{r:#?}");
}

#[test]
fn handbook_sections_after_the_okrs_are_not_objectives() {
    let r = read(
        "# Team handbook\n\n## Team OKRs\n\n### Examples\n\n- __Ship the design system__\n    - 20 components documented\n    - 3 products use it\n\n\
         ## Team leadership tasks\n\n### Recruiting - Person\n- Screen applicants\n- Run interviews\n\n\
         ## Code reviews\n\nWe review all code.\n\n### Why we do code reviews\n- Quality\n- Shared knowledge\n\n\
         ### Doing a code review\n- Keep it short\n- Be kind\n",
    );
    assert_eq!(shape(&r).0, ["Ship the design system"], "{r:#?}");
}

#[test]
fn a_quarter_heading_without_a_year_takes_the_year_heading_above_it() {
    let r = read(
        "# OKRs\n\n## 2019\n\n### Q2\n\n#### Objective: Grow the club\n\nKey results:\n\n- 40 members\n- 6 events\n\n\
         ### Q1\n\n#### Objective: Start the club\n\nKey results:\n\n- 10 members\n",
    );
    assert_eq!(periods(&r), ["2019-Q2", "2019-Q1"], "{r:#?}");
}

#[test]
fn items_after_a_key_result_that_ends_with_a_colon_are_what_it_introduces() {
    let r = read(
        "### Objective: Make our finances public\n\nKey results:\n\n\
         - Anyone we show the page to can tell us the following:\n- Where the money comes from\n\
         - Where a donated dollar goes\n  - rent\n  - travel\n\n\
         ### Objective: Grow the club\n\nKey results:\n\n- 40 members\n- 6 events\n",
    );
    assert_eq!(shape(&r).1, [1, 2], "{r:#?}");
}

#[test]
fn sub_headings_some_of_which_hold_no_list_are_the_key_results_and_their_items_details() {
    let r = read(
        "## 2024 Q1\n\n### Make releases boring\n\nShip without drama.\n\n\
         #### Releases cut from main every week\n\n* Add a job that cuts the branch\n* Add a job that tags it\n\n\
         #### Rollback takes one command\n\nA script any engineer can run.\n\n\
         #### No release blocked on a flaky test\n\n* Quarantine flaky tests\n* Report them weekly\n\n\
         #### Release notes written by the tool\n\nFrom the merged pull requests.\n",
    );
    assert_eq!(shape(&r).1, [4], "{r:#?}");
    // with more items under the headings that hold lists (one wrapped onto a line of its
    // own), the items are no more the key results: read right, or said to be doubtful
    let r = read(
        "## 2024 Q1\n\n### Make releases boring\n\nShip without drama.\n\n\
         #### Releases cut from main every week\n\n* Add a job that cuts the branch\n* Add a job that tags it\n* Add a job that\n        announces it\n\n\
         #### Rollback takes one command\n\nA script any engineer can run.\n\n\
         #### No release blocked on a flaky test\n\n* Quarantine flaky tests\n* Report them weekly\n* Fix the worst\n        each sprint\n* Delete the dead ones\n\n\
         #### Release notes written by the tool\n\nFrom the merged pull requests.\n",
    );
    assert!(
        shape(&r).1 == [4] || has(&r, "uncertain-reading"),
        "read wrong in silence: {:?}",
        shape(&r)
    );
}

#[test]
fn short_o_and_kr_headings_with_a_cjk_month() {
    let r = read(
        "# 2023 4月 OKR\n\n## 目的\n- 評価のため\n\n## O\n- 設計の基礎を理解する\n\n## KR\n- 毎週1本書く\n- 試験に合格する\n- サービスを1つ公開する\n",
    );
    assert_eq!(
        shape(&r),
        (vec!["設計の基礎を理解する".to_string()], vec![3]),
        "{r:#?}"
    );
    assert_eq!(periods(&r), ["2023-04"]);
}

#[test]
fn a_more_than_sign_at_the_start_of_an_item_is_not_a_quote() {
    let r = read(
        "## Sales\n\n1. Build a team that thrives\n   - >70% quota participation rate\n   - >=100% average attainment\n   - Every rep would recommend a friend\n",
    );
    assert_eq!(shape(&r).1, [3], "{r:#?}");
    let t = &r.objectives[0].key_results[0].title.value;
    assert!(t.contains("70% quota participation"), "{t}");
}

#[test]
fn a_marked_objective_heading_holds_the_key_results_section_beside_it() {
    let r = read(
        "# 目標（OKR）\n\n## 背景\n\n第一版沒有算式。\n\n## O｜年底前達到 1,000 位付費訂閱\n\n說明。\n\n## 算式\n\n訂閱 = 曝光 × 轉換。\n\n## KR\n\n### KR-1｜曝光：1,436 → 186,000\n\n細節。\n\n### KR-2｜下載率：1.8% → 4.0%\n\n細節。\n",
    );
    assert_eq!(
        shape(&r),
        (vec!["年底前達到 1,000 位付費訂閱".to_string()], vec![2]),
        "{r:#?}"
    );
}

/// Prose whose last sentence is `Key results:` introduces the list after it.
#[test]
fn a_paragraph_ending_in_key_results_introduces_the_list() {
    let r = read(
        "# Our year\n\n## Reading\n**Objective:** Read more widely than last year\n\n\
         Last year was all technical books. This year should differ. Key results:\n\
         - Read 24 books\n- Read 6 books in translation\n\n\
         ## Cooking\n**Objective:** Cook at home most nights\n\n\
         We order in far too often. Key result:\n- Cook 4 dinners a week\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "Read more widely than last year",
            "Cook at home most nights"
        ],
        "{r:#?}"
    );
    assert_eq!(krs, [2, 1]);
}

/// Headings written as HTML elements (`<h2>Key result: …</h2>`) are read as headings.
#[test]
fn html_heading_elements_are_headings() {
    let r = read(
        "# Objective: Be healthier\n\nSome words on why.\n\n\
         <h2>\n  Key result: Run 300 miles\n</h2>\n{{progress 80}}\n\nHow it went.\n\n\
         <h2>Key result: Sleep 7 hours a night</h2>\n\nMore prose.\n\n\
         # Objective: Learn more\n\n<H3 class=\"kr\">Key result: Finish 12 books</H3>\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Be healthier", "Learn more"], "{r:#?}");
    assert_eq!(krs, [2, 1], "{r:#?}");
}

/// `Objetivo 1:`, `Objectif 2 :`, `目标 3：`: the objective's mark in other languages, so
/// that sections beside the marked objectives are not read as objectives.
#[test]
fn objective_marks_in_other_languages() {
    let r = read(
        "# OKRs\n\n### Visão geral\nEste documento lista os OKRs.\n\n\
         ### Objetivo 1: Lançar o produto\n#### KR 1.1: Disponibilidade de 99,5%\n- **Meta**: 99,5%\n\
         #### KR 1.2: 50.000 usuários\n- **Meta**: 50.000\n\n\
         ### Objetivo 2: Reter clientes\n#### KR 2.1: Churn abaixo de 2%\n- **Meta**: 2%\n\n\
         ### Processo de revisão\n- Revisão semanal\n- Pontuação trimestral\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Lançar o produto", "Reter clientes"], "{r:#?}");
    assert_eq!(krs, [2, 1]);
    let r = read(
        "## 目标 1：提升用户留存\n- 关键结果 1：次月留存从 30% 提升到 40%\n\n## 目标 2：降低成本\n- 关键结果 1：云成本降低 20%\n",
    );
    let (titles, _) = shape(&r);
    assert_eq!(titles, ["提升用户留存", "降低成本"], "{r:#?}");
}

/// Key results read by their place alone, on a page that never says OKR or key result: a
/// list of goals with their details reads the same way, so the reading is doubted; the same
/// page with a `Key results:` label is read without doubt.
#[test]
fn key_results_by_place_alone_on_a_page_without_okr_words_are_doubted() {
    let goals = "# Goals for the year\n\n## Work\n\n1. Earn 10% more than last year\n2. Ship the side project\n\n\
                 ## Health\n\n1. Run three times a week\n2. Sleep before midnight\n\n\
                 ## Languages\n\n1. Pass the B2 German exam\n";
    let r = read(goals);
    let krs: usize = r.objectives.iter().map(|o| o.key_results.len()).sum();
    assert!(
        krs > 0,
        "the numbered items are read as key results: {r:#?}"
    );
    let d = doubt(&r);
    assert!(
        d.message
            .contains("read as key results by their place alone"),
        "{}",
        d.message
    );
    let labelled = goals.replace("## Work\n\n", "## Work\n\nKey results:\n\n");
    let r = read(&labelled.replace("# Goals for the year", "# OKRs for the year"));
    assert!(
        !r.diagnostics
            .iter()
            .any(|d| d.message.contains("never says OKR")),
        "{:#?}",
        codes(&r)
    );
}

/// A quarter named without its year (`Q1 OKR：`, `### 第三季度`) takes the year the page gives
/// that quarter elsewhere (`2025 年 Q1 计划`), else the one year of every quarter it dates;
/// with no year for any quarter the period stays open rather than guessed.
#[test]
fn a_quarter_without_its_year_takes_the_pages_year_for_it() {
    let page = "## 季度计划\n\n另见 2026 年的设想。\n\n### 第一季度\n\nQ1 OKR：\n\n\
                - [ ] 发布新版官网\n  - [ ] 首页加载时间降到 2 秒\n  - [ ] 迁移 30 篇文档\n\
                - [ ] 扩大读者群\n  - [ ] 订阅者达到 500 人\n  - [ ] 发布 12 篇文章\n\n\
                专项计划：[官网 2025 年 Q1 共建计划](https://example.com)\n\n\
                ### 第三季度\n\nQ3 OKR：\n\n\
                - [ ] 建立社区\n  - [ ] 100 名成员\n  - [ ] 每月 1 次活动\n\
                - [ ] 提高收入\n  - [ ] 月收入达到 5000 元\n  - [ ] 3 个付费客户\n";
    let r = read(page);
    assert_eq!(shape(&r).1, [2, 2, 2, 2], "{r:#?}");
    assert_eq!(
        periods(&r),
        ["2025-Q1", "2025-Q1", "2025-Q3", "2025-Q3"],
        "{r:#?}"
    );
    // no year given to any quarter: not dated (2026 is not a quarter's year)
    let r = read(&page.replace("2025 年 Q1 ", ""));
    assert_eq!(periods(&r), ["", "", "", ""], "{r:#?}");
}

/// OKRs marked in a site generator's tags or in comments (`{% okr o1 %}`, `<!-- okr kr1 -->`)
/// are not read, and the page says so; a comment that only names OKRs marks nothing.
#[test]
fn okrs_in_template_tags_or_comments_are_said_to_be_unread() {
    // a site generator's shortcodes this reader does not know: said (Hexo's OKR tags are
    // read, see `a_site_generators_okr_tags_are_read_as_the_okrs_they_mark`)
    let page = "# This year\n\n{{< okr o1 >}}\n\nFinish the thesis\n\n{{< kr kr1 >}}\nRun every experiment\n\n\
                - run the baseline 3 times\n- run the new model 3 times\n\n{{< kr kr2 >}}\nWrite the paper\n\n\
                - write 8 sections\n\n{{< /okr >}}\n";
    let r = read(page);
    let d = doubt(&r);
    assert!(
        d.message
            .contains("3 lines mark objectives or key results in template tags or comments"),
        "{}",
        d.message
    );
    let plain = "<!-- start of the generated OKR summary -->\n\n## Objective 1: Grow\n\n- KR1: Reach 500 users\n- KR2: Keep churn under 3%\n\n<!-- end of the generated OKR summary -->\n";
    let r = read(plain);
    assert!(!has(&r, "uncertain-reading"), "{:#?}", codes(&r));
    assert_eq!(shape(&r).1, [2]);
}

/// A period line labelled in the page's language, with its dates in that language's month
/// names and digits (`**دوره**: … (۲۳ ژوئیه ۲۰۲۶) تا … (۲۳ اوت ۲۰۲۶)`, `**Zeitraum**: 1. März
/// 2026 – 31. Mai 2026`), dates the objectives from its first to its last date.
#[test]
fn a_period_line_in_another_language_and_script_dates_the_page() {
    let persian = "# OKR\n\n**دوره**: از ۱ مرداد ۱۴۰۵ (۲۳ ژوئیه ۲۰۲۶) تا ۱ شهریور ۱۴۰۵ (۲۳ اوت ۲۰۲۶)\n\n\
                   ## Objective\n\n**پایداری سرویس**\n\n## Key Results\n\n### KR1 — آپ‌تایم ۹۹٪\n\n### KR2 — ۰ خطای بحرانی\n";
    let r = read(persian);
    assert_eq!(shape(&r).1, [2], "{r:#?}");
    assert_eq!(periods(&r), ["2026-07-23..2026-08-23"], "{r:#?}");
    let german = "# OKRs\n\n**Zeitraum**: 1. März 2026 – 31. Mai 2026\n\n\
                  ## Ziel 1: Mehr Nutzer gewinnen\n\n- KR1: 500 neue Nutzer\n- KR2: 20% Aktivierung\n";
    let r = read(german);
    assert_eq!(
        shape(&r),
        (vec!["Mehr Nutzer gewinnen".to_string()], vec![2]),
        "{r:#?}"
    );
    assert_eq!(periods(&r), ["2026-03-01..2026-05-31"], "{r:#?}");
}

/// Objectives numbered `1)` to `3)` and one heading beside them without a number: the
/// reading is doubted at that heading (an appendix, not an objective).
#[test]
fn an_unnumbered_heading_among_numbered_objectives_is_doubted() {
    let page = "# My OKRs\n\n## 1) Be a present parent\n\n- Read 50 bedtime stories\n- Take 4 trips\n\n\
                ## 2) Stay healthy\n\n- Run 300 km\n- Sleep 7 hours 5 nights a week\n\n\
                ## 3) Get finances in order\n\n- Save 10% of income\n- File taxes by April\n\n\
                ## Tools that help\n\n| Objective | Tool |\n|---|---|\n| 1 | Calendar |\n| 2 | Watch |\n";
    let r = read(page);
    let d = doubt(&r);
    assert!(
        d.message
            .contains("without the number or mark the other objectives have (line 18)"),
        "{}",
        d.message
    );
    // all numbered: no such doubt
    let r = read(&page.replace("## Tools that help", "## 4) Use tools that help"));
    assert!(
        !r.diagnostics
            .iter()
            .any(|d| d.message.contains("without the number")),
        "{:#?}",
        codes(&r)
    );
}

/// A long line in a script of multi-byte characters under an objective is cut at a character,
/// never inside one (a limit of 400 bytes fell inside `不` and panicked).
#[test]
fn a_long_line_of_multibyte_text_does_not_split_a_character() {
    let long = "投资最需要的，是要坚持原则。".repeat(30);
    for prefix in ["", "a", "ab"] {
        let page =
            format!("## 目标 1：坚持原则\n\n{prefix}{long}\n\n- 关键结果 1：每月复盘 1 次\n");
        let r = read(&page);
        assert_eq!(r.objectives.len(), 1, "{r:#?}");
    }
}

#[test]
fn a_bold_key_result_wrapped_over_two_lines_is_one_and_its_bullets_are_its_details() {
    let r = read(
        "# Team OKR\n\n## Objective 1 — Make the billing export trustworthy\n\n\
         Finance closes the month from it.\n\n### Key Results\n\n\
         **KR1.1 — Reconcile every export line with the ledger for three\nconsecutive months.**\n\
         - Differences listed in a report.\n- Owned by the data team.\n\n\
         **KR1.2 — Cut the export's run time from 40 to 10 minutes.**\n\
         - Measured on the nightly job.\n\n\
         ## Timeline\n\n- Hard deadline: end of Q4 2026.\n\n\
         ## Working agreements (apply to all KRs)\n\n\
         1. Numbers come from the warehouse only.\n2. Every figure is cited.\n\n\
         ## Decisions so far\n\nSee the decision log for the full list.\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Make the billing export trustworthy"]);
    assert_eq!(krs, [2]);
    assert_eq!(
        r.objectives[0].key_results[0].title.value,
        "Reconcile every export line with the ledger for three consecutive months."
    );
    // "end of Q4 2026" dates the objectives the headings do not
    assert_eq!(periods(&r), ["2026-Q4"]);
    assert!(!has(&r, "uncertain-reading"), "{:#?}", codes(&r));
}

#[test]
fn a_section_of_metrics_is_not_objectives() {
    let r = read(
        "# Plan\n\n## Core Metrics (what we watch)\n\n### 1. Engagement\n\
         - **Weekly active teams**: Target > 400.\n- **Session length**: Target > 4 min.\n\n\
         ### 2. Revenue\n- **Paid conversion**: Target 3%.\n- **Churn**: Target < 2%.\n\n\
         ## Objectives & Key Results\n\n### Objective 1: Win the mid-market\n\
         - **KR 1**: Sign 30 customers with 50+ seats.\n- **KR 2**: Raise net retention to 110%.\n\n\
         ### Objective 2: Make support self-serve\n\
         - **KR 1**: Deflect 40% of tickets with the help centre.\n\
         - **KR 2**: Answer every ticket within 4 hours.\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Win the mid-market", "Make support self-serve"]);
    assert_eq!(krs, [2, 2]);
}

#[test]
fn rows_of_a_table_with_a_target_column_are_key_results_and_another_label_is_not_an_objective() {
    let r = read(
        "# Obiettivi strategici\n\n### 1. Fondazione\n**Goal:** Diventare operativi\n\n\
         | Obiettivo | Target | Scadenza |\n|---|---|---|\n\
         | Iscrizione al registro | Completata | Q1 |\n| Conto corrente | Operativo | Q1 |\n\
         | PEC | Attiva | Q1 |\n\n\
         ### 2. Fondi\n**Goal:** Raccogliere fondi\n\n\
         | Obiettivo | Target | Metrica |\n|---|---|---|\n\
         | Bandi vinti | 3 | Numero |\n| Donazioni | €1.000+ | Entrate |\n\n\
         ### 3. Comunità\n**Goal:** Crescere la comunità\n\n\
         | Obiettivo | Target | Come |\n|---|---|---|\n\
         | Volontari attivi | 15-25 | Coinvolgimento |\n| Soci | 20 | Reclutamento |\n\n\
         ## Roadmap\n\n### Q1: Fondamenta\n**Tema: Strutturarsi**\n\n\
         | Area | Obiettivo |\n|---|---|\n| Bandi | 3-5 candidature |\n| Soci | +5 nuovi membri |\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "Diventare operativi",
            "Raccogliere fondi",
            "Crescere la comunità"
        ]
    );
    assert_eq!(krs, [3, 2, 2]);
}

#[test]
fn a_table_headed_in_another_language_with_its_objective_on_every_row() {
    let r = read(
        "# 1. OKR\n\n## 1.1. 月度\n\n\
         | 目标 | 关键结果 | 进度 | 得分 |\n|---|---|---|---|\n\
         | 学习统计 | 每日一节线性代数 | 0 | 0 |\n| 学习统计 | 每日把单词都清空 | 47% | 0.7 |\n\
         | 锻炼身体 | 每周跑步三次 | 30% | 1 |\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["学习统计", "锻炼身体"]);
    assert_eq!(krs, [2, 1]);
}

#[test]
fn an_item_ending_in_a_full_width_colon_introduces_the_items_after_it() {
    let r = read(
        "# 项目OKR\n\n## O1: 做出高质量的对话提示词\n\
         * KR1.1: 选定基础模型。\n\
         * KR1.2: 自动对话在以下维度上达到标准：\n* 共情 (Empathy)\n* 积极关注\n* 目标一致\n\
         * KR1.3: 两位专家各评估 10 组对话。\n\n\
         ## O2: 做出自动打分提示词\n* KR2.1: 与专家评分一致性高于 80%。\n",
    );
    let (_, krs) = shape(&r);
    assert_eq!(krs, [3, 1]);
}

#[test]
fn a_span_of_months_is_the_days_it_covers_not_its_last_month() {
    for (line, want) in [
        (
            "**Horizon:** Q2 FY26–27 (Jul–Sep 2026)",
            "2026-07-01..2026-09-30",
        ),
        (
            "**Period:** July to September 2026",
            "2026-07-01..2026-09-30",
        ),
        ("**Timeline:** Nov–Jan 2027", "2026-11-01..2027-01-31"),
        ("**Cycle:** Feb 2026 - Apr 2026", "2026-02-01..2026-04-30"),
        ("**Period:** May 2026", "2026-05"),
    ] {
        let r = read(&format!(
            "# Plan\n\n{line}\n\n## O1 — Grow orders\n\n- KR1.1 Reach 500 orders a week\n"
        ));
        assert_eq!(periods(&r), [want], "{line}");
    }
}

#[test]
fn key_results_labelled_in_french_pair_with_the_objective_above() {
    let r = read(
        "# OKR 2020\n\n\
         * **Objectif** : avoir les bonnes personnes dans l'équipe\n\
         * **Résultat clé** : recruter cinq personnes\n\
         * **Résultat clé** : mesurer le bien-être chaque trimestre\n\n\
         * **Objectif** : sécuriser nos services\n\
         * **Résultat clé** : documenter 4 processus\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "avoir les bonnes personnes dans l'équipe",
            "sécuriser nos services"
        ]
    );
    assert_eq!(krs, [2, 1]);
}

#[test]
fn an_objective_restated_with_its_score_is_read_once_but_another_teams_twice() {
    let r = read(
        "23年Q1：\n\nO: 完善产品建设\n- KR: 完成大客户接入\n- KR: 完成支付流程上线\n\n\
         O: 团队建设\n- KR: 补充前端开发一人\n\n\
         O：完善产品建设 (70%)\n- KR: 完成大客户接入\n- KR: 完成支付流程上线\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["完善产品建设", "团队建设"]);
    assert_eq!(krs, [2, 1]);
    // `23年Q1`: a two-digit year before a quarter
    assert_eq!(periods(&r), ["2023-Q1", "2023-Q1"]);
    let r = read(
        "# FY2022 Annual OKRs\n\n## Sales\n\n1. Earn community trust\n   - Publish 4 case studies\n\
         1. Grow revenue\n   - Reach $2M ARR\n\n## Marketing\n\n1. Earn community trust\n   - Publish 4 case studies\n\
         1. Grow the audience\n   - Reach 10k subscribers\n",
    );
    assert_eq!(shape(&r).0.len(), 4, "{:?}", shape(&r));
}

#[test]
fn a_bare_objective_label_over_a_heading_and_chinese_section_labels() {
    let r = read(
        "# OKRs\n\n## Objective\n\n### Become the safety tool five care homes rely on\n\n\
         *Inspiring enough to read aloud.*\n\n## Key Results\n\n\
         ### KR1 — Nurses confirm alerts 4 days a week\n\n> 50 nurses confirm alerts\n\n\
         ### KR2 — 5 paid pilot contracts\n\n> Sign 5 contracts\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Become the safety tool five care homes rely on"]);
    assert_eq!(krs, [2]);
    let r = read(
        "# 一、目标（O1）\n\n建设统一仿真能力，降低验证成本。\n\n## 关键结果（KR）\n\n\
         1. 本月完成链路调通。\n\n2. 完成业界技术方案调研，覆盖 3 类场景。\n\n\
         ## 关键举措\n\n1. 负责整体技术方案设计。\n\n2. 分阶段完成对齐。\n\n\
         # 二、目标（O2）\n\n构建录制回放能力。\n\n## 关键结果（KR）\n\n1. 完成调研。\n\n\
         ## 关键举措\n\n1. 系统调研。\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        ["建设统一仿真能力，降低验证成本。", "构建录制回放能力。"]
    );
    // the items under `关键结果` are key results however they read; `关键举措` are initiatives
    assert_eq!(krs, [2, 1]);
}

#[test]
fn a_period_line_under_the_title_states_the_period_more_exactly_than_the_title() {
    let r = read(
        "# OKRs - Q1-Q2 2025 (12-Week Launch)\n\n**Period:** Nov 4, 2025 - Jan 24, 2026\n\
         **Owner:** Development Team\n\n## Objective 1: Ship the platform\n\n\
         ### Key Result 1.1: Ship 100% of planned scope\n\n- **Target:** 100%\n\n\
         ### Key Result 1.2: Run 2 beta tournaments\n\n- **Target:** 2\n",
    );
    assert_eq!(periods(&r), ["2025-11-04..2026-01-24"]);
}

#[test]
fn a_page_that_names_one_quarter_in_its_prose_is_dated_by_it_and_two_leave_it_undated() {
    let page = |prose: &str| {
        format!(
            "# Metrics strategy\n\n{prose}\n\n## Objective: Prove parents pay\n\n\
             #### KR1: 500 paying parents\n\n#### KR2: $2,500 MRR\n"
        )
    };
    let r = read(&page(
        "In the first quarter after launch (Q3/2026) we focus on habit and revenue.",
    ));
    assert_eq!(periods(&r), ["2026-Q3"]);
    let r = read(&page(
        "After the pilot in Q2 2026 we launch in Q3 2026 and focus on habit and revenue.",
    ));
    assert_eq!(periods(&r), [""]);
}

#[test]
fn team_okrs_as_headings_and_individual_okrs_as_labelled_lines_under_role_headings() {
    let r = read(
        "# Team OKRs: Django + Celery\n\n**Quarter:** Q1 2026\n\n## TEAM OKRs\n\n\
         ### Objective 1: Improve API reliability\n\n**Key Results:**\n\
         1. p95 latency under 300 ms\n2. Error rate under 0.5%\n\n\
         ### Objective 2: Make background jobs predictable\n\n**Key Results:**\n\
         1. 99% of tasks finish within 5 minutes\n\n\
         ### Objective 3: Reduce firefighting\n\n**Key Results:**\n\
         1. At most 2 hotfixes a month\n\n## INDIVIDUAL OKRs\n\n\
         ### Backend Engineer\n\n**Objective:** Make Django APIs fast\n\n**Key Results:**\n\
         1. Remove 10 N+1 queries\n2. Cache 5 hot endpoints\n\n\
         ### Tech Lead\n\n**Objective:** Keep velocity without debt\n\n**Key Results:**\n\
         1. Ship 20 stories a sprint\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "Improve API reliability",
            "Make background jobs predictable",
            "Reduce firefighting",
            "Make Django APIs fast",
            "Keep velocity without debt"
        ]
    );
    assert_eq!(krs, [2, 1, 1, 2, 1]);
    assert_eq!(periods(&r)[0], "2026-Q1");
}

#[test]
fn a_bare_objective_label_over_a_quote_and_key_results_in_the_next_section() {
    let r = read(
        "# Product strategy: Family Finance\n\n## Workshop 3: OKRs\n\n\
         ### 1. Measurement philosophy\n\nWe measure habit, money and retention.\n\n\
         ### 2. Objective (inspiring)\n\n> **\"Make families calm about money\"**\n\n\
         * **Why this objective?** It is qualitative.\n\n\
         ### 3. Key Results & analysis\n\nTo prove the objective we track:\n\n\
         #### KR1: Leading metric\n> **Target:** 60% of requests go through the app.\n\n\
         #### KR2: Lagging metric\n> **Target:** 500 paying parents.\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Make families calm about money"]);
    assert_eq!(krs, [2]);
}

#[test]
fn a_summary_table_that_counts_key_results_adds_none() {
    let r = read(
        "# OKRs Q2 2026\n\n## Objetivo 1: Plataforma pronta\n\n\
         | # | Key Result | Target |\n|---|---|---|\n| 1.1 | Billing com Stripe | 100% |\n\
         | 1.2 | 3 planos ativos | 3 |\n\n## Objetivo 2: Observabilidade\n\n\
         | # | Key Result | Target |\n|---|---|---|\n| 2.1 | 5 dashboards | 5 |\n\n\
         ## Resumo de OKRs\n\n| Objetivo | Key Results | Owner |\n|---|---|---|\n\
         | O1: SaaS Ready | 2 KRs | Backend |\n| O2: Observabilidade | 1 KR | DevOps |\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Plataforma pronta", "Observabilidade"]);
    assert_eq!(krs, [2, 1]);
}

fn read_at(src: &str, name: &str) -> MarkdownRead {
    let mut map = SourceMap::default();
    let file = map.add(name, Path::new(name), src.to_string());
    parse_markdown(src, file, name)
}

#[test]
fn an_objectives_list_and_a_key_results_list_beside_it_are_read_together() {
    // one objective: the key results are its own, nothing to say
    let r = read(
        "# Summit OKRs\n\n## Team OKR\n\n### 1. OKR: @alice\n\n#### Objectives\n\n1. Tell the story of the project well\n\n\
         #### Key Results\n\n1. Reach 30+ developers on-site\n1. Get 100+ reads on the post:\n    > counted in the blog's stats\n1. Grow the chat group to 30+ members\n",
    );
    assert_eq!(shape(&r).1, [3], "{:#?}", shape(&r));
    assert!(!has(&r, "shared-key-results"));
    // two objectives listed together share one list: read as the last one's, and said
    let r = read(
        "### Ultimate Objectives\n\n1. Make the project known in China\n1. Make more people see what it solves\n\n\
         ### Ultimate Key Results\n\n1. 100+ people on-site\n1. 500+ new developers\n",
    );
    assert_eq!(shape(&r).1, [0, 2], "{:#?}", shape(&r));
    let w = r
        .diagnostics
        .iter()
        .find(|d| d.code == "shared-key-results")
        .expect("a warning");
    assert_eq!(w.severity, Severity::Warning);
    assert!(
        w.message
            .contains("2 key result(s) listed once for 2 objectives"),
        "{}",
        w.message
    );
}

#[test]
fn a_template_of_blanks_has_no_objectives_and_says_it_is_a_template() {
    let r = read(
        "# OKRs — [QUARTER YEAR]\n\n## OKR 1: [Objective title]\n\n- [ ] [Measurable result 1] (Week N)\n- [ ] [Measurable result 2] (Week N)\n\n\
         ## OKR 2: [Objective title]\n\n- [ ] [Measurable result 1] (Week N)\n",
    );
    assert_eq!(r.objectives.len(), 0, "{:#?}", shape(&r));
    let e = r
        .diagnostics
        .iter()
        .find(|d| d.code == "no-objectives")
        .expect("no-objectives");
    assert!(e.message.contains("it is a template"), "{}", e.message);
    // a real objective beside a blank key result keeps its real ones
    let r = read(
        "## Objective 1: Grow activation\n\n- KR1: Raise activation from 23% to 35%\n- KR2: [Measurable result]\n",
    );
    assert_eq!(shape(&r).1, [1]);
}

#[test]
fn a_quarter_with_no_year_takes_the_year_its_path_names() {
    let page = "# Q2 Objectives\n\n## Grow adoption\n\n- Increase reference users by 25\n- Respond to 100% of queries within an hour\n";
    assert_eq!(
        periods(&read_at(page, "objectives/2019/Q2/kiran.md")),
        ["2019-Q2"]
    );
    // a path with no year, or two, dates nothing
    assert_eq!(periods(&read_at(page, "okrs/kiran.md")), [""]);
    assert_eq!(periods(&read_at(page, "2018-2019/kiran.md")), [""]);
}

#[test]
fn a_progress_log_or_notes_heading_is_not_an_objective() {
    let r = read(
        "# OKR\n\n## O1：批量确认\n\n- KR1：批量确认上线，验收：弹窗为 0\n- KR2：上限 100 条\n\n\
         ## 进展记录\n\n2026-08-26：\n- KR2 已实现并有测试\n- 修复了一个问题\n\n\
         ## Notes (for the pitch, not part of the OKR)\n\n- → measures real use\n- → proves demand\n",
    );
    assert_eq!(shape(&r).1, [2], "{:#?}", shape(&r));
}

#[test]
fn parts_of_a_key_result_numbered_under_it_are_its_details() {
    let r = read(
        "## **OBJECTIVE**: Show speedup through memory management\n\n\
         - [ ] KR1: Demonstrated the trade-off between speed and overflow checks\n\t- [ ] KR1a: Showed integer overflow\n\t- [ ] KR1b: Forced an overflow check\n\
         - [ ] KR2: Analyzed the floating point layout\n\t- [ ] KR2a: Implemented floatbits()\n\
         - [ ] KR12: Compared the runtimes of 2 functions\n",
    );
    assert_eq!(shape(&r).1, [3], "{:#?}", shape(&r));
}

#[test]
fn a_cell_holding_only_a_key_results_mark_takes_its_text_from_the_next_column() {
    let r = read(
        "## Objective 1: Grow monthly visitors to 6M\n\n\
         | KR | Description | Target | Baseline |\n|---|---|---|---|\n\
         | **KR 1.1** | Grow monthly unique visitors | **6.0 M** | 3.0 M |\n\
         | **KR 1.2** | Raise web-to-app conversion | 12.5% | 8.2% |\n",
    );
    let krs = &r.objectives[0].key_results;
    assert_eq!(krs.len(), 2);
    assert_eq!(krs[0].title.value, "Grow monthly unique visitors");
    // the values are the row's, never the mark's `1.2`
    let t = |k: usize| krs[k].target.as_ref().map(|q| q.value.to_string());
    let b = |k: usize| krs[k].baseline.as_ref().map(|q| q.value.to_string());
    assert_eq!(b(1).as_deref(), Some("8.2%"));
    assert_eq!(t(1).as_deref(), Some("12.5%"));
}

#[test]
fn a_key_results_mark_may_name_it_in_parentheses() {
    let r = read(
        "## Objective 1: Trustworthy numbers\n\n**3 Key Results:**\n\
         - **KR 1 (Data accuracy):** Automate 100% of the monthly report\n\
         - **KR 2 (Traffic quality):** Keep bot traffic under 5%\n",
    );
    assert_eq!(shape(&r).1, [2], "{:#?}", shape(&r));
    assert_eq!(
        r.objectives[0].key_results[0].title.value,
        "Automate 100% of the monthly report"
    );
}

#[test]
fn a_start_day_and_a_number_of_days_date_the_page() {
    let r = read(
        "# OKR: Director for the next 90 days\n\n起始：2026-08-26。\n\n## O1：批量确认\n\n- KR1：弹窗为 0\n- KR2：上限 100 条\n",
    );
    assert_eq!(periods(&r), ["2026-08-26..2026-11-23"]);
    let r = read(
        "# 12-week OKRs\n\n**Start:** 2026-01-05\n\n## Objective 1: Ship\n\n- KR1: 3 releases\n",
    );
    assert_eq!(periods(&r), ["2026-01-05..2026-03-29"]);
}

#[test]
fn a_list_of_terms_each_explained_is_doubted_as_objectives() {
    let r = read(
        "# OKRs\n\n## The OKR magic\n\nOKRs help us do four things:\n\n\
         1. __Focus and commit__ to specific directions while saying no to others.\n\n\
         2. __Align and connect__ across and within teams in the whole company.\n\n\
         3. __Stretch for amazing!__ OKRs are meant to challenge us further.\n\n\
         ## OKRs are not\n\n1. __Linked to pay.__ Sometimes you can fail and still succeed in your job.\n",
    );
    assert!(
        doubt(&r)
            .message
            .contains("a term in bold and a sentence explaining it"),
        "{}",
        doubt(&r).message
    );
}

#[test]
fn two_quarters_written_with_a_slash_are_both() {
    let r = read(
        "## Objectives for 2020 Q1/2\n\n### Build the engagement strategy\n\n- Hold 4 member calls\n",
    );
    assert_eq!(periods(&r), ["2020-01-01..2020-06-30"]);
}

#[test]
fn a_key_results_list_that_repeats_the_objectives_gives_each_its_own() {
    let r = read(
        "---\ntitle: '2022년 2분기 OKR'\n---\n\n### Objectives :\n\n1. 기록을 생활화하기\n1. 인사이트 넓히기\n\n\
         ### Key Results:\n\n1. 기록을 생활화하기 (aspirational KR)\n   - 회고록 2편 게시하기\n   - 글 3개 올리기\n\
         1. 인사이트 넓히기 (committed KR)\n   - 책 5권 읽기\n\n\
         ## 평가\n\n| KR | Achievement |\n|---|---|\n| 회고록 2편 게시하기 | 100% |\n| 글 3개 올리기 | 30% |\n| 책 5권 읽기 | 100% |\n",
    );
    assert_eq!(shape(&r).1, [2, 1], "{:#?}", shape(&r));
    assert!(!has(&r, "shared-key-results"));
    // the scoring table restates them: not a key result table with no objective
    assert!(!has(&r, "markdown-unread"), "{:#?}", codes(&r));
    assert_eq!(periods(&r), ["2022-Q2", "2022-Q2"]);
}

#[test]
fn an_html_table_cell_spanning_rows_leaves_its_place_in_them_empty() {
    let r = read(
        "### 2021 OKR\n<table>\n<thead><tr><th>Objective</th><th>Key Results</th><th>Notes</th></tr></thead>\n<tbody>\n\
         <tr><td rowspan=3>O1 Grow savings</td><td rowspan=2>KR1: Save 20% of income</td><td>net of the car</td></tr>\n\
         <tr><td>checked monthly</td></tr>\n\
         <tr><td>KR2: Invest 10% in index funds</td><td></td></tr>\n\
         <tr><td rowspan=\"2\">O2 Family time</td><td>KR1: One trip every two weeks</td><td></td></tr>\n\
         <tr><td>KR2: A talk every month</td><td></td></tr>\n</tbody></table>\n",
    );
    assert_eq!(shape(&r).1, [2, 2], "{:#?}", shape(&r));
    assert_eq!(r.objectives[1].title.value, "Family time");
}

#[test]
fn a_rule_with_text_right_under_it_is_not_front_matter() {
    // two `---` rules with the OKRs between them: CommonMark's metadata blocks would take
    // them as YAML; only a page's first line opens front matter
    let r = read(
        "# Workshop 3\n\n**Product:** an AI agent  \n**Student:** Tiến\n\n---\n## OKR\n\n### Objective\nBecome the trusted guide for every outpatient.\n\n\
         ### Key Results\n\n| # | Type | Key Result |\n|---|---|---|\n| KR1 | Leading | 70% of patients finish the screening |\n| KR2 | Lagging | Wrong-department visits below 15% |\n\n---\n",
    );
    assert_eq!(shape(&r).1, [2], "{:#?}", shape(&r));
    // front matter on the first line, with text in other scripts before the OKRs, still is
    let r = read(
        "---\ntitle: '2022년 2분기 OKR 및 평가'\n---\n\n## Objective 1: 기록을 생활화하기\n\n- KR1: 회고록 2편 게시하기\n",
    );
    assert_eq!(shape(&r).1, [1]);
    assert_eq!(periods(&r), ["2022-Q2"]);
    let k = &r.objectives[0].key_results[0].title;
    assert_eq!(k.value, "회고록 2편 게시하기");
    // its place is where the page has it, past the front matter's other scripts
    let src = "---\ntitle: '2022년 2분기 OKR 및 평가'\n---\n\n## Objective 1: 기록을 생활화하기\n\n- KR1: 회고록 2편 게시하기\n";
    let at = k.span.offset as usize;
    assert_eq!(&src[at..at + k.span.len as usize], "회고록 2편 게시하기");
}

#[test]
fn a_year_after_an_objective_label_dates_what_is_under_it() {
    // `## Objective 2025 - €1M in revenue` over the year's objectives, then the quarter's
    let r = read(
        "# OKRs\n\n## Objective 2025 - €1M in revenue\n\n**O1: Sell online classes, reaching €90K in revenue.**\n\n- KR1: Onboard 10 instructors\n\n\
         **O2: Win event organizers, €831K in revenue.**\n\n- KR1: Onboard 500 organizers\n\n\
         ## Objectives 2025 Q1\n\n**O1: Launch v4**\n\n- KR1: Ship the app to 1,000 users\n",
    );
    assert_eq!(periods(&r), ["2025", "2025", "2025-Q1"]);
}

#[test]
fn an_item_that_introduces_its_nested_items_is_a_key_result_not_an_objective() {
    let r = read(
        "# OKRs\n\n### Ship the MVP\n- Simple CRUD as the base of the MVP\n- Social login with 2 providers\n\n\
         ### Gather collaborators\n- Talk with people who might be interested in:\n  - Listening to pitches\n  - Taking part in validations\n\
         - Create a landing page\n- Present the project on social media\n",
    );
    let (titles, krs) = shape(&r);
    assert_eq!(titles, ["Ship the MVP", "Gather collaborators"]);
    assert_eq!(krs, [2, 3]);
}

#[test]
fn dates_with_slashes_are_read_in_the_one_order_that_makes_a_period() {
    let page =
        |range: &str| format!("# OKRs\n\n## From {range}\n\n### Ship the MVP\n- Ship 3 releases\n");
    // day first: 12 April to 12 June (month first would be two days in December)
    assert_eq!(
        periods(&read(&page("12/04/2022 To 12/06/2022"))),
        ["2022-04-12..2022-06-12"]
    );
    // month first: 9 January to 31 March (day first has no 31st month)
    assert_eq!(
        periods(&read(&page("01/09/2023 to 03/31/2023"))),
        ["2023-01-09..2023-03-31"]
    );
    // both orders make a period: not guessed
    assert_eq!(periods(&read(&page("01/02/2023 to 03/04/2023"))), [""]);
}

#[test]
fn okrs_written_inside_markdown_code_blocks_are_read_when_none_are_outside() {
    let page = "# Objectifs\n\n## Q2 2026 (Avril - Juin)\n\nTemplate :\n\n```markdown\n## Objectif : [Titre]\n- KR1 : [mesurable]\n```\n\n\
                Exemples :\n\n```markdown\n### Objectif 1 : Prouver que le produit fonctionne\n| KR | Cible |\n|---|---|\n| Analyser 3 modules | 3 |\n| Générer 5 specs | 5 |\n\n\
                ### Objectif 2 : Valider auprès de 10 PME\n| KR | Cible |\n|---|---|\n| 10 entretiens | 10 |\n```\n\n```python\nprint('## Objective: not this')\n```\n";
    let r = read(page);
    let (titles, krs) = shape(&r);
    assert_eq!(
        titles,
        [
            "Prouver que le produit fonctionne",
            "Valider auprès de 10 PME"
        ]
    );
    assert_eq!(krs, [2, 1]);
    // dated by the heading over the blocks, and the page says where it read them
    assert_eq!(periods(&r), ["2026-Q2", "2026-Q2"]);
    // and doubted: examples in a code block are not always the team's own
    assert!(
        doubt(&r).message.contains("inside code blocks"),
        "{}",
        doubt(&r).message
    );
}

#[test]
fn a_vision_or_mission_heading_is_not_objectives() {
    let r = read(
        "# Research team\n\n### Team vision\n\nAll major departments will:\n* conduct design research that informs key services monthly,\n* in a robust and ethical way,\n\n\
         ### Objectives\n\n#### Current quarter objectives\n\n* Lead research that surfaces the needs of all users.\n* Ensure key product decisions are grounded in research.\n",
    );
    assert_eq!(
        shape(&r).0,
        [
            "Lead research that surfaces the needs of all users.",
            "Ensure key product decisions are grounded in research."
        ]
    );
}

#[test]
fn a_key_result_named_only_by_its_mark_takes_no_value_from_it() {
    let r = read(
        "## Objective 1: Grow monthly visitors to 6M\n\n| KR | Target | Baseline |\n|---|---|---|\n\
         | **KR 1.1** | 60% | 30% |\n",
    );
    // the row is a key result (named by its mark), with the row's values, never `1.1`
    let krs = &r.objectives[0].key_results;
    assert_eq!(krs.len(), 1);
    assert_eq!(
        krs[0]
            .target
            .as_ref()
            .map(|q| q.value.to_string())
            .as_deref(),
        Some("60%")
    );
    assert_eq!(
        krs[0]
            .baseline
            .as_ref()
            .map(|q| q.value.to_string())
            .as_deref(),
        Some("30%")
    );
}

#[test]
fn graded_lines_are_key_results_and_a_wrapped_line_is_one_of_them() {
    // each key result is a paragraph line with its score in an item under it; one is wrapped
    // onto an indented line, and one's score has no colon
    let r = read(
        "## OKRs for March 2025\n\n## Objective: Publish the booking guide\n\n\
         P0: Finish the chapter on refunds\n* Score: 0.8 (one review left)\n\n\
         P1: Write a tutorial that walks a new clinic through its first\n    booking, from sign-up to the reminder email\n* Score: 0.5\n\n\
         P2: Translate the guide into Spanish\n* Score 0.25 (glossary only)\n\n\
         ## Objective: Grow the partner network\n\n\
         P0: Sign three regional partners\n* Score: 1.0\n\n\
         P1: Hold a partner day in Lyon\n* Score: 0.0\n",
    );
    assert_eq!(
        shape(&r),
        (
            vec![
                "Publish the booking guide".to_string(),
                "Grow the partner network".to_string()
            ],
            vec![3, 2]
        )
    );
    let wrapped = &r.objectives[0].key_results[1].title.value;
    assert!(
        wrapped.contains("its first") && wrapped.contains("booking, from sign-up"),
        "the wrapped line is one key result: {wrapped}"
    );
    assert!(!has(&r, "uncertain-reading"), "{:#?}", codes(&r));
}

#[test]
fn a_hard_wrapped_paragraph_is_one_line_but_indented_key_results_stay_apart() {
    // prose wrapped at 80 columns is one line of prose, not three candidates; lines that
    // start with a mark are lines of their own however they are indented
    let r = read(
        "## Objective 1: Make the app faster for everyone who uses it every day\n\n\
         We want the app to feel instant on the slow phones most of our customers\n\
         carry, which means cutting work on start-up and on every screen change\n\
         before we add anything new.\n\n\
         - KR1: Cut cold start from 4s to 2s\n- KR2: Keep crash-free sessions above 99.5%\n",
    );
    assert_eq!(shape(&r).1, [2]);
    let r = read(
        "Objective 1: Grow revenue\n    KR1: Reach 40 paying teams\n    KR2: Raise the average plan to 120 EUR\n",
    );
    assert_eq!(shape(&r), (vec!["Grow revenue".to_string()], vec![2]));
}

#[test]
fn one_line_paragraphs_in_a_row_under_each_objective_are_its_key_results() {
    // no bullets: each key result is a paragraph of its own; the heading repeated over each
    // objective is a lead-in, not an objective
    let r = read(
        "# Draft 2024 OKRs for the data team\n\n\
         #### Make our data trustworthy...\n\n#### ... by testing: Cover the core models with tests (P0)\n\n\
         Add schema tests to the 12 core models\n\nWrite a runbook for failed loads\n\nAlert the owner of a model within 10 minutes of a failure\n\n\
         #### Make our data trustworthy...\n\n#### ... by review: Review every model change (P1)\n\n\
         Require one review on every pull request\n\nPublish a style guide for models\n\n\
         #### Grow the analytics community (P2)\n\n\
         Host one meet-up per quarter with at least 20 people\n\nStart a channel with 50 members\n\nInvite two speakers from other teams\n",
    );
    assert_eq!(shape(&r).1, [3, 2, 3], "{:?}", shape(&r).0);
    assert!(!has(&r, "uncertain-reading"), "{:#?}", codes(&r));
}

#[test]
fn questions_in_any_language_and_ordinals_are_not_key_results() {
    // a template's prompts (`Was ist das gewünschte Ergebnis?`) are not key results
    let r = read(
        "## Objective 1: Mehr Nutzer schließen den Flow ab\n\n\
         - Was ist das gewünschte Ergebnis?\n- 70% aller Nutzer schließen den Flow ab\n- Wie wird Fortschritt gemessen?\n",
    );
    assert_eq!(shape(&r).1, [1]);
    // `3rd-party` says which, not how much: the prose line stays prose and the list under
    // it is the objective's
    let r = read(
        "### Objective 2: Reduce surprises in embedded widgets\n\n\
         Make it easier for developers to reason about pages that are built from many\n\
         components, especially 3rd-party ones.\n\
         *   **Ship the widget policy behind a flag**\n*   **Publish the policy spec**\n",
    );
    assert_eq!(shape(&r).1, [2], "{:?}", shape(&r));
}

#[test]
fn an_objective_section_and_a_key_results_section_named_in_a_gloss() {
    // the sections are named in another language with the English words in a gloss; the
    // objective's label is repeated on its own line over the objective in a quote
    let r = read(
        "# Lokakarya OKR\n\n## 1. Sasaran Utama (Objective)\n\n**Objective:**  \n\
         > **\"Bantu setiap guru mengenali siswa yang berisiko putus sekolah semester ini.\"**\n\n\
         *   **Sifat:** kualitatif, tanpa angka.\n\n\
         ## 2. Hasil Utama (Key Results)\n\nUntuk mengukur sasaran di atas, kami menetapkan 3 hasil utama.\n\n\
         ### KR1: Indikator perilaku\n*   **Isi:** 85% guru membuka dasbor dua kali seminggu.\n\n\
         ### KR2: Indikator hasil\n*   **Isi:** Tingkat putus sekolah turun di bawah 2%.\n\n\
         ### KR3: Indikator kualitas\n*   **Isi:** NPS guru minimal +45.\n",
    );
    assert_eq!(
        shape(&r),
        (
            vec![
                "Bantu setiap guru mengenali siswa yang berisiko putus sekolah semester ini."
                    .to_string()
            ],
            vec![3]
        )
    );
    assert!(!has(&r, "markdown-unread"), "{:#?}", codes(&r));
}

#[test]
fn cells_of_a_key_result_column_under_a_grouping_row_are_key_results() {
    // the session and focus columns are filled on the first row of each group only; the key
    // result column is filled on every row, and the page marks its objectives as headings
    let verbs = [
        "Create", "Write", "Add", "Run", "Check", "Change", "Test", "Replace",
    ];
    let things = [
        "the file",
        "the title",
        "a heading",
        "a paragraph",
        "a link",
        "an image",
        "the footer",
        "a list",
    ];
    let mut page = String::new();
    for (o, topic) in ["HTML", "CSS"].iter().enumerate() {
        page.push_str(&format!(
            "## Objective {}: {topic} basics\n\n| Session | Focus | Key Result (step) | Time |\n| --- | --- | --- | --- |\n",
            o + 1
        ));
        let focuses = [
            "Setup & Structure",
            "Head & Text",
            "Links & Media",
            "Semantics",
            "Forms",
            "Mini build",
        ];
        for (g, focus) in focuses.iter().enumerate() {
            for k in 0..5 {
                let lead = if k == 0 {
                    format!("| {} | {focus} ", g + 1)
                } else {
                    "| | ".to_string()
                };
                page.push_str(&format!(
                    "{lead}| {} {} | {}m |\n",
                    verbs[(g + k) % 8],
                    things[(g * 3 + k) % 8],
                    k + 2
                ));
            }
        }
        page.push('\n');
    }
    let r = read(&page);
    assert_eq!(
        shape(&r),
        (
            vec!["HTML basics".to_string(), "CSS basics".to_string()],
            vec![30, 30]
        )
    );
}

#[test]
fn an_item_naming_an_objective_read_above_is_a_reference_to_it() {
    // a week's task list mentions `O1`; with full-width colons, `**为什么重要：**` is a label
    let r = read(
        "## 🎯 O1：建立可复制的协作范式\n\n**为什么重要：** 市场上 99% 的人只把工具当搜索引擎用。\n\n\
         ### KR1.1：协作模式成熟度\n- [ ] 建立每周回顾机制\n\n### KR1.2：记忆与连续性\n- [ ] 每天记录\n\n\
         ## 🎯 O2：产出可分享的价值\n\n### KR2.1：沉淀方法论文档\n- [ ] 写第一篇\n\n\
         ## 📅 本周 Sprint\n\n### 重点目标\n1. **进化体系跑起来** — 确保任务稳定运行\n2. **协作模式转型** — 主动推进\n3. **O1 调研启动** — 开始收集协作数据\n",
    );
    assert_eq!(shape(&r).1, [2, 1], "{:?}", shape(&r).0);
}

#[test]
fn objectives_a_guide_shows_as_examples_are_doubted() {
    let r = read(
        "# OKRs: a guide\n\nOKRs separate the ambition from the measure of it.\n\n## Good vs. Bad OKRs\n\n\
         **Bad OKR:**\nObjective: Improve the checkout\nKR1: Launch the new button\nKR2: Write 5 help pages\n\n\
         **Good OKR:**\nObjective: Make checkout effortless\nKR1: Raise checkout completion from 60% to 75%\nKR2: Cut checkout support tickets from 40 to 10 a week\n",
    );
    let d = doubt(&r);
    assert!(d.message.contains("examples"), "{}", d.message);
    // judged good or bad: made up to show, not the team's
    assert!(r.objectives.is_empty(), "{:?}", shape(&r));
    assert!(has(&r, "no-objectives"), "{:#?}", codes(&r));
    // an example from the team's own past is read, and doubted
    let r = read(
        "# Team OKRs\n\n## Examples\n\n- __Ship the design system__\n    - 20 components documented\n    - 3 products use it\n\n\
         - __Grow the guild__\n    - 12 talks given\n    - 30 members\n",
    );
    assert_eq!(shape(&r).1, [2, 2]);
    assert!(doubt(&r).message.contains("may not be the team's"));
}

#[test]
fn headings_numbered_in_a_series_are_objectives_on_a_page_that_marks_nothing_else() {
    // a goals post: each goal a heading `Aspiration N:`, prose under it; the title in the
    // front matter names the year the page is about
    let r = read(
        "---\ntitle: 'Aspirations for 2025'\ndate: '2024-12-30'\n---\n\nEvery year I set a few goals.\n\n\
         ## Aspiration 1: Run 3 Times a Week\n\nI ran twice a week last year.\n\n\
         ## Aspiration 2: Read 30 Books\n\nMostly fiction.\n\n\
         ## Aspiration 3: Finish the Garden Shed\n\nThe roof is left.\n",
    );
    assert_eq!(shape(&r).1, [0, 0, 0], "{:?}", shape(&r).0);
    assert_eq!(periods(&r), ["2025", "2025", "2025"]);
    // beside `OKR1` and `KR` marks, `Stage 1:` headings are stages, not objectives
    let r = read(
        "## OKR1: Grow the product\n\n- KR1: Reach 500 users\n- KR2: Keep churn under 3%\n\n\
         ## Success\n\n### Stufe 1: Early traction\n\nA few users.\n\n### Stufe 2: Product-market fit\n\nMany users.\n\n### Stufe 3: Scale\n\nMore.\n",
    );
    assert_eq!(shape(&r).1, [2], "{:?}", shape(&r).0);
}

#[test]
fn an_objective_label_over_a_paragraph_with_initiatives_and_no_key_results() {
    // a working group's README: the objective's label, a blank line, its text; then
    // initiatives (not key results), then sections about the group
    let r = read(
        "# Docs WG\n\n## Members\n\n| Name | Handle |\n|---|---|\n| Ada | @ada |\n\n\
         ## Current Objective and Key Results\n**Objective:**\n\nEvery page of the docs is one a newcomer can follow.\n\n\
         **Initiatives:**\n* A docs sprint with 20 people\n* Review 1 guide every week\n\n\
         ## Areas of Responsibility\n\n- Reviewing docs pull requests\n- Running the docs sprint\n- Keeping the style guide\n",
    );
    assert_eq!(
        shape(&r),
        (
            vec!["Every page of the docs is one a newcomer can follow.".to_string()],
            vec![0]
        )
    );
    assert!(has(&r, "objectives-only"), "{:#?}", codes(&r));
    assert!(!has(&r, "markdown-unread"), "{:#?}", codes(&r));
}

#[test]
fn a_table_graded_by_columns_holds_key_results_in_its_item_column() {
    // the columns after the first say what each grade takes; the first holds the key results.
    // `年度OKR` says OKR against Chinese text, with no space
    let r = read(
        "## 年度OKR\n### 生活\n 条目 | 1.0 | 0.7 | 0.5\n:---:|:---:|:---:|:---:\n 跑步 | 每周3次 | 每周2次 | 每周1次\n 看书 | 24本 | 12本 | 6本\n\n\
         ### 工作\n 条目 | 1.0 | 0.7 | 0.5\n:---:|:---:|:---:|:---:\n 发布新版本 | 4个 | 3个 | 2个\n",
    );
    assert_eq!(
        shape(&r),
        (vec!["生活".to_string(), "工作".to_string()], vec![2, 1])
    );
    let books = &r.objectives[0].key_results[1];
    assert_eq!(books.title.value, "看书");
    assert_eq!(
        books.target.as_ref().map(|q| q.value.value),
        Some(24.0),
        "the full grade's value is the target"
    );
}

#[test]
fn lines_numbered_with_an_ideographic_comma_are_a_list_under_the_line_before() {
    // no headings and no marks: the first objective a bullet, the others plain lines, each
    // over key results numbered `1、`; numbers written against CJK text still count
    let r = read(
        "- 提高团队交付效率，保障按时发布\n1、每季度发布3个版本\n2、线上缺陷减少50%\n3、评审时间缩短到2天\n\n\
         构建团队知识体系\n1、完成10次技术分享\n2、沉淀20篇文档\n\n\
         构筑团队竞争力\n\n1、新增培养2个新人\n2、申报至少3个改进议题\n",
    );
    assert_eq!(shape(&r).1, [3, 2, 2], "{:?}", shape(&r).0);
    assert_eq!(
        r.objectives[0].key_results[0].title.value,
        "每季度发布3个版本"
    );
}

#[test]
fn an_objective_mark_after_whose_objective_it_is() {
    // `OCTO Objective 1:`: the owning group's name, then the mark
    let r = read(
        "**2024 OKRs**\n\nOCTO Objective 1: Better experiences.\n\nKey Results:\n\n1. Raise app rating from 4.5 to 4.8\n2. Grow transactions by 25%\n\n\
         OCTO Objective 2: Stronger platforms.\n\nKey Results:\n\n1. Cut lead time from 5 days to 2 days\n",
    );
    assert_eq!(
        shape(&r),
        (
            vec![
                "Better experiences.".to_string(),
                "Stronger platforms.".to_string()
            ],
            vec![2, 1]
        )
    );
}

#[test]
fn an_objective_heading_dates_itself_in_full_width_parentheses() {
    let r = read(
        "## 目标拆解（OKR 风格）\n\n### O1：连续性达到生产水位（2026 Q2）\n\n- KR1：发布3个版本\n\n\
         ### O2：能力边界清晰（2026 Q2-Q3）\n\n- KR1：文档覆盖100%\n\n### O3：技术债可控（2026 Q3）\n\n- KR1：缺陷减少50%\n",
    );
    assert_eq!(
        periods(&r),
        ["2026-Q2", "2026-04-01..2026-09-30", "2026-Q3"]
    );
}

#[test]
fn a_page_title_over_every_list_is_not_one_objective_with_dozens_of_key_results() {
    // a project dashboard: a title, lists of tasks and notes in many sections, and one
    // section of three marked objectives with three key results each
    let mut page = String::from("# Migration dashboard\n\n");
    for section in ["Backlog", "Done this week", "Meeting notes", "Risks seen"] {
        page.push_str(&format!("## {section}\n\n"));
        for k in 1..=8 {
            page.push_str(&format!(
                "- Move service {k} of the {section} list to the new cluster\n"
            ));
        }
        page.push('\n');
    }
    page.push_str("## OKRs du trimestre\n\n");
    for o in 1..=3 {
        page.push_str(&format!(
            "### Objectif {o} : Fiabiliser la plateforme {o}\n\n"
        ));
        for k in 1..=3 {
            page.push_str(&format!(
                "- **KR{o}.{k}** : Réduire les incidents de {k}0 %\n"
            ));
        }
        page.push('\n');
    }
    let r = read(&page);
    assert_eq!(shape(&r).1, [3, 3, 3], "{:?}", shape(&r).0);
}

#[test]
fn unmarked_headings_in_another_part_of_the_page_than_the_marked_objectives() {
    let r = read(
        "# Roadmap\n\n## OKRs\n\n### Objective 1: Make the catalog scale.\n\n- [ ] KR1: Add 7 site playbooks\n- [ ] KR2: Validate 100% of playbooks in CI\n\n\
         ### Objective 2: Keep automation safe.\n\n- [ ] KR1: Confirm every sensitive step\n- [ ] KR2: Stop on 5 blocked states\n\n\
         ## Phase 6: Regression tests\n\n### Schema tests\n\n- [ ] Reject 3 malformed playbooks\n- [ ] Accept the 7 seed playbooks\n\n\
         ### Compiler tests\n\n- [ ] Compile 7 flows to tasks\n- [ ] Refuse 2 unsupported steps\n\n\
         ### CLI tests\n\n- [ ] List 7 sites\n- [ ] Run 1 flow end to end\n",
    );
    assert_eq!(
        shape(&r),
        (
            vec![
                "Make the catalog scale.".to_string(),
                "Keep automation safe.".to_string()
            ],
            vec![2, 2]
        )
    );
}

#[test]
fn the_quarters_okrs_dated_by_a_week_the_page_names_are_that_weeks_quarter() {
    let r = read(
        "# Tableau de bord\n\n## Progression\n\n### Semaine du 2-6 Décembre 2024\n\n- Migré 3 flux\n\n\
         ## OKRs du Trimestre\n\n### Objectif 1: Déploiement complet\n\n- **KR1**: 100% des flux migrés\n- **KR2**: 0 incident bloquant\n",
    );
    assert_eq!(periods(&r), ["2024-Q4"]);
}

#[test]
fn a_quoted_okr_id_that_starts_with_its_year_dates_the_objective() {
    let r = read(
        "## List of current OKRs\n\n### OKR '2023.M1': \"Validate the product vision\"\n\n\
         **Objective: We will validate the vision with real teams.**\n\n#### Key Results\n\n\
         - `2023.M1.01` - Grow monthly active projects by 20%.\n- `2023.M1.02` - Reach 40 paying teams.\n",
    );
    assert_eq!(periods(&r), ["2023"]);
    assert_eq!(shape(&r).1, [2]);
}

#[test]
fn a_key_results_label_naming_its_owners_holds_the_list_under_it() {
    // the title dates the page; `# Quarterly OKRs` after it names no period and does not
    // undo it; a score table with a column per key result holds no key results
    let r = read(
        "Q3-21 OKR Archive\n===\n\n# Quarterly OKRs\n\n## Objective: `Grow the team`\n\
         - **Tracked:** Weekly\n- **Key Results:** Ana and Bo equally\n  1. `Hire 2 engineers`\n  2. `Source 30 candidates`\n\
         - **Final Score**\n\n| Date | KR #1 | KR #2 | Total |\n|---|---|---|---|\n| 01.10.21 | 0.5 | 1 | 0.75 |\n\n\
         - **Notes:**\n  * `Tracked in a spreadsheet.`\n",
    );
    assert_eq!(shape(&r).1, [2], "{:?}", shape(&r));
    assert_eq!(periods(&r), ["2021-Q3"]);
}

#[test]
fn bold_themes_group_key_results_and_a_trailing_unnumbered_section_is_an_appendix() {
    let mut page = String::from("# Personal OKRs — 2027\n\n");
    for (o, title) in [
        "Be a present parent",
        "Keep my energy up",
        "Get my finances clear",
    ]
    .iter()
    .enumerate()
    {
        page.push_str(&format!(
            "## {}) {title}\n\n**Idea:** Why this matters.\n\n### Key Results\n\n\
             **First theme**\n- Reach 3 outings a month\n- Measure: outings per month\n\n\
             **Second theme**\n- Keep 2 evenings a week free\n- Cut screen time to 1 hour a day\n\
             - Measure: hours logged per day\n- Tracking support: the health agent logs it weekly\n\n",
            o + 1
        ));
    }
    page.push_str("## Agent relevance map\n\n| Agent | Objective |\n|---|---|\n| 1 — Family planning | 1 |\n| 2 — Weight tracking | 2 |\n| 3 — Budget overview | 3 |\n");
    let r = read(&page);
    assert_eq!(shape(&r).1, [3, 3, 3], "{:?}", shape(&r).0);
    assert!(
        doubt(&r).message.contains("without the number"),
        "the appendix is left out and said: {}",
        doubt(&r).message
    );
}

#[test]
fn key_results_tagged_committed_or_aspirational_and_an_objective_only_discussed() {
    // `**Title [COMMITTED]:** text` over its initiatives is a key result; `Possible
    // objective:` in a discussion is not one
    let r = read(
        "# Plan for 2025\n\n## Context\n\n#### Possible objective: \"Improve the UI\"\n\n\
         ##### Alternative 1: Build it in the web app\n\n- Too slow for large uploads.\n\n## Decision\n\n\
         ### Objective 1: Support -- \"Optimize support\"\n\n\
         - **Workshop for users [COMMITTED]:** Run a workshop for new users at least once a year.\n  - Schedule it for autumn.\n    - _Talk to the training hub._\n  - Create the material.\n\
         - **Ticket volume [ASPIRATIONAL]:** Reduce unnecessary tickets by 50% within 6 months.\n  - Find 3 chatbot tools.\n  - Build a prototype.\n",
    );
    assert_eq!(shape(&r).1, [2], "{:?}", shape(&r));
    assert_eq!(shape(&r).0, ["Support -- \"Optimize support\""]);
}

#[test]
fn an_action_plan_in_a_gloss_is_no_objective_and_a_key_results_line_elsewhere_is_its_objectives() {
    let r = read(
        "# Web OKRs 2026\n\n## Objective 1: Reach 6M monthly visitors\n\n### Key Results (KRs)\n\n\
         | KR | Mô tả | Target | Baseline |\n|---|---|---|---|\n| **KR 1.1** | Tăng khách truy cập | 6.0 M | 3.0 M |\n| **KR 1.2** | Tỷ lệ chuyển đổi | 12.5% | 8.2% |\n\n\
         ## Chiến lược hành động (Action Plan)\n\n1. **Nội dung:**\n   - Xây dựng hệ thống sản xuất nội dung.\n   - Tối ưu hóa hạ tầng kỹ thuật.\n\n\
         ## Nguyên tắc đo lường\n\n**2 Key Results (KRs) hỗ trợ Hypothesis:**\n\
         - **KR 1 (Data Accuracy):** Hoàn thiện 100% Data Pipeline.\n- **KR 2 (Traffic Quality):** Duy trì tỷ lệ 80% phiên hợp lệ.\n",
    );
    assert_eq!(
        shape(&r),
        (vec!["Reach 6M monthly visitors".to_string()], vec![4])
    );
}

#[test]
fn headings_that_name_periods_that_do_not_agree_are_doubted() {
    // `## H1 2027` over `### R1 Objectives (Sep-Nov 2026)`: which is the objective's period?
    let r = read(
        "# Roadmap\n\n## H2 2026: Foundation\n\n### R0 Objectives (Jul-Sep 2026)\n\n#### R0-O1: Define the ontology\n\n- KR1.1: Document 5 core concepts\n\n\
         ## H1 2027: Intelligence\n\n### R1 Objectives (Sep-Nov 2026)\n\n#### R1-O1: Build the knowledge graph\n\n- KR1.1: Load 100 entities\n",
    );
    assert_eq!(shape(&r).1, [1, 1]);
    assert!(
        doubt(&r).message.contains("do not agree"),
        "{}",
        doubt(&r).message
    );
}

#[test]
fn a_target_column_with_long_text_is_no_key_result_column_and_a_bold_note_row_is_a_note() {
    let mut page = String::from("# Q3 2026 OKRs\n\n");
    for o in 1..=3 {
        page.push_str(&format!(
            "### Objective {o}: Make the gateway faster {o}\n\n| Key Result | Current | Target | Status |\n|---|---|---|---|\n\
             | p99 latency under load {o} | unknown | <50ms | not started |\n\
             | Cache hit rate {o} | unknown | >40% on routing decisions of every provider we route to | not started |\n\
             | **Candidate ideas** | — | **Quota inheritance** (per-tenant caps that compose), **Time-of-day routing** (cheaper after hours), **PII-aware selection** | — |\n\
             | Circuit-breaker loop {o} | 0 | 100% of providers | in progress |\n\n"
        ));
    }
    let r = read(&page);
    assert_eq!(shape(&r).1, [3, 3, 3], "{:?}", shape(&r));
    assert_eq!(
        r.objectives[0].key_results[0].title.value,
        "p99 latency under load 1"
    );
}

#[test]
fn a_week_of_a_day_and_okr_numbered_headings() {
    let r = read(
        "# MVP sprint OKRs\n\n> **Period:** Week of 2026-06-15 (1-week sprint)\n\n\
         ### okr1 Ship the pipeline\n\n1. Upload 3 sample PDFs\n2. Summarise each in under 60 s\n\n\
         ### okr2 Test it with students\n\n1. Interview 5 students\n",
    );
    assert_eq!(shape(&r).1, [2, 1], "{:?}", shape(&r));
    assert_eq!(
        periods(&r),
        ["2026-06-15..2026-06-21", "2026-06-15..2026-06-21"]
    );
}

#[test]
fn key_results_restated_in_check_ins_are_read_once_and_the_intro_states_the_days() {
    let mut page = String::from(
        "# OKRs 2026-Q4 — Prove the record\n\nDrafted at the all-hands. Quarter runs 2026-09-18 to 2026-12-31. The benchmark comes later.\n\n",
    );
    for o in 1..=2 {
        page.push_str(&format!(
            "## O{o} — Objective number {o} of the quarter\n\n- KR{o}.1: Reach 5 completed records\n- KR{o}.2: Publish 1 method note\n\n"
        ));
    }
    page.push_str("## Check-ins\n\n### 2026-10 (check-in)\n\n");
    for o in 1..=2 {
        page.push_str(&format!(
            "Progress on the objective {o} follows here for the month.\n\n- KR{o}.1: Reach 5 completed records — status: on track\n- KR{o}.2: Publish 1 method note — status: at risk\n\n"
        ));
    }
    let r = read(&page);
    assert_eq!(shape(&r).1, [2, 2], "{:?}", shape(&r));
    assert_eq!(
        periods(&r),
        ["2026-09-18..2026-12-31", "2026-09-18..2026-12-31"]
    );
}

#[test]
fn undated_objectives_under_prose_that_names_a_period_are_doubted() {
    let r = read(
        "# OKRs — turning this into a product\n\nShort term means the next ~90 days (through early November 2026).\n\n\
         ### O1 — The pipeline ships unattended\n\n- KR1.1: 20 runs in a row without a restart\n- KR1.2: Cut failed runs from 12% to 2%\n",
    );
    assert!(
        doubt(&r).message.contains("no objective has a period"),
        "{}",
        doubt(&r).message
    );
}

#[test]
fn a_site_generators_okr_tags_are_read_as_the_okrs_they_mark() {
    // Hexo's OKR tags: `{% okr o1 %}` over the objective's text, `<!-- okr kr-1 … -->` over
    // each key result's; the year written with 年 in the objective dates it
    let r = read(
        "{% box color:light %}\n\n{% okr o1 %}\n\n2024年的小目标：完成论文并收到accept\n\n\
         <!-- okr kr1 percent:0.7 status:unfinished -->\n跑通实验，确定代码架构\n\n- 跑通原本算法的代码\n- 敲定修改后的代码\n\n\
         <!-- okr kr-2 percent:0 -->\nOKR 页面\n也就是你现在正在看的页面\n\n{% endokr %}\n\n{% endbox %}\n",
    );
    assert_eq!(shape(&r).1, [2], "{:?}", shape(&r));
    assert_eq!(periods(&r), ["2024"]);
    assert!(!has(&r, "uncertain-reading"), "{:#?}", codes(&r));
}

#[test]
fn a_secondary_goals_heading_beside_an_objective_holds_more_objectives() {
    let r = read(
        "# Game agent goals\n\n## Current Objectives\n### Primary Goal: Finish the league\n\
         - **KR1**: Collect 8 badges\n- **KR2**: Train 6 creatures to level 50\n\n\
         ### Secondary Goals:\n- **Pokedex**: See or catch many species\n- **Exploration**: Navigate without getting lost\n",
    );
    assert_eq!(shape(&r).1, [2, 0, 0], "{:?}", shape(&r));
    assert!(doubt(&r).message.contains("read as objectives with none"));
}

#[test]
fn okr_dash_numbered_headings_are_marked_objectives() {
    let r = read(
        "# Roadmap\n\n## Roles\n\n### UI Designer — themes\n\nText.\n\n### PM — less friction\n\nText.\n\n\
         ## Core goals (OKR)\n\n### OKR-1: Ship the theme (P0)\n\n**Objective**: Make the theme visible.\n\n\
         | Key Result | Target |\n|---|---|\n| KR1.1 light preset | 1 preset |\n| KR1.2 dark preset | 1 preset |\n\n\
         ### OKR-2: Pass the audit (P0)\n\n| Key Result | Target |\n|---|---|\n| KR2.1 contrast | 4.5:1 |\n",
    );
    assert_eq!(shape(&r).1, [2, 1], "{:?}", shape(&r));
}
