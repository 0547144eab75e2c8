//! Which earlier period a value is compared with: `--compare previous | year-ago | Nw` on
//! `measure` and `review`.

use std::str::FromStr;

use chrono::{Duration, Months, NaiveDate};
use throughline_model::{Grain, ValueError};

/// Which earlier period a value is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    /// The period just before.
    Previous,
    /// The same period a year before: 52 weeks for days and weeks (the same weekday), 12
    /// months for months and quarters.
    YearAgo,
    /// `N` weeks before (days and weeks only).
    Weeks(u32),
}

impl FromStr for Compare {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Compare, ValueError> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "previous" | "prev" => return Ok(Compare::Previous),
            "year-ago" | "year" | "yoy" => return Ok(Compare::YearAgo),
            _ => {}
        }
        let n = t
            .strip_suffix("weeks")
            .or_else(|| t.strip_suffix("week"))
            .or_else(|| t.strip_suffix('w'))
            .map(str::trim)
            .and_then(|n| n.parse::<u32>().ok())
            .filter(|n| (1..=520).contains(n));
        n.map(Compare::Weeks).ok_or_else(|| {
            ValueError::new(format!(
                "`{s}` is not a comparison: write `previous`, `year-ago`, or a number of weeks such as `4w`"
            ))
        })
    }
}

impl Compare {
    /// The start of the period `start` (of length `grain`) is compared with.
    pub fn earlier(self, grain: Grain, start: NaiveDate) -> Result<NaiveDate, ValueError> {
        let months = |n: u32| {
            start
                .checked_sub_months(Months::new(n))
                .ok_or_else(|| ValueError::new(format!("no period {n} months before {start}")))
        };
        match (self, grain) {
            (Compare::Previous, Grain::Day) => Ok(start - Duration::days(1)),
            (Compare::Previous, Grain::Week) => Ok(start - Duration::weeks(1)),
            (Compare::Previous, Grain::Month) => months(1),
            (Compare::Previous, Grain::Quarter) => months(3),
            (Compare::YearAgo, Grain::Day | Grain::Week) => Ok(start - Duration::weeks(52)),
            (Compare::YearAgo, Grain::Month | Grain::Quarter) => months(12),
            (Compare::Weeks(n), Grain::Day | Grain::Week) => {
                Ok(start - Duration::weeks(i64::from(n)))
            }
            (Compare::Weeks(n), g) => Err(ValueError::new(format!(
                "`{n}w` compares weeks, and these values are {}s: use `--compare previous` or `--compare year-ago`",
                g.as_str()
            ))),
        }
    }

    /// How far back the earliest compared period starts, at most, for any grain.
    pub fn reach(self) -> Duration {
        match self {
            Compare::Previous => Duration::days(92),
            Compare::YearAgo => Duration::days(366),
            Compare::Weeks(n) => Duration::weeks(i64::from(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn earlier_periods_by_grain() {
        let mon = day(2026, 9, 21);
        assert_eq!(
            Compare::Previous.earlier(Grain::Week, mon),
            Ok(day(2026, 9, 14))
        );
        assert_eq!(
            Compare::YearAgo.earlier(Grain::Week, mon),
            Ok(day(2025, 9, 22))
        );
        assert_eq!(
            Compare::Weeks(4).earlier(Grain::Day, mon),
            Ok(day(2026, 8, 24))
        );
        assert_eq!(
            Compare::Previous.earlier(Grain::Month, day(2026, 3, 1)),
            Ok(day(2026, 2, 1))
        );
        assert_eq!(
            Compare::Previous.earlier(Grain::Quarter, day(2026, 1, 1)),
            Ok(day(2025, 10, 1))
        );
        assert_eq!(
            Compare::YearAgo.earlier(Grain::Month, day(2024, 2, 1)),
            Ok(day(2023, 2, 1))
        );
        assert!(
            Compare::Weeks(2)
                .earlier(Grain::Month, day(2026, 3, 1))
                .is_err()
        );
    }

    #[test]
    fn parsing() {
        assert_eq!("previous".parse(), Ok(Compare::Previous));
        assert_eq!("Year-Ago".parse(), Ok(Compare::YearAgo));
        assert_eq!("4w".parse(), Ok(Compare::Weeks(4)));
        assert_eq!("6 weeks".parse(), Ok(Compare::Weeks(6)));
        assert!("0w".parse::<Compare>().is_err());
        assert!("last".parse::<Compare>().is_err());
    }
}
