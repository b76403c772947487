//! The applicant's data locker (kho dữ liệu; issue #13, spec REQ-12, 766 indicator 4.3):
//! results and certified copies kept under the owner's id number, filled by the system
//! (`fill_from_result` when a dossier is resolved or returned, `add_certified_copy` for the
//! digitization of components), listed and downloaded by the citizen, and reused by new
//! dossiers (`usable_for`, called by the attach and filing use cases): the file is attached
//! from the locker, the same stored bytes, and the component counts as reused.
//!
//! Who may use an item: its owner id number must be the dossier applicant's; online, it must
//! also be the signed-in citizen's own CCCD. Another person's item is refused with 403
//! `locker_item_not_yours`, an expired or revoked one with 422 `locker_item_invalid`.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::catalog::ComponentSpec;
use motcua_domain::dossier::{self, Dossier};
use motcua_domain::locker::{self, ItemKind, OwnerKind};
use motcua_domain::user::AccountType;
use motcua_store::Db;
use motcua_store::repo::locker as repo;
pub use motcua_store::repo::locker::{LockerRecord, MAX_PER_OWNER};
use motcua_store::repo::new_id;

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

fn not_yours() -> AppError {
    refused(
        403,
        "locker_item_not_yours",
        "Giấy tờ này không thuộc kho dữ liệu của người nộp hồ sơ.",
        "This item is not in the applicant's data locker.",
    )
}

/// Whether an item is valid now: `valid`, `expired` or `revoked`.
pub fn status(item: &LockerRecord, now_ms: i64) -> &'static str {
    match locker::usable(item.valid_until, item.revoked_at, now_ms) {
        Ok(()) => "valid",
        Err(locker::Unusable::Expired) => "expired",
        Err(locker::Unusable::Revoked) => "revoked",
    }
}

/// The signed-in citizen's own id number (none for officials and for accounts without one).
fn own_id_number(current: &CurrentUser) -> Option<&str> {
    (current.user.account_type == AccountType::Citizen).then_some(current.user.citizen_id.as_deref()).flatten()
}

/// One file of a dossier's result, to keep in the locker.
#[derive(Debug, Clone)]
pub struct ResultFile {
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    /// The issued document it is, when the result is a document the system issued.
    pub document_id: Option<String>,
}

/// The result files of a resolved dossier: the signed result document (issued in the same
/// transaction as `resolved`), else the result file an officer attached (a scanned paper
/// result, or an upload before signed results existed).
pub fn result_files(db: &mut Db, d: &Dossier) -> Result<Vec<ResultFile>, AppError> {
    let signed: Vec<ResultFile> = motcua_store::repo::documents::list(db, &d.id)?
        .into_iter()
        .filter(|doc| doc.form == crate::usecases::dossiers::RESULT_FORM)
        .map(|doc| ResultFile { sha256: doc.sha256, size: doc.size, mime: "application/pdf".into(), document_id: Some(doc.id) })
        .collect();
    if !signed.is_empty() {
        return Ok(signed);
    }
    Ok(d.files
        .iter()
        .filter(|f| !f.removed && f.component_key == dossier::RESULT_COMPONENT)
        .map(|f| ResultFile { sha256: f.sha256.clone(), size: f.size, mime: f.media_type.clone(), document_id: None })
        .collect())
}

/// Puts the result of a resolved dossier into its applicant's locker (called in the
/// transaction of the `resolved` and `result_returned` events; a second call adds nothing).
/// Nothing without the applicant's id number or a result file.
pub fn fill_from_result(db: &mut Db, d: &Dossier, at: i64) -> Result<usize, AppError> {
    let Some(owner) = d.applicant.id_number.clone() else {
        return Ok(0);
    };
    let Some(result) = &d.result else {
        return Ok(0);
    };
    let mut added = 0;
    for f in result_files(db, d)? {
        let item = LockerRecord {
            id: new_id(),
            owner_id_number: owner.clone(),
            owner_kind: OwnerKind::of(d.applicant.kind).code().to_string(),
            kind: ItemKind::Result.code().to_string(),
            title: result.name.clone(),
            doc_type: locker::result_kind(&d.procedure.code),
            source_dossier_id: Some(d.id.clone()),
            source_component: Some(dossier::RESULT_COMPONENT.to_string()),
            source_document_id: f.document_id,
            sha256: f.sha256,
            size: f.size,
            mime: f.mime,
            issued_at: result.at,
            valid_until: None,
            revoked_at: None,
            created_at: at,
        };
        if repo::insert(db, &item)? {
            added += 1;
        }
    }
    Ok(added)
}

