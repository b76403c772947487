//! Certificate revocation lists: the check made before signing and by verification.

use der::{Decode, Encode};
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use crate::SignError;
use crate::keys::{sha256, verify_digest};

/// A parsed X.509 CRL.
#[derive(Clone, Debug)]
pub struct Crl(pub(crate) CertificateList);

impl Crl {
    /// Parse a PEM (`-----BEGIN X509 CRL-----`) or DER CRL.
    pub fn parse(bytes: &[u8]) -> Result<Self, SignError> {
        let list = if bytes.starts_with(b"-----") {
            der::pem::decode_vec(bytes).map_err(der::Error::from).and_then(|(_, der)| CertificateList::from_der(&der))
        } else {
            CertificateList::from_der(bytes)
        }
        .map_err(|e| SignError::CrlInvalid(format!("the CRL cannot be read: {e}")))?;
        Ok(Crl(list))
    }

    /// Whether this CRL lists `cert` (same issuer, same serial). The CRL's own signature is
    /// not checked here; see [`Crl::signed_by`].
    pub fn lists(&self, cert: &Certificate) -> bool {
        let tbs = &self.0.tbs_cert_list;
        tbs.issuer == cert.tbs_certificate.issuer
            && tbs
                .revoked_certificates
                .as_ref()
                .is_some_and(|list| list.iter().any(|r| r.serial_number == cert.tbs_certificate.serial_number))
    }

    /// When the CRL says `cert` was revoked (RFC 3339 UTC), if it lists it.
    pub fn revocation_time(&self, cert: &Certificate) -> Option<String> {
        let tbs = &self.0.tbs_cert_list;
        if tbs.issuer != cert.tbs_certificate.issuer {
            return None;
        }
        tbs.revoked_certificates
            .as_ref()?
            .iter()
            .find(|r| r.serial_number == cert.tbs_certificate.serial_number)
            .map(|r| r.revocation_date.to_date_time().to_string())
    }

    /// Whether the CRL is signed by `issuer`.
    pub fn signed_by(&self, issuer: &Certificate) -> bool {
        if self.0.tbs_cert_list.issuer != issuer.tbs_certificate.subject {
            return false;
        }
        let (Ok(tbs), Some(sig)) = (self.0.tbs_cert_list.to_der(), self.0.signature.as_bytes()) else {
            return false;
        };
        verify_digest(&issuer.tbs_certificate.subject_public_key_info, &self.0.signature_algorithm.oid, &sha256(&tbs), sig)
    }

    /// The serial numbers listed, as upper-case hexadecimal.
    pub fn revoked_serials(&self) -> Vec<String> {
        self.0
            .tbs_cert_list
            .revoked_certificates
            .iter()
            .flatten()
            .map(|r| r.serial_number.as_bytes().iter().map(|b| format!("{b:02X}")).collect())
            .collect()
    }
}
