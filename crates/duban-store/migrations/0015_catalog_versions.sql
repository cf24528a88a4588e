-- A second counter per region, bumped by every audited write except report
-- saves and reviews. The region's tasks, units and cycles (what every save
-- checks a report against) are cached by this version: keyed by the ledger
-- version they were re-read after every save, which during a deadline rush
-- meant re-reading the whole region for every request (issue 12).
CREATE TABLE catalog_versions (
    region_id  TEXT PRIMARY KEY,
    version    BIGINT NOT NULL
);
