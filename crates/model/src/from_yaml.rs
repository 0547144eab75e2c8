//! Decodes a YAML tree into definitions, reporting every problem with its place.

use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::expr::parse_expr;
use crate::filter::parse_filter;
use crate::source::{Span, Spanned};
use crate::values::{Period, Quantity, QuantityUnit, Unit, parse_date, parse_duration};
use crate::yaml::{Node, Value};

/// Which top-level keys a file may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// `throughline.yaml`: settings plus definitions.
    Root,
    /// Any other `*.yaml`: `metrics:`, `objectives:`, `experiments:`.
    Definitions,
}

pub(crate) fn decode_file(cx: &mut Ctx, root: &Node, kind: FileKind, ws: &mut Workspace) {
    if root.value == Value::Null {
        cx.push(
            Diagnostic::error("empty-file", "the file is empty: it defines nothing")
                .at(Span { len: 0, ..root.span })
                .help("add `metrics:`, `objectives:` or `experiments:` (see `throughline init` for an example), or delete the file"),
        );
        return;
    }
    let what = match kind {
        FileKind::Root => "throughline.yaml",
        FileKind::Definitions => "a workspace file",
    };
    let Some(mut f) = Fields::new(cx, root, what) else {
        return;
    };
    if kind == FileKind::Root {
        decode_settings(cx, &mut f, &mut ws.settings);
    }
    let metrics = cx.list(
        f.get("metrics"),
        "metrics",
        "metrics:\n  - id: activation_rate",
        metric,
    );
    ws.metrics.extend(metrics);
    let objectives = cx.list(
        f.get("objectives"),
        "objectives",
        "objectives:\n  - id: improve-activation",
        objective,
    );
    ws.objectives.extend(objectives);
    let experiments = cx.list(
        f.get("experiments"),
        "experiments",
        "experiments:\n  - id: onboarding-checklist",
        experiment,
    );
    ws.experiments.extend(experiments);
    f.finish(cx);
}

