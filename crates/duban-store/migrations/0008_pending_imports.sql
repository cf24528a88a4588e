-- Plan files uploaded on the admin's import page and waiting for the
-- preview to be confirmed (导入预览). Kept server-side so the confirmation
-- imports exactly the bytes that were previewed, not a second upload.
-- Rows older than a day are swept whenever another upload arrives.
CREATE TABLE pending_imports (
    region_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    size        BIGINT NOT NULL,
    data        BYTEA NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (region_id, id)
);
CREATE INDEX pending_imports_by_age ON pending_imports (created_at)
;

-- The audit page reads the newest entries first, of everyone or of one
-- user. Without these, every page sorts the region's whole log: 0.6 s at
-- 440,000 entries on SQLite, against 1 ms with them.
CREATE INDEX audit_by_time ON audit_log (region_id, at, id);
CREATE INDEX audit_by_actor ON audit_log (region_id, actor, at, id)
