//! Online dossiers filed on the national portal (REQ-8, issue #15 inbound): one use case for
//! the pull worker and the push endpoint. Idempotent by the portal's dossier id (unique in
//! `dvcqg_inbound`): a second delivery answers the dossier the first made. A dossier is
//! created as an online filing of the portal's citizen (`PORTAL_ACTOR`), its files through
//! the upload checks, and submitted (national status 1), at the reception point the portal
//! names (any in the province, REQ-7) with its competent agency derived from the case. A
//! delivery that fails is kept in the error list with its reason (Vietnamese and a machine
//! code) and its raw payload, and never stops the others.

use super::attachments::{check_upload, discard_unreferenced, refused};
use super::*;
use motcua_domain::dossier::{PORTAL_ACTOR, PortalFiling};
use motcua_dvcqg::inbound::OnlineFiling;
use motcua_store::repo::inbound::{self as inbound_repo, InboundRecord};

/// Raw payload kept for a failed delivery at most (file contents are left out first).
pub const MAX_KEPT_PAYLOAD: usize = 64 * 1024;
/// Files one online dossier may carry at most.
pub const MAX_INBOUND_FILES: usize = 50;

/// How a dossier came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Pull,
    Push,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Pull => "pull",
            Source::Push => "push",
        }
    }
}

/// Why a delivery did not become a dossier (also kept in the error list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub portal_id: String,
    pub code: String,
    pub message_vi: String,
    /// The field of the payload at fault, when one is.
    pub field: Option<String>,
    /// The HTTP status a push is answered with.
    pub http: u16,
    /// `failed` (tried again) or `held`.
    pub state: String,
}

/// What became of a delivery.
#[derive(Debug, Clone)]
pub enum Taken {
    /// A new dossier.
    Created(Box<Dossier>),
    /// Delivered before: the dossier the first delivery made.
    Existing(Box<Dossier>),
}

impl Taken {
    pub fn dossier(&self) -> &Dossier {
        match self {
            Taken::Created(d) | Taken::Existing(d) => d,
        }
    }
}

/// The portal's id in a raw delivery; a payload without one is named by its digest.
pub fn portal_id_of(raw: &serde_json::Value) -> String {
    match raw["MaHoSo"].as_str().map(str::trim).filter(|s| !s.is_empty() && s.len() <= 100) {
        Some(id) => id.to_string(),
        None => format!("sha256:{}", &hex::encode(Sha256::digest(raw.to_string().as_bytes()))[..16]),
    }
}

/// The raw payload as kept: file contents left out, at most `MAX_KEPT_PAYLOAD` bytes.
fn kept_payload(raw: &serde_json::Value) -> String {
    let mut v = raw.clone();
    if let Some(files) = v["TaiLieuNop"].as_array_mut() {
        for f in files.iter_mut().filter(|f| f.is_object()) {
            if let Some(c) = f["NoiDung"].as_str() {
                f["NoiDung"] = json!(format!("<{} ký tự base64, không lưu>", c.len()));
            }
        }
    }
    let mut s = v.to_string();
    if s.len() > MAX_KEPT_PAYLOAD {
        let mut cut = MAX_KEPT_PAYLOAD;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("…(cắt bớt)");
    }
    s
}

/// (machine code, Vietnamese reason, the field at fault).
fn reason(e: &AppError) -> (String, String, Option<String>) {
    match e {
        AppError::Validation(v) if v.0.len() > 1 => (
            v.0[0].code.to_string(),
            v.0.iter().map(|f| format!("{}: {}", f.field, f.message_vi)).collect::<Vec<_>>().join("; "),
            None,
        ),
        AppError::Validation(v) if v.0.len() == 1 => {
            (v.0[0].code.to_string(), v.0[0].message_vi.clone(), Some(v.0[0].field.clone()))
        }
        other => (other.code().to_string(), other.message_vi(), None),
    }
}

