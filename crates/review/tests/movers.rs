//! "What moved the North Star": a formula North Star split into its inputs (and each input
//! further by segment), a North Star the tree's `drives:` edges make a product, an
//! active-users North Star split into users gained and lost, `--compare` with an earlier
//! period than the last, and no split when the parts would not add up to the North Star's own
//! change. Expected values are worked out by hand here.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Weekday};
use throughline_model::Loader;
use throughline_review::{Breakdown, Compare, Input, Point, Review, Week, build, html, markdown};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// Two weeks: Sep 14 and Sep 21, 2026.
fn two_weeks(last: f64, now: f64) -> Vec<Point> {
    [(day(9, 14), last), (day(9, 21), now)]
        .into_iter()
        .map(|(start, value)| Point {
            start,
            end: start + Duration::weeks(1),
            value,
            numerator: None,
            denominator: None,
        })
        .collect()
}

fn review(ws_yaml: &str, series: &[(&str, f64, f64)]) -> Review {
    let series: Vec<(&str, Vec<f64>)> = series
        .iter()
        .map(|(id, a, b)| (*id, vec![*a, *b]))
        .collect();
    review_with(ws_yaml, &series, Vec::new(), Compare::Previous)
}

/// Weekly values ending with the week of Sep 21, 2026.
fn weeks(values: &[f64]) -> Vec<Point> {
    let first = day(9, 21) - Duration::weeks(values.len() as i64 - 1);
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let start = first + Duration::weeks(i as i64);
            Point {
                start,
                end: start + Duration::weeks(1),
                value: *v,
                numerator: None,
                denominator: None,
            }
        })
        .collect()
}

fn review_with(
    ws_yaml: &str,
    series: &[(&str, Vec<f64>)],
    breakdowns: Vec<Breakdown>,
    compare: Compare,
) -> Review {
    let mut loader = Loader::new();
    loader.add_yaml("ws.yaml", std::path::Path::new("ws.yaml"), ws_yaml.into());
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let series: HashMap<String, Vec<Point>> = series
        .iter()
        .map(|(id, v)| (id.to_string(), weeks(v)))
        .collect();
    let input = Input {
        ws: &loaded.workspace,
        name: "Test".into(),
        week: Week::containing(day(9, 23), Weekday::Mon),
        data_last: Some(day(9, 27)),
        series,
        breakdowns,
        objectives: Vec::new(),
        experiments: Vec::new(),
        decisions: Vec::new(),
        checkins: Vec::new(),
        last_seen: BTreeMap::new(),
        compare,
    };
    build(&input)
}

/// The North Star's split.
fn split(r: &Review) -> &throughline_review::Movers {
    r.north_star.as_ref().unwrap().movers.as_ref().unwrap()
}

/// Each part's label and contribution.
fn labelled(mv: &throughline_review::Movers) -> Vec<(&str, f64)> {
    mv.parts
        .iter()
        .map(|p| (p.label.as_str(), p.contribution))
        .collect()
}

const FORMULA: &str = r#"
metrics:
  - { id: revenue, name: Revenue, role: north_star, unit: count, compute: { type: derived, expr: "users * arpu" } }
  - { id: users, name: Paying users, unit: count, compute: { type: unique, event: purchase } }
  - { id: arpu, name: Revenue per user, unit: count, compute: { type: average, event: purchase, property: amount } }
"#;

