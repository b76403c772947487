//! Agencies and their name history.

use super::{like_escape, parse_date, parse_opt_date, push_scope, subtree_range};
use crate::{Db, Row, SqlBuilder, StoreError, params};
use jiff::civil::Date;
use motcua_domain::agency::{AgencyFacts, AgencyKind};

#[derive(Debug, Clone, PartialEq)]
pub struct AgencyRecord {
    pub id: String,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: AgencyKind,
    pub parent_id: Option<String>,
    pub path: String,
    pub depth: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub successor_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AgencyRecord {
    pub fn facts(&self) -> AgencyFacts {
        AgencyFacts {
            id: self.id.clone(),
            kind: self.kind,
            path: self.path.clone(),
            valid_from: self.valid_from,
            valid_to: self.valid_to,
        }
    }
}

const COLUMNS: &str = "id, code, name, short_name, kind, parent_id, path, depth, valid_from, valid_to, successor_id, \
                       address, phone, email, created_at, updated_at";

fn map(r: &Row) -> Result<AgencyRecord, StoreError> {
    let kind = r.text(4)?;
    Ok(AgencyRecord {
        id: r.text(0)?,
        code: r.text(1)?,
        name: r.text(2)?,
        short_name: r.opt_text(3)?,
        kind: AgencyKind::parse(&kind).ok_or_else(|| StoreError::Decode(format!("agency kind {kind:?}")))?,
        parent_id: r.opt_text(5)?,
        path: r.text(6)?,
        depth: r.i64(7)?,
        valid_from: parse_date(&r.text(8)?)?,
        valid_to: parse_opt_date(r.opt_text(9)?)?,
        successor_id: r.opt_text(10)?,
        address: r.opt_text(11)?,
        phone: r.opt_text(12)?,
        email: r.opt_text(13)?,
        created_at: r.i64(14)?,
        updated_at: r.i64(15)?,
    })
}

fn search_text(a: &AgencyRecord) -> String {
    motcua_domain::text::fold(&format!("{} {} {}", a.code, a.name, a.short_name.as_deref().unwrap_or("")))
}

pub fn insert(db: &mut Db, a: &AgencyRecord) -> Result<(), StoreError> {
    db.execute(
        &format!(
            "INSERT INTO agencies ({COLUMNS}, search_text) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"
        ),
        &params![
            &a.id,
            &a.code,
            &a.name,
            a.short_name.clone(),
            a.kind.code(),
            a.parent_id.clone(),
            &a.path,
            a.depth,
            a.valid_from.to_string(),
            a.valid_to.map(|d| d.to_string()),
            a.successor_id.clone(),
            a.address.clone(),
            a.phone.clone(),
            a.email.clone(),
            a.created_at,
            a.updated_at,
            search_text(a)
        ],
    )?;
    db.execute(
        "INSERT INTO agency_names (agency_id, name, valid_from, valid_to) VALUES ($1, $2, $3, NULL)",
        &params![&a.id, &a.name, a.valid_from.to_string()],
    )?;
    Ok(())
}

pub fn get(db: &mut Db, id: &str) -> Result<AgencyRecord, StoreError> {
    map(&db.query_one(&format!("SELECT {COLUMNS} FROM agencies WHERE id = $1"), &params![id])?)
}

pub fn find(db: &mut Db, id: &str) -> Result<Option<AgencyRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM agencies WHERE id = $1"), &params![id])?.as_ref().map(map).transpose()
}

pub fn get_by_code(db: &mut Db, code: &str) -> Result<Option<AgencyRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM agencies WHERE code = $1"), &params![code])?.as_ref().map(map).transpose()
}

#[derive(Debug, Clone, Default)]
pub struct AgencyFilter {
    /// Subtrees the caller may see; `None` = no restriction (public reads).
    pub scope: Option<Vec<String>>,
    pub parent_id: Option<String>,
    pub kind: Option<AgencyKind>,
    /// Folded search text (see `text::fold`).
    pub q: Option<String>,
    /// Only agencies in existence on that day.
    pub active_on: Option<Date>,
    pub limit: i64,
    pub offset: i64,
}

pub fn list(db: &mut Db, f: &AgencyFilter) -> Result<(Vec<AgencyRecord>, i64), StoreError> {
    let mut q = SqlBuilder::new(" FROM agencies WHERE 1 = 1");
    if let Some(scope) = &f.scope {
        q.push(" AND ");
        push_scope(&mut q, "path", scope);
    }
    if let Some(p) = &f.parent_id {
        let ph = q.bind(p);
        q.push(&format!(" AND parent_id = {ph}"));
    }
    if let Some(k) = f.kind {
        let ph = q.bind(k.code());
        q.push(&format!(" AND kind = {ph}"));
    }
    if let Some(text) = f.q.as_deref().filter(|t| !t.is_empty()) {
        let ph = q.bind(format!("%{}%", like_escape(text)));
        q.push(&format!(" AND search_text LIKE {ph} ESCAPE '\\'"));
    }
    if let Some(day) = f.active_on {
        let a = q.bind(day.to_string());
        let b = q.bind(day.to_string());
        q.push(&format!(" AND valid_from <= {a} AND (valid_to IS NULL OR valid_to > {b})"));
    }
    let total = db.query_one(&format!("SELECT COUNT(*){}", q.sql), &q.params)?.i64(0)?;
    let lim = q.bind(f.limit.clamp(1, 1000));
    let off = q.bind(f.offset.max(0));
    let rows = db.query(&format!("SELECT {COLUMNS}{} ORDER BY path LIMIT {lim} OFFSET {off}", q.sql), &q.params)?;
    Ok((rows.iter().map(map).collect::<Result<_, _>>()?, total))
}