/// Puts the electronic receipt of a dossier's fees (a PDF stored as dossier document
/// `document_id`) into its payer's locker, in the payment's transaction; nothing without the
/// applicant's id number. A second call adds nothing.
pub fn add_receipt(
    db: &mut Db,
    d: &Dossier,
    document_id: &str,
    title: String,
    sha256: String,
    size: i64,
    at: i64,
) -> Result<bool, AppError> {
    let Some(owner) = d.applicant.id_number.clone() else {
        return Ok(false);
    };
    let item = LockerRecord {
        id: new_id(),
        owner_id_number: owner,
        owner_kind: OwnerKind::of(d.applicant.kind).code().to_string(),
        kind: ItemKind::Receipt.code().to_string(),
        title,
        doc_type: locker::receipt_kind(&d.procedure.code),
        source_dossier_id: Some(d.id.clone()),
        source_component: Some("bien-lai".to_string()),
        source_document_id: Some(document_id.to_string()),
        sha256,
        size,
        mime: "application/pdf".to_string(),
        issued_at: at,
        valid_until: None,
        revoked_at: None,
        created_at: at,
    };
    Ok(repo::insert(db, &item)?)
}

/// A certified copy of a dossier's component (bản sao điện tử có chứng thực), as the
/// digitization at reception produces it.
#[derive(Debug, Clone)]
pub struct CertifiedCopy {
    /// Whose it is: the CCCD of a person, the tax or enterprise code of an organisation.
    pub owner_id_number: String,
    pub owner_kind: OwnerKind,
    pub dossier_id: String,
    pub component_key: String,
    /// e.g. "Giấy khai sinh (bản sao có chứng thực)".
    pub title: String,
    /// Already in the file store (and in `files`).
    pub sha256: String,
    pub size: i64,
    pub mime: String,
    /// The issued document carrying the certification, if any.
    pub document_id: Option<String>,
    pub issued_at: i64,
    pub valid_until: Option<i64>,
}

/// Adds a certified copy to its owner's locker, of kind `ban-sao:<component key>`, inside the
/// caller's transaction. The same file of the same dossier and component is added once: a
/// repeat returns the item already there.
pub fn add_certified_copy(db: &mut Db, copy: CertifiedCopy, now: i64) -> Result<LockerRecord, AppError> {
    let title = motcua_domain::text::clean(&copy.title);
    if copy.owner_id_number.trim().is_empty() || title.is_empty() || copy.sha256.len() != 64 || copy.size <= 0 {
        return Err(AppError::Internal("incomplete certified copy".into()));
    }
    let item = LockerRecord {
        id: new_id(),
        owner_id_number: copy.owner_id_number.trim().to_string(),
        owner_kind: copy.owner_kind.code().to_string(),
        kind: ItemKind::CertifiedCopy.code().to_string(),
        title,
        doc_type: locker::copy_kind(&copy.component_key),
        source_dossier_id: Some(copy.dossier_id.clone()),
        source_component: Some(copy.component_key.clone()),
        source_document_id: copy.document_id,
        sha256: copy.sha256.clone(),
        size: copy.size,
        mime: copy.mime,
        issued_at: copy.issued_at,
        valid_until: copy.valid_until,
        revoked_at: None,
        created_at: now,
    };
    if repo::insert(db, &item)? {
        return Ok(item);
    }
    // Already there: the existing row of this source and file.
    repo::list(db, &item.owner_id_number)?
        .into_iter()
        .find(|i| {
            i.source_dossier_id == item.source_dossier_id
                && i.source_component == item.source_component
                && i.sha256 == item.sha256
        })
        .ok_or_else(|| AppError::Internal("certified copy neither added nor found".into()))
}

/// The item `item_id` if the dossier's applicant may use it for `component` now: owned by the
/// applicant (and, for a citizen's own filing, by the signed-in citizen), valid, of a kind the
/// component accepts.
pub(crate) fn usable_for(
    db: &mut Db,
    current: &CurrentUser,
    d: &Dossier,
    component: &ComponentSpec,
    item_id: &str,
    now: i64,
) -> Result<LockerRecord, AppError> {
    let item = repo::get(db, item_id.trim())?.ok_or_else(|| {
        refused(404, "locker_item_not_found", "Không tìm thấy giấy tờ trong kho dữ liệu.", "No such item in the data locker.")
    })?;
    let applicant = d.applicant.id_number.as_deref();
    if applicant != Some(item.owner_id_number.as_str()) {
        return Err(not_yours());
    }
    if current.user.account_type != AccountType::Official && own_id_number(current) != Some(item.owner_id_number.as_str()) {
        return Err(not_yours());
    }
    if !locker::satisfies(component, &item.doc_type) {
        return Err(refused(
            422,
            "locker_item_not_accepted",
            &format!("Thành phần “{}” không nhận loại giấy tờ này từ kho dữ liệu.", component.name),
            &format!("The component “{}” does not accept this kind of locker item.", component.name),
        ));
    }
    if let Err(why) = locker::usable(item.valid_until, item.revoked_at, now) {
        let (vi, en) = match why {
            locker::Unusable::Expired => ("Giấy tờ trong kho dữ liệu đã hết hiệu lực.", "The locker item has expired."),
            locker::Unusable::Revoked => ("Giấy tờ trong kho dữ liệu đã bị thu hồi.", "The locker item has been revoked."),
        };
        return Err(refused(422, "locker_item_invalid", vi, en));
    }
    Ok(item)
}

