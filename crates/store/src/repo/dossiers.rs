//! Dossiers: the hash-chained event log, its projection (`dossiers`, with the whole state
//! as JSON), the daily code sequences, idempotency keys, KPI counters, the outbox, files
//! and workflows. Every function runs inside the caller's transaction.

use super::{new_id, push_scope};
use crate::{Db, Row, SqlBuilder, StoreError, Value, params};
use motcua_domain::audit::{AuditEvent, BrokenChain, ChainVerifier, GENESIS, compute_hash};
use motcua_domain::dossier::{Dossier, Event, Recorded, Workflow};

fn decode<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Decode(format!("{what}: {e}")))
}

fn encode<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Decode(e.to_string()))
}

pub(crate) fn projection_columns(d: &Dossier) -> Result<Vec<crate::Value>, StoreError> {
    columns(d)
}

pub(crate) const PROJECTION_COLUMNS_LIST: &str = PROJECTION;

/// The hash-chain view of a dossier event (one chain per dossier, `dossier:<id>`).
fn chain_event(r: &Recorded, id: String, payload: String, prev_hash: String) -> AuditEvent {
    AuditEvent {
        id,
        chain: format!("dossier:{}", r.dossier_id),
        seq: r.seq,
        at_ms: r.at,
        actor_id: Some(r.actor_id.clone()),
        action: r.event.kind().to_string(),
        entity_kind: "dossier".into(),
        entity_id: r.dossier_id.clone(),
        payload,
        prev_hash,
        hash: String::new(),
    }
}

/// Appends one event to its dossier's chain and answers its hash. The caller guarantees
/// `seq` follows the last one (the projection's version check); the primary key refuses a
/// duplicate anyway.
pub fn append_event(db: &mut Db, r: &Recorded) -> Result<String, StoreError> {
    let prev_hash = if r.seq == 1 {
        GENESIS.to_string()
    } else {
        db.query_one("SELECT hash FROM dossier_events WHERE dossier_id = $1 AND seq = $2", &params![&r.dossier_id, r.seq - 1])?
            .text(0)?
    };
    append_event_after(db, r, &prev_hash)
}

/// `append_event` when the caller wrote the previous event and knows its hash.
pub fn append_event_after(db: &mut Db, r: &Recorded, prev_hash: &str) -> Result<String, StoreError> {
    let e = chain(r, prev_hash)?;
    insert_chained(db, &e)?;
    Ok(e.hash)
}

/// An event encoded and chained to the hash before it, ready to insert: the encoding and
/// hashing can run before the write (a new dossier's first event follows the genesis hash).
pub struct ChainedEvent {
    pub(crate) row: [Value; 9],
    pub hash: String,
}

pub fn chain(r: &Recorded, prev_hash: &str) -> Result<ChainedEvent, StoreError> {
    chain_as(r, new_id(), prev_hash)
}

/// `chain` with the event row's id given (the history generator draws its own).
pub(crate) fn chain_as(r: &Recorded, id: String, prev_hash: &str) -> Result<ChainedEvent, StoreError> {
    let mut e = chain_event(r, id, encode(&r.event)?, prev_hash.to_string());
    e.hash = compute_hash(&e);
    let hash = e.hash.clone();
    Ok(ChainedEvent {
        row: [
            r.dossier_id.clone().into(),
            r.seq.into(),
            e.id.into(),
            r.at.into(),
            r.actor_id.clone().into(),
            e.action.into(),
            e.payload.into(),
            e.prev_hash.into(),
            e.hash.into(),
        ],
        hash,
    })
}

pub fn insert_chained(db: &mut Db, e: &ChainedEvent) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO dossier_events (dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        &e.row,
    )?;
    Ok(())
}

const EVENT_COLUMNS: &str = "dossier_id, seq, id, at_ms, actor_id, kind, payload, prev_hash, hash";

fn map_event(r: &Row) -> Result<(Recorded, AuditEvent), StoreError> {
    let rec = Recorded {
        dossier_id: r.text(0)?,
        seq: r.i64(1)?,
        at: r.i64(3)?,
        actor_id: r.text(4)?,
        event: decode::<Event>("dossier event", &r.text(6)?)?,
    };
    let mut chain = chain_event(&rec, r.text(2)?, r.text(6)?, r.text(7)?);
    chain.action = r.text(5)?;
    chain.hash = r.text(8)?;
    Ok((rec, chain))
}

/// The whole log of one dossier, in order.
pub fn events(db: &mut Db, dossier_id: &str) -> Result<Vec<Recorded>, StoreError> {
    db.query(&format!("SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id = $1 ORDER BY seq"), &params![dossier_id])?
        .iter()
        .map(|r| map_event(r).map(|(rec, _)| rec))
        .collect()
}

/// The whole log of one dossier with each event's chain view (the archive package carries
/// both, so the chain can be verified offline).
pub fn chained(db: &mut Db, dossier_id: &str) -> Result<Vec<(Recorded, AuditEvent)>, StoreError> {
    db.query(&format!("SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id = $1 ORDER BY seq"), &params![dossier_id])?
        .iter()
        .map(map_event)
        .collect()
}

/// The projection's columns, all derived from the state.
fn columns(d: &Dossier) -> Result<Vec<crate::Value>, StoreError> {
    let cur = d.current_step();
    let check = applicant_check_digits(d);
    Ok(vec![
        d.id.clone().into(),
        d.code.clone().into(),
        d.procedure.code.clone().into(),
        d.procedure.version.into(),
        d.status.code().into(),
        d.status.national_code().map(i64::from).into(),
        encode(&d.channel)?.trim_matches('"').to_string().into(),
        d.owner_id.clone().into(),
        d.applicant.name.clone().into(),
        check.into(),
        d.receiving.id.clone().into(),
        d.receiving.path.clone().into(),
        d.competent.as_ref().map(|c| c.path.clone()).into(),
        d.current_agency().path.clone().into(),
        // Before reception the counter holds it; a draft is in nobody's inbox.
        match (cur, d.status) {
            (Some(s), _) => Some(s.role.code()),
            (None, motcua_domain::dossier::Status::Draft) => None,
            (None, _) => Some("reception_officer"),
        }
        .into(),
        d.received_at.into(),
        d.due_at.into(),
        d.appointment_at.into(),
        d.step_due_at.into(),
        d.finished_at.into(),
        d.timeliness.map(|t| encode(&t).map(|s| s.trim_matches('"').to_string())).transpose()?.into(),
        search_text(d).into(),
        d.version.into(),
        d.created_at.into(),
        d.updated_at.into(),
        d.filing_reference.clone().into(),
        // Only while the online dossier waits for its check: the partial index stays small.
        d.pending_check_due().into(),
    ])
}

/// What public tracking checks as the second factor: the last four digits of the
/// applicant's ID number and of the phone, "id|phone".
fn applicant_check_digits(d: &Dossier) -> Option<String> {
    let last4 = |s: &Option<String>| {
        s.as_deref()
            .map(|v| v.chars().filter(char::is_ascii_digit).collect::<String>())
            .filter(|v| v.len() >= 4)
            .map(|v| v[v.len() - 4..].to_string())
    };
    let (a, b) = (last4(&d.applicant.id_number), last4(&d.applicant.phone));
    (a.is_some() || b.is_some()).then(|| format!("{}|{}", a.unwrap_or_default(), b.unwrap_or_default()))
}

fn search_text(d: &Dossier) -> String {
    motcua_domain::text::fold(&format!(
        "{} {} {} {} {} {}",
        d.code.as_deref().unwrap_or(""),
        d.filing_reference.as_deref().unwrap_or(""),
        d.applicant.name,
        d.applicant.id_number.as_deref().unwrap_or(""),
        d.procedure.code,
        d.procedure.name
    ))
}

