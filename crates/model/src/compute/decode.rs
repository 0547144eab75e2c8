//! The fields several compute types read, each read the same way: identifiers, event and
//! column names as the data writes them, a cohort's start, a `where:` filter, an `every`
//! grain and a choice with a default.

use crate::decode::{Ctx, Fields, error_in_text, grain};
use crate::defs::{Grain, Start, Text, Where};
use crate::filter::parse_filter;
use crate::source::Spanned;

/// A required identifier (a metric id).
pub(super) fn req(
    cx: &mut Ctx,
    f: &mut Fields<'_>,
    key: &'static str,
    example: &str,
) -> Option<Text> {
    f.require(cx, key, example).and_then(|v| cx.ident(v, key))
}

/// A required event's or column's name, as the data writes it.
pub(super) fn name(
    cx: &mut Ctx,
    f: &mut Fields<'_>,
    key: &'static str,
    example: &str,
) -> Option<Text> {
    f.require(cx, key, example)
        .and_then(|v| cx.data_name(v, key))
}

/// An optional event's or column's name.
pub(super) fn optional_name(cx: &mut Ctx, f: &mut Fields<'_>, key: &'static str) -> Option<Text> {
    f.get(key).and_then(|v| cx.data_name(v, key))
}

/// `from: signup` is the users' signup time; any other name (or `{ event: signup }`) an event.
pub(super) fn start(cx: &mut Ctx, f: &mut Fields<'_>) -> Option<Start> {
    let node = f.require(cx, "from", "from: signup")?;
    let (n, explicit) = cx.data_name_marked(node, "from")?;
    Some(if n.value == "signup" && !explicit {
        Start::Signup(n.span)
    } else {
        Start::Event(n)
    })
}

/// An optional `where:` filter, parsed.
pub(super) fn filter(cx: &mut Ctx, f: &mut Fields<'_>) -> Option<Where> {
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
}

/// `every`: a grain, `default` when it is left out.
pub(super) fn every(cx: &mut Ctx, f: &mut Fields<'_>, default: Grain) -> Option<Spanned<Grain>> {
    match f.get("every") {
        Some(v) => grain(cx, v, "every"),
        None => Some(Spanned::new(default, f.span)),
    }
}

/// An optional field with one of a set of values; `default` when it is left out.
pub(super) fn choice_or<T: Copy>(
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
