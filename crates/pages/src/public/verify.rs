//! `/xac-thuc`: public verification of a document the system issued (issue #13), anonymous:
//! `GET /xac-thuc/{document_id}` is where a document's QR code leads; `GET /xac-thuc?so=`
//! looks up the number printed on it; `POST /xac-thuc` takes an uploaded PDF. The rules are
//! in `motcua_app::usecases::verification`; this shows what they found, never the
//! applicant's ID number, phone or address.

use crate::kit::ClientAddr;
use crate::kit::form::has_error;
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::session::origin_refused;
use crate::kit::{Frame, Lang, Route, error_page, hour_day, other_lang_href, title_with_errors};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::upload::{spool_dir, spool_stream};
use motcua_app::usecases::verification::{self as uc, Checked, LinkFields, Signer, Verdict, Verification};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct NumberQuery {
    so: Option<String>,
}

/// The QR code's link fields (`ho-so`, `thu-tuc`, `giay-to`).
#[derive(Deserialize)]
pub struct LinkQuery {
    #[serde(rename = "ho-so")]
    dossier_code: Option<String>,
    #[serde(rename = "thu-tuc")]
    procedure_code: Option<String>,
    #[serde(rename = "giay-to")]
    document_name: Option<String>,
}

#[derive(Template)]
#[template(path = "public/verify.html")]
struct VerifyView {
    lang: Lang,
    frame: Frame,
    errors: Vec<FieldError>,
    number: String,
    max_mb: usize,
    result: Option<ResultView>,
}

impl VerifyView {
    fn has(&self, field: &str) -> bool {
        has_error(&self.errors, field)
    }
}

/// The answer as shown, in the page's language.
struct ResultView {
    verdict: &'static str,
    label: String,
    reason: String,
    documents: Vec<DocView>,
    found: Vec<SignerView>,
    mismatch: Vec<&'static str>,
}

struct DocView {
    name: String,
    number: String,
    agency: String,
    issued: String,
    dossier_code: String,
    procedure: String,
    applicant: Option<String>,
    verdict: &'static str,
    label: String,
    reason: String,
    signers: Vec<SignerView>,
}

struct SignerView {
    name: String,
    role: String,
    serial: String,
    signed_at: String,
    timestamp: Option<String>,
    state: String,
    revoked: bool,
}

fn verdict_label(lang: Lang, v: Verdict) -> String {
    lang.t(v.label_vi(), v.label_en()).to_string()
}

fn signer_view(lang: Lang, s: &Signer) -> SignerView {
    let state = if !s.intact {
        lang.t("Không khớp với nội dung", "Does not match the content").to_string()
    } else if s.revoked {
        match s.revoked_at {
            Some(at) => format!("{} {}", lang.t("Chứng thư số đã bị thu hồi từ", "Certificate revoked on"), hour_day(Some(at))),
            None => lang.t("Chứng thư số đã bị thu hồi", "Certificate revoked").to_string(),
        }
    } else {
        lang.t("Hợp lệ", "Valid").to_string()
    };
    SignerView {
        name: s.name.clone(),
        role: lang.t(s.role.label_vi(), s.role.label_en()).to_string(),
        serial: s.serial.clone(),
        signed_at: hour_day(s.signed_at),
        timestamp: s.timestamp_at.map(|t| {
            let checked = if s.timestamp_ok { "" } else { lang.t(" (không kiểm tra được)", " (could not be checked)") };
            format!("{}{checked}", hour_day(Some(t)))
        }),
        state,
        revoked: s.revoked,
    }
}

fn doc_view(lang: Lang, c: &Checked) -> DocView {
    DocView {
        name: c.name.clone(),
        number: c.number.clone(),
        agency: c.agency.clone(),
        issued: hour_day(Some(c.issued_at)),
        dossier_code: c.dossier_code.clone(),
        procedure: format!("{} – {}", c.procedure_code, c.procedure_name),
        applicant: c.applicant.clone(),
        verdict: c.verdict.code(),
        label: verdict_label(lang, c.verdict),
        reason: lang.t(&c.reason.vi, &c.reason.en).to_string(),
        signers: c.signers.iter().map(|s| signer_view(lang, s)).collect(),
    }
}

fn result_view(lang: Lang, v: &Verification) -> ResultView {
    ResultView {
        verdict: v.verdict.code(),
        label: verdict_label(lang, v.verdict),
        reason: lang.t(&v.reason.vi, &v.reason.en).to_string(),
        documents: v.documents.iter().map(|c| doc_view(lang, c)).collect(),
        found: v.found.iter().map(|s| signer_view(lang, s)).collect(),
        mismatch: v.link_mismatch.clone(),
    }
}

