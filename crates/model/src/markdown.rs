//! Markdown OKR documents in the common layout:
//!
//! ```markdown
//! ## Q1 2024 OKRs - Growth
//! ### Objective 1: Dramatically improve new user activation
//! **Why:** 60% of users never experience core value
//! **Owner:** Dana (PM Growth)
//! **Key Results:**
//! - KR1: Increase activation rate from 23% to 35%
//!   - Measurement: Users completing first workflow within 7 days
//!   - Current: 23% | Target: 35%
//! **Initiatives:**
//! - Onboarding flow redesign
//! **Guardrails:**
//! - Support ticket volume: maintain < 5% increase
//! ```
//!
//! pulldown-cmark finds the structure (headings, paragraphs, nested list items, code blocks to
//! skip); the reader keeps each piece's byte offset so every definition has its line and column.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::defs::*;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, LineIndex, Span, Spanned};
use crate::values::{Period, PeriodLength, Quantity, is_year_at, quantities_in};

/// A line of text with the byte offset where it starts in the file.
#[derive(Clone, Debug)]
struct Line {
    text: String,
    offset: usize,
}

#[derive(Debug)]
enum Block {
    Heading {
        level: usize,
        line: Line,
    },
    Para {
        lines: Vec<Line>,
    },
    Item {
        depth: usize,
        lines: Vec<Line>,
        offset: usize,
    },
}

