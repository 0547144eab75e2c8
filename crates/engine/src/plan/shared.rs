//! One scan of the events for the event aggregates of a request: every `count`, `sum`,
//! `average` and `nps` metric of the same grain and date range is one aggregate, with its own
//! `FILTER (WHERE …)`, of a single `GROUP BY period[, segment]` over the events. The result
//! (one row per period and segment, however many events) is held in memory once, and each
//! metric's plan reads its own columns from it, keeping only the periods where that metric
//! had events — the rows its own plan would have given.
//!
//! Without it each of these metrics reads every event again; with it the events are read
//! once for all of them. `--explain` still shows each metric's own plan, which gives the
//! same rows.

use std::collections::BTreeMap;

use datafusion::logical_expr::ExprFunctionExt;

use super::*;

/// A metric the shared scan can compute, with the grain and date range it is asked for.
pub(crate) struct Wanted<'a> {
    pub metric: &'a Metric,
    pub scope: Scope,
}

/// What one metric contributes to the shared aggregate: the rows it counts, the aggregates
/// it needs, and how its plan is read back from the shared result.
pub(crate) struct Part {
    /// The number its columns are named with (`__shared_{index}_…`).
    index: usize,
    id: String,
    grain: Grain,
    cond: Expr,
    aggregates: Vec<Expr>,
    kind: Kind,
}

#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// `value` is the aggregate; an empty period is 0 when `zero_when_empty`.
    Single { zero_when_empty: bool },
    /// NPS: `numerator` and `denominator`, the value their share ×100.
    Nps,
}

fn name(i: usize, what: &str) -> String {
    format!("__shared_{i}_{what}")
}

/// The plans of the wanted metrics that share a scan, by metric id and grain. Metrics whose
/// grain and range no other metric shares, or whose parts cannot be built (their own plan
/// then reports why), are left to their own plans.
pub(crate) async fn plans(
    inputs: &Inputs,
    cal: &Calendar,
    wanted: &[Wanted<'_>],
) -> Result<BTreeMap<(String, Grain), Planned>, EngineError> {
    let mut groups: Vec<(Scope, Vec<&Wanted>)> = Vec::new();
    for w in wanted {
        if !eligible(w.metric) {
            continue;
        }
        match groups.iter_mut().find(|(s, _)| same_scope(s, &w.scope)) {
            // a metric read by several others is wanted once
            Some((_, ws)) if ws.iter().any(|x| x.metric.id.value == w.metric.id.value) => {}
            Some((_, ws)) => ws.push(w),
            None => groups.push((w.scope.clone(), vec![w])),
        }
    }
    let mut out = BTreeMap::new();
    for (scope, ws) in groups {
        if ws.len() < 2 {
            continue;
        }
        out.extend(group(inputs, cal, &scope, &ws).await?);
    }
    Ok(out)
}

fn eligible(m: &Metric) -> bool {
    m.compute
        .as_ref()
        .is_some_and(|c| c.value.shares_the_scan())
}

fn same_scope(a: &Scope, b: &Scope) -> bool {
    a.grain == b.grain && a.from_us == b.from_us && a.to_us == b.to_us
}

/// One shared aggregate for metrics of the same scope.
async fn group(
    inputs: &Inputs,
    cal: &Calendar,
    scope: &Scope,
    wanted: &[&Wanted<'_>],
) -> Result<BTreeMap<(String, Grain), Planned>, EngineError> {
    let mut parts = Vec::new();
    for (i, w) in wanted.iter().enumerate() {
        let b = Builder {
            inputs,
            cal,
            scope,
            m: w.metric,
        };
        if let Ok(p) = part(&b, i) {
            parts.push(p);
        }
    }
    let mut out = BTreeMap::new();
    if parts.len() < 2 {
        return Ok(out);
    }
    let fail = |doing: &'static str| {
        move |e: datafusion::error::DataFusionError| df(&format!("shared scan: {doing}"), e)
    };
    let any = parts
        .iter()
        .map(|p| p.cond.clone())
        .reduce(Expr::or)
        .expect("two parts or more");
    let b = Builder {
        inputs,
        cal,
        scope,
        m: wanted[0].metric,
    };
    let events = b
        .in_range(inputs.events.clone(), col(TS))?
        .filter(any)
        .map_err(fail("filtering events"))?;
    let aggregates: Vec<Expr> = parts.iter().flat_map(|p| p.aggregates.clone()).collect();
    let shared = events
        .aggregate(b.groups(scope.grain, col(TS)), aggregates)
        .map_err(fail("aggregating"))?
        .cache()
        .await
        .map_err(fail("aggregating"))?;
    for p in &parts {
        let frame = read_back(inputs, &shared, p).map_err(fail("reading the shared result"))?;
        let mut planned = Planned::new(frame, p.grain);
        match p.kind {
            Kind::Single { zero_when_empty } => planned.zero_when_empty = zero_when_empty,
            Kind::Nps => planned.scale = 100.0,
        }
        out.insert((p.id.clone(), p.grain), planned);
    }
    Ok(out)
}

/// Builds metric number `i`'s [`Part`] of the shared scan: each compute type the scan serves
/// gives its condition and aggregates (`shared` beside its plan), the same as its own plan's.
pub(crate) struct Scan<'a> {
    pub b: &'a Builder<'a>,
    i: usize,
}

