-- throughline's store, version 1. Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Times are RFC 3339 text plus a microsecond sequence for ordering; booleans are 0/1.

-- Metric values, versioned: a value is never updated in place. Saving a value that differs
-- from the latest stored one (new data, a matured cohort, a changed definition) adds a row.
CREATE TABLE snapshots (
    id TEXT PRIMARY KEY,
    metric TEXT NOT NULL,
    grain TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    segment TEXT NOT NULL,
    value DOUBLE PRECISION,
    numerator DOUBLE PRECISION,
    denominator DOUBLE PRECISION,
    complete BIGINT NOT NULL,
    definition_hash TEXT NOT NULL,
    measured_at TEXT NOT NULL,
    measured_seq BIGINT NOT NULL
);
CREATE INDEX snapshots_by_key ON snapshots (metric, grain, period_start, segment, measured_seq);

-- A key result's check-in: the owner's confidence (0-10) and story, and for manual key
-- results the value.
CREATE TABLE checkins (
    id TEXT PRIMARY KEY,
    objective TEXT NOT NULL,
    key_result TEXT NOT NULL,
    period TEXT NOT NULL,
    value DOUBLE PRECISION,
    confidence BIGINT,
    note TEXT NOT NULL,
    author TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_seq BIGINT NOT NULL
);
CREATE INDEX checkins_by_key_result ON checkins (objective, key_result, recorded_seq);

-- Decisions taken in a review, optionally about one objective, key result or metric.
CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    about TEXT,
    author TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    decided_seq BIGINT NOT NULL
);

-- A period is closed once it has been scored; its scores are final.
CREATE TABLE closed_periods (
    period TEXT PRIMARY KEY,
    closed_at TEXT NOT NULL,
    closed_by TEXT NOT NULL
);

-- Final scores of a closed period: one row per key result and one per objective
-- (key_result = '').
CREATE TABLE scores (
    period TEXT NOT NULL,
    team TEXT NOT NULL,
    objective TEXT NOT NULL,
    key_result TEXT NOT NULL,
    commitment TEXT NOT NULL,
    owner TEXT,
    value DOUBLE PRECISION,
    score DOUBLE PRECISION NOT NULL,
    confidence BIGINT,
    PRIMARY KEY (period, objective, key_result)
);
