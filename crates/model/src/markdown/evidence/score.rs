//! The evidence one node gives for being an objective or a key result, and what role its
//! words give it on their own (a label, metadata, a container of objectives).

use super::super::classify::{self, Kind};
use super::super::labels::{self, Section};
use super::super::period;
use super::super::tree::Block;
use super::node::{Node, Slot};
use crate::values::quantities_in;

/// What a node's own words make it, before any reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Could be an objective or a key result.
    Content,
    /// `Key results`, `### Key Results`, `**KRs:**`: what follows are key results.
    KrLabel,
    /// `Initiatives`, `Key metrics`, `Guardrails`: what follows is not key results.
    OtherLabel,
    /// Owner, status, score, notes, tracking, a process step, a question: never an OKR.
    Meta,
    /// A heading that names the period or says "OKRs": objectives may be under it.
    Container,
}

/// Labels whose line is a property of an objective or key result, not one itself.
const META_LABELS: &[&str] = &[
    "owner",
    "owners",
    "owner(s)",
    "status",
    "score",
    "final score",
    "scores",
    "grade",
    "grading",
    "grading notes",
    "tracking",
    "tracked in",
    "notes",
    "note",
    "due",
    "due date",
    "deadline",
    "timeline",
    "link",
    "links",
    "dri",
    "lead",
    "leads",
    "team",
    "teams",
    "progress",
    "confidence",
    "why",
    "aligns to",
    "alignment",
    "measurement",
    "measure",
    "measured by",
    "current",
    "target",
    "baseline",
    "comment",
    "comments",
    "update",
    "updates",
    "priority",
    "effort",
    "tags",
    "category",
    "sponsor",
    "contributors",
    "stakeholders",
    "people",
    "members",
    "reviewers",
    "date",
    "dates",
    "period",
    "quarter",
    "epic",
    "issue",
    "issues",
    "jira",
    "tracking manager",
    "tracking issue",
    "context",
    "description",
    "rationale",
    "summary",
    "result",
    "outcome",
    "retro",
    "retrospective",
    "reflection",
    "learnings",
    "self-assessment",
    "assessment",
    "responsible",
    "accountable",
    "key metric",
    "manager",
    "active from",
    "tracked",
    "measurement deadline",
    "kr measurement deadline",
];

/// Headings or lines that open a list of something other than key results.
const OTHER_SECTIONS: &[&str] = &[
    "key metrics",
    "success metrics",
    "metrics",
    "kpis",
    "health metrics",
    "initiatives",
    "action plan",
    "action plans",
    "projects",
    "key initiatives",
    "guardrails",
    "risks",
    "dependencies",
    "non-goals",
    "out of scope",
];

/// A heading that names a set of metrics rather than a goal (`## Core Metrics (The North
/// Star)`, `### Product KPIs`, `## Input indicators`): what is under it is measured, not
/// an objective with its key results.
fn metrics_heading(n: &Node, bare: &str) -> bool {
    if !matches!(n.slot, Slot::Heading(_)) {
        return false;
    }
    let t = super::node::without_gloss(bare);
    let words: Vec<&str> = t
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let Some(last) = words.last() else {
        return false;
    };
    (words.len() <= 3
        && matches!(*last, "metrics" | "kpis" | "kpi" | "indicators")
        && !CHANGE_VERBS.contains(&words[0]))
        || (words.len() <= 4 && t.contains("north star"))
}

