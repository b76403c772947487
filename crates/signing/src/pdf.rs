//! Embedding the CMS in a PDF signature field, and reading it back.
//!
//! The first signature rewrites the file once (lopdf `save_to`); every later one is an
//! append-only incremental update (ISO 32000-1 §7.5.6), so the bytes an earlier signature
//! covers stay untouched and it keeps verifying.

use jiff::Timestamp;
use lopdf::{Dictionary, Document, IncrementalDocument, Object, StringFormat};

use crate::keys::sha256;
use crate::signer::check_signer;
use crate::{Crl, SignError, Signer, Tsa, cades};

/// Bytes reserved for the CMS in `/Contents` (written as twice as many hex digits): room for
/// a chain of RSA-2048 certificates and a timestamp token with its own chain.
const CONTENTS_RESERVE: usize = 16 * 1024;
/// The ByteRange placeholder; overwritten in place, padded with spaces.
const BYTE_RANGE_PLACEHOLDER: &str = "[0 9999999999 9999999999 9999999999]";
const PLACEHOLDER_NUMBER: i64 = 9_999_999_999;

/// What a signature says about itself.
pub struct SignMeta<'a> {
    /// Why the document is signed ("Phê duyệt kết quả", "Đóng dấu").
    pub reason: &'a str,
    /// Where (the agency's place name).
    pub location: &'a str,
    /// The signer's name as shown by readers (`/Name`).
    pub name: &'a str,
    /// The signing time: written as `/M`, and the certificate must be valid then.
    pub time: Timestamp,
    /// An RFC 3161 time-stamping authority (PAdES B-T), if configured.
    pub tsa: Option<&'a Tsa>,
    /// A CRL of the signing certificate's issuer: a certificate listed on it is refused.
    pub crl: Option<&'a Crl>,
}

/// One signature found in a PDF, as the public verification page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    /// `/Name` of the signature dictionary, else the certificate's common name.
    pub signer_name: String,
    /// The signing certificate's subject (RFC 4514).
    pub signer_subject: String,
    /// The signing certificate's serial number, upper-case hexadecimal ("" if not found).
    pub signer_serial: String,
    /// SHA-256 of the signing certificate's DER, lower-case hexadecimal ("" if not found):
    /// what tells a certificate of our CA from another one with the same name and serial.
    pub signer_fingerprint: String,
    /// `/M` as written (`D:YYYYMMDDHHmmSS+00'00'`).
    pub signing_time: Option<String>,
    /// `/Reason`, if any.
    pub reason: Option<String>,
    /// The signed byte ranges reach the end of the file (nothing was appended after it).
    pub covers_whole_document: bool,
    /// The SHA-256 of the signed byte ranges equals the signed message digest.
    pub digest_ok: bool,
    /// The signature over the signed attributes verifies with the signing certificate, and
    /// signing-certificate-v2 names that certificate.
    pub signature_ok: bool,
    /// Subjects from the signing certificate up its issuers, as far as the CMS carries them.
    pub chain: Vec<String>,
    /// Each certificate of `chain` is signed by the next one.
    pub chain_ok: bool,
    /// The signing certificate is listed on the CRL given to [`verify_pdf`].
    pub revoked: bool,
    /// When, according to that CRL (RFC 3339 UTC).
    pub revoked_at: Option<String>,
    /// The signature carries an RFC 3161 timestamp token (PAdES B-T).
    pub timestamped: bool,
    /// The token's time (`genTime`, RFC 3339 UTC), if there is a token.
    pub timestamp_time: Option<String>,
    /// The token stamps this signature's value and its own signature verifies with the TSA
    /// certificate it carries (whether that TSA is trusted is the reader's decision).
    pub timestamp_ok: bool,
}

impl SignatureInfo {
    /// Digest and signature both verify.
    pub fn is_valid(&self) -> bool {
        self.digest_ok && self.signature_ok
    }
}

/// Load strictly: a damaged file (one lopdf would have to repair) is refused, since the
/// incremental update relies on its cross-reference data being right.
fn load(pdf: &[u8]) -> Result<Document, SignError> {
    let options = lopdf::LoadOptions { strict: true, ..Default::default() };
    let doc = Document::load_mem_with_options(pdf, options).map_err(|e| SignError::PdfUnreadable(e.to_string()))?;
    if doc.is_encrypted() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(SignError::PdfUnreadable("the PDF is encrypted".into()));
    }
    if doc.get_pages().is_empty() {
        return Err(SignError::PdfUnreadable("the PDF has no page".into()));
    }
    Ok(doc)
}

