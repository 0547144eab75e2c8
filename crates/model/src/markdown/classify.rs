//! What a line of a page is: the words that mark an objective, a key result, a label or
//! meta text (schedules, notes), and the tests that tell a plausible objective or key result
//! from prose.

use super::frag::Frag;
use super::labels::{self, Section};
use super::period::{self, Found};
use super::reader::*;
use super::tree::{Block, Item};
use std::ops::Range;

/// Heading words that mark what is under the heading as something other than objectives.
pub(super) const META_WORDS: &[&str] = &[
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
    "vision",
    "mission",
    "purpose",
    "values",
    "guidelines",
    "tips",
    "log",
    "logs",
    "journal",
    "session",
    "sessions",
    "status",
    "usage",
    "commands",
    "installation",
    "setup",
];

/// Words in an OKR heading that name neither a team nor a person.
pub(super) const QUALIFIERS: &[&str] = &[
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
pub(super) enum Kind {
    Meta,
    Section(Section),
    KrHeading,
    Objective,
    Period(Found),
    Container,
    Plain,
}

pub(super) fn words_lower(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-') {
        // `年度OKR`, `2022OKR`: a Latin word written against CJK text or digits is a word
        let mut start = 0;
        let mut prev: Option<bool> = None;
        for (i, c) in w.char_indices() {
            let latin = c.is_ascii_alphabetic() || c == '\'' || c == '-';
            let cjk = (c as u32) >= 0x2e80;
            if let Some(p) = prev
                && p != latin
                && (cjk || (c.is_ascii_alphabetic() && !w[start..i].is_ascii()))
            {
                out.push(w[start..i].to_ascii_lowercase());
                start = i;
            }
            prev = Some(latin);
        }
        if start < w.len() {
            out.push(w[start..].to_ascii_lowercase());
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

pub(super) fn has_okr_words(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words = words_lower(text);
    (words
        .iter()
        .any(|w| w == "okrs" || OBJECTIVES.contains(&w.as_str()))
        || lower.contains("key results"))
        || (words.iter().any(|w| w == "okr" || w == "goals") && words.len() > 1)
}

/// "Objectives" in the languages OKR pages are written in (`## Obiettivi strategici`,
/// `## Unsere Ziele`): a heading over objectives.
pub(super) const OBJECTIVES: &[&str] = &[
    "objectives",
    "objetivos",
    "objectifs",
    "obiettivi",
    "ziele",
    "doelen",
    "doelstellingen",
    "metas",
    "hedefler",
    "tavoitteet",
];

/// The words of a heading left when the period and the OKR words are taken out.
pub(super) fn leftover(text: &str, period: Option<&Range<usize>>) -> String {
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

/// Headings about the work around the OKRs in Chinese, Japanese and Korean (a progress log, the
/// review rhythm, the schedule, notes, an appendix), which have no spaces to split words on.
const CJK_META: &[&str] = &[
    "进展",
    "進展",
    "进度",
    "進度",
    "進捗",
    "记录",
    "記録",
    "日志",
    "日誌",
    "复盘",
    "復盤",
    "振り返り",
    "节奏",
    "節奏",
    "排期",
    "日程",
    "附录",
    "附錄",
    "付録",
    "参考",
    "參考",
    "背景",
    "说明",
    "說明",
    "备注",
    "備註",
    "メモ",
    "更新",
    "变更",
    "變更",
    "风险",
    "風險",
    "リスク",
    "工具",
    "流程",
    "会议",
    "會議",
    "周报",
    "週報",
    "평가",
    "회고",
    "참고",
    "메모",
    "일정",
    "진행",
];

/// A short CJK heading (eight characters at most, no Latin words) naming one of [`CJK_META`].
fn cjk_meta(t: &str) -> bool {
    let t = t.trim().trim_end_matches([':', '：']);
    let cjk = t.chars().filter(|c| *c as u32 >= 0x3000).count();
    cjk > 0
        && t.chars().count() <= 8
        && !t.chars().any(|c| c.is_ascii_alphabetic())
        && CJK_META.iter().any(|m| t.contains(m))
}

pub(super) fn classify(text: &str) -> Kind {
    let t = text.trim();
    if let Some(s) = labels::section_name(t) {
        return Kind::Section(s);
    }
    if labels::kr_prefix(t).is_some() {
        return Kind::KrHeading;
    }
    let unnumbered = &t[numbering(t)..];
    // `CEO: Grow ARR` is the CEO's objective; `Team OKRs: Django + Celery` names the page's
    // OKRs, not a team's one objective
    if labels::objective_prefix(unnumbered).is_some()
        || labels::label_prefix(unnumbered).is_some_and(|(e, _)| {
            labels::is_role(&unnumbered[..e]) && !has_okr_words(&unnumbered[..e])
        })
    {
        return Kind::Objective;
    }
    let words = words_lower(t);
    let question = matches!(
        words.first().map(String::as_str),
        Some("what" | "how" | "why" | "when" | "where" | "who" | "which")
    ) || t.ends_with('?');
    if question
        || (words_lower(&without_stamps(&without_parens(t))).len() <= 3
            && words_lower(&t.to_ascii_lowercase().replace("key results", "okrs"))
                .iter()
                .any(|w| META_WORDS.contains(&w.as_str())))
        || t.to_ascii_lowercase().contains("on this page")
        || cjk_meta(t)
        || (about_the_work(t) && labels::kr_prefix(t).is_none())
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

/// `Front-end leadership tasks`, `How we review`, `Doing a code review`: a heading over a
/// section of the handbook around the OKRs (its tasks, duties, how the team works), not
/// over objectives.
pub(super) fn about_the_work(t: &str) -> bool {
    let lower = t.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let about = words.iter().any(|w| {
        matches!(
            w.trim_matches(|c: char| !c.is_alphanumeric()),
            "tasks" | "responsibilities" | "duties" | "checklist" | "guidelines" | "faq" | "howto"
        )
    });
    let how = matches!(
        words.as_slice(),
        ["how" | "why", "we" | "to", ..] | ["doing", ..]
    );
    (about || how) && words.len() <= 6
}

/// The text without its parenthesized parts: `Notes (for pitch alignment)` is a heading of
/// notes, however long the aside.
fn without_parens(t: &str) -> String {
    labels::without_enclosed(t, &['(', '（'], &[')', '）'])
}

/// The text without date and time stamps (`2025-06-18`, `17:48`, `17:48:12`): a heading
/// such as `Session 2025-06-18 17:48` is two words of its own.
fn without_stamps(t: &str) -> String {
    t.split_whitespace()
        .filter(|w| {
            let w = w.trim_matches(|c: char| !c.is_ascii_digit());
            let digits = w.chars().filter(char::is_ascii_digit).count();
            !(digits >= 3
                && w.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | '/'))
                && w.contains(['-', ':', '/']))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `1. `, `2) `, `#3 ` at the start of a heading: its length.
pub(super) fn numbering(t: &str) -> usize {
    // `一、`, `三、`, `2、`: numbering as Chinese and Japanese pages write it
    let cjk =
        t.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
    if cjk.len() < t.len()
        && let Some(r) = cjk.strip_prefix('、')
    {
        return t.len() - r.trim_start().len();
    }
    let s = t.strip_prefix('#').unwrap_or(t);
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 3 {
        return 0;
    }
    let mut rest = &s[digits..];
    // `4.1 `, `1.2.3. `: a section number of several levels
    let mut levels = 1;
    while let Some(r) = rest.strip_prefix('.') {
        let d = r.bytes().take_while(u8::is_ascii_digit).count();
        if d == 0 || d > 3 {
            break;
        }
        rest = &r[d..];
        levels += 1;
    }
    match rest.strip_prefix(['.', ')']) {
        Some(r) if r.starts_with(' ') => t.len() - r.trim_start().len(),
        // `1.5 million` is a number, `4.1 Execution` a section's
        None if levels > 1
            && rest.starts_with(' ')
            && rest.trim_start().starts_with(|c: char| c.is_uppercase()) =>
        {
            t.len() - rest.trim_start().len()
        }
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

/// Roles that name a person rather than a team, in a heading over objectives.
pub(super) const PERSON_ROLES: &[&str] = &[
    "ceo", "cto", "cfo", "coo", "cpo", "cmo", "cro", "ciso", "vp", "svp", "evp", "head",
    "director", "lead", "manager", "pm", "founder", "founders",
];

/// An item that is only a link (a table of contents, an index of pages).
pub(super) fn link_only(item: &Item) -> bool {
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
pub(super) fn kr_evidence(secs: &[Sec], id: usize) -> bool {
    let s = &secs[id];
    // `### Backend Engineer` over `**Objective:** Make the APIs fast` and its key results: the
    // heading names whose objective it is; the labelled line is the objective
    let states_objective = s.blocks.iter().any(|b| match b {
        Block::Para { inline, .. } => Frag::lines(inline)
            .first()
            .is_some_and(|f| labels::objective_prefix(f.text()).is_some()),
        _ => false,
    });
    if states_objective {
        return false;
    }
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
pub(super) fn plausible_objective(secs: &[Sec], id: usize, f: Frag) -> bool {
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
    // a section whose every sub-heading is about the work (`Why we do code reviews`,
    // `Doing a code review`) is a part of the handbook, not an objective with notes
    let kids: Vec<&str> = s
        .children
        .iter()
        .filter_map(|&c| secs[c].heading.map(|h| h.text.as_str()))
        .collect();
    let handbook = kids.len() >= 2 && kids.iter().all(|h| about_the_work(h));
    words >= 2 && content && !subheadings && !handbook && !f.text().ends_with([':', '：'])
}
