//! Petitions (phản ánh, kiến nghị — PAKN, issue #18, docs/petitions.md): public filing with
//! or without an account, the petitioner's follow page by tracking code and secret, the
//! officers' handling under the legal deadlines (`motcua_domain::petition`), the published
//! answers with personal data removed, reminders and escalation, the contact-read log, and
//! the figures of 766 indicators 5.1–5.4.
//!
//! Privacy: petitions about an official's conduct (`can_bo`) are read and handled by the
//! unit's leaders and inspectors only (`Permission::HandleOfficialPetitions`), enforced in
//! the list's SQL and in the single read; the name and contact come out only through
//! `contact`, which logs who read them.

use crate::auth::{CurrentUser, token_hash, tokens_match};
use crate::limits::{client_key, text_key};
use crate::{AppContext, AppError};
use motcua_domain::authz::{self, Permission};
use motcua_domain::error::{FieldError, ValidationError};
use motcua_domain::petition::{self as rules, Action, Kind, Refusal, State, Timeline, Who};
use motcua_domain::user::Role;
use motcua_store::repo::agencies::{self, AgencyFilter, AgencyRecord};
use motcua_store::repo::outbox;
use motcua_store::repo::petitions as repo;
pub use motcua_store::repo::petitions::{ContactRead, EventRow, PetitionRow};
use serde_json::json;
use std::net::IpAddr;

pub const DUE_SOON: &str = "petition.due_soon";
pub const OVERDUE: &str = "petition.overdue";

/// Most petitions an inbox lists, published answers a page shows, rows a period reads.
pub const INBOX_LIMIT: usize = 500;
pub const PUBLIC_PAGE: usize = 20;
const PERIOD_LIMIT: usize = 100_000;
const SCAN_BATCH: usize = 500;

/// What a petitioner files.
#[derive(Debug, Clone, Default)]
pub struct FileInput {
    /// `quy_dinh` (default) or `can_bo`.
    pub kind: Option<String>,
    /// The unit addressed (agency id or code); default the dossier's, else the province.
    pub unit: Option<String>,
    pub dossier_code: Option<String>,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub body: String,
}

/// A filed petition and its secret (shown once; only its hash is kept).
#[derive(Debug, Clone)]
pub struct Filed {
    pub petition: PetitionRow,
    pub secret: String,
}

fn random(alphabet: &[u8], n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n).map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())])).collect()
}

/// A tracking code (`PA-` and 8 characters of Crockford's base32) and a 10-digit secret.
/// `p` (who, where, what) as a petition received at `now`: a new id, code and secret, the
/// legal deadlines from now, nothing handled yet. Answers the row and its secret.
fn received(ctx: &AppContext, now: i64, p: PetitionRow) -> Result<(PetitionRow, String), AppError> {
    let d = rules::deadlines(&ctx.calendars.national(), now)?;
    let (code, secret) = new_code();
    let row = PetitionRow {
        id: motcua_store::repo::new_id(),
        code,
        secret_hash: token_hash(&secret),
        state: State::Received.code().into(),
        received_at: now,
        reject_due: d.reject_due,
        supplement_due: d.supplement_due,
        resolve_due: d.resolve_due,
        version: 1,
        updated_at: now,
        // Who, where, what and what it follows up: the caller's; the handling: none yet.
        kind: p.kind,
        agency_id: p.agency_id,
        agency_path: p.agency_path,
        dossier_id: p.dossier_id,
        dossier_code: p.dossier_code,
        owner_id: p.owner_id,
        name: p.name,
        contact: p.contact,
        body: p.body,
        follow_up_of: p.follow_up_of,
        ..Default::default()
    };
    Ok((row, secret))
}

fn new_code() -> (String, String) {
    (format!("PA-{}", random(b"0123456789ABCDEFGHJKMNPQRSTVWXYZ", 8)), random(b"0123456789", 10))
}

fn state_of(p: &PetitionRow) -> State {
    State::parse(&p.state).unwrap_or(State::Received)
}

pub fn kind_of(p: &PetitionRow) -> Kind {
    Kind::parse(&p.kind).unwrap_or(Kind::QuyDinh)
}

/// The on-time test's view of a row.
pub fn timeline(p: &PetitionRow) -> Timeline {
    Timeline {
        state: state_of(p),
        deadlines: rules::Deadlines { reject_due: p.reject_due, supplement_due: p.supplement_due, resolve_due: p.resolve_due },
        rejected_at: p.rejected_at,
        supplement_requested_at: p.supplement_requested_at,
        answered_at: p.answered_at,
        publish_due: p.publish_due,
        published_at: p.published_at,
    }
}

