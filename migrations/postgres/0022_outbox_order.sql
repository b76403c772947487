-- Per-dossier order of the national-portal sync (issue #15): a dossier's `dvcqg.sync` rows
-- carry the seq of the event they announce, and a row is claimed only when no earlier row
-- of its dossier is undelivered (pending, leased, waiting for a retry or dead), so the
-- portal never learns a later status before an earlier one.
ALTER TABLE outbox ADD COLUMN seq BIGINT;
UPDATE outbox SET seq = CAST(CAST(payload AS JSONB)->>'seq' AS BIGINT) WHERE topic = 'dvcqg.sync' AND delivered_at IS NULL;
CREATE INDEX ix_outbox_dossier_order ON outbox (topic, dossier_id, seq) WHERE delivered_at IS NULL;
