-- nianbao warehouse, schema version 1. Layers: raw → staging → curated → marts.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists curated;
create schema if not exists marts;

-- raw: every document fetched, by content hash, and every fetch attempt
create table raw.documents (
    sha256      varchar primary key,
    size_bytes  bigint not null,
    format      varchar,              -- pdf | html | docx | text, told from the bytes
    first_seen  timestamp not null,
    store_path  varchar not null      -- where the bytes are kept (raw store)
);

create table raw.fetch_log (
    attempt_id  varchar primary key,  -- run id + url
    run_id      varchar not null,
    agency_id   varchar,
    year        integer,
    url         varchar not null,
    status      varchar not null,     -- ok | not_modified | failed
    http_status integer,
    size_bytes  bigint,
    sha256      varchar,
    error_code  varchar,
    error       varchar,
    fetched_at  timestamp not null
);

-- staging: what extraction and the checks made of each document
create table staging.reports (
    report_id      varchar primary key, -- agency_id/year/sha256
    agency_id      varchar not null,
    year           integer not null,
    sha256         varchar not null,
    source_url     varchar,
    template       varchar,
    status         varchar not null,    -- loaded | quarantined | unreadable
    error_code     varchar,
    error_message  varchar,
    record         json,                -- the canonical record with provenance
    extracted_at   timestamp not null
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

-- curated: admitted reports only, values as printed, keyed by canonical codes
create table curated.dim_agency (
    agency_id varchar primary key,
    name      varchar not null,
    region    varchar,
    level     varchar,
    kind      varchar
);

create table curated.fct_proactive (
    report_id varchar not null,
    item      varchar not null,
    measure   varchar not null,
    value     decimal(18, 2) not null,  -- counts (件) or yuan for amount_yuan
    primary key (report_id, item, measure)
);

create table curated.fct_applications (
    report_id varchar not null,
    row_code  varchar not null,
    applicant varchar not null,
    value     bigint not null,          -- 件
    primary key (report_id, row_code, applicant)
);

create table curated.fct_review_litigation (
    report_id  varchar not null,
    proceeding varchar not null,
    outcome    varchar not null,
    value      bigint not null,         -- 件
    primary key (report_id, proceeding, outcome)
);
