//! `retention {from, return, every, horizon}`: for each cohort, the share of users with a `return`
//! event in step k = 0..=horizon, steps measured from each user's own start. The scalar is the
//! value at k = horizon; a cohort is immature until its last step has passed.

use super::*;

pub(super) async fn plan(
    b: &Builder<'_>,
    from: &Start,
    return_event: &Text,
    every: &Spanned<Grain>,
    horizon: &Spanned<u32>,
) -> Result<Planned, EngineError> {
    let grain = b.scope.grain;
    let inputs = b.inputs;
    let m = b.m;
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
    // each cohort user's steps with a return
    let returns = b
        .per_cohort_user(cohort.clone(), hits, JoinType::Inner, on, per_user, vec![])
        .await?;
    let returned = returns
        .aggregate(
            per_k,
            vec![cast(count(lit(1)), DataType::Float64).alias("returned")],
        )
        .map_err(b.fail("finding returns"))?;
    // read twice, by the value (its last step) and the curve: a row per cohort, segment and
    // step, computed once here when the inputs were (else the join ran once for each)
    let returned = match inputs.materialized {
        true => returned.cache().await.map_err(b.fail("finding returns"))?,
        false => returned,
    };
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
        .join_named(last, JoinType::Left, &l, &r, None)
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

/// An experiment's outcome: whether each user returns in the `horizon`-th step after their
/// start (or exposure, when later); a proportion.
pub(super) fn per_user(
    o: &Outcome,
    from: &Start,
    return_event: &Text,
    every: &Spanned<Grain>,
    horizon: &Spanned<u32>,
) -> Result<(DataFrame, bool), EngineError> {
    let step = step_us(every.value);
    let k = i64::from(horizon.value);
    let w = Window {
        lo: k * step,
        hi: (k + 1) * step,
        inclusive: false,
    };
    Ok((o.windowed(from, return_event, None, w)?, true))
}
