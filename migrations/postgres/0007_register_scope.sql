-- The register (form 07) reads the dossiers an agency received or is competent for, over a
-- period: the competent side needs its own range index beside ix_dossiers_receiving.
CREATE INDEX ix_dossiers_competent ON dossiers (competent_path, received_at);
