-- issue 16 (daily use): a reviewer's decision may be revoked, recorded as a decision of its own
comment on table staging.overrides is 'Reviewers'' decisions (nianbao review): accept a quarantined report, correct one cell citing a source, or revoke an earlier decision. Never deleted; those in force are applied on every load.';
comment on column staging.overrides.action is 'accept | correct | revoke';
comment on column staging.overrides.cell is 'table.row.column (correct; for revoke, the withdrawn correction''s cell)';
comment on column staging.overrides.value is 'the corrected value: 件, or yuan for amount_yuan (correct); the id of the decision withdrawn (revoke)';
comment on column staging.overrides.revoked_at is 'when a later decision (a correction of the same cell, or a revoke) withdrew this one (null: in force)';
comment on column raw.fetch_log.doc_state is 'new | changed | unchanged | moved (bytes stored before, found at a new URL) | failed (on the final attempt only)';
