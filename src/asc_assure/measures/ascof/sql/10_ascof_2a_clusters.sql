-- kind: view
-- name: ascof_2a_clusters
-- ASCOF 2A, one row per reablement (ST-Max) episode of a new client ending in the period, with its sequel.
-- Follows ASCOF_measures/Create_ASCOF_2A_2425_Onwards.sql (DataS-DHSC/ASC-CLD-LA-Dashboard @ 9bee728):
--   Build: service users' events with a start, ending on or after the start (open = 9999-01-01).
--   Outcome hierarchy: DHSC's event outcome hierarchy, +100 for the outcomes that cannot classify a sequel
--     (Continuation..., Progress to support planning..., Progress to assessment..., Progress to
--     reablement/ST-Max, Release 1 not mapped, Invalid); no outcome = 999.
--   Clusters: ST-Max services of a person, ordered by start, end, hierarchy, record (latest first); a new
--     episode starts when the start is more than 7 days after the latest end so far (7 days joins).
--     Episode outcome = outcome of the record ending last (best hierarchy, then latest record, on ties).
--   In scope: episode end within the period; age at episode end from the person's birth date (under 18
--     out, unknown kept for the total); people who died before the episode started are out.
--   New client: no long-term support service that started before the episode and ended fewer than 91 days
--     before it started (or is still open).
--   Sequel, first that applies:
--     1 died within 7 days of the end (or before) -> 'NFA: Deceased';
--     2 episode outcome 'Admitted to hospital';
--     3 a service starting between the episode start and 7 days after its end, ending after it (events from
--       the first later ST-Max on are ignored): best of LT nursing, LT residential, LT community, LT prison,
--       ST-Max, ST ongoing low level, ST other (short-term residential or nursing care first) -> its service
--       type; 'Short term support: Other short term' with short-term residential or nursing care ->
--       'Short term support: Residential or Nursing care';
--     4 the best usable outcome of (a) the episode, (b) requests, assessments and reviews in that 7-day
--       window (not 'NFA: Support ended as planned'), (c) the last assessment or review nested in the
--       episode and ending fewer than 14 days before its end;
--     5 equipment delivered during the episode -> 'Short term support: Ongoing low level';
--     6 otherwise the episode outcome (usually one that cannot be classified).
WITH params_row AS (
  SELECT period_start, period_end FROM params
),
build AS (
  SELECT
    e.la_code, e.person_id, e.event_type, e.service_type, e.service_component, e.event_start_date,
    COALESCE(e.der_end, CAST('9999-01-01' AS DATE)) AS end9,
    COALESCE(e.event_outcome, 'Invalid and not mapped') AS event_outcome,
    CASE
      WHEN e.event_outcome IS NULL THEN 999
      WHEN e.event_outcome = 'Invalid and not mapped' THEN 118
      WHEN e.event_outcome IN ('Continuation of support or services', 'Progress to support planning or services',
                               'Progress to assessment, review or reassessment', 'Progress to reablement/ST-Max',
                               'Release 1 specification only: Not mapped') THEN e.outcome_rank + 100
      ELSE e.outcome_rank
    END AS hierarchy,
    e.record_id
  FROM ascof_events e
  WHERE e.client_type = 'Service user'
    AND e.person_id IS NOT NULL
    AND e.event_start_date IS NOT NULL
    AND (e.der_end >= e.event_start_date OR e.der_end IS NULL)
),
stmax AS (
  SELECT
    b.*,
    MAX(b.end9) OVER (PARTITION BY b.la_code, b.person_id
      ORDER BY b.event_start_date, b.end9, b.hierarchy, b.record_id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
  FROM build b
  WHERE b.event_type = 'Service' AND b.service_type = 'Short term support: ST-Max'
),
stmax_numbered AS (
  SELECT
    s.*,
    SUM(CASE WHEN DATE_DIFF('day', s.previous_end, s.event_start_date) <= 7 THEN 0 ELSE 1 END) OVER (
      PARTITION BY s.la_code, s.person_id
      ORDER BY s.event_start_date, s.end9, s.hierarchy, s.record_id DESC
      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cluster_no
  FROM stmax s
),
stmax_last AS (
  SELECT
    n.*,
    ROW_NUMBER() OVER (PARTITION BY n.la_code, n.person_id, n.cluster_no
      ORDER BY n.end9 DESC, n.hierarchy ASC, n.record_id DESC) AS last_rank
  FROM stmax_numbered n
),
clusters AS (
  SELECT
    la_code, person_id, cluster_no,
    MIN(event_start_date) AS cluster_start,
    MAX(end9) AS cluster_end,
    MAX(CASE WHEN last_rank = 1 THEN event_outcome END) AS cluster_outcome,
    MAX(CASE WHEN last_rank = 1 THEN hierarchy END) AS cluster_hierarchy
  FROM stmax_last
  GROUP BY la_code, person_id, cluster_no
),
in_scope AS (
  SELECT
    c.*,
    p.date_of_death,
    CASE
      WHEN p.birth_date IS NULL THEN 'Unknown'
      WHEN FLOOR(DATE_DIFF('day', p.birth_date, c.cluster_end) / 365.25) < 18 THEN 'Under 18'
      WHEN FLOOR(DATE_DIFF('day', p.birth_date, c.cluster_end) / 365.25) <= 64 THEN '18 to 64'
      ELSE '65 and above'
    END AS age_band
  FROM clusters c
  CROSS JOIN params_row pr
  LEFT JOIN ascof_person p ON p.la_code = c.la_code AND p.person_id = c.person_id
  WHERE c.cluster_end BETWEEN pr.period_start AND pr.period_end
    AND (p.birth_date IS NULL OR FLOOR(DATE_DIFF('day', p.birth_date, c.cluster_end) / 365.25) >= 18)
    AND (p.date_of_death IS NULL OR p.date_of_death >= c.cluster_start)
),
new_clients AS (
  SELECT i.*
  FROM in_scope i
  WHERE NOT EXISTS (
    SELECT 1 FROM build b
    WHERE b.la_code = i.la_code AND b.person_id = i.person_id
      AND b.service_type IN ('Long term support: Nursing care', 'Long term support: Residential care',
                             'Long term support: Community', 'Long term support: Prison')
      AND b.event_start_date < i.cluster_start
      AND DATE_DIFF('day', b.end9, i.cluster_start) < 91
  )
),
-- every other event of the person (the episode's own ST-Max records are left out: DHSC's Same_ST_Max)
others AS (
  SELECT
    n.la_code, n.person_id, n.cluster_no, n.cluster_start, n.cluster_end, n.cluster_hierarchy,
    b.event_type, b.service_type, b.service_component, b.event_start_date, b.end9, b.event_outcome,
    b.hierarchy, b.record_id
  FROM new_clients n
  JOIN build b ON b.la_code = n.la_code AND b.person_id = n.person_id
  WHERE NOT (b.event_type = 'Service' AND b.service_type = 'Short term support: ST-Max'
             AND b.event_start_date BETWEEN n.cluster_start AND n.cluster_end)
),
step1 AS (
  SELECT la_code, person_id, cluster_no, 'NFA: Deceased' AS final_outcome, '1' AS sequel_type
  FROM new_clients
  WHERE DATE_DIFF('day', cluster_end, date_of_death) <= 7
),
step2 AS (
  SELECT n.la_code, n.person_id, n.cluster_no, n.cluster_outcome AS final_outcome, '2' AS sequel_type
  FROM new_clients n
  LEFT JOIN step1 s ON s.la_code = n.la_code AND s.person_id = n.person_id AND s.cluster_no = n.cluster_no
  WHERE s.cluster_no IS NULL AND n.cluster_outcome = 'Admitted to hospital'
),
after2 AS (
  SELECT n.*
  FROM new_clients n
  WHERE NOT EXISTS (SELECT 1 FROM step1 s WHERE s.la_code = n.la_code AND s.person_id = n.person_id
                                             AND s.cluster_no = n.cluster_no)
    AND NOT EXISTS (SELECT 1 FROM step2 s WHERE s.la_code = n.la_code AND s.person_id = n.person_id
                                             AND s.cluster_no = n.cluster_no)
),
window_ranked AS (
  SELECT
    o.*,
    DENSE_RANK() OVER (PARTITION BY o.la_code, o.person_id, o.cluster_no ORDER BY o.event_start_date) AS rn
  FROM others o
  JOIN after2 a ON a.la_code = o.la_code AND a.person_id = o.person_id AND a.cluster_no = o.cluster_no
  WHERE o.event_start_date >= o.cluster_start
    AND o.end9 > o.cluster_end
    AND DATE_DIFF('day', o.cluster_end, o.event_start_date) <= 7
),
first_stmax AS (
  SELECT la_code, person_id, cluster_no, MIN(rn) AS first_rn
  FROM window_ranked
  WHERE service_type = 'Short term support: ST-Max'
  GROUP BY la_code, person_id, cluster_no
),
window_events AS (
  SELECT
    w.*,
    CASE w.service_type
      WHEN 'Long term support: Nursing care' THEN 1
      WHEN 'Long term support: Residential care' THEN 2
      WHEN 'Long term support: Community' THEN 3
      WHEN 'Long term support: Prison' THEN 4
      WHEN 'Short term support: ST-Max' THEN 5
      WHEN 'Short term support: Ongoing low level' THEN 6
      WHEN 'Short term support: Other short term' THEN 7
      ELSE 99
    END AS service_hierarchy
  FROM window_ranked w
  LEFT JOIN first_stmax f ON f.la_code = w.la_code AND f.person_id = w.person_id AND f.cluster_no = w.cluster_no
  WHERE f.first_rn IS NULL OR w.rn < f.first_rn
),
services_ranked AS (
  SELECT
    w.*,
    ROW_NUMBER() OVER (PARTITION BY w.la_code, w.person_id, w.cluster_no
      ORDER BY w.service_hierarchy,
               CASE WHEN w.service_component IN ('Short term residential care', 'Short term nursing care')
                    THEN 1 ELSE 2 END,
               w.event_start_date, w.record_id DESC) AS service_rank
  FROM window_events w
),
step3 AS (
  SELECT
    la_code, person_id, cluster_no,
    CASE
      WHEN service_type = 'Short term support: Other short term'
        AND service_component IN ('Short term residential care', 'Short term nursing care')
        THEN 'Short term support: Residential or Nursing care'
      ELSE service_type
    END AS final_outcome,
    '3' AS sequel_type
  FROM services_ranked
  WHERE service_rank = 1 AND service_hierarchy <> 99
),
after3 AS (
  SELECT a.*
  FROM after2 a
  WHERE NOT EXISTS (SELECT 1 FROM step3 s WHERE s.la_code = a.la_code AND s.person_id = a.person_id
                                             AND s.cluster_no = a.cluster_no)
),
nonservices AS (
  SELECT w.*
  FROM window_events w
  JOIN after3 a ON a.la_code = w.la_code AND a.person_id = w.person_id AND a.cluster_no = w.cluster_no
  WHERE (w.cluster_hierarchy < 100 OR w.hierarchy < 100)
    AND w.event_outcome <> 'NFA: Support ended as planned'
    AND w.event_type <> 'Service'
),
stmax_only AS (
  SELECT a.*
  FROM after3 a
  WHERE NOT EXISTS (SELECT 1 FROM window_events w WHERE w.la_code = a.la_code AND w.person_id = a.person_id
                                                     AND w.cluster_no = a.cluster_no)
    AND a.cluster_hierarchy < 100
),
nested AS (
  SELECT o.*
  FROM others o
  JOIN after3 a ON a.la_code = o.la_code AND a.person_id = o.person_id AND a.cluster_no = o.cluster_no
  WHERE o.event_start_date >= o.cluster_start
    AND o.end9 > o.cluster_start
    AND o.end9 <= o.cluster_end
),
nested_reviews AS (
  SELECT
    n.*,
    ROW_NUMBER() OVER (PARTITION BY n.la_code, n.person_id, n.cluster_no
      ORDER BY n.end9 DESC, n.hierarchy ASC, n.record_id DESC) AS last_rank
  FROM nested n
  WHERE n.event_type IN ('Assessment', 'Review')
    AND DATE_DIFF('day', n.end9, n.cluster_end) < 14
    AND n.hierarchy < 100
),
candidates AS (
  SELECT la_code, person_id, cluster_no, cluster_hierarchy AS hierarchy, 1 AS source FROM nonservices
  UNION ALL
  SELECT la_code, person_id, cluster_no, hierarchy, 2 AS source FROM nonservices WHERE hierarchy < 100
  UNION ALL
  SELECT la_code, person_id, cluster_no, hierarchy, 3 AS source FROM nested_reviews WHERE last_rank = 1
  UNION ALL
  SELECT la_code, person_id, cluster_no, cluster_hierarchy AS hierarchy, 1 AS source FROM stmax_only
),
best AS (
  SELECT la_code, person_id, cluster_no, MIN(hierarchy) AS hierarchy
  FROM candidates GROUP BY la_code, person_id, cluster_no
),
best_source AS (
  SELECT b.la_code, b.person_id, b.cluster_no, b.hierarchy, MIN(c.source) AS source
  FROM best b
  JOIN candidates c ON c.la_code = b.la_code AND c.person_id = b.person_id AND c.cluster_no = b.cluster_no
                   AND c.hierarchy = b.hierarchy
  GROUP BY b.la_code, b.person_id, b.cluster_no, b.hierarchy
),
outcome_labels AS (
  SELECT DISTINCT rank, label FROM ascof_label_map WHERE field = 'event_outcome'
),
step4 AS (
  SELECT
    b.la_code, b.person_id, b.cluster_no,
    CASE WHEN b.hierarchy >= 999 THEN 'Invalid and not mapped'
         ELSE COALESCE(l.label, 'Invalid and not mapped') END AS final_outcome,
    CASE b.source WHEN 1 THEN '4a' WHEN 2 THEN '4b' ELSE '4c' END AS sequel_type
  FROM best_source b
  LEFT JOIN outcome_labels l ON l.rank = (CASE WHEN b.hierarchy >= 100 THEN b.hierarchy - 100 ELSE b.hierarchy END)
),
after4 AS (
  SELECT a.*
  FROM after3 a
  WHERE NOT EXISTS (SELECT 1 FROM step4 s WHERE s.la_code = a.la_code AND s.person_id = a.person_id
                                             AND s.cluster_no = a.cluster_no)
),
step5 AS (
  SELECT DISTINCT a.la_code, a.person_id, a.cluster_no,
    'Short term support: Ongoing low level' AS final_outcome, '5' AS sequel_type
  FROM after4 a
  JOIN nested n ON n.la_code = a.la_code AND n.person_id = a.person_id AND n.cluster_no = a.cluster_no
  WHERE n.event_type = 'Service' AND n.service_component = 'Equipment'
),
step6 AS (
  SELECT a.la_code, a.person_id, a.cluster_no, a.cluster_outcome AS final_outcome, '6' AS sequel_type
  FROM after4 a
  WHERE NOT EXISTS (SELECT 1 FROM step5 s WHERE s.la_code = a.la_code AND s.person_id = a.person_id
                                             AND s.cluster_no = a.cluster_no)
),
sequels AS (
  SELECT * FROM step1
  UNION ALL SELECT * FROM step2
  UNION ALL SELECT * FROM step3
  UNION ALL SELECT * FROM step4
  UNION ALL SELECT * FROM step5
  UNION ALL SELECT * FROM step6
)
SELECT
  n.la_code,
  n.person_id,
  n.cluster_no,
  n.cluster_start,
  n.cluster_end,
  n.age_band,
  s.sequel_type,
  s.final_outcome,
  CASE WHEN s.final_outcome IN (
      'Long term support: Community', 'Long term support: Nursing care', 'Long term support: Residential care',
      'Long term support: Prison', 'Short term support: Ongoing low level', 'Short term support: Other short term',
      'Short term support: Residential or Nursing care', 'NFA: Information and advice or signposting',
      'NFA: Support ended as planned', 'NFA: Responsibility moved to another local authority', 'NFA: Other',
      'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
      'NFA: Referral to other service within the local authority') THEN 1 ELSE 0 END AS in_denominator,
  CASE WHEN s.final_outcome IN (
      'Short term support: Ongoing low level', 'Short term support: Other short term',
      'NFA: Information and advice or signposting', 'NFA: Support ended as planned',
      'NFA: Responsibility moved to another local authority', 'NFA: Other',
      'NFA: No services offered for other reason', 'NFA: Support ended for other reason',
      'NFA: Referral to other service within the local authority') THEN 1 ELSE 0 END AS in_numerator,
  CASE WHEN s.final_outcome IN (
      'Continuation of support or services', 'Progress to support planning or services',
      'Progress to assessment, review or reassessment', 'Progress to reablement/ST-Max',
      'Invalid and not mapped', 'Release 1 specification only: Not mapped') THEN 1 ELSE 0 END AS unable_to_classify
FROM new_clients n
JOIN sequels s ON s.la_code = n.la_code AND s.person_id = n.person_id AND s.cluster_no = n.cluster_no
