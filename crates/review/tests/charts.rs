//! The bar charts on one scale: a waterfall's totals and changes, a lifecycle's statuses with
//! dormant users left of zero, and labels that fit inside the chart.

use throughline_review::svg::{steps, waterfall};

/// `(x, width)` of every `<rect>` in the SVG, in order.
fn rects(svg: &str) -> Vec<(f64, f64)> {
    svg.split("<rect ")
        .skip(1)
        .map(|r| {
            let attr = |name: &str| -> f64 {
                let at = r.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                r[at..r[at..].find('"').unwrap() + at].parse().unwrap()
            };
            (attr("x"), attr("width"))
        })
        .collect()
}

fn view_width(svg: &str) -> f64 {
    let at = svg.find("viewBox=\"0 0 ").unwrap() + 13;
    svg[at..].split(' ').next().unwrap().parse().unwrap()
}

/// Every `<text>` after a bar: its x and its text.
fn texts(svg: &str) -> Vec<(f64, String)> {
    svg.split("<text ")
        .skip(1)
        .filter(|t| !t.contains("text-anchor=\"end\""))
        .map(|t| {
            let at = t.find("x=\"").unwrap() + 3;
            let x = t[at..t[at..].find('"').unwrap() + at].parse().unwrap();
            let body = &t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()];
            (x, body.to_string())
        })
        .collect()
}

#[test]
fn a_waterfall_draws_totals_and_changes_on_one_scale_from_zero() {
    let changes = vec![
        ("new users".to_string(), 1840.0),
        ("resurrected".to_string(), 5363.0),
        ("gone dormant".to_string(), -6566.0),
    ];
    let show = |v: f64| format!("{v}");
    let svg = waterfall(
        "flow",
        ("last week", 13703.0),
        &changes,
        ("this week", 14340.0),
        &show,
        &show,
    );
    let r = rects(&svg);
    assert_eq!(r.len(), 5);
    // pixels per user: the same for every bar
    let scale = r[0].1 / 13703.0;
    for (i, v) in [13703.0, 1840.0, 5363.0, 6566.0, 14340.0]
        .iter()
        .enumerate()
    {
        assert!(
            (r[i].1 - v * scale).abs() < 0.2,
            "bar {i}: {} px for {v}, {} expected",
            r[i].1,
            v * scale
        );
    }
    // the totals start at zero (the same x); each change starts where the running total is
    assert_eq!(r[0].0, r[4].0);
    assert!((r[1].0 - (r[0].0 + r[0].1)).abs() < 0.2);
    assert!((r[3].0 + r[3].1 - (r[2].0 + r[2].1)).abs() < 0.2);
}

#[test]
fn dormant_users_are_drawn_left_of_zero_and_every_label_fits() {
    let svg = steps(
        "lifecycle",
        &[
            ("new".to_string(), 1840.0),
            ("returning".to_string(), 7137.0),
            ("resurrected".to_string(), 5363.0),
            ("dormant".to_string(), -6566.0),
        ],
    );
    let r = rects(&svg);
    let zero = r[0].0;
    // the positive ones start at zero, the negative one ends there
    assert!(r[..3].iter().all(|b| (b.0 - zero).abs() < 0.01));
    assert!((r[3].0 + r[3].1 - zero).abs() < 0.2, "{r:?}");
    assert!(r[3].0 < zero);
    // one scale: 6,566 dormant against 7,137 returning
    assert!((r[3].1 / r[1].1 - 6566.0 / 7137.0).abs() < 0.01);
    let funnel = steps(
        "funnel",
        &[
            ("signed up".to_string(), 12000.0),
            ("created a workflow".to_string(), 4800.0),
            ("invited a teammate".to_string(), 1344.0),
        ],
    );
    for svg in [&svg, &funnel] {
        let w = view_width(svg);
        for (x, t) in texts(svg) {
            // 11 px text is at most about 6.4 px a character
            assert!(
                x + t.chars().count() as f64 * 6.4 <= w + 0.5,
                "`{t}` at {x} runs past the chart's {w} px"
            );
        }
    }
    assert!(funnel.contains("28.0% of the step before"));
}

