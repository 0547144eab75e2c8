//! Section 6, next week's focus: the decisions to carry out, the key results at risk (once,
//! as a group), red guardrails, experiments to act on, owners who have not checked in.

use crate::format::{pct, relative};
use crate::guardrails::Light;
use crate::review::*;
use crate::sections::*;
use std::collections::BTreeMap;
use throughline_experiment::Decision;
use throughline_progress::Status;

pub(crate) fn not_checked_in(rows: &[KrRow]) -> Vec<(String, Vec<String>)> {
    let mut by_owner: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.checked_in) {
        let owner = r
            .status
            .owner
            .clone()
            .unwrap_or_else(|| "(no owner)".into());
        by_owner.entry(owner).or_default().push(r.status.id.clone());
    }
    by_owner.into_iter().collect()
}

pub(crate) fn focus(r: &Review) -> Vec<String> {
    let mut out = Vec::new();
    let elapsed = r.period.as_ref().map_or(String::new(), |p| {
        format!(" with {} of {} gone", pct(p.elapsed), p.label)
    });
    // what was decided this week comes first: it is next week's work
    for d in &r.decisions {
        out.push(format!(
            "Carry out the decision: {} — {}.",
            crate::text::one_line(&d.text, 200).trim_end_matches('.'),
            d.author
        ));
    }
    // key results at risk, said once as a group (the table above has each one's figures)
    let behind: Vec<&KrRow> = r
        .key_results
        .iter()
        .filter(|row| matches!(row.status.status, Status::AtRisk | Status::OffTrack))
        .collect();
    let named = |row: &KrRow| {
        let k = &row.status;
        let progress = k.progress.map_or("no progress yet".into(), |p| {
            match throughline_progress::progress_parts(p) {
                (n, Some(note)) => format!("{n}, {note}"),
                (n, None) => format!("{n} of the way"),
            }
        });
        format!("“{}” ({progress})", k.title)
    };
    match behind.as_slice() {
        [] => {}
        [row] => {
            let k = &row.status;
            let forecast = match (k.forecast, k.target) {
                (Some(f), Some(t)) => format!(
                    "; the trend reaches {} {} ({} likely to reach {})",
                    k.show(f.value),
                    f.when(),
                    f.chance(),
                    k.show(t)
                ),
                _ => String::new(),
            };
            out.push(format!(
                "{} is {}{elapsed}{forecast}: decide what gets it moving, or say now that it will be missed.",
                named(row),
                k.status.label()
            ));
        }
        rows => {
            let unlikely = rows
                .iter()
                .filter(|row| row.status.forecast.is_some_and(|f| f.probability < 0.1))
                .count();
            let none = if unlikely == rows.len() {
                ", and none is forecast to reach its target"
            } else {
                ""
            };
            out.push(format!(
                "{} key results are behind{elapsed}{none}: {}. Pick the one or two to push next week and say which will be missed.",
                rows.len(),
                rows.iter().map(|row| named(row)).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for row in &r.key_results {
        let k = &row.status;
        if k.status == Status::OnTrack && k.stalled {
            out.push(format!(
                "“{}” is on track on paper only: the trend is not getting there.",
                k.title
            ));
        }
    }
    for g in r.guardrails.iter().filter(|g| g.light == Light::Red) {
        out.push(format!(
            "{} is Red ({}{}): find what changed before pushing the key results it guards further.",
            g.name,
            g.change_relative.map_or(String::new(), relative),
            g.why.as_ref().map_or(String::new(), |w| format!(", {w}"))
        ));
    }
    for e in &r.experiments {
        match e.decision {
            Some(Decision::KeepRunning) => out.push(format!("Experiment {}: keep it running — {}.", e.id, e.reason)),
            Some(Decision::GuardrailHarmed) => out.push(format!(
                "Experiment {}: a guardrail was harmed; decide whether to fix the treatment or stop it.",
                e.id
            )),
            Some(Decision::NotTrustworthy) => out.push(format!(
                "Experiment {}: fix the assignment (sample ratio mismatch) before reading it.",
                e.id
            )),
            Some(Decision::Ship) => out.push(format!("Experiment {}: roll out the winning variant.", e.id)),
            _ => {}
        }
    }
    for s in &r.stale {
        out.push(format!(
            "Restore the data behind {}: {}.",
            match s.names.len() {
                n if n > 4 => format!("{n} metrics"),
                _ => list(&s.names),
            },
            s.last_seen
                .map_or("it has no data".into(), |d| format!("nothing since {d}"))
        ));
    }
    for (owner, krs) in &r.not_checked_in {
        out.push(format!("{owner}: no check-in this week on {}.", list(krs)));
    }
    out
}
