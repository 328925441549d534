-- KPI commentary for the monthly Business Management and Monitoring Report.
-- One row per version: an edit adds a row, nothing is overwritten, so the report can say who wrote
-- the words it carries and earlier wording stays on record.
CREATE TABLE kpi_commentary (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    measure_id TEXT NOT NULL,      -- registry id, e.g. 'reviews.overdue_pct'
    month TEXT NOT NULL,           -- reporting month, 'YYYY-MM'
    version INTEGER NOT NULL,      -- 1, 2, 3 ... per measure and month
    text TEXT NOT NULL,
    author TEXT NOT NULL,          -- who wrote this version
    written_at TEXT NOT NULL,      -- UTC ISO timestamp
    UNIQUE (measure_id, month, version)
);
CREATE INDEX kpi_commentary_month ON kpi_commentary (month, measure_id)
