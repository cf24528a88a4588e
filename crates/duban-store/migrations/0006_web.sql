-- Browser sessions (登录会话): the cookie carries a random token; only its
-- SHA-256 is stored, so a leaked database cannot be replayed as a session.
-- `csrf` is the form token of the session (every state-changing form posts it).
CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    csrf          TEXT NOT NULL,
    client        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Failed sign-ins, by key (`user:NAME` and `addr:IP`), for throttling.
CREATE TABLE login_failures (
    key  TEXT NOT NULL,
    at   TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at);

-- Files attached to a report (佐证材料). Kept in the ledger itself so that a
-- backup of the database is a backup of everything.
CREATE TABLE attachments (
    region_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    cycle_id      TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          BYTEA NOT NULL,
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);
CREATE INDEX attachments_by_report ON attachments (region_id, cycle_id, task_id, unit_id);
