//! Bulk loading of generated history (`motcua bench generate`): whole dossiers with their
//! hash-chained logs, projections and states, many per statement and many per transaction.
//! The encoding (JSON, hashes) is pure and runs on the caller's threads; only the inserts
//! run inside the transaction.

use super::dossiers::{PROJECTION_COLUMNS_LIST, chain_as, projection_columns, stored_state};
use crate::{Db, StoreError, Value, params};
use motcua_domain::audit::GENESIS;
use motcua_domain::dossier::{Dossier, Recorded};

/// One dossier ready to insert: its projection row, its state JSON (unfinished dossiers
/// only, as `dossiers::insert` stores it) and its events' rows.
pub struct EncodedDossier {
    pub projection: Vec<Value>,
    pub state: Option<String>,
    pub events: Vec<[Value; 9]>,
}

/// Encodes a dossier and its whole log (in `seq` order from 1), chaining the hashes as
/// `dossiers::append_event` does, with the given event ids.
pub fn encode(d: &Dossier, log: &[Recorded], event_ids: Vec<String>) -> Result<EncodedDossier, StoreError> {
    let mut prev = GENESIS.to_string();
    let mut events = Vec::with_capacity(log.len());
    for (r, id) in log.iter().zip(event_ids) {
        let e = chain_as(r, id, &prev)?;
        prev = e.hash;
        events.push(e.row);
    }
    Ok(EncodedDossier { projection: projection_columns(d)?, state: stored_state(d)?, events })
}

/// Rows per multi-row statement (PostgreSQL allows 65,535 parameters, SQLite 32,766).
const ROWS: usize = 400;

const EVENT_INSERT: &str =
    "INSERT INTO dossier_events (dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash) VALUES ";
const EVENT_COPY: &str = "COPY dossier_events (dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash) FROM STDIN";

/// Inserts a batch of encoded dossiers: multi-row statements on SQLite (one cached prepared
/// statement per table and row count), `COPY … FROM STDIN` on PostgreSQL.
pub fn insert(db: &mut Db, batch: &[EncodedDossier]) -> Result<(), StoreError> {
    let ncols = PROJECTION_COLUMNS_LIST.split(',').count();
    match db {
        Db::Sqlite(..) => {
            for chunk in batch.chunks(ROWS) {
                let rows: Vec<&[Value]> = chunk.iter().map(|d| d.projection.as_slice()).collect();
                multi(db, &format!("INSERT INTO dossiers ({PROJECTION_COLUMNS_LIST}) VALUES "), ncols, &rows)?;
                let states: Vec<[Value; 2]> =
                    chunk.iter().filter_map(|d| d.state.as_ref().map(|s| [d.projection[0].clone(), s.as_str().into()])).collect();
                let rows: Vec<&[Value]> = states.iter().map(|s| s.as_slice()).collect();
                multi(db, "INSERT INTO dossier_states (id, state) VALUES ", 2, &rows)?;
            }
            let events: Vec<&[Value]> = batch.iter().flat_map(|d| d.events.iter().map(|e| e.as_slice())).collect();
            for chunk in events.chunks(ROWS) {
                multi(db, EVENT_INSERT, 9, chunk)?;
            }
        }
        Db::Postgres(t) => {
            let mut buf = Vec::with_capacity(batch.len() * 1024);
            for d in batch {
                copy_row(&mut buf, &d.projection);
            }
            t.copy_in(&format!("COPY dossiers ({PROJECTION_COLUMNS_LIST}) FROM STDIN"), &buf)?;
            buf.clear();
            for d in batch {
                if let Some(state) = &d.state {
                    copy_row(&mut buf, &[d.projection[0].clone(), state.as_str().into()]);
                }
            }
            t.copy_in("COPY dossier_states (id, state) FROM STDIN", &buf)?;
            buf.clear();
            for e in batch.iter().flat_map(|d| d.events.iter()) {
                copy_row(&mut buf, e);
            }
            t.copy_in(EVENT_COPY, &buf)?;
        }
    }
    Ok(())
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(buf: &mut Vec<u8>, row: &[Value]) {
    use std::io::Write;
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        match v {
            Value::Null => buf.extend_from_slice(b"\\N"),
            Value::Int(x) => {
                let _ = write!(buf, "{x}");
            }
            Value::Real(x) => {
                let _ = write!(buf, "{x:?}");
            }
            Value::Text(s) => copy_text(buf, s.as_bytes()),
            Value::Blob(b) => {
                buf.extend_from_slice(b"\\\\x");
                for byte in b {
                    let _ = write!(buf, "{byte:02x}");
                }
            }
        }
    }
    buf.push(b'\n');
}

