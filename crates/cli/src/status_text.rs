//! Text for `status` and `score`: the alignment tree company → team → objective → key result,
//! and the end-of-period scores.

use chrono::NaiveDate;
use throughline_progress::okr::{KrStatus, ObjectiveScore, ObjectiveStatus};
use throughline_progress::{Calibration, OwnerCalibration, Status};

use throughline_model::Unit;

fn pct(x: f64) -> String {
    Unit::share(x)
}

/// The heading both commands start with.
pub fn heading(
    what: &str,
    workspace: &str,
    period: &str,
    as_of: NaiveDate,
    expected: f64,
    data_last: Option<NaiveDate>,
) -> String {
    let mut s = format!(
        "{workspace} · {what} {period} · as of {as_of} · {} of the period elapsed\n",
        pct(expected)
    );
    if let Some(last) = data_last {
        s.push_str(&format!("(the data runs through {last})\n"));
    }
    s
}

/// The alignment tree: company objectives first, each team objective under the objective it
/// aligns to; objectives whose parent is not shown are roots.
pub fn tree(objectives: &[ObjectiveStatus]) -> String {
    let parent_of = |o: &ObjectiveStatus| -> Option<usize> {
        let a = o.aligns_to.as_deref()?;
        objectives
            .iter()
            .position(|p| p.path == a || p.id == a)
            .filter(|&i| objectives[i].path != o.path)
    };
    let mut roots: Vec<usize> = (0..objectives.len())
        .filter(|&i| parent_of(&objectives[i]).is_none())
        .collect();
    roots.sort_by_key(|&i| !objectives[i].is_company_level());
    let mut out = String::new();
    let mut seen = vec![false; objectives.len()];
    for r in roots {
        out.push('\n');
        objective(objectives, r, "", &parent_of, &mut seen, &mut out);
    }
    out
}

fn objective(
    all: &[ObjectiveStatus],
    i: usize,
    indent: &str,
    parent_of: &dyn Fn(&ObjectiveStatus) -> Option<usize>,
    seen: &mut Vec<bool>,
    out: &mut String,
) {
    if std::mem::replace(&mut seen[i], true) {
        return;
    }
    let o = &all[i];
    out.push_str(&format!("{} — {}\n", o.path, o.title));
    let mut facts = Vec::new();
    if let Some(owner) = &o.owner {
        facts.push(owner.clone());
    }
    if !o.committed {
        facts.push("aspirational".into());
    } else {
        facts.push("committed".into());
    }
    match o.progress {
        Some(p) => facts.push(format!(
            "progress {} (expected {})",
            pct(p),
            pct(o.expected)
        )),
        None => facts.push("no progress yet".into()),
    }
    facts.push(o.status.label().into());
    let children: Vec<usize> = (0..all.len())
        .filter(|&c| parent_of(&all[c]) == Some(i))
        .collect();
    let items = o.key_results.len() + children.len();
    let bar = if items > 0 { "│ " } else { "  " };
    out.push_str(&format!("{indent}{bar}  {}\n", facts.join(" · ")));
    let mut n = 0;
    for kr in &o.key_results {
        n += 1;
        let (branch, cont) = branch(n == items);
        out.push_str(&format!("{indent}{branch}{} — {}\n", kr.id, kr.title));
        for line in kr_lines(kr) {
            out.push_str(&format!("{indent}{cont}   {line}\n"));
        }
    }
    for c in children {
        n += 1;
        let (branch, cont) = branch(n == items);
        out.push_str(&format!("{indent}{branch}"));
        let child_indent = format!("{indent}{cont}");
        objective(all, c, &child_indent, parent_of, seen, out);
    }
}

/// A tree branch and the prefix of the lines under it.
fn branch(last: bool) -> (&'static str, &'static str) {
    if last {
        ("└─ ", "   ")
    } else {
        ("├─ ", "│  ")
    }
}

/// The lines under a key result: where it is, and where it is going.
pub fn kr_lines(k: &KrStatus) -> Vec<String> {
    let mut now = Vec::new();
    match k.current {
        Some(c) => now.push(format!("now {} ({})", k.show(c.value), c.bucket())),
        None => now.push("no value yet".into()),
    }
    if let (Some(b), Some(t)) = (k.baseline, k.target) {
        now.push(format!("{} → {}", k.show(b), k.show(t)));
    }
    if let Some(p) = k.progress {
        now.push(throughline_progress::progress_text(p));
    }
    now.push(k.status.label().into());
    match k.confidence {
        Some(c) => now.push(format!("confidence {c}/10")),
        None => now.push("no check-in".into()),
    }
    let mut lines = vec![now.join(" · ")];
    if let Some(f) = k.forecast_text() {
        lines.push(format!("forecast {f}"));
    }
    if k.stalled {
        lines.push(
            "⚠ on track on paper, but not moving: the trend is unlikely to reach the target".into(),
        );
    }
    if let Some(c) = &k.last_checkin
        && !c.note.trim().is_empty()
    {
        lines.push(format!(
            "“{}” — {}, {}",
            one_line(&c.note),
            one_line(&c.author),
            c.day
        ));
    }
    lines
}

