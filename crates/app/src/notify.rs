//! The notifications due now, for the CLI's `notify` and the server's schedule alike: the
//! store's check-ins and the week's review fed to the planning of throughline-notify.

use chrono::{DateTime, Utc};
use throughline_model::Workspace;
use throughline_notify::{Input, Plan};
use throughline_review::{Review, Week};
use throughline_store::{Store, StoreError};

/// The week whose review the notifications at `now` report on: `latest` (the last complete
/// week of data), but never one that has not ended before `now`'s week began. One rule for
/// `throughline notify` and `serve --notify`, so that both send the same digest and alerts.
pub fn review_week(ws: &Workspace, latest: Week, now: DateTime<Utc>) -> Week {
    let today = now.with_timezone(&crate::tz(ws)).date_naive();
    let before = Week::containing(today, ws.settings.week_start()).previous();
    if latest.start > before.start {
        before
    } else {
        latest
    }
}

/// The messages the workspace's `notify:` rules call for at `now`.
pub async fn due(
    ws: &Workspace,
    store: &Store,
    review: Option<&Review>,
    now: DateTime<Utc>,
) -> Result<Plan, StoreError> {
    let checkins = store.checkins(None).await?;
    Ok(throughline_notify::plan(&Input {
        ws,
        now,
        checkins: &checkins,
        review,
    }))
}
