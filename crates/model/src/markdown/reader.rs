//! The walk over the page: headings make sections; each section is read as a group (where
//! objectives may start) or as one objective's body ([`super::objective`]).
//!
//! A heading is classified by its words first (a prefix, a period, "OKRs", a note or
//! schedule) and, when its words do not decide, by what is under it: key results under it
//! make it an objective; objectives under it make it a team's (or a person's) heading; a
//! goal-like heading under a heading that names the period is an objective of its own.

use std::ops::Range;

use chrono::NaiveDate;

use super::labels::{self, Section};
use super::objective::{Open, refs};
use super::period::{self, Found};
use super::tree::{Block, Inline, Item};
use super::{MarkdownRead, NoteKind, ReadNote};
use crate::defs::{Guardrail, Objective, Text};
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineIndex, Span, Spanned};
use crate::values::Period;

/// A piece of inline text: a byte range of an [`Inline`]'s text.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frag<'a> {
    pub inline: &'a Inline,
    pub start: usize,
    pub end: usize,
}

impl<'a> Frag<'a> {
    pub fn whole(inline: &'a Inline) -> Self {
        Frag {
            inline,
            start: 0,
            end: inline.text.len(),
        }
        .trim()
    }
    pub fn lines(inline: &'a Inline) -> Vec<Frag<'a>> {
        inline
            .lines()
            .into_iter()
            .map(|r| {
                Frag {
                    inline,
                    start: r.start,
                    end: r.end,
                }
                .trim()
            })
            .filter(|f| !f.is_empty())
            .collect()
    }
    pub fn text(&self) -> &'a str {
        &self.inline.text[self.start..self.end]
    }
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }
    /// Without surrounding spaces and the given characters.
    pub fn trim_with(self, chars: &[char]) -> Self {
        let t = self.text();
        let left = t.trim_start_matches(|c: char| c.is_whitespace() || chars.contains(&c));
        let both = left.trim_end_matches(|c: char| c.is_whitespace() || chars.contains(&c));
        let start = self.start + (t.len() - left.len());
        Frag {
            start,
            end: start + both.len(),
            ..self
        }
    }
    pub fn trim(self) -> Self {
        self.trim_with(&[])
    }
    /// The text from byte `n` on.
    pub fn skip(self, n: usize) -> Self {
        Frag {
            start: (self.start + n).min(self.end),
            ..self
        }
        .trim()
    }
    /// The first `n` bytes.
    pub fn take(self, n: usize) -> Self {
        Frag {
            end: (self.start + n).min(self.end),
            ..self
        }
        .trim()
    }
    pub fn sub(self, r: Range<usize>) -> Self {
        Frag {
            start: self.start + r.start,
            end: (self.start + r.end).min(self.end),
            ..self
        }
        .trim()
    }
    /// Whether the whole piece is written in bold.
    pub fn all_strong(&self) -> bool {
        let t = self.text().trim_end_matches([':', ' ', '.']);
        !t.is_empty()
            && self
                .inline
                .strong
                .iter()
                .any(|r| r.start <= self.start && r.end >= self.start + t.len())
    }
    /// Whether it starts with a bold label (`**Owner:** Dana`, `**Key Results**:`).
    pub fn bold_label(&self) -> bool {
        let t = self.text();
        self.inline.strong.iter().any(|r| {
            if r.start > self.start || r.end <= self.start {
                return false;
            }
            let bold_end = (r.end - self.start).min(t.len());
            t[..bold_end].trim_end().ends_with(':') || t[bold_end..].trim_start().starts_with(':')
        })
    }
}

