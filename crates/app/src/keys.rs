//! The keys that sign (issue #13, REQ-23): each agency's seal (organisation certificate) and
//! the personal certificates of its officials (leaders sign results, officers certify
//! electronic copies).
//!
//! The key store is a directory, `<data_dir>/pki` (`signing.pki_dir`): the files of
//! [`DemoPki::write_dir`] plus `holders.json`, which binds agencies (by id) and users (by
//! user name) to the certificate names they sign with. `motcua seed` creates a demo PKI
//! there (root CA → seals and personal certificates, a CRL). A province with real
//! certificates replaces the file keys behind the same [`Signer`] interface (PKCS#11 token,
//! a CA's remote signing; `docs/signatures.md`).
//!
//! Every refusal is a clear error with a machine code (`signing_key_missing`,
//! `cert_revoked`, `cert_expired`, …) and nothing is signed: callers sign before they write.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use motcua_signing::pki::{DemoPki, Identity, KeyAlgorithm};
use motcua_signing::{Crl, FileSigner, SignError};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// Who holds which certificate: agency id → seal name, user name → personal name.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Holders {
    pub agencies: BTreeMap<String, String>,
    pub users: BTreeMap<String, String>,
}

#[derive(Clone)]
struct Loaded {
    pki: DemoPki,
    holders: Holders,
    crl: Option<Crl>,
    /// Certificate fingerprint → index in `pki.identities` (retired ones included).
    fingerprints: BTreeMap<String, usize>,
}

/// The key store of one data directory, re-read after a change (revocation, rotation).
pub struct Keys {
    dir: PathBuf,
    state: RwLock<Option<Arc<Loaded>>>,
}

const HOLDERS: &str = "holders.json";

impl Keys {
    /// The key store in `dir`; empty (every signing refused with `signing_key_missing`)
    /// when the directory holds no PKI.
    pub fn open(dir: PathBuf) -> Self {
        let keys = Self { dir, state: RwLock::new(None) };
        if let Err(e) = keys.reload() {
            tracing::warn!(dir = %keys.dir.display(), error = %e, "signing keys not loaded");
        }
        keys
    }

    /// The directory of the key store.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Re-reads the directory. No PKI there is not an error (the store is then empty).
    pub fn reload(&self) -> Result<(), AppError> {
        let loaded = if self.dir.join("pki.json").exists() {
            let pki = DemoPki::read_dir(&self.dir).map_err(sign_error)?;
            let holders = match std::fs::read_to_string(self.dir.join(HOLDERS)) {
                Ok(text) => serde_json::from_str(&text).map_err(|e| AppError::Internal(format!("{HOLDERS}: {e}")))?,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Holders::default(),
                Err(e) => return Err(AppError::Internal(format!("{HOLDERS}: {e}"))),
            };
            let crl = pki.crl().ok();
            let fingerprints = pki
                .identities
                .iter()
                .enumerate()
                .filter_map(|(i, id)| id.certificate().ok().map(|c| (motcua_signing::fingerprint(&c), i)))
                .collect();
            Some(Arc::new(Loaded { pki, holders, crl, fingerprints }))
        } else {
            None
        };
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = loaded;
        Ok(())
    }

