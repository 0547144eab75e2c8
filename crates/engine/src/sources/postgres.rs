//! PostgreSQL sources: a table (or a query's result) of the team's database, registered as a
//! federated table so that the parts of each metric's plan that read only it run inside the
//! database as one SQL statement ([`throughline_postgres`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::prelude::SessionContext;
use throughline_model::Source;
use throughline_postgres::Database;

use crate::error::EngineError;
use crate::time::Calendar;

/// The databases opened so far, by address: sources in one database share a connection pool,
/// so a plan joining events and users runs as one statement.
#[derive(Default)]
pub(crate) struct Databases {
    open: BTreeMap<String, Database>,
}

/// Registers PostgreSQL source `s` under `name`.
pub(crate) async fn register(
    ctx: &SessionContext,
    s: &Source,
    name: &str,
    cal: &Calendar,
    dbs: &mut Databases,
) -> Result<(), EngineError> {
    let source = &s.name.value;
    let fail = |e: throughline_postgres::Error| {
        EngineError::new(format!("source `{source}`: {}", e.message), e.help).at(s.span)
    };
    if let Some(tz) = &s.columns.time_zone
        && tz.value != cal.tz
    {
        // the database reads zone-less times in the session's zone, the workspace's
        return Err(EngineError::new(
            format!(
                "source `{source}`: `columns.time_zone: {}` differs from the workspace's zone `{}`, and a PostgreSQL source reads zone-less times in the workspace's zone",
                tz.value.name(),
                cal.tz.name()
            ),
            format!(
                "store the times as `timestamptz`, or convert them in the source: `query: SELECT *, ts AT TIME ZONE '{}' AS ts_utc FROM events` with `columns: {{ time: ts_utc }}`",
                tz.value.name()
            ),
        )
        .at(tz.span));
    }
    let url = address(s)?;
    let db = match dbs.open.get(&url) {
        Some(db) => db.clone(),
        None => {
            let db = Database::connect(&url, cal.tz.name()).await.map_err(fail)?;
            dbs.open.insert(url, db.clone());
            db
        }
    };
    let provider = match (&s.table, &s.query) {
        (Some(t), _) => db.table(&t.value).await.map_err(|e| {
            EngineError::new(format!("source `{source}`: {}", e.message), e.help).at(t.span)
        })?,
        (None, Some(q)) => db.query(name, &q.value).await.map_err(|e| {
            EngineError::new(format!("source `{source}`: {}", e.message), e.help).at(q.span)
        })?,
        (None, None) => {
            return Err(EngineError::new(
                format!("source `{source}` reads PostgreSQL but names no table"),
                "add `table: events` (or `schema.events`), or `query: SELECT …`",
            )
            .at(s.format.span));
        }
    };
    ctx.register_table(
        name,
        provider as Arc<dyn datafusion::catalog::TableProvider>,
    )
    .map_err(|e| crate::error::df("registering a PostgreSQL source", e))?;
    Ok(())
}

/// The source's `postgres://…` address: the value of its `url_env` variable, or its `url`.
fn address(s: &Source) -> Result<String, EngineError> {
    let source = &s.name.value;
    if let Some(var) = &s.url_env {
        return match std::env::var(&var.value) {
            Ok(v) if !v.trim().is_empty() => Ok(v.trim().to_string()),
            _ => Err(EngineError::new(
                format!(
                    "source `{source}` reads its database address from the environment variable `{}`, which is not set",
                    var.value
                ),
                format!(
                    "set it where throughline runs: `export {}=postgres://user@host:5432/db` (add `?sslmode=require` for TLS)",
                    var.value
                ),
            )
            .at(var.span)),
        };
    }
    match &s.url {
        Some(u) => Ok(u.value.clone()),
        None => Err(EngineError::new(
            format!("source `{source}` reads PostgreSQL but names no database"),
            "add `url_env: EVENTS_DATABASE_URL` and set that variable to `postgres://user@host:5432/db`",
        )
        .at(s.format.span)),
    }
}
