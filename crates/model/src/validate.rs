//! Checks that span definitions: duplicate ids, references to objectives and key results,
//! and cycles among metrics computed from other metrics.

use std::collections::HashMap;

use crate::defs::*;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::Span;

pub(crate) fn validate(ws: &Workspace, out: &mut Vec<Diagnostic>) {
    duplicates(
        out,
        "metric",
        ws.metrics.iter().map(|m| (&m.id.value, m.id.span)),
    );
    duplicates(
        out,
        "objective",
        ws.objectives.iter().map(|o| (&o.id.value, o.id.span)),
    );
    duplicates(
        out,
        "key result",
        ws.key_results().map(|(_, k)| (&k.id.value, k.id.span)),
    );
    duplicates(
        out,
        "experiment",
        ws.experiments.iter().map(|e| (&e.id.value, e.id.span)),
    );

    for o in &ws.objectives {
        if let Some(parent) = &o.aligns_to {
            match resolve_objective(ws, &parent.value) {
                Some(p) if std::ptr::eq(p, o) => out.push(
                    Diagnostic::error("unknown-reference", format!("objective `{}` aligns to itself", o.id.value))
                        .at(parent.span)
                        .help("`aligns_to` names the parent objective this one contributes to, e.g. `company/grow-revenue`"),
                ),
                Some(_) => {}
                None => {
                    let paths: Vec<String> = ws.objectives.iter().map(|x| x.path()).collect();
                    let help = match did_you_mean(&parent.value, paths.iter().map(String::as_str)) {
                        Some(p) => format!("did you mean `{p}`?"),
                        None => "name a parent objective as `team/objective-id` (or its id); define it in this workspace so the cascade can be followed".into(),
                    };
                    out.push(
                        Diagnostic::error("unknown-reference", format!("objective `{}` aligns to `{}`, which is not defined", o.id.value, parent.value))
                            .at(parent.span)
                            .label("no such objective")
                            .help(help),
                    );
                }
            }
        }
        for i in &o.initiatives {
            for s in &i.supports {
                if !o.key_results.iter().any(|k| {
                    k.id.value == s.value || k.id.value.ends_with(&format!("/{}", s.value))
                }) {
                    let ids: Vec<&str> =
                        o.key_results.iter().map(|k| k.id.value.as_str()).collect();
                    let help = match did_you_mean(&s.value, ids.iter().copied()) {
                        Some(k) => format!("did you mean `{k}`?"),
                        None => format!(
                            "an initiative supports key results of its own objective: {}",
                            ids.join(", ")
                        ),
                    };
                    out.push(
                        Diagnostic::error("unknown-reference", format!("initiative `{}` supports `{}`, which is not a key result of objective `{}`", i.title.value, s.value, o.id.value))
                            .at(s.span)
                            .help(help),
                    );
                }
            }
        }
    }
    cycles(ws, out);
    drive_edges(ws, out);
}

/// A metric's `drives:` edges make it a product of factors or a sum of terms, never both, and
/// never of itself.
fn drive_edges(ws: &Workspace, out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (&Metric, &Drives)> = HashMap::new();
    for m in &ws.metrics {
        let Some(d) = &m.drives else { continue };
        if d.metric.value == m.id.value {
            out.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("metric `{}` drives itself", m.id.value),
                )
                .at(d.metric.span)
                .help("`drives: { metric: X }` names the parent metric this one is a factor or a term of"),
            );
            continue;
        }
        match first.get(d.metric.value.as_str()) {
            Some((other, o)) if o.as_.value != d.as_.value => {
                let word = |a: DriveAs| match a {
                    DriveAs::Factor => "factor",
                    DriveAs::Term => "term",
                };
                out.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!(
                            "`{}` is a {} of `{}`, but `{}` (line {}) is a {} of it: a parent is a product of factors or a sum of terms, not both",
                            m.id.value,
                            word(d.as_.value),
                            d.metric.value,
                            other.id.value,
                            o.as_.span.line,
                            word(o.as_.value)
                        ),
                    )
                    .at(d.as_.span)
                    .help(format!(
                        "write `as: {}` here too, or define `{}` as a `derived` metric with the formula it is (e.g. `expr: \"a * b + c\"`)",
                        word(o.as_.value),
                        d.metric.value
                    )),
                );
            }
            Some(_) => {}
            None => {
                first.insert(&d.metric.value, (m, d));
            }
        }
    }
}

/// Finds an objective by `team/id`, id, or (for Markdown) its title.
pub fn resolve_objective<'w>(ws: &'w Workspace, reference: &str) -> Option<&'w Objective> {
    let r = reference.trim();
    ws.objectives
        .iter()
        .find(|o| o.path() == r)
        .or_else(|| ws.objectives.iter().find(|o| o.id.value == r))
        .or_else(|| {
            ws.objectives
                .iter()
                .find(|o| o.title.value.eq_ignore_ascii_case(r))
        })
        .or_else(|| {
            let (team, id) = r.split_once('/')?;
            ws.objectives.iter().find(|o| {
                o.id.value == id
                    && match &o.team {
                        Some(t) => t.value.eq_ignore_ascii_case(team),
                        // `company/x` names a company objective written without a team
                        None => team.eq_ignore_ascii_case("company"),
                    }
            })
        })
}

fn duplicates<'a>(
    out: &mut Vec<Diagnostic>,
    what: &str,
    ids: impl Iterator<Item = (&'a String, Span)>,
) {
    let mut first: HashMap<&str, Span> = HashMap::new();
    for (id, span) in ids {
        if let Some(prev) = first.get(id.as_str()) {
            out.push(
                Diagnostic::error(
                    "duplicate-id",
                    format!(
                        "{what} id `{id}` is defined twice (first at line {})",
                        prev.line
                    ),
                )
                .at(span)
                .label("second definition")
                .help(format!(
                    "{what} ids are unique across the workspace; rename one of them"
                )),
            );
        } else {
            first.insert(id, span);
        }
    }
}

/// Ratio and derived metrics must not depend on themselves, directly or through others.
fn cycles(ws: &Workspace, out: &mut Vec<Diagnostic>) {
    let index: HashMap<&str, usize> = ws
        .metrics
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id.value.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = ws
        .metrics
        .iter()
        .map(|m| {
            m.compute
                .as_ref()
                .map(|c| {
                    c.metric_refs()
                        .iter()
                        .filter_map(|r| index.get(r.value.as_str()).copied())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect();
    // 0 = unvisited, 1 = on the current path, 2 = done
    let mut state = vec![0u8; ws.metrics.len()];
    for start in 0..ws.metrics.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let mut path: Vec<&str> = stack[from..]
                            .iter()
                            .map(|(n, _)| ws.metrics[*n].id.value.as_str())
                            .collect();
                        path.push(&ws.metrics[to].id.value);
                        let m = &ws.metrics[node];
                        let span = m.compute.as_ref().map_or(m.id.span, |c| c.span);
                        out.push(
                            Diagnostic::error("metric-cycle", format!("metric `{}` depends on itself: {}", ws.metrics[to].id.value, path.join(" → ")))
                                .at(span)
                                .help("a ratio or derived metric must be computed from metrics that do not lead back to it; break the loop"),
                        );
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}
