//! Bulk loading of generated history (`motcua bench generate`): whole dossiers with their
//! hash-chained logs, projections and states, many per statement and many per transaction.
//! The encoding (JSON, hashes) is pure and runs on the caller's threads; only the inserts
//! run inside the transaction.

use super::dossiers::{PROJECTION_COLUMNS_LIST, chain_event_pub, encode_pub, projection_columns};
use crate::{Db, StoreError, Value, params};
use motcua_domain::audit::{GENESIS, compute_hash};
use motcua_domain::dossier::{Dossier, Recorded};

/// One dossier ready to insert: its projection row, its state JSON and its events' rows.
pub struct EncodedDossier {
    pub projection: Vec<Value>,
    pub state: String,
    pub events: Vec<[Value; 9]>,
}

/// Encodes a dossier and its whole log (in `seq` order from 1), chaining the hashes as
/// `dossiers::append_event` does, with the given event ids.
pub fn encode(d: &Dossier, log: &[Recorded], event_ids: Vec<String>) -> Result<EncodedDossier, StoreError> {
    let mut prev = GENESIS.to_string();
    let mut events = Vec::with_capacity(log.len());
    for (r, id) in log.iter().zip(event_ids) {
        let mut e = chain_event_pub(r, id, encode_pub(&r.event)?, prev);
        e.hash = compute_hash(&e);
        prev = e.hash.clone();
        events.push([
            r.dossier_id.clone().into(),
            r.seq.into(),
            e.id.into(),
            r.at.into(),
            r.actor_id.clone().into(),
            e.action.into(),
            e.payload.into(),
            e.prev_hash.into(),
            e.hash.into(),
        ]);
    }
    Ok(EncodedDossier { projection: projection_columns(d)?, state: encode_pub(d)?, events })
}

/// Rows per multi-row statement (PostgreSQL allows 65,535 parameters).
const PG_ROWS: usize = 400;

/// Inserts a batch of encoded dossiers. SQLite: one cached prepared statement per table,
/// row by row (cheap in-process); PostgreSQL: multi-row statements.
pub fn insert(db: &mut Db, batch: &[EncodedDossier]) -> Result<(), StoreError> {
    let ncols = PROJECTION_COLUMNS_LIST.split(',').count();
    match db {
        Db::Sqlite(..) => {
            let ph: Vec<String> = (1..=ncols).map(|i| format!("${i}")).collect();
            let proj = format!("INSERT INTO dossiers ({PROJECTION_COLUMNS_LIST}) VALUES ({})", ph.join(","));
            for d in batch {
                db.execute(&proj, &d.projection)?;
                db.execute(
                    "INSERT INTO dossier_states (id, state) VALUES ($1, $2)",
                    &params![d.projection[0].clone(), &d.state],
                )?;
                for e in &d.events {
                    db.execute(
                        "INSERT INTO dossier_events (dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                        e,
                    )?;
                }
            }
        }
        Db::Postgres(_) => {
            for chunk in batch.chunks(PG_ROWS) {
                let rows: Vec<&[Value]> = chunk.iter().map(|d| d.projection.as_slice()).collect();
                multi(db, &format!("INSERT INTO dossiers ({PROJECTION_COLUMNS_LIST}) VALUES "), ncols, &rows)?;
                let states: Vec<[Value; 2]> = chunk.iter().map(|d| [d.projection[0].clone(), d.state.clone().into()]).collect();
                let rows: Vec<&[Value]> = states.iter().map(|s| s.as_slice()).collect();
                multi(db, "INSERT INTO dossier_states (id, state) VALUES ", 2, &rows)?;
            }
            let events: Vec<&[Value]> = batch.iter().flat_map(|d| d.events.iter().map(|e| e.as_slice())).collect();
            for chunk in events.chunks(PG_ROWS) {
                multi(
                    db,
                    "INSERT INTO dossier_events (dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash) VALUES ",
                    9,
                    chunk,
                )?;
            }
        }
    }
    Ok(())
}

fn multi(db: &mut Db, head: &str, ncols: usize, rows: &[&[Value]]) -> Result<(), StoreError> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut sql = String::with_capacity(head.len() + rows.len() * ncols * 6);
    sql.push_str(head);
    let mut params = Vec::with_capacity(rows.len() * ncols);
    for (i, r) in rows.iter().enumerate() {
        sql.push_str(if i == 0 { "(" } else { ",(" });
        for j in 0..ncols {
            if j > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("${}", i * ncols + j + 1));
        }
        sql.push(')');
        params.extend(r.iter().cloned());
    }
    db.execute(&sql, &params)?;
    Ok(())
}

/// Every daily sequence: (agency code, day, last number).
pub fn sequences(db: &mut Db) -> Result<Vec<(String, String, i64)>, StoreError> {
    db.query("SELECT agency_code, day, last_number FROM dossier_sequences", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.i64(2)?)))
        .collect()
}

/// Sets a daily sequence to at least `last`.
pub fn raise_sequence(db: &mut Db, agency_code: &str, day: &str, last: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO dossier_sequences (agency_code, day, last_number) VALUES ($1, $2, $3) \
         ON CONFLICT (agency_code, day) DO UPDATE SET last_number = CASE WHEN dossier_sequences.last_number > $3 THEN dossier_sequences.last_number ELSE $3 END",
        &params![agency_code, day, last],
    )?;
    Ok(())
}

/// Sets a daily counter to `value` (the generator adds its totals once).
pub fn add_kpi(db: &mut Db, agency_id: &str, procedure: &str, day: &str, metric: &str, value: i64) -> Result<(), StoreError> {
    super::dossiers::bump(db, agency_id, procedure, day, metric, value)
}

/// How many dossiers there are.
pub fn dossier_count(db: &mut Db) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM dossiers", &[])?.i64(0)
}
