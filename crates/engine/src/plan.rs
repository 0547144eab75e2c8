//! One metric, one query plan over the shared [`Inputs`]: each compute type of DESIGN.md as
//! DataFusion DataFrame operations. Definitions are turned into expressions (never pasted
//! into SQL text), so the same plan can be run here or rendered as SQL for a warehouse.
//!
//! Every plan yields the columns `period` (the start of a calendar period), `segment` (when
//! segmenting), `value`, `numerator` and `denominator`; retention also yields its curve.

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::{
    avg, count, count_distinct, median, min, percentile_cont, sum,
};
use datafusion::logical_expr::{JoinType, when};
use datafusion::prelude::*;
use throughline_model::{Compute, Grain, Metric, Stat, Text, Unit, Where};

use crate::error::{EngineError, df};
use crate::inputs::{DAY, Inputs, SEGMENT};
use crate::sources::{EVENT, SIGNUP, TS, USER, column_type};
use crate::time::Calendar;

pub(crate) const PERIOD: &str = "period";
pub(crate) const VALUE: &str = "value";
pub(crate) const NUMERATOR: &str = "numerator";
pub(crate) const DENOMINATOR: &str = "denominator";
pub(crate) const OFFSET: &str = "k";
pub(crate) const START: &str = "__start";
pub(crate) const START_US: &str = "__start_us";
pub(crate) const CU: &str = "__cohort_user";
pub(crate) const HIT_US: &str = "__hit_us";

/// What to compute a metric over.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    pub grain: Grain,
    /// UTC instants, microseconds: `[from, to)`.
    pub from_us: Option<i64>,
    pub to_us: Option<i64>,
}

/// A metric's plan and how its rows become values.
pub(crate) struct Planned {
    pub frame: DataFrame,
    /// The grain of the periods (churn uses its own `every`).
    pub grain: Grain,
    /// An empty period is 0 (counts), not missing (averages, shares).
    pub zero_when_empty: bool,
    /// A cohort's values settle this long (µs) after its period ends.
    pub maturity_us: i64,
    /// Stickiness: the value is mean daily actives (numerator ÷ days) over period actives.
    pub per_day: bool,
    /// Retention: `period`, `segment`, `k`, `returned` rows for the curve.
    pub curve: Option<(DataFrame, u32)>,
    /// Values are shares reported ×100.
    pub scale: f64,
}

impl Planned {
    /// A plan whose rows are values as they are: no zero-fill, settled when the period ends.
    pub fn new(frame: DataFrame, grain: Grain) -> Planned {
        Planned {
            frame,
            grain,
            zero_when_empty: false,
            maturity_us: 0,
            per_day: false,
            curve: None,
            scale: 1.0,
        }
    }
}

pub(crate) const DAY_US: i64 = 86_400_000_000;

/// The length of one `every` step of retention, measured from each user's own start.
pub(crate) fn step_us(g: Grain) -> i64 {
    match g {
        Grain::Day => DAY_US,
        Grain::Week => 7 * DAY_US,
        Grain::Month => 30 * DAY_US,
        Grain::Quarter => 91 * DAY_US,
    }
}

/// Shares (conversion, retention, churn, stickiness, and ratios with `unit: percent`) are
/// percents unless the metric says `unit: ratio`.
fn share_scale(m: &Metric) -> f64 {
    match m.unit.as_ref().map(|u| &u.value) {
        Some(Unit::Ratio) => 1.0,
        _ => 100.0,
    }
}

pub(crate) struct Builder<'a> {
    pub inputs: &'a Inputs,
    pub cal: &'a Calendar,
    pub scope: &'a Scope,
    pub m: &'a Metric,
}

