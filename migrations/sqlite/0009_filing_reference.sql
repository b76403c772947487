-- The filing reference given at submission (issue #10 item 3): the applicant tracks an
-- online dossier by it until it is received and has its code.
ALTER TABLE dossiers ADD COLUMN filing_reference TEXT;
CREATE UNIQUE INDEX ux_dossiers_filing_reference ON dossiers (filing_reference);
