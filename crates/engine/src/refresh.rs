//! A measurement that recomputes only what new data can change. The cache (a folder, by
//! default `.throughline/cache` in the workspace) keeps, per file of the events source and
//! keyed by its path, size and modification time, each user's first event of each name in it
//! (a Parquet file) and its first and last event times; the daily activity roll-up (each user's
//! active days, for the activity metrics); and the values of the last run with the
//! definitions that gave them.
//!
//! On the next run the files that were added, changed or removed give the earliest instant the
//! data changed at. Each metric's [`Reach`] says which of its periods that can change: those
//! ending less than its window after the change (a cohort's `within`, a retention's horizon).
//! From the first such period on, the values are computed again, from a table that holds the
//! events from a little before it (a cumulative window, a retention's cohorts) and, for each
//! user and event name before that, only the user's first such event: enough for every
//! cohort's start and every first activity, so each value equals a full computation. The
//! activity roll-up of the days before the change is read from the cache, not rolled up
//! again, from as far back as its metrics read (a churn's previous month), and so are its
//! whole periods of each grain it is rolled up to for several metrics (weeks, months)
//! between the window's cut and the change's period; the events are
//! then read only from where the metrics that read events or first activities begin. Each
//! metric reads only its own window. The periods before come from the cache.
//!
//! Anything the cache cannot vouch for is computed in full, and the run says why: no cache, a
//! changed definition, time zone or users source, `--full`, a metric that reads every event
//! (`sql`, a running total without a window), sources that are not local files, a request
//! for some metrics, a segment or a range.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::prelude::*;
use serde::{Deserialize, Serialize};
use throughline_model::{Grain, Reach, SourceFormat};

use crate::columns::{DAY, PERIOD};
use crate::error::df;
use crate::inputs::{Keep, Prior, RollUpCache};
use crate::join::JoinNamed;
use crate::sources::{EVENT, TS, Tables, USER};
use crate::{Engine, EngineError, MetricValue, Progress, Request, Step};
use datafusion::logical_expr::JoinType;

/// How a measurement may use its cache.
#[derive(Clone, Debug)]
pub struct Refresh {
    /// The cache folder (created when missing).
    pub dir: PathBuf,
    /// Ignore what is cached: compute every period (the cache is written again).
    pub full: bool,
}

/// What a refreshing measurement did.
#[derive(Clone, Debug, PartialEq)]
pub enum Refreshed {
    /// The request is not one the cache serves (see the module's documentation): computed
    /// in full, the cache left as it was.
    Uncached { reason: String },
    /// Every period was computed, for this reason, and the cache written.
    Full { reason: String },
    /// The periods from `from` were computed again, from the events since `read_from` and
    /// each user's first events before it; `kept` values came from the cache.
    Partial {
        from: NaiveDate,
        read_from: NaiveDate,
        /// A table with a watermark: the rows written since the last run (the file counts
        /// are then of its parts read so far).
        rows: Option<u64>,
        added: usize,
        changed: usize,
        removed: usize,
        kept: usize,
        computed: usize,
        /// Days of the activity roll-up read from the cache instead of rolled up again from
        /// their events (0: none).
        days_reused: i64,
        /// The grains (`week`, `month`, …) whose rolled-up periods between the window's cut
        /// and the change were read from the cache instead of rolled up again from the days.
        periods_reused: Vec<String>,
    },
    /// No file was added, changed or removed, the data ends where it did and the clock was
    /// past that end at both runs: every value came from the cache.
    Unchanged { kept: usize },
}

impl Refreshed {
    /// One line for the terminal.
    pub fn sentence(&self) -> String {
        match self {
            Refreshed::Uncached { reason } => format!("computed without the cache: {reason}"),
            Refreshed::Full { reason } => format!("computed every period: {reason}"),
            Refreshed::Partial {
                from,
                read_from,
                rows,
                added,
                changed,
                removed,
                kept,
                computed,
                days_reused,
                periods_reused,
            } => {
                let since = match rows {
                    Some(n) => format!("{n} row(s) written since the last run"),
                    None => format!(
                        "{added} file(s) added, {changed} changed, {removed} removed since the last run"
                    ),
                };
                let periods = match periods_reused.as_slice() {
                    [] => String::new(),
                    grains => format!(", and their whole {} periods,", grains.join(", ")),
                };
                let days = match days_reused {
                    0 => String::new(),
                    n => format!(
                        " (the activity of {n} day(s) of them{periods} read from the cache)"
                    ),
                };
                format!(
                    "refreshed from {from} ({since}): {computed} value(s) computed from the events since {read_from}{days}, {kept} kept from the cache; `--full` computes every period"
                )
            }
            Refreshed::Unchanged { kept } => format!(
                "nothing changed since the last run (no file or row added, changed or removed): all {kept} value(s) from the cache; `--full` computes every period"
            ),
        }
    }
}

/// Bump when the cache's meaning changes: an older cache is then ignored.
const VERSION: u32 = 2;
const MANIFEST: &str = "manifest.json";

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    /// The request and every definition read (see [`Engine::cache_key`]).
    key: String,
    /// The users source's files.
    users: Vec<Fingerprint>,
    files: Vec<FileEntry>,
    /// The data's last event, the clock and the plausible range's end at the last run (µs).
    data_end_us: i64,
    now_us: i64,
    plausible_end_us: i64,
    values: Vec<Cached>,
    /// The activity roll-up of every day, when the metrics read one.
    #[serde(default)]
    activity: Option<ActivityCache>,
}

/// The daily activity roll-up kept in the cache: the event names of its mask's bits, in
/// order, and its files, each serving its rows of the days from `from_us` to `to_us` (UTC µs
/// of local midnights, `i64::MIN` and `i64::MAX` at the ends); together they serve every day.
/// A refresh reads the days before the change from them instead of rolling up their events
/// again, and adds a file of the days from the change on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ActivityCache {
    names: Vec<String>,
    files: Vec<ActivityFile>,
    /// Per grain (`week`, `month`, …), the rolled-up periods of that grain: files of whole
    /// periods, each serving the periods starting from `from_us` to `to_us`; unlike the days,
    /// they may leave periods out (a refresh then rolls those up from the days again).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    periods: BTreeMap<String, Vec<ActivityFile>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct ActivityFile {
    file: String,
    from_us: i64,
    to_us: i64,
}

/// How many files the roll-up may have: a refresh that would add one more first writes the
/// days before its change into one.
const ACTIVITY_FILES: usize = 8;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    pub(crate) path: String,
    /// Bytes of a file; rows of a part of a table.
    size: u64,
    modified: String,
    /// A part of a table with a watermark: its rows' watermarks, above the first (none: from
    /// the lowest) through the second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rows: Option<(Option<i64>, i64)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct FileEntry {
    file: Fingerprint,
    /// The first and last times of its rows that count (none: no such row).
    span_us: Option<(i64, i64)>,
    /// Its latest time of any row, counted or not (a row past the plausible range counts
    /// once the clock reaches it).
    latest_us: Option<i64>,
    /// The Parquet file in the cache with each user's first event of each name.
    firsts: String,
}

/// A value as cached. Numbers are kept as their bits: JSON's decimal text would not give every
/// `f64` back exactly (and has no NaN), and the refreshed values must equal a full run's.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Cached {
    metric: String,
    grain: String,
    start_us: i64,
    end_us: i64,
    segment: BTreeMap<String, String>,
    value: Option<u64>,
    numerator: Option<u64>,
    denominator: Option<u64>,
    complete: bool,
    curve: Vec<u64>,
    steps: Vec<(String, u64, Option<u64>)>,
}

