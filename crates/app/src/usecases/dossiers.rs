//! Dossiers: filing, reception and every command of the life cycle (DESIGN.md §4). Each
//! command loads the state, asks the domain, and in one transaction appends the event,
//! updates the projection and the KPI counters and queues the side effects in the outbox.

use crate::auth::CurrentUser;
use crate::limits::{client_key, text_key};
use crate::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::attachment::{self, FileKind};
use motcua_domain::calendar::{local_date, vn_time_zone};
use motcua_domain::catalog::{ApplicantType, Channel, OnlineLevel, ProcedureSpec};
use motcua_domain::dossier::{
    self, Actor, AgencyRef, Applicant, Command, ComponentCheck, Ctx, Dossier, DossierCode, DossierError, Event, FileRef,
    ProcedureRef, Recorded, Status, Step, StepAgency, Workflow,
};
use motcua_domain::error::{Errors, FieldError, ValidationError};
use motcua_domain::user::{self, AccountType, CitizenId, Role};
use motcua_store::Db;
use motcua_store::repo::agencies::{self, AgencyRecord};
use motcua_store::repo::catalog as catalog_repo;
use motcua_store::repo::dossiers::{self as repo, DossierFilter, Serving};
use motcua_store::repo::new_id;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::IpAddr;

impl From<DossierError> for AppError {
    fn from(e: DossierError) -> Self {
        match e {
            DossierError::InvalidTransition { command, status } => AppError::Transition { command, status },
            DossierError::Forbidden { .. } => AppError::Forbidden,
            DossierError::Invalid(v) => AppError::Validation(v),
            DossierError::Calendar(c) => AppError::Calendar(c),
        }
    }
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Validation(ValidationError::single(field, code, vi, en))
}

fn stale() -> AppError {
    AppError::Conflict {
        code: "stale_version",
        field: Some("version"),
        vi: "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thực hiện lại.",
        en: "The dossier was changed by someone else; reload it and try again.",
    }
}

fn actor(c: &CurrentUser) -> Actor<'_> {
    Actor { user_id: &c.user.id, account: c.user.account_type, memberships: &c.principal.memberships }
}

fn agency_ref(a: &AgencyRecord) -> AgencyRef {
    AgencyRef { id: a.id.clone(), code: a.code.clone(), name: a.name.clone(), path: a.path.clone() }
}

/// The day key (YYYY-MM-DD, Asia/Ho_Chi_Minh) of an instant, for counters.
fn day_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| local_date(t).to_string()).unwrap_or_default()
}

// ---- filing ---------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    /// `citizen` (default), `business`, `household_business`, `organisation`, `foreigner`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    /// CCCD (12 digits) of a person; tax or enterprise code of an organisation.
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// One component as ticked at the counter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    pub key: String,
    #[serde(default)]
    pub provided: bool,
    #[serde(default)]
    pub originals: u8,
    #[serde(default)]
    pub copies: u8,
    #[serde(default)]
    pub digitized: bool,
    #[serde(default)]
    pub reused: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossier {
    pub procedure_code: String,
    /// `online` for applicants (default); `counter` (default for officers) or `postal`.
    #[serde(default)]
    pub channel: Option<String>,
    pub applicant: ApplicantInput,
    /// Trích yếu: what the dossier asks for, in a line.
    #[serde(default)]
    pub summary: Option<String>,
    /// Reception point; default: the officer's counter, or the provincial centre for online filings.
    #[serde(default)]
    pub receiving_agency_id: Option<String>,
    /// Competent agency, when the procedure does not name one and the reception point is not in a commune.
    #[serde(default)]
    pub competent_agency_id: Option<String>,
    /// Counter checklist (officers); online filings attach files instead.
    #[serde(default)]
    pub components: Vec<ComponentInput>,
}

fn parse_applicant(a: &ApplicantInput, errs: &mut Errors) -> Option<Applicant> {
    let kind = match a.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => ApplicantType::Citizen,
        Some(k) => match serde_json::from_value::<ApplicantType>(json!(k)) {
            Ok(k) => k,
            Err(_) => {
                errs.push(FieldError::new(
                    "applicant.kind",
                    "invalid_applicant_kind",
                    "Loại người nộp không hợp lệ.",
                    "Unknown applicant kind.",
                ));
                ApplicantType::Citizen
            }
        },
    };
    let name = if kind == ApplicantType::Citizen || kind == ApplicantType::Foreigner {
        errs.take(user::parse_full_name("applicant.name", &a.name))
    } else {
        let n = motcua_domain::text::clean(&a.name);
        if n.chars().count() < 2 || n.chars().count() > 300 {
            errs.push(FieldError::new(
                "applicant.name",
                "invalid_name",
                "Tên tổ chức phải có 2–300 ký tự.",
                "The name must have 2–300 characters.",
            ));
        }
        Some(n)
    };
    let id_number = match a.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if kind == ApplicantType::Citizen => {
            errs.take(CitizenId::parse("applicant.id_number", s)).map(|c| c.as_str().to_string())
        }
        Some(s) => {
            if !(8..=20).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errs.push(FieldError::new(
                    "applicant.id_number",
                    "invalid_id_number",
                    "Mã số thuế, mã doanh nghiệp hoặc số giấy tờ không hợp lệ.",
                    "Invalid tax, enterprise or document number.",
                ));
            }
            Some(s.to_string())
        }
    };
    let phone =
        a.phone.as_deref().filter(|s| !s.trim().is_empty()).and_then(|s| errs.take(user::parse_phone("applicant.phone", s)));
    let email =
        a.email.as_deref().filter(|s| !s.trim().is_empty()).and_then(|s| errs.take(user::parse_email("applicant.email", s)));
    let address = a.address.as_deref().map(motcua_domain::text::clean).filter(|s| !s.is_empty());
    if address.as_ref().is_some_and(|s| s.chars().count() > 500) {
        errs.push(FieldError::new("applicant.address", "too_long", "Địa chỉ tối đa 500 ký tự.", "At most 500 characters."));
    }
    Some(Applicant { kind, name: name?, id_number, phone, email, address })
}

