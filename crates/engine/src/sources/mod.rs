//! The workspace's sources read into DataFusion and normalized: events become
//! `user_id` (text), `ts` (a UTC instant) and `event` (text) next to their other columns;
//! users become `user_id`, `signup_ts` and their dimensions (text).

use std::path::Path;

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::datasource::file_format::options::ReadOptions;
use datafusion::logical_expr::ExprSchemable;
use datafusion::prelude::*;
use throughline_model::{Source, SourceFormat, Workspace};

use crate::error::{EngineError, df};
use crate::time::Calendar;

mod files;
pub(crate) mod listing;
mod parquet;
pub(crate) mod postgres;

/// Normalized tables.
#[derive(Clone)]
pub(crate) struct Tables {
    /// The events that count: with a user and a plausible time.
    pub events: DataFrame,
    /// Every event row, for counting the ones left out.
    pub all_events: DataFrame,
    /// Which rows of `all_events` are in `events`.
    pub counted: Expr,
    /// Rows of `all_events` with a user and a time outside the plausible range.
    pub implausible: Expr,
    /// The plausible range of event times, UTC microseconds (both inclusive).
    pub plausible_us: (i64, i64),
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
    let mut dbs = postgres::Databases::default();
    let all_events = events_files(ctx, ws, root, cal, "raw_events", None, &mut dbs).await?;
    let user_type = column_type(&all_events, USER);
    let (users, dimensions) = match ws.settings.sources.get("users") {
        Some(u) => {
            let raw = read_files(
                ctx,
                u,
                root,
                "raw_users",
                "created_at",
                (cal, &mut dbs),
                None,
            )
            .await?;
            let dims: Vec<String> = u.dimensions.iter().map(|d| d.value.clone()).collect();
            let schema = raw.schema().as_arrow().clone();
            for d in &u.dimensions {
                require_column(&schema, &d.value, u, "dimension").map_err(|e| e.at(d.span))?;
            }
            (Some(normalize(raw, u, cal, user_type)?), dims)
        }
        None => (None, Vec::new()),
    };
    let plausible_us = plausible(users.as_ref(), cal).await?;
    let at = |us: i64| {
        lit(datafusion::scalar::ScalarValue::TimestampMicrosecond(
            Some(us),
            Some("UTC".into()),
        ))
    };
    let in_range = col(TS)
        .gt_eq(at(plausible_us.0))
        .and(col(TS).lt_eq(at(plausible_us.1)));
    let placed = col(USER).is_not_null().and(col(TS).is_not_null());
    let counted = placed.clone().and(in_range.clone());
    let implausible = placed.and(in_range.not());
    let events = all_events
        .clone()
        .filter(counted.clone())
        .map_err(|e| df("preparing the events", e))?;
    // the normalized tables, for `sql` metrics; views of their plans, which (unlike a
    // DataFrame's own provider) a plan sent to a cluster can carry
    let view = |d: &DataFrame| {
        std::sync::Arc::new(datafusion::catalog::view::ViewTable::new(
            d.logical_plan().clone(),
            None,
        ))
    };
    ctx.register_table("events", view(&events))
        .map_err(|e| df("registering the events", e))?;
    if let Some(u) = &users {
        ctx.register_table("users", view(u))
            .map_err(|e| df("registering the users", e))?;
    }
    Ok(Tables {
        events,
        all_events,
        counted,
        implausible,
        plausible_us,
        users,
        dimensions,
    })
}

/// The events source, read and normalized: every row (see [`Tables::counted`] for the ones
/// that count), of only the files (by URL, as [`listing::Files`] names them) in `only` when
/// it is given. `dbs`: the databases opened so far (see [`postgres::Databases`]).
pub(crate) async fn events_files(
    ctx: &SessionContext,
    ws: &Workspace,
    root: &Path,
    cal: &Calendar,
    name: &str,
    only: Option<&std::collections::BTreeSet<String>>,
    dbs: &mut postgres::Databases,
) -> Result<DataFrame, EngineError> {
    let Some(events) = ws.settings.sources.get("events") else {
        return Err(EngineError::new(
            "the workspace has no `events` source",
            "add `sources: { events: { format: parquet, path: data/events/*.parquet, columns: { user: user_id, time: ts, name: event } } }` to throughline.yaml",
        ));
    };
    let raw = read_files(ctx, events, root, name, "ts", (cal, dbs), only).await?;
    normalize(raw, events, cal, None)
}

