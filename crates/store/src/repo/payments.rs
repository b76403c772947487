//! Online payment attempts, receipt number series and receipts, and the daily
//! reconciliation runs (issue #17, migration 0028).

use crate::{Db, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub txn_ref: String,
    pub dossier_id: String,
    pub amount: i64,
    /// `online_national` / `online_local`.
    pub method: String,
    /// `pending`, `paid`, `failed`, `refunded`.
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub settled_at: Option<i64>,
    pub gateway_txn_no: Option<String>,
    pub gateway_code: Option<String>,
    /// The gateway's `vnp_PayDate` (`yyyyMMddHHmmss`, Vietnam time).
    pub pay_date: Option<String>,
    pub refund_ref: Option<String>,
}

const COLUMNS: &str = "txn_ref, dossier_id, amount, method, status, created_at, created_by, settled_at, gateway_txn_no, gateway_code, pay_date, refund_ref";

fn row(r: &crate::Row) -> Result<Attempt, StoreError> {
    Ok(Attempt {
        txn_ref: r.text(0)?,
        dossier_id: r.text(1)?,
        amount: r.i64(2)?,
        method: r.text(3)?,
        status: r.text(4)?,
        created_at: r.i64(5)?,
        created_by: r.text(6)?,
        settled_at: r.opt_i64(7)?,
        gateway_txn_no: r.opt_text(8)?,
        gateway_code: r.opt_text(9)?,
        pay_date: r.opt_text(10)?,
        refund_ref: r.opt_text(11)?,
    })
}

pub fn insert_attempt(db: &mut Db, a: &Attempt) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO payment_attempts (txn_ref, dossier_id, amount, method, status, created_at, created_by) VALUES ($1,$2,$3,$4,'pending',$5,$6)",
        &params![&a.txn_ref, &a.dossier_id, a.amount, &a.method, a.created_at, &a.created_by],
    )?;
    Ok(())
}

pub fn get(db: &mut Db, txn_ref: &str) -> Result<Option<Attempt>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM payment_attempts WHERE txn_ref = $1"), &params![txn_ref])?
        .as_ref()
        .map(row)
        .transpose()
}

/// A dossier's attempts, newest first (a dossier has a handful).
pub fn for_dossier(db: &mut Db, dossier_id: &str) -> Result<Vec<Attempt>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM payment_attempts WHERE dossier_id = $1 ORDER BY created_at DESC, txn_ref DESC LIMIT 50"),
        &params![dossier_id],
    )?
    .iter()
    .map(row)
    .collect()
}

/// Records the verified result of a pending attempt; false when it was not pending any more
/// (another callback settled it first). A gateway transaction number recorded already is
/// `StoreError::Unique`.
#[allow(clippy::too_many_arguments)]
pub fn settle(
    db: &mut Db,
    txn_ref: &str,
    status: &str,
    txn_no: Option<&str>,
    code: &str,
    pay_date: Option<&str>,
    raw: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let n = db.execute(
        "UPDATE payment_attempts SET status = $2, gateway_txn_no = $3, gateway_code = $4, pay_date = $5, raw_callback = $6, settled_at = $7 \
         WHERE txn_ref = $1 AND status = 'pending'",
        &params![txn_ref, status, txn_no, code, pay_date, raw, now],
    )?;
    Ok(n == 1)
}

pub fn mark_refunded(db: &mut Db, txn_ref: &str, refund_ref: &str) -> Result<bool, StoreError> {
    let n = db.execute(
        "UPDATE payment_attempts SET status = 'refunded', refund_ref = $2 WHERE txn_ref = $1 AND status = 'paid'",
        &params![txn_ref, refund_ref],
    )?;
    Ok(n == 1)
}

/// Pending attempts started before `before`, oldest first.
pub fn pending_before(db: &mut Db, before: i64, limit: i64) -> Result<Vec<Attempt>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM payment_attempts WHERE status = 'pending' AND created_at < $1 ORDER BY created_at LIMIT $2"
        ),
        &params![before, limit],
    )?
    .iter()
    .map(row)
    .collect()
}