fn procedure_ref(code: &str, version: i64, spec: &ProcedureSpec) -> ProcedureRef {
    ProcedureRef {
        code: code.to_string(),
        version,
        name: spec.name.clone(),
        time_limit: spec.time_limit,
        counting: spec.counting,
        online_only: spec.online_only,
        postal_excluded: spec.postal_excluded,
        paper_result: spec.result.paper_required,
    }
}

fn checklist(spec: &ProcedureSpec, input: &[ComponentInput], errs: &mut Errors) -> Vec<ComponentCheck> {
    for (i, c) in input.iter().enumerate() {
        if !spec.components.iter().any(|s| s.key == c.key) {
            errs.push(FieldError::new(
                format!("components[{i}].key"),
                "unknown_component",
                "Thủ tục không có thành phần hồ sơ này.",
                "The procedure has no such component.",
            ));
        }
    }
    spec.components
        .iter()
        .map(|s| {
            let given = input.iter().find(|c| c.key == s.key);
            ComponentCheck {
                key: s.key.clone(),
                name: s.name.clone(),
                required: s.required,
                provided: given.is_some_and(|g| g.provided || g.reused),
                originals: given.map_or(0, |g| g.originals),
                copies: given.map_or(0, |g| g.copies),
                digitized: given.is_some_and(|g| g.digitized),
                reused: given.is_some_and(|g| g.reused),
            }
        })
        .collect()
}

fn request_hash(input: &NewDossier) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(input).unwrap_or_default()))
}

/// The default reception point: the officer's own counter, else the provincial service centre.
fn default_receiving(db: &mut Db, current: &CurrentUser) -> Result<AgencyRecord, AppError> {
    if let Some(m) = current.memberships.iter().find(|m| m.role == Role::ReceptionOfficer) {
        return Ok(agencies::get(db, &m.agency_id)?);
    }
    let (centres, _) =
        agencies::list(db, &agencies::AgencyFilter { kind: Some(AgencyKind::ServiceCentre), limit: 1, ..Default::default() })?;
    centres.into_iter().next().ok_or_else(|| {
        invalid("receiving_agency_id", "required", "Chọn nơi tiếp nhận hồ sơ.", "Choose where the dossier is received.")
    })
}

