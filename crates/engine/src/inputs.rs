//! The work shared by every metric of a request, done once: the events are read and
//! filtered to the event names and columns the metrics use, and joined to the users'
//! dimension when segmenting (streamed from the files by each plan, never held in memory);
//! a per-user, per-day activity roll-up (user, day, a bit per event name the activity metrics
//! filter on) serves active users, churn and stickiness. The roll-up is written once to a
//! temporary Parquet file and read from there, so its size on disk, not in memory, grows with
//! the data.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use datafusion::logical_expr::JoinType;
use datafusion::prelude::*;

use throughline_model::Metric;

use crate::error::{EngineError, df};
use crate::join::JoinNamed;
use crate::sources::{EVENT, SIGNUP, TS, Tables, USER, column_type};
use crate::time::Calendar;
use throughline_model::Grain;

use crate::columns::{DAY, DAYS, MASK, NO_SEGMENT, PERIOD, SEGMENT};

/// What a set of metrics reads.
#[derive(Debug, Default)]
pub(crate) struct Needs {
    /// Event names read; `None` inside means every event.
    pub events: BTreeSet<String>,
    pub all_events: bool,
    /// Event columns read (properties and filter columns).
    pub columns: BTreeSet<String>,
    pub activity: bool,
    /// Event names the activity metrics filter on (a bit each in the roll-up).
    pub activity_events: BTreeSet<String>,
    /// How many metrics read users' active periods of each grain (see [`Inputs::periods`]).
    pub period_readers: BTreeMap<Grain, usize>,
}

impl Needs {
    pub fn add(&mut self, m: &Metric) {
        let Some(c) = &m.compute else { return };
        for e in c.value.events() {
            match e {
                Some(e) => {
                    self.events.insert(e.value.clone());
                }
                None => self.all_events = true,
            }
        }
        self.columns.extend(c.value.columns());
        if let Some(e) = c.value.activity() {
            self.activity = true;
            self.activity_events.extend(e.map(|e| e.value.clone()));
        }
    }

    /// The event names the activity roll-up's `mask` has a bit for, in the bits' order (at
    /// most 62: a metric filtering on another fails with a message).
    pub fn activity_bits(&self) -> Vec<String> {
        self.activity_events.iter().take(62).cloned().collect()
    }

    /// Notes that `m`, computed at `grain`, reads users' active periods of a grain: active
    /// users and stickiness (of any event) at `grain`, churn and lifecycle at their `every`.
    pub fn add_periods(&mut self, m: &Metric, grain: Grain) {
        let Some(read) = m
            .compute
            .as_ref()
            .and_then(|c| c.value.active_periods(grain))
        else {
            return;
        };
        *self.period_readers.entry(read).or_default() += 1;
    }
}

/// The tables metric plans read.
#[derive(Clone)]
pub(crate) struct Inputs {
    /// `user_id`, `ts`, `event`, the needed columns, and `segment` when segmenting.
    pub events: DataFrame,
    /// `user_id`, `day` (local midnight), `mask`, and `segment`: one row per user and day
    /// with at least one event.
    pub activity: Option<DataFrame>,
    /// The bit of `mask` of each event name the activity metrics filter on.
    pub activity_bits: BTreeMap<String, i64>,
    /// Per grain read by two metrics or more, the roll-up rolled up again: `user_id`,
    /// `period`, `mask`, `days` (the user's active days in it), and `segment`: one row per
    /// user and period with activity. Each reader counts rows instead of finding the distinct
    /// users of the daily rows again. Only when the roll-up is written to the scratch folder.
    pub periods: BTreeMap<Grain, DataFrame>,
    /// The folder holding the materialized roll-up, removed when the inputs are dropped.
    _scratch: Option<Arc<tempfile::TempDir>>,
    /// `user_id`, `signup_ts`, and `segment` when segmenting.
    pub users: Option<DataFrame>,
    /// The dimension segmented by.
    pub by: Option<String>,
    /// Every column of the events source, for messages.
    pub event_columns: Vec<String>,
    /// The session the sources are registered in (for `sql` metrics).
    pub session: SessionContext,
    /// How the cohort joins are split by user (see [`crate::plan::parts`]).
    pub parts: crate::plan::parts::Parts,
    /// Whether the shared tables were computed into the scratch folder (see
    /// [`Inputs::build`]): a plan may then compute a small table it reads twice once, before
    /// it runs (else the plans show everything computed from the sources, for `--explain`,
    /// a database or a cluster).
    pub materialized: bool,
    /// The first and last local days of the event data, when known and the inputs are
    /// [`Inputs::materialized`] (a table in memory would stop a plan from running in a
    /// database, could not be sent to a cluster's executors, and `--explain` could not show
    /// it as SQL): the periods a plan may list from the calendar instead of finding them in
    /// the data.
    pub days: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
}

