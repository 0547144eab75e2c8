//! Arguments several commands share: the workspace (`-w DIR` or `--demo`), output formats,
//! the grain, and how dates and durations on the command line are read.

use std::path::PathBuf;

use clap::ValueEnum;
use throughline_model::Grain;

use crate::lifecycle::Failed;

/// `-w DIR` or `--demo`: the workspace a reading command works on.
#[derive(clap::Args)]
pub struct WorkspaceOrDemo {
    /// The workspace folder.
    #[arg(long, short = 'w', default_value = ".", conflicts_with = "demo")]
    pub workspace: PathBuf,
    /// Use the built-in demo workspace (generated once into the cache folder).
    #[arg(long)]
    pub demo: bool,
}

impl WorkspaceOrDemo {
    /// The folder: the given one, or the demo's (generated on first use).
    pub fn dir(self) -> Result<PathBuf, Failed> {
        crate::demo_cache::workspace_dir(self.demo, self.workspace)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GrainArg {
    Day,
    Week,
    Month,
    Quarter,
}

impl GrainArg {
    pub fn grain(self) -> Grain {
        match self {
            GrainArg::Day => Grain::Day,
            GrainArg::Week => Grain::Week,
            GrainArg::Month => Grain::Month,
            GrainArg::Quarter => Grain::Quarter,
        }
    }
}

/// Rows of values: `measure` and `experiment`.
#[derive(Clone, Copy, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
    Csv,
}

/// Text for people or JSON: `status`, `score`, `rules`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

/// `--from`, `--to`, `--as-of`: a day as YYYY-MM-DD.
pub fn parse_day(
    flag: &str,
    s: Option<String>,
) -> Result<Option<chrono::NaiveDate>, throughline_model::ValueError> {
    s.map(|s| {
        throughline_model::values::parse_date(&s).map_err(|e| {
            throughline_model::ValueError::new(format!("--{flag}: {e}; write dates as YYYY-MM-DD"))
        })
    })
    .transpose()
}

/// Who is writing: `--author`, else `THROUGHLINE_AUTHOR`, else `USER`.
pub fn author(flag: Option<String>) -> String {
    flag.or_else(|| std::env::var("THROUGHLINE_AUTHOR").ok())
        .or_else(|| std::env::var("USER").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// `--cluster df://HOST:PORT`, shared by the commands that compute metrics.
#[derive(clap::Args, Clone, Default)]
pub struct ClusterArg {
    /// Run the metrics' plans on an Apache Ballista cluster whose scheduler is at
    /// df://HOST:PORT (see `throughline cluster --help`) instead of in this process.
    /// Overrides `cluster:` in throughline.yaml.
    #[arg(long, value_name = "df://HOST:PORT", env = "THROUGHLINE_CLUSTER",
          value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<throughline_engine::cluster::ClusterUrl>()))]
    pub cluster: Option<throughline_engine::cluster::ClusterUrl>,
}

impl ClusterArg {
    /// The workspace with `cluster:` set to the flag's address, when it is given, so that
    /// every engine the command opens runs there.
    pub fn apply(&self, loaded: &mut throughline_model::Loaded) {
        if let Some(url) = &self.cluster {
            loaded.workspace.settings.cluster = Some(throughline_model::Spanned::new(
                url.to_string(),
                throughline_model::Span::default(),
            ));
        }
    }
}