/// Files a dossier. Applicants get a draft (online channel) to attach files to and submit;
/// reception officers at a counter (or taking a postal dossier) receive it at once. A
/// retry with the same idempotency key returns the first dossier and creates nothing.
pub async fn create(
    ctx: &AppContext,
    current: &CurrentUser,
    input: NewDossier,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    let mut errs = Errors::new();
    let official = current.user.account_type == AccountType::Official;
    let channel = match input.channel.as_deref().map(str::trim) {
        None | Some("") => {
            if official {
                Channel::Counter
            } else {
                Channel::Online
            }
        }
        Some("online") => Channel::Online,
        Some("counter") => Channel::Counter,
        Some("postal") => Channel::Postal,
        Some(_) => {
            errs.push(FieldError::new(
                "channel",
                "invalid_channel",
                "Kênh nộp phải là online, counter hoặc postal.",
                "The channel is online, counter or postal.",
            ));
            Channel::Online
        }
    };
    if official && channel == Channel::Online {
        errs.push(FieldError::new(
            "channel",
            "channel_not_allowed",
            "Hồ sơ trực tuyến do người nộp tự nộp; tại quầy chọn kênh trực tiếp hoặc bưu chính.",
            "Online dossiers are filed by applicants; at the counter use the counter or postal channel.",
        ));
    }
    if !official && channel != Channel::Online {
        errs.push(FieldError::new(
            "channel",
            "channel_not_allowed",
            "Người nộp chỉ nộp hồ sơ trực tuyến.",
            "Applicants file online.",
        ));
    }
    let applicant = parse_applicant(&input.applicant, &mut errs);
    let summary = input.summary.as_deref().map(motcua_domain::text::clean).filter(|s| !s.is_empty());
    if let Some(k) = &key
        && (k.is_empty() || k.len() > 200)
    {
        errs.push(FieldError::new(
            "Idempotency-Key",
            "invalid_idempotency_key",
            "Khóa chống trùng phải có 1–200 ký tự.",
            "The idempotency key has 1–200 characters.",
        ));
    }
    let code = input.procedure_code.trim().to_ascii_uppercase();
    let now = ctx.clock.now_ms();
    let found = crate::usecases::catalog::in_force(ctx, &code, now).await?;
    let Some(version) = found else {
        errs.push(FieldError::new(
            "procedure_code",
            "procedure_not_found",
            "Không có thủ tục đang có hiệu lực với mã này.",
            "No procedure with this code is in force.",
        ));
        return Err(errs.finish().err().map_or(AppError::not_found("procedure"), AppError::Validation));
    };
    if channel == Channel::Online && version.spec.online_level == OnlineLevel::None {
        errs.push(FieldError::new(
            "procedure_code",
            "not_online",
            "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại bộ phận một cửa.",
            "This procedure has no online service; file it at a one-stop counter.",
        ));
    }
    let components = checklist(&version.spec, &input.components, &mut errs);
    errs.finish()?;
    let applicant = applicant.expect("validated");
    let hash = request_hash(&input);
    let scope = format!("{}:create", current.user.id);
    let (retry_scope, retry_key) = (scope.clone(), key.clone());
    let current = current.clone();
    let calendars = ctx.calendars.clone();
    let result = ctx
        .store
        .write(move |db| {
            if let Some(k) = &key
                && let Some((first_hash, id)) = repo::idempotent(db, &scope, k)?
            {
                if first_hash != hash {
                    return Err(invalid(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "Khóa chống trùng này đã dùng cho một yêu cầu khác.",
                        "This idempotency key was used for a different request.",
                    ));
                }
                return repo::get(db, &id)?.ok_or(AppError::not_found("dossier"));
            }
            let receiving = match input.receiving_agency_id.as_deref().filter(|s| !s.is_empty()) {
                Some(id) => agencies::find(db, id)?.ok_or_else(|| {
                    invalid(
                        "receiving_agency_id",
                        "agency_not_found",
                        "Không tìm thấy nơi tiếp nhận.",
                        "The reception point does not exist.",
                    )
                })?,
                None => default_receiving(db, &current)?,
            };
            let id = new_id();
            let created = Recorded {
                dossier_id: id.clone(),
                seq: 1,
                at: now,
                actor_id: current.user.id.clone(),
                event: Event::Created {
                    procedure: procedure_ref(&version.code, version.version, &version.spec),
                    channel,
                    owner_id: (!official).then(|| current.user.id.clone()),
                    applicant,
                    summary,
                    receiving: agency_ref(&receiving),
                    components: components.clone(),
                },
            };
            let mut d = dossier::start(&created).expect("created event");
            repo::append_event(db, &created)?;
            if official {
                // Reception at the counter in the same transaction: the code comes with the receipt.
                let ev = receive_event(db, &calendars, &current, &d, input.competent_agency_id.as_deref(), components, now)?;
                let rec = Recorded { dossier_id: id.clone(), seq: 2, at: now, actor_id: current.user.id.clone(), event: ev };
                dossier::apply(&mut d, &rec);
                repo::append_event(db, &rec)?;
                side_effects(db, &d, &rec)?;
            }
            repo::insert(db, &d)?;
            if let Some(k) = &key {
                repo::save_idempotent(db, &scope, k, &hash, &id, now).map_err(|e| match e {
                    motcua_store::StoreError::Unique { .. } => {
                        invalid("Idempotency-Key", "duplicate_request", "Yêu cầu trùng.", "Duplicate request.")
                    }
                    other => other.into(),
                })?;
            }
            Ok(d)
        })
        .await;
    match (result, retry_key) {
        // Two retries raced (PostgreSQL): the loser answers with the winner's dossier.
        (Err(AppError::Validation(v)), Some(k)) if v.0.iter().any(|f| f.code == "duplicate_request") => {
            ctx.store
                .read(move |db| {
                    let (_, id) = repo::idempotent(db, &retry_scope, &k)?.ok_or(AppError::not_found("dossier"))?;
                    repo::get(db, &id)?.ok_or(AppError::not_found("dossier"))
                })
                .await
        }
        (other, _) => other,
    }
}

/// Resolves what reception needs from the store and asks the domain for the event.
fn receive_event(
    db: &mut Db,
    calendars: &crate::calendar::Calendars,
    current: &CurrentUser,
    d: &Dossier,
    competent_id: Option<&str>,
    components: Vec<ComponentCheck>,
    now: i64,
) -> Result<Event, AppError> {
    let version = catalog_repo::in_force(db, &d.procedure.code, now)?.ok_or_else(|| {
        invalid("procedure_code", "procedure_not_in_force", "Thủ tục không còn hiệu lực.", "The procedure is no longer in force.")
    })?;
    let Some((_, workflow)) = repo::workflow(db, &version.code)? else {
        return Err(invalid(
            "workflow",
            "workflow_missing",
            "Thủ tục chưa có quy trình xử lý; quản trị viên cần khai báo quy trình trước khi tiếp nhận.",
            "The procedure has no workflow; an administrator must define one before dossiers are received.",
        ));
    };
    let receiving = agencies::get(db, &d.receiving.id)?;
    let competent = resolve_competent(db, &version.spec, &receiving, competent_id)?;
    let steps = resolve_steps(db, &workflow, &receiving, competent.as_ref())?;
    // The dossier code is the service centre's (a counter has no identifier of its own).
    let code_agency = match (receiving.kind, &receiving.parent_id) {
        (AgencyKind::Counter, Some(p)) => agencies::get(db, p)?,
        _ => receiving.clone(),
    };
    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let day = DossierCode::day_key(local_date(at));
    let n = repo::next_number(db, &code_agency.code, &day)?;
    let code = DossierCode::new(&code_agency.code, at, u32::try_from(n).unwrap_or(u32::MAX)).to_string();
    let cal = calendars.for_agency(Some(&receiving.id));
    let cx = Ctx { actor: actor(current), now: at, calendar: &cal };
    let cmd = Command::Receive {
        code,
        procedure: procedure_ref(&version.code, version.version, &version.spec),
        competent: competent.as_ref().map(agency_ref),
        steps,
        components,
    };
    Ok(dossier::decide(d, cmd, &cx)?)
}

