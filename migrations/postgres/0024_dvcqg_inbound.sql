-- Online dossiers taken in from the national portal (issue #15, REQ-8), one row per portal
-- dossier id: unique, so a second delivery (pulled and pushed, listed twice) finds the
-- dossier the first made. A delivery that failed (malformed, unknown procedure or unit, a
-- file refused) keeps its reason in Vietnamese with a machine code and its raw payload
-- (bounded, file contents left out); it is tried again on the next pull and held after
-- `[dvcqg] inbound_max_attempts` until an administrator retries it.
CREATE TABLE dvcqg_inbound (
    portal_id       TEXT    NOT NULL CONSTRAINT pk_dvcqg_inbound PRIMARY KEY,
    -- 'received' (dossier_id set), 'failed' (tried again on the next pull) or 'held'.
    state           TEXT    NOT NULL,
    dossier_id      TEXT    CONSTRAINT uq_dvcqg_inbound_dossier UNIQUE,
    -- 'pull' or 'push': how it came the last time.
    source          TEXT    NOT NULL,
    attempts        BIGINT NOT NULL,
    reason_code     TEXT,
    reason_vi       TEXT,
    payload         TEXT    NOT NULL,
    first_seen_at   BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    -- When the portal was told the province holds it.
    acknowledged_at BIGINT
);
CREATE INDEX ix_dvcqg_inbound_state ON dvcqg_inbound (state, updated_at);
