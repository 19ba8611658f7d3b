-- schema version 10 (issue 5): reviewers' decisions on reports, kept for audit and applied on every load.
-- A decision is made on one document (sha256): a newer document of the same agency-year is judged afresh.
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
