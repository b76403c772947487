//! Attachments: files checked by their structure, stored by digest, recorded as events.

use super::*;
use crate::upload::Incoming;

pub(super) fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

/// Refuses a file that would take the dossier's files past `max` bytes in all.
pub(super) fn over_quota(d: &Dossier, size: usize, max: usize) -> Result<(), AppError> {
    let used: i64 = d.files.iter().filter(|f| !f.removed).map(|f| f.size).sum();
    if used.max(0) as usize + size > max {
        return Err(refused(
            413,
            "dossier_too_large",
            &format!("Tổng dung lượng tệp của hồ sơ vượt quá {} MB.", max / 1_000_000),
            &format!("The dossier's files would exceed {} MB in all.", max / 1_000_000),
        ));
    }
    Ok(())
}

/// An upload checked from its bytes before anything is stored: within the file limit, not
/// empty, a structure we recognise (issue #12 item 11: polyglots and PDFs with active content
/// refused), of an allowed kind agreeing with the declared type.
pub(super) struct CheckedUpload {
    pub bytes: Vec<u8>,
    /// The spool the bytes were read from, moved into the file store as is.
    pub spooled: Option<crate::upload::Spooled>,
    pub kind: FileKind,
    /// The user's file name made safe.
    pub name: String,
}

pub(super) async fn check_upload(
    ctx: &AppContext,
    declared_type: Option<&str>,
    name: &str,
    incoming: Incoming,
) -> Result<CheckedUpload, AppError> {
    let limits = &ctx.config.attachments;
    if incoming.len() > limits.max_file_bytes {
        return Err(crate::upload::too_large(limits.max_file_bytes));
    }
    if incoming.is_empty() {
        return Err(refused(422, "file_empty", "Tệp rỗng.", "The file is empty."));
    }
    // A spooled file is read only now, once its size is known to be within the limit.
    let (bytes, spooled) = match incoming {
        Incoming::Memory(b) => (b, None),
        Incoming::Spooled(s) => (s.read().await?, Some(s)),
    };
    let kind = motcua_documents::upload::check(&bytes).map_err(|r| {
        let http = if r.code == motcua_documents::upload::UNKNOWN.code { 415 } else { 422 };
        refused(http, r.code, r.message_vi, r.message_en)
    })?;
    if !limits.allowed.iter().any(|a| a == kind.code()) {
        let r = motcua_documents::upload::UNKNOWN;
        return Err(refused(415, r.code, r.message_vi, r.message_en));
    }
    if !kind.agrees_with(declared_type) {
        return Err(refused(
            415,
            "file_type_mismatch",
            "Loại tệp khai báo không khớp với nội dung tệp.",
            "The declared file type does not match the file's content.",
        ));
    }
    let name = attachment::safe_name(name, kind);
    Ok(CheckedUpload { bytes, spooled, kind, name })
}

impl CheckedUpload {
    /// The file as a dossier records it (its digest is filled in once stored).
    pub(super) fn file_ref(&self, ctx: &AppContext, current: &CurrentUser, component_key: &str) -> FileRef {
        FileRef {
            id: new_id(),
            component_key: component_key.to_string(),
            sha256: String::new(),
            name: self.name.clone(),
            size: self.bytes.len() as i64,
            media_type: self.kind.media_type().to_string(),
            at: ctx.clock.now_ms(),
            by: current.user.id.clone(),
            removed: false,
            locker_item_id: None,
        }
    }

