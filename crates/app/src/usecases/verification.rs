//! Public verification of the documents the system issues (issue #13, TT 01/2023): anyone
//! holding a document checks it at `/xac-thuc`, anonymously, in three ways:
//!
//! - the QR code's link (`/xac-thuc/<document id>?ho-so=&thu-tuc=&giay-to=`): the stored
//!   bytes are hashed and compared with the document's row, and their signatures verified
//!   against the CA's revocation list;
//! - the number printed on it (số ký hiệu): the same check of every document with that number
//!   (the receipt and the control slip share the dossier code);
//! - an uploaded PDF: an exact copy (same SHA-256) is the stored document; otherwise its
//!   signatures are read: a signature of our CA that no longer matches the bytes means the
//!   file was altered, anything else is not a document the system issued ("unknown", with
//!   what was found).
//!
//! | verdict   | when |
//! |-----------|------|
//! | `valid`   | the stored bytes match what was issued and every signature verifies (forms 01–07 carry none: "issued by the system, no digital signature") |
//! | `altered` | stored bytes that no longer match the row; a signature whose digest or value fails; bytes appended after the last signature of our CA |
//! | `revoked` | a signer's certificate is on the CRL (with the time) |
//! | `unknown` | no such document, or an uploaded file that is none of ours |
//!
//! What is shown is what the document prints, minus the applicant's personal data: no ID
//! number, phone or address ever. The applicant's name is shown only to whoever proves they
//! hold the document — the QR link (its id is random and printed only on the document) or an
//! exact copy — so that a paper whose name was changed is caught; a lookup by number (forms
//! 01 and 06 carry the dossier code, which is sequential) never shows it, or anyone could
//! walk the codes and learn who applied for what.
//!
//! Every verification passes the `verification` door first (per client address; 429 with
//! `Retry-After`), before anything is read; uploads are spooled under a size limit and at
//! most `verification.max_concurrent` are parsed at once.

use crate::keys::Keys;
use crate::limits::client_key;
use crate::upload::Spooled;
use crate::{AppContext, AppError};
use motcua_domain::error::ValidationError;
use motcua_signing::pki::Role;
use motcua_signing::{Crl, SignatureInfo};
use motcua_store::repo::agencies;
use motcua_store::repo::documents::{self as docs, DocumentRecord};
use motcua_store::repo::dossiers as dossier_repo;
use std::net::IpAddr;

/// The answer about a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Valid,
    Unknown,
    Revoked,
    Altered,
}

impl Verdict {
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Altered => "altered",
            Verdict::Revoked => "revoked",
            Verdict::Unknown => "unknown",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Verdict::Valid => "Hợp lệ",
            Verdict::Altered => "Đã bị thay đổi",
            Verdict::Revoked => "Chứng thư số đã bị thu hồi",
            Verdict::Unknown => "Không tìm thấy / không do hệ thống cấp",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Valid => "Valid",
            Verdict::Altered => "Altered",
            Verdict::Revoked => "Certificate revoked",
            Verdict::Unknown => "Not found / not issued by the system",
        }
    }
}

/// Why the verdict: a machine code and a sentence in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

fn reason(code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason { code, vi: vi.into(), en: en.into() }
}

/// What a signature's certificate is, as the page names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignerRole {
    /// An agency's organisation certificate (the seal).
    Seal,
    /// An official's personal certificate.
    Personal,
    /// A certificate not issued by our CA.
    Foreign,
}

impl SignerRole {
    pub fn code(self) -> &'static str {
        match self {
            SignerRole::Seal => "seal",
            SignerRole::Personal => "personal",
            SignerRole::Foreign => "foreign",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            SignerRole::Seal => "Con dấu của cơ quan (chứng thư số tổ chức)",
            SignerRole::Personal => "Chữ ký số cá nhân",
            SignerRole::Foreign => "Chứng thư số không do hệ thống cấp",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            SignerRole::Seal => "Agency seal (organisation certificate)",
            SignerRole::Personal => "Personal signature",
            SignerRole::Foreign => "Certificate not issued by the system",
        }
    }
}

/// One signature as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    pub name: String,
    pub role: SignerRole,
    /// Certificate serial number (hexadecimal).
    pub serial: String,
    /// The signing time the signature states (`/M`), milliseconds.
    pub signed_at: Option<i64>,
    /// The RFC 3161 timestamp's time, if the signature carries one.
    pub timestamp_at: Option<i64>,
    /// The timestamp token stamps this signature and its own signature verifies.
    pub timestamp_ok: bool,
    /// Digest and signature value verify over the signed bytes.
    pub intact: bool,
    /// The certificate is on the CRL; `revoked_at` says since when, if the CRL does.
    pub revoked: bool,
    pub revoked_at: Option<i64>,
}

