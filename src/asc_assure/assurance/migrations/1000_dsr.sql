-- Dynamic Support Register: people with a learning disability and/or autistic people at risk of admission
-- to a mental health hospital. Person-level health information: pseudonymised person key only.
-- Every RAG rating is kept (dsr_rag_history), so counts by RAG can be worked out as at any past date.

CREATE TABLE dsr_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_key TEXT NOT NULL,           -- pseudonymised person reference (P-...), as in the store
    learning_disability INTEGER NOT NULL CHECK (learning_disability IN (0, 1)),
    autism INTEGER NOT NULL CHECK (autism IN (0, 1)),
    age_group TEXT NOT NULL CHECK (age_group IN ('transition', 'adult')),
    team TEXT NOT NULL,
    key_worker TEXT NOT NULL,           -- user name of the key worker
    added_on TEXT NOT NULL,             -- ISO date the person was added to the register
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on TEXT,                     -- ISO date, when closed
    close_reason TEXT,                  -- a key of close_reasons in dsr_settings.yaml
    close_note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,           -- UTC ISO timestamp
    CHECK (learning_disability + autism >= 1),
    CHECK ((status = 'open' AND closed_on IS NULL) OR (status = 'closed' AND closed_on IS NOT NULL))
);
CREATE UNIQUE INDEX dsr_entries_one_open_per_person ON dsr_entries (person_key) WHERE status = 'open';
CREATE INDEX dsr_entries_team ON dsr_entries (team, status);

-- Every RAG rating an entry has had: the first is the rating when added; the latest on or before a date
-- is the rating on that date.
CREATE TABLE dsr_rag_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES dsr_entries (id),
    rag TEXT NOT NULL CHECK (rag IN ('red', 'amber', 'green')),
    reason TEXT NOT NULL,
    effective_on TEXT NOT NULL,         -- ISO date the rating applies from
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX dsr_rag_history_entry ON dsr_rag_history (entry_id, effective_on, id);

-- Reviews of an entry by the team (the DSR review meeting); a review restarts the review clock.
CREATE TABLE dsr_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES dsr_entries (id),
    reviewed_on TEXT NOT NULL,
    notes TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX dsr_reviews_entry ON dsr_reviews (entry_id, reviewed_on);

-- Care and Treatment Reviews (adults) and Care, Education and Treatment Reviews (children and young people).
CREATE TABLE dsr_ctrs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES dsr_entries (id),
    review_type TEXT NOT NULL CHECK (review_type IN ('CTR', 'C(E)TR')),
    setting TEXT NOT NULL CHECK (setting IN ('community', 'inpatient')),
    held_on TEXT NOT NULL,
    outcome TEXT NOT NULL,              -- a key of ctr_outcomes in dsr_settings.yaml
    notes TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX dsr_ctrs_entry ON dsr_ctrs (entry_id, held_on);

-- Actions agreed for an entry (at a review or a C(E)TR): what, who, by when, and when done.
CREATE TABLE dsr_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id INTEGER NOT NULL REFERENCES dsr_entries (id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT NOT NULL,
    done_on TEXT,
    done_by TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX dsr_actions_entry ON dsr_actions (entry_id, done_on, due_on)
