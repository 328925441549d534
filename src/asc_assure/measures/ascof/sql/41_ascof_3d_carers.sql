-- kind: view
-- name: ascof_3d_carers
-- ASCOF 3D, carers (parts 1b and 2b): unpaid carers supported in the period, one row per carer and best
-- kind of support (ASCOF_measures/Create_ASCOF_3D_2425_Onwards.sql @ 9bee728):
--   * unpaid carers (and carers known by association) with an event active in the period, not died
--     before it: carer services, assessments and reviews without a service type, and events without a
--     service type whose outcome is information and advice;
--   * support: 1 'Direct Payment only' (direct payment mechanism or component), 2 'CASSR Managed Personal
--     Budget', 3 'CASSR Commissioned Support only', 4 'Support Direct to Carer: Unknown Delivery Mech',
--     5 'Information, Advice and Other Universal Services / Signposting', 6 'No Direct Support Provided to
--     Carer'; each carer counted once at the best; age = youngest age at the period end; under 18 out.
--   * As in DHSC's SQL, a direct-to-carer service with a managed budget or commissioned mechanism but no
--     service component falls in no category (`NOT LIKE` on a blank is not true), so it is not counted.
WITH build AS (
  SELECT
    e.la_code, e.person_id, e.event_type, e.service_type, e.service_component, e.delivery_mechanism,
    COALESCE(e.event_outcome, 'Invalid and not mapped') AS event_outcome,
    CASE WHEN p.birth_date IS NULL THEN NULL
         ELSE FLOOR(DATE_DIFF('day', p.birth_date, pr.period_end) / 365.25) END AS age
  FROM ascof_events e
  CROSS JOIN params pr
  LEFT JOIN ascof_person p ON p.la_code = e.la_code AND p.person_id = e.person_id
  WHERE e.client_type IN ('Unpaid carer', 'Unpaid carer known by association')
    AND e.event_start_date <= pr.period_end
    AND e.person_id IS NOT NULL
    AND (e.der_end >= pr.period_start OR e.der_end IS NULL)
    AND (e.der_end >= e.event_start_date OR e.der_end IS NULL)
    AND (p.date_of_death >= pr.period_start OR p.date_of_death IS NULL)
    AND ((e.service_type IS NULL AND e.event_outcome = 'NFA: Information and advice or signposting')
         OR e.service_type IN ('Unpaid carer support: Direct to unpaid carer',
                               'Unpaid carer support: Support involving the person cared-for')
         OR (e.event_type IN ('Assessment', 'Review') AND e.service_type IS NULL))
),
categorised AS (
  SELECT
    b.*,
    CASE
      WHEN b.service_type = 'Unpaid carer support: Direct to unpaid carer'
        AND (b.delivery_mechanism = 'Direct payment' OR b.service_component = 'Direct payment') THEN 1
      WHEN b.service_type = 'Unpaid carer support: Direct to unpaid carer'
        AND (b.delivery_mechanism = 'CASSR managed personal budget' AND b.service_component NOT LIKE 'Direct payment')
        THEN 2
      WHEN b.service_type = 'Unpaid carer support: Direct to unpaid carer'
        AND (b.delivery_mechanism = 'CASSR commissioned support' AND b.service_component NOT LIKE 'Direct payment')
        THEN 3
      WHEN b.service_type = 'Unpaid carer support: Direct to unpaid carer'
        AND (b.delivery_mechanism NOT IN ('Direct payment', 'CASSR managed personal budget',
                                          'CASSR commissioned support')
             AND b.service_component NOT LIKE 'Direct payment') THEN 4
      WHEN b.service_type = 'Unpaid carer support: Direct to unpaid carer'
        AND (b.delivery_mechanism IS NULL AND b.service_component NOT LIKE 'Direct payment') THEN 4
      WHEN b.service_type = 'Unpaid carer support: Support involving the person cared-for' THEN 6
      WHEN b.event_type IN ('Assessment', 'Review')
        AND b.event_outcome NOT LIKE 'NFA: Information and advice or signposting' THEN 6
      WHEN b.event_type IN ('Assessment', 'Review') AND b.event_outcome IS NULL THEN 6
      WHEN b.event_type IN ('Assessment', 'Review')
        AND b.event_outcome = 'NFA: Information and advice or signposting' THEN 5
      WHEN b.event_type = 'Request' THEN 5
    END AS hierarchy
  FROM build b
),
per_carer AS (
  SELECT la_code, person_id, MIN(hierarchy) AS top, MIN(age) AS age
  FROM categorised GROUP BY la_code, person_id
)
SELECT
  la_code,
  person_id,
  CASE WHEN age < 18 THEN 'Under 18' WHEN age BETWEEN 18 AND 64 THEN '18 to 64'
       WHEN age >= 65 THEN '65 and above' ELSE 'Unknown' END AS age_band,
  top AS hierarchy,
  CASE top
    WHEN 1 THEN 'Direct Payment only'
    WHEN 2 THEN 'CASSR Managed Personal Budget'
    WHEN 3 THEN 'CASSR Commissioned Support only'
    WHEN 4 THEN 'Support Direct to Carer: Unknown Delivery Mech'
    WHEN 5 THEN 'Information, Advice and Other Universal Services / Signposting'
    WHEN 6 THEN 'No Direct Support Provided to Carer'
  END AS support_provided
FROM per_carer
WHERE top IS NOT NULL AND (age >= 18 OR age IS NULL)
