//! The result document (issue #13, REQ-23): at `Resolve` the result is rendered from the
//! procedure's result template (the latest version an administrator saved, else the
//! built-in `ket-qua.typ`), signed by the resolving official with their personal
//! certificate, sealed by the issuing agency (a second signature, an incremental update),
//! time-stamped when `signing.tsa_url` is set, and stored as a document of kind
//! [`RESULT_FORM`] in the event's transaction. Keys are looked up and the PDF signed before
//! anything is written: a missing key (`signing_key_missing`), a revoked (`cert_revoked`) or
//! expired (`cert_expired`) certificate refuses the command with 409 and nothing is written
//! (no event, no document; the bytes stored are discarded).
//!
//! The uploaded result (`AttachResult`, a scan of a paper result or a file from another
//! system) stays possible and is unchanged: it is what an online dossier returns online, and
//! the domain still asks for it before an online dossier is resolved (`OnlineResultFiled`).
//! The signed document is issued in addition, for every dossier, and verifies by its QR code.
//!
//! Administrators edit a procedure's template (`template`, `save_template`) and preview it
//! (`preview_template`) without saving: a template that does not compile is refused (422
//! `template_invalid`, typst's message) and nothing is saved.

use super::documents::{
    Issuing, dossier_label, dossier_part, full_name, header, issuing_agency, official_name, verification_url,
};
use super::*;
use crate::keys::sign_error;
use motcua_pdf::{RenderError, ResultInput, ResultPart, Signer};
use motcua_signing::{FileSigner, SignMeta, sign_pdf};
use motcua_store::repo::documents::{self as docs, DocumentRecord};
use motcua_store::repo::result_templates::{self as templates, ResultTemplate};

/// The `documents.form` of a result document (forms are "01" … "06").
pub const RESULT_FORM: &str = "KQ";
/// The title printed on the built-in template.
pub const RESULT_TITLE: &str = "Kết quả giải quyết thủ tục hành chính";
/// Largest template body an administrator may save (a template is a few kilobytes).
pub const MAX_TEMPLATE_BYTES: usize = 64 * 1024;

/// Why each signature was made (`/Reason`).
const REASON_SIGN: &str = "Phê duyệt kết quả giải quyết thủ tục hành chính";
const REASON_SEAL: &str = "Đóng dấu của cơ quan giải quyết";

/// The fields of the result document of `d`.
#[allow(clippy::too_many_arguments)]
fn result_input(
    head: motcua_pdf::Header,
    d: &Dossier,
    agency: &AgencyRecord,
    name: &str,
    number: Option<&str>,
    note: Option<&str>,
    timeliness: &str,
    at: i64,
    signer: &str,
) -> ResultInput {
    ResultInput {
        header: head,
        title: RESULT_TITLE.to_string(),
        dossier: dossier_part(d),
        result: ResultPart {
            name: name.to_string(),
            number: number.unwrap_or_default().to_string(),
            note: note.unwrap_or_default().to_string(),
            resolved_at: super::form_time(Some(at)),
            timeliness: timeliness.to_lowercase(),
            agency_code: agency.code.clone(),
        },
        signer: Signer { title: "Thủ trưởng cơ quan".into(), name: signer.to_string() },
    }
}

/// Issues the signed result document of a `Resolved` event (nothing for other events).
pub(super) fn issue_result(
    db: &mut Db,
    issuing: &Issuing,
    before: &Dossier,
    after: &Dossier,
    rec: &Recorded,
) -> Result<(), AppError> {
    let Event::Resolved { name, number, note, timeliness, .. } = &rec.event else {
        return Ok(());
    };
    if !issuing.issuer.on_events {
        return Ok(());
    }
    let agency = issuing_agency(db, before)?;
    let official = motcua_store::repo::users::get(db, &rec.actor_id)?;
    // The keys first: refused before a number is drawn or a byte rendered.
    let personal = issuing.keys.personal(&official.username)?;
    let seal = issuing.keys.seal(&agency.id)?;
    let template = templates::latest(db, &after.procedure.code)?;
    let year = i64::from(local_date_ms(rec.at).year());
    let n = docs::next_number(db, &agency.code, year, RESULT_FORM)?;
    let doc_number = format!("{n:02}/{RESULT_FORM}-{}", agency.code);
    let head = header(db, &agency, doc_number.clone(), rec.at)?;
    let place = head.place.clone();
    let input = result_input(
        head,
        after,
        &agency,
        name,
        number.as_deref(),
        note.as_deref(),
        timeliness.label_vi(),
        rec.at,
        &official.full_name,
    );
    let id = new_id();
    let qr = verification_url(&issuing.issuer.public_url, &id, &dossier_label(after), &after.procedure.code, name);
    let pdf = issuing
        .issuer
        .renderer
        .render_result(&input, template.as_ref().map(|t| t.body.as_str()), &qr)
        .map_err(|e| render_failed(&after.procedure.code, &e))?;
    let sealer = official_name(&agency);
    let pdf = sign_and_seal(issuing, &pdf, (&personal, &official.full_name), (&seal, &sealer), &place, rec.at)?;
    let (sha, size) = issuing.store(db, &pdf, rec.at)?;
    docs::insert(
        db,
        &DocumentRecord {
            id,
            dossier_id: after.id.clone(),
            event_seq: rec.seq,
            form: RESULT_FORM.to_string(),
            name: name.clone(),
            number: doc_number,
            agency_id: agency.id.clone(),
            sha256: sha,
            size,
            qr,
            created_at: rec.at,
            created_by: rec.actor_id.clone(),
        },
    )?;
    Ok(())
}

