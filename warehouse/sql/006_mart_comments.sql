-- schema version 6: what every mart column means (COMMENT ON; read them from duckdb_columns()).

comment on view marts.agency_league is 'Per-agency league table per year with ranks.';
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

comment on view marts.applications_by_applicant_type is 'Applications by applicant type per year, with disclosure rate.';
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

comment on view marts.applications_by_region_level is 'Table 3 summed by year, region and level (long).';
comment on column marts.applications_by_region_level.year is 'Report year (the calendar year the reports cover).';
comment on column marts.applications_by_region_level.region is 'The city, or the district/county the agency belongs to.';
comment on column marts.applications_by_region_level.level is 'municipal | district | county | township.';
comment on column marts.applications_by_region_level.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.applications_by_region_level.applicant is 'Table 3 applicant code (curated.dim_code, code_kind = applicant); total = all applicants.';
comment on column marts.applications_by_region_level.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.applications_by_region_level.reports is 'Number of counted reports summed.';

comment on view marts.applications_by_year is 'Table 3 summed citywide by year, row and applicant (long).';
comment on column marts.applications_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.applications_by_year.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.applications_by_year.applicant is 'Table 3 applicant code (curated.dim_code, code_kind = applicant); total = all applicants.';
comment on column marts.applications_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.applications_by_year.reports is 'Number of counted reports summed.';

comment on view marts.citywide_metrics is 'Headline citywide metrics per year (long: year, metric, value).';
comment on column marts.citywide_metrics.year is 'Report year (the calendar year the reports cover).';
comment on column marts.citywide_metrics.metric is 'Metric name: reports, received_new, handled_total, granted, partially_granted, review_total, review_corrected, litigation_total, litigation_corrected.';
comment on column marts.citywide_metrics.value is 'The metric summed over the year''s counted reports (件 or count of reports).';

comment on view marts.correction_rate is 'Review and litigation outcomes per year and proceeding, with the correction rate.';
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

comment on view marts.counted_reports is 'The reports every rollup counts: the current version of each agency-year, admitted, under the main template of the year.';
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

comment on view marts.coverage is 'Every catalog agency for every year the warehouse has reports: counted or why not.';
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

comment on view marts.disclosure_rate is 'Citywide disclosure rate per year: (granted + partially_granted) / handled_total.';
comment on column marts.disclosure_rate.year is 'Report year (the calendar year the reports cover).';
comment on column marts.disclosure_rate.reports is 'Number of counted reports.';
comment on column marts.disclosure_rate.granted is '予以公开 (granted), 件.';
comment on column marts.disclosure_rate.partially_granted is '部分公开 (partially_granted), 件.';
comment on column marts.disclosure_rate.handled_total is '办理结果总计 (handled_total), 件.';
comment on column marts.disclosure_rate.disclosure_rate is '(granted + partially_granted) / handled_total; null when handled_total = 0.';

comment on view marts.outcome_mix is 'How the applications of the year were handled: each outcome row of table 3 (applicant total) and its share.';
comment on column marts.outcome_mix.year is 'Report year (the calendar year the reports cover).';
comment on column marts.outcome_mix.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.outcome_mix.label_zh is 'Row label in Chinese without numbering (予以公开, …).';
comment on column marts.outcome_mix.group_code is 'Outcome family: granted, partially_granted, denied, unavailable, rejected, other.';
comment on column marts.outcome_mix.sort_order is 'Printed order of the code in the template.';
comment on column marts.outcome_mix.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.outcome_mix.share_of_handled is 'value / handled_total of the year (0–1).';

comment on view marts.proactive_by_year is 'Table 2 summed citywide by year, item and measure (long).';
comment on column marts.proactive_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.proactive_by_year.item is 'Table 2 item code (curated.dim_code, code_kind = item).';
comment on column marts.proactive_by_year.measure is 'Table 2 measure code (curated.dim_code, code_kind = measure).';
comment on column marts.proactive_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.proactive_by_year.reports is 'Number of counted reports summed.';

comment on view marts.refusal_reasons is 'Reasons for not disclosing (不予公开 / 无法提供 / 不予处理) per year.';
comment on column marts.refusal_reasons.year is 'Report year (the calendar year the reports cover).';
comment on column marts.refusal_reasons.row_code is 'Table 3 row code (curated.dim_code, code_kind = row).';
comment on column marts.refusal_reasons.label_zh is 'Row label in Chinese without numbering (予以公开, …).';
comment on column marts.refusal_reasons.group_code is 'Outcome family: granted, partially_granted, denied, unavailable, rejected, other.';
comment on column marts.refusal_reasons.sort_order is 'Printed order of the code in the template.';
comment on column marts.refusal_reasons.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.refusal_reasons.share_of_group is 'value / the sum of its outcome family (denied, unavailable or rejected) that year (0–1).';
comment on column marts.refusal_reasons.share_of_handled is 'value / handled_total of the year (0–1).';

comment on view marts.report_metrics is 'One row per counted report: headline numbers of tables 3 and 4.';
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

comment on view marts.review_litigation_by_year is 'Table 4 summed citywide by year, proceeding and outcome (long).';
comment on column marts.review_litigation_by_year.year is 'Report year (the calendar year the reports cover).';
comment on column marts.review_litigation_by_year.proceeding is 'Table 4 proceeding code: review, litigation_direct, litigation_after_review.';
comment on column marts.review_litigation_by_year.outcome is 'Table 4 outcome code: upheld, corrected, other, pending, total.';
comment on column marts.review_litigation_by_year.value is 'Sum over the counted reports (件; yuan for amount_yuan; signed for change).';
comment on column marts.review_litigation_by_year.reports is 'Number of counted reports summed.';

comment on view marts.yoy_change is 'Year-over-year change of each citywide metric.';
comment on column marts.yoy_change.year is 'Report year (the calendar year the reports cover).';
comment on column marts.yoy_change.metric is 'Metric name: reports, received_new, handled_total, granted, partially_granted, review_total, review_corrected, litigation_total, litigation_corrected.';
comment on column marts.yoy_change.value is 'The metric summed over the year''s counted reports.';
comment on column marts.yoy_change.prev_value is 'The metric''s value the year before (null when that year has no counted reports).';
comment on column marts.yoy_change.change is 'value − prev_value.';
comment on column marts.yoy_change.change_rate is '(value − prev_value) / prev_value; null when prev_value is 0 or missing.';