impl Engine {
    /// [`Engine::measure_with`], recomputing only the periods that the data changed since the
    /// last run can change (see the module's documentation), and saying what it did.
    pub async fn measure_refreshing(
        &self,
        req: &Request,
        refresh: &Refresh,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<(Vec<MetricValue>, Refreshed), EngineError> {
        if let Some(reason) = self.not_cacheable(req)? {
            let values = self.measure_with(req, progress).await?;
            return Ok((values, Refreshed::Uncached { reason }));
        }
        std::fs::create_dir_all(&refresh.dir).map_err(|e| {
            EngineError::new(
                format!(
                    "cannot create the cache folder {}: {e}",
                    refresh.dir.display()
                ),
                "check the folder's permissions, or run with `--full`",
            )
        })?;
        let key = self.cache_key(req)?;
        let users = self.users_fingerprint().await?;
        let (old, unreadable) = match read_manifest(&refresh.dir) {
            Found::Nothing => (None, None),
            Found::Manifest(m) => (Some(m), None),
            Found::Unusable(why) => (None, Some(why)),
        };
        let reason = match &old {
            _ if refresh.full => Some("`--full` was asked for".to_string()),
            None => Some(unreadable.unwrap_or_else(|| "nothing is cached yet".to_string())),
            Some(m) if m.version != VERSION => Some("the cache is from another version".into()),
            Some(m) if m.key != key => Some(
                "a definition, the time zone, the week start, a source or the request changed since the last run".into(),
            ),
            Some(m) if m.users != users => Some("the users source changed".into()),
            Some(_) => None,
        };
        let started = std::time::Instant::now();
        let (files, moved) = match self.watermark() {
            Some(w) => self.table_parts(w, old.as_ref()).await?,
            None => (self.fingerprints("events").await?, None),
        };
        let reason = reason.or(moved);
        let (plausible_end_us, now_us) =
            (self.tables.plausible_us.1, Utc::now().timestamp_micros());
        let Some((_, data_end_us)) = self.span_us else {
            let values = self.measure_with(req, progress).await?;
            return Ok((
                values,
                Refreshed::Full {
                    reason: "there are no events".into(),
                },
            ));
        };
        // each file's entry: kept when its fingerprint is unchanged (and no row it left out
        // as too late has come within the plausible range since), else read again
        let previous: BTreeMap<&Fingerprint, &FileEntry> = old
            .iter()
            .flat_map(|m| m.files.iter().map(|f| (&f.file, f)))
            .collect();
        let stale = |f: &FileEntry| {
            let old_end = old
                .as_ref()
                .map_or(plausible_end_us, |m| m.plausible_end_us);
            f.latest_us.is_some_and(|l| l > old_end) && plausible_end_us > old_end
        };
        let keep = |fp: &Fingerprint| {
            previous
                .get(fp)
                .copied()
                .filter(|e| !refresh.full && !stale(e) && refresh.dir.join(&e.firsts).exists())
        };
        // the files not cached are read two at a time: a file of one row group is read by one
        // core
        let todo: Vec<(usize, &Fingerprint)> = files
            .iter()
            .enumerate()
            .filter(|(_, fp)| keep(fp).is_none())
            .collect();
        let mut read = Vec::new();
        for pair in todo.chunks(2) {
            match pair {
                [(i, a), (j, b)] => {
                    let (x, y) = futures::future::try_join(
                        self.file_entry(a, *i, &refresh.dir),
                        self.file_entry(b, *j, &refresh.dir),
                    )
                    .await?;
                    read.extend([x, y]);
                }
                [(i, a)] => read.push(self.file_entry(a, *i, &refresh.dir).await?),
                _ => {}
            }
        }
        let mut read = read.into_iter();
        let mut entries = Vec::new();
        let (mut added, mut changed) = (Vec::new(), 0usize);
        for fp in &files {
            if let Some(e) = keep(fp) {
                entries.push(e.clone());
                continue;
            }
            let Some(e) = read.next() else { break };
            if old
                .as_ref()
                .is_some_and(|m| m.files.iter().any(|f| f.file.path == fp.path))
            {
                changed += 1;
            }
            added.push(e.clone());
            entries.push(e);
        }
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            files = files.len(),
            read = added.len(),
            "cache: files fingerprinted, new ones read"
        );
        let kept: BTreeSet<&Fingerprint> = entries.iter().map(|e| &e.file).collect();
        let gone: Vec<&FileEntry> = old
            .iter()
            .flat_map(|m| m.files.iter())
            .filter(|f| !kept.contains(&f.file))
            .collect();
        let removed = gone
            .iter()
            .filter(|g| !files.iter().any(|f| f.path == g.file.path))
            .count();
        // the values depend on the clock only while it is before the midnight after the data's
        // last day (a period still running is not final; `measure` ends the data at the
        // earlier of the two)
        let clock_past_the_data = |now: i64| {
            self.data_days().is_some_and(|(_, last)| {
                now >= self
                    .calendar
                    .midnight(last + chrono::Days::new(1))
                    .timestamp_micros()
            })
        };
        let (values, how, activity) = match (reason, &old) {
            (None, Some(old))
                if added.is_empty()
                    && gone.is_empty()
                    && old.data_end_us == data_end_us
                    && clock_past_the_data(old.now_us)
                    && now_us >= old.now_us =>
            {
                match restored_all(&old.values, self.calendar.tz) {
                    Some(values) => {
                        let kept = values.len();
                        (values, Refreshed::Unchanged { kept }, old.activity.clone())
                    }
                    None => {
                        let (values, activity) =
                            self.measure_keeping(req, &refresh.dir, progress).await?;
                        let reason = UNREADABLE_VALUE.to_string();
                        (values, Refreshed::Full { reason }, activity)
                    }
                }
            }
            (None, Some(old)) => {
                // the earliest instant the data changed at, or that the last run's values
                // depend on being the end (of the data, of the clock)
                let changed_at = added
                    .iter()
                    .chain(gone.iter().copied())
                    .filter_map(|e| e.span_us.map(|s| s.0))
                    .chain([old.data_end_us, data_end_us, old.now_us])
                    .min()
                    .unwrap_or(data_end_us);
                let partial = self
                    .partial(req, old, &entries, &refresh.dir, changed_at, progress)
                    .await;
                match partial {
                    Ok(Some((
                        values,
                        from,
                        read_from,
                        kept,
                        activity,
                        (days_reused, periods_reused),
                    ))) => {
                        let computed = values.len() - kept;
                        let how = Refreshed::Partial {
                            from,
                            read_from,
                            // the parts read this run: the rows written since the last
                            rows: self.watermark().map(|_| {
                                added
                                    .iter()
                                    .filter(|e| e.file.rows.is_some())
                                    .map(|e| e.file.size)
                                    .sum()
                            }),
                            added: added.len() - changed,
                            changed,
                            removed,
                            kept,
                            computed,
                            days_reused,
                            periods_reused,
                        };
                        (values, how, activity)
                    }
                    Ok(None) => {
                        let (values, activity) =
                            self.measure_keeping(req, &refresh.dir, progress).await?;
                        let reason = "the change reaches back to the start of the data".into();
                        (values, Refreshed::Full { reason }, activity)
                    }
                    // a cache another run is rewriting or that is damaged, or a window that
                    // failed to compute: computed in full instead
                    Err(e) => {
                        let (values, activity) =
                            self.measure_keeping(req, &refresh.dir, progress).await?;
                        let reason = format!("the refresh failed ({})", e.message);
                        (values, Refreshed::Full { reason }, activity)
                    }
                }
            }
            (reason, _) => {
                let (values, activity) = self.measure_keeping(req, &refresh.dir, progress).await?;
                let reason = reason.unwrap_or_default();
                (values, Refreshed::Full { reason }, activity)
            }
        };
        let manifest = Manifest {
            version: VERSION,
            key,
            users,
            files: entries,
            data_end_us,
            now_us,
            plausible_end_us,
            values: values.iter().map(cached).collect(),
            activity,
        };
        write_manifest(&refresh.dir, &manifest)?;
        Ok((values, how))
    }