fn blocks(src: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut item_stack: Vec<usize> = Vec::new();
    let mut current: Option<usize> = None; // block receiving text
    let mut in_code = false;
    let mut new_line = true;
    for (event, range) in Parser::new_ext(src, Options::ENABLE_STRIKETHROUGH).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                out.push(Block::Heading {
                    level: level as usize,
                    line: Line {
                        text: String::new(),
                        offset: range.start,
                    },
                });
                current = Some(out.len() - 1);
                new_line = false;
            }
            Event::End(TagEnd::Heading(_)) => current = item_stack.last().copied(),
            Event::Start(Tag::Paragraph) if item_stack.is_empty() => {
                out.push(Block::Para { lines: Vec::new() });
                current = Some(out.len() - 1);
                new_line = true;
            }
            Event::End(TagEnd::Paragraph) if item_stack.is_empty() => current = None,
            Event::Start(Tag::Paragraph) => new_line = true,
            Event::Start(Tag::Item) => {
                out.push(Block::Item {
                    depth: item_stack.len() + 1,
                    lines: Vec::new(),
                    offset: range.start,
                });
                item_stack.push(out.len() - 1);
                current = item_stack.last().copied();
                new_line = true;
            }
            Event::End(TagEnd::Item) => {
                item_stack.pop();
                current = item_stack.last().copied();
                new_line = true;
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::SoftBreak | Event::HardBreak => new_line = true,
            Event::Text(t) | Event::Code(t) if !in_code => {
                let Some(i) = current else { continue };
                let lines = match &mut out[i] {
                    Block::Heading { line, .. } => {
                        if line.text.is_empty() {
                            line.offset = range.start;
                        }
                        line.text.push_str(&t);
                        continue;
                    }
                    Block::Para { lines } | Block::Item { lines, .. } => lines,
                };
                if new_line || lines.is_empty() {
                    // a Code span's range includes its backticks
                    lines.push(Line {
                        text: String::new(),
                        offset: range.start,
                    });
                    new_line = false;
                }
                if let Some(l) = lines.last_mut() {
                    l.text.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out
}

/// Labels of lines that describe an objective (`**Owner:** Dana`).
const OBJECTIVE_LABELS: &[&str] = &[
    "why",
    "owner",
    "aligns to",
    "parent",
    "supports",
    "team",
    "type",
    "commitment",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    None,
    KeyResults,
    Initiatives,
    Guardrails,
    Other,
}

struct Reader<'a> {
    file: FileId,
    src: &'a str,
    lines: LineIndex,
    period: Option<Spanned<Period>>,
    period_length: Option<Spanned<PeriodLength>>,
    team: Option<Text>,
    objectives: Vec<Objective>,
    current: Option<Objective>,
    section: Section,
    doc_guardrails: Vec<Guardrail>,
    /// An `**Owner:**` line before the first objective: the owner of every objective below it.
    doc_owner: Option<Text>,
    /// Index of the key result that sub-bullets belong to.
    last_kr_depth: Option<usize>,
}

/// Reads a Markdown OKR document. Returns the objectives and problems found.
pub fn parse_markdown(
    src: &str,
    file: FileId,
    file_name: &str,
) -> (Vec<Objective>, Vec<Diagnostic>) {
    let mut r = Reader {
        file,
        src,
        lines: LineIndex::new(src),
        period: None,
        period_length: None,
        team: None,
        objectives: Vec::new(),
        current: None,
        section: Section::None,
        doc_guardrails: Vec::new(),
        doc_owner: None,
        last_kr_depth: None,
    };
    let mut diags = Vec::new();
    for block in blocks(src) {
        match block {
            Block::Heading { level, line } => r.heading(level, &line),
            Block::Para { lines } => {
                for l in &lines {
                    r.labeled_line(l);
                }
            }
            Block::Item {
                depth,
                lines,
                offset,
            } => r.item(depth, &lines, offset),
        }
    }
    r.finish_objective();
    // guardrails written for the whole document apply to each of its objectives
    if !r.doc_guardrails.is_empty() {
        for o in &mut r.objectives {
            if o.guardrails.is_empty() {
                o.guardrails = r.doc_guardrails.clone();
            }
        }
    }
    if r.objectives.is_empty() {
        diags.push(
            Diagnostic::error("no-objectives", format!("no objectives found in {file_name}"))
                .at(Span::at(file, src, 0, 0))
                .help("write each objective as a heading `### Objective 1: …` with `**Key Results:**` and `- KR1: …` bullets under it, below a period heading such as `## Q1 2025 OKRs - Growth`"),
        );
    }
    // unique ids within the document: a repeated title gets `-2`, `-3`, …
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut next_suffix: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    for o in &mut r.objectives {
        let base = o.id.value.clone();
        while !taken.insert(o.id.value.clone()) {
            let n = next_suffix.entry(base.clone()).or_insert(1);
            *n += 1;
            o.id.value = format!("{base}-{n}");
        }
        for (i, kr) in o.key_results.iter_mut().enumerate() {
            kr.id.value = format!("{}/kr{}", o.id.value, i + 1);
        }
    }
    (r.objectives, diags)
}

impl Reader<'_> {
    fn span(&self, offset: usize, len: usize) -> Span {
        self.lines.span(self.file, self.src, offset, len)
    }

    /// Span of `value` where it appears in the source line starting at `line.offset`.
    fn span_of(&self, line: &Line, value: &str) -> Span {
        let end = self.src[line.offset..]
            .find('\n')
            .map_or(self.src.len(), |i| line.offset + i);
        let hay = &self.src[line.offset..end];
        match hay.find(value) {
            Some(i) => self.span(line.offset + i, value.len()),
            None => self.span(line.offset, hay.len()),
        }
    }

    fn text(&self, line: &Line, value: &str) -> Text {
        Spanned::new(value.trim().to_string(), self.span_of(line, value.trim()))
    }

    fn finish_objective(&mut self) {
        if let Some(o) = self.current.take() {
            self.objectives.push(o);
        }
        self.section = Section::None;
        self.last_kr_depth = None;
    }

    fn heading(&mut self, level: usize, line: &Line) {
        let text = line.text.trim();
        if let Some(full) = objective_title(text) {
            self.finish_objective();
            // "Objective 1: Improve activation (Owner: Dana)"
            let inline_owner = detail_parts(full)
                .into_iter()
                .find(|(_, l, _)| *l == "owner");
            let title = match &inline_owner {
                Some((at, ..)) if *at > 0 => {
                    full[..*at].trim_end_matches([' ', '-', '—', '–', '|', '(', ',', ';'])
                }
                _ => full,
            };
            let owner = match inline_owner {
                Some((_, _, name)) => Some(self.text(line, name)),
                None => self.doc_owner.clone(),
            };
            let title_text = self.text(line, title);
            let id = slug(title);
            self.current = Some(Objective {
                id: Spanned::new(id, title_text.span),
                title: title_text,
                period: self.period.clone(),
                period_length: self.period_length.clone(),
                team: self.team.clone(),
                owner,
                aligns_to: None,
                why: None,
                commitment: None,
                key_results: Vec::new(),
                initiatives: Vec::new(),
                guardrails: Vec::new(),
                origin: Origin::Markdown,
                span: self.span(line.offset, text.len()),
            });
            return;
        }
        if let Some(section) = section_name(text) {
            self.section = section;
            return;
        }
        if let Some((period, length, team)) = period_heading(text) {
            self.finish_objective();
            let span = self.span(line.offset, text.len());
            self.period = period.map(|p| Spanned::new(p, span));
            self.doc_owner = None;
            self.period_length = length.map(|l| Spanned::new(l, span));
            self.team = team.map(|t| self.text(line, &t));
            return;
        }
        // any other heading at objective level or above ends the objective (e.g. "Decisions")
        if level <= 3 {
            self.finish_objective();
        }
        self.section = Section::Other;
    }

    /// `Why: …`, `Owner: …`, `Key Results:` and friends.
    fn labeled_line(&mut self, line: &Line) {
        let trimmed = line.text.trim();
        if let Some(section) = section_name(trimmed) {
            self.section = section;
            return;
        }
        if trimmed.to_ascii_lowercase().starts_with("objective")
            && objective_title(trimmed).is_some()
        {
            self.heading(3, line);
            return;
        }
        let Some((label, value)) = split_label(&line.text) else {
            return;
        };
        let value_text = (!value.trim().is_empty()).then(|| self.text(line, value));
        match label.as_str() {
            "key results" | "krs" => self.section = Section::KeyResults,
            "initiatives" => self.section = Section::Initiatives,
            "guardrails" => {
                self.section = Section::Guardrails;
                if let Some(v) = value_text {
                    self.add_guardrail(v);
                }
            }
            l if OBJECTIVE_LABELS.contains(&l) => {
                let Some(v) = value_text else { return };
                if label == "team" {
                    // a team line before any objective sets the document's team
                    match &mut self.current {
                        Some(o) => o.team = Some(v),
                        None => self.team = Some(v),
                    }
                    return;
                }
                let Some(o) = &mut self.current else {
                    if label == "owner" {
                        self.doc_owner = Some(v);
                    }
                    return;
                };
                match label.as_str() {
                    "why" => o.why = Some(v),
                    "owner" => o.owner = Some(v),
                    "type" | "commitment" => {
                        let lower = v.value.to_ascii_lowercase();
                        let c = if lower.contains("commit") {
                            Some(Commitment::Committed)
                        } else if lower.contains("aspiration")
                            || lower.contains("stretch")
                            || lower.contains("moonshot")
                        {
                            Some(Commitment::Aspirational)
                        } else {
                            None
                        };
                        o.commitment = c.map(|c| Spanned::new(c, v.span));
                    }
                    _ => o.aligns_to = Some(v),
                }
            }
            _ => {}
        }
    }

    fn add_guardrail(&mut self, text: Text) {
        let g = Guardrail {
            metric: None,
            text: Some(text.clone()),
            max_increase: None,
            max_decrease: None,
            min: None,
            max: None,
            span: text.span,
        };
        match &mut self.current {
            Some(o) => o.guardrails.push(g),
            None => self.doc_guardrails.push(g),
        }
    }

    fn item(&mut self, depth: usize, lines: &[Line], offset: usize) {
        let Some(first) = lines.first() else { return };
        let text = first.text.trim();
        if text.is_empty() {
            return;
        }
        // sub-bullets of a key result: Measurement / Current | Target / Owner
        if let Some(kr_depth) = self.last_kr_depth
            && depth > kr_depth
        {
            for l in lines {
                self.kr_line(l);
            }
            return;
        }
        self.last_kr_depth = None;
        if matches!(self.section, Section::None | Section::Other)
            && self.current.is_some()
            && split_label(text).is_some_and(|(l, _)| OBJECTIVE_LABELS.contains(&l.as_str()))
        {
            self.labeled_line(first);
            return;
        }
        let kr_prefixed = strip_kr_prefix(text).is_some();
        let section = if kr_prefixed && self.current.is_some() {
            Section::KeyResults
        } else {
            self.section
        };
        match section {
            Section::KeyResults if self.current.is_some() => {
                let full = strip_kr_prefix(text).unwrap_or(text);
                // "Increase X from 23% to 35% | Owner: Dana": details written on the same line
                let inline = detail_parts(full);
                let title = match inline.first() {
                    Some((at, ..)) if *at > 0 => {
                        full[..*at].trim_end_matches([' ', '-', '—', '–', '|', '(', ',', ';'])
                    }
                    _ => full,
                };
                let title_text = self.text(first, title);
                let (baseline, target) = values_from_title(title, title_text.span);
                let kr = KeyResult {
                    id: Spanned::new(String::new(), title_text.span),
                    title: title_text,
                    metric: None,
                    manual: None,
                    baseline,
                    target,
                    stretch: None,
                    owner: None,
                    weight: None,
                    measurement: None,
                    span: self.span(offset, 1),
                };
                if let Some(o) = &mut self.current {
                    o.key_results.push(kr);
                }
                self.last_kr_depth = Some(depth);
                if !inline.is_empty() {
                    self.kr_detail(first);
                }
                for l in &lines[1..] {
                    self.kr_line(l);
                }
            }
            Section::Initiatives if self.current.is_some() => {
                let t = self.text(first, text);
                if let Some(o) = &mut self.current {
                    o.initiatives.push(Initiative {
                        span: t.span,
                        title: t,
                        supports: Vec::new(),
                        owner: None,
                    });
                }
            }
            Section::Guardrails => {
                let t = self.text(first, text);
                self.add_guardrail(t);
            }
            _ => {}
        }
    }

    /// A line under a key result: its details, or (when the author left out the blank line
    /// and Markdown folded it into the item) the next section's label such as `**Guardrails:**`.
    fn kr_line(&mut self, line: &Line) {
        let t = line.text.trim();
        let objective_label = split_label(t).is_some_and(|(l, v)| {
            OBJECTIVE_LABELS.contains(&l.as_str())
                || v.trim().is_empty() && section_name(&l).is_some()
        });
        if section_name(t).is_some() || objective_label {
            self.last_kr_depth = None;
            self.labeled_line(line);
        } else {
            self.kr_detail(line);
        }
    }

    /// `Measurement: …`, `Current: 23% | Target: 35%`, `Baseline: 23%, Target: 35%`, `Owner: …`.
    fn kr_detail(&mut self, line: &Line) {
        for (_, label, value) in detail_parts(&line.text) {
            let v = self.text(line, value);
            let quantity = || Quantity::parse(&v.value).map(|q| Spanned::new(q, v.span));
            let Some(kr) = self.current.as_mut().and_then(|o| o.key_results.last_mut()) else {
                return;
            };
            match label {
                "measurement" | "measure" | "metric" | "definition" | "measured by" => {
                    kr.measurement = Some(v)
                }
                "current" | "baseline" | "today" | "now" | "starting point" => {
                    kr.baseline = quantity().or(kr.baseline.take())
                }
                "target" | "goal" => kr.target = quantity().or(kr.target.take()),
                "stretch" => kr.stretch = quantity(),
                "owner" => kr.owner = Some(v),
                _ => {}
            }
        }
    }
}

