-- kind: measure
-- name: ascof_2d
-- ASCOF 2D: people aged 65 and over discharged from hospital into reablement (ascof_2d_links).
--   2D1 (part 1, outcome): of the reablement episodes that followed a discharge, the % still at home 12
--       weeks after discharge (not died, not readmitted as an emergency, not admitted to long-term
--       residential or nursing care). Counted by the council that provided the reablement.
--   2D2 (part 2, provision): reablement episodes that followed a discharge as a % of all discharges of
--       people aged 65+ living in the council (numerator = the 2D1 denominator).
-- Groups Total, 65-74, 75-84, 85+, Female, Male (age and sex from the hospital record). Outcome rounded
-- to 2 decimal places by the engine (DHSC: CAST(ROUND(..., 2) AS DECIMAL(5,2))); 0 when nothing to count.
-- Source: ASCOF_measures/Create_ASCOF_2D.sql (DataS-DHSC/ASC-CLD-LA-Dashboard @ 9bee728).
WITH grps AS (
  SELECT 'Total' AS grp UNION ALL SELECT '65-74' UNION ALL SELECT '75-84' UNION ALL SELECT '85+'
  UNION ALL SELECT 'Female' UNION ALL SELECT 'Male'
),
slices AS (
  SELECT l.*, g.grp
  FROM ascof_2d_links l
  JOIN grps g ON g.grp = 'Total' OR g.grp = l.age_group OR g.grp = l.sex
),
part1 AS (
  SELECT reablement_la_code AS la_code, grp,
    COUNT(DISTINCT CASE WHEN at_home_12_weeks = 1 THEN person_id || '#' || CAST(cluster_no AS VARCHAR) END)
      AS numerator,
    COUNT(DISTINCT person_id || '#' || CAST(cluster_no AS VARCHAR)) AS denominator
  FROM slices
  WHERE cluster_no IS NOT NULL
  GROUP BY reablement_la_code, grp
),
part2 AS (
  SELECT area_la_code AS la_code, grp, COUNT(DISTINCT spell_id) AS denominator
  FROM slices
  GROUP BY area_la_code, grp
),
councils AS (
  SELECT la_code FROM ascof_councils
  UNION
  SELECT DISTINCT la_code FROM hospital_episodes
)
SELECT
  c.la_code,
  '2D1' AS measure,
  g.grp,
  CAST(COALESCE(p.numerator, 0) AS BIGINT) AS numerator,
  CAST(COALESCE(p.denominator, 0) AS BIGINT) AS denominator,
  CASE WHEN COALESCE(p.denominator, 0) = 0 THEN 0.0 ELSE 100.0 * p.numerator / p.denominator END AS outcome
FROM councils c
CROSS JOIN grps g
LEFT JOIN part1 p ON p.la_code = c.la_code AND p.grp = g.grp
UNION ALL
SELECT
  c.la_code,
  '2D2' AS measure,
  g.grp,
  CAST(COALESCE(p1.denominator, 0) AS BIGINT) AS numerator,
  CAST(COALESCE(p2.denominator, 0) AS BIGINT) AS denominator,
  CASE WHEN COALESCE(p2.denominator, 0) = 0 THEN 0.0
       ELSE 100.0 * COALESCE(p1.denominator, 0) / p2.denominator END AS outcome
FROM councils c
CROSS JOIN grps g
LEFT JOIN part1 p1 ON p1.la_code = c.la_code AND p1.grp = g.grp
LEFT JOIN part2 p2 ON p2.la_code = c.la_code AND p2.grp = g.grp
