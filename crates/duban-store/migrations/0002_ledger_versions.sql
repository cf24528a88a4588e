-- A counter per region, bumped by every audited write (all writes are
-- audited). Readers compare it to decide whether a cached read model of
-- the region is still current, also across processes.
CREATE TABLE ledger_versions (
    region_id  TEXT PRIMARY KEY,
    version    BIGINT NOT NULL
);