const DETAIL_LABELS: &[&str] = &[
    "measurement",
    "measured by",
    "measure",
    "metric",
    "definition",
    "current",
    "baseline",
    "today",
    "now",
    "starting point",
    "target",
    "goal",
    "stretch",
    "owner",
];

/// Finds `Label: value` pairs in a line, wherever the labels stand (`Current: 23% | Target: 35%`).
fn detail_parts(text: &str) -> Vec<(usize, &'static str, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new(); // (label start, value start, label)
    for label in DETAIL_LABELS {
        let mut from = 0;
        while let Some(i) = lower[from..].find(label) {
            let start = from + i;
            let end = start + label.len();
            let boundary = start == 0 || !lower[..start].ends_with(|c: char| c.is_alphanumeric());
            let rest = &lower[end..];
            let colon = rest.trim_start_matches(['*', '_', ' ']).starts_with(':');
            if boundary && colon && !found.iter().any(|(s, e, _)| start >= *s && start < *e) {
                let value_start = end + rest.find(':').map_or(0, |c| c + 1);
                found.push((start, value_start, label));
            }
            from = end;
        }
    }
    found.sort();
    let mut out = Vec::new();
    for (k, (label_start, value_start, label)) in found.iter().enumerate() {
        let value_end = found.get(k + 1).map_or(text.len(), |n| n.0);
        let value = text[*value_start..value_end]
            .trim()
            .trim_end_matches(['|', ';', ',', '/', '*', ')', '('])
            .trim()
            .trim_start_matches('*')
            .trim();
        if !value.is_empty() {
            out.push((*label_start, *label, value));
        }
    }
    out
}

