//! Joins of two DataFrames whose sides are named (see [`JoinNamed`]).

use datafusion::prelude::*;

/// Joins whose sides are named: SQL rendered from a plan (sent to a database, shown by
/// `--explain`) gives each side of a join its own derived-table name, where unnamed sides
/// would both be `derived_projection` and PostgreSQL refuses the statement. The joined
/// columns are then unqualified again (names unique to one side), so that a grouping above the
/// join does not name a side that only exists inside its subquery.
pub(crate) trait JoinNamed: Sized {
    fn join_named(
        self,
        right: DataFrame,
        kind: datafusion::logical_expr::JoinType,
        left_cols: &[&str],
        right_cols: &[&str],
        on: Option<Expr>,
    ) -> datafusion::error::Result<DataFrame>;
}

impl JoinNamed for DataFrame {
    fn join_named(
        self,
        right: DataFrame,
        kind: datafusion::logical_expr::JoinType,
        left_cols: &[&str],
        right_cols: &[&str],
        on: Option<Expr>,
    ) -> datafusion::error::Result<DataFrame> {
        let joined = self
            .alias("l")?
            .join(right.alias("r")?, kind, left_cols, right_cols, on)?;
        let names: Vec<&str> = joined
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let unqualified: Vec<Expr> = joined
            .schema()
            .iter()
            .map(|(q, f)| {
                let c = Expr::Column(datafusion::common::Column::new(q.cloned(), f.name()));
                if names.iter().filter(|n| **n == f.name()).count() == 1 {
                    c.alias(f.name())
                } else {
                    c
                }
            })
            .collect();
        joined.select(unqualified)
    }
}
