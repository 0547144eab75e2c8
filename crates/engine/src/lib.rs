//! throughline's metric engine: each metric definition becomes a query plan on the embedded
//! Apache DataFusion engine, run over the workspace's event and user data.
//!
//! A request is planned as a whole: the events are read once (only the event names and
//! columns the requested metrics use), a per-user daily activity roll-up is built once for
//! every metric that counts active users, and each metric's plan runs over those shared,
//! in-memory inputs. `ratio` and `derived` metrics combine other metrics' values.

pub mod cluster;
mod columns;
mod error;
mod experiment;
mod explain;
mod filter;
mod inputs;
pub mod instant;
mod join;
mod locate;
mod measure;
mod opening;
mod output;
mod plan;
pub mod profile;
mod refresh;
mod session;
mod sources;
pub mod stores;
pub mod time;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::{count, min};
use datafusion::prelude::*;
use throughline_model::{Grain, Workspace};

pub use error::EngineError;
pub use experiment::{ExperimentData, MetricArms, PRE_DAYS};
use inputs::Inputs;
pub use refresh::{Refresh, Refreshed};
pub use session::{EngineOptions, OpeningCache, parse_size};
pub use time::Calendar;

/// What to measure.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// Metric ids; empty means every metric.
    pub metrics: Vec<String>,
    /// Grain for every metric; `None` uses each metric's `cadence.report` (weekly without one).
    pub grain: Option<Grain>,
    /// A user dimension to segment by.
    pub by: Option<String>,
    /// First local date included.
    pub from: Option<NaiveDate>,
    /// Last local date included.
    pub to: Option<NaiveDate>,
}

/// One computed value: a metric for one period and segment.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricValue {
    pub metric: String,
    /// The length of the period.
    pub grain: Grain,
    /// Inclusive.
    pub start: DateTime<Tz>,
    /// Exclusive.
    pub end: DateTime<Tz>,
    /// Dimension → value; empty for the total.
    pub segment: BTreeMap<String, String>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// False when the period reaches past the end of the data, or a cohort's window has not
    /// fully elapsed by then.
    pub complete: bool,
    /// Retention only: the share returning in each step k = 0..=horizon.
    pub curve: Vec<f64>,
    /// Funnel: each step's users and share of the entrants; lifecycle: each status's users
    /// (dormant negative, no share).
    pub steps: Vec<Step>,
}

/// One step of a funnel or one status of a lifecycle, in one period and segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The step's event, or the status (`new`, `returning`, `resurrected`, `dormant`).
    pub name: String,
    pub users: f64,
    /// Funnel: the share of the period's entrants who reached the step (×100 for percents).
    pub rate: Option<f64>,
}

/// Where a measurement is.
#[derive(Clone, Debug)]
pub enum Progress<'a> {
    /// Reading the events the metrics need into memory.
    Reading,
    /// Computing a metric (`done` of `total` finished before it).
    Metric {
        id: &'a str,
        done: usize,
        total: usize,
    },
    /// A `sql` metric left out of an all-metrics request segmented by a dimension its query
    /// does not return.
    Skipped { id: &'a str, reason: String },
    /// A metric's cohort join ran out of the memory limit and is computed again in `parts`
    /// parts by user (see `EngineOptions::join_parts`).
    InParts { id: &'a str, parts: u32 },
}

/// How a metric is computed, for `measure --explain`.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub metric: String,
    /// The sources read, as `name: path (format)`.
    pub sources: Vec<String>,
    /// Labelled plans: the optimized query plan of the metric and of any metric it reads.
    pub plans: Vec<(String, String)>,
    /// The same plan as PostgreSQL-dialect SQL, when it can be rendered; when the events are
    /// in PostgreSQL, the statements sent to it.
    pub sql: Vec<(String, String)>,
    /// When the events are in PostgreSQL: for each metric, where its plan runs (all in the
    /// database, or which operators run in throughline on the rows the statements return).
    pub database: Vec<(String, String)>,
    /// Where the plans run when not simply in this process: on a cluster, or here although
    /// a cluster was asked for (and why).
    pub placement: Option<String>,
}

