-- Flat inboxes (issue #14). The dossiers an agency holds now at a role, in due order, from
-- one partial index: only unfinished dossiers, keyed by where they are and their next
-- deadline (the legal one, else a waiting online dossier's check, else last), then id for
-- keyset pages. The first page reads the index in order; counts are index ranges.
CREATE INDEX ix_dossiers_inbox ON dossiers
    (current_path, current_step_role, (COALESCE(due_at, check_due_at, 9007199254740991)), id)
    WHERE finished_at IS NULL AND status <> 'draft';

-- Free text without diacritics through an index: trigrams over the folded `search_text`
-- (LIKE '%…%' is answered from the GIN index).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX ix_dossiers_search ON dossiers USING gin (search_text gin_trgm_ops);
