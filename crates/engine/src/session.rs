//! The DataFusion session a workspace's data is queried in: a memory pool with a limit, shared
//! fairly between the operators that can spill (aggregations, sorts), and a folder to spill to,
//! so that those larger than memory run slower instead of running out of memory. A hash join
//! cannot spill: one side is held whole. The cohort joins are split by user when theirs does
//! not fit (`plan::parts`), and past the limit any other step stops with an error that says
//! how to raise it (`error::df`).

use std::path::PathBuf;
use std::sync::Arc;

use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::prelude::{SessionConfig, SessionContext};

use crate::EngineError;
use crate::cluster::{ClusterUrl, Placement};
use throughline_model::ValueError;

/// How the engine may use the machine.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Bytes the query operators may hold before they spill to disk; `None`: the
    /// `THROUGHLINE_MEMORY_LIMIT` environment variable, else [`DEFAULT_MEMORY_LIMIT`] (or
    /// 60% of the machine's memory when that is less).
    pub memory_limit: Option<usize>,
    /// Where spill files go; `None`: `THROUGHLINE_SPILL_DIR`, else the system's temp folder.
    pub spill_dir: Option<PathBuf>,
    /// Run the plans on this Ballista cluster instead of in this process.
    pub cluster: Option<ClusterUrl>,
    /// Split each cohort join (conversion, duration, retention, funnel) into this many parts
    /// by user from the start (see `plan::parts`); `None`: `THROUGHLINE_JOIN_PARTS`, else
    /// one, and parts only after a join ran out of the memory limit.
    pub join_parts: Option<u32>,
    /// Where opening keeps what it learns of each event file (its names, counts, times and
    /// rows left out), so that the next opening scans only the files changed since; `None`:
    /// every opening scans every event.
    pub opening_cache: Option<OpeningCache>,
}

/// A folder for what opening learns of each event file, kept by the file's fingerprint.
#[derive(Clone, Debug)]
pub struct OpeningCache {
    pub dir: PathBuf,
    /// Read what is kept there; `false` (`measure --full`) scans every file and keeps it.
    pub read: bool,
}

/// `4GB`, `512MB`, `2.5G`, `1073741824`: a size in bytes (powers of 1024).
pub fn parse_size(s: &str) -> Result<usize, ValueError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| {
        ValueError::new(format!("`{s}` is not a size; write e.g. `4GB` or `512MB`"))
    })?;
    let mult = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1.0,
        "K" | "KB" | "KIB" => 1024.0,
        "M" | "MB" | "MIB" => 1024.0 * 1024.0,
        "G" | "GB" | "GIB" => 1024.0 * 1024.0 * 1024.0,
        "T" | "TB" | "TIB" => 1024.0_f64.powi(4),
        other => {
            return Err(ValueError::new(format!(
                "`{other}` is not a size unit; use KB, MB, GB or TB"
            )));
        }
    };
    let bytes = n * mult;
    if bytes.is_nan() || bytes < 64.0 * 1024.0 * 1024.0 {
        return Err(ValueError::new(format!(
            "`{s}` is less than 64MB, too little to run a query in"
        )));
    }
    Ok(bytes as usize)
}

/// The memory limit without a setting: a bound that does not grow with the data, so a large
/// run spills to disk instead of taking the machine (100M events, every metric weekly: a
/// 1.64 GB peak in 95 s at this limit, against 2.59 GB in 89 s at 14 GB; see
/// docs/architecture.md). `--memory-limit` raises it where memory is to spare; a cohort join
/// that does not fit in it (at 1B events, 80M users' signups) is computed in parts.
pub const DEFAULT_MEMORY_LIMIT: usize = 2 << 30;

/// The machine's memory in bytes (Linux `/proc/meminfo`), if it can be read.
fn machine_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

impl EngineOptions {
    /// The memory limit in force: the option, the environment, or [`DEFAULT_MEMORY_LIMIT`]
    /// (60% of the machine when that is less).
    pub fn limit(&self) -> Result<usize, EngineError> {
        if let Some(l) = self.memory_limit {
            return Ok(l);
        }
        if let Ok(v) = std::env::var("THROUGHLINE_MEMORY_LIMIT") {
            return parse_size(&v).map_err(|e| {
                EngineError::new(
                    format!("THROUGHLINE_MEMORY_LIMIT: {e}"),
                    "set it to a size such as `8GB`, or unset it for the default (2GB)",
                )
            });
        }
        Ok(machine_memory().map_or(DEFAULT_MEMORY_LIMIT, |m| {
            (m / 10 * 6).min(DEFAULT_MEMORY_LIMIT)
        }))
    }