/// The competent agency (REQ-7): named at reception, else the procedure's, else the commune
/// the reception point belongs to.
fn resolve_competent(
    db: &mut Db,
    spec: &ProcedureSpec,
    receiving: &AgencyRecord,
    named: Option<&str>,
) -> Result<Option<AgencyRecord>, AppError> {
    if let Some(id) = named.filter(|s| !s.is_empty()) {
        return agencies::find(db, id)?.map(Some).ok_or_else(|| {
            invalid(
                "competent_agency_id",
                "agency_not_found",
                "Không tìm thấy cơ quan giải quyết.",
                "The competent agency does not exist.",
            )
        });
    }
    if let Some(code) = &spec.agency_code
        && let Some(a) = agencies::get_by_code(db, code)?
    {
        return Ok(Some(a));
    }
    let mut cur = Some(receiving.clone());
    while let Some(a) = cur {
        if a.kind == AgencyKind::Commune {
            return Ok(Some(a));
        }
        cur = match &a.parent_id {
            Some(p) => Some(agencies::get(db, p)?),
            None => None,
        };
    }
    Ok(None)
}

fn resolve_steps(
    db: &mut Db,
    w: &Workflow,
    receiving: &AgencyRecord,
    competent: Option<&AgencyRecord>,
) -> Result<Vec<Step>, AppError> {
    w.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let agency = match &s.agency {
                StepAgency::Receiving => receiving.clone(),
                StepAgency::Competent => competent.cloned().ok_or_else(|| {
                    invalid(
                        "competent_agency_id",
                        "competent_required",
                        "Chọn cơ quan giải quyết: thủ tục không nêu cơ quan và nơi tiếp nhận không thuộc một xã, phường.",
                        "Choose the competent agency: the procedure names none and the reception point is not in a commune.",
                    )
                })?,
                StepAgency::Fixed { code } => agencies::get_by_code(db, code)?.ok_or_else(|| {
                    invalid(
                        &format!("workflow.steps[{i}]"),
                        "agency_not_found",
                        "Quy trình nêu một cơ quan không có trong danh mục.",
                        "The workflow names an agency that does not exist.",
                    )
                })?,
            };
            Ok(Step { kind: s.kind, name: s.name.clone(), agency: agency_ref(&agency), role: s.role, budget: s.budget })
        })
        .collect()
}

/// Counters and outbox entries of one event, in the event's transaction.
fn side_effects(db: &mut Db, d: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    let day = day_of(rec.at);
    for m in dossier::metrics(d, &rec.event) {
        repo::bump(db, &d.receiving.id, &d.procedure.code, &day, m, 1)?;
    }
    if d.code.is_some() {
        // National portal sync (REQ-26): every status change of a received dossier.
        let payload = json!({
            "dossier_id": d.id, "code": d.code, "seq": rec.seq, "event": rec.event.kind(),
            "status": d.status.code(), "national_status": d.status.national_code(),
        });
        repo::enqueue(db, "dvcqg.sync", &d.id, &payload, rec.at)?;
    }
    let notify = matches!(
        rec.event,
        Event::Received { .. }
            | Event::Refused { .. }
            | Event::SupplementRequested { .. }
            | Event::FeesNoticed { .. }
            | Event::Extended { .. }
            | Event::Resolved { .. }
            | Event::Stopped { .. }
    );
    if notify && (d.applicant.email.is_some() || d.applicant.phone.is_some()) {
        let payload = json!({"dossier_id": d.id, "code": d.code, "event": rec.event.kind(), "email": d.applicant.email, "phone": d.applicant.phone});
        repo::enqueue(db, "notify.applicant", &d.id, &payload, rec.at)?;
    }
    Ok(())
}

// ---- commands -------------------------------------------------------------------------

/// A command as the API receives it (the reception checklist and competent agency are
/// resolved in the transaction).
#[derive(Debug, Clone)]
pub enum Request {
    Receive { competent_agency_id: Option<String>, components: Vec<ComponentInput> },
    Do(Box<Command>),
}

impl Request {
    pub fn cmd(c: Command) -> Self {
        Request::Do(Box::new(c))
    }

