-- Flat inboxes (issue #14). The dossiers an agency holds now at a role, in due order, from
-- one partial index: only unfinished dossiers, keyed by where they are and their next
-- deadline (the legal one, else a waiting online dossier's check, else last), then id for
-- keyset pages. The first page reads the index in order; counts are index ranges.
CREATE INDEX ix_dossiers_inbox ON dossiers
    (current_path, current_step_role, COALESCE(due_at, check_due_at, 9007199254740991), id)
    WHERE finished_at IS NULL AND status <> 'draft';

-- Free text without diacritics through an index: FTS5 trigrams over the folded
-- `search_text` (substring match, like LIKE '%…%', without scanning every row). External
-- content keyed by the dossiers' rowid, kept by triggers; after a VACUUM (which may
-- renumber rowids) run INSERT INTO dossier_search(dossier_search) VALUES('rebuild').
CREATE VIRTUAL TABLE dossier_search USING fts5(search_text, content='dossiers', content_rowid='rowid', tokenize='trigram');
CREATE TRIGGER tr_dossiers_search_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO dossier_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
CREATE TRIGGER tr_dossiers_search_delete AFTER DELETE ON dossiers BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
END;
CREATE TRIGGER tr_dossiers_search_update AFTER UPDATE OF search_text ON dossiers
    WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO dossier_search (dossier_search, rowid, search_text) VALUES ('delete', old.rowid, old.search_text);
    INSERT INTO dossier_search (rowid, search_text) VALUES (new.rowid, new.search_text);
END;
INSERT INTO dossier_search (dossier_search) VALUES ('rebuild');