impl Builder<'_> {
    pub(crate) fn fail(
        &self,
        doing: &str,
    ) -> impl Fn(datafusion::error::DataFusionError) -> EngineError {
        let what = format!("metric `{}`: {doing}", self.m.id.value);
        move |e| df(&what, e)
    }

    fn in_range(&self, d: DataFrame, c: Expr) -> Result<DataFrame, EngineError> {
        let mut d = d;
        if let Some(from) = self.scope.from_us {
            d = d
                .filter(c.clone().gt_eq(ts_lit(from)))
                .map_err(self.fail("filtering dates"))?;
        }
        if let Some(to) = self.scope.to_us {
            d = d
                .filter(c.lt(ts_lit(to)))
                .map_err(self.fail("filtering dates"))?;
        }
        Ok(d)
    }

    fn groups(&self, grain: Grain, ts: Expr) -> Vec<Expr> {
        self.inputs.keyed(self.cal.bucket(grain, ts).alias(PERIOD))
    }

    /// The events named `event` (every event if `None`) that pass `filter`.
    pub(crate) fn events(
        &self,
        event: Option<&Text>,
        filter: Option<&Where>,
    ) -> Result<DataFrame, EngineError> {
        let mut d = self.inputs.events.clone();
        if let Some(e) = event {
            d = d
                .filter(col(EVENT).eq(lit(e.value.clone())))
                .map_err(self.fail("filtering events"))?;
        }
        if let Some(w) = filter {
            let e = crate::filter::to_expr(&w.filter, &d, &self.inputs.event_columns)
                .map_err(|e| e.at(w.text.span))?;
            d = d.filter(e).map_err(self.fail("applying `where:`"))?;
        }
        Ok(d)
    }

    pub(crate) fn numeric(&self, d: &DataFrame, p: &Text) -> Result<Expr, EngineError> {
        let ty = column_type(d, &p.value).ok_or_else(|| {
            EngineError::new(
                format!(
                    "metric `{}`: the events have no column `{}`",
                    self.m.id.value, p.value
                ),
                "name a column of the events source in `property:`",
            )
            .at(p.span)
        })?;
        if !ty.is_numeric() {
            return Err(EngineError::new(
                format!(
                    "metric `{}`: column `{}` is {ty}, not a number",
                    self.m.id.value, p.value
                ),
                "this compute type needs a numeric column",
            )
            .at(p.span));
        }
        Ok(cast(ident(p.value.clone()), DataType::Float64))
    }

    /// `value` plus empty numerator and denominator.
    fn single(
        &self,
        d: DataFrame,
        grain: Grain,
        ts: Expr,
        value: Expr,
    ) -> Result<DataFrame, EngineError> {
        d.aggregate(
            self.groups(grain, ts),
            vec![cast(value, DataType::Float64).alias(VALUE)],
        )
        .and_then(|d| {
            let mut cols = self.inputs.keyed(col(PERIOD));
            cols.extend([
                col(VALUE),
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(NUMERATOR),
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(DENOMINATOR),
            ]);
            d.select(cols)
        })
        .map_err(self.fail("aggregating"))
    }

    /// Users and their start: the signup time from the users table, or their first `from`
    /// event. Columns `__cohort_user`, `__start`, `__start_us`, `segment`.
    pub(crate) fn cohort(&self, from: &Text) -> Result<DataFrame, EngineError> {
        let seg = |cols: &mut Vec<Expr>| {
            if self.inputs.segmented() {
                cols.push(col(SEGMENT));
            }
        };
        let d = if from.value == "signup" {
            let users = self.inputs.users.clone().ok_or_else(|| {
                EngineError::new(
                    format!(
                        "metric `{}`: `from: signup` reads the users source, and there is none",
                        self.m.id.value
                    ),
                    "add a `users` source (one row per user, `time` = signup) to throughline.yaml, or start from an event",
                )
                .at(from.span)
            })?;
            let mut cols = vec![col(USER).alias(CU), col(SIGNUP).alias(START)];
            seg(&mut cols);
            users
                .filter(col(SIGNUP).is_not_null())
                .and_then(|u| u.select(cols))
                .map_err(self.fail("reading signups"))?
        } else {
            let mut groups = vec![col(USER).alias(CU)];
            seg(&mut groups);
            self.events(Some(from), None)?
                .aggregate(groups, vec![min(col(TS)).alias(START)])
                .map_err(self.fail("finding each user's first event"))?
        };
        let mut cols = vec![col(CU), col(START), us(col(START)).alias(START_US)];
        seg(&mut cols);
        let d = d.select(cols).map_err(self.fail("building the cohort"))?;
        self.in_range(d, col(START))
    }

    /// The `event` rows as `__hit_user`, `__hit_us`.
    pub(crate) fn hits(
        &self,
        event: &Text,
        filter: Option<&Where>,
    ) -> Result<DataFrame, EngineError> {
        self.events(Some(event), filter)?
            .select(vec![
                col(USER).alias("__hit_user"),
                us(col(TS)).alias(HIT_US),
            ])
            .map_err(self.fail("reading events"))
    }

    fn cohort_groups(&self) -> Vec<Expr> {
        let mut g = self.inputs.keyed(col(CU));
        g.insert(1, col(START));
        g
    }

    fn planned(&self, frame: DataFrame, grain: Grain) -> Planned {
        Planned::new(frame, grain)
    }
}

