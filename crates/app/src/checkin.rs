//! Check-ins: finding the key result a check-in names and validating what it says, in one
//! place for the command line, a batch of JSON lines, the dashboard's form and its API.

use throughline_model::{KeyResult, Objective, Quantity, Workspace, did_you_mean};
use throughline_progress::okr;
use throughline_store::NewCheckIn;

use crate::Error;

/// The longest note a check-in takes, in characters.
pub const MAX_NOTE: usize = 2000;
/// The longest value a check-in takes, in characters (`$2,400,000.50` is 13).
pub const MAX_VALUE: usize = 40;
/// Confidence runs from 0 (no chance) to 10 (certain).
pub const CONFIDENCE: std::ops::RangeInclusive<i64> = 0..=10;

const KEY_RESULT_HELP: &str =
    "name the key result as KR, OBJECTIVE/KR or TEAM/OBJECTIVE/KR; `throughline status` lists them";

/// Finds a key result by `kr`, `objective/kr` or `team/objective/kr`.
pub fn find_key_result<'a>(
    ws: &'a Workspace,
    query: &str,
) -> Result<(&'a Objective, &'a KeyResult), Error> {
    let parts: Vec<&str> = query.split('/').collect();
    let (team, objective, kr) = match parts.as_slice() {
        [kr] => (None, None, *kr),
        [o, kr] => (None, Some(*o), *kr),
        [t, o, kr] => (Some(*t), Some(*o), *kr),
        _ => {
            return Err(Error::field(
                "key_result",
                format!("`{query}` is not a key result"),
                KEY_RESULT_HELP,
            ));
        }
    };
    let found: Vec<(&Objective, &KeyResult)> = ws
        .key_results()
        .filter(|(o, k)| {
            k.id.value == kr
                && objective.is_none_or(|id| o.id.value == id)
                && team.is_none_or(|t| o.team.as_ref().is_some_and(|x| x.value == t))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let ids = ws.key_results().map(|(_, k)| k.id.value.as_str());
            let hint =
                did_you_mean(kr, ids).map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
            Err(Error::field(
                "key_result",
                format!("no key result `{query}` in the workspace{hint}"),
                KEY_RESULT_HELP,
            ))
        }
        many => Err(Error::field(
            "key_result",
            format!(
                "`{query}` names {} key results: {}",
                many.len(),
                many.iter()
                    .map(|(o, k)| format!("{}/{}", o.id.value, k.id.value))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "write OBJECTIVE/KR (or TEAM/OBJECTIVE/KR) to say which",
        )),
    }
}

/// What a check-in says, before it is validated against its key result.
pub struct CheckInRequest {
    pub key_result: String,
    pub value: Option<String>,
    pub confidence: Option<i64>,
    pub note: String,
    pub author: String,
}

/// Validates a check-in against the workspace: the key result exists and has a period; the
/// note and value are plain text of a bounded length; a value is given only for manual key
/// results and in their unit; confidence is 0–10; and it says something. Each refusal names
/// the request field it is about.
// Long because it checks a check-in field by field, each refusal with its own words.
pub fn validate_checkin(ws: &Workspace, r: CheckInRequest) -> Result<NewCheckIn, Error> {
    let (o, kr) = find_key_result(ws, &r.key_result)?;
    let period = o.period.as_ref().ok_or_else(|| {
        Error::field(
            "key_result",
            format!(
                "objective `{}` has no period, so its key results cannot be checked in",
                o.id.value
            ),
            "give the objective a `period:` (e.g. `2026-Q3`) in its file",
        )
    })?;
    plain_text("note", &r.note)?;
    if r.note.chars().count() > MAX_NOTE {
        return Err(Error::field(
            "note",
            format!("the note is longer than {MAX_NOTE} characters"),
            "shorten it: a check-in's note is what changed and what blocks, in a few sentences",
        ));
    }
    let text = r.value.as_deref().map(str::trim).filter(|v| !v.is_empty());
    if let Some(text) = text {
        plain_text("value", text)?;
        if text.chars().count() > MAX_VALUE {
            return Err(Error::field(
                "value",
                format!("the value is longer than {MAX_VALUE} characters"),
                "write a number, e.g. `12` or `35%`",
            ));
        }
    }
    if let Some(c) = r.confidence
        && !CONFIDENCE.contains(&c)
    {
        return Err(Error::field(
            "confidence",
            format!("confidence {c} is out of range"),
            "give 0 (no chance) to 10 (certain)",
        ));
    }
    let value = match (text, &kr.metric) {
        (None, _) => None,
        (Some(_), Some(m)) => {
            return Err(Error::field(
                "value",
                format!(
                    "`{}` is computed from the metric `{}`: its value comes from the data",
                    kr.id.value, m.value
                ),
                "check in your confidence and a note instead",
            ));
        }
        (Some(text), None) => {
            let q = Quantity::parse(text).ok_or_else(|| {
                Error::field(
                    "value",
                    format!("`{text}` is not a value"),
                    "write a number, e.g. `12`, `35%` or `16h`",
                )
            })?;
            let unit = okr::key_result_unit(ws, kr);
            Some(unit.accept(&q).map_err(|e| {
                Error::field(
                    "value",
                    format!("value `{text}` for `{}`: {e}", kr.id.value),
                    format!("write it in the key result's unit ({unit})"),
                )
            })?)
        }
    };
    if value.is_none() && r.confidence.is_none() && r.note.trim().is_empty() {
        return Err(Error::field(
            "note",
            "a check-in needs at least a confidence, a note or (for manual key results) a value",
            "say how likely the target is (0-10) and what changed",
        ));
    }
    Ok(NewCheckIn {
        objective: o.id.value.clone(),
        key_result: kr.id.value.clone(),
        period: period.value.to_string(),
        value,
        confidence: r.confidence,
        note: r.note,
        author: r.author,
    })
}

/// Text written into the store must be text: no NUL and no control characters other than
/// line breaks and tabs (a PostgreSQL store refuses NUL, and a terminal runs the escape
/// sequences the others spell).
pub fn plain_text(field: &'static str, text: &str) -> Result<(), Error> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(c) => Err(Error::field(
            field,
            format!("`{field}` holds the control character U+{:04X}", c as u32),
            "send plain text (line breaks and tabs are fine)",
        )),
        None => Ok(()),
    }
}