/// The valid items of `owner` that satisfy each component of `components` (key → items),
/// newest first; components accepting nothing are left out.
pub(crate) fn candidates(
    db: &mut Db,
    owner: &str,
    components: &[ComponentSpec],
    now: i64,
) -> Result<Vec<(String, Vec<LockerRecord>)>, AppError> {
    let mut out = Vec::new();
    for c in components.iter().filter(|c| !c.locker_kinds.is_empty()) {
        let items: Vec<LockerRecord> = repo::of_types(db, owner, &c.locker_kinds)?
            .into_iter()
            .filter(|i| locker::usable(i.valid_until, i.revoked_at, now).is_ok())
            .collect();
        if !items.is_empty() {
            out.push((c.key.clone(), items));
        }
    }
    Ok(out)
}

/// For the filing pages: what the applicant of `d` may take from the locker for each of the
/// dossier's components (by the signed-in citizen online, by the officer for the applicant's
/// id number at the counter). Empty without an id number.
pub async fn offers(ctx: &AppContext, current: &CurrentUser, d: &Dossier) -> Result<Vec<(String, Vec<LockerRecord>)>, AppError> {
    let Some(owner) = d.applicant.id_number.clone() else {
        return Ok(Vec::new());
    };
    if current.user.account_type != AccountType::Official && own_id_number(current) != Some(owner.as_str()) {
        return Ok(Vec::new());
    }
    let (code, version, now) = (d.procedure.code.clone(), d.procedure.version, ctx.clock.now_ms());
    ctx.store
        .read(move |db| {
            let Some(v) = motcua_store::repo::catalog::get_version(db, &code, version)? else {
                return Ok(Vec::new());
            };
            candidates(db, &owner, &v.spec.components, now)
        })
        .await
}

/// The same for a procedure before any dossier exists (the counter's reception form): the
/// items of `owner` for each component of `spec`.
pub async fn offers_for(
    ctx: &AppContext,
    current: &CurrentUser,
    spec: &motcua_domain::catalog::ProcedureSpec,
    owner: &str,
) -> Result<Vec<(String, Vec<LockerRecord>)>, AppError> {
    if current.user.account_type != AccountType::Official && own_id_number(current) != Some(owner) {
        return Ok(Vec::new());
    }
    if current.user.account_type == AccountType::Official {
        // An officer looking up a person's locker reads that person's documents: logged.
        let mut e = crate::access::entry(ctx, current, crate::access::AccessKind::ListRead);
        e.detail = Some(format!("kho dữ liệu: {owner} ({})", spec.name));
        ctx.access.record(e);
    }
    let (owner, components, now) = (owner.to_string(), spec.components.clone(), ctx.clock.now_ms());
    ctx.store.read(move |db| candidates(db, &owner, &components, now)).await
}

/// The signed-in citizen's locker, newest first (at most `MAX_PER_OWNER`); empty for an
/// account without a CCCD. Officials have no locker of their own here.
pub async fn mine(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<LockerRecord>, AppError> {
    if current.user.account_type == AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let Some(owner) = own_id_number(current).map(str::to_string) else {
        return Ok(Vec::new());
    };
    ctx.store.read(move |db| Ok(repo::list(db, &owner)?)).await
}

/// One item of the signed-in citizen's locker with its bytes; recorded in the access log as a
/// document read. Another person's item is refused (403 `locker_item_not_yours`).
pub async fn file(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(LockerRecord, Vec<u8>), AppError> {
    if current.user.account_type == AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let owner = own_id_number(current).map(str::to_string);
    let id = id.to_string();
    let item =
        ctx.store.read(move |db| Ok::<_, AppError>(repo::get(db, &id)?)).await?.ok_or(AppError::not_found("locker_item"))?;
    if Some(&item.owner_id_number) != owner.as_ref() {
        return Err(not_yours());
    }
    let mut e = crate::access::entry(ctx, current, crate::access::AccessKind::DocumentRead);
    e.detail = Some(format!("kho dữ liệu: {} ({})", item.title, item.id));
    ctx.access.record(e);
    let files = ctx.files.clone();
    let sha = item.sha256.clone();
    let bytes = tokio::task::spawn_blocking(move || files.get(&sha)).await.map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((item, bytes))
}

/// A file name for an item: its title with the extension of its type.
pub fn file_name(item: &LockerRecord) -> String {
    let kind = motcua_domain::attachment::FileKind::ALL.into_iter().find(|k| k.media_type() == item.mime);
    match kind {
        Some(k) => motcua_domain::attachment::safe_name(&item.title, k),
        None => item.title.clone(),
    }
}