/// The official's signature, then the agency's seal as an incremental update; each checked
/// against the CA's revocation list and its validity at `at`, time-stamped if a TSA is set.
pub(super) fn sign_and_seal(
    issuing: &Issuing,
    pdf: &[u8],
    (official, official_name): (&FileSigner, &str),
    (seal, agency_name): (&FileSigner, &str),
    place: &str,
    at: i64,
) -> Result<Vec<u8>, AppError> {
    let time = jiff::Timestamp::from_millisecond(at).map_err(|e| AppError::Internal(e.to_string()))?;
    let crl = issuing.keys.crl();
    let meta = |reason, name| SignMeta { reason, location: place, name, time, tsa: issuing.tsa.as_ref(), crl: crl.as_ref() };
    let signed = sign_pdf(pdf, official, meta(REASON_SIGN, official_name)).map_err(sign_error)?;
    sign_pdf(&signed, seal, meta(REASON_SEAL, agency_name)).map_err(sign_error)
}

/// A procedure's template failed at `Resolve`: the command is refused and nothing written.
fn render_failed(procedure: &str, e: &RenderError) -> AppError {
    tracing::error!(procedure, error = %e, "result document render failed");
    let detail: String = e.to_string().chars().take(400).collect();
    AppError::Refused {
        http: 500,
        code: "document_render_failed",
        vi: format!(
            "Không tạo được văn bản kết quả: mẫu kết quả của thủ tục {procedure} có lỗi, thao tác chưa được ghi nhận. Báo quản trị viên kiểm tra mẫu. Chi tiết: {detail}"
        ),
        en: format!(
            "Could not produce the result document: the result template of procedure {procedure} has an error, and nothing was recorded. Detail: {detail}"
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Administration of the templates

/// A procedure's result template as the admin page shows it.
#[derive(Debug, Clone)]
pub struct TemplatePage {
    pub code: String,
    pub procedure_name: String,
    /// The version in force (None: the built-in template).
    pub current: Option<ResultTemplate>,
    /// The body to edit: the version in force, else the built-in template.
    pub body: String,
    /// Saved versions, newest first.
    pub history: Vec<ResultTemplate>,
}

fn require_manage(current: &CurrentUser) -> Result<(), AppError> {
    crate::usecases::require_province(Some(&current.principal), motcua_domain::authz::Permission::ManageCatalog)
}

/// The procedure's name (its latest version), or 404.
fn procedure_name(db: &mut Db, code: &str) -> Result<String, AppError> {
    catalog_repo::versions(db, code)?.last().map(|v| v.spec.name.clone()).ok_or(AppError::not_found("procedure"))
}

/// The built-in result template (the start of a procedure's own).
pub fn builtin_result_template() -> &'static str {
    motcua_pdf::Renderer::embedded_template(motcua_pdf::RESULT_TEMPLATE).unwrap_or_default()
}

/// `GET` of the admin page: the template in force and its history.
pub async fn template(ctx: &AppContext, current: &CurrentUser, code: &str) -> Result<TemplatePage, AppError> {
    require_manage(current)?;
    let code = code.to_ascii_uppercase();
    ctx.store
        .read(move |db| {
            let procedure_name = procedure_name(db, &code)?;
            let history = templates::history(db, &code)?;
            let current = history.first().cloned();
            let body = current.as_ref().map_or_else(|| builtin_result_template().to_string(), |t| t.body.clone());
            Ok(TemplatePage { code, procedure_name, current, body, history })
        })
        .await
}

fn invalid_body(code: &'static str, vi: String, en: String) -> AppError {
    AppError::Validation(motcua_domain::error::ValidationError(vec![FieldError::new("body", code, vi, en)]))
}

fn check_size(body: &str) -> Result<(), AppError> {
    if body.trim().is_empty() {
        return Err(invalid_body("required", "Nhập nội dung mẫu kết quả.".into(), "Enter the template.".into()));
    }
    if body.len() > MAX_TEMPLATE_BYTES {
        return Err(invalid_body(
            "template_too_large",
            format!("Mẫu kết quả dài {} byte, quá giới hạn {MAX_TEMPLATE_BYTES} byte.", body.len()),
            format!("The template is {} bytes, over the {MAX_TEMPLATE_BYTES}-byte limit.", body.len()),
        ));
    }
    Ok(())
}

/// A template that does not compile, as the page shows it (field `body`).
fn template_invalid(e: &RenderError) -> AppError {
    let detail: String = match e {
        RenderError::Template { diagnostics, .. } => diagnostics.join("; "),
        other => other.to_string(),
    }
    .chars()
    .take(1000)
    .collect();
    invalid_body(
        "template_invalid",
        format!("Mẫu kết quả có lỗi, chưa được lưu: {detail}"),
        format!("The template has an error and was not saved: {detail}"),
    )
}

/// The sample data of the preview, with the procedure's code and name.
fn sample_input(code: &str, name: &str) -> ResultInput {
    let mut input = motcua_pdf::sample::sample_result();
    input.dossier.procedure_code = code.to_string();
    input.dossier.procedure_name = name.to_string();
    input
}

/// Renders `body` with `input` on the on-demand renderer (bounded): the PDF, or 422.
async fn render_body(ctx: &AppContext, input: ResultInput, body: String, qr: String) -> Result<Vec<u8>, AppError> {
    ctx.documents.on_demand(move |r| r.render_result(&input, Some(&body), &qr)).await?.map_err(|e| template_invalid(&e))
}

/// The preview: `body` rendered from sample data, or from the dossier `dossier_id` of this
/// procedure when given (one the administrator may read); nothing is saved.
pub async fn preview_template(
    ctx: &AppContext,
    current: &CurrentUser,
    code: &str,
    body: String,
    dossier_id: Option<String>,
) -> Result<Vec<u8>, AppError> {
    require_manage(current)?;
    check_size(&body)?;
    let (cur, code, at) = (current.clone(), code.to_ascii_uppercase(), ctx.clock.now_ms());
    let input = ctx
        .store
        .read(move |db| {
            let name = procedure_name(db, &code)?;
            let Some(id) = dossier_id.filter(|s| !s.trim().is_empty()) else {
                return Ok::<_, AppError>(sample_input(&code, &name));
            };
            let d = load_visible(db, &cur, id.trim())?;
            if d.procedure.code != code {
                return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
                    "dossier_id",
                    "other_procedure",
                    "Hồ sơ này thuộc thủ tục khác.",
                    "This dossier belongs to another procedure.",
                )));
            }
            let agency = issuing_agency(db, &d)?;
            let head = header(db, &agency, format!("…/{RESULT_FORM}-{}", agency.code), at)?;
            let (name, number, note) = match &d.result {
                Some(r) => (r.name.clone(), r.number.clone(), r.note.clone()),
                None => ("(Tên kết quả)".to_string(), None, None),
            };
            let signer = full_name(db, &cur.user.id)?;
            Ok(result_input(head, &d, &agency, &name, number.as_deref(), note.as_deref(), "Đúng hạn", at, &signer))
        })
        .await?;
    let qr = verification_url(
        &ctx.documents.public_url,
        "xem-truoc",
        &input.dossier.code,
        &input.dossier.procedure_code,
        &input.result.name,
    );
    render_body(ctx, input, body, qr).await
}

