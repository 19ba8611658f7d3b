-- schema version 3: report lineage (first seen, loaded, extractor version, content hash), provenance per
-- fact value, the canonical code lists, and the report dimension with its current-version rule.

alter table staging.reports add column first_seen timestamp;         -- when the document was first seen
alter table staging.reports add column loaded_at timestamp;          -- when this reading was written
alter table staging.reports add column extractor_version varchar;
alter table staging.reports add column content_hash varchar;         -- sha256 of what was loaded (idempotence)

update staging.reports as r
set first_seen = coalesce((select d.first_seen from raw.documents as d where d.sha256 = r.sha256), r.extracted_at),
    loaded_at = r.extracted_at,
    extractor_version = r.record->>'extractor_version';

-- provenance of every printed value: page and bbox (PDF), table and cell (HTML/DOCX), line (text)
alter table curated.fct_proactive add column page integer;
alter table curated.fct_proactive add column bbox double[];
alter table curated.fct_proactive add column table_index integer;
alter table curated.fct_proactive add column cell integer[];
alter table curated.fct_proactive add column line integer;
alter table curated.fct_proactive add column raw_text varchar;
alter table curated.fct_proactive add column extractor_version varchar;
alter table curated.fct_applications add column page integer;
alter table curated.fct_applications add column bbox double[];
alter table curated.fct_applications add column table_index integer;
alter table curated.fct_applications add column cell integer[];
alter table curated.fct_applications add column line integer;
alter table curated.fct_applications add column raw_text varchar;
alter table curated.fct_applications add column extractor_version varchar;
alter table curated.fct_review_litigation add column page integer;
alter table curated.fct_review_litigation add column bbox double[];
alter table curated.fct_review_litigation add column table_index integer;
alter table curated.fct_review_litigation add column cell integer[];
alter table curated.fct_review_litigation add column line integer;
alter table curated.fct_review_litigation add column raw_text varchar;
alter table curated.fct_review_litigation add column extractor_version varchar;

-- facts loaded at version 2 take their provenance from the stored record
update curated.fct_proactive as f
set page = (p->>'page')::integer, bbox = (p->'bbox')::double[], table_index = (p->>'table_index')::integer,
    cell = (p->'cell')::integer[], line = (p->>'line')::integer, raw_text = p->>'raw', extractor_version = v
from (
    select r.report_id, x.item, x.measure, r.record->>'extractor_version' as v,
           r.record->'provenance'->('proactive.' || x.item || '.' || x.measure) as p
    from staging.reports as r join curated.fct_proactive as x using (report_id)
) as src
where f.report_id = src.report_id and f.item = src.item and f.measure = src.measure;

update curated.fct_applications as f
set page = (p->>'page')::integer, bbox = (p->'bbox')::double[], table_index = (p->>'table_index')::integer,
    cell = (p->'cell')::integer[], line = (p->>'line')::integer, raw_text = p->>'raw', extractor_version = v
from (
    select r.report_id, x.row_code, x.applicant, r.record->>'extractor_version' as v,
           r.record->'provenance'->('applications.' || x.row_code || '.' || x.applicant) as p
    from staging.reports as r join curated.fct_applications as x using (report_id)
) as src
where f.report_id = src.report_id and f.row_code = src.row_code and f.applicant = src.applicant;

update curated.fct_review_litigation as f
set page = (p->>'page')::integer, bbox = (p->'bbox')::double[], table_index = (p->>'table_index')::integer,
    cell = (p->'cell')::integer[], line = (p->>'line')::integer, raw_text = p->>'raw', extractor_version = v
from (
    select r.report_id, x.proceeding, x.outcome, r.record->>'extractor_version' as v,
           r.record->'provenance'->('review_litigation.' || x.proceeding || '.' || x.outcome) as p
    from staging.reports as r join curated.fct_review_litigation as x using (report_id)
) as src
where f.report_id = src.report_id and f.proceeding = src.proceeding and f.outcome = src.outcome;

-- the canonical code lists; rows are written from pipeline/tables by warehouse/codes.py:sync_codes
create table curated.dim_code (
    table_name     varchar not null,   -- proactive | applications | review_litigation
    code_kind      varchar not null,   -- table | item | measure | row | applicant | proceeding | outcome
    code           varchar not null,
    label_zh       varchar not null,   -- as the newest template carrying the code prints it
    short_label_zh varchar not null,   -- without numbering: 予以公开
    templates      varchar[] not null,
    group_code     varchar,            -- table 3: intake | granted | partially_granted | denied | unavailable | …
    sort_order     integer not null,   -- printed order within (table_name, code_kind)
    primary key (table_name, code_kind, code)
);

create table curated.dim_code_label (
    table_name varchar not null,
    code_kind  varchar not null,
    code       varchar not null,
    template   varchar not null,
    label_zh   varchar not null,       -- as this template prints it
    primary key (table_name, code_kind, code, template)
);

create table curated.dim_template (
    template   varchar primary key,
    first_year integer not null,
    last_year  integer not null
);

-- Versions of an agency-year: the current one is the most recently *first-seen* document, so rerunning
-- or re-extracting an older document never makes it current again (ties: the larger sha256).
create or replace view curated.dim_report as
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

create or replace view staging.current_reports as
with ranked as (
    select r.*,
           row_number() over (partition by agency_id, year order by first_seen desc, sha256 desc) as rn
    from staging.reports as r
),
final as (
    select * exclude (rn) from ranked where rn = 1
)
select * from final;
