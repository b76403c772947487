//! Petitions (PAKN, migration 0032): the rows, their append-only history, the contact-read
//! log. Lists take the subtrees the caller may read, one for each kind (`quy_dinh` for
//! handlers, `can_bo` for leaders and inspectors), and put both in the query.

use super::push_scope;
use crate::{Db, SqlBuilder, StoreError, params};

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PetitionRow {
    pub id: String,
    pub code: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub kind: String,
    pub state: String,
    pub agency_id: String,
    pub agency_path: String,
    pub dossier_id: Option<String>,
    pub dossier_code: Option<String>,
    pub owner_id: Option<String>,
    /// Personal data: read through the logged contact read only.
    #[serde(skip)]
    pub name: Option<String>,
    #[serde(skip)]
    pub contact: Option<String>,
    pub body: String,
    /// The last note of the unit to the petitioner (reason of a rejection, what to add).
    pub note: Option<String>,
    pub answer: Option<String>,
    pub received_at: i64,
    pub reject_due: i64,
    pub supplement_due: i64,
    pub resolve_due: i64,
    pub rejected_at: Option<i64>,
    pub supplement_requested_at: Option<i64>,
    pub assigned_at: Option<i64>,
    pub answered_at: Option<i64>,
    pub publish_due: Option<i64>,
    pub published_at: Option<i64>,
    pub rating: Option<String>,
    pub rated_at: Option<i64>,
    pub complained_at: Option<i64>,
    pub follow_up_of: Option<String>,
    pub version: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, code, secret_hash, kind, state, agency_id, agency_path, dossier_id, dossier_code, owner_id, name, \
    contact, body, note, answer, received_at, reject_due, supplement_due, resolve_due, rejected_at, supplement_requested_at, \
    assigned_at, answered_at, publish_due, published_at, rating, rated_at, complained_at, follow_up_of, version, updated_at";

fn row(r: &crate::Row) -> Result<PetitionRow, StoreError> {
    Ok(PetitionRow {
        id: r.text(0)?,
        code: r.text(1)?,
        secret_hash: r.text(2)?,
        kind: r.text(3)?,
        state: r.text(4)?,
        agency_id: r.text(5)?,
        agency_path: r.text(6)?,
        dossier_id: r.opt_text(7)?,
        dossier_code: r.opt_text(8)?,
        owner_id: r.opt_text(9)?,
        name: r.opt_text(10)?,
        contact: r.opt_text(11)?,
        body: r.text(12)?,
        note: r.opt_text(13)?,
        answer: r.opt_text(14)?,
        received_at: r.i64(15)?,
        reject_due: r.i64(16)?,
        supplement_due: r.i64(17)?,
        resolve_due: r.i64(18)?,
        rejected_at: r.opt_i64(19)?,
        supplement_requested_at: r.opt_i64(20)?,
        assigned_at: r.opt_i64(21)?,
        answered_at: r.opt_i64(22)?,
        publish_due: r.opt_i64(23)?,
        published_at: r.opt_i64(24)?,
        rating: r.opt_text(25)?,
        rated_at: r.opt_i64(26)?,
        complained_at: r.opt_i64(27)?,
        follow_up_of: r.opt_text(28)?,
        version: r.i64(29)?,
        updated_at: r.i64(30)?,
    })
}

pub fn insert(db: &mut Db, p: &PetitionRow) -> Result<(), StoreError> {
    db.execute(
        &format!(
            "INSERT INTO petitions ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,\
             $21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31)"
        ),
        &params![
            &p.id,
            &p.code,
            &p.secret_hash,
            &p.kind,
            &p.state,
            &p.agency_id,
            &p.agency_path,
            p.dossier_id.as_deref(),
            p.dossier_code.as_deref(),
            p.owner_id.as_deref(),
            p.name.as_deref(),
            p.contact.as_deref(),
            &p.body,
            p.note.as_deref(),
            p.answer.as_deref(),
            p.received_at,
            p.reject_due,
            p.supplement_due,
            p.resolve_due,
            p.rejected_at,
            p.supplement_requested_at,
            p.assigned_at,
            p.answered_at,
            p.publish_due,
            p.published_at,
            p.rating.as_deref(),
            p.rated_at,
            p.complained_at,
            p.follow_up_of.as_deref(),
            p.version,
            p.updated_at
        ],
    )?;
    Ok(())
}

/// Writes the row back if nobody changed it since `p.version - 1` was read: whether it did.
pub fn update(db: &mut Db, p: &PetitionRow) -> Result<bool, StoreError> {
    Ok(db.execute(
        "UPDATE petitions SET kind=$2, state=$3, agency_id=$4, agency_path=$5, note=$6, answer=$7, rejected_at=$8, \
         supplement_requested_at=$9, assigned_at=$10, answered_at=$11, publish_due=$12, published_at=$13, rating=$14, \
         rated_at=$15, complained_at=$16, body=$17, version=$18, updated_at=$19 WHERE id=$1 AND version=$20",
        &params![
            &p.id,
            &p.kind,
            &p.state,
            &p.agency_id,
            &p.agency_path,
            p.note.as_deref(),
            p.answer.as_deref(),
            p.rejected_at,
            p.supplement_requested_at,
            p.assigned_at,
            p.answered_at,
            p.publish_due,
            p.published_at,
            p.rating.as_deref(),
            p.rated_at,
            p.complained_at,
            &p.body,
            p.version,
            p.updated_at,
            p.version - 1
        ],
    )? == 1)
}

pub fn get(db: &mut Db, id: &str) -> Result<Option<PetitionRow>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM petitions WHERE id = $1"), &params![id])?.as_ref().map(row).transpose()
}

