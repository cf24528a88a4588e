-- 信息公开 (issue 10): what the public page shows. One row per publishing
-- of a closed cycle (its campaign is the cycle's plan). `view` is the
-- snapshot of exactly the public fields (duban_core::public::PublicCampaign,
-- JSON) taken when it was published, so the public sees what the office
-- approved and nothing computed later. Withdrawing sets `withdrawn_at`;
-- publishing again adds a new row, so the history stays.
CREATE TABLE publications (
    region_id     TEXT NOT NULL,
    id            TEXT NOT NULL,
    cycle_id      TEXT NOT NULL,
    plan_no       BIGINT NOT NULL,
    view          TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    withdrawn_at  TEXT,
    withdrawn_by  TEXT,
    PRIMARY KEY (region_id, id)
);
CREATE INDEX publications_by_cycle ON publications (region_id, cycle_id)
;
-- At most one live publication per cycle (two offices pressing 发布 at once).
CREATE UNIQUE INDEX publications_live ON publications (region_id, cycle_id) WHERE withdrawn_at IS NULL
