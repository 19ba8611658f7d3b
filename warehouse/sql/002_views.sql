-- schema version 2: which reading of each agency-year counts, and the long rollup views.

-- The current document for each agency and year: the most recently extracted one.
create or replace view staging.current_reports as
with ranked as (
    select r.*,
           row_number() over (partition by agency_id, year order by extracted_at desc, report_id) as rn
    from staging.reports as r
),
final as (
    select * exclude (rn) from ranked where rn = 1
)
select * from final;

-- Admitted reports: current, and passed every blocking check.
create or replace view curated.admitted_reports as
with final as (
    select report_id, agency_id, year, sha256, template, source_url
    from staging.current_reports
    where status = 'loaded'
)
select * from final;

create or replace view marts.applications_by_year as
with final as (
    select a.year, f.row_code, f.applicant, sum(f.value) as value  -- 件
    from curated.fct_applications as f
    join curated.admitted_reports as a using (report_id)
    group by all
)
select * from final;

create or replace view marts.review_litigation_by_year as
with final as (
    select a.year, f.proceeding, f.outcome, sum(f.value) as value  -- 件
    from curated.fct_review_litigation as f
    join curated.admitted_reports as a using (report_id)
    group by all
)
select * from final;

create or replace view marts.proactive_by_year as
with final as (
    select a.year, f.item, f.measure, sum(f.value) as value  -- 件, or yuan for amount_yuan
    from curated.fct_proactive as f
    join curated.admitted_reports as a using (report_id)
    group by all
)
select * from final;