/// Takes one online dossier in. `Err(Failure)`: recorded in the error list (or, for a
/// failure of our own storage, left for the next delivery), nothing else written.
pub async fn take_in(ctx: &AppContext, raw: &serde_json::Value, source: Source) -> Result<Taken, Failure> {
    let portal_id = portal_id_of(raw);
    let id = portal_id.clone();
    let known: Option<InboundRecord> = ctx.store.read(move |db| inbound_repo::get(db, &id)).await.map_err(|e| Failure {
        portal_id: portal_id.clone(),
        code: "service_unavailable".into(),
        message_vi: format!("Không đọc được danh sách hồ sơ đã nhận: {e}"),
        field: None,
        http: 503,
        state: "failed".into(),
    })?;
    if let Some(dossier_id) = known.as_ref().and_then(|k| k.dossier_id.clone()) {
        let d = ctx.store.read(move |db| repo::get(db, &dossier_id)).await.ok().flatten();
        if let Some(d) = d {
            return Ok(Taken::Existing(Box::new(d)));
        }
    }
    match create(ctx, raw, &portal_id, source).await {
        Ok(t) => Ok(t),
        Err(e) if e.status() >= 500 => {
            let (code, message_vi, field) = reason(&e);
            Err(Failure { portal_id, code, message_vi, field, http: e.status(), state: "failed".into() })
        }
        Err(e) => {
            let (code, message_vi, field) = reason(&e);
            // The field joins the reason kept in the list.
            let kept = field.as_ref().map_or_else(|| message_vi.clone(), |f| format!("{f}: {message_vi}"));
            let (id, c, m, payload) = (portal_id.clone(), code.clone(), kept, kept_payload(raw));
            let max = i64::from(ctx.config.dvcqg.inbound_max_attempts.max(1));
            let now = ctx.clock.now_ms();
            let src = source.as_str();
            let state = ctx
                .store
                .write(move |db| inbound_repo::mark_failed(db, &id, src, &c, &m, &payload, max, now))
                .await
                .unwrap_or_else(|_| "failed".into());
            tracing::warn!(portal_id = %portal_id, %code, reason = %message_vi, %state, "an online dossier from the portal was refused");
            Err(Failure { portal_id, code, message_vi, field, http: e.status(), state })
        }
    }
}

/// A file of the filing, decoded and checked, not stored yet.
struct InboundFile {
    upload: CheckedUploadParts,
    component_key: String,
    from_store: bool,
    digitized: bool,
}

struct CheckedUploadParts {
    bytes: Vec<u8>,
    kind: FileKind,
    name: String,
}

