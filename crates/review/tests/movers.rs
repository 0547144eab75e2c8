//! "What moved the North Star": a formula North Star split into its inputs, an active-users
//! North Star split into users gained and lost, and no split when the parts would not add up
//! to the North Star's own change. Expected values are worked out by hand here.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, Weekday};
use throughline_model::Loader;
use throughline_review::{Input, Review, Value, Week, build, html, markdown};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

/// Two weeks: Sep 14 and Sep 21, 2026.
fn two_weeks(last: f64, now: f64) -> Vec<Value> {
    [(day(9, 14), last), (day(9, 21), now)]
        .into_iter()
        .map(|(start, value)| Value {
            start,
            end: start + Duration::weeks(1),
            value,
            numerator: None,
            denominator: None,
        })
        .collect()
}

fn review(ws_yaml: &str, series: &[(&str, f64, f64)]) -> Review {
    let mut loader = Loader::new();
    loader.add_yaml("ws.yaml", std::path::Path::new("ws.yaml"), ws_yaml.into());
    let loaded = loader.finish();
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let series: HashMap<String, Vec<Value>> = series
        .iter()
        .map(|(id, a, b)| (id.to_string(), two_weeks(*a, *b)))
        .collect();
    let input = Input {
        ws: &loaded.workspace,
        name: "Test".into(),
        week: Week::containing(day(9, 23), Weekday::Mon),
        data_last: Some(day(9, 27)),
        series,
        breakdowns: Vec::new(),
        objectives: Vec::new(),
        experiments: Vec::new(),
        decisions: Vec::new(),
        checkins: Vec::new(),
        last_seen: BTreeMap::new(),
    };
    build(&input)
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
    let mv = r.north_star.as_ref().unwrap().movers.as_ref().unwrap();
    assert_eq!(mv.method, "formula");
    assert_eq!((mv.before, mv.after), (5000.0, 7200.0));
    let parts: Vec<(&str, f64)> = mv
        .parts
        .iter()
        .map(|p| (p.label.as_str(), p.contribution))
        .collect();
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
    let mv = r.north_star.as_ref().unwrap().movers.as_ref().unwrap();
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
