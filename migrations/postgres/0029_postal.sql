-- Results returned by the public postal service (issue #17, QĐ 45/2016): one row per
-- hand-over of a result to the post (the `posted` event; seq is its place in the log),
-- kept in step with the log in the event's transaction. The tracking number is unique per
-- carrier: it is how the carrier's reports find the dossier.
CREATE TABLE postal_shipments (
    dossier_id      TEXT    NOT NULL,
    seq             BIGINT NOT NULL,
    carrier         TEXT    NOT NULL,
    tracking_number TEXT    NOT NULL,
    -- 'in_transit', 'delivered' or 'undelivered'.
    status          TEXT    NOT NULL,
    -- The postal fee in đồng.
    fee             BIGINT NOT NULL,
    receiving_path  TEXT    NOT NULL,
    posted_at       BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    reason          TEXT,
    CONSTRAINT pk_postal_shipments PRIMARY KEY (dossier_id, seq),
    CONSTRAINT uq_postal_shipments_tracking UNIQUE (carrier, tracking_number)
);
CREATE INDEX ix_postal_shipments_status ON postal_shipments (receiving_path, status, updated_at);

-- The carrier's webhook reports taken (replay protection): each carrier's event id once.
-- Refused reports (bad signature, stale, unknown tracking number) are not kept here; they
-- are logged.
CREATE TABLE postal_carrier_events (
    carrier         TEXT    NOT NULL,
    event_id        TEXT    NOT NULL,
    tracking_number TEXT    NOT NULL,
    -- 'delivered', 'undelivered' or 'in_transit'.
    status          TEXT    NOT NULL,
    dossier_id      TEXT    NOT NULL,
    received_at     BIGINT NOT NULL,
    CONSTRAINT pk_postal_carrier_events PRIMARY KEY (carrier, event_id)
);
CREATE INDEX ix_postal_carrier_events_dossier ON postal_carrier_events (dossier_id, received_at);
