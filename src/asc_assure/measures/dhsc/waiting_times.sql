-- DHSC dashboard waiting times from the council's own CLD: median days from request to first response
-- (part 1) and from request to first service (part 2), by council, quarter and age band.
--
-- A port of DHSC's published T-SQL, DataS-DHSC/ASC-CLD-LA-Dashboard, Waiting_times/waiting_times_method.sql
-- at commit 9bee728f40102c4f6cee25a5511c5144c2209b4c ("Updates for Q4 25/26 submissions", method
-- version 1.1, 19 May 2026). Stage numbers below are DHSC's. Age and age bands follow
-- Stored_procedures/create_GetDerivedFields_procedure.sql (same commit); event de-duplication follows
-- its Der_Unique_Event_Ref and create_GetUniqueEvents_procedure.sql.
--
-- Written in DuckDB SQL over the store's `cld` view, and kept to what SQLGlot can transpile to Spark
-- SQL (no QUALIFY, no DuckDB macros): see tests/test_dhsc_waiting_times.py.
--
-- Differences from DHSC, because a council's own file is not DHSC's national table (docs/dhsc-waiting-times.md):
--   * person = pseudonymised NHS number, else LA code + LA person id (DHSC prefers a traced NHS number);
--   * ages use the month of birth (the store keeps the first of the month, as DHSC's derived fields do);
--   * `Der_Conversation` (a national derived field whose derivation is not published) is not in a
--     council's file, so the Release 1 "conversation as first response" override never applies here;
--   * values are already mapped to Release 2 labels at ingest, so DHSC's *_Cleaned fields are the columns;
--   * DHSC's cropping of open services missing from the next quarter's file is not done.

WITH events AS (
    SELECT
        la_code,
        COALESCE(nhs_number_pseudo, la_code || '_' || la_person_unique_identifier) AS person_id,
        -- Stage 1.1: cleaned event type (SQL Server's LIKE is case-insensitive; LOWER() makes that explicit)
        CASE
            WHEN LOWER(event_type) LIKE '%service%' THEN 'Service'
            WHEN LOWER(event_type) LIKE '%assessment%' THEN 'Assessment'
            WHEN LOWER(event_type) LIKE '%request%' THEN 'Request'
            WHEN LOWER(event_type) LIKE '%review%' THEN 'Review'
            ELSE 'Invalid and not mapped'
        END AS event_type,
        LOWER(client_type) AS client_type,
        event_start_date,
        -- Derived end date: the date of death when the person died during the event (GetDerivedFields)
        CASE
            WHEN date_of_death IS NOT NULL AND date_of_death >= event_start_date
                 AND (event_end_date IS NULL OR date_of_death < event_end_date) THEN date_of_death
            ELSE event_end_date
        END AS event_end_date,
        LOWER(event_outcome) AS event_outcome,
        assessment_type,
        service_type,
        service_component,
        request_route_of_access,
        reporting_period_end_date,
        CAST(DATE_TRUNC('month', date_of_birth) AS DATE) AS birth_month,
        _load_seq,
        _row
    FROM cld
    WHERE COALESCE(nhs_number_pseudo, la_person_unique_identifier) IS NOT NULL
),

-- One row per unique event across overlapping submissions: latest reporting period, then latest end
-- (open first), then the latest load and row (DHSC: import date, record id).
ranked AS (
    SELECT
        e.*,
        ROW_NUMBER() OVER (
            PARTITION BY
                la_code, person_id, event_type, client_type, event_start_date,
                CASE WHEN event_type <> 'Service' THEN event_end_date END,
                CASE WHEN event_type = 'Request' THEN request_route_of_access END,
                CASE WHEN event_type = 'Assessment' THEN assessment_type END,
                CASE WHEN event_type = 'Service' THEN service_type END,
                CASE WHEN event_type = 'Service' THEN service_component END
            ORDER BY
                reporting_period_end_date DESC,
                COALESCE(event_end_date, DATE '9999-01-01') DESC,
                _load_seq DESC,
                _row DESC
        ) AS copy_no
    FROM events e
),

unique_events AS (
    SELECT
        r.*,
        -- Der_Age_Event_Start_Date: whole years from the first of the birth month (365.25-day years)
        FLOOR(DATE_DIFF('day', birth_month, event_start_date) / 365.25) AS age_at_start,
        -- Der_Working_Age_Band uses the age at the event's end (or the period end for an open service);
        -- '18 to 64' is renamed '25 to 64' because only people aged 25 or over at the request are kept
        CASE
            WHEN FLOOR(DATE_DIFF('day', birth_month, COALESCE(event_end_date, reporting_period_end_date)) / 365.25) < 18
                THEN 'Under 18'
            WHEN FLOOR(DATE_DIFF('day', birth_month, COALESCE(event_end_date, reporting_period_end_date)) / 365.25) <= 64
                THEN '25 to 64'
            WHEN FLOOR(DATE_DIFF('day', birth_month, COALESCE(event_end_date, reporting_period_end_date)) / 365.25) >= 65
                THEN '65 and above'
            ELSE 'Unknown'
        END AS age_band,
        CASE WHEN event_outcome LIKE 'nfa%' THEN 'nfa' ELSE event_outcome END AS outcome_group,
        -- Der_Conversation is not in a council's own CLD (see the header)
        CAST(NULL AS INTEGER) AS der_conversation
    FROM ranked r
    WHERE copy_no = 1
),

-- Stage 1.2: assessments (short or long term) and the seven long and short term service types
assessments_and_services AS (
    SELECT *
    FROM unique_events
    WHERE (event_type = 'Assessment'
           AND LOWER(assessment_type) IN ('short term assessment', 'long term assessment'))
       OR (event_type = 'Service'
           AND LOWER(service_type) IN (
               'long term support: nursing care',
               'long term support: residential care',
               'long term support: community',
               'long term support: prison',
               'short term support: st-max',
               'short term support: ongoing low level',
               'short term support: other short term'))
),

-- Stages 1.3 and 1.4: requests from service users from 1 April 2023, aged 25 or over at the request,
-- not from existing clients, and not ending in no further action or admission to hospital
-- (a blank outcome also drops out: NULL NOT IN (...) is not true, as in SQL Server)
requests AS (
    SELECT r.*
    FROM unique_events r
    WHERE r.event_type = 'Request'
      AND r.client_type = 'service user'
      AND r.event_start_date >= DATE '2023-04-01'
      AND r.age_at_start >= 25
      AND r.outcome_group NOT IN ('nfa', 'admitted to hospital')
      AND NOT EXISTS (
          SELECT 1
          FROM assessments_and_services s
          WHERE s.la_code = r.la_code
            AND s.person_id = r.person_id
            AND s.event_type = 'Service'
            AND s.event_start_date < r.event_start_date
            AND (
                -- a long term service ending within 12 months before the request, or later, or still open
                (LOWER(s.service_type) LIKE 'long term support:%'
                 AND (s.event_end_date >= r.event_start_date - INTERVAL 12 MONTH OR s.event_end_date IS NULL))
                OR
                -- an ST-Max or other short term service ending within 3 months before, or later, or open
                (LOWER(s.service_type) IN ('short term support: st-max', 'short term support: other short term')
                 AND (s.event_end_date >= r.event_start_date - INTERVAL 3 MONTH OR s.event_end_date IS NULL))
            )
      )
),

-- Stage 2.1: the person's requests, assessments and services in order (same day: request, assessment,
-- service); assessments and services only where the person was 25 or over when they started
cohort AS (
    SELECT la_code, person_id, event_type, event_start_date, event_outcome, assessment_type, service_type,
           age_band, der_conversation, _load_seq, _row
    FROM requests
    UNION ALL
    SELECT la_code, person_id, event_type, event_start_date, event_outcome, assessment_type, service_type,
           age_band, der_conversation, _load_seq, _row
    FROM assessments_and_services
    WHERE age_at_start >= 25
),

ordered AS (
    SELECT
        c.*,
        ROW_NUMBER() OVER (
            PARTITION BY la_code, person_id
            ORDER BY
                event_start_date,
                CASE event_type WHEN 'Request' THEN 1 WHEN 'Assessment' THEN 2 WHEN 'Service' THEN 3 ELSE 4 END,
                _load_seq DESC,
                _row DESC
        ) AS event_order,
        -- Stage 2.2: people with assessments or services but no valid request are dropped
        MAX(CASE WHEN event_type = 'Request' THEN 1 ELSE 0 END) OVER (PARTITION BY la_code, person_id) AS has_request
    FROM cohort c
),

-- Stage 2.3: which requests and assessments indicate progress; blocks of consecutive assessments
flagged AS (
    SELECT
        o.*,
        CASE
            WHEN event_type = 'Assessment' AND event_outcome IN (
                'progress to reablement/st-max',
                'progress to support planning or services',
                'continuation of support or services') THEN 1
            WHEN event_type <> 'Assessment' THEN NULL
            ELSE 0
        END AS assessment_progress_to_service,
        CASE
            WHEN event_type = 'Request' AND event_outcome IN (
                'progress to reablement/st-max',
                'progress to assessment, review or reassessment',
                'progress to support planning or services',
                'continuation of support or services',
                'release 1 specification only: not mapped') THEN 1
            WHEN event_type <> 'Request' THEN NULL
            ELSE 0
        END AS request_progress,
        SUM(CASE WHEN event_type <> 'Assessment' THEN 1 ELSE 0 END) OVER (
            PARTITION BY la_code, person_id
            ORDER BY event_order
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS assessment_block_id
    FROM ordered o
    WHERE has_request = 1
),

blocks AS (
    SELECT
        f.*,
        CASE WHEN event_type = 'Assessment' THEN
            MAX(CASE WHEN event_type = 'Assessment' THEN COALESCE(assessment_progress_to_service, 0) END)
                OVER (PARTITION BY la_code, person_id, assessment_block_id)
        END AS block_progress_to_service
    FROM flagged f
),

-- Stage 2.4: the first assessment and the first service after each request
nexts AS (
    SELECT
        b.*,
        MIN(CASE WHEN event_type = 'Assessment' THEN event_order END) OVER (
            PARTITION BY la_code, person_id ORDER BY event_order
            ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
        ) AS next_assessment_order,
        MIN(CASE WHEN event_type = 'Service' THEN event_order END) OVER (
            PARTITION BY la_code, person_id ORDER BY event_order
            ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
        ) AS next_service_order
    FROM blocks b
),

linked AS (
    SELECT
        r.la_code,
        r.person_id,
        r.event_order AS request_order,
        r.event_start_date AS request_start_date,
        r.age_band AS request_band,
        r.request_progress,
        r.der_conversation,
        a.event_order AS assessment_order,
        a.event_start_date AS assessment_start_date,
        a.age_band AS assessment_band,
        a.assessment_type,
        a.block_progress_to_service,
        s.event_order AS service_order,
        s.event_start_date AS service_start_date,
        s.age_band AS service_band,
        s.service_type
    FROM nexts r
    LEFT JOIN blocks a
        ON a.la_code = r.la_code AND a.person_id = r.person_id AND a.event_order = r.next_assessment_order
    LEFT JOIN blocks s
        ON s.la_code = r.la_code AND s.person_id = r.person_id AND s.event_order = r.next_service_order
    WHERE r.event_type = 'Request'
),

-- Stage 3.1: a Release 1 request flagged as a conversation, with a progress outcome and no earlier
-- assessment, is its own first response (never true here: see der_conversation above)
conversation AS (
    SELECT
        l.*,
        CASE
            WHEN (request_start_date < assessment_start_date OR assessment_start_date IS NULL)
                 AND der_conversation = 1 AND request_progress = 1
                 AND request_start_date < DATE '2025-07-01' THEN 1
            ELSE 0
        END AS request_is_response
    FROM linked l
),

provisional AS (
    SELECT
        c.*,
        CASE WHEN request_is_response = 1 THEN request_order ELSE assessment_order END AS p_order,
        CASE WHEN request_is_response = 1 THEN 'Request'
             WHEN assessment_order IS NOT NULL THEN 'Assessment' END AS p_type,
        CASE WHEN request_is_response = 1 THEN request_start_date ELSE assessment_start_date END AS p_start,
        CASE WHEN request_is_response = 1 THEN request_band ELSE assessment_band END AS p_band,
        CASE WHEN request_is_response = 1 THEN NULL ELSE assessment_type END AS p_assessment_type,
        CASE WHEN request_is_response = 1 THEN NULL ELSE block_progress_to_service END AS p_block_progress
    FROM conversation c
),

-- Stage 3.2: a service before the first assessment (or with no assessment) is the first response
responses AS (
    SELECT
        p.*,
        CASE
            WHEN p_order > service_order THEN 1
            WHEN p_order IS NULL AND service_order IS NOT NULL THEN 1
            ELSE 0
        END AS service_is_response
    FROM provisional p
),

firsts AS (
    SELECT
        la_code,
        person_id,
        request_order,
        request_start_date,
        CASE WHEN service_is_response = 1 THEN service_order ELSE p_order END AS response_order,
        CASE WHEN service_is_response = 1 THEN 'Service' ELSE p_type END AS response_type,
        CASE WHEN service_is_response = 1 THEN service_start_date ELSE p_start END AS response_start_date,
        CASE WHEN service_is_response = 1 THEN service_band ELSE p_band END AS response_band,
        CASE WHEN service_is_response = 1 THEN NULL ELSE p_assessment_type END AS response_assessment_type,
        -- Stage 3.3: no first service when the first assessment block shows no progress to a service
        CASE WHEN service_is_response = 0 AND p_type = 'Assessment' AND p_block_progress = 0
             THEN NULL ELSE service_order END AS first_service_order,
        CASE WHEN service_is_response = 0 AND p_type = 'Assessment' AND p_block_progress = 0
             THEN NULL ELSE service_start_date END AS first_service_start_date,
        CASE WHEN service_is_response = 0 AND p_type = 'Assessment' AND p_block_progress = 0
             THEN NULL ELSE service_band END AS first_service_band,
        CASE WHEN service_is_response = 0 AND p_type = 'Assessment' AND p_block_progress = 0
             THEN NULL ELSE service_type END AS first_service_type
    FROM responses
),

-- Stage 3.4: a request made while an earlier request's follow-up was still under way is not counted
follow_up AS (
    SELECT
        f.*,
        LAG(GREATEST(response_order, first_service_order)) OVER (
            PARTITION BY la_code, person_id ORDER BY request_order
        ) AS previous_follow_up_order,
        COALESCE(MAX(response_order) OVER (
            PARTITION BY la_code, person_id ORDER BY request_order
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) AS max_previous_response_order,
        COALESCE(MAX(first_service_order) OVER (
            PARTITION BY la_code, person_id ORDER BY request_order
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) AS max_previous_service_order
    FROM firsts f
),

counted AS (
    SELECT *
    FROM follow_up
    WHERE NOT (COALESCE(previous_follow_up_order > request_order, FALSE)
               OR COALESCE(response_order <= max_previous_response_order, FALSE)
               OR COALESCE(first_service_order <= max_previous_service_order, FALSE))
),

-- Stage 4.1: person-level waits, each in the quarter its response or service started
waits AS (
    SELECT
        la_code,
        'Wait time to first response' AS metric,
        CAST(DATE_TRUNC('quarter', response_start_date) AS DATE) AS quarter_start,
        response_band AS age_band,
        DATE_DIFF('day', request_start_date, response_start_date) AS wait_days,
        response_type,
        response_assessment_type AS assessment_type,
        CAST(NULL AS VARCHAR) AS service_type
    FROM counted
    WHERE response_start_date IS NOT NULL
    UNION ALL
    SELECT
        la_code,
        'Wait time to first service' AS metric,
        CAST(DATE_TRUNC('quarter', first_service_start_date) AS DATE) AS quarter_start,
        first_service_band AS age_band,
        DATE_DIFF('day', request_start_date, first_service_start_date) AS wait_days,
        'Service' AS response_type,
        CAST(NULL AS VARCHAR) AS assessment_type,
        first_service_type AS service_type
    FROM counted
    WHERE first_service_start_date IS NOT NULL
)

-- Stage 4.2 (and the counts of Stages 5.2 and 5.3): median and count per council, quarter and age band.
-- DHSC's PERCENTILE_CONT(0.5) is the linearly interpolated median (the mean of the middle two of an even
-- count); MEDIAN() is exactly that in DuckDB and in Spark. It is written as MEDIAN because SQLGlot turns
-- PERCENTILE_CONT ... WITHIN GROUP into Spark's PERCENTILE_APPROX, which is not exact.
SELECT
    la_code,
    metric,
    quarter_start,
    age_band,
    MEDIAN(wait_days) AS median_days,
    COUNT(*) AS waits,
    SUM(CASE WHEN response_type = 'Request' THEN 1 ELSE 0 END) AS response_request,
    SUM(CASE WHEN response_type = 'Assessment' THEN 1 ELSE 0 END) AS response_assessment,
    SUM(CASE WHEN response_type = 'Service' THEN 1 ELSE 0 END) AS response_service,
    SUM(CASE WHEN LOWER(assessment_type) = 'short term assessment' THEN 1 ELSE 0 END) AS short_term_assessments,
    SUM(CASE WHEN LOWER(assessment_type) = 'long term assessment' THEN 1 ELSE 0 END) AS long_term_assessments,
    SUM(CASE WHEN LOWER(service_type) LIKE 'long term support:%' THEN 1 ELSE 0 END) AS long_term_services,
    SUM(CASE WHEN LOWER(service_type) LIKE 'short term support:%' THEN 1 ELSE 0 END) AS short_term_services
FROM waits
WHERE age_band IN ('25 to 64', '65 and above')
GROUP BY la_code, metric, quarter_start, age_band
ORDER BY la_code, quarter_start, metric, age_band
