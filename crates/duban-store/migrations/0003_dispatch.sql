-- Dispatch (调度): cycles, reports with versions, coordination requests,
-- the lights a closed cycle produced, per-plan settings and holidays.

CREATE TABLE plan_settings (
    region_id   TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    cadence     TEXT NOT NULL,
    thresholds  TEXT NOT NULL,
    PRIMARY KEY (region_id, plan_id)
);

CREATE TABLE holidays (
    region_id  TEXT NOT NULL,
    day        TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (region_id, day)
);

CREATE TABLE cycles (
    region_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    opens_on    TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    closed_at   TEXT,
    PRIMARY KEY (region_id, id),
    FOREIGN KEY (region_id, plan_id) REFERENCES plans (region_id, id)
);
CREATE UNIQUE INDEX cycles_by_seq ON cycles (region_id, plan_id, seq);

CREATE TABLE reports (
    region_id       TEXT NOT NULL,
    id              TEXT NOT NULL,
    cycle_id        TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    unit_id         TEXT NOT NULL,
    version         BIGINT NOT NULL,
    state           TEXT NOT NULL,
    status          TEXT NOT NULL,
    completion      DOUBLE PRECISION NOT NULL,
    current_value   DOUBLE PRECISION,
    progress        TEXT NOT NULL,
    problems        TEXT NOT NULL,
    next_steps      TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    submitted_at    TEXT,
    late            BIGINT NOT NULL,
    review_comment  TEXT,
    author          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    superseded_at   TEXT,
    PRIMARY KEY (region_id, id),
    FOREIGN KEY (region_id, cycle_id) REFERENCES cycles (region_id, id),
    FOREIGN KEY (region_id, task_id) REFERENCES tasks (region_id, id),
    FOREIGN KEY (region_id, unit_id) REFERENCES units (region_id, id)
);
CREATE UNIQUE INDEX reports_by_version ON reports (region_id, cycle_id, task_id, unit_id, version);

CREATE TABLE coordination_requests (
    region_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    report_id    TEXT NOT NULL,
    task_id      TEXT NOT NULL,
    from_unit_id TEXT NOT NULL,
    addressed_to TEXT NOT NULL,
    text         TEXT NOT NULL,
    status       TEXT NOT NULL,
    answer       TEXT,
    created_at   TEXT NOT NULL,
    resolved_at  TEXT,
    PRIMARY KEY (region_id, id)
);

CREATE TABLE task_lights (
    region_id  TEXT NOT NULL,
    cycle_id   TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    light      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    PRIMARY KEY (region_id, cycle_id, task_id)
);