/// Verbs a key result or an objective often starts with.
const CHANGE_VERBS: &[&str] = &[
    "increase",
    "decrease",
    "reduce",
    "grow",
    "reach",
    "achieve",
    "hit",
    "get",
    "ship",
    "launch",
    "deliver",
    "publish",
    "hire",
    "close",
    "complete",
    "improve",
    "maintain",
    "double",
    "triple",
    "cut",
    "raise",
    "lower",
    "onboard",
    "acquire",
    "attain",
    "release",
    "migrate",
    "have",
    "create",
    "establish",
    "run",
    "hold",
    "host",
    "write",
    "build",
    "add",
    "gain",
    "sign",
    "secure",
    "recruit",
    "keep",
    "drive",
    "expand",
    "deploy",
    "implement",
    "support",
    "enable",
    "make",
    "become",
    "ensure",
    "deliver",
    "land",
    "convert",
    "retain",
    "engage",
    "attract",
    "collect",
    "document",
    "define",
    "train",
    "organize",
    "organise",
    "produce",
    "identify",
    "conduct",
    "roll",
    "finish",
    "design",
    "develop",
    "test",
    "validate",
    "submit",
    "merge",
    "fix",
    "resolve",
    "respond",
    "answer",
    "onboard",
    "graduate",
    "host",
    "present",
    "speak",
    "grow",
    "scale",
    "win",
    "earn",
    "save",
    "generate",
    "bring",
    "provide",
    "offer",
    "set",
    "be",
    "all",
    "every",
    "at",
    "no",
    "zero",
    "over",
    "more",
    "less",
    "fewer",
];

