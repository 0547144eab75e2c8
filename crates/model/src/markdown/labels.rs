//! The words around a title: `Objective 1:`, `KR2 -`, `**CEO KR:**`, `CEO:`, `(Owner: Dana)`,
//! `- @alanshaw`, `` `P0` ``, `=> done`, placeholders such as `X%`, and the values in a key
//! result's title (`from 23% to 35%`).

use crate::source::Span;
use crate::source::Spanned;
use crate::values::{Quantity, is_year_at, quantities_in};

/// `Objective 1: Title`, `Objective: Title`, `OBJECTIVE: Title`, `O2 - Title`, `Goal 1: Title`,
/// `Problem Area: Title` → the byte offset where the title starts. `Objective 1` alone (a
/// template's placeholder) is an objective titled as written.
/// "Objective" in the languages OKR pages are written in (lowercase as `to_ascii_lowercase`
/// leaves them).
pub(crate) const OBJECTIVE_WORDS: &[&str] = &[
    "objective",
    "objetivo",
    "objectif",
    "obiettivo",
    "doel",
    "ziel",
    "hedef",
    "mục tiêu",
    "目标",
    "目標",
    "목표",
];

pub(crate) fn objective_prefix(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    // the word in the languages OKR pages are written in (before `obj`, which begins some)
    let word = OBJECTIVE_WORDS
        .iter()
        .chain(&["obj", "problem area", "goal", "o"])
        .copied()
        .find(|w| lower.starts_with(w))?;
    let rest = &text[word.len()..];
    let rest = match rest.strip_prefix('-') {
        // `O-1 …`
        Some(r) if word == "o" && r.starts_with(|c: char| c.is_ascii_digit()) => r,
        _ => rest,
    };
    if word == "o"
        && !rest.starts_with(|c: char| c.is_ascii_digit() || matches!(c, ':' | '：' | '｜' | '|'))
    {
        return None; // `O1 …`, `O: …`, not `Onboard …`
    }
    let numbered = rest.trim_start_matches([' ', '#']);
    let after_num =
        numbered.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.');
    let has_digits = numbered.starts_with(|c: char| c.is_ascii_digit());
    if after_num.to_ascii_lowercase().starts_with("kr") {
        return None; // `O1KR2`, `O1 KR2`: a key result of objective 1
    }
    if word == "goal" && after_num.len() == rest.len() && !rest.trim_start().starts_with(':') {
        return None; // "Goals for the team", "Goal setting"
    }
    // `：` and `｜` as Chinese and Japanese pages write them
    let sep = match after_num.strip_prefix([':', '-', '–', '—', ')', '.', '：', '｜', '|']) {
        Some(s) => s,
        // `O1 Title`, `Objective 2 Title`: a number, then the text
        None if has_digits
            && after_num.len() < rest.len()
            && rest.starts_with([' ', '#', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
            && word != "goal" =>
        {
            after_num
        }
        None => return None,
    };
    let title = sep.trim_start();
    if title.is_empty() {
        return None;
    }
    Some(text.len() - title.len())
}

/// Whether the text is only a key result's label (`KR1`, `O1KR2`, `Key Result 3:`) with
/// no title.
pub(crate) fn is_bare_kr_label(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_end_matches([':', ' ', '.'])
        .to_ascii_lowercase();
    let lower = match lower.strip_prefix('o') {
        Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => r
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches([' ', '.', '-'])
            .to_string(),
        _ => lower,
    };
    let rest = lower
        .strip_prefix("key result")
        .or_else(|| lower.strip_prefix("kr"));
    rest.is_some_and(|r| {
        r.chars().any(|c| c.is_ascii_digit())
            && r.chars()
                .all(|c| c.is_ascii_digit() || c == ' ' || c == '.' || c == '#')
    })
}

/// Whether the text is only `Objective 1` / `Objective:` with no title.
pub(crate) fn is_bare_objective_label(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_end_matches([':', ' '])
        .to_ascii_lowercase();
    let rest = OBJECTIVE_WORDS
        .iter()
        .find_map(|w| lower.strip_prefix(w))
        .map(|r| r.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.'));
    // `O`, `O1`, `O 2` alone: the short form pages that write `KR` use
    let short = lower.strip_prefix('o').is_some_and(|r| {
        r.chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '.')
    });
    rest.is_some_and(str::is_empty) || short
}

/// `Objectives`, `Ultimate Objectives:`, `Objetivos`, `目标`: a heading or line that labels
/// the objectives listed under it (plural, with at most two words before it).
pub(crate) fn objectives_label(text: &str) -> bool {
    let lower = text
        .trim()
        .trim_matches(|c: char| c == '*' || c == ':' || c == '：' || c.is_whitespace())
        .to_lowercase();
    let words = lower.split_whitespace().count();
    let plural = [
        "objectives",
        "objetivos",
        "objectifs",
        "obiettivi",
        "ziele",
        "目标",
        "目標",
        "mục tiêu",
    ];
    words <= 3 && plural.iter().any(|p| lower.ends_with(p)) && !lower.contains("key result")
}

/// The mark a key result is numbered with (`kr1`, `kr1a`, `kr1.2`), lowercase, if it has one.
pub(crate) fn kr_mark(t: &str) -> Option<String> {
    let lower = t.trim_start().to_ascii_lowercase();
    let rest = lower.strip_prefix("kr")?;
    let rest = rest.trim_start_matches([' ', '-']);
    if !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    Some(format!("kr{}", body.trim_end_matches('.')))
}

/// Whether mark `m` numbers a part of the key result marked `parent` (`kr1a` or `kr1.2` of
/// `kr1`; not `kr12`).
pub(crate) fn part_of(m: &str, parent: &str) -> bool {
    m.len() > parent.len()
        && m.starts_with(parent)
        && m[parent.len()..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '.')
}

/// "Key result" in the languages OKR pages are written in (lowercase as `to_ascii_lowercase`
/// leaves them), in the singular: a plural label (`Key Results: Alice and Bob`,
/// `Résultats clés :`) names a section, not one key result ([`section_name`]).
const KR_WORDS: &[&str] = &[
    "key result",
    "kr",
    "résultat clé",
    "resultado clave",
    "resultado-chave",
    "resultado chave",
    "risultato chiave",
    "schlüsselergebnis",
    "kết quả then chốt",
    "kết quả chính",
    "关键结果",
    "關鍵結果",
    "主要な結果",
    "핵심 결과",
    "anahtar sonuç",
    "kernresultaat",
];

/// `KR1: …`, `KR 2 - …`, `KR: …`, `KR1.1 …`, `Key Result: …`, `Key result 1.1: …`, `KR -`,
/// `Résultat clé : …`, `关键结果1：…`: the offset where the key result's text starts.
pub(crate) fn kr_prefix(text: &str) -> Option<usize> {
    // `O1KR2`, `O1.KR2`, `O1 KR2`: the objective's number before the key result's
    let text_all = text;
    let lower_all = text.to_ascii_lowercase();
    let skip = lower_all
        .strip_prefix('o')
        .map(|r| {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            let after = &r[digits..];
            let sep = after.len() - after.trim_start_matches([' ', '.', '-']).len();
            (digits, sep, after[sep..].starts_with("kr"))
        })
        .filter(|(d, _, kr)| *d > 0 && *kr)
        .map_or(0, |(d, sep, _)| 1 + d + sep);
    let text = &text_all[skip..];
    let lower = text.to_ascii_lowercase();
    let word = KR_WORDS.iter().find(|w| lower.starts_with(**w))?;
    let rest = &text[word.len()..];
    let after_num = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.');
    // `KR 1 (Data accuracy): …`: a name in parentheses between the number and the colon
    let numbered = after_num.len() < rest.len();
    let after_num = match after_num.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((name, r))
            if numbered
                && name.chars().count() <= 40
                && r.trim_start().starts_with([':', '：']) =>
        {
            r.trim_start()
        }
        _ => after_num,
    };
    let title = match after_num.strip_prefix([':', '：', '-', '–', '—', ')']) {
        Some(t) => t,
        // `KR1 Increase …` (a number, then the text)
        None if after_num.len() < rest.len() && rest.starts_with(|c: char| c.is_ascii_digit()) => {
            after_num
        }
        None => return None,
    };
    let title = title.trim_start();
    (!title.is_empty()).then(|| skip + text.len() - title.len())
}

/// `CEO KR: …`: an owner's key result. Returns the owner's end and the text's start.
pub(crate) fn owner_kr_prefix(text: &str) -> Option<(usize, usize)> {
    let (label, _) = text.split_once(':')?;
    let owner = label
        .trim()
        .strip_suffix(" KR")
        .or_else(|| label.trim().strip_suffix(" KRs"))?;
    if owner.is_empty() || owner.split_whitespace().count() > 3 {
        return None;
    }
    let start = label.len() + 1;
    let title = text[start..].trim_start();
    (!title.is_empty()).then(|| (owner.len(), text.len() - title.len()))
}

/// Words that say a label is a role or a team (`CEO:`, `Head of Eng:`, `Customer success:`).
const ROLE_WORDS: &[&str] = &[
    "ceo",
    "cto",
    "cfo",
    "coo",
    "cpo",
    "cmo",
    "cro",
    "ciso",
    "vp",
    "svp",
    "evp",
    "head",
    "director",
    "lead",
    "manager",
    "pm",
    "eng",
    "engineering",
    "product",
    "sales",
    "marketing",
    "design",
    "support",
    "success",
    "ops",
    "operations",
    "finance",
    "people",
    "talent",
    "legal",
    "security",
    "platform",
    "infra",
    "infrastructure",
    "data",
    "growth",
    "team",
    "hr",
    "recruiting",
    "devrel",
    "community",
    "research",
    "qa",
    "analytics",
    "revenue",
    "partnerships",
    "bizops",
    "techops",
    "ux",
    "company",
    "exec",
    "executive",
    "founder",
];

/// Labels that introduce something other than an owner (besides [`DETAIL_LABELS`] and
/// [`OBJECTIVE_LABELS`]).
const NOT_OWNERS: &[&str] = &[
    "goals",
    "status",
    "progress",
    "note",
    "notes",
    "update",
    "result",
    "results",
    "deadline",
    "due",
    "example",
    "e.g",
    "description",
    "context",
    "problem",
    "solution",
    "hypothesis",
    "objective",
    "objectives",
    "key results",
    "key result",
    "kr",
    "krs",
    "initiatives",
    "guardrails",
    "period",
    "timeline",
    "focus",
    "summary",
    "outcome",
    "impact",
    "score",
    "confidence",
    "tracked",
    "active from",
    "vision",
    "mission",
    "strategy",
    "tbd",
];

fn is_not_owner(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    [NOT_OWNERS, DETAIL_LABELS, OBJECTIVE_LABELS]
        .iter()
        .any(|list| list.contains(&l.as_str()))
}

/// A short label before a colon that could name who owns the line (`Sales (Closing Deals)`).
/// Returns the label's end and the text's start.
pub(crate) fn label_prefix(text: &str) -> Option<(usize, usize)> {
    let colon = text.find(':')?;
    let label = text[..colon].trim();
    let words = label.split_whitespace().count();
    if label.is_empty()
        || words > 4
        || !label.starts_with(|c: char| c.is_uppercase())
        || label
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '$' | '%' | '"' | '='))
        || is_not_owner(label)
        || text[colon + 1..].starts_with("//")
    {
        return None;
    }
    let title = text[colon + 1..].trim_start();
    if title.is_empty() {
        return None;
    }
    Some((
        label.len() + (text.len() - text.trim_start().len()),
        text.len() - title.len(),
    ))
}

