-- kind: detail
-- name: ascof_2e_by_accommodation
-- ASCOF 2E disaggregated: people in the cohort by age band and accommodation status, whether it counts as
-- settled, and whether the status was unknown, deduced from services or invalid (DHSC's second 2E output,
-- "Accommodation status = unknown or invalid", counts those). Unknown ages are shown but are in no figure.
SELECT
  la_code,
  '2E' AS measure,
  age_band,
  accommodation_status,
  settled,
  CASE WHEN accommodation_status IN ('Unknown', 'Unknown: Presumed at home', 'Unknown: Presumed in community')
       THEN 1 ELSE 0 END AS unknown_or_deduced,
  COUNT(DISTINCT person_id) AS people
FROM ascof_2e_cohort
GROUP BY la_code, age_band, accommodation_status, settled
