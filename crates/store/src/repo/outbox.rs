//! The outbox as a work queue (issue #14): claiming with a lease, delivery, retries with
//! back-off, dead letters, and the figures operations watch. Rows are queued by
//! `dossiers::enqueue` (`enqueue_once` for rows with a dedup key, `enqueue_in_order` for the
//! topics delivered in order per dossier) in the transaction of the change they announce.
//!
//! Claiming: PostgreSQL picks the rows with `FOR UPDATE SKIP LOCKED`, so processes claiming
//! at once take disjoint rows; SQLite has one writer, so a claim is already exclusive. A
//! claim lasts until `lease_until`: a process that dies mid-lease loses its rows when the
//! lease expires and another process takes them over.

use crate::{Backend, Db, SqlBuilder, StoreError, params};

/// One claimed row.
#[derive(Debug, Clone)]
pub struct Message {
    pub id: String,
    pub topic: String,
    pub dossier_id: Option<String>,
    pub payload: String,
    pub created_at: i64,
    /// Failed attempts before this one.
    pub attempts: i64,
}

/// Topics delivered in order per dossier: a row is claimed only when every earlier row of
/// its dossier (by `seq`) is delivered, so at most one row per dossier is in flight and a
/// dead letter holds back the dossier's later rows until it is replayed.
pub const IN_DOSSIER_ORDER: &[&str] = &["dvcqg.sync"];

/// Claims up to `limit` rows of `topics` that are due (`next_attempt_at <= now`), not
/// delivered, not dead and not leased by a live claim (and, for `IN_DOSSIER_ORDER` topics,
/// the first undelivered row of their dossier); leases them to `worker` until
/// `lease_until`. Oldest due first.
pub fn claim(
    db: &mut Db,
    topics: &[&str],
    worker: &str,
    now: i64,
    lease_until: i64,
    limit: usize,
) -> Result<Vec<Message>, StoreError> {
    if topics.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new("UPDATE outbox SET claimed_by = ");
    let w = q.bind(worker);
    let l = q.bind(lease_until);
    q.push(&format!(
        "{w}, lease_until = {l} WHERE id IN (SELECT o.id FROM outbox o WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.topic IN "
    ));
    q.push_in(topics);
    if topics.iter().any(|t| IN_DOSSIER_ORDER.contains(t)) {
        // Not for the other topics of the batch: only rows of an ordered topic wait.
        q.push(" AND (o.topic NOT IN ");
        q.push_in(IN_DOSSIER_ORDER);
        q.push(
            " OR NOT EXISTS (SELECT 1 FROM outbox p WHERE p.topic = o.topic AND p.dossier_id = o.dossier_id \
             AND p.delivered_at IS NULL AND (p.seq < o.seq OR (p.seq = o.seq AND p.id < o.id))))",
        );
    }
    let n = q.bind(now);
    let n2 = q.bind(now);
    let lim = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(
        " AND next_attempt_at <= {n} AND (lease_until IS NULL OR lease_until < {n2}) ORDER BY next_attempt_at, created_at LIMIT {lim}"
    ));
    if db.backend() == Backend::Postgres {
        q.push(" FOR UPDATE SKIP LOCKED");
    }
    q.push(") RETURNING id, topic, dossier_id, payload, created_at, attempts");
    let mut out: Vec<Message> = db
        .query(&q.sql, &q.params)?
        .iter()
        .map(|r| {
            Ok(Message {
                id: r.text(0)?,
                topic: r.text(1)?,
                dossier_id: r.opt_text(2)?,
                payload: r.text(3)?,
                created_at: r.i64(4)?,
                attempts: r.i64(5)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    // RETURNING gives no order: handle the oldest first.
    out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    Ok(out)
}

/// Marks a claimed row delivered (`claimed_by` stays: who delivered it). False when the claim was lost (the lease expired and
/// another worker took the row): the caller's work is then another's to finish.
pub fn delivered(db: &mut Db, id: &str, worker: &str, now: i64) -> Result<bool, StoreError> {
    let n = db.execute(
        "UPDATE outbox SET delivered_at = $1, lease_until = NULL, last_error = NULL \
         WHERE id = $2 AND claimed_by = $3 AND delivered_at IS NULL",
        &params![now, id, worker],
    )?;
    Ok(n == 1)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Retried at the given instant.
    Retry(i64),
    /// Out of attempts: kept as a dead letter.
    Dead,
    /// The claim was lost meanwhile; nothing changed.
    Lost,
}

/// Records a failed attempt of a claimed row: retried at `retry_at`, or dead when this was
/// attempt number `max_attempts`.
pub fn failed(
    db: &mut Db,
    id: &str,
    worker: &str,
    now: i64,
    error: &str,
    retry_at: i64,
    max_attempts: i64,
) -> Result<Failed, StoreError> {
    let error: String = error.chars().take(1000).collect();
    let row = db.query_opt(
        "UPDATE outbox SET attempts = attempts + 1, claimed_by = NULL, lease_until = NULL, last_error = $1, \
         next_attempt_at = $2, dead_at = CASE WHEN attempts + 1 >= $3 THEN CAST($4 AS BIGINT) ELSE NULL END \
         WHERE id = $5 AND claimed_by = $6 AND delivered_at IS NULL RETURNING dead_at",
        &params![error, retry_at, max_attempts, now, id, worker],
    )?;
    Ok(match row {
        None => Failed::Lost,
        Some(r) if r.opt_i64(0)?.is_some() => Failed::Dead,
        Some(_) => Failed::Retry(retry_at),
    })
}

/// One dead letter, as the administrator sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeadLetter {
    pub id: String,
    pub topic: String,
    pub dossier_id: Option<String>,
    pub payload: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub dead_at: i64,
}

/// The dead letters, most recent first, at most `limit`.
pub fn dead_letters(db: &mut Db, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
    db.query(
        "SELECT id, topic, dossier_id, payload, attempts, last_error, created_at, dead_at FROM outbox \
         WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id LIMIT $1",
        &params![i64::try_from(limit).unwrap_or(i64::MAX)],
    )?
    .iter()
    .map(|r| {
        Ok(DeadLetter {
            id: r.text(0)?,
            topic: r.text(1)?,
            dossier_id: r.opt_text(2)?,
            payload: r.text(3)?,
            attempts: r.i64(4)?,
            last_error: r.opt_text(5)?,
            created_at: r.i64(6)?,
            dead_at: r.opt_i64(7)?.unwrap_or_default(),
        })
    })
    .collect()
}

/// Puts a dead letter back in the queue with fresh attempts; false when `id` is not dead.
pub fn retry_dead(db: &mut Db, id: &str, now: i64) -> Result<bool, StoreError> {
    let n = db.execute(
        "UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = $1, claimed_by = NULL, lease_until = NULL \
         WHERE id = $2 AND dead_at IS NOT NULL",
        &params![now, id],
    )?;
    Ok(n == 1)
}

/// The queue of one topic now.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TopicStats {
    pub topic: String,
    /// Not yet delivered (due or waiting for a retry), not dead.
    pub pending: i64,
    pub dead: i64,
    /// Age in ms of the oldest pending row (0 when none).
    pub lag_ms: i64,
}

/// Pending and dead rows per topic, and the age of the oldest pending one. Reads only the
/// undelivered rows (the partial indexes), never the delivered history.
pub fn stats(db: &mut Db, now: i64) -> Result<Vec<TopicStats>, StoreError> {
    let mut out: std::collections::BTreeMap<String, TopicStats> = Default::default();
    for r in db.query(
        "SELECT topic, COUNT(*), MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL GROUP BY topic",
        &[],
    )? {
        let topic = r.text(0)?;
        let e = out.entry(topic.clone()).or_insert_with(|| TopicStats { topic, ..Default::default() });
        e.pending = r.i64(1)?;
        e.lag_ms = (now - r.opt_i64(2)?.unwrap_or(now)).max(0);
    }
    for r in db.query("SELECT topic, COUNT(*) FROM outbox WHERE dead_at IS NOT NULL GROUP BY topic", &[])? {
        let topic = r.text(0)?;
        let e = out.entry(topic.clone()).or_insert_with(|| TopicStats { topic, ..Default::default() });
        e.dead = r.i64(1)?;
    }
    Ok(out.into_values().collect())
}

/// Queues a row of an `IN_DOSSIER_ORDER` topic: `seq` (the dossier event it announces) sets
/// its place among the dossier's rows.
pub fn enqueue_in_order(
    db: &mut Db,
    topic: &str,
    dossier_id: &str,
    seq: i64,
    payload: &serde_json::Value,
    now: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO outbox (id, topic, dossier_id, payload, created_at, attempts, delivered_at, next_attempt_at, seq) \
         VALUES ($1,$2,$3,$4,$5,0,NULL,$6,$7)",
        &params![super::new_id(), topic, dossier_id, payload.to_string(), now, now, seq],
    )?;
    Ok(())
}

