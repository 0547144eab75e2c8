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
//! Text that looks like part of an OKR but has no place (a key result with no objective above
//! it, an objective label with no title) is a `markdown-unread` warning with its line. A page
//! with no objectives at all is a `no-objectives` error.

mod classify;
mod context;
mod frag;
mod groups;
mod labels;
mod objective;
mod period;
mod reader;
mod sections;
mod table;
mod tree;

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
    let blocks = tree::parse(src);
    let mut read = reader::read(&blocks, src, file);
    if read.objectives.is_empty() {
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
