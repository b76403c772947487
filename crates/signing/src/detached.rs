//! Certified electronic copies (TT 01/2023, REQ-13): the officer who scanned a paper
//! component signs the scan's bytes with their personal certificate. The signature is a
//! CAdES detached CMS (SignedData over SHA-256; signed attributes content-type,
//! message-digest, signing-certificate-v2 and signing-time) kept beside the file as `.p7s`:
//! `openssl cms -verify -binary -inform DER -content <file> -in <file.p7s> -CAfile <root.pem>
//! -purpose any` accepts it.

use jiff::Timestamp;

use crate::keys::sha256;
use crate::signer::check_signer;
use crate::{Crl, SignError, Signer, Tsa, cades};

/// How a detached signature is made.
pub struct DetachedMeta<'a> {
    /// The signing time: signed as the CMS signing-time, and the certificate must be valid then.
    pub time: Timestamp,
    /// An RFC 3161 time-stamping authority, if configured.
    pub tsa: Option<&'a Tsa>,
    /// A CRL of the signing certificate's issuer: a certificate listed on it is refused.
    pub crl: Option<&'a Crl>,
}

/// Signs `content` with `signer` and returns the DER CMS (`.p7s`). Refused, with nothing
/// produced, like [`crate::sign_pdf`]: `key_missing`, `cert_expired`, `cert_not_yet_valid`,
/// `cert_revoked`, `crl_invalid`, `key_mismatch`, `tsa_failed`.
pub fn sign_detached(content: &[u8], signer: &dyn Signer, meta: DetachedMeta<'_>) -> Result<Vec<u8>, SignError> {
    check_signer(signer, meta.time, meta.crl)?;
    cades::build(signer, &sha256(content), meta.tsa, Some(meta.time))
}

/// What a detached signature says about itself and the content it was checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetachedInfo {
    /// The signing certificate's common name.
    pub signer_name: String,
    /// The signing certificate's subject (RFC 4514).
    pub signer_subject: String,
    /// The signing certificate's serial (hexadecimal).
    pub serial: String,
    /// The signed signing-time (RFC 3339 UTC), if any.
    pub signing_time: Option<String>,
    /// The SHA-256 of the content equals the signed message digest.
    pub digest_ok: bool,
    /// The signature over the signed attributes verifies with the signing certificate, and
    /// signing-certificate-v2 names that certificate.
    pub signature_ok: bool,
    /// Subjects from the signing certificate up its issuers, as far as the CMS carries them.
    pub chain: Vec<String>,
    /// Each certificate of `chain` is signed by the next one.
    pub chain_ok: bool,
    /// The signing certificate is listed on the CRL given to [`verify_detached`].
    pub revoked: bool,
    /// The signature carries an RFC 3161 timestamp token that stamps it and verifies.
    pub timestamped: bool,
    pub timestamp_ok: bool,
}

impl DetachedInfo {
    /// Digest and signature both verify.
    pub fn is_valid(&self) -> bool {
        self.digest_ok && self.signature_ok
    }
}

/// Reads the detached signature `p7s` and checks it against `content`; `crl`, if given,
/// marks a listed signing certificate revoked. Bytes that are no SignedData with its
/// signing certificate are `signature_encoding`.
pub fn verify_detached(content: &[u8], p7s: &[u8], crl: Option<&Crl>) -> Result<DetachedInfo, SignError> {
    let c = cades::check(p7s, Some(sha256(content)), crl)
        .ok_or_else(|| SignError::Encoding("not a CMS SignedData with its signing certificate".into()))?;
    Ok(DetachedInfo {
        signer_name: c.common_name,
        signer_subject: c.subject,
        serial: c.serial,
        signing_time: c.signing_time,
        digest_ok: c.digest_ok,
        signature_ok: c.signature_ok,
        chain: c.chain,
        chain_ok: c.chain_ok,
        revoked: c.revoked,
        timestamped: c.timestamped,
        timestamp_ok: c.timestamp_ok,
    })
}
