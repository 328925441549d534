-- The improvement plan: workstreams, actions, success measures, findings and the action log.
-- Ratings (RAG) are never stored: they are computed from status and dates when read.
CREATE TABLE plan_workstreams (
    ref TEXT PRIMARY KEY,              -- e.g. WS1
    name TEXT NOT NULL UNIQUE,
    lead TEXT NOT NULL DEFAULT '',
    sponsor TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE plan_actions (
    ref TEXT PRIMARY KEY,              -- e.g. 1.3
    workstream_ref TEXT NOT NULL REFERENCES plan_workstreams (ref) ON UPDATE CASCADE,
    description TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',    -- a user name
    start_date TEXT,                   -- ISO date
    due_date TEXT NOT NULL,            -- ISO date
    status TEXT NOT NULL DEFAULT 'not started'
        CHECK (status IN ('not started', 'in progress', 'complete', 'on hold', 'cancelled')),
    percent_complete INTEGER NOT NULL DEFAULT 0 CHECK (percent_complete BETWEEN 0 AND 100),
    evidence TEXT NOT NULL DEFAULT '', -- evidence of completion
    updated_at TEXT
);
CREATE INDEX plan_actions_workstream ON plan_actions (workstream_ref);
CREATE INDEX plan_actions_owner ON plan_actions (owner);

CREATE TABLE plan_action_dependencies (
    action_ref TEXT NOT NULL REFERENCES plan_actions (ref) ON DELETE CASCADE,
    depends_on TEXT NOT NULL REFERENCES plan_actions (ref),
    PRIMARY KEY (action_ref, depends_on)
);

CREATE TABLE plan_action_statements (
    action_ref TEXT NOT NULL REFERENCES plan_actions (ref) ON DELETE CASCADE,
    statement TEXT NOT NULL,           -- CQC quality statement slug
    PRIMARY KEY (action_ref, statement)
);

CREATE TABLE plan_findings (
    ref TEXT PRIMARY KEY,              -- e.g. CQC-1
    text TEXT NOT NULL,
    statement TEXT NOT NULL DEFAULT '',-- CQC quality statement slug (may be blank)
    source TEXT NOT NULL DEFAULT ''    -- e.g. CQC report 2025, LGA peer review 2024
);

CREATE TABLE plan_success_measures (
    ref TEXT PRIMARY KEY,              -- e.g. SM1
    workstream_ref TEXT NOT NULL REFERENCES plan_workstreams (ref),
    description TEXT NOT NULL,
    measure_id TEXT NOT NULL DEFAULT '',  -- id in the measure registry (blank for a qualitative measure)
    target REAL,
    target_date TEXT
);

CREATE TABLE plan_success_measure_statements (
    measure_ref TEXT NOT NULL REFERENCES plan_success_measures (ref) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    PRIMARY KEY (measure_ref, statement)
);

CREATE TABLE plan_success_measure_findings (
    measure_ref TEXT NOT NULL REFERENCES plan_success_measures (ref) ON DELETE CASCADE,
    finding_ref TEXT NOT NULL REFERENCES plan_findings (ref),
    PRIMARY KEY (measure_ref, finding_ref)
);

CREATE TABLE plan_action_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action_ref TEXT NOT NULL REFERENCES plan_actions (ref) ON DELETE CASCADE,
    on_date TEXT NOT NULL,             -- the date of the update (ISO)
    who TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    percent_complete INTEGER NOT NULL,
    status TEXT NOT NULL,
    recorded_at TEXT NOT NULL          -- UTC timestamp when it was written
);
CREATE INDEX plan_action_log_action ON plan_action_log (action_ref, on_date)