/// The plan of a metric computed from data (not `ratio` or `derived`, which combine other
/// metrics' values).
pub(crate) async fn plan(
    inputs: &Inputs,
    m: &Metric,
    cal: &Calendar,
    scope: &Scope,
) -> Result<Planned, EngineError> {
    let b = Builder {
        inputs,
        cal,
        scope,
        m,
    };
    let compute = m.compute.as_ref().ok_or_else(|| {
        EngineError::new(
            format!("metric `{}` has no `compute:`", m.id.value),
            "add e.g. `compute: { type: count, event: workflow_completed }`",
        )
        .at(m.span)
    })?;
    let grain = scope.grain;
    let ts = || col(TS);
    match &compute.value {
        Compute::Count { event, filter } => {
            let d = b.in_range(b.events(Some(event), filter.as_ref())?, ts())?;
            let mut p = b.planned(b.single(d, grain, ts(), count(lit(1)))?, grain);
            p.zero_when_empty = true;
            Ok(p)
        }
        Compute::Unique { event, filter } => {
            let (d, t) = match (&inputs.activity, filter) {
                (Some(a), None) => {
                    let mut a = a.clone();
                    if let Some(e) = event {
                        a = a
                            .filter(col(EVENT).eq(lit(e.value.clone())))
                            .map_err(b.fail("filtering events"))?;
                    }
                    (a, col(DAY))
                }
                _ => (b.events(event.as_ref(), filter.as_ref())?, ts()),
            };
            let d = b.in_range(d, t.clone())?;
            let mut p = b.planned(b.single(d, grain, t, count_distinct(col(USER)))?, grain);
            p.zero_when_empty = true;
            Ok(p)
        }
        Compute::Sum {
            event,
            property,
            filter,
        }
        | Compute::Average {
            event,
            property,
            filter,
        } => {
            let d = b.in_range(b.events(Some(event), filter.as_ref())?, ts())?;
            let v = b.numeric(&d, property)?;
            let is_sum = matches!(compute.value, Compute::Sum { .. });
            let agg = if is_sum { sum(v) } else { avg(v) };
            let mut p = b.planned(b.single(d, grain, ts(), agg)?, grain);
            p.zero_when_empty = is_sum;
            Ok(p)
        }
        Compute::Nps { event, property } => {
            let d = b.in_range(b.events(Some(event), None)?, ts())?;
            let score = b.numeric(&d, property)?;
            // a response is a score from 0 to 10; anything else is not a response
            let d = d
                .filter(score.clone().between(lit(0.0), lit(10.0)))
                .map_err(b.fail("reading scores"))?;
            let flag = |cond: Expr| {
                when(cond, lit(1.0))
                    .otherwise(lit(0.0))
                    .map_err(b.fail("scoring"))
            };
            let net = flag(score.clone().gt_eq(lit(9.0)))? - flag(score.lt_eq(lit(6.0)))?;
            let frame = d
                .aggregate(
                    b.groups(grain, ts()),
                    vec![
                        sum(net).alias(NUMERATOR),
                        cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                    ],
                )
                .and_then(|d| with_share(d, inputs.segmented(), 100.0))
                .map_err(b.fail("aggregating"))?;
            let mut p = b.planned(frame, grain);
            p.scale = 100.0;
            Ok(p)
        }
        Compute::Conversion {
            from,
            to,
            within,
            filter,
        } => {
            let cohort = b.cohort(from)?;
            let hits = b.hits(to, filter.as_ref())?;
            let within_us = within.value.saturating_mul(1_000_000);
            let on = col(HIT_US)
                .gt_eq(col(START_US))
                .and(col(HIT_US).lt_eq(col(START_US) + lit(within_us)));
            let scale = share_scale(m);
            let frame = cohort
                .join(hits, JoinType::Left, &[CU], &["__hit_user"], Some(on))
                .and_then(|d| {
                    d.aggregate(b.cohort_groups(), vec![count(col(HIT_US)).alias("__hits")])
                })
                .and_then(|d| {
                    d.aggregate(
                        b.groups(grain, col(START)),
                        vec![
                            sum(when(col("__hits").gt(lit(0)), lit(1.0)).otherwise(lit(0.0))?)
                                .alias(NUMERATOR),
                            cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                        ],
                    )
                })
                .and_then(|d| with_share(d, inputs.segmented(), scale))
                .map_err(b.fail("converting"))?;
            let mut p = b.planned(frame, grain);
            p.maturity_us = within_us;
            p.scale = scale;
            Ok(p)
        }
        Compute::Retention {
            from,
            return_event,
            every,
            horizon,
        } => {
            let cohort = b.cohort(from)?;
            let hits = b.hits(return_event, None)?;
            let step = step_us(every.value);
            let n = i64::from(horizon.value);
            let on = col(HIT_US)
                .gt_eq(col(START_US))
                .and(col(HIT_US).lt(col(START_US) + lit(step * (n + 1))));
            let scale = share_scale(m);
            let sizes = cohort
                .clone()
                .aggregate(
                    b.groups(grain, col(START)),
                    vec![cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR)],
                )
                .map_err(b.fail("sizing cohorts"))?;
            let mut per_user = b.cohort_groups();
            per_user.push(((col(HIT_US) - col(START_US)) / lit(step)).alias(OFFSET));
            let mut per_k = b.groups(grain, col(START));
            per_k.push(col(OFFSET));
            let returned = cohort
                .join(hits, JoinType::Inner, &[CU], &["__hit_user"], Some(on))
                .and_then(|d| d.aggregate(per_user, vec![]))
                .and_then(|d| {
                    d.aggregate(
                        per_k,
                        vec![cast(count(lit(1)), DataType::Float64).alias("returned")],
                    )
                })
                .map_err(b.fail("finding returns"))?;
            // the scalar: the share returning in step N
            let last = returned
                .clone()
                .filter(col(OFFSET).eq(lit(n)))
                .and_then(|d| {
                    let mut cols = renamed_keys(inputs.segmented());
                    cols.push(col("returned"));
                    d.select(cols)
                })
                .map_err(b.fail("finding returns"))?;
            let (l, r) = join_keys(inputs.segmented());
            let frame = sizes
                .join(last, JoinType::Left, &l, &r, None)
                .and_then(|d| {
                    let mut cols = inputs.keyed(col(PERIOD));
                    cols.push(coalesce(vec![col("returned"), lit(0.0)]).alias(NUMERATOR));
                    cols.push(col(DENOMINATOR));
                    d.select(cols)
                })
                .and_then(|d| with_share(d, inputs.segmented(), scale))
                .map_err(b.fail("finding returns"))?;
            let mut p = b.planned(frame, grain);
            p.maturity_us = step * (n + 1);
            p.curve = Some((returned, horizon.value));
            p.scale = scale;
            Ok(p)
        }
        Compute::Duration { from, to, stat } => {
            let cohort = b.cohort(from)?;
            let hits = b.hits(to, None)?;
            let on = col(HIT_US).gt_eq(col(START_US));
            let secs = cast(col("__first") - col(START_US), DataType::Float64) / lit(1_000_000.0);
            let agg = match stat.value {
                Stat::Median => median(col("__secs")),
                Stat::Mean => avg(col("__secs")),
                Stat::P90 => percentile_cont(col("__secs").sort(true, false), lit(0.9)),
            };
            let mut first_cols = b.cohort_groups();
            first_cols.push(secs.alias("__secs"));
            let frame = cohort
                .join(hits, JoinType::Left, &[CU], &["__hit_user"], Some(on))
                .and_then(|d| {
                    d.aggregate(
                        b.cohort_groups(),
                        vec![
                            min(col(HIT_US)).alias("__first"),
                            min(col(START_US)).alias(START_US),
                        ],
                    )
                })
                .and_then(|d| d.select(first_cols))
                .and_then(|d| {
                    d.aggregate(
                        b.groups(grain, col(START)),
                        vec![
                            cast(agg, DataType::Float64).alias(VALUE),
                            // users who reached `to` of the cohort's users
                            cast(count(col("__secs")), DataType::Float64).alias(NUMERATOR),
                            cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                        ],
                    )
                })
                .map_err(b.fail("measuring durations"))?;
            Ok(b.planned(frame, grain))
        }
        Compute::Churn { event, every } => {
            let grain = every.value;
            let a = b.activity(event.as_ref())?;
            let mut act_cols = inputs.keyed(col(USER));
            act_cols.insert(1, b.cal.bucket(grain, col(DAY)).alias(PERIOD));
            let act = a
                .select(act_cols)
                .and_then(|d| d.distinct())
                .map_err(b.fail("finding active users"))?;
            let spine = b.next_periods(grain)?;
            // users active in a period, paired with the period after it
            let mut prev_cols = inputs.keyed(col(USER).alias("__u"));
            prev_cols.insert(1, col("__next").alias(PERIOD));
            let prev = act
                .clone()
                .join(spine, JoinType::Inner, &[PERIOD], &["__p"], None)
                .and_then(|d| d.select(prev_cols))
                .map_err(b.fail("pairing periods"))?;
            let now = act
                .select(vec![col(USER).alias("__u2"), col(PERIOD).alias("__p2")])
                .map_err(b.fail("pairing periods"))?;
            let groups = inputs.keyed(col(PERIOD));
            let scale = share_scale(m);
            let frame = prev
                .join(
                    now,
                    JoinType::Left,
                    &["__u", PERIOD],
                    &["__u2", "__p2"],
                    None,
                )
                .and_then(|d| {
                    d.aggregate(
                        groups,
                        vec![
                            cast(count(lit(1)) - count(col("__u2")), DataType::Float64)
                                .alias(NUMERATOR),
                            cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
                        ],
                    )
                })
                .map_err(b.fail("finding churned users"))?;
            let frame = b.in_range(frame, col(PERIOD))?;
            let frame = with_share(frame, inputs.segmented(), scale).map_err(b.fail("churn"))?;
            let mut p = b.planned(frame, grain);
            p.scale = scale;
            Ok(p)
        }
        Compute::Stickiness { event } => {
            let a = b.in_range(b.activity(event.as_ref())?, col(DAY))?;
            let daily_groups = inputs.keyed(col(DAY));
            let daily = a
                .clone()
                .aggregate(daily_groups, vec![count_distinct(col(USER)).alias("__dau")])
                .and_then(|d| {
                    let mut g = vec![b.cal.bucket(grain, col(DAY)).alias("__p")];
                    if inputs.segmented() {
                        g.push(col(SEGMENT).alias("__s"));
                    }
                    d.aggregate(
                        g,
                        vec![cast(sum(col("__dau")), DataType::Float64).alias(NUMERATOR)],
                    )
                })
                .map_err(b.fail("counting daily actives"))?;
            let period = a
                .aggregate(
                    b.groups(grain, col(DAY)),
                    vec![cast(count_distinct(col(USER)), DataType::Float64).alias(DENOMINATOR)],
                )
                .map_err(b.fail("counting period actives"))?;
            let (l, r) = join_keys(inputs.segmented());
            let frame = period
                .join(daily, JoinType::Inner, &l, &r, None)
                .and_then(|d| {
                    let mut cols = inputs.keyed(col(PERIOD));
                    cols.extend([
                        lit(datafusion::scalar::ScalarValue::Float64(None)).alias(VALUE),
                        col(NUMERATOR),
                        col(DENOMINATOR),
                    ]);
                    d.select(cols)
                })
                .map_err(b.fail("stickiness"))?;
            let mut p = b.planned(frame, grain);
            p.per_day = true;
            p.scale = share_scale(m);
            Ok(p)
        }
        Compute::Sql { query } => crate::sql::plan(inputs, b.cal, m, query, scope).await,
        Compute::Ratio { .. } | Compute::Derived { .. } => Err(EngineError::new(
            format!(
                "metric `{}` combines other metrics and has no plan of its own",
                m.id.value
            ),
            "explain the metrics it reads instead",
        )),
    }
}

