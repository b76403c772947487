-- Online fee payment and e-receipts (issue #17, REQ-20; docs/payments.md).
-- One row per attempt to pay a dossier's noticed fees at the gateway. `txn_ref` is the
-- order id sent to the gateway (`vnp_TxnRef`); `gateway_txn_no` its transaction number
-- (`vnp_TransactionNo`), unique: a callback carrying one already recorded writes nothing.
-- The raw verified callback is kept as received.
CREATE TABLE payment_attempts (
    txn_ref        TEXT    NOT NULL CONSTRAINT pk_payment_attempts PRIMARY KEY,
    dossier_id     TEXT    NOT NULL CONSTRAINT fk_payment_attempts_dossier REFERENCES dossiers (id),
    amount         BIGINT  NOT NULL,
    method         TEXT    NOT NULL,
    status         TEXT    NOT NULL CONSTRAINT ck_payment_attempts_status CHECK (status IN ('pending', 'paid', 'failed', 'refunded')),
    created_at     BIGINT  NOT NULL,
    created_by     TEXT    NOT NULL,
    settled_at     BIGINT,
    gateway_txn_no TEXT    CONSTRAINT uq_payment_attempts_txn_no UNIQUE,
    gateway_code   TEXT,
    pay_date       TEXT,
    raw_callback   TEXT,
    refund_ref     TEXT
);
CREATE INDEX ix_payment_attempts_dossier ON payment_attempts (dossier_id);
CREATE INDEX ix_payment_attempts_status ON payment_attempts (status, created_at);
CREATE INDEX ix_payment_attempts_pay_date ON payment_attempts (pay_date);

-- The receipt number series of each collecting unit and year, under its form/series symbol
-- (e.g. `01BLP0-001` / `NB-26E`): the next number is taken in the payment's transaction,
-- so a rolled-back payment leaves no gap.
CREATE TABLE receipt_series (
    agency_id  TEXT    NOT NULL,
    year       BIGINT  NOT NULL,
    symbol     TEXT    NOT NULL,
    last_no    BIGINT  NOT NULL,
    CONSTRAINT pk_receipt_series PRIMARY KEY (agency_id, year)
);

CREATE TABLE receipts (
    id           TEXT    NOT NULL CONSTRAINT pk_receipts PRIMARY KEY,
    dossier_id   TEXT    NOT NULL CONSTRAINT fk_receipts_dossier REFERENCES dossiers (id),
    agency_id    TEXT    NOT NULL,
    year         BIGINT  NOT NULL,
    symbol       TEXT    NOT NULL,
    number       BIGINT  NOT NULL,
    amount       BIGINT  NOT NULL,
    method       TEXT    NOT NULL,
    txn_ref      TEXT,
    gateway_txn_no TEXT,
    document_id  TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    CONSTRAINT uq_receipts_number UNIQUE (agency_id, year, number)
);
CREATE INDEX ix_receipts_dossier ON receipts (dossier_id);

-- Daily reconciliation of the gateway's settlement list against the recorded payments.
CREATE TABLE payment_reconciliations (
    id          TEXT    NOT NULL CONSTRAINT pk_payment_reconciliations PRIMARY KEY,
    day         TEXT    NOT NULL,
    started_at  BIGINT  NOT NULL,
    started_by  TEXT,
    settled     BIGINT  NOT NULL,
    recorded    BIGINT  NOT NULL,
    mismatches  BIGINT  NOT NULL,
    error       TEXT
);
CREATE INDEX ix_payment_reconciliations_day ON payment_reconciliations (day, started_at);

CREATE TABLE payment_mismatches (
    run_id      TEXT    NOT NULL CONSTRAINT fk_payment_mismatches_run REFERENCES payment_reconciliations (id),
    seq         BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    txn_ref     TEXT    NOT NULL,
    dossier_id  TEXT,
    recorded    BIGINT,
    settled     BIGINT,
    CONSTRAINT pk_payment_mismatches PRIMARY KEY (run_id, seq)
);