pub fn by_code(db: &mut Db, code: &str) -> Result<Option<PetitionRow>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM petitions WHERE code = $1"), &params![code])?.as_ref().map(row).transpose()
}

/// One step of a petition's history, appended in the transaction that changes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EventRow {
    pub seq: i64,
    pub at_ms: i64,
    /// The official, or none (the petitioner, the system).
    pub actor_id: Option<String>,
    pub action: String,
    pub state: String,
    pub note: Option<String>,
}

pub fn append(
    db: &mut Db,
    petition_id: &str,
    at: i64,
    actor: Option<&str>,
    action: &str,
    state: &str,
    note: Option<&str>,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO petition_events (petition_id, seq, at_ms, actor_id, action, state, note) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM petition_events WHERE petition_id = $1",
        &params![petition_id, at, actor, action, state, note],
    )?;
    Ok(())
}

pub fn events(db: &mut Db, petition_id: &str) -> Result<Vec<EventRow>, StoreError> {
    db.query(
        "SELECT seq, at_ms, actor_id, action, state, note FROM petition_events WHERE petition_id = $1 ORDER BY seq LIMIT 500",
        &params![petition_id],
    )?
    .iter()
    .map(|r| {
        Ok(EventRow {
            seq: r.i64(0)?,
            at_ms: r.i64(1)?,
            actor_id: r.opt_text(2)?,
            action: r.text(3)?,
            state: r.text(4)?,
            note: r.opt_text(5)?,
        })
    })
    .collect()
}

/// `(kind = 'quy_dinh' AND path in regular) OR (kind = 'can_bo' AND path in official)`.
fn push_kind_scope(q: &mut SqlBuilder, regular: &[String], official: &[String]) {
    q.push("((p.kind = 'quy_dinh' AND ");
    push_scope(q, "p.agency_path", regular);
    q.push(") OR (p.kind = 'can_bo' AND ");
    push_scope(q, "p.agency_path", official);
    q.push("))");
}

/// The petitions the caller may read, most urgent first (open ones by deadline), at most
/// `limit`; `state` narrows to one state.
pub fn list(
    db: &mut Db,
    regular: &[String],
    official: &[String],
    state: Option<&str>,
    limit: usize,
) -> Result<Vec<PetitionRow>, StoreError> {
    let cols = COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let mut q = SqlBuilder::new(&format!("SELECT {cols} FROM petitions p WHERE "));
    push_kind_scope(&mut q, regular, official);
    if let Some(s) = state {
        let b = q.bind(s);
        q.push(&format!(" AND p.state = {b}"));
    }
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(
        " ORDER BY CASE WHEN p.state IN ('received','assigned','supplement_requested','answered') THEN 0 ELSE 1 END, \
         p.resolve_due, p.id LIMIT {l}"
    ));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// Published answers, newest first (`offset`, `limit`).
pub fn published(db: &mut Db, limit: usize, offset: usize) -> Result<Vec<PetitionRow>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM petitions WHERE published_at IS NOT NULL ORDER BY published_at DESC, id LIMIT $1 OFFSET $2"
        ),
        &params![i64::try_from(limit).unwrap_or(i64::MAX), i64::try_from(offset).unwrap_or(0)],
    )?
    .iter()
    .map(row)
    .collect()
}

pub fn log_contact_read(db: &mut Db, petition_id: &str, user_id: &str, at: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO petition_contact_reads (id, petition_id, user_id, at_ms) VALUES ($1,$2,$3,$4)",
        &params![super::new_id(), petition_id, user_id, at],
    )?;
    Ok(())
}

/// One read of a petitioner's contact details.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactRead {
    pub at_ms: i64,
    pub petition_id: String,
    pub petition_code: String,
    pub user_id: String,
    pub username: String,
    pub full_name: String,
}

