//! Local weekday times as instants: `friday 12:00` in a given week, in the workspace's zone.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use throughline_model::notify::WeekTime;
use throughline_review::Week;

/// The instant `wt` falls on in `week` (the first such day on or after the week's start). A
/// local time that does not exist (the hour skipped when clocks go forward) is the first
/// instant after the gap; one that exists twice (clocks go back) is the first of the two.
pub fn instant(week: Week, wt: WeekTime, tz: Tz) -> DateTime<Utc> {
    let offset =
        (7 + wt.day.num_days_from_monday() - week.start.weekday().num_days_from_monday()) % 7;
    local(week.start + Duration::days(i64::from(offset)), wt.time, tz)
}

/// The start of `day` in `tz`, as an instant.
pub fn day_start(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local(day, chrono::NaiveTime::MIN, tz)
}

fn local(day: NaiveDate, time: chrono::NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut t = NaiveDateTime::new(day, time);
    // A gap is at most a few hours; step forward a minute at a time until the clock exists.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.to_utc(),
            LocalResult::Ambiguous(a, _) => return a.to_utc(),
            LocalResult::None => t += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&NaiveDateTime::new(day, time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveTime, Weekday};

    fn week(y: i32, m: u32, d: u32) -> Week {
        Week::containing(NaiveDate::from_ymd_opt(y, m, d).unwrap(), Weekday::Sun)
    }

    #[test]
    fn weekday_times_are_local_and_dst_gaps_move_forward() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let fri = WeekTime {
            day: Weekday::Fri,
            time: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
        };
        // Sunday weeks: the week of Sunday 2026-03-08 (DST starts at 02:00 that day).
        let w = week(2026, 3, 10);
        assert_eq!(w.start, NaiveDate::from_ymd_opt(2026, 3, 8).unwrap());
        assert_eq!(
            instant(w, fri, ny).to_rfc3339(),
            "2026-03-13T16:00:00+00:00"
        );
        let sun = WeekTime {
            day: Weekday::Sun,
            time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        };
        // 02:30 does not exist on 2026-03-08 in New York: 03:00 EDT = 07:00 UTC.
        assert_eq!(
            instant(w, sun, ny).to_rfc3339(),
            "2026-03-08T07:00:00+00:00"
        );
        // 01:30 exists twice on 2026-11-01: the first (EDT, 05:30 UTC).
        let back = WeekTime {
            day: Weekday::Sun,
            time: NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
        };
        assert_eq!(
            instant(week(2026, 11, 3), back, ny).to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
    }
}
