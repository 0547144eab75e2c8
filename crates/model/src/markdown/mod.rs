//! ## Markdown OKR pages
//!
//! throughline reads the OKR page a team already has (a handbook page, a `OKR.md` in a
//! repository, a `.mdx` page) the way a person reads it: by its structure, not by one fixed
//! template. The shapes below can be mixed within one page. Everything else (schedules,
//! tables of dates, prose, notes, "WORK IN PROGRESS") is passed over without complaint;
//! `throughline check FILE --explain-read` shows what was read as what, line by line.
//!
//! **The period** comes from the front matter (`title: "FY23-Q1 OKRs"`, `start:`/`end:`),
//! a heading (`## Q1 2018`, `# CY19-Q3 OKRs`, `### Q4 2026 objectives`, `Q2FY23`, `H2 2025`,
//! `2026 OKRs`), or a sentence that states the dates:
//! ```markdown
//! # FY24-Q2 OKRs
//! This quarter runs from 2023-05-01 to 2023-07-31.
//! ```
//! A fiscal quarter (`FY…`) takes the dates the page states; without them only its length
//! is known.
//!
//! **Objectives as headings**, numbered or not, with a prefix or without:
//! ```markdown
//! ### Objective 1: Dramatically improve new user activation
//! ### 2. CEO: Improve user engagement
//! ## Understand how people use the product     (a "Key results" list follows)
//! ```
//! A heading without a prefix is an objective when key results follow it, or when it sits
//! under a heading that names the period or says "OKRs"/"objectives" and reads like a goal.
//!
//! **Objectives as list items** with their key results nested under them:
//! ```markdown
//! 1. **CEO: Grow ARR consistently**
//!    1. $2M net new ARR
//! * **Objective:** Bring more diverse perspectives to our work
//!     * **Key Result:** Add 5 members from under-represented backgrounds
//! ```
//!
//! **Objectives as a bold line** followed by a list of key results:
//! ```markdown
//! **Daemon is as reliable as it can be**
//! - A daemon runs for 10 days without a crash - @alanshaw
//! ```
//!
//! **Objectives and key results in a table** with an Objective and a Key result column
//! (an empty Objective cell continues the row above; several key results in one cell are
//! split at `<br>`, `·` or `KR2:`), or a Key result table under an objective heading:
//! ```markdown
//! | Objective | Key result | Owner | Target |
//! |---|---|---|---|
//! | Faster onboarding | Time to first value | Dana | 1 day |
//! ```
//!
//! **Key results** as items under the objective (`-`, `*`, `1.`), under a "Key results"
//! heading or bold line in any case (`**Key Results:**`, `### Key results`, "We'll know we're
//! successful when:"), or as headings (`#### Key Result 1.1: …`). Prefixes such as `KR1:`,
//! `KR -`, `**CEO KR**:`, `Key Result:`, `` `P0` - `` and trailing result notes (`=> done`)
//! are stripped; a link's text is its title. Values come from the title ("from 23% to 35%",
//! "(current is 125k)") or from sub-items `Current: 23% | Target: 35%`; a placeholder such as
//! `X%` or `$N` where the number belongs is reported as a missing target.
//!
//! **Owners** from a role or team before a colon (`CEO: Increase ARR`, `Sales: Reach …`),
//! `(Owner: Dana)`, `**Owner:** Dana`, `DRI:`, `Tracking Manager:`, tags such as
//! `<TeamMember name="Dana Lee" />` or `<Person name="…"/>`, an `@handle`, or a heading per
//! person under a "Personal OKRs" heading (`### Dana`). **Teams** from the page's title
//! heading (`## Q1 2024 OKRs - Growth`) or a section heading (`## Sales and marketing`).
//!
//! **Also read:** `**Why:**`, `**Aligns to:**`, `**Initiatives:**` and `**Guardrails:**`
//! lists, for one objective or (before the first objective) for the whole page.
//!
//! **The metric a key result is measured by**, so the page gets computed values, pacing and
//! the weekly review: `(metric: activation_rate)` on the key result's line, or an item under
//! it, `- Metric: activation_rate` (the id of a metric the workspace defines; words there are
//! read as how it is measured). List the page in throughline.yaml (`pages: [okrs/*.md]`) and
//! its objectives are checked, measured and reviewed with the YAML ones; `throughline import
//! PAGE.md` writes the page as workspace YAML for a team that moves.
//!
//! Text that looks like part of an OKR but has no place (a key result with no objective above
//! it, an objective label with no title) is a `markdown-unread` warning with its line. A page
//! with no objectives at all is a `no-objectives` error. A `Key results` heading beside an
//! `Objectives` heading that lists several objectives holds key results they share: the last
//! objective listed takes them, with a `shared-key-results` warning.
//!
//! **Reading by evidence.** Besides the shapes above, every page is read as an outline
//! (headings, paragraph lines, list items at each depth, table rows) and each competing
//! reading of it is scored: which tier holds the objectives (level-3 headings, bold lines,
//! top-level items, rows), which the key results (the items under them, the rows of a table
//! under them, the first lines under a `Key results` label, sub-headings). The evidence:
//! objective and key result words and numbering (`Objective 2:`, `O1`, `KR1`, `O1KR2`, a bare
//! `### Objective` heading over its text), numbers and targets, verbs of change, labels that
//! are never an OKR (`**Owner:**`, `Status:`, `Notes`, `Initiatives`, a process step such as
//! `1. Review last quarter (week 1)`, `* Score: 0.8`, a question such as `Was ist das
//! Ziel?`), a score or status under a line (what a key result is given), one-line paragraphs
//! in a row (a list without bullets), lists read as a whole, how consistently the page marks
//! what it marks, and how many lines that look like key results a reading leaves out. The
//! reading with the best score is kept; `--explain-read` prints it with its confidence and
//! the runner-up. Markdown pushed into a code block by its indentation (key results eight
//! spaces deep, a page whose headings are indented) and a page inside one unclosed fence are
//! read as the Markdown they are. A page whose key results are all inside ```` ```markdown ````
//! blocks is read from them, with an `uncertain-reading` error (they may be examples). A
//! site generator's OKR tags (Hexo's `{% okr o1 %}` over an objective, `<!-- okr kr-1
//! percent:20 -->` over a key result) are read as the headings they stand for.
//!
//! **When the reading is doubtful, the page says so.** An `uncertain-reading` error (exit
//! code 1) names the lines and what would make the reading sure when: objectives are read
//! with no key results while lists or rows under them look like key results; several lines
//! that look like key results are left out; most objectives have none while others do; far
//! more key results than objectives hold; a line looks like part of an OKR but has no place;
//! headings the page marks as objectives (`### OKR-1: …`) are not read as objectives; no
//! objective is dated while the prose before them names a period; the objectives are under
//! a heading or label that calls them examples (`## Good vs. Bad
//! OKRs`, `**Bad OKR:**`: a guide's illustrations, and those judged good or bad are left
//! out); an unnumbered heading sits among numbered objectives (after the last, it is read as
//! an appendix and left out); the headings over an objective name periods that do not agree
//! (`## H1 2027` over `### Sep-Nov 2026`); or another reading with other counts scores about
//! as well. A page read with objectives
//! and no key results, with nothing that looks like one, is an `objectives-only` warning.
//! Both can be set in `checks:` like a rule (`uncertain-reading: warning`), or allowed for
//! one page with `<!-- throughline: allow(uncertain-reading) -->` anywhere on it. A period
//! the headings do not give is taken from the nearest heading or bold line that names one
//! (`### 2020`, `**2019 Q1**`, `# 2022OKR`), a `| Cycle | Q2 2026 |` row, a start and end
//! date in a sentence, "by the end of 2025", a span of months (`Jul–Sep 2026`), or the one
//! quarter the page's prose names (`(Q3/2026)`). A `**Period:**` line under a title states
//! the period more exactly than the title's quarter, and wins.
//!
//! **Other languages.** Objective and key result labels and table headers are read in the
//! languages OKR pages are written in (`**Objectif** :` / `**Résultat clé** :`,
//! `# 一、目标（O1）` / `## 关键结果（KR）` / `## 关键举措`, `| 目标 | 关键结果 |`), as are
//! periods (`23年Q1`, `2023年第一季度`). An objective written again further down with the same
//! key results (a recap with its score) is read once.

