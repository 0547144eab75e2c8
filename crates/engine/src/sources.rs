//! The workspace's sources read into DataFusion and normalized: events become
//! `user_id` (text), `ts` (a UTC instant) and `event` (text) next to their other columns;
//! users become `user_id`, `signup_ts` and their dimensions (text).

use std::path::Path;

use datafusion::arrow::datatypes::{DataType, Schema, TimeUnit};
use datafusion::functions::expr_fn::regexp_like;
use datafusion::logical_expr::{ExprSchemable, when};
use datafusion::prelude::*;
use throughline_model::{Source, SourceFormat, Workspace};

use crate::error::{EngineError, df};
use crate::time::Calendar;

/// Normalized tables.
pub(crate) struct Tables {
    pub events: DataFrame,
    pub users: Option<DataFrame>,
    pub dimensions: Vec<String>,
}

pub(crate) const USER: &str = "user_id";
pub(crate) const TS: &str = "ts";
pub(crate) const EVENT: &str = "event";
pub(crate) const SIGNUP: &str = "signup_ts";
/// The events' time column as written, kept to report rows whose time cannot be read.
pub(crate) const RAW_TIME: &str = "__raw_time";

pub(crate) async fn open(
    ctx: &SessionContext,
    ws: &Workspace,
    root: &Path,
    cal: &Calendar,
) -> Result<Tables, EngineError> {
    let Some(events) = ws.settings.sources.get("events") else {
        return Err(EngineError::new(
            "the workspace has no `events` source",
            "add `sources: { events: { format: parquet, path: data/events/*.parquet, columns: { user: user_id, time: ts, name: event } } }` to throughline.yaml",
        ));
    };
    let raw = read(ctx, events, root, "raw_events").await?;
    let events = normalize(raw, events, cal, None)?;
    let user_type = column_type(&events, USER);
    let (users, dimensions) = match ws.settings.sources.get("users") {
        Some(u) => {
            let raw = read(ctx, u, root, "raw_users").await?;
            let dims: Vec<String> = u.dimensions.iter().map(|d| d.value.clone()).collect();
            let schema = raw.schema().as_arrow().clone();
            for d in &u.dimensions {
                require_column(&schema, &d.value, u, "dimension").map_err(|e| e.at(d.span))?;
            }
            (Some(normalize(raw, u, cal, user_type)?), dims)
        }
        None => (None, Vec::new()),
    };
    // the normalized tables, for `sql` metrics
    ctx.register_table("events", events.clone().into_view())
        .map_err(|e| df("registering the events", e))?;
    if let Some(u) = &users {
        ctx.register_table("users", u.clone().into_view())
            .map_err(|e| df("registering the users", e))?;
    }
    Ok(Tables {
        events,
        users,
        dimensions,
    })
}

async fn read(
    ctx: &SessionContext,
    s: &Source,
    root: &Path,
    name: &str,
) -> Result<DataFrame, EngineError> {
    let Some(path) = &s.path else {
        return Err(EngineError::new(
            format!(
                "source `{}` reads from PostgreSQL, which this version does not query yet",
                s.name.value
            ),
            "export the table to Parquet and point `path:` at it",
        )
        .at(s.format.span));
    };
    let full = root.join(&path.value);
    let full_str = full.to_string_lossy().to_string();
    if !has_glob(&path.value) && !full.exists() {
        return Err(EngineError::new(format!("source `{}`: {} does not exist", s.name.value, full.display()), "check `path:` (relative to the workspace folder), or run `throughline demo` to generate data").at(path.span));
    }
    let ext = Path::new(&path.value)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    // registered under a name, so plans (and the SQL rendered from them) name the source
    let result = match s.format.value {
        SourceFormat::Parquet => {
            ctx.register_parquet(
                name,
                &full_str,
                ParquetReadOptions::default().file_extension(&ext),
            )
            .await
        }
        SourceFormat::Csv => {
            ctx.register_csv(name, &full_str, CsvReadOptions::new().file_extension(&ext))
                .await
        }
        SourceFormat::Jsonl => {
            ctx.register_json(
                name,
                &full_str,
                JsonReadOptions::default().file_extension(&ext),
            )
            .await
        }
        SourceFormat::Postgres => unreachable!("postgres sources have no path"),
    };
    result.map_err(|e| {
        // DataFusion's words for a pattern that matches nothing name its internals; say it
        // plainly.
        if e.to_string().contains("No files found") {
            return EngineError::new(
                format!(
                    "source `{}`: no files match `{}` in {}",
                    s.name.value,
                    path.value,
                    root.display()
                ),
                "put the data files there or point `path:` at them; `throughline demo` writes a workspace with data",
            )
            .at(path.span);
        }
        EngineError::new(
            format!(
                "source `{}`: cannot read {}: {e}",
                s.name.value,
                full.display()
            ),
            "check that the files exist and match `format:`",
        )
        .at(path.span)
    })?;
    ctx.table(name).await.map_err(|e| df("reading a source", e))
}

