-- throughline's store, version 2: API tokens for the dashboard and its API. Only a SHA-256
-- hash of each token is kept; the token itself is shown once, when it is created.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- viewer | editor | admin
    role TEXT NOT NULL,
    -- a JSON array of team names; ["*"] for every team
    teams TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_by_name ON api_tokens (name);