/// Queues a row first due at `due` (not before): a notice held back to its channel's
/// sending window (`crate::repo::notices`).
pub fn enqueue_due(
    db: &mut Db,
    topic: &str,
    dossier_id: Option<&str>,
    payload: &serde_json::Value,
    now: i64,
    due: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO outbox (id, topic, dossier_id, payload, created_at, attempts, delivered_at, next_attempt_at) \
         VALUES ($1,$2,$3,$4,$5,0,NULL,$6)",
        &params![super::new_id(), topic, dossier_id, payload.to_string(), now, due.max(now)],
    )?;
    Ok(())
}

/// Queues a row unless one with the same key was ever queued (the key is kept in
/// `reminder_keys`): (subject, due_at, kind, threshold). Returns whether it was queued. Safe
/// under concurrent callers: the primary key lets one insert win; the others queue nothing.
#[allow(clippy::too_many_arguments)]
pub fn enqueue_once(
    db: &mut Db,
    key: (&str, i64, &str, i64),
    topic: &str,
    dossier_id: Option<&str>,
    payload: &serde_json::Value,
    now: i64,
) -> Result<bool, StoreError> {
    let id = super::new_id();
    let (subject, due_at, kind, threshold) = key;
    let n = db.execute(
        "INSERT INTO reminder_keys (subject, due_at, kind, threshold, outbox_id, created_at) VALUES ($1,$2,$3,$4,$5,$6) \
         ON CONFLICT (subject, due_at, kind, threshold) DO NOTHING",
        &params![subject, due_at, kind, threshold, &id, now],
    )?;
    if n == 0 {
        return Ok(false);
    }
    db.execute(
        "INSERT INTO outbox (id, topic, dossier_id, payload, created_at, attempts, delivered_at, next_attempt_at) \
         VALUES ($1,$2,$3,$4,$5,0,NULL,$6)",
        &params![id, topic, dossier_id, payload.to_string(), now, now],
    )?;
    Ok(true)
}
