-- kind: detail
-- name: ascof_2d_outcomes
-- ASCOF 2D disaggregated: reablement episodes after a discharge by whether the person was living in the
-- community with long-term support when admitted, and which of the three 12-week outcomes happened
-- (died, emergency readmission, long-term residential or nursing care) - DHSC's Venn table.
SELECT
  reablement_la_code AS la_code,
  '2D1' AS measure,
  client_group,
  died,
  readmitted,
  entered_care,
  COUNT(DISTINCT person_id || '#' || CAST(cluster_no AS VARCHAR)) AS episodes
FROM ascof_2d_links
WHERE cluster_no IS NOT NULL
GROUP BY reablement_la_code, client_group, died, readmitted, entered_care
