-- Applicant notices (issue #17, docs/notifications.md). A citizen's choices: channels,
-- language, and whether to get the notices the law does not require (0/1 flags).
CREATE TABLE notification_preferences (
    user_id          TEXT    NOT NULL CONSTRAINT pk_notification_preferences PRIMARY KEY,
    email            INTEGER NOT NULL,
    sms              INTEGER NOT NULL,
    zalo             INTEGER NOT NULL,
    language         TEXT    NOT NULL,
    optional_notices INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

-- One row per notice, channel and recipient: written when the notice is fanned out (unique
-- on the source outbox row, so a row handled twice queues nothing twice), updated by the
-- send. A row already 'sent' is never sent again (at-least-once delivery, one message).
-- The recipient is kept masked; the address itself travels in the channel's outbox row.
CREATE TABLE notification_deliveries (
    id            TEXT    NOT NULL CONSTRAINT pk_notification_deliveries PRIMARY KEY,
    source_id     TEXT    NOT NULL,
    dossier_id    TEXT,
    event_seq     INTEGER,
    notice        TEXT    NOT NULL,
    channel       TEXT    NOT NULL,
    recipient_ref TEXT    NOT NULL,
    recipient     TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    attempts      INTEGER NOT NULL,
    error         TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    CONSTRAINT uq_notification_deliveries UNIQUE (source_id, channel, recipient_ref)
);
CREATE INDEX ix_notification_deliveries_dossier ON notification_deliveries (dossier_id, created_at);
