//! The one signing interface and its file-key implementation.

use std::path::Path;

use const_oid::db::rfc5912::{ECDSA_WITH_SHA_256, SHA_256_WITH_RSA_ENCRYPTION};
use der::{Decode, Encode, asn1::Null};
use p256::ecdsa::signature::hazmat::PrehashSigner;
use pkcs8::{DecodePrivateKey, EncodePublicKey};
use sha2::Sha256;
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::SignError;
use crate::keys::verify_digest;

/// The signature algorithms we produce. SHA-256 is the only digest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// ECDSA on NIST P-256 with SHA-256 (preferred for keys we own).
    EcdsaP256Sha256,
    /// RSA PKCS#1 v1.5 with SHA-256 (what Vietnamese public CAs issue, RSA-2048).
    RsaPkcs1Sha256,
}

impl SignatureAlgorithm {
    /// The CMS `signatureAlgorithm` identifier.
    pub(crate) fn identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            SignatureAlgorithm::EcdsaP256Sha256 => AlgorithmIdentifierOwned { oid: ECDSA_WITH_SHA_256, parameters: None },
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                AlgorithmIdentifierOwned { oid: SHA_256_WITH_RSA_ENCRYPTION, parameters: Some(Null.into()) }
            }
        }
    }
}

/// A key holder that signs documents: a file key, a PKCS#11 token, or a remote-signing service.
///
/// The library never sees the private key: it computes the SHA-256 digest of the CMS signed
/// attributes and asks the signer to sign that digest. A remote-signing service (e.g. a CA's
/// "ký số từ xa" API) receives exactly this 32-byte digest and returns the signature; a token
/// signs it with `CKM_ECDSA` or `CKM_RSA_PKCS` over a DigestInfo.
pub trait Signer: Send + Sync {
    /// The algorithm of [`Signer::sign_digest`]'s output.
    fn algorithm(&self) -> SignatureAlgorithm;
    /// The signing certificate first, then its issuers up to (optionally) the root.
    fn certificate_chain(&self) -> &[Certificate];
    /// Sign a SHA-256 digest. ECDSA signatures are returned DER-encoded (`Ecdsa-Sig-Value`),
    /// RSA signatures as the raw PKCS#1 v1.5 block, both as CMS carries them.
    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, SignError>;
}

enum FileKey {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

/// A signer whose key is a PKCS#8 PEM file (unencrypted) and whose chain is a PEM bundle.
///
/// RSA private-key operations use `rsa` 0.9, which carries RUSTSEC-2023-0071 (Marvin timing
/// side channel); signing is blinded, but prefer P-256 for keys we own (docs/signatures.md).
pub struct FileSigner {
    key: FileKey,
    chain: Vec<Certificate>,
}

impl FileSigner {
    /// Build from PEM text: a PKCS#8 private key (P-256 or RSA) and a certificate chain whose
    /// first certificate belongs to the key.
    pub fn from_pem(key_pem: &str, chain_pem: &str) -> Result<Self, SignError> {
        let key = if let Ok(k) = p256::ecdsa::SigningKey::from_pkcs8_pem(key_pem) {
            FileKey::P256(k)
        } else if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_pem(key_pem) {
            FileKey::Rsa(Box::new(k))
        } else {
            return Err(SignError::KeyMissing("no PKCS#8 P-256 or RSA private key in the key PEM".into()));
        };
        let chain = Certificate::load_pem_chain(chain_pem.as_bytes())
            .map_err(|e| SignError::KeyMissing(format!("the certificate PEM cannot be read: {e}")))?;
        let Some(first) = chain.first() else {
            return Err(SignError::KeyMissing("the certificate PEM holds no certificate".into()));
        };
        let public = match &key {
            FileKey::P256(k) => k.verifying_key().to_public_key_der(),
            FileKey::Rsa(k) => k.to_public_key().to_public_key_der(),
        }
        .map_err(|e| SignError::Encoding(e.to_string()))?;
        let cert_spki = first.tbs_certificate.subject_public_key_info.to_der()?;
        if public.as_bytes() != cert_spki.as_slice() {
            return Err(SignError::KeyMismatch("the private key does not belong to the first certificate".into()));
        }
        Ok(FileSigner { key, chain })
    }

    /// Read the key and the chain from PEM files; a missing or unreadable file is `key_missing`.
    pub fn from_files(key_path: &Path, chain_path: &Path) -> Result<Self, SignError> {
        let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| SignError::KeyMissing(format!("{}: {e}", p.display())));
        Self::from_pem(&read(key_path)?, &read(chain_path)?)
    }
}

impl Signer for FileSigner {
    fn algorithm(&self) -> SignatureAlgorithm {
        match self.key {
            FileKey::P256(_) => SignatureAlgorithm::EcdsaP256Sha256,
            FileKey::Rsa(_) => SignatureAlgorithm::RsaPkcs1Sha256,
        }
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        match &self.key {
            FileKey::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(digest).map_err(|e| SignError::KeyMismatch(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            FileKey::Rsa(k) => k
                .sign_with_rng(&mut rand_core::OsRng, rsa::Pkcs1v15Sign::new::<Sha256>(), digest)
                .map_err(|e| SignError::KeyMismatch(e.to_string())),
        }
    }
}

/// Sign `digest` with `signer` and check the result against the signing certificate, so a
/// wrong key, a broken token or a remote service answering for another key is refused before
/// anything is written.
pub(crate) fn sign_checked(signer: &dyn Signer, digest: &[u8; 32]) -> Result<Vec<u8>, SignError> {
    let Some(cert) = signer.certificate_chain().first() else {
        return Err(SignError::KeyMissing("the signer has no certificate".into()));
    };
    let signature = signer.sign_digest(digest)?;
    let alg = signer.algorithm().identifier().oid;
    if !verify_digest(&cert.tbs_certificate.subject_public_key_info, &alg, digest, &signature) {
        return Err(SignError::KeyMismatch("the signature does not verify with the signing certificate".into()));
    }
    Ok(signature)
}

/// Refuses a signer that may not sign at `at`: no certificate (`key_missing`), a certificate
/// not valid then (`cert_expired`, `cert_not_yet_valid`), or listed on `crl`
/// (`cert_revoked`; a CRL not signed by the certificate's issuer is `crl_invalid`).
pub(crate) fn check_signer(signer: &dyn Signer, at: jiff::Timestamp, crl: Option<&crate::Crl>) -> Result<(), SignError> {
    let chain = signer.certificate_chain();
    let Some(cert) = chain.first() else {
        return Err(SignError::KeyMissing("the signer has no certificate".into()));
    };
    crate::keys::check_validity(cert, at)?;
    if let Some(crl) = crl {
        if let Some(issuer) = chain.iter().skip(1).find(|c| c.tbs_certificate.subject == cert.tbs_certificate.issuer)
            && !crl.signed_by(issuer)
        {
            return Err(SignError::CrlInvalid("the CRL is not signed by the certificate's issuer".into()));
        }
        if crl.lists(cert) {
            return Err(SignError::CertRevoked { serial: crate::keys::serial_hex(cert) });
        }
    }
    Ok(())
}

/// Parse one DER certificate (used by the PKCS#11 signer).
pub(crate) fn certificate_from_der(der: &[u8]) -> Result<Certificate, SignError> {
    Certificate::from_der(der).map_err(|e| SignError::KeyMissing(format!("the certificate cannot be read: {e}")))
}