/// A note on one line, its control characters shown (see [`throughline_review::one_line`]).
fn one_line(s: &str) -> String {
    throughline_review::one_line(s, 100)
}

/// A count of key results by status, for the last line.
pub fn summary(objectives: &[ObjectiveStatus]) -> String {
    let krs: Vec<&KrStatus> = objectives.iter().flat_map(|o| &o.key_results).collect();
    let count = |s: Status| krs.iter().filter(|k| k.status == s).count();
    let stalled = krs.iter().filter(|k| k.stalled).count();
    let mut parts = vec![format!("{} key results", krs.len())];
    for s in [
        Status::Done,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::Unknown,
    ] {
        let n = count(s);
        if n > 0 {
            parts.push(format!("{n} {}", s.label()));
        }
    }
    if stalled > 0 {
        parts.push(format!("{stalled} on track on paper only"));
    }
    // Per team: the mean progress of its objectives.
    let mut teams: Vec<(String, Option<f64>)> = Vec::new();
    for o in objectives {
        let team = o.team.clone().unwrap_or_else(|| "company".into());
        if teams.iter().any(|(t, _)| *t == team) {
            continue;
        }
        let mine = objectives
            .iter()
            .filter(|x| x.team.clone().unwrap_or_else(|| "company".into()) == team)
            .map(|x| (x.progress, 1.0));
        let progress = throughline_progress::weighted(mine);
        teams.push((team, progress));
    }
    let by_team: Vec<String> = teams
        .iter()
        .map(|(t, p)| format!("{t} {}", p.map_or("–".into(), pct)))
        .collect();
    let expected = objectives.first().map_or(0.0, |o| o.expected);
    format!(
        "\n{}\nprogress by team: {} (expected {})\n",
        parts.join(" · "),
        by_team.join(" · "),
        pct(expected)
    )
}

/// The scores of a period, objective by objective.
pub fn scores(objectives: &[ObjectiveStatus], scores: &[ObjectiveScore]) -> String {
    let mut out = String::new();
    for (o, s) in objectives.iter().zip(scores) {
        let score = s.score.map_or("  – ".into(), |x| format!("{x:.2}"));
        out.push_str(&format!("\n{score}  {} — {}\n", o.path, o.title));
        let kind = if s.committed {
            "committed"
        } else {
            "aspirational"
        };
        match s.judgement {
            Some(j) => out.push_str(&format!("      {kind}: {}\n", j.describe())),
            None => out.push_str(&format!("      {kind}: no key result has a value\n")),
        }
        for (k, ks) in o.key_results.iter().zip(&s.key_results) {
            let sc = ks.score.map_or("  – ".into(), |x| format!("{x:.2}"));
            let value = ks.value.map_or("no value".into(), |v| k.show(v));
            let target = k
                .target
                .map_or(String::new(), |t| format!(" of {}", k.show(t)));
            let stretch = if ks.stretch_reached {
                " · stretch reached"
            } else {
                ""
            };
            let conf = ks
                .confidence
                .map_or(String::new(), |c| format!(" · said {c}/10"));
            out.push_str(&format!(
                "      {sc}  {}: {value}{target}{stretch}{conf}\n",
                k.id
            ));
        }
    }
    out
}

/// The calibration table.
pub fn calibration(rows: &[OwnerCalibration]) -> String {
    if rows.is_empty() {
        return "\nCalibration: no key result has both a stated confidence and a final score yet.\n".into();
    }
    let mut out =
        String::from("\nCalibration (the last stated confidence against what happened):\n");
    let width = rows
        .iter()
        .map(|r| r.owner.chars().count())
        .max()
        .unwrap_or(0);
    for r in rows {
        let verdict = match r.verdict {
            Calibration::TooFew => "too few to judge",
            Calibration::Calibrated => "calibrated",
            Calibration::Overconfident => "overconfident",
            Calibration::Underconfident => "underconfident",
        };
        let pad = width - r.owner.chars().count();
        out.push_str(&format!(
            "  {}{}  {} key result(s) · said {} on average · reached {} · Brier {:.2} · {verdict}\n",
            r.owner,
            " ".repeat(pad),
            r.n,
            pct(r.stated),
            pct(r.hit_rate),
            r.brier
        ));
    }
    out
}