/// An event name's users (see [`Engine::event_users`]).
#[derive(Clone, Debug)]
pub struct EventUsers {
    pub name: String,
    pub users: u64,
    pub mean_first_us: i64,
}

/// A workspace's data, opened for querying.
pub struct Engine {
    ctx: SessionContext,
    tables: sources::Tables,
    calendar: Calendar,
    workspace: Workspace,
    /// First and last event instants (UTC, microseconds).
    span_us: Option<(i64, i64)>,
    /// Each event name in the data, with its count and first and last instants.
    names: BTreeMap<String, NameSeen>,
    /// Event names the metrics read that never occur in the data.
    absent: Vec<AbsentName>,
    warnings: Vec<String>,
    /// Where intermediate tables of a measurement are written (and removed after it).
    scratch: std::path::PathBuf,
    /// The events are in PostgreSQL: each metric's plan runs there whole, so the activity
    /// roll-up is not written locally (reading it back would pull the rows out).
    events_in_database: bool,
    /// In this process or on a cluster.
    placement: cluster::Placement,
    /// The workspace folder source paths are relative to (absolute).
    root: std::path::PathBuf,
    /// The parts each cohort join starts in (see `plan::parts`).
    join_parts: u32,
}

impl Engine {
    /// Opens the sources of `ws`, whose paths are relative to `root`, and checks their times:
    /// rows whose time cannot be read are an error (with a count and examples), never
    /// dropped silently.
    pub async fn open(ws: &Workspace, root: &Path) -> Result<Engine, EngineError> {
        Engine::open_with(ws, root, &EngineOptions::default()).await
    }

