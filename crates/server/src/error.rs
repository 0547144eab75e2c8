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

    /// Text written into the store must be text (see [`throughline_app::plain_text`]): a
    /// 422 naming the field, never a retry.
    pub fn plain_text(field: &'static str, text: &str) -> Result<(), ApiError> {
        Ok(throughline_app::plain_text(field, text)?)
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

/// A use case's error as the API says it: a request field is a 422 naming the field, what
/// is not there a 404, a closed period a 409, the store out of reach a 503, and the engine's
/// or the workspace's faults a 500 with their own words.
impl From<throughline_app::Error> for ApiError {
    fn from(e: throughline_app::Error) -> Self {
        use throughline_app::Error as E;
        let (message, help) = (e.message(), e.help());
        match e {
            E::Field { field, .. } => ApiError::field(field, message, help),
            E::NotFound { .. } => ApiError::not_found(message, help),
            E::Conflict { .. } => ApiError::new(StatusCode::CONFLICT, message, help),
            E::Store(e) => ApiError::store(e),
            E::Engine(_) | E::Input { .. } => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message, help)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self)).into_response()
    }
}
