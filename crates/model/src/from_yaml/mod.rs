//! Decodes a YAML tree into definitions, reporting every problem with its place.
//!
//! One module per kind of file: `workspace` (throughline.yaml: settings and sources),
//! `metrics` (metric definitions and their `compute:`), `okrs` (objectives, key results,
//! initiatives, guardrails) and `experiments`; the scalars they share (units, grains,
//! periods, dates, durations, quantities) are read here.

mod experiments;
mod metrics;
mod notify;
mod okrs;
mod workspace;

use crate::decode::grain;
use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::source::{Span, Spanned};
use crate::values::{Period, Quantity, QuantityUnit, Unit, parse_date};
use crate::yaml::{Node, Value};
use experiments::*;
use metrics::*;
use okrs::*;
use workspace::*;

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
        if let Some(n) = f.get("notify") {
            ws.settings.notify = notify::notify(cx, n);
            if let Some(config) = &ws.settings.notify {
                notify::follow_ups_in_week(cx, config, ws.settings.week_start());
            }
        }
    }
    let people = cx.list(
        f.get("people"),
        "people",
        "people:\n  - { name: Dana (PM Growth), email: dana@example.com }",
        notify::person,
    );
    ws.people.extend(people);
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

pub(crate) fn unit(cx: &mut Ctx, n: &Node) -> Option<Spanned<Unit>> {
    let t = cx.text(n, "unit")?;
    match Unit::parse(&t.value) {
        Ok(u) => Some(Spanned::new(u, t.span)),
        Err(e) => {
            cx.value_error(t.span, e.to_string(), "`unit` is one of: count, percent, ratio, currency:USD (any ISO code), duration, score".into());
            None
        }
    }
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
            cx.value_error(t.span, e.to_string(), "write a period as `2025-Q3`, `2025-H1`, `2025-03`, `2025` or `{ start: 2025-01-06, end: 2025-03-28 }`".into());
            None
        }
    }
}

pub(crate) fn date(cx: &mut Ctx, n: &Node) -> Option<Spanned<chrono::NaiveDate>> {
    let t = cx.text(n, "date")?;
    match parse_date(&t.value) {
        Ok(d) => Some(Spanned::new(d, t.span)),
        Err(e) => {
            cx.value_error(
                t.span,
                e.to_string(),
                "write dates as YYYY-MM-DD, e.g. `2025-01-06`".into(),
            );
            None
        }
    }
}

/// A percent: `5%` or a plain number meaning percent.
pub(crate) fn percent(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<f64>> {
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
pub(crate) fn quantity(cx: &mut Ctx, n: &Node, field: &str) -> Option<Spanned<Quantity>> {
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
