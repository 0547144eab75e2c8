//! The walk over the page: headings make sections; each section is read as a group (where
//! objectives may start) or as one objective's body ([`super::objective`]).
//!
//! A heading is classified by its words first (a prefix, a period, "OKRs", a note or
//! schedule) and, when its words do not decide, by what is under it: key results under it
//! make it an objective; objectives under it make it a team's (or a person's) heading; a
//! goal-like heading under a heading that names the period is an objective of its own.

use super::frag::Frag;
use super::labels;
use super::tree::{Block, Inline};
use super::{MarkdownRead, NoteKind, ReadNote};
use crate::defs::{Guardrail, Objective, Text};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineIndex, Span, Spanned};
use crate::values::Period;
use std::ops::Range;

/// Where things stand while reading: the period, team and owner of what is read.
#[derive(Clone, Debug, Default)]
pub(super) struct Ctx {
    pub period: Option<Spanned<Period>>,
    pub length: Option<Spanned<crate::values::PeriodLength>>,
    pub team: Option<Text>,
    pub owner: Option<Text>,
    /// Under a heading about OKRs: lists with nested items and bold lines are objectives.
    pub okr: bool,
    /// Headings below name people ("Personal OKRs").
    pub personal: bool,
    /// Directly under a heading that names the period: a plain list is objectives.
    pub period_heading: bool,
    /// Directly under a heading that labels objectives (`#### Objectives`): a plain list is
    /// objectives.
    pub objectives_label: bool,
    /// The year a heading above names alone (`## 2017`): a quarter heading below it that
    /// gives no year (`### Q4`) is that year's.
    pub year: Option<i32>,
}

/// A section of the page: a heading and what is under it.
pub(super) struct Sec<'b> {
    pub(super) heading: Option<&'b Inline>,
    pub(super) range: Range<usize>,
    pub(super) level: u8,
    pub(super) blocks: Vec<&'b Block>,
    pub(super) children: Vec<usize>,
}

pub(super) fn sections(blocks: &[Block]) -> Vec<Sec<'_>> {
    let mut secs = vec![Sec {
        heading: None,
        range: 0..0,
        level: 0,
        blocks: Vec::new(),
        children: Vec::new(),
    }];
    let mut stack = vec![0usize];
    for b in blocks {
        if let Block::Heading {
            level,
            inline,
            range,
        } = b
        {
            while stack.len() > 1 && secs[*stack.last().expect("root")].level >= *level {
                stack.pop();
            }
            secs.push(Sec {
                heading: Some(inline),
                range: range.clone(),
                level: *level,
                blocks: Vec::new(),
                children: Vec::new(),
            });
            let id = secs.len() - 1;
            let parent = *stack.last().expect("root");
            secs[parent].children.push(id);
            stack.push(id);
        } else {
            let top = *stack.last().expect("root");
            secs[top].blocks.push(b);
        }
    }
    secs
}

pub(super) struct Reader<'s> {
    pub file: FileId,
    pub src: &'s str,
    pub(super) lines: LineIndex,
    pub objectives: Vec<Objective>,
    pub notes: Vec<ReadNote>,
    pub diags: Vec<Diagnostic>,
    pub doc_guardrails: Vec<Guardrail>,
    /// A `**Guardrails:**` line outside any objective: the next list is the page's guardrails.
    pub(super) doc_guardrails_next: bool,
    /// Where the page set a period, and to what (for objectives found by evidence).
    pub(super) periods: Vec<PeriodMark>,
}

/// The note on each objective or key result not read because it is a template's blank.
pub(super) const BLANK_NOTE: &str =
    "a template's blank (placeholder text), not an objective or a key result";

