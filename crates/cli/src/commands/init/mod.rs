//! `throughline init`: a starter workspace that passes `check` with no findings, or, given
//! the team's event files, one over the team's own data ([`from_data`]).

mod facts;
mod from_data;
mod plan;
mod yaml;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::out::{Failed, fail, print};

/// Write a starter workspace. Without `--events`: a company objective, a growth team
/// objective aligned to it, and every metric they use, defined in full. With `--events`: the
/// `sources:` for your own event files (the columns read from them), starter metrics over
/// the events your data has (active users, a conversion between two of your most common
/// events, stickiness, retention) and an objective whose baselines are measured from the data.
/// Both pass `check` with no findings.
///
/// Examples:
///   throughline init okrs
///   throughline init . --events data/events.csv --users data/users.csv
///   throughline init . --events 'export/*.parquet' --timezone Europe/Berlin --yes
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder to create the workspace in.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Period of the starter objectives, e.g. `2025-Q1` [default: the current quarter; with
    /// `--events`, the quarter of the data's last day]
    #[arg(long)]
    period: Option<String>,
    #[command(flatten)]
    data: from_data::DataArgs,
}

pub fn run(args: Args) -> ExitCode {
    let dir = args.dir.as_path();
    if args.data.events.is_some() {
        return from_data::run(dir, args.period, args.data);
    }
    let period = args.period.unwrap_or_else(current_quarter);
    if let Err(e) = throughline_model::Period::parse(&period) {
        eprintln!(
            "error: {e}\nhelp: write the period as `2025-Q1`, `2025-H1`, `2025-03` or `2025`"
        );
        return ExitCode::from(2);
    }
    match write_starter(dir, &period) {
        Ok(written) => {
            let shown = dir.display();
            print(&format!(
                "Created a throughline workspace in {shown}:\n{}\n\nNext steps:\n  1. throughline check {shown}       it passes; now edit okrs/okrs.yaml and check again\n  2. Point `sources:` in throughline.yaml at your event and user data\n     (`throughline explain sources`), or start from it: init DIR --events FILE.\n  3. Replace the example objectives with your team's, and define each metric they use in\n     metrics.yaml: formula (`compute:`), unit, direction, owner and segments.\n  4. throughline review -w {shown}      this week's metrics review, once the data is there\n     (throughline serve -w {shown} for the dashboard)\n  5. Run `throughline check` in CI (`--format sarif` for code scanning).\n",
                written
                    .iter()
                    .map(|w| format!("  {w}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
            ExitCode::SUCCESS
        }
        Err(Failed(code)) => ExitCode::from(code),
    }
}

const THROUGHLINE_YAML: &str = include_str!("../../starter/throughline.yaml");
const METRICS_YAML: &str = include_str!("../../starter/metrics.yaml");
const OKRS_YAML: &str = include_str!("../../starter/okrs.yaml");

/// The starter files, with `period` filled in.
pub fn starter_files(period: &str) -> Vec<(&'static str, String)> {
    vec![
        ("throughline.yaml", THROUGHLINE_YAML.to_string()),
        ("metrics.yaml", METRICS_YAML.to_string()),
        ("okrs/okrs.yaml", OKRS_YAML.replace("PERIOD", period)),
    ]
}

/// Writes the starter workspace into `dir`. Refuses to overwrite existing files.
fn write_starter(dir: &Path, period: &str) -> Result<Vec<String>, Failed> {
    let files: Vec<(String, String)> = starter_files(period)
        .into_iter()
        .map(|(n, t)| (n.to_string(), t))
        .collect();
    refuse_existing(dir, &files)?;
    write_files(dir, files)
}

/// Refuses when any of `files` exists in `dir`: init never overwrites.
fn refuse_existing(dir: &Path, files: &[(String, String)]) -> Result<(), Failed> {
    let existing: Vec<String> = files
        .iter()
        .map(|(name, _)| dir.join(name))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() {
        return Err(fail(
            format!(
                "{} already exist{}; init never overwrites files",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" }
            ),
            "choose an empty folder",
        ));
    }
    Ok(())
}

/// Writes `files` (name, text) under `dir`, each to a temporary name first and renamed, so
/// that an interrupted init leaves no half file. The paths written.
fn write_files(dir: &Path, files: Vec<(String, String)>) -> Result<Vec<String>, Failed> {
    const HELP: &str = "choose a folder you can write to";
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| fail(format!("cannot create {}: {e}", parent.display()), HELP))?;
        }
        // write to a temporary name and rename, so an interrupted init leaves no half file
        let tmp = path.with_extension("yaml.tmp");
        std::fs::write(&tmp, text)
            .map_err(|e| fail(format!("cannot write {}: {e}", tmp.display()), HELP))?;
        std::fs::rename(&tmp, &path)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display()), HELP))?;
        written.push(path.display().to_string());
    }
    Ok(written)
}

/// The quarter containing today, e.g. `2026-Q4`.
fn current_quarter() -> String {
    quarter_of(chrono::Local::now().date_naive())
}

/// The quarter containing `d`, e.g. `2026-Q4`.
fn quarter_of(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}
