-- Foundation: agencies, users, memberships, sessions, audit log.
-- Portable types: ids TEXT (UUID v7), instants BIGINT unix millis UTC, dates TEXT YYYY-MM-DD,
-- flags BIGINT 0/1, JSON TEXT. Constraint names match migrations/postgres.

CREATE TABLE agencies (
    id           TEXT    NOT NULL CONSTRAINT pk_agencies PRIMARY KEY,
    code         TEXT    NOT NULL CONSTRAINT uq_agencies_code UNIQUE,
    name         TEXT    NOT NULL,
    short_name   TEXT,
    kind         TEXT    NOT NULL CONSTRAINT ck_agencies_kind CHECK (kind IN ('province','department','service_centre','counter','commune','commune_centre','unit')),
    parent_id    TEXT    CONSTRAINT fk_agencies_parent REFERENCES agencies(id),
    path         TEXT    COLLATE "C" NOT NULL,
    depth        BIGINT NOT NULL,
    valid_from   TEXT    NOT NULL,
    valid_to     TEXT,
    successor_id TEXT    CONSTRAINT fk_agencies_successor REFERENCES agencies(id),
    address      TEXT,
    phone        TEXT,
    email        TEXT,
    search_text  TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX ix_agencies_path ON agencies(path);
CREATE INDEX ix_agencies_parent ON agencies(parent_id);

-- Every name an agency has had, with the days it was in force (renames keep history).
CREATE TABLE agency_names (
    agency_id  TEXT NOT NULL CONSTRAINT fk_agency_names_agency REFERENCES agencies(id),
    name       TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT,
    CONSTRAINT pk_agency_names PRIMARY KEY (agency_id, valid_from)
);

CREATE TABLE users (
    id            TEXT    NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    username      TEXT    NOT NULL CONSTRAINT uq_users_username UNIQUE,
    full_name     TEXT    NOT NULL,
    email         TEXT,
    phone         TEXT,
    citizen_id    TEXT    CONSTRAINT uq_users_citizen_id UNIQUE,
    account_type  TEXT    NOT NULL CONSTRAINT ck_users_account_type CHECK (account_type IN ('citizen','official')),
    password_hash TEXT    NOT NULL,
    status        TEXT    NOT NULL CONSTRAINT ck_users_status CHECK (status IN ('active','disabled')),
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT,
    last_login_at BIGINT,
    search_text   TEXT    NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
    user_id    TEXT    NOT NULL CONSTRAINT fk_memberships_user REFERENCES users(id),
    agency_id  TEXT    NOT NULL CONSTRAINT fk_memberships_agency REFERENCES agencies(id),
    role       TEXT    NOT NULL CONSTRAINT ck_memberships_role CHECK (role IN ('reception_officer','specialist','leader','admin','supervisor')),
    created_at BIGINT NOT NULL,
    CONSTRAINT pk_memberships PRIMARY KEY (user_id, agency_id, role)
);
CREATE INDEX ix_memberships_agency ON memberships(agency_id);

-- Browser sessions; only a SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    id_hash         TEXT    NOT NULL CONSTRAINT pk_sessions PRIMARY KEY,
    user_id         TEXT    NOT NULL CONSTRAINT fk_sessions_user REFERENCES users(id),
    csrf_token      TEXT    NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    ip              TEXT,
    user_agent      TEXT
);
CREATE INDEX ix_sessions_user ON sessions(user_id);
CREATE INDEX ix_sessions_expires ON sessions(expires_at);

-- Append-only, hash-chained administrative events.
CREATE TABLE audit_events (
    id          TEXT    NOT NULL CONSTRAINT pk_audit_events PRIMARY KEY,
    chain       TEXT    NOT NULL,
    seq         BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    actor_id    TEXT,
    action      TEXT    NOT NULL,
    entity_kind TEXT    NOT NULL,
    entity_id   TEXT    NOT NULL,
    agency_path TEXT    COLLATE "C",
    payload     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    CONSTRAINT uq_audit_events_chain_seq UNIQUE (chain, seq)
);
CREATE INDEX ix_audit_events_entity ON audit_events(entity_kind, entity_id);

CREATE TABLE audit_heads (
    chain TEXT    NOT NULL CONSTRAINT pk_audit_heads PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT    NOT NULL
);