/// What a refresh's activity roll-up reuses and keeps (see `refresh`): the roll-up is the
/// same table either way, only less of it is computed from the events.
#[derive(Clone, Debug, Default)]
pub(crate) struct RollUpCache {
    /// The rows of some days, rolled up by an earlier run.
    pub prior: Option<Prior>,
    /// Where to write the finished roll-up's rows for the next run.
    pub keep: Option<Keep>,
    /// Per grain, the rolled-up periods (see [`Inputs::periods`]) an earlier run kept and
    /// where to keep this run's: used when the periods of that grain are rolled up.
    pub periods: BTreeMap<Grain, PeriodsCache>,
}

/// The rolled-up periods of one grain in a refresh's cache: whole periods from `prior`
/// (its `from_us` and `to_us` are period starts) instead of rolled up again from the days,
/// and the periods from `keep`'s `from_us` on written for the next run.
#[derive(Clone, Debug)]
pub(crate) struct PeriodsCache {
    pub prior: Option<Prior>,
    pub keep: Keep,
}

/// The roll-up's rows of the days from `from_us` to `to_us` (UTC µs of local midnights) and
/// of no other day, rolled up by an earlier run (`user_id`, `day`, `mask`, the bits of the same event names):
/// the events of those days are not rolled up again.
#[derive(Clone, Debug)]
pub(crate) struct Prior {
    pub rows: DataFrame,
    pub from_us: i64,
    pub to_us: i64,
}

/// The finished roll-up's rows of the days from `from_us` on (every day: `None`), written to
/// the Parquet file `path` (whole or not at all).
#[derive(Clone, Debug)]
pub(crate) struct Keep {
    pub path: std::path::PathBuf,
    pub from_us: Option<i64>,
}

impl Inputs {
    /// These inputs with the columns `m` reads that the events lack added as nulls (a
    /// property as a number, a `where:` column as text): a metric over an event the data
    /// never has plans, and measures as no data, instead of failing on the columns that only
    /// that event would have brought.
    pub fn with_absent_columns(
        &self,
        m: &throughline_model::Metric,
    ) -> Result<Inputs, EngineError> {
        use datafusion::scalar::ScalarValue;
        let Some(compute) = &m.compute else {
            return Ok(self.clone());
        };
        let property = compute.value.property().map(|p| p.value.as_str());
        let mut out = self.clone();
        for c in compute.value.columns() {
            if column_type(&out.events, &c).is_some() {
                continue;
            }
            let null = if Some(c.as_str()) == property {
                ScalarValue::Float64(None)
            } else {
                ScalarValue::Utf8(None)
            };
            out.events = out
                .events
                .with_column(&c, lit(null))
                .map_err(|e| df("adding a column the events lack", e))?;
            out.event_columns.push(c);
        }
        Ok(out)
    }

