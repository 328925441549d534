-- Budget monitoring: each month's budget lines (one per service area), the imports that loaded
-- them, and savings schemes with their monthly delivery position. Money is held as whole pence
-- (INTEGER) so that variance and its RAG are computed exactly.
CREATE TABLE budget_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    month TEXT NOT NULL,                      -- YYYY-MM
    source TEXT NOT NULL,                     -- file name, or how the lines were entered
    units TEXT NOT NULL,                      -- pounds, thousands or millions
    rows_read INTEGER NOT NULL,
    rows_loaded INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    replaced_lines INTEGER NOT NULL,          -- lines of the same month this import replaced
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE budget_lines (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    month TEXT NOT NULL,
    service_area TEXT NOT NULL COLLATE NOCASE,
    budget_pence INTEGER NOT NULL,
    forecast_pence INTEGER NOT NULL,          -- forecast outturn
    position INTEGER NOT NULL DEFAULT 0,      -- order in the source file
    import_id INTEGER REFERENCES budget_imports (id),
    UNIQUE (month, service_area)
);
CREATE INDEX budget_lines_month ON budget_lines (month, position);
CREATE TABLE savings_schemes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL COLLATE NOCASE,
    service_area TEXT NOT NULL DEFAULT '',
    financial_year TEXT NOT NULL,             -- e.g. 2024/25
    target_pence INTEGER NOT NULL CHECK (target_pence > 0),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (financial_year, name)
);
CREATE TABLE savings_progress (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id INTEGER NOT NULL REFERENCES savings_schemes (id) ON DELETE CASCADE,
    month TEXT NOT NULL,                      -- position as at the end of this month
    delivered_pence INTEGER NOT NULL,         -- delivered to date
    forecast_pence INTEGER NOT NULL,          -- forecast delivery by the year end
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (scheme_id, month)
)