/// The one year (1990–2099) a file's path names, as a number of its own (`2019/Q2`,
/// `okrs-2024-q3.md`, `2019q2`); `None` when it names none or several.
pub(super) fn year_in_path(path: &str) -> Option<i32> {
    let b = path.as_bytes();
    let mut years: Vec<i32> = Vec::new();
    let mut i = 0;
    while i + 4 <= b.len() {
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run == 0 {
            i += 1;
            continue;
        }
        if run == 4 && (i == 0 || !b[i - 1].is_ascii_alphabetic()) {
            let y: i32 = path[i..i + 4].parse().unwrap_or(0);
            if (1990..2100).contains(&y) && !years.contains(&y) {
                years.push(y);
            }
        }
        i += run;
    }
    match years.as_slice() {
        [y] => Some(*y),
        _ => None,
    }
}

/// A period set at a source offset.
pub(super) type PeriodMark = (
    usize,
    Option<Spanned<Period>>,
    Option<Spanned<crate::values::PeriodLength>>,
);

impl Reader<'_> {
    /// A page whose objectives have no period, that states the day it starts and how many days
    /// it runs (`Start: 2026-08-26`, `next 90 days`): that span is their period.
    fn start_and_length(&mut self) {
        if self.objectives.is_empty()
            || self
                .objectives
                .iter()
                .any(|o| o.period.is_some() || o.period_length.is_some())
        {
            return;
        }
        let Some((at, start, days)) = super::period::start_and_length(self.src) else {
            return;
        };
        let end = start + chrono::Duration::days(days - 1);
        let span = self.span_src(at);
        let period = Spanned::new(Period::Range { start, end }, span);
        let length = Spanned::new(super::period::range_length(start, end), span);
        for o in &mut self.objectives {
            o.period = Some(period.clone());
            o.period_length = Some(length.clone());
        }
        self.note(
            span,
            NoteKind::Period,
            format!("{start} to {end} ({days} days from the start)"),
        );
    }

    /// Objectives and key results that are a template's blanks (`## OKR 1: [Objective
    /// title]`) are not read; each is noted, and a page of blanks only has no objectives.
    fn drop_placeholders(&mut self) {
        let mut blanks = Vec::new();
        self.objectives.retain(|o| {
            let blank = labels::is_blank(&o.title.value);
            if blank {
                blanks.push(o.title.span);
            }
            !blank
        });
        for o in &mut self.objectives {
            o.key_results.retain(|k| {
                let blank = labels::is_blank(&k.title.value);
                if blank {
                    blanks.push(k.title.span);
                }
                !blank
            });
        }
        for span in blanks {
            self.note(span, NoteKind::Ignored, BLANK_NOTE);
        }
    }
}

pub(super) fn read(blocks: &[Block], src: &str, file: FileId, file_name: &str) -> MarkdownRead {
    let secs = sections(blocks);
    let mut r = Reader {
        file,
        src,
        lines: LineIndex::new(src),
        objectives: Vec::new(),
        notes: Vec::new(),
        diags: Vec::new(),
        doc_guardrails: Vec::new(),
        doc_guardrails_next: false,
        periods: Vec::new(),
    };
    // a quarter the page names with no year (`# Q2 Objectives`) is of the one year its path
    // names (`objectives/2019/Q2/kiran.md`), if it names one
    let mut ctx = Ctx {
        year: year_in_path(file_name),
        ..Ctx::default()
    };
    r.group(&secs, 0, &mut ctx);
    r.judge(blocks);
    if !r.doc_guardrails.is_empty() {
        for o in &mut r.objectives {
            if o.guardrails.is_empty() {
                o.guardrails = r.doc_guardrails.clone();
            }
        }
    }
    r.drop_placeholders();
    r.start_and_length();
    // objectives read inside others (a team's under the company's) are pushed first
    r.objectives.sort_by_key(|o| o.title.span.offset);
    r.drop_restated();
    r.notes.sort_by_key(|n| n.span.offset);
    MarkdownRead {
        objectives: r.objectives,
        notes: r.notes,
        diagnostics: r.diags,
    }
}

