-- Ratings of a counter visit (issue #18, SIPAS): one per queue ticket (`subject_id` is the
-- `queue_tickets.id`; no foreign key, the queue keeps its own lifecycle), given by the
-- applicant on the counter's second screen or the kiosk, never by the officer. Dossier
-- ratings stay in the dossier log (`rated` event) and its counters. `agency_path` scopes
-- the summaries to a unit's subtree inside the SQL.
CREATE TABLE ratings (
    id              TEXT    NOT NULL CONSTRAINT pk_ratings PRIMARY KEY,
    subject_id      TEXT    NOT NULL,
    agency_id       TEXT    NOT NULL CONSTRAINT fk_ratings_agency REFERENCES agencies(id),
    agency_path     TEXT    NOT NULL,
    counter         TEXT,
    officer_id      TEXT,
    -- The overall like (1) or dislike (0) the index counts.
    satisfied       INTEGER NOT NULL,
    -- The five SIPAS dimensions, 1..5 each, NULL when not answered.
    score_access    INTEGER,
    score_procedure INTEGER,
    score_officer   INTEGER,
    score_result    INTEGER,
    score_feedback  INTEGER,
    -- A dislike or a dimension at 2 or less: routed to the unit's leader.
    low             INTEGER NOT NULL,
    comment         TEXT,
    rated_at        BIGINT  NOT NULL,
    CONSTRAINT uq_ratings_subject UNIQUE (subject_id),
    CONSTRAINT ck_ratings_scores CHECK (
        (score_access IS NULL OR score_access BETWEEN 1 AND 5) AND
        (score_procedure IS NULL OR score_procedure BETWEEN 1 AND 5) AND
        (score_officer IS NULL OR score_officer BETWEEN 1 AND 5) AND
        (score_result IS NULL OR score_result BETWEEN 1 AND 5) AND
        (score_feedback IS NULL OR score_feedback BETWEEN 1 AND 5))
);
CREATE INDEX ix_ratings_path ON ratings (agency_path, rated_at);