/// Heading words that mark what is under the heading as something other than objectives.
const META_WORDS: &[&str] = &[
    "contents",
    "toc",
    "schedule",
    "timeline",
    "milestones",
    "milestone",
    "notes",
    "note",
    "faq",
    "archive",
    "archived",
    "previous",
    "past",
    "history",
    "reflection",
    "retrospective",
    "retro",
    "lessons",
    "resources",
    "references",
    "reference",
    "related",
    "reading",
    "changelog",
    "glossary",
    "appendix",
    "about",
    "overview",
    "introduction",
    "intro",
    "background",
    "context",
    "process",
    "template",
    "templates",
    "tracking",
    "meetings",
    "meeting",
    "risks",
    "constraints",
    "deployment",
    "dependencies",
    "specification",
    "budget",
    "scoring",
    "grading",
    "concepts",
    "definitions",
    "links",
    "updates",
    "results",
    "scores",
    "cadence",
    "calendar",
    "principles",
    "guidelines",
    "tips",
];

/// Words in an OKR heading that name neither a team nor a person.
const QUALIFIERS: &[&str] = &[
    "okrs",
    "okr",
    "objectives",
    "objective",
    "and",
    "key",
    "results",
    "goals",
    "quarterly",
    "annual",
    "yearly",
    "release",
    "current",
    "active",
    "live",
    "most",
    "recent",
    "project",
    "our",
    "the",
    "for",
    "of",
    "draft",
    "proposed",
    "final",
    "strategic",
    "set",
    "examples",
    "example",
    "q",
    "fiscal",
    "quarter",
    "year",
    "half",
    "this",
    "next",
    "company-wide",
    "wip",
    "personal",
    "individual",
];

#[derive(Debug)]
enum Kind {
    Meta,
    Section(Section),
    KrHeading,
    Objective,
    Period(Found),
    Container,
    Plain,
}

fn words_lower(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn has_okr_words(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words = words_lower(text);
    (words.iter().any(|w| w == "okrs" || w == "objectives") || lower.contains("key results"))
        || (words.iter().any(|w| w == "okr" || w == "goals") && words.len() > 1)
}

/// The words of a heading left when the period and the OKR words are taken out.
fn leftover(text: &str, period: Option<&Range<usize>>) -> String {
    let mut t = text.to_string();
    if let Some(r) = period {
        t.replace_range(r.clone(), " ");
    }
    let kept: Vec<&str> = t
        .split(|c: char| {
            c.is_whitespace() || matches!(c, '(' | ')' | ',' | '|' | '–' | '—' | ':' | '/')
        })
        .filter(|w| {
            let l = w.to_ascii_lowercase();
            let l = l.trim_matches(|c: char| !c.is_alphanumeric());
            !l.is_empty() && l.chars().any(char::is_alphabetic) && !QUALIFIERS.contains(&l)
        })
        .collect();
    let rest = kept.join(" ").trim_matches(['-', '.', ' ']).to_string();
    // "Team OKRs": no team is named
    if matches!(rest.to_ascii_lowercase().as_str(), "team" | "teams") {
        return String::new();
    }
    rest
}

fn classify(text: &str) -> Kind {
    let t = text.trim();
    if let Some(s) = labels::section_name(t) {
        return Kind::Section(s);
    }
    if labels::kr_prefix(t).is_some() {
        return Kind::KrHeading;
    }
    let unnumbered = &t[numbering(t)..];
    if labels::objective_prefix(unnumbered).is_some()
        || labels::label_prefix(unnumbered).is_some_and(|(e, _)| labels::is_role(&unnumbered[..e]))
    {
        return Kind::Objective;
    }
    let words = words_lower(t);
    let question = matches!(
        words.first().map(String::as_str),
        Some("what" | "how" | "why" | "when" | "where" | "who" | "which")
    ) || t.ends_with('?');
    if question
        || (words.len() <= 3 && words.iter().any(|w| META_WORDS.contains(&w.as_str())))
        || t.to_ascii_lowercase().contains("on this page")
    {
        return Kind::Meta;
    }
    if let Some(found) = period::find(t) {
        let rest = leftover(t, Some(&found.at));
        let short = rest.split_whitespace().count() <= 2;
        if has_okr_words(t) || (!found.bare_year && short) {
            return Kind::Period(found);
        }
    }
    if has_okr_words(t) {
        return Kind::Container;
    }
    Kind::Plain
}

/// `1. `, `2) `, `#3 ` at the start of a heading: its length.
pub(super) fn numbering(t: &str) -> usize {
    let s = t.strip_prefix('#').unwrap_or(t);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return 0;
    }
    let rest = &s[digits..];
    match rest.strip_prefix(['.', ')']) {
        Some(r) if r.starts_with(' ') => t.len() - r.trim_start().len(),
        _ => 0,
    }
}