/// A document of ours, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub id: String,
    pub form: String,
    pub name: String,
    pub number: String,
    pub issued_at: i64,
    /// The issuing agency as the document heads it.
    pub agency: String,
    pub dossier_code: String,
    pub procedure_code: String,
    pub procedure_name: String,
    /// Only for whoever holds the document (see the module comment).
    pub applicant: Option<String>,
    pub verdict: Verdict,
    pub reason: Reason,
    pub signers: Vec<Signer>,
}

/// How the visitor asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Link,
    Number,
    Upload,
}

/// The whole answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub via: Via,
    pub verdict: Verdict,
    pub reason: Reason,
    /// Our documents that match (none for `unknown`).
    pub documents: Vec<Checked>,
    /// The signatures found in an uploaded file that is none of our documents.
    pub found: Vec<Signer>,
    /// QR link fields (`ho-so`, `thu-tuc`, `giay-to`) that differ from the document's.
    pub link_mismatch: Vec<&'static str>,
}

/// The fields of the QR code's link besides the id, as printed on the document.
#[derive(Debug, Clone, Default)]
pub struct LinkFields {
    pub dossier_code: Option<String>,
    pub procedure_code: Option<String>,
    pub document_name: Option<String>,
}

/// Proof that a request passed the verification door (every verification takes one).
pub struct Admitted(());

/// The verification door: a rate per client address. Called before anything is read
/// (an upload's body included).
pub fn admit(ctx: &AppContext, client: IpAddr) -> Result<Admitted, AppError> {
    let (doors, now, address) = (&ctx.doors, ctx.clock.now_ms(), client_key(client));
    if let Err(wait) = doors.verification_per_address.take(&address, now) {
        if doors.log_gate.open(now) {
            tracing::warn!(%address, "verification rate limit of the address reached");
        }
        return Err(AppError::throttled(429, "too_many_requests", wait));
    }
    Ok(Admitted(()))
}

/// Longest number accepted (numbers are short: `01/PYCBS-000.00.31.H40`, a dossier code).
const MAX_NUMBER_CHARS: usize = 100;

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Validation(ValidationError::single(field, code, vi, en))
}

/// A document from its QR link.
pub async fn by_link(ctx: &AppContext, _: &Admitted, id: &str, link: LinkFields) -> Result<Verification, AppError> {
    let id = id.trim().to_string();
    let found = if id.is_empty() || id.len() > 64 {
        Vec::new()
    } else {
        ctx.store.read(move |db| Ok::<_, AppError>(docs::find(db, &id)?.into_iter().collect())).await?
    };
    let mut v = answer(ctx, Via::Link, found, true).await?;
    if let Some(d) = v.documents.first() {
        let differs =
            |typed: &Option<String>, real: &str| typed.as_deref().is_some_and(|t| !t.trim().is_empty() && t.trim() != real);
        for (name, typed, real) in [
            ("ho-so", &link.dossier_code, &d.dossier_code),
            ("thu-tuc", &link.procedure_code, &d.procedure_code),
            ("giay-to", &link.document_name, &d.name),
        ] {
            if differs(typed, real) {
                v.link_mismatch.push(name);
            }
        }
    }
    Ok(v)
}

/// The documents with this printed number (as typed, a leading "Số:" allowed).
pub async fn by_number(ctx: &AppContext, _: &Admitted, number: &str) -> Result<Verification, AppError> {
    let mut n = number.trim();
    for prefix in ["Số:", "số:", "SỐ:", "So:", "so:"] {
        n = n.strip_prefix(prefix).unwrap_or(n).trim();
    }
    if n.is_empty() {
        return Err(invalid(
            "number",
            "number_required",
            "Nhập số ký hiệu ghi trên giấy tờ.",
            "Enter the number printed on the document.",
        ));
    }
    if n.chars().count() > MAX_NUMBER_CHARS || n.chars().any(char::is_control) {
        return Err(invalid(
            "number",
            "number_invalid",
            "Số ký hiệu không hợp lệ (tối đa 100 ký tự, như in trên giấy tờ).",
            "The number is not valid (at most 100 characters, as printed on the document).",
        ));
    }
    let (typed, upper) = (n.to_string(), n.to_uppercase());
    let found = ctx.store.read(move |db| Ok::<_, AppError>(docs::by_number(db, &[&typed, &upper])?)).await?;
    answer(ctx, Via::Number, found, false).await
}

