//! `serve`'s own notification schedule: every minute, the messages the `notify:` rules call
//! for are planned from the review of the week `throughline notify` would report on at that
//! instant (`app::notify::review_week`: the served one, or an earlier week the dashboard
//! holds) and the store, and the new ones sent (the store's log keeps a message from going
//! out twice, also with a `throughline notify` cron beside).

use std::time::Duration;

use throughline_notify::{Outbox, Retry};

use crate::AppState;

impl AppState {
    /// Sends due notifications every `every`, for ever (spawn it). Does nothing without
    /// `notify:`; a failed round is logged and the next one tries again.
    pub async fn notify_every(self, every: Duration) {
        let Some(config) = self.0.loaded.workspace.settings.notify.clone() else {
            return;
        };
        let outbox = Outbox::new(&config, &|var| std::env::var(var).ok());
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.notify_once(&outbox).await {
                tracing::warn!("notifications: {e}");
            }
        }
    }

    /// One round: plan for now and send what is new.
    pub async fn notify_once(
        &self,
        outbox: &Outbox,
    ) -> Result<throughline_notify::Report, throughline_store::StoreError> {
        self.notify_at(outbox, chrono::Utc::now()).await
    }

    /// One round as at `now`.
    pub async fn notify_at(
        &self,
        outbox: &Outbox,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<throughline_notify::Report, throughline_store::StoreError> {
        let view = self.view().await?;
        let comp = self.computed().await;
        let ws = &self.0.loaded.workspace;
        let week = throughline_app::notify::review_week(ws, comp.data.week, now);
        let review = if week == comp.data.week {
            Some(view.review.clone())
        } else {
            let earlier = comp.data.at_week(ws, week);
            if earlier.is_none() {
                tracing::warn!(
                    "notifications: the dashboard does not hold {}, the week they report on; the digest and alerts wait",
                    week.label()
                );
            }
            earlier.map(|d| d.review(ws, view.checkins.clone(), view.decisions.clone()))
        };
        let plan = throughline_app::notify::due(ws, &self.0.store, review.as_ref(), now).await?;
        for s in &plan.skipped {
            tracing::debug!("notification not addressed: {s}");
        }
        let report = throughline_notify::send(
            &self.0.store,
            outbox,
            &plan.messages,
            Retry::default(),
            &|m, outcome| tracing::info!(key = %m.key, channel = %m.channel, "notification {outcome}"),
        )
        .await?;
        Ok(report)
    }
}
