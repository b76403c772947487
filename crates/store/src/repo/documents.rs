//! Documents issued for a dossier (the forms of TT 03/2025 as PDF): one row per document,
//! the bytes in the file store under `sha256`; and the yearly numbering of each agency's
//! documents per form. Every function runs inside the caller's transaction.

use crate::{Db, Row, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    pub id: String,
    pub dossier_id: String,
    pub event_seq: i64,
    /// "01" … "06".
    pub form: String,
    pub name: String,
    pub number: String,
    pub agency_id: String,
    pub sha256: String,
    pub size: i64,
    pub qr: String,
    pub created_at: i64,
    pub created_by: String,
}

const COLUMNS: &str = "id, dossier_id, event_seq, form, name, number, agency_id, sha256, size, qr, created_at, created_by";

fn row(r: &Row) -> Result<DocumentRecord, StoreError> {
    Ok(DocumentRecord {
        id: r.text(0)?,
        dossier_id: r.text(1)?,
        event_seq: r.i64(2)?,
        form: r.text(3)?,
        name: r.text(4)?,
        number: r.text(5)?,
        agency_id: r.text(6)?,
        sha256: r.text(7)?,
        size: r.i64(8)?,
        qr: r.text(9)?,
        created_at: r.i64(10)?,
        created_by: r.text(11)?,
    })
}

pub fn insert(db: &mut Db, d: &DocumentRecord) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO documents ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"),
        &params![
            d.id.as_str(),
            d.dossier_id.as_str(),
            d.event_seq,
            d.form.as_str(),
            d.name.as_str(),
            d.number.as_str(),
            d.agency_id.as_str(),
            d.sha256.as_str(),
            d.size,
            d.qr.as_str(),
            d.created_at,
            d.created_by.as_str()
        ],
    )?;
    Ok(())
}

/// Most documents listed for one dossier (a dossier gets a handful: one per form event).
pub const MAX_PER_DOSSIER: i64 = 200;

/// A dossier's documents, oldest first.
pub fn list(db: &mut Db, dossier_id: &str) -> Result<Vec<DocumentRecord>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM documents WHERE dossier_id = $1 ORDER BY created_at, event_seq, form LIMIT $2"),
        &params![dossier_id, MAX_PER_DOSSIER],
    )?
    .iter()
    .map(row)
    .collect()
}

pub fn get(db: &mut Db, dossier_id: &str, id: &str) -> Result<Option<DocumentRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM documents WHERE dossier_id = $1 AND id = $2"), &params![dossier_id, id])?
        .as_ref()
        .map(row)
        .transpose()
}

/// Draws the next number of `form` for the agency in `year` (1, 2, …).
pub fn next_number(db: &mut Db, agency_code: &str, year: i64, form: &str) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO document_sequences (agency_code, year, form, last_number) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (agency_code, year, form) DO UPDATE SET last_number = document_sequences.last_number + 1 \
         RETURNING last_number",
        &params![agency_code, year, form],
    )?
    .i64(0)
}

/// Most documents one public lookup returns (a number names one document, or the receipt
/// and the control slip of one dossier; a digest, the copies of one file).
pub const MAX_MATCHES: i64 = 10;

/// A document by its id alone (the QR code's link), for the public verification page.
pub fn find(db: &mut Db, id: &str) -> Result<Option<DocumentRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM documents WHERE id = $1"), &params![id])?.as_ref().map(row).transpose()
}

/// The documents whose printed number is one of `numbers` (as typed and in capitals),
/// oldest first, at most `MAX_MATCHES`.
pub fn by_number(db: &mut Db, numbers: &[&str; 2]) -> Result<Vec<DocumentRecord>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM documents WHERE number IN ($1, $2) ORDER BY created_at, form LIMIT $3"),
        &params![numbers[0], numbers[1], MAX_MATCHES],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The documents stored under `sha256` (an uploaded exact copy), oldest first.
pub fn by_sha256(db: &mut Db, sha256: &str) -> Result<Vec<DocumentRecord>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM documents WHERE sha256 = $1 ORDER BY created_at, form LIMIT $2"),
        &params![sha256, MAX_MATCHES],
    )?
    .iter()
    .map(row)
    .collect()
}
