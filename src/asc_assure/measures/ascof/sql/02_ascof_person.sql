-- kind: view
-- name: ascof_person
-- DHSC's latest person details (ASCOF_measures/Create_personal_details_table.sql @ 9bee728): one row per
-- council and person, from every event the person has in ascof_events.
--   * birth date: a known one, from the latest reporting period, the earliest if several (Der_Birth_Date,
--     the first of the birth month, as the national dataset holds it).
--   * date of death: a known one, from the latest reporting period, the latest if several.
--   * gender, primary support reason, accommodation status: known values before unknown ones, then the
--     latest reporting period, the latest event end (open = 9999-01-01), the latest start; when the records
--     that tie disagree the value becomes 'Unknown'. 'Social support: Support to unpaid carer' counts as
--     unknown for the primary support reason, so another reason wins when there is one.
--   * an unknown accommodation status is deduced from the person's latest service: long-term nursing ->
--     'Registered nursing home', residential -> 'Registered care home', Shared Lives, extra care housing,
--     community supported living -> their settings, long-term community with home support or domiciliary
--     care -> 'Unknown: Presumed at home' (settled), long-term community otherwise -> 'Unknown: Presumed in
--     community', prison -> 'Prison, young offenders institution or detention centre'.
--   * settled = 1 for the settled accommodation statuses (#REF_Accommodation_Status, group 1), used by 2E.
WITH ev AS (
  SELECT
    la_code, person_id, rp_end, event_start_date,
    COALESCE(der_end, CAST('9999-01-01' AS DATE)) AS end9,
    date_of_birth, date_of_death, gender, primary_support_reason,
    CASE
      WHEN accommodation_status IS NULL OR accommodation_status = 'Invalid and not mapped' THEN 'Unknown'
      ELSE accommodation_status
    END AS accommodation_status,
    CASE
      WHEN primary_support_reason IS NULL OR primary_support_reason = 'Invalid and not mapped' THEN 'Unknown'
      ELSE primary_support_reason
    END AS psr
  FROM ascof_events
),
people AS (
  SELECT DISTINCT la_code, person_id FROM ev
),
birth_ranked AS (
  SELECT la_code, person_id, date_of_birth,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY CASE WHEN date_of_birth IS NULL THEN 1 ELSE 2 END DESC, rp_end DESC, date_of_birth ASC) AS r
  FROM ev
),
birth AS (
  SELECT la_code, person_id, MIN(date_of_birth) AS birth_date FROM birth_ranked WHERE r = 1
  GROUP BY la_code, person_id
),
death_ranked AS (
  SELECT la_code, person_id, date_of_death,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY CASE WHEN date_of_death IS NULL THEN 1 ELSE 2 END DESC, rp_end DESC, date_of_death DESC) AS r
  FROM ev
),
death AS (
  SELECT la_code, person_id, MAX(date_of_death) AS date_of_death FROM death_ranked WHERE r = 1
  GROUP BY la_code, person_id
),
gender_ranked AS (
  SELECT la_code, person_id, gender AS v,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY CASE WHEN LOWER(gender) IN ('unknown', 'not known', 'not specified', 'invalid and not mapped')
                    THEN 0 ELSE 1 END DESC,
               rp_end DESC, end9 DESC, event_start_date DESC) AS r
  FROM ev
),
gender AS (
  SELECT la_code, person_id, CASE WHEN COUNT(DISTINCT v) > 1 THEN 'Unknown' ELSE MAX(v) END AS gender
  FROM gender_ranked WHERE r = 1 GROUP BY la_code, person_id
),
psr_ranked AS (
  SELECT la_code, person_id, psr AS v,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY CASE WHEN psr IN ('Unknown', 'Social support: Support to unpaid carer') THEN 0 ELSE 1 END DESC,
               rp_end DESC, end9 DESC, event_start_date DESC) AS r
  FROM ev
),
psr AS (
  SELECT la_code, person_id, CASE WHEN COUNT(DISTINCT v) > 1 THEN 'Unknown' ELSE MAX(v) END AS primary_support_reason
  FROM psr_ranked WHERE r = 1 GROUP BY la_code, person_id
),
acc_ranked AS (
  SELECT la_code, person_id, accommodation_status AS v,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY CASE WHEN accommodation_status = 'Unknown' THEN 0 ELSE 1 END DESC,
               rp_end DESC, end9 DESC, event_start_date DESC) AS r
  FROM ev
),
acc AS (
  SELECT la_code, person_id, CASE WHEN COUNT(DISTINCT v) > 1 THEN 'Unknown' ELSE MAX(v) END AS accommodation_status
  FROM acc_ranked WHERE r = 1 GROUP BY la_code, person_id
),
unknown_services AS (
  SELECT
    e.la_code, e.person_id, e.service_type, e.service_component,
    CASE e.service_type
      WHEN 'Long term support: Nursing care' THEN 1
      WHEN 'Long term support: Residential care' THEN 2
      WHEN 'Long term support: Community' THEN 3
      WHEN 'Long term support: Prison' THEN 4
      WHEN 'Short term support: ST-Max' THEN 5
      WHEN 'Short term support: Ongoing low level' THEN 6
      WHEN 'Short term support: Other short term' THEN 7
      ELSE 99
    END AS st_rank,
    CASE WHEN e.service_component IN ('Shared Lives', 'Community supported living', 'Extra care housing',
                                      'Home support or domiciliary care') THEN 1 ELSE 0 END AS mappable,
    COALESCE(e.der_end, CAST('9999-01-01' AS DATE)) AS end9,
    e.event_start_date
  FROM ascof_events e
  JOIN acc a ON a.la_code = e.la_code AND a.person_id = e.person_id AND a.accommodation_status = 'Unknown'
  WHERE e.event_type = 'Service'
),
latest_services AS (
  SELECT *,
    DENSE_RANK() OVER (PARTITION BY la_code, person_id
      ORDER BY end9 DESC, st_rank ASC, mappable DESC, event_start_date DESC) AS r
  FROM unknown_services
),
latest_service AS (
  SELECT
    la_code, person_id,
    CASE WHEN COUNT(DISTINCT CASE WHEN st_rank <> 99 THEN service_type END) = 1
         THEN MAX(CASE WHEN st_rank <> 99 THEN service_type END) END AS service_type,
    CASE WHEN COUNT(DISTINCT CASE WHEN mappable = 1 THEN service_component END) = 1
         THEN MAX(CASE WHEN mappable = 1 THEN service_component END) END AS service_component
  FROM latest_services WHERE r = 1 GROUP BY la_code, person_id
),
acc_final AS (
  SELECT
    a.la_code, a.person_id,
    CASE
      WHEN a.accommodation_status <> 'Unknown' THEN a.accommodation_status
      WHEN s.service_type = 'Long term support: Nursing care' THEN 'Registered nursing home'
      WHEN s.service_type = 'Long term support: Residential care' THEN 'Registered care home'
      WHEN s.service_component = 'Shared Lives' THEN 'Shared Lives scheme'
      WHEN s.service_component = 'Extra care housing' THEN 'Sheltered housing, extra care housing or other sheltered housing'
      WHEN s.service_component = 'Community supported living'
        THEN 'Supported accommodation, supported lodgings or supported group home'
      WHEN s.service_type = 'Long term support: Community' AND s.service_component = 'Home support or domiciliary care'
        THEN 'Unknown: Presumed at home'
      WHEN s.service_type = 'Long term support: Community' AND s.service_component IS NULL
        THEN 'Unknown: Presumed in community'
      WHEN s.service_type = 'Long term support: Prison' THEN 'Prison, young offenders institution or detention centre'
      ELSE 'Unknown'
    END AS accommodation_status
  FROM acc a
  LEFT JOIN latest_service s ON s.la_code = a.la_code AND s.person_id = a.person_id
)
SELECT
  p.la_code,
  p.person_id,
  b.birth_date,
  d.date_of_death,
  COALESCE(g.gender, 'Unknown') AS gender,
  COALESCE(r.primary_support_reason, 'Unknown') AS primary_support_reason,
  COALESCE(a.accommodation_status, 'Unknown') AS accommodation_status,
  CASE WHEN a.accommodation_status IN (
      'Owner occupier or shared ownership scheme',
      'Tenant: Local authority or other social housing provider',
      'Tenant: Private landlord',
      'Settled mainstream housing with family or friends',
      'Supported accommodation, supported lodgings or supported group home',
      'Shared Lives scheme',
      'Approved premises for offenders released from prison or under probation supervision',
      'Sheltered housing, extra care housing or other sheltered housing',
      'Mobile accommodation for Gypsy, Roma and Traveller communities',
      'Unknown: Presumed at home') THEN 1 ELSE 0 END AS settled
FROM people p
LEFT JOIN birth b ON b.la_code = p.la_code AND b.person_id = p.person_id
LEFT JOIN death d ON d.la_code = p.la_code AND d.person_id = p.person_id
LEFT JOIN gender g ON g.la_code = p.la_code AND g.person_id = p.person_id
LEFT JOIN psr r ON r.la_code = p.la_code AND r.person_id = p.person_id
LEFT JOIN acc_final a ON a.la_code = p.la_code AND a.person_id = p.person_id
