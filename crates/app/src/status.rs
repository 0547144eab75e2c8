//! The quarter's state that `status` and `score` show: the period asked for (or the one
//! containing the day, or the latest that has ended), the day it is seen from, and each
//! objective's status from the key results' values and check-ins.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use throughline_model::{Period, Workspace};
use throughline_progress::Point;
use throughline_progress::okr::{self, CheckInView, ObjectiveStatus};

use crate::Error;

/// Which period, as of which day.
pub enum When {
    /// `status`: the period containing the day (or the one asked for).
    Current(Option<Period>),
    /// `score`: the latest period that has ended (or the one asked for), scored at its end.
    Ended(Option<Period>),
}

/// One period's objectives, as of a day.
pub struct Quarter {
    pub period: Period,
    pub as_of: NaiveDate,
    pub objectives: Vec<ObjectiveStatus>,
}

/// What the data, `today` and the check-ins say of the period `when` names (of `team`'s
/// objectives only, when given). The day things are seen from is `as_of`, else today, or the
/// day after the data ends (`data_last`) if earlier; an ended period is scored at its end.
// Long because it is the quarter's computation in order (the day seen from, the period, the
// statuses), each step with its own refusal.
#[allow(clippy::too_many_arguments)]
pub fn quarter(
    ws: &Workspace,
    when: When,
    team: Option<&str>,
    as_of: Option<NaiveDate>,
    today: NaiveDate,
    data_last: Option<NaiveDate>,
    series: &HashMap<String, Vec<Point>>,
    checkins: &[CheckInView],
) -> Result<Quarter, Error> {
    let seen = as_of.unwrap_or_else(|| match data_last {
        Some(last) => today.min(last + Duration::days(1)),
        None => today,
    });
    let period = match when {
        When::Current(p) => p.or_else(|| okr::default_period(ws, seen)),
        When::Ended(p) => {
            p.or_else(|| latest_ended(ws, today).or_else(|| okr::default_period(ws, seen)))
        }
    };
    let Some(period) = period else {
        return Err(Error::input(
            "the workspace has no objectives with a period",
            "add `period: 2026-Q3` to your objectives",
        ));
    };
    let as_of = match when {
        When::Ended(_) => seen.min(period.end()),
        When::Current(_) => seen,
    };
    if !ws
        .objectives
        .iter()
        .any(|o| o.period.as_ref().is_some_and(|p| p.value == period))
    {
        return Err(Error::field(
            "period",
            format!("no objective has the period {period}"),
            "`--period` takes a period the objectives use, e.g. 2026-Q3",
        ));
    }
    let objectives = okr::status(ws, as_of, Some(period), team, series, checkins);
    if objectives.is_empty() {
        return Err(Error::field(
            "team",
            format!(
                "no objective of {period} belongs to the team `{}`",
                team.unwrap_or("")
            ),
            "`--team` takes a team the objectives name",
        ));
    }
    Ok(Quarter {
        period,
        as_of,
        objectives,
    })
}

/// The latest period of the objectives that has ended by `today`.
fn latest_ended(ws: &Workspace, today: NaiveDate) -> Option<Period> {
    ws.objectives
        .iter()
        .filter_map(|o| o.period.as_ref().map(|p| p.value))
        .filter(|p| p.end() <= today)
        .max_by_key(|p| (p.end(), p.start()))
}
