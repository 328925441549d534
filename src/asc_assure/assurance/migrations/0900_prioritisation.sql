-- Referral prioritisation and "waiting well" contact (asc_assure.operations.prioritisation).
-- Every table keeps history: the latest row for a referral is the one in force. Referral references are
-- the pseudonymised keys from the store, never the council's own references.

-- Answers to the prioritisation tool (operations/prioritisation.yaml) and the priority they give.
CREATE TABLE referral_prioritisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    answers TEXT NOT NULL,             -- JSON: question id -> answer id
    score INTEGER NOT NULL,            -- total of the answers' weights
    score_priority TEXT NOT NULL CHECK (score_priority IN ('high', 'medium', 'low')),
    overrides TEXT NOT NULL,           -- JSON list of the override rules that applied
    priority TEXT NOT NULL CHECK (priority IN ('high', 'medium', 'low')),  -- after overrides
    notes TEXT,
    prioritised_on TEXT NOT NULL,      -- ISO date the prioritisation applies from
    prioritised_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL          -- UTC ISO timestamp
);
CREATE INDEX referral_prioritisations_referral ON referral_prioritisations (referral_id, id);

-- Contacts with people waiting ("waiting well" check-ins).
CREATE TABLE waiting_check_ins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id TEXT NOT NULL,
    contact_date TEXT NOT NULL,        -- ISO date of the contact (or the attempt)
    outcome TEXT NOT NULL CHECK (outcome IN ('no_change', 'circumstances_changed', 'no_longer_needs_assessment',
                                             'not_reached')),
    notes TEXT,                        -- required when circumstances changed: what changed
    checked_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX waiting_check_ins_referral ON waiting_check_ins (referral_id, id);

-- A practice supervisor's verification (verified as it stands, or changed with a reason) and
-- re-prioritisations when circumstances change (with what changed).
CREATE TABLE priority_decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    referral_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('verified', 'changed', 'reprioritised')),
    priority_before TEXT CHECK (priority_before IN ('high', 'medium', 'low')),
    source_before TEXT NOT NULL,       -- where the priority before came from: extract, computed, verified ...
    priority TEXT NOT NULL CHECK (priority IN ('high', 'medium', 'low')),
    reason TEXT,                       -- required when a supervisor changes the priority, or overrides the tool
    what_changed TEXT,                 -- required for a re-prioritisation: the change in circumstances
    prioritisation_id INTEGER REFERENCES referral_prioritisations (id),  -- answers re-scored with it, if any
    check_in_id INTEGER REFERENCES waiting_check_ins (id),  -- the check-in that reported a change, if any
    decided_on TEXT NOT NULL,          -- ISO date
    decided_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX priority_decisions_referral ON priority_decisions (referral_id, id)
