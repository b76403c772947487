//! The one error type of the crate: every refusal carries a stable machine code (for the
//! app's messages and logs) and changes nothing (signing returns new bytes or an error).

/// Why a document could not be signed or verified.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The signing certificate's validity ended before the signing time.
    #[error("the signing certificate expired on {not_after} (signing time {at})")]
    CertExpired { not_after: String, at: String },
    /// The signing certificate is not valid yet at the signing time.
    #[error("the signing certificate is valid only from {not_before} (signing time {at})")]
    CertNotYetValid { not_before: String, at: String },
    /// The signing certificate's serial is on the given CRL.
    #[error("the signing certificate (serial {serial}) is revoked")]
    CertRevoked { serial: String },
    /// The CRL given for the revocation check is not signed by the certificate's issuer.
    #[error("the CRL cannot be trusted: {0}")]
    CrlInvalid(String),
    /// No private key (file, token object) or no certificate for it.
    #[error("signing key missing: {0}")]
    KeyMissing(String),
    /// The private key does not belong to the certificate, or the key/token failed to sign.
    #[error("the key does not match the certificate or failed to sign: {0}")]
    KeyMismatch(String),
    /// The bytes are not a PDF we can sign (unparsable, encrypted, no page).
    #[error("the PDF cannot be read: {0}")]
    PdfUnreadable(String),
    /// The PDF already carries a signature that no longer verifies: adding ours would seal a
    /// document that was changed after it was signed.
    #[error("an existing signature of the PDF is not valid: {0}")]
    PdfSignatureInvalid(String),
    /// The configured time-stamping authority did not return a usable token.
    #[error("the time-stamping authority failed: {0}")]
    TsaFailed(String),
    /// An internal encoding step failed (a bug, or a certificate we cannot encode).
    #[error("signature encoding failed: {0}")]
    Encoding(String),
}

impl SignError {
    /// The stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            SignError::CertExpired { .. } => "cert_expired",
            SignError::CertNotYetValid { .. } => "cert_not_yet_valid",
            SignError::CertRevoked { .. } => "cert_revoked",
            SignError::CrlInvalid(_) => "crl_invalid",
            SignError::KeyMissing(_) => "key_missing",
            SignError::KeyMismatch(_) => "key_mismatch",
            SignError::PdfUnreadable(_) => "pdf_unreadable",
            SignError::PdfSignatureInvalid(_) => "pdf_signature_invalid",
            SignError::TsaFailed(_) => "tsa_failed",
            SignError::Encoding(_) => "signature_encoding",
        }
    }
}

impl From<der::Error> for SignError {
    fn from(e: der::Error) -> Self {
        SignError::Encoding(e.to_string())
    }
}
