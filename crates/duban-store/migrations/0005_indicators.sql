-- Indicator owners (指标责任单位) and their reports: a goal's target (one
-- without a task) is owned by a unit, which reports its year-to-date value
-- each cycle.
ALTER TABLE targets ADD COLUMN owner_unit_id TEXT;

CREATE TABLE indicator_reports (
    region_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    cycle_id       TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    unit_id        TEXT NOT NULL,
    version        BIGINT NOT NULL,
    value          DOUBLE PRECISION NOT NULL,
    note           TEXT NOT NULL,
    submitted      BIGINT NOT NULL,
    late           BIGINT NOT NULL,
    author         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    superseded_at  TEXT,
    PRIMARY KEY (region_id, id),
    FOREIGN KEY (region_id, cycle_id) REFERENCES cycles (region_id, id),
    FOREIGN KEY (region_id, target_id) REFERENCES targets (region_id, id)
);
CREATE UNIQUE INDEX indicator_reports_by_version ON indicator_reports (region_id, cycle_id, target_id, version);