/// Add one PAdES signature by `signer` to `pdf` and return the signed file.
///
/// Refused, with nothing produced: a PDF that does not parse or is encrypted
/// (`pdf_unreadable`), one whose existing signatures no longer verify
/// (`pdf_signature_invalid`), a certificate not valid at `meta.time` (`cert_expired`,
/// `cert_not_yet_valid`) or listed on `meta.crl` (`cert_revoked`), a signer without key or
/// certificate (`key_missing`) or whose key does not match it (`key_mismatch`), a TSA that
/// does not answer (`tsa_failed`).
pub fn sign_pdf(pdf: &[u8], signer: &dyn Signer, meta: SignMeta<'_>) -> Result<Vec<u8>, SignError> {
    check_signer(signer, meta.time, meta.crl)?;

    let doc = load(pdf)?;
    let existing = verify_loaded(pdf, &doc, None)?;
    if let Some(bad) = existing.iter().find(|s| !s.is_valid()) {
        return Err(SignError::PdfSignatureInvalid(format!("the signature of {} does not verify", bad.signer_name)));
    }

    let (mut out, search_from) = if existing.is_empty() {
        let mut doc = doc;
        add_signature_field(&mut doc, None, &meta)?;
        let mut out = Vec::with_capacity(pdf.len() + 2 * CONTENTS_RESERVE + 4096);
        doc.save_to(&mut out).map_err(|e| SignError::PdfUnreadable(e.to_string()))?;
        (out, 0)
    } else {
        let prev = doc.clone();
        let mut inc = IncrementalDocument::create_from(pdf.to_vec(), doc);
        add_signature_field(&mut inc.new_document, Some(&prev), &meta)?;
        let mut out = Vec::with_capacity(pdf.len() + 2 * CONTENTS_RESERVE + 4096);
        inc.save_to(&mut out).map_err(|e| SignError::PdfUnreadable(e.to_string()))?;
        if !out.starts_with(pdf) {
            return Err(SignError::Encoding("the incremental update changed earlier bytes".into()));
        }
        (out, pdf.len())
    };

    // Locate the placeholders written above (only in what we wrote).
    let range_at = find_unique(&out[search_from..], BYTE_RANGE_PLACEHOLDER.as_bytes())
        .ok_or_else(|| SignError::Encoding("ByteRange placeholder not found exactly once".into()))?
        + search_from;
    let mut hex_zeros = Vec::with_capacity(2 * CONTENTS_RESERVE + 2);
    hex_zeros.push(b'<');
    hex_zeros.resize(2 * CONTENTS_RESERVE + 1, b'0');
    hex_zeros.push(b'>');
    let contents_start = find_unique(&out[search_from..], &hex_zeros)
        .ok_or_else(|| SignError::Encoding("Contents placeholder not found exactly once".into()))?
        + search_from;
    let contents_end = contents_start + hex_zeros.len();
    let range = format!("[0 {} {} {}]", contents_start, contents_end, out.len() - contents_end);
    let range = format!("{range:<width$}", width = BYTE_RANGE_PLACEHOLDER.len());
    out[range_at..range_at + range.len()].copy_from_slice(range.as_bytes());

    let mut signed = out[..contents_start].to_vec();
    signed.extend_from_slice(&out[contents_end..]);
    let cms = cades::build(signer, &sha256(&signed), meta.tsa, None)?;
    if cms.len() > CONTENTS_RESERVE {
        return Err(SignError::Encoding(format!("the signature ({} bytes) exceeds the reserve", cms.len())));
    }
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    out[contents_start + 1..contents_start + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

fn find_unique(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let mut found = haystack.windows(needle.len()).enumerate().filter(|(_, w)| *w == needle).map(|(i, _)| i);
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

fn pdf_date(t: Timestamp) -> String {
    t.strftime("D:%Y%m%d%H%M%S+00'00'").to_string()
}

/// Add the signature dictionary (with placeholders), its widget on the first page and the
/// AcroForm entry. `target` receives every new or changed object; `prev` is where unchanged
/// objects are read from (the same document for a full save).
fn add_signature_field(target: &mut Document, prev: Option<&Document>, meta: &SignMeta<'_>) -> Result<(), SignError> {
    let unreadable = |e: lopdf::Error| SignError::PdfUnreadable(e.to_string());
    // Read everything needed from the source document first.
    let (root_id, catalog, page_id, page, acroform, annots) = {
        let src = prev.unwrap_or(target);
        let root_id = src.trailer.get(b"Root").and_then(Object::as_reference).map_err(unreadable)?;
        let catalog = src.get_dictionary(root_id).map_err(unreadable)?.clone();
        let page_id = *src.get_pages().values().next().ok_or_else(|| SignError::PdfUnreadable("no page".into()))?;
        let page = src.get_dictionary(page_id).map_err(unreadable)?.clone();
        let acroform = match catalog.get(b"AcroForm") {
            Ok(Object::Reference(id)) => Some((Some(*id), src.get_dictionary(*id).map_err(unreadable)?.clone())),
            Ok(Object::Dictionary(d)) => Some((None, d.clone())),
            _ => None,
        };
        let annots = match page.get(b"Annots") {
            Ok(Object::Reference(id)) => {
                Some((Some(*id), src.get_object(*id).and_then(Object::as_array).map_err(unreadable)?.clone()))
            }
            Ok(Object::Array(a)) => Some((None, a.clone())),
            _ => None,
        };
        (root_id, catalog, page_id, page, acroform, annots)
    };

    let mut sig = Dictionary::new();
    sig.set("Type", Object::Name(b"Sig".to_vec()));
    sig.set("Filter", Object::Name(b"Adobe.PPKLite".to_vec()));
    sig.set("SubFilter", Object::Name(b"ETSI.CAdES.detached".to_vec()));
    sig.set(
        "ByteRange",
        Object::Array(vec![0.into(), PLACEHOLDER_NUMBER.into(), PLACEHOLDER_NUMBER.into(), PLACEHOLDER_NUMBER.into()]),
    );
    sig.set("Contents", Object::String(vec![0; CONTENTS_RESERVE], StringFormat::Hexadecimal));
    sig.set("M", Object::String(pdf_date(meta.time).into_bytes(), StringFormat::Literal));
    sig.set("Name", lopdf::text_string(meta.name));
    sig.set("Reason", lopdf::text_string(meta.reason));
    sig.set("Location", lopdf::text_string(meta.location));
    let sig_id = target.add_object(Object::Dictionary(sig));

    let mut widget = Dictionary::new();
    widget.set("Type", Object::Name(b"Annot".to_vec()));
    widget.set("Subtype", Object::Name(b"Widget".to_vec()));
    widget.set("FT", Object::Name(b"Sig".to_vec()));
    widget.set("Rect", Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]));
    // Print + Locked: an invisible signature widget.
    widget.set("F", 132);
    widget.set("T", lopdf::text_string(&format!("Signature{}", sig_id.0)));
    widget.set("V", Object::Reference(sig_id));
    widget.set("P", Object::Reference(page_id));
    let widget_id = target.add_object(Object::Dictionary(widget));

    // The page lists the widget among its annotations.
    let mut page = page;
    match annots {
        Some((Some(annots_id), mut array)) => {
            array.push(Object::Reference(widget_id));
            target.set_object(annots_id, Object::Array(array));
        }
        Some((None, mut array)) => {
            array.push(Object::Reference(widget_id));
            page.set("Annots", Object::Array(array));
        }
        None => page.set("Annots", Object::Array(vec![Object::Reference(widget_id)])),
    }
    target.set_object(page_id, Object::Dictionary(page));

    // The AcroForm lists the field and says the document has signatures (append only).
    let (acroform_id, mut form) = acroform.unwrap_or((None, Dictionary::new()));
    let mut fields = match form.get(b"Fields") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(id)) => {
            let src = prev.unwrap_or(target);
            src.get_object(*id).and_then(Object::as_array).map_err(unreadable)?.clone()
        }
        _ => Vec::new(),
    };
    fields.push(Object::Reference(widget_id));
    form.set("Fields", Object::Array(fields));
    form.set("SigFlags", 3);
    match acroform_id {
        Some(id) => target.set_object(id, Object::Dictionary(form)),
        None => {
            let mut catalog = catalog;
            catalog.set("AcroForm", Object::Dictionary(form));
            target.set_object(root_id, Object::Dictionary(catalog));
        }
    }
    Ok(())
}

