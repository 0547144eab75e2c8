//! `throughline init`: a starter workspace that passes `check` with no findings.

use std::path::Path;

const THROUGHLINE_YAML: &str = include_str!("starter/throughline.yaml");
const METRICS_YAML: &str = include_str!("starter/metrics.yaml");
const OKRS_YAML: &str = include_str!("starter/okrs.yaml");

/// The starter files, with `period` filled in.
pub fn starter_files(period: &str) -> Vec<(&'static str, String)> {
    vec![
        ("throughline.yaml", THROUGHLINE_YAML.to_string()),
        ("metrics.yaml", METRICS_YAML.to_string()),
        ("okrs/okrs.yaml", OKRS_YAML.replace("PERIOD", period)),
    ]
}

/// Writes the starter workspace into `dir`. Refuses to overwrite existing files.
pub fn write_starter(dir: &Path, period: &str) -> Result<Vec<String>, String> {
    let files = starter_files(period);
    let existing: Vec<String> = files
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(format!(
            "{} already exist{}; init never overwrites files (choose an empty folder)",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        ));
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        // write to a temporary name and rename, so an interrupted init leaves no half file
        let tmp = path.with_extension("yaml.tmp");
        std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// The quarter containing today, e.g. `2026-Q4`.
pub fn current_quarter() -> String {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    format!("{}-Q{}", today.year(), today.month0() / 3 + 1)
}
