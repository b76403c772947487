//! Public-key helpers shared by signing and verification: signature algorithms, verifying a
//! SHA-256 digest against a certificate's key, certificate names and validity.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION};
use der::{Encode, asn1::Any};
use jiff::Timestamp;
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::DecodeRsaPublicKey;
use sha2::{Digest, Sha256};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;

use crate::SignError;

/// The SHA-256 digest algorithm identifier (parameters absent, RFC 5754).
pub(crate) fn sha256_algorithm() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: const_oid::db::rfc5912::ID_SHA_256, parameters: None }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Verify `signature` (CMS encoding: DER for ECDSA, raw for RSA PKCS#1 v1.5) over the SHA-256
/// `digest` with the key of `spki`, the signature algorithm being `alg`.
pub(crate) fn verify_digest(spki: &SubjectPublicKeyInfoOwned, alg: &ObjectIdentifier, digest: &[u8], signature: &[u8]) -> bool {
    let key_alg = spki.algorithm.oid;
    if key_alg == ID_EC_PUBLIC_KEY && *alg == ECDSA_WITH_SHA_256 {
        let Ok(key) = p256::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()) else {
            return false;
        };
        let Ok(sig) = p256::ecdsa::Signature::from_der(signature) else {
            return false;
        };
        key.verify_prehash(digest, &sig).is_ok()
    } else if key_alg == RSA_ENCRYPTION && (*alg == SHA_256_WITH_RSA_ENCRYPTION || *alg == RSA_ENCRYPTION) {
        let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes()) else {
            return false;
        };
        key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), digest, signature).is_ok()
    } else {
        false
    }
}

/// Whether `cert` was signed by the key of `issuer` (SHA-256 based algorithms only).
pub(crate) fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    if cert.tbs_certificate.issuer != issuer.tbs_certificate.subject {
        return false;
    }
    let Ok(tbs) = cert.tbs_certificate.to_der() else {
        return false;
    };
    let Some(sig) = cert.signature.as_bytes() else {
        return false;
    };
    verify_digest(&issuer.tbs_certificate.subject_public_key_info, &cert.signature_algorithm.oid, &sha256(&tbs), sig)
}

/// The RFC 4514 string of the certificate's subject.
pub(crate) fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// The common name of the certificate's subject, or the whole subject if it has none.
pub(crate) fn common_name(cert: &Certificate) -> String {
    for rdn in cert.tbs_certificate.subject.0.iter() {
        for atv in rdn.0.iter() {
            if atv.oid == const_oid::db::rfc4519::CN
                && let Some(s) = any_text(&atv.value)
            {
                return s;
            }
        }
    }
    subject(cert)
}

fn any_text(value: &Any) -> Option<String> {
    value
        .decode_as::<der::asn1::Utf8StringRef<'_>>()
        .map(|s| s.as_str().to_owned())
        .or_else(|_| value.decode_as::<der::asn1::PrintableStringRef<'_>>().map(|s| s.as_str().to_owned()))
        .ok()
}

/// Refuse a certificate that is not valid at `at`.
pub(crate) fn check_validity(cert: &Certificate, at: Timestamp) -> Result<(), SignError> {
    let validity = &cert.tbs_certificate.validity;
    let secs = at.as_second();
    let not_before = validity.not_before.to_unix_duration().as_secs() as i64;
    let not_after = validity.not_after.to_unix_duration().as_secs() as i64;
    if secs > not_after {
        return Err(SignError::CertExpired { not_after: validity.not_after.to_string(), at: at.to_string() });
    }
    if secs < not_before {
        return Err(SignError::CertNotYetValid { not_before: validity.not_before.to_string(), at: at.to_string() });
    }
    Ok(())
}

/// SHA-256 of a certificate's DER encoding, lower-case hexadecimal: the one name of a
/// certificate that no other certificate can share.
pub fn fingerprint(cert: &Certificate) -> String {
    let der = der::Encode::to_der(cert).unwrap_or_default();
    sha256(&der).iter().map(|b| format!("{b:02x}")).collect()
}

/// The hexadecimal serial number of a certificate (for messages).
pub(crate) fn serial_hex(cert: &Certificate) -> String {
    cert.tbs_certificate.serial_number.as_bytes().iter().map(|b| format!("{b:02X}")).collect()
}