    fn loaded(&self) -> Option<Arc<Loaded>> {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether any PKI is installed.
    pub fn is_configured(&self) -> bool {
        self.loaded().is_some()
    }

    /// The current seal certificate of an agency.
    pub fn seal_identity(&self, agency_id: &str) -> Option<Identity> {
        let l = self.loaded()?;
        let name = l.holders.agencies.get(agency_id)?;
        l.pki.current(name).cloned()
    }

    /// The current personal certificate of a user.
    pub fn personal_identity(&self, username: &str) -> Option<Identity> {
        let l = self.loaded()?;
        let name = l.holders.users.get(username)?;
        l.pki.current(name).cloned()
    }

    /// The signer of an agency's seal (`signing_key_missing` when it has none).
    pub fn seal(&self, agency_id: &str) -> Result<FileSigner, AppError> {
        let l = self.loaded().ok_or_else(|| missing("seal"))?;
        let name = l.holders.agencies.get(agency_id).ok_or_else(|| missing("seal"))?;
        l.pki.signer(name).map_err(|_| missing("seal"))
    }

    /// The signer of a user's personal certificate (`signing_key_missing` when none).
    pub fn personal(&self, username: &str) -> Result<FileSigner, AppError> {
        let l = self.loaded().ok_or_else(|| missing("personal"))?;
        let name = l.holders.users.get(username).ok_or_else(|| missing("personal"))?;
        l.pki.signer(name).map_err(|_| missing("personal"))
    }

    /// The CA's current revocation list (signing refuses a listed certificate; the
    /// verification page reports it).
    pub fn crl(&self) -> Option<Crl> {
        self.loaded().and_then(|l| l.crl.clone())
    }

    /// The root certificate (PEM) relying parties trust, for download and for tests.
    pub fn root_pem(&self) -> Option<String> {
        self.loaded().map(|l| l.pki.root.cert_pem.clone())
    }

    /// The identity (any, retired included) holding `serial`.
    pub fn by_serial(&self, serial: &str) -> Option<Identity> {
        self.loaded().and_then(|l| l.pki.by_serial(serial).cloned())
    }

    /// The identity (retired included) whose certificate has this fingerprint: a signature
    /// made with a certificate of our CA. Its name and serial alone prove nothing (anyone can
    /// issue a certificate that copies them); the fingerprint does.
    pub fn by_fingerprint(&self, fingerprint: &str) -> Option<Identity> {
        let l = self.loaded()?;
        l.fingerprints.get(fingerprint).and_then(|&i| l.pki.identities.get(i)).cloned()
    }

    /// Demo CA operation: revokes a certificate and re-issues the CRL (a real CA publishes
    /// its CRL; the province then drops it into the key store).
    pub fn revoke(&self, serial: &str, at: jiff::Timestamp) -> Result<(), AppError> {
        self.change(|pki| pki.revoke(serial, at).map(|_| ()))
    }

    /// Demo CA operation: a new key and certificate for `name`; the old one is retired and
    /// keeps verifying what it signed. Returns the new serial.
    pub fn rotate(&self, name: &str, at: jiff::Timestamp) -> Result<String, AppError> {
        let mut serial = String::new();
        self.change(|pki| {
            serial = pki.rotate(name, at)?.serial.clone();
            Ok(())
        })?;
        Ok(serial)
    }

    fn change(&self, f: impl FnOnce(&mut DemoPki) -> Result<(), SignError>) -> Result<(), AppError> {
        let l = self.loaded().ok_or_else(|| missing("pki"))?;
        let mut pki = l.pki.clone();
        f(&mut pki).map_err(sign_error)?;
        pki.write_dir(&self.dir).map_err(|e| AppError::Internal(format!("{}: {e}", self.dir.display())))?;
        self.reload()
    }

    /// Installs a PKI and its holders in the directory (replacing what was there).
    pub fn install(&self, pki: &DemoPki, holders: &Holders) -> Result<(), AppError> {
        let io = |e: std::io::Error| AppError::Internal(format!("{}: {e}", self.dir.display()));
        pki.write_dir(&self.dir).map_err(io)?;
        let text = serde_json::to_string_pretty(holders).map_err(|e| AppError::Internal(e.to_string()))?;
        std::fs::write(self.dir.join(HOLDERS), text).map_err(io)?;
        self.reload()
    }
}

fn missing(what: &str) -> AppError {
    AppError::Refused {
        http: 409,
        code: "signing_key_missing",
        vi: "Chưa có chứng thư số để ký (khóa hoặc chứng thư của cơ quan/người ký chưa được cấu hình).".into(),
        en: format!("No signing certificate is configured ({what})."),
    }
}

/// A signing failure as the app reports it: 409 with the signing crate's machine code.
pub fn sign_error(e: SignError) -> AppError {
    let vi = match &e {
        SignError::CertExpired { .. } => "Chứng thư số của người ký đã hết hạn.",
        SignError::CertNotYetValid { .. } => "Chứng thư số của người ký chưa có hiệu lực.",
        SignError::CertRevoked { .. } => "Chứng thư số của người ký đã bị thu hồi.",
        SignError::KeyMissing(_) => "Không tìm thấy khóa ký số.",
        SignError::KeyMismatch(_) => "Khóa ký số không khớp với chứng thư số.",
        SignError::PdfUnreadable(_) => "Tệp PDF không đọc được.",
        SignError::PdfSignatureInvalid(_) => "Chữ ký số đã có trên tệp không còn hợp lệ.",
        SignError::TsaFailed(_) => "Máy chủ cấp dấu thời gian không phản hồi.",
        SignError::CrlInvalid(_) | SignError::Encoding(_) => "Không ký số được tài liệu.",
    };
    let http = match &e {
        SignError::Encoding(_) | SignError::CrlInvalid(_) => 500,
        SignError::TsaFailed(_) => 503,
        SignError::PdfUnreadable(_) => 422,
        _ => 409,
    };
    AppError::Refused { http, code: e.code(), vi: vi.into(), en: e.to_string() }
}

/// The demo PKI's certificate names, with their algorithms: RSA-2048 for the province
/// (what Vietnamese public CAs issue), P-256 for the rest.
pub struct DemoNames {
    pub seals: Vec<(String, KeyAlgorithm)>,
    pub personal: Vec<(String, KeyAlgorithm)>,
}

/// Generates the demo PKI for `names`, once per process per set of names (RSA key
/// generation takes a while; every test app of a process seeds the same names).
pub fn demo_pki(names: &DemoNames, now: jiff::Timestamp) -> Result<DemoPki, AppError> {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(String, DemoPki)>>> = OnceLock::new();
    let key = format!("{:?}|{:?}", names.seals, names.personal);
    let cache = CACHE.get_or_init(Default::default);
    if let Some((_, pki)) = cache.lock().unwrap_or_else(|e| e.into_inner()).iter().find(|(k, _)| *k == key) {
        return Ok(pki.clone());
    }
    let seals: Vec<(&str, KeyAlgorithm)> = names.seals.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    let personal: Vec<(&str, KeyAlgorithm)> = names.personal.iter().map(|(n, a)| (n.as_str(), *a)).collect();
    let pki = DemoPki::generate(&seals, &personal, now).map_err(sign_error)?;
    cache.lock().unwrap_or_else(|e| e.into_inner()).push((key, pki.clone()));
    Ok(pki)
}
