-- Dossiers: the event log is the source of truth (dossier_events, hash-chained per dossier);
-- `dossiers` is its projection, updated in the same transaction: the columns that lists,
-- inboxes and tracking filter on, with the whole state as JSON in `dossier_states` so that
-- scans read only narrow rows. Times are unix ms.

CREATE TABLE dossiers (
    id                 TEXT    NOT NULL CONSTRAINT pk_dossiers PRIMARY KEY,
    code               TEXT,
    procedure_code     TEXT    NOT NULL,
    procedure_version  INTEGER NOT NULL,
    status             TEXT    NOT NULL,
    national_status    INTEGER,
    channel            TEXT    NOT NULL,
    owner_id           TEXT,
    applicant_name     TEXT    NOT NULL,
    applicant_check    TEXT,
    receiving_id       TEXT    NOT NULL,
    receiving_path     TEXT    NOT NULL,
    competent_path     TEXT,
    current_path       TEXT    NOT NULL,
    current_step_role       TEXT,
    received_at        INTEGER,
    due_at             INTEGER,
    appointment_at     INTEGER,
    step_due_at        INTEGER,
    finished_at        INTEGER,
    timeliness         TEXT,
    search_text        TEXT    NOT NULL,
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    CONSTRAINT uq_dossiers_code UNIQUE (code)
);

CREATE TABLE dossier_states (
    id    TEXT NOT NULL CONSTRAINT pk_dossier_states PRIMARY KEY,
    state TEXT NOT NULL
);
-- Inbox: the dossiers an agency holds now, most urgent first.
CREATE INDEX ix_dossiers_current ON dossiers (current_path, current_step_role, due_at);
-- Register (form 07) and supervisors: by where and when received.
CREATE INDEX ix_dossiers_receiving ON dossiers (receiving_path, received_at);
CREATE INDEX ix_dossiers_owner ON dossiers (owner_id, created_at);

CREATE TABLE dossier_events (
    dossier_id TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    id         TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    actor_id   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    prev_hash  TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    CONSTRAINT pk_dossier_events PRIMARY KEY (dossier_id, seq)
);

-- The running number of each agency's dossiers per local day (the NNNN of the code).
CREATE TABLE dossier_sequences (
    agency_code TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    last_number INTEGER NOT NULL,
    CONSTRAINT pk_dossier_sequences PRIMARY KEY (agency_code, day)
);

-- A retried filing or reception returns the first answer.
CREATE TABLE idempotency_keys (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    dossier_id   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (scope, key)
);

-- Counters per (agency, procedure, local day, metric): dashboards read these, never scan dossiers.
CREATE TABLE kpi_daily (
    agency_id      TEXT    NOT NULL,
    procedure_code TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    metric         TEXT    NOT NULL,
    value          INTEGER NOT NULL,
    CONSTRAINT pk_kpi_daily PRIMARY KEY (agency_id, procedure_code, day, metric)
);

-- Side effects (national portal sync, notices) queued in the same transaction as the change.
CREATE TABLE outbox (
    id           TEXT    NOT NULL CONSTRAINT pk_outbox PRIMARY KEY,
    topic        TEXT    NOT NULL,
    dossier_id   TEXT,
    payload      TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    attempts     INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX ix_outbox_pending ON outbox (delivered_at, created_at);

-- Content-addressed files (SHA-256); the bytes live in the file store.
CREATE TABLE files (
    sha256     TEXT    NOT NULL CONSTRAINT pk_files PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Workflow of each procedure (the current one; dossiers keep the steps they were received with).
CREATE TABLE workflows (
    procedure_code TEXT    NOT NULL CONSTRAINT pk_workflows PRIMARY KEY,
    revision       INTEGER NOT NULL,
    spec           TEXT    NOT NULL,
    updated_at     INTEGER NOT NULL,
    updated_by     TEXT
);

-- Bearer tokens for machine clients (only the SHA-256 of the token is kept).
CREATE TABLE api_tokens (
    token_hash TEXT    NOT NULL CONSTRAINT pk_api_tokens PRIMARY KEY,
    user_id    TEXT    NOT NULL CONSTRAINT fk_api_tokens_user REFERENCES users(id),
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
);