/// `Objective 1: Title`, `Objective: Title`, `O2 - Title` → `Title`.
fn objective_title(heading: &str) -> Option<&str> {
    let lower = heading.to_ascii_lowercase();
    let rest = if lower.starts_with("objective") && !lower.starts_with("objectives") {
        &heading["objective".len()..]
    } else if lower.starts_with('o') && heading[1..].starts_with(|c: char| c.is_ascii_digit()) {
        &heading[1..]
    } else {
        return None;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
    let title = rest.strip_prefix([':', '-', '–', '—', '.', ')'])?.trim();
    (!title.is_empty()).then_some(title)
}

fn section_name(heading: &str) -> Option<Section> {
    match heading
        .trim_end_matches(':')
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "key results" | "krs" => Some(Section::KeyResults),
        "initiatives" => Some(Section::Initiatives),
        "guardrails" | "guardrail metrics" => Some(Section::Guardrails),
        _ => None,
    }
}

/// `Label: value` with a known-looking label (a few words before the colon).
fn split_label(text: &str) -> Option<(String, &str)> {
    let (label, value) = text.split_once(':')?;
    let label = label.trim().trim_matches('*').trim();
    if label.is_empty()
        || label.split_whitespace().count() > 3
        || label.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((label.to_ascii_lowercase(), value))
}

