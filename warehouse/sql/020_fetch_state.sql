-- schema version 20 (issue 7): every fetch attempt with its validators, what each ingest did, and refreshes.

-- raw.fetch_log gets one row per HTTP attempt: the ETag/Last-Modified it answered (for the next
-- conditional GET), which attempt of the fetch it was, what the URL was fetched as, and the article
-- page a document hangs on (documents of one article are compared with each other).
alter table raw.fetch_log add column etag varchar;
alter table raw.fetch_log add column last_modified varchar;
alter table raw.fetch_log add column attempt integer;
alter table raw.fetch_log add column role varchar;          -- listing | target | document
alter table raw.fetch_log add column via varchar;           -- the article page of an attachment or inline report
alter table raw.fetch_log add column doc_state varchar;     -- new | changed | unchanged | failed (last attempt only)

-- One row per document an ingest run processed: which stage it reached and how it ended.
create table raw.ingest_log (
    run_id      varchar not null,
    sha256      varchar not null,
    agency_id   varchar not null,
    year        integer not null,
    url         varchar,
    status      varchar not null,       -- loaded | quarantined | unreadable | failed
    changed     boolean,                -- whether the warehouse's rows changed
    error_code  varchar,
    error       varchar,
    logged_at   timestamp not null,
    primary key (run_id, sha256, agency_id, year)
);

-- Each refresh (rollups rebuilt, analysts' snapshot published) and the last load it covered.
create table raw.refresh_log (
    run_id       varchar primary key,
    covered_to   timestamp,             -- latest staging.reports.extracted_at included
    years        varchar,
    refreshed_at timestamp not null
);
