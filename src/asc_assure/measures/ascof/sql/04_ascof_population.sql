-- kind: view
-- name: ascof_population
-- Population denominators for ASCOF 2B and 2C from the council's `population` reference file (ONS mid-year
-- estimates). DHSC uses Gender 'All' and the age bands '18 to 64' and '65 and above' of
-- REF_ONS_Pop_Gender_Pub_Age_Bands_24 (mid-2024 estimates for 2024-25; Create_ASCOF_2B2C_2425_Onwards.sql
-- @ 9bee728). Here the estimate used is the latest mid-year not after the year the period starts in (the
-- earliest loaded if all are later); 'All' is used when loaded, else Male + Female.
WITH by_year AS (
  SELECT
    la_code, year, age_band,
    COALESCE(MAX(CASE WHEN sex = 'All' THEN count END),
             SUM(CASE WHEN sex IN ('Male', 'Female') THEN count END)) AS population
  FROM population
  GROUP BY la_code, year, age_band
),
ranked AS (
  SELECT
    b.*,
    ROW_NUMBER() OVER (PARTITION BY b.la_code, b.age_band
      ORDER BY CASE WHEN b.year <= YEAR(p.period_start) THEN 0 ELSE 1 END,
               ABS(b.year - YEAR(p.period_start))) AS pick
  FROM by_year b
  CROSS JOIN params p
)
SELECT la_code, age_band, year, population FROM ranked WHERE pick = 1
