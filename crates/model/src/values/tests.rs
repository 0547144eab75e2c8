//! Tests of `values`.

use super::*;

fn d(s: &str) -> NaiveDate {
    parse_date(s).unwrap()
}

#[test]
fn periods_parse_and_have_calendar_bounds() {
    let q = Period::parse("2024-Q1").unwrap();
    assert_eq!((q.start(), q.end()), (d("2024-01-01"), d("2024-04-01")));
    let h = Period::parse("2025-h2").unwrap();
    assert_eq!((h.start(), h.end()), (d("2025-07-01"), d("2026-01-01")));
    let m = Period::parse("2024-02").unwrap();
    assert_eq!((m.end() - m.start()).num_days(), 29);
    assert_eq!(Period::parse("2025").unwrap().length(), PeriodLength::Year);
    let r = Period::Range {
        start: d("2025-01-06"),
        end: d("2025-01-19"),
    };
    assert_eq!(r.length(), PeriodLength::Days(14));
    assert!(Period::parse("2024-Q5").is_err());
    assert!(Period::parse("2024-13").is_err());
    assert!(Period::parse("Q1").is_err());
    assert!(Period::parse("2024-Q1").unwrap().overlaps(&m));
}

#[test]
fn durations_are_seconds() {
    assert_eq!(parse_duration("7d"), Ok(604_800));
    assert_eq!(parse_duration("24h"), Ok(86_400));
    assert_eq!(parse_duration("90s"), Ok(90));
    assert_eq!(parse_duration("1.5h"), Ok(5_400));
    assert!(parse_duration("7").is_err());
    assert!(parse_duration("7 parsecs").is_err());
    assert!(parse_duration("-3d").is_err());
}

#[test]
fn values_read_well() {
    assert_eq!(Unit::Count.format(6712.0), "6,712");
    assert_eq!(Unit::Count.format(1234567.4), "1,234,567");
    assert_eq!(Unit::Count.format(2.5), "2.5");
    assert_eq!(Unit::Percent.format(27.36), "27.4%");
    assert_eq!(Unit::Percent.format(30.0), "30%");
    assert_eq!(Unit::Duration.format(66_600.0), "18.5 h");
    assert_eq!(Unit::Duration.format(259_200.0), "3 d");
    assert_eq!(Unit::Duration.format(90.0), "1.5 min");
    assert_eq!(Unit::Currency("USD".into()).format(12480.2), "$12,480");
    assert_eq!(Unit::Currency("USD".into()).format(-3.456), "-$3.46");
    assert_eq!(Unit::Currency("CHF".into()).format(5.0), "5 CHF");
    assert_eq!(Unit::Ratio.format(4.126), "4.13");
    assert_eq!(Unit::Ratio.format(0.159), "0.16");
    // a small ratio keeps two significant digits instead of rounding to 0.05 or 0
    assert_eq!(Unit::Ratio.format(0.045), "0.045");
    assert_eq!(Unit::Ratio.format(0.0031), "0.0031");
    assert_eq!(Unit::Score.format(-0.04), "0");
}

#[test]
fn changes_read_in_one_way_everywhere() {
    // a change of a percentage is in percentage points, never `%`
    assert_eq!(Unit::Percent.delta(-0.94), "−0.9 pp");
    assert_eq!(Unit::Percent.delta(5.877), "+5.9 pp");
    assert_eq!(Unit::Count.delta(637.0), "+637");
    assert_eq!(Unit::Count.delta(-6566.0), "−6,566");
    assert_eq!(Unit::Duration.delta(1350.0), "+22.5 min");
    assert_eq!(Unit::Currency("USD".into()).delta(-1200.0), "−$1,200");
    assert_eq!(Unit::Ratio.delta(0.045), "+0.045");
    assert_eq!(Unit::relative(0.046), "+4.6%");
    assert_eq!(Unit::relative(-0.48), "−48%");
    assert_eq!(Unit::relative(0.0), "+0%");
    // a share is a whole percent, in any unit
    assert_eq!(Unit::share(0.62), "62%");
    assert_eq!(Unit::share(1.0), "100%");
    assert_eq!(Unit::share(0.004), "0%");
}

#[test]
fn quantities_are_accepted_in_their_unit_only() {
    let q = |s: &str| Quantity::parse(s).unwrap();
    assert_eq!(Unit::Duration.accept(&q("16 hours")), Ok(57_600.0));
    assert!(
        Unit::Duration
            .accept(&q("16"))
            .unwrap_err()
            .to_string()
            .contains("needs its unit")
    );
    assert_eq!(Unit::Percent.accept(&q("35%")), Ok(35.0));
    assert_eq!(Unit::Percent.accept(&q("35")), Ok(35.0));
    assert_eq!(Unit::Count.accept(&q("1,100")), Ok(1100.0));
    assert!(
        Unit::Count
            .accept(&q("31%"))
            .unwrap_err()
            .to_string()
            .contains("a percent was given")
    );
    assert!(
        Unit::Currency("USD".into())
            .accept(&q("€5"))
            .unwrap_err()
            .to_string()
            .contains("EUR")
    );
}

#[test]
fn units_parse() {
    assert_eq!(
        Unit::parse("currency:usd"),
        Ok(Unit::Currency("USD".into()))
    );
    assert_eq!(Unit::parse("percent"), Ok(Unit::Percent));
    assert!(Unit::parse("currency:dollars").is_err());
    assert!(Unit::parse("furlongs").is_err());
}

#[test]
fn quantities_keep_units() {
    let q = Quantity::parse("72 hours").unwrap();
    assert_eq!((q.value, q.unit), (259_200.0, QuantityUnit::Seconds));
    assert_eq!(Quantity::parse("23%").unwrap().unit, QuantityUnit::Percent);
    assert_eq!(
        Quantity::parse("$1.2M").unwrap(),
        Quantity {
            value: 1_200_000.0,
            unit: QuantityUnit::Currency("USD".into())
        }
    );
    assert_eq!(Quantity::parse("50+").unwrap().value, 50.0);
    assert_eq!(Quantity::parse("1,200 teams").unwrap().value, 1200.0);
    assert_eq!(Quantity::parse("4.5/5").unwrap().value, 4.5);
    assert_eq!(Quantity::parse("3 days").unwrap().value, 259_200.0);
    assert!(Quantity::parse("soon").is_none());
    let found: Vec<f64> = quantities_in("Increase activation rate from 23% to 35%")
        .into_iter()
        .map(|(q, _)| q.value)
        .collect();
    assert_eq!(found, vec![23.0, 35.0]);
    assert!(quantities_in("Ship Q1 plan for B2B").is_empty());
    let text = "Grow from 1,400 to 2,000 in 2025";
    let years: Vec<bool> = quantities_in(text)
        .into_iter()
        .map(|(_, at)| is_year_at(text, at))
        .collect();
    assert_eq!(years, vec![false, false, true]);
}