/// An item's first line (its title) and the lines after it in the same paragraph (written
/// with hard breaks: `**Objective** \` then `KR: …` lines).
pub(super) fn item_lines(item: &Item) -> (Frag<'_>, Vec<Frag<'_>>) {
    let mut lines = Frag::lines(&item.inline);
    if lines.is_empty() {
        return (Frag::whole(&item.inline), Vec::new());
    }
    let first = lines.remove(0);
    (first, lines)
}

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
}

/// A section of the page: a heading and what is under it.
struct Sec<'b> {
    heading: Option<&'b Inline>,
    range: Range<usize>,
    level: u8,
    blocks: Vec<&'b Block>,
    children: Vec<usize>,
}

fn sections(blocks: &[Block]) -> Vec<Sec<'_>> {
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
    lines: LineIndex,
    pub objectives: Vec<Objective>,
    pub notes: Vec<ReadNote>,
    pub diags: Vec<Diagnostic>,
    pub doc_guardrails: Vec<Guardrail>,
    /// A `**Guardrails:**` line outside any objective: the next list is the page's guardrails.
    doc_guardrails_next: bool,
}

pub(super) fn read(blocks: &[Block], src: &str, file: FileId) -> MarkdownRead {
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
    };
    let mut ctx = Ctx::default();
    r.group(&secs, 0, &mut ctx);
    if !r.doc_guardrails.is_empty() {
        for o in &mut r.objectives {
            if o.guardrails.is_empty() {
                o.guardrails = r.doc_guardrails.clone();
            }
        }
    }
    r.notes.sort_by_key(|n| n.span.offset);
    // objectives read inside others (a team's under the company's) are pushed first
    r.objectives.sort_by_key(|o| o.title.span.offset);
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
    pub fn span_src(&self, r: Range<usize>) -> Span {
        self.lines
            .span(self.file, self.src, r.start, r.end.saturating_sub(r.start))
    }
    pub fn span(&self, f: Frag) -> Span {
        self.span_src(f.inline.src_range(f.start..f.end))
    }
    pub fn text(&self, f: Frag) -> Text {
        Spanned::new(f.text().to_string(), self.span(f))
    }
    pub fn note(&mut self, span: Span, kind: NoteKind, text: impl Into<String>) {
        self.notes.push(ReadNote {
            span,
            kind,
            text: text.into(),
        });
    }
    /// Something that looks like part of an OKR but has no place: a warning and a note.
    pub fn unread(&mut self, span: Span, message: String, help: &str) {
        self.note(span, NoteKind::NotUnderstood, message.clone());
        self.diags.push(
            Diagnostic::warning("markdown-unread", message)
                .at(span)
                .help(help.to_string()),
        );
    }
    fn mark(&self) -> (usize, usize, usize) {
        (self.objectives.len(), self.notes.len(), self.diags.len())
    }
    fn reset(&mut self, m: (usize, usize, usize)) {
        self.objectives.truncate(m.0);
        self.notes.truncate(m.1);
        self.diags.truncate(m.2);
    }
    /// A person named by tags in the text (`<TeamMember name="…" />`), as an owner.
    pub fn people(&self, people: &[(String, usize)]) -> Option<Text> {
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

    fn set_period(&mut self, ctx: &mut Ctx, found: &Found, span: Span) {
        ctx.period = found.period.map(|p| Spanned::new(p, span));
        ctx.length = found.length.map(|l| Spanned::new(l, span));
        let what = match (&found.period, found.fiscal) {
            (Some(p), _) => format!("{p} ({})", found.label),
            (None, true) => format!(
                "{}: a fiscal period; its dates are those the page states",
                found.label
            ),
            (None, false) => format!("{} of a year the page does not name", found.label),
        };
        self.note(span, NoteKind::Period, what);
    }

    fn set_range(&mut self, ctx: &mut Ctx, start: NaiveDate, end: NaiveDate, span: Span) {
        ctx.period = Some(Spanned::new(Period::Range { start, end }, span));
        ctx.length = Some(Spanned::new(period::range_length(start, end), span));
        self.note(span, NoteKind::Period, format!("{start} to {end}"));
    }

    /// A sentence stating the period's dates, when the dates are not known yet.
    fn date_range(&mut self, ctx: &mut Ctx, f: Frag) -> bool {
        if ctx.period.is_some() {
            return false;
        }
        let Some((start, end, r)) = period::find_range(f.text()) else {
            return false;
        };
        let span = self.span(f.sub(r));
        self.set_range(ctx, start, end, span);
        true
    }

    fn front_matter(&mut self, text: &str, start: usize, ctx: &mut Ctx) {
        let Ok(root) = crate::yaml::parse(text, self.file) else {
            return; // not YAML: a horizontal rule and text, nothing to read
        };
        let crate::yaml::Value::Map(entries) = &root.value else {
            return;
        };
        let mut dates: (Option<NaiveDate>, Option<NaiveDate>) = (None, None);
        for (k, v) in entries {
            let (Some(key), Some(value)) = (k.scalar_text(text), v.scalar_text(text)) else {
                continue;
            };
            let span = self.span_src(
                start + v.span.offset as usize..start + (v.span.offset + v.span.len) as usize,
            );
            match key.to_ascii_lowercase().as_str() {
                "title" | "period" | "quarter" => {
                    if ctx.period.is_none()
                        && ctx.length.is_none()
                        && let Some(found) = period::find(&value)
                            .filter(|f| !f.bare_year || has_okr_words(&value) || key != "title")
                    {
                        self.set_period(ctx, &found, span);
                    }
                }
                "start" | "start_date" | "starts" => {
                    dates.0 = crate::values::parse_date(&value).ok()
                }
                "end" | "end_date" | "ends" => dates.1 = crate::values::parse_date(&value).ok(),
                "team" => ctx.team = Some(Spanned::new(value, span)),
                "owner" => ctx.owner = Some(Spanned::new(value, span)),
                _ => {}
            }
        }
        if let (Some(s), Some(e)) = dates
            && e > s
        {
            let span = self.span_src(start..start);
            self.set_range(ctx, s, e, span);
        }
    }

    /// Reads a section where objectives may start, then its sub-headings.
    fn group(&mut self, secs: &[Sec], id: usize, ctx: &mut Ctx) {
        let blocks = secs[id].blocks.clone();
        let mut open: Option<Open> = None;
        for (i, b) in blocks.iter().enumerate() {
            let next = blocks.get(i + 1).copied();
            open = self.group_block(b, next, ctx, open);
        }
        self.close(open);
        let mut carry = ctx.clone();
        carry.period_heading = false;
        for &child in &secs[id].children {
            self.heading_section(secs, child, &mut carry);
        }
    }

    fn group_block(
        &mut self,
        b: &Block,
        next: Option<&Block>,
        ctx: &mut Ctx,
        mut open: Option<Open>,
    ) -> Option<Open> {
        match b {
            Block::FrontMatter { text, start } => self.front_matter(text, *start, ctx),
            Block::Para { inline, .. } => {
                let lines = Frag::lines(inline);
                let single = lines.len() == 1;
                let mut after_label = false;
                for f in lines {
                    // a bold line with a list under it opens an objective (`**Daemon is reliable**`)
                    let bold_objective = single
                        && ctx.okr
                        && f.all_strong()
                        && matches!(next, Some(Block::List { .. }))
                        && labels::section_name(f.text()).is_none()
                        && labels::kr_prefix(f.text()).is_none()
                        && open.as_ref().is_none_or(|o| {
                            !o.from_heading || o.body.mode != Some(Section::KeyResults)
                        });
                    if labels::objective_prefix(f.text()).is_some() || bold_objective {
                        self.close(open.take());
                        open = Some(self.open(f, ctx, false, &inline.people));
                        after_label = false;
                        continue;
                    }
                    match &mut open {
                        Some(o) => {
                            self.body_line(o, f, after_label);
                            after_label = o.body.mode == Some(Section::KeyResults);
                        }
                        None => self.group_line(f, ctx),
                    }
                }
                if let Some(o) = &mut open {
                    o.body.lead_in = inline.text.trim_end().ends_with(':');
                }
            }
            Block::List { items, .. } => match &mut open {
                Some(o) => self.body_list(o, items),
                None if self.doc_guardrails_next => {
                    self.doc_guardrails_next = false;
                    for it in items {
                        let t = self.text(Frag::whole(&it.inline));
                        self.doc_guardrails.push(super::objective::guardrail(t));
                    }
                }
                None => self.group_list(items, ctx),
            },
            Block::Table { head, rows, range } => {
                self.close(open.take());
                self.table(head, rows, range.clone(), ctx, None);
            }
            Block::Quote { blocks, range } => {
                let mut read = false;
                for q in blocks {
                    if let Block::Para { inline, .. } = q {
                        for f in Frag::lines(inline) {
                            read |= self.date_range(ctx, f);
                        }
                    }
                }
                if !read {
                    let span = self.span_src(range.clone());
                    self.note(span, NoteKind::Ignored, "a quoted note");
                }
            }
            Block::Html { people, .. } => {
                if let (Some(o), Some(p)) = (&mut open, self.people(people))
                    && o.o.owner.is_none()
                {
                    o.o.owner = Some(p);
                }
            }
            Block::Heading { .. } | Block::Skip => {}
        }
        open
    }

    /// A line outside any objective: the page's owner, team or guardrails, the period's
    /// dates, or prose.
    fn group_line(&mut self, f: Frag, ctx: &mut Ctx) {
        let t = f.text();
        if labels::is_bare_objective_label(t) {
            let span = self.span(f);
            self.unread(span, format!("an objective label with no title: `{}`", excerpt(t)), "write the objective after the label, e.g. `**Objective:** Make onboarding effortless`");
            return;
        }
        if labels::section_name(t) == Some(Section::KeyResults) || labels::kr_prefix(t).is_some() {
            let span = self.span(f);
            self.unread(span, format!("key results with no objective above them: `{}`", excerpt(t)), "put the key results under an objective: a heading such as `### Objective 1: …`, or a bold line naming the objective");
            return;
        }
        if labels::section_name(t) == Some(Section::Guardrails) {
            self.doc_guardrails_next = true;
            return;
        }
        if let Some((label, at)) = labels::split_label(t) {
            let value = f.skip(at);
            if !value.is_empty() {
                match label.as_str() {
                    "owner" | "owners" | "dri" => {
                        let v = self.text(value);
                        self.note(v.span, NoteKind::Owner, v.value.clone());
                        ctx.owner = Some(v);
                        return;
                    }
                    "team" => {
                        let v = self.text(value);
                        self.note(v.span, NoteKind::Team, v.value.clone());
                        ctx.team = Some(v);
                        return;
                    }
                    "guardrails" => {
                        let g = super::objective::guardrail(self.text(value));
                        self.doc_guardrails.push(g);
                        return;
                    }
                    _ => {}
                }
            }
        }
        if self.date_range(ctx, f) {
            return;
        }
        let span = self.span(f);
        self.note(span, NoteKind::Ignored, format!("text: {}", excerpt(t)));
    }

    /// A list outside any objective: items that are objectives (with their key results
    /// nested under them), or prose.
    fn group_list(&mut self, items: &[Item], ctx: &mut Ctx) {
        let owner_ok = consistent_labels(items);
        let mut pending: Option<Open> = None;
        for item in items {
            let (f, more) = item_lines(item);
            let t = f.text();
            if f.is_empty() || link_only(item) {
                let span = self.span_src(item.range.clone());
                self.note(span, NoteKind::Ignored, format!("link: {}", excerpt(t)));
                continue;
            }
            if labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some() {
                match &mut pending {
                    Some(o) => self.key_result(&mut o.o, f, false, &refs(&item.blocks)),
                    None => {
                        let span = self.span(f);
                        self.unread(span, format!("a key result with no objective above it: `{}`", excerpt(t)), "put the key results under an objective: a heading such as `### Objective 1: …`, or an item naming the objective with the key results nested under it");
                    }
                }
                continue;
            }
            let explicit = labels::objective_prefix(t).is_some();
            let nested = item.sub_items().next().is_some();
            let term = matches!(
                t.to_ascii_lowercase().trim_end_matches(':'),
                "objectives" | "objective" | "key results" | "key result" | "okrs"
            );
            let bare = ctx.period_heading
                && t.split_whitespace().count() >= 3
                && labels::label_prefix(t).is_none_or(|(e, _)| labels::is_role(&t[..e]));
            let property = f.bold_label() && !explicit;
            if term || property || !(explicit || (ctx.okr && nested) || bare) {
                let span = self.span_src(item.range.clone());
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("list item: {}", excerpt(t)),
                );
                continue;
            }
            self.close(pending.take());
            let mut o = self.open(f, ctx, owner_ok, &item.inline.people);
            for l in more {
                self.body_line(&mut o, l, false);
            }
            for b in &item.blocks {
                self.body_block(&mut o, b);
            }
            pending = Some(o);
        }
        self.close(pending);
    }

    /// A heading that is an objective, the blocks under it, and its sub-headings: a "Key
    /// results" heading, key result headings, notes to pass over.
    fn objective_section(&mut self, secs: &[Sec], id: usize, ctx: &Ctx) {
        let s = &secs[id];
        let Some(inline) = s.heading else {
            return;
        };
        let mut open = self.open(Frag::whole(inline), ctx, false, &inline.people);
        open.from_heading = true;
        for b in &s.blocks {
            self.body_block(&mut open, b);
        }
        let mut open = Some(open);
        let mut carry = ctx.clone();
        for &c in &s.children {
            let belongs = match &mut open {
                Some(o) => self.objective_child(secs, c, o),
                None => false,
            };
            if !belongs {
                self.close(open.take());
                self.heading_section(secs, c, &mut carry);
            }
        }
        self.close(open);
    }

    /// A sub-heading of an objective. Whether it belonged to the objective (a heading that
    /// starts another objective does not).
    fn objective_child(&mut self, secs: &[Sec], c: usize, open: &mut Open) -> bool {
        let s = &secs[c];
        let Some(h) = s.heading else {
            return true;
        };
        let f = Frag::whole(h);
        let span = self.span_src(s.range.clone());
        match classify(f.text()) {
            Kind::Section(sec) => {
                open.body.mode = Some(sec);
                for b in &s.blocks {
                    self.body_block(open, b);
                }
                for &cc in &s.children {
                    if !self.objective_child(secs, cc, open) {
                        let cs = self.span_src(secs[cc].range.clone());
                        self.note(cs, NoteKind::Ignored, "a heading inside the key results");
                    }
                }
                true
            }
            Kind::KrHeading => {
                self.key_result(&mut open.o, f, false, &s.blocks);
                true
            }
            Kind::Plain if open.body.mode == Some(Section::KeyResults) => {
                self.key_result(&mut open.o, f, false, &s.blocks);
                true
            }
            Kind::Meta => {
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("heading \"{}\" and what is under it", excerpt(f.text())),
                );
                true
            }
            Kind::Plain if !kr_evidence(secs, c) => {
                self.note(
                    span,
                    NoteKind::Ignored,
                    format!("heading \"{}\" and what is under it", excerpt(f.text())),
                );
                true
            }
            _ => false,
        }
    }

    pub fn close(&mut self, open: Option<Open>) {
        if let Some(o) = open {
            self.objectives.push(o.o);
        }
    }

    /// A heading and what is under it.
    fn heading_section(&mut self, secs: &[Sec], id: usize, carry: &mut Ctx) {
        let s = &secs[id];
        let Some(inline) = s.heading else {
            return;
        };
        let f = Frag::whole(inline);
        let span = self.span_src(s.range.clone());
        match classify(f.text()) {
            Kind::Meta => self.note(
                span,
                NoteKind::Ignored,
                format!("heading \"{}\" and what is under it", excerpt(f.text())),
            ),
            Kind::Section(_) | Kind::KrHeading => {
                self.unread(
                    span,
                    format!(
                        "a key results heading with no objective above it: `{}`",
                        excerpt(f.text())
                    ),
                    "put the key results under an objective heading such as `### Objective 1: …`",
                );
            }
            Kind::Objective => self.objective_section(secs, id, carry),
            Kind::Period(found) => {
                let mut c = carry.clone();
                let pspan = self.span(f.sub(found.at.clone()));
                // a fiscal name repeats the period the front matter named (and whose dates a
                // sentence may have given): keep what is known
                let known = found.period.is_none()
                    && found.fiscal
                    && c.length.as_ref().map(|l| l.value) == found.length;
                if !known {
                    self.set_period(&mut c, &found, pspan);
                }
                self.heading_names(&mut c, f, Some(&found.at), span);
                c.okr = true;
                c.period_heading = true;
                self.group(secs, id, &mut c);
                c.period_heading = false;
                *carry = c;
            }
            Kind::Container => {
                let mut c = carry.clone();
                c.okr = true;
                let lower = f.text().to_ascii_lowercase();
                c.personal = lower.contains("personal") || lower.contains("individual");
                self.heading_names(&mut c, f, None, span);
                self.group(secs, id, &mut c);
                *carry = c;
            }
            Kind::Plain => {
                if kr_evidence(secs, id) {
                    return self.objective_section(secs, id, carry);
                }
                let mark = self.mark();
                let mut c = carry.clone();
                let named = self.group_heading(&mut c, f, inline, span);
                self.group(secs, id, &mut c);
                if self.objectives.len() > mark.0 {
                    if let Some((kind, text)) = named {
                        self.note(span, kind, text);
                    }
                    return;
                }
                self.reset(mark);
                if carry.okr && plausible_objective(secs, id, f) {
                    self.objective_section(secs, id, carry);
                } else {
                    self.note(
                        span,
                        NoteKind::Ignored,
                        format!("heading \"{}\" and what is under it", excerpt(f.text())),
                    );
                }
            }
        }
    }

    /// The team or owner a period or OKR heading names (`## Q1 2024 OKRs - Growth`).
    fn heading_names(&mut self, ctx: &mut Ctx, f: Frag, period: Option<&Range<usize>>, span: Span) {
        let rest = leftover(f.text(), period);
        if rest.is_empty() || rest.split_whitespace().count() > 5 {
            return;
        }
        let at = f
            .text()
            .find(rest.split_whitespace().next().unwrap_or(""))
            .unwrap_or(0);
        let text_span = {
            let mut s = self.span(f.skip(at));
            s.len = s.len.min(rest.len() as u32);
            s
        };
        let _ = span;
        if let Some(person) = rest.strip_suffix("'s").or_else(|| rest.strip_suffix("’s")) {
            self.note(text_span, NoteKind::Owner, person.to_string());
            ctx.owner = Some(Spanned::new(person.to_string(), text_span));
        } else {
            self.note(text_span, NoteKind::Team, rest.clone());
            ctx.team = Some(Spanned::new(rest, text_span));
        }
    }

    /// A plain heading over objectives names their team, or their owner (a role such as
    /// `CEO` or `VP Eng`, a person under "Personal OKRs", a `<TeamMember …/>` tag).
    fn group_heading(
        &mut self,
        ctx: &mut Ctx,
        f: Frag,
        inline: &Inline,
        _span: Span,
    ) -> Option<(NoteKind, String)> {
        if let Some(p) = self.people(&inline.people) {
            let text = p.value.clone();
            ctx.owner = Some(p);
            return Some((NoteKind::Owner, text));
        }
        if !ctx.okr {
            return None;
        }
        let f = f.skip(numbering(f.text())).trim_with(&[':']);
        let t = self.text(f);
        let role = t.value.split_whitespace().count() <= 4
            && t.value
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| PERSON_ROLES.contains(&w.to_ascii_lowercase().as_str()));
        let text = t.value.clone();
        if ctx.personal || role {
            ctx.owner = Some(t);
            Some((NoteKind::Owner, text))
        } else {
            ctx.team = Some(t);
            Some((NoteKind::Team, text))
        }
    }
}

