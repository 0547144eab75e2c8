//! A page's objectives written as workspace YAML (`throughline import PAGE.md`), for a team
//! that moves from its Markdown page to the workspace format. No I/O: the command reads and
//! writes.
//!
//! Every key result gets its `metric:` when the page names one (`metric: activation_rate`) or
//! when a defined metric's id or name appears in its title or measurement; the others are
//! written as `manual:` (their values come from check-ins) with the unit of their target.
//! What YAML has no field for (a guardrail in words, a date-range period, an alignment
//! written as a title) is kept as a comment beside the objective, so nothing is lost.

use std::fmt::Write;

use crate::defs::{KeyResult, Objective};
use crate::values::{Period, Quantity, QuantityUnit};

/// A metric the workspace defines: its id and its name.
pub struct KnownMetric<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// The objectives as an `objectives:` YAML document. `source` names the page in the header.
pub fn to_yaml(objectives: &[Objective], metrics: &[KnownMetric], source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Imported from {source} by `throughline import`.");
    let _ = writeln!(
        out,
        "# Key results with `manual:` take their values from check-ins; give them a `metric:` to compute them."
    );
    out.push_str("objectives:\n");
    for o in objectives {
        objective(&mut out, o, metrics);
    }
    out
}

fn objective(out: &mut String, o: &Objective, metrics: &[KnownMetric]) {
    let id = o.id.value.rsplit('/').next().unwrap_or(&o.id.value);
    let _ = writeln!(out, "  - id: {}", quote(id));
    let _ = writeln!(out, "    title: {}", quote(&o.title.value));
    match o.period.as_ref().map(|p| &p.value) {
        Some(Period::Range { start, end }) => {
            let _ = writeln!(
                out,
                "    # period: {start} to {end} (the page's dates; `period:` takes a year, half, quarter or month)"
            );
        }
        Some(p) => {
            let _ = writeln!(out, "    period: {}", quote(&p.to_string()));
        }
        None => {}
    }
    if let Some(t) = &o.team {
        let _ = writeln!(out, "    team: {}", quote(&super::slug(&t.value)));
    }
    if let Some(w) = &o.owner {
        let _ = writeln!(out, "    owner: {}", quote(&w.value));
    }
    if let Some(w) = &o.why {
        let _ = writeln!(out, "    why: {}", quote(&w.value));
    }
    if let Some(a) = &o.aligns_to {
        let _ = writeln!(
            out,
            "    # aligns to \"{}\": name it as `aligns_to: TEAM/OBJECTIVE-ID`",
            one_line(&a.value)
        );
    }
    if !o.key_results.is_empty() {
        out.push_str("    key_results:\n");
        for kr in &o.key_results {
            key_result(out, kr, metrics);
        }
    }
    if !o.initiatives.is_empty() {
        out.push_str("    initiatives:\n");
        for i in &o.initiatives {
            let _ = writeln!(out, "      - title: {}", quote(&i.title.value));
        }
    }
    let (named, words): (Vec<_>, Vec<_>) = o.guardrails.iter().partition(|g| g.metric.is_some());
    if !named.is_empty() {
        out.push_str("    guardrails:\n");
        for g in named {
            let m = g.metric.as_ref().map(|m| m.value.as_str()).unwrap_or("");
            let _ = write!(out, "      - {{ metric: {}", quote(m));
            if let Some(v) = &g.max_increase {
                let _ = write!(out, ", max_increase: {}%", v.value);
            }
            if let Some(v) = &g.max_decrease {
                let _ = write!(out, ", max_decrease: {}%", v.value);
            }
            out.push_str(" }\n");
        }
    }
    for g in words {
        if let Some(t) = &g.text {
            let guess = find_metric(&t.value, metrics)
                .map(|m| format!(" (metric `{m}`?)"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    # guardrail: {}{guess}: write it as `guardrails: [{{ metric: ID, max_increase: 5% }}]`",
                one_line(&t.value)
            );
        }
    }
}

fn key_result(out: &mut String, kr: &KeyResult, metrics: &[KnownMetric]) {
    let id = kr.id.value.rsplit('/').next().unwrap_or(&kr.id.value);
    let _ = writeln!(out, "      - id: {}", quote(id));
    let _ = writeln!(out, "        title: {}", quote(&kr.title.value));
    let metric = kr.metric.as_ref().map(|m| m.value.clone()).or_else(|| {
        let words = format!(
            "{} {}",
            kr.title.value,
            kr.measurement.as_ref().map_or("", |m| m.value.as_str())
        );
        find_metric(&words, metrics).map(str::to_string)
    });
    match metric {
        Some(m) => {
            let _ = writeln!(out, "        metric: {}", quote(&m));
        }
        None => {
            let unit = kr
                .target
                .as_ref()
                .or(kr.baseline.as_ref())
                .and_then(|q| unit_of(&q.value));
            match unit {
                Some(u) => {
                    let _ = writeln!(out, "        manual: {{ unit: {u} }}");
                }
                None => out.push_str("        manual:\n"),
            }
        }
    }
    if let Some(m) = &kr.measurement {
        let _ = writeln!(out, "        measurement: {}", quote(&m.value));
    }
    for (field, q) in [
        ("baseline", &kr.baseline),
        ("target", &kr.target),
        ("stretch", &kr.stretch),
    ] {
        if let Some(q) = q {
            let _ = writeln!(out, "        {field}: {}", quote(&q.value.to_string()));
        }
    }
    if let Some(w) = &kr.owner {
        let _ = writeln!(out, "        owner: {}", quote(&w.value));
    }
}

/// The unit a manual key result is checked in with, from its target's unit.
fn unit_of(q: &Quantity) -> Option<String> {
    Some(match &q.unit {
        QuantityUnit::Percent => "percent".to_string(),
        QuantityUnit::Seconds => "duration".to_string(),
        QuantityUnit::Currency(c) => format!("currency:{c}"),
        QuantityUnit::None => "count".to_string(),
    })
}

/// A defined metric whose id or name the text names (the longest such name wins).
fn find_metric<'a>(text: &str, metrics: &[KnownMetric<'a>]) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    metrics
        .iter()
        .filter(|m| {
            let name = m.name.to_ascii_lowercase();
            let id_words = m.id.replace(['_', '-'], " ");
            (name.len() >= 4 && lower.contains(&name))
                || lower.contains(m.id)
                || (id_words.len() >= 6 && lower.contains(&id_words))
        })
        .max_by_key(|m| m.name.len().max(m.id.len()))
        .map(|m| m.id)
}

fn one_line(t: &str) -> String {
    t.replace(['\n', '\r'], " ")
}

/// A YAML double-quoted scalar: quotes, backslashes and control characters escaped.
fn quote(t: &str) -> String {
    let mut s = String::with_capacity(t.len() + 2);
    s.push('"');
    for c in t.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(s, "\\u{:04x}", c as u32);
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}