    /// [`Engine::open`] with a memory limit and spill folder of one's own.
    pub async fn open_with(
        ws: &Workspace,
        root: &Path,
        options: &EngineOptions,
    ) -> Result<Engine, EngineError> {
        // absolute, so that a plan run elsewhere (on a cluster's executors) names the files
        // the same way
        let root = &std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let federated = federated(ws);
        // `--cluster` first, then `cluster:` in throughline.yaml
        let mut options = options.clone();
        if options.cluster.is_none()
            && let Some(c) = &ws.settings.cluster
        {
            let url = c.value.parse::<cluster::ClusterUrl>().map_err(|e| {
                EngineError::new(
                    e,
                    "write `cluster: df://HOST:PORT`, or remove it to run here",
                )
                .at(c.span)
            })?;
            options.cluster = Some(url);
        }
        let (ctx, placement) = options.session(federated)?;
        let explain = placement.clone();
        let started = std::time::Instant::now();
        let engine = Engine::open_in(ctx, placement, ws, root, &options)
            .await
            .map_err(|e| explain.explain_error(e));
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "sources opened and checked"
        );
        engine
    }

    /// Opens the sources in `ctx` (see [`Engine::open`]).
    async fn open_in(
        ctx: SessionContext,
        placement: cluster::Placement,
        ws: &Workspace,
        root: &Path,
        options: &EngineOptions,
    ) -> Result<Engine, EngineError> {
        let calendar = Calendar::new(ws.settings.zone(), ws.settings.week_start(), federated(ws));
        let tables = sources::open(&ctx, ws, root, &calendar).await?;
        let mut warnings: Vec<String> = session::sort_merge_joins_refused().into_iter().collect();
        if let cluster::Placement::LocalInstead { .. } = placement {
            warnings.push(placement.describe());
        }
        if let Some(users) = &tables.users
            && let Some(u) = ws.settings.sources.get("users")
        {
            let missing =
                sources::unreadable_times(users, sources::SIGNUP, u, root, &calendar).await?;
            if missing > 0 {
                warnings.push(format!(
                    "source `users`: {missing} row(s) have no signup time and are in no cohort"
                ));
            }
        }
        let events_source = ws.settings.sources.get("events");
        // `faulty_rows: refuse`: the rows below are an error instead of left out and counted
        let refused = events_source
            .and_then(|e| e.faulty_rows.as_ref())
            .filter(|f| f.value == throughline_model::FaultyRows::Refuse);
        let mut said = Vec::new();
        // one scan of the events (or of the files changed since the facts were kept)
        let per_file =
            opening::local_files(ws) && !matches!(placement, cluster::Placement::Cluster(_));
        let facts = opening::facts(
            &ctx,
            (ws, root, &calendar),
            &tables,
            options.opening_cache.as_ref(),
            per_file,
        )
        .await?;
        if let Some(e) = events_source {
            // unreadable times are an error naming where the first one is
            let missing = match facts.unreadable {
                0 => facts.missing,
                _ => {
                    sources::unreadable_times(&tables.all_events, sources::TS, e, root, &calendar)
                        .await?
                }
            };
            if missing > 0 {
                let time_name = e.columns.time.as_ref().map_or("ts", |t| t.value.as_str());
                let outcome = if refused.is_some() {
                    ""
                } else {
                    " and are not counted in any period"
                };
                said.push(format!(
                    "source `events`: {missing} row(s) have no time in `{time_name}`{outcome}"
                ));
            }
        }
        let opening::Facts {
            names,
            span_us,
            left_out,
            ..
        } = facts;
        if let Some(e) = events_source {
            said.extend(
                left_out
                    .sentences(&ctx, &tables, e, root, &calendar, refused.is_some())
                    .await?,
            );
            if let Some(refuse) = refused.filter(|_| !said.is_empty()) {
                return Err(EngineError::new(
                    said.join("; "),
                    "the source says `faulty_rows: refuse`: fix those rows in the data (give each event its user and its real time), or write `faulty_rows: count` to leave them out and say how many",
                )
                .at(refuse.span));
            }
            warnings.extend(said);
        }
        if span_us.is_none()
            && let Some(e) = events_source
        {
            let why = if left_out.no_user + left_out.implausible > 0 {
                format!(
                    "every row is left out ({} without a user, {} dated outside the plausible range)",
                    left_out.no_user, left_out.implausible
                )
            } else {
                "it has no rows".to_string()
            };
            let mut err = EngineError::new(
                format!("source `{}` has no events to measure: {why}", e.name.value),
                "point `path:` (or `table:`) at the exported events; a CSV file needs rows under its header",
            );
            if let Some(p) = &e.path {
                err = err.at(p.span);
            }
            return Err(err);
        }
        let mut absent = absent_names(ws, &names);
        absent.extend(absent_values(ws, &tables, &absent).await?);
        for a in &absent {
            warnings.push(a.sentence());
        }
        Ok(Engine {
            ctx,
            tables,
            calendar,
            workspace: ws.clone(),
            span_us,
            names,
            absent,
            warnings,
            scratch: options.scratch_dir(),
            events_in_database: events_source
                .is_some_and(|e| e.format.value == throughline_model::SourceFormat::Postgres),
            placement,
            root: root.to_path_buf(),
            join_parts: options.join_parts()?,
        })
    }

    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The local days the event data covers: the first event's day and the last event's day
    /// (the data counts as complete through the end of that day). `None` without events.
    pub fn data_days(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (lo, hi) = self.span_us?;
        Some((self.calendar.day_of(lo)?, self.calendar.day_of(hi)?))
    }

    /// The last local day each event name was seen, and under `""` the last day of any event:
    /// how fresh each metric's data is.
    pub async fn last_seen(&self) -> Result<BTreeMap<String, NaiveDate>, EngineError> {
        let mut out = BTreeMap::new();
        for (name, seen) in &self.names {
            if let Some(t) = Utc.timestamp_micros(seen.last_us).single() {
                out.insert(
                    name.clone(),
                    t.with_timezone(&self.calendar.tz).date_naive(),
                );
            }
        }
        if let Some((_, last)) = self.data_days() {
            out.insert(String::new(), last);
        }
        Ok(out)
    }

    /// Each event name that occurs in the data (with a time), with how many events have it.
    pub fn event_counts(&self) -> BTreeMap<&str, u64> {
        self.names
            .iter()
            .map(|(n, s)| (n.as_str(), s.count))
            .collect()
    }

    /// Each event name with how many users have it and the mean instant (UTC microseconds)
    /// of each user's first one, most users first: which events come early in a user's life
    /// and which later (`init` proposes a conversion from the earlier of two common events to
    /// the later).
    pub async fn event_users(&self) -> Result<Vec<EventUsers>, EngineError> {
        use datafusion::functions_aggregate::expr_fn::avg;
        let fail = |e| error::df("reading each event's users", e);
        let batches = self
            .tables
            .events
            .clone()
            .aggregate(
                vec![
                    col(sources::USER),
                    cast(col(sources::EVENT), DataType::Utf8).alias("name"),
                ],
                vec![min(instant::epoch_us(col(sources::TS))).alias("first")],
            )
            .and_then(|d| {
                d.aggregate(
                    vec![col("name")],
                    vec![
                        count(lit(1i64)).alias("users"),
                        avg(cast(col("first"), DataType::Float64)).alias("mean_first"),
                    ],
                )
            })
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let mut out = Vec::new();
        for b in &batches {
            let (Some(names), Some(users), Some(first)) = (
                b.column(0).as_string_opt::<i32>(),
                b.column(1)
                    .as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>(),
                b.column(2)
                    .as_primitive_opt::<datafusion::arrow::datatypes::Float64Type>(),
            ) else {
                continue;
            };
            for i in 0..b.num_rows() {
                if names.is_null(i) {
                    continue;
                }
                out.push(EventUsers {
                    name: names.value(i).to_string(),
                    users: users.value(i).max(0) as u64,
                    mean_first_us: if first.is_null(i) {
                        0
                    } else {
                        first.value(i) as i64
                    },
                });
            }
        }
        out.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.name.cmp(&b.name)));
        Ok(out)
    }

    /// The event names the workspace's metrics read that never occur in the data: a typo, or
    /// an event the data does not have. Those metrics measure as no data (`value: None`),
    /// never as zero.
    pub fn absent_names(&self) -> &[AbsentName] {
        &self.absent
    }

    /// An experiment's exposures (a user's first exposure decides their variant; users seen
    /// in several variants are left out and counted) and each goal and guardrail metric per
    /// variant, from each user's exposure on.
    pub async fn experiment(
        &self,
        exp: &throughline_model::Experiment,
    ) -> Result<ExperimentData, EngineError> {
        let mut ids: Vec<String> = Vec::new();
        for t in exp.goal_metrics.iter().chain(&exp.guardrail_metrics) {
            self.metric(&t.value).map_err(|e| e.at(t.span))?;
            if !ids.contains(&t.value) {
                ids.push(t.value.clone());
            }
        }
        let mut needs = self.needs(&ids)?;
        if let Some(a) = &exp.assignment {
            needs.events.insert(a.event.value.clone());
            needs.columns.insert(a.property.value.clone());
        }
        let inputs = Inputs::build(
            &self.ctx,
            &self.tables,
            &needs,
            None,
            &self.calendar,
            self.scratch_dir(true),
            &Default::default(),
        )
        .await?;
        let what = format!("experiment `{}`", exp.id.value);
        let (exposed, multiple) = experiment::exposures(&inputs, exp).await?;
        let exposed = exposed.cache().await.map_err(|e| error::df(&what, e))?;
        let (arms, exposed_us) = experiment::arm_users(exposed.clone(), &what).await?;
        // whole days through the last event's day, never past now (a window still open by
        // the wall clock has not passed)
        let data_end_us = self.data_days().map_or(0, |(_, last)| {
            self.calendar
                .midnight(last + chrono::Days::new(1))
                .timestamp_micros()
                .min(chrono::Utc::now().timestamp_micros())
        });
        let scope = plan::Scope {
            grain: Grain::Week,
            from_us: None,
            to_us: None,
        };
        let mut metrics = Vec::new();
        for id in &ids {
            let m = self.metric(id)?;
            let b = plan::Builder {
                inputs: &inputs,
                cal: &self.calendar,
                scope: &scope,
                m,
            };
            let reference = exp
                .goal_metrics
                .iter()
                .chain(&exp.guardrail_metrics)
                .find(|t| t.value == *id)
                .map(|t| t.span);
            let (frame, proportion) = experiment::per_user(&b, exposed.clone(), data_end_us)
                .map_err(|mut e| {
                    e.message = format!("{what}: {}", e.message);
                    e.span = reference.or(e.span);
                    e
                })?;
            let arms = experiment::arm_sums(frame, &format!("{what}: metric `{id}`")).await?;
            metrics.push(MetricArms {
                metric: id.clone(),
                proportion,
                arms,
            });
        }
        Ok(ExperimentData {
            arms,
            multiple,
            exposed_us,
            metrics,
        })
    }

    /// Where a measurement writes its intermediate tables; `None` when it should not
    /// (`materialize` false, the data is in a database and stays there, or the plans run on a
    /// cluster, whose executors would each need to read this machine's folder).
    fn scratch_dir(&self, materialize: bool) -> Option<&Path> {
        let on_cluster = matches!(self.placement, cluster::Placement::Cluster(_));
        (materialize && !self.events_in_database && !on_cluster).then_some(self.scratch.as_path())
    }

    /// Problems with the data that did not stop the measurement.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