/// Roles that name a person rather than a team, in a heading over objectives.
const PERSON_ROLES: &[&str] = &[
    "ceo", "cto", "cfo", "coo", "cpo", "cmo", "cro", "ciso", "vp", "svp", "evp", "head",
    "director", "lead", "manager", "pm", "founder", "founders",
];

/// An item that is only a link (a table of contents, an index of pages).
fn link_only(item: &Item) -> bool {
    let i = &item.inline;
    let text: usize = i
        .text
        .trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .count();
    let linked: usize = i
        .links
        .iter()
        .map(|r| {
            i.text[r.start.min(i.text.len())..r.end.min(i.text.len())]
                .chars()
                .filter(|c| c.is_alphanumeric())
                .count()
        })
        .sum();
    item.sub_items().next().is_none() && text > 0 && linked * 10 >= text * 8
}

/// Whether most items of a list start with a short label before a colon (`Sales: …`,
/// `Distribution: …`): those labels are owners even when they are not role words.
pub(super) fn consistent_labels(items: &[Item]) -> bool {
    let labeled = items
        .iter()
        .filter(|i| {
            let t = Frag::whole(&i.inline).text();
            labels::kr_prefix(t).is_none() && labels::label_prefix(&t[numbering(t)..]).is_some()
        })
        .count();
    labeled >= 2 && labeled * 2 >= items.len()
}

