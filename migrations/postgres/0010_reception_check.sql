-- The check due time of an online dossier waiting for the one-stop's check (issue #11 item
-- 14; NĐ 61/2018 art. 19 as amended, NĐ 45/2020 art. 11): set while the dossier waits
-- (status submitted), null otherwise, so the partial index holds only the waiting dossiers
-- and the inbox's "check overdue" filter and the index's count read it cheaply. Filled for
-- existing dossiers by `motcua rebuild` (from the submitted events that record it).
ALTER TABLE dossiers ADD COLUMN check_due_at BIGINT;
CREATE INDEX ix_dossiers_check_due ON dossiers (check_due_at) WHERE check_due_at IS NOT NULL;