    fn name(&self) -> &'static str {
        match self {
            Request::Receive { .. } => "receive",
            Request::Do(c) => c.name(),
        }
    }
}

/// Runs one command on the dossier at `expected_version`. With an idempotency key, a retry
/// of a command that already succeeded returns the dossier as it is and changes nothing.
pub async fn command(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    expected_version: i64,
    req: Request,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    let (current, id) = (current.clone(), id.to_string());
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    ctx.store
        .write(move |db| {
            let d = load_visible(db, &current, &id)?;
            let scope = format!("{}:{}:{}", current.user.id, req.name(), id);
            let hash = hex::encode(Sha256::digest(format!("{scope}@{expected_version}")));
            if let Some(k) = &key
                && let Some((first, _)) = repo::idempotent(db, &scope, k)?
            {
                if first != hash {
                    return Err(invalid(
                        "Idempotency-Key",
                        "idempotency_key_reused",
                        "Khóa chống trùng này đã dùng cho một yêu cầu khác.",
                        "This idempotency key was used for a different request.",
                    ));
                }
                return Ok(d);
            }
            if d.version != expected_version {
                return Err(stale());
            }
            let event = match req {
                Request::Receive { competent_agency_id, components } => {
                    let spec = catalog_repo::get_version(db, &d.procedure.code, d.procedure.version)?.map(|v| v.spec);
                    let mut errs = Errors::new();
                    let checks = match (&spec, components.is_empty()) {
                        // No checklist: what the applicant attached online.
                        (_, true) => d
                            .components
                            .iter()
                            .map(|c| ComponentCheck {
                                provided: c.reused || d.files.iter().any(|f| !f.removed && f.component_key == c.key),
                                ..c.clone()
                            })
                            .collect(),
                        (Some(s), false) => checklist(s, &components, &mut errs),
                        (None, false) => d.components.clone(),
                    };
                    errs.finish()?;
                    receive_event(db, &calendars, &current, &d, competent_agency_id.as_deref(), checks, now)?
                }
                Request::Do(cmd) => {
                    let cmd = *cmd;
                    let cal = calendars.for_agency(Some(&d.receiving.id));
                    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
                    dossier::decide(&d, cmd, &Ctx { actor: actor(&current), now: at, calendar: &cal })?
                }
            };
            let next = commit(db, d, &current.user.id, event, now)?;
            if let Some(k) = &key {
                repo::save_idempotent(db, &scope, k, &hash, &id, now)?;
            }
            Ok(next)
        })
        .await
}

fn commit(db: &mut Db, d: Dossier, actor_id: &str, event: Event, now: i64) -> Result<Dossier, AppError> {
    let expected = d.version;
    let rec = Recorded { dossier_id: d.id.clone(), seq: expected + 1, at: now, actor_id: actor_id.to_string(), event };
    let mut next = d;
    dossier::apply(&mut next, &rec);
    if !repo::update(db, &next, expected)? {
        return Err(stale());
    }
    repo::append_event(db, &rec).map_err(|e| match e {
        motcua_store::StoreError::Unique { .. } => stale(),
        other => other.into(),
    })?;
    side_effects(db, &next, &rec)?;
    Ok(next)
}

fn load_visible(db: &mut Db, current: &CurrentUser, id: &str) -> Result<Dossier, AppError> {
    let d = repo::get(db, id)?.ok_or(AppError::not_found("dossier"))?;
    // Out of scope reads as absent, so ids cannot be probed.
    if !dossier::may_read(&d, &actor(current)) {
        return Err(AppError::not_found("dossier"));
    }
    Ok(d)
}

// ---- reads ----------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    pub seq: i64,
    pub at: i64,
    pub actor_id: String,
    pub kind: String,
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
}

