//! throughline's metric engine: each metric definition becomes a query plan on the embedded
//! Apache DataFusion engine, run over the workspace's event and user data.
//!
//! Today it computes `count`, `unique`, `sum`, `average` and `ratio` metrics at day, week,
//! month and quarter grains, in total or by a user dimension, over a date range. Other compute
//! types are refused with a clear error until they are built.

mod error;
mod plan;
mod sources;
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
use plan::{PERIOD, SEGMENT, Scope, VALUE};
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
    /// Inclusive.
    pub start: DateTime<Tz>,
    /// Exclusive.
    pub end: DateTime<Tz>,
    /// Dimension → value; empty for the total.
    pub segment: BTreeMap<String, String>,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// False when the period reaches past the end of the data.
    pub complete: bool,
}

/// A workspace's data, opened for querying.
pub struct Engine {
    ctx: SessionContext,
    tables: sources::Tables,
    calendar: Calendar,
    workspace: Workspace,
    /// First and last event instants (UTC, microseconds).
    span_us: Option<(i64, i64)>,
}

const NO_SEGMENT: &str = "(none)";

impl Engine {
    /// Opens the sources of `ws`, whose paths are relative to `root`.
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
        let bounds = tables
            .events
            .clone()
            .aggregate(
                vec![],
                vec![
                    min(col(sources::TS)).alias("lo"),
                    max(col(sources::TS)).alias("hi"),
                ],
            )
            .map_err(|e| error::df("reading the data's time range", e))?
            .collect()
            .await
            .map_err(|e| error::df("reading the events", e))?;
        let span_us = bounds.first().and_then(|b| {
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
        })
    }

    pub fn calendar(&self) -> Calendar {
        self.calendar
    }

    /// The session, for callers that need to inspect plans.
    pub fn session(&self) -> &SessionContext {
        &self.ctx
    }

    /// Computes the requested metrics.
    pub async fn measure(&self, req: &Request) -> Result<Vec<MetricValue>, EngineError> {
        let ids: Vec<String> = if req.metrics.is_empty() {
            self.workspace
                .metrics
                .iter()
                .map(|m| m.id.value.clone())
                .collect()
        } else {
            req.metrics.clone()
        };
        let mut out = Vec::new();
        for id in &ids {
            let m = self.metric(id)?;
            let grain = req
                .grain
                .or_else(|| {
                    m.cadence
                        .as_ref()
                        .and_then(|c| c.report.as_ref())
                        .map(|g| g.value)
                })
                .unwrap_or(Grain::Week);
            out.extend(self.measure_one(m, grain, req, 0).await?);
        }
        Ok(out)
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
            by: req.by.clone(),
            from_us: req.from.map(to_us),
            to_us: req.to.and_then(|d| d.succ_opt()).map(to_us),
        }
    }

    async fn measure_one(
        &self,
        m: &Metric,
        grain: Grain,
        req: &Request,
        depth: usize,
    ) -> Result<Vec<MetricValue>, EngineError> {
        if depth > 32 {
            return Err(EngineError::new(
                format!("metric `{}` depends on itself", m.id.value),
                "run `throughline check` to see the cycle",
            )
            .at(m.span));
        }
        if let Some(c) = &m.compute
            && let Compute::Ratio {
                numerator,
                denominator,
            } = &c.value
        {
            let num = Box::pin(
                self.measure_one(
                    self.metric(&numerator.value)
                        .map_err(|e| e.at(numerator.span))?,
                    grain,
                    req,
                    depth + 1,
                ),
            )
            .await?;
            let den = Box::pin(
                self.measure_one(
                    self.metric(&denominator.value)
                        .map_err(|e| e.at(denominator.span))?,
                    grain,
                    req,
                    depth + 1,
                ),
            )
            .await?;
            let scale = if m.unit.as_ref().is_some_and(|u| u.value == Unit::Percent) {
                100.0
            } else {
                1.0
            };
            let key = |v: &MetricValue| (v.start, v.segment.clone());
            let dens: BTreeMap<_, &MetricValue> = den.iter().map(|v| (key(v), v)).collect();
            return Ok(num
                .into_iter()
                .filter_map(|n| {
                    let d = dens.get(&key(&n))?;
                    let value = match (n.value, d.value) {
                        (Some(a), Some(b)) if b != 0.0 => Some(a / b * scale),
                        _ => None,
                    };
                    Some(MetricValue {
                        metric: m.id.value.clone(),
                        value,
                        numerator: n.value,
                        denominator: d.value,
                        complete: n.complete && d.complete,
                        ..n
                    })
                })
                .collect());
        }
        let scope = self.scope(grain, req);
        let (plan, fold) = plan::event_metric(&self.tables, m, &self.calendar, &scope)?;
        let batches = plan
            .collect()
            .await
            .map_err(|e| error::df(&format!("computing `{}`", m.id.value), e))?;
        let mut found: BTreeMap<(DateTime<Tz>, Option<String>), f64> = BTreeMap::new();
        for b in &batches {
            read_rows(b, self.calendar.tz, scope.by.is_some(), &mut found)?;
        }
        Ok(self.fill(m, grain, &scope, req, fold.zero_when_empty(), found))
    }

    /// Every period of the range, every segment seen; empty periods of counts are 0.
    fn fill(
        &self,
        m: &Metric,
        grain: Grain,
        scope: &Scope,
        req: &Request,
        zero: bool,
        found: BTreeMap<(DateTime<Tz>, Option<String>), f64>,
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
        let first = req.from.or_else(|| local(lo)).unwrap_or_default();
        let last = req.to.or_else(|| local(hi)).unwrap_or_default();
        // the data covers whole days up to the last event's; a requested end cuts it shorter
        let mut limit = self
            .calendar
            .midnight(local(hi).unwrap_or_default() + chrono::Days::new(1));
        if let Some(to) = req.to {
            limit = limit.min(self.calendar.midnight(to + chrono::Days::new(1)));
        }
        let mut segments: Vec<Option<String>> = found.keys().map(|(_, s)| s.clone()).collect();
        segments.sort();
        segments.dedup();
        if segments.is_empty() && scope.by.is_none() {
            segments.push(None);
        }
        let mut out = Vec::new();
        for seg in &segments {
            for start in self.calendar.spine(grain, first, last) {
                let end = self.calendar.period_end(grain, start);
                let value = found
                    .get(&(start, seg.clone()))
                    .copied()
                    .or(zero.then_some(0.0));
                if value.is_none() {
                    continue;
                }
                let segment = match (&scope.by, seg) {
                    (Some(dim), s) => BTreeMap::from([(
                        dim.clone(),
                        s.clone().unwrap_or_else(|| NO_SEGMENT.into()),
                    )]),
                    (None, _) => BTreeMap::new(),
                };
                // a period that reaches past the data (or the requested end) is partial
                let complete = end <= limit;
                out.push(MetricValue {
                    metric: m.id.value.clone(),
                    start,
                    end,
                    segment,
                    value,
                    numerator: None,
                    denominator: None,
                    complete,
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
}

fn read_rows(
    b: &RecordBatch,
    tz: Tz,
    segmented: bool,
    found: &mut BTreeMap<(DateTime<Tz>, Option<String>), f64>,
) -> Result<(), EngineError> {
    let bad = || {
        EngineError::new(
            "the engine returned columns of an unexpected type",
            "this is a bug in throughline; please report it with the metric definition",
        )
    };
    let period = b.column_by_name(PERIOD).ok_or_else(bad)?;
    let period = datafusion::arrow::compute::cast(
        period,
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
    )
    .map_err(|_| bad())?;
    let period = period
        .as_primitive_opt::<TimestampMicrosecondType>()
        .ok_or_else(bad)?;
    let value = b
        .column_by_name(VALUE)
        .ok_or_else(bad)?
        .as_primitive_opt::<Float64Type>()
        .ok_or_else(bad)?;
    let segment = if segmented {
        let s = b.column_by_name(SEGMENT).ok_or_else(bad)?;
        Some(datafusion::arrow::compute::cast(s, &DataType::Utf8).map_err(|_| bad())?)
    } else {
        None
    };
    for i in 0..b.num_rows() {
        if period.is_null(i) || value.is_null(i) {
            continue;
        }
        let start = Utc
            .timestamp_micros(period.value(i))
            .single()
            .ok_or_else(bad)?
            .with_timezone(&tz);
        let seg = segment.as_ref().and_then(|s| {
            let s = s.as_string::<i32>();
            (!s.is_null(i)).then(|| s.value(i).to_string())
        });
        found.insert((start, seg), value.value(i));
    }
    Ok(())
}
