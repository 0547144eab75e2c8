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

/// How the engine may use the machine: the same flags on every command that computes
/// (`measure`, `review`, `status`, `score`, `experiment`, `check --with-data`, `notify`,
/// `serve`, `init --events`).
#[derive(clap::Args, Clone, Default)]
#[command(next_help_heading = "Engine")]
pub struct EngineArgs {
    /// Memory the queries may hold (e.g. `8GB`). Sorts and aggregations larger than this
    /// spill to disk and run slower; a hash join holds one of its sides in memory (a cohort
    /// metric holds a row per user of its cohort), and a cohort join that does not fit is
    /// computed again in parts by user (see `--join-parts`), which takes longer. Default: the
    /// `THROUGHLINE_MEMORY_LIMIT` environment variable, else 2GB (60% of the machine's
    /// memory when that is less): 100M events ran in 1.7 GB. On a machine with memory to
    /// spare raise it: the same run took 6% less time with 14GB (and 2.6 GB).
    /// `RUST_LOG=throughline_engine=debug` prints how long each step took.
    #[arg(long, value_name = "SIZE", value_parser = throughline_engine::parse_size)]
    pub memory_limit: Option<usize>,
    /// Where spill files and the per-user activity roll-up go (removed when the command
    /// ends). Default: `THROUGHLINE_SPILL_DIR`, else the system's temp folder.
    #[arg(long, value_name = "DIR")]
    pub spill_dir: Option<std::path::PathBuf>,
    /// Split every cohort join (conversion, duration, retention, funnel) into N parts by
    /// user from the start: each part holds about 1/N of the cohort in memory, at the cost of
    /// writing the join's inputs to the spill folder once. Without it a join runs whole, and
    /// only one that runs out of the memory limit is computed again in 8 parts (then 64): set
    /// it when you know the cohorts do not fit, to skip that first attempt.
    #[arg(long, value_name = "N", env = "THROUGHLINE_JOIN_PARTS",
          value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub join_parts: Option<u32>,
    /// Run the metrics' plans on an Apache Ballista cluster whose scheduler is at
    /// df://HOST:PORT (see `throughline cluster --help`) instead of in this process.
    /// Overrides `cluster:` in throughline.yaml.
    #[arg(long, value_name = "df://HOST:PORT", env = "THROUGHLINE_CLUSTER",
          value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<throughline_engine::cluster::ClusterUrl>()))]
    pub cluster: Option<throughline_engine::cluster::ClusterUrl>,
}

impl EngineArgs {
    /// The engine's options from the flags.
    pub fn options(&self) -> throughline_engine::EngineOptions {
        throughline_engine::EngineOptions {
            memory_limit: self.memory_limit,
            spill_dir: self.spill_dir.clone(),
            cluster: self.cluster.clone(),
            join_parts: self.join_parts,
            opening_cache: None,
        }
    }

    /// The session of a command over `loaded`, whose files are in `dir`.
    pub fn session<'w>(
        &self,
        loaded: &'w throughline_model::Loaded,
        dir: &std::path::Path,
    ) -> throughline_app::Session<'w> {
        throughline_app::Session::new(&loaded.workspace, dir, self.options())
    }
}
