//! What opening the team's data tells (its events, their users and counts, its first and
//! last day), shared by the from-data flow and the plan it proposes.

use std::path::Path;

use crate::lifecycle::Failed;

/// An engine error, printed with its help line; exit code 2.
pub(super) fn engine_failed(e: &throughline_engine::EngineError) -> Failed {
    let d = e.to_diagnostic();
    eprintln!(
        "error: {}\nhelp: {}",
        d.message,
        d.help.as_deref().unwrap_or("check the files")
    );
    Failed(2)
}

/// What opening the data tells: the event names with their users, and the data's first
/// and last day.
pub(super) struct Facts {
    pub(super) events: Vec<throughline_engine::EventUsers>,
    /// Each event name's number of events.
    pub(super) counts: std::collections::BTreeMap<String, u64>,
    pub(super) days: (chrono::NaiveDate, chrono::NaiveDate),
}

pub(super) async fn data_facts(
    dir: &Path,
    options: &throughline_engine::EngineOptions,
) -> Result<Facts, throughline_engine::EngineError> {
    let loaded = throughline_model::load_paths(&[dir.to_path_buf()]);
    let engine = throughline_app::Session::new(&loaded.workspace, dir, options.clone())
        .engine()
        .await?;
    let events = engine.event_users().await?;
    let counts = engine
        .event_counts()
        .into_iter()
        .map(|(n, c)| (n.to_string(), c))
        .collect();
    // opening refuses data with no events, so the days are known; today is only a fallback
    let days = engine.data_days().unwrap_or_else(|| {
        let today = chrono::Local::now().date_naive();
        (today, today)
    });
    Ok(Facts {
        events,
        counts,
        days,
    })
}