fn not_a_pdf() -> AppError {
    invalid(
        "file",
        "not_a_pdf",
        "Tệp tải lên không phải là tệp PDF. Hãy chọn bản PDF của giấy tờ cần xác thực.",
        "The uploaded file is not a PDF. Choose the PDF of the document to verify.",
    )
}

/// A file whose structure does not hold (`motcua_documents::upload::check`, the same check
/// as every upload): damaged or truncated, a polyglot, active content.
fn refused(r: motcua_documents::upload::Refusal) -> AppError {
    if r.code == motcua_documents::upload::UNKNOWN.code {
        return not_a_pdf();
    }
    invalid("file", r.code, r.message_vi, r.message_en)
}

/// An uploaded file: an exact copy of a stored document is that document; otherwise its
/// structure is checked like every upload's and its signatures say whether it was altered
/// or is none of ours.
pub async fn by_upload(ctx: &AppContext, _: &Admitted, file: Spooled) -> Result<Verification, AppError> {
    if file.is_empty() {
        return Err(invalid("file", "file_required", "Chọn tệp PDF cần xác thực.", "Choose the PDF to verify."));
    }
    let sha = file.sha256().to_string();
    let found = ctx.store.read(move |db| Ok::<_, AppError>(docs::by_sha256(db, &sha)?)).await?;
    if !found.is_empty() {
        return answer(ctx, Via::Upload, found, true).await;
    }
    // Each check reads the whole file: a few at once.
    let _slot = ctx.doors.verification_slots.acquire().await.map_err(|e| AppError::Internal(e.to_string()))?;
    let bytes = file.read().await?;
    let crl = ctx.keys.crl();
    let sigs = tokio::task::spawn_blocking(move || {
        // A file that starts like a PDF but whose structure does not hold is a damaged PDF.
        let claims_pdf = bytes[..bytes.len().min(1024)].windows(5).any(|w| w == b"%PDF-");
        let kind = motcua_documents::upload::check(&bytes).map_err(|r| match r.code {
            c if c == motcua_documents::upload::UNKNOWN.code && claims_pdf => refused(motcua_documents::upload::PDF_MALFORMED),
            _ => refused(r),
        })?;
        if kind != motcua_domain::attachment::FileKind::Pdf {
            return Err(not_a_pdf());
        }
        std::panic::catch_unwind(|| motcua_signing::verify_pdf(&bytes, crl.as_ref()))
            .ok()
            .and_then(Result::ok)
            .ok_or_else(|| refused(motcua_documents::upload::PDF_MALFORMED))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(foreign(&ctx.keys, &sigs))
}

/// An uploaded file that is none of our stored documents, judged by its signatures.
fn foreign(keys: &Keys, sigs: &[SignatureInfo]) -> Verification {
    let found: Vec<Signer> = sigs.iter().map(|s| signer(keys, s)).collect();
    let ours: Vec<(&SignatureInfo, &Signer)> = sigs.iter().zip(&found).filter(|(_, f)| f.role != SignerRole::Foreign).collect();
    let names = |list: &[&Signer]| list.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
    let (verdict, why) = if let Some((_, broken)) = ours.iter().find(|(_, f)| !f.intact) {
        (
            Verdict::Altered,
            reason(
                "signature_mismatch",
                format!(
                    "Chữ ký số của {} (chứng thư do hệ thống cấp) không còn khớp với nội dung: tệp đã bị thay đổi sau khi ký.",
                    broken.name
                ),
                format!(
                    "The signature of {} (a certificate of the system) no longer matches the content: the file was changed after signing.",
                    broken.name
                ),
            ),
        )
    } else if !ours.is_empty() && !sigs.iter().zip(&found).any(|(s, f)| f.intact && s.covers_whole_document) {
        (
            Verdict::Altered,
            reason(
                "appended_after_signature",
                "Có nội dung được thêm vào tệp sau chữ ký số cuối cùng.",
                "Content was added to the file after its last signature.",
            ),
        )
    } else if sigs.is_empty() {
        (
            Verdict::Unknown,
            reason(
                "not_issued_unsigned",
                "Tệp không trùng với giấy tờ nào do hệ thống cấp và không có chữ ký số; không xác định được nguồn gốc.",
                "The file matches no document issued by the system and carries no digital signature; its origin cannot be established.",
            ),
        )
    } else if ours.is_empty() {
        let all: Vec<&Signer> = found.iter().collect();
        (
            Verdict::Unknown,
            reason(
                "not_issued_foreign_signature",
                format!(
                    "Tệp có {} chữ ký số ({}) nhưng không phải chứng thư số của hệ thống; không phải giấy tờ do hệ thống cấp.",
                    sigs.len(),
                    names(&all)
                ),
                format!(
                    "The file has {} digital signature(s) ({}), not made with certificates of the system; it is not a document the system issued.",
                    sigs.len(),
                    names(&all)
                ),
            ),
        )
    } else {
        let mine: Vec<&Signer> = ours.iter().map(|(_, f)| *f).collect();
        (
            Verdict::Unknown,
            reason(
                "not_issued_signed",
                format!(
                    "Tệp có chữ ký số hợp lệ của {} (chứng thư do hệ thống cấp) nhưng không trùng với giấy tờ nào hệ thống đã lưu.",
                    names(&mine)
                ),
                format!(
                    "The file carries valid signatures of {} (certificates of the system) but matches no document the system stored.",
                    names(&mine)
                ),
            ),
        )
    };
    Verification { via: Via::Upload, verdict, reason: why, documents: Vec::new(), found, link_mismatch: Vec::new() }
}

/// `D:YYYYMMDDHHmmSS+HH'mm'` (a PDF date, ISO 32000-1 §7.9.4) as milliseconds.
fn pdf_date_ms(s: &str) -> Option<i64> {
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 14 {
        return None;
    }
    let n = |a: usize, b: usize| digits[a..b].parse::<i16>().ok();
    let dt = jiff::civil::DateTime::new(
        n(0, 4)?,
        n(4, 6)? as i8,
        n(6, 8)? as i8,
        n(8, 10)? as i8,
        n(10, 12)? as i8,
        n(12, 14)? as i8,
        0,
    )
    .ok()?;
    let rest = &s[digits.len()..];
    let offset_secs = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let t: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let (h, m) = (t.get(0..2)?.parse::<i32>().ok()?, t.get(2..4).and_then(|m| m.parse::<i32>().ok()).unwrap_or(0));
            let secs = h * 3600 + m * 60;
            if sign == '-' { -secs } else { secs }
        }
        _ => 0,
    };
    let offset = jiff::tz::Offset::from_seconds(offset_secs).ok()?;
    Some(offset.to_timestamp(dt).ok()?.as_millisecond())
}

