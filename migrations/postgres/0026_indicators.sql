-- The numbers leaders run the province by (issue #16).
--
-- Monthly sums of the daily counters, written in the same statement pair as them: the
-- dashboard and the 766 index of a province and a year read a few thousand rows whatever
-- the history's size. Keyed by the unit a dossier counts for (its competent agency, else
-- where it was received). Existing counters are summed here; `motcua rebuild` recomputes
-- both from the log (with the accountable unit and the counters added by this issue).
CREATE TABLE kpi_monthly (
    agency_id      TEXT    NOT NULL,
    procedure_code TEXT    NOT NULL,
    month          TEXT    NOT NULL,
    metric         TEXT    NOT NULL,
    value          BIGINT NOT NULL,
    CONSTRAINT pk_kpi_monthly PRIMARY KEY (agency_id, month, metric, procedure_code)
);
INSERT INTO kpi_monthly (agency_id, procedure_code, month, metric, value)
    SELECT agency_id, procedure_code, substr(day, 1, 7), metric, SUM(value) FROM kpi_daily
    GROUP BY agency_id, procedure_code, substr(day, 1, 7), metric;
-- The state counters ("in progress", "overdue") are summed over the whole history for a few
-- metrics: read per (unit, metric) up to a month.
CREATE INDEX ix_kpi_monthly_metric ON kpi_monthly (agency_id, metric, month);
-- The daily counters are read per unit and day range.
CREATE INDEX ix_kpi_daily_agency_day ON kpi_daily (agency_id, day, metric);

-- Revisions of the 766 point table (groups, maxima, conversions, grades) as JSON; the
-- default ships with the code (data/index766). The one in force for a period is the latest
-- whose effective_from is on or before the period's first day.
CREATE TABLE index_point_tables (
    version        TEXT    NOT NULL CONSTRAINT pk_index_point_tables PRIMARY KEY,
    effective_from TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_by     TEXT,
    created_at     BIGINT NOT NULL
);

-- Figures of indicators whose data live outside motcua (national TTHC database, DVCQG
-- ratings, petitions before the petitions module), entered per unit and period; shown as
-- imported. period: 2026-11, 2026-Q4 or 2026.
CREATE TABLE index_imports (
    agency_id   TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    indicator   TEXT    NOT NULL,
    numerator   BIGINT NOT NULL,
    denominator BIGINT NOT NULL,
    note        TEXT,
    imported_by TEXT,
    imported_at BIGINT NOT NULL,
    CONSTRAINT pk_index_imports PRIMARY KEY (agency_id, period, indicator)
);

-- Targets leaders set per unit and period (online share, on-time rate, …) in hundredths of
-- a percent, and when the unit's leader was last warned that one is at risk.
CREATE TABLE targets (
    agency_id   TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    metric      TEXT    NOT NULL,
    target      BIGINT NOT NULL,
    set_by      TEXT,
    set_at      BIGINT NOT NULL,
    alerted_at  BIGINT,
    CONSTRAINT pk_targets PRIMARY KEY (agency_id, period, metric)
);
