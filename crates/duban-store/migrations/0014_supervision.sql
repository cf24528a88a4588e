-- 一月一督导 (issue 13): supervision visits, the rectification items their
-- findings become (整改事项), the items' history with every evidence report
-- as a version, and the files attached to visits and evidence.

-- How often each campaign is visited (monthly unless set).
CREATE TABLE supervision_settings (
    region_id   TEXT NOT NULL,
    plan_no     BIGINT NOT NULL,
    cadence     TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (region_id, plan_no)
);

-- A visit: planned for a month, then done (with its date and narrative)
-- or cancelled (with a reason). Team, tasks, list items and units are JSON
-- arrays of ids (users by name): a visit is read whole, never joined on.
CREATE TABLE visits (
    region_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    plan_no        BIGINT NOT NULL,
    month          TEXT NOT NULL,
    title          TEXT NOT NULL,
    planned_on     TEXT,
    visited_on     TEXT,
    team_users     TEXT NOT NULL,
    team_names     TEXT NOT NULL,
    task_ids       TEXT NOT NULL,
    list_item_ids  TEXT NOT NULL,
    unit_ids       TEXT NOT NULL,
    narrative      TEXT NOT NULL,
    state          TEXT NOT NULL,
    cancel_reason  TEXT,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);
CREATE INDEX visits_by_month ON visits (region_id, month, plan_no);

-- A finding turned into a rectification item. `version` rises with every
-- event (optimistic concurrency, as for reports); `listed_leader` is set
-- while the item is under listed supervision (挂牌督办).
CREATE TABLE rectification_items (
    region_id      TEXT NOT NULL,
    id             TEXT NOT NULL,
    visit_id       TEXT NOT NULL,
    plan_no        BIGINT NOT NULL,
    problem        TEXT NOT NULL,
    requirement    TEXT NOT NULL,
    deadline       TEXT NOT NULL,
    task_id        TEXT,
    list_item_id   TEXT,
    state          TEXT NOT NULL,
    version        BIGINT NOT NULL,
    submitted_on   TEXT,
    return_reason  TEXT,
    listed_leader  TEXT,
    listed_by      TEXT,
    listed_at      TEXT,
    closed_on      TEXT,
    closed_by      TEXT,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (region_id, id),
    FOREIGN KEY (region_id, visit_id) REFERENCES visits (region_id, id)
);
CREATE INDEX rectification_items_by_visit ON rectification_items (region_id, visit_id);

-- The units answerable for an item: lead (牵头) and co (配合), as for tasks.
CREATE TABLE rectification_units (
    region_id  TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    role       TEXT NOT NULL,
    position   BIGINT NOT NULL,
    PRIMARY KEY (region_id, item_id, unit_id),
    FOREIGN KEY (region_id, item_id) REFERENCES rectification_items (region_id, id),
    FOREIGN KEY (region_id, unit_id) REFERENCES units (region_id, id)
);
CREATE INDEX rectification_units_by_unit ON rectification_units (region_id, unit_id);

-- Every event on an item, one row per version: the unit's progress and
-- evidence reports (整改佐证), its requests for verification, the office's
-- returns (with the reason) and closure, the listing.
CREATE TABLE rectification_events (
    region_id   TEXT NOT NULL,
    item_id     TEXT NOT NULL,
    version     BIGINT NOT NULL,
    event       TEXT NOT NULL,
    state       TEXT NOT NULL,
    text        TEXT NOT NULL,
    unit_id     TEXT,
    day         TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (region_id, item_id, version)
);

-- Photos and documents of a visit or of an item's evidence, checked as the
-- report attachments are (`attachments.rs`), kept in the ledger likewise.
CREATE TABLE supervision_files (
    region_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    owner_kind    TEXT NOT NULL,
    owner_id      TEXT NOT NULL,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    data          BYTEA NOT NULL,
    author        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);
CREATE INDEX supervision_files_by_owner ON supervision_files (region_id, owner_kind, owner_id)