fn copy_text(buf: &mut Vec<u8>, s: &[u8]) {
    for &c in s {
        match c {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => buf.push(c),
        }
    }
}

/// The tables a bulk load fills.
const LOADED: &[&str] = &["dossiers", "dossier_states", "dossier_events"];

/// A table derived from the loaded ones, kept by triggers on them in normal operation, and
/// refilled from the data by one statement per backend after a bulk load (which drops those
/// triggers). Every table kept by a trigger on a loaded table belongs in [`DERIVED`].
pub struct Derived {
    pub table: &'static str,
    pub sqlite: Option<&'static str>,
    pub postgres: Option<&'static str>,
}

/// The derived tables, refilled in this order after a bulk load.
pub const DERIVED: &[Derived] = &[
    // The rows a write group noted for the text index (SQLite, 0020): the rebuild below indexes
    // every row, so none is pending.
    Derived { table: "dossier_search_pending", sqlite: Some("DELETE FROM dossier_search_pending"), postgres: None },
    // FTS5 trigrams over `dossiers.search_text` (external content). On PostgreSQL the trigram
    // index is a GIN index, rebuilt with the other indexes.
    Derived {
        table: "dossier_search",
        sqlite: Some("INSERT INTO dossier_search (dossier_search) VALUES ('rebuild')"),
        postgres: None,
    },
    // The inbox's held-dossier counters (migration 0018), as that migration fills them.
    Derived {
        table: "inbox_counts",
        sqlite: Some(
            "DELETE FROM inbox_counts; INSERT INTO inbox_counts \
             SELECT current_path, COALESCE(current_step_role, ''), status, procedure_code, channel, \
             (COALESCE(due_at, check_due_at, 9007199254740991) + 25200000) / 86400000, \
             COALESCE((check_due_at + 25200000) / 86400000, 0), 0, COUNT(*) \
             FROM dossiers WHERE finished_at IS NULL AND status <> 'draft' GROUP BY 1, 2, 3, 4, 5, 6, 7",
        ),
        postgres: Some(
            "DELETE FROM inbox_counts; INSERT INTO inbox_counts \
             SELECT current_path, COALESCE(current_step_role, ''), status, procedure_code, channel, \
             (COALESCE(due_at, check_due_at, 9007199254740991) + 25200000) / 86400000, \
             COALESCE((check_due_at + 25200000) / 86400000, 0), abs(hashtext(id) % 8), COUNT(*) \
             FROM dossiers WHERE finished_at IS NULL AND status <> 'draft' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8",
        ),
    },
];

/// What [`suspend`] took away: the definitions to run again.
pub struct Suspended {
    ddl: Vec<String>,
}

/// Before a bulk load into a fresh database: drops the secondary indexes and the triggers
/// (SQLite) of the loaded tables, or disables their user triggers (PostgreSQL), so that
/// each is built once at the end by [`restore`] instead of row by row. Primary keys and
/// unique constraints stay. If the load is interrupted the database lacks them: generate
/// again into a fresh one.
pub fn suspend(db: &mut Db) -> Result<Suspended, StoreError> {
    let tables = LOADED.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(",");
    let mut ddl = Vec::new();
    match db.backend() {
        crate::Backend::Sqlite => {
            // A large page cache while loading; the previous value comes back with the rest.
            // Checkpoints stay with the store's checkpointer: `PRAGMA wal_autocheckpoint`
            // would replace its WAL hook, for good once restored.
            let v = db.query_one("PRAGMA cache_size", &[])?.i64(0)?;
            ddl.push(format!("PRAGMA cache_size = {v}"));
            db.batch("PRAGMA cache_size = -262144")?;
            let rows = db.query(
                &format!(
                    "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL \
                     AND tbl_name IN ({tables}) ORDER BY type, name"
                ),
                &[],
            )?;
            for r in rows {
                let (kind, name) = (r.text(0)?, r.text(1)?);
                db.batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
                ddl.push(r.text(2)?);
            }
        }
        crate::Backend::Postgres => {
            let rows = db.query(
                &format!(
                    "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
                     AND tablename IN ({tables}) AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY 1"
                ),
                &[],
            )?;
            for r in rows {
                db.batch(&format!("DROP INDEX \"{}\"", r.text(0)?))?;
                ddl.push(r.text(1)?);
            }
            for t in LOADED {
                db.batch(&format!("ALTER TABLE {t} DISABLE TRIGGER USER"))?;
                ddl.push(format!("ALTER TABLE {t} ENABLE TRIGGER USER"));
            }
        }
    }
    Ok(Suspended { ddl })
}

