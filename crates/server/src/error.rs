//! Errors a request can meet: a status, what went wrong, the request field it is about, and
//! how to fix it. The API answers them as JSON; pages render them.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub error: String,
    /// The request field the error is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub help: String,
}

impl ApiError {
    pub fn new(status: StatusCode, error: impl Into<String>, help: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error: error.into(),
            field: None,
            help: help.into(),
        }
    }

    /// A request field that is not valid (422).
    pub fn field(field: &str, error: impl Into<String>, help: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            error: error.into(),
            field: Some(field.to_string()),
            help: help.into(),
        }
    }

    /// Text written into the store must be text: no NUL and no control characters other
    /// than line breaks and tabs (a PostgreSQL store refuses NUL, and a terminal runs the
    /// escape sequences the others spell). A 422 naming the field, never a retry.
    pub fn plain_text(field: &str, text: &str) -> Result<(), ApiError> {
        match text
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            Some(c) => Err(ApiError::field(
                field,
                format!("`{field}` holds the control character U+{:04X}", c as u32),
                "send plain text (line breaks and tabs are fine)",
            )),
            None => Ok(()),
        }
    }

    pub fn not_found(what: impl Into<String>, help: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, what, help)
    }

    pub fn store(e: throughline_store::StoreError) -> ApiError {
        let status = match e {
            throughline_store::StoreError::PeriodClosed { .. } => StatusCode::CONFLICT,
            _ => StatusCode::SERVICE_UNAVAILABLE,
        };
        ApiError::new(status, e.to_string(), e.help())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}