/// A node's role from its words.
pub(crate) fn role(n: &Node) -> Role {
    let t = n.frag.text().trim();
    // `2. Key Results (KRs)`, `🎯 Key Results`: numbering and marks say nothing of the role
    let t = super::node::plain(t);
    let t = &t[classify::numbering(t)..];
    if t.is_empty() {
        return Role::Meta;
    }
    let bare = t
        .trim_end_matches([':', '*', ' '])
        .trim_start_matches(['*', ' '])
        .to_ascii_lowercase();
    if let Some(s) = labels::section_name(t).or_else(|| {
        // `Key Results (Kết quả then chốt)`: the words, glossed; `Các Kết Quả Then Chốt (Key
        // Results)`: the words in the gloss
        labels::section_name(super::node::without_gloss(t))
            .or_else(|| super::node::gloss(t).and_then(labels::section_name))
    }) {
        return match s {
            Section::KeyResults => Role::KrLabel,
            _ => Role::OtherLabel,
        };
    }
    // `Annual KRs:`, `Q3 key results`, `Team KRs`: a key results label with a qualifier
    let words: Vec<&str> = bare.split_whitespace().collect();
    if (2..=3).contains(&words.len())
        && (bare.ends_with(" key results") || bare.ends_with(" krs"))
        && !words[0].chars().any(|c| c.is_ascii_digit())
    {
        return Role::KrLabel;
    }
    // `Chiến lược hành động (Action Plan)`: the section the gloss names
    let glossed = super::node::gloss(&bare).unwrap_or_default();
    if OTHER_SECTIONS.contains(&bare.as_str())
        || OTHER_SECTIONS.contains(&glossed)
        || metrics_heading(n, &bare)
    {
        return Role::OtherLabel;
    }
    if let Some((label, at)) = labels::split_label(t) {
        let value = t[at..].trim();
        let label = label.trim_matches(['*', '_', ' ']).to_string();
        if META_LABELS.contains(&label.as_str()) {
            return Role::Meta;
        }
        // `Tracking support:`, `Owner team:`, `Status update:`: a property named more fully
        let first = label.split_whitespace().next().unwrap_or("");
        if label.split_whitespace().count() <= 3
            && matches!(
                first,
                "tracking"
                    | "owner"
                    | "owners"
                    | "status"
                    | "measure"
                    | "notes"
                    | "deadline"
                    | "due"
            )
        {
            return Role::Meta;
        }
        // `## Health metrics: must not get worse while the KRs move`
        if OTHER_SECTIONS.contains(&label.as_str()) {
            return Role::OtherLabel;
        }
        // `**Anahtar Sonuçlar (Key Results):**`, `**Our key results**:` with nothing after
        let last = label.split_whitespace().next_back().unwrap_or("");
        if value.is_empty() && (label.contains("key result") || matches!(last, "krs" | "kr")) {
            return Role::KrLabel;
        }
        // `**Key Results:** Martin and Bedeho equally` over a nested list: the label of the
        // key results, with who owns them
        let section = labels::section_name(&label);
        if section == Some(Section::KeyResults)
            && !value.is_empty()
            && n.blocks.iter().any(|b| matches!(b, Block::List { .. }))
        {
            return Role::KrLabel;
        }
        // `**Key Results:** Alice, Bob and Carol`: names, not a key result
        if section.is_some() && !value.is_empty() && names_only(value) {
            return Role::Meta;
        }
    }
    // `**Workshop for users [COMMITTED]:** Plan …`: a key result tagged committed or
    // aspirational, as OKRs are graded, not a property
    if commitment_tag(t) {
        return Role::Content;
    }
    // `**Active from:** 02.01.26`, `**Tracked**: weekly`: a property, whatever its name
    if n.frag.bold_label()
        && labels::kr_prefix(t).is_none()
        && objective_mark(t).is_none()
        && labels::owner_kr_prefix(t).is_none()
        && labels::split_label(t).is_some_and(|(l, _)| l.split_whitespace().count() <= 4)
    {
        return Role::Meta;
    }
    // `~~Production site live~~ REMOVED`: dropped from the OKRs
    let dropped = t.split_whitespace().any(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "REMOVED" | "DROPPED" | "CANCELLED" | "CANCELED" | "DESCOPED" | "DEPRECATED"
        )
    });
    // `Was ist das gewünschte Ergebnis?`: a template's prompt, never an OKR
    if n.frag.mostly_struck() || dropped || bare_grade(t) || question(t) {
        return Role::Meta;
    }
    let lower = t.to_ascii_lowercase();
    if process_step(&lower) {
        return Role::Meta;
    }
    // `Objective / Key Result  Owner(s)  Status`: the header of what follows
    if !matches!(n.slot, Slot::Heading(_))
        && lower.contains("objective")
        && lower.contains("key result")
        && lower.split_whitespace().count() <= 8
    {
        return Role::Meta;
    }
    // `… and keep the foundation strong. Key results:`: prose whose last sentence names the
    // list that follows
    if !matches!(n.slot, Slot::Heading(_))
        && t.ends_with([':', '：'])
        && let Some(last) = last_sentence(t)
        && labels::section_name(last) == Some(Section::KeyResults)
    {
        return Role::KrLabel;
    }
    // `**3 Key Results (KRs) supporting the hypothesis:**`: a short line that ends with a
    // colon and says key results introduces them
    if !matches!(n.slot, Slot::Heading(_))
        && t.ends_with([':', '：'])
        && self::words(t).len() <= 8
        && (lower.contains("key results")
            || lower
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| w == "krs"))
    {
        return Role::KrLabel;
    }
    // `OKRs:`, `Our objectives this quarter:`, `os OKR's da POD são:`: what follows are OKRs
    if !matches!(n.slot, Slot::Heading(_)) && t.ends_with([':', '：']) && okr_words(&lower) {
        return Role::Container;
    }
    if matches!(n.slot, Slot::Heading(_)) && objective_mark(t).is_some() {
        return Role::Content;
    }
    if matches!(n.slot, Slot::Heading(_)) {
        if matches!(
            bare.as_str(),
            "details" | "detail" | "in detail" | "okr details"
        ) {
            return Role::Meta;
        }
        let marked = labels::kr_prefix(t).is_some() || objective_mark(t).is_some();
        if classify::about_the_work(&bare) && !marked {
            return Role::Meta;
        }
        match classify::classify(t) {
            Kind::Meta => return Role::Meta,
            Kind::Period(_) | Kind::Container => return Role::Container,
            Kind::Section(Section::KeyResults) | Kind::KrHeading if kr_heading_only(t) => {
                return Role::KrLabel;
            }
            _ => {}
        }
        if just_a_period(t) {
            return Role::Container;
        }
    }
    Role::Content
}

/// `[COMMITTED]`, `[ASPIRATIONAL]`, `(stretch)`: the tag OKRs use for how a key result is
/// graded.
fn commitment_tag(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    ["committed", "aspirational", "stretch", "learning"]
        .iter()
        .any(|w| lower.contains(&format!("[{w}]")) || lower.contains(&format!("({w})")))
}