#[test]
fn a_formula_north_star_is_split_into_its_inputs() {
    // 1000 × 5 = 5000 → 1200 × 6 = 7200: +2200. Alone, users would add 1000 and arpu 1000;
    // moving together adds 200 more, shared half and half: 1100 each.
    let r = review(
        FORMULA,
        &[
            ("revenue", 5000.0, 7200.0),
            ("users", 1000.0, 1200.0),
            ("arpu", 5.0, 6.0),
        ],
    );
    let mv = split(&r);
    assert_eq!(mv.method, "formula");
    assert_eq!((mv.before, mv.after), (5000.0, 7200.0));
    let parts: Vec<(&str, f64)> = labelled(mv);
    assert_eq!(
        parts,
        [("Revenue per user", 1100.0), ("Paying users", 1100.0)]
    );
    assert_eq!(mv.interaction, Some(200.0));

    let md = markdown::render(&r);
    assert!(
        md.contains(
            "**What moved it**: 5,000 → 7,200 (+2,200) since last week, by input of `users * arpu`"
        ),
        "{md}"
    );
    assert!(
        md.contains("| Paying users | 1,000 | 1,200 | +1,100 |"),
        "{md}"
    );
    assert!(md.contains("| **change** | | | **+2,200** |"), "{md}");
    assert!(
        md.contains("Of that, +200 comes from the inputs moving together"),
        "{md}"
    );
    let page = html::render(&r);
    assert!(page.contains("<h3>What moved it</h3>"));
    assert!(page.contains("Revenue: from last week to this week"));
    // four bars: last week, the two inputs (rises), this week
    let rise = format!("height=\"20\" fill=\"{}\"", throughline_review::svg::RISE);
    assert_eq!(page.matches(&rise).count(), 2);
}

const LIFECYCLE: &str = r#"
metrics:
  - { id: wau, name: Weekly active users, role: north_star, unit: count, compute: { type: unique, event: workflow } }
  - { id: wau_flow, name: Active user flow, compute: { type: lifecycle, event: workflow, every: week } }
  - { id: other_flow, name: Any-event flow, compute: { type: lifecycle, every: week } }
"#;

#[test]
fn an_active_users_north_star_is_split_into_users_gained_and_lost() {
    // 1000 → 1090: 150 new and 40 resurrected came, 100 went dormant
    let r = review(
        LIFECYCLE,
        &[
            ("wau", 1000.0, 1090.0),
            ("wau_flow", 1.9, 1.9),
            ("wau_flow#new", 120.0, 150.0),
            ("wau_flow#resurrected", 30.0, 40.0),
            ("wau_flow#dormant", -80.0, -100.0),
            ("other_flow#new", 1.0, 1.0),
            ("other_flow#resurrected", 1.0, 1.0),
            ("other_flow#dormant", -1.0, -1.0),
        ],
    );
    let mv = split(&r);
    assert_eq!((mv.method, mv.source.as_str()), ("lifecycle", "wau_flow"));
    let parts: Vec<f64> = mv.parts.iter().map(|p| p.contribution).collect();
    assert_eq!(parts, [150.0, 40.0, -100.0]);
    let md = markdown::render(&r);
    assert!(md.contains("| new users | +150 |"), "{md}");
    assert!(
        md.contains("| gone dormant (active last period, not this one) | −100 |"),
        "{md}"
    );
    assert!(md.contains("| **change** | **+90** |"), "{md}");
    // the series of the step counts do not move the review's insights on their own
    assert!(r.insights.iter().all(|i| !i.metric.contains('#')));
}

#[test]
fn no_split_when_the_parts_do_not_add_up_to_the_change() {
    // a lifecycle whose counts do not explain the North Star's change (another definition)
    let r = review(
        LIFECYCLE,
        &[
            ("wau", 1000.0, 1090.0),
            ("wau_flow#new", 120.0, 150.0),
            ("wau_flow#resurrected", 30.0, 40.0),
            ("wau_flow#dormant", -80.0, -90.0),
        ],
    );
    assert!(r.north_star.as_ref().unwrap().movers.is_none());
    assert!(!markdown::render(&r).contains("What moved it"));
    // a formula whose inputs do not give the North Star's value
    let r = review(
        FORMULA,
        &[
            ("revenue", 5000.0, 7300.0),
            ("users", 1000.0, 1200.0),
            ("arpu", 5.0, 6.0),
        ],
    );
    assert!(r.north_star.as_ref().unwrap().movers.is_none());
}

