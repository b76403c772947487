//! Browser sessions. The cookie carries a random token; only its SHA-256 is stored, so a
//! leaked database does not hand out live sessions.

use crate::{Db, StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub id_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// How the session was opened: None = password, `vneid`, `officer_sso`.
    pub auth_method: Option<String>,
    /// The provider's ID token of an OIDC session, for its logout (`id_token_hint`).
    pub id_token: Option<String>,
}

pub fn insert(db: &mut Db, s: &SessionRecord, ip: Option<&str>, user_agent: Option<&str>) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent, \
         auth_method, id_token) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
        &params![
            &s.id_hash,
            &s.user_id,
            &s.csrf_token,
            s.created_at,
            s.last_seen_at,
            s.expires_at,
            ip,
            user_agent,
            s.auth_method.clone(),
            s.id_token.clone()
        ],
    )?;
    Ok(())
}

pub fn get(db: &mut Db, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    let row = db.query_opt(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, auth_method, id_token \
         FROM sessions WHERE id_hash = $1",
        &params![id_hash],
    )?;
    row.map(|r| {
        Ok(SessionRecord {
            id_hash: r.text(0)?,
            user_id: r.text(1)?,
            csrf_token: r.text(2)?,
            created_at: r.i64(3)?,
            last_seen_at: r.i64(4)?,
            expires_at: r.i64(5)?,
            auth_method: r.opt_text(6)?,
            id_token: r.opt_text(7)?,
        })
    })
    .transpose()
}

/// Slides the idle expiry forward.
pub fn touch(db: &mut Db, id_hash: &str, now_ms: i64, expires_at: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id_hash = $1",
        &params![id_hash, now_ms, expires_at],
    )?;
    Ok(())
}

pub fn delete(db: &mut Db, id_hash: &str) -> Result<u64, StoreError> {
    db.execute("DELETE FROM sessions WHERE id_hash = $1", &params![id_hash])
}

pub fn delete_for_user(db: &mut Db, user_id: &str) -> Result<u64, StoreError> {
    db.execute("DELETE FROM sessions WHERE user_id = $1", &params![user_id])
}

pub fn delete_expired(db: &mut Db, now_ms: i64) -> Result<u64, StoreError> {
    db.execute("DELETE FROM sessions WHERE expires_at <= $1", &params![now_ms])
}

/// A live bearer token of a machine client: its user and when it was last used.
pub fn token_user(db: &mut Db, token_hash: &str, now_ms: i64) -> Result<Option<(String, Option<i64>)>, StoreError> {
    db.query_opt(
        "SELECT user_id, last_used_at FROM api_tokens \
         WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        &params![token_hash, now_ms],
    )?
    .map(|r| Ok((r.text(0)?, r.opt_i64(1)?)))
    .transpose()
}

pub fn touch_token(db: &mut Db, token_hash: &str, now_ms: i64) -> Result<(), StoreError> {
    db.execute("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1", &params![token_hash, now_ms])?;
    Ok(())
}

/// A bearer token as its owner sees it: never the secret, and as id only the first 16 hex
/// digits of its hash.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Length of a token's public id (a prefix of its hash).
pub const TOKEN_ID_LEN: usize = 16;

/// A user's tokens, newest first (at most `limit`).
pub fn list_tokens(db: &mut Db, user_id: &str, limit: i64) -> Result<Vec<TokenRecord>, StoreError> {
    db.query(
        "SELECT substr(token_hash, 1, 16), name, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC, token_hash LIMIT $2",
        &params![user_id, limit],
    )?
    .iter()
    .map(|r| {
        Ok(TokenRecord {
            id: r.text(0)?,
            name: r.text(1)?,
            created_at: r.i64(2)?,
            expires_at: r.opt_i64(3)?,
            last_used_at: r.opt_i64(4)?,
            revoked_at: r.opt_i64(5)?,
        })
    })
    .collect()
}

/// Revokes one of the user's tokens by id; the token's name if it was live, `None` if
/// there is no such live token of this user.
pub fn revoke_token(db: &mut Db, user_id: &str, id: &str, now_ms: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(
        "UPDATE api_tokens SET revoked_at = $3 \
         WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2 AND revoked_at IS NULL RETURNING name",
        &params![user_id, id, now_ms],
    )?
    .map(|r| r.text(0))
    .transpose()
}

/// Revokes every live token of a user (password changed or reset, account disabled).
pub fn revoke_tokens_for_user(db: &mut Db, user_id: &str, now_ms: i64) -> Result<u64, StoreError> {
    db.execute("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", &params![user_id, now_ms])
}

pub fn insert_token(
    db: &mut Db,
    token_hash: &str,
    user_id: &str,
    name: &str,
    now_ms: i64,
    expires_at: Option<i64>,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5,NULL)",
        &params![token_hash, user_id, name, now_ms, expires_at],
    )?;
    Ok(())
}
