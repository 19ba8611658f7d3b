-- schema version 8 (issue 6, rollup speed): the rollup marts become tables. Their definitions move unchanged
-- to views in the `build` schema; `warehouse.marts.refresh_marts` rewrites the tables' rows for the years whose
-- inputs changed (every load, agency upsert and connect calls it, so the marts are never left stale), and a
-- read-only reader that finds them stale reads `build.*` instead (warehouse/rollup.py). Table reads take
-- milliseconds; the views took 50–550 ms at 10,000 reports.
create schema if not exists build;

-- what each refresh covered: one fingerprint of the inputs per year, and '*' for the dimensions
create table build.refresh_state (
    scope        varchar primary key,   -- a year, or * (dim_agency, dim_code, dim_template)
    fingerprint  varchar not null,
    refreshed_at timestamp not null
);

create or replace view build.counted_reports as
with admitted as (
    select a.*, (a.year between t.first_year and t.last_year) as template_fits
    from curated.admitted_reports as a
    left join curated.dim_template as t using (template)
),
year_template as (
    select year, template,
           row_number() over (partition by year order by count(*) desc, bool_or(template_fits) desc, template) as rn
    from admitted
    group by year, template
),
final as (
    select a.report_id, a.agency_id, a.year, a.template, a.sha256, a.source_url,
           d.name as agency_name, d.region, d.level, d.kind
    from admitted as a
    join year_template as y on y.year = a.year and y.template = a.template and y.rn = 1
    left join curated.dim_agency as d using (agency_id)
)
select * from final;

create or replace view build.applications_by_year as
with final as (
    select r.year, f.row_code, f.applicant, sum(f.value) as value, count(distinct r.report_id) as reports
    from curated.fct_applications as f
    join build.counted_reports as r using (report_id)
    group by all
)
select * from final;

create or replace view build.review_litigation_by_year as
with final as (
    select r.year, f.proceeding, f.outcome, sum(f.value) as value, count(distinct r.report_id) as reports
    from curated.fct_review_litigation as f
    join build.counted_reports as r using (report_id)
    group by all
)
select * from final;

create or replace view build.proactive_by_year as
with final as (
    select r.year, f.item, f.measure, sum(f.value) as value, count(distinct r.report_id) as reports
    from curated.fct_proactive as f
    join build.counted_reports as r using (report_id)
    group by all
)
select * from final;

create or replace view build.applications_by_region_level as
with final as (
    select r.year, r.region, r.level, f.row_code, f.applicant, sum(f.value) as value,
           count(distinct r.report_id) as reports
    from curated.fct_applications as f
    join build.counted_reports as r using (report_id)
    group by all
)
select * from final;