/// `KR1: …`, `KR 2 - …`, `KR: …` → the rest.
fn strip_kr_prefix(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("kr") {
        return None;
    }
    let rest = text[2..].trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.');
    let stripped = rest.strip_prefix([':', '-', '–', '—', ')'])?;
    Some(stripped.trim())
}

/// Reads `from 23% to 35%`, `23% → 35%` or `23% to 35%` (baseline and target), or else the
/// first quantity (target) in a title.
fn values_from_title(
    title: &str,
    span: Span,
) -> (Option<Spanned<Quantity>>, Option<Spanned<Quantity>>) {
    let found: Vec<(Quantity, usize)> = quantities_in(title)
        .into_iter()
        .filter(|(_, at)| !is_year_at(title, *at))
        .collect();
    let at = |i: usize| {
        let mut s = span;
        s.offset += i as u32;
        s.column += title[..i].chars().count() as u32;
        s
    };
    for pair in found.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let a_end = a.1 + Quantity::parse_prefix(&title[a.1..]).map_or(0, |(_, used)| used);
        let between = title[a_end.min(b.1)..b.1].trim().to_ascii_lowercase();
        if matches!(
            between.as_str(),
            "to" | "→" | "->" | "=>" | "⟶" | "—>" | "to reach"
        ) {
            return (
                Some(Spanned::new(a.0.clone(), at(a.1))),
                Some(Spanned::new(b.0.clone(), at(b.1))),
            );
        }
    }
    // "up from 320", "(currently 37%)", "(baseline 51%)": a marked starting value
    let baseline = found.iter().position(|(_, i)| {
        let before = title[..*i]
            .trim_end()
            .trim_end_matches([':', '('])
            .trim_end()
            .to_ascii_lowercase();
        BASELINE_MARKERS.iter().any(|m| {
            before.ends_with(m)
                && before[..before.len() - m.len()]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric())
        })
    });
    let target = found
        .iter()
        .enumerate()
        .find(|(k, _)| Some(*k) != baseline)
        .map(|(_, (q, i))| Spanned::new(q.clone(), at(*i)));
    let baseline = baseline.map(|k| Spanned::new(found[k].0.clone(), at(found[k].1)));
    (baseline, target)
}