/// Every signature of `pdf`, in the order they were added, checked against the bytes.
/// `crl`, if given, marks signing certificates it lists as revoked.
pub fn verify_pdf(pdf: &[u8], crl: Option<&Crl>) -> Result<Vec<SignatureInfo>, SignError> {
    let doc = Document::load_mem(pdf).map_err(|e| SignError::PdfUnreadable(e.to_string()))?;
    verify_loaded(pdf, &doc, crl)
}

fn text(dict: &Dictionary, key: &[u8]) -> Option<String> {
    dict.get(key).ok().and_then(|o| lopdf::decode_text_string(o).ok())
}

fn verify_loaded(pdf: &[u8], doc: &Document, crl: Option<&Crl>) -> Result<Vec<SignatureInfo>, SignError> {
    let mut found = Vec::new();
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        let (Ok(range), Ok(contents)) = (dict.get(b"ByteRange"), dict.get(b"Contents")) else {
            continue;
        };
        let (Ok(range), Ok(contents)) = (range.as_array(), contents.as_str()) else {
            continue;
        };
        let range: Vec<i64> = range.iter().filter_map(|o| o.as_i64().ok()).collect();
        if range.len() != 4 || range.iter().any(|&n| n < 0) {
            continue;
        }
        let range: Vec<usize> = range.into_iter().map(|n| n as usize).collect();
        found.push((range[2], inspect(pdf, dict, &range, contents, crl)));
    }
    found.sort_by_key(|(at, _)| *at);
    Ok(found.into_iter().map(|(_, info)| info).collect())
}

