-- The CQC evidence library: one row per piece of evidence, a file (stored by its SHA-256 in the
-- workspace files folder) or a link, never both. Retiring keeps the row (retired_at is set).
CREATE TABLE evidence_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,            -- CQC evidence category slug (domain/cqc_framework.yaml)
    source_type TEXT NOT NULL,         -- data, survey, case-audit, policy, feedback, peer-review
    owner TEXT NOT NULL,
    evidence_date TEXT NOT NULL,       -- ISO date the evidence is from
    review_by TEXT,                    -- ISO date, the item is stale after it
    link TEXT,                         -- http(s) address, when the evidence lives elsewhere
    file_sha256 TEXT,                  -- content address of the stored file
    file_name TEXT,                    -- the name it was uploaded under (used for downloads)
    file_size INTEGER,
    retired_at TEXT,
    retired_by TEXT,
    retired_reason TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    CHECK ((link IS NULL) <> (file_sha256 IS NULL)),
    CHECK (review_by IS NULL OR review_by >= evidence_date)
);
CREATE INDEX evidence_items_category ON evidence_items (category);
CREATE INDEX evidence_items_review_by ON evidence_items (review_by);
CREATE INDEX evidence_items_file ON evidence_items (file_sha256);

-- Which quality statements an item is evidence for (at least one, enforced by the core).
CREATE TABLE evidence_item_statements (
    item_id INTEGER NOT NULL REFERENCES evidence_items (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,           -- quality statement slug
    PRIMARY KEY (item_id, statement)
);
CREATE INDEX evidence_item_statements_statement ON evidence_item_statements (statement);
