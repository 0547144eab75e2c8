//! Reading OKR sentences: which words describe work, which describe a measured change.
//!
//! The rules judge titles written by people, so these are word lists plus a little structure
//! (the first verb, `from X to Y`, numbers that are not years or quarter names). Each list is
//! small and named for what it means, so a false positive can be fixed in one place.

use throughline_model::values::{Quantity, is_year_at, quantities_in};

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

/// Nouns that make the word before them a measure's name, not a verb ("Open rate",
/// "Deploy frequency", "Build time").
const MEASURE_NOUNS: &[&str] = &[
    "rate",
    "rates",
    "time",
    "times",
    "frequency",
    "count",
    "score",
    "ratio",
    "share",
    "volume",
    "latency",
    "speed",
    "cost",
    "costs",
    "size",
    "success",
    "failure",
    "duration",
];

/// `20 times a day`, `3x per week`: how often something happens, a measure.
fn states_frequency(text: &str) -> bool {
    let ws = words(text);
    ws.windows(3).any(|w| {
        w[0].chars().all(|c| c.is_ascii_digit())
            && matches!(w[1].as_str(), "times" | "x")
            && matches!(w[2].as_str(), "a" | "per" | "each" | "every")
    })
}

/// Words that may stand before the verb without changing what a sentence is about.
const LEADING_FILLER: &[&str] = &[
    "we",
    "will",
    "to",
    "successfully",
    "fully",
    "dramatically",
    "significantly",
    "substantially",
    "meaningfully",
    "materially",
    "further",
    "continuously",
    "consistently",
    "measurably",
    "sustainably",
    "the",
    "team",
];

/// The first word that is not filler: usually the verb of a key result.
pub fn first_verb(text: &str) -> Option<String> {
    words(text)
        .into_iter()
        .find(|w| !LEADING_FILLER.contains(&w.as_str()) && !w.chars().all(|c| c.is_ascii_digit()))
}

/// Verbs that describe doing work, in the forms a key result uses.
const WORK_VERBS: &[&str] = &[
    "ship",
    "shipped",
    "launch",
    "launched",
    "release",
    "released",
    "deploy",
    "deployed",
    "migrate",
    "migrated",
    "roll",
    "rolled",
    "rollout",
    "hire",
    "hired",
    "recruit",
    "recruited",
    "write",
    "written",
    "wrote",
    "publish",
    "published",
    "build",
    "built",
    "create",
    "created",
    "develop",
    "developed",
    "implement",
    "implemented",
    "integrate",
    "integrated",
    "add",
    "added",
    "complete",
    "completed",
    "finish",
    "finished",
    "conduct",
    "conducted",
    "redesign",
    "redesigned",
    "design",
    "designed",
    "rebuild",
    "rebuilt",
    "refactor",
    "refactored",
    "rewrite",
    "rewritten",
    "establish",
    "established",
    "introduce",
    "introduced",
    "deliver",
    "delivered",
    "document",
    "documented",
    "fix",
    "fixed",
    "organize",
    "organise",
    "organized",
    "host",
    "hosted",
    "attend",
    "train",
    "trained",
    "interview",
    "interviewed",
    "audit",
    "audited",
    "draft",
    "drafted",
    "prepare",
    "prepared",
    "research",
    "investigate",
    "evaluate",
    "prototype",
    "prototyped",
    "port",
    "ported",
    "upgrade",
    "upgraded",
    "replace",
    "replaced",
    "automate",
    "automated",
    "configure",
    "configured",
    "install",
    "installed",
    "finalize",
    "finalise",
    "finalized",
    "kick",
    "start",
    "begin",
    "produce",
    "produced",
    "send",
    "sent",
    "translate",
    "localize",
    "localise",
    "revamp",
    "revamped",
    "overhaul",
    "overhauled",
    "sunset",
    "deprecate",
    "deprecated",
    "remove",
    "removed",
    "consolidate",
    "standardize",
    "standardise",
    "open",
    "opened",
    "set",
    "setup",
    "run",
    "ran",
    "support",
    "enable",
];

