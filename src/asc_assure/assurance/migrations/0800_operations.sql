-- Operational tools: DoLS screenings and signed-off extensions to safeguarding due dates.
-- Both keep every record (history), and the latest one for an application or item step is the one in force.

-- A screening of a DoLS application with the council's screening tool (operations/dols_screening.yaml).
CREATE TABLE dols_screenings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id TEXT NOT NULL,      -- pseudonymised application reference, as in the store
    tool_version TEXT NOT NULL,        -- version of the screening tool used
    answers TEXT NOT NULL,             -- JSON: criterion id -> answer id
    score INTEGER NOT NULL,            -- total score from the answers
    tool_priority TEXT NOT NULL CHECK (tool_priority IN ('high', 'medium', 'low')),
    priority TEXT NOT NULL CHECK (priority IN ('high', 'medium', 'low')),  -- after any override
    override_reason TEXT,              -- required when priority differs from tool_priority
    screened_by TEXT NOT NULL,
    screened_at TEXT NOT NULL          -- UTC ISO timestamp
);
CREATE INDEX dols_screenings_application ON dols_screenings (application_id, id);

-- A team manager's sign-off of a new due date for one step of a safeguarding concern or enquiry.
CREATE TABLE safeguarding_extensions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_kind TEXT NOT NULL CHECK (item_kind IN ('concern', 'enquiry')),
    item_id TEXT NOT NULL,             -- pseudonymised concern or enquiry reference
    step TEXT NOT NULL CHECK (step IN ('triage', 'allocation', 'completion')),
    team TEXT,                         -- team holding the item when extended
    due_before TEXT NOT NULL,          -- the due date in force before this extension (ISO date)
    new_due TEXT NOT NULL,             -- the signed-off due date (ISO date)
    reason TEXT NOT NULL,
    signed_off_by TEXT NOT NULL,
    signed_off_at TEXT NOT NULL        -- UTC ISO timestamp
);
CREATE INDEX safeguarding_extensions_item ON safeguarding_extensions (item_kind, item_id, step, id)