/// Event rows left out of every metric, and why: counted, never absorbed.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeftOut {
    /// Rows without a user.
    pub no_user: i64,
    /// Rows with a user and a time outside [`Tables::plausible_us`].
    pub implausible: i64,
    /// The earliest and latest of those times.
    pub implausible_span: Option<(i64, i64)>,
}

impl LeftOut {
    /// One sentence per reason, with the files the rows are in (file sources): a warning
    /// that they are not counted, or, when the source refuses them, what is wrong.
    pub(crate) async fn sentences(
        &self,
        ctx: &SessionContext,
        tables: &Tables,
        s: &Source,
        root: &Path,
        cal: &Calendar,
        refused: bool,
    ) -> Result<Vec<String>, EngineError> {
        let counted = |tail: &'static str| if refused { "" } else { tail };
        let mut out = Vec::new();
        if self.no_user == 0 && self.implausible == 0 {
            return Ok(out);
        }
        let files = by_file(ctx, tables, s, root, cal).await;
        // a database source is one table (or one query's result): the rows are all there
        let whole = match (&s.table, &s.query) {
            (Some(t), _) => format!(", in table `{}`", t.value),
            (None, Some(_)) => ", in the rows of its `query:`".to_string(),
            (None, None) => String::new(),
        };
        let list = |pick: fn(&(String, i64, i64)) -> i64| {
            if !whole.is_empty() {
                return whole.clone();
            }
            let with: Vec<String> = files
                .iter()
                .filter(|f| pick(f) > 0)
                .map(|f| format!("{} ({})", f.0, pick(f)))
                .collect();
            match with.len() {
                0 => String::new(),
                n if n > 5 => format!(", in {} and {} more file(s)", with[..5].join(", "), n - 5),
                _ => format!(", in {}", with.join(", ")),
            }
        };
        let name = &s.name.value;
        if self.no_user > 0 {
            let user = s
                .columns
                .user
                .as_ref()
                .map_or("user_id", |c| c.value.as_str());
            out.push(format!(
                "source `{name}`: {} event(s) have no user in `{user}`{}{}",
                self.no_user,
                counted(" and are not counted"),
                list(|f| f.1)
            ));
        }
        if self.implausible > 0 {
            let day = |us: i64| {
                chrono::DateTime::from_timestamp_micros(us)
                    .map(|t| t.with_timezone(&cal.tz).date_naive().to_string())
                    .unwrap_or_default()
            };
            let (lo, hi) = tables.plausible_us;
            let seen = self
                .implausible_span
                .map(|(a, z)| {
                    if day(a) == day(z) {
                        format!(" (dated {})", day(a))
                    } else {
                        format!(" (dated {} to {})", day(a), day(z))
                    }
                })
                .unwrap_or_default();
            out.push(format!(
                "source `{name}`: {} event(s) dated before {} (the first signup's year) or after {} (a day past now){}{seen}{}",
                self.implausible,
                day(lo),
                day(hi),
                counted(" are not counted"),
                list(|f| f.2)
            ));
        }
        Ok(out)
    }
}

/// Per file of a file source: (file, rows without a user, rows at implausible times). Empty
/// for a database source, or when a file cannot be read alone.
async fn by_file(
    ctx: &SessionContext,
    tables: &Tables,
    s: &Source,
    root: &Path,
    cal: &Calendar,
) -> Vec<(String, i64, i64)> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::functions_aggregate::expr_fn::sum;
    let (Some(pattern), Ok(raw)) = (&s.path, ctx.table("raw_events").await) else {
        return Vec::new();
    };
    let schema = raw.schema().as_arrow().clone();
    let mut out = Vec::new();
    for f in crate::locate::files(root, &pattern.value) {
        let path = f.to_string_lossy().to_string();
        let ext = f
            .extension()
            .map(|e| format!(".{}", e.to_string_lossy()))
            .unwrap_or_default();
        if s.format.value == SourceFormat::Postgres {
            return Vec::new();
        }
        let read = read_file(ctx, s.format.value, &path, &ext, Some(&schema)).await;
        let one = |c: Expr| datafusion::logical_expr::when(c, lit(1i64)).end();
        let counted = read.ok().and_then(|raw| normalize(raw, s, cal, None).ok());
        let (Some(d), Ok(a), Ok(b)) = (
            counted,
            one(col(USER).is_null()),
            one(tables.implausible.clone()),
        ) else {
            continue;
        };
        let Ok(batches) = d
            .aggregate(vec![], vec![sum(a).alias("a"), sum(b).alias("b")])
            .map(|d| d.collect())
        else {
            continue;
        };
        let Ok(batches) = batches.await else { continue };
        let int = |i: usize| {
            batches
                .first()
                .and_then(|b| b.column(i).as_primitive_opt::<Int64Type>())
                .map_or(0, |a| if a.is_null(0) { 0 } else { a.value(0) })
        };
        let name = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        out.push((name, int(0), int(1)));
    }
    out
}