    /// Stores the bytes once per digest: (digest, whether they are new in the store).
    pub(super) async fn store(self, ctx: &AppContext) -> Result<(String, bool), AppError> {
        let files = ctx.files.clone();
        let CheckedUpload { bytes, spooled, .. } = self;
        tokio::task::spawn_blocking(move || match &spooled {
            // Moved into place; the spool's drop then finds nothing to remove.
            Some(s) => files.put_file(s.path(), s.sha256()),
            None => files.put(&bytes),
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(AppError::from)
    }
}

/// After a failed transaction: removes bytes this request stored that no file row names, so
/// a refused command leaves no file behind.
pub(super) async fn discard_unreferenced(ctx: &AppContext, stored: &[(String, bool)]) {
    for (sha, _) in stored.iter().filter(|(_, new)| *new) {
        let s = sha.clone();
        let referenced = ctx
            .store
            .read(move |db| {
                Ok::<_, AppError>(db.query_opt("SELECT 1 FROM files WHERE sha256 = $1", &motcua_store::params![s])?.is_some())
            })
            .await
            .unwrap_or(true);
        if !referenced {
            let _ = ctx.files.discard(sha);
        }
    }
}

/// Decides `cmd` on the dossier as it is now, before anything is signed or stored: the
/// guard (status, actor) and the command's inputs answer first.
pub(super) fn probe(ctx: &AppContext, current: &CurrentUser, d: &Dossier, cmd: Command) -> Result<(), AppError> {
    let cal = ctx.calendars.national();
    let at = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).map_err(|e| AppError::Internal(e.to_string()))?;
    dossier::decide(d, cmd, &Ctx { actor: actor(current), now: at, calendar: &cal, signed_result: false })?;
    Ok(())
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
    bytes: impl Into<Incoming>,
) -> Result<Dossier, AppError> {
    crate::obs::record_dossier(id);
    let bytes = bytes.into();
    crate::obs::usecase("dossiers.attach", attach_unobserved(ctx, current, id, component_key, declared_type, name, bytes)).await
}

async fn attach_unobserved(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    component_key: &str,
    declared_type: Option<&str>,
    name: &str,
    bytes: Incoming,
) -> Result<Dossier, AppError> {
    let upload = check_upload(ctx, declared_type, name, bytes).await?;
    // Check the right to attach before writing any bytes.
    let d = state(ctx, current, id).await?;
    // Checked here to refuse before storing bytes, and again inside the transaction that
    // records the file, where concurrent uploads to one dossier cannot both pass it.
    let max_dossier = ctx.config.attachments.max_dossier_bytes;
    over_quota(&d, upload.bytes.len(), max_dossier)?;
    let probe_file = upload.file_ref(ctx, current, component_key);
    probe(ctx, current, &d, Command::AttachFile { file: probe_file.clone() })?;
    let (sha, new) = upload.store(ctx).await?;
    let (cur, id2, sha2, calendars) = (current.clone(), id.to_string(), sha.clone(), ctx.calendars.clone());
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    let result = ctx
        .store
        .write(move |db| {
            let d = load_visible(db, &cur, &id2)?;
            over_quota(&d, probe_file.size as usize, max_dossier)?;
            repo::add_file(db, &sha2, probe_file.size, &probe_file.media_type, now)?;
            let file = FileRef { sha256: sha2.clone(), at: now, ..probe_file };
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            let ev = dossier::decide(
                &d,
                Command::AttachFile { file },
                &Ctx { actor: actor(&cur), now: at, calendar: &cal, signed_result: false },
            )?;
            let id = cur.user.id.clone();
            commit(db, d, &id, ev, now, &issuing)
        })
        .await;
    if result.is_err() {
        discard_unreferenced(ctx, &[(sha, new)]).await;
    }
    result
}

/// The `file_attached` event of a locker item on `component_key`: the item's stored bytes
/// (same digest, nothing copied), named after its title, marked with the item's id.
pub(super) fn locker_attach_event(
    d: &Dossier,
    current: &CurrentUser,
    cal: &motcua_domain::calendar::WorkCalendar,
    component_key: &str,
    item: &crate::usecases::locker::LockerRecord,
    now: i64,
) -> Result<Event, AppError> {
    let file = FileRef {
        id: new_id(),
        component_key: component_key.to_string(),
        sha256: item.sha256.clone(),
        name: crate::usecases::locker::file_name(item),
        size: item.size,
        media_type: item.mime.clone(),
        at: now,
        by: current.user.id.clone(),
        removed: false,
        locker_item_id: Some(item.id.clone()),
    };
    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(dossier::decide(
        d,
        Command::AttachFile { file },
        &Ctx { actor: actor(current), now: at, calendar: cal, signed_result: false },
    )?)
}

/// Attaches an item of the applicant's data locker to a component instead of an upload (the
/// wizard's "Dùng từ kho dữ liệu", the API): checked against the locker (`locker::usable_for`:
/// 403 `locker_item_not_yours`, 422 `locker_item_invalid` or `locker_item_not_accepted`) in
/// the transaction that records it. The same item already on the component changes nothing.
pub async fn attach_from_locker(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    component_key: &str,
    item_id: &str,
) -> Result<Dossier, AppError> {
    let (cur, id, key, item_id) = (current.clone(), id.to_string(), component_key.to_string(), item_id.to_string());
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    ctx.store
        .write(move |db| {
            let d = load_visible(db, &cur, &id)?;
            let spec = catalog_repo::get_version(db, &d.procedure.code, d.procedure.version)?
                .ok_or(AppError::not_found("procedure"))?
                .spec;
            let component = spec.components.iter().find(|c| c.key == key).ok_or_else(|| {
                invalid(
                    "component_key",
                    "unknown_component",
                    "Thủ tục không có thành phần hồ sơ này.",
                    "The procedure has no such component.",
                )
            })?;
            let item = crate::usecases::locker::usable_for(db, &cur, &d, component, &item_id, now)?;
            if d.files.iter().any(|f| !f.removed && f.component_key == key && f.locker_item_id.as_deref() == Some(&item.id)) {
                return Ok(d);
            }
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let ev = locker_attach_event(&d, &cur, &cal, &key, &item, now)?;
            let uid = cur.user.id.clone();
            commit(db, d, &uid, ev, now, &issuing)
        })
        .await
}

/// A file of a dossier, for download (the reader must be allowed to read the dossier).
pub async fn file(ctx: &AppContext, current: &CurrentUser, id: &str, file_id: &str) -> Result<(FileRef, Vec<u8>), AppError> {
    let d = state(ctx, current, id).await?;
    let f = d
        .files
        .iter()
        .find(|f| f.id == file_id && !f.removed && dossier::may_read_file(&d, f, &actor(current)))
        .cloned()
        .ok_or(AppError::not_found("file"))?;
    crate::access::dossier_read(
        ctx,
        current,
        crate::access::AccessKind::FileRead,
        &d.id,
        &d.receiving.path,
        Some(f.name.clone()),
    );
    let files = ctx.files.clone();
    let sha = f.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((f, bytes))
}

/// The ids of the dossier's files whose bytes are no longer in the file store (deleted or
/// lost: issue #12 item 12), so a page marks them instead of offering a link that fails.
/// Only presence is checked here; `verify_files` also checks sizes and digests.
pub async fn missing_files(ctx: &AppContext, d: &Dossier) -> Result<Vec<String>, AppError> {
    let files = ctx.files.clone();
    let refs: Vec<(String, String)> = d.files.iter().filter(|f| !f.removed).map(|f| (f.id.clone(), f.sha256.clone())).collect();
    tokio::task::spawn_blocking(move || {
        let mut gone = Vec::new();
        for (id, sha) in refs {
            if !files.exists(&sha)? {
                gone.push(id);
            }
        }
        Ok::<_, AppError>(gone)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

/// The file kinds accepted by default.
pub fn default_allowed() -> Vec<String> {
    FileKind::ALL.iter().map(|k| k.code().to_string()).collect()
}
