-- Documents issued for a dossier (issue #13): the legal forms 01–06 of TT 03/2025/TT-VPCP
-- as PDF, rendered when their event happens and written in that event's transaction. The
-- bytes live in the file store under their SHA-256 (also recorded in `files`, so
-- `motcua verify` checks them). Not a projection of the event log: a document is what was
-- issued (the template in force then, the number drawn), so `motcua rebuild` keeps it.
-- Later: signatures and the public verification page read this table by id.
CREATE TABLE documents (
    id          TEXT    NOT NULL CONSTRAINT pk_documents PRIMARY KEY,
    dossier_id  TEXT    NOT NULL,
    -- The event that produced it (dossier_events.seq of the dossier).
    event_seq   INTEGER NOT NULL,
    -- "01" … "06" (form 07, the register, is rendered on demand and not stored).
    form        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    -- Number and symbol printed on it (the dossier code for forms 01 and 06).
    number      TEXT    NOT NULL,
    -- The issuing agency (its id at the time).
    agency_id   TEXT    NOT NULL,
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    -- What the QR code holds.
    qr          TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT    NOT NULL,
    CONSTRAINT uq_documents_event_form UNIQUE (dossier_id, event_seq, form)
);
CREATE INDEX ix_documents_dossier ON documents (dossier_id, created_at);

-- The running number of each agency's documents of one form per year (NĐ 30/2020: numbers
-- start again at 01 on 1 January).
CREATE TABLE document_sequences (
    agency_code TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    form        TEXT    NOT NULL,
    last_number INTEGER NOT NULL,
    CONSTRAINT pk_document_sequences PRIMARY KEY (agency_code, year, form)
);
