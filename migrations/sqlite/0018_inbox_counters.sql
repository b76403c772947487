-- Inbox counters (issue #14): how many dossiers are held, per what an inbox filters on, kept
-- exactly by triggers on `dossiers` in the same transaction as the projection, so every
-- writer (HTTP, generator, rebuild, several processes) keeps them without code. Only held
-- rows count (`finished_at IS NULL AND status <> 'draft'`, the inbox index's predicate).
--   due_day:   local (UTC+7) day number of the next deadline COALESCE(due_at, check_due_at),
--              none = the inbox index's "last" value's day; an inbox's overdue / due-soon
--              counts are these rows wholly before the bound plus an index range over the
--              one day that holds `now`.
--   check_day: local day of a waiting online check's due time, 0 when none.
--   slot:      spreads one key over several rows so concurrent writers do not wait on one
--              hot row (PostgreSQL: 8 slots by the dossier id's hash; SQLite has one writer: 0).
-- A row at zero is deleted, so the table holds only live keys.
CREATE TABLE inbox_counts (
    current_path      TEXT    NOT NULL,
    current_step_role TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    procedure_code    TEXT    NOT NULL,
    channel           TEXT    NOT NULL,
    due_day           INTEGER NOT NULL,
    check_day         INTEGER NOT NULL,
    slot              INTEGER NOT NULL,
    n                 INTEGER NOT NULL,
    CONSTRAINT pk_inbox_counts PRIMARY KEY (current_path, current_step_role, status, procedure_code, channel, due_day, check_day, slot)
) WITHOUT ROWID;

CREATE TRIGGER tr_dossiers_counts_insert AFTER INSERT ON dossiers
    WHEN new.finished_at IS NULL AND new.status <> 'draft' BEGIN
    INSERT INTO inbox_counts VALUES (new.current_path, COALESCE(new.current_step_role, ''), new.status, new.procedure_code,
        new.channel, (COALESCE(new.due_at, new.check_due_at, 9007199254740991) + 25200000) / 86400000,
        COALESCE((new.check_due_at + 25200000) / 86400000, 0), 0, 1)
    ON CONFLICT (current_path, current_step_role, status, procedure_code, channel, due_day, check_day, slot)
    DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER tr_dossiers_counts_delete AFTER DELETE ON dossiers
    WHEN old.finished_at IS NULL AND old.status <> 'draft' BEGIN
    UPDATE inbox_counts SET n = n - 1 WHERE current_path = old.current_path AND current_step_role = COALESCE(old.current_step_role, '')
        AND status = old.status AND procedure_code = old.procedure_code AND channel = old.channel
        AND due_day = (COALESCE(old.due_at, old.check_due_at, 9007199254740991) + 25200000) / 86400000
        AND check_day = COALESCE((old.check_due_at + 25200000) / 86400000, 0) AND slot = 0;
    DELETE FROM inbox_counts WHERE n = 0 AND current_path = old.current_path AND current_step_role = COALESCE(old.current_step_role, '')
        AND status = old.status AND procedure_code = old.procedure_code AND channel = old.channel
        AND due_day = (COALESCE(old.due_at, old.check_due_at, 9007199254740991) + 25200000) / 86400000
        AND check_day = COALESCE((old.check_due_at + 25200000) / 86400000, 0) AND slot = 0;
END;

-- An update moves the dossier from its old key to its new one; nothing when both are the same.
CREATE TRIGGER tr_dossiers_counts_update AFTER UPDATE ON dossiers
    WHEN (old.finished_at IS NULL AND old.status <> 'draft') OR (new.finished_at IS NULL AND new.status <> 'draft') BEGIN
    UPDATE inbox_counts SET n = n - 1 WHERE old.finished_at IS NULL AND old.status <> 'draft'
        AND current_path = old.current_path AND current_step_role = COALESCE(old.current_step_role, '')
        AND status = old.status AND procedure_code = old.procedure_code AND channel = old.channel
        AND due_day = (COALESCE(old.due_at, old.check_due_at, 9007199254740991) + 25200000) / 86400000
        AND check_day = COALESCE((old.check_due_at + 25200000) / 86400000, 0) AND slot = 0;
    DELETE FROM inbox_counts WHERE n = 0 AND current_path = old.current_path AND current_step_role = COALESCE(old.current_step_role, '')
        AND status = old.status AND procedure_code = old.procedure_code AND channel = old.channel
        AND due_day = (COALESCE(old.due_at, old.check_due_at, 9007199254740991) + 25200000) / 86400000
        AND check_day = COALESCE((old.check_due_at + 25200000) / 86400000, 0) AND slot = 0;
    INSERT INTO inbox_counts SELECT new.current_path, COALESCE(new.current_step_role, ''), new.status, new.procedure_code,
        new.channel, (COALESCE(new.due_at, new.check_due_at, 9007199254740991) + 25200000) / 86400000,
        COALESCE((new.check_due_at + 25200000) / 86400000, 0), 0, 1
        WHERE new.finished_at IS NULL AND new.status <> 'draft'
    ON CONFLICT (current_path, current_step_role, status, procedure_code, channel, due_day, check_day, slot)
    DO UPDATE SET n = n + 1;
END;

INSERT INTO inbox_counts
    SELECT current_path, COALESCE(current_step_role, ''), status, procedure_code, channel,
        (COALESCE(due_at, check_due_at, 9007199254740991) + 25200000) / 86400000,
        COALESCE((check_due_at + 25200000) / 86400000, 0), 0, COUNT(*)
    FROM dossiers WHERE finished_at IS NULL AND status <> 'draft' GROUP BY 1, 2, 3, 4, 5, 6, 7;

-- The citizen's own list in its order (next deadline, then id) for keyset pages.
CREATE INDEX ix_dossiers_owner_due ON dossiers (owner_id, COALESCE(due_at, check_due_at, 9007199254740991), id)
    WHERE owner_id IS NOT NULL;
-- It serves every `owner_id = ?` read; counter filings (no owner) are not in it.
DROP INDEX ix_dossiers_owner;

-- An inbox filtered by status reads each (step, status) range in due order, not the whole
-- step's range looking for the few rows of a rare status.
CREATE INDEX ix_dossiers_inbox_status ON dossiers
    (current_path, current_step_role, status, COALESCE(due_at, check_due_at, 9007199254740991), id)
    WHERE finished_at IS NULL AND status <> 'draft';

-- Free text of an inbox goes through `dossier_search` (0016) over every dossier: a second
-- FTS5 index over the held rows would be written (and flushed) on every reception again.
