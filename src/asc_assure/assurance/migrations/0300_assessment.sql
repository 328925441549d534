-- CQC assessment preparation: the timeline (anchors, milestones, tasks), the information-return
-- checklist, and case tracking (the proposed 50, the shortlist of 10, consent and pen pictures).
-- Dates are ISO TEXT (YYYY-MM-DD), timestamps are UTC ISO TEXT.

-- The dates the timeline hangs from: notified, onsite_notified, onsite_start.
CREATE TABLE assessment_anchors (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    given INTEGER NOT NULL DEFAULT 1,   -- 1 typed by a user, 0 worked out from the default offsets
    updated_at TEXT NOT NULL
);

CREATE TABLE assessment_milestones (
    key TEXT PRIMARY KEY,               -- from timeline_defaults.yaml
    title TEXT NOT NULL,
    due_date TEXT NOT NULL,
    end_date TEXT,                      -- for spans such as the on-site week
    anchor TEXT NOT NULL,
    rule TEXT NOT NULL DEFAULT '',      -- the offset in words, e.g. "14 working days after notification"
    source TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE assessment_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT UNIQUE,                    -- generated tasks: key from the YAML, NULL for tasks users add
    milestone_key TEXT,
    title TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'not_started' CHECK (status IN ('not_started', 'in_progress', 'done')),
    notes TEXT NOT NULL DEFAULT '',
    completed_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessment_tasks_due ON assessment_tasks (due_date);

CREATE TABLE information_return_items (
    id TEXT PRIMARY KEY,                -- key from information_return_items.yaml
    section TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('document', 'data')),
    description TEXT NOT NULL DEFAULT '',
    quality_statements TEXT NOT NULL DEFAULT '[]',   -- JSON list of slugs
    source TEXT NOT NULL DEFAULT '',
    milestone_key TEXT NOT NULL DEFAULT 'information_return_due',
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'not_started'
        CHECK (status IN ('not_started', 'in_progress', 'ready', 'submitted', 'not_applicable')),
    na_reason TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    sort INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- Evidence items live in evidence_items (migration 0100), ids are checked by the code when linked.
CREATE TABLE information_return_evidence (
    item_id TEXT NOT NULL REFERENCES information_return_items (id) ON DELETE CASCADE,
    evidence_id INTEGER NOT NULL,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (item_id, evidence_id)
);

-- One proposal is current at a time: proposing again (with --replace) retires the earlier one.
CREATE TABLE case_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seed INTEGER NOT NULL,
    as_of TEXT NOT NULL,
    pool_size INTEGER NOT NULL,
    mix TEXT NOT NULL,                  -- JSON: the case_mix.yaml settings used
    current INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);

-- Only the pseudonymised person key is kept: never names, NHS numbers or the council's own reference.
CREATE TABLE tracked_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES case_proposals (id),
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
    person_key TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,  -- 0 once swapped out
    age_band TEXT NOT NULL,
    psr TEXT NOT NULL,
    psr_group TEXT NOT NULL,
    ethnicity_group TEXT NOT NULL,
    locality TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',   -- JSON list of flag keys
    reasons TEXT NOT NULL DEFAULT '[]', -- JSON list of reasons chosen, in words
    shortlisted INTEGER NOT NULL DEFAULT 0,
    consent_status TEXT NOT NULL DEFAULT 'not_asked'
        CHECK (consent_status IN ('not_asked', 'asked', 'given', 'declined')),
    consent_date TEXT,
    pen_picture TEXT NOT NULL DEFAULT '',
    swapped_out_at TEXT,
    swap_reason TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX tracked_cases_number ON tracked_cases (proposal_id, number) WHERE active = 1;
CREATE INDEX tracked_cases_person ON tracked_cases (proposal_id, person_key)