/// The last sentence of a text of several (`… strong. Key results:` → `Key results:`); `None`
/// for a text of one sentence.
fn last_sentence(t: &str) -> Option<&str> {
    let end = [". ", "! ", "? ", "。", "！", "？"]
        .iter()
        .filter_map(|m| t.rfind(m).map(|i| i + m.len()))
        .max()?;
    let rest = t[end..].trim();
    (!rest.is_empty()).then_some(rest)
}

/// `Alice, Bob and Carol`: capitalised words separated by commas and "and".
fn names_only(value: &str) -> bool {
    if value.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let words: Vec<&str> = value
        .split(|c: char| c == ',' || c.is_whitespace() || c == '&')
        .filter(|w| !w.is_empty() && *w != "and")
        .collect();
    !words.is_empty()
        && words.len() <= 12
        && words
            .iter()
            .all(|w| w.starts_with('@') || w.chars().next().is_some_and(char::is_uppercase))
}

/// `Key Results`, `KR 1` with nothing more: a heading that only labels what follows.
fn kr_heading_only(t: &str) -> bool {
    labels::kr_prefix(t).is_none_or(|n| t[n..].trim().is_empty())
}

/// `2020`, `Q3`, `Q2 2024`, `H1`: a heading that is only a period.
fn just_a_period(t: &str) -> bool {
    let Some(found) = period::find(t) else {
        return false;
    };
    classify::leftover(t, Some(&found.at)).is_empty()
}

/// `1. Review last quarter (week 1)`, `Step 2: …`: a step of the OKR process, not an OKR.
fn process_step(lower: &str) -> bool {
    let week = ["(week", "(day", "(weeks", "(days"]
        .iter()
        .any(|w| lower.contains(w));
    week || lower.starts_with("step ")
}

/// Words, counting two CJK characters as one word (those scripts write no spaces).
fn words(t: &str) -> Vec<&str> {
    let cjk = t
        .chars()
        .filter(|c| matches!(*c as u32, 0x3040..=0x30ff | 0x3400..=0x9fff | 0xac00..=0xd7af))
        .count();
    let mut w: Vec<&str> = t.split_whitespace().collect();
    w.extend(std::iter::repeat_n("", cjk / 2));
    w
}

/// The text with a space between a number and the CJK characters written against it
/// (`发布3个版本` → `发布 3 个版本`), so that the number reads as one.
fn spaced_cjk(t: &str) -> std::borrow::Cow<'_, str> {
    let cjk = |c: char| matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x9fff | 0xac00..=0xd7af);
    if !t.chars().any(cjk) {
        return std::borrow::Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len() + 8);
    let mut prev: Option<char> = None;
    for c in t.chars() {
        if let Some(p) = prev
            && ((cjk(p) && c.is_ascii_digit()) || ((p.is_ascii_digit() || p == '%') && cjk(c)))
        {
            out.push(' ');
        }
        out.push(c);
        prev = Some(c);
    }
    std::borrow::Cow::Owned(out)
}

/// Numbers that say how much: quantities other than years, periods and ids.
fn measures(t: &str) -> usize {
    let t = &*spaced_cjk(t);
    quantities_in(t)
        .into_iter()
        .filter(|(q, at)| {
            let rest = &t[*at..];
            let year = rest.get(..4).is_some_and(|y| {
                y.bytes().all(|b| b.is_ascii_digit())
                    && (y.starts_with("19") || y.starts_with("20"))
            });
            let before = t[..*at].chars().next_back();
            let id = before.is_some_and(|c| c.is_ascii_alphabetic() || c == '#' || c == '.');
            // `3rd-party`, `the 2nd release`: an ordinal says which, not how much
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let ordinal = ["st", "nd", "rd", "th"].iter().any(|o| {
                rest[digits..].to_ascii_lowercase().starts_with(o)
                    && !rest[digits + 2..].starts_with(|c: char| c.is_alphabetic())
            });
            !year && !id && !ordinal && q.value.is_finite()
        })
        .count()
}

fn starts_with_verb(t: &str) -> bool {
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_ascii_lowercase();
    CHANGE_VERBS.contains(&first.as_str())
        || (first.ends_with("ing") && first.len() > 5)
        || (first.ends_with("ed") && first.len() > 4)
}