mod classify;
mod context;
mod evidence;
mod frag;
mod groups;
mod import;
mod judge;
mod labels;
mod objective;
mod open;
mod period;
mod reader;
mod remap;
mod sections;
mod table;
mod tree;

pub use import::{KnownMetric, to_yaml};
use std::collections::{HashMap, HashSet};

use crate::defs::Objective;
use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// What `throughline explain markdown` prints: the shapes this reader accepts (this file's
/// `//!` lines).
pub fn explanation() -> String {
    include_str!("mod.rs")
        .lines()
        .map_while(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a part of the page was read as, for `check --explain-read` (objectives and key
/// results are in [`MarkdownRead::objectives`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The period the objectives below belong to.
    Period,
    /// The team of the objectives below.
    Team,
    /// The owner of the objectives below.
    Owner,
    /// A detail of an objective or key result that throughline does not use.
    Detail,
    /// Passed over: prose, schedules, notes, headings without objectives.
    Ignored,
    /// Looks like part of an OKR but has no place; also a `markdown-unread` warning.
    NotUnderstood,
    /// How the page was read as a whole: the reading kept, its confidence, the runner-up.
    Reading,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Period => "period",
            NoteKind::Team => "team",
            NoteKind::Owner => "owner",
            NoteKind::Detail => "detail",
            NoteKind::Ignored => "ignored",
            NoteKind::NotUnderstood => "not understood",
            NoteKind::Reading => "reading",
        }
    }
}

