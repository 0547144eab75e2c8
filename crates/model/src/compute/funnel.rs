//! `funnel`: of the users a first step enters in a period, the share who go through the
//! later steps in order (or in any order) within their windows. Its YAML and its words; its
//! answers are its arm of `Compute::facts`, its plan `throughline-engine`'s `plan/funnel.rs`.

use super::Compute;
use crate::decode::{Ctx, Fields, duration};
use crate::defs::{FunnelOrder, Text};
use crate::source::{Span, Spanned};
use crate::yaml::Node;

/// `funnel`: two or more steps (`signup` only first), `within` (one window, or one per step
/// after the first, none shorter than the one before), `exclude`, `order`.
pub(super) fn decode(cx: &mut Ctx, f: &mut Fields<'_>) -> Option<Compute> {
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
    let order = super::decode::choice_or(
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

/// In words: who enters, the steps, the order and the windows.
pub(super) fn describe(
    steps: &[Text],
    within: &[Spanned<i64>],
    exclude: &Option<Text>,
    order: FunnelOrder,
) -> String {
    let names: Vec<String> = steps.iter().map(|s| format!("`{}`", s.value)).collect();
    let window = match within.first() {
        Some(w) if within.iter().all(|x| x.value == w.value) => {
            format!(
                "within {} of entry",
                crate::Unit::Duration.format(w.value as f64)
            )
        }
        _ => format!(
            "within {} of entry (step by step)",
            within
                .iter()
                .map(|w| crate::Unit::Duration.format(w.value as f64))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let order = match order {
        crate::FunnelOrder::Ordered => "in order",
        crate::FunnelOrder::Strict => "in order with no other event between steps",
        crate::FunnelOrder::Any => "in any order",
    };
    format!(
        "of the users whose first {} in the period enters them, the share who go through {} {order}, {window}{}",
        names[0],
        names.join(" → "),
        exclude.as_ref().map_or(String::new(), |x| format!(
            ", without a `{}` between steps",
            x.value
        ))
    )
}