const PROJECTION: &str = "id, code, procedure_code, procedure_version, status, national_status, channel, owner_id, applicant_name, \
    applicant_check, receiving_id, receiving_path, competent_path, current_path, current_step_role, received_at, due_at, appointment_at, \
    step_due_at, finished_at, timeliness, search_text, version, created_at, updated_at, filing_reference, check_due_at";
const PROJECTION_COLUMNS: usize = 27;

/// `INSERT INTO dossiers (…) VALUES ($1, …)`, built once.
static INSERT_PROJECTION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let placeholders: Vec<String> = (1..=PROJECTION_COLUMNS).map(|i| format!("${i}")).collect();
    format!("INSERT INTO dossiers ({PROJECTION}) VALUES ({})", placeholders.join(","))
});

/// `UPDATE dossiers SET … WHERE id = $1 AND version = $28`, built once.
static UPDATE_PROJECTION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let sets: Vec<String> =
        PROJECTION.split(',').map(str::trim).enumerate().skip(1).map(|(i, c)| format!("{c} = ${}", i + 1)).collect();
    format!("UPDATE dossiers SET {} WHERE id = $1 AND version = ${}", sets.join(", "), PROJECTION_COLUMNS + 1)
});

/// Whether a dossier's state JSON is stored: only while it is unfinished. A finished
/// dossier's state is its log replayed (the log is the source of truth; history would
/// otherwise keep ~5 KB of JSON per dossier).
pub(crate) fn keeps_state(d: &Dossier) -> bool {
    d.finished_at.is_none()
}

/// The state JSON to store, if any.
pub(crate) fn stored_state(d: &Dossier) -> Result<Option<String>, StoreError> {
    keeps_state(d).then(|| encode(d)).transpose()
}

pub fn insert(db: &mut Db, d: &Dossier) -> Result<(), StoreError> {
    db.execute(&INSERT_PROJECTION, &columns(d)?)?;
    if let Some(state) = stored_state(d)? {
        db.execute("INSERT INTO dossier_states (id, state) VALUES ($1, $2)", &params![&d.id, state])?;
    }
    Ok(())
}

/// A dossier's state from its stored JSON or, when none is stored (finished), from its log.
fn state_or_replay(db: &mut Db, id: &str, state: Option<String>) -> Result<Dossier, StoreError> {
    match state {
        Some(s) => decode("dossier state", &s),
        None => motcua_domain::dossier::replay(&events(db, id)?)
            .ok_or_else(|| StoreError::Decode(format!("dossier {id}: no state and no log to replay"))),
    }
}

/// The states of a page of (id, stored state) rows, in order: the finished ones replayed
/// from their logs, read with one query.
fn states_or_replay(db: &mut Db, rows: Vec<(String, Option<String>)>) -> Result<Vec<Dossier>, StoreError> {
    let missing: Vec<&str> = rows.iter().filter(|(_, s)| s.is_none()).map(|(id, _)| id.as_str()).collect();
    let mut logs: std::collections::HashMap<String, Vec<Recorded>> = std::collections::HashMap::new();
    if !missing.is_empty() {
        let mut q = SqlBuilder::new(&format!("SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id IN "));
        q.push_in(&missing).push(" ORDER BY dossier_id, seq");
        for r in db.query(&q.sql, &q.params)? {
            let (rec, _) = map_event(&r)?;
            logs.entry(rec.dossier_id.clone()).or_default().push(rec);
        }
    }
    rows.into_iter()
        .map(|(id, state)| match state {
            Some(s) => decode("dossier state", &s),
            None => logs
                .get(&id)
                .and_then(|log| motcua_domain::dossier::replay(log))
                .ok_or_else(|| StoreError::Decode(format!("dossier {id}: no state and no log to replay"))),
        })
        .collect()
}

/// Writes the new state if the stored one is still at `expected_version`; false otherwise
/// (another command got there first).
pub fn update(db: &mut Db, d: &Dossier, expected_version: i64) -> Result<bool, StoreError> {
    let mut vals = columns(d)?;
    vals.push(expected_version.into());
    let n = db.execute(&UPDATE_PROJECTION, &vals)?;
    if n != 1 {
        return Ok(false);
    }
    match stored_state(d)? {
        Some(state) => db.execute(
            "INSERT INTO dossier_states (id, state) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET state = excluded.state",
            &params![&d.id, state],
        )?,
        None => db.execute("DELETE FROM dossier_states WHERE id = $1", &params![&d.id])?,
    };
    Ok(true)
}

pub fn get(db: &mut Db, id: &str) -> Result<Option<Dossier>, StoreError> {
    let Some(r) =
        db.query_opt("SELECT s.state FROM dossiers d LEFT JOIN dossier_states s ON s.id = d.id WHERE d.id = $1", &params![id])?
    else {
        return Ok(None);
    };
    state_or_replay(db, id, r.opt_text(0)?).map(Some)
}

/// The dossier with this code, if any (the kiosk rating checks its own second factor).
pub fn get_by_code(db: &mut Db, code: &str) -> Result<Option<Dossier>, StoreError> {
    let Some(r) = db.query_opt(
        "SELECT d.id, s.state FROM dossiers d LEFT JOIN dossier_states s ON s.id = d.id WHERE d.code = $1",
        &params![code],
    )?
    else {
        return Ok(None);
    };
    state_or_replay(db, &r.text(0)?, r.opt_text(1)?).map(Some)
}

/// Public tracking: the dossier with that code (or, before reception, that filing
/// reference) whose applicant's ID or phone ends with `last4`.
pub fn get_for_tracking(db: &mut Db, code: &str, last4: &str) -> Result<Option<Dossier>, StoreError> {
    let row = db.query_opt(
        "SELECT d.id, s.state, d.applicant_check FROM dossiers d LEFT JOIN dossier_states s ON s.id = d.id WHERE d.code = $1 OR d.filing_reference = $1",
        &params![code],
    )?;
    let Some(r) = row else { return Ok(None) };
    let check = r.opt_text(2)?.unwrap_or_default();
    let ok = last4.len() == 4 && check.split('|').any(|part| part == last4);
    if ok { state_or_replay(db, &r.text(0)?, r.opt_text(1)?).map(Some) } else { Ok(None) }
}

/// The next number of `agency_code`'s dossiers on `day` (YYMMDD): 1, 2, 3… Atomic: the
/// row is locked by the upsert until the transaction ends.
pub fn next_number(db: &mut Db, agency_code: &str, day: &str) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO dossier_sequences (agency_code, day, last_number) VALUES ($1, $2, 1) \
         ON CONFLICT (agency_code, day) DO UPDATE SET last_number = dossier_sequences.last_number + 1 RETURNING last_number",
        &params![agency_code, day],
    )?
    .i64(0)
}

/// The answer recorded for an idempotency key: (hash of the first request, dossier id).
pub fn idempotent(db: &mut Db, scope: &str, key: &str) -> Result<Option<(String, String)>, StoreError> {
    db.query_opt("SELECT request_hash, dossier_id FROM idempotency_keys WHERE scope = $1 AND key = $2", &params![scope, key])?
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .transpose()
}

pub fn save_idempotent(
    db: &mut Db,
    scope: &str,
    key: &str,
    request_hash: &str,
    dossier_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO idempotency_keys (scope, key, request_hash, dossier_id, created_at) VALUES ($1,$2,$3,$4,$5)",
        &params![scope, key, request_hash, dossier_id, now],
    )?;
    Ok(())
}