fn rfc3339_ms(s: &str) -> Option<i64> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond())
}

/// A signature as shown: the role comes from our key store, by the certificate's
/// fingerprint; any other certificate is foreign.
fn signer(keys: &Keys, s: &SignatureInfo) -> Signer {
    let role = match keys.by_fingerprint(&s.signer_fingerprint).map(|i| i.role) {
        Some(Role::Seal) => SignerRole::Seal,
        Some(Role::Personal) => SignerRole::Personal,
        Some(Role::Root) | None => SignerRole::Foreign,
    };
    Signer {
        name: s.signer_name.clone(),
        role,
        serial: s.signer_serial.clone(),
        signed_at: s.signing_time.as_deref().and_then(pdf_date_ms),
        timestamp_at: s.timestamp_time.as_deref().and_then(rfc3339_ms),
        timestamp_ok: s.timestamp_ok,
        intact: s.is_valid(),
        revoked: s.revoked,
        revoked_at: s.revoked_at.as_deref().and_then(rfc3339_ms),
    }
}

/// Checks a stored document's bytes against its row and its signatures.
fn check_bytes(keys: &Keys, crl: Option<&Crl>, doc: &DocumentRecord, bytes: Option<&[u8]>) -> (Verdict, Reason, Vec<Signer>) {
    let Some(bytes) = bytes.filter(|b| motcua_store::files::sha256_hex(b) == doc.sha256) else {
        return (
            Verdict::Altered,
            reason(
                "stored_copy_mismatch",
                "Bản lưu trữ của giấy tờ không còn khớp với bản đã cấp; đề nghị liên hệ cơ quan cấp.",
                "The stored copy no longer matches the document as issued; contact the issuing agency.",
            ),
            Vec::new(),
        );
    };
    let sigs = match std::panic::catch_unwind(|| motcua_signing::verify_pdf(bytes, crl)) {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::warn!(document = %doc.id, error = %e, "stored document not readable for verification");
            Vec::new()
        }
        Err(_) => Vec::new(),
    };
    let signers: Vec<Signer> = sigs.iter().map(|s| signer(keys, s)).collect();
    if let Some(s) = signers.iter().find(|s| !s.intact) {
        return (
            Verdict::Altered,
            reason(
                "signature_mismatch",
                format!("Chữ ký số của {} không còn khớp với nội dung giấy tờ.", s.name),
                format!("The signature of {} no longer matches the document's content.", s.name),
            ),
            signers,
        );
    }
    if let Some(s) = signers.iter().find(|s| s.revoked) {
        let since = s.revoked_at.map(crate::error::hanoi_time);
        return (
            Verdict::Revoked,
            reason(
                "certificate_revoked",
                match &since {
                    Some(t) => format!("Chứng thư số của {} đã bị thu hồi từ {t}.", s.name),
                    None => format!("Chứng thư số của {} đã bị thu hồi.", s.name),
                },
                match &since {
                    Some(t) => format!("The certificate of {} was revoked on {t}.", s.name),
                    None => format!("The certificate of {} was revoked.", s.name),
                },
            ),
            signers,
        );
    }
    let why = if signers.is_empty() {
        reason(
            "issued_unsigned",
            "Giấy tờ do hệ thống cấp, không có chữ ký số; nội dung lưu trữ khớp với bản đã cấp.",
            "Issued by the system, without a digital signature; the stored content matches what was issued.",
        )
    } else {
        reason(
            "issued_signed",
            "Giấy tờ do hệ thống cấp; các chữ ký số hợp lệ và nội dung không bị thay đổi sau khi ký.",
            "Issued by the system; its digital signatures are valid and the content is unchanged since signing.",
        )
    };
    (Verdict::Valid, why, signers)
}

