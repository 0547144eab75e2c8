//! From the engine and the store to what the arithmetic reads: snapshots of computed values,
//! series of stored snapshots, check-ins and decisions as local days.

use std::collections::HashMap;

use throughline_engine::MetricValue;
use throughline_model::{Loaded, Workspace};
use throughline_progress::okr::CheckInView;
use throughline_review::DecisionView;
use throughline_store::NewSnapshot;

/// Where the store is when `store:` is not set.
pub const DEFAULT_STORE: &str = "sqlite://.throughline/state.db";

/// The workspace's store URL: `store:` in throughline.yaml, or the default SQLite file.
pub fn store_url(ws: &Workspace) -> &str {
    ws.settings
        .store
        .as_ref()
        .map_or(DEFAULT_STORE, |s| s.value.as_str())
}

/// The workspace's time zone.
pub fn tz(ws: &Workspace) -> chrono_tz::Tz {
    ws.settings.zone()
}

/// The snapshots to save for computed values.
pub fn snapshots(loaded: &Loaded, values: &[MetricValue]) -> Vec<NewSnapshot> {
    let mut hashes: HashMap<&str, String> = HashMap::new();
    values
        .iter()
        .map(|v| {
            let hash = hashes
                .entry(v.metric.as_str())
                .or_insert_with(|| loaded.definition_hash(&v.metric).unwrap_or_default())
                .clone();
            NewSnapshot {
                metric: v.metric.clone(),
                grain: v.grain.as_str().to_string(),
                start: v.start.to_utc(),
                end: v.end.to_utc(),
                segment: v.segment.clone(),
                value: v.value,
                numerator: v.numerator,
                denominator: v.denominator,
                complete: v.complete,
                definition_hash: hash,
            }
        })
        .collect()
}

/// Check-ins from the store, as the arithmetic reads them (days in the workspace's zone).
pub fn checkin_views(
    checkins: &[throughline_store::CheckIn],
    tz: chrono_tz::Tz,
) -> Vec<CheckInView> {
    checkins
        .iter()
        .map(|c| CheckInView {
            objective: c.checkin.objective.clone(),
            key_result: c.checkin.key_result.clone(),
            day: c.recorded_at.with_timezone(&tz).date_naive(),
            value: c.checkin.value,
            confidence: c.checkin.confidence,
            note: c.checkin.note.clone(),
            author: c.checkin.author.clone(),
        })
        .collect()
}

/// Decisions from the store, with the local day each was taken.
pub fn decision_views(
    decisions: Vec<throughline_store::Decision>,
    tz: chrono_tz::Tz,
) -> Vec<DecisionView> {
    decisions
        .into_iter()
        .map(|d| DecisionView {
            day: d.decided_at.with_timezone(&tz).date_naive(),
            text: d.text,
            about: d.about,
            author: d.author,
        })
        .collect()
}
