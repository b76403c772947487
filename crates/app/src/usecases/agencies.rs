//! Agencies: create, update details, rename (effective-dated), merge.

use super::{opt, parse_date};
use crate::{AppContext, AppError, now_ms};
use motcua_domain::agency::{self, AgencyCode, AgencyKind, check_merge};
use motcua_domain::authz::{Permission, Principal, authorize};
use motcua_domain::error::{Errors, FieldError, ValidationError};
use motcua_store::Db;
use motcua_store::repo::agencies::{self as repo, MergeOutcome, NameRecord};
// The pages build a filter and read the records through this module (they never use the store).
pub use motcua_store::repo::agencies::{AgencyFilter, AgencyRecord};
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::new_id;
use serde_json::json;

#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent_id: Option<String>,
    pub valid_from: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A new agency whose fields are valid on their own (the tree rules need the database).
#[derive(Debug, Clone)]
pub struct ValidNewAgency {
    code: AgencyCode,
    name: String,
    short_name: Option<String>,
    kind: AgencyKind,
    parent_id: Option<String>,
    valid_from: jiff::civil::Date,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

/// `today` is the first day of validity when the input names none.
pub fn validate_new(input: NewAgency, today: jiff::civil::Date) -> Result<ValidNewAgency, AppError> {
    let mut errs = Errors::new();
    let code = errs.take(AgencyCode::parse("code", &input.code));
    let name = errs.take(agency::parse_name("name", &input.name));
    let kind = AgencyKind::parse(input.kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new("kind", "invalid_kind", "Loại cơ quan không hợp lệ.", "Unknown agency kind."));
    }
    let valid_from = match input.valid_from.as_deref() {
        Some(s) => errs.take(parse_date("valid_from", s)),
        None => Some(today),
    };
    let phone = opt(input.phone).and_then(|p| errs.take(motcua_domain::user::parse_phone("phone", &p)));
    let email = opt(input.email).and_then(|e| errs.take(motcua_domain::user::parse_email("email", &e)));
    errs.finish()?;
    Ok(ValidNewAgency {
        code: code.expect("checked"),
        name: name.expect("checked"),
        short_name: opt(input.short_name),
        kind: kind.expect("checked"),
        parent_id: opt(input.parent_id),
        valid_from: valid_from.expect("checked"),
        address: opt(input.address),
        phone,
        email,
    })
}

/// `actor` None = the system itself (seed, CLI), which may create roots.
pub async fn create(ctx: &AppContext, actor: Option<&Principal>, input: NewAgency) -> Result<AgencyRecord, AppError> {
    let v = validate_new(input, ctx.clock.today())?;
    let actor = actor.cloned();
    ctx.store.write(move |db| create_in(db, actor.as_ref(), v)).await
}

/// Creates the agency inside the caller's transaction.
pub fn create_in(db: &mut Db, actor: Option<&Principal>, v: ValidNewAgency) -> Result<AgencyRecord, AppError> {
    let parent = match &v.parent_id {
        Some(pid) => Some(repo::find(db, pid)?.ok_or_else(|| {
            AppError::Validation(ValidationError::single(
                "parent_id",
                "parent_not_found",
                "Không tìm thấy cơ quan cấp trên.",
                "The parent agency does not exist.",
            ))
        })?),
        None => None,
    };
    if let Some(a) = actor {
        match &parent {
            Some(p) => authorize(a, Permission::ManageAgencies, &p.path).map_err(|_| AppError::Forbidden)?,
            None => return Err(AppError::Forbidden),
        }
    }
    if !v.kind.may_be_child_of(parent.as_ref().map(|p| p.kind)) {
        return Err(AppError::Validation(ValidationError::single(
            "kind",
            "kind_not_allowed_here",
            "Loại cơ quan này không thể trực thuộc cơ quan cấp trên đã chọn.",
            "An agency of this kind cannot sit under the chosen parent.",
        )));
    }
    if parent.as_ref().is_some_and(|p| p.valid_to.is_some()) {
        return Err(AppError::Validation(ValidationError::single(
            "parent_id",
            "parent_dissolved",
            "Cơ quan cấp trên đã chấm dứt hoạt động.",
            "The parent agency no longer exists.",
        )));
    }
    let id = new_id();
    let now = now_ms();
    let rec = AgencyRecord {
        path: agency::child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
        depth: parent.as_ref().map_or(1, |p| p.depth + 1),
        id,
        code: v.code.as_str().to_string(),
        name: v.name,
        short_name: v.short_name,
        kind: v.kind,
        parent_id: v.parent_id,
        valid_from: v.valid_from,
        valid_to: None,
        successor_id: None,
        address: v.address,
        phone: v.phone,
        email: v.email,
        created_at: now,
        updated_at: now,
    };
    repo::insert(db, &rec)?;
    audit::append(
        db,
        NewAudit {
            chain: ADMIN_CHAIN,
            at_ms: now,
            actor_id: actor.map(|a| a.user_id.as_str()),
            action: "agency.created",
            entity_kind: "agency",
            entity_id: &rec.id,
            agency_path: Some(&rec.path),
            payload: json!({"code": rec.code, "name": rec.name, "kind": rec.kind.code(), "parent_id": rec.parent_id, "valid_from": rec.valid_from.to_string()}),
        },
    )?;
    Ok(rec)
}

pub async fn get(ctx: &AppContext, id: &str) -> Result<(AgencyRecord, Vec<NameRecord>), AppError> {
    let id = id.to_string();
    ctx.store
        .read(move |db| {
            let a = repo::find(db, &id)?.ok_or(AppError::not_found("agency"))?;
            let names = repo::name_history(db, &id)?;
            Ok((a, names))
        })
        .await
}

