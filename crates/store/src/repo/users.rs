//! Users and their memberships (role at an agency).

use super::{like_escape, push_scope};
use crate::{Db, Row, SqlBuilder, StoreError, params};
use motcua_domain::authz::Membership;
use motcua_domain::user::{AccountType, Role};

#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    pub account_type: AccountType,
    pub active: bool,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MembershipRecord {
    pub agency_id: String,
    pub agency_code: String,
    pub agency_name: String,
    pub agency_path: String,
    pub role: Role,
}

impl MembershipRecord {
    pub fn to_domain(&self) -> Membership {
        Membership { agency_id: self.agency_id.clone(), agency_path: self.agency_path.clone(), role: self.role }
    }
}

const COLUMNS: &str = "u.id, u.username, u.full_name, u.email, u.phone, u.citizen_id, u.account_type, u.status, \
                       u.failed_logins, u.locked_until, u.last_login_at, u.created_at, u.updated_at";

fn map(r: &Row) -> Result<UserRecord, StoreError> {
    let at = r.text(6)?;
    Ok(UserRecord {
        id: r.text(0)?,
        username: r.text(1)?,
        full_name: r.text(2)?,
        email: r.opt_text(3)?,
        phone: r.opt_text(4)?,
        citizen_id: r.opt_text(5)?,
        account_type: AccountType::parse(&at).ok_or_else(|| StoreError::Decode(format!("account type {at:?}")))?,
        active: r.text(7)? == "active",
        failed_logins: r.i64(8)?,
        locked_until: r.opt_i64(9)?,
        last_login_at: r.opt_i64(10)?,
        created_at: r.i64(11)?,
        updated_at: r.i64(12)?,
    })
}

fn search_text(u: &UserRecord) -> String {
    motcua_domain::text::fold(&format!(
        "{} {} {} {}",
        u.username,
        u.full_name,
        u.email.as_deref().unwrap_or(""),
        u.phone.as_deref().unwrap_or("")
    ))
}

pub fn insert(db: &mut Db, u: &UserRecord, password_hash: &str) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO users (id, username, full_name, email, phone, citizen_id, account_type, status, failed_logins, \
         locked_until, last_login_at, created_at, updated_at, password_hash, search_text) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)",
        &params![
            &u.id,
            &u.username,
            &u.full_name,
            u.email.clone(),
            u.phone.clone(),
            u.citizen_id.clone(),
            u.account_type.code(),
            if u.active { "active" } else { "disabled" },
            u.failed_logins,
            u.locked_until,
            u.last_login_at,
            u.created_at,
            u.updated_at,
            password_hash,
            search_text(u)
        ],
    )?;
    Ok(())
}

/// Profile fields and status (not the password, not the login counters).
pub fn update(db: &mut Db, u: &UserRecord) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET full_name = $2, email = $3, phone = $4, citizen_id = $5, status = $6, updated_at = $7, \
         search_text = $8 WHERE id = $1",
        &params![
            &u.id,
            &u.full_name,
            u.email.clone(),
            u.phone.clone(),
            u.citizen_id.clone(),
            if u.active { "active" } else { "disabled" },
            u.updated_at,
            search_text(u)
        ],
    )?;
    Ok(())
}

pub fn set_password(db: &mut Db, id: &str, hash: &str, now_ms: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, updated_at = $3 WHERE id = $1",
        &params![id, hash, now_ms],
    )?;
    Ok(())
}

pub fn get(db: &mut Db, id: &str) -> Result<UserRecord, StoreError> {
    map(&db.query_one(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"), &params![id])?)
}

/// The user and its password hash, for a login attempt.
pub fn find_for_login(db: &mut Db, username: &str) -> Result<Option<(UserRecord, String)>, StoreError> {
    let row =
        db.query_opt(&format!("SELECT {COLUMNS}, u.password_hash FROM users u WHERE u.username = $1"), &params![username])?;
    row.map(|r| Ok((map(&r)?, r.text(13)?))).transpose()
}

pub fn record_login_success(db: &mut Db, id: &str, now_ms: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1",
        &params![id, now_ms],
    )?;
    Ok(())
}

fn membership_of(r: &Row) -> Result<MembershipRecord, StoreError> {
    let role = r.text(4)?;
    Ok(MembershipRecord {
        agency_id: r.text(0)?,
        agency_code: r.text(1)?,
        agency_name: r.text(2)?,
        agency_path: r.text(3)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Decode(format!("role {role:?}")))?,
    })
}