/// Words that introduce a starting value in a key result's title.
const BASELINE_MARKERS: &[&str] = &[
    "from",
    "currently",
    "current",
    "baseline",
    "today",
    "now",
    "vs",
    "vs.",
    "versus",
    "was",
    "up from",
    "down from",
];

/// A heading that names a period (`Q1 2024 OKRs - Growth`, `2025 OKRs`, `H2 2025 Company OKRs`).
fn period_heading(text: &str) -> Option<(Option<Period>, Option<PeriodLength>, Option<String>)> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let mut year: Option<i32> = None;
    let mut quarter: Option<u8> = None;
    let mut half: Option<u8> = None;
    let mut month: Option<u8> = None;
    let mut rest = Vec::new();
    let mut okr_word = false;
    let mut annual = false;
    for w in &words {
        let lw = w.to_ascii_lowercase();
        let lw = lw.trim_matches(|c: char| c == ':' || c == '-' || c == '–');
        let parse_year = |s: &str| -> Option<i32> {
            let s = s.trim_start_matches("fy").trim_start_matches('\'');
            match s.len() {
                4 => s.parse().ok().filter(|y| (1900..2100).contains(y)),
                2 => s.parse::<i32>().ok().map(|y| 2000 + y),
                _ => None,
            }
        };
        // Q1, Q1-2024, 2024-Q1, Q1'24
        let parts: Vec<&str> = lw
            .split(['-', '\'', '/'])
            .filter(|p| !p.is_empty())
            .collect();
        let mut matched = false;
        for p in &parts {
            if let Some(q) = p
                .strip_prefix('q')
                .and_then(|q| q.parse::<u8>().ok())
                .filter(|q| (1..=4).contains(q))
            {
                quarter = Some(q);
                matched = true;
            } else if let Some(h) = p
                .strip_prefix('h')
                .and_then(|h| h.parse::<u8>().ok())
                .filter(|h| (1..=2).contains(h))
            {
                half = Some(h);
                matched = true;
            } else if let Some(y) =
                parse_year(p).filter(|_| p.len() == 4 || p.starts_with("fy") || parts.len() > 1)
            {
                year = Some(y);
                matched = true;
            } else if let Some(m) = month_number(p) {
                month = Some(m);
                matched = true;
            }
        }
        if matched {
            continue;
        }
        if lw == "okrs" || lw == "okr" || lw == "objectives" {
            okr_word = true;
            continue;
        }
        if matches!(lw, "annual" | "yearly") {
            annual = true;
            continue;
        }
        rest.push(*w);
    }
    let has_period = year.is_some() || quarter.is_some() || half.is_some();
    if !okr_word && !has_period {
        return None;
    }
    if !okr_word && rest.len() > 3 {
        return None; // a sentence that happens to contain a year
    }
    let (period, length) = match (year, quarter, half, month) {
        (Some(y), Some(q), _, _) => (Some(Period::Quarter(y, q)), Some(PeriodLength::Quarter)),
        (Some(y), None, Some(h), _) => (Some(Period::Half(y, h)), Some(PeriodLength::Half)),
        (Some(y), None, None, Some(m)) => (Some(Period::Month(y, m)), Some(PeriodLength::Month)),
        (Some(y), None, None, None) => (Some(Period::Year(y)), Some(PeriodLength::Year)),
        (None, Some(_), _, _) => (None, Some(PeriodLength::Quarter)),
        (None, None, Some(_), _) => (None, Some(PeriodLength::Half)),
        (None, None, None, Some(_)) => (None, Some(PeriodLength::Month)),
        _ if annual => (None, Some(PeriodLength::Year)),
        _ => (None, None),
    };
    let team: Vec<&str> = rest
        .iter()
        .copied()
        .filter(|w| !matches!(*w, "-" | "–" | "—" | ":" | "|" | "for" | "the"))
        .collect();
    let team = team.join(" ");
    let team = team
        .trim_matches(|c: char| c == '-' || c == ':' || c.is_whitespace())
        .to_string();
    Some((period, length, (!team.is_empty()).then_some(team)))
}

fn month_number(s: &str) -> Option<u8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    if s.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full)
        .position(|(m, f)| s == *m || s == f || (s.len() == 4 && s == "sept" && *m == "sep"))
        .map(|i| i as u8 + 1)
}

