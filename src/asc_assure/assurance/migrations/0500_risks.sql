-- Risk register: one row per risk (its description and current status), with every scoring kept
-- in risk_scores so that direction of travel is computed from history, never typed in.
CREATE TABLE risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- e.g. R001
    title TEXT NOT NULL,
    cause TEXT NOT NULL DEFAULT '',
    effect TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL,
    controls TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_on TEXT,                           -- ISO date the risk was closed
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Every scoring of a risk, dated. The latest (by date, then entry order) is the current score.
CREATE TABLE risk_scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id INTEGER NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    scored_on TEXT NOT NULL,                  -- ISO date of the review
    inherent_likelihood INTEGER NOT NULL CHECK (inherent_likelihood BETWEEN 1 AND 5),
    inherent_impact INTEGER NOT NULL CHECK (inherent_impact BETWEEN 1 AND 5),
    residual_likelihood INTEGER NOT NULL CHECK (residual_likelihood BETWEEN 1 AND 5),
    residual_impact INTEGER NOT NULL CHECK (residual_impact BETWEEN 1 AND 5),
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX risk_scores_history ON risk_scores (risk_id, scored_on, id);
-- Improvement plan actions that mitigate a risk (plan_actions.ref, checked when the plan exists).
CREATE TABLE risk_actions (
    risk_id INTEGER NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    action_ref TEXT NOT NULL,
    PRIMARY KEY (risk_id, action_ref)
)