/// The answer for the documents found (none: unknown).
async fn answer(ctx: &AppContext, via: Via, found: Vec<DocumentRecord>, holder: bool) -> Result<Verification, AppError> {
    if found.is_empty() {
        return Ok(Verification {
            via,
            verdict: Verdict::Unknown,
            reason: reason(
                "not_found",
                "Không tìm thấy giấy tờ này trong hệ thống; giấy tờ không do hệ thống cấp hoặc thông tin nhập chưa đúng.",
                "No such document in the system: it was not issued by the system, or what was entered is not right.",
            ),
            documents: Vec::new(),
            found: Vec::new(),
            link_mismatch: Vec::new(),
        });
    }
    // What the documents print: their dossier, procedure and issuing agency.
    let rows = ctx
        .store
        .read(move |db| {
            let mut out = Vec::new();
            for doc in found {
                let d = dossier_repo::get(db, &doc.dossier_id)?;
                let agency = agencies::find(db, &doc.agency_id)?;
                out.push((doc, d, agency));
            }
            Ok::<_, AppError>(out)
        })
        .await?;
    let (files, keys, crl) = (ctx.files.clone(), ctx.keys.clone(), ctx.keys.crl());
    let documents = tokio::task::spawn_blocking(move || {
        rows.into_iter()
            .map(|(doc, d, agency)| {
                let bytes = files.get(&doc.sha256).ok();
                let (verdict, reason, signers) = check_bytes(&keys, crl.as_ref(), &doc, bytes.as_deref());
                Checked {
                    agency: agency.as_ref().map(super::dossiers::official_name).unwrap_or_default(),
                    dossier_code: d
                        .as_ref()
                        .and_then(|d| d.code.clone().or_else(|| d.filing_reference.clone()))
                        .unwrap_or_default(),
                    procedure_code: d.as_ref().map(|d| d.procedure.code.clone()).unwrap_or_default(),
                    procedure_name: d.as_ref().map(|d| d.procedure.name.clone()).unwrap_or_default(),
                    applicant: d.as_ref().filter(|_| holder).map(|d| d.applicant.name.clone()),
                    id: doc.id,
                    form: doc.form,
                    name: doc.name,
                    number: doc.number,
                    issued_at: doc.created_at,
                    verdict,
                    reason,
                    signers,
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    // The worst of the documents (a number may name two: the receipt and the control slip).
    let worst = documents.iter().max_by_key(|c| c.verdict).expect("at least one document");
    let (verdict, reason) = (worst.verdict, worst.reason.clone());
    Ok(Verification { via, verdict, reason, documents, found: Vec::new(), link_mismatch: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_read_with_their_offset() {
        let utc = "2026-12-06T18:30:05Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
        assert_eq!(pdf_date_ms("D:20261206183005+00'00'"), Some(utc));
        assert_eq!(pdf_date_ms("D:20261207013005+07'00'"), Some(utc));
        assert_eq!(pdf_date_ms("D:20261206183005Z"), Some(utc));
        assert_eq!(pdf_date_ms("D:2026"), None);
        assert_eq!(pdf_date_ms("D:20261306183005Z"), None, "month 13");
    }

    #[test]
    fn the_worst_verdict_wins() {
        let mut v = [Verdict::Valid, Verdict::Altered, Verdict::Revoked];
        v.sort();
        assert_eq!(v.last(), Some(&Verdict::Altered));
        assert!(Verdict::Revoked > Verdict::Valid);
    }
}