/// One event name's events: how many (with a time) and the last one's instant (UTC
/// microseconds).
#[derive(Clone, Copy, Debug)]
struct NameSeen {
    count: u64,
    last_us: i64,
}

/// An event name a metric reads that never occurs in the data, or a value its `where:`
/// requires that its column never has.
#[derive(Clone, Debug, PartialEq)]
pub struct AbsentName {
    /// The metric that reads it.
    pub metric: String,
    /// The name (or value), where the metric's definition writes it.
    pub name: throughline_model::Text,
    /// The closest name (or value) that does occur, when one is close.
    pub suggestion: Option<String>,
    /// `None`: an event name; `Some(column)`: a value `where:` requires of that column.
    pub column: Option<String>,
}

impl AbsentName {
    /// One line for warnings: what, where the data was looked at, and what it means.
    pub fn sentence(&self) -> String {
        let hint = self
            .suggestion
            .as_ref()
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        match &self.column {
            None => format!(
                "metric `{}` reads event `{}`, which never occurs in source `events`{hint}; its values are shown as no data, not 0",
                self.metric, self.name.value
            ),
            Some(col) => format!(
                "metric `{}` keeps events whose `{col}` is `{}` (`where:`), and no event has that value{hint}; its values are shown as no data, not 0",
                self.metric, self.name.value
            ),
        }
    }
}