/// Paid attempts of dossiers now in one of `statuses` (refunds due).
pub fn paid_of_ended(db: &mut Db, statuses: &[&str], limit: i64) -> Result<Vec<Attempt>, StoreError> {
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::SqlBuilder::new(&format!(
        "SELECT {} FROM payment_attempts p JOIN dossiers d ON d.id = p.dossier_id WHERE p.status = 'paid' AND d.status IN ",
        COLUMNS.split(", ").map(|c| format!("p.{c}")).collect::<Vec<_>>().join(", ")
    ));
    q.push_in(&statuses.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let l = q.bind(limit);
    q.push(&format!(" ORDER BY p.settled_at LIMIT {l}"));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// Attempts the gateway reported paid on `yyyymmdd` (its `vnp_PayDate`), refunded ones too.
pub fn paid_on(db: &mut Db, yyyymmdd: &str, limit: i64) -> Result<Vec<Attempt>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM payment_attempts WHERE status IN ('paid','refunded') AND pay_date >= $1 AND pay_date < $2 ORDER BY txn_ref LIMIT $3"),
        &params![format!("{yyyymmdd}000000"), format!("{yyyymmdd}999999"), limit],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The next number of the unit's series for `year`, taken in the caller's transaction (a
/// rollback gives it back: no gap).
pub fn next_receipt_number(db: &mut Db, agency_id: &str, year: i64, symbol: &str) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO receipt_series (agency_id, year, symbol, last_no) VALUES ($1,$2,$3,1) \
         ON CONFLICT (agency_id, year) DO UPDATE SET last_no = receipt_series.last_no + 1 RETURNING last_no",
        &params![agency_id, year, symbol],
    )?
    .i64(0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: String,
    pub dossier_id: String,
    pub agency_id: String,
    pub year: i64,
    pub symbol: String,
    pub number: i64,
    pub amount: i64,
    pub method: String,
    pub txn_ref: Option<String>,
    pub gateway_txn_no: Option<String>,
    pub document_id: String,
    pub created_at: i64,
}

pub fn insert_receipt(db: &mut Db, r: &Receipt) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO receipts (id, dossier_id, agency_id, year, symbol, number, amount, method, txn_ref, gateway_txn_no, document_id, created_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
        &params![
            &r.id,
            &r.dossier_id,
            &r.agency_id,
            r.year,
            &r.symbol,
            r.number,
            r.amount,
            &r.method,
            r.txn_ref.clone(),
            r.gateway_txn_no.clone(),
            &r.document_id,
            r.created_at
        ],
    )?;
    Ok(())
}

pub fn receipts_for_dossier(db: &mut Db, dossier_id: &str) -> Result<Vec<Receipt>, StoreError> {
    db.query(
        "SELECT id, dossier_id, agency_id, year, symbol, number, amount, method, txn_ref, gateway_txn_no, document_id, created_at \
         FROM receipts WHERE dossier_id = $1 ORDER BY created_at LIMIT 50",
        &params![dossier_id],
    )?
    .iter()
    .map(|r| {
        Ok(Receipt {
            id: r.text(0)?,
            dossier_id: r.text(1)?,
            agency_id: r.text(2)?,
            year: r.i64(3)?,
            symbol: r.text(4)?,
            number: r.i64(5)?,
            amount: r.i64(6)?,
            method: r.text(7)?,
            txn_ref: r.opt_text(8)?,
            gateway_txn_no: r.opt_text(9)?,
            document_id: r.text(10)?,
            created_at: r.i64(11)?,
        })
    })
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub id: String,
    pub day: String,
    pub started_at: i64,
    pub started_by: Option<String>,
    pub settled: i64,
    pub recorded: i64,
    pub mismatches: i64,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// `missing_settlement`, `settlement_without_payment`, `amount_differs`.
    pub kind: String,
    pub txn_ref: String,
    pub dossier_id: Option<String>,
    pub recorded: Option<i64>,
    pub settled: Option<i64>,
}

pub fn insert_run(db: &mut Db, r: &Run, mismatches: &[Mismatch]) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO payment_reconciliations (id, day, started_at, started_by, settled, recorded, mismatches, error) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
        &params![&r.id, &r.day, r.started_at, r.started_by.clone(), r.settled, r.recorded, r.mismatches, r.error.clone()],
    )?;
    for (i, m) in mismatches.iter().enumerate() {
        db.execute(
            "INSERT INTO payment_mismatches (run_id, seq, kind, txn_ref, dossier_id, recorded, settled) VALUES ($1,$2,$3,$4,$5,$6,$7)",
            &params![&r.id, i as i64, &m.kind, &m.txn_ref, m.dossier_id.clone(), m.recorded, m.settled],
        )?;
    }
    Ok(())
}

const RUN_COLUMNS: &str = "id, day, started_at, started_by, settled, recorded, mismatches, error";

fn run_row(r: &crate::Row) -> Result<Run, StoreError> {
    Ok(Run {
        id: r.text(0)?,
        day: r.text(1)?,
        started_at: r.i64(2)?,
        started_by: r.opt_text(3)?,
        settled: r.i64(4)?,
        recorded: r.i64(5)?,
        mismatches: r.i64(6)?,
        error: r.opt_text(7)?,
    })
}

/// The latest runs, newest first.
pub fn runs(db: &mut Db, limit: i64) -> Result<Vec<Run>, StoreError> {
    db.query(
        &format!("SELECT {RUN_COLUMNS} FROM payment_reconciliations ORDER BY started_at DESC, id DESC LIMIT $1"),
        &params![limit],
    )?
    .iter()
    .map(run_row)
    .collect()
}

pub fn run(db: &mut Db, id: &str) -> Result<Option<Run>, StoreError> {
    db.query_opt(&format!("SELECT {RUN_COLUMNS} FROM payment_reconciliations WHERE id = $1"), &params![id])?
        .as_ref()
        .map(run_row)
        .transpose()
}

pub fn mismatches(db: &mut Db, run_id: &str, limit: i64) -> Result<Vec<Mismatch>, StoreError> {
    db.query(
        "SELECT kind, txn_ref, dossier_id, recorded, settled FROM payment_mismatches WHERE run_id = $1 ORDER BY seq LIMIT $2",
        &params![run_id, limit],
    )?
    .iter()
    .map(|r| {
        Ok(Mismatch {
            kind: r.text(0)?,
            txn_ref: r.text(1)?,
            dossier_id: r.opt_text(2)?,
            recorded: r.opt_i64(3)?,
            settled: r.opt_i64(4)?,
        })
    })
    .collect()
}
