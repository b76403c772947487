-- The result document template of each procedure (issue #13): the typst body an
-- administrator wrote, versioned; the highest version of a procedure is in force, and a
-- procedure without one uses the built-in `ket-qua.typ`. Never updated in place: a save
-- adds a version, so a result document can always be traced to the template it came from.
CREATE TABLE result_templates (
    procedure_code TEXT    NOT NULL,
    version        BIGINT NOT NULL,
    body           TEXT    NOT NULL,
    created_by     TEXT    NOT NULL,
    created_at     BIGINT NOT NULL,
    CONSTRAINT pk_result_templates PRIMARY KEY (procedure_code, version)
);