#[test]
fn each_inputs_contribution_is_split_further_by_segment() {
    // Paying users 1000 → 1200 contribute +1100 (above). By plan the users went pro 400 →
    // 550 (+150) and free 600 → 650 (+50): pro gets 150/200 of the +1100 (+825), free +275.
    // Revenue per user is an average: its change has no exact split by segment.
    let plan = |pro: [f64; 2], free: [f64; 2]| {
        let mut segments = BTreeMap::new();
        segments.insert("pro".to_string(), two_weeks(pro[0], pro[1]));
        segments.insert("free".to_string(), two_weeks(free[0], free[1]));
        segments
    };
    let breakdowns = vec![
        Breakdown {
            metric: "users".into(),
            dimension: "plan".into(),
            segments: plan([400.0, 550.0], [600.0, 650.0]),
        },
        Breakdown {
            metric: "arpu".into(),
            dimension: "plan".into(),
            segments: plan([8.0, 9.0], [3.0, 4.0]),
        },
    ];
    let r = review_with(
        FORMULA,
        &[
            ("revenue", vec![5000.0, 7200.0]),
            ("users", vec![1000.0, 1200.0]),
            ("arpu", vec![5.0, 6.0]),
        ],
        breakdowns,
        Compare::Previous,
    );
    let mv = split(&r);
    let users = mv.parts.iter().find(|p| p.label == "Paying users").unwrap();
    let seg = users.segments.as_ref().unwrap();
    assert_eq!(seg.dimension, "plan");
    assert_eq!(
        seg.parts,
        [("pro".to_string(), 825.0), ("free".to_string(), 275.0)]
    );
    let arpu = mv
        .parts
        .iter()
        .find(|p| p.metric.as_deref() == Some("arpu"))
        .unwrap();
    assert!(arpu.segments.is_none());
    let md = markdown::render(&r);
    assert!(
        md.contains("- Paying users (+1,100) by plan: pro +825 · free +275"),
        "{md}"
    );
    assert!(
        html::render(&r).contains(
            "<li><strong>Paying users</strong> (+1,100) by plan: pro +825 · free +275</li>"
        )
    );
}

const TREE: &str = r#"
metrics:
  - { id: activated, name: Activated users, role: north_star, unit: count, compute: { type: unique, event: activated } }
  - { id: signups, name: Signups, unit: count, drives: { metric: activated, as: factor }, compute: { type: count, event: signup } }
  - { id: activation, name: Activation rate, unit: percent, drives: { metric: activated, as: factor }, compute: { type: conversion, from: signup, to: activated, within: 7d } }
"#;

#[test]
fn a_north_star_with_drives_edges_is_split_by_the_trees_formula() {
    // activated = signups × activation/100: 1000 × 40% = 400 → 1200 × 50% = 600 (+200).
    // Alone, signups add 80 and activation 100; together 20 more, half each: +90 and +110.
    let r = review(
        TREE,
        &[
            ("activated", 400.0, 600.0),
            ("signups", 1000.0, 1200.0),
            ("activation", 40.0, 50.0),
        ],
    );
    let mv = split(&r);
    assert_eq!(
        (mv.method, mv.source.as_str()),
        ("tree", "signups * activation/100")
    );
    let parts: Vec<(&str, f64)> = labelled(mv);
    let near = |got: &[(&str, f64)], want: &[(&str, f64)]| {
        got.len() == want.len()
            && got
                .iter()
                .zip(want)
                .all(|(g, w)| g.0 == w.0 && (g.1 - w.1).abs() < 1e-9)
    };
    assert!(
        near(&parts, &[("Activation rate", 110.0), ("Signups", 90.0)]),
        "{parts:?}"
    );

    // The measured North Star is not exactly the product (630, not 600): the tree's formula
    // accounts for +200 of the +230, and the other +30 is shown as the rest.
    let r = review(
        TREE,
        &[
            ("activated", 400.0, 630.0),
            ("signups", 1000.0, 1200.0),
            ("activation", 40.0, 50.0),
        ],
    );
    let mv = split(&r);
    let parts: Vec<(&str, f64)> = labelled(mv);
    assert!(
        near(
            &parts,
            &[
                ("Activation rate", 110.0),
                ("Signups", 90.0),
                ("the rest (not in signups * activation/100)", 30.0)
            ]
        ),
        "{parts:?}"
    );
    let sum: f64 = mv.parts.iter().map(|p| p.contribution).sum();
    assert!((sum - (mv.after - mv.before)).abs() < 1e-9);
    let md = markdown::render(&r);
    assert!(
        md.contains("| the rest (not in signups * activation/100) | — | — | +30 |"),
        "{md}"
    );
}

