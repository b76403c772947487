-- Bearer tokens: when each was last used (shown in the list, written at most once a
-- minute per token), and an index to list and revoke a user's tokens.
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
CREATE INDEX ix_api_tokens_user ON api_tokens (user_id);
