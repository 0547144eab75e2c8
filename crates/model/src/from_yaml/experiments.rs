//! Experiments: assignment event, variants, goal and guardrail metrics.

use super::*;
use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use crate::yaml::Node;

pub(crate) fn experiment(cx: &mut Ctx, n: &Node) -> Option<Experiment> {
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
