-- Accounts and tokens (issue 7, item 8): a user can be disabled without
-- deleting them (their audit trail stays attributed), and a token can
-- carry an expiry. NULL: enabled / never expires.
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE tokens ADD COLUMN expires_at TEXT