/// After a bulk load: creates the indexes and triggers again, refills every [`DERIVED`]
/// table from the data, and (PostgreSQL) analyzes the loaded tables.
pub fn restore(db: &mut Db, s: &Suspended) -> Result<(), StoreError> {
    for sql in &s.ddl {
        db.batch(sql)?;
    }
    refill_derived(db)?;
    if db.backend() == crate::Backend::Postgres {
        db.batch(&format!("ANALYZE {}", LOADED.join(", ")))?;
    }
    Ok(())
}

/// Refills every derived table from the loaded ones.
pub fn refill_derived(db: &mut Db) -> Result<(), StoreError> {
    for d in DERIVED {
        let sql = match db.backend() {
            crate::Backend::Sqlite => d.sqlite,
            crate::Backend::Postgres => d.postgres,
        };
        if let Some(sql) = sql {
            db.batch(sql)?;
        }
    }
    Ok(())
}

fn multi(db: &mut Db, head: &str, ncols: usize, rows: &[&[Value]]) -> Result<(), StoreError> {
    multi_tail(db, head, ncols, rows, "")
}

/// `head` followed by one `(…)` of placeholders per row, then `tail`.
fn multi_tail(db: &mut Db, head: &str, ncols: usize, rows: &[&[Value]], tail: &str) -> Result<(), StoreError> {
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
    sql.push_str(tail);
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

/// One daily counter's addition: (agency id, procedure code, day, metric, value).
pub type KpiAdd<'a> = (&'a str, &'a str, &'a str, &'a str, i64);

/// Adds to daily counters (the generator adds its totals once), many per statement. The
/// keys must be distinct.
pub fn add_kpis(db: &mut Db, rows: &[KpiAdd<'_>]) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS) {
        let vals: Vec<[Value; 5]> =
            chunk.iter().map(|(a, p, d, m, v)| [(*a).into(), (*p).into(), (*d).into(), (*m).into(), (*v).into()]).collect();
        let rows: Vec<&[Value]> = vals.iter().map(|r| r.as_slice()).collect();
        multi_tail(
            db,
            "INSERT INTO kpi_daily (agency_id, procedure_code, day, metric, value) VALUES ",
            5,
            &rows,
            " ON CONFLICT (agency_id, procedure_code, day, metric) DO UPDATE SET value = kpi_daily.value + excluded.value",
        )?;
    }
    // The monthly sums, summed here first (one row per month instead of per day).
    let mut monthly: std::collections::BTreeMap<(&str, &str, &str, &str), i64> = std::collections::BTreeMap::new();
    for (a, p, d, m, v) in rows {
        *monthly.entry((a, p, &d[..d.len().min(7)], m)).or_default() += v;
    }
    let monthly: Vec<_> = monthly.into_iter().collect();
    for chunk in monthly.chunks(ROWS) {
        let vals: Vec<[Value; 5]> =
            chunk.iter().map(|((a, p, d, m), v)| [(*a).into(), (*p).into(), (*d).into(), (*m).into(), (*v).into()]).collect();
        let rows: Vec<&[Value]> = vals.iter().map(|r| r.as_slice()).collect();
        multi_tail(
            db,
            "INSERT INTO kpi_monthly (agency_id, procedure_code, month, metric, value) VALUES ",
            5,
            &rows,
            " ON CONFLICT (agency_id, month, metric, procedure_code) DO UPDATE SET value = kpi_monthly.value + excluded.value",
        )?;
    }
    Ok(())
}

/// How many dossiers there are.
pub fn dossier_count(db: &mut Db) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM dossiers", &[])?.i64(0)
}

/// The lowest and highest dossier ids (time-ordered UUIDs), for drawing a sample.
pub fn id_range(db: &mut Db) -> Result<Option<(String, String)>, StoreError> {
    let r = db.query_one("SELECT MIN(id), MAX(id) FROM dossiers", &[])?;
    Ok(r.opt_text(0)?.zip(r.opt_text(1)?))
}

/// A drawn dossier: (id, code, tracking check digits "id|phone").
pub type Drawn = (String, Option<String>, Option<String>);

/// The first dossier at or after `id`.
pub fn dossier_from(db: &mut Db, id: &str) -> Result<Option<Drawn>, StoreError> {
    db.query_opt("SELECT id, code, applicant_check FROM dossiers WHERE id >= $1 ORDER BY id LIMIT 1", &params![id])?
        .map(|r| Ok((r.text(0)?, r.opt_text(1)?, r.opt_text(2)?)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_what_copy_text_format_reads_specially() {
        let mut buf = Vec::new();
        copy_row(&mut buf, &[Value::Text("a\tb\\c\nd\re".into()), Value::Null, Value::Int(-7), Value::Blob(vec![0, 255])]);
        assert_eq!(String::from_utf8(buf).unwrap(), "a\\tb\\\\c\\nd\\re\t\\N\t-7\t\\\\x00ff\n");
    }
}