/// One line of the reading.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadNote {
    pub span: Span,
    pub kind: NoteKind,
    pub text: String,
}

/// What was read from one Markdown page.
#[derive(Clone, Debug, Default)]
pub struct MarkdownRead {
    pub objectives: Vec<Objective>,
    pub notes: Vec<ReadNote>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a Markdown OKR page.
pub fn parse_markdown(src: &str, file: FileId, file_name: &str) -> MarkdownRead {
    let (text, passes) = as_written(src);
    let blocks = tree::parse(&text);
    let mut read = reader::read(&blocks, &text, file, file_name);
    // a page whose key results are all inside ```markdown blocks (shown as Markdown to copy,
    // or pasted that way): with none outside them, what is inside is read, and the page says so
    let krs = |r: &MarkdownRead| {
        r.objectives
            .iter()
            .map(|o| o.key_results.len())
            .sum::<usize>()
    };
    if krs(&read) == 0
        && let Some(unfenced) = markdown_fences(&text)
    {
        let blocks = tree::parse(&unfenced);
        let inside = reader::read(&blocks, &unfenced, file, file_name);
        if krs(&inside) > 0 {
            // the period of the page around the blocks (`## Q2 2026` over them) dates what
            // is inside them, when they do not say one
            let around: Vec<_> = read
                .objectives
                .iter()
                .map(|o| (o.period.clone(), o.period_length.clone()))
                .collect();
            let outer = around
                .first()
                .cloned()
                .filter(|p| around.iter().all(|q| q == p));
            read = inside;
            if let Some((period, length)) = outer {
                for o in read.objectives.iter_mut().filter(|o| o.period.is_none()) {
                    o.period = period.clone();
                    o.period_length = length.clone();
                }
            }
            // examples in a code block are not always the team's own: read, and doubted
            let (o, k) = (read.objectives.len(), krs(&read));
            read.diagnostics.retain(|d| d.code != "uncertain-reading");
            read.diagnostics.push(
                Diagnostic::error(
                    "uncertain-reading",
                    format!("this page may be misread: its key results are all inside code blocks (```markdown); read from them: {o} objective(s), {k} key result(s)"),
                )
                .at(Span::at(file, src, 0, 0))
                .help("if they are the team's OKRs, write them outside the code blocks; if they are examples, this page is not an OKR page (leave it out of `pages:`)"),
            );
        }
    }
    // spans made on a dedented text go back where the page has them, and every span covers
    // whole characters of the page (a length cut to a count of other text could split one)
    let lines = crate::source::LineIndex::new(src);
    remap::spans(&mut read, &mut |s| {
        let start = back(&passes, s.offset as usize);
        let end = back(&passes, (s.offset + s.len) as usize).max(start);
        let mut start = start.min(src.len());
        while !src.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = end.min(src.len());
        while !src.is_char_boundary(end) {
            end += 1;
        }
        if passes.is_empty() && (start, end) == (s.offset as usize, (s.offset + s.len) as usize) {
            return s;
        }
        lines.span(s.file, src, start, end - start)
    });
    let blanks = read
        .notes
        .iter()
        .filter(|n| n.text == reader::BLANK_NOTE)
        .count();
    if read.objectives.is_empty() && blanks > 0 {
        read.diagnostics.push(
            Diagnostic::error("no-objectives", format!("no objectives found in {file_name}: it is a template ({blanks} blanks such as `[Objective title]` left to fill in)"))
                .at(Span::at(file, src, 0, 0))
                .help("write the objectives and key results in place of the blanks; a template kept as one can be left out of `pages:`"),
        );
    } else if read.objectives.is_empty() {
        read.diagnostics.push(
            Diagnostic::error("no-objectives", format!("no objectives found in {file_name}"))
                .at(Span::at(file, src, 0, 0))
                .label("looked for objective headings, list items with key results under them, bold lines followed by a list, and tables with an Objective column")
                .help("write each objective as a heading (`### Objective 1: …`) with its key results as items under it (`- KR1: Increase activation from 23% to 35%`); `throughline explain markdown` shows every shape that is read"),
        );
    }
    unique_ids(&mut read.objectives);
    read
}

/// The page as its writer meant it to be read: an unclosed fence opened, Markdown that
/// indentation pushed into code blocks dedented (twice: a block dedented may hold another, a
/// heading four spaces in with its key results eight). Offsets stay within their lines.
fn as_written(src: &str) -> (std::borrow::Cow<'_, str>, Vec<Vec<Shift>>) {
    let mut text = std::borrow::Cow::Borrowed(src);
    if let Some(t) = okr_tags(&text) {
        text = t.into();
    }
    if let Some(t) = unclosed_fence(&text) {
        text = t.into();
    }
    let mut passes = Vec::new();
    for _ in 0..2 {
        if let Some((t, shifts)) = indented_markdown(&text) {
            text = t.into();
            passes.push(shifts);
        }
    }
    (text, passes)
}

/// A page written with a site generator's OKR tags (Hexo's `{% okr o1 %}` over the
/// objective, `<!-- okr kr1 percent:0.7 -->` over each key result, `{% endokr %}`): each tag
/// written as the Markdown it stands for, `## O1` and `### KR1` headings over the text that
/// follows them, the others blanked, offsets kept; `None` when it has none.
fn okr_tags(src: &str) -> Option<String> {
    let mut out = src.to_string();
    let mut any = false;
    let mut at = 0;
    for line in src.split_inclusive('\n') {
        let body = line.trim_end();
        let t = body.trim_start();
        let start = at + (body.len() - t.len());
        at += line.len();
        let lower = t.to_ascii_lowercase();
        let inner = lower
            .strip_prefix("{%")
            .and_then(|r| r.strip_suffix("%}"))
            .or_else(|| {
                lower
                    .strip_prefix("<!--")
                    .and_then(|r| r.strip_suffix("-->"))
            });
        let Some(inner) = inner else { continue };
        let words: Vec<&str> = inner.split_whitespace().collect();
        let heading = match words.as_slice() {
            ["okr", mark, ..] => {
                let (kind, rest) = match mark.strip_prefix("kr") {
                    Some(r) => ("### KR", r.trim_start_matches('-')),
                    None => ("## O", mark.strip_prefix('o').unwrap_or("")),
                };
                (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| format!("{kind}{rest}"))
            }
            ["endokr", ..] | ["box", ..] | ["endbox", ..] => Some(String::new()),
            _ => None,
        };
        let Some(heading) = heading else { continue };
        if heading.len() > t.len() {
            continue;
        }
        any = true;
        tree::blank(&mut out, start..start + t.len());
        out.replace_range(start..start + heading.len(), &heading);
    }
    any.then_some(out)
}

/// The page with the fence lines of its ```` ```markdown ```` (or `md`) code blocks blanked
/// (offsets kept), so that the Markdown inside them is read as such; `None` when it has none.
fn markdown_fences(src: &str) -> Option<String> {
    let mut out = src.to_string();
    // inside a ```markdown block, or inside a block of another language
    let (mut open, mut other) = (false, false);
    let mut any = false;
    for (at, line, lang) in fences(src) {
        let blank = if open {
            open = !lang.is_empty();
            !open
        } else if other {
            other = !lang.is_empty();
            false
        } else if is_markdown(&lang) {
            open = true;
            any = true;
            true
        } else {
            other = true;
            false
        };
        if blank {
            tree::blank(&mut out, at..at + line.trim_end().len());
        }
    }
    any.then_some(out)
}

/// The fence lines of a page (```` ``` ````, indented or not): where each starts, the line,
/// and the language after the backticks (lowercase, empty when none).
fn fences(src: &str) -> Vec<(usize, &str, String)> {
    src.split_inclusive('\n')
        .scan(0usize, |at, line| {
            let start = *at;
            *at += line.len();
            Some((start, line))
        })
        .filter_map(|(at, line)| {
            let rest = line.trim().strip_prefix("```")?;
            let lang = rest.trim_start_matches('`').trim().to_ascii_lowercase();
            Some((at, line, lang))
        })
        .collect()
}

/// Whether a fence's language says its block is Markdown.
fn is_markdown(lang: &str) -> bool {
    lang == "markdown" || lang == "md"
}

/// A page whose first fence (```` ``` ````, no language or `markdown`) is never closed: the
/// whole page would be one code block, though what is in it is Markdown written to be read.
/// The fence line is blanked (offsets stay as they are) so the page is read as Markdown.
fn unclosed_fence(src: &str) -> Option<String> {
    let fences = fences(src);
    let (at, line, lang) = fences.first()?;
    if fences.len().is_multiple_of(2) || !(lang.is_empty() || is_markdown(lang)) {
        return None;
    }
    let mut out = src.to_string();
    tree::blank(&mut out, *at..at + line.trim_end().len());
    Some(out)
}

/// Markdown pushed into indented code blocks by its indentation (a page converted from a web
/// site, key results nested eight spaces under a heading, `    KR2: …` after a blank line):
/// CommonMark reads it as code, a person reads headings, lists and lines. Each such block
/// whose lines read as Markdown or prose, not code, is dedented: its indentation moves to the
/// end of each line (offsets stay within their line), and `-item` gets the space a list item
/// needs.
fn indented_markdown(src: &str) -> Option<(String, Vec<Shift>)> {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag};
    let blocks: Vec<std::ops::Range<usize>> = Parser::new_ext(src, Options::ENABLE_TABLES)
        .into_offset_iter()
        .filter_map(|(e, r)| match e {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)) => Some(r),
            _ => None,
        })
        .collect();
    let mut out = src.to_string();
    let mut shifts = Vec::new();
    for r in blocks {
        // the block's lines, from the start of its first line
        let start = src[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let end = r.end.min(src.len());
        let text = &src[start..end];
        if !reads_as_markdown(text) {
            continue;
        }
        let indent = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start_matches(' ').len())
            .min()
            .unwrap_or(0);
        if indent < 4 {
            continue;
        }
        let mut at = start;
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            let lead = body.len() - body.trim_start_matches(' ').len();
            if !body.trim().is_empty() && lead >= indent {
                let rest = &body[indent..];
                let mut fixed = rest.to_string();
                // `-all individual elements` → `- all individual elements`
                let insert =
                    rest.starts_with('-') && rest[1..].starts_with(|c: char| c.is_alphanumeric());
                if insert {
                    fixed.insert(1, ' ');
                }
                let pad = body.len() - fixed.len();
                let new = format!("{fixed}{}", " ".repeat(pad));
                out.replace_range(at..at + body.len(), &new);
                shifts.push(Shift {
                    start: at,
                    body: body.len(),
                    strip: indent,
                    insert,
                });
            }
            at += line.len();
        }
    }
    (!shifts.is_empty()).then_some((out, shifts))
}

