-- Catalog search: every word of a query is matched with search_text LIKE '%word%'
-- (search_text is folded: no marks, đ→d, lower case). A B-tree cannot serve a leading
-- wildcard; a trigram GIN index can, so word queries stop scanning every version.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since 13: the
-- database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX ix_procedure_versions_search_trgm ON procedure_versions USING gin (search_text gin_trgm_ops);
