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
    "funnel",
    "lifecycle",
    "cumulative",
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
    // an event's or a column's name as the data writes it
    let name = |cx: &mut Ctx, f: &mut Fields, key: &'static str, example: &str| {
        f.require(cx, key, example)
            .and_then(|v| cx.data_name(v, key))
    };
    let optional_name = |cx: &mut Ctx, f: &mut Fields, key: &'static str| {
        f.get(key).and_then(|v| cx.data_name(v, key))
    };
    // `from: signup` is the users' signup time; any other name (or `{ event: signup }`) an event
    let start = |cx: &mut Ctx, f: &mut Fields| {
        let node = f.require(cx, "from", "from: signup")?;
        let (n, explicit) = cx.data_name_marked(node, "from")?;
        Some(if n.value == "signup" && !explicit {
            Start::Signup(n.span)
        } else {
            Start::Event(n)
        })
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
            let event = name(cx, &mut f, "event", "event: workflow_completed");
            let filter = filter(cx, &mut f);
            event.map(|event| Compute::Count { event, filter })
        }
        "unique" => {
            let event = optional_name(cx, &mut f, "event");
            let filter = filter(cx, &mut f);
            Some(Compute::Unique { event, filter })
        }
        "sum" | "average" => {
            let event = name(cx, &mut f, "event", "event: purchase");
            let property = name(cx, &mut f, "property", "property: amount");
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
            let from = start(cx, &mut f);
            let to = name(cx, &mut f, "to", "to: workflow_completed");
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
            let from = start(cx, &mut f);
            let return_event = name(cx, &mut f, "return", "return: session_started");
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
            let from = start(cx, &mut f);
            let to = name(cx, &mut f, "to", "to: workflow_completed");
            let stat = choice_or(
                cx,
                &mut f,
                "stat",
                &[
                    ("median", Stat::Median),
                    ("p90", Stat::P90),
                    ("mean", Stat::Mean),
                ],
                Stat::Median,
            );
            let within = match f.get("within") {
                Some(v) => duration(cx, v, "within"),
                None => Some(Spanned::new(
                    crate::defs::DURATION_WINDOW_DEFAULT,
                    Default::default(),
                )),
            };
            Some(Compute::Duration {
                from: from?,
                to: to?,
                stat: stat?,
                within: within?,
            })
        }
        "churn" => {
            let event = optional_name(cx, &mut f, "event");
            let every = every(cx, &mut f, Grain::Month);
            Some(Compute::Churn {
                event,
                every: every?,
            })
        }
        "stickiness" => Some(Compute::Stickiness {
            event: optional_name(cx, &mut f, "event"),
        }),
        "nps" => {
            let event = name(cx, &mut f, "event", "event: nps_response");
            let property = name(cx, &mut f, "property", "property: score");
            Some(Compute::Nps {
                event: event?,
                property: property?,
            })
        }
        "funnel" => funnel(cx, &mut f),
        "lifecycle" => {
            let event = optional_name(cx, &mut f, "event");
            let every = every(cx, &mut f, Grain::Week);
            Some(Compute::Lifecycle {
                event,
                every: every?,
            })
        }
        "cumulative" => {
            let filter = filter(cx, &mut f);
            cumulative(cx, &mut f, filter)
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

/// `cumulative`: `of` (count, sum or unique), the event (and for a sum the property) it adds
/// up, and an optional trailing `window` of whole days; `filter` is its `where:`.
fn cumulative(cx: &mut Ctx, f: &mut Fields<'_>, filter: Option<Where>) -> Option<Compute> {
    #[derive(Clone, Copy)]
    enum Of {
        Count,
        Sum,
        Unique,
    }
    let of = f.require(cx, "of", "of: unique").and_then(|v| {
        cx.choice(
            v,
            "of",
            &[
                ("count", Of::Count),
                ("sum", Of::Sum),
                ("unique", Of::Unique),
            ],
        )
    })?;
    let event = |cx: &mut Ctx, f: &mut Fields| {
        f.require(cx, "event", "event: workflow_completed")
            .and_then(|v| cx.data_name(v, "event"))
    };
    let of = match of.value {
        Of::Count => Running::Count {
            event: event(cx, f)?,
        },
        Of::Sum => {
            let event = event(cx, f);
            let property = f
                .require(cx, "property", "property: amount")
                .and_then(|v| cx.data_name(v, "property"));
            Running::Sum {
                event: event?,
                property: property?,
            }
        }
        Of::Unique => Running::Unique {
            event: f.get("event").and_then(|v| cx.data_name(v, "event")),
        },
    };
    let window = match f.get("window") {
        None => None,
        Some(v) => {
            let w = duration(cx, v, "window")?;
            if w.value % 86_400 != 0 {
                cx.value_error(
                    w.span,
                    "a cumulative `window` is a whole number of days".into(),
                    "write e.g. `window: 28d` or `window: 4w`; leave it out to add up since the data begins".into(),
                );
                return None;
            }
            Some(w)
        }
    };
    Some(Compute::Cumulative { of, filter, window })
}

/// `funnel`: two or more steps (`signup` only first), `within` (one window, or one per step
/// after the first, none shorter than the one before), `exclude`, `order`.
fn funnel(cx: &mut Ctx, f: &mut Fields<'_>) -> Option<Compute> {
    let example = "steps: [signup, session_started, workflow_completed]";
    let steps_node = f.require(cx, "steps", example);
    // each step with whether it names an event in so many words (`{ event: signup }`)
    let named: Vec<(Text, bool)> = match steps_node {
        Some(n) => cx
            .seq(n, "steps", "  - signup\n  - workflow_completed")
            .iter()
            .filter_map(|s| cx.data_name_marked(s, "steps"))
            .collect(),
        None => Vec::new(),
    };
    let mut ok = steps_node.is_some();
    if let Some((first, true)) = named.first()
        && first.value == "signup"
    {
        cx.value_error(
            first.span,
            "a funnel cannot start at an event called `signup` yet".into(),
            "start it at the users' signup (`signup`), or at the event after it".into(),
        );
        ok = false;
    }
    let plain_signup_later: Vec<Span> = named
        .iter()
        .skip(1)
        .filter(|(s, explicit)| s.value == "signup" && !explicit)
        .map(|(s, _)| s.span)
        .collect();
    let steps: Vec<Text> = named.into_iter().map(|(t, _)| t).collect();
    if let Some(n) = steps_node
        && ok
        && steps.len() < 2
        && matches!(n.value, crate::yaml::Value::Seq(_))
    {
        cx.value_error(
            n.span,
            format!(
                "a funnel needs at least two steps, and this one has {}",
                steps.len()
            ),
            format!("list the events in the order users go through them, e.g. `{example}`"),
        );
        ok = false;
    }
    for span in plain_signup_later {
        cx.value_error(
            span,
            "`signup` can only be a funnel's first step".into(),
            "`signup` is the users source's time: every user has it before any event; start the funnel with it or leave it out (an event called `signup` is `{ event: signup }`)".into(),
        );
        ok = false;
    }
    let within = f
        .require(cx, "within", "within: 14d")
        .and_then(|n| windows(cx, n, steps.len()));
    ok &= within.is_some();
    let exclude = f.get("exclude").and_then(|v| cx.data_name(v, "exclude"));
    if let Some(x) = &exclude
        && steps.iter().any(|s| s.value == x.value)
    {
        cx.value_error(
            x.span,
            format!("`{}` is both a step and excluded", x.value),
            "exclude an event that is not one of the steps (e.g. `exclude: account_deleted`)"
                .into(),
        );
        ok = false;
    }
    let order = choice_or(
        cx,
        f,
        "order",
        &[
            ("ordered", FunnelOrder::Ordered),
            ("strict", FunnelOrder::Strict),
            ("any", FunnelOrder::Any),
        ],
        FunnelOrder::Ordered,
    );
    if !ok {
        return None;
    }
    Some(Compute::Funnel {
        steps,
        within: within?,
        exclude,
        order: order?,
    })
}

/// An optional field with one of a set of values; `default` when it is left out.
fn choice_or<T: Copy>(
    cx: &mut Ctx,
    f: &mut Fields<'_>,
    key: &'static str,
    options: &[(&str, T)],
    default: T,
) -> Option<Spanned<T>> {
    match f.get(key) {
        Some(v) => cx.choice(v, key, options),
        None => Some(Spanned::new(default, f.span)),
    }
}

/// A funnel's `within`: one window for every step after the first, or a list of one per step
/// (`steps` of them in all), none shorter than the one before.
fn windows(cx: &mut Ctx, n: &Node, steps: usize) -> Option<Vec<Spanned<i64>>> {
    let crate::yaml::Value::Seq(items) = &n.value else {
        return duration(cx, n, "within").map(|w| vec![w; steps.saturating_sub(1)]);
    };
    let ws: Vec<_> = items
        .iter()
        .filter_map(|w| duration(cx, w, "within"))
        .collect();
    if ws.len() != items.len() {
        return None;
    }
    if steps >= 2 && ws.len() != steps - 1 {
        cx.value_error(
            n.span,
            format!(
                "`within` lists {} window{} for a funnel of {steps} steps",
                ws.len(),
                if ws.len() == 1 { "" } else { "s" },
            ),
            format!(
                "give one window per step after the first ({}), each counted from entry, or one window for all",
                steps - 1
            ),
        );
        return None;
    }
    if let Some(w) = ws.windows(2).find(|w| w[1].value < w[0].value) {
        cx.value_error(
            w[1].span,
            "a step's window is shorter than the step's before it".into(),
            "each window counts from entry, so a later step's window must be at least as long as an earlier one's".into(),
        );
        return None;
    }
    Some(ws)
}