/// A grade written after a title: `[1/5]`, `[30%]`, `[]`, `(7/10)`, ` – 2`, ` - 0.7`.
fn without_score(t: &str) -> &str {
    let s = t.trim_end();
    if let Some(open) = s.rfind('[')
        && s.ends_with(']')
        && s[open..].len() <= 12
    {
        return without_score(&s[..open]);
    }
    if let Some(open) = s.rfind('(')
        && s.ends_with(')')
        && s[open + 1..s.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | '.' | '%' | ' '))
    {
        return without_score(&s[..open]);
    }
    for dash in [" – ", " - ", " — "] {
        if let Some(at) = s.rfind(dash) {
            let grade = s[at + dash.len()..].trim();
            if !grade.is_empty()
                && grade.len() <= 4
                && grade
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '/')
            {
                return s[..at].trim_end();
            }
        }
    }
    s
}

/// The title without its numbering, KR or objective prefix, priority tag and grade.
fn body(t: &str) -> &str {
    let t = without_score(t);
    let mut s = &t[classify::numbering(t)..];
    s = s[labels::priority_tag(s)..].trim_start();
    if let Some(n) = labels::kr_prefix(s) {
        s = &s[n..];
    } else if let Some(n) = labels::objective_prefix(s) {
        s = &s[n..];
    } else if let Some((_, n)) = labels::owner_kr_prefix(s) {
        s = &s[n..];
    }
    if let Some((e, n)) = labels::label_prefix(s)
        && labels::is_role(&s[..e])
    {
        s = &s[n..];
    }
    s.trim()
}

/// Evidence that a node is an objective.
pub(crate) fn objective(n: &Node) -> f32 {
    let t = super::node::plain(n.frag.text().trim());
    let unnumbered = &t[classify::numbering(t)..];
    let mut e = 0.0;
    if objective_mark(unnumbered).is_some() {
        e += 3.0;
    } else if matches!(classify::classify(t), Kind::Objective) {
        e += 1.5;
    }
    if labels::kr_prefix(unnumbered).is_some() || labels::owner_kr_prefix(unnumbered).is_some() {
        e -= 4.0;
    }
    let b = body(t);
    let w = words(b).len();
    e += match w {
        0 => -3.0,
        1 => -1.5,
        2 => -0.5,
        3..=25 => 0.5,
        26..=40 => 0.0,
        _ => -1.5,
    };
    if starts_with_verb(b) {
        e += 0.5;
    }
    // `This is an example page.`, `It is built …`: a sentence about something, not a goal
    let first = b
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(
        first.as_str(),
        "this" | "these" | "it" | "there" | "here" | "that"
    ) {
        e -= 1.0;
    }
    let m = measures(b);
    if m > 0 {
        e -= 1.0 + 0.5 * (m.min(3) as f32 - 1.0);
    }
    // a line that ends `… as measured by:` introduces what follows; a table row's cell that
    // does introduces the cells beside it, which is what an objective's row holds
    if t.ends_with([':', '：']) && n.slot != Slot::Row {
        e -= 3.0;
    }
    if question(t) {
        e -= 2.0;
    }
    if matches!(n.slot, Slot::Heading(1)) {
        // the page's title
        e -= 1.5;
    } else if matches!(n.slot, Slot::Heading(_)) || n.frag.all_strong() {
        e += 0.5;
    }
    e
}

/// Evidence that a node is a key result.
pub(crate) fn key_result(n: &Node) -> f32 {
    let t = super::node::plain(n.frag.text().trim());
    let unnumbered = &t[classify::numbering(t)..];
    let mut e = 0.0;
    if labels::kr_prefix(unnumbered).is_some() || labels::owner_kr_prefix(unnumbered).is_some() {
        e += 3.0;
    }
    if labels::objective_prefix(unnumbered).is_some() {
        e -= 3.0;
    }
    let b = body(t);
    let full = &n.full[classify::numbering(&n.full)..];
    let m = measures(full);
    if m > 0 {
        e += 1.5;
        let lower = full.to_ascii_lowercase();
        if full.contains('%') || lower.contains(" from ") || lower.contains(" to ") {
            e += 0.5;
        }
    }
    let lower = b.to_ascii_lowercase();
    if lower.starts_with("zero ") || lower.starts_with("no ") || lower.contains(" 0 ") {
        e += 0.5;
    }
    if commitment_tag(t) {
        e += 1.5;
    }
    if starts_with_verb(b) {
        e += 1.0;
    }
    let w = words(b).len();
    e += match w {
        0 => -3.0,
        1 => -2.0,
        2 => -0.5,
        3..=40 => 0.3,
        _ => -1.0,
    };
    if t.ends_with([':', '：']) {
        e -= 1.0;
    }
    if question(t) {
        e -= 1.0;
    }
    e
}