/// Adds `delta` to a daily counter and to its month's sum (`kpi_monthly`, which the
/// indicators read over long periods).
pub fn bump(db: &mut Db, agency_id: &str, procedure: &str, day: &str, metric: &str, delta: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO kpi_daily (agency_id, procedure_code, day, metric, value) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (agency_id, procedure_code, day, metric) DO UPDATE SET value = kpi_daily.value + $5",
        &params![agency_id, procedure, day, metric, delta],
    )?;
    db.execute(
        "INSERT INTO kpi_monthly (agency_id, procedure_code, month, metric, value) VALUES ($1,$2,$3,$4,$5) \
         ON CONFLICT (agency_id, month, metric, procedure_code) DO UPDATE SET value = kpi_monthly.value + $5",
        &params![agency_id, procedure, &day[..day.len().min(7)], metric, delta],
    )?;
    Ok(())
}

/// Counter totals over `[from_day, to_day]` of the reception points in the given agency
/// subtrees (path prefixes; empty = nothing). The scope is part of the query, so a reader
/// never sums counters outside it.
pub fn kpi_totals(db: &mut Db, scope: &[String], from_day: &str, to_day: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut q = SqlBuilder::new("SELECT metric, CAST(SUM(value) AS BIGINT) FROM kpi_daily WHERE ");
    let a = q.bind(from_day);
    let b = q.bind(to_day);
    q.push(&format!("day >= {a} AND day <= {b} AND agency_id IN (SELECT id FROM agencies WHERE "));
    push_scope(&mut q, "path", scope);
    q.push(") GROUP BY metric ORDER BY metric");
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.text(0)?, r.i64(1)?))).collect()
}

/// One counter: (agency id, procedure code, day, metric, value).
pub type KpiRow = (String, String, String, String, i64);

/// Every counter row (for the rebuild check).
pub fn kpi_all(db: &mut Db) -> Result<Vec<KpiRow>, StoreError> {
    db.query("SELECT agency_id, procedure_code, day, metric, value FROM kpi_daily ORDER BY 1, 2, 3, 4", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?, r.text(2)?, r.text(3)?, r.i64(4)?)))
        .collect()
}

pub fn clear_kpi(db: &mut Db) -> Result<(), StoreError> {
    db.execute("DELETE FROM kpi_daily", &[])?;
    db.execute("DELETE FROM kpi_monthly", &[])?;
    Ok(())
}

pub fn enqueue(db: &mut Db, topic: &str, dossier_id: &str, payload: &serde_json::Value, now: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO outbox (id, topic, dossier_id, payload, created_at, attempts, delivered_at) VALUES ($1,$2,$3,$4,$5,0,NULL)",
        &params![new_id(), topic, dossier_id, payload.to_string(), now],
    )?;
    Ok(())
}

/// Every recorded file: (digest, size), in digest order.
pub fn all_files(db: &mut Db) -> Result<Vec<(String, i64)>, StoreError> {
    // A file a purge removed (issue #19) is no longer expected in the file store.
    db.query("SELECT sha256, size FROM files WHERE sha256 NOT IN (SELECT sha256 FROM purged_files) ORDER BY sha256", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.i64(1)?)))
        .collect()
}

/// The codes (or ids, before reception) of the dossiers whose state or issued documents name
/// a file digest.
pub fn dossiers_with_file(db: &mut Db, sha256: &str) -> Result<Vec<String>, StoreError> {
    let pattern = format!("%{sha256}%");
    db.query(
        "SELECT COALESCE(d.code, d.id) FROM dossier_states s JOIN dossiers d ON d.id = s.id WHERE s.state LIKE $1 \
         UNION SELECT COALESCE(d.code, d.id) FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id \
         WHERE d.finished_at IS NOT NULL AND e.payload LIKE $1 \
         UNION SELECT COALESCE(d.code, d.id) FROM documents x JOIN dossiers d ON d.id = x.dossier_id WHERE x.sha256 = $2 \
         ORDER BY 1",
        &params![pattern, sha256],
    )?
    .iter()
    .map(|r| r.text(0))
    .collect()
}

/// Records a stored file's digest; returns whether it is new.
pub fn add_file(db: &mut Db, sha256: &str, size: i64, media_type: &str, now: i64) -> Result<bool, StoreError> {
    let n = db.execute(
        "INSERT INTO files (sha256, size, media_type, created_at) VALUES ($1,$2,$3,$4) ON CONFLICT (sha256) DO NOTHING",
        &params![sha256, size, media_type, now],
    )?;
    Ok(n == 1)
}

pub fn workflow(db: &mut Db, procedure_code: &str) -> Result<Option<(i64, Workflow)>, StoreError> {
    db.query_opt("SELECT revision, spec FROM workflows WHERE procedure_code = $1", &params![procedure_code])?
        .map(|r| Ok((r.i64(0)?, decode("workflow", &r.text(1)?)?)))
        .transpose()
}

pub fn put_workflow(db: &mut Db, procedure_code: &str, w: &Workflow, actor: Option<&str>, now: i64) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO workflows (procedure_code, revision, spec, updated_at, updated_by) VALUES ($1, 1, $2, $3, $4) \
         ON CONFLICT (procedure_code) DO UPDATE SET revision = workflows.revision + 1, spec = $2, updated_at = $3, updated_by = $4 \
         RETURNING revision",
        &params![procedure_code, encode(w)?, now, actor],
    )?
    .i64(0)
}

/// One membership as an inbox sees it: the agency's subtree and its direct parent, at a role.
#[derive(Debug, Clone)]
pub struct Serving {
    pub subtree: String,
    pub parent: Option<String>,
    pub role: String,
}

#[derive(Debug, Clone, Default)]
pub struct DossierFilter {
    /// Where the reader works: dossiers held (current step) by an agency each entry serves,
    /// at the entry's role. `None` = no limit; empty = nothing.
    pub serving: Option<Vec<Serving>>,
    /// Subtrees of receiving agencies (supervisors' lists).
    pub receiving_scope: Option<Vec<String>>,
    /// Subtrees where the dossier was received or whose agency is competent for it (the
    /// register: what the reader's agencies received or handle).
    pub received_or_competent: Option<Vec<String>>,
    pub owner_id: Option<String>,
    pub statuses: Vec<String>,
    /// Folded words matched against code, applicant, procedure.
    pub words: Vec<String>,
    pub received_from: Option<i64>,
    pub received_to: Option<i64>,
    /// Only online dossiers still waiting for their check past its due time at this instant
    /// (issue #11 item 14).
    pub check_overdue_at: Option<i64>,
    pub order_by_received: bool,
    pub limit: i64,
    pub offset: i64,
    /// Keyset page: after this (next deadline, id), from `next_cursor` (not with
    /// `order_by_received`).
    pub after: Option<(i64, String)>,
    /// The count of a free-text inbox filter stops at this many (`ListPage::total_capped`);
    /// `None`: exact.
    pub count_cap: Option<i64>,
    /// With `count_cap`: a free-text count that the first held rows in due order do not
    /// settle is settled through the text index (slower: that index spans the whole history)
    /// instead of being answered as a lower bound, the matches among those rows.
    pub count_exact: bool,
}

/// The statuses of dossiers still held somewhere (not finished): what an inbox lists.
pub const HELD_STATUSES: [&str; 5] = ["submitted", "received", "in_progress", "awaiting_supplement", "awaiting_payment"];

/// The inbox's order key: the next deadline (legal, else a waiting check's), none last.
const NEXT_DUE: &str = "COALESCE(due_at, check_due_at, 9007199254740991)";

