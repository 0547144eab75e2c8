//! A review built from a small workspace whose series are written by hand: every section's
//! numbers are worked out here, independently of the code.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Weekday};
use throughline_model::Loader;
use throughline_progress::Status;
use throughline_progress::okr::{self, CheckInView};
use throughline_review::{
    Breakdown, DecisionView, Input, Light, Point, Trend, Week, build, html, markdown,
};

const WS: &str = r#"
metrics:
  - { id: wau, name: Weekly active users, role: north_star, unit: count, direction: up, compute: { type: unique, event: workflow } }
  - { id: activation, name: Activation rate, role: input, supports: wau, unit: percent, direction: up, segments: [source], compute: { type: conversion, from: signup, to: workflow, within: 7d } }
  - { id: tickets, name: Support tickets, role: guardrail, unit: count, direction: down, compute: { type: count, event: ticket } }
  - { id: nps, name: NPS, role: input, supports: wau, unit: score, direction: up, compute: { type: nps, event: survey, property: score } }
objectives:
  - id: grow
    title: Make new users successful
    period: 2026-Q3
    team: growth
    owner: Dana
    key_results:
      - { id: act, title: Increase activation from 30% to 40%, metric: activation, baseline: 30, target: 40 }
      - { id: reach, title: "Increase weekly active users from 1,100 to 1,150", metric: wau, baseline: 1100, target: 1150 }
    guardrails:
      - { metric: tickets, max_increase: 5% }
"#;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// Week i starts on 2026-05-04 + i weeks; 21 weeks end with the week of 2026-09-21.
fn start(i: i64) -> NaiveDate {
    day(5, 4) + Duration::weeks(i)
}

fn weekly(f: impl Fn(i64, NaiveDate) -> (f64, Option<(f64, f64)>)) -> Vec<Point> {
    (0..21)
        .map(|i| {
            let (value, nd) = f(i, start(i));
            Point {
                start: start(i),
                end: start(i + 1),
                value,
                numerator: nd.map(|x| x.0),
                denominator: nd.map(|x| x.1),
            }
        })
        .collect()
}

fn wobble(i: i64) -> f64 {
    if i % 2 == 0 { 2.0 } else { -2.0 }
}