/// The range of event times that can be real, UTC microseconds: from the start of the year of
/// the first signup (or of 1971, without users: times at the Unix epoch are zeros, not events)
/// through a day past now (clocks and zones differ by less). An event outside it (a default
/// date, a typo'd year) would stretch every series to its year.
async fn plausible(users: Option<&DataFrame>, cal: &Calendar) -> Result<(i64, i64), EngineError> {
    use chrono::{Datelike, NaiveDate};
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::TimestampMicrosecondType;
    use datafusion::functions_aggregate::expr_fn::min;
    let mut year = 1971;
    if let Some(u) = users {
        let fail = |e| df("reading the first signup", e);
        let first = u
            .clone()
            .aggregate(vec![], vec![min(col(SIGNUP)).alias("first")])
            .map_err(fail)?
            .collect()
            .await
            .map_err(fail)?;
        let us = first.first().and_then(|b| {
            let a = b.column(0).as_primitive_opt::<TimestampMicrosecondType>()?;
            (!a.is_null(0)).then(|| a.value(0))
        });
        if let Some(t) = us.and_then(chrono::DateTime::from_timestamp_micros) {
            year = t.with_timezone(&cal.tz).year().max(year);
        }
    }
    let floor =
        NaiveDate::from_ymd_opt(year, 1, 1).map_or(0, |d| cal.midnight(d).timestamp_micros());
    let ceiling = (chrono::Utc::now() + chrono::Duration::days(1)).timestamp_micros();
    Ok((floor, ceiling))
}

/// One file source read as written (for profiling it before a workspace maps it).
pub(crate) async fn read_source(
    ctx: &SessionContext,
    s: &Source,
    root: &Path,
    name: &str,
    cal: &Calendar,
) -> Result<DataFrame, EngineError> {
    let mut dbs = postgres::Databases::default();
    read_files(ctx, s, root, name, "", (cal, &mut dbs), None).await
}

