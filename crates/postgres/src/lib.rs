//! PostgreSQL tables as sources of a DataFusion session whose queries run inside the database.
//!
//! A table (or a `SELECT`) is registered as a federated table
//! ([`datafusion_federation`]): when a query plan is optimized, the largest part of it that
//! reads only tables of one PostgreSQL database (filters, grouping, distinct counts, joins of
//! events and users) is cut out, rendered as one PostgreSQL statement by DataFusion's SQL
//! unparser with [`PgDialect`], and sent to the server; only its result rows come back. A part
//! that reads something else as well (an in-memory table, a Parquet file) stays in DataFusion
//! and reads the PostgreSQL rows it needs.
//!
//! Rows come back in PostgreSQL's text format and are read into Arrow by the type the plan
//! expects ([`decode`]), so numbers of any SQL type (`bigint`, `numeric`, `double precision`)
//! arrive as the plan's type. Every connection's `TimeZone` is the workspace's zone, so
//! `date_trunc` on `timestamptz` values cuts local days, weeks and months as the embedded
//! engine does.

mod decode;
mod dialect;
mod error;
mod executor;
mod rewrite;
mod schema;
mod table;

use std::sync::Arc;

use datafusion::catalog::TableProvider;
use datafusion::execution::session_state::SessionStateBuilder;
use datafusion::physical_plan::{ExecutionPlan, displayable};
use datafusion_federation::sql::{
    RemoteTableRef, SQLExecutor, SQLFederationProvider, SQLTableSource,
};
use datafusion_federation::{FederatedQueryPlanner, FederatedTableProviderAdaptor};

pub use dialect::{EPOCH_US_FN, INSTANT_FN, PgDialect};
pub use error::Error;
use executor::PgExecutor;

/// An open connection pool to one PostgreSQL database.
#[derive(Clone)]
pub struct Database {
    executor: Arc<PgExecutor>,
    provider: Arc<SQLFederationProvider>,
}

impl Database {
    /// Connects to `url` (`postgres://user:password@host:port/db?sslmode=require`; TLS by
    /// rustls when `sslmode` asks for it) with the session time zone `time_zone` (an IANA
    /// name), and checks the server answers.
    pub async fn connect(url: &str, time_zone: &str) -> Result<Database, Error> {
        let executor = Arc::new(PgExecutor::connect(url, time_zone).await?);
        let provider = Arc::new(SQLFederationProvider::new(
            executor.clone() as Arc<dyn SQLExecutor>
        ));
        Ok(Database { executor, provider })
    }

    /// Where the pool connects, without the password: `host:port/db`.
    pub fn address(&self) -> &str {
        self.executor.address()
    }

    /// `table` (`name` or `schema.name`) as a table of a DataFusion session. Its columns are
    /// read from the server: an error names the table when it does not exist.
    pub async fn table(&self, table: &str) -> Result<Arc<dyn TableProvider>, Error> {
        let remote = RemoteTableRef::parse_with_dialect(
            table,
            &datafusion::sql::sqlparser::dialect::PostgreSqlDialect {},
        )
        .map_err(|e| Error::table(table, format!("`{table}` is not a table name: {e}")))?;
        let schema = self
            .executor
            .get_table_schema(&remote.to_quoted_string())
            .await
            .map_err(|e| Error::table(table, e.to_string()))?;
        let table = table::PgTable::table(remote.table_ref().clone(), schema);
        let source = SQLTableSource::new_with_table(self.provider.clone(), Arc::new(table));
        Ok(Arc::new(FederatedTableProviderAdaptor::new(Arc::new(
            source,
        ))))
    }

    /// The result of `sql` (one `SELECT`) as a table named `name`; statements that read it
    /// run it as a common table expression (`WITH name AS (sql) …`).
    pub async fn query(&self, name: &str, sql: &str) -> Result<Arc<dyn TableProvider>, Error> {
        let table = table::PgTable::query(&self.executor, name, sql).await?;
        let source = SQLTableSource::new_with_table(self.provider.clone(), Arc::new(table));
        Ok(Arc::new(FederatedTableProviderAdaptor::new(Arc::new(
            source,
        ))))
    }

    /// Rows received from the server so far.
    pub fn rows_received(&self) -> u64 {
        self.executor.rows_received()
    }