/// Key results directly under a heading: a "Key results" line or heading, `KR1:` items, a key
/// result table, a `Key Results:` item.
fn kr_evidence(secs: &[Sec], id: usize) -> bool {
    let s = &secs[id];
    let kr_line = |f: Frag| {
        labels::section_name(f.text()) == Some(Section::KeyResults)
            || labels::split_label(f.text()).is_some_and(|(l, at)| {
                labels::section_name(&l) == Some(Section::KeyResults)
                    && f.text()[at..].trim().is_empty()
            })
    };
    let in_blocks = s.blocks.iter().any(|b| match b {
        Block::Para { inline, .. } => Frag::lines(inline).into_iter().any(kr_line),
        Block::List { items, .. } => items.iter().any(|i| {
            let f = Frag::whole(&i.inline);
            labels::kr_prefix(f.text()).is_some()
                || labels::owner_kr_prefix(f.text()).is_some()
                || kr_line(f)
        }),
        Block::Table { head, .. } => {
            let cols = super::table::Columns::of(head);
            cols.kr.is_some() && cols.objective.is_none()
        }
        _ => false,
    });
    in_blocks
        || s.children.iter().any(|&c| {
            secs[c].heading.is_some_and(|h| {
                let t = h.text.trim();
                labels::section_name(t) == Some(Section::KeyResults)
                    || labels::kr_prefix(t).is_some()
            })
        })
}

/// A goal-like heading under a heading about OKRs: a few words, something written under it,
/// and no sub-headings of its own other than notes (`#### Ship a Java SDK`).
fn plausible_objective(secs: &[Sec], id: usize, f: Frag) -> bool {
    let s = &secs[id];
    if !f.inline.people.is_empty() {
        return true;
    }
    let words = f.text().split_whitespace().count();
    let content = s.blocks.iter().any(|b| {
        matches!(
            b,
            Block::Para { .. } | Block::List { .. } | Block::Table { .. }
        )
    });
    let subheadings = s.children.iter().any(|&c| {
        secs[c].heading.is_some_and(|h| {
            !matches!(
                classify(&h.text),
                Kind::Meta | Kind::Section(_) | Kind::KrHeading
            )
        })
    });
    words >= 2 && content && !subheadings && !f.text().ends_with(':')
}
