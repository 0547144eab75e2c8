use std::fmt;

/// Why the store could not do what was asked. Every message names the store and says what
/// to do.
#[derive(Debug)]
pub enum StoreError {
    /// The `store:` setting is not a URL this version reads.
    Url { url: String, why: String },
    /// The database could not be reached or opened.
    Connect {
        location: String,
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    Migrate {
        location: String,
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    Database {
        location: String,
        source: sqlx::Error,
    },
    /// Stored data that this version cannot read.
    Corrupt { location: String, what: String },
    /// The period has been scored and closed.
    PeriodClosed { period: String },
    /// An API token with this name exists already.
    TokenExists { name: String },
    /// No API token has this name.
    NoToken { name: String },
}

impl StoreError {
    pub(crate) fn connect(location: &str, source: sqlx::Error) -> Self {
        StoreError::Connect {
            location: location.to_string(),
            source,
        }
    }
    pub(crate) fn migrate(location: &str, source: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate {
            location: location.to_string(),
            source,
        }
    }
    pub(crate) fn database(location: &str, source: sqlx::Error) -> Self {
        StoreError::Database {
            location: location.to_string(),
            source,
        }
    }

    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            StoreError::Url { .. } => {
                "set `store:` in throughline.yaml to `sqlite://.throughline/state.db` or `postgres://USER@HOST/DB`"
            }
            StoreError::Connect { .. } => {
                "check that the database server runs and the URL's user, host and database are right; for SQLite, that the folder is writable"
            }
            StoreError::Migrate { .. } => {
                "the store was written by a newer or modified throughline; use the version that wrote it, or point `store:` at a new database"
            }
            StoreError::Database { .. } => {
                "retry; if it persists, the database server's log says more"
            }
            StoreError::Corrupt { .. } => {
                "the store was changed outside throughline; restore it from a backup or point `store:` at a new database"
            }
            StoreError::PeriodClosed { .. } => {
                "a closed period's scores are final; check in on a key result of the current period"
            }
            StoreError::TokenExists { .. } => {
                "choose another --name, or revoke the old token first: `throughline token revoke NAME`"
            }
            StoreError::NoToken { .. } => "`throughline token list` shows the tokens",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Url { url, why } => write!(f, "store `{url}`: {why}"),
            StoreError::Connect { location, source } => {
                write!(f, "cannot open the store at {location}: {source}")
            }
            StoreError::Migrate { location, source } => {
                write!(
                    f,
                    "cannot bring the store at {location} up to date: {source}"
                )
            }
            StoreError::Database { location, source } => write!(f, "store at {location}: {source}"),
            StoreError::Corrupt { location, what } => write!(f, "store at {location}: {what}"),
            StoreError::PeriodClosed { period } => {
                write!(f, "period {period} is closed: it has been scored")
            }
            StoreError::TokenExists { name } => write!(f, "a token named `{name}` exists already"),
            StoreError::NoToken { name } => write!(f, "no active token is named `{name}`"),
        }
    }
}

impl std::error::Error for StoreError {}
