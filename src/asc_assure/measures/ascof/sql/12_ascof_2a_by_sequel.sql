-- kind: detail
-- name: ascof_2a_by_sequel
-- ASCOF 2A disaggregated: episodes by age band, sequel type (1 deceased, 2 admitted to hospital, 3 service,
-- 4a/4b/4c outcome of the episode / a later event / a nested assessment or review, 5 equipment, 6 unable to
-- classify) and final outcome, flagged as in the numerator, the denominator or unable to classify.
-- Source: the disaggregated output table of ASCOF_measures/Create_ASCOF_2A_2425_Onwards.sql (@ 9bee728).
SELECT
  la_code,
  '2A' AS measure,
  age_band,
  sequel_type,
  final_outcome,
  in_denominator,
  in_numerator,
  unable_to_classify,
  COUNT(*) AS episodes
FROM ascof_2a_clusters
GROUP BY la_code, age_band, sequel_type, final_outcome, in_denominator, in_numerator, unable_to_classify