/// Verbs that state a change in a measure.
const OUTCOME_VERBS: &[&str] = &[
    "increase",
    "increased",
    "grow",
    "grown",
    "raise",
    "lift",
    "boost",
    "improve",
    "improved",
    "double",
    "triple",
    "quadruple",
    "reduce",
    "reduced",
    "decrease",
    "decreased",
    "lower",
    "lowered",
    "cut",
    "shrink",
    "halve",
    "drop",
    "reach",
    "reached",
    "achieve",
    "achieved",
    "attain",
    "hit",
    "exceed",
    "surpass",
    "convert",
    "retain",
    "generate",
    "earn",
    "acquire",
    "win",
    "expand",
    "accelerate",
    "shorten",
    "speed",
    "minimize",
    "minimise",
    "maximize",
    "maximise",
    "receive",
    "get",
    "move",
    "bring",
    "lift",
    "climb",
    "sign",
];

/// Verbs that keep a measure where it is: a KPI or guardrail, not a key result.
const MAINTAIN_VERBS: &[&str] = &[
    "maintain", "keep", "sustain", "preserve", "stay", "remain", "protect", "hold", "continue",
];

/// Things a team produces; counting them is counting output.
const DELIVERABLES: &[&str] = &[
    "features",
    "integrations",
    "releases",
    "tickets",
    "stories",
    "points",
    "prs",
    "commits",
    "posts",
    "articles",
    "experiments",
    "tests",
    "interviews",
    "meetings",
    "workshops",
    "sprints",
    "epics",
    "deployments",
    "pages",
    "videos",
    "webinars",
    "campaigns",
    "hires",
    "engineers",
    "docs",
    "guides",
    "templates",
    "bugs",
];

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

/// Counts that grow on their own and say little about value delivered.
const VANITY_PHRASES: &[&str] = &[
    "page views",
    "pageviews",
    "page view",
    "downloads",
    "app installs",
    "installs",
    "followers",
    "likes",
    "impressions",
    "registered users",
    "registrations",
    "site visits",
    "website visits",
    "visits",
    "visitors",
    "hits",
    "email subscribers",
    "newsletter subscribers",
    "mentions",
    "retweets",
    "email opens",
    "open rate",
];
const CUMULATIVE_WORDS: &[&str] = &["total", "cumulative", "all-time", "lifetime", "ever"];
const COUNTED_PEOPLE: &[&str] = &[
    "users",
    "signups",
    "sign-ups",
    "accounts",
    "members",
    "customers",
    "registrations",
    "downloads",
    "installs",
    "visitors",
];

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

/// Measures that show up only after the fact.
const LAGGING_TERMS: &[&str] = &[
    "revenue",
    "arr",
    "mrr",
    "churn",
    "retention",
    "retained",
    "renewal",
    "renewals",
    "nps",
    "ltv",
    "lifetime value",
    "profit",
    "profitability",
    "margin",
    "market share",
    "bookings",
    "sales",
    "gmv",
    "net dollar retention",
    "ndr",
    "nrr",
    "csat",
    "customer satisfaction",
];
/// Measures that move early and predict the lagging ones.
const LEADING_TERMS: &[&str] = &[
    "activation",
    "activated",
    "adoption",
    "engagement",
    "usage",
    "onboarding",
    "time-to-value",
    "time to value",
    "time-to-first-value",
    "first value",
    "trial",
    "trials",
    "weekly active",
    "daily active",
    "dau",
    "wau",
    "sessions",
    "setup",
    "first workflow",
    "invites",
    "invited",
    "conversion",
    "pipeline",
    "qualified",
];

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

/// Words that carry no specific meaning in an objective.
const VAGUE_WORDS: &[&str] = &[
    "make",
    "be",
    "become",
    "do",
    "get",
    "have",
    "improve",
    "improving",
    "better",
    "best",
    "good",
    "great",
    "awesome",
    "amazing",
    "excellent",
    "world-class",
    "world",
    "class",
    "happy",
    "happier",
    "delight",
    "more",
    "stronger",
    "strong",
    "things",
    "stuff",
    "everything",
    "product",
    "products",
    "customers",
    "customer",
    "users",
    "user",
    "people",
    "company",
    "business",
    "team",
    "performance",
    "quality",
    "experience",
    "growth",
    "grow",
    "work",
    "results",
    "success",
    "successful",
    "win",
    "nice",
    "new",
    "features",
    "feature",
    "ship",
    "focus",
    "overall",
    "general",
    "continue",
    "keep",
    "stuff",
    "awesome",
    "excellence",
    "impact",
    "value",
    "progress",
    "lots",
    "much",
    "very",
    "really",
    "all",
    "our",
    "us",
    "it",
];
const STOP_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "with", "by", "at", "we", "our",
    "is", "are", "more", "most",
];

