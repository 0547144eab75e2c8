//! throughline.yaml: the workspace's settings, its check configuration and its sources.

use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::source::Spanned;
use crate::yaml::{Node, Value};

pub(crate) fn decode_settings(cx: &mut Ctx, f: &mut Fields, s: &mut Settings) {
    if let Some(n) = f.get("workspace") {
        s.name = cx.text(n, "workspace");
    }
    if let Some(n) = f.get("timezone") {
        s.timezone = time_zone(cx, n, "timezone");
    }
    if let Some(n) = f.get("week_starts") {
        use chrono::Weekday::*;
        let days = [
            ("monday", Mon),
            ("tuesday", Tue),
            ("wednesday", Wed),
            ("thursday", Thu),
            ("friday", Fri),
            ("saturday", Sat),
            ("sunday", Sun),
        ];
        s.week_starts = cx.choice(n, "week_starts", &days);
    }
    if let Some(n) = f.get("store")
        && let Some(t) = cx.text(n, "store")
    {
        if t.value.starts_with("sqlite://")
            || t.value.starts_with("postgres://")
            || t.value.starts_with("postgresql://")
        {
            s.store = Some(t);
        } else {
            cx.value_error(
                t.span,
                format!("`{}` is not a store address", t.value),
                "use `sqlite://path/to/state.db` or `postgres://user@host/db`".into(),
            );
        }
    }
    if let Some(n) = f.get("cluster")
        && let Some(t) = cx.text(n, "cluster")
    {
        if t.value.starts_with("df://") && t.value.len() > "df://".len() {
            s.cluster = Some(t);
        } else {
            cx.value_error(
                t.span,
                format!("`{}` is not a cluster address", t.value),
                "write the scheduler's address as `df://HOST:PORT`, e.g. `cluster: df://sched.internal:50050`".into(),
            );
        }
    }
    if let Some(n) = f.get("sources") {
        if let Value::Map(entries) = &n.value {
            for (k, v) in entries {
                let Some(name) = cx.ident(k, "sources") else {
                    continue;
                };
                if let Some(src) = source(cx, name.clone(), v) {
                    s.sources.insert(name.value, src);
                }
            }
        } else if n.value != Value::Null {
            cx.type_error(
                n,
                "sources",
                "a mapping of source names",
                "write `sources:` then `events:` and `users:` indented under it",
            );
        }
    }
    if let Some(n) = f.get("pages") {
        s.pages = cx.texts(n, "pages");
    }
    if let Some(n) = f.get("checks") {
        if let Value::Map(entries) = &n.value {
            for (k, v) in entries {
                if let Some(rule) = cx.ident(k, "checks") {
                    s.checks.extend(check_setting(cx, rule, v));
                }
            }
        } else if n.value != Value::Null {
            cx.type_error(
                n,
                "checks",
                "a mapping of rule ids",
                "write e.g. `checks: { missing-baseline: off, key-result-count: { max: 6 } }`",
            );
        }
    }
}

pub(crate) fn level(cx: &mut Ctx, n: &Node) -> Option<Option<crate::Severity>> {
    let levels = [
        ("off", None),
        ("allow", None),
        ("note", Some(crate::Severity::Note)),
        ("warning", Some(crate::Severity::Warning)),
        ("error", Some(crate::Severity::Error)),
    ];
    if let Value::Bool(b) = n.value {
        // YAML reads a bare `off` as false
        return Some(if b {
            Some(crate::Severity::Warning)
        } else {
            None
        });
    }
    cx.choice(n, "severity", &levels).map(|s| s.value)
}

pub(crate) fn check_setting(cx: &mut Ctx, rule: Text, n: &Node) -> Option<CheckSetting> {
    let mut out = CheckSetting {
        rule,
        level: None,
        level_set: false,
        min: None,
        max: None,
    };
    if let Value::Map(_) = n.value {
        let mut f = Fields::new(cx, n, "a rule setting")?;
        if let Some(v) = f.get("severity") {
            out.level = level(cx, v)?;
            out.level_set = true;
        }
        for (key, slot) in [("min", &mut out.min), ("max", &mut out.max)] {
            if let Some(v) = f.get(key)
                && let Some(x) = cx.number(v, key)
            {
                if x.value >= 0.0 && x.value.fract() == 0.0 && x.value < 1e6 {
                    *slot = Some(Spanned::new(x.value as u32, x.span));
                } else {
                    cx.value_error(
                        x.span,
                        format!("`{key}` must be a whole number"),
                        format!("write e.g. `{key}: 5`"),
                    );
                }
            }
        }
        f.finish(cx);
    } else {
        out.level = level(cx, n)?;
        out.level_set = true;
    }
    Some(out)
}

/// An IANA zone name.
pub(crate) fn time_zone(cx: &mut Ctx, n: &Node, key: &str) -> Option<Spanned<chrono_tz::Tz>> {
    let t = cx.text(n, key)?;
    match t.value.parse::<chrono_tz::Tz>() {
        Ok(tz) => Some(Spanned::new(tz, t.span)),
        Err(_) => {
            cx.value_error(
                t.span,
                format!("`{}` is not a time zone", t.value),
                "use an IANA zone name such as `UTC`, `Europe/Berlin` or `America/New_York`".into(),
            );
            None
        }
    }
}

