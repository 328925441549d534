-- kind: view
-- name: ascof_2bc_admissions
-- ASCOF 2B/2C: people whose long-term support needs were met by a new admission to residential or nursing
-- care in the period, one row per person (ASCOF_measures/Create_ASCOF_2B2C_2425_Onwards.sql @ 9bee728):
--   * service users' long-term residential or nursing care services, birth date known, not died before the
--     period; the component must be residential or nursing and not short term - as in DHSC's SQL, where
--     `Service_Component NOT LIKE '%Short%'` is never true for a blank component, so a blank component
--     does not count;
--   * admission = such a service starting in the period, its outcome not 'NFA: Self-funded client or under
--     12wk disregard';
--   * new = no such service for the person that started earlier and ended fewer than 365 days before this
--     start (or is still open), looking back over all the CLD held;
--   * age at the admission's start; under 18 out; a person admitted in both bands counts once, in
--     '18 to 64' (DHSC takes MIN of the band text).
WITH build AS (
  SELECT e.la_code, e.person_id, e.service_type, e.event_start_date, e.der_end, e.event_outcome, p.birth_date
  FROM ascof_events e
  JOIN ascof_person p ON p.la_code = e.la_code AND p.person_id = e.person_id
  CROSS JOIN params pr
  WHERE e.event_type = 'Service'
    AND e.client_type = 'Service user'
    AND e.service_type IN ('Long term support: Residential care', 'Long term support: Nursing care')
    AND p.birth_date IS NOT NULL
    AND (p.date_of_death >= pr.period_start OR p.date_of_death IS NULL)
    AND (LOWER(e.service_component) LIKE '%residential%' OR LOWER(e.service_component) LIKE '%nursing%')
    AND LOWER(e.service_component) NOT LIKE '%short%'
),
admissions AS (
  SELECT DISTINCT b.la_code, b.person_id, b.service_type, b.event_start_date,
    FLOOR(DATE_DIFF('day', b.birth_date, b.event_start_date) / 365.25) AS age
  FROM build b
  CROSS JOIN params pr
  WHERE b.event_start_date BETWEEN pr.period_start AND pr.period_end
    AND (b.event_outcome IS NULL OR b.event_outcome <> 'NFA: Self-funded client or under 12wk disregard')
),
new_admissions AS (
  SELECT a.*
  FROM admissions a
  WHERE NOT EXISTS (
    SELECT 1 FROM build b
    WHERE b.la_code = a.la_code AND b.person_id = a.person_id
      AND b.event_start_date < a.event_start_date
      AND (DATE_DIFF('day', b.der_end, a.event_start_date) < 365 OR b.der_end IS NULL)
  )
),
first_admission AS (
  SELECT n.*,
    ROW_NUMBER() OVER (PARTITION BY n.la_code, n.person_id ORDER BY n.event_start_date, n.service_type) AS k
  FROM new_admissions n
  WHERE n.age >= 18
)
SELECT
  la_code,
  person_id,
  MIN(CASE WHEN age BETWEEN 18 AND 64 THEN '18 to 64' WHEN age > 64 THEN '65 and above' END) AS age_band,
  MAX(CASE WHEN k = 1 THEN service_type END) AS first_setting,
  MIN(event_start_date) AS first_admission
FROM first_admission
GROUP BY la_code, person_id