/// A line [`indented_markdown`] dedented: where it starts, its length without the line end,
/// the indentation moved to its end, and whether a space was put after a leading `-`.
#[derive(Clone, Copy, Debug)]
struct Shift {
    start: usize,
    body: usize,
    strip: usize,
    insert: bool,
}

impl Shift {
    /// The offset in the line as written of offset `o` of the dedented line.
    fn back(&self, o: usize) -> usize {
        let k = o - self.start;
        let content = self.body - self.strip + usize::from(self.insert);
        let orig = if k >= self.body {
            k
        } else if k > content {
            // the moved indentation at the end maps to the indentation it was
            k - content
        } else if k == content {
            // the end of the text
            self.body
        } else if self.insert && k >= 2 {
            self.strip + k - 1
        } else if self.insert && k == 1 {
            self.strip + 1
        } else {
            self.strip + k
        };
        self.start + orig.min(self.body)
    }
}

/// Offsets of the text as read, back to the page as written (each pass of dedenting undone
/// in turn, last first).
fn back(passes: &[Vec<Shift>], mut o: usize) -> usize {
    for shifts in passes.iter().rev() {
        let i = shifts.partition_point(|s| s.start <= o);
        if let Some(s) = i.checked_sub(1).map(|i| shifts[i])
            && o <= s.start + s.body
        {
            o = s.back(o);
        }
    }
    o
}

