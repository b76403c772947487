//! Public verification of a document (issue #13), anonymous and rate-limited per address:
//! by the id its QR code links to, by its printed number, or by an uploaded PDF. The same
//! use case as the page `/xac-thuc` (`motcua_app::usecases::verification`).

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::ApiJson;
use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use motcua_app::AppContext;
use motcua_app::calendar::vn_rfc3339;
use motcua_app::upload::{spool_dir, spool_stream};
use motcua_app::usecases::verification::{self as uc, Checked, LinkFields, Signer, Verification};
use motcua_pages::kit::ClientAddr;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(verify_document))
        // The upload is spooled under `verification.max_upload_bytes` while it is read.
        .merge(OpenApiRouter::new().routes(routes!(verify)).layer(axum::extract::DefaultBodyLimit::disable()))
}

fn time(ms: Option<i64>) -> Option<String> {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()).map(vn_rfc3339)
}

/// A digital signature as verified.
#[derive(Serialize, ToSchema)]
pub struct SignerDto {
    pub name: String,
    /// `seal` (an agency's organisation certificate), `personal`, or `foreign` (a
    /// certificate not issued by the system's CA).
    pub role: String,
    pub role_label_vi: String,
    /// Certificate serial number, hexadecimal.
    pub serial: String,
    /// The signing time the signature states.
    pub signed_at: Option<String>,
    /// The RFC 3161 timestamp's time, if any.
    pub timestamp_at: Option<String>,
    pub timestamp_ok: bool,
    /// Digest and signature value verify over the signed bytes.
    pub intact: bool,
    pub revoked: bool,
    /// Since when the certificate is revoked (from the CA's revocation list).
    pub revoked_at: Option<String>,
}

impl From<&Signer> for SignerDto {
    fn from(s: &Signer) -> Self {
        SignerDto {
            name: s.name.clone(),
            role: s.role.code().into(),
            role_label_vi: s.role.label_vi().into(),
            serial: s.serial.clone(),
            signed_at: time(s.signed_at),
            timestamp_at: time(s.timestamp_at),
            timestamp_ok: s.timestamp_ok,
            intact: s.intact,
            revoked: s.revoked,
            revoked_at: time(s.revoked_at),
        }
    }
}

/// A document the system issued, as verified: what it prints, never the applicant's ID
/// number, phone or address.
#[derive(Serialize, ToSchema)]
pub struct VerifiedDocumentDto {
    pub id: String,
    /// "01" … "06" for the forms of TT 03/2025.
    pub form: String,
    pub name: String,
    /// Number and symbol printed on it.
    pub number: String,
    pub agency: String,
    pub issued_at: String,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// The applicant's name, only for a lookup by the QR link or an exact copy (whoever
    /// holds the document); never for a lookup by number.
    pub applicant_name: Option<String>,
    pub verdict: String,
    pub reason_code: String,
    pub reason_vi: String,
    pub reason_en: String,
    /// Empty: issued without a digital signature (forms 01–07).
    pub signers: Vec<SignerDto>,
}

impl From<&Checked> for VerifiedDocumentDto {
    fn from(c: &Checked) -> Self {
        VerifiedDocumentDto {
            id: c.id.clone(),
            form: c.form.clone(),
            name: c.name.clone(),
            number: c.number.clone(),
            agency: c.agency.clone(),
            issued_at: time(Some(c.issued_at)).unwrap_or_default(),
            dossier_code: c.dossier_code.clone(),
            procedure_code: c.procedure_code.clone(),
            procedure_name: c.procedure_name.clone(),
            applicant_name: c.applicant.clone(),
            verdict: c.verdict.code().into(),
            reason_code: c.reason.code.into(),
            reason_vi: c.reason.vi.clone(),
            reason_en: c.reason.en.clone(),
            signers: c.signers.iter().map(SignerDto::from).collect(),
        }
    }
}

/// The answer of a verification.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"verdict": "valid", "verdict_label_vi": "Hợp lệ", "verdict_label_en": "Valid", "reason_code": "issued_unsigned",
    "reason_vi": "Giấy tờ do hệ thống cấp, không có chữ ký số; nội dung lưu trữ khớp với bản đã cấp.",
    "reason_en": "Issued by the system, without a digital signature; the stored content matches what was issued.",
    "documents": [], "found_signatures": [], "link_mismatch": []}))]
pub struct VerificationDto {
    /// `valid`, `altered`, `revoked` or `unknown` (not found / not issued by the system).
    pub verdict: String,
    pub verdict_label_vi: String,
    pub verdict_label_en: String,
    pub reason_code: String,
    pub reason_vi: String,
    pub reason_en: String,
    /// The system's documents that match (a number may name two: the receipt and the
    /// control slip of one dossier).
    pub documents: Vec<VerifiedDocumentDto>,
    /// The signatures found in an uploaded file that is none of the system's documents.
    pub found_signatures: Vec<SignerDto>,
    /// QR link fields (`ho-so`, `thu-tuc`, `giay-to`) that differ from the document's.
    pub link_mismatch: Vec<String>,
}

