-- kind: measure
-- name: ascof_2a
-- ASCOF 2A: the proportion of people who received short-term services during the year, who previously
-- were not receiving services, where no further request was made for ongoing support (%).
-- Numerator and denominator count episodes (ascof_2a_clusters); groups 18 to 64, 65 and above and Total
-- (Total includes unknown ages: DHSC's ROLLUP). Outcome = 100 x numerator / denominator, 0 when the
-- denominator is 0 (rounded to 1 decimal place, half away from zero, by the engine).
-- Source: ASCOF_measures/Create_ASCOF_2A_2425_Onwards.sql (DataS-DHSC/ASC-CLD-LA-Dashboard @ 9bee728),
-- "Summary table for PBI".
WITH grps AS (
  SELECT '18 to 64' AS grp UNION ALL SELECT '65 and above' UNION ALL SELECT 'Total'
),
counted AS (
  SELECT la_code, age_band AS grp, in_numerator, in_denominator FROM ascof_2a_clusters
  UNION ALL
  SELECT la_code, 'Total' AS grp, in_numerator, in_denominator FROM ascof_2a_clusters
),
agg AS (
  SELECT la_code, grp, SUM(in_numerator) AS numerator, SUM(in_denominator) AS denominator
  FROM counted GROUP BY la_code, grp
)
SELECT
  c.la_code,
  '2A' AS measure,
  g.grp,
  CAST(COALESCE(a.numerator, 0) AS BIGINT) AS numerator,
  CAST(COALESCE(a.denominator, 0) AS BIGINT) AS denominator,
  CASE WHEN COALESCE(a.denominator, 0) = 0 THEN 0.0
       ELSE 100.0 * a.numerator / a.denominator END AS outcome
FROM ascof_councils c
CROSS JOIN grps g
LEFT JOIN agg a ON a.la_code = c.la_code AND a.grp = g.grp