impl Builder<'_> {
    fn activity(&self, event: Option<&Text>) -> Result<DataFrame, EngineError> {
        let mut a = self.inputs.activity.clone().ok_or_else(|| {
            EngineError::new(
                "the activity roll-up was not prepared",
                "this is a bug in throughline; please report it with the metric definition",
            )
        })?;
        if let Some(e) = event {
            a = a
                .filter(col(EVENT).eq(lit(e.value.clone())))
                .map_err(self.fail("filtering events"))?;
        }
        Ok(a)
    }

    /// A small table pairing each period start with the next one (`__p`, `__next`), over the
    /// years the data could cover.
    fn next_periods(&self, grain: Grain) -> Result<DataFrame, EngineError> {
        use datafusion::arrow::array::{RecordBatch, TimestampMicrosecondArray};
        use datafusion::arrow::datatypes::{Field, Schema, TimeUnit};
        use std::sync::Arc;
        let first = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
        let last = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap_or_default();
        let starts: Vec<i64> = self
            .cal
            .spine(grain, first, last)
            .iter()
            .map(|s| s.timestamp_micros())
            .collect();
        let tz: Arc<str> = self.cal.tz.name().into();
        let ty = DataType::Timestamp(TimeUnit::Microsecond, Some(tz.clone()));
        let schema = Arc::new(Schema::new(vec![
            Field::new("__p", ty.clone(), false),
            Field::new("__next", ty, false),
        ]));
        let n = starts.len().saturating_sub(1);
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(
                    TimestampMicrosecondArray::from(starts[..n].to_vec()).with_timezone(tz.clone()),
                ),
                Arc::new(TimestampMicrosecondArray::from(starts[1..].to_vec()).with_timezone(tz)),
            ],
        )
        .map_err(|e| df("building the calendar", e.into()))?;
        let ctx = SessionContext::new();
        ctx.read_batch(batch)
            .map_err(|e| df("building the calendar", e))
    }
}