/// Whether an indented block's lines read as Markdown or prose rather than code.
fn reads_as_markdown(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if lines.is_empty() {
        return false;
    }
    let code = lines
        .iter()
        .filter(|l| {
            l.ends_with([';', '{', '}', '(', ',']) && !l.ends_with("),")
                || l.starts_with("//")
                || l.starts_with("$ ")
                || [
                    "def ",
                    "fn ",
                    "let ",
                    "const ",
                    "var ",
                    "import ",
                    "function ",
                    "return ",
                    "if (",
                    "for (",
                ]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .count();
    let markdown = lines
        .iter()
        .filter(|l| {
            l.starts_with(['-', '*', '+', '#', '>'])
                || l.starts_with(|c: char| c.is_alphabetic())
                || l.starts_with(|c: char| c.is_ascii_digit())
                    && l.trim_start_matches(|c: char| c.is_ascii_digit())
                        .starts_with(['.', ')'])
        })
        .count();
    code * 5 <= lines.len() && markdown * 3 >= lines.len() * 2
}

/// The page's outline with each node's role and evidence, and the readings with their scores,
/// best first: for working on the reader (`cargo run -p throughline-model --example
/// read_page -- --outline PAGE.md`).
pub fn outline_report(src: &str) -> String {
    let (text, _) = as_written(src);
    let blocks = tree::parse(&text);
    evidence::Evidence::of(&blocks).report()
}

/// Unique ids within the page: a repeated title gets `-2`, `-3`, …; key results are
/// `objective/kr1`, `objective/kr2`, ….
fn unique_ids(objectives: &mut [Objective]) {
    let mut taken: HashSet<String> = HashSet::new();
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    for o in objectives {
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