/// The keyset cursor after a dossier of an inbox page: (next deadline, id).
pub fn next_cursor(d: &Dossier) -> (i64, String) {
    (d.due_at.or(d.pending_check_due()).unwrap_or(9_007_199_254_740_991), d.id.clone())
}

/// Where an inbox reads, when the filter is one: the exact (agency path, role) keys of the
/// reader's memberships (each agency of a served subtree, and its parent), so that each key
/// is one range of `ix_dossiers_inbox` in due order. `None`: not an inbox of held dossiers.
fn held_keys(db: &mut Db, f: &DossierFilter) -> Result<Option<Vec<(String, String)>>, StoreError> {
    let Some(entries) = &f.serving else { return Ok(None) };
    if f.receiving_scope.is_some()
        || f.received_or_competent.is_some()
        || f.owner_id.is_some()
        || f.order_by_received
        || !f.statuses.iter().all(|s| HELD_STATUSES.contains(&s.as_str()))
    {
        return Ok(None);
    }
    let mut keys: Vec<(String, String)> = Vec::new();
    for e in entries {
        let (lo, hi) = super::subtree_range(&e.subtree);
        let paths = db.query("SELECT path FROM agencies WHERE path >= $1 AND path < $2", &params![lo, hi])?;
        let mut add = |p: String| {
            if !keys.iter().any(|(kp, kr)| *kp == p && *kr == e.role) {
                keys.push((p, e.role.clone()));
            }
        };
        // The member's own agency counts even if the table no longer lists it.
        add(e.subtree.clone());
        for r in &paths {
            add(r.text(0)?);
        }
        if let Some(p) = &e.parent {
            add(p.clone());
        }
    }
    Ok(Some(keys))
}

/// `finished_at IS NULL AND status <> 'draft'` with each key: the partial index's predicate.
fn held_from(q: &mut SqlBuilder, key: &(String, String)) {
    held_from_in(q, key, "dossiers");
}

/// `from`: the table, with an index hint where one is needed.
fn held_from_in(q: &mut SqlBuilder, key: &(String, String), from: &str) {
    let (p, r) = (q.bind(&key.0), q.bind(&key.1));
    q.push(&format!(
        " FROM {from} WHERE current_path = {p} AND current_step_role = {r} AND finished_at IS NULL AND status <> 'draft'"
    ));
}

/// Where a local (UTC+7) day starts and which day holds an instant: the counters' due buckets.
const DAY_MS: i64 = 86_400_000;
const LOCAL_SHIFT_MS: i64 = 25_200_000;

fn local_day(t: i64) -> i64 {
    (t + LOCAL_SHIFT_MS).div_euclid(DAY_MS)
}

fn day_start(day: i64) -> i64 {
    day * DAY_MS - LOCAL_SHIFT_MS
}

/// How many held rows a free-text inbox filter reads in due order before it asks the text
/// index, at most: three times the count's cap (a word in a third of the rows or more fills
/// the page and reaches the cap within them, whatever the history).
const TEXT_WALK: i64 = 3000;

/// A page of a list: its dossiers, how many the filter selects, and whether that count is a
/// lower bound (free text over a large inbox: "at least N", the count stopped at the filter's
/// `count_cap` or only the first held rows in due order were matched).
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub items: Vec<Dossier>,
    pub total: i64,
    pub total_capped: bool,
}

/// ` AND ((current_path = … AND current_step_role = …) OR …)`: the inbox's keys.
fn push_keys(q: &mut SqlBuilder, keys: &[(String, String)]) {
    push_keys_as(q, keys, "current_path");
}

/// The keys with the path column written as `path` (SQLite: `+current_path` keeps the planner
/// from walking a key's whole index range when a text match has selected the rows).
fn push_keys_as(q: &mut SqlBuilder, keys: &[(String, String)], path: &str) {
    q.push(" AND (");
    for (i, (p, r)) in keys.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        let (a, b) = (q.bind(p), q.bind(r));
        q.push(&format!("({path} = {a} AND current_step_role = {b})"));
    }
    q.push(")");
}

fn push_statuses(q: &mut SqlBuilder, statuses: &[String]) {
    if !statuses.is_empty() {
        q.push(" AND status IN ").push_in(statuses);
    }
}

/// Whether the counters answer the filter's counts: every filter but free text and the
/// received range is one of their keys.
fn counted(f: &DossierFilter) -> bool {
    f.words.iter().all(String::is_empty) && f.received_from.is_none() && f.received_to.is_none()
}

/// Sums of the counter rows of the keys (and the status filter): all held, those whose
/// deadline's day is before `now_day` / before `soon_day`, and waiting checks due before
/// `now_day`. Bounded by the keys' live counter rows, not by the rows they count.
struct CounterSums {
    all: i64,
    before_now: i64,
    before_soon: i64,
    check_before_now: i64,
}

fn counter_sums(
    db: &mut Db,
    f: &DossierFilter,
    keys: &[(String, String)],
    now_day: i64,
    soon_day: i64,
) -> Result<CounterSums, StoreError> {
    let mut q = SqlBuilder::new("SELECT ");
    let (a, b, c) = (q.bind(now_day), q.bind(soon_day), q.bind(now_day));
    q.push(&format!(
        "CAST(COALESCE(SUM(n), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN due_day < {a} THEN n ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN due_day < {b} THEN n ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN check_day > 0 AND check_day < {c} THEN n ELSE 0 END), 0) AS BIGINT) \
         FROM inbox_counts WHERE 1 = 1"
    ));
    push_keys(&mut q, keys);
    push_statuses(&mut q, &f.statuses);
    let r = db.query_one(&q.sql, &q.params)?;
    Ok(CounterSums { all: r.i64(0)?, before_now: r.i64(1)?, before_soon: r.i64(2)?, check_before_now: r.i64(3)? })
}

/// Held rows of the keys whose next deadline is in `[from, to)`: one index range per key,
/// at most one day's rows.
fn due_range(db: &mut Db, f: &DossierFilter, keys: &[(String, String)], from: i64, to: i64) -> Result<i64, StoreError> {
    if from >= to {
        return Ok(0);
    }
    let mut q = SqlBuilder::new("SELECT ");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            q.push(" + ");
        }
        q.push("(SELECT COUNT(*)");
        held_from(&mut q, key);
        push_statuses(&mut q, &f.statuses);
        let (a, b) = (q.bind(from), q.bind(to));
        q.push(&format!(" AND {NEXT_DUE} >= {a} AND {NEXT_DUE} < {b})"));
    }
    db.query_one(&q.sql, &q.params)?.i64(0)
}

/// Held rows of the keys waiting for their check due in `[from, to)`: one range of the
/// waiting-check index (at most one day's waiting checks).
fn check_range(db: &mut Db, f: &DossierFilter, keys: &[(String, String)], from: i64, to: i64) -> Result<i64, StoreError> {
    if from >= to {
        return Ok(0);
    }
    let indexed = if db.backend() == crate::Backend::Sqlite { " INDEXED BY ix_dossiers_check_due" } else { "" };
    let mut q = SqlBuilder::new(&format!("SELECT COUNT(*) FROM dossiers{indexed} WHERE check_due_at IS NOT NULL"));
    let (a, b) = (q.bind(from), q.bind(to));
    q.push(&format!(" AND check_due_at >= {a} AND check_due_at < {b} AND finished_at IS NULL AND status <> 'draft'"));
    push_keys(&mut q, keys);
    push_statuses(&mut q, &f.statuses);
    db.query_one(&q.sql, &q.params)?.i64(0)
}