/// `Dramatically improve new user activation` → `dramatically-improve-new-user-activation`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let s = out.trim_end_matches('-').to_string();
    if s.is_empty() { "objective".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::QuantityUnit;

    #[test]
    fn headings_name_periods_and_teams() {
        let (p, l, t) = period_heading("Q1 2024 OKRs - Product Team").unwrap();
        assert_eq!(p, Some(Period::Quarter(2024, 1)));
        assert_eq!(l, Some(PeriodLength::Quarter));
        assert_eq!(t.as_deref(), Some("Product Team"));
        let (p, l, t) = period_heading("2025 OKRs").unwrap();
        assert_eq!(
            (p, l, t),
            (Some(Period::Year(2025)), Some(PeriodLength::Year), None)
        );
        let (p, l, _) = period_heading("Q1 OKRs").unwrap();
        assert_eq!((p, l), (None, Some(PeriodLength::Quarter)));
        assert_eq!(
            period_heading("Growth OKRs, H2 2025").unwrap().0,
            Some(Period::Half(2025, 2))
        );
        assert!(period_heading("Decisions Made").is_none());
    }

    #[test]
    fn owners_and_values_written_inline() {
        let doc = "## Q1 2025 OKRs - Growth\n**Owner:** Dana\n\n### Objective 1: Faster setup\n**Key Results:**\n- KR1: Increase setup from 20% to 30% | Owner: Kim\n- KR2: Reduce tickets — Current: 400 | Target: 250\n\n### Objective 2: Happier admins (Owner: Lee)\n";
        let (objectives, _) = parse_markdown(doc, FileId(0), "t.md");
        assert_eq!(objectives[0].owner.as_ref().unwrap().value, "Dana");
        assert_eq!(objectives[1].owner.as_ref().unwrap().value, "Lee");
        assert_eq!(objectives[1].title.value, "Happier admins");
        let krs = &objectives[0].key_results;
        assert_eq!(krs[0].title.value, "Increase setup from 20% to 30%");
        assert_eq!(krs[0].owner.as_ref().unwrap().value, "Kim");
        assert_eq!(krs[1].title.value, "Reduce tickets");
        assert_eq!(krs[1].baseline.as_ref().unwrap().value.value, 400.0);
        assert_eq!(krs[1].target.as_ref().unwrap().value.value, 250.0);
    }

    #[test]
    fn repeated_titles_get_unique_ids() {
        let doc = "## Q1 2025 OKRs\n### Objective 1: Same\n### Objective 2: Same\n### Objective 3: Same\n### Objective 4: Same-2\n";
        let (objectives, _) = parse_markdown(doc, FileId(0), "t.md");
        let ids: Vec<&str> = objectives.iter().map(|o| o.id.value.as_str()).collect();
        assert_eq!(ids, ["same", "same-2", "same-3", "same-2-2"]);
    }

    #[test]
    fn objective_and_kr_prefixes() {
        assert_eq!(
            objective_title("Objective 1: Ship new features"),
            Some("Ship new features")
        );
        assert_eq!(
            objective_title("O2 - Make customers happy"),
            Some("Make customers happy")
        );
        assert_eq!(objective_title("Objectives and context"), None);
        assert_eq!(
            strip_kr_prefix("KR1: Increase activation"),
            Some("Increase activation")
        );
        assert_eq!(strip_kr_prefix("KR 2 - Reduce churn"), Some("Reduce churn"));
        assert_eq!(strip_kr_prefix("Krypton levels"), None);
    }

    #[test]
    fn title_values_read_from_and_to() {
        let (b, t) = values_from_title(
            "Reduce time-to-first-value from 3 days to 1 day",
            Span::default(),
        );
        assert_eq!(b.unwrap().value.value, 259_200.0);
        assert_eq!(
            t.unwrap().value,
            Quantity {
                value: 86_400.0,
                unit: QuantityUnit::Seconds
            }
        );
        let (b, t) = values_from_title(
            "Achieve 50+ NPS for users in first 30 days",
            Span::default(),
        );
        assert!(b.is_none());
        assert_eq!(t.unwrap().value.value, 50.0);
    }
}
