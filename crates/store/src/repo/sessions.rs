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
}

pub fn insert(db: &mut Db, s: &SessionRecord, ip: Option<&str>, user_agent: Option<&str>) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        &params![&s.id_hash, &s.user_id, &s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, ip, user_agent],
    )?;
    Ok(())
}

pub fn get(db: &mut Db, id_hash: &str) -> Result<Option<SessionRecord>, StoreError> {
    let row = db.query_opt(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = $1",
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

/// A bearer token of a machine client: (user id, expiry) if it is live.
pub fn token_user(db: &mut Db, token_hash: &str, now_ms: i64) -> Result<Option<String>, StoreError> {
    db.query_opt(
        "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        &params![token_hash, now_ms],
    )?
    .map(|r| r.text(0))
    .transpose()
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
