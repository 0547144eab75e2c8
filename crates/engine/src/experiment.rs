//! Experiments: who was exposed to which variant, and each metric per user from their exposure
//! on, summed per variant (count, Σy, Σy², and a pre-exposure covariate x for CUPED: Σx, Σx²,
//! Σxy). Every step is a DataFusion plan; the statistics live in `throughline-experiment`.

use datafusion::arrow::array::{Array, AsArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::functions_aggregate::expr_fn::{count, max, min, sum};
use datafusion::prelude::*;

use throughline_experiment::stats::Sums;
use throughline_model::Experiment;

use crate::error::{EngineError, df};
use crate::inputs::Inputs;
use crate::plan::{Builder, us};
use crate::sources::{EVENT, TS, USER};

pub use crate::plan::outcome::PRE_DAYS;
use crate::plan::outcome::{EXP_USER, Outcome, T0, VARIANT, X, Y};

/// A metric per variant.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricArms {
    pub metric: String,
    /// Each user's outcome is 0 or 1 (conversion, retention, unique): compare proportions.
    pub proportion: bool,
    /// Each variant's sums of the per-user outcome `y` and covariate `x`, in the
    /// statistics' own type.
    pub arms: Vec<(String, Sums)>,
}

/// Exposures and every goal and guardrail metric per variant.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentData {
    /// Users per variant (first exposure decides), by variant name.
    pub arms: Vec<(String, u64)>,
    /// Users seen in more than one variant: excluded.
    pub multiple: u64,
    /// First and last exposure, UTC microseconds.
    pub exposed_us: Option<(i64, i64)>,
    pub metrics: Vec<MetricArms>,
}

fn fail(exp: &str, doing: &str) -> impl Fn(datafusion::error::DataFusionError) -> EngineError {
    let what = format!("experiment `{exp}`: {doing}");
    move |e| df(&what, e)
}

/// The exposures: one row per user seen in exactly one variant (`__exp_user`, `__t0_us`,
/// `__variant`), and the number of users seen in several.
pub(crate) async fn exposures(
    inputs: &Inputs,
    exp: &Experiment,
) -> Result<(DataFrame, u64), EngineError> {
    let id = &exp.id.value;
    let a = exp.assignment.as_ref().ok_or_else(|| {
        EngineError::new(
            format!("experiment `{id}` has no `assignment:`"),
            "add `assignment: { event: experiment_assigned, property: variant, control: control }`",
        )
        .at(exp.id.span)
    })?;
    if crate::sources::column_type(&inputs.events, &a.property.value).is_none() {
        return Err(EngineError::new(
            format!(
                "experiment `{id}`: the events have no column `{}` for the variant",
                a.property.value
            ),
            "name the events column that holds the variant in `assignment.property`",
        )
        .at(a.property.span));
    }
    let per_user = inputs
        .events
        .clone()
        .filter(col(EVENT).eq(lit(a.event.value.clone())))
        .and_then(|d| {
            d.select(vec![
                col(USER),
                col(TS),
                cast(ident(a.property.value.clone()), DataType::Utf8).alias(VARIANT),
            ])
        })
        .and_then(|d| d.filter(col(VARIANT).is_not_null()))
        .and_then(|d| {
            d.aggregate(
                vec![col(USER).alias(EXP_USER)],
                vec![
                    us(min(col(TS))).alias(T0),
                    // Seen in several variants when the smallest and largest differ: the
                    // same answer as counting distinct variants, without a set per user.
                    min(col(VARIANT)).alias("__vmin"),
                    max(col(VARIANT)).alias("__vmax"),
                ],
            )
        })
        .map_err(fail(id, "reading exposures"))?
        .cache()
        .await
        .map_err(fail(id, "reading exposures"))?;
    let multiple = per_user
        .clone()
        .filter(col("__vmin").not_eq(col("__vmax")))
        .map_err(fail(id, "counting users in several variants"))?
        .count()
        .await
        .map_err(fail(id, "counting users in several variants"))? as u64;
    let single = per_user
        .filter(col("__vmin").eq(col("__vmax")))
        // one variant: the smallest is it (no first-by-time aggregate, which PostgreSQL lacks)
        .and_then(|d| d.select(vec![col(EXP_USER), col(T0), col("__vmin").alias(VARIANT)]))
        .map_err(fail(id, "reading exposures"))?;
    Ok((single, multiple))
}

