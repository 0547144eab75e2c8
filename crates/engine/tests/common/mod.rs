//! What the engine's test files share: a workspace written as YAML text, loaded as if it were
//! `throughline.yaml` and `metrics.yaml` in a temporary folder, and an engine opened on it.
#![allow(dead_code)] // each test file uses a part of it

use std::path::Path;

use throughline_engine::{Engine, EngineError};
use throughline_model::{Loader, Workspace};

/// Sources most fixtures use: `events.csv` and `users.csv` (with the dimension `plan`) in a
/// UTC workspace whose weeks start on Monday.
pub const CSV_SETTINGS: &str = "workspace: T\ntimezone: UTC\nweek_starts: monday\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n  users: { format: csv, path: users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }\n";

/// The workspace the two texts define; fails the test if they have an input error.
pub fn load(dir: &Path, settings: &str, metrics: &str) -> Workspace {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        &dir.join("throughline.yaml"),
        settings.into(),
    );
    loader.add_yaml("metrics.yaml", &dir.join("metrics.yaml"), metrics.into());
    let loaded = loader.finish();
    assert!(!loaded.has_input_errors(), "{:?}", loaded.diagnostics);
    loaded.workspace
}

/// Writes each `(file, text)` into `dir`, then opens an engine on the workspace.
pub async fn open(
    dir: &Path,
    files: &[(&str, &str)],
    settings: &str,
    metrics: &str,
) -> Result<Engine, EngineError> {
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    Engine::open(&load(dir, settings, metrics), dir).await
}
