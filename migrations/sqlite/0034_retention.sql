-- Retention and archival (issue #19, docs/archive-format.md, docs/operations.md).
-- One row per finished dossier exported as an archive package; `purged_at` once the
-- applicant's personal data were deleted (only after an export and the retention period).
CREATE TABLE dossier_archives (
    dossier_id      TEXT    NOT NULL CONSTRAINT pk_dossier_archives PRIMARY KEY,
    code            TEXT    NOT NULL,
    receiving_path  TEXT    NOT NULL,
    package_sha256  TEXT    NOT NULL,
    package_bytes   INTEGER NOT NULL,
    exported_at     INTEGER NOT NULL,
    exported_by     TEXT,
    purged_at       INTEGER,
    purged_by       TEXT
);
-- Events whose payload had personal data replaced: the hash they had (and still carry),
-- which `motcua verify` accepts for them instead of recomputing it from the payload.
CREATE TABLE dossier_event_redactions (
    dossier_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    CONSTRAINT pk_dossier_event_redactions PRIMARY KEY (dossier_id, seq)
);
-- Files whose bytes were removed from the file store by a purge: `motcua verify` does not
-- look for them.
CREATE TABLE purged_files (
    sha256     TEXT    NOT NULL CONSTRAINT pk_purged_files PRIMARY KEY,
    purged_at  INTEGER NOT NULL
);
