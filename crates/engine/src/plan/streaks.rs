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
    /// start of the period after each, joined from a table of the periods (see
    /// [`Builder::spine`]). A period missing from it (none should be) gets its next computed
    /// in the row; the filters on the next period (a refresh's first period) stay above the
    /// join, where they compare a column, instead of being pushed down to compute the next
    /// period of every row of `act` (which cost 0.35 s of lifecycle's 0.88 s in a refresh of
    /// the 1M demo).
    fn with_next(&self, act: &DataFrame, grain: Grain) -> Result<DataFrame, EngineError> {
        let fail = self.fail("finding each period's next");
        let spine = self.spine(act, grain)?;
        let mut cols = self.inputs.keyed(col(USER));
        cols.extend([
            col(PERIOD),
            coalesce(vec![col("__next"), self.next_period(grain)]).alias("__next"),
        ]);
        act.clone()
            .join_named(spine, JoinType::Left, &[PERIOD], &["__p"], None)
            .and_then(|d| d.select(cols))
            .map_err(fail)
    }

    /// `__p`, each period of `grain` from the data's first day to its last, and `__next`, the
    /// period after it: listed from the calendar when the data's days are known (no pass over
    /// `act`), else found in `act` (its distinct periods, the next of each computed once).
    fn spine(&self, act: &DataFrame, grain: Grain) -> Result<DataFrame, EngineError> {
        use datafusion::arrow::array::{ArrayRef, RecordBatch, TimestampMicrosecondArray};
        let fail = self.fail("listing the periods");
        let Some((first, last)) = self.inputs.days else {
            return act
                .clone()
                .aggregate(vec![col(PERIOD)], vec![])
                .and_then(|d| {
                    d.select(vec![
                        col(PERIOD).alias("__p"),
                        self.next_period(grain).alias("__next"),
                    ])
                })
                .map_err(fail);
        };
        let starts = self.cal.spine(grain, first, last);
        let us = |t: &chrono::DateTime<chrono_tz::Tz>| t.timestamp_micros();
        let column = |v: Vec<i64>| -> ArrayRef {
            std::sync::Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC"))
        };
        let p: Vec<i64> = starts.iter().map(us).collect();
        let next: Vec<i64> = starts
            .iter()
            .map(|s| us(&self.cal.period_end(grain, *s)))
            .collect();
        let batch = RecordBatch::try_from_iter([("__p", column(p)), ("__next", column(next))])
            .map_err(|e| fail(e.into()))?;
        // in the type of `act`'s periods
        let typed = act
            .schema()
            .field_with_unqualified_name(PERIOD)
            .map(|f| f.data_type().clone())
            .map_err(&fail)?;
        self.inputs
            .session
            .read_batch(batch)
            .and_then(|d| {
                d.select(vec![
                    cast(col("__p"), typed.clone()).alias("__p"),
                    cast(col("__next"), typed).alias("__next"),
                ])
            })
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