    /// These inputs without the events and activity from the `cut` to `from_us` (UTC µs): a
    /// metric of a refresh reads only its own window after the first events before the cut
    /// (the events' and the roll-up's cuts apart).
    ///
    /// Without `firsts` (a type that reads no user's first event) nothing before `from_us` is
    /// kept (see [`Inputs::own_window`]).
    ///
    /// With `firsts` (a type that reads users' first events: a cohort's start, a first
    /// activity) it keeps, of that stretch, each user's first event of each name, first day
    /// of each activity mask and first period of each mask: a user's first event may lie
    /// there, and nothing else of it is read (every later event such a type reads is at or
    /// after its cohort's start or within its window).
    pub fn narrowed(
        &self,
        cut: crate::measure::Cut,
        from_us: i64,
        firsts: bool,
        cal: &Calendar,
    ) -> Result<Inputs, EngineError> {
        use datafusion::functions_aggregate::expr_fn::min;
        if !firsts {
            return self.own_window(from_us, cal);
        }
        let fail = |e| df("narrowing the window", e);
        let keep = |c: &str, cut_us: i64| col(c).lt(utc(cut_us)).or(col(c).gt_eq(utc(from_us)));
        let between = |c: &str, cut_us: i64| col(c).gt_eq(utc(cut_us)).and(col(c).lt(utc(from_us)));
        // each group's earliest `time` of the rows between the cut and `from`, in `d`'s
        // columns (the others empty)
        let earliest = |d: &DataFrame, keys: &[&str], time: &str, cut_us: i64| {
            let mut groups: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            if self.segmented() {
                groups.push(col(SEGMENT));
            }
            let first = d
                .clone()
                .filter(between(time, cut_us))
                .and_then(|d| d.aggregate(groups, vec![min(col(time)).alias(time)]))
                .map_err(fail)?;
            like(d, first)
        };
        // the rows before the cut and from `from`, and the earliest between
        let narrowed = |d: &DataFrame, keys: &[&str], time: &str, cut_us: i64| {
            if from_us <= cut_us {
                return Ok(d.clone());
            }
            let first = earliest(d, keys, time, cut_us)?;
            d.clone()
                .filter(keep(time, cut_us))
                .and_then(|kept| kept.union(first))
                .map_err(fail)
        };
        let mut out = self.clone();
        out.events = narrowed(&self.events, &[USER, EVENT], TS, cut.events_us)?;
        if let Some(a) = &self.activity {
            out.activity = Some(narrowed(a, &[USER, MASK], DAY, cut.activity_us)?);
        }
        // of the rolled-up periods too, between the cut and `from` only each user's first of
        // each mask (their `days` empty: such a type reads whether and when, not how many days)
        for (grain, p) in &self.periods {
            out.periods
                .insert(*grain, narrowed(p, &[USER, MASK], PERIOD, cut.activity_us)?);
        }
        Ok(out)
    }

    /// These inputs from `from_us` (UTC µs) on, for a type that reads no user's first event:
    /// the first events before a refresh's cut are there for the other types, and this one
    /// reads none of them. Of the rolled-up periods it keeps those from the one holding
    /// `from_us` on (a type reads them from its own first period less its reach, which the
    /// window holds whole; the period holding `from_us` may be partial, and its value, like
    /// any before the metric's first recomputed period, is not kept).
    fn own_window(&self, from_us: i64, cal: &Calendar) -> Result<Inputs, EngineError> {
        let since = |d: &DataFrame, c: &str, us: i64| {
            d.clone()
                .filter(col(c).gt_eq(utc(us)))
                .map_err(|e| df("narrowing the window", e))
        };
        let mut out = self.clone();
        out.events = since(&self.events, TS, from_us)?;
        if let Some(a) = &self.activity {
            out.activity = Some(since(a, DAY, from_us)?);
        }
        for (grain, p) in &self.periods {
            if let Some(start) = cal.period_start_us(*grain, from_us) {
                out.periods.insert(*grain, since(p, PERIOD, start)?);
            }
        }
        Ok(out)
    }

    /// Whether values are split by a dimension (every plan then carries `segment`).
    pub fn segmented(&self) -> bool {
        self.by.is_some()
    }

