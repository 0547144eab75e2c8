//! The rules that read data, fed hand-made facts.

use std::path::Path;

use throughline_check::{DataFacts, KrData, Measured, Trend, run, run_with_data};
use throughline_model::{Loader, Unit};

const OKRS: &str = "objectives:
  - id: rely
    title: Become the tool teams rely on every week
    period: 2026-Q3
    owner: Sam
    key_results:
      - { id: wau, title: Weekly active users from 6700 to 12000, metric: weekly_active_users, baseline: 6700, target: 12000 }
      - { id: ttv, title: Time to value from 22 hours to 16 hours, metric: time_to_first_value, baseline: 22 hours, target: 16 hours }
";

fn facts(wau_mean: f64, wau_sd: f64, trend: f64, ttv_trend: f64) -> DataFacts {
    let mut f = DataFacts::default();
    let m = |value, sd| Measured {
        value,
        sd,
        n: 8,
        grain: "week".into(),
        period: "2026-Q3".into(),
    };
    let t = |value: f64| Trend {
        when: "in the week of 2026-09-28".into(),
        value,
        low: value * 0.95,
        high: value * 1.05,
        points: 8,
        period: "2026-Q3".into(),
    };
    f.key_results.insert(
        ("rely".into(), "wau".into()),
        KrData {
            metric: "weekly_active_users".into(),
            unit: Unit::Count,
            up: true,
            before: Some(m(wau_mean, wau_sd)),
            trend: Some(t(trend)),
        },
    );
    f.key_results.insert(
        ("rely".into(), "ttv".into()),
        KrData {
            metric: "time_to_first_value".into(),
            unit: Unit::Duration,
            up: false,
            before: Some(m(22.2 * 3600.0, 0.2 * 3600.0)),
            trend: Some(t(ttv_trend)),
        },
    );
    f
}

fn findings(data: Option<&DataFacts>) -> Vec<(String, u32, String)> {
    let mut loader = Loader::new();
    loader.add_yaml("okrs.yaml", Path::new("okrs.yaml"), OKRS.into());
    let loaded = loader.finish();
    let diags = match data {
        Some(d) => run_with_data(&loaded, Some(d)),
        None => run(&loaded),
    };
    diags
        .into_iter()
        .filter(|d| d.code == "baseline-mismatch" || d.code == "unambitious-target")
        .map(|d| (d.code.clone(), d.span.unwrap().line, d.message.clone()))
        .collect()
}

#[test]
fn without_data_they_find_nothing() {
    assert!(findings(None).is_empty());
}

#[test]
fn a_baseline_beyond_the_wobble_and_a_target_the_trend_reaches() {
    // WAU measured 5,900 ± 100 (noise band ±200 or 2% = 118 → 200): 6,700 is 800 off. The
    // trend reaches 12,480 (band 11,856 to 13,104, so not even the low end reaches 12,000:
    // not flagged) — see the 13,000 case below. Time to value: 22 h is within 2·0.2 h of
    // 22.2 h, and a trend ending at 20 h does not reach 16 h (lower is better).
    let got = findings(Some(&facts(5900.0, 100.0, 12480.0, 20.0 * 3600.0)));
    assert_eq!(got.len(), 1, "{got:#?}");
    assert_eq!((got[0].0.as_str(), got[0].1), ("baseline-mismatch", 7));
    assert_eq!(
        got[0].2,
        "baseline 6,700 is not what `weekly_active_users` measured when 2026-Q3 started: 5,900 (from the last 8 weeks, normal wobble ±200)"
    );
    // 13,000 with a band from 12,350: even the pessimistic end reaches 12,000.
    let got = findings(Some(&facts(5900.0, 100.0, 13000.0, 20.0 * 3600.0)));
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!((got[1].0.as_str(), got[1].1), ("unambitious-target", 7));
    assert!(
        got[1].2.contains(
            "already reaches the target 12,000 in the week of 2026-09-28: 13,000 (80% band 12,350 to 13,650"
        ),
        "{}",
        got[1].2
    );
}

#[test]
fn within_noise_or_short_of_the_target_is_fine() {
    // 6,700 vs 6,650 ± 100: within the band. Trend 11,000 < 12,000.
    assert!(findings(Some(&facts(6650.0, 100.0, 11000.0, 20.0 * 3600.0))).is_empty());
    // A duration trend that reaches 15 h with a band up to 15.75 h (≤ 16 h) is unambitious;
    // one at 15.5 h whose band reaches 16.3 h is not.
    let got = findings(Some(&facts(6650.0, 100.0, 11000.0, 15.0 * 3600.0)));
    assert_eq!(got.len(), 1);
    assert!(
        got[0]
            .2
            .contains("reaches the target 16 h in the week of 2026-09-28: 15 h"),
        "{}",
        got[0].2
    );
    assert!(findings(Some(&facts(6650.0, 100.0, 11000.0, 15.5 * 3600.0))).is_empty());
}
