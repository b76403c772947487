-- Petitions (PAKN, issue #18, docs/petitions.md). One row per petition; its handling is
-- appended to petition_events (never updated). The tracking code is public, the secret is
-- kept as a SHA-256 only. The name and contact are read through the use case that logs the
-- read in petition_contact_reads.
CREATE TABLE petitions (
    id                      TEXT    NOT NULL CONSTRAINT pk_petitions PRIMARY KEY,
    code                    TEXT    NOT NULL,
    secret_hash             TEXT    NOT NULL,
    kind                    TEXT    NOT NULL CONSTRAINT ck_petitions_kind CHECK (kind IN ('quy_dinh','can_bo')),
    state                   TEXT    NOT NULL,
    agency_id               TEXT    NOT NULL,
    agency_path             TEXT    NOT NULL,
    dossier_id              TEXT,
    dossier_code            TEXT,
    owner_id                TEXT,
    name                    TEXT,
    contact                 TEXT,
    body                    TEXT    NOT NULL,
    note                    TEXT,
    answer                  TEXT,
    received_at             INTEGER NOT NULL,
    reject_due              INTEGER NOT NULL,
    supplement_due          INTEGER NOT NULL,
    resolve_due             INTEGER NOT NULL,
    rejected_at             INTEGER,
    supplement_requested_at INTEGER,
    assigned_at             INTEGER,
    answered_at             INTEGER,
    publish_due             INTEGER,
    published_at            INTEGER,
    rating                  TEXT,
    rated_at                INTEGER,
    complained_at           INTEGER,
    follow_up_of            TEXT,
    version                 INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    CONSTRAINT uq_petitions_code UNIQUE (code)
);
-- The inbox and the indicators: a unit's subtree by reception time.
CREATE INDEX ix_petitions_agency ON petitions (agency_path, received_at);
-- The reminder scan: open petitions by their resolution deadline.
CREATE INDEX ix_petitions_due ON petitions (state, resolve_due);
-- The public list of published answers, newest first.
CREATE INDEX ix_petitions_published ON petitions (published_at);
CREATE INDEX ix_petitions_dossier ON petitions (dossier_id);

CREATE TABLE petition_events (
    petition_id TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    actor_id    TEXT,
    action      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    note        TEXT,
    CONSTRAINT pk_petition_events PRIMARY KEY (petition_id, seq)
);

CREATE TABLE petition_contact_reads (
    id          TEXT    NOT NULL CONSTRAINT pk_petition_contact_reads PRIMARY KEY,
    petition_id TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX ix_petition_contact_reads_at ON petition_contact_reads (at_ms);

-- The inspector role (Thanh tra): SQLite cannot change a CHECK in place, so the table is
-- rebuilt (nothing references it).
CREATE TABLE memberships_new (
    user_id    TEXT    NOT NULL CONSTRAINT fk_memberships_user REFERENCES users(id),
    agency_id  TEXT    NOT NULL CONSTRAINT fk_memberships_agency REFERENCES agencies(id),
    role       TEXT    NOT NULL CONSTRAINT ck_memberships_role CHECK (role IN ('reception_officer','specialist','leader','admin','supervisor','inspector')),
    created_at INTEGER NOT NULL,
    CONSTRAINT pk_memberships PRIMARY KEY (user_id, agency_id, role)
);
INSERT INTO memberships_new (user_id, agency_id, role, created_at) SELECT user_id, agency_id, role, created_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_new RENAME TO memberships;
CREATE INDEX ix_memberships_agency ON memberships(agency_id);