    /// The cohort joins' parts from the start: the option, the environment, or 1.
    pub fn join_parts(&self) -> Result<u32, EngineError> {
        if let Some(n) = self.join_parts {
            return Ok(n.max(1));
        }
        match std::env::var("THROUGHLINE_JOIN_PARTS") {
            Ok(v) => match v.trim().parse::<u32>() {
                Ok(n) if (1..=4096).contains(&n) => Ok(n),
                _ => Err(EngineError::new(
                    format!(
                        "THROUGHLINE_JOIN_PARTS: `{v}` is not a number of parts from 1 to 4096"
                    ),
                    "set it to e.g. `16` (each cohort join then holds about 1/16 of the users at once), or unset it",
                )),
            },
            Err(_) => Ok(1),
        }
    }

    fn spill(&self) -> Option<PathBuf> {
        self.spill_dir
            .clone()
            .or_else(|| std::env::var_os("THROUGHLINE_SPILL_DIR").map(PathBuf::from))
    }

    /// Where intermediate tables go: the spill folder or the system's temp folder.
    pub(crate) fn scratch_dir(&self) -> PathBuf {
        self.spill().unwrap_or_else(std::env::temp_dir)
    }

    /// `federated`: the plans' parts that read only PostgreSQL tables run in the database
    /// ([`throughline_postgres::federated`]); such a workspace runs here even when a cluster
    /// is asked for, since its executors could not read the database's rows as one plan.
    pub(crate) fn session(
        &self,
        federated: bool,
    ) -> Result<(SessionContext, Placement), EngineError> {
        let limit = self.limit()?;
        let spill = self.spill();
        let disk = match spill {
            Some(dir) => {
                DiskManagerBuilder::default().with_mode(DiskManagerMode::Directories(vec![dir]))
            }
            None => DiskManagerBuilder::default().with_mode(DiskManagerMode::OsTmpDirectory),
        };
        let runtime = RuntimeEnvBuilder::new()
            .with_object_store_registry(crate::stores::FromEnv::shared())
            .with_memory_pool(Arc::new(FairSpillPool::new(limit)))
            .with_disk_manager_builder(disk)
            .build_arc()
            .map_err(|e| crate::error::df("setting up the query engine", e))?;
        let placement = match (&self.cluster, federated) {
            (None, _) => Placement::Local,
            (Some(url), true) => Placement::LocalInstead {
                cluster: url.clone(),
                reason:
                    "the workspace reads PostgreSQL sources, whose aggregations run in the database"
                        .into(),
            },
            (Some(url), false) => {
                #[cfg(not(feature = "cluster"))]
                return Err(crate::cluster::without_cluster(url));
                #[cfg(feature = "cluster")]
                {
                    url.check_reachable()?;
                    Placement::Cluster(url.clone())
                }
            }
        };
        // DataFusion's own settings from `DATAFUSION_*` variables (e.g.
        // `DATAFUSION_EXECUTION_TARGET_PARTITIONS=8`), for tuning a large run
        let config = SessionConfig::from_env()
            .map_err(|e| {
                EngineError::new(
                    format!("a DATAFUSION_* environment variable is not a valid setting: {e}"),
                    "fix or unset it; the names are DataFusion's settings in capitals, `.` as `_`",
                )
            })?
            .with_information_schema(false);
        // the tuning is for plans run here; on a cluster DataFusion's defaults are kept
        let config = hash_joins(match placement {
            Placement::Cluster(_) => crate::cluster::config(config),
            _ => tuned(config),
        });
        let builder = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_default_features();
        let builder = if federated {
            throughline_postgres::federated(builder)
        } else {
            builder
        };
        let state = match &placement {
            Placement::Cluster(url) => url.upgrade(builder.build())?,
            _ => builder.build(),
        };
        Ok((SessionContext::new_with_state(state), placement))
    }
}

