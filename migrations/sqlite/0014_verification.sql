-- The public verification page (issue #13) finds a document by its id (the QR code), by the
-- number printed on it, or by the SHA-256 of an uploaded copy: both lookups use an index, so
-- an anonymous visitor never makes the database scan every document.
-- (Numbered 0017 on main: 0013–0016 belong to the other parts of issue #13.)
CREATE INDEX ix_documents_number ON documents (number);
CREATE INDEX ix_documents_sha256 ON documents (sha256);