/// Due counts of an inbox from its counters: the days wholly before each bound, plus index
/// ranges over the day holding the bound.
fn tally_held(db: &mut Db, f: &DossierFilter, keys: &[(String, String)], now: i64, soon_ms: i64) -> Result<DueTally, StoreError> {
    let (dn, ds) = (local_day(now), local_day(now + soon_ms));
    let s = counter_sums(db, f, keys, dn, ds)?;
    let overdue = s.before_now + due_range(db, f, keys, day_start(dn), now)?;
    let before_soon = s.before_soon + due_range(db, f, keys, day_start(ds), now + soon_ms)?;
    let check_overdue = s.check_before_now + check_range(db, f, keys, day_start(dn), now)?;
    Ok(DueTally { overdue, due_soon: before_soon - overdue, on_track: s.all - before_soon, check_overdue })
}

/// The count of an inbox filter without free text: from the counters when they answer it,
/// else index ranges per key.
fn held_total(db: &mut Db, f: &DossierFilter, keys: &[(String, String)]) -> Result<i64, StoreError> {
    if counted(f) {
        return match f.check_overdue_at {
            Some(t) => {
                let d = local_day(t);
                Ok(counter_sums(db, f, keys, d, d)?.check_before_now + check_range(db, f, keys, day_start(d), t)?)
            }
            None => Ok(counter_sums(db, f, keys, 0, 0)?.all),
        };
    }
    let backend = db.backend();
    let mut c = SqlBuilder::new("SELECT ");
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            c.push(" + ");
        }
        c.push("(SELECT COUNT(*)");
        held_from(&mut c, key);
        push_other_filters(&mut c, f, backend);
        c.push(")");
    }
    db.query_one(&c.sql, &c.params)?.i64(0)
}

/// An inbox page: for each key, its first rows in due order from the index (after the
/// cursor), merged; only the page's states are read. The total comes from the counters;
/// free text goes through `list_held_text`.
fn list_held(db: &mut Db, f: &DossierFilter, keys: &[(String, String)]) -> Result<ListPage, StoreError> {
    if keys.is_empty() {
        return Ok(ListPage::default());
    }
    if !f.words.iter().all(String::is_empty) {
        return list_held_text(db, f, keys);
    }
    let backend = db.backend();
    let q = held_page(f, keys, backend);
    let items = db.query(&q.sql, &q.params)?.iter().map(|r| decode("dossier state", &r.text(0)?)).collect::<Result<_, _>>()?;
    let total = held_total(db, f, keys)?;
    Ok(ListPage { items, total, total_capped: false })
}

/// A free-text inbox page. The text is matched once per request, against the first
/// `TEXT_WALK` held rows in due order (and, for a page they do not fill, the next
/// 2 × `TEXT_WALK`): a word in one held row of a hundred fills the page there, whatever the
/// history. When those rows do not decide the count, it is their matches as a lower bound
/// (`total_capped`), unless `count_exact` asks for one query through the text index over the
/// keys' held rows, capped at `count_cap` + 1: that index spans every dossier, so its cost
/// grows with the history (a name common in ten years of dossiers but rare among the held
/// ones), which the default read must not. Only a page the walk does not fill asks the index.
fn list_held_text(db: &mut Db, f: &DossierFilter, keys: &[(String, String)]) -> Result<ListPage, StoreError> {
    let plain = DossierFilter { words: Vec::new(), after: None, offset: 0, ..f.clone() };
    let walk = f.count_cap.map_or(TEXT_WALK, |c| (3 * c).clamp(1, TEXT_WALK));
    let (mut found, read, last) = walk_held(db, &plain, keys, None, walk, &f.words)?;
    let mut exhausted = (read as i64) < walk;
    let (limit, offset) = (f.limit.clamp(1, 500) as usize, f.offset.max(0) as usize);
    let past = |(nd, id): &&(i64, String)| f.after.as_ref().is_none_or(|(a, b)| (*nd, id.as_str()) > (*a, b.as_str()));
    let from_walk = f.count_cap.is_some() && !f.count_exact;
    // A page those rows did not fill reads on, up to twice as many rows, before it asks the
    // text index (a word in one held row of a hundred or more fills a page of 50 there).
    if from_walk
        && !exhausted
        && found.iter().filter(past).count() < offset + limit
        && f.count_cap.is_some_and(|c| found.len() as i64 <= c)
    {
        let more = 2 * walk;
        let (next, read, _) = walk_held(db, &plain, keys, last.as_ref(), more, &f.words)?;
        found.extend(next);
        exhausted = (read as i64) < more;
    }
    let cap = f.count_cap.map(|c| c.max(0));
    // (matches in due order, whether they are all of them, total, capped)
    let mut bound_from_walk = false;
    let (pool, complete, mut total, mut capped) = if exhausted {
        let n = found.len() as i64;
        (found, true, n, false)
    } else if let Some(c) = cap.filter(|c| found.len() as i64 > *c) {
        (found, false, c, true)
    } else if from_walk {
        bound_from_walk = true;
        let n = found.len() as i64;
        (found, false, n, true)
    } else {
        let m = text_matches(db, f, keys, None, cap.map(|c| c + 1))?;
        let capped = cap.is_some_and(|c| m.len() as i64 > c);
        let total = if capped { cap.unwrap_or_default() } else { m.len() as i64 };
        (m, !capped, total, capped)
    };
    let after: Vec<&(i64, String)> = pool.iter().filter(past).collect();
    let ids: Vec<String> = if complete || after.len() >= offset + limit {
        after.into_iter().skip(offset).take(limit).map(|(_, id)| id.clone()).collect()
    } else {
        let m = text_matches(db, f, keys, f.after.as_ref(), Some((offset + limit) as i64))?;
        if bound_from_walk {
            // A page the index could not fill holds every match: the count is exact then.
            if m.len() < offset + limit && f.after.is_none() {
                (total, capped) = (m.len() as i64, false);
            } else {
                total = total.max(m.len() as i64).min(cap.unwrap_or(i64::MAX));
            }
        }
        m.into_iter().skip(offset).take(limit).map(|(_, id)| id).collect()
    };
    Ok(ListPage { items: states_in_order(db, &ids)?, total, total_capped: capped })
}

/// A held row's place in due order: (next deadline, id).
type DueKey = (i64, String);

/// The keys' first `n` held rows in due order after `after`, matched against `words`:
/// (matches as (next deadline, id), rows read, the last row read). The rows come from the inbox
/// index alone, which carries the folded text (migration 0020), and are matched there: only
/// the matches, the last row and the count come back.
fn walk_held(
    db: &mut Db,
    plain: &DossierFilter,
    keys: &[(String, String)],
    after: Option<&(i64, String)>,
    n: i64,
    words: &[String],
) -> Result<(Vec<DueKey>, usize, Option<DueKey>), StoreError> {
    let backend = db.backend();
    let mut q = SqlBuilder::new("WITH w AS MATERIALIZED (SELECT id, nd, hit FROM (");
    let mut hit = words
        .iter()
        .filter(|w| !w.is_empty())
        .map(|w| format!("search_text LIKE {} ESCAPE '\\'", q.bind(format!("%{}%", super::like_escape(w)))))
        .collect::<Vec<_>>()
        .join(" AND ");
    if hit.is_empty() {
        hit = "1 = 1".into();
    }
    for (i, (key, status)) in arms(plain, keys).into_iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push(&format!("SELECT * FROM (SELECT id, {NEXT_DUE} AS nd, CASE WHEN {hit} THEN 1 ELSE 0 END AS hit"));
        held_arm(&mut q, plain, key, status, backend);
        if let Some((due, id)) = after {
            let (a, b) = (q.bind(*due), q.bind(id));
            q.push(&format!(" AND ({NEXT_DUE}, id) > ({a}, {b})"));
        }
        let l = q.bind(n);
        q.push(&format!(" ORDER BY {NEXT_DUE}, id LIMIT {l}) k{i}"));
    }
    let l = q.bind(n);
    // The matches (kind 1), the last row read (kind 2) and how many were read (kind 3).
    q.push(&format!(
        ") u ORDER BY nd, id LIMIT {l}) \
         SELECT * FROM (SELECT 1 AS kind, nd, id FROM w WHERE hit = 1 \
         UNION ALL SELECT * FROM (SELECT 2, nd, id FROM w ORDER BY nd DESC, id DESC LIMIT 1) l \
         UNION ALL SELECT 3, COUNT(*), '' FROM w) r ORDER BY kind, nd, id"
    ));
    let (mut found, mut read, mut last) = (Vec::new(), 0, None);
    for r in db.query(&q.sql, &q.params)? {
        match r.i64(0)? {
            1 => found.push((r.i64(1)?, r.text(2)?)),
            2 => last = Some((r.i64(1)?, r.text(2)?)),
            _ => read = usize::try_from(r.i64(1)?).unwrap_or(0),
        }
    }
    Ok((found, read, last))
}

