-- The access log (issue #12 item 14): logins, bearer tokens issued, reads of the register
-- and every read of a dossier's personal data by an official: who, when, which dossier,
-- from which address. Not the hash-chained audit log: it is purged after the retention
-- period and written in batches off the request path.
CREATE TABLE access_log (
    id TEXT PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    user_id TEXT,
    username TEXT,
    action TEXT NOT NULL,
    dossier_id TEXT,
    agency_path TEXT,
    address TEXT,
    detail TEXT
);
CREATE INDEX ix_access_log_at ON access_log (at_ms);
CREATE INDEX ix_access_log_user ON access_log (user_id, at_ms);
CREATE INDEX ix_access_log_username ON access_log (username, at_ms);
CREATE INDEX ix_access_log_dossier ON access_log (dossier_id, at_ms);
