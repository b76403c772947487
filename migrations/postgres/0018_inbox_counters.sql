-- Inbox counters (issue #14): how many dossiers are held, per what an inbox filters on, kept
-- exactly by a trigger on `dossiers` in the same transaction as the projection, so every
-- writer (HTTP, generator, rebuild, several processes) keeps them without code. Only held
-- rows count (`finished_at IS NULL AND status <> 'draft'`, the inbox index's predicate).
--   due_day:   local (UTC+7) day number of the next deadline COALESCE(due_at, check_due_at),
--              none = the inbox index's "last" value's day; an inbox's overdue / due-soon
--              counts are these rows wholly before the bound plus an index range over the
--              one day that holds `now`.
--   check_day: local day of a waiting online check's due time, 0 when none.
--   slot:      spreads one key over 8 rows by the dossier id's hash: the upsert's row lock is
--              held to COMMIT, so without it every filing of one procedure at one step on one
--              day would queue on one row; a dossier keeps its slot, so its moves find it.
-- A row at zero is deleted, so the table holds only live keys.
CREATE TABLE inbox_counts (
    current_path      TEXT     NOT NULL,
    current_step_role TEXT     NOT NULL,
    status            TEXT     NOT NULL,
    procedure_code    TEXT     NOT NULL,
    channel           TEXT     NOT NULL,
    due_day           BIGINT   NOT NULL,
    check_day         BIGINT   NOT NULL,
    slot              SMALLINT NOT NULL,
    n                 BIGINT   NOT NULL,
    CONSTRAINT pk_inbox_counts PRIMARY KEY (current_path, current_step_role, status, procedure_code, channel, due_day, check_day, slot)
);

CREATE FUNCTION inbox_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    old_held boolean := TG_OP <> 'INSERT' AND OLD.finished_at IS NULL AND OLD.status <> 'draft';
    new_held boolean := TG_OP <> 'DELETE' AND NEW.finished_at IS NULL AND NEW.status <> 'draft';
    o_role text; o_due bigint; o_check bigint; o_slot smallint;
    n_role text; n_due bigint; n_check bigint; n_slot smallint;
BEGIN
    IF old_held THEN
        o_role := COALESCE(OLD.current_step_role, '');
        o_due := (COALESCE(OLD.due_at, OLD.check_due_at, 9007199254740991) + 25200000) / 86400000;
        o_check := COALESCE((OLD.check_due_at + 25200000) / 86400000, 0);
        o_slot := abs(hashtext(OLD.id) % 8);
    END IF;
    IF new_held THEN
        n_role := COALESCE(NEW.current_step_role, '');
        n_due := (COALESCE(NEW.due_at, NEW.check_due_at, 9007199254740991) + 25200000) / 86400000;
        n_check := COALESCE((NEW.check_due_at + 25200000) / 86400000, 0);
        n_slot := abs(hashtext(NEW.id) % 8);
    END IF;
    IF old_held AND new_held AND OLD.current_path = NEW.current_path AND o_role = n_role AND OLD.status = NEW.status
        AND OLD.procedure_code = NEW.procedure_code AND OLD.channel = NEW.channel AND o_due = n_due
        AND o_check = n_check AND o_slot = n_slot THEN
        RETURN NULL;
    END IF;
    IF old_held THEN
        DELETE FROM inbox_counts WHERE current_path = OLD.current_path AND current_step_role = o_role AND status = OLD.status
            AND procedure_code = OLD.procedure_code AND channel = OLD.channel AND due_day = o_due AND check_day = o_check
            AND slot = o_slot AND n = 1;
        IF NOT FOUND THEN
            UPDATE inbox_counts SET n = n - 1 WHERE current_path = OLD.current_path AND current_step_role = o_role
                AND status = OLD.status AND procedure_code = OLD.procedure_code AND channel = OLD.channel AND due_day = o_due
                AND check_day = o_check AND slot = o_slot;
        END IF;
    END IF;
    IF new_held THEN
        INSERT INTO inbox_counts VALUES (NEW.current_path, n_role, NEW.status, NEW.procedure_code, NEW.channel, n_due, n_check, n_slot, 1)
        ON CONFLICT (current_path, current_step_role, status, procedure_code, channel, due_day, check_day, slot)
        DO UPDATE SET n = inbox_counts.n + 1;
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER tr_dossiers_counts AFTER INSERT OR UPDATE OR DELETE ON dossiers
    FOR EACH ROW EXECUTE FUNCTION inbox_counts_apply();

INSERT INTO inbox_counts
    SELECT current_path, COALESCE(current_step_role, ''), status, procedure_code, channel,
        (COALESCE(due_at, check_due_at, 9007199254740991) + 25200000) / 86400000,
        COALESCE((check_due_at + 25200000) / 86400000, 0), abs(hashtext(id) % 8), COUNT(*)
    FROM dossiers WHERE finished_at IS NULL AND status <> 'draft' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

-- The citizen's own list in its order (next deadline, then id) for keyset pages.
CREATE INDEX ix_dossiers_owner_due ON dossiers (owner_id, (COALESCE(due_at, check_due_at, 9007199254740991)), id)
    WHERE owner_id IS NOT NULL;
-- It serves every `owner_id = ?` read; counter filings (no owner) are not in it.
DROP INDEX ix_dossiers_owner;

-- An inbox filtered by status reads each (step, status) range in due order, not the whole
-- step's range looking for the few rows of a rare status.
CREATE INDEX ix_dossiers_inbox_status ON dossiers
    (current_path, current_step_role, status, (COALESCE(due_at, check_due_at, 9007199254740991)), id)
    WHERE finished_at IS NULL AND status <> 'draft';

-- Free text of an inbox goes through `ix_dossiers_search` (0016) over every dossier: a second
-- trigram index over the held rows would be written on every reception again.
