//! Reading OKR sentences: which words describe work, which describe a measured change.
//!
//! The rules judge titles written by people, so these are word lists plus a little structure
//! (the first verb, `from X to Y`, numbers that are not years or quarter names). Each list is
//! small and named for what it means, so a false positive can be fixed in one place.

use throughline_model::values::{Quantity, is_year_at, quantities_in};

mod vocabulary;
use vocabulary::*;

/// Lower-case words of `text`; hyphens and slashes split words (`time-to-value`).
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '#'))
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Quantities in `text` that are targets or values: not years, not `#1`; the word `zero`
/// counts ("Zero recalled lessons per quarter").
pub fn numbers(text: &str) -> Vec<Quantity> {
    let mut out: Vec<Quantity> = quantities_in(text)
        .into_iter()
        .filter(|(_, at)| !is_year_at(text, *at) && !text[..*at].ends_with('#'))
        .map(|(q, _)| q)
        .collect();
    if words(text).iter().any(|w| w == "zero") {
        out.push(Quantity {
            value: 0.0,
            unit: throughline_model::QuantityUnit::None,
        });
    }
    out
}

/// `20 times a day`, `3x per week`: how often something happens, a measure.
fn states_frequency(text: &str) -> bool {
    let ws = words(text);
    ws.windows(3).any(|w| {
        w[0].chars().all(|c| c.is_ascii_digit())
            && matches!(w[1].as_str(), "times" | "x")
            && matches!(w[2].as_str(), "a" | "per" | "each" | "every")
    })
}

/// The first word that is not filler: usually the verb of a key result.
pub fn first_verb(text: &str) -> Option<String> {
    words(text)
        .into_iter()
        .find(|w| !LEADING_FILLER.contains(&w.as_str()) && !w.chars().all(|c| c.is_ascii_digit()))
}

/// "features shipped", "shipped 10 integrations": a deliverable next to a work verb's past form.
fn counts_deliverables(ws: &[String]) -> bool {
    let done = |w: &String| {
        is_work_verb(w)
            && (w.ends_with("ed")
                || matches!(
                    w.as_str(),
                    "built" | "written" | "run" | "ran" | "sent" | "held" | "rebuilt"
                ))
    };
    ws.iter().enumerate().any(|(i, w)| {
        DELIVERABLES.contains(&w.as_str())
            && [i.checked_sub(1), Some(i + 1), i.checked_sub(2)]
                .into_iter()
                .flatten()
                .filter_map(|j| ws.get(j))
                .any(done)
    })
}

fn is_work_verb(w: &str) -> bool {
    WORK_VERBS.contains(&w)
}
fn is_outcome_verb(w: &str) -> bool {
    OUTCOME_VERBS.contains(&w)
}

/// `Increase X from 23% to 35%`: a start and an end value.
pub fn has_from_to(text: &str) -> bool {
    let lower = text.to_lowercase();
    let Some(from) = lower.find("from ") else {
        return false;
    };
    let rest = &lower[from..];
    rest.contains(" to ") && numbers(&text[from..]).len() >= 2
}

/// Whether the sentence states a change in a measure: an outcome verb with a number, or
/// `from X to Y`.
pub fn states_measured_change(text: &str) -> bool {
    let ws = words(text);
    if has_from_to(text) {
        return true;
    }
    let nums = !numbers(text).is_empty();
    nums && ws.iter().any(|w| is_outcome_verb(w))
}

/// Whether a key result title describes work to do rather than a result to measure.
pub fn describes_work(text: &str) -> bool {
    let ws = words(text);
    let Some(verb) = first_verb(text) else {
        return false;
    };
    // "Open rate stays above 40%": the first word names a measure (with a value to reach);
    // "Deploy 20 times a day": how often is a measure too
    let after_verb = ws.iter().skip_while(|w| **w != verb).nth(1);
    let names_measure = after_verb.is_some_and(|w| MEASURE_NOUNS.contains(&w.as_str()))
        && !numbers(text).is_empty();
    if names_measure || states_frequency(text) {
        return false;
    }
    if counts_deliverables(&ws)
        && !ws.iter().any(|w| {
            matches!(
                w.as_str(),
                "rate" | "conversion" | "adoption" | "usage" | "retention" | "satisfaction"
            )
        })
    {
        return true;
    }
    if is_work_verb(&verb) {
        // "Roll out X to lift activation from 23% to 30%": the work names its measured result
        return !states_measured_change(text)
            || !ws.iter().skip(1).any(|w| is_outcome_verb(w)) && !has_from_to(text);
    }
    if is_outcome_verb(&verb) || MAINTAIN_VERBS.contains(&verb.as_str()) {
        return false;
    }
    // no leading verb and no number: "Dark mode shipped", "Mobile app launch"
    numbers(text).is_empty()
        && ws.iter().any(|w| {
            is_work_verb(w)
                && (w.ends_with("ed") || w == "built" || w == "launch" || w == "rollout")
        })
}