/// `What is an OKR?`, `How do we grade?`: a question, not a goal.
fn question(t: &str) -> bool {
    let first = t
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let t = t.trim_end();
    // `目标是什么？`: a full-width question mark
    if t.ends_with('？') {
        return true;
    }
    t.ends_with('?')
        && matches!(
            first.as_str(),
            "what"
                | "how"
                | "why"
                | "when"
                | "where"
                | "who"
                | "which"
                | "is"
                | "are"
                | "do"
                | "does"
                | "can"
                | "should"
                // `Was ist das gewünschte Ergebnis?`, `¿Cómo …?`, `Pourquoi …?`
                | "was"
                | "wie"
                | "warum"
                | "wer"
                | "wo"
                | "wann"
                | "welche"
                | "¿qué"
                | "¿cómo"
                | "¿por"
                | "¿quién"
                | "¿cuál"
                | "pourquoi"
                | "comment"
                | "quel"
                | "quelle"
                | "qui"
                | "quem"
                | "qual"
                | "perché"
                | "cosa"
        )
}

/// `Measure: sessions per week`, `Target: ≥ 95%`: a property that says how the item before
/// it is measured.
pub(crate) fn measure_line(n: &Node) -> bool {
    labelled_one_of(
        n,
        &[
            "measure",
            "measured by",
            "measurement",
            "target",
            "metric",
            "kpi",
        ],
    )
}

/// Whether the node's text starts with one of these labels (`Score: 0.8`).
fn labelled_one_of(n: &Node, names: &[&str]) -> bool {
    let t = super::node::plain(n.frag.text().trim());
    labels::split_label(t).is_some_and(|(l, _)| names.contains(&l.trim_matches(['*', '_', ' '])))
}

/// `Score: 0.8`, `Status: done`, `Grade: B`: a property that says how far the node it is
/// under got, which is what a key result is given.
pub(crate) fn graded(n: &Node) -> bool {
    labelled_one_of(n, &["score", "final score", "grade", "status", "progress"])
        || bare_grade(super::node::plain(n.frag.text().trim()))
}

