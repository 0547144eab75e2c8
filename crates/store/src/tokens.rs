//! API tokens: who may read and write through the dashboard and its API. A token has a name,
//! a role (`viewer`, `editor`, `admin`, checked by the server) and the teams it may write for
//! (`*` for all). Only a SHA-256 hash of the secret is stored.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::{Store, StoreError, new_id, time};

/// A token to create.
#[derive(Clone, Debug, PartialEq)]
pub struct NewToken {
    pub name: String,
    pub role: String,
    /// Team names, or `*` for every team.
    pub teams: Vec<String>,
}

/// A stored token (never its secret).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub id: String,
    pub name: String,
    pub role: String,
    pub teams: Vec<String>,
    pub created_at: DateTime<Utc>,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new secret: `tl_` and 64 hex digits from the operating system's random source.
fn new_secret() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("tl_{a}{b}")
}

impl Store {
    /// Creates a token and returns it with its secret, which is not stored and cannot be
    /// shown again. Names are unique among active tokens.
    pub async fn create_token(&self, t: &NewToken) -> Result<(Token, String), StoreError> {
        let mut tx = self.pool.begin().await.map_err(|e| self.io(e))?;
        let taken = sqlx::query("SELECT 1 FROM api_tokens WHERE name = $1 AND revoked_at IS NULL")
            .bind(&t.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| self.io(e))?;
        if taken.is_some() {
            return Err(StoreError::TokenExists {
                name: t.name.clone(),
            });
        }
        let secret = new_secret();
        // Stored to the microsecond: the returned token equals the one read back.
        let now =
            DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).unwrap_or_default();
        let id = new_id();
        let teams = serde_json::to_string(&t.teams).expect("strings serialize");
        sqlx::query(
            "INSERT INTO api_tokens (id, name, token_hash, role, teams, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&t.name)
        .bind(hash(&secret))
        .bind(&t.role)
        .bind(&teams)
        .bind(time(&now))
        .execute(&mut *tx)
        .await
        .map_err(|e| self.io(e))?;
        tx.commit().await.map_err(|e| self.io(e))?;
        let token = Token {
            id,
            name: t.name.clone(),
            role: t.role.clone(),
            teams: t.teams.clone(),
            created_at: now,
        };
        Ok((token, secret))
    }

    /// The active token whose secret this is.
    pub async fn token_for_secret(&self, secret: &str) -> Result<Option<Token>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, role, teams, created_at FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(hash(secret.trim()))
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        row.map(|r| self.token_row(&r)).transpose()
    }

    /// Every active token, oldest first.
    pub async fn tokens(&self) -> Result<Vec<Token>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, role, teams, created_at FROM api_tokens \
             WHERE revoked_at IS NULL ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        rows.iter().map(|r| self.token_row(r)).collect()
    }

    /// Revokes the active token named `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(time(&Utc::now()))
        .bind(name)
        .execute(&self.pool)
        .await
        .map_err(|e| self.io(e))?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NoToken {
                name: name.to_string(),
            });
        }
        Ok(())
    }

    fn token_row(&self, r: &sqlx::any::AnyRow) -> Result<Token, StoreError> {
        let text = |i: usize| self.col::<String>(r, i);
        let teams: Vec<String> = serde_json::from_str(&text(3)?)
            .map_err(|e| self.corrupt(format!("a token's teams are not a JSON list: {e}")))?;
        Ok(Token {
            id: text(0)?,
            name: text(1)?,
            role: text(2)?,
            teams,
            created_at: self.parse_time(&text(4)?)?,
        })
    }
}
