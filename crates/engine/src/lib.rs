//! throughline's metric engine: each metric definition becomes a query plan on the embedded
//! Apache DataFusion engine, run over the workspace's event and user data.
//!
//! A request is planned as a whole: the events are read once (only the event names and
//! columns the requested metrics use), a per-user daily activity roll-up is built once for
//! every metric that counts active users, and each metric's plan runs over those shared,
//! in-memory inputs. `ratio` and `derived` metrics combine other metrics' values.

mod error;
mod experiment;
mod filter;
mod inputs;
pub mod instant;
mod locate;
mod plan;
mod sources;
mod sql;
pub mod time;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, TimeUnit, TimestampMicrosecondType};
use datafusion::functions_aggregate::expr_fn::{max, min};
use datafusion::prelude::*;
use throughline_model::{Compute, Grain, Metric, Unit, Workspace};

pub use error::EngineError;
pub use experiment::{ArmSums, ExperimentData, MetricArms, PRE_DAYS};
use inputs::{Inputs, Needs, SEGMENT};
use plan::{DENOMINATOR, NUMERATOR, OFFSET, PERIOD, Planned, Scope, VALUE};
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
}

/// How a metric is computed, for `measure --explain`.
#[derive(Clone, Debug)]
pub struct Explanation {
    pub metric: String,
    /// The sources read, as `name: path (format)`.
    pub sources: Vec<String>,
    /// Labelled plans: the optimized query plan of the metric and of any metric it reads.
    pub plans: Vec<(String, String)>,
    /// The same plan as PostgreSQL-dialect SQL, when it can be rendered.
    pub sql: Vec<(String, String)>,
}

/// A workspace's data, opened for querying.
pub struct Engine {
    ctx: SessionContext,
    tables: sources::Tables,
    calendar: Calendar,
    workspace: Workspace,
    /// First and last event instants (UTC, microseconds).
    span_us: Option<(i64, i64)>,
    warnings: Vec<String>,
}

type Key = (DateTime<Tz>, Option<String>);
type Segments = Vec<Option<String>>;
type Starts = Vec<Option<DateTime<Tz>>>;

#[derive(Clone, Debug, Default)]
struct Row {
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
    curve: BTreeMap<i64, f64>,
}

impl Engine {
    /// Opens the sources of `ws`, whose paths are relative to `root`, and checks their times:
    /// rows whose time cannot be read are an error (with a count and examples), never
    /// dropped silently.
    pub async fn open(ws: &Workspace, root: &Path) -> Result<Engine, EngineError> {
        let calendar = Calendar {
            tz: ws
                .settings
                .timezone
                .as_ref()
                .map_or(chrono_tz::UTC, |t| t.value),
            week_starts: ws
                .settings
                .week_starts
                .as_ref()
                .map_or(chrono::Weekday::Mon, |w| w.value),
        };
        let ctx = SessionContext::new();
        let tables = sources::open(&ctx, ws, root, &calendar).await?;
        let mut warnings = Vec::new();
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
        if let Some(e) = events_source {
            let missing =
                sources::unreadable_times(&tables.events, sources::TS, e, root, &calendar).await?;
            if missing > 0 {
                let time_name = e.columns.time.as_ref().map_or("ts", |t| t.value.as_str());
                warnings.push(format!(
                    "source `events`: {missing} row(s) have no time in `{time_name}` and are not counted in any period"
                ));
            }
        }
        let ts = col(sources::TS);
        let bounds = tables
            .events
            .clone()
            .aggregate(
                vec![],
                vec![min(ts.clone()).alias("lo"), max(ts).alias("hi")],
            )
            .map_err(|e| error::df("reading the data's time range", e))?
            .collect()
            .await
            .map_err(|e| error::df("reading the events", e))?;
        let b = bounds.first();
        let span_us = b.and_then(|b| {
            let lo = b.column(0).as_primitive_opt::<TimestampMicrosecondType>()?;
            let hi = b.column(1).as_primitive_opt::<TimestampMicrosecondType>()?;
            (!lo.is_null(0) && !hi.is_null(0)).then(|| (lo.value(0), hi.value(0)))
        });
        Ok(Engine {
            ctx,
            tables,
            calendar,
            workspace: ws.clone(),
            span_us,
            warnings,
        })
    }

    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The local days the event data covers: the first event's day and the last event's day
    /// (the data counts as complete through the end of that day). `None` without events.
    pub fn data_days(&self) -> Option<(NaiveDate, NaiveDate)> {
        let (lo, hi) = self.span_us?;
        let local = |us: i64| {
            Utc.timestamp_micros(us)
                .single()
                .map(|t| t.with_timezone(&self.calendar.tz).date_naive())
        };
        Some((local(lo)?, local(hi)?))
    }

