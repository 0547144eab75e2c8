//! Metric definitions: identity, role, unit, direction, targets and limits.

use super::*;
use crate::decode::{Ctx, Fields};
use crate::defs::*;
use crate::yaml::Node;

// Long because it reads a metric definition's fields in the order the file format documents
// them; each field is a few lines.
pub(crate) fn metric(cx: &mut Ctx, n: &Node) -> Option<Metric> {
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
    let mut supports = f.get("supports").and_then(|v| cx.ident(v, "supports"));
    let drives = f.get("drives").and_then(|v| drives(cx, v));
    if let Some(d) = &drives {
        match &supports {
            Some(s) if s.value != d.metric.value => cx.value_error(
                d.metric.span,
                format!(
                    "`drives` names `{}` but `supports` names `{}`: a metric feeds one parent",
                    d.metric.value, s.value
                ),
                "drop `supports:` (`drives:` is the tree's edge too) or name the same metric in both".into(),
            ),
            Some(_) => {}
            None => supports = Some(d.metric.clone()),
        }
    }
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
    let compute = f.get("compute").and_then(|v| crate::compute::decode(cx, v));
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
        drives,
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

/// `drives: { metric: north_star, as: factor }`.
fn drives(cx: &mut Ctx, n: &Node) -> Option<Drives> {
    let mut f = Fields::new(cx, n, "`drives`")?;
    let metric = f
        .require(
            cx,
            "metric",
            "drives: { metric: weekly_active_users, as: factor }",
        )
        .and_then(|v| cx.ident(v, "metric"));
    let as_ = f.require(cx, "as", "as: factor").and_then(|v| {
        cx.choice(
            v,
            "as",
            &[("factor", DriveAs::Factor), ("term", DriveAs::Term)],
        )
    });
    let span = f.span;
    f.finish(cx);
    Some(Drives {
        metric: metric?,
        as_: as_?,
        span,
    })
}
