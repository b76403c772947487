-- A finished dossier's state is not stored (issue #14: ~5 KB of JSON per dossier of
-- history, a third of the database): reads replay its event log, which is the source of
-- truth anyway (`motcua rebuild` derives every state from it). Only unfinished dossiers,
-- which commands change and inboxes list, keep their state here.
DELETE FROM dossier_states WHERE id IN (SELECT id FROM dossiers WHERE finished_at IS NOT NULL);
