-- The text index per write group is SQLite's (see the SQLite migration); PostgreSQL's trigram
-- GIN index is maintained by PostgreSQL with its pending list.

-- The inbox index carries the folded text and the two deadlines its order is computed from,
-- so a free-text inbox filter can match the first held rows in due order
-- (`repo::dossiers::walk_held`) by an index-only scan where the visibility map allows.
DROP INDEX ix_dossiers_inbox;
CREATE INDEX ix_dossiers_inbox ON dossiers
    (current_path, current_step_role, (COALESCE(due_at, check_due_at, 9007199254740991)), id)
    INCLUDE (due_at, check_due_at, search_text)
    WHERE finished_at IS NULL AND status <> 'draft';
