//! The applicant's data locker (table `locker_items`): results and certified copies kept
//! under the owner's id number. Every function runs inside the caller's transaction; every
//! read is scoped by the owner's id number in the query.

use crate::{Db, Row, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockerRecord {
    pub id: String,
    pub owner_id_number: String,
    /// `person` | `organisation`.
    pub owner_kind: String,
    /// `result` | `certified_copy`.
    pub kind: String,
    pub title: String,
    /// `ket-qua:<procedure code>` or `ban-sao:<component key>`.
    pub doc_type: String,
    pub source_dossier_id: Option<String>,
    pub source_component: Option<String>,
    pub source_document_id: Option<String>,
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    pub issued_at: i64,
    pub valid_until: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, owner_id_number, owner_kind, kind, title, doc_type, source_dossier_id, source_component, \
     source_document_id, sha256, size, mime, issued_at, valid_until, revoked_at, created_at";

/// Most items listed for one owner (the newest first).
pub const MAX_PER_OWNER: i64 = 200;

fn row(r: &Row) -> Result<LockerRecord, StoreError> {
    Ok(LockerRecord {
        id: r.text(0)?,
        owner_id_number: r.text(1)?,
        owner_kind: r.text(2)?,
        kind: r.text(3)?,
        title: r.text(4)?,
        doc_type: r.text(5)?,
        source_dossier_id: r.opt_text(6)?,
        source_component: r.opt_text(7)?,
        source_document_id: r.opt_text(8)?,
        sha256: r.text(9)?,
        size: r.i64(10)?,
        mime: r.text(11)?,
        issued_at: r.i64(12)?,
        valid_until: r.opt_i64(13)?,
        revoked_at: r.opt_i64(14)?,
        created_at: r.i64(15)?,
    })
}

/// Adds an item unless the same file of the same source is already the owner's; returns
/// whether it was added.
pub fn insert(db: &mut Db, it: &LockerRecord) -> Result<bool, StoreError> {
    let n = db.execute(
        &format!(
            "INSERT INTO locker_items ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) \
             ON CONFLICT (owner_id_number, source_dossier_id, source_component, sha256) DO NOTHING"
        ),
        &params![
            it.id.as_str(),
            it.owner_id_number.as_str(),
            it.owner_kind.as_str(),
            it.kind.as_str(),
            it.title.as_str(),
            it.doc_type.as_str(),
            it.source_dossier_id.clone(),
            it.source_component.clone(),
            it.source_document_id.clone(),
            it.sha256.as_str(),
            it.size,
            it.mime.as_str(),
            it.issued_at,
            it.valid_until,
            it.revoked_at,
            it.created_at
        ],
    )?;
    Ok(n > 0)
}

/// The owner's items, newest first, at most `MAX_PER_OWNER`.
pub fn list(db: &mut Db, owner_id_number: &str) -> Result<Vec<LockerRecord>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM locker_items WHERE owner_id_number = $1 ORDER BY issued_at DESC, id DESC LIMIT $2"),
        &params![owner_id_number, MAX_PER_OWNER],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The owner's items of the given types, newest first (at most `MAX_PER_OWNER`); usability is
/// the caller's to judge.
pub fn of_types(db: &mut Db, owner_id_number: &str, types: &[String]) -> Result<Vec<LockerRecord>, StoreError> {
    if types.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::SqlBuilder::new(&format!("SELECT {COLUMNS} FROM locker_items WHERE owner_id_number = "));
    let owner = q.bind(owner_id_number.to_string());
    q.push(&owner);
    q.push(" AND doc_type IN ").push_in(types);
    let limit = q.bind(MAX_PER_OWNER);
    q.push(&format!(" ORDER BY issued_at DESC, id DESC LIMIT {limit}"));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// One item by id, whoever owns it (the caller checks the owner and says why it refuses).
pub fn get(db: &mut Db, id: &str) -> Result<Option<LockerRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM locker_items WHERE id = $1"), &params![id])?.as_ref().map(row).transpose()
}

/// Marks an item revoked at `at` (the first revocation stands).
pub fn revoke(db: &mut Db, id: &str, at: i64) -> Result<bool, StoreError> {
    Ok(db.execute("UPDATE locker_items SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", &params![id, at])? > 0)
}
