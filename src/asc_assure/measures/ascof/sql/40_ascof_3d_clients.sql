-- kind: view
-- name: ascof_3d_clients
-- ASCOF 3D, clients (parts 1a and 2a): people receiving long-term support on the last day of the period,
-- one row per person and top setting (ASCOF_measures/Create_ASCOF_3D_2425_Onwards.sql @ 9bee728):
--   * service users' long-term services open on the period end (start on or before it, end on or after it
--     or blank), not died before the period end; age at the period end;
--   * a 'Direct payment' service component makes the delivery mechanism 'Direct payment'; a delivery
--     mechanism that is blank, invalid or not expected for the setting (nursing, residential; direct
--     payment in prison) becomes '' (unknown);
--   * each person is counted once, in the highest setting: nursing 1, residential 2, community with direct
--     payment 3, with a council-managed personal budget 4, commissioned 5, unknown 6, prison managed
--     budget 7, commissioned 8, unknown 9;
--   * under 18 out; unknown age counted in the total only.
WITH build AS (
  SELECT
    e.la_code, e.person_id, e.service_type, e.service_component,
    CASE WHEN e.service_component = 'Direct payment' THEN 'Direct payment' ELSE e.delivery_mechanism END AS dm,
    CASE WHEN p.birth_date IS NULL THEN NULL
         ELSE FLOOR(DATE_DIFF('day', p.birth_date, pr.period_end) / 365.25) END AS age
  FROM ascof_events e
  CROSS JOIN params pr
  LEFT JOIN ascof_person p ON p.la_code = e.la_code AND p.person_id = e.person_id
  WHERE e.event_type = 'Service'
    AND e.service_type IN ('Long term support: Nursing care', 'Long term support: Residential care',
                           'Long term support: Community', 'Long term support: Prison')
    AND e.client_type = 'Service user'
    AND e.event_start_date <= pr.period_end
    AND (e.der_end >= e.event_start_date OR e.der_end IS NULL)
    AND (e.der_end >= pr.period_end OR e.der_end IS NULL)
    AND (p.date_of_death >= pr.period_end OR p.date_of_death IS NULL)
),
cleaned AS (
  SELECT
    b.*,
    CASE
      WHEN b.service_type = 'Long term support: Community'
        AND b.dm IN ('Direct payment', 'CASSR managed personal budget', 'CASSR commissioned support') THEN b.dm
      WHEN b.service_type = 'Long term support: Prison'
        AND b.dm IN ('CASSR managed personal budget', 'CASSR commissioned support') THEN b.dm
      ELSE ''
    END AS delivery_mechanism
  FROM build b
),
ranked AS (
  SELECT
    c.*,
    CASE
      WHEN c.service_type = 'Long term support: Community' AND c.service_component = 'Direct payment' THEN 3
      WHEN c.service_type = 'Long term support: Nursing care' THEN 1
      WHEN c.service_type = 'Long term support: Residential care' THEN 2
      WHEN c.service_type = 'Long term support: Community' THEN
        CASE c.delivery_mechanism WHEN 'Direct payment' THEN 3 WHEN 'CASSR managed personal budget' THEN 4
                                  WHEN 'CASSR commissioned support' THEN 5 ELSE 6 END
      ELSE
        CASE c.delivery_mechanism WHEN 'CASSR managed personal budget' THEN 7
                                  WHEN 'CASSR commissioned support' THEN 8 ELSE 9 END
    END AS hierarchy
  FROM cleaned c
),
top_rank AS (
  SELECT la_code, person_id, MIN(hierarchy) AS top, MAX(age) AS age
  FROM ranked GROUP BY la_code, person_id
)
SELECT DISTINCT
  r.la_code,
  r.person_id,
  CASE WHEN t.age < 18 THEN 'Under 18' WHEN t.age BETWEEN 18 AND 64 THEN '18 to 64'
       WHEN t.age >= 65 THEN '65 and above' ELSE 'Unknown' END AS age_band,
  r.service_type,
  r.service_component,
  r.delivery_mechanism
FROM ranked r
JOIN top_rank t ON t.la_code = r.la_code AND t.person_id = r.person_id AND t.top = r.hierarchy
WHERE t.age >= 18 OR t.age IS NULL