/// The keys to join two per-period frames on: `period` (and `segment`) on the left,
/// `__p` (and `__s`) on the right.
fn join_keys(segmented: bool) -> (Vec<&'static str>, Vec<&'static str>) {
    if segmented {
        (vec![PERIOD, SEGMENT], vec!["__p", "__s"])
    } else {
        (vec![PERIOD], vec!["__p"])
    }
}

/// `period` and `segment` renamed to the right-hand keys of [`join_keys`].
fn renamed_keys(segmented: bool) -> Vec<Expr> {
    let mut cols = vec![col(PERIOD).alias("__p")];
    if segmented {
        cols.push(col(SEGMENT).alias("__s"));
    }
    cols
}

/// Adds `value = numerator / denominator × scale` (none when the denominator is 0).
fn with_share(d: DataFrame, segmented: bool, scale: f64) -> datafusion::error::Result<DataFrame> {
    let mut cols = vec![col(PERIOD)];
    if segmented {
        cols.push(col(SEGMENT));
    }
    cols.extend([
        when(
            col(DENOMINATOR).gt(lit(0.0)),
            col(NUMERATOR) / col(DENOMINATOR) * lit(scale),
        )
        .end()?
        .alias(VALUE),
        col(NUMERATOR),
        col(DENOMINATOR),
    ]);
    d.select(cols)
}

/// Microseconds since the epoch of a UTC timestamp.
pub(crate) fn us(e: Expr) -> Expr {
    cast(e, DataType::Int64)
}

pub(crate) fn ts_lit(us: i64) -> Expr {
    lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}