#[test]
fn value_axes_are_gridded_at_round_values() {
    use throughline_review::svg::ticks;
    assert_eq!(ticks(0.0, 100.0, 4), [0.0, 25.0, 50.0, 75.0, 100.0]);
    assert_eq!(ticks(5060.0, 14340.0, 4), [7500.0, 10000.0, 12500.0]);
    assert_eq!(ticks(0.118, 0.131, 4), [0.12, 0.125, 0.13]);
    assert!(ticks(3.0, 3.0, 4).is_empty());
    // never `-0`
    assert!(ticks(-1.0, 1.0, 4).iter().all(|v| v.to_string() != "-0"));
}

#[test]
fn a_chart_marks_what_happened_at_its_date_with_its_text() {
    use chrono::NaiveDate;
    use throughline_review::svg::{Chart, NOTE};
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let show = |v: f64| format!("{v}");
    let chart = Chart {
        width: 400.0,
        height: 200.0,
        title: "wau".into(),
        series: vec![(d("2026-07-06"), 10.0), (d("2026-07-27"), 20.0)],
        levels: vec![(25.0, "#16a34a", "target 25".into())],
        segments: Vec::new(),
        band: None,
        x_range: None,
        axes: true,
        show: &show,
        annotations: &[
            (
                d("2026-07-13"),
                "decision (Dana): ship the checklist".into(),
            ),
            (d("2026-07-13"), "experiment `checklist` started".into()),
            // outside the chart's dates: not drawn
            (d("2026-09-01"), "later".into()),
        ],
    }
    .render();
    // one mark for the day, both texts in its title, a third of the way along
    assert_eq!(chart.matches(&format!("fill=\"{NOTE}\"")).count(), 1);
    assert!(chart.contains(
        "<title>2026-07-13: decision (Dana): ship the checklist · experiment `checklist` started</title>"
    ));
    assert!(!chart.contains("later"));
    // left 58, right 12: 7 of 21 days along 330 px
    assert!(chart.contains("x1=\"168.0\""), "{chart}");
    // the target line says what it is
    assert!(chart.contains(">target 25</text>"));
}

#[test]
fn a_chart_is_marked_with_the_decisions_about_it_and_the_general_ones() {
    use chrono::NaiveDate;
    use throughline_review::DecisionView;
    use throughline_review::html::decision_marks;
    let day = NaiveDate::from_ymd_opt(2026, 8, 14).unwrap();
    let decision = |about: Option<&str>, text: &str| DecisionView {
        day,
        text: text.into(),
        about: about.map(str::to_string),
        author: "Dana".into(),
    };
    let all = [
        decision(Some("activation"), "ship the checklist to everyone"),
        decision(Some("support_tickets"), "hire a second support lead"),
        decision(None, "weekly review moves to Mondays"),
    ];
    let marks = decision_marks(&all, &["activation", "growth/improve-activation"]);
    assert_eq!(
        marks,
        [
            (
                day,
                "decision (Dana): ship the checklist to everyone".to_string()
            ),
            (
                day,
                "decision (Dana): weekly review moves to Mondays".to_string()
            ),
        ]
    );
}

#[test]
fn a_day_with_many_notes_says_a_few_and_counts_the_rest() {
    use chrono::NaiveDate;
    use throughline_review::svg::{Chart, NOTES_PER_MARK};
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let show = |v: f64| format!("{v}");
    let chart = |n: usize| {
        let notes: Vec<_> = (0..n)
            .map(|i| (d("2026-07-13"), format!("check-in (Dana): burst {i}")))
            .collect();
        Chart {
            width: 400.0,
            height: 200.0,
            title: "kr".into(),
            series: vec![(d("2026-07-06"), 10.0), (d("2026-07-27"), 20.0)],
            levels: Vec::new(),
            segments: Vec::new(),
            band: None,
            x_range: None,
            axes: true,
            show: &show,
            annotations: &notes,
        }
        .render()
    };
    let small = chart(NOTES_PER_MARK);
    let big = chart(10_000);
    assert!(big.contains(&format!("and {} more", 10_000 - NOTES_PER_MARK)));
    // the chart does not grow with the notes
    assert!(
        big.len() < small.len() + 40,
        "{} vs {}",
        big.len(),
        small.len()
    );
}
