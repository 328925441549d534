-- kind: measure
-- name: ascof_3d
-- ASCOF 3D: self-directed support and direct payments (%), groups 18 to 64, 65 and above, Total (unknown
-- ages in the total only). Outcome = 100 x numerator / denominator, 0 when the denominator is 0.
--   3D1a clients with self-directed support: denominator = clients whose top setting is long-term
--        community support; numerator = those with a direct payment or a council-managed personal budget.
--   3D2a clients receiving direct payments: same denominator; numerator = direct payment.
--   3D1b carers with self-directed support: denominator = carers with a direct payment, managed budget
--        or commissioned support; numerator = direct payment or managed budget.
--   3D2b carers receiving direct payments: same denominator; numerator = direct payment.
-- Source: ASCOF_measures/Create_ASCOF_3D_2425_Onwards.sql @ 9bee728.
WITH grps AS (
  SELECT '18 to 64' AS grp UNION ALL SELECT '65 and above' UNION ALL SELECT 'Total'
),
measures AS (
  SELECT '3D1a' AS measure UNION ALL SELECT '3D2a' UNION ALL SELECT '3D1b' UNION ALL SELECT '3D2b'
),
client_rows AS (
  SELECT la_code, person_id, age_band AS grp,
    CASE WHEN delivery_mechanism = 'Direct payment' OR service_component = 'Direct payment'
           OR delivery_mechanism = 'CASSR managed personal budget' THEN 1 ELSE 0 END AS sds,
    CASE WHEN delivery_mechanism = 'Direct payment' OR service_component = 'Direct payment' THEN 1 ELSE 0 END AS dp
  FROM ascof_3d_clients
  WHERE service_type = 'Long term support: Community'
),
carer_rows AS (
  SELECT la_code, person_id, age_band AS grp,
    CASE WHEN hierarchy IN (1, 2) THEN 1 ELSE 0 END AS sds,
    CASE WHEN hierarchy = 1 THEN 1 ELSE 0 END AS dp
  FROM ascof_3d_carers
  WHERE hierarchy IN (1, 2, 3)
),
all_rows AS (
  SELECT '3D1a' AS measure, la_code, person_id, grp, sds AS hit FROM client_rows
  UNION ALL SELECT '3D1a', la_code, person_id, 'Total', sds FROM client_rows
  UNION ALL SELECT '3D2a', la_code, person_id, grp, dp FROM client_rows
  UNION ALL SELECT '3D2a', la_code, person_id, 'Total', dp FROM client_rows
  UNION ALL SELECT '3D1b', la_code, person_id, grp, sds FROM carer_rows
  UNION ALL SELECT '3D1b', la_code, person_id, 'Total', sds FROM carer_rows
  UNION ALL SELECT '3D2b', la_code, person_id, grp, dp FROM carer_rows
  UNION ALL SELECT '3D2b', la_code, person_id, 'Total', dp FROM carer_rows
),
agg AS (
  SELECT measure, la_code, grp,
    COUNT(DISTINCT CASE WHEN hit = 1 THEN person_id END) AS numerator,
    COUNT(DISTINCT person_id) AS denominator
  FROM all_rows
  GROUP BY measure, la_code, grp
)
SELECT
  c.la_code,
  m.measure,
  g.grp,
  CAST(COALESCE(a.numerator, 0) AS BIGINT) AS numerator,
  CAST(COALESCE(a.denominator, 0) AS BIGINT) AS denominator,
  CASE WHEN COALESCE(a.denominator, 0) = 0 THEN 0.0
       ELSE 100.0 * a.numerator / a.denominator END AS outcome
FROM ascof_councils c
CROSS JOIN measures m
CROSS JOIN grps g
LEFT JOIN agg a ON a.la_code = c.la_code AND a.measure = m.measure AND a.grp = g.grp
