-- The national-portal reconciliation (issue #15, REQ-26/REQ-27): each run compares what
-- the portal holds with what motcua has for a period, per unit, and re-sends what differs.
-- The report (units, differences up to a bound, indicator 1.4's inputs) is kept as JSON:
-- it is read whole, by the run's id, and never queried inside.
CREATE TABLE dvcqg_reconciliations (
    id           TEXT    NOT NULL CONSTRAINT pk_dvcqg_reconciliations PRIMARY KEY,
    period_from  BIGINT NOT NULL,
    period_to    BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    started_by   TEXT,
    differences  BIGINT NOT NULL,
    resent       BIGINT NOT NULL,
    report       TEXT    NOT NULL
);
CREATE INDEX ix_dvcqg_reconciliations_started ON dvcqg_reconciliations (started_at);