/// Whether a label names a role or a team by its words.
pub(crate) fn is_role(label: &str) -> bool {
    label
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ROLE_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// `` `P0` - ``, `PX -`, `[P1] `, `(P2)` at the start: the priority tag's length.
pub(crate) fn priority_tag(text: &str) -> usize {
    let t = text.trim_start();
    let lead = text.len() - t.len();
    let inner = t
        .strip_prefix('[')
        .or_else(|| t.strip_prefix('('))
        .unwrap_or(t);
    let b = inner.as_bytes();
    if b.len() >= 2 && b[0] == b'P' && (b[1].is_ascii_digit() || b[1] == b'X') {
        let bracketed = inner.len() < t.len();
        let mut used = t.len() - inner.len() + 2;
        let rest = &t[used..];
        if bracketed && rest.starts_with([']', ')']) {
            used += 1;
        } else if bracketed || !rest.trim_start().starts_with(['-', '–', ':', '@']) {
            // `P0 bugs fixed within a day`: the P0 is part of the text
            return 0;
        }
        let rest = &t[used..];
        let after = rest.trim_start_matches([' ', '-', '–', ':']);
        // `P0 @sam - …`: the handle stays for the owner
        return lead + used + (rest.len() - after.len());
    }
    0
}

/// `@alanshaw - ` at the start or ` - @alanshaw` at the end: the handle and the text range
/// without it.
pub(crate) fn handle(text: &str) -> Option<(String, std::ops::Range<usize>)> {
    let t = text.trim_end();
    if let Some(i) = t.rfind(" - @").or_else(|| t.rfind(" — @")) {
        let h = t[i..].trim_start_matches([' ', '-', '—']).trim();
        if !h.contains(' ') && h.len() > 1 {
            return Some((h.to_string(), 0..i));
        }
    }
    let s = text.trim_start();
    if s.starts_with('@') {
        let end = s.find(' ').unwrap_or(s.len());
        let h = &s[..end];
        let rest = s[end..].trim_start_matches([' ', '-', '—', ':']);
        if h.len() > 1 && !rest.is_empty() {
            return Some((h.to_string(), text.len() - rest.len()..text.len()));
        }
    }
    None
}

/// ` => done`, ` ==> 66% on time`: a note on the result after the key result; its start.
pub(crate) fn result_note(text: &str) -> Option<usize> {
    text.find(" =>").or_else(|| text.find(" ==>"))
}

/// A template's blank to fill in, not an objective or a key result (where [`placeholder`]
/// is one number left to fill in a real one): text made only of
/// bracketed parts (`[Objective title]`, `[Measurable result 1] (Week N)`, `<objective>`,
/// `{{ key_result }}`), of underscores or dots (`______`), or `TBD`.
pub(crate) fn is_blank(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if matches!(
        lower.trim_end_matches(['.', ':']),
        "tbd" | "tba" | "todo" | "xxx" | "…" | "..."
    ) || t.chars().all(|c| matches!(c, '_' | '.' | '…' | '-' | ' '))
    {
        return true;
    }
    // what is left outside brackets: nothing but separators, and at least one bracketed part
    let mut depth = 0i32;
    let mut outside = String::new();
    let mut parts = 0;
    for c in t.chars() {
        match c {
            '[' | '<' | '{' | '(' | '【' | '「' => {
                if depth == 0 && c != '(' {
                    parts += 1;
                }
                depth += 1;
            }
            ']' | '>' | '}' | ')' | '】' | '」' => depth -= 1,
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    parts > 0 && depth == 0 && outside.chars().all(|c| !c.is_alphanumeric())
}

/// `KR 1.1`, `KR2`, `1.3`, `O1KR2:`: a key result's mark and nothing else.
pub(crate) fn bare_mark(t: &str) -> bool {
    let lower = t.trim().trim_end_matches([':', '：']).to_ascii_lowercase();
    let rest = lower.strip_prefix('o').map_or(lower.as_str(), |r| {
        r.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')
    });
    let rest = rest.strip_prefix("kr").unwrap_or(rest);
    let rest = rest.trim_start_matches([' ', '-', '#']);
    rest.chars().next().is_some_and(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c.is_ascii_lowercase() && rest.len() <= 5)
}

/// A placeholder where a number belongs (`X%`, `$N`, `N0`, `TBD`): its byte range in `text`.
pub(crate) fn placeholder(text: &str) -> Option<std::ops::Range<usize>> {
    let mut start = None;
    let check = |w: &str| -> bool {
        let w = w.trim_matches(|c: char| {
            matches!(c, '.' | ',' | ';' | '(' | ')' | '[' | ']' | '*' | '_')
        });
        if matches!(
            w,
            "TBD" | "TBC" | "TBA" | "??" | "???" | "XX%" | "X%" | "x%" | "y%" | "z%"
        ) {
            return true;
        }
        let w = w.strip_prefix('$').unwrap_or(w);
        let w = w.strip_suffix(['%', 'k', 'K', 'M', 'x']).unwrap_or(w);
        let mut chars = w.chars();
        match chars.next() {
            Some('X' | 'Y' | 'Z' | 'N') => {
                let rest: String = chars.collect();
                (rest.is_empty() || rest.chars().all(|c| c.is_ascii_digit()) || rest == "X")
                    && w.len() <= 4
            }
            _ => false,
        }
    };
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let sep = c.is_whitespace() || c == '/';
        match (sep, start) {
            (true, Some(s)) => {
                if check(&text[s..i]) {
                    let word = &text[s..i];
                    let lead = word.len() - word.trim_start_matches(['(', '[', '*', '_']).len();
                    let kept = word
                        .trim_end_matches(['.', ',', ';', ')', ']', '*', '_'])
                        .len();
                    return Some(s + lead..s + kept);
                }
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    None
}

/// Labels of details written under or beside a key result.
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
    "dri",
];

/// Finds `Label: value` pairs in a line, wherever the labels stand (`Current: 23% | Target: 35%`).
/// Returns (label start, label, value).
pub(crate) fn detail_parts(text: &str) -> Vec<(usize, &'static str, &str)> {
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<(usize, usize, &'static str)> = Vec::new();
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

/// Labels of lines that describe an objective (`**Owner:** Dana`).
pub(crate) const OBJECTIVE_LABELS: &[&str] = &[
    "why",
    "why this matters",
    "owner",
    "owners",
    "dri",
    "tracking manager",
    "lead",
    "aligns to",
    "parent",
    "supports",
    "team",
    "type",
    "commitment",
];

/// `Label: value` with a known-looking label (a few words before the colon).
pub(crate) fn split_label(text: &str) -> Option<(String, usize)> {
    // `Owner:` or, as Chinese and Japanese pages write it, `负责人：`
    let at = text.find([':', '：'])?;
    let label = &text[..at];
    let colon = text[at..].chars().next().map_or(1, char::len_utf8);
    let clean = label.trim().trim_matches(['*', '_']).trim();
    if clean.is_empty()
        || clean.split_whitespace().count() > 6
        || clean.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    Some((clean.to_ascii_lowercase(), label.len() + colon))
}

/// What a line or heading opens: the key results, the initiatives or the guardrails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    KeyResults,
    Initiatives,
    Guardrails,
}

/// `Key results`, `KRs:`, `Success criteria`, `We'll know we're successful when:` …
pub(crate) fn section_name(text: &str) -> Option<Section> {
    let t = text
        .trim()
        .trim_end_matches([':', '*', ' '])
        .trim_start_matches(['*', ' '])
        .trim()
        .to_ascii_lowercase()
        .replace('’', "'");
    match t.as_str() {
        "key results"
        | "key result"
        | "krs"
        | "kr"
        | "results"
        | "success criteria"
        | "measures of success"
        | "how we'll measure success"
        | "how we will measure success"
        | "we'll know we're successful when"
        | "we will know we are successful when"
        | "success looks like"
        | "what success looks like"
        | "key results (krs)"
        // the same label in the other languages OKR pages are written in
        | "résultats clés"
        | "resultados clave"
        | "resultados-chave"
        | "resultados chave"
        | "risultati chiave"
        | "schlüsselergebnisse"
        | "kết quả then chốt"
        | "关键结果"
        | "關鍵結果"
        | "主要な結果"
        | "핵심 결과"
        | "anahtar sonuçlar"
        | "kernresultaten" => Some(Section::KeyResults),
        "initiatives" | "projects" | "key initiatives" | "关键举措" | "举措" | "關鍵舉措"
        | "initiatives clés" | "iniciativas" | "iniziative" => Some(Section::Initiatives),
        "guardrails" | "guardrail metrics" | "counter metrics" | "counter-metrics" => {
            Some(Section::Guardrails)
        }
        _ => None,
    }
}

/// Reads `from 23% to 35%`, `23% → 35%` or `23% to 35%` (baseline and target), or else the
/// first quantity (target) in a title. Spans are relative to `span`, the title's.
pub(crate) fn values_from_title(
    title: &str,
    span: Span,
) -> (Option<Spanned<Quantity>>, Option<Spanned<Quantity>>) {
    let found: Vec<(Quantity, usize)> = quantities_in(title)
        .into_iter()
        .filter(|(q, at)| !is_year_at(title, *at) && !is_identifier(title, *at, q))
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
    let mut target = found
        .iter()
        .enumerate()
        .find(|(k, _)| Some(*k) != baseline)
        .map(|(_, (q, i))| Spanned::new(q.clone(), at(*i)));
    // `Zero severity-1 issues`, `No data-loss incidents`: the target is none at all
    let lower = title.trim_start().to_ascii_lowercase();
    if target.is_none() && (lower.starts_with("zero ") || lower.starts_with("no ")) {
        let word = title.len() - title.trim_start().len();
        let mut s = at(word);
        s.len = if lower.starts_with("zero ") { 4 } else { 2 };
        target = Some(Spanned::new(
            Quantity {
                value: 0.0,
                unit: crate::values::QuantityUnit::None,
            },
            s,
        ));
    }
    let baseline = baseline.map(|k| Spanned::new(found[k].0.clone(), at(found[k].1)));
    (baseline, target)
}

/// Words before a number that make it a name, not a value (`Stage 4`, `Tier 1`, `RFC 42`).
const ID_WORDS: &[&str] = &[
    "stage",
    "tier",
    "rfc",
    "phase",
    "level",
    "type",
    "version",
    "v",
    "step",
    "round",
    "wave",
    "sprint",
    "iteration",
    "gen",
    "generation",
    "priority",
    "p",
    "issue",
    "pr",
    "ticket",
    "no",
    "number",
    "milestone",
    "release",
    "season",
    "chapter",
    "part",
    "sev",
    "severity",
];

/// Whether the number at `at` names something (`#145`, `issues/145`, `Tier 1`, `RFC 42`).
fn is_identifier(title: &str, at: usize, q: &Quantity) -> bool {
    let before = &title[..at];
    if before.ends_with(['#', '/']) {
        return true;
    }
    // `severity-1`, `tier-2`, `p0-bugs`: a number joined to a word names a class, it is not
    // an amount
    if before.ends_with('-')
        && before[..before.len() - 1]
            .chars()
            .next_back()
            .is_some_and(char::is_alphabetic)
    {
        return true;
    }
    let word = before
        .trim_end()
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    q.unit == crate::values::QuantityUnit::None
        && before.ends_with(' ')
        && ID_WORDS.contains(&word.as_str())
}

/// Words that introduce a starting value in a key result's title.
const BASELINE_MARKERS: &[&str] = &[
    "from",
    "currently",
    "current",
    "current is",
    "baseline",
    "today",
    "now",
    "vs",
    "vs.",
    "versus",
    "was",
    "up from",
    "down from",
    "baseline of",
];

#[cfg(test)]
mod tests;

/// The text without what `open` … `close` encloses (nested pairs counted).
pub(super) fn without_enclosed(t: &str, open: &[char], close: &[char]) -> String {
    let mut depth = 0usize;
    t.chars()
        .filter(|c| {
            if open.contains(c) {
                depth += 1;
            } else if close.contains(c) {
                depth = depth.saturating_sub(1);
                return false;
            }
            depth == 0
        })
        .collect()
}

/// A title compared with another: lowercase, without parenthesized or bracketed asides
/// (`(aspirational KR)`), punctuation or extra spaces.
pub(super) fn same_words(t: &str) -> String {
    without_enclosed(t, &['(', '（', '['], &[')', '）', ']'])
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
