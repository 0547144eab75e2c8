//! A PostgreSQL table as federation sees it: its name and columns, and how statements that
//! read it are prepared. A source defined by a `SELECT` (`query:`) instead of a table gives
//! statements that read it the query as a common table expression of the source's name.

use std::any::Any;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::common::TableReference;
use datafusion_federation::sql::{LogicalOptimizer, SQLTable, SqlQueryRewriter};

use crate::error::Error;
use crate::executor::PgExecutor;

#[derive(Debug)]
pub(crate) struct PgTable {
    reference: TableReference,
    /// The `SELECT` the table is the result of; `None` for a table of the database.
    sql: Option<String>,
    schema: SchemaRef,
}

impl PgTable {
    /// Table `reference` of the database, with columns `schema`.
    pub fn table(reference: TableReference, schema: SchemaRef) -> PgTable {
        PgTable {
            reference,
            sql: None,
            schema,
        }
    }

    /// The result of `sql`, named `name`; its columns are asked of the server.
    pub async fn query(executor: &PgExecutor, name: &str, sql: &str) -> Result<PgTable, Error> {
        let sql = sql.trim().trim_end_matches(';').to_string();
        let schema = executor
            .describe(&format!("SELECT * FROM ({sql}) AS q"))
            .await
            .map_err(Error::query)?;
        Ok(PgTable {
            reference: TableReference::bare(name),
            sql: Some(sql),
            schema,
        })
    }
}

/// `statement` reading `name` from `WITH "name" AS (sql)`; once, however many times the
/// statement reads the table (each read asks for the rewrite).
fn with_cte(statement: &str, name: &str, sql: &str) -> String {
    let cte = format!("\"{}\" AS ({sql})", name.replace('"', "\"\""));
    if statement.starts_with(&format!("WITH {cte}")) {
        return statement.to_string();
    }
    match statement.strip_prefix("WITH ") {
        Some(rest) => format!("WITH {cte}, {rest}"),
        None => format!("WITH {cte} {statement}"),
    }
}

impl SQLTable for PgTable {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn table_reference(&self) -> TableReference {
        self.reference.clone()
    }

    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn logical_optimizer(&self) -> Option<LogicalOptimizer> {
        Some(Box::new(crate::rewrite::named_aggregates))
    }

    fn sql_query_rewriter(&self) -> Option<SqlQueryRewriter> {
        let sql = self.sql.clone()?;
        let name = self.reference.table().to_string();
        Some(Box::new(move |statement| {
            Ok(with_cte(&statement, &name, &sql))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_becomes_a_cte() {
        assert_eq!(
            with_cte(
                "SELECT count(*) FROM \"ev\"",
                "ev",
                "SELECT * FROM t WHERE x"
            ),
            "WITH \"ev\" AS (SELECT * FROM t WHERE x) SELECT count(*) FROM \"ev\""
        );
        assert_eq!(
            with_cte(
                "WITH a AS (SELECT 1) SELECT * FROM a, \"ev\"",
                "ev",
                "SELECT 2"
            ),
            "WITH \"ev\" AS (SELECT 2), a AS (SELECT 1) SELECT * FROM a, \"ev\""
        );
        let once = with_cte(
            "SELECT * FROM \"ev\" JOIN \"ev\" e2 ON true",
            "ev",
            "SELECT 2",
        );
        assert_eq!(with_cte(&once, "ev", "SELECT 2"), once);
    }
}