/// The keys' held rows matching the filter's words (each through the text index, once), in
/// due order after `after`, at most `limit`: (next deadline, id).
fn text_matches(
    db: &mut Db,
    f: &DossierFilter,
    keys: &[(String, String)],
    after: Option<&(i64, String)>,
    limit: Option<i64>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let backend = db.backend();
    let mut q = SqlBuilder::new(&format!("SELECT {NEXT_DUE}, id FROM dossiers WHERE finished_at IS NULL AND status <> 'draft'"));
    // SQLite: from the rows the text match selects (bounded by the held rows with that word,
    // whatever the history), not along the keys' ranges (bounded by the backlog).
    push_keys_as(&mut q, keys, if backend == crate::Backend::Sqlite { "+current_path" } else { "current_path" });
    push_other_filters(&mut q, &DossierFilter { after: None, words: Vec::new(), ..f.clone() }, backend);
    // The text index over every dossier (`ix_dossiers_search` answers LIKE on PostgreSQL):
    // this runs only when the first held rows in due order did not settle the page, that is
    // for a word rare among them, which is rare in the history too.
    push_words(&mut q, &f.words, backend);
    if let Some((due, id)) = after {
        let (a, b) = (q.bind(*due), q.bind(id));
        q.push(&format!(" AND ({NEXT_DUE}, id) > ({a}, {b})"));
    }
    q.push(&format!(" ORDER BY {NEXT_DUE}, id"));
    if let Some(n) = limit {
        let p = q.bind(n);
        q.push(&format!(" LIMIT {p}"));
    }
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.i64(0)?, r.text(1)?))).collect()
}

/// The states of `ids`, in that order.
fn states_in_order(db: &mut Db, ids: &[String]) -> Result<Vec<Dossier>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new("SELECT id, state FROM dossier_states WHERE id IN ");
    q.push_in(ids);
    let mut by_id = std::collections::HashMap::new();
    for r in db.query(&q.sql, &q.params)?.iter() {
        by_id.insert(r.text(0)?, r.text(1)?);
    }
    ids.iter().filter_map(|id| by_id.remove(id)).map(|s| decode("dossier state", &s)).collect()
}

/// The index ranges an inbox page merges: one per key, or with a status filter one per key
/// and status (`ix_dossiers_inbox_status`).
fn arms<'a>(f: &'a DossierFilter, keys: &'a [(String, String)]) -> Vec<(&'a (String, String), Option<&'a String>)> {
    if f.statuses.is_empty() {
        keys.iter().map(|k| (k, None)).collect()
    } else {
        keys.iter().flat_map(|k| f.statuses.iter().map(move |s| (k, Some(s)))).collect()
    }
}

/// ` FROM dossiers WHERE` one arm's range and every other filter.
fn held_arm(q: &mut SqlBuilder, f: &DossierFilter, key: &(String, String), status: Option<&String>, backend: crate::Backend) {
    match status {
        Some(st) => {
            // SQLite: the (step, status) range of its own index. The inbox index also holds
            // the status (to cover the free-text walk), and would be walked whole for a
            // status rare at that step.
            let from =
                if backend == crate::Backend::Sqlite { "dossiers INDEXED BY ix_dossiers_inbox_status" } else { "dossiers" };
            held_from_in(q, key, from);
            let p = q.bind(st);
            q.push(&format!(" AND status = {p}"));
            push_other_filters(q, &DossierFilter { statuses: Vec::new(), ..f.clone() }, backend);
        }
        None => {
            held_from(q, key);
            push_other_filters(q, f, backend);
        }
    }
}

/// The page query of an inbox: one index range per arm, merged.
fn held_page(f: &DossierFilter, keys: &[(String, String)], backend: crate::Backend) -> SqlBuilder {
    let limit = f.limit.clamp(1, 500);
    let offset = f.offset.max(0);
    let mut q = SqlBuilder::new("SELECT s.state FROM (SELECT id, nd FROM (");
    for (i, (key, status)) in arms(f, keys).into_iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        q.push(&format!("SELECT * FROM (SELECT id, {NEXT_DUE} AS nd"));
        held_arm(&mut q, f, key, status, backend);
        if let Some((due, id)) = &f.after {
            let (a, b) = (q.bind(*due), q.bind(id));
            q.push(&format!(" AND ({NEXT_DUE}, id) > ({a}, {b})"));
        }
        let n = q.bind(limit + offset);
        q.push(&format!(" ORDER BY {NEXT_DUE}, id LIMIT {n}) k{i}"));
    }
    let (lim, off) = (q.bind(limit), q.bind(offset));
    q.push(&format!(") u ORDER BY nd, id LIMIT {lim} OFFSET {off}) p JOIN dossier_states s ON s.id = p.id ORDER BY p.nd, p.id"));
    q
}

