//! OpenID Connect sign-in: authorization requests in flight and the accounts linked to a
//! provider's subjects.

use crate::{Db, StoreError, params};

/// One authorization request, from the redirect to the provider until its callback.
#[derive(Debug, Clone, PartialEq)]
pub struct OidcRequest {
    /// SHA-256 of the `state` parameter.
    pub state_hash: String,
    /// SHA-256 of the secret in the browser's cookie.
    pub browser_hash: String,
    pub kind: String,
    pub nonce: String,
    pub verifier: String,
    pub next_url: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores a request unless `max_pending` unexpired ones are already waiting (the bound on
/// a flood of unfinished sign-ins); expired rows are purged first.
pub fn insert_request(db: &mut Db, r: &OidcRequest, max_pending: i64) -> Result<bool, StoreError> {
    db.execute("DELETE FROM oidc_requests WHERE expires_at <= $1", &params![r.created_at])?;
    let pending = db.query_one("SELECT COUNT(*) FROM oidc_requests", &params![])?.i64(0)?;
    if pending >= max_pending {
        return Ok(false);
    }
    db.execute(
        "INSERT INTO oidc_requests (state_hash, browser_hash, kind, nonce, verifier, next_url, created_at, expires_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        &params![&r.state_hash, &r.browser_hash, &r.kind, &r.nonce, &r.verifier, &r.next_url, r.created_at, r.expires_at],
    )?;
    Ok(true)
}

/// What a callback's state found.
#[derive(Debug, Clone, PartialEq)]
pub enum Taken {
    /// First use: the request, now marked used.
    Fresh(OidcRequest),
    /// Already used by an earlier callback (a replayed authorization response).
    Used,
    Expired,
    Unknown,
    /// Started in another browser: refused and left unused, so whoever learnt a state
    /// cannot spoil the sign-in of the browser that owns it.
    Foreign,
}

/// Takes the request of `state_hash` for a callback of the browser whose cookie secret
/// hashes to `browser_hash` (compared in constant time), once.
pub fn take_request(db: &mut Db, state_hash: &str, browser_hash: &str, now_ms: i64) -> Result<Taken, StoreError> {
    let Some(r) = db.query_opt(
        "SELECT state_hash, browser_hash, kind, nonce, verifier, next_url, created_at, expires_at, used_at \
         FROM oidc_requests WHERE state_hash = $1",
        &params![state_hash],
    )?
    else {
        return Ok(Taken::Unknown);
    };
    if r.opt_i64(8)?.is_some() {
        return Ok(Taken::Used);
    }
    let req = OidcRequest {
        state_hash: r.text(0)?,
        browser_hash: r.text(1)?,
        kind: r.text(2)?,
        nonce: r.text(3)?,
        verifier: r.text(4)?,
        next_url: r.text(5)?,
        created_at: r.i64(6)?,
        expires_at: r.i64(7)?,
    };
    let same = req.browser_hash.len() == browser_hash.len()
        && req.browser_hash.bytes().zip(browser_hash.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if !same {
        return Ok(Taken::Foreign);
    }
    if req.expires_at <= now_ms {
        return Ok(Taken::Expired);
    }
    // The guard on `used_at` makes two concurrent callbacks with one state use it once.
    let n = db.execute(
        "UPDATE oidc_requests SET used_at = $2 WHERE state_hash = $1 AND used_at IS NULL",
        &params![state_hash, now_ms],
    )?;
    Ok(if n == 1 { Taken::Fresh(req) } else { Taken::Used })
}

/// The account linked to a provider's subject.
pub fn linked_user(db: &mut Db, issuer: &str, subject: &str) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT user_id FROM user_identities WHERE issuer = $1 AND subject = $2", &params![issuer, subject])?
        .map(|r| r.text(0))
        .transpose()
}

pub fn link(db: &mut Db, issuer: &str, subject: &str, user_id: &str, kind: &str, now_ms: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO user_identities (issuer, subject, user_id, kind, created_at) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (issuer, subject) DO NOTHING",
        &params![issuer, subject, user_id, kind, now_ms],
    )?;
    Ok(())
}

/// The account whose identity number (CCCD) is `citizen_id`.
pub fn user_by_citizen_id(db: &mut Db, citizen_id: &str) -> Result<Option<String>, StoreError> {
    db.query_opt("SELECT id FROM users WHERE citizen_id = $1", &params![citizen_id])?.map(|r| r.text(0)).transpose()
}