pub fn memberships(db: &mut Db, user_id: &str) -> Result<Vec<MembershipRecord>, StoreError> {
    db.query(
        "SELECT m.agency_id, a.code, a.name, a.path, m.role FROM memberships m JOIN agencies a ON a.id = m.agency_id \
         WHERE m.user_id = $1 ORDER BY a.path, m.role",
        &params![user_id],
    )?
    .iter()
    .map(membership_of)
    .collect()
}

/// The memberships of several users in one query (a page of the users list), as
/// (user id, membership) pairs.
pub fn memberships_of(db: &mut Db, user_ids: &[String]) -> Result<Vec<(String, MembershipRecord)>, StoreError> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::SqlBuilder::new(
        "SELECT m.agency_id, a.code, a.name, a.path, m.role, m.user_id FROM memberships m \
         JOIN agencies a ON a.id = m.agency_id WHERE m.user_id IN ",
    );
    q.push_in(user_ids).push(" ORDER BY a.path, m.role");
    db.query(&q.sql, &q.params)?.iter().map(|r| Ok((r.text(5)?, membership_of(r)?))).collect()
}

/// Replaces the user's memberships with `wanted`.
pub fn set_memberships(db: &mut Db, user_id: &str, wanted: &[(String, Role)], now_ms: i64) -> Result<(), StoreError> {
    db.execute("DELETE FROM memberships WHERE user_id = $1", &params![user_id])?;
    for (agency_id, role) in wanted {
        db.execute(
            "INSERT INTO memberships (user_id, agency_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            &params![user_id, agency_id, role.code(), now_ms],
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Subtrees the caller may see: a user is visible when one of its memberships is inside.
    pub scope: Vec<String>,
    /// The scope includes a root agency: accounts serving no agency (citizens) are visible too.
    pub scope_is_global: bool,
    pub agency_id: Option<String>,
    pub role: Option<Role>,
    pub account_type: Option<AccountType>,
    /// Folded search text.
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub fn list(db: &mut Db, f: &UserFilter) -> Result<(Vec<UserRecord>, i64), StoreError> {
    let mut q = SqlBuilder::new(" FROM users u WHERE 1 = 1");
    if !f.scope_is_global {
        q.push(" AND EXISTS (SELECT 1 FROM memberships m JOIN agencies a ON a.id = m.agency_id WHERE m.user_id = u.id AND ");
        push_scope(&mut q, "a.path", &f.scope);
        q.push(")");
    }
    if f.agency_id.is_some() || f.role.is_some() {
        q.push(" AND EXISTS (SELECT 1 FROM memberships m2 WHERE m2.user_id = u.id");
        if let Some(a) = &f.agency_id {
            let ph = q.bind(a);
            q.push(&format!(" AND m2.agency_id = {ph}"));
        }
        if let Some(r) = f.role {
            let ph = q.bind(r.code());
            q.push(&format!(" AND m2.role = {ph}"));
        }
        q.push(")");
    }
    if let Some(t) = f.account_type {
        let ph = q.bind(t.code());
        q.push(&format!(" AND u.account_type = {ph}"));
    }
    if let Some(text) = f.q.as_deref().filter(|t| !t.is_empty()) {
        let ph = q.bind(format!("%{}%", like_escape(text)));
        q.push(&format!(" AND u.search_text LIKE {ph} ESCAPE '\\'"));
    }
    let total = db.query_one(&format!("SELECT COUNT(*){}", q.sql), &q.params)?.i64(0)?;
    let lim = q.bind(f.limit.clamp(1, 1000));
    let off = q.bind(f.offset.max(0));
    let rows = db.query(&format!("SELECT {COLUMNS}{} ORDER BY u.username LIMIT {lim} OFFSET {off}", q.sql), &q.params)?;
    Ok((rows.iter().map(map).collect::<Result<_, _>>()?, total))
}

pub fn count(db: &mut Db) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM users", &[])?.i64(0)
}