/// `Score 0.75 (shipped two of three)`, `Grade 0.4`: a grade written without its colon.
fn bare_grade(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    ["score ", "grade "].iter().any(|w| {
        lower
            .strip_prefix(w)
            .is_some_and(|rest| rest.trim_start().starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Words that number steps, periods or parts of a text, not goals (`Week 1:`, `Step 2:`).
const SERIES_NOT_GOALS: &[&str] = &[
    "step",
    "week",
    "day",
    "month",
    "year",
    "quarter",
    "phase",
    "sprint",
    "part",
    "chapter",
    "section",
    "lesson",
    "module",
    "release",
    "version",
    "milestone",
    "stage",
    "round",
    "session",
    "level",
    "appendix",
    "figure",
    "table",
    "example",
    "option",
    "question",
    "kr",
    "key",
    "q",
    "h",
    "o",
    "objective",
    "okr",
    "item",
    "task",
    "issue",
    "note",
    "kpi",
    "metric",
    "indicator",
    "measure",
    "risk",
    "assumption",
    "hypothesis",
    "rule",
    "principle",
];

/// Sibling headings numbered in a series of one word (`## Aspiration 1: …`, `## Aspiration 2:
/// …`, three or more, numbered 1, 2, 3 …), other than words that number steps or periods.
pub(crate) fn numbered_series(nodes: &[Node]) -> Vec<usize> {
    let mark = |t: &str| -> Option<(String, u32)> {
        let t = super::node::plain(t.trim());
        let (word, rest) = t.split_once(' ')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].trim_start();
        let word = word.to_lowercase();
        (!digits.is_empty()
            && word.chars().all(char::is_alphabetic)
            && after.starts_with([':', '.', ')', '-', '–', '—', '：'])
            && !SERIES_NOT_GOALS.contains(&word.as_str()))
        .then(|| (word, digits.parse().unwrap_or(0)))
    };
    let mut out = Vec::new();
    // (parent, word) → (node, number) of each heading in the series
    type Series = std::collections::BTreeMap<(Option<usize>, String), Vec<(usize, u32)>>;
    let mut groups = Series::new();
    for (i, n) in nodes.iter().enumerate() {
        if !matches!(n.slot, Slot::Heading(_)) {
            continue;
        }
        if let Some((word, k)) = mark(n.frag.text()) {
            groups.entry((n.parent, word)).or_default().push((i, k));
        }
    }
    for members in groups.values() {
        let in_order = members
            .iter()
            .enumerate()
            .all(|(at, m)| m.1 == at as u32 + 1);
        if members.len() >= 3 && in_order {
            out.extend(members.iter().map(|m| m.0));
        }
    }
    out
}

/// The number an objective's mark gives it (`O1：…` → `1`, `Objective 2: …` → `2`), when
/// it is marked with one.
pub(crate) fn objective_number(t: &str) -> Option<String> {
    let t = super::node::plain(t.trim());
    let t = &t[classify::numbering(t)..];
    let at = objective_mark(t)?;
    let digits: String = t[..at].chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}

/// How a title says what follows illustrates OKRs rather than sets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Shown {
    /// `Example`, `Examples of objectives`, `Beispiel`: maybe made up, maybe the team's own
    /// from an earlier quarter.
    Example,
    /// `Good OKR:`, `Good vs. Bad OKRs`: a guide's verdict on OKRs it made up to show.
    Judged,
}

/// Whether a title says what follows illustrates OKRs (`Good vs. Bad OKRs`, `Bad OKR:`,
/// `Example`, `Beispiel`), and how.
pub(crate) fn names_examples(t: &str) -> Option<Shown> {
    let lower = t.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '.')
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty())
        .collect();
    let example = words.iter().any(|w| {
        matches!(
            *w,
            "example"
                | "examples"
                | "e.g"
                | "sample"
                | "samples"
                | "illustration"
                | "exemplo"
                | "exemplos"
                | "ejemplo"
                | "ejemplos"
                | "exemple"
                | "exemples"
                | "beispiel"
                | "beispiele"
                | "esempio"
                | "contoh"
                | "ví"
        )
    }) || ["示例", "例子", "例：", "サンプル", "예시"]
        .iter()
        .any(|w| lower.contains(w));
    // `Good OKR:`, `Bad objectives`: a verdict on OKRs shown
    let verdict = words.iter().any(|w| matches!(*w, "good" | "bad"))
        && words
            .iter()
            .any(|w| matches!(*w, "okr" | "okrs" | "objective" | "objectives"));
    if words.len() > 8 {
        return None;
    }
    if verdict {
        Some(Shown::Judged)
    } else {
        example.then_some(Shown::Example)
    }
}

/// The text after its numbering and any bullet or mark written before it (`1. `, `• `).
pub(crate) fn unmarked_text(t: &str) -> &str {
    let t = super::node::plain(t.trim());
    &t[classify::numbering(t)..]
}

/// `Objective 2: …`, `O1. …`, `Objective: …`: an objective in so many words.
pub(crate) fn marked_objective(n: &Node) -> bool {
    marks(n.frag.text()).0
}

/// Whether a line says it is an objective (`Objective:`, `O1.`, `OKR 1:`) and whether it says
/// it is a key result (`KR 1:`, `CEO KR:`), after its numbering and any bullet or mark
/// written before it (`• `, `📌 `).
pub(crate) fn marks(t: &str) -> (bool, bool) {
    let t = super::node::plain(t.trim());
    let t = &t[classify::numbering(t)..];
    (
        objective_mark(t).is_some(),
        labels::kr_prefix(t).is_some() || labels::owner_kr_prefix(t).is_some(),
    )
}

