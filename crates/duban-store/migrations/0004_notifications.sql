-- The outbox of reminders (临近提醒 / 催办): queued once per day per unit
-- and cycle, delivered by a channel, retried with backoff, failures kept.
CREATE TABLE notifications (
    region_id        TEXT NOT NULL,
    id               TEXT NOT NULL,
    dedupe_key       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    unit             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         BIGINT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    delivered_at     TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);
CREATE UNIQUE INDEX notifications_once ON notifications (region_id, dedupe_key);