/// The plan of an inbox's page query, one line per node (for the test that the page is read
/// from the index in due order): SQLite's `EXPLAIN QUERY PLAN`, PostgreSQL's `EXPLAIN` with
/// sequential scans disabled (a test database is too small for the planner to prefer the
/// index on its own). `None` when the filter is not an inbox of held dossiers.
pub fn inbox_plan(db: &mut Db, f: &DossierFilter) -> Result<Option<Vec<String>>, StoreError> {
    let Some(keys) = held_keys(db, f)? else { return Ok(None) };
    let backend = db.backend();
    let q = held_page(f, &keys, backend);
    let lines = match backend {
        crate::Backend::Sqlite => db
            .query(&format!("EXPLAIN QUERY PLAN {}", q.sql), &q.params)?
            .iter()
            .map(|r| r.text(3))
            .collect::<Result<Vec<_>, _>>()?,
        crate::Backend::Postgres => {
            db.execute("SET LOCAL enable_seqscan = off", &[])?;
            let rows = db.query(&format!("EXPLAIN {}", q.sql), &q.params)?;
            db.execute("SET LOCAL enable_seqscan = on", &[])?;
            rows.iter().map(|r| r.text(0)).collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(Some(lines))
}

/// Due counts of an inbox the counters do not answer (free text, a received range): index
/// ranges of each key bounded by `now`, filtered.
fn due_counts_held(
    db: &mut Db,
    f: &DossierFilter,
    keys: &[(String, String)],
    now: i64,
    soon_ms: i64,
) -> Result<DueTally, StoreError> {
    let backend = db.backend();
    let mut t = DueTally::default();
    let mut all = 0;
    for key in keys {
        let mut q = SqlBuilder::new("SELECT ");
        let parts =
            [format!(" AND {NEXT_DUE} < "), format!(" AND {NEXT_DUE} >= "), String::new(), " AND check_due_at < ".to_string()];
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(SELECT COUNT(*)");
            held_from(&mut q, key);
            push_other_filters(&mut q, f, backend);
            match i {
                0 | 3 => {
                    let p = q.bind(now);
                    q.push(&format!("{part}{p}"));
                }
                1 => {
                    let (a, b) = (q.bind(now), q.bind(now + soon_ms));
                    q.push(&format!("{part}{a} AND {NEXT_DUE} < {b}"));
                }
                _ => {}
            }
            q.push(")");
        }
        let r = db.query_one(&q.sql, &q.params)?;
        t.overdue += r.i64(0)?;
        t.due_soon += r.i64(1)?;
        all += r.i64(2)?;
        t.check_overdue += r.i64(3)?;
    }
    t.on_track = all - t.overdue - t.due_soon;
    Ok(t)
}

fn push_dossier_filters(q: &mut SqlBuilder, f: &DossierFilter, backend: crate::Backend) {
    push_serving(q, f);
    push_other_filters(q, f, backend);
}

fn push_serving(q: &mut SqlBuilder, f: &DossierFilter) {
    if let Some(entries) = &f.serving {
        if entries.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND (");
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    q.push(" OR ");
                }
                q.push("((");
                push_scope(q, "current_path", std::slice::from_ref(&e.subtree));
                if let Some(p) = &e.parent {
                    let ph = q.bind(p);
                    q.push(&format!(" OR current_path = {ph}"));
                }
                let r = q.bind(&e.role);
                q.push(&format!(") AND current_step_role = {r})"));
            }
            q.push(")");
        }
    }
}

/// Every filter but where the reader serves.
fn push_other_filters(q: &mut SqlBuilder, f: &DossierFilter, backend: crate::Backend) {
    if let Some(s) = &f.receiving_scope {
        q.push(" AND ");
        push_scope(q, "receiving_path", s);
    }
    if let Some(s) = &f.received_or_competent {
        q.push(" AND (");
        push_scope(q, "receiving_path", s);
        q.push(" OR ");
        push_scope(q, "competent_path", s);
        q.push(")");
    }
    match &f.owner_id {
        Some(o) => {
            let p = q.bind(o);
            q.push(&format!(" AND owner_id = {p}"));
        }
        // A draft is its applicant's alone until it is submitted: no official list shows it.
        None => {
            q.push(" AND status <> 'draft'");
        }
    }
    push_statuses(q, &f.statuses);
    push_words(q, &f.words, backend);
    if let Some(t) = f.received_from {
        let p = q.bind(t);
        q.push(&format!(" AND received_at >= {p}"));
    }
    if let Some(t) = f.received_to {
        let p = q.bind(t);
        q.push(&format!(" AND received_at < {p}"));
    }
    if let Some(t) = f.check_overdue_at {
        let p = q.bind(t);
        q.push(&format!(" AND check_due_at < {p}"));
    }
}

/// Every word as a substring of the folded `search_text`. SQLite: the words of three
/// characters or more through the trigram table `dossier_search` (a quoted FTS5 string matches
/// as a substring), shorter ones by LIKE on the rows it selected; PostgreSQL: the trigram GIN
/// index answers LIKE.
fn push_words(q: &mut SqlBuilder, words: &[String], backend: crate::Backend) {
    let words: Vec<&String> = words.iter().filter(|w| !w.is_empty()).collect();
    // SQLite: every word of three characters or more in one FTS5 query (each a quoted
    // substring, ANDed): the index intersects its lists and hands over only the rows with all
    // of them, not every row with the longest word. Shorter words by LIKE on those rows.
    let indexed: Vec<&String> = if backend == crate::Backend::Sqlite {
        words.iter().copied().filter(|w| w.chars().count() >= 3).collect()
    } else {
        Vec::new()
    };
    if !indexed.is_empty() {
        let query = indexed.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" AND ");
        let p = q.bind(query);
        q.push(&format!(" AND rowid IN (SELECT rowid FROM dossier_search WHERE dossier_search MATCH {p})"));
    }
    for w in words.into_iter().filter(|w| !indexed.contains(w)) {
        let p = q.bind(format!("%{}%", super::like_escape(w)));
        q.push(&format!(" AND search_text LIKE {p} ESCAPE '\\'"));
    }
}

/// SQLite: the rows a write group noted for the text index (migration 0020), indexed by one
/// statement at the end of the group, in its transaction, so FTS5 writes one segment per group
/// instead of one per statement. `SEARCH_PENDING` says whether there is anything to do (the
/// common group of commands has nothing, and does not bring FTS5 into its transaction).
pub(crate) const SEARCH_PENDING: &str = "SELECT 1 FROM dossier_search_pending LIMIT 1";
pub const SEARCH_FLUSH: [&str; 2] = [
    "INSERT INTO dossier_search (rowid, search_text) \
     SELECT d.rowid, d.search_text FROM dossier_search_pending p JOIN dossiers d ON d.rowid = p.dossier_rowid",
    "DELETE FROM dossier_search_pending",
];

/// A page of dossiers (whole states) and the exact total.
pub fn list(db: &mut Db, f: &DossierFilter) -> Result<(Vec<Dossier>, i64), StoreError> {
    let p = list_page(db, &DossierFilter { count_cap: None, ..f.clone() })?;
    Ok((p.items, p.total))
}

/// A page of dossiers (whole states) and the total, which a free-text inbox filter stops at
/// `count_cap`. An inbox reads its keys' index ranges and counters; any other list (the
/// applicant's own, a supervisor's) is in the same order (next deadline, then id) with the
/// same keyset cursor, the applicant's from `ix_dossiers_owner_due`.
pub fn list_page(db: &mut Db, f: &DossierFilter) -> Result<ListPage, StoreError> {
    if let Some(keys) = held_keys(db, f)? {
        return list_held(db, f, &keys);
    }
    let backend = db.backend();
    let mut q = SqlBuilder::new(" FROM dossiers WHERE 1 = 1");
    push_dossier_filters(&mut q, f, backend);
    let total = db.query_one(&format!("SELECT COUNT(*){}", q.sql), &q.params)?.i64(0)?;
    let (order, outer) = if f.order_by_received {
        ("received_at, code", "p.received_at, p.code")
    } else {
        if let Some((due, id)) = &f.after {
            let (a, b) = (q.bind(*due), q.bind(id));
            q.push(&format!(" AND ({NEXT_DUE}, id) > ({a}, {b})"));
        }
        // The next deadline first: the legal one, or the check of an online dossier waiting
        // for it (the column is set only then); none last.
        (&*format!("{NEXT_DUE}, id"), "p.next_due, p.id")
    };
    let lim = q.bind(f.limit.clamp(1, 500));
    let off = q.bind(f.offset.max(0));
    // The page is chosen on the narrow rows; only its states are read.
    let rows = db.query(
        &format!(
            "SELECT p.id, s.state FROM (SELECT id, received_at, code, {NEXT_DUE} AS next_due{} ORDER BY {order} LIMIT {lim} OFFSET {off}) p \
             LEFT JOIN dossier_states s ON s.id = p.id ORDER BY {outer}",
            q.sql
        ),
        &q.params,
    )?;
    let rows = rows.iter().map(|r| Ok((r.text(0)?, r.opt_text(1)?))).collect::<Result<Vec<_>, StoreError>>()?;
    let items = states_or_replay(db, rows)?;
    Ok(ListPage { items, total, total_capped: false })
}

