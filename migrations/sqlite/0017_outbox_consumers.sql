-- The outbox consumer framework (issue #14): rows are claimed with a lease, handled, marked
-- delivered; failures are retried with back-off up to a maximum, then kept as dead letters
-- (visible, retried by an administrator). A row with a dedup key is queued at most once.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
-- What a consumer polls: the rows of its topics still to deliver, in due order.
CREATE INDEX ix_outbox_ready ON outbox (topic, next_attempt_at) WHERE delivered_at IS NULL AND dead_at IS NULL;
CREATE INDEX ix_outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL;

-- The deadline worker's marks: one row per (dossier or unit, deadline, kind, threshold), so
-- several processes and restarts never queue a reminder twice (the insert that wins queues it).
CREATE TABLE reminder_keys (
    subject    TEXT    NOT NULL,
    due_at     INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    threshold  INTEGER NOT NULL,
    outbox_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT pk_reminder_keys PRIMARY KEY (subject, due_at, kind, threshold)
);
-- The open dossiers by step deadline and by legal deadline (the worker walks these).
CREATE INDEX ix_dossiers_open_step_due ON dossiers (step_due_at) WHERE finished_at IS NULL AND step_due_at IS NOT NULL;
CREATE INDEX ix_dossiers_open_due ON dossiers (due_at) WHERE finished_at IS NULL AND due_at IS NOT NULL;

-- In-app notifications an officer sees (reminders, escalations, digests). One per
-- (outbox row, user): a row handled twice notifies once.
CREATE TABLE notifications (
    id         TEXT    NOT NULL CONSTRAINT pk_notifications PRIMARY KEY,
    user_id    TEXT    NOT NULL CONSTRAINT fk_notifications_user REFERENCES users(id),
    source_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    dossier_id TEXT,
    payload    TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    CONSTRAINT uq_notifications_source UNIQUE (source_id, user_id)
);
CREATE INDEX ix_notifications_user ON notifications (user_id, created_at);
