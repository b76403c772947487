//! The administrative audit log: append-only, hash-chained, written in the same
//! transaction as the change it records.

use super::{new_id, push_scope};
use crate::{Db, Row, SqlBuilder, StoreError, params};
use motcua_domain::audit::{AuditEvent, BrokenChain, ChainVerifier, GENESIS, compute_hash};

/// The chain of administrative changes (agencies, users, catalog, calendar).
pub const ADMIN_CHAIN: &str = "admin";

#[derive(Debug, Clone)]
pub struct NewAudit<'a> {
    pub chain: &'a str,
    pub at_ms: i64,
    pub actor_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_kind: &'a str,
    pub entity_id: &'a str,
    /// Agency the change concerns, so scoped officials can read it.
    pub agency_path: Option<&'a str>,
    pub payload: serde_json::Value,
}

/// Appends one event. The head row is updated first: on PostgreSQL that row lock puts
/// concurrent writers of one chain in order; SQLite has one writer anyway.
pub fn append(db: &mut Db, n: NewAudit<'_>) -> Result<AuditEvent, StoreError> {
    let head = db.query_one(
        "INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 0, $2) \
         ON CONFLICT (chain) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash",
        &params![n.chain, GENESIS],
    )?;
    let (prev_seq, prev_hash) = (head.i64(0)?, head.text(1)?);
    let mut e = AuditEvent {
        id: new_id(),
        chain: n.chain.to_string(),
        seq: prev_seq + 1,
        at_ms: n.at_ms,
        actor_id: n.actor_id.map(str::to_string),
        action: n.action.to_string(),
        entity_kind: n.entity_kind.to_string(),
        entity_id: n.entity_id.to_string(),
        payload: n.payload.to_string(),
        prev_hash,
        hash: String::new(),
    };
    e.hash = compute_hash(&e);
    db.execute(
        "INSERT INTO audit_events (id, chain, seq, at_ms, actor_id, action, entity_kind, entity_id, agency_path, payload, prev_hash, hash) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
        &params![
            &e.id,
            &e.chain,
            e.seq,
            e.at_ms,
            e.actor_id.clone(),
            &e.action,
            &e.entity_kind,
            &e.entity_id,
            n.agency_path,
            &e.payload,
            &e.prev_hash,
            &e.hash
        ],
    )?;
    db.execute("UPDATE audit_heads SET seq = $2, hash = $3 WHERE chain = $1", &params![&e.chain, e.seq, &e.hash])?;
    Ok(e)
}

const COLUMNS: &str = "id, chain, seq, at_ms, actor_id, action, entity_kind, entity_id, payload, prev_hash, hash";

fn map(r: &Row) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        id: r.text(0)?,
        chain: r.text(1)?,
        seq: r.i64(2)?,
        at_ms: r.i64(3)?,
        actor_id: r.opt_text(4)?,
        action: r.text(5)?,
        entity_kind: r.text(6)?,
        entity_id: r.text(7)?,
        payload: r.text(8)?,
        prev_hash: r.text(9)?,
        hash: r.text(10)?,
    })
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Subtrees the reader may see; `None` = everything.
    pub scope: Option<Vec<String>>,
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    pub limit: i64,
    /// Events with seq below this (paging backwards from the newest).
    pub before_seq: Option<i64>,
}

pub fn list(db: &mut Db, f: &AuditFilter) -> Result<Vec<AuditEvent>, StoreError> {
    let mut q = SqlBuilder::new(&format!("SELECT {COLUMNS} FROM audit_events WHERE chain = 'admin'"));
    if let Some(scope) = &f.scope {
        q.push(" AND ");
        push_scope(&mut q, "agency_path", scope);
    }
    if let Some(k) = &f.entity_kind {
        let ph = q.bind(k);
        q.push(&format!(" AND entity_kind = {ph}"));
    }
    if let Some(id) = &f.entity_id {
        let ph = q.bind(id);
        q.push(&format!(" AND entity_id = {ph}"));
    }
    if let Some(s) = f.before_seq {
        let ph = q.bind(s);
        q.push(&format!(" AND seq < {ph}"));
    }
    let lim = q.bind(f.limit.clamp(1, 500));
    q.push(&format!(" ORDER BY seq DESC LIMIT {lim}"));
    db.query(&q.sql, &q.params)?.iter().map(map).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub chain: String,
    pub events: i64,
}

/// Walks every chain from its first event and reports the first broken one.
pub fn verify_all(db: &mut Db) -> Result<Result<Vec<ChainSummary>, BrokenChain>, StoreError> {
    let mut chains: Vec<String> = db
        .query("SELECT chain FROM audit_heads UNION SELECT DISTINCT chain FROM audit_events ORDER BY 1", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    chains.dedup();
    let mut out = Vec::new();
    for chain in chains {
        let head = db
            .query_opt("SELECT seq, hash FROM audit_heads WHERE chain = $1", &params![&chain])?
            .map(|r| Ok::<_, StoreError>((r.i64(0)?, r.text(1)?)))
            .transpose()?;
        let mut v = ChainVerifier::new(&chain);
        let mut after = 0_i64;
        loop {
            let page = db.query(
                &format!("SELECT {COLUMNS} FROM audit_events WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT 1000"),
                &params![&chain, after],
            )?;
            if page.is_empty() {
                break;
            }
            for r in &page {
                let e = map(r)?;
                after = e.seq;
                if let Err(b) = v.push(&e) {
                    return Ok(Err(b));
                }
            }
        }
        match v.finish(head) {
            Ok(events) => out.push(ChainSummary { chain, events }),
            Err(b) => return Ok(Err(b)),
        }
    }
    Ok(Ok(out))
}