pub(crate) fn source(cx: &mut Ctx, name: Text, n: &Node) -> Option<Source> {
    let mut f = Fields::new(cx, n, "a source")?;
    let format = f
        .require(cx, "format", "format: parquet")
        .and_then(|v| cx.choice(v, "format", &SourceFormat::ALL));
    let path = f.get("path").and_then(|v| cx.text(v, "path"));
    let table = f.get("table").and_then(|v| cx.text(v, "table"));
    let query = f.get("query").and_then(|v| cx.text(v, "query"));
    let url_env = f.get("url_env").and_then(|v| cx.text(v, "url_env"));
    let url = f.get("url").and_then(|v| cx.text(v, "url"));
    let mut columns = SourceColumns::default();
    if let Some(c) = f.get("columns")
        && let Some(mut cf) = Fields::new(cx, c, "`columns`")
    {
        columns.user = cf.get("user").and_then(|v| cx.text(v, "user"));
        columns.time = cf.get("time").and_then(|v| cx.text(v, "time"));
        columns.name = cf.get("name").and_then(|v| cx.text(v, "name"));
        columns.time_zone = cf
            .get("time_zone")
            .and_then(|v| time_zone(cx, v, "time_zone"));
        cf.finish(cx);
    }
    let dimensions = f
        .get("dimensions")
        .map(|v| cx.text_list(v, "dimensions"))
        .unwrap_or_default();
    let faulty_rows = f
        .get("faulty_rows")
        .and_then(|v| cx.choice(v, "faulty_rows", &FaultyRows::ALL));
    if let Some(fr) = faulty_rows.as_ref().filter(|_| name.value != "events") {
        cx.push(
            Diagnostic::warning(
                "unused-key",
                format!(
                    "`faulty_rows` is read for the `events` source only, not `{}`",
                    name.value
                ),
            )
            .at(fr.span)
            .help("move it to the `events` source, or remove it here"),
        );
    }
    let watermark = f.get("watermark").and_then(|v| cx.text(v, "watermark"));
    let postgres_events = name.value == "events"
        && format
            .as_ref()
            .is_some_and(|f| f.value == SourceFormat::Postgres);
    if let Some(w) = watermark.as_ref().filter(|_| !postgres_events) {
        cx.push(
            Diagnostic::warning(
                "unused-key",
                format!(
                    "`watermark` is read for an `events` source of `format: postgres` only, not `{}`",
                    name.value
                ),
            )
            .at(w.span)
            .help("files are told apart by their size and modification time; remove it here"),
        );
    }
    let span = f.span;
    f.finish(cx);
    let format = format?;
    match format.value {
        SourceFormat::Postgres => {
            postgres_source(cx, &name, &format, [&table, &query], [&url_env, &url])
        }
        SourceFormat::Parquet | SourceFormat::Csv | SourceFormat::Jsonl if path.is_none() => {
            cx.push(
                Diagnostic::error(
                    "missing-key",
                    format!("source `{}` names no files", name.value),
                )
                .at(format.span)
                .help("add `path: data/events/*.parquet` (a glob relative to the workspace)"),
            );
        }
        _ => {}
    }
    Some(Source {
        name,
        format,
        path,
        table,
        query,
        url_env,
        url,
        columns,
        dimensions,
        faulty_rows,
        watermark,
        span,
    })
}

/// A PostgreSQL source reads exactly one of `table:` and `query:`, from the database named by
/// exactly one of `url_env:` and `url:`.
fn postgres_source(
    cx: &mut Ctx,
    name: &Text,
    format: &Spanned<SourceFormat>,
    [table, query]: [&Option<Text>; 2],
    [url_env, url]: [&Option<Text>; 2],
) {
    let mut missing = |what: &str, help: &str| {
        cx.push(
            Diagnostic::error(
                "missing-key",
                format!(
                    "source `{}` reads PostgreSQL but names no {what}",
                    name.value
                ),
            )
            .at(format.span)
            .help(help),
        );
    };
    if table.is_none() && query.is_none() {
        missing(
            "table",
            "add `table: events` (or `schema.events`), or `query: SELECT …` for a query's result",
        );
    }
    if url_env.is_none() && url.is_none() {
        missing(
            "database",
            "add `url_env: EVENTS_DATABASE_URL` and set that variable to `postgres://user@host:5432/db` where throughline runs",
        );
    }
    let mut both = |a: &Text, first: &str, second: &str| {
        cx.push(
            Diagnostic::error(
                "invalid-value",
                format!(
                    "source `{}` has both `{first}:` and `{second}:`",
                    name.value
                ),
            )
            .at(a.span)
            .help(format!("keep one of `{first}:` and `{second}:`")),
        );
    };
    if let (Some(_), Some(q)) = (table, query) {
        both(q, "table", "query");
    }
    if let (Some(_), Some(u)) = (url_env, url) {
        both(u, "url_env", "url");
    }
}
