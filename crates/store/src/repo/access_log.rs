//! The access log: who read personal data, logged in or took a token (issue #12 item 14).
//! Rows are appended in batches and purged after the retention period.

use super::{new_id, push_scope};
use crate::{Db, Row, SqlBuilder, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: String,
    pub at_ms: i64,
    pub user_id: Option<String>,
    pub username: Option<String>,
    /// `login`, `login_failed`, `token_issued`, `register_read`, `dossier_read`, `file_read`.
    pub action: String,
    pub dossier_id: Option<String>,
    /// The agency the access concerns (the dossier's receiving agency, the official's
    /// agency), so a commune administrator reads only its own.
    pub agency_path: Option<String>,
    pub address: Option<String>,
    pub detail: Option<String>,
}

impl AccessEntry {
    pub fn new(at_ms: i64, action: &str) -> Self {
        Self {
            id: new_id(),
            at_ms,
            user_id: None,
            username: None,
            action: action.to_string(),
            dossier_id: None,
            agency_path: None,
            address: None,
            detail: None,
        }
    }
}

/// Appends a batch (the caller's transaction).
pub fn append(db: &mut Db, batch: &[AccessEntry]) -> Result<(), StoreError> {
    for e in batch {
        db.execute(
            "INSERT INTO access_log (id, at_ms, user_id, username, action, dossier_id, agency_path, address, detail) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            &params![
                &e.id,
                e.at_ms,
                e.user_id.clone(),
                e.username.clone(),
                &e.action,
                e.dossier_id.clone(),
                e.agency_path.clone(),
                e.address.clone(),
                e.detail.clone()
            ],
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AccessFilter {
    /// Subtrees the reader may see; `None` = everything.
    pub scope: Option<Vec<String>>,
    /// A user id or a username.
    pub user: Option<String>,
    pub dossier_id: Option<String>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    /// Entries strictly older than this (paging backwards from the newest).
    pub before_ms: Option<i64>,
    pub limit: i64,
}

const COLUMNS: &str = "id, at_ms, user_id, username, action, dossier_id, agency_path, address, detail";

fn map(r: &Row) -> Result<AccessEntry, StoreError> {
    Ok(AccessEntry {
        id: r.text(0)?,
        at_ms: r.i64(1)?,
        user_id: r.opt_text(2)?,
        username: r.opt_text(3)?,
        action: r.text(4)?,
        dossier_id: r.opt_text(5)?,
        agency_path: r.opt_text(6)?,
        address: r.opt_text(7)?,
        detail: r.opt_text(8)?,
    })
}

/// Newest first, scoped inside the SQL, at most 500.
pub fn list(db: &mut Db, f: &AccessFilter) -> Result<Vec<AccessEntry>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM access_log WHERE 1 = 1"));
    if let Some(scope) = &f.scope {
        q.push(" AND ");
        push_scope(&mut q, "agency_path", scope);
    }
    if let Some(u) = &f.user {
        let (a, b) = (q.bind(u), q.bind(u));
        q.push(&format!(" AND (user_id = {a} OR username = {b})"));
    }
    if let Some(d) = &f.dossier_id {
        let ph = q.bind(d);
        q.push(&format!(" AND dossier_id = {ph}"));
    }
    for (col, op, v) in [("at_ms", ">=", f.from_ms), ("at_ms", "<", f.to_ms), ("at_ms", "<", f.before_ms)] {
        if let Some(v) = v {
            let ph = q.bind(v);
            q.push(&format!(" AND {col} {op} {ph}"));
        }
    }
    let lim = q.bind(f.limit.clamp(1, 500));
    q.push(&format!(" ORDER BY at_ms DESC, id DESC LIMIT {lim}"));
    db.query(&q.sql, &q.params)?.iter().map(map).collect()
}

/// Removes the entries older than `before_ms`; returns how many.
pub fn purge(db: &mut Db, before_ms: i64) -> Result<u64, StoreError> {
    db.execute("DELETE FROM access_log WHERE at_ms < $1", &params![before_ms])
}