/// Each exposed user's outcome `__y` (and covariate `__x`) for metric `m`, with `__variant`,
/// and whether the outcome is 0 or 1. Users whose outcome cannot be known yet (a window that
/// has not elapsed by the data's end) or does not exist (never reached `to` for a duration)
/// are left out. Each compute type builds its own outcome beside its plan (`plan::per_user`).
pub(crate) fn per_user(
    b: &Builder,
    exposed: DataFrame,
    data_end_us: i64,
) -> Result<(DataFrame, bool), EngineError> {
    let o = Outcome::new(b, exposed, data_end_us);
    let compute =
        b.m.compute
            .as_ref()
            .ok_or_else(|| o.refused("it has no `compute:`"))?;
    crate::plan::per_user(&o, &compute.value)
}

/// `aggregates` per variant, the variant first, in the variants' order.
async fn per_variant(
    frame: DataFrame,
    aggregates: Vec<Expr>,
    what: &str,
) -> Result<Vec<RecordBatch>, EngineError> {
    let fail = |e| df(what, e);
    frame
        .aggregate(vec![col(VARIANT)], aggregates)
        .map_err(fail)?
        .sort(vec![col(VARIANT).sort(true, false)])
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)
}

/// Sums per variant of a per-user frame.
pub(crate) async fn arm_sums(
    frame: DataFrame,
    what: &str,
) -> Result<Vec<(String, Sums)>, EngineError> {
    let batches = per_variant(
        frame,
        vec![
            count(lit(1)).alias("n"),
            sum(col(Y)).alias("sy"),
            sum(col(Y) * col(Y)).alias("syy"),
            sum(col(X)).alias("sx"),
            sum(col(X) * col(X)).alias("sxx"),
            sum(col(X) * col(Y)).alias("sxy"),
        ],
        what,
    )
    .await?;
    let mut out = Vec::new();
    for b in &batches {
        let variant = cast_text(b.column(0))?;
        let n = b
            .column(1)
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(unexpected)?;
        let f = |i: usize| {
            b.column(i)
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(unexpected)
        };
        let (sy, syy, sx, sxx, sxy) = (f(2)?, f(3)?, f(4)?, f(5)?, f(6)?);
        for (r, name) in variant.into_iter().enumerate() {
            let g = |a: &datafusion::arrow::array::PrimitiveArray<Float64Type>| {
                if a.is_null(r) { 0.0 } else { a.value(r) }
            };
            let sums = Sums {
                n: n.value(r) as f64,
                sy: g(sy),
                syy: g(syy),
                sx: g(sx),
                sxx: g(sxx),
                sxy: g(sxy),
            };
            out.push((name, sums));
        }
    }
    Ok(out)
}

/// Users per variant and the first and last exposure.
pub(crate) async fn arm_users(
    exposed: DataFrame,
    what: &str,
) -> Result<(Vec<(String, u64)>, Option<(i64, i64)>), EngineError> {
    let batches = per_variant(
        exposed,
        vec![
            count(lit(1)).alias("n"),
            min(col(T0)).alias("lo"),
            max(col(T0)).alias("hi"),
        ],
        what,
    )
    .await?;
    let mut arms = Vec::new();
    let mut span: Option<(i64, i64)> = None;
    for b in &batches {
        let variant = cast_text(b.column(0))?;
        let n = b
            .column(1)
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(unexpected)?;
        let lo = b
            .column(2)
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(unexpected)?;
        let hi = b
            .column(3)
            .as_primitive_opt::<Int64Type>()
            .ok_or_else(unexpected)?;
        for (r, name) in variant.into_iter().enumerate() {
            arms.push((name, n.value(r) as u64));
            let (l, h) = (lo.value(r), hi.value(r));
            span = Some(span.map_or((l, h), |(a, z)| (a.min(l), z.max(h))));
        }
    }
    Ok((arms, span))
}

fn cast_text(a: &dyn Array) -> Result<Vec<String>, EngineError> {
    let a = datafusion::arrow::compute::cast(a, &DataType::Utf8)
        .map_err(|e| df("reading variants", e.into()))?;
    let s = a.as_string_opt::<i32>().ok_or_else(unexpected)?;
    Ok((0..s.len())
        .map(|i| {
            if s.is_null(i) {
                String::new()
            } else {
                s.value(i).to_string()
            }
        })
        .collect())
}

fn unexpected() -> EngineError {
    EngineError::new(
        "the engine returned columns of an unexpected type",
        "this is a bug in throughline; please report it with the experiment definition",
    )
}
