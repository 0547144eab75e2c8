//! The notifications due now, for the CLI's `notify` and the server's schedule alike: the
//! store's check-ins and the week's review fed to the planning of throughline-notify.

use chrono::{DateTime, Utc};
use throughline_model::Workspace;
use throughline_notify::{Input, Plan};
use throughline_review::Review;
use throughline_store::{Store, StoreError};

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