/// Whether a key result keeps a value where it is ("Maintain 99.9% uptime").
pub fn describes_maintaining(text: &str) -> bool {
    let lower = text.to_lowercase();
    first_verb(text).is_some_and(|v| MAINTAIN_VERBS.contains(&v.as_str()))
        || lower.starts_with("ensure ")
            && (lower.contains(" stays ")
                || lower.contains(" remains ")
                || lower.contains(" stay ")
                || lower.contains(" remain "))
        || lower.starts_with("no more than ")
        || lower.starts_with("don't let ")
        || lower.starts_with("do not let ")
}

/// Whether any word of the text is an outcome verb.
pub fn has_outcome_verb(text: &str) -> bool {
    words(text).iter().any(|w| is_outcome_verb(w))
}

/// The vanity phrase in `text`, if any.
pub fn vanity_phrase(text: &str) -> Option<String> {
    let lower = format!(" {} ", words(text).join(" "));
    let raw = text.to_lowercase();
    // "2% of impressions", "per 1,000 visits", "conversion of website visitors": the count is
    // only the base of a rate. "number of page views" is the count itself.
    let counted =
        lower.contains(" number of ") || lower.contains(" count of ") || lower.contains(" total ");
    let is_rate = [
        "rate",
        "conversion",
        "share",
        "percentage",
        "percent",
        "ratio",
        "per",
    ]
    .iter()
    .any(|w| lower.contains(&format!(" {w} ")))
        || raw.contains('%') && !raw.contains("% more") && !lower.contains(" by ");
    let as_measure = |p: &str| {
        let at = lower.find(&format!(" {p} "));
        at.is_some_and(|i| {
            let before = lower[..i].trim_end();
            let last_words: Vec<&str> = before.split_whitespace().rev().take(3).collect();
            let base_of_rate = last_words
                .iter()
                .any(|w| matches!(*w, "of" | "per" | "every" | "among"));
            counted || !(base_of_rate || is_rate)
        })
    };
    if let Some(p) = VANITY_PHRASES.iter().find(|p| as_measure(p)) {
        return Some((*p).to_string());
    }
    let ws = words(text);
    let cumulative = ws
        .iter()
        .position(|w| CUMULATIVE_WORDS.contains(&w.as_str()) || raw.contains("all-time"));
    if let Some(i) = cumulative
        && let Some(noun) = ws[i..]
            .iter()
            .take(4)
            .find(|w| COUNTED_PEOPLE.contains(&w.as_str()))
    {
        return Some(format!("{} {}", ws[i], noun));
    }
    None
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    Leading,
    Lagging,
    Unknown,
}

/// Leading or lagging, judged from the words (leading wins when both appear).
pub fn timing_of(text: &str) -> Timing {
    let lower = format!(" {} ", words(text).join(" "));
    let raw = text.to_lowercase();
    let has = |terms: &[&str]| {
        terms
            .iter()
            .any(|t| lower.contains(&format!(" {t} ")) || (t.contains('-') && raw.contains(t)))
    };
    if has(LEADING_TERMS) {
        Timing::Leading
    } else if has(LAGGING_TERMS) {
        Timing::Lagging
    } else {
        Timing::Unknown
    }
}

/// Whether an objective's words are all generic ("Make customers happy").
pub fn is_vague(title: &str) -> bool {
    let ws: Vec<String> = words(title)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    ws.is_empty() || ws.iter().all(|w| VAGUE_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests;
