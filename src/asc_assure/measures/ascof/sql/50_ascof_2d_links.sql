-- kind: view
-- name: ascof_2d_links
-- ASCOF 2D: hospital discharges of people aged 65 and over in the period (part 2 denominator), each linked
-- to the reablement episode it led to, if any, with the 12-week outcomes (ASCOF_measures/Create_ASCOF_2D.sql
-- @ 9bee728). Needs the optional hospital_episodes extract (empty without it).
--   * reablement = service users' ST-Max services with component 'Reablement', people not died before the
--     period, clustered as in 2A (gaps of up to 7 days join);
--   * discharges = last episodes of spells with an NHS number, admitted on or after 1 April 2023 and
--     before discharge, discharged in the period, aged 65+ at discharge; excluding admission methods
--     31, 32, 82, 83, discharge methods 4 and 5, destinations 49-52, 79, 87, 88, DHSC's excluded treatment
--     functions (199, 223, 290, 291, 331, 344-346, 424, 499, 501, 504, 560, 660-662, 840, 920, 65x, 7xx), and
--     people in long-term nursing, residential or prison support on the admission date;
--   * a reablement episode is linked to a discharge 7 days before to 3 days after its start (admitted on or
--     before its start); the latest such discharge is kept;
--   * outcomes within 84 days of discharge: died; emergency readmission (management type EM or NE,
--     admitted after the episode start and the discharge); a long-term residential or nursing service
--     starting. Remaining at home = none of the three.
-- The area is the council of residence given in the extract (DHSC maps the patient's LSOA to the council).
WITH cleaned AS (
  SELECT e.*, COALESCE(e.der_end, CAST('9999-01-01' AS DATE)) AS end9, p.date_of_death AS dod_latest
  FROM ascof_events e
  CROSS JOIN params pr
  LEFT JOIN ascof_person p ON p.la_code = e.la_code AND p.person_id = e.person_id
  WHERE e.client_type = 'Service user'
    AND (p.date_of_death >= pr.period_start OR p.date_of_death IS NULL)
    AND (e.der_end >= e.event_start_date OR e.der_end IS NULL)
),
lts AS (
  SELECT * FROM cleaned WHERE service_type LIKE 'Long term support:%'
),
reab AS (
  SELECT
    c.*,
    MAX(c.end9) OVER (PARTITION BY c.la_code, c.person_id
      ORDER BY c.event_start_date, c.end9, c.outcome_rank, c.record_id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
  FROM cleaned c
  WHERE c.event_type = 'Service' AND c.service_type = 'Short term support: ST-Max'
    AND c.service_component = 'Reablement'
),
reab_numbered AS (
  SELECT
    r.*,
    SUM(CASE WHEN DATE_DIFF('day', r.previous_end, r.event_start_date) <= 7 THEN 0 ELSE 1 END) OVER (
      PARTITION BY r.la_code, r.person_id
      ORDER BY r.event_start_date, r.end9, r.outcome_rank, r.record_id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cluster_no
  FROM reab r
),
episodes AS (
  SELECT la_code, person_id, cluster_no, MIN(event_start_date) AS cluster_start, MAX(end9) AS cluster_end,
    MAX(dod_latest) AS date_of_death
  FROM reab_numbered
  GROUP BY la_code, person_id, cluster_no
),
discharges AS (
  SELECT
    h.la_code AS area_la_code,
    h.nhs_number_pseudo AS person_id,
    h.spell_id,
    h.admission_date,
    h.discharge_date,
    FLOOR(DATE_DIFF('day', h.date_of_birth, h.discharge_date) / 365.25) AS age,
    CASE h.sex WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' WHEN '9' THEN 'Not specified' ELSE 'Not known' END AS sex
  FROM hospital_episodes h
  CROSS JOIN params pr
  WHERE h.last_episode_in_spell
    AND h.nhs_number_pseudo IS NOT NULL
    AND h.date_of_birth IS NOT NULL
    AND FLOOR(DATE_DIFF('day', h.date_of_birth, h.discharge_date) / 365.25) >= 65
    AND h.admission_method NOT IN ('31', '32', '82', '83')
    AND h.discharge_method NOT IN ('4', '5')
    AND h.discharge_destination NOT IN ('49', '50', '51', '52', '79', '87', '88')
    AND h.treatment_function_code NOT IN ('199', '223', '290', '291', '331', '344', '345', '346', '424', '499',
                                          '501', '504', '560', '660', '661', '662', '840', '920')
    AND h.treatment_function_code NOT LIKE '65%'
    AND h.treatment_function_code NOT LIKE '7%'
    AND h.admission_date >= CAST('2023-04-01' AS DATE)
    AND h.admission_date < h.discharge_date
    AND h.discharge_date BETWEEN pr.period_start AND pr.period_end
    AND NOT EXISTS (
      SELECT 1 FROM lts l
      WHERE l.person_id = h.nhs_number_pseudo
        AND l.service_type IN ('Long term support: Nursing care', 'Long term support: Residential care',
                               'Long term support: Prison')
        AND h.admission_date BETWEEN l.event_start_date AND l.end9
    )
),
discharges_typed AS (
  SELECT
    d.*,
    CASE WHEN d.age BETWEEN 65 AND 74 THEN '65-74' WHEN d.age BETWEEN 75 AND 84 THEN '75-84' ELSE '85+' END AS age_group,
    CASE WHEN EXISTS (
        SELECT 1 FROM lts l
        WHERE l.person_id = d.person_id AND l.service_type = 'Long term support: Community'
          AND d.admission_date BETWEEN l.event_start_date AND l.end9)
      THEN 'Those in LT community support' ELSE 'Those not in any LTS' END AS client_group
  FROM discharges d
),
candidate_links AS (
  SELECT d.spell_id, d.discharge_date, d.admission_date, d.age_group, d.sex, d.client_group,
    e.la_code, e.person_id, e.cluster_no, e.cluster_start, e.cluster_end, e.date_of_death
  FROM discharges_typed d
  JOIN episodes e ON e.person_id = d.person_id
  WHERE d.discharge_date >= e.cluster_start - INTERVAL 7 DAY
    AND d.discharge_date <= e.cluster_start + INTERVAL 3 DAY
    AND d.admission_date <= e.cluster_start
),
latest_links AS (
  SELECT c.*,
    MAX(c.discharge_date) OVER (PARTITION BY c.la_code, c.person_id, c.cluster_no) AS latest_discharge
  FROM candidate_links c
),
readmissions AS (
  SELECT h.nhs_number_pseudo AS person_id, h.admission_date
  FROM hospital_episodes h
  CROSS JOIN params pr
  WHERE h.admission_date < h.discharge_date
    AND h.management_type IN ('EM', 'NE')
    AND h.discharge_method NOT IN ('5')
    AND h.last_episode_in_spell
    AND h.admission_date >= pr.period_start
),
linked AS (
  SELECT
    l.*,
    CASE WHEN EXISTS (
        SELECT 1 FROM readmissions r
        WHERE r.person_id = l.person_id AND r.admission_date > l.cluster_start
          AND r.admission_date > l.discharge_date AND r.admission_date <= l.discharge_date + INTERVAL 84 DAY)
      THEN 1 ELSE 0 END AS readmitted,
    CASE WHEN l.date_of_death IS NOT NULL AND l.date_of_death >= l.discharge_date
           AND l.date_of_death <= l.discharge_date + INTERVAL 84 DAY THEN 1 ELSE 0 END AS died,
    CASE WHEN EXISTS (
        SELECT 1 FROM lts c
        WHERE c.person_id = l.person_id
          AND c.service_type IN ('Long term support: Residential care', 'Long term support: Nursing care')
          AND c.event_start_date >= l.discharge_date
          AND c.event_start_date <= l.discharge_date + INTERVAL 84 DAY)
      THEN 1 ELSE 0 END AS entered_care
  FROM latest_links l
  WHERE l.discharge_date = l.latest_discharge
),
flags AS (
  SELECT la_code, person_id, cluster_no, MAX(died) AS died, MAX(readmitted) AS readmitted,
    MAX(entered_care) AS entered_care
  FROM linked GROUP BY la_code, person_id, cluster_no
)
SELECT
  d.area_la_code,
  d.spell_id,
  d.age_group,
  d.sex,
  d.client_group,
  l.la_code AS reablement_la_code,
  l.person_id,
  l.cluster_no,
  f.died,
  f.readmitted,
  f.entered_care,
  CASE WHEN l.cluster_no IS NULL THEN NULL
       WHEN f.died = 0 AND f.readmitted = 0 AND f.entered_care = 0 THEN 1 ELSE 0 END AS at_home_12_weeks
FROM discharges_typed d
LEFT JOIN linked l ON l.spell_id = d.spell_id AND l.discharge_date = d.discharge_date
LEFT JOIN flags f ON f.la_code = l.la_code AND f.person_id = l.person_id AND f.cluster_no = l.cluster_no