/// The dossier's state alone (no timeline), if the reader may see it.
pub async fn state(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<Dossier, AppError> {
    let (current, id) = (current.clone(), id.to_string());
    ctx.store.read(move |db| load_visible(db, &current, &id)).await
}

pub async fn get(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(Dossier, Vec<TimelineEntry>), AppError> {
    let (current, id) = (current.clone(), id.to_string());
    ctx.store
        .read(move |db| {
            let d = load_visible(db, &current, &id)?;
            let events = repo::events(db, &id)?
                .into_iter()
                .map(|r| TimelineEntry {
                    seq: r.seq,
                    at: r.at,
                    actor_id: r.actor_id,
                    kind: r.event.kind().to_string(),
                    event: serde_json::to_value(&r.event).unwrap_or_default(),
                })
                .collect();
            Ok((d, events))
        })
        .await
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub statuses: Vec<String>,
    pub q: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Inbox counts for the officer: overdue, due within one day, the rest.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueCounts {
    pub overdue: i64,
    pub due_soon: i64,
    pub on_track: i64,
}

fn parent_of(path: &str) -> Option<String> {
    let t = path.strip_suffix('/')?;
    let i = t.rfind('/')?;
    (i > 0).then(|| path[..=i].to_string())
}

fn filter_for(current: &CurrentUser, q: &ListQuery) -> Result<DossierFilter, AppError> {
    let mut statuses = Vec::new();
    for s in &q.statuses {
        if Status::parse(s).is_none() {
            return Err(invalid("status", "invalid_status", "Trạng thái không hợp lệ.", "Unknown status."));
        }
        statuses.push(s.clone());
    }
    let mut f = DossierFilter {
        statuses,
        words: q
            .q
            .as_deref()
            .map(|t| motcua_domain::text::fold(t).split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        limit: if q.limit <= 0 { 50 } else { q.limit },
        offset: q.offset,
        ..Default::default()
    };
    if current.user.account_type == AccountType::Citizen {
        f.owner_id = Some(current.user.id.clone());
        return Ok(f);
    }
    let oversee: Vec<String> = current
        .principal
        .memberships
        .iter()
        .filter(|m| matches!(m.role, Role::Supervisor | Role::Admin))
        .map(|m| m.agency_path.clone())
        .collect();
    if !oversee.is_empty() {
        f.receiving_scope = Some(oversee);
    } else {
        f.serving = Some(
            current
                .principal
                .memberships
                .iter()
                .map(|m| Serving {
                    subtree: m.agency_path.clone(),
                    parent: parent_of(&m.agency_path),
                    role: m.role.code().to_string(),
                })
                .collect(),
        );
    }
    Ok(f)
}

/// The officer's inbox (dossiers held now where they serve, most urgent first), a
/// supervisor's whole subtree, or the applicant's own dossiers.
pub async fn list(ctx: &AppContext, current: &CurrentUser, q: ListQuery) -> Result<(Vec<Dossier>, i64, DueCounts), AppError> {
    let f = filter_for(current, &q)?;
    let now = ctx.clock.now_ms();
    ctx.store
        .read(move |db| {
            let (items, total) = repo::list(db, &f)?;
            let (overdue, due_soon, on_track) = repo::due_counts(db, &f, now, 86_400_000)?;
            Ok((items, total, DueCounts { overdue, due_soon, on_track }))
        })
        .await
}

/// The register (form 07): dossiers received at agencies where the reader works, over a
/// period of local days.
pub async fn register(
    ctx: &AppContext,
    current: &CurrentUser,
    from: jiff::civil::Date,
    to: jiff::civil::Date,
) -> Result<Vec<Dossier>, AppError> {
    if current.user.account_type != AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let tz = vn_time_zone();
    let start = from.to_zoned(tz.clone()).map_err(|e| AppError::Internal(e.to_string()))?.timestamp().as_millisecond();
    let end = to
        .tomorrow()
        .map_err(|e| AppError::Internal(e.to_string()))?
        .to_zoned(tz)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .timestamp()
        .as_millisecond();
    // A counter keeps its centre's register: the unit where one works, or the one above it.
    let scope: Vec<String> = current
        .principal
        .memberships
        .iter()
        .map(|m| parent_of(&m.agency_path).unwrap_or_else(|| m.agency_path.clone()))
        .collect();
    let f = DossierFilter {
        receiving_scope: Some(scope),
        received_from: Some(start),
        received_to: Some(end),
        order_by_received: true,
        limit: 500,
        ..Default::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    loop {
        let page = DossierFilter { offset, ..f.clone() };
        let (items, total) = ctx.store.read(move |db| repo::list(db, &page).map_err(AppError::from)).await?;
        let n = items.len() as i64;
        out.extend(items);
        offset += n;
        if n == 0 || offset >= total || offset >= 20_000 {
            break;
        }
    }
    Ok(out)
}

/// Public tracking by code and a second factor (last four digits of the applicant's ID
/// number or phone). A wrong factor reads exactly like an unknown code.
///
/// Codes are sequential and the check has 10 000 values, so guessing is limited: each
/// client address has a rate, and wrong checks of one code put (code, address) — and,
/// after many more, the code for everyone — into back-off, refused with 429 before
/// anything is read. The applicant, from their own address, keeps access unless the code
/// is guessed at from many addresses.
pub async fn track(ctx: &AppContext, code: &str, check: &str, client: IpAddr) -> Result<Dossier, AppError> {
    let (doors, now, address) = (&ctx.doors, crate::now_ms(), client_key(client));
    if let Err(wait) = doors.tracking_per_address.take(&address, now) {
        if doors.log_gate.open(now) {
            tracing::warn!(%address, "tracking rate limit of the address reached");
        }
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    let code_key = text_key(code);
    let pair = (code_key.clone(), address);
    if let Some(wait) =
        doors.tracking_failures.blocked(&pair, now).or_else(|| doors.tracking_code_failures.blocked(&code_key, now))
    {
        return Err(AppError::throttled(429, "tracking_throttled", wait));
    }
    let (code, check) = (code.trim().to_string(), check.trim().to_string());
    let found = ctx.store.read(move |db| repo::get_for_tracking(db, &code, &check).map_err(AppError::from)).await?;
    let Some(d) = found else {
        let by_pair = doors.tracking_failures.failure(&pair, now);
        let by_code = doors.tracking_code_failures.failure(&code_key, now);
        if let Some(t) = by_pair.or(by_code) {
            tracing::warn!(code = %code_key, %address, failures = t.failures, wait_ms = t.wait_ms, all_addresses = by_pair.is_none(),
                "tracking back-off");
        }
        return Err(AppError::not_found("dossier"));
    };
    doors.tracking_failures.success(&pair);
    Ok(d)
}

// ---- attachments ----------------------------------------------------------------------

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

/// Attaches a file to a component: size and type are checked from the bytes before
/// anything is stored; the bytes are stored once per digest; a failed transaction leaves
/// no new file behind.
pub async fn attach(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    component_key: &str,
    declared_type: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Dossier, AppError> {
    let limits = &ctx.config.attachments;
    if bytes.len() > limits.max_file_bytes {
        return Err(refused(
            413,
            "file_too_large",
            &format!("Tệp vượt quá dung lượng cho phép ({} MB).", limits.max_file_bytes / 1_000_000),
            &format!("The file exceeds the limit ({} MB).", limits.max_file_bytes / 1_000_000),
        ));
    }
    if bytes.is_empty() {
        return Err(refused(422, "file_empty", "Tệp rỗng.", "The file is empty."));
    }
    let kind = attachment::sniff(&bytes).filter(|k| limits.allowed.iter().any(|a| a == k.code())).ok_or_else(|| {
        refused(
            415,
            "file_type_not_allowed",
            "Chỉ nhận tệp PDF, JPEG, PNG, DOCX hoặc XLSX (nhận biết theo nội dung tệp).",
            "Only PDF, JPEG, PNG, DOCX or XLSX files are accepted (recognised from their content).",
        )
    })?;
    if !kind.agrees_with(declared_type) {
        return Err(refused(
            415,
            "file_type_mismatch",
            "Loại tệp khai báo không khớp với nội dung tệp.",
            "The declared file type does not match the file's content.",
        ));
    }
    let safe = attachment::safe_name(name, kind);
    // Check the right to attach before writing any bytes.
    let d = state(ctx, current, id).await?;
    let used: i64 = d.files.iter().filter(|f| !f.removed).map(|f| f.size).sum();
    if used as usize + bytes.len() > limits.max_dossier_bytes {
        return Err(refused(
            413,
            "dossier_too_large",
            &format!("Tổng dung lượng tệp của hồ sơ vượt quá {} MB.", limits.max_dossier_bytes / 1_000_000),
            &format!("The dossier's files would exceed {} MB in all.", limits.max_dossier_bytes / 1_000_000),
        ));
    }
    let probe = FileRef {
        id: new_id(),
        component_key: component_key.to_string(),
        sha256: String::new(),
        name: safe.clone(),
        size: bytes.len() as i64,
        media_type: kind.media_type().to_string(),
        at: ctx.clock.now_ms(),
        by: current.user.id.clone(),
        removed: false,
    };
    let probe_cal = ctx.calendars.national();
    let probe_at = jiff::Timestamp::from_millisecond(probe.at).map_err(|e| AppError::Internal(e.to_string()))?;
    dossier::decide(
        &d,
        Command::AttachFile { file: probe.clone() },
        &Ctx { actor: actor(current), now: probe_at, calendar: &probe_cal },
    )?;
    let files = ctx.files.clone();
    let (sha, new) =
        tokio::task::spawn_blocking(move || files.put(&bytes)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let (cur, id2, sha2, calendars) = (current.clone(), id.to_string(), sha.clone(), ctx.calendars.clone());
    let now = ctx.clock.now_ms();
    let result = ctx
        .store
        .write(move |db| {
            let d = load_visible(db, &cur, &id2)?;
            repo::add_file(db, &sha2, probe.size, &probe.media_type, now)?;
            let file = FileRef { sha256: sha2.clone(), at: now, ..probe };
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let ev = dossier::decide(&d, Command::AttachFile { file }, &Ctx { actor: actor(&cur), now: at, calendar: &cal })?;
            let id = cur.user.id.clone();
            commit(db, d, &id, ev, now)
        })
        .await;
    if result.is_err() && new {
        let s = sha.clone();
        let referenced = ctx
            .store
            .read(move |db| {
                Ok::<_, AppError>(db.query_opt("SELECT 1 FROM files WHERE sha256 = $1", &motcua_store::params![s])?.is_some())
            })
            .await
            .unwrap_or(true);
        if !referenced {
            let _ = ctx.files.discard(&sha);
        }
    }
    result
}

/// A file of a dossier, for download (the reader must be allowed to read the dossier).
pub async fn file(ctx: &AppContext, current: &CurrentUser, id: &str, file_id: &str) -> Result<(FileRef, Vec<u8>), AppError> {
    let d = state(ctx, current, id).await?;
    let f = d.files.into_iter().find(|f| f.id == file_id && !f.removed).ok_or(AppError::not_found("file"))?;
    let files = ctx.files.clone();
    let sha = f.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((f, bytes))
}

// ---- workflows ------------------------------------------------------------------------

pub async fn workflow(ctx: &AppContext, code: &str) -> Result<(i64, Workflow), AppError> {
    let code = code.trim().to_ascii_uppercase();
    ctx.store.read(move |db| repo::workflow(db, &code)?.ok_or(AppError::not_found("workflow"))).await
}

/// Saves a procedure's workflow (province administrators): the steps' budgets must fit the
/// legal limit of the version in force, and fixed agencies must exist.
pub async fn set_workflow(ctx: &AppContext, current: &CurrentUser, code: &str, w: Workflow) -> Result<(i64, Workflow), AppError> {
    super::require_province(Some(&current.principal), motcua_domain::authz::Permission::ManageCatalog)?;
    let code = code.trim().to_ascii_uppercase();
    let v = crate::usecases::catalog::in_force(ctx, &code, ctx.clock.now_ms()).await?.ok_or(AppError::not_found("procedure"))?;
    let office_day = ctx.calendars.national().office_hours().office_day();
    let w = w.validate(v.spec.time_limit, office_day)?;
    let actor_id = current.user.id.clone();
    ctx.store
        .write(move |db| {
            for (i, s) in w.steps.iter().enumerate() {
                if let StepAgency::Fixed { code: ac } = &s.agency
                    && agencies::get_by_code(db, ac)?.is_none()
                {
                    return Err(invalid(
                        &format!("steps[{i}].agency.code"),
                        "agency_not_found",
                        "Không tìm thấy cơ quan.",
                        "No such agency.",
                    ));
                }
            }
            let now = crate::now_ms();
            let rev = repo::put_workflow(db, &code, &w, Some(&actor_id), now)?;
            motcua_store::repo::audit::append(
                db,
                motcua_store::repo::audit::NewAudit {
                    chain: motcua_store::repo::audit::ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor_id),
                    action: "workflow.saved",
                    entity_kind: "procedure",
                    entity_id: &code,
                    agency_path: None,
                    payload: json!({"revision": rev, "steps": w.steps.len()}),
                },
            )?;
            Ok((rev, w))
        })
        .await
}

/// The default workflow for every procedure that has none (seed and `motcua seed`).
pub fn seed_workflows_in(db: &mut Db, office_day: jiff::SignedDuration) -> Result<usize, AppError> {
    let mut n = 0;
    let now = crate::now_ms();
    for v in catalog_repo::all_in_force(db, now)? {
        if repo::workflow(db, &v.code)?.is_none() {
            let w = Workflow::default_for(&v.spec, office_day).validate(v.spec.time_limit, office_day)?;
            repo::put_workflow(db, &v.code, &w, None, now)?;
            n += 1;
        }
    }
    Ok(n)
}

// ---- replay ---------------------------------------------------------------------------

/// The state replayed from the log, beside the stored projection.
pub async fn replay(ctx: &AppContext, id: &str) -> Result<(Dossier, Dossier), AppError> {
    let id = id.to_string();
    ctx.store
        .read(move |db| {
            let stored = repo::get(db, &id)?.ok_or(AppError::not_found("dossier"))?;
            let replayed = dossier::replay(&repo::events(db, &id)?).ok_or(AppError::not_found("dossier events"))?;
            Ok((stored, replayed))
        })
        .await
}

/// Recomputes every projection row and every counter from the event log.
pub async fn rebuild(ctx: &AppContext) -> Result<usize, AppError> {
    ctx.store
        .write(|db| {
            repo::clear_kpi(db)?;
            let ids = repo::all_ids(db)?;
            for id in &ids {
                let events = repo::events(db, id)?;
                let Some((first, rest)) = events.split_first() else { continue };
                let mut d =
                    dossier::start(first).ok_or(AppError::Internal(format!("dossier {id}: first event is not created")))?;
                for r in rest {
                    dossier::apply(&mut d, r);
                    let day = day_of(r.at);
                    for m in dossier::metrics(&d, &r.event) {
                        repo::bump(db, &d.receiving.id, &d.procedure.code, &day, m, 1)?;
                    }
                }
                repo::overwrite(db, &d)?;
            }
            Ok(ids.len())
        })
        .await
}

/// Counter totals over local days `[from, to]` for the agencies given (all when empty).
pub async fn kpi_totals(ctx: &AppContext, agency_ids: Vec<String>, from: &str, to: &str) -> Result<Vec<(String, i64)>, AppError> {
    let (from, to) = (from.to_string(), to.to_string());
    ctx.store.read(move |db| repo::kpi_totals(db, &agency_ids, &from, &to).map_err(AppError::from)).await
}

/// The file kinds accepted by default.
pub fn default_allowed() -> Vec<String> {
    FileKind::ALL.iter().map(|k| k.code().to_string()).collect()
}

/// Walks every dossier's hash chain (`motcua verify`): (dossiers, events) or the first broken event.
pub async fn verify_chains(
    store: &motcua_store::Store,
) -> Result<Result<(i64, i64), motcua_domain::audit::BrokenChain>, AppError> {
    store.read(|db| repo::verify_chains(db).map_err(AppError::from)).await
}

/// Full names of the given users (for the control slip and timelines); unknown ids are left out.
pub async fn user_names(ctx: &AppContext, ids: Vec<String>) -> Result<std::collections::HashMap<String, String>, AppError> {
    ctx.store
        .read(move |db| {
            let mut out = std::collections::HashMap::new();
            for id in ids {
                if out.contains_key(&id) {
                    continue;
                }
                match motcua_store::repo::users::get(db, &id) {
                    Ok(u) => {
                        out.insert(id, u.full_name);
                    }
                    Err(motcua_store::StoreError::NotFound) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        })
        .await
}
