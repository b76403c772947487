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
    /// The kind of access (`motcua_app::access::AccessKind`): `login`, `login_failed`,
    /// `token_issued`, `register_read`, `register_export`, `dossier_read`, `file_read`, `document_read`,
    /// `list_read`, `list_export`, `access_log_read`.
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
    /// A dossier code (the entries about the dossier with this code).
    pub dossier_code: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    /// Entries strictly older than this (paging backwards from the newest).
    pub before_ms: Option<i64>,
    /// Entries after this one in the order of the list (newest first): the exact cursor of
    /// the next page, which `before_ms` alone is not when entries share a millisecond.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

/// An entry with the code and receiving agency of its dossier, if it names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRow {
    pub entry: AccessEntry,
    pub dossier_code: Option<String>,
    pub dossier_path: Option<String>,
}

const COLUMNS: &str =
    "a.id, a.at_ms, a.user_id, a.username, a.action, a.dossier_id, a.agency_path, a.address, a.detail, d.code, d.receiving_path";

fn map(r: &Row) -> Result<AccessRow, StoreError> {
    Ok(AccessRow {
        entry: AccessEntry {
            id: r.text(0)?,
            at_ms: r.i64(1)?,
            user_id: r.opt_text(2)?,
            username: r.opt_text(3)?,
            action: r.text(4)?,
            dossier_id: r.opt_text(5)?,
            agency_path: r.opt_text(6)?,
            address: r.opt_text(7)?,
            detail: r.opt_text(8)?,
        },
        dossier_code: r.opt_text(9)?,
        dossier_path: r.opt_text(10)?,
    })
}

/// Newest first, scoped inside the SQL, at most 501 (a page of 500 and one more that tells
/// whether there is a next page).
pub fn list(db: &mut Db, f: &AccessFilter) -> Result<Vec<AccessRow>, StoreError> {
    let mut q =
        SqlBuilder::new(&format!("SELECT {COLUMNS} FROM access_log a LEFT JOIN dossiers d ON d.id = a.dossier_id WHERE 1 = 1"));
    if let Some(scope) = &f.scope {
        q.push(" AND ");
        push_scope(&mut q, "a.agency_path", scope);
    }
    if let Some(u) = &f.user {
        let (a, b) = (q.bind(u), q.bind(u));
        q.push(&format!(" AND (a.user_id = {a} OR a.username = {b})"));
    }
    if let Some(d) = &f.dossier_id {
        let ph = q.bind(d);
        q.push(&format!(" AND a.dossier_id = {ph}"));
    }
    if let Some(c) = &f.dossier_code {
        let ph = q.bind(c);
        q.push(&format!(" AND a.dossier_id = (SELECT id FROM dossiers WHERE code = {ph})"));
    }
    if let Some(k) = &f.action {
        let ph = q.bind(k);
        q.push(&format!(" AND a.action = {ph}"));
    }
    for (op, v) in [(">=", f.from_ms), ("<", f.to_ms), ("<", f.before_ms)] {
        if let Some(v) = v {
            let ph = q.bind(v);
            q.push(&format!(" AND a.at_ms {op} {ph}"));
        }
    }
    if let Some((at, id)) = &f.after {
        let (a, b, c) = (q.bind(*at), q.bind(*at), q.bind(id));
        q.push(&format!(" AND (a.at_ms < {a} OR (a.at_ms = {b} AND a.id < {c}))"));
    }
    let lim = q.bind(f.limit.clamp(1, 501));
    q.push(&format!(" ORDER BY a.at_ms DESC, a.id DESC LIMIT {lim}"));
    db.query(&q.sql, &q.params)?.iter().map(map).collect()
}

/// Removes the entries older than `before_ms`; returns how many.
pub fn purge(db: &mut Db, before_ms: i64) -> Result<u64, StoreError> {
    db.execute("DELETE FROM access_log WHERE at_ms < $1", &params![before_ms])
}
