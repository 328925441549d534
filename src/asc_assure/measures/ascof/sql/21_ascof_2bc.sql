-- kind: measure
-- name: ascof_2bc
-- ASCOF 2B (18 to 64) and 2C (65 and above): new admissions to residential and nursing care per 100,000
-- population. Numerator = people (ascof_2bc_admissions) in the band; denominator = the band's population
-- (ascof_population; blank when no population file is loaded); outcome = 100,000 x numerator /
-- denominator, rounded to 1 decimal place (Create_ASCOF_2B2C_2425_Onwards.sql @ 9bee728).
WITH bands AS (
  SELECT '2B' AS measure, '18 to 64' AS grp UNION ALL SELECT '2C', '65 and above'
),
counts AS (
  SELECT la_code, age_band, COUNT(DISTINCT person_id) AS admissions
  FROM ascof_2bc_admissions GROUP BY la_code, age_band
)
SELECT
  c.la_code,
  b.measure,
  b.grp,
  CAST(COALESCE(n.admissions, 0) AS BIGINT) AS numerator,
  CAST(p.population AS BIGINT) AS denominator,
  CASE WHEN p.population IS NULL THEN NULL
       WHEN p.population = 0 THEN 0.0
       ELSE 100000.0 * COALESCE(n.admissions, 0) / p.population END AS outcome
FROM ascof_councils c
CROSS JOIN bands b
LEFT JOIN counts n ON n.la_code = c.la_code AND n.age_band = b.grp
LEFT JOIN ascof_population p ON p.la_code = c.la_code AND p.age_band = b.grp