    /// `first`, followed by `segment` when segmenting: the leading columns of a plan.
    pub fn keyed(&self, first: Expr) -> Vec<Expr> {
        let mut cols = vec![first];
        if self.segmented() {
            cols.push(col(SEGMENT));
        }
        cols
    }

    /// Builds the shared inputs; `materialize` computes the activity roll-up now, into a
    /// temporary file under `scratch` (else the plans show it computed from the sources, for
    /// `--explain`). A refresh's `cached` rows of the roll-up are read instead of rolled up
    /// again, and its rows are kept where `cached` says (only when materialized and not
    /// segmented: the cache serves neither).
    // Long because it builds the shared inputs in order (events, users and their segment, the
    // activity roll-up); each step depends on the previous one's frames.
    pub async fn build(
        session: &SessionContext,
        t: &Tables,
        needs: &Needs,
        by: Option<&str>,
        cal: &Calendar,
        materialize: Option<&std::path::Path>,
        cached: &RollUpCache,
    ) -> Result<Inputs, EngineError> {
        let mut events = t.events.clone();
        if !needs.all_events {
            let names: Vec<Expr> = needs.events.iter().map(|e| lit(e.clone())).collect();
            events = events
                .filter(col(EVENT).in_list(names, false))
                .map_err(|e| df("selecting events", e))?;
        }
        let mut cols = vec![col(USER), col(TS), col(EVENT)];
        for c in &needs.columns {
            if column_type(&events, c).is_some() {
                cols.push(ident(c.clone()));
            }
        }
        events = events
            .select(cols)
            .map_err(|e| df("selecting columns", e))?;
        let unsegmented = events.clone();
        let mut users = t.users.clone();
        if let Some(dim) = by {
            let u = users.clone().ok_or_else(|| {
                EngineError::new(
                    format!("cannot segment by `{dim}`: the workspace has no `users` source"),
                    "add a `users` source with `dimensions:` to throughline.yaml",
                )
            })?;
            if !t.dimensions.iter().any(|d| d == dim) {
                let help = match throughline_model::did_you_mean(
                    dim,
                    t.dimensions.iter().map(String::as_str),
                ) {
                    Some(s) => format!(
                        "did you mean `{s}`? the dimensions are: {}",
                        t.dimensions.join(", ")
                    ),
                    None if t.dimensions.is_empty() => {
                        "declare `dimensions:` on the users source in throughline.yaml".into()
                    }
                    None => format!("the dimensions are: {}", t.dimensions.join(", ")),
                };
                return Err(EngineError::new(
                    format!("`{dim}` is not a dimension of the users source"),
                    help,
                ));
            }
            let u = u
                .select(vec![
                    col(USER),
                    col(SIGNUP),
                    coalesce(vec![ident(dim), lit(NO_SEGMENT)]).alias(SEGMENT),
                ])
                .map_err(|e| df("segmenting", e))?;
            let right = u
                .clone()
                .select(vec![
                    col(USER).alias("__user"),
                    col(SEGMENT).alias("__segment"),
                ])
                .map_err(|e| df("segmenting", e))?;
            // users without a row in the users table keep their events, in `(none)`
            let mut keep: Vec<Expr> = events
                .schema()
                .fields()
                .iter()
                .map(|f| ident(f.name()))
                .collect();
            keep.push(coalesce(vec![col("__segment"), lit(NO_SEGMENT)]).alias(SEGMENT));
            events = events
                .join_named(right, JoinType::Left, &[USER], &["__user"], None)
                .and_then(|d| d.select(keep))
                .map_err(|e| df("joining users", e))?;
            users = Some(u);
        } else if let Some(u) = users {
            users = Some(
                u.select(vec![col(USER), col(SIGNUP)])
                    .map_err(|e| df("reading users", e))?,
            );
        }
        let bits: BTreeMap<String, i64> = needs
            .activity_bits()
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e, 1i64 << i))
            .collect();
        let mut periods = BTreeMap::new();
        let (activity, scratch) = if needs.activity {
            let a = match (&cached.prior, by) {
                (Some(p), None) => rolled_around(unsegmented, p, &bits, cal)?,
                _ => rollup(unsegmented, &bits, cal)?,
            };
            let a = match (by, &users) {
                (Some(_), Some(u)) => {
                    let right = u
                        .clone()
                        .select(vec![
                            col(USER).alias("__user"),
                            col(SEGMENT).alias("__segment"),
                        ])
                        .map_err(|e| df("segmenting", e))?;
                    a.join_named(right, JoinType::Left, &[USER], &["__user"], None)
                        .and_then(|d| {
                            d.select(vec![
                                col(USER),
                                col(DAY),
                                col(MASK),
                                coalesce(vec![col("__segment"), lit(NO_SEGMENT)]).alias(SEGMENT),
                            ])
                        })
                        .map_err(|e| df("segmenting activity", e))?
                }
                _ => a,
            };
            match materialize {
                Some(dir) => {
                    let tmp = scratch(dir)?;
                    let frame = written(session, a, tmp.path(), "activity", ROLL_UP).await?;
                    if let (Some(k), None) = (&cached.keep, by) {
                        kept(&frame, k, DAY).await?;
                    }
                    for (grain, _) in needs.period_readers.iter().filter(|(_, n)| **n >= 2) {
                        let cache = cached.periods.get(grain).filter(|_| by.is_none());
                        let p = match cache.and_then(|c| c.prior.as_ref()) {
                            // the periods of `prior` from it (its bounds are period starts)
                            Some(prior) => around(frame.clone(), DAY, prior, |days| {
                                by_period(days, *grain, false, cal)
                            })?,
                            None => by_period(frame.clone(), *grain, by.is_some(), cal)?,
                        };
                        let name = format!("activity_{grain:?}").to_lowercase();
                        let p = written(session, p, tmp.path(), &name, ROLL_UP).await?;
                        if let Some(c) = cache {
                            kept(&p, &c.keep, PERIOD).await?;
                        }
                        periods.insert(*grain, p);
                    }
                    (Some(frame), Some(Arc::new(tmp)))
                }
                None => (Some(a), None),
            }
        } else {
            (None, None)
        };
        Ok(Inputs {
            events,
            activity,
            activity_bits: bits,
            periods,
            _scratch: scratch,
            users,
            by: by.map(String::from),
            event_columns: t
                .events
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .filter(|n| n != crate::sources::RAW_TIME)
                .collect(),
            session: session.clone(),
            parts: crate::plan::parts::Parts::new(1, None),
            materialized: materialize.is_some(),
            days: None,
        })
    }
}

