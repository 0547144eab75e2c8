//! Status and scoring of a small workspace, with every expected number worked out by hand.

use std::collections::HashMap;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use throughline_model::Loader;
use throughline_progress::okr::{self, CheckInView};
use throughline_progress::{Judgement, Point, Status};

const WS: &str = r#"
metrics:
  - { id: activation_rate, unit: percent, direction: up, compute: { type: conversion, from: signup, to: done, within: 7d } }
  - { id: time_to_first_value, unit: duration, direction: down, compute: { type: duration, from: signup, to: done, stat: median } }
  - { id: invites_sent, unit: count, direction: up, compute: { type: count, event: invite_sent } }
objectives:
  - id: improve-activation
    title: Dramatically improve new user activation
    period: 2026-Q3
    team: growth
    owner: Dana
    key_results:
      - { id: activation, title: Activation from 27% to 35%, metric: activation_rate, baseline: 27, target: 35, stretch: 40 }
      - { id: ttv, title: Time to value from 22 hours to 16 hours, metric: time_to_first_value, baseline: 22 hours, target: 16 hours }
      - { id: partners, title: Sign 5 design partners, manual: { unit: count }, baseline: 0, target: 5, owner: Lee }
      - { id: invites, title: Invites from 750 to 1100 a week, metric: invites_sent, baseline: 750, target: 1100 }
  - id: other-quarter
    title: Something for later
    period: 2026-Q4
    team: growth
    key_results:
      - { id: later, title: Later, metric: invites_sent, baseline: 1, target: 2 }
"#;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn weekly(first: &str, values: &[f64]) -> Vec<Point> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let start = d(first) + Duration::weeks(i as i64);
            Point::new(start, start + Duration::weeks(1), v)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn status_mid_quarter_and_the_score() {
    let mut loader = Loader::new();
    loader.add_yaml("okrs.yaml", Path::new("okrs.yaml"), WS.into());
    let loaded = loader.finish();
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    let ws = &loaded.workspace;

    let mut series = HashMap::new();
    // Jul 6 .. Aug 10; the Aug 10 week ends after Aug 16 and is not complete on the day.
    series.insert(
        "activation_rate".to_string(),
        weekly("2026-07-06", &[28.0, 29.0, 30.0, 31.0, 32.0, 33.0]),
    );
    let h = 3600.0;
    series.insert(
        "time_to_first_value".to_string(),
        weekly("2026-07-06", &[22.0 * h, 22.0 * h, 22.5 * h, 21.5 * h]),
    );
    series.insert(
        "invites_sent".to_string(),
        weekly("2026-07-06", &[950.0, 940.0, 960.0, 950.0]),
    );
    let checkin = |kr: &str, day: &str, value: Option<f64>, confidence| CheckInView {
        objective: "improve-activation".into(),
        key_result: kr.into(),
        day: d(day),
        value,
        confidence: Some(confidence),
        note: String::new(),
        author: "Lee".into(),
    };
    let checkins = vec![
        checkin("partners", "2026-07-20", Some(1.0), 6),
        checkin("partners", "2026-08-10", Some(3.0), 4),
        checkin("activation", "2026-08-10", None, 7),
    ];

    // Aug 16: 46 of Q3's 92 days have passed.
    let as_of = d("2026-08-16");
    assert_eq!(
        okr::default_period(ws, as_of).unwrap().to_string(),
        "2026-Q3"
    );
    let q3 = okr::default_period(ws, as_of);
    let all = okr::status(ws, as_of, q3, None, &series, &checkins);
    assert_eq!(all.len(), 1, "only Q3's objective");
    let o = &all[0];
    assert_eq!(o.expected, 0.5);
    let kr = |id: &str| o.key_results.iter().find(|k| k.id == id).unwrap();

    // 32 of 27 → 35: 5/8 = 0.625, ahead of 0.5. A perfect line of +1 a week from Aug 3 reaches
    // 40 in the week of Sep 28, the last week that starts in Q3.
    let a = kr("activation");
    assert_eq!(a.current.unwrap().value, 32.0);
    assert!(close(a.progress.unwrap(), 0.625));
    assert_eq!(a.status, Status::OnTrack);
    let f = a.forecast.unwrap();
    assert_eq!(f.at, d("2026-09-28"));
    assert!(close(f.value, 40.0) && f.probability == 1.0, "{f:?}");
    assert_eq!(a.confidence, Some(7));
    assert!(!a.stalled);

    // 21.5 h of 22 → 16: 0.5/6 = 0.083333, 41.7 points behind: off track. The line through
    // 22, 22, 22.5, 21.5 h (x = 0, 7, 14, 21 days) falls 3.5/245 h a day; on Sep 28 (day 84)
    // it is at 22 − (84 − 10.5)·3.5/245 = 20.95 h. Residuals −0.15, −0.05, 0.55, −0.35 h give
    // s = √(0.45/2) = 0.474342 h and a prediction se of s·√(1 + 1/4 + 73.5²/245) = 2.289652 h;
    // t = (16 − 20.95)/2.289652 = −2.161899 and with 2 degrees of freedom
    // P(T ≤ t) = 1/2 + t/(2√(2 + t²)) = 0.081575.
    let t = kr("ttv");
    assert!(close(t.progress.unwrap(), 0.5 / 6.0));
    assert_eq!(t.status, Status::OffTrack);
    assert!(!t.up);
    let f = t.forecast.unwrap();
    assert!(close(f.value, 20.95 * h), "{}", f.value / h);
    assert!((f.probability - 0.081575).abs() < 1e-5, "{}", f.probability);

    // Manual: the last checked-in value 3 of 0 → 5 is 0.6; the last confidence is 4; its owner
    // is the key result's, not the objective's.
    let p = kr("partners");
    assert_eq!((p.current.unwrap().value, p.confidence), (3.0, Some(4)));
    assert!(close(p.progress.unwrap(), 0.6));
    assert_eq!(p.owner.as_deref(), Some("Lee"));
    assert!(p.forecast.is_none(), "two values give no forecast");

    // 950 of 750 → 1100 is 0.571429: on track on paper, but flat around 950, so the forecast
    // is far from 1,100: stalled.
    let i = kr("invites");
    assert!(close(i.progress.unwrap(), 200.0 / 350.0));
    assert_eq!(i.status, Status::OnTrack);
    assert!(i.stalled, "{:?}", i.forecast);

    // The objective: the mean of 0.625, 0.083333, 0.6 and 0.571429 = 0.469940; 3 points behind.
    let expected = (0.625 + 0.5 / 6.0 + 0.6 + 200.0 / 350.0) / 4.0;
    assert!(close(o.progress.unwrap(), expected));
    assert_eq!(o.status, Status::OnTrack);

    // Scored as it stands: aspirational by default, so 0.47 is partial.
    // Key result scores are rounded to 2 decimals (0.63, 0.08, 0.6, 0.57), and so is their
    // mean: 1.88 / 4 = 0.47.
    let scores = okr::score(&all);
    assert_eq!(scores[0].score, Some(0.47));
    assert_eq!(scores[0].judgement, Some(Judgement::Partial));
    let ks: Vec<f64> = scores[0]
        .key_results
        .iter()
        .map(|k| k.score.unwrap())
        .collect();
    assert_eq!(ks, vec![0.63, 0.08, 0.6, 0.57]);
    assert!(!scores[0].key_results[0].stretch_reached);

    // Filters: the team and another period.
    assert!(okr::status(ws, as_of, q3, Some("core"), &series, &checkins).is_empty());
    assert_eq!(
        okr::status(ws, as_of, None, Some("growth"), &series, &checkins).len(),
        2
    );
}
