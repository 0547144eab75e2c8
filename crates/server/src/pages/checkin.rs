//! Recording a check-in (for the key result page's form, `key_result.rs`) and as JSON
//! (`POST /api/checkins`).

use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use throughline_app::CheckInRequest;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

use crate::extract::*;

/// What a check-in says, from a form or JSON.
pub(crate) struct CheckInInput {
    pub key_result: String,
    pub confidence: Option<i64>,
    pub note: String,
    pub value: Option<String>,
}

/// Validates and records a check-in for the caller: the key result exists, the caller may
/// write for its team, the fields are in range, the period is open.
// Long because it validates a check-in field by field, each failure naming the form field,
// before the one write.
pub(crate) async fn record_checkin(
    st: &AppState,
    c: &Caller,
    input: CheckInInput,
) -> Result<throughline_store::CheckIn, ApiError> {
    let ws = &st.loaded().workspace;
    let (o, _) = throughline_app::find_key_result(ws, &input.key_result)?;
    c.may_write(&crate::pages::team_of(o))?;
    let request = CheckInRequest {
        key_result: input.key_result,
        value: input.value,
        confidence: input.confidence,
        note: input.note,
        author: c.name().unwrap_or("unknown").to_string(),
    };
    let checkin = throughline_app::validate_checkin(ws, request)?;
    let stored = st
        .store()
        .record_checkin(&checkin)
        .await
        .map_err(ApiError::store)?;
    tracing::info!(
        id = %stored.id,
        objective = %checkin.objective,
        key_result = %checkin.key_result,
        author = %checkin.author,
        "check-in recorded"
    );
    crate::pages::wait_for_view(st).await;
    Ok(stored)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckInJson {
    key_result: String,
    /// A number, so that `7.0` (a whole number to JSON Schema) is read as 7.
    confidence: Option<f64>,
    #[serde(default)]
    note: String,
    value: Option<serde_json::Value>,
}

pub(crate) async fn api_checkin(
    State(st): State<AppState>,
    headers: HeaderMap,
    b: Result<Json<CheckInJson>, JsonRejection>,
) -> Result<Response, ApiError> {
    let c = api_writer(&st, &headers).await?;
    let b = body(b)?;
    let confidence = match b.confidence {
        None => None,
        // whole numbers; their range is the check-in's to check
        Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(x as i64),
        Some(x) => {
            return Err(ApiError::field(
                "confidence",
                format!("confidence {x} is not a whole number"),
                "give 0 (no chance) to 10 (certain)",
            ));
        }
    };
    let value = match b.value {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(ApiError::field(
                "value",
                "`value` must be a number or text like \"35%\"",
                "send e.g. \"value\": 4",
            ));
        }
    };
    let stored = record_checkin(
        &st,
        &c,
        CheckInInput {
            key_result: b.key_result,
            confidence,
            note: b.note,
            value,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "id": stored.id,
            "recorded_at": stored.recorded_at,
            "objective": stored.checkin.objective,
            "key_result": stored.checkin.key_result,
            "period": stored.checkin.period,
            "confidence": stored.checkin.confidence,
            "value": stored.checkin.value,
            "note": stored.checkin.note,
            "author": stored.checkin.author,
        })),
    )
        .into_response())
}

/// Recording a check-in through the API (the form posts to the key result's page).
pub(crate) fn resource() -> crate::pages::Resource {
    crate::pages::Resource {
        pages: Vec::new(),
        nav: None,
        api: vec![("/api/checkins", axum::routing::post(api_checkin))],
        openapi: |_| {
            vec![(
                "/api/checkins",
                crate::openapi::write(
                    "Record a check-in",
                    serde_json::json!({"$ref": "#/components/schemas/CheckIn"}),
                ),
            )]
        },
    }
}