/// The agency with this electronic identifier code, if any.
pub async fn by_code(ctx: &AppContext, code: &str) -> Result<Option<AgencyRecord>, AppError> {
    let code = code.to_string();
    ctx.store.read(move |db| repo::get_by_code(db, &code).map_err(AppError::from)).await
}

pub async fn list(ctx: &AppContext, filter: AgencyFilter) -> Result<(Vec<AgencyRecord>, i64), AppError> {
    ctx.store.read(move |db| repo::list(db, &filter).map_err(AppError::from)).await
}

#[derive(Debug, Clone, Default)]
pub struct AgencyChanges {
    pub short_name: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
}

pub async fn update(ctx: &AppContext, actor: &Principal, id: &str, ch: AgencyChanges) -> Result<AgencyRecord, AppError> {
    let mut errs = Errors::new();
    let phone = ch.phone.map(|p| opt(p).and_then(|p| errs.take(motcua_domain::user::parse_phone("phone", &p))));
    let email = ch.email.map(|e| opt(e).and_then(|e| errs.take(motcua_domain::user::parse_email("email", &e))));
    errs.finish()?;
    let (actor, id) = (actor.clone(), id.to_string());
    ctx.store
        .write(move |db| {
            let mut a = repo::find(db, &id)?.ok_or(AppError::not_found("agency"))?;
            authorize(&actor, Permission::ManageAgencies, &a.path).map_err(|_| AppError::Forbidden)?;
            let before = json!({"short_name": a.short_name, "address": a.address, "phone": a.phone, "email": a.email});
            if let Some(v) = ch.short_name {
                a.short_name = opt(v);
            }
            if let Some(v) = ch.address {
                a.address = opt(v);
            }
            if let Some(v) = phone {
                a.phone = v;
            }
            if let Some(v) = email {
                a.email = v;
            }
            let now = now_ms();
            repo::update_details(db, &a, now)?;
            a.updated_at = now;
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor.user_id),
                    action: "agency.updated",
                    entity_kind: "agency",
                    entity_id: &a.id,
                    agency_path: Some(&a.path),
                    payload: json!({"before": before, "after": {"short_name": a.short_name, "address": a.address, "phone": a.phone, "email": a.email}}),
                },
            )?;
            Ok(a)
        })
        .await
}

pub async fn rename(
    ctx: &AppContext,
    actor: &Principal,
    id: &str,
    name: &str,
    effective: Option<&str>,
) -> Result<AgencyRecord, AppError> {
    let mut errs = Errors::new();
    let name = errs.take(agency::parse_name("name", name));
    let effective = match effective {
        Some(s) => errs.take(parse_date("effective", s)),
        None => Some(ctx.clock.today()),
    };
    errs.finish()?;
    let (name, effective) = (name.unwrap(), effective.unwrap());
    let (actor, id) = (actor.clone(), id.to_string());
    ctx.store
        .write(move |db| {
            let a = repo::find(db, &id)?.ok_or(AppError::not_found("agency"))?;
            authorize(&actor, Permission::ManageAgencies, &a.path).map_err(|_| AppError::Forbidden)?;
            if effective < a.valid_from || a.valid_to.is_some_and(|end| effective >= end) {
                return Err(AppError::Validation(ValidationError::single(
                    "effective",
                    "effective_outside_life",
                    "Ngày hiệu lực phải nằm trong thời gian hoạt động của cơ quan.",
                    "The effective date must fall within the agency's life.",
                )));
            }
            let now = now_ms();
            repo::rename(db, &id, &name, effective, now)?;
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor.user_id),
                    action: "agency.renamed",
                    entity_kind: "agency",
                    entity_id: &id,
                    agency_path: Some(&a.path),
                    payload: json!({"from": a.name, "to": name, "effective": effective.to_string()}),
                },
            )?;
            Ok(repo::get(db, &id)?)
        })
        .await
}

pub async fn merge(
    ctx: &AppContext,
    actor: &Principal,
    id: &str,
    into: &str,
    effective: Option<&str>,
) -> Result<(AgencyRecord, MergeOutcome), AppError> {
    let effective = match effective {
        Some(s) => parse_date("effective", s)?,
        None => ctx.clock.today(),
    };
    let (actor, id, into) = (actor.clone(), id.to_string(), into.to_string());
    ctx.store
        .write(move |db| {
            let source = repo::find(db, &id)?.ok_or(AppError::not_found("agency"))?;
            let target = repo::find(db, &into)?.ok_or_else(|| {
                AppError::Validation(ValidationError::single(
                    "into",
                    "target_not_found",
                    "Không tìm thấy cơ quan tiếp nhận.",
                    "The receiving agency does not exist.",
                ))
            })?;
            authorize(&actor, Permission::ManageAgencies, &source.path).map_err(|_| AppError::Forbidden)?;
            authorize(&actor, Permission::ManageAgencies, &target.path).map_err(|_| AppError::Forbidden)?;
            check_merge(&source.facts(), &target.facts(), effective)?;
            let now = now_ms();
            let outcome = repo::merge(db, &source, &target, effective, now)?;
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor.user_id),
                    action: "agency.merged",
                    entity_kind: "agency",
                    entity_id: &source.id,
                    agency_path: Some(&source.path),
                    payload: json!({"into": target.id, "into_code": target.code, "effective": effective.to_string(),
                                    "moved_children": outcome.moved_children, "moved_memberships": outcome.moved_memberships}),
                },
            )?;
            Ok((repo::get(db, &source.id)?, outcome))
        })
        .await
}
