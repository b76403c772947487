-- The applicant's data locker (kho dữ liệu, issue #13; spec REQ-12, 766 indicator 4.3):
-- results issued to a person or an organisation and certified copies of their documents,
-- kept under their id number (CCCD, or tax/enterprise code) and reused by later dossiers
-- instead of a new upload. The bytes stay in the file store under `sha256` (also in
-- `files`): a dossier reusing an item attaches the same digest, nothing is copied. Not a
-- projection of the event log: `motcua rebuild` keeps it.
CREATE TABLE locker_items (
    id               TEXT    NOT NULL CONSTRAINT pk_locker_items PRIMARY KEY,
    owner_id_number  TEXT    NOT NULL,
    -- person | organisation
    owner_kind       TEXT    NOT NULL,
    -- result | certified_copy
    kind             TEXT    NOT NULL,
    title            TEXT    NOT NULL,
    -- What the document is (`ket-qua:<procedure code>`, `ban-sao:<component key>`): a
    -- procedure component lists the types that satisfy it.
    doc_type         TEXT    NOT NULL,
    -- Where it came from: the dossier and its component (`result` for a result), or the
    -- issued document.
    source_dossier_id TEXT,
    source_component TEXT,
    source_document_id TEXT,
    sha256           TEXT    NOT NULL,
    size             BIGINT NOT NULL,
    mime             TEXT    NOT NULL,
    issued_at        BIGINT NOT NULL,
    valid_until      BIGINT,
    revoked_at       BIGINT,
    created_at       BIGINT NOT NULL,
    -- One item per file of a source: filling again (a result at resolution, then at return)
    -- adds nothing.
    CONSTRAINT uq_locker_items_source UNIQUE (owner_id_number, source_dossier_id, source_component, sha256)
);
CREATE INDEX ix_locker_items_owner ON locker_items (owner_id_number, issued_at);
CREATE INDEX ix_locker_items_owner_type ON locker_items (owner_id_number, doc_type);
