//! `check --explain-read`: what each part of a Markdown OKR page was read as, line by line,
//! so that a person can see which lines became objectives, key results, owners and the
//! period, and which were passed over.

use std::fmt::Write;

use throughline_model::markdown::{NoteKind, ReadNote};
use throughline_model::{Loaded, Objective, Span};

/// One line of the listing, before sorting by position.
struct Row {
    span: Span,
    depth: usize,
    kind: &'static str,
    text: String,
}

/// The reading of every Markdown page in `loaded`.
pub fn render_reading(loaded: &Loaded) -> String {
    let mut out = String::new();
    for (file, notes) in &loaded.markdown_notes {
        if loaded.context.contains(file) {
            continue;
        }
        let objectives: Vec<&Objective> = loaded
            .workspace
            .objectives
            .iter()
            .filter(|o| o.title.span.file == *file)
            .collect();
        let krs: usize = objectives.iter().map(|o| o.key_results.len()).sum();
        let _ = writeln!(
            out,
            "{}: {} objective{}, {} key result{}",
            loaded.sources.name(*file),
            objectives.len(),
            plural(objectives.len()),
            krs,
            plural(krs)
        );
        let mut rows: Vec<Row> = notes.iter().map(note_row).collect();
        for o in &objectives {
            rows.push(Row {
                span: o.title.span,
                depth: 0,
                kind: "objective",
                text: with_fields(&o.title.value, &objective_fields(o)),
            });
            for kr in &o.key_results {
                let mut fields = Vec::new();
                if let Some(b) = &kr.baseline {
                    fields.push(format!("baseline {}", b.value));
                }
                if let Some(t) = &kr.target {
                    fields.push(format!("target {}", t.value));
                }
                if let Some(p) = &kr.placeholder {
                    fields.push(format!(
                        "placeholder `{}` where the target belongs",
                        p.value
                    ));
                }
                if let Some(o) = &kr.owner {
                    fields.push(format!("owner {}", o.value));
                }
                rows.push(Row {
                    span: kr.title.span,
                    depth: 1,
                    kind: "key result",
                    text: with_fields(&kr.title.value, &fields),
                });
            }
        }
        rows.sort_by_key(|r| (r.span.offset, r.depth));
        for r in rows {
            let at = format!("{}:{}", r.span.line, r.span.column);
            let indent = "  ".repeat(r.depth);
            let _ = writeln!(out, "  {at:>7}  {indent}{:<14}{}", r.kind, r.text);
        }
        out.push('\n');
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn note_row(n: &ReadNote) -> Row {
    Row {
        span: n.span,
        depth: usize::from(n.kind == NoteKind::Detail) * 2,
        kind: n.kind.as_str(),
        text: n.text.clone(),
    }
}

fn objective_fields(o: &Objective) -> Vec<String> {
    let mut fields = Vec::new();
    match (&o.period, &o.period_length) {
        (Some(p), _) => fields.push(format!("period {}", p.value)),
        (None, Some(l)) => {
            fields.push(format!("period: a {:?} of unknown dates", l.value).to_lowercase())
        }
        _ => {}
    }
    if let Some(t) = &o.team {
        fields.push(format!("team {}", t.value));
    }
    if let Some(w) = &o.owner {
        fields.push(format!("owner {}", w.value));
    }
    if let Some(a) = &o.aligns_to {
        fields.push(format!("aligns to \"{}\"", a.value));
    }
    if !o.guardrails.is_empty() {
        fields.push(format!(
            "{} guardrail{}",
            o.guardrails.len(),
            plural(o.guardrails.len())
        ));
    }
    fields
}

/// `title  (field · field)`.
fn with_fields(title: &str, fields: &[String]) -> String {
    if fields.is_empty() {
        title.to_string()
    } else {
        format!("{title}  ({})", fields.join(" · "))
    }
}