fn render(
    lang: Lang,
    status: StatusCode,
    path: &str,
    number: String,
    errors: Vec<FieldError>,
    result: Option<ResultView>,
    ctx: &AppContext,
) -> Response {
    let title = title_with_errors(lang, lang.t("Xác thực giấy tờ", "Verify a document"), &errors);
    let max_mb = ctx.config.verification.max_upload_bytes / 1_000_000;
    let view = VerifyView { lang, frame: Frame::new(title, other_lang_href(lang, path)), errors, number, max_mb, result };
    html(status, &view)
}

/// An error of a verification: a field error on the form (bad input, a file too large), or
/// an error page (429 with `Retry-After`, 5xx).
fn failed(ctx: &AppContext, lang: Lang, path: &str, number: String, field: &str, e: AppError) -> Response {
    match &e {
        AppError::Validation(_) | AppError::Refused { http: 413 | 422, .. } => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let errors = crate::kit::app_field_errors(&e, field);
            render(lang, status, path, number, errors, None, ctx)
        }
        _ => error_page(lang, e),
    }
}

/// The form, and the documents with the number `?so=` when given.
pub async fn page(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    Query(q): Query<NumberQuery>,
) -> Response {
    let Some(number) = q.so else {
        return render(lang, StatusCode::OK, &Route::Verify.path(), String::new(), Vec::new(), None, &ctx);
    };
    let path = Route::Verify.with_query(&[("so", &number)]);
    let result = match uc::admit(&ctx, client) {
        Ok(admitted) => uc::by_number(&ctx, &admitted, &number).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => {
            let view = result_view(lang, &v);
            render(lang, StatusCode::OK, &path, number, Vec::new(), Some(view), &ctx)
        }
        Err(e) => failed(&ctx, lang, &path, number, "number", e),
    }
}

/// Where a document's QR code leads.
pub async fn document(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    Path(document_id): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let path = Route::VerifyDocument(&document_id).with_query(&[
        ("ho-so", q.dossier_code.as_deref().unwrap_or("")),
        ("thu-tuc", q.procedure_code.as_deref().unwrap_or("")),
        ("giay-to", q.document_name.as_deref().unwrap_or("")),
    ]);
    let link = LinkFields { dossier_code: q.dossier_code, procedure_code: q.procedure_code, document_name: q.document_name };
    let result = match uc::admit(&ctx, client) {
        Ok(admitted) => uc::by_link(&ctx, &admitted, &document_id, link).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => {
            let view = result_view(lang, &v);
            render(lang, StatusCode::OK, &path, String::new(), Vec::new(), Some(view), &ctx)
        }
        Err(e) => error_page(lang, e),
    }
}

/// An uploaded PDF (`multipart/form-data`, the file in the `file` field). No session: the
/// door is passed before a byte of the body is read, the file is spooled under the limit.
pub async fn upload(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let path = Route::Verify.path();
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let admitted = match uc::admit(&ctx, client) {
        Ok(a) => a,
        Err(e) => return error_page(lang, e),
    };
    match read_file(&ctx, mp).await {
        Ok(file) => match uc::by_upload(&ctx, &admitted, file).await {
            Ok(v) => {
                let view = result_view(lang, &v);
                render(lang, StatusCode::OK, &path, String::new(), Vec::new(), Some(view), &ctx)
            }
            Err(e) => failed(&ctx, lang, &path, String::new(), "file", e),
        },
        Err(e) => failed(&ctx, lang, &path, String::new(), "file", e),
    }
}

fn no_file() -> AppError {
    AppError::Validation(motcua_domain::error::ValidationError::single(
        "file",
        "file_required",
        "Chọn tệp PDF cần xác thực.",
        "Choose the PDF to verify.",
    ))
}

/// The first file of the form, spooled under the verification limit.
async fn read_file(ctx: &AppContext, mp: Result<Multipart, MultipartRejection>) -> Result<motcua_app::upload::Spooled, AppError> {
    let mut mp = mp.map_err(|_| no_file())?;
    let dir = spool_dir(&ctx.config.data_dir);
    let limit = ctx.config.verification.max_upload_bytes;
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Err(no_file()),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(motcua_app::upload::too_large(limit)),
            Err(_) => return Err(no_file()),
        };
        if field.file_name().is_some() {
            return spool_stream(&dir, limit, None, field).await;
        }
    }
}