fn has_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

fn require_column<'a>(
    schema: &'a Schema,
    name: &str,
    s: &Source,
    role: &str,
) -> Result<&'a DataType, EngineError> {
    match schema.field_with_name(name) {
        Ok(f) => Ok(f.data_type()),
        Err(_) => {
            let have: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            let help = match throughline_model::did_you_mean(name, have.iter().copied()) {
                Some(c) => format!("did you mean `{c}`? the columns are: {}", have.join(", ")),
                None => format!("the columns are: {}", have.join(", ")),
            };
            Err(EngineError::new(
                format!("source `{}` has no {role} column `{name}`", s.name.value),
                help,
            )
            .at(s.span))
        }
    }
}

/// A UTC instant from a time column of any supported type. Times without a zone are local
/// times in the workspace zone.
pub(crate) fn instant(c: Expr, ty: &DataType, cal: &Calendar) -> Option<Expr> {
    let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    let local = DataType::Timestamp(TimeUnit::Microsecond, Some(cal.tz.name().into()));
    let naive_to_utc = |e: Expr| {
        cast(
            cast(
                cast(e, DataType::Timestamp(TimeUnit::Microsecond, None)),
                local.clone(),
            ),
            utc.clone(),
        )
    };
    Some(match ty {
        DataType::Timestamp(_, Some(_)) => cast(c, utc),
        DataType::Timestamp(_, None) | DataType::Date32 | DataType::Date64 => naive_to_utc(c),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            // a text time with an offset (`Z`, `+02:00`) is an instant; without one, local time
            let has_offset = regexp_like(
                cast(c.clone(), DataType::Utf8),
                lit(r"(Z|[+-][0-9]{2}:?[0-9]{2})$"),
                None,
            );
            // unparsable text becomes null here; `Engine::open` counts such rows and refuses them
            let parsed = try_cast(
                cast(c, DataType::Utf8),
                DataType::Timestamp(TimeUnit::Microsecond, None),
            );
            when(has_offset, cast(parsed.clone(), utc.clone()))
                .otherwise(naive_to_utc(parsed))
                .ok()?
        }
        _ => return None,
    })
}

/// `user_type`: for the users table, the events' user id type, so the two join.
fn normalize(
    raw: DataFrame,
    s: &Source,
    cal: &Calendar,
    user_type: Option<DataType>,
) -> Result<DataFrame, EngineError> {
    let is_events = user_type.is_none();
    let schema = raw.schema().as_arrow().clone();
    let cols = &s.columns;
    let user = cols.user.as_ref().map_or("user_id", |c| c.value.as_str());
    let time = cols
        .time
        .as_ref()
        .map_or(if is_events { "ts" } else { "created_at" }, |c| {
            c.value.as_str()
        });
    let own_user_type = require_column(&schema, user, s, "user")?.clone();
    let time_ty = require_column(&schema, time, s, "time")?.clone();
    // user ids keep their type (integers join faster than text) unless the two tables differ
    let user_expr = match &user_type {
        Some(t) if *t != own_user_type => cast(ident(user), t.clone()),
        _ => ident(user),
    };
    let ts = instant(ident(time), &time_ty, cal).ok_or_else(|| {
        EngineError::new(
            format!(
                "source `{}`: time column `{time}` is {time_ty}, not a time",
                s.name.value
            ),
            "use a timestamp column, a date, or ISO 8601 text such as `2025-03-01T09:30:00Z`",
        )
        .at(s.span)
    })?;
    let mut select = vec![
        user_expr.alias(USER),
        ts.alias(if is_events { TS } else { SIGNUP }),
    ];
    if is_events {
        select.push(ident(time).alias(RAW_TIME));
    }
    let mut taken = vec![user.to_string(), time.to_string()];
    if is_events {
        let name = cols.name.as_ref().map_or("event", |c| c.value.as_str());
        require_column(&schema, name, s, "event name")?;
        select.push(cast(ident(name), DataType::Utf8).alias(EVENT));
        taken.push(name.to_string());
    }
    for f in schema.fields() {
        let n = f.name();
        if taken.contains(n) || [USER, TS, EVENT, SIGNUP, RAW_TIME].contains(&n.as_str()) {
            continue;
        }
        let e = if is_events {
            ident(n)
        } else {
            cast(ident(n), DataType::Utf8).alias(n)
        };
        select.push(e);
    }
    raw.select(select)
        .map_err(|e| df("preparing the source", e))
}

/// The data type of a column of a normalized table.
pub(crate) fn column_type(df: &DataFrame, name: &str) -> Option<DataType> {
    ident(name).get_type(df.schema()).ok()
}
