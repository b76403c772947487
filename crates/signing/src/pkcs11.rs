//! A [`Signer`] whose key lives on a PKCS#11 token (a USB token of a Vietnamese CA, an HSM,
//! SoftHSM2 in tests). The certificate is read from the token (a certificate object with the
//! key's label); issuer certificates can be added.

use std::path::Path;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use der::Encode;
use x509_cert::Certificate;

use crate::signer::certificate_from_der;
use crate::{SignError, SignatureAlgorithm, Signer};

/// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1), for `CKM_RSA_PKCS`.
const SHA256_DIGEST_INFO: [u8; 19] =
    [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];

/// A signer on a PKCS#11 token, logged in as the user for its lifetime.
pub struct Pkcs11Signer {
    // Keeps the module loaded while the session lives.
    _context: Pkcs11,
    session: Mutex<Session>,
    key: ObjectHandle,
    algorithm: SignatureAlgorithm,
    chain: Vec<Certificate>,
}

fn missing(what: impl std::fmt::Display) -> SignError {
    SignError::KeyMissing(what.to_string())
}

/// Load `module`, find the token labelled `token_label` and open a session on it.
fn open_session(module: &Path, token_label: &str, rw: bool) -> Result<(Pkcs11, Session), SignError> {
    let context = Pkcs11::new(module).map_err(|e| missing(format!("PKCS#11 module {}: {e}", module.display())))?;
    match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) | Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(missing(format!("PKCS#11 initialisation: {e}"))),
    }
    let slots = context.get_slots_with_token().map_err(|e| missing(format!("PKCS#11 slots: {e}")))?;
    let slot = slots
        .into_iter()
        .find(|s| context.get_token_info(*s).is_ok_and(|t| t.label() == token_label))
        .ok_or_else(|| missing(format!("no PKCS#11 token labelled {token_label}")))?;
    let session = if rw { context.open_rw_session(slot) } else { context.open_ro_session(slot) }
        .map_err(|e| missing(format!("PKCS#11 session: {e}")))?;
    Ok((context, session))
}

impl Pkcs11Signer {
    /// Open the token `token_label` of the PKCS#11 `module` with the user `pin`, and use the
    /// private key and the certificate labelled `key_label`; `issuers` complete the chain.
    /// A missing module, token, key or certificate, or a wrong PIN, is `key_missing`.
    pub fn open(
        module: &Path,
        token_label: &str,
        pin: &str,
        key_label: &str,
        issuers: Vec<Certificate>,
    ) -> Result<Self, SignError> {
        let (context, session) = open_session(module, token_label, false)?;
        session.login(UserType::User, Some(&AuthPin::new(pin.into()))).map_err(|e| missing(format!("PKCS#11 login: {e}")))?;
        let find = |class: ObjectClass| {
            session
                .find_objects(&[Attribute::Class(class), Attribute::Label(key_label.as_bytes().to_vec())])
                .map_err(|e| missing(format!("PKCS#11 search: {e}")))
        };
        let key = *find(ObjectClass::PRIVATE_KEY)?
            .first()
            .ok_or_else(|| missing(format!("no private key labelled {key_label} on the token")))?;
        let cert_handle = *find(ObjectClass::CERTIFICATE)?
            .first()
            .ok_or_else(|| missing(format!("no certificate labelled {key_label} on the token")))?;
        let key_type =
            session.get_attributes(key, &[AttributeType::KeyType]).map_err(|e| missing(format!("PKCS#11 key type: {e}")))?;
        let algorithm = match key_type.first() {
            Some(Attribute::KeyType(t)) if *t == KeyType::EC => SignatureAlgorithm::EcdsaP256Sha256,
            Some(Attribute::KeyType(t)) if *t == KeyType::RSA => SignatureAlgorithm::RsaPkcs1Sha256,
            _ => return Err(missing("the token key is neither EC nor RSA")),
        };
        let value = session
            .get_attributes(cert_handle, &[AttributeType::Value])
            .map_err(|e| missing(format!("PKCS#11 certificate: {e}")))?;
        let Some(Attribute::Value(der)) = value.first() else {
            return Err(missing("the token certificate has no value"));
        };
        let mut chain = vec![certificate_from_der(der)?];
        chain.extend(issuers);
        Ok(Pkcs11Signer { _context: context, session: Mutex::new(session), key, algorithm, chain })
    }

    /// Store `cert` on the token as a certificate object labelled `label` (provisioning: the
    /// CA hands over the certificate of a key generated or imported on the token).
    pub fn store_certificate(
        module: &Path,
        token_label: &str,
        pin: &str,
        label: &str,
        cert: &Certificate,
    ) -> Result<(), SignError> {
        let (_context, session) = open_session(module, token_label, true)?;
        session.login(UserType::User, Some(&AuthPin::new(pin.into()))).map_err(|e| missing(format!("PKCS#11 login: {e}")))?;
        let template = [
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Subject(cert.tbs_certificate.subject.to_der()?),
            Attribute::Value(cert.to_der()?),
        ];
        session.create_object(&template).map_err(|e| SignError::KeyMismatch(format!("PKCS#11 store certificate: {e}")))?;
        Ok(())
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> SignatureAlgorithm {
        self.algorithm
    }

    fn certificate_chain(&self) -> &[Certificate] {
        &self.chain
    }

    fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, SignError> {
        let session = self.session.lock().map_err(|_| SignError::KeyMismatch("PKCS#11 session poisoned".into()))?;
        let fail = |e: cryptoki::error::Error| SignError::KeyMismatch(format!("PKCS#11 sign: {e}"));
        match self.algorithm {
            SignatureAlgorithm::EcdsaP256Sha256 => {
                // CKM_ECDSA returns r‖s; CMS wants the DER Ecdsa-Sig-Value.
                let raw = session.sign(&Mechanism::Ecdsa, self.key, digest).map_err(fail)?;
                let sig = p256::ecdsa::Signature::from_slice(&raw).map_err(|e| SignError::KeyMismatch(e.to_string()))?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            SignatureAlgorithm::RsaPkcs1Sha256 => {
                let mut info = SHA256_DIGEST_INFO.to_vec();
                info.extend_from_slice(digest);
                session.sign(&Mechanism::RsaPkcs, self.key, &info).map_err(fail)
            }
        }
    }
}
