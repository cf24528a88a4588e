-- The bulletin's 版头 per region (issue 11): the issuing organ printed in
-- red, the 文号 pattern ({year} and {n} are filled in: the year and the
-- bulletin's month number) and the 落款. A region without a row uses
-- defaults made from its name.
CREATE TABLE bulletin_settings (
    region_id TEXT NOT NULL PRIMARY KEY,
    organ TEXT NOT NULL,
    doc_number TEXT NOT NULL,
    signature TEXT NOT NULL,
    updated_at TEXT NOT NULL
)
