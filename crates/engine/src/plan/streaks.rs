//! Counts over users' active periods that churn and lifecycle share, found by hashing rather
//! than by ordering each user's periods. A window function over each user's periods in order
//! (`lead`, `lag`, `first_value`) spent about 2 µs a row in DataFusion 55's bounded window
//! operator with one partition per user (a refresh of the 1M demo: 2.32 s of compute for
//! churn's 1.24M rows). Grouped aggregations spill to disk like a sort when they outgrow
//! their memory, though more slowly under a tight limit (docs/architecture.md).
//!
//! Each of a user's active periods is also written as the period after it (from a table of
//! the distinct periods, so the zone's calendar arithmetic runs once per period, not per
//! row); grouping a user's rows by period then tells the periods they were active in and in
//! the one before.

use datafusion::functions_aggregate::expr_fn::bit_or;

use super::*;

impl Builder<'_> {
    /// `act` (`user_id`, `period`, and `segment`: a user's active periods) with `__next`, the
    /// start of the period after each.
    fn with_next(&self, act: &DataFrame, grain: Grain) -> Result<DataFrame, EngineError> {
        let fail = self.fail("finding each period's next");
        let spine = act
            .clone()
            .aggregate(vec![col(PERIOD)], vec![])
            .and_then(|d| {
                d.select(vec![
                    col(PERIOD).alias("__p"),
                    self.next_period(grain).alias("__next"),
                ])
            })
            .map_err(&fail)?;
        let mut cols = self.inputs.keyed(col(USER));
        cols.extend([col(PERIOD), col("__next")]);
        act.clone()
            .join_named(spine, JoinType::Inner, &[PERIOD], &["__p"], None)
            .and_then(|d| d.select(cols))
            .map_err(fail)
    }

    /// Per period of `grain` (and segment) with users active in it or in the one before,
    /// from `act`: how many users were active in it (`__active`), in the one before
    /// (`__before`), and in both (`__both`, its returning users).
    pub(super) fn consecutive(
        &self,
        act: &DataFrame,
        grain: Grain,
    ) -> Result<DataFrame, EngineError> {
        let fail = self.fail("finding users active in consecutive periods");
        let inputs = self.inputs;
        let next = self.with_next(act, grain)?;
        // a user's row of a period: 1 when active in it, 2 when active in the one before
        let tagged = |d: DataFrame, period: &str, bit: i64| {
            let mut cols = inputs.keyed(col(USER));
            cols.extend([col(period).alias("__k"), lit(bit).alias("__bit")]);
            d.select(cols)
        };
        let mut groups = inputs.keyed(col(USER));
        groups.push(col("__k"));
        // a user's bits of a period: 1, 2 or 3
        let counted = |c: Expr, name: &str| -> Result<Expr, EngineError> {
            let one = when(c, lit(1i64)).otherwise(lit(0i64)).map_err(&fail)?;
            Ok(cast(sum(one), DataType::Float64).alias(name))
        };
        let bits = || col("__bits");
        let counts = vec![
            counted(bits().not_eq(lit(2i64)), "__active")?,
            counted(bits().gt_eq(lit(2i64)), "__before")?,
            counted(bits().eq(lit(3i64)), "__both")?,
        ];
        tagged(act.clone(), PERIOD, 1)
            .and_then(|here| here.union(tagged(next, "__next", 2)?))
            .and_then(|d| d.aggregate(groups, vec![bit_or(col("__bit")).alias("__bits")]))
            .and_then(|d| d.aggregate(inputs.keyed(col("__k")), counts))
            .and_then(|d| {
                let mut cols = inputs.keyed(col("__k").alias(PERIOD));
                cols.extend([col("__active"), col("__before"), col("__both")]);
                d.select(cols)
            })
            .map_err(fail)
    }
}
