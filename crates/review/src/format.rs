//! Numbers for people: values in their unit, changes with a sign (percentage points for
//! percents), relative changes.

use throughline_model::Unit;

/// A value in its unit: `6,712`, `27.4%`, `18.5 h`.
pub(crate) fn value(unit: &Unit, v: f64) -> String {
    unit.format(v)
}

/// A change with its sign: `+312`, `−5.9 pp`, `+2.5 h`, `+$1,200` ([`Unit::delta`]).
pub(crate) fn delta(unit: &Unit, d: f64) -> String {
    unit.delta(d)
}

/// The size of a spread, without sign: `4.8`, `2.3 pp`.
pub(crate) fn spread(unit: &Unit, d: f64) -> String {
    delta(unit, d.abs()).trim_start_matches('+').to_string()
}

/// A relative change: `+2.9%`, `−48%` ([`Unit::relative`]).
pub(crate) fn relative(r: f64) -> String {
    Unit::relative(r)
}

/// A share 0–1 as a whole percent: `62%`.
pub(crate) fn pct(x: f64) -> String {
    Unit::share(x)
}

/// `signup_source` → `signup source`.
pub(crate) fn words(id: &str) -> String {
    id.replace('_', " ")
}

/// `week`, `month`, … from a value's length.
pub(crate) fn grain(v: &crate::Point) -> &'static str {
    match (v.end - v.start).num_days() {
        1 => "day",
        7 => "week",
        28..=31 => "month",
        _ => "quarter",
    }
}

/// A value's period length as a grain.
pub(crate) fn grain_of(v: &crate::Point) -> throughline_model::Grain {
    use throughline_model::Grain;
    match grain(v) {
        "day" => Grain::Day,
        "week" => Grain::Week,
        "month" => Grain::Month,
        _ => Grain::Quarter,
    }
}

/// When a value was measured: `week of 2026-09-14`, `month of 2026-08`.
pub(crate) fn when(v: &crate::Point) -> String {
    match grain(v) {
        "day" => format!("on {}", v.start),
        "month" => format!("month of {}", v.start.format("%Y-%m")),
        g => format!("{g} of {}", v.start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_units() {
        assert_eq!(delta(&Unit::Percent, -5.94), "−5.9 pp");
        assert_eq!(delta(&Unit::Percent, 6.0), "+6 pp");
        assert_eq!(delta(&Unit::Count, 312.0), "+312");
        assert_eq!(delta(&Unit::Count, -1234.0), "−1,234");
        assert_eq!(delta(&Unit::Duration, -9000.0), "−2.5 h");
        assert_eq!(relative(0.029), "+2.9%");
        assert_eq!(relative(-0.48), "−48%");
        assert_eq!(pct(0.623), "62%");
        assert_eq!(value(&Unit::Percent, 27.44), "27.4%");
    }
}