    /// Every period of `req` computed, with the activity roll-up kept in the cache folder
    /// `dir` (when the metrics read one).
    async fn measure_keeping(
        &self,
        req: &Request,
        dir: &Path,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<(Vec<MetricValue>, Option<ActivityCache>), EngineError> {
        let names = self.activity_names(req)?;
        let file = new_activity_file();
        let keep = names.as_ref().map(|_| Keep {
            path: dir.join(&file),
            from_us: None,
        });
        // every period of each grain rolled up, kept
        let period_files: BTreeMap<Grain, String> = PERIOD_GRAINS
            .iter()
            .map(|g| (*g, new_periods_file(*g)))
            .collect();
        let periods = period_files
            .iter()
            .map(|(g, f)| {
                let keep = Keep {
                    path: dir.join(f),
                    from_us: None,
                };
                (*g, crate::inputs::PeriodsCache { prior: None, keep })
            })
            .collect();
        let froms = crate::measure::Froms {
            roll_up: RollUpCache {
                prior: None,
                keep,
                periods,
            },
            ..Default::default()
        };
        let values = self
            .measure_over(&self.tables, req, &froms, progress)
            .await
            .map_err(|e| self.placement.explain_error(e))?;
        // no file when the roll-up was not written (its events are read in the database),
        // nor for a grain whose periods were not rolled up
        let every = |file: String| {
            vec![ActivityFile {
                file,
                from_us: i64::MIN,
                to_us: i64::MAX,
            }]
        };
        let activity = names
            .filter(|_| dir.join(&file).exists())
            .map(|names| ActivityCache {
                names,
                files: every(file),
                periods: period_files
                    .into_iter()
                    .filter(|(_, f)| dir.join(f).exists())
                    .map(|(g, f)| (grain_key(g), every(f)))
                    .collect(),
            });
        Ok((values, activity))
    }

    /// The event names of the activity roll-up's bits, in order, when the metrics of `req`
    /// read the roll-up (as [`crate::inputs::Inputs::build`] numbers them).
    fn activity_names(&self, req: &Request) -> Result<Option<Vec<String>>, EngineError> {
        let needs = self.needs(&self.requested(req)?)?;
        Ok(needs.activity.then(|| needs.activity_bits()))
    }

    /// The cached rows of `files` (days or periods, by their column `time`) from `from_us`
    /// to `to_us`, as a refresh reads them instead of rolling them up (none when the range
    /// is empty).
    async fn cached_prior(
        &self,
        files: &[ActivityFile],
        time: &str,
        dir: &Path,
        from_us: i64,
        to_us: i64,
    ) -> Result<Option<Prior>, EngineError> {
        if from_us >= to_us {
            return Ok(None);
        }
        let rows = self.cached_rows(files, time, dir, from_us, to_us).await?;
        Ok(rows.map(|rows| Prior {
            rows,
            from_us,
            to_us,
        }))
    }

    /// The cached rows of `files` (days or periods, by their column `time`) from `from_us`
    /// to `to_us`.
    async fn cached_rows(
        &self,
        files: &[ActivityFile],
        time: &str,
        dir: &Path,
        from_us: i64,
        to_us: i64,
    ) -> Result<Option<DataFrame>, EngineError> {
        let fail = |e| df("reading the cached activity roll-up", e);
        let at = crate::inputs::utc;
        let mut out: Option<DataFrame> = None;
        for f in files {
            let (lo, hi) = (f.from_us.max(from_us), f.to_us.min(to_us));
            if lo >= hi {
                continue;
            }
            let mut rows = self
                .ctx
                .read_parquet(
                    dir.join(&f.file).to_string_lossy().as_ref(),
                    ParquetReadOptions::default(),
                )
                .await
                .map_err(fail)?;
            if lo > i64::MIN {
                rows = rows.filter(col(time).gt_eq(at(lo))).map_err(fail)?;
            }
            if hi < i64::MAX {
                rows = rows.filter(col(time).lt(at(hi))).map_err(fail)?;
            }
            out = Some(match out {
                Some(o) => o.union(rows).map_err(fail)?,
                None => rows,
            });
        }
        Ok(out)
    }

    /// What a refresh from the change at `change_us` (a local midnight, UTC µs) with its
    /// window from `cut_us` does with the cached roll-up `old`: the rows it reads instead of
    /// rolling up, where it keeps the rows from the change on, and the roll-up the cache then
    /// holds, for the roll-up of the event names `names` (none: the metrics read no roll-up).
    /// Nothing when the cache has no roll-up (the next full computation keeps one). With [`ACTIVITY_FILES`] files already, the days before the
    /// change are first written into one.
    async fn reused_activity(
        &self,
        names: Option<Vec<String>>,
        old: Option<&ActivityCache>,
        dir: &Path,
        cut_us: i64,
        change_us: i64,
    ) -> Result<(RollUpCache, Option<ActivityCache>), EngineError> {
        let (Some(a), Some(names)) = (old, names) else {
            return Ok((RollUpCache::default(), None));
        };
        // a roll-up that does not serve every day once cannot stand in for the events: the
        // refresh fails, and the run computes every period and keeps a whole one again
        let unusable = |why: String| {
            EngineError::new(
                format!("the cached activity roll-up {why}"),
                "run with `--full`",
            )
        };
        if a.names != names || !covers_every_day(a) {
            return Err(unusable("does not match its manifest".into()));
        }
        if let Some(f) = a.files.iter().find(|f| !dir.join(&f.file).exists()) {
            return Err(unusable(format!("misses its file {}", f.file)));
        }
        if change_us < cut_us {
            return Ok((RollUpCache::default(), None));
        }
        let mut before: Vec<ActivityFile> = a
            .files
            .iter()
            .filter(|f| f.from_us < change_us)
            .map(|f| ActivityFile {
                to_us: f.to_us.min(change_us),
                ..f.clone()
            })
            .collect();
        if before.len() >= ACTIVITY_FILES {
            let file = new_activity_file();
            let Some(rows) = self
                .cached_rows(&a.files, DAY, dir, i64::MIN, change_us)
                .await?
            else {
                return Ok((RollUpCache::default(), None));
            };
            let keep = Keep {
                path: dir.join(&file),
                from_us: None,
            };
            crate::inputs::kept(&rows, &keep, DAY).await?;
            before = vec![ActivityFile {
                file,
                from_us: i64::MIN,
                to_us: change_us,
            }];
        }
        let (periods, next_periods) = self.reused_periods(a, dir, cut_us, change_us).await?;
        let compacted = ActivityCache {
            names: a.names.clone(),
            files: before,
            periods: next_periods,
        };
        let prior = self
            .cached_prior(&compacted.files, DAY, dir, cut_us, change_us)
            .await?;
        let file = new_activity_file();
        let keep = Keep {
            path: dir.join(&file),
            from_us: Some(change_us),
        };
        let mut next = compacted;
        next.files.push(ActivityFile {
            file,
            from_us: change_us,
            to_us: i64::MAX,
        });
        Ok((
            RollUpCache {
                prior,
                keep: Some(keep),
                periods,
            },
            Some(next),
        ))
    }

    /// Per grain, what a refresh with its window from `cut_us` and its change at `change_us`
    /// does with the cached periods of `a`: the whole periods from the first starting at or
    /// after the cut to the one holding the change are read from the cache when its files
    /// serve them all, and this run keeps the periods from the later of those two on (the
    /// periods before the cut are rolled up from first events only, and those from the
    /// change on can change). Also the files the cache then names, per grain: those it had,
    /// up to the change's period, and this run's; a file wholly before the cut is served no
    /// more (a refresh's cut moves on with the data), nor are the oldest past
    /// [`ACTIVITY_FILES`].
    async fn reused_periods(
        &self,
        a: &ActivityCache,
        dir: &Path,
        cut_us: i64,
        change_us: i64,
    ) -> Result<
        (
            BTreeMap<Grain, crate::inputs::PeriodsCache>,
            BTreeMap<String, Vec<ActivityFile>>,
        ),
        EngineError,
    > {
        let cal = &self.calendar;
        let mut caches = BTreeMap::new();
        let mut named = BTreeMap::new();
        for grain in PERIOD_GRAINS {
            let (Some(cut_day), Some(change)) =
                (cal.day_of(cut_us), cal.period_start_us(grain, change_us))
            else {
                continue;
            };
            // the first period starting at or after the cut
            let start = cal.midnight(cal.period_start(grain, cut_day));
            let first = match start.timestamp_micros() < cut_us {
                true => cal.period_end(grain, start),
                false => start,
            }
            .timestamp_micros();
            let old: Vec<ActivityFile> = a
                .periods
                .get(&grain_key(grain))
                .filter(|files| files.iter().all(|f| dir.join(&f.file).exists()))
                .cloned()
                .unwrap_or_default();
            let prior = match serves(&old, first, change) {
                true => self.cached_prior(&old, PERIOD, dir, first, change).await?,
                false => None,
            };
            let mut files: Vec<ActivityFile> = old
                .into_iter()
                .filter(|f| f.from_us < change && f.to_us > first)
                .map(|f| ActivityFile {
                    to_us: f.to_us.min(change),
                    ..f
                })
                .collect();
            files.sort_by_key(|f| f.from_us);
            let over = (files.len() + 1).saturating_sub(ACTIVITY_FILES);
            files.drain(..over);
            let file = new_periods_file(grain);
            let from = first.max(change);
            files.push(ActivityFile {
                file: file.clone(),
                from_us: from,
                to_us: i64::MAX,
            });
            let keep = Keep {
                path: dir.join(&file),
                from_us: Some(from),
            };
            caches.insert(grain, crate::inputs::PeriodsCache { prior, keep });
            named.insert(grain_key(grain), files);
        }
        Ok((caches, named))
    }

    /// Why `req` is computed in full whatever the cache holds, if it is.
    fn not_cacheable(&self, req: &Request) -> Result<Option<String>, EngineError> {
        if matches!(self.placement, crate::cluster::Placement::Cluster(_)) {
            return Ok(Some("the plans run on a cluster".into()));
        }
        if !req.metrics.is_empty() || req.by.is_some() || req.from.is_some() || req.to.is_some() {
            return Ok(Some(
                "the cache serves every metric over the whole range, without `--by`".into(),
            ));
        }
        let events = self.events_source();
        if !crate::opening::local_files(&self.workspace) && self.watermark().is_none() {
            let why = match events.map(|e| e.format.value) {
                Some(SourceFormat::Postgres) => {
                    "the events are a PostgreSQL table without a `watermark:` column (declare one to read only the rows written since the last run)"
                }
                _ => "the events are not local files (an object store is read in full)",
            };
            return Ok(Some(why.into()));
        }
        for m in self.reads(&self.requested(req)?)? {
            if m.compute.as_ref().map(|c| c.value.reach()) == Some(Reach::Everything) {
                return Ok(Some(format!(
                    "metric `{}` reads every event since the data begins",
                    m.id.value
                )));
            }
        }
        Ok(None)
    }

    /// What the cached values depend on besides the data: each metric's definition and
    /// grain, and the request.
    fn cache_key(&self, req: &Request) -> Result<String, EngineError> {
        let mut text = format!("grain={:?};", req.grain);
        let ids = self.requested(req)?;
        for m in self.reads(&ids)? {
            let hash = self
                .workspace
                .definition_hash(&m.id.value)
                .unwrap_or_default();
            text.push_str(&format!(
                "{}={hash}@{};",
                m.id.value,
                self.grain(m, req).as_str()
            ));
        }
        text.push_str(&format!("requested={ids:?}"));
        // the column the cached parts of a table are told apart by (in no definition's hash:
        // it decides no value)
        if let Some(w) = self.watermark() {
            text.push_str(&format!(";watermark={}", w.value));
        }
        Ok(text)
    }

    /// The files of source `name` as the listing sees them; none for a source that is not
    /// made of local files.
    async fn fingerprints(&self, name: &str) -> Result<Vec<Fingerprint>, EngineError> {
        match self.workspace.settings.sources.get(name) {
            Some(s) => fingerprints(&self.ctx, s, &self.root).await,
            None => Ok(Vec::new()),
        }
    }

    fn events_source(&self) -> Option<&throughline_model::Source> {
        self.workspace.settings.sources.get("events")
    }

    /// The events source's `watermark:` column, when it is a database table that has one.
    fn watermark(&self) -> Option<&throughline_model::Text> {
        self.events_source()
            .filter(|e| e.format.value == SourceFormat::Postgres)
            .and_then(|e| e.watermark.as_ref())
    }

    /// The watermark column's values as integers (a time as microseconds), for comparing
    /// with the ones kept.
    fn watermark_value(&self, w: &throughline_model::Text) -> Result<Expr, EngineError> {
        // the event's own time (a poor watermark: a late event lies below it) is read as
        // `ts`, as the source maps it
        let time = self
            .events_source()
            .and_then(|s| s.columns.time.as_ref())
            .map_or("ts", |t| t.value.as_str());
        let name = if w.value == time {
            TS
        } else {
            w.value.as_str()
        };
        let column = ident(name);
        match crate::sources::column_type(&self.tables.events, name) {
            Some(DataType::Timestamp(..)) => Ok(crate::instant::epoch_us(column)),
            Some(t) if t.is_integer() => Ok(cast(column, DataType::Int64)),
            Some(t) => Err(EngineError::new(
                format!("`watermark: {}` is {t}, not a time or an integer", w.value),
                "name a column every new row gets a higher value in: a load time (`timestamptz`) or an increasing id",
            )
            .at(w.span)),
            None => Err(EngineError::new(
                format!("`watermark: {}` is not a column of the events table", w.value),
                "name a column of the table (or of the query's result), or remove `watermark:`",
            )
            .at(w.span)),
        }
    }

    /// The parts of a table with a watermark: those the last run read, when the table still
    /// holds as many rows at or below its highest watermark, and one of the rows written
    /// since; else one part of every row, and why the run computes everything. One statement.
    async fn table_parts(
        &self,
        w: &throughline_model::Text,
        old: Option<&Manifest>,
    ) -> Result<(Vec<Fingerprint>, Option<String>), EngineError> {
        use datafusion::functions_aggregate::expr_fn::{count, sum};
        let fail = |e| df("reading the events table's watermark", e);
        let kept: Vec<Fingerprint> = old
            .iter()
            .flat_map(|m| &m.files)
            .filter(|f| f.file.rows.is_some())
            .map(|f| f.file.clone())
            .collect();
        let old_hi = kept.iter().filter_map(|f| f.rows.map(|r| r.1)).max();
        let old_rows: u64 = kept.iter().map(|f| f.size).sum();
        let v = self.watermark_value(w)?;
        let one_if = |c: Expr| when(c, lit(1i64)).otherwise(lit(0i64)).map_err(fail);
        let below = match old_hi {
            Some(h) => sum(one_if(v.clone().lt_eq(lit(h)))?),
            None => lit(0i64),
        };
        let batches = self
            .tables
            .events
            .clone()
            .aggregate(
                vec![],
                vec![
                    max(v.clone()).alias("hi"),
                    cast(count(lit(1i64)), DataType::Int64).alias("rows"),
                    cast(sum(one_if(v.is_null())?), DataType::Int64).alias("nulls"),
                    cast(below, DataType::Int64).alias("below"),
                ],
            )
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let int = |c: usize| first_int(&batches, c);
        let (hi, rows, nulls, below) = (int(0), int(1).unwrap_or(0), int(2), int(3));
        let table = self
            .events_source()
            .and_then(|s| s.table.as_ref().map(|t| t.value.clone()))
            .unwrap_or_else(|| "the events query".into());
        let part = |lo: Option<i64>, hi: i64, size: i64| Fingerprint {
            path: format!(
                "{table} where {} in ({}, {hi}]",
                w.value,
                lo.map_or("lowest".into(), |l| l.to_string())
            ),
            size: size.max(0) as u64,
            modified: String::new(),
            rows: Some((lo, hi)),
        };
        let every =
            |why: Option<String>| (hi.map(|h| part(None, h, rows)).into_iter().collect(), why);
        if let Some(n) = nulls.filter(|n| *n > 0) {
            return Ok(every(Some(format!(
                "{n} row(s) of {table} have no `{}` (the watermark), so the rows written since the last run cannot be told apart",
                w.value
            ))));
        }
        let Some(h) = old_hi else {
            return Ok(every(None));
        };
        let below = below.unwrap_or(0);
        if below as u64 != old_rows {
            // a time as the instant it is, not as its microseconds
            let shown = match crate::sources::column_type(&self.tables.events, &w.value) {
                Some(DataType::Timestamp(..)) => Utc
                    .timestamp_micros(h)
                    .single()
                    .map_or(h.to_string(), |t| t.to_rfc3339()),
                _ => h.to_string(),
            };
            return Ok(every(Some(format!(
                "{table} holds {below} row(s) with `{}` at or below {shown}, the last run's highest, where it read {old_rows}: rows were deleted, or written or updated below the watermark",
                w.value
            ))));
        }
        let mut parts = kept;
        if let Some(now) = hi.filter(|now| *now > h) {
            parts.push(part(Some(h), now, rows - below));
        }
        Ok((parts, None))
    }

    /// What tells the users source's content apart: its files' fingerprints, or for a table
    /// its rows' count and a hash of their text (added up, so in any order). A table of
    /// users is read whole for it; it has a row per user, not per event.
    async fn users_fingerprint(&self) -> Result<Vec<Fingerprint>, EngineError> {
        let table = self
            .workspace
            .settings
            .sources
            .get("users")
            .is_some_and(|s| s.format.value == SourceFormat::Postgres);
        let (true, Some(users)) = (table, &self.tables.users) else {
            return self.fingerprints("users").await;
        };
        let fail = |e| df("reading the users table", e);
        let batches = users.clone().collect().await.map_err(fail)?;
        let (mut rows, mut sum) = (0u64, 0u64);
        for b in &batches {
            for i in 0..b.num_rows() {
                let mut text = String::new();
                for c in b.columns() {
                    let v = datafusion::arrow::util::display::array_value_to_string(c, i)
                        .map_err(|e| df("reading the users table", e.into()))?;
                    text.push_str(&v);
                    text.push('\u{1f}');
                }
                sum = sum.wrapping_add(fnv(&text));
                rows += 1;
            }
        }
        Ok(vec![Fingerprint {
            path: "the users table".into(),
            size: rows,
            modified: format!("{sum:016x}"),
            rows: None,
        }])
    }

    /// Reads one events file: its span and each user's first event of each name, written to
    /// the cache.
    async fn file_entry(
        &self,
        fp: &Fingerprint,
        i: usize,
        dir: &Path,
    ) -> Result<FileEntry, EngineError> {
        let path = url::Url::parse(&fp.path)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .unwrap_or_else(|| PathBuf::from(&fp.path));
        let name = format!("__refresh_file_{i}");
        let all = match (fp.rows, self.watermark()) {
            // a part of a table: its rows by their watermark
            (Some((lo, hi)), Some(w)) => {
                let v = self.watermark_value(w)?;
                let mut rows = v.clone().lt_eq(lit(hi));
                if let Some(lo) = lo {
                    rows = rows.and(v.gt(lit(lo)));
                }
                self.tables
                    .events
                    .clone()
                    .filter(rows)
                    .map_err(|e| df("reading the rows written since the last run", e))?
            }
            _ => {
                let only = BTreeSet::from([fp.path.clone()]);
                crate::sources::events_files(
                    &self.ctx,
                    &self.workspace,
                    &self.root,
                    &self.calendar,
                    &name,
                    Some(&only),
                    &mut Default::default(),
                )
                .await?
            }
        };
        let what = format!("reading {}", path.display());
        let fail = |e| df(&what, e);
        let counted = self.tables.counted.clone();
        let when_counted = |e: Expr| when(counted.clone(), e).end().map_err(fail);
        let firsts = format!("firsts-{}.parquet", short_hash(&format!("{fp:?}")));
        let tmp = dir.join(format!("tmp-{}-{firsts}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        // one scan: per user and name, the first and last counted times and the latest time
        // of any row; the firsts file keeps them, the file's span is read back from it
        let firsts_of_part = all
            .aggregate(
                vec![col(USER), col(EVENT)],
                vec![
                    min(when_counted(col(TS))?).alias(TS),
                    max(when_counted(col(TS))?).alias("__last"),
                    max(col(TS)).alias("__latest"),
                ],
            )
            .map_err(fail)?;
        if fp.rows.is_some() {
            // a part of a table: the aggregation runs in the database, and its rows are
            // written here as they come (a plan writing files cannot run there)
            crate::inputs::write_stream(firsts_of_part, &tmp)
                .await
                .map_err(fail)?;
        } else {
            firsts_of_part
                .write_parquet(
                    &tmp.to_string_lossy(),
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    None,
                )
                .await
                .map_err(fail)?;
        }
        let _ = self.ctx.deregister_table(name.as_str());
        let us = |e: Expr| crate::instant::epoch_us(e);
        let batches = self
            .ctx
            .read_parquet(
                tmp.to_string_lossy().as_ref(),
                ParquetReadOptions::default(),
            )
            .await
            .and_then(|d| {
                d.aggregate(
                    vec![],
                    vec![
                        min(us(col(TS))).alias("lo"),
                        max(us(col("__last"))).alias("hi"),
                        max(us(col("__latest"))).alias("latest"),
                    ],
                )
            })
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let int = |c: usize| first_int(&batches, c);
        let span_us = int(0).zip(int(1));
        let latest_us = int(2);
        std::fs::rename(&tmp, dir.join(&firsts)).map_err(|e| {
            EngineError::new(
                format!("cannot write the cache in {}: {e}", dir.display()),
                "check the folder's permissions and free space, or run with `--full`",
            )
        })?;
        Ok(FileEntry {
            file: fp.clone(),
            span_us,
            latest_us,
            firsts,
        })
    }

    /// The values of the periods the change at `changed_at` (µs) can reach, computed from a
    /// window of the events, with the earlier ones from the cache; `None` when the change
    /// reaches back to the start of the data (then nothing is saved by a window).
    #[allow(clippy::type_complexity)]
    async fn partial(
        &self,
        req: &Request,
        old: &Manifest,
        entries: &[FileEntry],
        dir: &Path,
        changed_at: i64,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Option<PartialRun>, EngineError> {
        let tz = self.calendar.tz;
        let day_of = |us: i64| self.calendar.day_of(us);
        let Some((first_day, _)) = self.data_days() else {
            return Ok(None);
        };
        // each requested metric's first period the change can reach: of the metric or of any
        // metric it reads (at its grain); each of those is computed from the earliest first
        // period of the metrics that read it
        let mut froms = crate::measure::Froms::default();
        let mut own: BTreeMap<String, NaiveDate> = BTreeMap::new();
        let requested = self.requested(req)?;
        for id in &requested {
            let grain = self.grain(self.metric(id)?, req);
            let reads = self.reads(std::slice::from_ref(id))?;
            let mut from: Option<NaiveDate> = None;
            for m in &reads {
                let Some(Reach::Window { after_us, .. }) =
                    m.compute.as_ref().map(|c| c.value.reach())
                else {
                    continue;
                };
                let Some(day) = day_of(changed_at.saturating_sub(after_us)) else {
                    return Ok(None);
                };
                let start = self.calendar.period_start(grain, day);
                from = Some(from.map_or(start, |f| f.min(start)));
            }
            let Some(from) = from else { continue };
            own.insert(id.clone(), from);
            for m in &reads {
                let slot = froms
                    .first
                    .entry((m.id.value.clone(), grain))
                    .or_insert(from);
                *slot = (*slot).min(from);
            }
        }
        // the first day each metric reads the events from (a day more for a clock change
        // inside its window); a type that reads first events reads, between the cut and that
        // day, each user's first event of each name, since a user's first event may lie there
        struct Read {
            slot: (String, Grain),
            day: NaiveDate,
            firsts: bool,
            /// It reads the events, not only the activity roll-up.
            events: bool,
        }
        let mut reads: Vec<Read> = Vec::new();
        for ((id, grain), first) in &froms.first {
            let Some(c) = self.metric(id)?.compute.as_ref().map(|c| &c.value) else {
                continue;
            };
            if let Reach::Window { before_days, .. } = c.reach() {
                reads.push(Read {
                    slot: (id.clone(), *grain),
                    day: *first - chrono::Days::new(before_days.max(0) as u64 + 1),
                    firsts: !c.first_events().is_empty(),
                    events: c.activity().is_none(),
                });
            }
        }
        let (Some(read_from), Some(&from)) =
            (reads.iter().map(|r| r.day).min(), own.values().min())
        else {
            return Ok(None);
        };
        if read_from <= first_day {
            return Ok(None);
        }
        let cut = self.calendar.midnight(read_from).with_timezone(&Utc);
        // the activity roll-up of the days from the cut to the change's day from the cache
        let Some(change_day) = day_of(changed_at) else {
            return Ok(None);
        };
        let change_us = self.calendar.midnight(change_day).timestamp_micros();
        let needs = self.needs(&requested)?;
        let (roll_up, activity) = self
            .reused_activity(
                needs.activity.then(|| needs.activity_bits()),
                old.activity.as_ref(),
                dir,
                cut.timestamp_micros(),
                change_us,
            )
            .await?;
        let kept_at = roll_up.keep.as_ref().map(|k| k.path.clone());
        // with the roll-up's days before the change read from the cache, the metrics that
        // read only the roll-up (and no user's first activity) need no events before the
        // change: the events are read from the first day another metric reads them from
        // (each user's first events before it, which the roll-up's first activities are
        // taken from too, are of the users with events from then on, and so of every user a
        // metric reading first activities counts)
        let (events_from, days_reused) = match &roll_up.prior {
            Some(_) => (
                reads
                    .iter()
                    .filter(|r| r.firsts || r.events)
                    .fold(change_day, |day, r| day.min(r.day))
                    .max(read_from),
                (change_day - read_from).num_days(),
            ),
            None => (read_from, 0),
        };
        let events_cut = self.calendar.midnight(events_from).with_timezone(&Utc);
        froms.cut = Some(crate::measure::Cut {
            events_us: events_cut.timestamp_micros(),
            activity_us: cut.timestamp_micros(),
        });
        // the grains whose cached periods are read, if rolled up (then this run keeps theirs)
        let period_priors: Vec<(String, PathBuf)> = roll_up
            .periods
            .iter()
            .filter(|(_, c)| c.prior.is_some())
            .map(|(g, c)| (grain_key(*g), c.keep.path.clone()))
            .collect();
        froms.roll_up = roll_up;
        for r in reads {
            let at = self.calendar.midnight(r.day).with_timezone(&Utc);
            let reads = crate::measure::Reads {
                from_us: at.timestamp_micros(),
                firsts: r.firsts,
            };
            froms.reads.insert(r.slot, reads);
        }
        // the events whose first occurrence per user the metrics read (`None`: any)
        let mut firsts: BTreeSet<Option<String>> = BTreeSet::new();
        for m in self.reads(&requested)? {
            if let Some(c) = &m.compute {
                firsts.extend(
                    c.value
                        .first_events()
                        .into_iter()
                        .map(|e| e.map(|e| e.value.clone())),
                );
            }
        }
        // the window's intermediate tables, removed when the values are computed
        let scratch = match self.scratch_dir(true) {
            Some(d) => Some(crate::inputs::scratch(d)?),
            None => None,
        };
        let names = (!needs.all_events).then_some(&needs.events);
        let window = self
            .window(
                entries,
                dir,
                events_cut.timestamp_micros(),
                (&firsts, names),
                scratch.as_ref().map(|t| t.path()),
            )
            .await?;
        tracing::debug!(%from, %read_from, %events_from, "cache: the window of events planned");
        let fresh = self.measure_over(&window, req, &froms, progress).await?;
        // the roll-up from the change on was kept (not when it was not written)
        let periods_reused: Vec<String> = period_priors
            .into_iter()
            .filter(|(_, kept)| kept.exists())
            .map(|(g, _)| g)
            .collect();
        let activity = activity
            .filter(|_| kept_at.is_some_and(|p| p.exists()))
            .map(|mut a| {
                // a grain whose periods were not rolled up this run kept no file: none kept
                a.periods
                    .retain(|_, files| files.last().is_some_and(|f| dir.join(&f.file).exists()));
                a
            });
        // each metric's values from its first recomputed period on, the earlier from the cache
        let from_us: BTreeMap<&str, i64> = own
            .iter()
            .map(|(id, f)| {
                let us = self.calendar.midnight(*f).with_timezone(&Utc);
                (id.as_str(), us.timestamp_micros())
            })
            .collect();
        let recomputed =
            |metric: &str, start_us: i64| from_us.get(metric).is_none_or(|f| start_us >= *f);
        let mut values: Vec<MetricValue> = Vec::new();
        let mut kept = 0;
        for c in old
            .values
            .iter()
            .filter(|c| !recomputed(&c.metric, c.start_us))
        {
            let v = restored(c, tz)
                .ok_or_else(|| EngineError::new(UNREADABLE_VALUE, "run with `--full`"))?;
            values.push(v);
            kept += 1;
        }
        values.extend(
            fresh
                .into_iter()
                .filter(|v| recomputed(&v.metric, v.start.with_timezone(&Utc).timestamp_micros())),
        );
        // in the order a full computation gives: by metric as requested, then as computed
        let order: BTreeMap<String, usize> = requested
            .into_iter()
            .enumerate()
            .map(|(i, id)| (id, i))
            .collect();
        values.sort_by_key(|v| order.get(&v.metric).copied().unwrap_or(usize::MAX));
        let mut by_metric: Vec<Vec<MetricValue>> = Vec::new();
        for v in values {
            match by_metric.last_mut() {
                Some(run) if run[0].metric == v.metric => run.push(v),
                _ => by_metric.push(vec![v]),
            }
        }
        let mut out = Vec::new();
        for mut run in by_metric {
            run.sort_by(|a, b| (&a.segment, a.start).cmp(&(&b.segment, b.start)));
            out.extend(run);
        }
        Ok(Some((
            out,
            from,
            events_from,
            kept,
            activity,
            (days_reused, periods_reused),
        )))
    }

    /// The sources with their events cut at `cut_us`: the events from then on, and before it
    /// each user's first event of each name in `firsts` (of every name when it holds `None`;
    /// none when it is empty), from the cached files, its other columns empty. With a scratch
    /// folder the events from the cut are written there once, of the event names the metrics
    /// read (`names`; `None`: every name), and every plan reads them from there.
    async fn window(
        &self,
        entries: &[FileEntry],
        dir: &Path,
        cut_us: i64,
        (firsts, names): (&BTreeSet<Option<String>>, Option<&BTreeSet<String>>),
        scratch: Option<&Path>,
    ) -> Result<Tables, EngineError> {
        let fail = |e| df("reading the cache", e);
        let cut = crate::inputs::utc(cut_us);
        let paths: Vec<String> = entries
            .iter()
            .filter(|e| !firsts.is_empty() && e.span_us.is_some_and(|(lo, _)| lo < cut_us))
            .map(|e| dir.join(&e.firsts).to_string_lossy().into_owned())
            .collect();
        let events = &self.tables.events;
        // the events from the cut, of the files that hold any (a file of older events is not
        // read again), in the source's column types
        let overlapping: BTreeSet<String> = entries
            .iter()
            .filter(|e| e.span_us.is_some_and(|(_, hi)| hi >= cut_us))
            .map(|e| e.file.path.clone())
            .collect();
        let later = match self.watermark() {
            // a table: the rows from the cut, read where they are
            Some(_) => self.tables.events.clone(),
            None => {
                crate::sources::events_files(
                    &self.ctx,
                    &self.workspace,
                    &self.root,
                    &self.calendar,
                    "__refresh_window",
                    Some(&overlapping),
                    &mut Default::default(),
                )
                .await?
            }
        }
        .filter(self.tables.counted.clone())
        .and_then(|d| d.filter(col(TS).gt_eq(cut.clone())))
        .map_err(fail)?;
        let later = crate::inputs::like(events, later)?;
        // with a scratch folder, the events from the cut are read from the source's files
        // once (every file, when each holds all of the data's weeks), of the names the
        // metrics read, and written there: the first events' users and every metric's plan
        // read them there
        let later = match (scratch, names) {
            (Some(folder), Some(names)) => {
                let names: Vec<Expr> = names.iter().map(|n| lit(n.clone())).collect();
                let named = later
                    .filter(cast(col(EVENT), DataType::Utf8).in_list(names, false))
                    .map_err(fail)?;
                crate::inputs::written(&self.ctx, named, folder, "window", WINDOW).await?
            }
            (Some(folder), None) => {
                crate::inputs::written(&self.ctx, later, folder, "window", WINDOW).await?
            }
            (None, _) => later,
        };
        let mut t = self.tables.clone();
        t.events = if paths.is_empty() {
            later
        } else {
            self.firsts_before(paths, cut, firsts, &later, scratch)
                .await?
                .union(later)
                .map_err(fail)?
        };
        Ok(t)
    }

    /// Each user's first event of each name in `firsts` before `cut`, of the users with events
    /// in `later` (the window from the cut), from the cached files `paths`, in the events'
    /// columns (the others empty).
    async fn firsts_before(
        &self,
        paths: Vec<String>,
        cut: Expr,
        firsts: &BTreeSet<Option<String>>,
        later: &DataFrame,
        scratch: Option<&Path>,
    ) -> Result<DataFrame, EngineError> {
        let fail = |e| df("reading the cache", e);
        let mut read = self
            .ctx
            .read_parquet(paths, ParquetReadOptions::default())
            .await
            .map_err(fail)?;
        if !firsts.contains(&None) {
            let names: Vec<Expr> = firsts.iter().flatten().map(|n| lit(n.clone())).collect();
            read = read
                .filter(cast(col(EVENT), DataType::Utf8).in_list(names, false))
                .map_err(fail)?;
        }
        // only the first events of users with events from the cut: a user without any has no
        // value from the window's periods on (no cohort starts there, no activity there), so
        // whether and when they did something first changes none. Each file's first events
        // before the cut are cut down to those users before the earliest of each user and
        // name is taken across files (the same earliest, over far fewer rows).
        let users = later
            .clone()
            .select(vec![col(USER).alias("__window_user")])
            .and_then(|d| d.distinct())
            .map_err(fail)?;
        let firsts = read
            .filter(col(TS).is_not_null().and(col(TS).lt(cut)))
            .and_then(|d| {
                d.join_named(users, JoinType::LeftSemi, &[USER], &["__window_user"], None)
            })
            .and_then(|d| d.aggregate(vec![col(USER), col(EVENT)], vec![min(col(TS)).alias(TS)]))
            .map_err(fail)?;
        // computed once, alone, rather than again inside every metric's plan that reads the
        // window: the aggregation over every user's first events then has the memory pool to
        // itself, where beside the activity roll-up's operators its share was too small to
        // spill in at 100M events and a 2 GB limit
        let firsts = match scratch {
            Some(folder) => {
                crate::inputs::written(
                    &self.ctx,
                    firsts,
                    folder,
                    "firsts",
                    "the first events before the window",
                )
                .await?
            }
            None => firsts,
        };
        crate::inputs::like(&self.tables.events, firsts)
    }
}

/// What a partial refresh gives: the values, the first period computed again, the first day
/// of the window, how many values came from the cache, the activity roll-up it now holds, and
/// how many days of it were read from the cache.
/// A partial refresh's values, first recomputed period, first day of events read, values
/// kept, the roll-up the cache then holds, and what of the roll-up it read from the cache
/// (days, grains of periods).
type PartialRun = (
    Vec<MetricValue>,
    NaiveDate,
    NaiveDate,
    usize,
    Option<ActivityCache>,
    (i64, Vec<String>),
);

/// Whether the files of `a` serve every day once: from the first instant to the last, each
/// where the one before ends.
/// The grains whose rolled-up periods the cache keeps (those a run rolls up: see
/// [`crate::inputs::Inputs::periods`]).
const PERIOD_GRAINS: [Grain; 4] = [Grain::Day, Grain::Week, Grain::Month, Grain::Quarter];

/// A grain's key in the manifest.
/// The files of source `s` (paths relative to `root`) as the listing sees them; none for a
/// source that is not made of files.
pub(crate) async fn fingerprints(
    ctx: &SessionContext,
    s: &throughline_model::Source,
    root: &Path,
) -> Result<Vec<Fingerprint>, EngineError> {
    let Some(path) = s
        .path
        .as_ref()
        .filter(|_| s.format.value != SourceFormat::Postgres)
    else {
        return Ok(Vec::new());
    };
    let full = root.join(&path.value);
    let ext = Path::new(&path.value)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let files = crate::sources::listing::list(ctx, &full.to_string_lossy(), &ext)
        .await
        .map_err(|e| df("listing the source's files", e))?;
    Ok(files
        .objects()
        .map(|(url, meta)| Fingerprint {
            path: url.as_str().to_string(),
            size: meta.size,
            modified: format!(
                "{}{}",
                meta.last_modified.to_rfc3339(),
                meta.e_tag
                    .as_deref()
                    .map_or(String::new(), |t| format!(" {t}"))
            ),
            rows: None,
        })
        .collect())
}

fn grain_key(g: Grain) -> String {
    format!("{g:?}").to_lowercase()
}

/// Whether `files` serve every period starting from `from_us` to `to_us`.
fn serves(files: &[ActivityFile], from_us: i64, to_us: i64) -> bool {
    let mut sorted: Vec<&ActivityFile> = files.iter().collect();
    sorted.sort_by_key(|f| f.from_us);
    let mut at = from_us;
    for f in sorted {
        if f.from_us > at {
            break;
        }
        at = at.max(f.to_us);
    }
    at >= to_us
}

fn covers_every_day(a: &ActivityCache) -> bool {
    let mut files: Vec<&ActivityFile> = a.files.iter().collect();
    files.sort_by_key(|f| f.from_us);
    let mut at = i64::MIN;
    for f in files {
        if f.from_us != at || f.to_us <= f.from_us {
            return false;
        }
        at = f.to_us;
    }
    at == i64::MAX
}

/// A new file name for a part of the activity roll-up.
fn new_activity_file() -> String {
    let now = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "activity-{}.parquet",
        short_hash(&format!("{} {now}", std::process::id()))
    )
}

/// A new file name for a part of the rolled-up periods of `grain`.
fn new_periods_file(grain: Grain) -> String {
    let now = Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "periods-{}-{}.parquet",
        grain_key(grain),
        short_hash(&format!("{} {grain:?} {now}", std::process::id()))
    )
}

/// The events a refresh reads from its cut, in errors.
const WINDOW: &str = "the window of events";

/// The first row's integer in column `c` of `batches` (a one-row aggregate), if not empty.
fn first_int(batches: &[datafusion::arrow::record_batch::RecordBatch], c: usize) -> Option<i64> {
    batches.first().and_then(|b| {
        let a = b
            .column(c)
            .as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>()?;
        (!a.is_null(0)).then(|| a.value(0))
    })
}

fn cached(v: &MetricValue) -> Cached {
    Cached {
        metric: v.metric.clone(),
        grain: v.grain.as_str().to_string(),
        start_us: v.start.with_timezone(&Utc).timestamp_micros(),
        end_us: v.end.with_timezone(&Utc).timestamp_micros(),
        segment: v.segment.clone(),
        value: v.value.map(f64::to_bits),
        numerator: v.numerator.map(f64::to_bits),
        denominator: v.denominator.map(f64::to_bits),
        complete: v.complete,
        curve: v.curve.iter().map(|c| c.to_bits()).collect(),
        steps: v
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.users.to_bits(), s.rate.map(f64::to_bits)))
            .collect(),
    }
}

