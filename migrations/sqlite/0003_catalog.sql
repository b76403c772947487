-- The procedure catalog. Every change is a new version; a version is in force on
-- [effective_from, effective_to) (instants, unix ms). Drafts have no window.

CREATE TABLE procedures (
    code           TEXT    NOT NULL CONSTRAINT pk_procedures PRIMARY KEY,
    latest_version INTEGER NOT NULL,
    replaced_by    TEXT,
    created_at     INTEGER NOT NULL
);

CREATE TABLE procedure_versions (
    code            TEXT    NOT NULL CONSTRAINT fk_procedure_versions_procedure REFERENCES procedures(code),
    version         INTEGER NOT NULL,
    status          TEXT    NOT NULL CONSTRAINT ck_procedure_versions_status CHECK (status IN ('draft','published','amended','replaced','abolished')),
    effective_from  INTEGER,
    effective_to    INTEGER,
    name            TEXT    NOT NULL,
    sector_code     TEXT    NOT NULL,
    sector_name     TEXT    NOT NULL,
    levels          TEXT    NOT NULL,
    online_level    TEXT    NOT NULL,
    agency_code     TEXT,
    complete        INTEGER NOT NULL,
    decision_number TEXT    NOT NULL,
    decision_date   TEXT    NOT NULL,
    legal_effective TEXT,
    published_at    INTEGER,
    search_text     TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    created_by      TEXT,
    CONSTRAINT pk_procedure_versions PRIMARY KEY (code, version)
);
-- The whole spec lives apart, so searches and lists scan narrow rows.
CREATE TABLE procedure_specs (
    code    TEXT    NOT NULL,
    version INTEGER NOT NULL,
    spec    TEXT    NOT NULL,
    CONSTRAINT pk_procedure_specs PRIMARY KEY (code, version),
    CONSTRAINT fk_procedure_specs_version FOREIGN KEY (code, version) REFERENCES procedure_versions(code, version)
);
CREATE INDEX ix_procedure_versions_window ON procedure_versions(effective_from, effective_to);
CREATE INDEX ix_procedure_versions_sector ON procedure_versions(sector_code);
