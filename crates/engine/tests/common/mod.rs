//! What the engine's test files share: a workspace written as YAML text, loaded as if it were
//! `throughline.yaml` and `metrics.yaml` in a temporary folder, and an engine opened on it.
#![allow(dead_code)] // each test file uses a part of it

use std::path::Path;

use throughline_engine::{Engine, EngineError};
use throughline_model::{Loaded, Loader};

/// Sources most fixtures use: `events.csv` and `users.csv` (with the dimension `plan`) in a
/// UTC workspace whose weeks start on Monday.
pub const CSV_SETTINGS: &str = "workspace: T\ntimezone: UTC\nweek_starts: monday\nsources:\n  events: { format: csv, path: events.csv, columns: { user: user_id, time: ts, name: event } }\n  users: { format: csv, path: users.csv, columns: { user: user_id, time: created_at }, dimensions: [plan] }\n";

/// The two texts loaded as a workspace, with what the loader said of them.
pub fn load(dir: &Path, settings: &str, metrics: &str) -> Loaded {
    let mut loader = Loader::new();
    loader.add_yaml(
        "throughline.yaml",
        &dir.join("throughline.yaml"),
        settings.into(),
    );
    loader.add_yaml("metrics.yaml", &dir.join("metrics.yaml"), metrics.into());
    loader.finish()
}

/// Writes each `(file, text)` into `dir`, then opens an engine on the workspace; fails the test
/// if the loader said anything of it.
pub async fn open(
    dir: &Path,
    files: &[(&str, &str)],
    settings: &str,
    metrics: &str,
) -> Result<Engine, EngineError> {
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let loaded = load(dir, settings, metrics);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    Engine::open(&loaded.workspace, dir).await
}

/// The sum of a metric's monthly values (its total over the data, for a count or a sum).
pub async fn total(e: &Engine, metric: &str) -> f64 {
    e.measure(&throughline_engine::Request {
        metrics: vec![metric.into()],
        grain: Some(throughline_model::Grain::Month),
        ..throughline_engine::Request::default()
    })
    .await
    .expect("measures")
    .iter()
    .filter_map(|v| v.value)
    .sum()
}

/// A small deterministic generator (xorshift), so a generated fixture is the same on every
/// run.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n`.
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