/// Where the objective's text starts after a mark that says it is one: `Objective 2:`,
/// `O1.`, `OKR 1:`, `**Hedef (Objective):**` (a label naming it, in any language, with the
/// English word beside it).
pub(crate) fn objective_mark(t: &str) -> Option<usize> {
    if let Some(n) = labels::objective_prefix(t) {
        return Some(n);
    }
    let lower = t.to_ascii_lowercase();
    // `OCTO Objective 1: …`, `Team Objective 2: …`: whose objective, then the numbered mark
    if let Some(at) = lower.find(" objective")
        && t[..at].split_whitespace().count() <= 2
        && t[..at]
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
        && t[..at].starts_with(|c: char| c.is_uppercase())
        && lower[at + " objective".len()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
        && let Some(n) = labels::objective_prefix(&t[at + 1..])
    {
        return Some(at + 1 + n);
    }
    // `Objective O1 — Steerable surface`: the word, then the objective's own number
    if let Some(rest) = lower.strip_prefix("objective ")
        && let Some(n) = labels::objective_prefix(&t["objective ".len()..])
        && rest.starts_with('o')
    {
        return Some("objective ".len() + n);
    }
    if let Some(rest) = lower.strip_prefix("okr") {
        // `OKR 1:`, `OKR #1:`, `OKR-1:`
        let digits = rest.trim_start_matches([' ', '#', '-']);
        let n = digits.bytes().take_while(u8::is_ascii_digit).count();
        let after = digits[n..].trim_start_matches([' ', '.']);
        if n > 0 && after.starts_with([':', '-', '–', '—']) {
            let title = after[1..].trim_start();
            if !title.is_empty() {
                return Some(t.len() - title.len());
            }
        }
        // `okr1 湖仓一体`, `OKR 2 Grow the team`: a small number, a space, the title (not
        // `OKR 2024 planning`)
        if (1..=2).contains(&n) && digits[n..].starts_with(' ') && !after.is_empty() {
            return Some(t.len() - after.len());
        }
    }
    let (label, at) = labels::split_label(t)?;
    let value = t[at..].trim_start();
    // `Possible objective: …`, `Example objective: …`: one discussed or shown, not set
    let discussed = [
        "possible ",
        "potential ",
        "candidate ",
        "alternative ",
        "example ",
        "sample ",
        "rejected ",
    ]
    .iter()
    .any(|q| label.starts_with(q));
    let named = !discussed
        && (label.contains("(objective)") || label == "objective" || label.ends_with(" objective"));
    (named && !value.is_empty()).then(|| t.len() - value.len())
}

/// Words that name OKRs or objectives (`OKRs`, `OKR's`, `objectives`, `goals`).
fn okr_words(lower: &str) -> bool {
    let n = lower.split_whitespace().count();
    n <= 12
        && lower
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .any(|w| {
                matches!(w, "okrs" | "okr's" | "okr" | "goals") || classify::OBJECTIVES.contains(&w)
            })
}

/// A heading that says goals follow in the plural (`Secondary Goals:`, `Q3 objectives`,
/// `Team OKRs`, `Key results`), not one that only mentions an OKR (`Why this OKR fits`).
pub(crate) fn names_goals(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    lower.contains("key results")
        || lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| matches!(w, "goals" | "objectives" | "okrs"))
}

/// `**Pokedex Completion**: See or catch diverse species`: a bold title over a sentence
/// that says what to do, under a label that is not metadata.
pub(crate) fn titled_goal(n: &Node) -> bool {
    let t = n.frag.text();
    n.frag.bold_label()
        && labels::split_label(t).is_some_and(|(l, at)| {
            let l = l.trim_matches(['*', '_', ' ']).to_ascii_lowercase();
            !META_LABELS.contains(&l.as_str())
                && !OTHER_SECTIONS.contains(&l.as_str())
                && t[at..].split_whitespace().count() >= 3
        })
}