/// The contact reads of petitions in `scope`, newest first, at most `limit`.
pub fn contact_reads(db: &mut Db, scope: &[String], limit: usize) -> Result<Vec<ContactRead>, StoreError> {
    let mut q = SqlBuilder::new(
        "SELECT r.at_ms, r.petition_id, p.code, r.user_id, u.username, u.full_name FROM petition_contact_reads r \
         JOIN petitions p ON p.id = r.petition_id JOIN users u ON u.id = r.user_id WHERE ",
    );
    push_scope(&mut q, "p.agency_path", scope);
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(" ORDER BY r.at_ms DESC, r.id DESC LIMIT {l}"));
    db.query(&q.sql, &q.params)?
        .iter()
        .map(|r| {
            Ok(ContactRead {
                at_ms: r.i64(0)?,
                petition_id: r.text(1)?,
                petition_code: r.text(2)?,
                user_id: r.text(3)?,
                username: r.text(4)?,
                full_name: r.text(5)?,
            })
        })
        .collect()
}

/// The petitions of the subtree `scope` that count in a period `[from, to)`: received in
/// it, or handled in it (rejected, answered, published), at most `limit`.
pub fn for_period(db: &mut Db, scope: &str, from: i64, to: i64, limit: usize) -> Result<Vec<PetitionRow>, StoreError> {
    let cols = COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let mut q = SqlBuilder::new(&format!("SELECT {cols} FROM petitions p WHERE "));
    push_scope(&mut q, "p.agency_path", &[scope.to_string()]);
    let (a, b) = (q.bind(from), q.bind(to));
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(
        " AND ((p.received_at >= {a} AND p.received_at < {b}) OR (p.rejected_at >= {a} AND p.rejected_at < {b}) \
         OR (p.answered_at >= {a} AND p.answered_at < {b}) OR (p.published_at >= {a} AND p.published_at < {b})) \
         ORDER BY p.received_at, p.id LIMIT {l}"
    ));
    db.query(&q.sql, &q.params)?.iter().map(row).collect()
}

/// Dossiers finished in `[from, to)` that a petition of the subtree received in the period
/// is linked to, and which the 5.4 counters do not already count as lost (finished late,
/// rated unsatisfied): (dossier id, petition agency path), at most `limit`. A dislike is the
/// rating's own `satisfied` (the event's first field after its tag), not a dimension's.
pub fn petitioned_dossiers(
    db: &mut Db,
    scope: &str,
    from: i64,
    to: i64,
    limit: usize,
) -> Result<Vec<(String, String)>, StoreError> {
    let mut q = SqlBuilder::new("SELECT d.id, MIN(p.agency_path) FROM petitions p JOIN dossiers d ON d.id = p.dossier_id WHERE ");
    push_scope(&mut q, "p.agency_path", &[scope.to_string()]);
    let (a, b) = (q.bind(from), q.bind(to));
    let l = q.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    q.push(&format!(
        " AND p.received_at >= {a} AND p.received_at < {b} AND d.finished_at >= {a} AND d.finished_at < {b} \
         AND COALESCE(d.timeliness, '') <> 'late' \
         AND NOT EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.kind = 'rated' \
             AND e.payload LIKE '{{\"kind\":\"rated\",\"satisfied\":false%') \
         GROUP BY d.id ORDER BY d.id LIMIT {l}"
    ));
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.text(0)?, r.text(1)?))).collect()
}

/// Open petitions (held by a unit, or answered and not yet published) whose next deadline
/// falls before `before`, at most `limit`, earliest first; those already escalated for that
/// deadline (a reminder key of kind `escalated`) are left out, so escalated petitions never
/// crowd out the others.
pub fn due_before(db: &mut Db, before: i64, escalated: &str, limit: usize) -> Result<Vec<PetitionRow>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM petitions p WHERE \
             ((p.state IN ('received','assigned','supplement_requested') AND p.resolve_due <= $1) \
             OR (p.state = 'answered' AND p.publish_due <= $1)) \
             AND NOT EXISTS (SELECT 1 FROM reminder_keys k WHERE k.subject = p.id AND k.kind = $3 AND k.threshold = 0 \
                 AND k.due_at = CASE WHEN p.state = 'answered' THEN p.publish_due ELSE p.resolve_due END) \
             ORDER BY p.resolve_due, p.id LIMIT $2"
        ),
        &params![before, i64::try_from(limit).unwrap_or(i64::MAX), escalated],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The active handlers (reception officers, specialists) of the agency at `path`, or the
/// leaders of the nearest agency above when it has none (a reminder always reaches someone).
pub fn handlers_of(db: &mut Db, path: &str) -> Result<Vec<String>, StoreError> {
    let users: Vec<String> = db
        .query(
            "SELECT DISTINCT u.id FROM memberships m JOIN agencies a ON a.id = m.agency_id JOIN users u ON u.id = m.user_id \
             WHERE a.path = $1 AND m.role IN ('specialist','reception_officer') AND u.status = 'active' ORDER BY u.id",
            &params![path],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    if users.is_empty() { super::notifications::nearest_leaders(db, path) } else { Ok(users) }
}
