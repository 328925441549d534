-- kind: detail
-- name: ascof_3d_by_support
-- ASCOF 3D disaggregated: clients by age band, top setting and delivery mechanism ('' = unknown or
-- invalid: DHSC's "Unknown or invalid delivery mechanism" count), and carers by the kind of support.
SELECT la_code, '3D clients' AS measure, age_band, service_type AS setting,
  CASE WHEN delivery_mechanism = '' THEN 'Unknown or invalid' ELSE delivery_mechanism END AS support,
  COUNT(DISTINCT person_id) AS people
FROM ascof_3d_clients
GROUP BY la_code, age_band, service_type, delivery_mechanism
UNION ALL
SELECT la_code, '3D carers' AS measure, age_band, 'Unpaid carer support' AS setting, support_provided AS support,
  COUNT(DISTINCT person_id) AS people
FROM ascof_3d_carers
GROUP BY la_code, age_band, support_provided
