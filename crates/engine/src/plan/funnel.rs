//! `funnel {steps, within, exclude?, order}`: a user enters at their first `steps[0]` in a
//! period (their signup for `signup`), and the cohort is that period's entrants. Step k is
//! reached at `r_k`:
//! - `ordered`: the earliest `steps[k]` at or after `r_{k-1}`;
//! - `strict`: the same event, and the user has no event of any name strictly between
//!   `r_{k-1}` and it;
//! - `any`: the later of `r_{k-1}` and the earliest `steps[k]` at or after entry;
//!
//! and only if `r_k` is no later than `within[k-1]` after entry and, with `exclude`, the user
//! has no `exclude` event strictly between `r_{k-1}` and `r_k`. A step not reached leaves the
//! later ones unreached. The value is the share of entrants reaching the last step; the rows
//! carry each step's count (`step_K`). A cohort is immature until its longest window has
//! passed after its period.

use super::*;
use datafusion::functions::core::expr_fn::greatest;
use throughline_model::FunnelOrder;

/// The column holding the count of users who reached step `k`.
pub(crate) fn step_column(k: usize) -> String {
    format!("step_{k}")
}

fn reached(k: usize) -> String {
    format!("__r{k}")
}

pub(super) async fn plan(
    b: &Builder<'_>,
    steps: &[Text],
    within: &[Spanned<i64>],
    exclude: Option<&Text>,
    order: FunnelOrder,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let scale = share_scale(b.m);
    let (first, rest) = steps.split_first().ok_or_else(|| {
        EngineError::new(
            format!("metric `{}`: a funnel without steps", b.m.id.value),
            "list two or more events under `steps:`",
        )
    })?;
    let windows_us: Vec<i64> = within
        .iter()
        .map(|w| w.value.saturating_mul(1_000_000))
        .collect();
    // who and when only: in parts the blockers are written out (every event, when strict)
    let blockers = match (order, exclude) {
        (FunnelOrder::Strict, _) => Some(b.events(None, None)?),
        (_, Some(x)) => Some(b.events(Some(x), None)?),
        _ => None,
    }
    .map(|x| x.select(vec![col(USER), col(TS)]))
    .transpose()
    .map_err(b.fail("reading excluded events"))?;
    // the sides each entrant is joined with: each later step's events, then the blockers
    let mut sides = vec![(entries(b, first, grain)?, CU)];
    for step in rest {
        sides.push((b.hits(step, None)?, HIT));
    }
    if let Some(x) = blockers {
        sides.push((x, USER));
    }
    // each entrant with when they reached each step
    let frame = b
        .in_parts(sides, |mut s| {
            let blockers = (s.len() > steps.len()).then(|| s.pop()).flatten();
            let mut s = s.into_iter();
            let mut frame = s.next().ok_or_else(|| {
                EngineError::new(
                    "a funnel's parts lack the entrants",
                    "this is a bug in throughline; please report it with the metric definition",
                )
            })?;
            // the columns every row keeps: who entered when, and when each step was reached
            let mut keep = b.cohort_groups();
            keep.push(col(START_US));
            keep.push(col(reached(0)));
            for (i, hits) in s.enumerate() {
                let k = i + 1;
                let window = windows_us.get(i).copied().unwrap_or(0);
                frame = reach(b, frame, hits, &keep, k, window, order)?;
                keep.push(col(reached(k)));
                if let Some(blockers) = &blockers {
                    frame = unblocked(b, frame, blockers.clone(), &keep, k)?;
                }
            }
            Ok(frame)
        })
        .await?;
    let last = reached(steps.len() - 1);
    let mut aggs = vec![
        cast(count(col(last)), DataType::Float64).alias(NUMERATOR),
        cast(count(lit(1)), DataType::Float64).alias(DENOMINATOR),
    ];
    for k in 0..steps.len() {
        aggs.push(cast(count(col(reached(k))), DataType::Float64).alias(step_column(k)));
    }
    let frame = frame
        .aggregate(b.groups(grain, col(START)), aggs)
        .and_then(|d| {
            let mut cols = inputs.keyed(col(PERIOD));
            cols.push(
                when(
                    col(DENOMINATOR).gt(lit(0.0)),
                    col(NUMERATOR) / col(DENOMINATOR) * lit(scale),
                )
                .end()?
                .alias(VALUE),
            );
            cols.extend([col(NUMERATOR), col(DENOMINATOR)]);
            cols.extend((0..steps.len()).map(|k| col(step_column(k))));
            d.select(cols)
        })
        .map_err(b.fail("counting the funnel"))?;
    let mut p = b.planned(frame, grain);
    p.maturity_us = windows_us.iter().copied().max().unwrap_or(0);
    p.scale = scale;
    Ok(p)
}