#[test]
fn every_section_from_hand_made_series() {
    let mut loader = Loader::new();
    loader.add_yaml("ws.yaml", std::path::Path::new("ws.yaml"), WS.into());
    let loaded = loader.finish();
    let ws = &loaded.workspace;
    assert_eq!(ws.metrics.len(), 4, "{:?}", loaded.diagnostics);

    let referral_launch = day(7, 6);
    let ticket_jump = day(8, 10);
    let organic = |_: i64, _: NaiveDate| (30.0, Some((240.0, 800.0)));
    let referral = move |_: i64, s: NaiveDate| {
        if s >= referral_launch {
            (60.0, Some((120.0, 200.0)))
        } else {
            (30.0, Some((60.0, 200.0)))
        }
    };
    let mut series = HashMap::new();
    series.insert(
        "wau".to_string(),
        weekly(|i, _| (1000.0 + 10.0 * i as f64 + wobble(i), None)),
    );
    series.insert(
        "activation".to_string(),
        weekly(|i, s| {
            let (o, r) = (organic(i, s).1.unwrap(), referral(i, s).1.unwrap());
            let (n, d) = (o.0 + r.0, o.1 + r.1);
            (100.0 * n / d, Some((n, d)))
        }),
    );
    series.insert(
        "tickets".to_string(),
        weekly(move |i, s| {
            (
                if s >= ticket_jump { 200.0 } else { 100.0 } + wobble(i),
                None,
            )
        }),
    );
    let breakdowns = vec![Breakdown {
        metric: "activation".into(),
        dimension: "source".into(),
        segments: BTreeMap::from([
            ("organic".to_string(), weekly(organic)),
            ("referral".to_string(), weekly(referral)),
        ]),
    }];

    let week = Week::containing(day(9, 23), Weekday::Mon);
    let points: HashMap<String, Vec<Point>> = series.clone();
    let checkins = vec![CheckInView {
        objective: "grow".into(),
        key_result: "act".into(),
        day: day(9, 18),
        value: None,
        confidence: Some(6),
        note: "referrals carry it".into(),
        author: "Dana".into(),
    }];
    let period = ws.objectives[0].period.as_ref().unwrap().value;
    let objectives = okr::status(ws, week.end, Some(period), None, &points, &checkins);
    let decisions = vec![
        DecisionView {
            day: day(9, 24),
            text: "Hold the rollout".into(),
            about: None,
            author: "Dana".into(),
        },
        DecisionView {
            day: day(9, 10),
            text: "An older decision".into(),
            about: None,
            author: "Dana".into(),
        },
    ];
    let last_seen = BTreeMap::from([
        ("workflow".to_string(), day(9, 27)),
        ("ticket".to_string(), day(9, 27)),
        ("survey".to_string(), day(9, 1)),
        (String::new(), day(9, 27)),
    ]);
    let input = Input {
        ws,
        name: "Test".into(),
        week,
        data_last: Some(day(9, 27)),
        series,
        breakdowns,
        objectives,
        experiments: Vec::new(),
        decisions,
        checkins,
        last_seen,
        compare: throughline_review::Compare::Previous,
    };
    let r = build(&input);

    // North Star: week 20 is 1,200 + 2; the 4 before (weeks 16–19) average
    // (1160 + 1170 + 1180 + 1190)/4 + 0 = 1175; a line through the wobble ±2 around a trend
    // of +10 a week leaves σ ≈ 2, so +27 is a move up.
    let ns = r.north_star.as_ref().unwrap();
    assert_eq!(ns.current.value, 1202.0);
    assert_eq!(ns.last.unwrap().value, 1188.0);
    assert_eq!(ns.average, Some(1175.0));
    assert_eq!(ns.trend, Trend::Up);
    let band = ns.band.unwrap();
    assert!(band > 3.0 && band < 8.0, "{band}");
    let t = ns.target.as_ref().unwrap();
    assert_eq!(t.key_result.as_deref(), Some("growth/grow/reach"));
    assert_eq!(t.target, 1150.0);
    assert_eq!(t.verdict, "reached");

    // Key results: activation is 36% (4 weeks of 360/1000), progress (36 − 30)/(40 − 30)
    // = 60%, with 89 of Q3's 92 days gone: off track.
    let act = &r
        .key_results
        .iter()
        .find(|k| k.status.id == "act")
        .unwrap()
        .status;
    assert_eq!(act.current.unwrap().value, 36.0);
    assert!((act.progress.unwrap() - 0.6).abs() < 1e-12);
    assert_eq!(act.status, Status::OffTrack);
    assert_eq!(r.period.as_ref().unwrap().elapsed, 89.0 / 92.0);

    // Guardrail: the 4 weeks before Jul 1 (Jun 8 – Jun 29) average 100; week 20 is 202:
    // +102% against at most +5%: Red, guarding growth/grow.
    let g = &r.guardrails[0];
    assert_eq!(g.metric, "tickets");
    assert_eq!(g.baseline, Some(100.0));
    assert_eq!(g.now.unwrap().value, 202.0);
    assert!((g.change_relative.unwrap() - 1.02).abs() < 1e-12);
    assert_eq!(g.light, Light::Red);
    assert_eq!(g.why.as_deref(), Some("at most 5% increase allowed"));
    assert_eq!(g.guards, vec!["growth/grow (act, reach)".to_string()]);

    // The gaming signal: activation improved while its guardrail got worse.
    assert_eq!(r.gaming.len(), 1);
    assert!(r.gaming[0].improved.contains(&"act".to_string()));
    assert_eq!(r.gaming[0].worse, vec!["tickets".to_string()]);

    // Insights: activation +6 pp since Q3 began, all of it from referral signups
    // (their rate 30% → 60%, a fifth of the signups: 0.2 · 30 = 6 pp).
    let i = r
        .insights
        .iter()
        .find(|i| i.metric == "activation")
        .unwrap();
    let e = i.explanation.as_ref().unwrap();
    assert_eq!(e.drivers[0].segment, "referral");
    assert!((e.drivers[0].contribution.unwrap() - 6.0).abs() < 1e-9);
    assert!(
        i.sentence
            .starts_with("Activation rate rose 6 pp since 2026-Q3 began: 30% → 36%"),
        "{}",
        i.sentence
    );
    assert!(
        i.sentence.contains(
            "Users with source referral drove +6 pp of the +6 pp (100%; their own rate 30% → 60%)"
        ),
        "{}",
        i.sentence
    );
    let tickets = r.insights.iter().find(|i| i.metric == "tickets").unwrap();
    assert!(
        tickets.sentence.contains("the wrong way"),
        "{}",
        tickets.sentence
    );

    // Stale: the survey stopped on Sep 1, 26 days before the week's last day.
    assert_eq!(r.stale.len(), 1);
    assert_eq!(r.stale[0].metrics, ["nps"]);
    assert!(
        r.stale[0]
            .sentence
            .contains("no `survey` events since 2026-09-01, 26 days before the week ended"),
        "{}",
        r.stale[0].sentence
    );

    // Decisions of the week only; Dana checked in on Sep 18, not this week.
    assert_eq!(r.decisions.len(), 1);
    assert_eq!(
        r.not_checked_in,
        vec![(
            "Dana".to_string(),
            vec!["act".to_string(), "reach".to_string()]
        )]
    );
    // the week's decision first, then the key result behind, by its title
    assert_eq!(
        r.focus[0],
        "Carry out the decision: Hold the rollout — Dana."
    );
    assert!(r.focus.iter().any(|f| f.starts_with("“Increase activation from 30% to 40%” (60% of the way) is off track with 97% of 2026-Q3 gone")), "{:#?}", r.focus);
    assert!(
        r.focus
            .iter()
            .any(|f| f.starts_with("Support tickets is Red (+102%, at most 5% increase allowed)")),
        "{:#?}",
        r.focus
    );

    let md = markdown::render(&r);
    if std::env::var_os("SHOW").is_some() {
        eprintln!("{md}");
    }
    for needle in [
        "# Weekly metrics review — Test · 2026-W39 (Sep 21 – Sep 27, 2026)",
        "**Weekly active users: 1,202** (week of 2026-09-21)",
        "- Trend: **up** — +14 (+1.2%) vs last week; +27 (+2.3%) vs the 4-week average of 1,175",
        "| Support tickets | 🔴 Red | +102% (100 → 202) | growth/grow (act, reach) | at most 5% increase allowed |",
        "> ⚠️ **Gaming signal** — growth/grow:",
        "- Hold the rollout — Dana, 2026-09-24",
        "- Dana: no check-in this week on act and reach.",
    ] {
        assert!(md.contains(needle), "missing {needle:?} in:\n{md}");
    }
    assert!(!md.contains("An older decision"));

    let page = html::render(&r);
    assert!(page.starts_with("<!doctype html>"));
    assert_eq!(
        page.matches("<svg").count(),
        1 + 2 + 1,
        "North Star, two key results, one sparkline"
    );
    assert!(!page.contains("<script"), "no script on the page");
    // Nothing is fetched: the only address on the page is the SVG namespace.
    assert_eq!(
        page.matches("http").count(),
        page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
}

#[test]
fn text_from_the_workspace_is_escaped_in_html() {
    let mut loader = Loader::new();
    loader.add_yaml(
        "ws.yaml",
        std::path::Path::new("ws.yaml"),
        "objectives:\n  - id: x\n    title: \"<script>alert(1)</script> & more\"\n    period: 2026-Q3\n    key_results:\n      - { id: k, title: \"<b>bold</b>\", manual: { unit: count }, baseline: 0, target: 5 }\n".into(),
    );
    let loaded = loader.finish();
    let ws = &loaded.workspace;
    let week = Week::containing(day(9, 23), Weekday::Mon);
    let objectives = okr::status(
        ws,
        week.end,
        Some(ws.objectives[0].period.as_ref().unwrap().value),
        None,
        &HashMap::new(),
        &[],
    );
    let r = build(&Input {
        ws,
        name: "<i>ws</i>".into(),
        week,
        data_last: None,
        series: HashMap::new(),
        breakdowns: Vec::new(),
        objectives,
        experiments: Vec::new(),
        decisions: vec![DecisionView {
            day: day(9, 22),
            text: "<img src=x onerror=alert(1)>".into(),
            about: None,
            author: "\"q\"".into(),
        }],
        checkins: Vec::new(),
        last_seen: BTreeMap::new(),
        compare: throughline_review::Compare::Previous,
    });
    let page = html::render(&r);
    for raw in ["<script>", "<b>bold", "<img", "<i>ws"] {
        assert!(!page.contains(raw), "{raw} is not escaped");
    }
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"));
}

/// The review of the week of Sep 21–27 of a workspace with only `metrics`, no values, and the
/// day each event was last seen (`""`: any event).
fn stale_review(
    metrics: &str,
    data_last: NaiveDate,
    last_seen: &[(&str, NaiveDate)],
) -> Vec<throughline_review::Stale> {
    let mut loader = Loader::new();
    loader.add_yaml(
        "ws.yaml",
        std::path::Path::new("ws.yaml"),
        format!("metrics:\n{metrics}"),
    );
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let r = build(&Input {
        ws: &loaded.workspace,
        name: "ws".into(),
        week: Week::containing(day(9, 23), Weekday::Mon),
        data_last: Some(data_last),
        series: HashMap::new(),
        breakdowns: Vec::new(),
        objectives: Vec::new(),
        experiments: Vec::new(),
        decisions: Vec::new(),
        checkins: Vec::new(),
        last_seen: last_seen.iter().map(|(e, d)| (e.to_string(), *d)).collect(),
        compare: throughline_review::Compare::Previous,
    });
    let md = markdown::render(&r);
    assert_eq!(md.matches("Stale data").count(), r.stale.len(), "{md}");
    assert_eq!(
        md.matches("Restore the data").count(),
        r.stale.len(),
        "{md}"
    );
    r.stale
}

const FEEDS: &str = r#"
  - { id: wau, name: Weekly active users, role: north_star, unit: count, compute: { type: unique, event: workflow } }
  - { id: runs, name: Workflow runs, role: kpi, unit: count, compute: { type: count, event: workflow } }
  - { id: active, name: Active users, role: kpi, unit: count, compute: { type: unique } }
  - { id: tickets, name: Support tickets, role: guardrail, unit: count, direction: down, compute: { type: count, event: ticket } }
  - { id: nps, name: NPS, role: kpi, unit: score, compute: { type: nps, event: survey, property: score } }
"#;

#[test]
fn a_stopped_feed_is_said_once_with_every_metric_it_starves() {
    // `workflow` stopped on Sep 1, `survey` never came, everything else is fresh.
    let stale = stale_review(
        FEEDS,
        day(9, 27),
        &[
            ("workflow", day(9, 1)),
            ("ticket", day(9, 27)),
            ("", day(9, 27)),
        ],
    );
    assert_eq!(stale.len(), 2, "{stale:#?}");
    assert_eq!(stale[0].metrics, ["wau", "runs"]);
    assert_eq!(
        stale[0].sentence,
        "Weekly active users and Workflow runs: no `workflow` events since 2026-09-01, 26 days \
         before the week ended; their numbers for the week are missing or old. Check the data feed."
    );
    assert_eq!(stale[1].metrics, ["nps"]);
    assert_eq!(stale[1].last_seen, None);
    assert_eq!(
        stale[1].sentence,
        "NPS: no `survey` events in the data; cannot be computed. Check the data feed."
    );
}

#[test]
fn a_feed_that_stopped_altogether_is_one_line() {
    // Nothing at all since Sep 10; the survey had stopped earlier, on Sep 1.
    let stale = stale_review(
        FEEDS,
        day(9, 10),
        &[
            ("workflow", day(9, 10)),
            ("ticket", day(9, 10)),
            ("survey", day(9, 1)),
            ("", day(9, 10)),
        ],
    );
    assert_eq!(stale.len(), 2, "{stale:#?}");
    assert_eq!(stale[0].metrics, ["wau", "runs", "active", "tickets"]);
    assert_eq!(stale[0].event, None);
    assert!(
        stale[0].sentence.starts_with(
            "Weekly active users, Workflow runs, Active users and Support tickets: no events at all since 2026-09-10, 17 days"
        ),
        "{}",
        stale[0].sentence
    );
    assert_eq!(stale[1].metrics, ["nps"]);
    assert_eq!(stale[1].last_seen, Some(day(9, 1)));
}