impl From<Verification> for VerificationDto {
    fn from(v: Verification) -> Self {
        VerificationDto {
            verdict: v.verdict.code().into(),
            verdict_label_vi: v.verdict.label_vi().into(),
            verdict_label_en: v.verdict.label_en().into(),
            reason_code: v.reason.code.into(),
            reason_vi: v.reason.vi,
            reason_en: v.reason.en,
            documents: v.documents.iter().map(VerifiedDocumentDto::from).collect(),
            found_signatures: v.found.iter().map(SignerDto::from).collect(),
            link_mismatch: v.link_mismatch.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The QR code's link fields, as printed.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LinkParams {
    /// Dossier code.
    #[serde(rename = "ho-so")]
    #[param(rename = "ho-so")]
    dossier_code: Option<String>,
    /// Procedure code.
    #[serde(rename = "thu-tuc")]
    #[param(rename = "thu-tuc")]
    procedure_code: Option<String>,
    /// Document name.
    #[serde(rename = "giay-to")]
    #[param(rename = "giay-to")]
    document_name: Option<String>,
}

/// Verify a document by the id its QR code links to: the stored bytes against what was
/// issued, its signatures against the CA's revocation list. An unknown id answers 200 with
/// the verdict `unknown`.
#[utoipa::path(get, path = "/api/v1/verification/{document_id}", tag = "verification",
    params(("document_id" = String, Path), LinkParams),
    responses((status = 200, body = VerificationDto),
        (status = 429, description = "Too many verifications from this address (`Retry-After`)", body = ErrorBody)))]
async fn verify_document(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(document_id): Path<String>,
    Query(p): Query<LinkParams>,
) -> ApiResult<Json<VerificationDto>> {
    let admitted = uc::admit(&ctx, client)?;
    let link = LinkFields { dossier_code: p.dossier_code, procedure_code: p.procedure_code, document_name: p.document_name };
    Ok(Json(uc::by_link(&ctx, &admitted, &document_id, link).await?.into()))
}

/// A lookup by the number printed on the document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"number": "01/PYCBS-000.00.31.H40"}))]
pub struct NumberBody {
    /// Number and symbol as printed (for forms 01 and 06, the dossier code).
    pub number: String,
}

/// An uploaded PDF.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The PDF (at most `verification.max_upload_bytes`, 20 MB by default).
    #[schema(content_media_type = "application/pdf")]
    file: Vec<u8>,
}

/// Largest JSON body of a lookup by number.
const JSON_LIMIT: usize = 16 * 1024;

/// Verify a document by its printed number (JSON `{"number": …}`) or an uploaded PDF
/// (`multipart/form-data`, the file in `file`): an exact copy of a stored document is that
/// document; otherwise a signature of the system's CA that no longer matches means
/// `altered`, anything else `unknown` with the signatures found. Not a PDF, or a damaged
/// or truncated one: 422 `not_a_pdf` / `pdf_unreadable`.
#[utoipa::path(post, path = "/api/v1/verification", tag = "verification",
    request_body(content((NumberBody = "application/json"), (UploadForm = "multipart/form-data"))),
    responses((status = 200, body = VerificationDto), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many verifications from this address (`Retry-After`)", body = ErrorBody)))]
async fn verify(State(ctx): State<AppContext>, ClientAddr(client): ClientAddr, req: Request) -> ApiResult<Json<VerificationDto>> {
    // The door first: nothing of the body is read for a refused address.
    let admitted = uc::admit(&ctx, client)?;
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let v = if ct.starts_with("multipart/form-data") {
        let mut mp = Multipart::from_request(req, &ctx).await.map_err(|_| ApiError::for_status(StatusCode::BAD_REQUEST))?;
        let limit = ctx.config.verification.max_upload_bytes;
        let file = loop {
            match mp.next_field().await {
                Ok(Some(f)) if f.name() == Some("file") => {
                    break spool_stream(&spool_dir(&ctx.config.data_dir), limit, None, f).await?;
                }
                Ok(Some(_)) => continue,
                Ok(None) => {
                    return Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "file_required",
                        "Thiếu tệp PDF (trường file).",
                        "The PDF is missing (field file).",
                    )
                    .with_field("file", "file_required", "Thiếu tệp PDF.", "The PDF is missing."));
                }
                Err(_) => return Err(ApiError::for_status(StatusCode::BAD_REQUEST)),
            }
        };
        uc::by_upload(&ctx, &admitted, file).await?
    } else {
        // A JSON lookup is small: read at most `JSON_LIMIT`, then parse as every JSON body is.
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::to_bytes(body, JSON_LIMIT).await.map_err(|_| ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE))?;
        let ApiJson(b) = ApiJson::<NumberBody>::from_request(Request::from_parts(parts, bytes.into()), &ctx).await?;
        uc::by_number(&ctx, &admitted, &b.number).await?
    };
    Ok(Json(v.into()))
}