    /// The last local day each event name was seen, and under `""` the last day of any event:
    /// how fresh each metric's data is.
    pub async fn last_seen(&self) -> Result<BTreeMap<String, NaiveDate>, EngineError> {
        let fail = |e| error::df("finding the last day of each event", e);
        let batches = self
            .tables
            .events
            .clone()
            .aggregate(
                vec![cast(col(sources::EVENT), DataType::Utf8).alias("name")],
                vec![max(col(sources::TS)).alias("last")],
            )
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let mut out = BTreeMap::new();
        for b in &batches {
            let names = b.column(0).as_string_opt::<i32>();
            let last = b.column(1).as_primitive_opt::<TimestampMicrosecondType>();
            let (Some(names), Some(last)) = (names, last) else {
                continue;
            };
            for i in 0..b.num_rows() {
                if names.is_null(i) || last.is_null(i) {
                    continue;
                }
                let Some(t) = Utc.timestamp_micros(last.value(i)).single() else {
                    continue;
                };
                out.insert(
                    names.value(i).to_string(),
                    t.with_timezone(&self.calendar.tz).date_naive(),
                );
            }
        }
        if let Some((_, last)) = self.data_days() {
            out.insert(String::new(), last);
        }
        Ok(out)
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
        let inputs =
            Inputs::build(&self.ctx, &self.tables, &needs, None, &self.calendar, true).await?;
        let what = format!("experiment `{}`", exp.id.value);
        let (exposed, multiple) = experiment::exposures(&inputs, exp).await?;
        let exposed = exposed.cache().await.map_err(|e| error::df(&what, e))?;
        let (arms, exposed_us) = experiment::arm_users(exposed.clone(), &what).await?;
        let data_end_us = self.data_days().map_or(0, |(_, last)| {
            self.calendar
                .midnight(last + chrono::Days::new(1))
                .timestamp_micros()
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

    /// Problems with the data that did not stop the measurement.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Computes the requested metrics.
    pub async fn measure(&self, req: &Request) -> Result<Vec<MetricValue>, EngineError> {
        self.measure_with(req, &|_| {}).await
    }

    /// Computes the requested metrics, reporting progress.
    pub async fn measure_with(
        &self,
        req: &Request,
        progress: &(dyn Fn(Progress<'_>) + Sync),
    ) -> Result<Vec<MetricValue>, EngineError> {
        let ids = self.requested(req)?;
        progress(Progress::Reading);
        let inputs = self.inputs(&ids, req, true).await?;
        let mut memo = BTreeMap::new();
        let mut out = Vec::new();
        for (done, id) in ids.iter().enumerate() {
            progress(Progress::Metric {
                id,
                done,
                total: ids.len(),
            });
            let m = self.metric(id)?;
            let grain = self.grain(m, req);
            match self.compute(&inputs, m, grain, req, &mut memo, 0).await {
                Ok(values) => out.extend(values.iter().cloned()),
                Err(e) if req.metrics.is_empty() && e.unsegmentable => {
                    progress(Progress::Skipped {
                        id,
                        reason: e.message,
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The shared inputs of the metrics `ids` (and the metrics they read).
    async fn inputs(
        &self,
        ids: &[String],
        req: &Request,
        cache: bool,
    ) -> Result<Inputs, EngineError> {
        let needs = self.needs(ids)?;
        Inputs::build(
            &self.ctx,
            &self.tables,
            &needs,
            req.by.as_deref(),
            &self.calendar,
            cache,
        )
        .await
    }

    fn requested(&self, req: &Request) -> Result<Vec<String>, EngineError> {
        if req.metrics.is_empty() {
            return Ok(self
                .workspace
                .metrics
                .iter()
                .filter(|m| m.compute.is_some())
                .map(|m| m.id.value.clone())
                .collect());
        }
        for id in &req.metrics {
            self.metric(id)?;
        }
        Ok(req.metrics.clone())
    }

    /// What the metrics (and the metrics they read) read from the events.
    fn needs(&self, ids: &[String]) -> Result<Needs, EngineError> {
        let mut needs = Needs::default();
        let mut stack: Vec<String> = ids.to_vec();
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let m = self.metric(&id)?;
            needs.add(m);
            if let Some(c) = &m.compute {
                stack.extend(c.value.metric_refs().into_iter().map(|r| r.value));
            }
        }
        Ok(needs)
    }

    fn grain(&self, m: &Metric, req: &Request) -> Grain {
        req.grain
            .or_else(|| {
                m.cadence
                    .as_ref()
                    .and_then(|c| c.report.as_ref())
                    .map(|g| g.value)
            })
            .unwrap_or(Grain::Week)
    }

    fn metric(&self, id: &str) -> Result<&Metric, EngineError> {
        self.workspace.metric(id).ok_or_else(|| {
            let ids = self.workspace.metrics.iter().map(|m| m.id.value.as_str());
            let help = match throughline_model::did_you_mean(id, ids) {
                Some(s) => format!("did you mean `{s}`?"),
                None => "`throughline measure` with no `--metric` computes every metric".into(),
            };
            EngineError::new(format!("no metric `{id}` in this workspace"), help)
        })
    }

    fn scope(&self, grain: Grain, req: &Request) -> Scope {
        let to_us = |d: NaiveDate| {
            self.calendar
                .midnight(d)
                .with_timezone(&Utc)
                .timestamp_micros()
        };
        Scope {
            grain,
            from_us: req.from.map(to_us),
            to_us: req.to.and_then(|d| d.succ_opt()).map(to_us),
        }
    }

    /// The values of one metric, computed once per request.
    async fn compute<'m>(
        &self,
        inputs: &Inputs,
        m: &Metric,
        grain: Grain,
        req: &Request,
        memo: &'m mut BTreeMap<(String, Grain), Vec<MetricValue>>,
        depth: usize,
    ) -> Result<&'m [MetricValue], EngineError> {
        let id = m.id.value.clone();
        let slot = (id.clone(), grain);
        if !memo.contains_key(&slot) {
            if depth > 32 {
                return Err(EngineError::new(
                    format!("metric `{id}` depends on itself"),
                    "run `throughline check` to see the cycle",
                )
                .at(m.span));
            }
            let values = match m.compute.as_ref().map(|c| &c.value) {
                Some(Compute::Ratio {
                    numerator,
                    denominator,
                }) => {
                    let scale = if m.unit.as_ref().is_some_and(|u| u.value == Unit::Percent) {
                        100.0
                    } else {
                        1.0
                    };
                    let parts = [numerator, denominator];
                    let got = self.parts(inputs, &parts, grain, req, memo, depth).await?;
                    combine(&id, &got, |v| match (v[0], v[1]) {
                        (Some(a), Some(b)) if b != 0.0 => (Some(a / b * scale), Some(a), Some(b)),
                        (a, b) => (None, a, b),
                    })
                }
                Some(Compute::Derived { expr, .. }) => {
                    let names: Vec<String> = expr
                        .value
                        .metrics()
                        .iter()
                        .map(|(n, _)| n.to_string())
                        .collect();
                    let refs = m
                        .compute
                        .as_ref()
                        .map(|c| c.value.metric_refs())
                        .unwrap_or_default();
                    let parts: Vec<&throughline_model::Text> = refs.iter().collect();
                    let got = self.parts(inputs, &parts, grain, req, memo, depth).await?;
                    combine(&id, &got, |v| {
                        let lookup = |n: &str| names.iter().position(|x| x == n).and_then(|i| v[i]);
                        (expr.value.eval(&lookup), None, None)
                    })
                }
                _ => {
                    let scope = self.scope(grain, req);
                    let planned = plan::plan(inputs, m, &self.calendar, &scope).await?;
                    self.run(m, planned, req).await?
                }
            };
            memo.insert(slot.clone(), values);
        }
        Ok(memo.get(&slot).map(Vec::as_slice).unwrap_or_default())
    }

    /// The values of the metrics `parts` names, in order.
    async fn parts(
        &self,
        inputs: &Inputs,
        parts: &[&throughline_model::Text],
        grain: Grain,
        req: &Request,
        memo: &mut BTreeMap<(String, Grain), Vec<MetricValue>>,
        depth: usize,
    ) -> Result<Vec<Vec<MetricValue>>, EngineError> {
        let mut got = Vec::new();
        for p in parts {
            let pm = self.metric(&p.value).map_err(|e| e.at(p.span))?;
            let v = Box::pin(self.compute(inputs, pm, grain, req, memo, depth + 1)).await?;
            got.push(v.to_vec());
        }
        Ok(got)
    }

    async fn run(
        &self,
        m: &Metric,
        p: Planned,
        req: &Request,
    ) -> Result<Vec<MetricValue>, EngineError> {
        let what = format!("computing `{}`", m.id.value);
        let batches = p
            .frame
            .clone()
            .collect()
            .await
            .map_err(|e| error::df(&what, e))?;
        let segmented = req.by.is_some();
        let mut found: BTreeMap<Key, Row> = BTreeMap::new();
        for b in &batches {
            read_rows(b, self.calendar.tz, segmented, &mut found)?;
        }
        if let Some((curve, _)) = p.curve.clone() {
            let batches = curve.collect().await.map_err(|e| error::df(&what, e))?;
            for b in &batches {
                read_curve(b, self.calendar.tz, segmented, &mut found)?;
            }
        }
        Ok(self.fill(m, &p, req, found))
    }

    /// Every period of the range and every segment seen; an empty period of a count is 0.
    fn fill(
        &self,
        m: &Metric,
        p: &Planned,
        req: &Request,
        found: BTreeMap<Key, Row>,
    ) -> Vec<MetricValue> {
        let tz = self.calendar.tz;
        let local = |us: i64| {
            Utc.timestamp_micros(us)
                .single()
                .map(|t| t.with_timezone(&tz).date_naive())
        };
        let Some((lo, hi)) = self.span_us else {
            return Vec::new();
        };
        let (first_day, last_day) = (local(lo).unwrap_or_default(), local(hi).unwrap_or_default());
        let first = req.from.unwrap_or(first_day);
        let last = req.to.unwrap_or(last_day);
        // the data covers whole days through the last event's day
        let data_end = self.calendar.midnight(last_day + chrono::Days::new(1));
        let mut limit = data_end;
        if let Some(to) = req.to {
            limit = limit.min(self.calendar.midnight(to + chrono::Days::new(1)));
        }
        let mut segments: Vec<Option<String>> = found.keys().map(|(_, s)| s.clone()).collect();
        segments.sort();
        segments.dedup();
        if segments.is_empty() && req.by.is_none() {
            segments.push(None);
        }
        let horizon = match m.compute.as_ref().map(|c| &c.value) {
            Some(Compute::Retention { horizon, .. }) => Some(horizon.value),
            _ => None,
        };
        let mut out = Vec::new();
        for seg in &segments {
            for start in self.calendar.spine(p.grain, first, last) {
                let end = self.calendar.period_end(p.grain, start);
                let row = match found.get(&(start, seg.clone())) {
                    Some(r) => r.clone(),
                    None if p.zero_when_empty => Row {
                        value: Some(0.0),
                        ..Row::default()
                    },
                    None => continue,
                };
                let mut value = row.value;
                if p.per_day {
                    // stickiness: mean daily actives over the days of the period with data
                    let lo_day = start.date_naive().max(first).max(first_day);
                    let hi_day = end
                        .date_naive()
                        .min(last.succ_opt().unwrap_or(last))
                        .min(last_day + chrono::Days::new(1));
                    let days = (hi_day - lo_day).num_days();
                    value = match (row.numerator, row.denominator) {
                        (Some(n), Some(d)) if d > 0.0 && days > 0 => {
                            Some(n / days as f64 / d * p.scale)
                        }
                        _ => None,
                    };
                }
                let curve = match (horizon, row.denominator) {
                    (Some(n), Some(size)) if size > 0.0 => (0..=i64::from(n))
                        .map(|k| row.curve.get(&k).copied().unwrap_or(0.0) / size * p.scale)
                        .collect(),
                    _ => Vec::new(),
                };
                let segment = match (&req.by, seg) {
                    (Some(dim), s) => BTreeMap::from([(
                        dim.clone(),
                        s.clone().unwrap_or_else(|| inputs::NO_SEGMENT.into()),
                    )]),
                    (None, _) => BTreeMap::new(),
                };
                let settled = end + chrono::Duration::microseconds(p.maturity_us);
                let complete = end <= limit && settled <= data_end;
                out.push(MetricValue {
                    metric: m.id.value.clone(),
                    grain: p.grain,
                    start,
                    end,
                    segment,
                    value,
                    numerator: row.numerator,
                    denominator: row.denominator,
                    complete,
                    curve,
                });
            }
        }
        out.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then_with(|| a.segment.cmp(&b.segment))
        });
        out
    }

    /// The plans behind a metric's number, for `measure --explain`.
    pub async fn explain(&self, id: &str, req: &Request) -> Result<Explanation, EngineError> {
        // not cached: the plan shows the scans of the sources themselves
        let inputs = self.inputs(&[id.to_string()], req, false).await?;
        let mut sources = Vec::new();
        for (name, s) in &self.workspace.settings.sources {
            let path = s.path.as_ref().map_or("(table)", |p| p.value.as_str());
            sources.push(format!(
                "{name}: {path} ({})",
                format!("{:?}", s.format.value).to_lowercase()
            ));
        }
        let mut plans = Vec::new();
        let mut sql = Vec::new();
        let mut stack = vec![id.to_string()];
        let mut seen = std::collections::HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let m = self.metric(&id)?;
            let refs = m
                .compute
                .as_ref()
                .map(|c| c.value.metric_refs())
                .unwrap_or_default();
            if !refs.is_empty() {
                let names: Vec<String> = refs.iter().map(|r| format!("`{}`", r.value)).collect();
                plans.push((
                    id.clone(),
                    format!(
                        "combines {} period by period, segment by segment",
                        names.join(" and ")
                    ),
                ));
                stack.extend(refs.into_iter().rev().map(|r| r.value));
                continue;
            }
            let scope = self.scope(self.grain(m, req), req);
            let p = plan::plan(&inputs, m, &self.calendar, &scope).await?;
            let logical = p.frame.logical_plan().clone();
            let optimized = p
                .frame
                .into_optimized_plan()
                .map_err(|e| error::df("optimizing the plan", e))?;
            plans.push((id.clone(), optimized.display_indent().to_string()));
            let unparser = datafusion::sql::unparser::Unparser::new(
                &datafusion::sql::unparser::dialect::PostgreSqlDialect {},
            );
            match unparser.plan_to_sql(&logical) {
                Ok(s) => sql.push((id.clone(), s.to_string())),
                Err(e) => sql.push((id.clone(), format!("-- cannot be rendered as SQL yet: {e}"))),
            }
        }
        Ok(Explanation {
            metric: id.to_string(),
            sources,
            plans,
            sql,
        })
    }
}

/// Combines other metrics' values period by period and segment by segment: `f` gets each
/// part's value (in order) and returns the value, numerator and denominator.
fn combine(
    id: &str,
    parts: &[Vec<MetricValue>],
    f: impl Fn(&[Option<f64>]) -> (Option<f64>, Option<f64>, Option<f64>),
) -> Vec<MetricValue> {
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    let key = |v: &MetricValue| (v.start, v.segment.clone());
    let maps: Vec<BTreeMap<_, &MetricValue>> = parts
        .iter()
        .map(|p| p.iter().map(|v| (key(v), v)).collect())
        .collect();
    first
        .iter()
        .filter_map(|v0| {
            let k = key(v0);
            let vs: Vec<&MetricValue> = maps
                .iter()
                .map(|m| m.get(&k).copied())
                .collect::<Option<_>>()?;
            let values: Vec<Option<f64>> = vs.iter().map(|v| v.value).collect();
            let (value, numerator, denominator) = f(&values);
            Some(MetricValue {
                metric: id.to_string(),
                value,
                numerator,
                denominator,
                complete: vs.iter().all(|v| v.complete),
                curve: Vec::new(),
                ..v0.clone()
            })
        })
        .collect()
}

fn unexpected() -> EngineError {
    EngineError::new(
        "the engine returned columns of an unexpected type",
        "this is a bug in throughline; please report it with the metric definition",
    )
}

fn period_and_segment(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
) -> Result<(Starts, Segments), EngineError> {
    let period = b.column_by_name(PERIOD).ok_or_else(unexpected)?;
    let period = datafusion::arrow::compute::cast(
        period,
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    )
    .map_err(|_| unexpected())?;
    let period = period
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(unexpected)?;
    let starts = (0..b.num_rows())
        .map(|i| {
            (!period.is_null(i))
                .then(|| Utc.timestamp_micros(period.value(i)).single())
                .flatten()
                .map(|t| t.with_timezone(&tz))
        })
        .collect();
    let segs = if segmented {
        let s = b.column_by_name(SEGMENT).ok_or_else(unexpected)?;
        let s = datafusion::arrow::compute::cast(s, &DataType::Utf8).map_err(|_| unexpected())?;
        let s = s.as_string::<i32>();
        (0..b.num_rows())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect()
    } else {
        vec![None; b.num_rows()]
    };
    Ok((starts, segs))
}

fn f64_column(b: &RecordBatch, name: &str) -> Result<Vec<Option<f64>>, EngineError> {
    let c = b.column_by_name(name).ok_or_else(unexpected)?;
    let c = datafusion::arrow::compute::cast(c, &DataType::Float64).map_err(|_| unexpected())?;
    let c = c.as_primitive_opt::<Float64Type>().ok_or_else(unexpected)?;
    Ok((0..b.num_rows())
        .map(|i| (!c.is_null(i)).then(|| c.value(i)))
        .collect())
}

fn read_rows(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
    found: &mut BTreeMap<Key, Row>,
) -> Result<(), EngineError> {
    let (starts, segs) = period_and_segment(b, tz, segmented)?;
    let value = f64_column(b, VALUE)?;
    let num = f64_column(b, NUMERATOR)?;
    let den = f64_column(b, DENOMINATOR)?;
    for i in 0..b.num_rows() {
        let Some(start) = starts[i] else { continue };
        let row = found.entry((start, segs[i].clone())).or_default();
        row.value = value[i];
        row.numerator = num[i];
        row.denominator = den[i];
    }
    Ok(())
}

fn read_curve(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
    found: &mut BTreeMap<Key, Row>,
) -> Result<(), EngineError> {
    let (starts, segs) = period_and_segment(b, tz, segmented)?;
    let k = f64_column(b, OFFSET)?;
    let n = f64_column(b, "returned")?;
    for i in 0..b.num_rows() {
        let (Some(start), Some(k), Some(n)) = (starts[i], k[i], n[i]) else {
            continue;
        };
        if let Some(row) = found.get_mut(&(start, segs[i].clone())) {
            row.curve.insert(k as i64, n);
        }
    }
    Ok(())
}
