-- kind: detail
-- name: ascof_2bc_by_setting
-- ASCOF 2B/2C disaggregated: the people admitted, by age band and the setting of their first new admission
-- in the period (residential or nursing care), so a council can see which kind of placement moved the figure.
SELECT
  la_code,
  CASE WHEN age_band = '18 to 64' THEN '2B' ELSE '2C' END AS measure,
  age_band,
  first_setting AS setting,
  COUNT(*) AS people
FROM ascof_2bc_admissions
GROUP BY la_code, age_band, first_setting