/// Whether an objective's words are all generic ("Make customers happy").
pub fn is_vague(title: &str) -> bool {
    let ws: Vec<String> = words(title)
        .into_iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .collect();
    ws.is_empty() || ws.iter().all(|w| VAGUE_WORDS.contains(&w.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_versus_outcome() {
        for work in [
            "Ship dark mode",
            "Launch mobile app",
            "Add 10 integrations",
            "Redesign dashboard",
            "Fix bugs",
            "Migrate all customers to the v2 billing system",
            "Roll out SSO to enterprise accounts",
            "Hire 3 senior engineers",
            "Write 12 blog posts",
            "Complete Pool MVP development by Q2",
            "Conduct 5 user tests by end of Q1",
            "Rebuild Slack iOS app with React Native",
            "Integrate with Salesforce",
            "Build a self-serve onboarding wizard",
            "Dark mode shipped",
            "Increase the number of features shipped from 3 to 10",
            "Launch time tracking for agencies",
            "Run 3 capacity reviews with product teams",
        ] {
            assert!(describes_work(work), "should be work: {work}");
        }
        for outcome in [
            "Increase activation rate from 23% to 35%",
            // a measure whose name starts with a verb, and how often something happens
            "Open rate stays above 40%",
            "Deploy the monolith 20 times a day",
            "Reduce time-to-first-value from 3 days to 1 day",
            "Achieve 50+ NPS for users in first 30 days",
            "Reach 10,000 weekly active teams",
            "Reduce churn to 2%",
            "Grow net revenue retention from 104% to 112%",
            "Lower average shipping time by 24 hrs",
            "Generate $1M in revenue in first year post-launch",
            "Increase cross-platform engagement by 15%",
            "Roll out the new checkout to lift conversion from 2.1% to 2.6%",
            "Get median support response time under 2 hours",
        ] {
            assert!(!describes_work(outcome), "should be outcome: {outcome}");
        }
    }

    #[test]
    fn maintaining_vanity_and_vague() {
        assert!(describes_maintaining(
            "Maintain 4.5+ app rating across all platforms"
        ));
        assert!(describes_maintaining("Keep churn below 3%"));
        assert!(!describes_maintaining(
            "Increase activation rate from 23% to 35%"
        ));
        assert_eq!(
            vanity_phrase("Reach 1M total signups").as_deref(),
            Some("total signups")
        );
        assert_eq!(
            vanity_phrase("Grow page views from 1M to 2M").as_deref(),
            Some("page views")
        );
        assert_eq!(
            vanity_phrase("Increase activation rate from 23% to 35%"),
            None
        );
        assert_eq!(vanity_phrase("Grow total revenue from $1M to $2M"), None);
        assert_eq!(
            vanity_phrase("Reduce \"not interested\" feedback from 4% to 2% of impressions"),
            None
        );
        assert!(!describes_work(
            "Cut setup-related support tickets from 820 to 400 a month"
        ));
        assert!(is_vague("Make customers happy"));
        assert!(is_vague("Improve performance"));
        assert!(is_vague("Ship new features"));
        assert!(!is_vague("Dramatically improve new user activation"));
        assert!(!is_vague(
            "Make Slack collaboration seamless across devices"
        ));
    }

    #[test]
    fn timing_from_words() {
        assert_eq!(timing_of("Grow ARR from $2M to $3M"), Timing::Lagging);
        assert_eq!(
            timing_of("Reduce monthly churn from 3% to 2%"),
            Timing::Lagging
        );
        assert_eq!(
            timing_of("Increase activation rate from 23% to 35%"),
            Timing::Leading
        );
        assert_eq!(
            timing_of("Reduce p95 page load time to 1.5s"),
            Timing::Unknown
        );
    }
}