/// Saves `body` as the next version of the procedure's template, after it compiled with the
/// sample data (else 422 and nothing saved); returns the version.
pub async fn save_template(ctx: &AppContext, current: &CurrentUser, code: &str, body: String) -> Result<i64, AppError> {
    require_manage(current)?;
    check_size(&body)?;
    let code = code.to_ascii_uppercase();
    let name = {
        let code = code.clone();
        ctx.store.read(move |db| procedure_name(db, &code)).await?
    };
    let qr = verification_url(&ctx.documents.public_url, "xem-truoc", "", &code, &name);
    render_body(ctx, sample_input(&code, &name), body.clone(), qr).await?;
    let (actor, now) = (current.user.id.clone(), ctx.clock.now_ms());
    ctx.store
        .write(move |db| {
            let version = templates::add(db, &code, &body, &actor, now).map_err(|e| match e {
                motcua_store::StoreError::Unique { .. } => stale(),
                other => other.into(),
            })?;
            motcua_store::repo::audit::append(
                db,
                motcua_store::repo::audit::NewAudit {
                    chain: motcua_store::repo::audit::ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor),
                    action: "procedure.result_template_saved",
                    entity_kind: "procedure",
                    entity_id: &code,
                    agency_path: None,
                    payload: json!({"version": version, "bytes": body.len()}),
                },
            )?;
            Ok(version)
        })
        .await
}
