-- The deadline worker's marks (issue #14). Per scan (`step.overdue`, `dossier.escalation`,
-- …) and threshold: the (deadline, dossier id) up to which every running dossier has been
-- handled, so a scan reads only the dossiers after it instead of every overdue one; and when
-- the last full pass (the sweep, which finds deadlines moved behind the mark) completed.
-- Advanced in the transaction that queues the reminders, never moved back.
CREATE TABLE deadline_marks (
    scan       TEXT    NOT NULL,
    threshold  INTEGER NOT NULL,
    due_at     INTEGER,
    dossier_id TEXT,
    swept_at   INTEGER NOT NULL,
    CONSTRAINT pk_deadline_marks PRIMARY KEY (scan, threshold)
);
-- The open dossiers in (deadline, id) order: the scans' keyset walks the index in order.
DROP INDEX ix_dossiers_open_step_due;
CREATE INDEX ix_dossiers_open_step_due ON dossiers (step_due_at, id) WHERE finished_at IS NULL AND step_due_at IS NOT NULL;
DROP INDEX ix_dossiers_open_due;
CREATE INDEX ix_dossiers_open_due ON dossiers (due_at, id) WHERE finished_at IS NULL AND due_at IS NOT NULL;
