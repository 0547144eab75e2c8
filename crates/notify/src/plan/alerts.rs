//! `guardrail-alert` and `forecast-alert`: from the weekly review, a guardrail whose light is
//! at the rule's `level` or worse (default yellow), and a key result whose forecast falls short
//! of its target. Each alerts once per period and light (a guardrail going from Yellow to Red
//! alerts again), and once per period for a forecast.

use throughline_model::notify::{AlertLevel, Notify, NotifyRule};
use throughline_review::{Light, Review};

use super::{Draft, Input, Plan, to_channels};

fn period_of(r: &Review) -> String {
    r.period
        .as_ref()
        .map_or_else(|| r.week_label.clone(), |p| p.label.clone())
}

pub(crate) fn guardrails(input: &Input, notify: &Notify, rule: &NotifyRule, out: &mut Plan) {
    let Some(r) = input.review else { return };
    let level = rule.level.as_ref().map_or(AlertLevel::Yellow, |l| l.value);
    for g in &r.guardrails {
        let alerts = match g.light {
            Light::Red => true,
            Light::Yellow => level == AlertLevel::Yellow,
            Light::Green | Light::Unknown => false,
        };
        if !alerts {
            continue;
        }
        let value = g.now.as_ref().map(|v| g.unit.format(v.value));
        let mut lines = vec![format!(
            "{} {} is {} in {} ({}).",
            g.light.mark(),
            g.name,
            g.light.label(),
            r.week_label,
            r.week_span
        )];
        let mut numbers = Vec::new();
        if let Some(v) = &value {
            numbers.push(format!("now {v}"));
        }
        if let Some(b) = g.baseline {
            numbers.push(format!("baseline {}", g.unit.format(b)));
        }
        if let Some(c) = g.change_relative {
            numbers.push(format!("{:+.1}%", c * 100.0));
        }
        if !numbers.is_empty() {
            lines.push(numbers.join(", "));
        }
        if let Some(w) = &g.why {
            lines.push(format!("Limit: {w}"));
        }
        if !g.guards.is_empty() {
            lines.push(format!("It guards: {}", g.guards.join(", ")));
        }
        let draft = Draft {
            kind: "guardrail-alert",
            key: format!(
                "guardrail-alert/{}/{}/{}",
                period_of(r),
                g.metric,
                g.light.label().to_ascii_lowercase()
            ),
            subject: format!(
                "{} Guardrail {}: {}",
                g.light.mark(),
                g.light.label(),
                g.name
            ),
            lines,
            path: Some(format!("/metrics/{}", g.metric)),
            facts: serde_json::json!({
                "week": r.week_label,
                "metric": g.metric,
                "light": g.light.label(),
                "value": g.now.as_ref().map(|v| v.value),
                "baseline": g.baseline,
                "change": g.change,
                "change_relative": g.change_relative,
                "why": g.why,
            }),
        };
        to_channels(input, notify, rule, &draft, out);
    }
}

pub(crate) fn forecasts(input: &Input, notify: &Notify, rule: &NotifyRule, out: &mut Plan) {
    let Some(r) = input.review else { return };
    for k in &r.key_results {
        let s = &k.status;
        let (Some(f), Some(target)) = (s.forecast, s.target) else {
            continue;
        };
        if throughline_progress::reached(f.value, target, s.up) {
            continue;
        }
        let mut lines = vec![format!(
            "{} ({}) is forecast to miss its target of {}.",
            s.title,
            s.id,
            s.show(target)
        )];
        if let Some(t) = s.forecast_text() {
            lines.push(format!("Forecast: {t}."));
        }
        if let Some(c) = &s.current {
            lines.push(format!("Now: {} · {}", s.show(c.value), s.status.label()));
        }
        if let Some(o) = &s.owner {
            lines.push(format!("Owner: {o}"));
        }
        let draft = Draft {
            kind: "forecast-alert",
            key: format!("forecast-alert/{}/{}/{}", period_of(r), k.objective, s.id),
            subject: format!("Forecast below target: {}", s.title),
            lines,
            path: Some(format!("/key-results/{}/{}", k.objective, s.id)),
            facts: serde_json::json!({
                "week": r.week_label,
                "objective": k.objective,
                "key_result": s.id,
                "target": target,
                "forecast": f.value,
                "low": f.low,
                "high": f.high,
                "probability": f.probability,
                "current": s.current.as_ref().map(|c| c.value),
            }),
        };
        to_channels(input, notify, rule, &draft, out);
    }
}
