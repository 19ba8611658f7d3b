-- schema version 7 (issue 6, load speed): the fact tables lose their primary-key indexes. Maintaining three
-- ART indexes over ~2 M rows was most of a bulk insert's cost; uniqueness of (report_id, row, column) is kept
-- by the loader, which validates each report's cells and replaces a report's rows by delete-then-insert in
-- one transaction (tests/test_warehouse.py checks for duplicates). DuckDB cannot drop a constraint, so each
-- table is rebuilt with the same columns in the same order.

create table curated.fct_proactive_007 (
    report_id         varchar not null,
    item              varchar not null,
    measure           varchar not null,
    value             decimal(18, 2) not null,  -- counts (件) or yuan for amount_yuan
    page              integer,
    bbox              double[],
    table_index       integer,
    cell              integer[],
    line              integer,
    raw_text          varchar,
    extractor_version varchar
);
insert into curated.fct_proactive_007 select * from curated.fct_proactive order by report_id;
drop table curated.fct_proactive;
alter table curated.fct_proactive_007 rename to fct_proactive;

create table curated.fct_applications_007 (
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
insert into curated.fct_applications_007 select * from curated.fct_applications order by report_id;
drop table curated.fct_applications;
alter table curated.fct_applications_007 rename to fct_applications;

create table curated.fct_review_litigation_007 (
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
insert into curated.fct_review_litigation_007 select * from curated.fct_review_litigation order by report_id;
drop table curated.fct_review_litigation;
alter table curated.fct_review_litigation_007 rename to fct_review_litigation;
