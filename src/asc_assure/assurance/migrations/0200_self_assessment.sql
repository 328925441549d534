-- Self-assessment: one row per saved version of a section (a CQC theme, or the overview).
-- Content is JSON (ambition, strengths, areas, key statistics, narrative) and is never edited in place:
-- every save adds a version, so any earlier version can be shown, compared or exported again.
CREATE TABLE sa_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    section TEXT NOT NULL,            -- theme slug from the CQC framework, or 'overview'
    version INTEGER NOT NULL,         -- 1, 2, 3 ... within the section
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'in_review', 'approved', 'returned', 'withdrawn')),
    content TEXT NOT NULL,            -- JSON
    note TEXT NOT NULL DEFAULT '',    -- what the author says changed
    based_on INTEGER,                 -- the version this one was edited from
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    decided_at TEXT,
    decided_by TEXT,
    decision_comment TEXT,
    UNIQUE (section, version)
);
CREATE INDEX sa_versions_section ON sa_versions (section, version);

-- Self-assessed scores: every change is a new row; the current score is the newest row per statement.
CREATE TABLE sa_self_scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    statement TEXT NOT NULL,          -- quality statement slug
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
    rationale TEXT NOT NULL,
    scored_on TEXT NOT NULL,          -- the date the score was set (ISO)
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX sa_self_scores_statement ON sa_self_scores (statement, id);

-- CQC's published scores: one assessment per assessment date, with a score per statement CQC assessed.
CREATE TABLE cqc_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessed_on TEXT NOT NULL UNIQUE, -- assessment (site visit) date, ISO
    report_date TEXT,                 -- publication date of CQC's report, ISO
    published_rating TEXT,            -- the rating word CQC published, if recorded
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE TABLE cqc_actual_scores (
    assessment_id INTEGER NOT NULL REFERENCES cqc_assessments (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
    PRIMARY KEY (assessment_id, statement)
)
