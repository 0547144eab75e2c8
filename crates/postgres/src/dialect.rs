//! PostgreSQL's dialect for DataFusion's SQL unparser, with the engine's own functions written
//! as the PostgreSQL expressions that compute the same thing.

use datafusion::arrow::datatypes::TimeUnit;
use datafusion::common::Result;
use datafusion::logical_expr::Expr;
use datafusion::sql::sqlparser::ast;
use datafusion::sql::sqlparser::dialect::PostgreSqlDialect as ParseDialect;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::unparser::Unparser;
use datafusion::sql::unparser::dialect::{
    DateFieldExtractStyle, Dialect, DistinctFromStyle, IntervalStyle, PostgreSqlDialect,
};

/// The engine's function giving a UTC instant's microseconds since the epoch.
pub const EPOCH_US_FN: &str = "tl_us";
/// The engine's function reading a zone-less time as a local time of the workspace's zone.
pub const INSTANT_FN: &str = "tl_instant";

/// DataFusion's PostgreSQL dialect plus the engine's functions.
#[derive(Default)]
pub struct PgDialect;

impl PgDialect {
    fn rewrite(&self, unparser: &Unparser, func: &str, args: &[Expr]) -> Result<Option<ast::Expr>> {
        // `tl_instant` has a second argument, the zone, which PostgreSQL takes from the
        // connection instead
        let Some(arg) = args.first() else {
            return Ok(None);
        };
        let arg = unparser.expr_to_sql(arg)?;
        let sql = match func {
            // exact: EXTRACT returns numeric on PostgreSQL 14+
            EPOCH_US_FN => format!("CAST(EXTRACT(EPOCH FROM {arg}) * 1000000 AS BIGINT)"),
            // the connection's TimeZone is the workspace's zone
            INSTANT_FN => format!("CAST({arg} AS TIMESTAMP WITH TIME ZONE)"),
            _ => return Ok(None),
        };
        let parsed = Parser::new(&ParseDialect {})
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| datafusion::error::DataFusionError::Internal(e.to_string()))?;
        Ok(Some(parsed))
    }
}

impl Dialect for PgDialect {
    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        PostgreSqlDialect {}.identifier_quote_style(identifier)
    }
    fn use_array_keyword_for_array_literals(&self) -> bool {
        PostgreSqlDialect {}.use_array_keyword_for_array_literals()
    }
    fn supports_qualify(&self) -> bool {
        PostgreSqlDialect {}.supports_qualify()
    }
    fn requires_derived_table_alias(&self) -> bool {
        PostgreSqlDialect {}.requires_derived_table_alias()
    }
    fn supports_empty_select_list(&self) -> bool {
        PostgreSqlDialect {}.supports_empty_select_list()
    }
    fn interval_style(&self) -> IntervalStyle {
        PostgreSqlDialect {}.interval_style()
    }
    fn float64_ast_dtype(&self) -> ast::DataType {
        PostgreSqlDialect {}.float64_ast_dtype()
    }
    fn int8_cast_dtype(&self) -> ast::DataType {
        PostgreSqlDialect {}.int8_cast_dtype()
    }
    fn distinct_from_style(&self) -> DistinctFromStyle {
        PostgreSqlDialect {}.distinct_from_style()
    }
    fn date_field_extract_style(&self) -> DateFieldExtractStyle {
        PostgreSqlDialect {}.date_field_extract_style()
    }
    fn timestamp_cast_dtype(
        &self,
        unit: &TimeUnit,
        tz: &Option<std::sync::Arc<str>>,
    ) -> ast::DataType {
        match tz {
            // an instant seen in a zone: PostgreSQL's `timestamptz` has no zone of its own, so
            // the zone is kept as a marker type that [`crate::rewrite`] turns into `date_trunc`'s
            // zone argument and then removes
            Some(tz) => crate::rewrite::zone_marker(tz),
            None => PostgreSqlDialect {}.timestamp_cast_dtype(unit, tz),
        }
    }
    fn scalar_function_to_sql_overrides(
        &self,
        unparser: &Unparser,
        func_name: &str,
        args: &[Expr],
    ) -> Result<Option<ast::Expr>> {
        if let Some(e) = self.rewrite(unparser, func_name, args)? {
            return Ok(Some(e));
        }
        PostgreSqlDialect {}.scalar_function_to_sql_overrides(unparser, func_name, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::prelude::col;

    #[test]
    fn engine_functions_are_postgresql() {
        let d = PgDialect;
        let u = Unparser::new(&d);
        let e = d.rewrite(&u, EPOCH_US_FN, &[col("ts")]).unwrap().unwrap();
        assert_eq!(
            e.to_string(),
            r#"CAST(EXTRACT(EPOCH FROM "ts") * 1000000 AS BIGINT)"#
        );
        assert!(d.rewrite(&u, "lower", &[col("ts")]).unwrap().is_none());
        // the zone argument is the connection's TimeZone in PostgreSQL
        let zone = datafusion::prelude::lit("America/New_York");
        let e = d
            .rewrite(&u, INSTANT_FN, &[col("at"), zone])
            .unwrap()
            .unwrap();
        assert_eq!(e.to_string(), r#"CAST("at" AS TIMESTAMP WITH TIME ZONE)"#);
    }
}
