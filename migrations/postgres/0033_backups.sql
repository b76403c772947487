-- Backup runs (issue #19): each `motcua backup` and each scheduled backup of `serve`, ok or
-- failed, with what it wrote. The admin system page shows the latest; the rows are small
-- and one a run (a few a day), so they are kept.
CREATE TABLE backups (
    id              TEXT    NOT NULL CONSTRAINT pk_backups PRIMARY KEY,
    -- `manual` (the CLI) or `scheduled` (the `[backup]` task of `serve`).
    kind            TEXT    NOT NULL,
    -- The folder written (absolute when known).
    dir             TEXT    NOT NULL,
    started_at      BIGINT  NOT NULL,
    finished_at     BIGINT  NOT NULL,
    -- 1 ok, 0 failed (then `error` says why).
    ok              INTEGER NOT NULL,
    database_bytes  BIGINT  NOT NULL,
    files_total     BIGINT  NOT NULL,
    files_copied    BIGINT  NOT NULL,
    files_reused    BIGINT  NOT NULL,
    bytes_copied    BIGINT  NOT NULL,
    error           TEXT,
    CONSTRAINT ck_backups_kind CHECK (kind IN ('manual', 'scheduled'))
);
CREATE INDEX ix_backups_started ON backups (started_at);