/// One row per user and day with an event: `user_id`, `day`, and `mask` (the bits of the
/// activity metrics' event names seen that day).
fn rollup(
    events: DataFrame,
    bits: &BTreeMap<String, i64>,
    cal: &Calendar,
) -> Result<DataFrame, EngineError> {
    use datafusion::functions_aggregate::expr_fn::bit_or;
    let mask = if bits.is_empty() {
        lit(0i64)
    } else {
        let mut case = datafusion::logical_expr::case(col(EVENT));
        for (name, bit) in bits {
            case = case.when(lit(name.clone()), lit(*bit));
        }
        case.otherwise(lit(0i64))
            .map_err(|e| df("rolling up activity", e))?
    };
    events
        .aggregate(
            vec![col(USER), cal.bucket(Grain::Day, col(TS)).alias(DAY)],
            vec![bit_or(mask).alias(MASK)],
        )
        .map_err(|e| df("rolling up activity", e))
}

/// The roll-up of `events` with the days of `prior` taken from it instead of rolled up
/// again: the events before and after them rolled up, and its rows added (the days apart,
/// so no user and day is in both).
fn rolled_around(
    events: DataFrame,
    prior: &Prior,
    bits: &BTreeMap<String, i64>,
    cal: &Calendar,
) -> Result<DataFrame, EngineError> {
    // the rows of those days only (see `Prior`): no user and day is in both
    around(events, TS, prior, |outside| rollup(outside, bits, cal))
}

