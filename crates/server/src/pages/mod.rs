//! The pages and API resources, one module each: its data (what the API returns), its HTML
//! and its handlers; and the lookups several of them share.

pub(crate) mod alignment;
pub(crate) mod checkin;
pub(crate) mod experiments;
pub(crate) mod key_result;
pub(crate) mod login;
pub(crate) mod metric;
pub(crate) mod notifications;
pub(crate) mod objective;
pub(crate) mod overview;
pub(crate) mod review;

use chrono::NaiveDate;
use throughline_model::{MetricRole, Objective, Period, Workspace};
use throughline_progress::okr::{self, ObjectiveStatus};

use crate::state::{Computed, View};

pub(crate) fn role_name(r: Option<MetricRole>) -> &'static str {
    match r {
        Some(MetricRole::NorthStar) => "north_star",
        Some(MetricRole::Input) => "input",
        Some(MetricRole::Guardrail) => "guardrail",
        Some(MetricRole::Kpi) => "kpi",
        None => "metric",
    }
}

/// The day a period is seen from: the review week's end, or the period's end if earlier.
pub(crate) fn as_of(c: &Computed, p: Period) -> NaiveDate {
    c.data.week.end.min(p.end())
}

/// The status of a period's objectives: the metrics as of the data, and every check-in so far
/// (the dashboard shows the latest confidence, even when the data is older).
pub(crate) fn status_of(
    ws: &Workspace,
    c: &Computed,
    v: &View,
    p: Period,
    team: Option<&str>,
) -> Vec<ObjectiveStatus> {
    okr::status(
        ws,
        as_of(c, p),
        Some(p),
        team,
        &c.data.points(),
        &v.checkins,
    )
}

/// After a write: waits until the view holds it, so that the page the writer goes to next
/// shows it (other readers are served the last view meanwhile). The write is stored already:
/// a store error here is logged, not returned.
pub(crate) async fn wait_for_view(st: &crate::AppState) {
    if let Err(e) = st.fresh_view().await {
        tracing::warn!("the view after a write could not be built: {e}");
    }
}

/// The team an objective writes for: its team, or `company`.
pub(crate) fn team_of(o: &Objective) -> String {
    o.team
        .as_ref()
        .map_or("company".into(), |t| t.value.clone())
}
