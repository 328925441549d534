-- kind: view
-- name: ascof_events
-- DHSC's "joined submissions" main table, built from the stored CLD (every reporting period in force).
-- One row per unique event, with DHSC's derived fields:
--   * person_id = pseudonymised NHS number, else '<LA code>_<LA person id>' (Der_NHS_LA_Combined_Person_ID,
--     Stored_procedures/create_GetDerivedFields_procedure.sql); rows with neither are dropped.
--   * der_end = date of death when it falls between the event's start and end, or after the start of an
--     event with no end (Der_Event_End_Date, Stored_procedures/create_FilterToEventsInPeriod_procedure.sql).
--   * events kept only if they belong to their submission's reference period (below): requests, assessments
--     and reviews that end in it, services active in it; rows for people who died before the period or the
--     event are dropped (same procedure).
--   * labels matched case-insensitively and Release 1 labels mapped to Release 2 (ascof_label_map); a
--     non-blank label not on the list becomes 'Invalid and not mapped', as DHSC's cleaning does.
--   * one record per unique event: LA, person, start, derived end (not for services), client type, and
--     route of access (requests), assessment type (assessments), service type and component (services);
--     the record kept is from the latest reference period, open end first, then the later end, the better
--     outcome in the hierarchy, the latest load (Stored_procedures/create_GetUniqueEvents_procedure.sql,
--     Main_tables/docs/methodology/6-deduplication.md, step 1 and 3).
--   * a service still open in a reference period that is not the council's latest, and not submitted again
--     later, is cropped to that period's end (methodology/6-deduplication.md, step 2).
--   * each submission is used only for the part of its period that no later submission of the council
--     covers (its "reference period"): DHSC takes, for each quarter, the latest file covering it and gives
--     each file the span from the first to the last quarter it was chosen for
--     (Main_tables/create_main_table_for_period.sql, Stored_procedures/create_GetSubmissions_procedure.sql,
--     Main_tables/docs/methodology/3-submission-selection.md). Here the council's stated periods are cut at
--     every period start and end into pieces; each piece belongs to the latest submission covering it
--     (extract date, then load order, as the store supersedes); a submission's reference period runs from
--     the first to the last day of its pieces, and a submission left with none is not used. Filtering,
--     deduplication and cropping below use the reference period.
-- The stated reporting period is used (DHSC derives it from the events in the file:
-- Main_tables/REF_tables/create_REF_Submission_Reporting_Periods_table.sql); see docs/ascof.md.
-- Source: DataS-DHSC/ASC-CLD-LA-Dashboard @ 9bee728.
WITH stated AS (
  SELECT
    la_code,
    reporting_period_start_date AS stated_start,
    reporting_period_end_date AS stated_end,
    MAX(COALESCE(_as_of, DATE '0001-01-01')) AS as_of,
    MAX(COALESCE(_load_seq, 0)) AS load_seq
  FROM cld
  WHERE la_code IS NOT NULL
    AND reporting_period_start_date IS NOT NULL
    AND reporting_period_end_date >= reporting_period_start_date
  GROUP BY la_code, reporting_period_start_date, reporting_period_end_date
),
submissions AS (
  SELECT
    la_code,
    stated_start,
    stated_end,
    ROW_NUMBER() OVER (
      PARTITION BY la_code ORDER BY as_of, load_seq, stated_end, stated_start
    ) AS submission_order
  FROM stated
),
cuts AS (
  SELECT la_code, stated_start AS cut FROM submissions
  UNION
  SELECT la_code, CAST(stated_end + INTERVAL 1 DAY AS DATE) AS cut FROM submissions
),
pieces AS (
  SELECT
    la_code,
    cut AS piece_start,
    CAST(LEAD(cut) OVER (PARTITION BY la_code ORDER BY cut) - INTERVAL 1 DAY AS DATE) AS piece_end
  FROM cuts
),
piece_owner AS (
  SELECT
    p.la_code,
    p.piece_start,
    p.piece_end,
    s.stated_start,
    s.stated_end,
    ROW_NUMBER() OVER (PARTITION BY p.la_code, p.piece_start ORDER BY s.submission_order DESC) AS owner_rank
  FROM pieces p
  JOIN submissions s
    ON s.la_code = p.la_code AND s.stated_start <= p.piece_start AND s.stated_end >= p.piece_end
  WHERE p.piece_end IS NOT NULL
),
reference_periods AS (
  SELECT la_code, stated_start, stated_end, MIN(piece_start) AS ref_start, MAX(piece_end) AS ref_end
  FROM piece_owner
  WHERE owner_rank = 1
  GROUP BY la_code, stated_start, stated_end
),
base AS (
  SELECT
    c.la_code,
    r.ref_start AS rp_start,
    r.ref_end AS rp_end,
    COALESCE(c.nhs_number_pseudo, c.la_code || '_' || c.la_person_unique_identifier) AS person_id,
    c.la_person_unique_identifier AS la_person_id,
    c.date_of_birth,
    c.date_of_death,
    c.gender,
    c.client_type AS client_type_raw,
    c.event_type AS event_type_raw,
    c.service_type AS service_type_raw,
    c.service_component AS service_component_raw,
    c.delivery_mechanism AS delivery_mechanism_raw,
    c.event_outcome AS event_outcome_raw,
    c.accommodation_status AS accommodation_status_raw,
    c.primary_support_reason AS primary_support_reason_raw,
    c.request_route_of_access,
    c.assessment_type,
    c.adult_1_linked_person_id,
    c.adult_2_linked_person_id,
    c.adult_3_linked_person_id,
    c.event_start_date,
    c.event_end_date,
    CASE
      WHEN (c.date_of_death BETWEEN c.event_start_date AND c.event_end_date)
        OR (c.date_of_death > c.event_start_date AND c.event_end_date IS NULL) THEN c.date_of_death
      ELSE c.event_end_date
    END AS der_end,
    c._load_seq AS load_seq,
    c._row AS row_number_in_file
  FROM cld c
  JOIN reference_periods r
    ON r.la_code = c.la_code
    AND r.stated_start = c.reporting_period_start_date
    AND r.stated_end = c.reporting_period_end_date
),
labelled AS (
  SELECT
    b.*,
    CASE WHEN b.client_type_raw IS NULL THEN NULL ELSE COALESCE(ct.label, 'Invalid and not mapped') END AS client_type,
    CASE WHEN b.event_type_raw IS NULL THEN NULL ELSE COALESCE(et.label, 'Invalid and not mapped') END AS event_type,
    CASE WHEN b.service_type_raw IS NULL THEN NULL ELSE COALESCE(st.label, 'Invalid and not mapped') END AS service_type,
    CASE WHEN b.service_component_raw IS NULL THEN NULL
         ELSE COALESCE(sc.label, 'Invalid and not mapped') END AS service_component,
    CASE WHEN b.delivery_mechanism_raw IS NULL THEN NULL
         ELSE COALESCE(dm.label, 'Invalid and not mapped') END AS delivery_mechanism,
    CASE WHEN b.event_outcome_raw IS NULL THEN NULL ELSE COALESCE(eo.label, 'Invalid and not mapped') END AS event_outcome,
    eo.rank AS outcome_rank,
    CASE WHEN b.accommodation_status_raw IS NULL THEN NULL
         ELSE COALESCE(ac.label, 'Invalid and not mapped') END AS accommodation_status,
    CASE WHEN b.primary_support_reason_raw IS NULL THEN NULL
         ELSE COALESCE(ps.label, 'Invalid and not mapped') END AS primary_support_reason,
    CASE WHEN b.gender IS NULL THEN 'Unknown' ELSE COALESCE(ge.label, TRIM(b.gender)) END AS gender_label
  FROM base b
  LEFT JOIN ascof_label_map ct ON ct.field = 'client_type' AND ct.raw = LOWER(TRIM(b.client_type_raw))
  LEFT JOIN ascof_label_map et ON et.field = 'event_type' AND et.raw = LOWER(TRIM(b.event_type_raw))
  LEFT JOIN ascof_label_map st ON st.field = 'service_type' AND st.raw = LOWER(TRIM(b.service_type_raw))
  LEFT JOIN ascof_label_map sc ON sc.field = 'service_component' AND sc.raw = LOWER(TRIM(b.service_component_raw))
  LEFT JOIN ascof_label_map dm ON dm.field = 'delivery_mechanism' AND dm.raw = LOWER(TRIM(b.delivery_mechanism_raw))
  LEFT JOIN ascof_label_map eo ON eo.field = 'event_outcome' AND eo.raw = LOWER(TRIM(b.event_outcome_raw))
  LEFT JOIN ascof_label_map ac ON ac.field = 'accommodation_status'
    AND ac.raw = LOWER(TRIM(b.accommodation_status_raw))
  LEFT JOIN ascof_label_map ps ON ps.field = 'primary_support_reason'
    AND ps.raw = LOWER(TRIM(b.primary_support_reason_raw))
  LEFT JOIN ascof_label_map ge ON ge.field = 'gender' AND ge.raw = LOWER(TRIM(b.gender))
),
in_period AS (
  SELECT *
  FROM labelled
  WHERE person_id IS NOT NULL
    AND event_start_date IS NOT NULL
    AND (
      (event_type <> 'Service' AND der_end BETWEEN rp_start AND rp_end AND event_start_date <= rp_end)
      OR (event_type = 'Service' AND (der_end >= rp_start OR der_end IS NULL) AND event_start_date <= rp_end)
    )
    AND (date_of_death IS NULL OR (date_of_death >= rp_start AND date_of_death >= event_start_date))
),
ranked AS (
  SELECT
    i.*,
    ROW_NUMBER() OVER (
      PARTITION BY
        la_code, person_id, event_type, event_start_date,
        CASE WHEN event_type = 'Service' THEN NULL ELSE der_end END,
        client_type,
        CASE WHEN event_type = 'Request' THEN request_route_of_access END,
        CASE WHEN event_type = 'Assessment' THEN assessment_type END,
        CASE WHEN event_type = 'Service' THEN service_type END,
        CASE WHEN event_type = 'Service' THEN service_component END
      ORDER BY
        rp_end DESC,
        CASE WHEN der_end IS NULL THEN 0 ELSE 1 END,
        der_end DESC,
        COALESCE(outcome_rank, 999),
        load_seq DESC,
        row_number_in_file DESC
    ) AS keep_rank,
    MAX(rp_end) OVER (PARTITION BY la_code) AS la_latest_rp_end
  FROM in_period i
)
SELECT
  la_code,
  person_id,
  la_person_id,
  rp_start,
  rp_end,
  date_of_birth,
  date_of_death,
  gender_label AS gender,
  client_type,
  event_type,
  service_type,
  service_component,
  delivery_mechanism,
  event_outcome,
  COALESCE(outcome_rank, 999) AS outcome_rank,
  accommodation_status,
  primary_support_reason,
  assessment_type,
  adult_1_linked_person_id,
  adult_2_linked_person_id,
  adult_3_linked_person_id,
  event_start_date,
  CASE
    WHEN event_type = 'Service' AND (der_end IS NULL OR der_end > rp_end) AND rp_end < la_latest_rp_end THEN rp_end
    ELSE der_end
  END AS der_end,
  load_seq * 100000000 + row_number_in_file AS record_id
FROM ranked
WHERE keep_rank = 1