/// Name in force on `day` (from the history), falling back to the current name.
pub fn name_on(db: &mut Db, id: &str, day: Date) -> Result<Option<String>, StoreError> {
    let d = day.to_string();
    let row = db.query_opt(
        "SELECT name FROM agency_names WHERE agency_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2) \
         ORDER BY valid_from DESC LIMIT 1",
        &params![id, d],
    )?;
    row.map(|r| r.text(0)).transpose()
}

#[derive(Debug, Clone, PartialEq)]
pub struct NameRecord {
    pub name: String,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

pub fn name_history(db: &mut Db, id: &str) -> Result<Vec<NameRecord>, StoreError> {
    db.query("SELECT name, valid_from, valid_to FROM agency_names WHERE agency_id = $1 ORDER BY valid_from", &params![id])?
        .iter()
        .map(|r| {
            Ok(NameRecord { name: r.text(0)?, valid_from: parse_date(&r.text(1)?)?, valid_to: parse_opt_date(r.opt_text(2)?)? })
        })
        .collect()
}

/// Renames from `effective` on: the old name stays in the history for earlier days.
pub fn rename(db: &mut Db, id: &str, name: &str, effective: Date, now_ms: i64) -> Result<(), StoreError> {
    let d = effective.to_string();
    // A rename on the same day as the last one replaces it.
    db.execute("DELETE FROM agency_names WHERE agency_id = $1 AND valid_from = $2", &params![id, &d])?;
    db.execute(
        "UPDATE agency_names SET valid_to = $2 WHERE agency_id = $1 AND valid_from < $2 AND (valid_to IS NULL OR valid_to > $2)",
        &params![id, &d],
    )?;
    db.execute(
        "INSERT INTO agency_names (agency_id, name, valid_from, valid_to) VALUES ($1, $2, $3, NULL)",
        &params![id, name, &d],
    )?;
    let mut a = get(db, id)?;
    a.name = name.to_string();
    db.execute(
        "UPDATE agencies SET name = $2, search_text = $3, updated_at = $4 WHERE id = $1",
        &params![id, name, search_text(&a), now_ms],
    )?;
    Ok(())
}

/// Updates contact details and short name (no history needed).
pub fn update_details(db: &mut Db, a: &AgencyRecord, now_ms: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE agencies SET short_name = $2, address = $3, phone = $4, email = $5, search_text = $6, updated_at = $7 WHERE id = $1",
        &params![&a.id, a.short_name.clone(), a.address.clone(), a.phone.clone(), a.email.clone(), search_text(a), now_ms],
    )?;
    Ok(())
}

/// What a merger moved, for the audit event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeOutcome {
    pub moved_children: Vec<String>,
    pub moved_memberships: u64,
}

/// Ends `source` on `effective`, links it to `target`, moves its direct children (and so
/// their subtrees) and its staff to `target`. The source keeps its id, code and history.
pub fn merge(
    db: &mut Db,
    source: &AgencyRecord,
    target: &AgencyRecord,
    effective: Date,
    now_ms: i64,
) -> Result<MergeOutcome, StoreError> {
    db.execute(
        "UPDATE agencies SET valid_to = $2, successor_id = $3, updated_at = $4 WHERE id = $1",
        &params![&source.id, effective.to_string(), &target.id, now_ms],
    )?;
    db.execute(
        "UPDATE agency_names SET valid_to = $2 WHERE agency_id = $1 AND valid_to IS NULL",
        &params![&source.id, effective.to_string()],
    )?;
    let children: Vec<String> = db
        .query("SELECT id FROM agencies WHERE parent_id = $1 AND valid_to IS NULL ORDER BY id", &params![&source.id])?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_, _>>()?;
    for child in &children {
        let c = get(db, child)?;
        let new_path = motcua_domain::agency::child_path(Some(&target.path), &c.id);
        let (lo, hi) = subtree_range(&c.path);
        let old_len = c.path.chars().count() as i64;
        db.execute(
            "UPDATE agencies SET path = $1 || substr(path, $2), depth = depth + $3, updated_at = $4 WHERE path >= $5 AND path < $6",
            &params![new_path, old_len + 1, target.depth + 1 - c.depth, now_ms, lo, hi],
        )?;
        db.execute("UPDATE agencies SET parent_id = $2 WHERE id = $1", &params![child, &target.id])?;
    }
    // Staff of the dissolved unit now serve its successor; duplicates are dropped.
    let moved = db.execute(
        "INSERT INTO memberships (user_id, agency_id, role, created_at) \
         SELECT user_id, $2, role, $3 FROM memberships WHERE agency_id = $1 ON CONFLICT DO NOTHING",
        &params![&source.id, &target.id, now_ms],
    )?;
    db.execute("DELETE FROM memberships WHERE agency_id = $1", &params![&source.id])?;
    Ok(MergeOutcome { moved_children: children, moved_memberships: moved })
}

pub fn count(db: &mut Db) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM agencies", &[])?.i64(0)
}