fn throttle(ctx: &AppContext, client: IpAddr) -> Result<(), AppError> {
    let (doors, now) = (&ctx.doors, ctx.clock.now_ms());
    if let Err(wait) = doors.petitions_per_address.take(&client_key(client), now) {
        if doors.log_gate.open(now) {
            tracing::warn!(address = %client_key(client), "petition rate limit of the address reached");
        }
        return Err(AppError::throttled(429, "too_many_petitions", wait));
    }
    Ok(())
}

async fn find_unit(ctx: &AppContext, unit: String) -> Result<Option<AgencyRecord>, AppError> {
    ctx.store
        .read(move |db| {
            Ok::<_, AppError>(match agencies::find(db, &unit)? {
                Some(a) => Some(a),
                None => agencies::get_by_code(db, &unit)?,
            })
        })
        .await
}

fn unknown_unit(field: &str) -> FieldError {
    FieldError::new(field, "unknown_unit", "Không có cơ quan, đơn vị này.", "No such agency or unit.")
}

/// Files a petition (with or without an account). Every input error is reported at once and
/// nothing is written; a valid petition is then rate-limited per client address.
pub async fn file(ctx: &AppContext, who: Option<&CurrentUser>, x: FileInput, client: IpAddr) -> Result<Filed, AppError> {
    let mut errs = motcua_domain::error::Errors::new();
    let kind = match x.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => Some(Kind::QuyDinh),
        Some(k) => {
            let k = Kind::parse(k);
            if k.is_none() {
                errs.push(FieldError::new(
                    "kind",
                    "invalid_kind",
                    "Chọn phản ánh về quy định, thủ tục hoặc về hành vi của cán bộ.",
                    "Choose a petition about a regulation or procedure, or about an official's conduct.",
                ));
            }
            k
        }
    };
    let body = errs.take(rules::parse_text("body", &x.body));
    let name = rules::parse_optional("name", x.name.as_deref(), rules::MAX_NAME_CHARS).map_err(|e| errs.push(e)).ok().flatten();
    let contact =
        rules::parse_optional("contact", x.contact.as_deref(), rules::MAX_CONTACT_CHARS).map_err(|e| errs.push(e)).ok().flatten();
    let dossier_code = x.dossier_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_ascii_uppercase);
    let dossier = match dossier_code.clone() {
        None => None,
        Some(code) => {
            let d =
                ctx.store.read(move |db| motcua_store::repo::dossiers::get_by_code(db, &code).map_err(AppError::from)).await?;
            if d.is_none() {
                errs.push(FieldError::new(
                    "dossier_code",
                    "unknown_dossier",
                    "Không tìm thấy hồ sơ có mã này; kiểm tra lại hoặc để trống.",
                    "No dossier has this code; check it or leave it empty.",
                ));
            }
            d
        }
    };
    let unit = match x.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => {
            let a = find_unit(ctx, u.to_string()).await?;
            if a.is_none() {
                errs.push(unknown_unit("unit"));
            }
            a
        }
        None => {
            let path = dossier.as_ref().map(|d| d.receiving.path.clone());
            ctx.store
                .read(move |db| {
                    let (all, _) = agencies::list(db, &AgencyFilter { limit: 10_000, ..Default::default() })?;
                    Ok::<_, AppError>(match path {
                        Some(p) => all.into_iter().find(|a| a.path == p),
                        None => all.into_iter().min_by_key(|a| (a.depth, a.code.clone())),
                    })
                })
                .await?
        }
    };
    errs.finish()?;
    // Only petitions that would be written count against the address: a mistyped form
    // costs the petitioner nothing.
    throttle(ctx, client)?;
    let (Some(kind), Some(body), Some(unit)) = (kind, body, unit) else {
        return Err(
            ValidationError::single("unit", "unknown_unit", "Không có cơ quan, đơn vị này.", "No such agency or unit.").into()
        );
    };
    let now = ctx.clock.now_ms();
    let (p, secret) = received(
        ctx,
        now,
        PetitionRow {
            kind: kind.code().into(),
            agency_id: unit.id.clone(),
            agency_path: unit.path.clone(),
            dossier_id: dossier.as_ref().map(|d| d.id.clone()),
            dossier_code: dossier.as_ref().and_then(|d| d.code.clone()),
            owner_id: who.map(|u| u.user.id.clone()),
            name,
            contact,
            body,
            ..Default::default()
        },
    )?;
    let row = p.clone();
    ctx.store
        .write(move |db| {
            repo::insert(db, &row)?;
            repo::append(db, &row.id, now, row.owner_id.as_deref(), "file", State::Received.code(), None)?;
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(Filed { petition: p, secret })
}

/// The petitioner's petition by tracking code and secret. Throttled like dossier tracking:
/// a rate per address, and back-off on wrong secrets per (code, address) and per code. A
/// wrong secret reads exactly like an unknown code.
pub async fn follow(ctx: &AppContext, code: &str, secret: &str, client: IpAddr) -> Result<PetitionRow, AppError> {
    let (doors, now, address) = (&ctx.doors, ctx.clock.now_ms(), client_key(client));
    if let Err(wait) = doors.tracking_per_address.take(&address, now) {
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    let code_key = text_key(code);
    let pair = (code_key.clone(), address);
    if let Some(wait) =
        doors.tracking_failures.blocked(&pair, now).or_else(|| doors.tracking_code_failures.blocked(&code_key, now))
    {
        return Err(AppError::throttled(429, "tracking_throttled", wait));
    }
    let code = code.trim().to_ascii_uppercase();
    let found = ctx.store.read(move |db| repo::by_code(db, &code).map_err(AppError::from)).await?;
    match found {
        Some(p) if tokens_match(&p.secret_hash, &token_hash(secret.trim())) => {
            doors.tracking_failures.success(&pair);
            Ok(p)
        }
        _ => {
            doors.tracking_failures.failure(&pair, now);
            doors.tracking_code_failures.failure(&code_key, now);
            Err(AppError::not_found("petition"))
        }
    }
}

fn refused(action: Action, state: State, r: Refusal) -> AppError {
    match r {
        Refusal::State => AppError::Refused {
            http: 409,
            code: "petition_wrong_state",
            vi: format!("Không thể «{}» khi phản ánh đang ở trạng thái «{}».", action.label_vi(), state.label_vi()),
            en: format!("Cannot {} a petition that is {}.", action.code(), state.label_en().to_lowercase()),
        },
        Refusal::Actor => AppError::Refused {
            http: 403,
            code: "petition_not_allowed",
            vi: format!("Ông/bà không có quyền «{}» phản ánh này.", action.label_vi()),
            en: format!("You may not {} this petition.", action.code()),
        },
    }
}

/// Writes a changed row with its history entry; a concurrent change refuses (409).
async fn save(
    ctx: &AppContext,
    p: PetitionRow,
    actor: Option<String>,
    action: Action,
    note: Option<String>,
) -> Result<PetitionRow, AppError> {
    let row = p.clone();
    ctx.store
        .write(move |db| {
            if !repo::update(db, &row)? {
                return Err(AppError::Conflict {
                    code: "stale_petition",
                    field: None,
                    vi: "Phản ánh vừa được người khác cập nhật; vui lòng tải lại.",
                    en: "The petition was just changed by someone else; reload it.",
                });
            }
            repo::append(db, &row.id, row.updated_at, actor.as_deref(), action.code(), &row.state, note.as_deref())?;
            Ok(())
        })
        .await?;
    Ok(p)
}

fn touch(p: &mut PetitionRow, state: State, now: i64) {
    p.state = state.code().into();
    p.version += 1;
    p.updated_at = now;
}

/// The petitioner's like (`true`) or dislike of the published answer, once.
pub async fn rate(ctx: &AppContext, code: &str, secret: &str, like: bool, client: IpAddr) -> Result<PetitionRow, AppError> {
    let mut p = follow(ctx, code, secret, client).await?;
    let next = rules::check(Action::Rate, state_of(&p), &[Who::Petitioner], p.assigned_at.is_some())
        .map_err(|r| refused(Action::Rate, state_of(&p), r))?;
    if p.rating.is_some() {
        return Err(AppError::Conflict {
            code: "already_rated",
            field: None,
            vi: "Ông/bà đã đánh giá trả lời này.",
            en: "You have already rated this answer.",
        });
    }
    let now = ctx.clock.now_ms();
    p.rating = Some(if like { "like" } else { "dislike" }.into());
    p.rated_at = Some(now);
    touch(&mut p, next, now);
    save(ctx, p, None, Action::Rate, Some(if like { "like" } else { "dislike" }.into())).await
}

/// More information asked for by the unit, given by the petitioner: appended to the body.
pub async fn supplement(ctx: &AppContext, code: &str, secret: &str, text: &str, client: IpAddr) -> Result<PetitionRow, AppError> {
    let mut p = follow(ctx, code, secret, client).await?;
    let next = rules::check(Action::Supplement, state_of(&p), &[Who::Petitioner], p.assigned_at.is_some())
        .map_err(|r| refused(Action::Supplement, state_of(&p), r))?;
    let text = rules::parse_text("text", text)?;
    let body = format!("{}\n\n[Bổ sung] {text}", p.body);
    if body.chars().count() > rules::MAX_BODY_CHARS * 2 {
        return Err(rules::parse_text("text", &"x".repeat(rules::MAX_BODY_CHARS + 1)).unwrap_err().into());
    }
    p.body = body;
    touch(&mut p, next, ctx.clock.now_ms());
    save(ctx, p, None, Action::Supplement, Some(text)).await
}

/// A new complaint about the result of a published answer: the answer's petition is closed
/// (it counts against 5.3) and a new petition carries the complaint on, to the same unit.
pub async fn complain(ctx: &AppContext, code: &str, secret: &str, text: &str, client: IpAddr) -> Result<Filed, AppError> {
    let mut p = follow(ctx, code, secret, client).await?;
    let next = rules::check(Action::Complain, state_of(&p), &[Who::Petitioner], true)
        .map_err(|r| refused(Action::Complain, state_of(&p), r))?;
    let text = rules::parse_text("body", text)?;
    let now = ctx.clock.now_ms();
    let (fresh, secret) = received(ctx, now, PetitionRow { body: text, follow_up_of: Some(p.id.clone()), ..p.clone() })?;
    p.complained_at = Some(now);
    touch(&mut p, next, now);
    let (old, new) = (p, fresh.clone());
    ctx.store
        .write(move |db| {
            if !repo::update(db, &old)? {
                return Err(AppError::Conflict {
                    code: "stale_petition",
                    field: None,
                    vi: "Phản ánh vừa được cập nhật; vui lòng tải lại.",
                    en: "The petition was just changed; reload it.",
                });
            }
            repo::append(db, &old.id, now, None, Action::Complain.code(), &old.state, Some(&new.code))?;
            repo::insert(db, &new)?;
            repo::append(db, &new.id, now, None, "file", State::Received.code(), Some(&old.code))?;
            Ok(())
        })
        .await?;
    Ok(Filed { petition: fresh, secret })
}

/// The subtrees where the caller reads petitions of each kind.
struct Scopes {
    regular: Vec<String>,
    official: Vec<String>,
}

fn scopes(current: &CurrentUser) -> Scopes {
    Scopes {
        regular: authz::scope(&current.principal, Permission::HandlePetitions),
        official: authz::scope(&current.principal, Permission::HandleOfficialPetitions),
    }
}

fn covers(scope: &[String], path: &str) -> bool {
    scope.iter().any(|s| motcua_domain::agency::in_subtree(path, s))
}

/// Who the caller is for this petition: a handler, a leader (or inspector), or nobody.
fn who(current: &CurrentUser, p: &PetitionRow) -> Vec<Who> {
    let s = scopes(current);
    let leader = current.principal.memberships.iter().any(|m| {
        matches!(m.role, Role::Leader | Role::Inspector) && motcua_domain::agency::in_subtree(&p.agency_path, &m.agency_path)
    });
    let mut out = Vec::new();
    let handler = match kind_of(p) {
        Kind::QuyDinh => covers(&s.regular, &p.agency_path),
        Kind::CanBo => covers(&s.official, &p.agency_path),
    };
    if handler {
        out.push(Who::Handler);
        if leader {
            out.push(Who::Leader);
        }
    }
    out
}

fn restricted() -> AppError {
    AppError::Refused {
        http: 403,
        code: "petition_restricted",
        vi: "Phản ánh về hành vi của cán bộ chỉ lãnh đạo đơn vị và thanh tra được xem.".into(),
        en: "Petitions about an official's conduct are for the unit's leaders and inspectors only.".into(),
    }
}

/// The caller's inbox: the petitions of the units in scope (`can_bo` ones only for leaders
/// and inspectors, in the query), open ones first by deadline.
pub async fn inbox(ctx: &AppContext, current: &CurrentUser, state: Option<State>) -> Result<Vec<PetitionRow>, AppError> {
    let s = scopes(current);
    if s.regular.is_empty() && s.official.is_empty() {
        return Err(AppError::Forbidden);
    }
    ctx.store
        .read(move |db| repo::list(db, &s.regular, &s.official, state.map(State::code), INBOX_LIMIT).map_err(AppError::from))
        .await
}

/// One petition and its history, for an official who may handle it.
pub async fn get(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(PetitionRow, Vec<EventRow>), AppError> {
    let id = id.to_string();
    let (p, events) = ctx
        .store
        .read(move |db| {
            let p = repo::get(db, &id)?;
            let e = if p.is_some() { repo::events(db, &id)? } else { Vec::new() };
            Ok::<_, AppError>((p, e))
        })
        .await?;
    let p = p.ok_or(AppError::not_found("petition"))?;
    if who(current, &p).is_empty() {
        let s = scopes(current);
        // A handler of the unit learns why (a `can_bo` petition); anyone else, that there is none.
        return Err(if kind_of(&p) == Kind::CanBo && covers(&s.regular, &p.agency_path) {
            restricted()
        } else if s.regular.is_empty() && s.official.is_empty() {
            AppError::Forbidden
        } else {
            AppError::not_found("petition")
        });
    }
    Ok((p, events))
}

/// The petitioner's name and contact, for an official who may handle the petition; every
/// read is logged (who, when, which petition) in the same transaction.
pub async fn contact(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(Option<String>, Option<String>), AppError> {
    let (p, _) = get(ctx, current, id).await?;
    let (pid, uid, now) = (p.id.clone(), current.user.id.clone(), ctx.clock.now_ms());
    ctx.store.write(move |db| repo::log_contact_read(db, &pid, &uid, now).map_err(AppError::from)).await?;
    Ok((p.name, p.contact))
}

/// The contact-read log of the petitions in scope (administrators and inspectors).
pub async fn contact_log(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<ContactRead>, AppError> {
    let scope = authz::scope(&current.principal, Permission::ViewContactLog);
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    ctx.store.read(move |db| repo::contact_reads(db, &scope, 500).map_err(AppError::from)).await
}

/// What an official does to a petition.
#[derive(Debug, Clone)]
pub enum OfficerAction {
    Classify { kind: String },
    Assign { unit: String },
    Reject { reason: String },
    RequestSupplement { what: String },
    Answer { text: String },
    Publish,
}

impl OfficerAction {
    pub fn action(&self) -> Action {
        match self {
            Self::Classify { .. } => Action::Classify,
            Self::Assign { .. } => Action::Assign,
            Self::Reject { .. } => Action::Reject,
            Self::RequestSupplement { .. } => Action::RequestSupplement,
            Self::Answer { .. } => Action::Answer,
            Self::Publish => Action::Publish,
        }
    }
}

/// Runs an official's action: the table decides whether it is allowed now and by this
/// caller; the input is checked before anything is written.
pub async fn act(ctx: &AppContext, current: &CurrentUser, id: &str, x: OfficerAction) -> Result<PetitionRow, AppError> {
    let (mut p, _) = get(ctx, current, id).await?;
    let action = x.action();
    let state = state_of(&p);
    let next = rules::check(action, state, &who(current, &p), p.assigned_at.is_some()).map_err(|r| refused(action, state, r))?;
    let now = ctx.clock.now_ms();
    let note = match x {
        OfficerAction::Classify { kind } => {
            let k = Kind::parse(&kind).ok_or_else(|| {
                ValidationError::single("kind", "invalid_kind", "Phân loại không hợp lệ.", "Invalid classification.")
            })?;
            p.kind = k.code().into();
            Some(k.code().to_string())
        }
        OfficerAction::Assign { unit } => {
            let a = find_unit(ctx, unit.trim().to_string()).await?.ok_or_else(|| ValidationError(vec![unknown_unit("unit")]))?;
            p.agency_id = a.id.clone();
            p.agency_path = a.path.clone();
            p.assigned_at = Some(now);
            Some(a.code)
        }
        OfficerAction::Reject { reason } => {
            let r = rules::parse_text("reason", &reason)?;
            p.rejected_at = Some(now);
            p.note = Some(r.clone());
            Some(r)
        }
        OfficerAction::RequestSupplement { what } => {
            let r = rules::parse_text("what", &what)?;
            p.supplement_requested_at = Some(now);
            p.note = Some(r.clone());
            Some(r)
        }
        OfficerAction::Answer { text } => {
            let t = rules::parse_text("answer", &text)?;
            p.answer = Some(t);
            p.answered_at = Some(now);
            p.publish_due = Some(rules::publish_due(&ctx.calendars.national(), now)?);
            None
        }
        OfficerAction::Publish => {
            p.published_at = Some(now);
            None
        }
    };
    touch(&mut p, next, now);
    save(ctx, p, Some(current.user.id.clone()), action, note).await
}

/// A published answer as anyone reads it: no name, no contact, and the texts redacted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicAnswer {
    pub code: String,
    pub kind: String,
    pub unit: String,
    pub received_at: i64,
    pub published_at: i64,
    pub body: String,
    pub answer: String,
}

fn public(p: &PetitionRow, unit: String) -> PublicAnswer {
    let names: Vec<&str> = p.name.as_deref().into_iter().chain(p.contact.as_deref()).collect();
    PublicAnswer {
        code: p.code.clone(),
        kind: p.kind.clone(),
        unit,
        received_at: p.received_at,
        published_at: p.published_at.unwrap_or(0),
        body: rules::redact(&p.body, &names),
        answer: rules::redact(p.answer.as_deref().unwrap_or(""), &names),
    }
}

async fn unit_names(ctx: &AppContext, ids: Vec<String>) -> Result<std::collections::BTreeMap<String, String>, AppError> {
    ctx.store
        .read(move |db| {
            let mut m = std::collections::BTreeMap::new();
            for id in ids {
                if let Some(a) = agencies::find(db, &id)? {
                    m.insert(id, a.name);
                }
            }
            Ok::<_, AppError>(m)
        })
        .await
}

/// The published answers, newest first (`page` from 1).
pub async fn published(ctx: &AppContext, page: usize) -> Result<Vec<PublicAnswer>, AppError> {
    let offset = page.clamp(1, 10_000).saturating_sub(1) * PUBLIC_PAGE;
    let rows = ctx.store.read(move |db| repo::published(db, PUBLIC_PAGE, offset).map_err(AppError::from)).await?;
    let names = unit_names(ctx, rows.iter().map(|p| p.agency_id.clone()).collect()).await?;
    Ok(rows.iter().map(|p| public(p, names.get(&p.agency_id).cloned().unwrap_or_default())).collect())
}

/// One published answer by its code (404 unless published).
pub async fn published_one(ctx: &AppContext, code: &str) -> Result<PublicAnswer, AppError> {
    let code = code.trim().to_ascii_uppercase();
    let p = ctx.store.read(move |db| repo::by_code(db, &code).map_err(AppError::from)).await?;
    let p = p.filter(|p| p.published_at.is_some()).ok_or(AppError::not_found("petition"))?;
    let names = unit_names(ctx, vec![p.agency_id.clone()]).await?;
    Ok(public(&p, names.get(&p.agency_id).cloned().unwrap_or_default()))
}

/// The working-day instant `days` after `from` on the national calendar.
fn working_days_after(ctx: &AppContext, from: i64, days: u32) -> Result<i64, AppError> {
    use motcua_domain::calendar::{CountingRules, TimeLimit, TimeUnit};
    let from = jiff::Timestamp::from_millisecond(from).map_err(|e| AppError::Internal(e.to_string()))?;
    let limit = TimeLimit::new(i64::from(days.max(1)), TimeUnit::WorkingDays)?;
    Ok(ctx.calendars.national().due(from, limit, &CountingRules::default())?.at.as_millisecond())
}

/// What one reminder scan queued.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    pub due_soon: usize,
    pub overdue: usize,
}

/// Queues, through the outbox, a reminder to the unit's handlers when a petition's deadline
/// (resolution, or publication of a ready answer) falls within `due_soon_working_days`, and
/// an escalation to the unit's leaders once it has passed; each once per deadline (the
/// reminder keys of `deadlines`). Run with the deadline scans; bounded per run.
pub async fn scan(ctx: &AppContext) -> Result<Scan, AppError> {
    let now = ctx.clock.now_ms();
    let soon = working_days_after(ctx, now, ctx.config.petitions.due_soon_working_days)?;
    let rows = ctx.store.read(move |db| repo::due_before(db, soon, OVERDUE, SCAN_BATCH).map_err(AppError::from)).await?;
    ctx.store
        .write(move |db| {
            let mut s = Scan::default();
            for p in &rows {
                let Some(due) = timeline(p).next_due() else { continue };
                let overdue = due < now;
                let (topic, to) = if overdue {
                    (OVERDUE, json!({"leaders_of": p.agency_path}))
                } else if kind_of(p) == Kind::CanBo {
                    (DUE_SOON, json!({"leaders_of": p.agency_path}))
                } else {
                    (DUE_SOON, json!({"handlers_of": p.agency_path}))
                };
                let payload = json!({"kind": topic, "petition_id": p.id, "code": p.code, "state": p.state, "due_at": due,
                    "agency_path": p.agency_path, "to": to});
                if outbox::enqueue_once(db, (&p.id, due, topic, 0), topic, None, &payload, now)? {
                    if overdue { s.overdue += 1 } else { s.due_soon += 1 }
                }
            }
            Ok::<_, AppError>(s)
        })
        .await
}

/// The petition figures of a unit for a period, indicators 5.1–5.3 and the PAKN term of 5.4.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Figures {
    /// 5.1: about regulations/procedures, of those received in the period.
    pub about_rules: i64,
    pub received: i64,
    /// 5.2: on time, of those received or handled in the period.
    pub on_time: i64,
    pub counted: i64,
    /// 5.3: first received in the period, and of those satisfied (no dislike winning, not
    /// overdue, no new complaint about the result).
    pub first_received: i64,
    pub satisfied: i64,
    /// 5.4: dossiers finished in the period with a petition received in it, not already lost
    /// by the counters (finished late, rated unsatisfied).
    pub petitioned_dossiers: i64,
}

/// A period's petitions and the (dossier, petition unit path) pairs of 5.4's PAKN term.
pub type PeriodRows = (Vec<PetitionRow>, Vec<(String, String)>);

/// The rows a unit's period reads: its subtree's petitions counted in `[from, to)`, and the
/// dossiers of 5.4's PAKN term; bounded.
pub fn load_period(db: &mut motcua_store::Db, scope: &str, from: i64, to: i64) -> Result<PeriodRows, motcua_store::StoreError> {
    Ok((repo::for_period(db, scope, from, to, PERIOD_LIMIT)?, repo::petitioned_dossiers(db, scope, from, to, PERIOD_LIMIT)?))
}

/// The figures of the rows inside `unit_path`, seen at `end` (the period's end, or now if
/// earlier).
pub fn figures(rows: &[PetitionRow], dossiers: &[(String, String)], unit_path: &str, from: i64, to: i64, end: i64) -> Figures {
    let inside = |path: &str| motcua_domain::agency::in_subtree(path, unit_path);
    let mut f = Figures::default();
    for p in rows.iter().filter(|p| inside(&p.agency_path)) {
        let t = timeline(p);
        let received_in = (from..to).contains(&p.received_at);
        if received_in {
            f.received += 1;
            if kind_of(p) == Kind::QuyDinh {
                f.about_rules += 1;
            }
        }
        f.counted += 1;
        let on_time = t.on_time_at(end);
        if on_time {
            f.on_time += 1;
        }
        if received_in && p.follow_up_of.is_none() {
            f.first_received += 1;
            let disliked = p.rating.as_deref() == Some("dislike") && p.rated_at.is_some_and(|r| r <= end);
            let complained = p.complained_at.is_some_and(|c| c <= end);
            if on_time && !disliked && !complained {
                f.satisfied += 1;
            }
        }
    }
    f.petitioned_dossiers = dossiers.iter().filter(|(_, path)| inside(path)).count() as i64;
    f
}

/// The units a petition can be addressed to (province, departments, communes): (code, name),
/// by code.
pub async fn units(ctx: &AppContext) -> Result<Vec<(String, String)>, AppError> {
    use motcua_domain::agency::AgencyKind;
    let today = ctx.clock.today();
    ctx.store
        .read(move |db| {
            let (all, _) = agencies::list(db, &AgencyFilter { active_on: Some(today), limit: 10_000, ..Default::default() })?;
            Ok::<_, AppError>(
                all.into_iter()
                    .filter(|a| matches!(a.kind, AgencyKind::Province | AgencyKind::Department | AgencyKind::Commune))
                    .map(|a| (a.code, a.name))
                    .collect(),
            )
        })
        .await
}

/// Demo petitions (the seeded province): a published answer at Phường Hoa Lư (code
/// `PA-DEMO0001`, secret `1234567890`), a petition about an official at Sở Tư pháp and one
/// addressed to the province, both still open, dated November 2025 so they stay out of the
/// demo's current figures and show the overdue reminders.
pub async fn seed_demo(ctx: &AppContext) -> Result<(), AppError> {
    let cal = ctx.calendars.national();
    let at = |s: &str| -> Result<i64, AppError> {
        Ok(format!("{s}+07:00").parse::<jiff::Timestamp>().map_err(|e| AppError::Internal(e.to_string()))?.as_millisecond())
    };
    // (code, unit, kind, received, body, (answered, answer) if published)
    type Demo<'a> = (&'a str, &'a str, Kind, &'a str, &'a str, Option<(&'a str, &'a str)>);
    let demo: [Demo; 3] = [
        (
            "PA-DEMO0001",
            "000.00.31.H40",
            Kind::QuyDinh,
            "2025-11-03T09:00:00",
            "Tôi là Nguyễn Thị Hoa, số điện thoại 0912 000 111. Đề nghị niêm yết rõ lệ phí chứng thực bản sao tại bộ phận một cửa phường.",
            Some((
                "2025-11-10T15:00:00",
                "UBND phường đã niêm yết mức lệ phí chứng thực tại quầy và trên trang thông tin điện tử của phường từ ngày 10/11/2025. Cảm ơn bà Nguyễn Thị Hoa đã phản ánh.",
            )),
        ),
        (
            "PA-DEMO0002",
            "000.00.01.H40",
            Kind::CanBo,
            "2025-11-20T10:00:00",
            "Cán bộ tiếp nhận hồ sơ công chứng yêu cầu nộp thêm giấy tờ không có trong danh mục thủ tục.",
            None,
        ),
        (
            "PA-DEMO0003",
            "000.00.00.H40",
            Kind::QuyDinh,
            "2025-11-24T14:00:00",
            "Đề nghị cho phép nộp hồ sơ cấp phiếu lý lịch tư pháp qua bưu chính công ích.",
            None,
        ),
    ];
    let mut rows = Vec::new();
    for (code, unit, kind, received, body, answer) in demo {
        let Some(a) = find_unit(ctx, unit.to_string()).await? else { continue };
        let received = at(received)?;
        let d = rules::deadlines(&cal, received)?;
        let mut p = PetitionRow {
            id: motcua_store::repo::new_id(),
            code: code.into(),
            secret_hash: token_hash("1234567890"),
            kind: kind.code().into(),
            state: State::Received.code().into(),
            agency_id: a.id.clone(),
            agency_path: a.path.clone(),
            dossier_id: None,
            dossier_code: None,
            owner_id: None,
            name: Some("Nguyễn Thị Hoa".into()).filter(|_| answer.is_some()),
            contact: Some("0912000111".into()).filter(|_| answer.is_some()),
            body: body.into(),
            note: None,
            answer: None,
            received_at: received,
            reject_due: d.reject_due,
            supplement_due: d.supplement_due,
            resolve_due: d.resolve_due,
            rejected_at: None,
            supplement_requested_at: None,
            assigned_at: None,
            answered_at: None,
            publish_due: None,
            published_at: None,
            rating: None,
            rated_at: None,
            complained_at: None,
            follow_up_of: None,
            version: 1,
            updated_at: received,
        };
        let mut events = vec![(received, "file", State::Received)];
        if let Some((when, text)) = answer {
            let answered = at(when)?;
            p.assigned_at = Some(received + 3_600_000);
            p.answered_at = Some(answered);
            p.publish_due = Some(rules::publish_due(&cal, answered)?);
            p.published_at = Some(answered + 3_600_000);
            p.answer = Some(text.into());
            p.rating = Some("like".into());
            p.rated_at = Some(answered + 86_400_000);
            p.state = State::Published.code().into();
            events.push((received + 3_600_000, "assign", State::Assigned));
            events.push((answered, "answer", State::Answered));
            events.push((answered + 3_600_000, "publish", State::Published));
            events.push((answered + 86_400_000, "rate", State::Published));
        }
        rows.push((p, events));
    }
    ctx.store
        .write(move |db| {
            for (p, events) in &rows {
                repo::insert(db, p)?;
                for (at, action, state) in events {
                    repo::append(db, &p.id, *at, None, action, state.code(), None)?;
                }
            }
            Ok::<_, AppError>(())
        })
        .await
}
