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
    received_at             BIGINT NOT NULL,
    reject_due              BIGINT NOT NULL,
    supplement_due          BIGINT NOT NULL,
    resolve_due             BIGINT NOT NULL,
    rejected_at             BIGINT,
    supplement_requested_at BIGINT,
    assigned_at             BIGINT,
    answered_at             BIGINT,
    publish_due             BIGINT,
    published_at            BIGINT,
    rating                  TEXT,
    rated_at                BIGINT,
    complained_at           BIGINT,
    follow_up_of            TEXT,
    version                 BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
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
    seq         BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
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
    at_ms       BIGINT NOT NULL
);
CREATE INDEX ix_petition_contact_reads_at ON petition_contact_reads (at_ms);

-- The inspector role (Thanh tra). SQLite rebuilds the table and so declares its other
-- constraints again, under the same names that PostgreSQL keeps here:
-- CONSTRAINT fk_memberships_user CONSTRAINT fk_memberships_agency CONSTRAINT pk_memberships
ALTER TABLE memberships DROP CONSTRAINT ck_memberships_role
;
ALTER TABLE memberships ADD CONSTRAINT ck_memberships_role
    CHECK (role IN ('reception_officer','specialist','leader','admin','supervisor','inspector'));
