//! One metric, one query plan over the shared [`Inputs`]: each compute type of DESIGN.md as
//! DataFusion DataFrame operations. Definitions are turned into expressions (never pasted
//! into SQL text), so the same plan can be run here or rendered as SQL for a warehouse.
//!
//! Every plan yields the columns `period` (the start of a calendar period), `segment` (when
//! segmenting), `value`, `numerator` and `denominator`; retention also yields its curve.
//! Each compute type has its own module (how it is planned and when its values are settled,
//! through [`Planned`]); this one holds what they share: the [`Builder`] over the inputs, the
//! cohort and hit tables, period grouping and shares.

mod churn;
mod conversion;
mod count;
mod cumulative;
mod duration;
pub(crate) mod funnel;
mod lifecycle;
mod nps;
pub(crate) mod outcome;
pub(crate) mod parts;
mod retention;
pub(crate) mod shared;
pub(crate) mod sql;
mod stickiness;
mod streaks;
mod sum;
mod unique;

use datafusion::arrow::datatypes::DataType;
use datafusion::functions_aggregate::expr_fn::{
    avg, count, count_distinct, median, min, percentile_cont, sum,
};
use datafusion::logical_expr::{JoinType, when};
use datafusion::prelude::*;
use throughline_model::{Compute, Grain, Metric, Running, Spanned, Start, Stat, Text, Unit, Where};

use crate::columns::{DAY, DAYS, MASK, SEGMENT};
use crate::error::{EngineError, df};
use crate::inputs::Inputs;
pub(crate) use crate::join::JoinNamed;
use crate::sources::{EVENT, SIGNUP, TS, USER, column_type};
use crate::time::Calendar;
use outcome::{Outcome, Window};

use crate::columns::{PERIOD, VALUE};
pub(crate) const NUMERATOR: &str = "numerator";
pub(crate) const DENOMINATOR: &str = "denominator";
pub(crate) const OFFSET: &str = "k";
pub(crate) const START: &str = "__start";
pub(crate) const START_US: &str = "__start_us";
pub(crate) const CU: &str = "__cohort_user";
pub(crate) const HIT_US: &str = "__hit_us";
/// The user of a hit (see [`Builder::hits`]).
pub(crate) const HIT: &str = "__hit_user";

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
    /// Cumulative: the rows are days (`period` is the day), with what each adds to the total
    /// (`value`) and what leaves it the window's days later (`numerator`); a period's value
    /// is the total at its end.
    pub running: Option<RunningTotal>,
}