/// `roll` of the rows of `frame` whose `time` lies outside `prior`'s span, and `prior`'s
/// rows (rolled up by an earlier run) instead of those inside it: the span's bounds are day
/// or period starts, so no rolled-up row is in both.
fn around(
    frame: DataFrame,
    time: &str,
    prior: &Prior,
    roll: impl FnOnce(DataFrame) -> Result<DataFrame, EngineError>,
) -> Result<DataFrame, EngineError> {
    let fail = |e| df("rolling up activity around the cached rows", e);
    let outside = frame
        .filter(
            col(time)
                .lt(utc(prior.from_us))
                .or(col(time).gt_eq(utc(prior.to_us))),
        )
        .map_err(fail)?;
    let rolled = roll(outside)?;
    let cached = like(&rolled, prior.rows.clone())?;
    rolled.union(cached).map_err(fail)
}

/// The instant `us` (UTC µs) as a literal.
pub(crate) fn utc(us: i64) -> Expr {
    lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}

/// Writes the rows of the roll-up `frame` (days or periods, by their column `time`) that
/// `keep` asks for to its file, through a temporary file renamed over it.
pub(crate) async fn kept(frame: &DataFrame, keep: &Keep, time: &str) -> Result<(), EngineError> {
    let fail = |e| df("keeping the activity roll-up in the cache", e);
    let rows = match keep.from_us {
        Some(from) => frame
            .clone()
            .filter(col(time).gt_eq(utc(from)))
            .map_err(fail)?,
        None => frame.clone(),
    };
    // not named like a cached file until it is whole (a cache's clean-up removes those it
    // does not name, not the files another run is writing)
    let name = keep.path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = keep.path.with_file_name(format!("tmp-{name}"));
    let started = std::time::Instant::now();
    let written = rows
        .clone()
        .write_parquet(
            &tmp.to_string_lossy(),
            datafusion::dataframe::DataFrameWriteOptions::new().with_single_file_output(true),
            None,
        )
        .await;
    // no rows: the writer may write no file, and a file of no rows is what is kept
    let written = match written {
        Ok(_) if !tmp.exists() => write_stream(rows, &tmp).await,
        other => other.map(|_| ()),
    };
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    std::fs::rename(&tmp, &keep.path).map_err(|e| {
        EngineError::new(
            format!("cannot write the cache file {}: {e}", keep.path.display()),
            "check the folder's permissions and free space, or run with `--full`",
        )
    })?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        file = %keep.path.display(),
        "cache: activity roll-up kept"
    );
    Ok(())
}

/// Runs `frame` and writes its rows to the Parquet file `path` as they come.
pub(crate) async fn write_stream(
    frame: DataFrame,
    path: &std::path::Path,
) -> Result<(), datafusion::error::DataFusionError> {
    use datafusion::parquet::arrow::ArrowWriter;
    use futures::StreamExt;
    let schema = std::sync::Arc::new(frame.schema().as_arrow().clone());
    let mut stream = frame.execute_stream().await?;
    let file = std::fs::File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, schema, None)?;
    while let Some(batch) = stream.next().await {
        writer.write(&batch?)?;
    }
    writer.close()?;
    Ok(())
}

/// The daily roll-up `days` rolled up to one row per user and period of `grain`: `user_id`,
/// `period`, `mask` (every bit of the period's days), `days` (how many), and `segment`.
fn by_period(
    days: DataFrame,
    grain: Grain,
    segmented: bool,
    cal: &Calendar,
) -> Result<DataFrame, EngineError> {
    use datafusion::functions_aggregate::expr_fn::{bit_or, count};
    let mut groups = vec![col(USER), cal.bucket(grain, col(DAY)).alias(PERIOD)];
    if segmented {
        groups.push(col(SEGMENT));
    }
    days.aggregate(
        groups,
        vec![bit_or(col(MASK)).alias(MASK), count(lit(1)).alias(DAYS)],
    )
    .map_err(|e| df("rolling up active periods", e))
}

