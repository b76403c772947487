//! The result templates of procedures (issue #13): versioned typst bodies, the latest in
//! force. Every function runs inside the caller's transaction.

use crate::{Db, Row, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultTemplate {
    pub procedure_code: String,
    pub version: i64,
    pub body: String,
    pub created_by: String,
    pub created_at: i64,
}

const COLUMNS: &str = "procedure_code, version, body, created_by, created_at";

fn row(r: &Row) -> Result<ResultTemplate, StoreError> {
    Ok(ResultTemplate {
        procedure_code: r.text(0)?,
        version: r.i64(1)?,
        body: r.text(2)?,
        created_by: r.text(3)?,
        created_at: r.i64(4)?,
    })
}

/// Adds the next version of the procedure's template; returns its number. Two saves at
/// once: the second fails on the primary key (the caller reports a conflict).
pub fn add(db: &mut Db, procedure_code: &str, body: &str, created_by: &str, at: i64) -> Result<i64, StoreError> {
    let version = db
        .query_one(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM result_templates WHERE procedure_code = $1",
            &params![procedure_code],
        )?
        .i64(0)?;
    db.execute(
        &format!("INSERT INTO result_templates ({COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
        &params![procedure_code, version, body, created_by, at],
    )?;
    Ok(version)
}

/// The template in force: the highest version.
pub fn latest(db: &mut Db, procedure_code: &str) -> Result<Option<ResultTemplate>, StoreError> {
    db.query_opt(
        &format!("SELECT {COLUMNS} FROM result_templates WHERE procedure_code = $1 ORDER BY version DESC LIMIT 1"),
        &params![procedure_code],
    )?
    .as_ref()
    .map(row)
    .transpose()
}

/// Most versions listed (newest first).
pub const MAX_LISTED: i64 = 50;

/// The versions of a procedure's template, newest first, without their bodies' use.
pub fn history(db: &mut Db, procedure_code: &str) -> Result<Vec<ResultTemplate>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM result_templates WHERE procedure_code = $1 ORDER BY version DESC LIMIT $2"),
        &params![procedure_code, MAX_LISTED],
    )?
    .iter()
    .map(row)
    .collect()
}
