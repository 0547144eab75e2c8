//! An experiment's outcome per exposed user, the piece each compute type's module builds
//! its own with (`per_user` beside its plan): the user's events after exposure and in the
//! weeks before it, a mean, a window after the user's start, the time to an event.

use datafusion::functions_aggregate::expr_fn::{avg, count, max, min, sum};
use datafusion::logical_expr::{JoinType, when};
use datafusion::prelude::*;

use super::*;

pub(crate) const EXP_USER: &str = "__exp_user";
pub(crate) const T0: &str = "__t0_us";
pub(crate) const VARIANT: &str = "__variant";
pub(crate) const Y: &str = "__y";
pub(crate) const X: &str = "__x";
/// The covariate for CUPED: the same measure over the 28 days before exposure.
pub const PRE_DAYS: i64 = 28;

/// What a compute type's per-user outcome is built from: the metric's plan builder, the
/// exposed users (`__exp_user`, `__t0_us`, `__variant`) and the end of the data (UTC µs).
pub(crate) struct Outcome<'a> {
    pub b: &'a Builder<'a>,
    exposed: DataFrame,
    data_end_us: i64,
}

/// A window after each user's start, in microseconds; a conversion's end is inclusive, a
/// retention step's is not (as in the metric plans).
pub(crate) struct Window {
    pub lo: i64,
    pub hi: i64,
    pub inclusive: bool,
}

impl<'a> Outcome<'a> {
    pub(crate) fn new(b: &'a Builder<'a>, exposed: DataFrame, data_end_us: i64) -> Self {
        Outcome {
            b,
            exposed,
            data_end_us,
        }
    }

    /// The events named `event` (any when `None`) that pass `filter`, as `__hit_user`,
    /// `__hit_us` and `__v`: `value`'s column as a number, or 1.
    pub(crate) fn hits(
        &self,
        event: Option<&Text>,
        filter: Option<&Where>,
        value: Option<&Text>,
    ) -> Result<DataFrame, EngineError> {
        let b = self.b;
        let d = b.events(event, filter)?;
        let v = match value {
            Some(p) => b.numeric(&d, p)?,
            None => lit(1.0),
        };
        d.select(vec![
            col(USER).alias(HIT),
            us(col(TS)).alias(HIT_US),
            v.alias("__v"),
        ])
        .map_err(b.fail("reading events"))
    }

    /// The sum of `value` over each user's `hits` (or whether there is any, when `any`) after
    /// exposure (y), and in the 28 days before (x).
    pub(crate) fn after_and_before(
        &self,
        hits: DataFrame,
        value: Expr,
        any: bool,
    ) -> Result<DataFrame, EngineError> {
        let b = self.b;
        let pre_us = PRE_DAYS * crate::plan::DAY_US;
        let after = col(HIT_US).gt_eq(col(T0));
        let before = col(HIT_US)
            .lt(col(T0))
            .and(col(HIT_US).gt_eq(col(T0) - lit(pre_us)));
        let pick = |c: Expr| when(c, value.clone()).otherwise(lit(0.0));
        let (y, x) = match (pick(after), pick(before)) {
            (Ok(y), Ok(x)) if any => (max(y), max(x)),
            (Ok(y), Ok(x)) => (sum(y), sum(x)),
            (Err(e), _) | (_, Err(e)) => return Err(b.fail("building the outcome")(e)),
        };
        self.exposed
            .clone()
            .join_named(hits, JoinType::Left, &[EXP_USER], &[HIT], None)
            .and_then(|d| {
                d.aggregate(
                    vec![col(EXP_USER), col(VARIANT)],
                    vec![
                        cast(y, DataType::Float64).alias(Y),
                        cast(x, DataType::Float64).alias(X),
                    ],
                )
            })
            .and_then(|d| {
                d.select(vec![
                    col(VARIANT),
                    coalesce(vec![col(Y), lit(0.0)]).alias(Y),
                    coalesce(vec![col(X), lit(0.0)]).alias(X),
                ])
            })
            .map_err(b.fail("computing the outcome per user"))
    }