/// `d` in the columns and types of `events` (in their order), those it lacks empty.
pub(crate) fn like(events: &DataFrame, d: DataFrame) -> Result<DataFrame, EngineError> {
    let have: BTreeSet<String> = d
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let cols: Vec<Expr> = events
        .schema()
        .fields()
        .iter()
        .map(|f| {
            let name = f.name().as_str();
            let value = if have.contains(name) {
                col(name)
            } else {
                lit(datafusion::scalar::ScalarValue::Null)
            };
            cast(value, f.data_type().clone()).alias(name)
        })
        .collect();
    d.select(cols)
        .map_err(|e| df("shaping a table like the events", e))
}

/// The activity roll-up and its active periods, in errors.
const ROLL_UP: &str = "the activity roll-up";

/// A new folder under `dir` for one measurement's intermediate tables, removed when dropped.
pub(crate) fn scratch(dir: &std::path::Path) -> Result<tempfile::TempDir, EngineError> {
    tempfile::Builder::new()
        .prefix("throughline-")
        .tempdir_in(dir)
        .map_err(|e| scratch_error(dir, &e))
}

/// A scratch folder that could not be made: where, and how to give it another place.
pub(crate) fn scratch_error(dir: &std::path::Path, e: &std::io::Error) -> EngineError {
    EngineError::new(
        format!("cannot make a scratch folder in {}: {e}", dir.display()),
        "set THROUGHLINE_SPILL_DIR to a folder with free space",
    )
}

/// Runs `frame` into Parquet files in the folder `dir/name` and reads them back; `what` names
/// the table in errors. A table used by several plans is computed once so, and alone: its
/// operators share the memory pool with no others.
pub(crate) async fn written(
    session: &SessionContext,
    frame: DataFrame,
    dir: &std::path::Path,
    name: &str,
    what: &str,
) -> Result<DataFrame, EngineError> {
    // a folder written as such (the trailing `/`): without it DataFusion writes one file
    // named `name` when the plan has one partition (a CSV source), and reading it back as
    // Parquet then fails on its missing extension
    let folder = dir.join(name);
    std::fs::create_dir_all(&folder).map_err(|e| scratch_error(&folder, &e))?;
    let path = format!("{}/", folder.to_string_lossy());
    let schema = std::sync::Arc::new(frame.schema().as_arrow().clone());
    let started = std::time::Instant::now();
    frame
        .write_parquet(
            &path,
            datafusion::dataframe::DataFrameWriteOptions::new(),
            None,
        )
        .await
        .map_err(|e| df(&format!("writing {what}"), e))?;
    tracing::debug!(
        table = name,
        seconds = started.elapsed().as_secs_f64(),
        "scratch table written"
    );
    // no rows (none of the events the activity metrics read occur): no files are written,
    // and the roll-up is empty, not missing
    read_folder(session, &folder, schema, what).await
}

/// The Parquet files in `folder` as one table; a folder without any (no rows were written to
/// it, or it was never made) is an empty table of `schema`. `what` names it in errors.
pub(crate) async fn read_folder(
    session: &SessionContext,
    folder: &std::path::Path,
    schema: datafusion::arrow::datatypes::SchemaRef,
    what: &str,
) -> Result<DataFrame, EngineError> {
    let fail = |e| df(&format!("reading {what}"), e);
    if !std::fs::read_dir(folder).is_ok_and(|mut d| d.next().is_some()) {
        let empty = datafusion::arrow::record_batch::RecordBatch::new_empty(schema);
        return session.read_batch(empty).map_err(fail);
    }
    session
        .read_parquet(
            &format!("{}/", folder.to_string_lossy()),
            ParquetReadOptions::default(),
        )
        .await
        .map_err(fail)
}
