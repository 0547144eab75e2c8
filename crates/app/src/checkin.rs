//! Check-ins: finding the key result a check-in names and validating what it says.

use throughline_model::{KeyResult, Objective, Quantity, Workspace, did_you_mean};
use throughline_progress::okr;
use throughline_store::NewCheckIn;

/// Finds a key result by `kr`, `objective/kr` or `team/objective/kr`.
pub fn find_key_result<'a>(
    ws: &'a Workspace,
    query: &str,
) -> Result<(&'a Objective, &'a KeyResult), String> {
    let parts: Vec<&str> = query.split('/').collect();
    let (team, objective, kr) = match parts.as_slice() {
        [kr] => (None, None, *kr),
        [o, kr] => (None, Some(*o), *kr),
        [t, o, kr] => (Some(*t), Some(*o), *kr),
        _ => {
            return Err(format!(
                "`{query}` is not a key result: write `KR`, `OBJECTIVE/KR` or `TEAM/OBJECTIVE/KR`"
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
            Err(format!(
                "no key result `{query}` in the workspace{hint}; `throughline status` lists them"
            ))
        }
        many => Err(format!(
            "`{query}` names {} key results: {}; write OBJECTIVE/KR",
            many.len(),
            many.iter()
                .map(|(o, k)| format!("{}/{}", o.id.value, k.id.value))
                .collect::<Vec<_>>()
                .join(", ")
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

/// Validates a check-in against the workspace: the key result exists and has a period, a value
/// is given only for manual key results and in their unit, confidence is 0–10.
pub fn validate_checkin(ws: &Workspace, r: CheckInRequest) -> Result<NewCheckIn, String> {
    let (o, kr) = find_key_result(ws, &r.key_result)?;
    let period = o.period.as_ref().ok_or_else(|| {
        format!(
            "objective `{}` has no period, so its key results cannot be checked in",
            o.id.value
        )
    })?;
    if let Some(c) = r.confidence
        && !(0..=10).contains(&c)
    {
        return Err(format!(
            "confidence {c} is out of range: give 0 (no chance) to 10 (certain)"
        ));
    }
    let value = match (&r.value, &kr.metric) {
        (None, _) => None,
        (Some(_), Some(m)) => {
            return Err(format!(
                "`{}` is computed from the metric `{}`: its value comes from the data; check in your confidence and a note instead",
                kr.id.value, m.value
            ));
        }
        (Some(text), None) => {
            let q = Quantity::parse(text.trim()).ok_or_else(|| {
                format!("`{text}` is not a value: write a number, e.g. `12`, `35%` or `16h`")
            })?;
            let unit = okr::key_result_unit(ws, kr);
            Some(
                unit.accept(&q)
                    .map_err(|e| format!("value `{text}` for `{}`: {e}", kr.id.value))?,
            )
        }
    };
    if value.is_none() && r.confidence.is_none() && r.note.trim().is_empty() {
        return Err(
            "a check-in needs at least a confidence, a note or (for manual key results) a value"
                .into(),
        );
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
