//! In-app notifications of officers (reminders, escalations, daily digests), written by the
//! outbox consumer that delivers them and read by their recipient only.

use crate::{Db, StoreError, params};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Notification {
    pub id: String,
    pub kind: String,
    pub dossier_id: Option<String>,
    /// What the page shows (code, step, due time, counts): JSON written by the worker.
    pub payload: serde_json::Value,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// Notifies `users` of outbox row `source_id`; a user already notified of it is skipped, so
/// a row handled twice (a lease lost mid-delivery) notifies once. Returns how many were new.
pub fn notify(
    db: &mut Db,
    source_id: &str,
    users: &[String],
    kind: &str,
    dossier_id: Option<&str>,
    payload: &str,
    now: i64,
) -> Result<u64, StoreError> {
    let mut n = 0;
    for u in users {
        n += db.execute(
            "INSERT INTO notifications (id, user_id, source_id, kind, dossier_id, payload, created_at, read_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,NULL) ON CONFLICT (source_id, user_id) DO NOTHING",
            &params![super::new_id(), u, source_id, kind, dossier_id, payload, now],
        )?;
    }
    Ok(n)
}

/// The user's most recent notifications (at most `limit`) and how many are unread.
pub fn for_user(db: &mut Db, user_id: &str, limit: usize) -> Result<(Vec<Notification>, i64), StoreError> {
    let items = db
        .query(
            "SELECT id, kind, dossier_id, payload, created_at, read_at FROM notifications WHERE user_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2",
            &params![user_id, i64::try_from(limit).unwrap_or(i64::MAX)],
        )?
        .iter()
        .map(|r| {
            Ok(Notification {
                id: r.text(0)?,
                kind: r.text(1)?,
                dossier_id: r.opt_text(2)?,
                payload: serde_json::from_str(&r.text(3)?).unwrap_or(serde_json::Value::Null),
                created_at: r.i64(4)?,
                read_at: r.opt_i64(5)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let unread =
        db.query_one("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL", &params![user_id])?.i64(0)?;
    Ok((items, unread))
}

/// Marks the user's unread notifications read; returns how many.
pub fn mark_all_read(db: &mut Db, user_id: &str, now: i64) -> Result<u64, StoreError> {
    db.execute("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL", &params![now, user_id])
}

/// The active users holding `role` at the agency with `path`.
pub fn holders(db: &mut Db, path: &str, role: &str) -> Result<Vec<String>, StoreError> {
    db.query(
        "SELECT u.id FROM memberships m JOIN agencies a ON a.id = m.agency_id JOIN users u ON u.id = m.user_id \
         WHERE a.path = $1 AND m.role = $2 AND u.status = 'active' ORDER BY u.id",
        &params![path, role],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// The leaders of the nearest agency on `path` or above it that has any (the escalation
/// goes up until someone can act).
pub fn nearest_leaders(db: &mut Db, path: &str) -> Result<Vec<String>, StoreError> {
    let rows = db.query(
        "SELECT u.id, a.depth FROM memberships m JOIN agencies a ON a.id = m.agency_id JOIN users u ON u.id = m.user_id \
         WHERE m.role = 'leader' AND u.status = 'active' AND substr($1, 1, length(a.path)) = a.path \
         ORDER BY a.depth DESC, u.id",
        &params![path],
    )?;
    let Some(first) = rows.first() else { return Ok(Vec::new()) };
    let depth = first.i64(1)?;
    rows.iter().filter(|r| r.i64(1).ok() == Some(depth)).map(|r| r.text(0)).collect()
}