/// Why a cache is computed in full when one of its values cannot be turned back into one (a
/// grain or an instant it does not know): none is left out.
const UNREADABLE_VALUE: &str = "a value in the cache cannot be read back";

/// Every cached value, or `None` when one cannot be read back.
fn restored_all(values: &[Cached], tz: chrono_tz::Tz) -> Option<Vec<MetricValue>> {
    values.iter().map(|c| restored(c, tz)).collect()
}

fn restored(c: &Cached, tz: chrono_tz::Tz) -> Option<MetricValue> {
    let at = |us: i64| {
        Utc.timestamp_micros(us)
            .single()
            .map(|t| t.with_timezone(&tz))
    };
    Some(MetricValue {
        metric: c.metric.clone(),
        grain: Grain::named(&c.grain)?,
        start: at(c.start_us)?,
        end: at(c.end_us)?,
        segment: c.segment.clone(),
        value: c.value.map(f64::from_bits),
        numerator: c.numerator.map(f64::from_bits),
        denominator: c.denominator.map(f64::from_bits),
        complete: c.complete,
        curve: c.curve.iter().map(|b| f64::from_bits(*b)).collect(),
        steps: c
            .steps
            .iter()
            .map(|(name, users, rate)| Step {
                name: name.clone(),
                users: f64::from_bits(*users),
                rate: rate.map(f64::from_bits),
            })
            .collect(),
    })
}