/// Registers a source under `name` and reads it. CSV and JSON lines read their time column
/// (`default_time` unless `columns.time` names it) as text, so that every value is parsed the
/// same way ([`crate::instant`]) instead of by type inference. With `only`, of only the files
/// whose URL it holds: files of a source already opened, whose files were checked then (see
/// [`files::check`]) and are not checked again.
// Long because it is one source's reading in order: the format's reader, the mapped columns,
// their types and the time zone; each check names the source and column.
async fn read_files(
    ctx: &SessionContext,
    s: &Source,
    root: &Path,
    name: &str,
    default_time: &str,
    (cal, dbs): (&Calendar, &mut postgres::Databases),
    only: Option<&std::collections::BTreeSet<String>>,
) -> Result<DataFrame, EngineError> {
    let path = match &s.path {
        Some(path) if s.format.value != SourceFormat::Postgres => path,
        _ => {
            postgres::register(ctx, s, name, cal, dbs).await?;
            return ctx.table(name).await.map_err(|e| df("reading a source", e));
        }
    };
    // objects in a store are read through it, by every process that runs the plan
    let in_store = crate::stores::is_object_url(&path.value);
    let full = root.join(&path.value);
    let full_str = if in_store {
        path.value.clone()
    } else {
        full.to_string_lossy().to_string()
    };
    if !in_store && !has_glob(&path.value) && !full.exists() {
        return Err(EngineError::new(format!("source `{}`: {} does not exist", s.name.value, full.display()), "check `path:` (relative to the workspace folder), or run `throughline demo` to generate data").at(path.span));
    }
    if !in_store && only.is_none() {
        files::check(s, root)?;
    }
    let ext = Path::new(&path.value)
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let time = s
        .columns
        .time
        .as_ref()
        .map_or(default_time, |t| t.value.as_str());
    // registered under a name, so plans (and the SQL rendered from them) name the source;
    // a table over the files the pattern names, each by its URL (see `listing`)
    let (config, table_options) = (ctx.copied_config(), ctx.copied_table_options());
    let mut listed = listing::list(ctx, &full_str, &ext).await;
    if let (Some(only), Ok(files)) = (only, &mut listed) {
        files.retain(|url| only.contains(url));
    }
    if in_store && let Ok(objects) = &listed {
        files::check_objects(s, objects).await?;
    }
    let result = match listed {
        Err(e) => Err(e),
        Ok(files) => match s.format.value {
            SourceFormat::Parquet => {
                let options = ParquetReadOptions::default()
                    .file_extension(&ext)
                    .to_listing_options(&config, table_options);
                match files.register(ctx, name, options.clone(), None).await {
                    // files that store a text column with and without a dictionary
                    Err(e) if !in_store && e.to_string().contains("Fail to merge schema") => {
                        match parquet::unified_schema(&full) {
                            Some(schema) => files.register(ctx, name, options, Some(&schema)).await,
                            None => Err(e),
                        }
                    }
                    r => r,
                }
            }
            SourceFormat::Csv | SourceFormat::Jsonl => {
                // types from every row, not the first thousand: a sparse column's first
                // values are often empty
                let options = if s.format.value == SourceFormat::Csv {
                    CsvReadOptions::new()
                        .file_extension(&ext)
                        .schema_infer_max_records(usize::MAX)
                        .to_listing_options(&config, table_options)
                } else {
                    JsonReadOptions::default()
                        .file_extension(&ext)
                        .schema_infer_max_records(usize::MAX)
                        .to_listing_options(&config, table_options)
                };
                let inferred = inferred_schema(ctx, s.format.value, &files, &options);
                match text_time_schema(inferred.await, time) {
                    Ok(schema) => files.register(ctx, name, options, Some(&schema)).await,
                    Err(e) => Err(e),
                }
            }
            SourceFormat::Postgres => unreachable!("postgres sources have no path"),
        },
    };
    result.map_err(|e| {
        // DataFusion's words for a pattern that matches nothing name its internals; say it
        // plainly.
        if e.to_string().contains("No files found") {
            let place = if in_store {
                String::new()
            } else {
                format!(" in {}", root.display())
            };
            return EngineError::new(
                format!(
                    "source `{}`: no files match `{}`{place}",
                    s.name.value, path.value
                ),
                "put the data files there or point `path:` at them; `throughline demo` writes a workspace with data",
            )
            .at(path.span);
        }
        if in_store {
            return EngineError::new(
                format!("source `{}`: cannot read {}: {e}", s.name.value, path.value),
                "check the bucket and prefix, and that this process has the store's credentials in its environment (for S3: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, and AWS_ENDPOINT for an S3-compatible server)",
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

/// The schema of a CSV or JSON-lines source, inferred from every row of every file. Files
/// whose own types differ (a column of dates in one, of text in another; whole numbers in
/// one, decimals in another) share the wider type, where DataFusion refuses to merge them.
async fn inferred_schema(
    ctx: &SessionContext,
    format: SourceFormat,
    files: &listing::Files,
    options: &datafusion::datasource::listing::ListingOptions,
) -> datafusion::error::Result<Schema> {
    match files.schema(ctx, options).await {
        Err(e) if e.to_string().contains("Fail to merge schema") => {
            let mut fields: Vec<datafusion::arrow::datatypes::Field> = Vec::new();
            for file in files.urls() {
                let one = infer_one(ctx, format, file.as_str(), &options.file_extension).await?;
                for field in one.fields() {
                    match fields.iter_mut().find(|x| x.name() == field.name()) {
                        Some(x) => {
                            let ty = wider(x.data_type(), field.data_type());
                            *x = x.clone().with_data_type(ty).with_nullable(true);
                        }
                        None => fields.push(field.as_ref().clone().with_nullable(true)),
                    }
                }
            }
            Ok(Schema::new(fields))
        }
        r => r,
    }
}

async fn infer_one(
    ctx: &SessionContext,
    format: SourceFormat,
    path: &str,
    ext: &str,
) -> datafusion::error::Result<Schema> {
    let read = read_file(ctx, format, path, ext, None).await?;
    Ok(read.schema().as_arrow().clone())
}

/// One file of a file source, read with `schema`, or with a schema inferred from every row.
async fn read_file(
    ctx: &SessionContext,
    format: SourceFormat,
    path: &str,
    ext: &str,
    schema: Option<&Schema>,
) -> datafusion::error::Result<DataFrame> {
    match format {
        SourceFormat::Parquet => {
            let mut o = ParquetReadOptions::default().file_extension(ext);
            o.schema = schema;
            ctx.read_parquet(path, o).await
        }
        SourceFormat::Jsonl => {
            let mut o = JsonReadOptions::default()
                .file_extension(ext)
                .schema_infer_max_records(usize::MAX);
            o.schema = schema;
            ctx.read_json(path, o).await
        }
        _ => {
            let mut o = CsvReadOptions::new()
                .file_extension(ext)
                .schema_infer_max_records(usize::MAX);
            o.schema = schema;
            ctx.read_csv(path, o).await
        }
    }
}

/// The type that holds the values of both: the same, the one that is not all-empty, a float
/// for two kinds of numbers, else text.
fn wider(a: &DataType, b: &DataType) -> DataType {
    match (a, b) {
        _ if a == b => a.clone(),
        (DataType::Null, t) | (t, DataType::Null) => t.clone(),
        _ if a.is_numeric() && b.is_numeric() => DataType::Float64,
        _ => DataType::Utf8,
    }
}

/// The inferred schema with the time column as text (times and dates were inferred from
/// text, and are read from it again exactly).
fn text_time_schema(
    inferred: datafusion::error::Result<Schema>,
    time: &str,
) -> datafusion::error::Result<Schema> {
    let schema = inferred?;
    let fields: Vec<datafusion::arrow::datatypes::Field> = schema
        .fields()
        .iter()
        .map(|f| {
            // numbers stay numbers: a column of them is not a time, and says so
            if f.name() == time && !f.data_type().is_numeric() {
                f.as_ref().clone().with_data_type(DataType::Utf8)
            } else {
                f.as_ref().clone()
            }
        })
        .collect();
    Ok(Schema::new(fields))
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

/// A UTC instant from a time column of any supported type: an instant stays what it is;
/// text, zone-less timestamps and dates are read by [`crate::instant`] in zone `tz`.
pub(crate) fn instant(c: Expr, ty: &DataType, tz: chrono_tz::Tz) -> Option<Expr> {
    Some(match ty {
        // the same instant in the same unit: nothing to convert, nothing to overflow
        DataType::Timestamp(datafusion::arrow::datatypes::TimeUnit::Microsecond, Some(_)) => {
            cast(c, crate::instant::utc_type())
        }
        DataType::Timestamp(_, _)
        | DataType::Date32
        | DataType::Date64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View => crate::instant::instant_expr(c, tz),
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
    let tz = cols.time_zone.as_ref().map_or(cal.tz, |t| t.value);
    let ts = instant(ident(time), &time_ty, tz).ok_or_else(|| {
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
        ident(time).alias(RAW_TIME),
    ];
    let mut taken = vec![user.to_string(), time.to_string()];
    if is_events {
        let name = cols.name.as_ref().map_or("event", |c| c.value.as_str());
        require_column(&schema, name, s, "event name")?;
        // Text stays in the file's encoding (dictionary or view): comparing names there is
        // cheaper than copying every name into a new string column.
        let is_text = schema.field_with_name(name).is_ok_and(|f| {
            matches!(
                f.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) || matches!(f.data_type(), DataType::Dictionary(_, v) if v.is_string())
        });
        let event = if is_text {
            ident(name)
        } else {
            cast(ident(name), DataType::Utf8)
        };
        select.push(event.alias(EVENT));
        taken.push(name.to_string());
    }
    for f in schema.fields() {
        let n = f.name();
        if taken.contains(n) || [USER, TS, EVENT, SIGNUP, RAW_TIME].contains(&n.as_str()) {
            continue;
        }
        // named as the column, not as `source.column`, so SQL rendered from the plan reads
        let e = if is_events {
            ident(n).alias(n)
        } else {
            cast(ident(n), DataType::Utf8).alias(n)
        };
        select.push(e);
    }
    raw.select(select)
        .map_err(|e| df("preparing the source", e))
}

/// Checks a normalized table's time column (`ts` or `signup_ts`) against the values as written:
/// rows whose time cannot be read are an error naming how many, a few of them, and where the
/// first one is (file, line and column). Returns how many rows have no time at all.
// Long because it looks for the first unreadable time in each format in turn (CSV, JSON lines,
// Parquet), each with its own way of giving a line and column.
pub(crate) async fn unreadable_times(
    table: &DataFrame,
    ts: &str,
    s: &Source,
    root: &Path,
    cal: &Calendar,
) -> Result<i64, EngineError> {
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;
    use datafusion::functions_aggregate::expr_fn::count;
    let fail = |e| {
        df(
            &format!("reading the times of source `{}`", s.name.value),
            e,
        )
    };
    let (ts, raw) = (col(ts), col(RAW_TIME));
    let counts = table
        .clone()
        .aggregate(
            vec![],
            vec![
                (count(raw.clone()) - count(ts.clone())).alias("unreadable"),
                (count(lit(1)) - count(raw.clone())).alias("missing"),
            ],
        )
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let int = |i: usize| {
        counts
            .first()
            .and_then(|b| {
                b.column(i)
                    .as_primitive_opt::<Int64Type>()
                    .map(|a| a.value(0))
            })
            .unwrap_or(0)
    };
    let (unreadable, missing) = (int(0), int(1));
    if unreadable == 0 {
        return Ok(missing);
    }
    let raw_type = column_type(table, RAW_TIME);
    let examples = table
        .clone()
        .filter(raw.clone().is_not_null().and(ts.is_null()))
        .and_then(|d| d.select(vec![as_text(raw, raw_type.clone())]))
        .and_then(|d| d.limit(0, Some(3)))
        .map_err(fail)?
        .collect()
        .await
        .map_err(fail)?;
    let mut shown = Vec::new();
    for batch in &examples {
        let a = batch.column(0).as_string::<i32>();
        for i in 0..a.len() {
            shown.push(format!("`{}`", a.value(i)));
        }
    }
    let default = if s.name.value == "users" {
        "created_at"
    } else {
        "ts"
    };
    let time_col = s.columns.time.as_ref();
    let time_name = time_col.map_or(default, |t| t.value.as_str());
    let tz = s.columns.time_zone.as_ref().map_or(cal.tz, |t| t.value);
    let at = match crate::locate::first_unreadable(s, root, time_name, tz).await {
        Some(place) => format!("; the first is at {place}"),
        None => String::new(),
    };
    let help = match raw_type {
        Some(DataType::Timestamp(..)) => {
            "a stored timestamp this far from today is a damaged value, not a time: export the rows again, or remove them"
        }
        _ => {
            "write times as ISO 8601 (`2025-03-01T09:30:00Z`, `2025-03-01 09:30:00`, `2025-03-01`); without an offset they are local times of `columns.time_zone` or the workspace's `timezone`"
        }
    };
    let mut e = EngineError::new(
        format!(
            "source `{}`: {unreadable} row(s) have a time in `{time_name}` that cannot be read, e.g. {}{at}",
            s.name.value,
            shown.join(", ")
        ),
        help,
    );
    if let Some(t) = time_col {
        e = e.at(t.span);
    }
    Err(e)
}

/// A time as written, as text for a message: a stored timestamp as its number (one past any
/// calendar has no date to show), anything else as its text.
fn as_text(raw: Expr, ty: Option<DataType>) -> Expr {
    match ty {
        Some(DataType::Timestamp(unit, _)) => datafusion::functions::string::expr_fn::concat(vec![
            cast(cast(raw, DataType::Int64), DataType::Utf8),
            lit(crate::locate::as_stored(&unit)),
        ])
        .alias("raw"),
        _ => cast(raw, DataType::Utf8).alias("raw"),
    }
}

/// The data type of a column of a normalized table.
pub(crate) fn column_type(df: &DataFrame, name: &str) -> Option<DataType> {
    ident(name).get_type(df.schema()).ok()
}
