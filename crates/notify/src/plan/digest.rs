//! `review-digest`: the weekly review's summary and a link to it, from `at` (default the
//! following week's first day at 09:00) in the week after the review's week; once per week.

use chrono::{Datelike, NaiveTime};
use throughline_model::notify::{Notify, NotifyRule, WeekTime};
use throughline_progress::Status;
use throughline_review::{Light, Review, Week};

use super::{Draft, Input, Plan, to_channels};
use crate::when;

pub(crate) fn plan(input: &Input, notify: &Notify, rule: &NotifyRule, out: &mut Plan) {
    let Some(review) = input.review else { return };
    let ws = input.ws;
    let tz = ws.settings.zone();
    let next = Week {
        start: review.week.end,
        end: review.week.end + chrono::Duration::days(7),
    };
    let default = WeekTime {
        day: next.start.weekday(),
        time: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    };
    let at = rule.at.as_ref().map_or(default, |a| a.value);
    if input.now < when::instant(next, at, tz) {
        return;
    }
    let draft = Draft {
        kind: "review-digest",
        key: format!("review-digest/{}", review.week.label()),
        subject: format!(
            "Weekly metrics review — {} · {}",
            review.workspace, review.week_label
        ),
        lines: summary(review),
        path: Some("/review".into()),
        facts: facts(review),
    };
    to_channels(input, notify, rule, &draft, out);
}

/// The review in a few lines: the North Star, the key results by status, the guardrails that
/// are not green, who has not checked in, and the first of next week's focus items.
fn summary(r: &Review) -> Vec<String> {
    let mut lines = vec![format!("{} ({})", r.week_label, r.week_span)];
    if let Some(ns) = &r.north_star {
        let last = ns.last.as_ref().map_or(String::new(), |l| {
            format!(" (last week {})", ns.unit.format(l.value))
        });
        lines.push(format!(
            "North Star: {} {}{last}",
            ns.name,
            ns.unit.format(ns.current.value)
        ));
    }
    let count = |s: Status| {
        r.key_results
            .iter()
            .filter(|k| k.status.status == s)
            .count()
    };
    let statuses = [
        Status::Done,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::Unknown,
    ];
    let parts: Vec<String> = statuses
        .iter()
        .filter(|s| count(**s) > 0)
        .map(|s| format!("{} {}", count(*s), s.label()))
        .collect();
    if !parts.is_empty() {
        lines.push(format!("Key results: {}", parts.join(", ")));
    }
    for g in r
        .guardrails
        .iter()
        .filter(|g| matches!(g.light, Light::Red | Light::Yellow))
    {
        lines.push(format!(
            "{} {} {}{}",
            g.light.mark(),
            g.name,
            g.light.label(),
            g.why.as_ref().map_or(String::new(), |w| format!(": {w}"))
        ));
    }
    for (owner, krs) in &r.not_checked_in {
        lines.push(format!("No check-in from {owner}: {}", krs.join(", ")));
    }
    // The first few focus items; the review page has them all.
    const FOCUS: usize = 3;
    for f in r.focus.iter().take(FOCUS) {
        lines.push(format!("Focus: {f}"));
    }
    if r.focus.len() > FOCUS {
        lines.push(format!(
            "…and {} more on the review page.",
            r.focus.len() - FOCUS
        ));
    }
    lines
}

fn facts(r: &Review) -> serde_json::Value {
    serde_json::json!({
        "week": r.week_label,
        "span": r.week_span,
        "north_star": r.north_star.as_ref().map(|ns| serde_json::json!({
            "metric": ns.metric,
            "value": ns.current.value,
            "last": ns.last.as_ref().map(|l| l.value),
        })),
        "key_results": r.key_results.iter().map(|k| serde_json::json!({
            "objective": k.objective,
            "id": k.status.id,
            "status": k.status.status.label(),
            "progress": k.status.progress,
            "checked_in": k.checked_in,
        })).collect::<Vec<_>>(),
        "guardrails": r.guardrails.iter().map(|g| serde_json::json!({
            "metric": g.metric,
            "light": g.light.label(),
            "value": g.now.as_ref().map(|v| v.value),
            "baseline": g.baseline,
        })).collect::<Vec<_>>(),
    })
}