/// What the cache folder holds.
enum Found {
    Nothing,
    Manifest(Manifest),
    /// A manifest that cannot be read or is damaged, and why in words (the run then computes
    /// every period and writes it anew).
    Unusable(String),
}

fn read_manifest(dir: &Path) -> Found {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Found::Nothing,
        Err(e) => {
            return Found::Unusable(format!(
                "{} cannot be read ({e}); it is written anew",
                path.display()
            ));
        }
    };
    match serde_json::from_str(&text) {
        Ok(m) => Found::Manifest(m),
        Err(e) => Found::Unusable(format!(
            "{} is damaged ({e}); it is written anew",
            path.display()
        )),
    }
}

/// Writes the manifest whole or not at all (a temporary file renamed over it), then removes
/// the cached files it no longer names.
fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), EngineError> {
    let fail = |e: std::io::Error| {
        EngineError::new(
            format!("cannot write the cache in {}: {e}", dir.display()),
            "check the folder's permissions and free space, or run with `--full`",
        )
    };
    let tmp = dir.join(format!("{MANIFEST}.{}.tmp", std::process::id()));
    let text = serde_json::to_string(m).map_err(|e| fail(std::io::Error::other(e)))?;
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, dir.join(MANIFEST)).map_err(fail)?;
    let named: BTreeSet<&str> = m
        .files
        .iter()
        .map(|f| f.firsts.as_str())
        .chain(m.activity.iter().flat_map(|a| {
            a.files
                .iter()
                .chain(a.periods.values().flatten())
                .map(|f| f.file.as_str())
        }))
        .collect();
    if let Ok(read) = std::fs::read_dir(dir) {
        for e in read.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let cached = name.starts_with("firsts-")
                || name.starts_with("activity-")
                || name.starts_with("periods-");
            if cached && !named.contains(name.as_str()) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

/// A short stable hash of `text` (FNV-1a, 64 bits): a file name, not a secret.
pub(crate) fn short_hash(text: &str) -> String {
    format!("{:016x}", fnv(text))
}

/// FNV-1a, 64 bits.
fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_follows_the_fingerprint() {
        assert_eq!(short_hash("a"), short_hash("a"));
        assert_ne!(short_hash("a"), short_hash("b"));
    }
}
