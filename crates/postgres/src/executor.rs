//! The [`SQLExecutor`] federation sends statements through: a sqlx pool whose rows are read into
//! Arrow batches of the schema the plan expects.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::error::{DataFusionError, Result};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{PhysicalExpr, SendableRecordBatchStream};
use datafusion::sql::unparser::dialect::Dialect;
use datafusion_federation::sql::SQLExecutor;
use futures::StreamExt;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, Executor, SqlSafeStr, Statement};

use crate::decode::BatchBuilder;
use crate::dialect::PgDialect;
use crate::error::Error;

/// Rows per Arrow batch read from the server.
const BATCH_ROWS: usize = 8192;

pub(crate) struct PgExecutor {
    pool: PgPool,
    address: String,
    rows: Arc<AtomicU64>,
    statements: Arc<Mutex<Vec<String>>>,
}

impl PgExecutor {
    pub async fn connect(url: &str, time_zone: &str) -> Result<PgExecutor, Error> {
        let options = PgConnectOptions::from_str(url).map_err(Error::url)?;
        let address = format!(
            "{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or(options.get_username())
        );
        // Day and month arithmetic on instants (`+ INTERVAL '1 day'`) in the workspace's
        // zone, as DataFusion does it on zoned instants. Set after connecting: sqlx starts
        // every session in UTC, over a `TimeZone` given in the connection options.
        let set_zone = format!(
            "SET TIME ZONE '{}'; SET DateStyle = 'ISO, YMD'",
            time_zone.replace('\'', "''")
        );
        let pool = PgPoolOptions::new()
            .after_connect(move |conn, _| {
                let set_zone = set_zone.clone();
                Box::pin(async move {
                    conn.execute(AssertSqlSafe(set_zone)).await?;
                    Ok(())
                })
            })
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(15))
            .connect_lazy_with(options.clone());
        // one attempt, so an unreachable server is an error now rather than after the pool
        // has retried for its whole timeout
        let probe = sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(|e| Error::connect(&address, e))?;
        let _ = probe.close().await;
        Ok(PgExecutor {
            pool,
            address,
            rows: Arc::default(),
            statements: Arc::default(),
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    pub fn rows_received(&self) -> u64 {
        self.rows.load(Ordering::Relaxed)
    }

    pub fn statements(&self) -> Vec<String> {
        self.statements
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }

    /// The columns `sql` returns, as Arrow fields.
    pub async fn describe(&self, sql: &str) -> std::result::Result<SchemaRef, sqlx::Error> {
        let prepared = (&self.pool)
            .prepare(AssertSqlSafe(sql.to_string()).into_sql_str())
            .await?;
        Ok(Arc::new(crate::schema::arrow_schema(prepared.columns())))
    }
}

#[async_trait]
impl SQLExecutor for PgExecutor {
    fn name(&self) -> &str {
        "postgres"
    }

    fn compute_context(&self) -> Option<String> {
        Some(format!("postgres://{}", self.address))
    }

    fn dialect(&self) -> Arc<dyn Dialect> {
        Arc::new(PgDialect)
    }

    fn ast_analyzer(&self) -> Option<datafusion_federation::sql::AstAnalyzer> {
        Some(Box::new(crate::rewrite::for_postgres))
    }

    fn execute(
        &self,
        query: &str,
        schema: SchemaRef,
        _filters: &[Arc<dyn PhysicalExpr>],
    ) -> Result<SendableRecordBatchStream> {
        if let Ok(mut s) = self.statements.lock() {
            s.push(query.to_string());
        }
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<_>>(2);
        let (pool, sql, rows, out) = (
            self.pool.clone(),
            query.to_string(),
            self.rows.clone(),
            schema.clone(),
        );
        tokio::spawn(async move {
            // the simple query protocol: every value arrives as text, read by the plan's type
            let mut fetched = sqlx::raw_sql(AssertSqlSafe(sql.clone())).fetch(&pool);
            let mut batch = BatchBuilder::new(out.clone());
            while let Some(row) = fetched.next().await {
                let pushed = row
                    .map_err(|e| failed(&sql, e))
                    .and_then(|r| batch.push(&r).map_err(|e| failed(&sql, e)));
                if let Err(e) = pushed {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                rows.fetch_add(1, Ordering::Relaxed);
                if batch.len() >= BATCH_ROWS {
                    let full = std::mem::replace(&mut batch, BatchBuilder::new(out.clone()));
                    if tx.send(full.finish()).await.is_err() {
                        return; // the reader is gone
                    }
                }
            }
            if !batch.is_empty() {
                let _ = tx.send(batch.finish()).await;
            }
        });
        let stream =
            futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (b, rx)) });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }

    async fn table_names(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| DataFusionError::External(Box::new(e)))?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn get_table_schema(&self, table_name: &str) -> Result<SchemaRef> {
        self.describe(&format!("SELECT * FROM {table_name}"))
            .await
            .map_err(|e| DataFusionError::Execution(e.to_string()))
    }
}

fn failed(sql: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Execution(format!("PostgreSQL: {e}\n  in the statement: {sql}"))
}