/// The engine's defaults where DataFusion's suit its queries less, unless the variable is set:
/// - twice as many partitions as cores: while one partition's batch waits on a file read or
///   a repartition the core takes another's (1M demo users, 2 cores: 9.2 s → 8.7 s);
/// - partial aggregation skipped once a probe finds it keeps more than half the rows (not
///   80%): the per-user-and-day and per-user-and-period roll-ups group ~60% and ~50% of
///   their rows into distinct groups, so a first hashing pass only copies them (with the
///   above: 7.9 s);
/// - grouped aggregation by DataFusion's established streams, not the ones 55.2 is migrating
///   to (`enable_migration_aggregate`, on by default): the new ordered streams register
///   an aggregation over input sorted by all of its keys (a user's rows after a window
///   function) as memory that cannot be given back, so under the fair pool it fails as soon
///   as the sorts and spilling aggregations beside it hold their share (apache/datafusion
///   issue 17334; the final ordered stream works around it itself, the partial one does not).
///   With a 2 GB limit a measure of 100M events failed that way (`OrderedPartialAggregateStream`
///   in `time_to_first_value`); the established partial stream emits its groups early instead;
/// - the files the run writes for itself compressed with a fast codec (see
///   [`SCRATCH_COMPRESSION`]).
fn tuned(mut config: SessionConfig) -> SessionConfig {
    let unset = |name: &str| std::env::var_os(name).is_none();
    if unset("DATAFUSION_EXECUTION_TARGET_PARTITIONS") {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        config = config.with_target_partitions(2 * cores);
    }
    if unset("DATAFUSION_EXECUTION_SKIP_PARTIAL_AGGREGATION_PROBE_RATIO_THRESHOLD") {
        config
            .options_mut()
            .execution
            .skip_partial_aggregation_probe_ratio_threshold = 0.5;
    }
    if unset("DATAFUSION_EXECUTION_ENABLE_MIGRATION_AGGREGATE") {
        config.options_mut().execution.enable_migration_aggregate = false;
    }
    if unset("DATAFUSION_EXECUTION_PARQUET_COMPRESSION") {
        config.options_mut().execution.parquet.compression = Some(SCRATCH_COMPRESSION.into());
    }
    config
}

/// The codec of the Parquet files a run writes for itself (the scratch tables, the parts of a
/// join, the refresh cache), which it reads back once or twice: LZ4 (raw), not DataFusion's
/// default zstd, whose compressing and decompressing took about a fifth of a refresh's time
/// (`perf` on the 1M-user demo). The files are about a third larger.
const SCRATCH_COMPRESSION: &str = "lz4_raw";

/// Every join with equal keys runs as a hash join, whatever
/// `DATAFUSION_OPTIMIZER_PREFER_HASH_JOIN` or Ballista's default (sort-merge joins, which
/// spill) say. DataFusion 55.2's sort-merge join, for an outer join with a filter (a funnel's
/// steps, a retention window), can emit its last batch before rows it still holds, so its
/// output is not in the order it declares; an aggregation or a second merge join above it
/// that relies on that order splits a user's group or misses their matches. A funnel came
/// out at a quarter of its value that way, on 4 partitions or more, in this process and on a
/// cluster alike. Fixed upstream after 55.2 (apache/datafusion#24573); once the pinned
/// DataFusion has the fix, `engine/tests/sort_merge_join.rs` fails and this can go.
fn hash_joins(mut config: SessionConfig) -> SessionConfig {
    config.options_mut().optimizer.prefer_hash_join = true;
    config
}

/// The warning for `DATAFUSION_OPTIMIZER_PREFER_HASH_JOIN=false`, which [`hash_joins`] does
/// not follow.
pub(crate) fn sort_merge_joins_refused() -> Option<String> {
    let asked = std::env::var("DATAFUSION_OPTIMIZER_PREFER_HASH_JOIN").ok()?;
    asked.trim().eq_ignore_ascii_case("false").then(|| {
        "DATAFUSION_OPTIMIZER_PREFER_HASH_JOIN=false is ignored: DataFusion 55.2's sort-merge join gives wrong values for outer joins with a filter (funnels, retention), so every join is a hash join".to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4GB"), Ok(4 << 30));
        assert_eq!(parse_size("512mb"), Ok(512 << 20));
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert!(
            parse_size("10MB")
                .unwrap_err()
                .to_string()
                .contains("less than 64MB")
        );
        assert!(parse_size("lots").is_err());
        assert!(parse_size("4 parsecs").is_err());
    }
}
