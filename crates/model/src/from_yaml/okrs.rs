//! Objectives, their key results, initiatives and guardrails.

use super::*;
use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::source::{Span, Spanned};
use crate::yaml::{Node, Value};

pub(crate) fn objective(cx: &mut Ctx, n: &Node) -> Option<Objective> {
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

pub(crate) fn key_result(cx: &mut Ctx, n: &Node) -> Option<KeyResult> {
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

pub(crate) fn initiative(cx: &mut Ctx, n: &Node) -> Option<Initiative> {
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

pub(crate) fn guardrail(cx: &mut Ctx, n: &Node) -> Option<Guardrail> {
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
