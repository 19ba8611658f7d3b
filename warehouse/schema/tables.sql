-- nianbao warehouse: the baseline schema (version 1). Layers: raw → staging → curated → marts.
-- Later changes go to warehouse/migrations/NNN_*.sql; this file describes a new warehouse, never edits one.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists curated;
create schema if not exists build;
create schema if not exists marts;

-- raw: every document fetched, by content hash, every fetch attempt, and what each run did

create table raw.documents (
    sha256      varchar primary key,
    size_bytes  bigint not null,
    format      varchar,              -- pdf | html | mhtml | docx | doc | image | text, told from the bytes
    first_seen  timestamp not null,
    store_path  varchar not null      -- where the bytes are kept (raw store)
);

create table raw.fetch_log (
    attempt_id    varchar primary key,  -- run id : url : attempt number
    run_id        varchar not null,
    agency_id     varchar,
    year          integer,
    url           varchar not null,
    status        varchar not null,     -- ok | not_modified | retry | failed
    http_status   integer,
    size_bytes    bigint,
    sha256        varchar,
    error_code    varchar,
    error         varchar,
    fetched_at    timestamp not null,
    etag          varchar,              -- validators for the next conditional GET
    last_modified varchar,
    attempt       integer,              -- which attempt of the fetch
    role          varchar,              -- listing | target | document | picture
    via           varchar,              -- the article page of an attachment or inline report
    doc_state     varchar               -- new | changed | unchanged | failed (final attempt only)
);

-- One row per document an ingest run processed: how it ended.
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

-- staging: what extraction and the checks made of each document

create table staging.reports (
    report_id         varchar primary key, -- agency_id/year/sha256
    agency_id         varchar not null,
    year              integer not null,
    sha256            varchar not null,
    source_url        varchar,
    template          varchar,
    status            varchar not null,    -- loaded | quarantined | unreadable
    error_code        varchar,
    error_message     varchar,
    record            json,                -- the canonical record with provenance (corrections applied)
    extracted_at      timestamp not null,
    first_seen        timestamp,           -- when the document was first seen
    loaded_at         timestamp,           -- when this reading was written
    extractor_version varchar,
    content_hash      varchar              -- fingerprint of what was loaded (a reload of the same is a no-op)
);

create table staging.findings (
    report_id   varchar not null,
    seq         integer not null,
    check_id    varchar not null,
    severity    varchar not null,       -- blocking | warning
    table_name  varchar,
    row_code    varchar,
    column_code varchar,
    proceeding  varchar,
    left_value  double,
    right_value double,
    difference  double,
    cells       json,
    locations   json,
    message     varchar,
    primary key (report_id, seq)
);

-- Reviewers' decisions on reports, kept for audit and applied on every load. A decision is made on one
-- document (sha256): a newer document of the same agency-year is judged afresh.
create table staging.overrides (
    override_id   integer primary key,
    agency_id     varchar not null,
    year          integer not null,
    sha256        varchar not null,     -- the document the decision was made on
    action        varchar not null,     -- accept (count a quarantined report) | correct (replace one cell's value)
    cell          varchar,              -- table.row.column (correct only)
    printed_value varchar,              -- what the document prints in that cell (correct only)
    value         varchar,              -- the corrected value: 件, or yuan for amount_yuan (correct only)
    citation      varchar,              -- URL or document that supports the correction
    reason        varchar,              -- why, in the reviewer's words
    decided_by    varchar not null,     -- who
    decided_at    timestamp not null,   -- when (UTC)
    revoked_at    timestamp             -- set when a later decision withdraws this one
);

-- curated: admitted reports only, values as printed (or as a reviewer corrected them), canonical codes.
-- The fact tables have no key index (maintaining one over ~2 M rows was most of a bulk insert's cost):
-- the loader keeps (report_id, row, column) unique by replacing a report's rows in one transaction.

create table curated.dim_agency (
    agency_id varchar primary key,
    name      varchar not null,
    region    varchar,
    level     varchar,
    kind      varchar
);

create table curated.fct_proactive (
    report_id         varchar not null,
    item              varchar not null,
    measure           varchar not null,
    value             decimal(18, 2) not null,  -- counts (件) or yuan for amount_yuan
    page              integer,                  -- where it is printed: page and bbox (PDF),
    bbox              double[],
    table_index       integer,                  -- table and cell (HTML, DOCX),
    cell              integer[],
    line              integer,                  -- or line (text)
    raw_text          varchar,                  -- the cell's text as printed
    extractor_version varchar
);

create table curated.fct_applications (
    report_id         varchar not null,
    row_code          varchar not null,
    applicant         varchar not null,
    value             bigint not null,          -- 件
    page              integer,
    bbox              double[],
    table_index       integer,
    cell              integer[],
    line              integer,
    raw_text          varchar,
    extractor_version varchar
);

create table curated.fct_review_litigation (
    report_id         varchar not null,
    proceeding        varchar not null,
    outcome           varchar not null,
    value             bigint not null,          -- 件
    page              integer,
    bbox              double[],
    table_index       integer,
    cell              integer[],
    line              integer,
    raw_text          varchar,
    extractor_version varchar
);

-- the canonical code lists; rows are written from nianbao.pipeline.tables (warehouse/codes.py)
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

-- what each mart refresh covered: one fingerprint of the inputs per year, and '*' for the dimensions
create table build.refresh_state (
    scope        varchar primary key,   -- a year, or * (dim_agency, dim_code, dim_template)
    fingerprint  varchar not null,
    refreshed_at timestamp not null
);