fn decode_settings(cx: &mut Ctx, f: &mut Fields, s: &mut Settings) {
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

fn level(cx: &mut Ctx, n: &Node) -> Option<Option<crate::Severity>> {
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

fn check_setting(cx: &mut Ctx, rule: Text, n: &Node) -> Option<CheckSetting> {
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
fn time_zone(cx: &mut Ctx, n: &Node, key: &str) -> Option<Spanned<chrono_tz::Tz>> {
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

fn source(cx: &mut Ctx, name: Text, n: &Node) -> Option<Source> {
    let mut f = Fields::new(cx, n, "a source")?;
    let formats = [
        ("parquet", SourceFormat::Parquet),
        ("csv", SourceFormat::Csv),
        ("jsonl", SourceFormat::Jsonl),
        ("postgres", SourceFormat::Postgres),
    ];
    let format = f
        .require(cx, "format", "format: parquet")
        .and_then(|v| cx.choice(v, "format", &formats));
    let path = f.get("path").and_then(|v| cx.text(v, "path"));
    let table = f.get("table").and_then(|v| cx.text(v, "table"));
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
    let span = f.span;
    f.finish(cx);
    let format = format?;
    match format.value {
        SourceFormat::Postgres if table.is_none() => {
            cx.push(
                Diagnostic::error(
                    "missing-key",
                    format!(
                        "source `{}` reads PostgreSQL but names no table",
                        name.value
                    ),
                )
                .at(format.span)
                .help("add `table: schema.events`"),
            );
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
        columns,
        dimensions,
        span,
    })
}

fn metric(cx: &mut Ctx, n: &Node) -> Option<Metric> {
    let mut f = Fields::new(cx, n, "a metric")?;
    let id = f
        .require(cx, "id", "id: activation_rate")
        .and_then(|v| cx.ident(v, "id"));
    let name = f.get("name").and_then(|v| cx.text(v, "name"));
    let roles = [
        ("north_star", MetricRole::NorthStar),
        ("input", MetricRole::Input),
        ("guardrail", MetricRole::Guardrail),
        ("kpi", MetricRole::Kpi),
    ];
    let role = f.get("role").and_then(|v| cx.choice(v, "role", &roles));
    let supports = f.get("supports").and_then(|v| cx.ident(v, "supports"));
    let description = f.get("description").and_then(|v| cx.text(v, "description"));
    let unit = f.get("unit").and_then(|v| unit(cx, v));
    let direction = f.get("direction").and_then(|v| {
        cx.choice(
            v,
            "direction",
            &[("up", Direction::Up), ("down", Direction::Down)],
        )
    });
    let timing = f.get("timing").and_then(|v| {
        cx.choice(
            v,
            "timing",
            &[("leading", Timing::Leading), ("lagging", Timing::Lagging)],
        )
    });
    let owner = f.get("owner").and_then(|v| cx.text(v, "owner"));
    let cadence = f.get("cadence").and_then(|v| {
        let mut cf = Fields::new(cx, v, "`cadence`")?;
        let report = cf.get("report").and_then(|x| grain(cx, x, "report"));
        let review = cf.get("review").and_then(|x| grain(cx, x, "review"));
        cf.finish(cx);
        Some(Cadence { report, review })
    });
    let segments = f
        .get("segments")
        .map(|v| cx.text_list(v, "segments"))
        .unwrap_or_default();
    let compute = f.get("compute").and_then(|v| compute(cx, v));
    let mut targets = Vec::new();
    if let Some(v) = f.get("targets") {
        for t in cx.seq(
            v,
            "targets",
            "targets:\n  - { period: 2024-Q1, target: 35, stretch: 40 }",
        ) {
            let Some(mut tf) = Fields::new(cx, t, "a target") else {
                continue;
            };
            let period = tf
                .require(cx, "period", "period: 2024-Q1")
                .and_then(|x| period(cx, x));
            let target = tf
                .require(cx, "target", "target: 35")
                .and_then(|x| cx.number(x, "target"));
            let stretch = tf.get("stretch").and_then(|x| cx.number(x, "stretch"));
            tf.finish(cx);
            if let (Some(period), Some(target)) = (period, target) {
                targets.push(MetricTarget {
                    period,
                    target,
                    stretch,
                });
            }
        }
    }
    let mut related = Related::default();
    if let Some(v) = f.get("related")
        && let Some(mut rf) = Fields::new(cx, v, "`related`")
    {
        related.leading = rf
            .get("leading")
            .map(|x| cx.text_list(x, "leading"))
            .unwrap_or_default();
        related.lagging = rf
            .get("lagging")
            .map(|x| cx.text_list(x, "lagging"))
            .unwrap_or_default();
        related.input = rf
            .get("input")
            .map(|x| cx.text_list(x, "input"))
            .unwrap_or_default();
        rf.finish(cx);
    }
    let healthy = f.get("healthy").and_then(|v| {
        let mut hf = Fields::new(cx, v, "`healthy`")?;
        let min = hf.get("min").and_then(|x| cx.number(x, "min"));
        let max = hf.get("max").and_then(|x| cx.number(x, "max"));
        hf.finish(cx);
        Some(Healthy { min, max })
    });
    let span = f.span;
    f.finish(cx);
    Some(Metric {
        id: id?,
        name,
        role,
        supports,
        description,
        unit,
        direction,
        timing,
        owner,
        cadence,
        segments,
        compute,
        targets,
        related,
        healthy,
        span,
    })
}

fn unit(cx: &mut Ctx, n: &Node) -> Option<Spanned<Unit>> {
    let t = cx.text(n, "unit")?;
    match Unit::parse(&t.value) {
        Ok(u) => Some(Spanned::new(u, t.span)),
        Err(e) => {
            cx.value_error(t.span, e, "`unit` is one of: count, percent, ratio, currency:USD (any ISO code), duration, score".into());
            None
        }
    }
}

fn grain(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<Grain>> {
    let grains = [
        ("day", Grain::Day),
        ("daily", Grain::Day),
        ("week", Grain::Week),
        ("weekly", Grain::Week),
        ("month", Grain::Month),
        ("monthly", Grain::Month),
        ("quarter", Grain::Quarter),
        ("quarterly", Grain::Quarter),
    ];
    cx.choice(n, field, &grains)
}

pub(crate) fn period(cx: &mut Ctx, n: &Node) -> Option<Spanned<Period>> {
    if let Value::Map(_) = n.value {
        let mut f = Fields::new(cx, n, "a period range")?;
        let start = f
            .require(cx, "start", "start: 2025-01-06")
            .and_then(|v| date(cx, v));
        let end = f
            .require(cx, "end", "end: 2025-03-28")
            .and_then(|v| date(cx, v));
        f.finish(cx);
        let (start, end) = (start?, end?);
        if end.value < start.value {
            cx.value_error(
                end.span,
                format!(
                    "the period ends ({}) before it starts ({})",
                    end.value, start.value
                ),
                "swap `start` and `end`".into(),
            );
            return None;
        }
        return Some(Spanned::new(
            Period::Range {
                start: start.value,
                end: end.value,
            },
            n.span,
        ));
    }
    let t = cx.text(n, "period")?;
    match Period::parse(&t.value) {
        Ok(p) => Some(Spanned::new(p, t.span)),
        Err(e) => {
            cx.value_error(t.span, e, "write a period as `2025-Q3`, `2025-H1`, `2025-03`, `2025` or `{ start: 2025-01-06, end: 2025-03-28 }`".into());
            None
        }
    }
}

fn date(cx: &mut Ctx, n: &Node) -> Option<Spanned<chrono::NaiveDate>> {
    let t = cx.text(n, "date")?;
    match parse_date(&t.value) {
        Ok(d) => Some(Spanned::new(d, t.span)),
        Err(e) => {
            cx.value_error(
                t.span,
                e,
                "write dates as YYYY-MM-DD, e.g. `2025-01-06`".into(),
            );
            None
        }
    }
}

fn duration(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<i64>> {
    let t = cx.text(n, field)?;
    match parse_duration(&t.value) {
        Ok(s) => Some(Spanned::new(s, t.span)),
        Err(e) => {
            cx.value_error(
                t.span,
                e,
                format!(
                    "write `{field}` as a number and a unit: `90s`, `30m`, `24h`, `7d` or `2w`"
                ),
            );
            None
        }
    }
}

/// A percent: `5%` or a plain number meaning percent.
fn percent(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<f64>> {
    let t = cx.text(n, field)?;
    let s = t.value.trim();
    let num = s.strip_suffix('%').unwrap_or(s).trim();
    match num.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Spanned::new(v, t.span)),
        _ => {
            cx.value_error(
                t.span,
                format!("`{}` is not a percent", t.value),
                format!("write `{field}` as a percent, e.g. `{field}: 5%`"),
            );
            None
        }
    }
}

/// A key result value: a number, or a number with a unit (`23%`, `72 hours`).
fn quantity(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<Quantity>> {
    match &n.value {
        Value::Int(i) => Some(Spanned::new(
            Quantity {
                value: *i as f64,
                unit: QuantityUnit::None,
            },
            n.span,
        )),
        Value::Float(f) if f.is_finite() => Some(Spanned::new(
            Quantity {
                value: *f,
                unit: QuantityUnit::None,
            },
            n.span,
        )),
        Value::Str(s) => match Quantity::parse(s) {
            Some(q) => Some(Spanned::new(q, n.span)),
            None => {
                cx.value_error(n.span, format!("`{s}` is not a number"), format!("write `{field}` as a number, optionally with a unit: `35`, `23%`, `24 hours`, `$1.2M`"));
                None
            }
        },
        _ => {
            cx.type_error(
                n,
                field,
                "a number",
                &format!("write `{field}` as a number, e.g. `{field}: 35`"),
            );
            None
        }
    }
}

const COMPUTE_TYPES: &[&str] = &[
    "count",
    "unique",
    "sum",
    "average",
    "ratio",
    "conversion",
    "retention",
    "duration",
    "churn",
    "stickiness",
    "nps",
    "derived",
    "sql",
];

fn compute(cx: &mut Ctx, n: &Node) -> Option<Spanned<Compute>> {
    let mut f = Fields::new(cx, n, "`compute`")?;
    let ty = f.require(cx, "type", "type: conversion")?;
    let ty_text = cx.text(ty, "type")?;
    let ty_name = ty_text.value.trim().to_ascii_lowercase();
    let req = |cx: &mut Ctx, f: &mut Fields, key: &'static str, example: &str| {
        f.require(cx, key, example).and_then(|v| cx.ident(v, key))
    };
    let filter = |cx: &mut Ctx, f: &mut Fields| {
        let text = f.get("where").and_then(|v| cx.text(v, "where"))?;
        match parse_filter(&text.value) {
            Ok(filter) => Some(Where { text, filter }),
            Err(e) => {
                error_in_text(
                    cx,
                    &text,
                    e.offset,
                    format!("invalid `where:` filter: {}", e.message),
                    "a filter compares event properties with values, e.g. `where: plan = 'pro' and amount >= 10`",
                );
                None
            }
        }
    };
    let every = |cx: &mut Ctx, f: &mut Fields, default: Grain| match f.get("every") {
        Some(v) => grain(cx, v, "every"),
        None => Some(Spanned::new(default, f.span)),
    };
    let c = match ty_name.as_str() {
        "count" => {
            let event = req(cx, &mut f, "event", "event: workflow_completed");
            let filter = filter(cx, &mut f);
            event.map(|event| Compute::Count { event, filter })
        }
        "unique" => {
            let event = f.get("event").and_then(|v| cx.ident(v, "event"));
            let filter = filter(cx, &mut f);
            Some(Compute::Unique { event, filter })
        }
        "sum" | "average" => {
            let event = req(cx, &mut f, "event", "event: purchase");
            let property = req(cx, &mut f, "property", "property: amount");
            let filter = filter(cx, &mut f);
            match (event, property) {
                (Some(event), Some(property)) if ty_name == "sum" => Some(Compute::Sum {
                    event,
                    property,
                    filter,
                }),
                (Some(event), Some(property)) => Some(Compute::Average {
                    event,
                    property,
                    filter,
                }),
                _ => None,
            }
        }
        "ratio" => {
            let numerator = req(cx, &mut f, "numerator", "numerator: revenue");
            let denominator = req(cx, &mut f, "denominator", "denominator: active_users");
            Some(Compute::Ratio {
                numerator: numerator?,
                denominator: denominator?,
            })
        }
        "conversion" => {
            let from = req(cx, &mut f, "from", "from: signup");
            let to = req(cx, &mut f, "to", "to: workflow_completed");
            let within = f
                .require(cx, "within", "within: 7d")
                .and_then(|v| duration(cx, v, "within"));
            let filter = filter(cx, &mut f);
            Some(Compute::Conversion {
                from: from?,
                to: to?,
                within: within?,
                filter,
            })
        }
        "retention" => {
            let from = req(cx, &mut f, "from", "from: signup");
            let return_event = req(cx, &mut f, "return", "return: session_started");
            let every = every(cx, &mut f, Grain::Week);
            let horizon = f
                .require(cx, "horizon", "horizon: 4")
                .and_then(|v| cx.number(v, "horizon"))
                .and_then(|h| {
                    if h.value >= 0.0 && h.value <= 520.0 && h.value.fract() == 0.0 {
                        Some(Spanned::new(h.value as u32, h.span))
                    } else {
                        cx.value_error(
                            h.span,
                            "`horizon` must be a whole number of periods from 0 to 520".into(),
                            "write e.g. `horizon: 4` for week 4 retention".into(),
                        );
                        None
                    }
                });
            Some(Compute::Retention {
                from: from?,
                return_event: return_event?,
                every: every?,
                horizon: horizon?,
            })
        }
        "duration" => {
            let from = req(cx, &mut f, "from", "from: signup");
            let to = req(cx, &mut f, "to", "to: workflow_completed");
            let stat = match f.get("stat") {
                Some(v) => cx.choice(
                    v,
                    "stat",
                    &[
                        ("median", Stat::Median),
                        ("p90", Stat::P90),
                        ("mean", Stat::Mean),
                    ],
                ),
                None => Some(Spanned::new(Stat::Median, f.span)),
            };
            Some(Compute::Duration {
                from: from?,
                to: to?,
                stat: stat?,
            })
        }
        "churn" => {
            let event = f.get("event").and_then(|v| cx.ident(v, "event"));
            let every = every(cx, &mut f, Grain::Month);
            Some(Compute::Churn {
                event,
                every: every?,
            })
        }
        "stickiness" => Some(Compute::Stickiness {
            event: f.get("event").and_then(|v| cx.ident(v, "event")),
        }),
        "nps" => {
            let event = req(cx, &mut f, "event", "event: nps_response");
            let property = req(cx, &mut f, "property", "property: score");
            Some(Compute::Nps {
                event: event?,
                property: property?,
            })
        }
        "derived" => {
            let text = f
                .require(cx, "expr", "expr: arpu / churn_rate")
                .and_then(|v| cx.text(v, "expr"))?;
            match parse_expr(&text.value) {
                Ok(e) => Some(Compute::Derived {
                    expr: Spanned::new(e, text.span),
                    text,
                }),
                Err(e) => {
                    error_in_text(
                        cx,
                        &text,
                        e.offset,
                        format!("invalid expression: {}", e.message),
                        "a derived metric is arithmetic over metric ids, e.g. `expr: arpu / churn_rate`",
                    );
                    None
                }
            }
        }
        "sql" => {
            let query = f
                .require(cx, "query", "query: SELECT …")
                .and_then(|v| cx.text(v, "query"));
            Some(Compute::Sql { query: query? })
        }
        _ => {
            let help = crate::decode::one_of_help(&ty_name, COMPUTE_TYPES, "type");
            cx.value_error(
                ty_text.span,
                format!("`{}` is not a compute type", ty_text.value),
                help,
            );
            // don't also report the type-specific fields as unknown
            return None;
        }
    };
    let span = f.span;
    f.finish(cx);
    c.map(|c| Spanned::new(c, span))
}

fn objective(cx: &mut Ctx, n: &Node) -> Option<Objective> {
    let mut f = Fields::new(cx, n, "an objective")?;
    let id = f
        .require(cx, "id", "id: improve-activation")
        .and_then(|v| cx.ident(v, "id"));
    let title = f
        .require(
            cx,
            "title",
            "title: Dramatically improve new user activation",
        )
        .and_then(|v| cx.text(v, "title"));
    let period = f.get("period").and_then(|v| period(cx, v));
    let team = f.get("team").and_then(|v| cx.ident(v, "team"));
    let owner = f.get("owner").and_then(|v| cx.text(v, "owner"));
    let aligns_to = f.get("aligns_to").and_then(|v| cx.ident(v, "aligns_to"));
    let why = f.get("why").and_then(|v| cx.text(v, "why"));
    let commitment = f.get("commitment").and_then(|v| {
        cx.choice(
            v,
            "commitment",
            &[
                ("committed", Commitment::Committed),
                ("aspirational", Commitment::Aspirational),
            ],
        )
    });
    let key_results = cx.list(
        f.get("key_results"),
        "key_results",
        "key_results:\n  - id: activation\n    title: Increase activation rate from 23% to 35%",
        key_result,
    );
    let initiatives = cx.list(
        f.get("initiatives"),
        "initiatives",
        "initiatives:\n  - { title: Onboarding flow redesign, supports: [activation] }",
        initiative,
    );
    let guardrails = cx.list(
        f.get("guardrails"),
        "guardrails",
        "guardrails:\n  - { metric: support_tickets, max_increase: 5% }",
        guardrail,
    );
    let span = f.span;
    f.finish(cx);
    let period_length = period
        .as_ref()
        .map(|p| Spanned::new(p.value.length(), p.span));
    Some(Objective {
        id: id?,
        title: title?,
        period,
        period_length,
        team,
        owner,
        aligns_to,
        why,
        commitment,
        key_results,
        initiatives,
        guardrails,
        origin: Origin::Yaml,
        span,
    })
}

fn key_result(cx: &mut Ctx, n: &Node) -> Option<KeyResult> {
    let mut f = Fields::new(cx, n, "a key result")?;
    let id = f
        .require(cx, "id", "id: activation")
        .and_then(|v| cx.ident(v, "id"));
    let title = f
        .require(
            cx,
            "title",
            "title: Increase activation rate from 23% to 35%",
        )
        .and_then(|v| cx.text(v, "title"));
    let metric = f.get("metric").and_then(|v| cx.ident(v, "metric"));
    let manual = f.get("manual").and_then(|v| {
        if v.value == Value::Null {
            return Some(Manual {
                unit: None,
                span: v.span,
            });
        }
        let mut mf = Fields::new(cx, v, "`manual`")?;
        let u = mf.get("unit").and_then(|x| unit(cx, x));
        mf.finish(cx);
        Some(Manual {
            unit: u,
            span: v.span,
        })
    });
    if let (Some(m), Some(manual)) = (&metric, &manual) {
        cx.push(
            Diagnostic::error(
                "invalid-value",
                "a key result is either computed from a metric or checked in by hand, not both",
            )
            .at(manual.span)
            .help(format!(
                "remove `manual:` to compute it from `{}`, or remove `metric:`",
                m.value
            )),
        );
    }
    let baseline = f.get("baseline").and_then(|v| quantity(cx, v, "baseline"));
    let target = f.get("target").and_then(|v| quantity(cx, v, "target"));
    let stretch = f.get("stretch").and_then(|v| quantity(cx, v, "stretch"));
    let owner = f.get("owner").and_then(|v| cx.text(v, "owner"));
    let weight = f.get("weight").and_then(|v| cx.number(v, "weight"));
    if let Some(w) = &weight
        && w.value <= 0.0
    {
        cx.value_error(
            w.span,
            "`weight` must be above 0".into(),
            "weights are relative, e.g. `weight: 2` counts twice as much as `weight: 1`".into(),
        );
    }
    let measurement = f.get("measurement").and_then(|v| cx.text(v, "measurement"));
    let span = f.span;
    f.finish(cx);
    Some(KeyResult {
        id: id?,
        title: title?,
        metric,
        manual,
        baseline,
        target,
        stretch,
        owner,
        weight,
        measurement,
        placeholder: None,
        span,
    })
}

fn initiative(cx: &mut Ctx, n: &Node) -> Option<Initiative> {
    if let Some(t) = n.scalar_text(cx.src) {
        return Some(Initiative {
            title: Spanned::new(t, n.span),
            supports: Vec::new(),
            owner: None,
            span: n.span,
        });
    }
    let mut f = Fields::new(cx, n, "an initiative")?;
    let title = f
        .require(cx, "title", "title: Onboarding flow redesign")
        .and_then(|v| cx.text(v, "title"));
    let supports = f
        .get("supports")
        .map(|v| cx.text_list(v, "supports"))
        .unwrap_or_default();
    let owner = f.get("owner").and_then(|v| cx.text(v, "owner"));
    let span = f.span;
    f.finish(cx);
    Some(Initiative {
        title: title?,
        supports,
        owner,
        span,
    })
}

fn guardrail(cx: &mut Ctx, n: &Node) -> Option<Guardrail> {
    let mut f = Fields::new(cx, n, "a guardrail")?;
    let metric = f
        .require(cx, "metric", "metric: support_tickets")
        .and_then(|v| cx.ident(v, "metric"));
    let max_increase = f
        .get("max_increase")
        .and_then(|v| percent(cx, v, "max_increase"));
    let max_decrease = f
        .get("max_decrease")
        .and_then(|v| percent(cx, v, "max_decrease"));
    let min = f.get("min").and_then(|v| cx.number(v, "min"));
    let max = f.get("max").and_then(|v| cx.number(v, "max"));
    let span = f.span;
    f.finish(cx);
    if metric.is_some()
        && max_increase.is_none()
        && max_decrease.is_none()
        && min.is_none()
        && max.is_none()
    {
        cx.push(
            Diagnostic::error("missing-key", "a guardrail needs a threshold")
                .at(Span { len: 1, ..span })
                .help("add one of `max_increase: 5%`, `max_decrease: 5%`, `min: 20` or `max: 100`"),
        );
    }
    Some(Guardrail {
        metric: Some(metric?),
        text: None,
        max_increase,
        max_decrease,
        min,
        max,
        span,
    })
}

fn experiment(cx: &mut Ctx, n: &Node) -> Option<Experiment> {
    let mut f = Fields::new(cx, n, "an experiment")?;
    let id = f
        .require(cx, "id", "id: onboarding-checklist")
        .and_then(|v| cx.ident(v, "id"));
    let hypothesis = f.get("hypothesis").and_then(|v| cx.text(v, "hypothesis"));
    let assignment = f
        .require(
            cx,
            "assignment",
            "assignment: { event: experiment_assigned, property: variant, control: control }",
        )
        .and_then(|v| {
            let mut af = Fields::new(cx, v, "`assignment`")?;
            let event = af
                .require(cx, "event", "event: experiment_assigned")
                .and_then(|x| cx.ident(x, "event"));
            let property = af
                .require(cx, "property", "property: variant")
                .and_then(|x| cx.ident(x, "property"));
            let control = af
                .require(cx, "control", "control: control")
                .and_then(|x| cx.text(x, "control"));
            af.finish(cx);
            Some(Assignment {
                event: event?,
                property: property?,
                control: control?,
            })
        });
    let goal_metrics = f
        .get("goal_metrics")
        .map(|v| cx.text_list(v, "goal_metrics"))
        .unwrap_or_default();
    let guardrail_metrics = f
        .get("guardrail_metrics")
        .map(|v| cx.text_list(v, "guardrail_metrics"))
        .unwrap_or_default();
    let mde = f
        .get("minimum_detectable_effect")
        .and_then(|v| percent(cx, v, "minimum_detectable_effect"));
    let span = f.span;
    if goal_metrics.is_empty() {
        cx.push(
            Diagnostic::error(
                "missing-key",
                "an experiment needs at least one goal metric",
            )
            .at(Span { len: 1, ..span })
            .help("add `goal_metrics: [activation_rate]`"),
        );
    }
    f.finish(cx);
    Some(Experiment {
        id: id?,
        hypothesis,
        assignment,
        goal_metrics,
        guardrail_metrics,
        minimum_detectable_effect: mde,
        span,
    })
}

/// An error at byte `offset` inside a scalar's text (after its opening quote, if any).
fn error_in_text(cx: &mut Ctx, text: &Text, offset: usize, message: String, help: &str) {
    let quoted = usize::from(text.span.len as usize > text.value.len());
    let offset = offset.min(text.value.len());
    let mut span = text.span;
    span.offset += (offset + quoted) as u32;
    span.column += (text.value[..offset].chars().count() + quoted) as u32;
    span.len = 1;
    cx.value_error(span, message, help.into());
}
