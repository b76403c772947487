-- The text index is written once per write group instead of once per reception (issue #14).
-- FTS5 flushes its pending terms to a new segment at every savepoint, and SQLite opens one
-- for every statement that fires a trigger once FTS5 is in the transaction: with the insert
-- trigger of 0016 a group of 20 receptions wrote dozens of tiny segments (and merged them).
-- Now the trigger only notes the new row; the writer indexes every noted row with one
-- statement at the end of the group, in the same transaction (`repo::dossiers::SEARCH_FLUSH`),
-- so a committed dossier is always searchable and the table is empty between groups.
CREATE TABLE dossier_search_pending (dossier_rowid INTEGER PRIMARY KEY);

DROP TRIGGER tr_dossiers_search_insert;
CREATE TRIGGER tr_dossiers_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_search_pending (dossier_rowid) VALUES (new.rowid);
END;

-- A row still noted is not in the index yet: nothing to take out of it.
DROP TRIGGER tr_dossiers_search_delete;
CREATE TRIGGER tr_dossiers_search_delete AFTER DELETE ON dossiers BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, search_text) SELECT 'delete', old.rowid, old.search_text
        WHERE NOT EXISTS (SELECT 1 FROM dossier_search_pending WHERE dossier_rowid = old.rowid);
    DELETE FROM dossier_search_pending WHERE dossier_rowid = old.rowid;
END;

DROP TRIGGER tr_dossiers_search_update;
CREATE TRIGGER tr_dossiers_search_update AFTER UPDATE OF search_text ON dossiers
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, search_text) SELECT 'delete', old.rowid, old.search_text
        WHERE NOT EXISTS (SELECT 1 FROM dossier_search_pending WHERE dossier_rowid = old.rowid);
    INSERT OR IGNORE INTO dossier_search_pending (dossier_rowid) VALUES (new.rowid);
END;

-- The inbox index carries the folded text and every column its queries read: a free-text
-- inbox filter matches the first held rows in due order (`repo::dossiers::walk_held`) from
-- the index alone ("USING COVERING INDEX"), without reading each row of the table (at 1 M
-- dossiers, 12,000 held rows: 6–7 ms instead of 19–22 ms). Only held rows are in it, so its
-- size follows the backlog, not the history.
DROP INDEX ix_dossiers_inbox;
CREATE INDEX ix_dossiers_inbox ON dossiers
    (current_path, current_step_role, COALESCE(due_at, check_due_at, 9007199254740991), id,
     search_text, due_at, check_due_at, status, finished_at)
    WHERE finished_at IS NULL AND status <> 'draft';
