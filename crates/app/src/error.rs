//! What a use case fails with, typed so that each front end says it its own way: the CLI as
//! a message, a `help:` line and an exit code, the server as a status and, for a request
//! field, the form field to mark.

use std::fmt;

use throughline_engine::EngineError;
use throughline_store::StoreError;

#[derive(Debug)]
pub enum Error {
    /// A field of the request is wrong: which one, what is wrong, and how to fix it.
    Field {
        field: &'static str,
        message: String,
        help: String,
    },
    /// What the request names does not exist.
    NotFound { message: String, help: String },
    /// The request is at odds with what is stored (a period already scored and closed).
    Conflict { message: String, help: String },
    /// The workspace's own files say something that cannot be used.
    Input { message: String, help: String },
    /// Computing from the data failed.
    Engine(EngineError),
    /// Reading or writing the store failed.
    Store(StoreError),
}

impl Error {
    pub fn field(field: &'static str, message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Field {
            field,
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn not_found(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::NotFound {
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn conflict(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn input(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            help: help.into(),
        }
    }

    /// What went wrong, in one sentence.
    pub fn message(&self) -> String {
        match self {
            Error::Field { message, .. }
            | Error::NotFound { message, .. }
            | Error::Conflict { message, .. }
            | Error::Input { message, .. } => message.clone(),
            Error::Engine(e) => e.message.clone(),
            Error::Store(e) => e.to_string(),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> String {
        match self {
            Error::Field { help, .. }
            | Error::NotFound { help, .. }
            | Error::Conflict { help, .. }
            | Error::Input { help, .. } => help.clone(),
            Error::Engine(e) => e.help.clone(),
            Error::Store(e) => e.help().to_string(),
        }
    }

    /// The request field it is about, if any.
    pub fn request_field(&self) -> Option<&'static str> {
        match self {
            Error::Field { field, .. } => Some(field),
            Error::NotFound { .. }
            | Error::Conflict { .. }
            | Error::Input { .. }
            | Error::Engine(_)
            | Error::Store(_) => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}

impl From<EngineError> for Error {
    fn from(e: EngineError) -> Self {
        Error::Engine(e)
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::PeriodClosed { .. } => Error::conflict(e.to_string(), e.help()),
            e => Error::Store(e),
        }
    }
}