/// A short quote of a text for the reading's notes.
pub(super) fn excerpt(text: &str) -> String {
    let t = text.trim().replace('\n', " ");
    if t.chars().count() > 72 {
        let cut: String = t.chars().take(70).collect();
        format!("{}…", cut.trim_end())
    } else {
        t
    }
}

impl<'s> Reader<'s> {
    pub(super) fn span_src(&self, r: Range<usize>) -> Span {
        // a piece mapped to its cell or line as a whole (an HTML cell, an entity) may point
        // into a character: widen to whole characters
        let mut start = r.start.min(self.src.len());
        while !self.src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = r.end.clamp(start, self.src.len());
        while !self.src.is_char_boundary(end) {
            end += 1;
        }
        self.lines.span(self.file, self.src, start, end - start)
    }

    pub(super) fn span(&self, f: Frag) -> Span {
        self.span_src(f.inline.src_range(f.start..f.end))
    }

    pub(super) fn text(&self, f: Frag) -> Text {
        Spanned::new(f.text().replace('\n', " "), self.span(f))
    }

    pub(super) fn note(&mut self, span: Span, kind: NoteKind, text: impl Into<String>) {
        self.notes.push(ReadNote {
            span,
            kind,
            text: text.into(),
        });
    }

    /// Something that looks like part of an OKR but has no place: a warning and a note.
    pub(super) fn unread(&mut self, span: Span, message: String, help: &str) {
        self.note(span, NoteKind::NotUnderstood, message.clone());
        self.diags.push(
            Diagnostic::warning("markdown-unread", message)
                .at(span)
                .help(help.to_string()),
        );
    }

    pub(super) fn mark(&self) -> (usize, usize, usize) {
        (self.objectives.len(), self.notes.len(), self.diags.len())
    }

    pub(super) fn reset(&mut self, m: (usize, usize, usize)) {
        self.objectives.truncate(m.0);
        self.notes.truncate(m.1);
        self.diags.truncate(m.2);
    }

    /// An objective written again further down with the same key results (a recap with its
    /// score, `O：团队建设 (10%)` after `O: 团队建设`) is the same objective, read once; the
    /// repeat is noted as passed over. An objective of the same title with other key results
    /// (the same goal in the next quarter), or another team's, is another objective.
    fn drop_restated(&mut self) {
        let key = |t: &str| -> String {
            let t = t.trim();
            // a trailing score or progress: `(70%)`, `(7/10)`, `— 0.6`
            let t = match t.rfind('(') {
                Some(at)
                    if t.ends_with(')')
                        && t[at..].chars().any(|c| c.is_ascii_digit())
                        && t[at + 1..t.len() - 1]
                            .chars()
                            .all(|c| c.is_ascii_digit() || "%/. ".contains(c)) =>
                {
                    &t[..at]
                }
                _ => t,
            };
            t.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let sig = |o: &Objective| {
            let mut krs: Vec<String> = o.key_results.iter().map(|k| key(&k.title.value)).collect();
            krs.sort();
            (
                key(&o.title.value),
                krs,
                o.period.as_ref().map(|p| p.value),
                o.team.as_ref().map(|t| t.value.clone()),
            )
        };
        let mut seen = Vec::new();
        let mut kept = Vec::new();
        for o in std::mem::take(&mut self.objectives) {
            let s = sig(&o);
            if !o.key_results.is_empty() && seen.contains(&s) {
                let text = format!(
                    "objective written again with the same key results, read once: {}",
                    excerpt(&o.title.value)
                );
                self.note(o.title.span, NoteKind::Ignored, text);
                continue;
            }
            seen.push(s);
            kept.push(o);
        }
        self.objectives = kept;
    }

    /// A person named by tags in the text (`<TeamMember name="…" />`), as an owner.
    pub(super) fn people(&self, people: &[(String, usize)]) -> Option<Text> {
        let (first, at) = people.first()?;
        let mut names: Vec<&str> = Vec::new();
        for (n, _) in people {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        Some(Spanned::new(
            names.join(", "),
            self.span_src(*at..*at + first.len()),
        ))
    }
}
