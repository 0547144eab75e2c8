//! What can go wrong reaching a PostgreSQL source, in words that name the server or table.

use std::fmt;

/// A connection or table problem, with a hint of what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub help: String,
}

impl Error {
    pub(crate) fn connect(address: &str, cause: impl fmt::Display) -> Error {
        Error {
            message: format!("cannot reach PostgreSQL at {address}: {cause}"),
            help: "check that the server is running and accepts this user from here, and the URL \
                   (`postgres://user:password@host:5432/database?sslmode=require`)"
                .into(),
        }
    }

    pub(crate) fn url(cause: impl fmt::Display) -> Error {
        Error {
            message: format!("the PostgreSQL URL cannot be read: {cause}"),
            help: "write it as `postgres://user:password@host:5432/database` (add `?sslmode=require` for TLS)".into(),
        }
    }

    pub(crate) fn table(table: &str, cause: impl fmt::Display) -> Error {
        Error {
            message: format!("cannot read table `{table}`: {cause}"),
            help: "check `table:` (`name` or `schema.name`) and that the user may SELECT from it"
                .into(),
        }
    }

    pub(crate) fn query(cause: impl fmt::Display) -> Error {
        Error {
            message: format!("the source's `query:` does not run: {cause}"),
            help: "write one SELECT statement that runs in psql as it is".into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
