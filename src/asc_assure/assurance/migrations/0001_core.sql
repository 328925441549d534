-- The change log every workspace area writes to: who changed what, when, and how.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,              -- UTC ISO timestamp
    actor TEXT NOT NULL,           -- user name (web) or OS user / --actor (CLI)
    entity TEXT NOT NULL,          -- e.g. 'evidence', 'self_assessment', 'action'
    entity_id TEXT NOT NULL,
    action TEXT NOT NULL,          -- e.g. 'create', 'update', 'status', 'delete'
    detail TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX changes_entity ON changes (entity, entity_id);