    /// The statements sent so far, oldest first.
    pub fn statements(&self) -> Vec<String> {
        self.executor.statements()
    }
}

/// `plan` as the PostgreSQL statement that computes it: DataFusion's unparser with
/// [`PgDialect`], and the aggregates PostgreSQL spells differently rewritten; laid out on
/// several lines and indented (sqlparser's pretty form), for people to read.
pub fn to_sql(plan: &datafusion::logical_expr::LogicalPlan) -> datafusion::error::Result<String> {
    let plan = rewrite::named_aggregates(plan.clone())?;
    let statement = datafusion::sql::unparser::Unparser::new(&PgDialect).plan_to_sql(&plan)?;
    Ok(format!("{:#}", rewrite::for_postgres(statement)?))
}

/// `builder` with the optimizer rule that cuts the PostgreSQL parts out of a plan and the
/// planner that runs them; sessions without PostgreSQL tables plan as before.
pub fn federated(builder: SessionStateBuilder) -> SessionStateBuilder {
    builder
        .with_optimizer_rules(datafusion_federation::default_optimizer_rules())
        .with_query_planner(Arc::new(FederatedQueryPlanner::new()))
}

/// The PostgreSQL statements a physical plan sends, in plan order: one per part pushed down.
pub fn pushed_statements(plan: &Arc<dyn ExecutionPlan>) -> Vec<String> {
    let mut out = Vec::new();
    collect(plan, &mut out);
    out
}

/// The operators of a physical plan that run outside the database, on the rows the pushed
/// statements return (plan order, without the ones that only move rows between threads):
/// empty when the whole plan runs in PostgreSQL.
pub fn local_operators(plan: &Arc<dyn ExecutionPlan>) -> Vec<String> {
    const PLUMBING: &[&str] = &[
        "ProjectionExec",
        "CoalesceBatchesExec",
        "CoalescePartitionsExec",
        "RepartitionExec",
        "SchemaCastScanExec",
        "CooperativeExec",
    ];
    let mut out = Vec::new();
    let mut stack = vec![plan.clone()];
    while let Some(p) = stack.pop() {
        if p.name() == "sql_federation_exec" {
            continue;
        }
        if !PLUMBING.contains(&p.name()) && !out.iter().any(|o| o == p.name()) {
            out.push(p.name().to_string());
        }
        stack.extend(p.children().into_iter().rev().cloned());
    }
    out
}

/// The statement a federation node sends, from its one-line display: the node shows the
/// unparsed statement (`base_sql=`) and then each rewrite of it that changed it, in the
/// order they are applied; the last one shown is what runs.
fn final_statement(line: &str) -> Option<String> {
    const STAGES: [&str; 5] = [
        " rewritten_sql_query=",
        " rewritten_ast_analyzer=",
        " rewritten_executor_sql=",
        " rewritten_logical_sql=",
        " base_sql=",
    ];
    let (_, rest) = STAGES.iter().find_map(|key| line.split_once(key))?;
    let end = rest.find(" rewritten_").unwrap_or(rest.len());
    Some(rest[..end].trim().to_string())
}

fn collect(plan: &Arc<dyn ExecutionPlan>, out: &mut Vec<String>) {
    if plan.name() == "sql_federation_exec" {
        let line = displayable(plan.as_ref()).one_line().to_string();
        if let Some(sql) = final_statement(&line) {
            out.push(sql);
        }
    }
    for c in plan.children() {
        collect(c, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_last_rewrite_shown_is_the_statement_sent() {
        let line = "VirtualExecutionPlan name=postgres compute_context=postgres://h base_sql=SELECT median(x) FROM t rewritten_executor_sql=SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t";
        assert_eq!(
            super::final_statement(line).as_deref(),
            Some("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM t")
        );
        let plain = "VirtualExecutionPlan name=postgres base_sql=SELECT 1";
        assert_eq!(super::final_statement(plain).as_deref(), Some("SELECT 1"));
        let cte = "VirtualExecutionPlan base_sql=SELECT * FROM q rewritten_logical_sql=SELECT * FROM q rewritten_sql_query=WITH q AS (SELECT 2) SELECT * FROM q";
        assert_eq!(
            super::final_statement(cte).as_deref(),
            Some("WITH q AS (SELECT 2) SELECT * FROM q")
        );
    }
}
