-- OpenID Connect sign-in (issue #15: VNeID for citizens, a provincial SSO for officers).
-- An account linked to a provider's subject; the issuer is part of the key, so two
-- providers' subjects never collide.
CREATE TABLE user_identities (
    issuer     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    user_id    TEXT    NOT NULL CONSTRAINT fk_user_identities_user REFERENCES users(id),
    kind       TEXT    NOT NULL CONSTRAINT ck_user_identities_kind CHECK (kind IN ('citizen','officer')),
    created_at INTEGER NOT NULL,
    CONSTRAINT pk_user_identities PRIMARY KEY (issuer, subject)
);
CREATE INDEX ix_user_identities_user ON user_identities (user_id);

-- Authorization requests in flight: state (hashed), nonce and PKCE verifier, bound to the
-- browser by a cookie secret (hashed). Single use: `used_at` is set by the callback, and a
-- second callback with the same state is refused as a replay until the row expires.
CREATE TABLE oidc_requests (
    state_hash   TEXT    NOT NULL CONSTRAINT pk_oidc_requests PRIMARY KEY,
    browser_hash TEXT    NOT NULL,
    kind         TEXT    NOT NULL CONSTRAINT ck_oidc_requests_kind CHECK (kind IN ('citizen','officer')),
    nonce        TEXT    NOT NULL,
    verifier     TEXT    NOT NULL,
    next_url     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX ix_oidc_requests_expires ON oidc_requests (expires_at);

-- How a session was opened: NULL = password, 'vneid' or 'officer_sso'; the ID token is kept
-- for the provider's logout (`id_token_hint`).
ALTER TABLE sessions ADD COLUMN auth_method TEXT;
ALTER TABLE sessions ADD COLUMN id_token TEXT;
