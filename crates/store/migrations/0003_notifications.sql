-- throughline's store, version 3: the notification log. One row per message (reminder,
-- digest, alert), keyed by what it is about, so a second run or a restart never sends the
-- same message twice. A message is claimed (`sending`) before it is sent and marked `sent`
-- or `failed` after; a failed one is tried again by the next run.
CREATE TABLE notifications (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- sending | sent | failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_seq BIGINT NOT NULL
);
CREATE INDEX notifications_by_time ON notifications (updated_seq);
