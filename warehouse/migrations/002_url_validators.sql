-- Each URL's validators from its latest successful fetch, kept by every write of raw.fetch_log: a night asks
-- for them once per URL, and ranking the whole log instead grew with every night of history (issue 17).
create table raw.url_validators (
    url           varchar primary key,
    etag          varchar,
    last_modified varchar,
    sha256        varchar not null,
    fetched_at    timestamp not null,
    attempt       integer
);

insert into raw.url_validators
select url, latest.etag, latest.last_modified, latest.sha256, latest.fetched_at, latest.attempt
from (
    select url,
           arg_max({'etag': etag, 'last_modified': last_modified, 'sha256': sha256,
                    'fetched_at': fetched_at, 'attempt': attempt},
                   (fetched_at, coalesce(attempt, 0))) as latest
    from raw.fetch_log
    where status in ('ok', 'not_modified') and sha256 is not null
    group by url
);

comment on table raw.url_validators is 'Each URL''s validators and body hash from its latest successful fetch (ok or not_modified), kept with raw.fetch_log: what the next night sends in its conditional GET.';
comment on column raw.url_validators.url is 'URL fetched';
comment on column raw.url_validators.etag is 'ETag the server answered (sent back as If-None-Match next time)';
comment on column raw.url_validators.last_modified is 'Last-Modified the server answered (sent back as If-Modified-Since)';
comment on column raw.url_validators.sha256 is 'sha256 of the body last stored from this URL';
comment on column raw.url_validators.fetched_at is 'time of that fetch, UTC (raw.fetch_log.fetched_at)';
comment on column raw.url_validators.attempt is 'which attempt of that fetch it was (1 = first)';