async fn create(ctx: &AppContext, raw: &serde_json::Value, portal_id: &str, source: Source) -> Result<Taken, AppError> {
    let f: OnlineFiling = serde_json::from_value(raw.clone()).map_err(|e| {
        invalid("data", "malformed", &format!("Hồ sơ không đúng cấu trúc: {e}"), &format!("Malformed dossier: {e}"))
    })?;
    if f.id.trim() != portal_id {
        return Err(invalid("MaHoSo", "missing_field", "Thiếu mã hồ sơ trên Cổng (MaHoSo).", "MaHoSo is missing."));
    }
    if f.files.len() > MAX_INBOUND_FILES {
        return Err(invalid(
            "TaiLieuNop",
            "too_many_files",
            &format!("Hồ sơ có quá {MAX_INBOUND_FILES} tệp."),
            &format!("More than {MAX_INBOUND_FILES} files."),
        ));
    }
    let mut errs = Errors::new();
    let kind = match f.applicant_type {
        1 => "citizen",
        2 => "business",
        _ => {
            errs.push(FieldError::new(
                "LoaiDoiTuong",
                "invalid_applicant_kind",
                "Loại đối tượng (LoaiDoiTuong) phải là 1 (cá nhân) hoặc 2 (tổ chức).",
                "LoaiDoiTuong is 1 (person) or 2 (organisation).",
            ));
            "citizen"
        }
    };
    let applicant = super::filing::parse_applicant(
        &ApplicantInput {
            kind: Some(kind.into()),
            name: f.applicant_name.clone(),
            id_number: f.id_number.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            address: f.address.clone(),
        },
        &mut errs,
    );
    errs.finish()?;
    let applicant = applicant.expect("validated");
    // Every file decoded and checked from its bytes before anything is stored.
    let mut files = Vec::new();
    let mut total = 0usize;
    for (i, x) in f.files.iter().enumerate() {
        use base64::Engine as _;
        let field = format!("TaiLieuNop[{i}]");
        let Some(content) = x.content.as_deref() else {
            return Err(invalid(
                &format!("{field}.NoiDung"),
                "file_missing",
                &format!("Tệp \"{}\" không có nội dung (NoiDung).", x.name),
                "The file has no content.",
            ));
        };
        // A base64 text longer than the file limit allows is refused before decoding.
        if content.len() / 4 * 3 > ctx.config.attachments.max_file_bytes + 3 {
            return Err(crate::upload::too_large(ctx.config.attachments.max_file_bytes));
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(content.trim()).map_err(|_| {
            invalid(
                &format!("{field}.NoiDung"),
                "file_not_base64",
                &format!("Nội dung tệp \"{}\" không phải base64 hợp lệ.", x.name),
                "The file content is not valid base64.",
            )
        })?;
        total += bytes.len();
        let c = check_upload(ctx, x.media_type.as_deref(), &x.name, bytes.into()).await.map_err(|e| match e {
            AppError::Refused { http, code, vi, en } => {
                AppError::Refused { http, code, vi: format!("Tệp \"{}\" ({field}): {vi}", x.name), en }
            }
            other => other,
        })?;
        files.push(InboundFile {
            upload: CheckedUploadParts { bytes: c.bytes, kind: c.kind, name: c.name },
            component_key: x.component_code.trim().to_string(),
            from_store: x.from_store == 1,
            digitized: x.digitized == 1,
        });
    }
    let max = ctx.config.attachments.max_dossier_bytes;
    if total > max {
        return Err(refused(
            413,
            "dossier_too_large",
            &format!("Tổng dung lượng tệp của hồ sơ vượt quá {} MB.", max / 1_000_000),
            &format!("The dossier's files would exceed {} MB in all.", max / 1_000_000),
        ));
    }
    let code = f.procedure_code.trim().to_ascii_uppercase();
    let unit_code = f.unit_code.trim().to_string();
    let now = ctx.clock.now_ms();
    let today = local_date_ms(now);
    let calendars = ctx.calendars.clone();
    // Decide on a snapshot: the procedure in force, the reception point, the competent agency.
    let plan = {
        let code = code.clone();
        let address = applicant.address.clone();
        ctx.store
            .read(move |db| {
                let Some(version) = catalog_repo::in_force(db, &code, now)? else {
                    return Err(invalid(
                        "MaTTHC",
                        "unknown_procedure",
                        &format!("Mã thủ tục hành chính \"{code}\" không có trong danh mục thủ tục đang có hiệu lực của tỉnh."),
                        &format!("No procedure \"{code}\" is in force in the province."),
                    ));
                };
                if version.spec.online_level == OnlineLevel::None {
                    return Err(invalid(
                        "MaTTHC",
                        "not_online",
                        "Thủ tục này chưa cung cấp dịch vụ công trực tuyến.",
                        "This procedure has no online service.",
                    ));
                }
                let competent = case_competent(db, &version.spec, None, address.as_deref(), today)?
                    .filter(|_| dossier::competence(&version.spec) == Competence::Commune);
                let unit = match unit_code.as_str() {
                    "" => None,
                    c => Some(agencies::get_by_code(db, c)?.filter(|a| a.facts().active_on(today)).ok_or_else(|| {
                        invalid(
                            "MaDonViTiepNhan",
                            "unknown_unit",
                            &format!("Đơn vị tiếp nhận \"{c}\" không có hoặc không còn hoạt động trong tỉnh."),
                            &format!("No reception unit \"{c}\" in operation in the province."),
                        )
                    })?),
                };
                // The reception point the citizen chose on the portal when it is one; a
                // commune named stands for its centre; else where the wizard would file it.
                let receiving = match unit {
                    Some(u) if u.kind.is_reception_point() => u,
                    Some(u) if u.kind == AgencyKind::Commune => match commune_centre(db, &u)? {
                        Some(c) => c,
                        None => provincial_centre(db)?,
                    },
                    _ => match competent.as_ref().map(|c| commune_centre(db, c)).transpose()?.flatten() {
                        Some(c) => c,
                        None => provincial_centre(db)?,
                    },
                };
                Ok((version, receiving, competent))
            })
            .await?
    };
    let (version, receiving, competent) = plan;
    let mut errs = Errors::new();
    for (i, x) in files.iter().enumerate() {
        if !version.spec.components.iter().any(|s| s.key == x.component_key) {
            errs.push(FieldError::new(
                format!("TaiLieuNop[{i}].MaThanhPhanHoSo"),
                "unknown_component",
                format!("Thủ tục không có thành phần hồ sơ \"{}\".", x.component_key),
                "The procedure has no such component.",
            ));
        }
    }
    errs.finish()?;
    // The bytes stored once per digest; removed again when the transaction fails.
    let mut stored = Vec::new();
    let mut refs = Vec::new();
    for x in files {
        let files_store = ctx.files.clone();
        let bytes = x.upload.bytes;
        let size = bytes.len() as i64;
        let (sha, new) = tokio::task::spawn_blocking(move || files_store.put(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        stored.push((sha.clone(), new));
        refs.push((
            FileRef {
                id: new_id(),
                component_key: x.component_key,
                sha256: sha,
                name: x.upload.name,
                size,
                media_type: x.upload.kind.media_type().to_string(),
                at: now,
                by: PORTAL_ACTOR.to_string(),
                removed: false,
                locker_item_id: None,
            },
            x.from_store,
            x.digitized,
        ));
    }
    let portal = PortalFiling {
        id: portal_id.to_string(),
        vneid: f.vneid == 1,
        source_db: f.source_db.clone().filter(|s| !s.trim().is_empty()),
        from_store: refs.iter().filter(|r| r.1).map(|r| r.0.id.clone()).collect(),
        digitized: refs.iter().filter(|r| r.2).map(|r| r.0.id.clone()).collect(),
    };
    let summary = f.summary.as_deref().map(motcua_domain::text::clean).filter(|s| !s.is_empty());
    let dossier_id = new_id();
    let created = Recorded {
        dossier_id: dossier_id.clone(),
        seq: 1,
        at: now,
        actor_id: PORTAL_ACTOR.into(),
        event: Event::Created {
            procedure: procedure_ref(&version.code, version.version, &version.spec),
            channel: Channel::Online,
            owner_id: Some(PORTAL_ACTOR.into()),
            applicant,
            summary,
            receiving: agency_ref(&receiving),
            components: checklist(&version.spec, &[], &mut Errors::new()),
            competent: competent.as_ref().map(agency_ref),
            portal: Some(Box::new(portal)),
        },
    };
    let raw_kept = kept_payload(raw);
    let (pid, src) = (portal_id.to_string(), source.as_str());
    let result = ctx
        .store
        .write_rerunnable(move |db| {
            let mut d = dossier::start(&created).expect("created event");
            let chained = repo::chain(&created, motcua_domain::audit::GENESIS)?;
            repo::insert_chained(db, &chained)?;
            let mut prev = chained.hash.clone();
            let mut effects = vec![(d.clone(), created.clone())];
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let portal_actor = Actor { user_id: PORTAL_ACTOR, account: AccountType::Citizen, memberships: &[] };
            let mut cmds: Vec<Command> = Vec::new();
            for (file, _, _) in &refs {
                repo::add_file(db, &file.sha256, file.size, &file.media_type, now)?;
                cmds.push(Command::AttachFile { file: file.clone() });
            }
            // The guard refuses the submission when a required component has no file.
            // The applicant signed in with VNeID on the portal: the dossier carries the flag
            // as one filed in a VNeID session here does.
            let vneid = d.portal.as_ref().is_some_and(|p| p.vneid);
            cmds.push(Command::Submit { reference: super::commands::filing_reference(now), vneid });
            for cmd in cmds {
                let cx = Ctx { actor: portal_actor, now: at, calendar: &cal, signed_result: false };
                let ev = dossier::decide(&d, cmd, &cx)?;
                let rec =
                    Recorded { dossier_id: d.id.clone(), seq: d.version + 1, at: now, actor_id: PORTAL_ACTOR.into(), event: ev };
                dossier::apply(&mut d, &rec);
                prev = repo::append_event_after(db, &rec, &prev)?;
                effects.push((d.clone(), rec));
            }
            repo::insert(db, &d)?;
            if !inbound_repo::mark_received(db, &pid, &d.id, src, &raw_kept, now)? {
                // Another delivery of the same dossier won the race: this one writes nothing.
                return Err(AppError::Conflict {
                    code: "already_received",
                    field: Some("MaHoSo"),
                    vi: "Hồ sơ này đã được nhận.",
                    en: "This dossier was already received.",
                });
            }
            let mut was = dossier::Before::NEW;
            for (state, rec) in &effects {
                side_effects(db, was, state, rec)?;
                was = dossier::Before::of(state);
            }
            Ok(d)
        })
        .await;
    match result {
        Ok(d) => {
            tracing::info!(portal_id = %portal_id, dossier = %d.id, source = source.as_str(), "online dossier taken in from the portal");
            Ok(Taken::Created(Box::new(d)))
        }
        Err(e) => {
            discard_unreferenced(ctx, &stored).await;
            if let AppError::Conflict { code: "already_received", .. } = e {
                let pid = portal_id.to_string();
                let d = ctx
                    .store
                    .read(move |db| {
                        let r = inbound_repo::get(db, &pid)?.and_then(|r| r.dossier_id);
                        Ok::<_, AppError>(match r {
                            Some(id) => repo::get(db, &id)?,
                            None => None,
                        })
                    })
                    .await?;
                if let Some(d) = d {
                    return Ok(Taken::Existing(Box::new(d)));
                }
            }
            Err(e)
        }
    }
}

/// The province's public administration service centre (the wizard's default reception point).
fn provincial_centre(db: &mut Db) -> Result<AgencyRecord, AppError> {
    let f = agencies::AgencyFilter { kind: Some(AgencyKind::ServiceCentre), limit: 1, ..Default::default() };
    agencies::list(db, &f)?.0.into_iter().next().ok_or_else(|| {
        invalid(
            "MaDonViTiepNhan",
            "unknown_unit",
            "Tỉnh chưa có Trung tâm Phục vụ hành chính công để tiếp nhận hồ sơ.",
            "The province has no service centre.",
        )
    })
}

/// Records that the portal was told the province holds `portal_id`.
pub async fn acknowledged(ctx: &AppContext, portal_id: &str) -> Result<(), AppError> {
    let (id, now) = (portal_id.to_string(), ctx.clock.now_ms());
    ctx.store.write(move |db| Ok::<_, AppError>(inbound_repo::mark_acknowledged(db, &id, now)?)).await
}

/// Whether a pull should skip `portal_id`: held until an administrator retries it.
pub async fn held(ctx: &AppContext, portal_id: &str) -> Result<bool, AppError> {
    let id = portal_id.to_string();
    ctx.store.read(move |db| Ok::<_, AppError>(inbound_repo::get(db, &id)?.is_some_and(|r| r.state == "held"))).await
}

/// The error list (failed and held deliveries, latest first, at most 200). Province
/// administrators (who operate the queues) only.
pub async fn inbound_errors(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<InboundRecord>, AppError> {
    crate::usecases::require_province(Some(&current.principal), motcua_domain::authz::Permission::OperateQueues)?;
    ctx.store.read(|db| Ok::<_, AppError>(inbound_repo::errors(db, 200)?)).await
}

/// Puts a failed or held delivery back to be taken on the next pull, with fresh attempts.
pub async fn retry_inbound(ctx: &AppContext, current: &CurrentUser, portal_id: &str) -> Result<(), AppError> {
    crate::usecases::require_province(Some(&current.principal), motcua_domain::authz::Permission::OperateQueues)?;
    let (id, now) = (portal_id.to_string(), ctx.clock.now_ms());
    let found = ctx.store.write(move |db| Ok::<_, AppError>(inbound_repo::retry(db, &id, now)?)).await?;
    if !found {
        return Err(AppError::NotFound { what: "inbound dossier" });
    }
    tracing::info!(actor = %current.user.id, portal_id, "inbound dossier put back to be taken again");
    Ok(())
}
