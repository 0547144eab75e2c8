//! `checkin-reminder`: from `due` in the week containing now, each owner of key results of the
//! current period without a check-in since the week began gets one message listing them; from
//! `due` + `follow_up`, a follow-up instead.

use std::collections::BTreeMap;

use throughline_model::notify::{Notify, NotifyRule};
use throughline_review::Week;

use super::{Draft, Input, Plan, to_owner};
use crate::when;

// Long because it is one pass: who owes a check-in, when it was due, whether the reminder
// or its follow-up is due now, and the one draft per owner, in that order.
pub(crate) fn plan(input: &Input, notify: &Notify, rule: &NotifyRule, out: &mut Plan) {
    let Some(due) = &rule.due else { return };
    let ws = input.ws;
    let tz = ws.settings.zone();
    let starts = ws.settings.week_start();
    let today = input.now.with_timezone(&tz).date_naive();
    let week = Week::containing(today, starts);
    let due_at = when::instant(week, due.value, tz);
    if input.now < due_at {
        return;
    }
    let follow_up_at = rule
        .follow_up
        .as_ref()
        .map(|f| due_at + chrono::Duration::seconds(f.value));
    let follow_up =
        follow_up_at.is_some_and(|t| input.now >= t && t < when::day_start(week.end, tz));
    let Some(period) = throughline_progress::okr::default_period(ws, today) else {
        return;
    };
    if !(period.start() <= today && today < period.end()) {
        return;
    }
    let since = when::day_start(week.start, tz);
    // Owner → the key results they have not checked in on, in file order.
    let mut missing: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for (o, kr) in ws.key_results() {
        if o.period.as_ref().map(|p| p.value) != Some(period) {
            continue;
        }
        let Some(owner) = kr.owner.as_ref().or(o.owner.as_ref()) else {
            continue;
        };
        let checked = input.checkins.iter().any(|c| {
            c.checkin.objective == o.id.value
                && c.checkin.key_result == kr.id.value
                && c.recorded_at >= since
                && c.recorded_at <= input.now
        });
        if !checked {
            let path = o.path();
            missing.entry(owner.value.clone()).or_default().push((
                path,
                kr.id.value.clone(),
                kr.title.value.clone(),
            ));
        }
    }
    let (kind, word) = if follow_up {
        ("checkin-follow-up", "Still no check-in")
    } else {
        ("checkin-reminder", "Check-in due")
    };
    for (owner, krs) in &missing {
        let n = krs.len();
        let mut lines = vec![format!(
            "{word} for {n} key result{} of {} ({}), due {} {}:",
            if n == 1 { "" } else { "s" },
            period,
            week.label(),
            due.value,
            tz
        )];
        lines.extend(krs.iter().map(|(_, id, title)| format!("• {title} ({id})")));
        lines.push("Record the value or your confidence (0–10) with a line on what changed: `throughline checkin`, or the key result's page.".into());
        let first = &krs[0];
        let draft = Draft {
            kind,
            key: format!("{kind}/{}", week.label()),
            subject: format!(
                "{word}: {n} key result{} for {}",
                if n == 1 { "" } else { "s" },
                week.label()
            ),
            lines,
            path: Some(format!("/key-results/{}/{}#check-in", first.0, first.1)),
            facts: serde_json::json!({
                "week": week.label(),
                "owner": owner,
                "due": due_at.to_rfc3339(),
                "key_results": krs.iter().map(|(o, id, title)| serde_json::json!({"objective": o, "id": id, "title": title})).collect::<Vec<_>>(),
            }),
        };
        to_owner(input, notify, rule, owner, &draft, out);
    }
}