#[test]
fn compare_splits_the_change_since_an_earlier_period() {
    // Four weeks: 1000 → 1090. Each week's new, resurrected and dormant users add up to that
    // week's change; over the four weeks new +400, resurrected +100, dormant −410.
    let series = [
        ("wau", vec![1000.0, 1010.0, 1050.0, 1040.0, 1090.0]),
        ("wau_flow#new", vec![90.0, 100.0, 110.0, 90.0, 100.0]),
        ("wau_flow#resurrected", vec![20.0, 20.0, 30.0, 20.0, 30.0]),
        (
            "wau_flow#dormant",
            vec![-100.0, -110.0, -100.0, -120.0, -80.0],
        ),
    ];
    let r = review_with(LIFECYCLE, &series, Vec::new(), Compare::Weeks(4));
    let mv = split(&r);
    assert_eq!(mv.since, "the week of Aug 24, 2026 (4 weeks before)");
    assert_eq!((mv.before, mv.after), (1000.0, 1090.0));
    let parts: Vec<(&str, f64)> = labelled(mv);
    assert_eq!(
        parts,
        [
            ("new users, over 4 weeks", 400.0),
            ("resurrected users (back after a gap), over 4 weeks", 100.0),
            (
                "gone dormant (active last period, not this one), over 4 weeks",
                -410.0
            )
        ]
    );
    let md = markdown::render(&r);
    assert!(
        md.contains("1,000 → 1,090 (+90) since the week of Aug 24, 2026 (4 weeks before)"),
        "{md}"
    );
    // a missing week in between: no split, rather than a wrong one
    let mut gap = series.clone();
    gap[2].1 = vec![20.0, 20.0, 30.0, 20.0];
    let r = review_with(LIFECYCLE, &gap, Vec::new(), Compare::Weeks(4));
    assert!(r.north_star.as_ref().unwrap().movers.is_none());
    // an earlier period with no value: no split, and the review says why
    let r = review_with(LIFECYCLE, &series, Vec::new(), Compare::YearAgo);
    assert!(r.north_star.as_ref().unwrap().movers.is_none());
    assert!(
        markdown::render(&r).contains("No split of the change since the week of Sep 22, 2025 (a year before): the North Star has no value for it (its values start with the week of Aug 24, 2026)."),
        "{}",
        markdown::render(&r)
    );
    // a formula North Star against the week two weeks before
    let r = review_with(
        FORMULA,
        &[
            ("revenue", vec![5000.0, 9.0, 7200.0]),
            ("users", vec![1000.0, 3.0, 1200.0]),
            ("arpu", vec![5.0, 3.0, 6.0]),
        ],
        Vec::new(),
        Compare::Weeks(2),
    );
    let mv = split(&r);
    assert_eq!((mv.before, mv.after), (5000.0, 7200.0));
    assert_eq!(mv.then_label(), "Sep 7, 2026");
    assert!(markdown::render(&r).contains("| input | Sep 7, 2026 | this week | contribution |"));
}