/// The text values metrics' `where:` filters require (`plan = 'pro'`, `channel in ('web')`)
/// of which none occurs in their column among the events: a typo or data the sources lack,
/// which counting would show as a confident zero. One scan for all of them (a count per
/// column and value); metrics already flagged for an absent event are not looked at again.
async fn absent_values(
    ws: &Workspace,
    tables: &sources::Tables,
    absent: &[AbsentName],
) -> Result<Vec<AbsentName>, EngineError> {
    use std::collections::BTreeSet;
    // column → the values asked of it
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // (metric, column, values, the filter's text)
    let mut asks = Vec::new();
    for m in &ws.metrics {
        if absent.iter().any(|a| a.metric == m.id.value) {
            continue;
        }
        let Some(w) = m.compute.as_ref().and_then(|c| c.value.filter()) else {
            continue;
        };
        for (col, values) in w.filter.required_texts() {
            if sources::column_type(&tables.events, col).is_none() {
                continue; // the plan says which column is missing
            }
            wanted
                .entry(col.to_string())
                .or_default()
                .extend(values.iter().map(|v| v.to_string()));
            asks.push((m, col.to_string(), values, &w.text));
        }
    }
    // one scan for every (column, value) asked: how many events have it
    let pairs: Vec<(&String, &String)> = wanted
        .iter()
        .flat_map(|(c, vs)| vs.iter().map(move |v| (c, v)))
        .collect();
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    if !pairs.is_empty() {
        let fail = |e| error::df("reading the values `where:` filters on", e);
        let counts = pairs
            .iter()
            .enumerate()
            .map(|(i, (c, v))| {
                let hit = cast(ident(c.as_str()), DataType::Utf8).eq(lit(v.as_str()));
                datafusion::logical_expr::when(hit, lit(1i64))
                    .end()
                    .map(|e| count(e).alias(format!("__v{i}")))
            })
            .collect::<datafusion::error::Result<Vec<Expr>>>()
            .map_err(fail)?;
        let batches = tables
            .events
            .clone()
            .aggregate(vec![], counts)
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        if let Some(b) = batches.iter().find(|b| b.num_rows() == 1) {
            for (i, (c, v)) in pairs.iter().enumerate() {
                let n = b
                    .column(i)
                    .as_primitive_opt::<datafusion::arrow::datatypes::Int64Type>()
                    .map_or(0, |a| a.value(0));
                if n > 0 {
                    seen.insert(((*c).clone(), (*v).clone()));
                }
            }
        }
    }
    let mut out: Vec<AbsentName> = Vec::new();
    let mut common: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (m, col, values, text) in asks {
        if values
            .iter()
            .any(|v| seen.contains(&(col.clone(), (*v).to_string())))
        {
            continue;
        }
        if !common.contains_key(&col) {
            common.insert(col.clone(), common_values(tables, &col).await?);
        }
        let first = values[0];
        out.push(AbsentName {
            metric: m.id.value.clone(),
            // pointed at where the filter is written
            name: throughline_model::Spanned::new(first.to_string(), text.span),
            suggestion: throughline_model::did_you_mean(
                first,
                common[&col].iter().map(String::as_str),
            )
            .map(String::from),
            column: Some(col),
        });
    }
    Ok(out)
}