impl Scan<'_> {
    /// The rows of `event` that pass `filter`.
    pub(crate) fn cond(&self, event: &Text, filter: Option<&Where>) -> Result<Expr, EngineError> {
        let is = col(EVENT).eq(lit(event.value.clone()));
        Ok(match filter {
            Some(w) => is.and(
                crate::filter::to_expr(
                    &w.filter,
                    &self.b.inputs.events,
                    &self.b.inputs.event_columns,
                )
                .map_err(|e| e.at(w.text.span))?,
            ),
            None => is,
        })
    }

    /// `agg` over the rows of `cond`, as a float column named `what`.
    pub(crate) fn aggregate(
        &self,
        agg: Expr,
        cond: &Expr,
        what: &str,
    ) -> Result<Expr, EngineError> {
        let e = agg
            .filter(cond.clone())
            .build()
            .map_err(self.b.fail("aggregating"))?;
        Ok(cast(e, DataType::Float64).alias(name(self.i, what)))
    }

    /// The part: `cond`, `aggregates` (`v`, or `num` and `den`) and the count of its rows.
    pub(crate) fn part(
        &self,
        cond: Expr,
        mut aggregates: Vec<Expr>,
        kind: Kind,
    ) -> Result<Part, EngineError> {
        let n = count(lit(1))
            .filter(cond.clone())
            .build()
            .map_err(self.b.fail("aggregating"))?
            .alias(name(self.i, "n"));
        aggregates.push(n);
        Ok(Part {
            index: self.i,
            id: self.b.m.id.value.clone(),
            grain: self.b.scope.grain,
            cond,
            aggregates,
            kind,
        })
    }
}

fn part(b: &Builder, i: usize) -> Result<Part, EngineError> {
    let compute =
        &b.m.compute
            .as_ref()
            .expect("eligible metrics compute")
            .value;
    super::shared_part(&Scan { b, i }, compute)
}

/// Metric `p`'s rows of the shared result, in the columns its own plan gives.
fn read_back(
    inputs: &Inputs,
    shared: &DataFrame,
    p: &Part,
) -> datafusion::error::Result<DataFrame> {
    let i = p.index;
    let d = shared.clone().filter(col(name(i, "n")).gt(lit(0i64)))?;
    let mut cols = inputs.keyed(col(PERIOD));
    match p.kind {
        Kind::Single { .. } => {
            cols.extend([
                col(name(i, "v")).alias(VALUE),
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(NUMERATOR),
                lit(datafusion::scalar::ScalarValue::Float64(None)).alias(DENOMINATOR),
            ]);
            d.select(cols)
        }
        Kind::Nps => {
            cols.extend([
                col(name(i, "num")).alias(NUMERATOR),
                col(name(i, "den")).alias(DENOMINATOR),
            ]);
            with_share(d.select(cols)?, inputs.segmented(), 100.0)
        }
    }
}