/// Adds `__r{k}`, when each row reached step `k` (one of `hits` within `window_us` of entry),
/// to `frame`, whose rows keep the columns `keep`.
fn reach(
    b: &Builder,
    frame: DataFrame,
    hits: DataFrame,
    keep: &[Expr],
    k: usize,
    window_us: i64,
    order: FunnelOrder,
) -> Result<DataFrame, EngineError> {
    let after = match order {
        FunnelOrder::Any => col(START_US),
        FunnelOrder::Ordered | FunnelOrder::Strict => col(reached(k - 1)),
    };
    let on = col(HIT_US)
        .gt_eq(after)
        .and(col(HIT_US).lt_eq(col(START_US) + lit(window_us)));
    let at = match order {
        FunnelOrder::Any => when(
            col(reached(k - 1))
                .is_not_null()
                .and(col("__t").is_not_null()),
            greatest(vec![col(reached(k - 1)), col("__t")]),
        )
        .end()
        .map_err(b.fail("reaching a step"))?,
        FunnelOrder::Ordered | FunnelOrder::Strict => col("__t"),
    };
    let mut cols = keep.to_vec();
    cols.push(at.alias(reached(k)));
    frame
        .join_named(hits, JoinType::Left, &[CU], &[HIT], Some(on))
        .and_then(|d| d.aggregate(keep.to_vec(), vec![min(col(HIT_US)).alias("__t")]))
        .and_then(|d| d.select(cols))
        .map_err(b.fail("reaching a step"))
}

/// The entrants: each user's first `first` event in each period (`__start`, `__start_us`,
/// `__r0`), or their signup.
fn entries(b: &Builder, first: &Text, grain: Grain) -> Result<DataFrame, EngineError> {
    let d = if first.value == "signup" {
        b.cohort(&Start::Signup(first.span))?
    } else {
        let mut groups = b.inputs.keyed(col(USER).alias(CU));
        groups.push(b.cal.bucket(grain, col(TS)).alias("__entered_in"));
        let mut cols = b.inputs.keyed(col(CU));
        cols.extend([col(START), us(col(START)).alias(START_US)]);
        let d = b
            .events(Some(first), None)?
            .aggregate(groups, vec![min(col(TS)).alias(START)])
            .and_then(|d| d.select(cols))
            .map_err(b.fail("finding each user's entry"))?;
        b.in_range(d, col(START))?
    };
    let mut cols = b.cohort_groups();
    cols.extend([col(START_US), col(START_US).alias(reached(0))]);
    d.select(cols).map_err(b.fail("finding each user's entry"))
}

/// Un-reaches step `k` for users with a `blockers` event strictly between reaching step
/// `k - 1` and step `k` (with later steps still to come, they stay unreached too).
fn unblocked(
    b: &Builder,
    frame: DataFrame,
    blockers: DataFrame,
    keep: &[Expr],
    k: usize,
) -> Result<DataFrame, EngineError> {
    let blockers = blockers
        .select(vec![
            col(USER).alias("__x_user"),
            us(col(TS)).alias("__x_us"),
        ])
        .map_err(b.fail("reading excluded events"))?;
    let on = col("__x_us")
        .gt(col(reached(k - 1)))
        .and(col("__x_us").lt(col(reached(k))));
    let mut cols: Vec<Expr> = keep[..keep.len() - 1].to_vec();
    cols.push(
        when(
            col("__blocked").gt(lit(0i64)),
            lit(datafusion::scalar::ScalarValue::Int64(None)),
        )
        .otherwise(col(reached(k)))
        .map_err(b.fail("excluding"))?
        .alias(reached(k)),
    );
    frame
        .join_named(blockers, JoinType::Left, &[CU], &["__x_user"], Some(on))
        .and_then(|d| d.aggregate(keep.to_vec(), vec![count(col("__x_us")).alias("__blocked")]))
        .and_then(|d| d.select(cols))
        .map_err(b.fail("excluding"))
}