create or replace view build.report_metrics as
with apps as (
    select report_id,
           sum(value) filter (where row_code = 'received_new') as received_new,
           sum(value) filter (where row_code = 'carried_in') as carried_in,
           sum(value) filter (where row_code = 'granted') as granted,
           sum(value) filter (where row_code = 'partially_granted') as partially_granted,
           sum(value) filter (where row_code like 'denied\_%' escape '\') as denied,
           sum(value) filter (where row_code like 'unavailable\_%' escape '\') as unavailable,
           sum(value) filter (where row_code like 'rejected\_%' escape '\') as rejected,
           sum(value) filter (where row_code = 'other_handling' or row_code like 'other\_%' escape '\') as other_handling,
           sum(value) filter (where row_code = 'handled_total') as handled_total,
           sum(value) filter (where row_code = 'carried_out') as carried_out
    from curated.fct_applications
    where applicant = 'total'
    group by report_id
),
rl as (
    select report_id,
           sum(value) filter (where proceeding = 'review' and outcome = 'total') as review_total,
           sum(value) filter (where proceeding = 'review' and outcome = 'corrected') as review_corrected,
           sum(value) filter (where proceeding = 'review' and outcome = 'pending') as review_pending,
           sum(value) filter (where proceeding <> 'review' and outcome = 'total') as litigation_total,
           sum(value) filter (where proceeding <> 'review' and outcome = 'corrected') as litigation_corrected,
           sum(value) filter (where proceeding <> 'review' and outcome = 'pending') as litigation_pending
    from curated.fct_review_litigation
    group by report_id
),
final as (
    select r.year, r.agency_id, r.agency_name, r.region, r.level, r.report_id,
           apps.* exclude (report_id), rl.* exclude (report_id)
    from build.counted_reports as r
    left join apps using (report_id)
    left join rl using (report_id)
)
select * from final;

create or replace view build.applications_by_applicant_type as
with pivoted as (
    select r.year, f.applicant,
           sum(f.value) filter (where f.row_code = 'received_new') as received_new,
           sum(f.value) filter (where f.row_code = 'granted') as granted,
           sum(f.value) filter (where f.row_code = 'partially_granted') as partially_granted,
           sum(f.value) filter (where f.row_code = 'handled_total') as handled_total
    from curated.fct_applications as f
    join build.counted_reports as r using (report_id)
    group by all
),
final as (
    select p.year, p.applicant, c.short_label_zh as applicant_label_zh, c.sort_order,
           p.received_new, p.received_new / nullif(t.received_new, 0) as share_of_received,
           p.granted, p.partially_granted, p.handled_total,
           (p.granted + p.partially_granted) / nullif(p.handled_total, 0) as disclosure_rate
    from pivoted as p
    join pivoted as t on t.year = p.year and t.applicant = 'total'
    left join curated.dim_code as c
        on c.table_name = 'applications' and c.code_kind = 'applicant' and c.code = p.applicant
)
select * from final;

create or replace view build.outcome_mix as
with totals as (
    select r.year, f.row_code, sum(f.value) as value
    from curated.fct_applications as f
    join build.counted_reports as r using (report_id)
    where f.applicant = 'total'
    group by all
),
final as (
    select t.year, t.row_code, c.short_label_zh as label_zh, c.group_code, c.sort_order, t.value,
           t.value / nullif(h.value, 0) as share_of_handled
    from totals as t
    join totals as h on h.year = t.year and h.row_code = 'handled_total'
    join curated.dim_code as c
        on c.table_name = 'applications' and c.code_kind = 'row' and c.code = t.row_code
    where c.group_code in ('granted', 'partially_granted', 'denied', 'unavailable', 'rejected', 'other')
)
select * from final;

create or replace view build.disclosure_rate as
with by_year as (
    select year, count(*) as reports, sum(granted) as granted, sum(partially_granted) as partially_granted,
           sum(handled_total) as handled_total
    from build.report_metrics
    group by year
),
final as (
    select *, (granted + partially_granted) / nullif(handled_total, 0) as disclosure_rate
    from by_year
)
select * from final;

create or replace view build.refusal_reasons as
with final as (
    select year, row_code, label_zh, group_code, sort_order, value,
           value / nullif(sum(value) over (partition by year, group_code), 0) as share_of_group,
           share_of_handled
    from build.outcome_mix
    where group_code in ('denied', 'unavailable', 'rejected')
)
select * from final;

create or replace view build.correction_rate as
with final as (
    select b.year, b.proceeding, c.short_label_zh as proceeding_label_zh,
           sum(b.value) filter (where b.outcome = 'upheld') as upheld,
           sum(b.value) filter (where b.outcome = 'corrected') as corrected,
           sum(b.value) filter (where b.outcome = 'other') as other,
           sum(b.value) filter (where b.outcome = 'pending') as pending,
           sum(b.value) filter (where b.outcome = 'total') as total,
           sum(b.value) filter (where b.outcome = 'total') - sum(b.value) filter (where b.outcome = 'pending') as concluded,
           sum(b.value) filter (where b.outcome = 'corrected')
               / nullif(sum(b.value) filter (where b.outcome = 'total') - sum(b.value) filter (where b.outcome = 'pending'), 0)
               as correction_rate
    from build.review_litigation_by_year as b
    left join curated.dim_code as c
        on c.table_name = 'review_litigation' and c.code_kind = 'proceeding' and c.code = b.proceeding
    group by b.year, b.proceeding, c.short_label_zh
)
select * from final;

create or replace view build.citywide_metrics as
with by_year as (
    select year, count(*) as reports, sum(received_new) as received_new, sum(handled_total) as handled_total,
           sum(granted) as granted, sum(partially_granted) as partially_granted,
           sum(review_total) as review_total, sum(review_corrected) as review_corrected,
           sum(litigation_total) as litigation_total, sum(litigation_corrected) as litigation_corrected
    from build.report_metrics
    group by year
),
final as (
    unpivot by_year on reports, received_new, handled_total, granted, partially_granted, review_total,
        review_corrected, litigation_total, litigation_corrected
    into name metric value value
)
select * from final;

create or replace view build.yoy_change as
with final as (
    select m.year, m.metric, m.value, p.value as prev_value, m.value - p.value as change,
           (m.value - p.value) / nullif(p.value, 0) as change_rate
    from build.citywide_metrics as m
    left join build.citywide_metrics as p on p.metric = m.metric and p.year = m.year - 1
)
select * from final;

create or replace view build.agency_league as
with final as (
    select year, agency_id, agency_name, region, level, received_new, handled_total, granted, partially_granted,
           (granted + partially_granted) / nullif(handled_total, 0) as disclosure_rate,
           review_total, review_corrected, litigation_total, litigation_corrected,
           rank() over (partition by year order by received_new desc) as rank_by_received,
           rank() over (partition by year order by (granted + partially_granted) / nullif(handled_total, 0)
                        desc nulls last) as rank_by_disclosure_rate
    from build.report_metrics
)
select * from final;

create or replace view build.coverage as
with years as (
    select distinct year from staging.reports
),
failed as (
    select report_id, list(distinct check_id order by check_id) as failed_checks
    from staging.findings
    where severity = 'blocking'
    group by report_id
),
versions as (
    select agency_id, year, count(*) as versions from staging.reports group by all
),
final as (
    select y.year, a.agency_id, a.name as agency_name, a.region, a.level,
           case
               when k.report_id is not null then 'counted'
               when c.report_id is null then 'no_report'
               when c.status = 'loaded' then 'other_template'
               else c.status
           end as status,
           c.report_id, c.sha256, c.template, c.error_code, f.failed_checks, coalesce(v.versions, 0) as versions
    from years as y
    cross join curated.dim_agency as a
    left join staging.current_reports as c on c.agency_id = a.agency_id and c.year = y.year
    left join build.counted_reports as k on k.report_id = c.report_id
    left join failed as f on f.report_id = c.report_id
    left join versions as v on v.agency_id = a.agency_id and v.year = y.year
)
select * from final;

drop view marts.coverage;
drop view marts.agency_league;
drop view marts.yoy_change;
drop view marts.citywide_metrics;
drop view marts.correction_rate;
drop view marts.refusal_reasons;
drop view marts.disclosure_rate;
drop view marts.outcome_mix;
drop view marts.applications_by_applicant_type;
drop view marts.report_metrics;
drop view marts.applications_by_region_level;
drop view marts.proactive_by_year;
drop view marts.review_litigation_by_year;
drop view marts.applications_by_year;
drop view marts.counted_reports;

create table marts.counted_reports as select * from build.counted_reports;
create table marts.applications_by_year as select * from build.applications_by_year;
create table marts.review_litigation_by_year as select * from build.review_litigation_by_year;
create table marts.proactive_by_year as select * from build.proactive_by_year;
create table marts.applications_by_region_level as select * from build.applications_by_region_level;
create table marts.report_metrics as select * from build.report_metrics;
create table marts.applications_by_applicant_type as select * from build.applications_by_applicant_type;
create table marts.outcome_mix as select * from build.outcome_mix;
create table marts.disclosure_rate as select * from build.disclosure_rate;
create table marts.refusal_reasons as select * from build.refusal_reasons;
create table marts.correction_rate as select * from build.correction_rate;
create table marts.citywide_metrics as select * from build.citywide_metrics;
create table marts.yoy_change as select * from build.yoy_change;
create table marts.agency_league as select * from build.agency_league;
create table marts.coverage as select * from build.coverage;

comment on table marts.agency_league is 'Per-agency league table per year with ranks.';
comment on column marts.agency_league.year is 'Report year (the calendar year the reports cover).';
comment on column marts.agency_league.agency_id is 'Catalog agency id (curated.dim_agency).';
comment on column marts.agency_league.agency_name is 'Agency name from the catalog.';
comment on column marts.agency_league.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.agency_league.level is 'municipal | district | county | township.';
comment on column marts.agency_league.received_new is '本年新收申请 (received_new), 件.';
comment on column marts.agency_league.handled_total is '办理结果总计 (handled_total), 件.';
comment on column marts.agency_league.granted is '予以公开 (granted), 件.';
comment on column marts.agency_league.partially_granted is '部分公开 (partially_granted), 件.';
comment on column marts.agency_league.disclosure_rate is '(granted + partially_granted) / handled_total; null when handled_total = 0.';
comment on column marts.agency_league.review_total is '行政复议 total, 件.';
comment on column marts.agency_league.review_corrected is '行政复议 结果纠正, 件.';
comment on column marts.agency_league.litigation_total is '行政诉讼 total (direct + after review), 件.';
comment on column marts.agency_league.litigation_corrected is '行政诉讼 结果纠正 (direct + after review), 件.';
comment on column marts.agency_league.rank_by_received is 'Rank within the year by received_new (1 = most).';
comment on column marts.agency_league.rank_by_disclosure_rate is 'Rank within the year by disclosure_rate (1 = highest; agencies with no handled applications last).';
comment on table marts.applications_by_applicant_type is 'Applications by applicant type per year, with disclosure rate.';
comment on column marts.applications_by_applicant_type.year is 'Report year (the calendar year the reports cover).';
comment on column marts.applications_by_applicant_type.applicant is 'Table 3 applicant code (curated.dim_code, code_kind = applicant); total = all applicants.';
comment on column marts.applications_by_applicant_type.applicant_label_zh is 'Applicant label in Chinese (自然人, 商业企业, …).';
comment on column marts.applications_by_applicant_type.sort_order is 'Printed order of the code in the template.';
comment on column marts.applications_by_applicant_type.received_new is '本年新收申请 (received_new), 件.';
comment on column marts.applications_by_applicant_type.share_of_received is 'This applicant type''s share of received_new (0–1).';
comment on column marts.applications_by_applicant_type.granted is '予以公开 (granted), 件.';
comment on column marts.applications_by_applicant_type.partially_granted is '部分公开 (partially_granted), 件.';
comment on column marts.applications_by_applicant_type.handled_total is '办理结果总计 (handled_total), 件.';
comment on column marts.applications_by_applicant_type.disclosure_rate is '(granted + partially_granted) / handled_total; null when handled_total = 0.';
comment on table marts.applications_by_region_level is 'Table 3 summed by year, region and level (long).';
comment on column marts.applications_by_region_level.year is 'Report year (the calendar year the reports cover).';
comment on column marts.applications_by_region_level.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.applications_by_region_level.level is 'municipal | district | county | township.';
comment on column marts.applications_by_region_level.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.applications_by_region_level.applicant is 'Table 3 applicant code (curated.dim_code, code_kind = applicant); total = all applicants.';
comment on column marts.applications_by_region_level.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.applications_by_region_level.reports is 'Number of counted reports summed.';
comment on table marts.applications_by_year is 'Table 3 summed citywide by year, row and applicant (long).';
comment on column marts.applications_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.applications_by_year.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.applications_by_year.applicant is 'Table 3 applicant code (curated.dim_code, code_kind = applicant); total = all applicants.';
comment on column marts.applications_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.applications_by_year.reports is 'Number of counted reports summed.';
comment on table marts.citywide_metrics is 'Headline citywide metrics per year (long: year, metric, value).';
comment on column marts.citywide_metrics.year is 'Report year (the calendar year the reports cover).';
comment on column marts.citywide_metrics.metric is 'Metric name: reports, received_new, handled_total, granted, partially_granted, review_total, review_corrected, litigation_total, litigation_corrected.';
comment on column marts.citywide_metrics.value is 'The metric summed over the year''s counted reports (件 or count of reports).';
comment on table marts.correction_rate is 'Review and litigation outcomes per year and proceeding, with the correction rate.';
comment on column marts.correction_rate.year is 'Report year (the calendar year the reports cover).';
comment on column marts.correction_rate.proceeding is 'Table 4 proceeding code: review, litigation_direct, litigation_after_review.';
comment on column marts.correction_rate.proceeding_label_zh is 'Proceeding label in Chinese (行政复议, …).';
comment on column marts.correction_rate.upheld is '结果维持, 件.';
comment on column marts.correction_rate.corrected is '结果纠正, 件.';
comment on column marts.correction_rate.other is '其他结果, 件.';
comment on column marts.correction_rate.pending is '尚未审结, 件.';
comment on column marts.correction_rate.total is '总计, 件.';
comment on column marts.correction_rate.concluded is 'total − pending: cases decided, 件.';
comment on column marts.correction_rate.correction_rate is 'corrected / concluded; null when nothing concluded.';
comment on table marts.counted_reports is 'The reports every rollup counts: the current version of each agency-year, admitted, under the main template of the year.';
comment on column marts.counted_reports.report_id is 'agency_id/year/sha256: one document''s reading of one agency-year.';
comment on column marts.counted_reports.agency_id is 'Catalog agency id (curated.dim_agency).';
comment on column marts.counted_reports.year is 'Report year (the calendar year the reports cover).';
comment on column marts.counted_reports.template is 'Report template: v2019 or v2021.';
comment on column marts.counted_reports.sha256 is 'sha256 of the source document bytes.';
comment on column marts.counted_reports.source_url is 'URL the document was fetched from.';
comment on column marts.counted_reports.agency_name is 'Agency name from the catalog.';
comment on column marts.counted_reports.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.counted_reports.level is 'municipal | district | county | township.';
comment on column marts.counted_reports.kind is 'government | department.';
comment on table marts.coverage is 'Every catalog agency for every year the warehouse has reports: counted or why not.';
comment on column marts.coverage.year is 'Report year (the calendar year the reports cover).';
comment on column marts.coverage.agency_id is 'Catalog agency id (curated.dim_agency).';
comment on column marts.coverage.agency_name is 'Agency name from the catalog.';
comment on column marts.coverage.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.coverage.level is 'municipal | district | county | township.';
comment on column marts.coverage.status is 'counted | quarantined | unreadable | no_report | other_template.';
comment on column marts.coverage.report_id is 'The current document''s report id (null for no_report).';
comment on column marts.coverage.sha256 is 'The current document''s sha256.';
comment on column marts.coverage.template is 'The current document''s template.';
comment on column marts.coverage.error_code is 'Why the current document could not be read (unreadable only).';
comment on column marts.coverage.failed_checks is 'Blocking check ids the current document failed (quarantined only).';
comment on column marts.coverage.versions is 'How many documents the warehouse holds for this agency-year.';
comment on table marts.disclosure_rate is 'Citywide disclosure rate per year: (granted + partially_granted) / handled_total.';
comment on column marts.disclosure_rate.year is 'Report year (the calendar year the reports cover).';
comment on column marts.disclosure_rate.reports is 'Number of counted reports.';
comment on column marts.disclosure_rate.granted is '予以公开 (granted), 件.';
comment on column marts.disclosure_rate.partially_granted is '部分公开 (partially_granted), 件.';
comment on column marts.disclosure_rate.handled_total is '办理结果总计 (handled_total), 件.';
comment on column marts.disclosure_rate.disclosure_rate is '(granted + partially_granted) / handled_total; null when handled_total = 0.';
comment on table marts.outcome_mix is 'How the applications of the year were handled: each outcome row of table 3 (applicant total) and its share.';
comment on column marts.outcome_mix.year is 'Report year (the calendar year the reports cover).';
comment on column marts.outcome_mix.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.outcome_mix.label_zh is 'Row label in Chinese without numbering (予以公开, …).';
comment on column marts.outcome_mix.group_code is 'Outcome family: granted, partially_granted, denied, unavailable, rejected, other.';
comment on column marts.outcome_mix.sort_order is 'Printed order of the code in the template.';
comment on column marts.outcome_mix.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.outcome_mix.share_of_handled is 'value / handled_total of the year (0–1).';
comment on table marts.proactive_by_year is 'Table 2 summed citywide by year, item and measure (long).';
comment on column marts.proactive_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.proactive_by_year.item is 'Table 2 item code (curated.dim_code, code_kind = item).';
comment on column marts.proactive_by_year.measure is 'Table 2 measure code (curated.dim_code, code_kind = measure).';
comment on column marts.proactive_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.proactive_by_year.reports is 'Number of counted reports summed.';
comment on table marts.refusal_reasons is 'Reasons for not disclosing (不予公开 / 无法提供 / 不予处理) per year.';
comment on column marts.refusal_reasons.year is 'Report year (the calendar year the reports cover).';
comment on column marts.refusal_reasons.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.refusal_reasons.label_zh is 'Row label in Chinese without numbering (予以公开, …).';
comment on column marts.refusal_reasons.group_code is 'Outcome family: granted, partially_granted, denied, unavailable, rejected, other.';
comment on column marts.refusal_reasons.sort_order is 'Printed order of the code in the template.';
comment on column marts.refusal_reasons.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.refusal_reasons.share_of_group is 'value / the sum of its outcome family (denied, unavailable or rejected) that year (0–1).';
comment on column marts.refusal_reasons.share_of_handled is 'value / handled_total of the year (0–1).';
comment on table marts.report_metrics is 'One row per counted report: headline numbers of tables 3 and 4.';
comment on column marts.report_metrics.year is 'Report year (the calendar year the reports cover).';
comment on column marts.report_metrics.agency_id is 'Catalog agency id (curated.dim_agency).';
comment on column marts.report_metrics.agency_name is 'Agency name from the catalog.';
comment on column marts.report_metrics.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.report_metrics.level is 'municipal | district | county | township.';
comment on column marts.report_metrics.report_id is 'agency_id/year/sha256: one document''s reading of one agency-year.';
comment on column marts.report_metrics.received_new is '本年新收申请 (received_new), 件.';
comment on column marts.report_metrics.carried_in is '上年结转申请 (carried_in), 件.';
comment on column marts.report_metrics.granted is '予以公开 (granted), 件.';
comment on column marts.report_metrics.partially_granted is '部分公开 (partially_granted), 件.';
comment on column marts.report_metrics.denied is '不予公开, all eight reasons (denied_*), 件.';
comment on column marts.report_metrics.unavailable is '无法提供, all three reasons (unavailable_*), 件.';
comment on column marts.report_metrics.rejected is '不予处理, all five reasons (rejected_*), 件.';
comment on column marts.report_metrics.other_handling is '其他处理 (other_handling under v2019, other_* under v2021), 件.';
comment on column marts.report_metrics.handled_total is '办理结果总计 (handled_total), 件.';
comment on column marts.report_metrics.carried_out is '结转下年度继续办理 (carried_out), 件.';
comment on column marts.report_metrics.review_total is '行政复议 total, 件.';
comment on column marts.report_metrics.review_corrected is '行政复议 结果纠正, 件.';
comment on column marts.report_metrics.review_pending is '行政复议 尚未审结, 件.';
comment on column marts.report_metrics.litigation_total is '行政诉讼 total (direct + after review), 件.';
comment on column marts.report_metrics.litigation_corrected is '行政诉讼 结果纠正 (direct + after review), 件.';
comment on column marts.report_metrics.litigation_pending is '行政诉讼 尚未审结 (direct + after review), 件.';
comment on table marts.review_litigation_by_year is 'Table 4 summed citywide by year, proceeding and outcome (long).';
comment on column marts.review_litigation_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.review_litigation_by_year.proceeding is 'Table 4 proceeding code: review, litigation_direct, litigation_after_review.';
comment on column marts.review_litigation_by_year.outcome is 'Table 4 outcome code: upheld, corrected, other, pending, total.';
comment on column marts.review_litigation_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.review_litigation_by_year.reports is 'Number of counted reports summed.';
comment on table marts.yoy_change is 'Year-over-year change of each citywide metric.';
comment on column marts.yoy_change.year is 'Report year (the calendar year the reports cover).';
comment on column marts.yoy_change.metric is 'Metric name: reports, received_new, handled_total, granted, partially_granted, review_total, review_corrected, litigation_total, litigation_corrected.';
comment on column marts.yoy_change.value is 'The metric summed over the year''s counted reports.';
comment on column marts.yoy_change.prev_value is 'The metric''s value the year before (null when that year has no counted reports).';
comment on column marts.yoy_change.change is 'value − prev_value.';
comment on column marts.yoy_change.change_rate is '(value − prev_value) / prev_value; null when prev_value is 0 or missing.';