/// Inbox counts at `now` of the unfinished dossiers the filter selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DueTally {
    /// Past their next deadline (the legal one, or a waiting online dossier's check).
    pub overdue: i64,
    /// Due within the window.
    pub due_soon: i64,
    /// The rest.
    pub on_track: i64,
    /// Of the overdue: online dossiers waiting for their check past its due time.
    pub check_overdue: i64,
}

/// Inbox counts by due status at `now`, a dossier's next deadline being its legal one or,
/// while an online dossier waits for its check, the check's (the column is set only then).
pub fn due_counts(db: &mut Db, f: &DossierFilter, now: i64, soon_ms: i64) -> Result<DueTally, StoreError> {
    if let Some(keys) = held_keys(db, f)? {
        if keys.is_empty() {
            return Ok(DueTally::default());
        }
        return if counted(f) { tally_held(db, f, &keys, now, soon_ms) } else { due_counts_held(db, f, &keys, now, soon_ms) };
    }
    let mut q = SqlBuilder::new("");
    let a = q.bind(now);
    let b = q.bind(now);
    let c = q.bind(now + soon_ms);
    let e = q.bind(now);
    const NEXT: &str = "COALESCE(due_at, check_due_at)";
    q.sql = format!(
        "SELECT COALESCE(SUM(CASE WHEN {NEXT} < {a} THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN {NEXT} >= {b} AND {NEXT} < {c} THEN 1 ELSE 0 END), 0), COUNT(*), \
         COALESCE(SUM(CASE WHEN check_due_at < {e} THEN 1 ELSE 0 END), 0) FROM dossiers WHERE finished_at IS NULL"
    );
    push_dossier_filters(&mut q, f, db.backend());
    let r = db.query_one(&q.sql, &q.params)?;
    let (overdue, due_soon, all, check_overdue) = (r.i64(0)?, r.i64(1)?, r.i64(2)?, r.i64(3)?);
    Ok(DueTally { overdue, due_soon, on_track: all - overdue - due_soon, check_overdue })
}

/// Online dossiers received (to be received) at the reception points in the given agency
/// subtrees that still wait for their check past its due time at `now` (the index's live
/// count, issue #11 item 14). The scope is part of the query; the partial index on
/// `check_due_at` holds only waiting dossiers.
pub fn check_overdue_count(db: &mut Db, scope: &[String], now: i64) -> Result<i64, StoreError> {
    let mut q = SqlBuilder::new("SELECT COUNT(*) FROM dossiers WHERE ");
    let p = q.bind(now);
    q.push(&format!("check_due_at < {p} AND "));
    push_scope(&mut q, "receiving_path", scope);
    db.query_one(&q.sql, &q.params)?.i64(0)
}

/// One inbox counter row that differs from a recount of the held dossiers: its key
/// (path, role, status, procedure, channel, due day, check day, slot), the stored count and
/// the recounted one (0 when absent).
pub type CounterDrift = (String, i64, i64);

/// Compares every inbox counter row with a recount of the held dossiers (for `verify` and the
/// tests); empty when they agree.
pub fn inbox_counts_check(db: &mut Db) -> Result<Vec<CounterDrift>, StoreError> {
    let slot = match db.backend() {
        crate::Backend::Sqlite => "0",
        crate::Backend::Postgres => "abs(hashtext(id) % 8)",
    };
    let key = |r: &Row| -> Result<String, StoreError> {
        Ok(format!(
            "{} {} {} {} {} {} {} {}",
            r.text(0)?,
            r.text(1)?,
            r.text(2)?,
            r.text(3)?,
            r.text(4)?,
            r.i64(5)?,
            r.i64(6)?,
            r.i64(7)?
        ))
    };
    let mut stored = std::collections::BTreeMap::new();
    for r in db
        .query(
            "SELECT current_path, current_step_role, status, procedure_code, channel, due_day, check_day, CAST(slot AS BIGINT), n \
             FROM inbox_counts",
            &[],
        )?
        .iter()
    {
        stored.insert(key(r)?, r.i64(8)?);
    }
    let mut actual = std::collections::BTreeMap::new();
    let recount = format!(
        "SELECT current_path, COALESCE(current_step_role, ''), status, procedure_code, channel, \
         CAST(({NEXT_DUE} + {LOCAL_SHIFT_MS}) / {DAY_MS} AS BIGINT), CAST(COALESCE((check_due_at + {LOCAL_SHIFT_MS}) / {DAY_MS}, 0) AS BIGINT), \
         CAST({slot} AS BIGINT), COUNT(*) FROM dossiers WHERE finished_at IS NULL AND status <> 'draft' GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
    );
    for r in db.query(&recount, &[])?.iter() {
        actual.insert(key(r)?, r.i64(8)?);
    }
    let mut out = Vec::new();
    for (k, n) in &stored {
        let a = actual.get(k).copied().unwrap_or(0);
        if a != *n {
            out.push((k.clone(), *n, a));
        }
    }
    for (k, a) in &actual {
        if !stored.contains_key(k) {
            out.push((k.clone(), 0, *a));
        }
    }
    Ok(out)
}

/// Ids of every dossier (for the rebuild).
pub fn all_ids(db: &mut Db) -> Result<Vec<String>, StoreError> {
    db.query("SELECT id FROM dossiers ORDER BY id", &[])?.iter().map(|r| r.text(0)).collect()
}

/// Rewrites the projection row whatever its version (the rebuild).
pub fn overwrite(db: &mut Db, d: &Dossier) -> Result<(), StoreError> {
    db.execute("DELETE FROM dossiers WHERE id = $1", &params![&d.id])?;
    db.execute("DELETE FROM dossier_states WHERE id = $1", &params![&d.id])?;
    insert(db, d)
}

/// Walks every dossier's chain and reports the first broken event; returns the number of
/// dossiers and events checked.
pub fn verify_chains(db: &mut Db) -> Result<Result<(i64, i64), BrokenChain>, StoreError> {
    let ids: Vec<String> = db
        .query("SELECT DISTINCT dossier_id FROM dossier_events ORDER BY 1", &[])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    let mut events = 0;
    for id in &ids {
        let mut v = ChainVerifier::new(&format!("dossier:{id}"));
        let rows =
            db.query(&format!("SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id = $1 ORDER BY seq"), &params![id])?;
        // Events whose personal data a purge replaced (issue #19): their recorded hash.
        let redacted = super::archive::redactions(db, id)?;
        let mut last = None;
        for r in &rows {
            let (_, chain) = map_event(r)?;
            let pushed = match redacted.get(&chain.seq) {
                Some(h) if *h != chain.hash => Err(BrokenChain {
                    chain: format!("dossier:{id}"),
                    event_id: chain.id.clone(),
                    seq: chain.seq,
                    reason: "a redacted event's hash differs from the hash recorded at its redaction",
                }),
                Some(_) => v.push_redacted(&chain),
                None => v.push(&chain),
            };
            if let Err(b) = pushed {
                return Ok(Err(b));
            }
            last = Some((chain.seq, chain.hash.clone()));
            events += 1;
        }
        // The projection's version is the chain's head: a truncated log shows.
        let version = db.query_opt("SELECT version FROM dossiers WHERE id = $1", &params![id])?.map(|r| r.i64(0)).transpose()?;
        if let Some(version) = version
            && last.as_ref().map(|l| l.0) != Some(version)
        {
            return Ok(Err(BrokenChain {
                chain: format!("dossier:{id}"),
                event_id: id.clone(),
                seq: version,
                reason: "the dossier's version does not match its last event (events were removed)",
            }));
        }
    }
    Ok(Ok((ids.len() as i64, events)))
}
