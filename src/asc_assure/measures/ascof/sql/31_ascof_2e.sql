-- kind: measure
-- name: ascof_2e
-- ASCOF 2E: the proportion of people who receive long-term support who live in their home or with family
-- (%), for 18 to 64 and 65 and above, each as Male, Female and Total (Total includes other and unknown
-- genders: DHSC's ROLLUP); and 2E LD, the same for people aged 18 to 64 whose primary support reason is
-- learning disability support. Denominator = people in the cohort (unknown or invalid accommodation
-- included); numerator = those in settled accommodation. Unknown ages are in no group.
-- Outcome = 100 x numerator / denominator, 0 when the denominator is 0 (DHSC outputs 0 for councils with
-- no data). Source: ASCOF_measures/Create_ASCOF_2E_2425_Onwards.sql (@LD_Filter 0 and 1) @ 9bee728.
WITH groups AS (
  SELECT '2E' AS measure, '18 to 64' AS age_band, 'Male' AS sex UNION ALL
  SELECT '2E', '18 to 64', 'Female' UNION ALL
  SELECT '2E', '18 to 64', 'Total' UNION ALL
  SELECT '2E', '65 and above', 'Male' UNION ALL
  SELECT '2E', '65 and above', 'Female' UNION ALL
  SELECT '2E', '65 and above', 'Total' UNION ALL
  SELECT '2E LD', '18 to 64', 'Male' UNION ALL
  SELECT '2E LD', '18 to 64', 'Female' UNION ALL
  SELECT '2E LD', '18 to 64', 'Total'
),
rows_by_group AS (
  SELECT '2E' AS measure, la_code, person_id, age_band, gender AS sex, settled FROM ascof_2e_cohort
  UNION ALL
  SELECT '2E', la_code, person_id, age_band, 'Total', settled FROM ascof_2e_cohort
  UNION ALL
  SELECT '2E LD', la_code, person_id, age_band, gender, settled FROM ascof_2e_cohort
  WHERE learning_disability = 1 AND age_band = '18 to 64'
  UNION ALL
  SELECT '2E LD', la_code, person_id, age_band, 'Total', settled FROM ascof_2e_cohort
  WHERE learning_disability = 1 AND age_band = '18 to 64'
),
agg AS (
  SELECT measure, la_code, age_band, sex,
    COUNT(DISTINCT CASE WHEN settled = 1 THEN person_id END) AS numerator,
    COUNT(DISTINCT person_id) AS denominator
  FROM rows_by_group
  WHERE age_band <> 'Unknown'
  GROUP BY measure, la_code, age_band, sex
)
SELECT
  c.la_code,
  g.measure,
  g.age_band || ': ' || g.sex AS grp,
  CAST(COALESCE(a.numerator, 0) AS BIGINT) AS numerator,
  CAST(COALESCE(a.denominator, 0) AS BIGINT) AS denominator,
  CASE WHEN COALESCE(a.denominator, 0) = 0 THEN 0.0
       ELSE 100.0 * a.numerator / a.denominator END AS outcome
FROM ascof_councils c
CROSS JOIN groups g
LEFT JOIN agg a ON a.la_code = c.la_code AND a.measure = g.measure AND a.age_band = g.age_band AND a.sex = g.sex