/// How a cumulative plan's days add up to a period's value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunningTotal {
    /// What a day adds leaves the total this many days later; `None`: it never leaves.
    pub window_days: Option<u64>,
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
            running: None,
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
        self.single_by(d, self.groups(grain, ts), value)
    }

    /// `value` grouped by `groups` (`period` and `segment`), plus empty numerator and
    /// denominator.
    fn single_by(
        &self,
        d: DataFrame,
        groups: Vec<Expr>,
        value: Expr,
    ) -> Result<DataFrame, EngineError> {
        d.aggregate(groups, vec![cast(value, DataType::Float64).alias(VALUE)])
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
    pub(crate) fn cohort(&self, from: &Start) -> Result<DataFrame, EngineError> {
        let seg = |cols: &mut Vec<Expr>| {
            if self.inputs.segmented() {
                cols.push(col(SEGMENT));
            }
        };
        let d = if let Start::Signup(span) = from {
            let users = self.inputs.users.clone().ok_or_else(|| {
                EngineError::new(
                    format!(
                        "metric `{}`: `from: signup` reads the users source, and there is none",
                        self.m.id.value
                    ),
                    "add a `users` source (one row per user, `time` = signup) to throughline.yaml, or start from an event (an event called `signup` is `from: { event: signup }`)",
                )
                .at(*span)
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
            self.events(from.event(), None)?
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
            .select(vec![col(USER).alias(HIT), us(col(TS)).alias(HIT_US)])
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
    match &compute.value {
        Compute::Count { event, filter } => count::plan(&b, event, filter.as_ref()),
        Compute::Unique { event, filter } => unique::plan(&b, event.as_ref(), filter.as_ref()),
        Compute::Sum {
            event,
            property,
            filter,
        } => sum::plan(&b, event, property, filter.as_ref(), true),
        Compute::Average {
            event,
            property,
            filter,
        } => sum::plan(&b, event, property, filter.as_ref(), false),
        Compute::Nps { event, property } => nps::plan(&b, event, property),
        Compute::Conversion {
            from,
            to,
            within,
            filter,
        } => conversion::plan(&b, from, to, within, filter.as_ref()).await,
        Compute::Retention {
            from,
            return_event,
            every,
            horizon,
        } => retention::plan(&b, from, return_event, every, horizon).await,
        Compute::Duration {
            from,
            to,
            stat,
            within,
        } => duration::plan(&b, from, to, stat, within).await,
        Compute::Churn { event, every } => churn::plan(&b, event.as_ref(), every),
        Compute::Stickiness { event } => stickiness::plan(&b, event.as_ref()),
        Compute::Funnel {
            steps,
            within,
            exclude,
            order,
        } => funnel::plan(&b, steps, within, exclude.as_ref(), order.value).await,
        Compute::Lifecycle { event, every } => lifecycle::plan(&b, event.as_ref(), every),
        Compute::Cumulative { of, filter, window } => {
            cumulative::plan(&b, of, filter.as_ref(), window.as_ref())
        }
        Compute::Sql { query } => sql::plan(inputs, b.cal, m, query, scope).await,
        Compute::Ratio { .. } | Compute::Derived { .. } => Err(EngineError::new(
            format!(
                "metric `{}` combines other metrics and has no plan of its own",
                m.id.value
            ),
            "explain the metrics it reads instead",
        )),
    }
}

/// Whether `m`'s plan joins a cohort's users to their events (conversion, duration,
/// retention, the funnel), a join [`parts`] can split.
pub(crate) fn joins_users(m: &Metric) -> bool {
    matches!(
        m.compute.as_ref().map(|c| &c.value),
        Some(
            Compute::Conversion { .. }
                | Compute::Duration { .. }
                | Compute::Retention { .. }
                | Compute::Funnel { .. }
        )
    )
}

/// An experiment's outcome for each exposed user, built beside each compute type's plan, and
/// whether it is 0 or 1 (a proportion); types without a value per user say why.
pub(crate) fn per_user(o: &Outcome, compute: &Compute) -> Result<(DataFrame, bool), EngineError> {
    match compute {
        Compute::Count { event, filter } => count::per_user(o, event, filter.as_ref()),
        Compute::Sum {
            event,
            property,
            filter,
        } => sum::per_user(o, event, property, filter.as_ref(), true),
        Compute::Average {
            event,
            property,
            filter,
        } => sum::per_user(o, event, property, filter.as_ref(), false),
        Compute::Unique { event, filter } => unique::per_user(o, event.as_ref(), filter.as_ref()),
        Compute::Nps { event, property } => nps::per_user(o, event, property),
        Compute::Conversion {
            from,
            to,
            within,
            filter,
        } => conversion::per_user(o, from, to, within, filter.as_ref()),
        Compute::Retention {
            from,
            return_event,
            every,
            horizon,
        } => retention::per_user(o, from, return_event, every, horizon),
        Compute::Duration {
            from, to, within, ..
        } => duration::per_user(o, from, to, within),
        Compute::Ratio { .. } => Err(o.refused(
            "a ratio of two metrics has no value per user; use the numerator's metric",
        )),
        Compute::Derived { .. } => Err(o.refused("a derived metric has no value per user")),
        Compute::Funnel { .. } => Err(o.refused(
            "a funnel's value is a share of each period's entrants; compare the variants with a `conversion` metric from the first step to the last",
        )),
        Compute::Churn { .. } | Compute::Stickiness { .. } | Compute::Lifecycle { .. } => Err(
            o.refused("it is defined over periods of activity, not per user"),
        ),
        Compute::Cumulative { .. } => Err(o.refused(
            "a running total adds up the data before each period's end, not what a user did after exposure; compare the variants with the `count`, `sum` or `unique` metric it adds up",
        )),
        Compute::Sql { .. } => Err(o.refused(
            "a `sql` metric returns values per period, not per user",
        )),
    }
}

/// A metric's part of the shared scan of the events, built beside its type's plan (only the
/// types whose [`Compute::shares_the_scan`] says so have one).
pub(crate) fn shared_part(
    s: &shared::Scan,
    compute: &Compute,
) -> Result<shared::Part, EngineError> {
    match compute {
        Compute::Count { event, filter } => count::shared(s, event, filter.as_ref()),
        Compute::Sum {
            event,
            property,
            filter,
        } => sum::shared(s, event, property, filter.as_ref(), true),
        Compute::Average {
            event,
            property,
            filter,
        } => sum::shared(s, event, property, filter.as_ref(), false),
        Compute::Nps { event, property } => nps::shared(s, event, property),
        other => Err(EngineError::new(
            format!(
                "metric `{}`: a `{}` metric does not share the scan of the events",
                s.b.m.id.value,
                other.type_name()
            ),
            "this is a bug in throughline; please report it with the metric definition",
        )),
    }
}

impl Builder<'_> {
    /// The users active (with `event`, or any event) in each period of `grain`, each once:
    /// `user_id`, `period` (and `segment`). From the active periods of that grain when they
    /// were rolled up, else the distinct periods of the daily roll-up.
    fn active_by_period(
        &self,
        event: Option<&Text>,
        grain: Grain,
    ) -> Result<DataFrame, EngineError> {
        let mut cols = self.inputs.keyed(col(USER));
        if let Some(p) = self.inputs.periods.get(&grain) {
            cols.insert(1, col(PERIOD));
            let p = match event {
                Some(e) => p
                    .clone()
                    .filter(self.has_activity_event(e)?)
                    .map_err(self.fail("filtering events"))?,
                None => p.clone(),
            };
            return p.select(cols).map_err(self.fail("finding active users"));
        }
        cols.insert(1, self.cal.bucket(grain, col(DAY)).alias(PERIOD));
        self.activity(event)?
            .select(cols)
            .and_then(|d| d.distinct())
            .map_err(self.fail("finding active users"))
    }

    /// The rolled-up active periods of the metric's grain, when there are and the metric is
    /// asked for whole periods: no `--to`, and no `--from` or one at a period's start (a
    /// refresh's first period is one), since either may cut a period short. A plan reading
    /// them keeps the periods from `--from` on with [`Builder::in_range`].
    fn whole_periods(&self) -> Option<&DataFrame> {
        if self.scope.to_us.is_some() {
            return None;
        }
        if let Some(from) = self.scope.from_us
            && self.cal.period_start_us(self.scope.grain, from)? != from
        {
            return None;
        }
        self.inputs.periods.get(&self.scope.grain)
    }

    /// The start of the period after `period`: one period later in local time (a month or a
    /// week of local days, whatever the offset changes), cut to a period start again.
    fn next_period(&self, grain: Grain) -> Expr {
        self.period_after(grain, col(PERIOD))
    }

    /// The start of the period after the one starting at `start`.
    fn period_after(&self, grain: Grain, start: Expr) -> Expr {
        use datafusion::scalar::ScalarValue;
        let one = match grain {
            Grain::Day => ScalarValue::new_interval_mdn(0, 1, 0),
            Grain::Week => ScalarValue::new_interval_mdn(0, 7, 0),
            Grain::Month => ScalarValue::new_interval_mdn(1, 0, 0),
            Grain::Quarter => ScalarValue::new_interval_mdn(3, 0, 0),
        };
        self.cal.bucket(grain, start + lit(one))
    }

    fn activity(&self, event: Option<&Text>) -> Result<DataFrame, EngineError> {
        let mut a = self.inputs.activity.clone().ok_or_else(|| {
            EngineError::new(
                "the activity roll-up was not prepared",
                "this is a bug in throughline; please report it with the metric definition",
            )
        })?;
        if let Some(e) = event {
            a = a
                .filter(self.has_activity_event(e)?)
                .map_err(self.fail("filtering events"))?;
        }
        Ok(a)
    }

    /// `mask & bit(event) != 0`: the roll-up rows of users who had `event` that day.
    pub(crate) fn has_activity_event(&self, e: &Text) -> Result<Expr, EngineError> {
        let bit = self.inputs.activity_bits.get(&e.value).copied().ok_or_else(|| {
            EngineError::new(
                format!(
                    "metric `{}`: more than 62 event names are counted as activity in one request",
                    self.m.id.value
                ),
                "measure fewer metrics at once (`--metric`)",
            )
        })?;
        Ok(datafusion::logical_expr::binary_expr(
            col(MASK),
            datafusion::logical_expr::Operator::BitwiseAnd,
            lit(bit),
        )
        .not_eq(lit(0i64)))
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
    crate::instant::epoch_us(e)
}

pub(crate) fn ts_lit(us: i64) -> Expr {
    lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
        Some(us),
        Some("UTC".into()),
    ))
}
