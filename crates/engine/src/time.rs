//! Calendar periods in the workspace time zone: bucketing expressions for the query, and
//! period arithmetic for the output.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Weekday};
use chrono_tz::Tz;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::functions::expr_fn::date_trunc;
use datafusion::prelude::{Expr, cast, lit};
use datafusion::scalar::ScalarValue;
use throughline_model::Grain;

/// Calendar settings of a workspace.
#[derive(Clone, Copy, Debug)]
pub struct Calendar {
    pub tz: Tz,
    pub week_starts: Weekday,
    /// The zone is UTC and the plans run in DataFusion (not rendered for PostgreSQL): periods
    /// are cut from the zone-less UTC clock with integer arithmetic, the same cut as
    /// DataFusion's zone-aware `date_trunc`, without its per-value zone look-ups.
    pub(crate) utc_arithmetic: bool,
}

impl Calendar {
    /// The start of the period containing `ts` (a UTC instant column), as a timestamp in the
    /// workspace zone, so that days, weeks, months and quarters begin at local midnight.
    pub fn bucket(&self, grain: Grain, ts: Expr) -> Expr {
        let zoned = DataType::Timestamp(TimeUnit::Microsecond, Some(self.tz.name().into()));
        if self.utc_arithmetic {
            // a zone-less timestamp keeps the UTC clock's value; its periods are cut by
            // arithmetic on the value, and the cut is given back the zone (a reinterpretation
            // through Int64: the cast between the two timestamp types would look the zone up)
            let clock = cast(ts, DataType::Timestamp(TimeUnit::Microsecond, None));
            return cast(cast(self.cut(grain, clock), DataType::Int64), zoned);
        }
        self.cut(grain, cast(ts, zoned))
    }

    /// `local` cut to the start of its period.
    fn cut(&self, grain: Grain, local: Expr) -> Expr {
        match grain {
            Grain::Week => {
                // date_trunc weeks start on Monday; shift so they start on `week_starts`
                let shift = (7 - self.week_starts.num_days_from_monday()) % 7;
                if shift == 0 {
                    date_trunc(lit("week"), local)
                } else {
                    // shifted from the local midnight, not from the instant: a local time
                    // plus whole days can land in a clock change's gap (Saturday 02:30 before
                    // a Sunday spring-forward), which has no instant
                    let days = lit(ScalarValue::new_interval_mdn(0, shift as i32, 0));
                    let midnight = date_trunc(lit("day"), local);
                    date_trunc(lit("week"), midnight + days.clone()) - days
                }
            }
            _ => date_trunc(lit(grain_name(grain)), local),
        }
    }

    /// A workspace's calendar; `federated`: its plans may be rendered as PostgreSQL SQL.
    pub(crate) fn new(tz: Tz, week_starts: Weekday, federated: bool) -> Calendar {
        Calendar {
            tz,
            week_starts,
            utc_arithmetic: !federated && matches!(tz, Tz::UTC | Tz::Etc__UTC),
        }
    }

    /// The period that starts at `start`.
    pub fn period_end(&self, grain: Grain, start: DateTime<Tz>) -> DateTime<Tz> {
        let date = start.date_naive();
        let next = match grain {
            Grain::Day => date + Days::new(1),
            Grain::Week => date + Days::new(7),
            Grain::Month => date + Months::new(1),
            Grain::Quarter => date + Months::new(3),
        };
        self.midnight(next)
    }

    /// The start of the period containing local date `date`.
    pub fn period_start(&self, grain: Grain, date: NaiveDate) -> NaiveDate {
        match grain {
            Grain::Day => date,
            Grain::Week => {
                let back = (7 + date.weekday().num_days_from_monday()
                    - self.week_starts.num_days_from_monday())
                    % 7;
                date - Days::new(back as u64)
            }
            Grain::Month => date.with_day(1).unwrap_or(date),
            Grain::Quarter => {
                NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1).unwrap_or(date)
            }
        }
    }

    /// Local midnight of `date` (the first instant of the day when midnight does not exist).
    pub fn midnight(&self, date: NaiveDate) -> DateTime<Tz> {
        let naive = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.tz
            .from_local_datetime(&naive)
            .earliest()
            .unwrap_or_else(|| {
                self.tz
                    .from_utc_datetime(&(naive + chrono::Duration::hours(1)))
            })
    }

    /// The local day of the instant `us` (UTC µs).
    pub fn day_of(&self, us: i64) -> Option<NaiveDate> {
        chrono::DateTime::from_timestamp_micros(us).map(|t| t.with_timezone(&self.tz).date_naive())
    }

    /// The start (UTC µs) of the period of `grain` holding the instant `us`.
    pub fn period_start_us(&self, grain: Grain, us: i64) -> Option<i64> {
        let day = self.period_start(grain, self.day_of(us)?);
        Some(self.midnight(day).timestamp_micros())
    }

    /// Every period start from the one containing `first` to the one containing `last`.
    pub fn spine(&self, grain: Grain, first: NaiveDate, last: NaiveDate) -> Vec<DateTime<Tz>> {
        let mut out = Vec::new();
        let mut d = self.period_start(grain, first);
        while d <= last && out.len() < 100_000 {
            let start = self.midnight(d);
            out.push(start);
            d = self.period_end(grain, start).date_naive();
        }
        out
    }
}

fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Quarter => "quarter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_follow_the_calendar() {
        let cal = Calendar {
            tz: chrono_tz::Europe::Berlin,
            week_starts: Weekday::Sun,
            utc_arithmetic: false,
        };
        assert_eq!(
            cal.period_start(Grain::Week, d("2025-03-05")),
            d("2025-03-02")
        ); // a Wednesday → Sunday
        assert_eq!(
            cal.period_start(Grain::Week, d("2025-03-02")),
            d("2025-03-02")
        );
        assert_eq!(
            cal.period_start(Grain::Quarter, d("2025-08-17")),
            d("2025-07-01")
        );
        // the week that contains the spring clock change is 167 hours long
        let start = cal.midnight(d("2025-03-30"));
        let end = cal.period_end(Grain::Week, start);
        assert_eq!((end - start).num_hours(), 167);
        let spine = cal.spine(Grain::Month, d("2025-01-15"), d("2025-03-01"));
        assert_eq!(
            spine.iter().map(|s| s.date_naive()).collect::<Vec<_>>(),
            [d("2025-01-01"), d("2025-02-01"), d("2025-03-01")]
        );
    }
}
