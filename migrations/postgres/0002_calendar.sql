-- Working-day calendar data loaded at run time: yearly official schedules (each load is a
-- new revision; the highest revision of a year is in force) and per-agency office hours.

CREATE TABLE calendar_schedules (
    year      BIGINT NOT NULL,
    revision  BIGINT NOT NULL,
    source    TEXT    NOT NULL,
    loaded_at BIGINT NOT NULL,
    loaded_by TEXT,
    CONSTRAINT pk_calendar_schedules PRIMARY KEY (year, revision)
);

CREATE TABLE agency_office_hours (
    agency_id  TEXT    NOT NULL CONSTRAINT pk_agency_office_hours PRIMARY KEY CONSTRAINT fk_agency_office_hours_agency REFERENCES agencies(id),
    spec       TEXT    NOT NULL,
    updated_at BIGINT NOT NULL
);