fn inspect(pdf: &[u8], dict: &Dictionary, range: &[usize], contents: &[u8], crl: Option<&Crl>) -> SignatureInfo {
    let mut info = SignatureInfo {
        signer_name: text(dict, b"Name").unwrap_or_default(),
        signer_subject: String::new(),
        signer_serial: String::new(),
        signer_fingerprint: String::new(),
        signing_time: text(dict, b"M"),
        reason: text(dict, b"Reason"),
        covers_whole_document: range[2].checked_add(range[3]) == Some(pdf.len()),
        digest_ok: false,
        signature_ok: false,
        chain: Vec::new(),
        chain_ok: false,
        revoked: false,
        revoked_at: None,
        timestamped: false,
        timestamp_time: None,
        timestamp_ok: false,
    };
    // The ranges must start the file, lie inside it and leave exactly the hex string out.
    let (a, b, c, d) = (range[0], range[1], range[2], range[3]);
    let in_file = a == 0 && b < c && c.checked_add(d).is_some_and(|end| end <= pdf.len());
    let digest = in_file.then(|| {
        let mut signed = pdf[..b].to_vec();
        signed.extend_from_slice(&pdf[c..c + d]);
        sha256(&signed)
    });
    let gap_is_contents = in_file && pdf[b] == b'<' && pdf[c - 1] == b'>';

    let Some(checked) = cades::check(contents, digest, crl) else { return info };
    info.signer_subject = checked.subject;
    info.signer_serial = checked.serial;
    info.signer_fingerprint = checked.fingerprint;
    if info.signer_name.is_empty() {
        info.signer_name = checked.common_name;
    }
    info.digest_ok = gap_is_contents && checked.digest_ok;
    info.signature_ok = checked.signature_ok;
    info.timestamped = checked.timestamped;
    info.timestamp_time = checked.timestamp_time;
    info.timestamp_ok = checked.timestamp_ok;
    info.revoked = checked.revoked;
    info.revoked_at = checked.revoked_at;
    info.chain = checked.chain;
    info.chain_ok = checked.chain_ok;
    info
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_date_is_utc_with_offset() {
        let t: Timestamp = "2026-12-06T18:30:05Z".parse().unwrap();
        assert_eq!(pdf_date(t), "D:20261206183005+00'00'");
    }

    #[test]
    fn find_unique_refuses_twice() {
        assert_eq!(find_unique(b"abcab", b"ab"), None);
        assert_eq!(find_unique(b"xxab", b"ab"), Some(2));
        assert_eq!(find_unique(b"xx", b"ab"), None);
    }
}
