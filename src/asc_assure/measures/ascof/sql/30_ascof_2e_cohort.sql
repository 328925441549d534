-- kind: view
-- name: ascof_2e_cohort
-- ASCOF 2E: people receiving long-term support in the period, one row per person, with the details 2E
-- reports by (ASCOF_measures/Create_ASCOF_2E_2425_Onwards.sql @ 9bee728):
--   * service users with a long-term support service (nursing, residential, community, prison) active at
--     any time in the period; not died before the period;
--   * accommodation, gender and primary support reason from the latest person details (ascof_person: the
--     status at the end of the data, with unknowns deduced from services);
--   * age at the end of the person's latest long-term service, capped at the period end; under 18 out;
--     unknown age kept here but left out of every output group (as DHSC does);
--   * settled = the accommodation counts as living at home or with family (numerator).
WITH build AS (
  SELECT e.la_code, e.person_id,
    CASE WHEN COALESCE(e.der_end, CAST('9999-01-01' AS DATE)) >= pr.period_end THEN pr.period_end
         ELSE e.der_end END AS capped_end
  FROM ascof_events e
  CROSS JOIN params pr
  WHERE e.client_type = 'Service user'
    AND e.event_type = 'Service'
    AND e.service_type IN ('Long term support: Nursing care', 'Long term support: Residential care',
                           'Long term support: Community', 'Long term support: Prison')
    AND e.event_start_date IS NOT NULL
    AND (e.der_end >= e.event_start_date OR e.der_end IS NULL)
    AND e.event_start_date <= pr.period_end
    AND (e.der_end >= pr.period_start OR e.der_end IS NULL)
),
people AS (
  SELECT la_code, person_id, MAX(capped_end) AS age_date FROM build GROUP BY la_code, person_id
),
aged AS (
  SELECT
    b.la_code, b.person_id, p.gender, p.primary_support_reason, p.accommodation_status, p.settled,
    CASE WHEN p.birth_date IS NULL THEN NULL
         ELSE FLOOR(DATE_DIFF('day', p.birth_date, b.age_date) / 365.25) END AS age
  FROM people b
  CROSS JOIN params pr
  LEFT JOIN ascof_person p ON p.la_code = b.la_code AND p.person_id = b.person_id
  WHERE p.date_of_death >= pr.period_start OR p.date_of_death IS NULL
)
SELECT
  la_code, person_id, gender, primary_support_reason, accommodation_status, settled, age,
  CASE
    WHEN age BETWEEN 18 AND 64 THEN '18 to 64'
    WHEN age >= 65 THEN '65 and above'
    ELSE 'Unknown'
  END AS age_band,
  CASE WHEN primary_support_reason = 'Learning disability support' THEN 1 ELSE 0 END AS learning_disability
FROM aged
WHERE age >= 18 OR age IS NULL
