//! A metric's `compute:`: one arm per compute type, each with the fields it takes.

use super::*;
use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::expr::parse_expr;
use crate::filter::parse_filter;
use crate::source::Spanned;
use crate::yaml::Node;

pub(crate) const COMPUTE_TYPES: &[&str] = &[
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

// Long because it is one match with an arm per compute type and the fields each takes; the arms
// are short and reading them side by side shows what each type accepts.
pub(crate) fn compute(cx: &mut Ctx, n: &Node) -> Option<Spanned<Compute>> {
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