    /// The mean of `value` over each user's `hits` (with a value) after their exposure.
    pub(crate) fn mean_after(
        &self,
        hits: DataFrame,
        value: Expr,
        doing: &str,
    ) -> Result<DataFrame, EngineError> {
        self.exposed
            .clone()
            .join_named(
                hits,
                JoinType::Inner,
                &[EXP_USER],
                &[HIT],
                Some(col(HIT_US).gt_eq(col(T0))),
            )
            .and_then(|d| d.filter(col("__v").is_not_null()))
            .and_then(|d| d.aggregate(vec![col(EXP_USER), col(VARIANT)], vec![avg(value).alias(Y)]))
            .and_then(|d| d.select(vec![col(VARIANT), col(Y), lit(0.0).alias(X)]))
            .map_err(self.b.fail(doing))
    }

    /// Each exposed user's start for a cohort metric: their `from`, or their exposure when
    /// that came later (`__exp_user`, `__variant`, `__start_us`).
    pub(crate) fn starts(&self, from: &Start) -> Result<DataFrame, EngineError> {
        let b = self.b;
        let cohort = b.cohort(from)?;
        self.exposed
            .clone()
            .join_named(cohort, JoinType::Inner, &[EXP_USER], &[CU], None)
            .and_then(|d| {
                d.select(vec![
                    col(EXP_USER),
                    col(VARIANT),
                    when(col(START_US).gt(col(T0)), col(START_US))
                        .otherwise(col(T0))?
                        .alias(START_US),
                ])
            })
            .map_err(b.fail("finding each user's start"))
    }

    /// 1 when the user has `to` in the window after their start, else 0; users whose window
    /// ends after the data are left out.
    pub(crate) fn windowed(
        &self,
        from: &Start,
        to: &Text,
        filter: Option<&Where>,
        Window { lo, hi, inclusive }: Window,
    ) -> Result<DataFrame, EngineError> {
        let b = self.b;
        let starts = self
            .starts(from)?
            .filter((col(START_US) + lit(hi)).lt_eq(lit(self.data_end_us)))
            .map_err(b.fail("keeping users whose window has elapsed"))?;
        let hits = b.hits(to, filter)?;
        let end = col(START_US) + lit(hi);
        let on = col(HIT_US)
            .gt_eq(col(START_US) + lit(lo))
            .and(if inclusive {
                col(HIT_US).lt_eq(end)
            } else {
                col(HIT_US).lt(end)
            });
        starts
            .join_named(hits, JoinType::Left, &[EXP_USER], &[HIT], Some(on))
            .and_then(|d| {
                d.aggregate(
                    vec![col(EXP_USER), col(VARIANT)],
                    vec![count(col(HIT_US)).alias("__hits")],
                )
            })
            .and_then(|d| {
                d.select(vec![
                    col(VARIANT),
                    when(col("__hits").gt(lit(0i64)), lit(1.0))
                        .otherwise(lit(0.0))?
                        .alias(Y),
                    lit(0.0).alias(X),
                ])
            })
            .map_err(b.fail("checking each user's window"))
    }

    /// The outcome columns for the time from each user's start to their first `to`, within
    /// `within_us` (users who never reach it are left out).
    pub(crate) fn time_to(
        &self,
        from: &Start,
        to: &Text,
        within_us: i64,
    ) -> Result<DataFrame, EngineError> {
        let b = self.b;
        let hits = b.hits(to, None)?;
        self.starts(from)?
            .join_named(
                hits,
                JoinType::Inner,
                &[EXP_USER],
                &[HIT],
                Some(
                    col(HIT_US)
                        .gt_eq(col(START_US))
                        .and(col(HIT_US).lt_eq(col(START_US) + lit(within_us))),
                ),
            )
            .and_then(|d| {
                d.aggregate(
                    vec![col(EXP_USER), col(VARIANT), col(START_US)],
                    vec![min(col(HIT_US)).alias("__first")],
                )
            })
            .and_then(|d| {
                d.select(vec![
                    col(VARIANT),
                    (cast(col("__first") - col(START_US), DataType::Float64) / lit(1_000_000.0))
                        .alias(Y),
                    lit(0.0).alias(X),
                ])
            })
            .map_err(b.fail("measuring durations per user"))
    }

    /// The error for a metric that has no value per user, and `why`.
    pub(crate) fn refused(&self, why: &str) -> EngineError {
        let m: &Metric = self.b.m;
        EngineError::new(
            format!("metric `{}` cannot be computed per user: {why}", m.id.value),
            "use a count, sum, average, unique, conversion, retention, duration or nps metric as an experiment's goal or guardrail",
        )
        .at(m.id.span)
    }
}