/// The 50 most common values of an events column, as text.
async fn common_values(tables: &sources::Tables, column: &str) -> Result<Vec<String>, EngineError> {
    let fail = |e| error::df("reading a column's common values", e);
    let batches = tables
        .events
        .clone()
        .aggregate(
            vec![cast(ident(column), DataType::Utf8).alias("v")],
            vec![count(lit(1i64)).alias("n")],
        )
        .and_then(|d| d.sort(vec![col("n").sort(false, false)]))
        .and_then(|d| d.limit(0, Some(50)))
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    Ok(output::texts(&batches))
}

/// The names every metric of `ws` reads that are not in `names`. Without any event in the
/// data, nothing is said here (the data's own emptiness is).
fn absent_names(ws: &Workspace, names: &BTreeMap<String, NameSeen>) -> Vec<AbsentName> {
    let mut out = Vec::new();
    if names.is_empty() {
        return out;
    }
    for m in &ws.metrics {
        let Some(c) = &m.compute else { continue };
        for name in c.value.events().into_iter().flatten() {
            if names.contains_key(&name.value)
                || out
                    .iter()
                    .any(|a: &AbsentName| a.metric == m.id.value && a.name.value == name.value)
            {
                continue;
            }
            out.push(AbsentName {
                column: None,
                metric: m.id.value.clone(),
                name: name.clone(),
                suggestion: throughline_model::did_you_mean(
                    &name.value,
                    names.keys().map(String::as_str),
                )
                .map(String::from),
            });
        }
    }
    out
}

/// Whether the workspace reads PostgreSQL sources (their plans' parts are rendered as SQL
/// and run in the database).
fn federated(ws: &Workspace) -> bool {
    ws.settings
        .sources
        .values()
        .any(|s| s.format.value == throughline_model::SourceFormat::Postgres)
}
