-- Which reading of each agency-year counts.

-- Versions of an agency-year: the current one is the most recently *first-seen* document, so rerunning
-- or re-extracting an older document never makes it current again (ties: the larger sha256).
create view curated.dim_report as
with fetched as (
    select sha256, max(fetched_at) as fetched_at
    from raw.fetch_log
    where status = 'ok' and sha256 is not null
    group by sha256
),
ranked as (
    select r.*,
           row_number() over (partition by r.agency_id, r.year order by r.first_seen, r.sha256) as version,
           row_number() over (partition by r.agency_id, r.year order by r.first_seen desc, r.sha256 desc) as newest
    from staging.reports as r
),
final as (
    select ranked.report_id, ranked.agency_id, ranked.year, ranked.template, ranked.source_url, ranked.sha256,
           ranked.first_seen, fetched.fetched_at, ranked.extracted_at, ranked.loaded_at, ranked.status,
           ranked.error_code, ranked.extractor_version, ranked.version, ranked.newest = 1 as is_current
    from ranked
    left join fetched on fetched.sha256 = ranked.sha256
)
select * from final;

-- The current document of each agency-year, whatever its status.
create view staging.current_reports as
with ranked as (
    select r.*,
           row_number() over (partition by agency_id, year order by first_seen desc, sha256 desc) as rn
    from staging.reports as r
),
final as (
    select * exclude (rn) from ranked where rn = 1
)
select * from final;

-- Admitted reports: current, and passed every blocking check (or accepted by a reviewer).
create view curated.admitted_reports as
with final as (
    select report_id, agency_id, year, sha256, template, source_url
    from staging.current_reports
    where status = 'loaded'
)
select * from final;
