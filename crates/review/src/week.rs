//! The week a review covers.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;
use throughline_model::ValueError;

/// Seven local days from `start` (a `week_starts` day).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Week {
    pub start: NaiveDate,
    /// The day after its last day.
    pub end: NaiveDate,
}

impl Week {
    /// The week that contains `day`, for weeks starting on `starts`.
    pub fn containing(day: NaiveDate, starts: Weekday) -> Week {
        let back = (7 + day.weekday().num_days_from_monday() - starts.num_days_from_monday()) % 7;
        let start = day - Duration::days(i64::from(back));
        Week {
            start,
            end: start + Duration::days(7),
        }
    }

    /// The last week that has ended by the end of `last_day`.
    pub fn last_complete(last_day: NaiveDate, starts: Weekday) -> Week {
        let w = Week::containing(last_day, starts);
        if w.end == last_day + Duration::days(1) {
            w
        } else {
            w.previous()
        }
    }

    /// `2026-W39` (the ISO week of its Monday) or a date inside the week (`2026-09-23`).
    pub fn parse(text: &str, starts: Weekday) -> Result<Week, ValueError> {
        let t = text.trim();
        let iso = t
            .split_once("-W")
            .or_else(|| t.split_once("-w"))
            .and_then(|(y, w)| Some((y.parse::<i32>().ok()?, w.parse::<u32>().ok()?)));
        if let Some((year, week)) = iso {
            let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(|| {
                ValueError::new(format!(
                    "`{t}` is not a week: {year} has no ISO week {week}"
                ))
            })?;
            return Ok(Week::containing(monday, starts));
        }
        match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Ok(Week::containing(d, starts)),
            Err(_) => Err(ValueError::new(format!(
                "`{t}` is not a week: write an ISO week like `2026-W39` or a day in it like `2026-09-23`"
            ))),
        }
    }

    pub fn previous(self) -> Week {
        Week {
            start: self.start - Duration::days(7),
            end: self.start,
        }
    }

    /// The last day of the week.
    pub fn last_day(self) -> NaiveDate {
        self.end - Duration::days(1)
    }

    /// `2026-W39`: the ISO week of the week's middle.
    pub fn label(self) -> String {
        let w = (self.start + Duration::days(3)).iso_week();
        format!("{}-W{:02}", w.year(), w.week())
    }

    /// `Sep 21 – Sep 27, 2026`.
    pub fn span(self) -> String {
        let last = self.last_day();
        if self.start.year() == last.year() {
            format!(
                "{} – {}, {}",
                self.start.format("%b %-d"),
                last.format("%b %-d"),
                last.year()
            )
        } else {
            format!(
                "{} – {}",
                self.start.format("%b %-d, %Y"),
                last.format("%b %-d, %Y")
            )
        }
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weeks_by_start_day_and_label() {
        let w = Week::containing(d(2026, 9, 23), Weekday::Mon);
        assert_eq!((w.start, w.end), (d(2026, 9, 21), d(2026, 9, 28)));
        assert_eq!(w.label(), "2026-W39");
        assert_eq!(w.span(), "Sep 21 – Sep 27, 2026");
        let s = Week::containing(d(2026, 9, 23), Weekday::Sun);
        assert_eq!(s.start, d(2026, 9, 20));
        assert_eq!(s.label(), "2026-W39");
        assert_eq!(Week::parse("2026-W39", Weekday::Mon).unwrap(), w);
        assert_eq!(Week::parse("2026-09-27", Weekday::Mon).unwrap(), w);
        assert_eq!(Week::parse("2026-W39", Weekday::Sun).unwrap(), s);
        assert!(
            Week::parse("2026-W54", Weekday::Mon)
                .unwrap_err()
                .to_string()
                .contains("no ISO week 54")
        );
        assert!(
            Week::parse("last week", Weekday::Mon)
                .unwrap_err()
                .to_string()
                .contains("2026-W39")
        );
        // The data ends on a Sunday: that week is complete; on a Saturday, it is not.
        assert_eq!(Week::last_complete(d(2026, 9, 27), Weekday::Mon), w);
        assert_eq!(
            Week::last_complete(d(2026, 9, 26), Weekday::Mon),
            w.previous()
        );
        let ny = Week::containing(d(2026, 12, 30), Weekday::Mon);
        assert_eq!(ny.span(), "Dec 28, 2026 – Jan 3, 2027");
        assert_eq!(ny.label(), "2026-W53");
    }
}
