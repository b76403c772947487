//! Users: create, read, list, change, reset password, memberships. Every read and write is
//! confined to the caller's scope (authz), and every change is audited.

use super::opt;
use crate::auth::hash_password;
use crate::{AppContext, AppError, now_ms};
use motcua_domain::authz::{Permission, Principal, authorize_user, scope};
use motcua_domain::error::{Errors, FieldError, ValidationError};
use motcua_domain::user::{self, AccountType, CitizenId, Role};
use motcua_store::Db;
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::users::{self as repo, UserFilter};
// The pages read these records through this module (they never use the store).
pub use motcua_store::repo::users::{MembershipRecord, UserRecord};
use motcua_store::repo::{agencies, new_id, sessions};
use serde_json::json;

#[derive(Debug, Clone, Default)]
pub struct MembershipInput {
    pub agency_id: String,
    pub role: String,
}

#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    pub password: String,
    /// "official" (default) or "citizen".
    pub account_type: Option<String>,
    pub memberships: Vec<MembershipInput>,
}

fn parse_memberships(errs: &mut Errors, ms: &[MembershipInput]) -> Vec<(String, Role)> {
    let mut out = Vec::new();
    for (i, m) in ms.iter().enumerate() {
        match Role::parse(m.role.trim()) {
            Some(r) => out.push((m.agency_id.trim().to_string(), r)),
            None => errs.push(FieldError::new(
                format!("memberships[{i}].role"),
                "invalid_role",
                "Vai trò không hợp lệ.",
                "Unknown role.",
            )),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Resolves the agencies of wanted memberships to their paths (checking they exist and are active).
fn membership_paths(db: &mut Db, wanted: &[(String, Role)]) -> Result<Vec<String>, AppError> {
    let mut paths = Vec::new();
    for (i, (agency_id, _)) in wanted.iter().enumerate() {
        let a = agencies::find(db, agency_id)?.ok_or_else(|| {
            AppError::Validation(ValidationError::single(
                format!("memberships[{i}].agency_id"),
                "agency_not_found",
                "Không tìm thấy cơ quan.",
                "The agency does not exist.",
            ))
        })?;
        if a.valid_to.is_some() {
            return Err(AppError::Validation(ValidationError::single(
                format!("memberships[{i}].agency_id"),
                "agency_dissolved",
                "Cơ quan này đã chấm dứt hoạt động.",
                "This agency no longer exists.",
            )));
        }
        paths.push(a.path);
    }
    Ok(paths)
}

fn audit_user(
    db: &mut Db,
    actor: Option<&Principal>,
    action: &str,
    u: &UserRecord,
    path: Option<&str>,
    payload: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        db,
        NewAudit {
            chain: ADMIN_CHAIN,
            at_ms: now_ms(),
            actor_id: actor.map(|a| a.user_id.as_str()),
            action,
            entity_kind: "user",
            entity_id: &u.id,
            agency_path: path,
            payload,
        },
    )?;
    Ok(())
}

fn membership_json(ms: &[(String, Role)]) -> serde_json::Value {
    ms.iter().map(|(a, r)| json!({"agency_id": a, "role": r.code()})).collect()
}

/// A new account whose fields are valid on their own.
#[derive(Debug, Clone)]
pub struct ValidNewUser {
    record: UserRecord,
    memberships: Vec<(String, Role)>,
}

pub fn validate_new(input: &NewUser) -> Result<ValidNewUser, AppError> {
    let mut errs = Errors::new();
    let username = errs.take(user::parse_username("username", &input.username));
    let full_name = errs.take(user::parse_full_name("full_name", &input.full_name));
    let email = opt(input.email.clone()).and_then(|e| errs.take(user::parse_email("email", &e)));
    let phone = opt(input.phone.clone()).and_then(|p| errs.take(user::parse_phone("phone", &p)));
    let citizen_id = opt(input.citizen_id.clone()).and_then(|c| errs.take(CitizenId::parse("citizen_id", &c)));
    errs.take(user::check_password("password", &input.password));
    let account_type = match input.account_type.as_deref().map(str::trim) {
        None | Some("") => Some(AccountType::Official),
        Some(s) => {
            let t = AccountType::parse(s);
            if t.is_none() {
                errs.push(FieldError::new(
                    "account_type",
                    "invalid_account_type",
                    "Loại tài khoản không hợp lệ.",
                    "Unknown account type.",
                ));
            }
            t
        }
    };
    let wanted = parse_memberships(&mut errs, &input.memberships);
    if account_type == Some(AccountType::Official) && wanted.is_empty() {
        errs.push(FieldError::new(
            "memberships",
            "memberships_required",
            "Cán bộ phải được gán vào ít nhất một cơ quan với một vai trò.",
            "An official must serve at least one agency in a role.",
        ));
    }
    if account_type == Some(AccountType::Citizen) && !wanted.is_empty() {
        errs.push(FieldError::new(
            "memberships",
            "citizen_without_memberships",
            "Tài khoản công dân không gắn với cơ quan.",
            "A citizen account serves no agency.",
        ));
    }
    errs.finish()?;
    let now = now_ms();
    Ok(ValidNewUser {
        record: UserRecord {
            id: new_id(),
            username: username.expect("checked"),
            full_name: full_name.expect("checked"),
            email,
            phone,
            citizen_id: citizen_id.map(|c| c.as_str().to_string()),
            account_type: account_type.expect("checked"),
            active: true,
            failed_logins: 0,
            locked_until: None,
            last_login_at: None,
            created_at: now,
            updated_at: now,
        },
        memberships: wanted,
    })
}

/// Creates an account. `actor` None = the system (seed, CLI).
pub async fn create(
    ctx: &AppContext,
    actor: Option<&Principal>,
    input: NewUser,
) -> Result<(UserRecord, Vec<MembershipRecord>), AppError> {
    let v = validate_new(&input)?;
    let hash = hash_password(ctx, input.password).await?;
    let actor = actor.cloned();
    ctx.store.write(move |db| create_in(db, actor.as_ref(), v, &hash)).await
}

/// Creates the account inside the caller's transaction, with an already computed hash.
pub fn create_in(
    db: &mut Db,
    actor: Option<&Principal>,
    v: ValidNewUser,
    password_hash: &str,
) -> Result<(UserRecord, Vec<MembershipRecord>), AppError> {
    let ValidNewUser { record: rec, memberships: wanted } = v;
    let paths = membership_paths(db, &wanted)?;
    if let Some(a) = actor {
        authorize_user(a, Permission::ManageUsers, &paths).map_err(|_| AppError::Forbidden)?;
    }
    repo::insert(db, &rec, password_hash)?;
    repo::set_memberships(db, &rec.id, &wanted, rec.created_at)?;
    audit_user(
        db,
        actor,
        "user.created",
        &rec,
        paths.first().map(String::as_str),
        json!({"username": rec.username, "full_name": rec.full_name, "account_type": rec.account_type.code(), "memberships": membership_json(&wanted)}),
    )?;
    let ms = repo::memberships(db, &rec.id)?;
    Ok((rec, ms))
}

/// The user, or "user not found" (not a bare store error).
fn load(db: &mut Db, id: &str) -> Result<UserRecord, AppError> {
    match repo::get(db, id) {
        Ok(u) => Ok(u),
        Err(motcua_store::StoreError::NotFound) => Err(AppError::not_found("user")),
        Err(e) => Err(e.into()),
    }
}

fn paths_of(ms: &[MembershipRecord]) -> Vec<String> {
    ms.iter().map(|m| m.agency_path.clone()).collect()
}

/// Visible = at least one of the user's agencies is in the reader's scope (the same rule
/// as the list query). Invisible users are reported as not found, not forbidden, so their
/// existence does not leak.
fn visible(actor: &Principal, target: &UserRecord, ms: &[MembershipRecord]) -> bool {
    if actor.user_id == target.id {
        return true;
    }
    let s = scope(actor, Permission::ViewUsers);
    if ms.is_empty() {
        return authorize_user(actor, Permission::ViewUsers, &[]).is_ok();
    }
    ms.iter().any(|m| s.iter().any(|p| m.agency_path.starts_with(p.as_str())))
}

pub async fn get(ctx: &AppContext, actor: &Principal, id: &str) -> Result<(UserRecord, Vec<MembershipRecord>), AppError> {
    let (actor, id) = (actor.clone(), id.to_string());
    ctx.store
        .read(move |db| {
            let u = load(db, &id)?;
            let ms = repo::memberships(db, &id)?;
            if !visible(&actor, &u, &ms) {
                return Err(AppError::not_found("user"));
            }
            Ok((u, ms))
        })
        .await
}

#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub agency_id: Option<String>,
    pub role: Option<String>,
    pub account_type: Option<String>,
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

pub async fn list(ctx: &AppContext, actor: &Principal, q: UserQuery) -> Result<(Vec<UserRecord>, i64), AppError> {
    let s = scope(actor, Permission::ViewUsers);
    if s.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut errs = Errors::new();
    let role = q.role.as_deref().filter(|r| !r.is_empty()).and_then(|r| {
        let p = Role::parse(r);
        if p.is_none() {
            errs.push(FieldError::new("role", "invalid_role", "Vai trò không hợp lệ.", "Unknown role."));
        }
        p
    });
    let account_type = q.account_type.as_deref().filter(|r| !r.is_empty()).and_then(|r| {
        let p = AccountType::parse(r);
        if p.is_none() {
            errs.push(FieldError::new(
                "account_type",
                "invalid_account_type",
                "Loại tài khoản không hợp lệ.",
                "Unknown account type.",
            ));
        }
        p
    });
    errs.finish()?;
    let filter = UserFilter {
        scope_is_global: authorize_user(actor, Permission::ViewUsers, &[]).is_ok(),
        scope: s,
        agency_id: q.agency_id.filter(|a| !a.is_empty()),
        role,
        account_type,
        q: q.q.map(|t| motcua_domain::text::fold(&t)),
        limit: if q.limit <= 0 { 50 } else { q.limit },
        offset: q.offset,
    };
    ctx.store.read(move |db| repo::list(db, &filter).map_err(AppError::from)).await
}

/// `list`, each account with its memberships (role and agency) within the actor's scope, read
/// in one more query for the whole page.
pub async fn list_with_memberships(
    ctx: &AppContext,
    actor: &Principal,
    q: UserQuery,
) -> Result<(Vec<(UserRecord, Vec<MembershipRecord>)>, i64), AppError> {
    let (users, total) = list(ctx, actor, q).await?;
    let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
    let pairs = ctx.store.read(move |db| repo::memberships_of(db, &ids).map_err(AppError::from)).await?;
    let global = authorize_user(actor, Permission::ViewUsers, &[]).is_ok();
    let s = scope(actor, Permission::ViewUsers);
    let visible = |m: &MembershipRecord| global || s.iter().any(|p| m.agency_path.starts_with(p.as_str()));
    let out = users
        .into_iter()
        .map(|u| {
            let ms = pairs.iter().filter(|(id, m)| *id == u.id && visible(m)).map(|(_, m)| m.clone()).collect();
            (u, ms)
        })
        .collect();
    Ok((out, total))
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub citizen_id: Option<Option<String>>,
    pub active: Option<bool>,
    pub memberships: Option<Vec<MembershipInput>>,
}

pub async fn update(
    ctx: &AppContext,
    actor: &Principal,
    id: &str,
    ch: UserChanges,
) -> Result<(UserRecord, Vec<MembershipRecord>), AppError> {
    let mut errs = Errors::new();
    let full_name = ch.full_name.as_deref().and_then(|n| errs.take(user::parse_full_name("full_name", n)));
    let email = ch.email.map(|e| opt(e).and_then(|e| errs.take(user::parse_email("email", &e))));
    let phone = ch.phone.map(|p| opt(p).and_then(|p| errs.take(user::parse_phone("phone", &p))));
    let citizen_id =
        ch.citizen_id.map(|c| opt(c).and_then(|c| errs.take(CitizenId::parse("citizen_id", &c)).map(|c| c.as_str().to_string())));
    let wanted = ch.memberships.as_ref().map(|ms| parse_memberships(&mut errs, ms));
    errs.finish()?;
    let (actor, id) = (actor.clone(), id.to_string());
    ctx.store
        .write(move |db| {
            let mut u = load(db, &id)?;
            let before_ms = repo::memberships(db, &id)?;
            if !visible(&actor, &u, &before_ms) {
                return Err(AppError::not_found("user"));
            }
            authorize_user(&actor, Permission::ManageUsers, &paths_of(&before_ms)).map_err(|_| AppError::Forbidden)?;
            if actor.user_id == u.id && ch.active == Some(false) {
                return Err(AppError::Validation(ValidationError::single(
                    "active",
                    "cannot_disable_self",
                    "Không thể tự vô hiệu hóa tài khoản của chính mình.",
                    "You cannot disable your own account.",
                )));
            }
            let before = json!({"full_name": u.full_name, "email": u.email, "phone": u.phone, "citizen_id": u.citizen_id, "active": u.active});
            if let Some(n) = full_name.clone() {
                u.full_name = n;
            }
            if let Some(e) = email.clone() {
                u.email = e;
            }
            if let Some(p) = phone.clone() {
                u.phone = p;
            }
            if let Some(c) = citizen_id.clone() {
                u.citizen_id = c;
            }
            if let Some(a) = ch.active {
                u.active = a;
            }
            let now = now_ms();
            u.updated_at = now;
            repo::update(db, &u)?;
            let mut payload = json!({"before": before, "after": {"full_name": u.full_name, "email": u.email, "phone": u.phone, "citizen_id": u.citizen_id, "active": u.active}});
            if let Some(w) = &wanted {
                if u.account_type == AccountType::Official && w.is_empty() {
                    return Err(AppError::Validation(ValidationError::single(
                        "memberships",
                        "memberships_required",
                        "Cán bộ phải được gán vào ít nhất một cơ quan với một vai trò.",
                        "An official must serve at least one agency in a role.",
                    )));
                }
                let new_paths = membership_paths(db, w)?;
                authorize_user(&actor, Permission::ManageUsers, &new_paths).map_err(|_| AppError::Forbidden)?;
                repo::set_memberships(db, &u.id, w, now)?;
                payload["memberships"] = membership_json(w);
            }
            if !u.active {
                sessions::delete_for_user(db, &u.id)?;
                // Disabling ends machine access too; re-enabling does not bring tokens back.
                sessions::revoke_tokens_for_user(db, &u.id, now)?;
            }
            audit_user(db, Some(&actor), "user.updated", &u, before_ms.first().map(|m| m.agency_path.as_str()), payload)?;
            let ms = repo::memberships(db, &u.id)?;
            Ok((u, ms))
        })
        .await
}

/// An administrator sets a new password; the user's sessions end.
pub async fn reset_password(ctx: &AppContext, actor: &Principal, id: &str, password: String) -> Result<(), AppError> {
    user::check_password("password", &password)?;
    let hash = hash_password(ctx, password).await?;
    let (actor, id) = (actor.clone(), id.to_string());
    ctx.store
        .write(move |db| {
            let u = load(db, &id)?;
            let ms = repo::memberships(db, &id)?;
            if !visible(&actor, &u, &ms) {
                return Err(AppError::not_found("user"));
            }
            authorize_user(&actor, Permission::ManageUsers, &paths_of(&ms)).map_err(|_| AppError::Forbidden)?;
            repo::set_password(db, &id, &hash, now_ms())?;
            sessions::delete_for_user(db, &id)?;
            sessions::revoke_tokens_for_user(db, &id, now_ms())?;
            audit_user(db, Some(&actor), "user.password_reset", &u, ms.first().map(|m| m.agency_path.as_str()), json!({}))?;
            Ok(())
        })
        .await
}

/// A user changes their own password, proving the current one.
pub async fn change_own_password(ctx: &AppContext, actor: &Principal, current: String, new: String) -> Result<(), AppError> {
    user::check_password("new_password", &new)?;
    let id = actor.user_id.clone();
    let (u, hash) = {
        let id = id.clone();
        ctx.store
            .read(move |db| {
                let u = repo::get(db, &id)?;
                let found = repo::find_for_login(db, &u.username)?.ok_or(AppError::not_found("user"))?;
                Ok::<_, AppError>(found)
            })
            .await?
    };
    if !crate::auth::verify_password(ctx, current, hash).await? {
        return Err(AppError::Validation(ValidationError::single(
            "current_password",
            "wrong_password",
            "Mật khẩu hiện tại không đúng.",
            "The current password is wrong.",
        )));
    }
    let new_hash = hash_password(ctx, new).await?;
    let actor = actor.clone();
    ctx.store
        .write(move |db| {
            repo::set_password(db, &id, &new_hash, now_ms())?;
            // A changed password ends the bearer tokens issued under the old one.
            sessions::revoke_tokens_for_user(db, &id, now_ms())?;
            let ms = repo::memberships(db, &id)?;
            audit_user(db, Some(&actor), "user.password_changed", &u, ms.first().map(|m| m.agency_path.as_str()), json!({}))?;
            Ok(())
        })
        .await
}
