//! The demo PKI that `motcua seed` creates: a root CA (P-256) issuing an organisation (seal)
//! certificate per agency and a personal certificate per leader, and a CRL. Certificates can
//! be revoked (the CRL is re-issued) and keys rotated (a new key and certificate; the old
//! certificate stays valid, so documents it signed still verify).
//!
//! Everything is PEM: [`DemoPki::write_dir`] writes `pki.json` (the manifest, with keys),
//! `root-ca.pem`, `crl.pem` and `<serial>.cert.pem` / `<serial>.key.pem` per certificate.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use der::asn1::{BitString, GeneralizedTime, UtcTime};
use der::pem::LineEnding;
use der::{DecodePem, Encode, EncodePem};
use jiff::Timestamp;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use serde::{Deserialize, Serialize};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::Certificate;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::crl::{CertificateList, RevokedCert, TbsCertList};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use crate::keys::sha256;
use crate::signer::SignatureAlgorithm;
use crate::{Crl, FileSigner, SignError};

const DAY: i64 = 86_400;
const ROOT_YEARS: i64 = 10;
const LEAF_YEARS: i64 = 2;
const CRL_DAYS: i64 = 30;

/// The key algorithm of an issued certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// ECDSA P-256: preferred for keys we own.
    P256,
    /// RSA-2048: what Vietnamese public CAs issue.
    Rsa2048,
}

/// What a certificate is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// The demo root CA.
    Root,
    /// An agency's organisation certificate: the seal.
    Seal,
    /// A leader's personal certificate.
    Personal,
}

/// One certificate with its key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// The agency's or the person's name (the certificate's CN).
    pub name: String,
    pub role: Role,
    pub algorithm: KeyAlgorithm,
    /// Upper-case hexadecimal serial number.
    pub serial: String,
    /// PKCS#8 PEM private key.
    pub key_pem: String,
    pub cert_pem: String,
    /// Replaced by a newer key (rotation); still valid for what it signed.
    pub retired: bool,
}

impl Identity {
    /// The certificate.
    pub fn certificate(&self) -> Result<Certificate, SignError> {
        Certificate::from_pem(self.cert_pem.as_bytes()).map_err(|e| SignError::KeyMissing(e.to_string()))
    }
}

/// A revoked serial number.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Revocation {
    pub serial: String,
    pub at: Timestamp,
}

/// The demo PKI.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DemoPki {
    pub root: Identity,
    /// Seals and personal certificates, retired ones included, in issue order.
    pub identities: Vec<Identity>,
    pub revoked: Vec<Revocation>,
    /// The current CRL, signed by the root.
    pub crl_pem: String,
}

fn enc(e: impl std::fmt::Display) -> SignError {
    SignError::Encoding(e.to_string())
}

/// RFC 4514 escaping of a name used as an attribute value.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') || (i == 0 && matches!(c, '#' | ' ')) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn x509_time(t: Timestamp) -> Result<Time, SignError> {
    let d = Duration::from_secs(u64::try_from(t.as_second()).map_err(enc)?);
    Ok(match UtcTime::from_unix_duration(d) {
        Ok(u) => Time::UtcTime(u),
        Err(_) => Time::GeneralTime(GeneralizedTime::from_unix_duration(d).map_err(enc)?),
    })
}

fn plus(t: Timestamp, secs: i64) -> Result<Timestamp, SignError> {
    Timestamp::from_second(t.as_second() + secs).map_err(enc)
}

fn random_serial() -> Result<(SerialNumber, String), SignError> {
    // 63 random bits with the top bit of the first byte clear: a positive 8-byte INTEGER.
    let n = (rand_core::RngCore::next_u64(&mut rand_core::OsRng) >> 1) | (1 << 56);
    let bytes = n.to_be_bytes();
    let hex = bytes.iter().map(|b| format!("{b:02X}")).collect();
    Ok((SerialNumber::new(&bytes).map_err(enc)?, hex))
}

enum NewKey {
    P256(p256::ecdsa::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl NewKey {
    fn generate(algorithm: KeyAlgorithm) -> Result<Self, SignError> {
        Ok(match algorithm {
            KeyAlgorithm::P256 => NewKey::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng)),
            KeyAlgorithm::Rsa2048 => NewKey::Rsa(Box::new(rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(enc)?)),
        })
    }

    fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, SignError> {
        match self {
            NewKey::P256(k) => SubjectPublicKeyInfoOwned::from_key(*k.verifying_key()),
            NewKey::Rsa(k) => SubjectPublicKeyInfoOwned::from_key(k.to_public_key()),
        }
        .map_err(enc)
    }

    fn pem(&self) -> Result<String, SignError> {
        match self {
            NewKey::P256(k) => k.to_pkcs8_pem(LineEnding::LF),
            NewKey::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
        }
        .map(|z| z.to_string())
        .map_err(enc)
    }
}

fn root_key(root: &Identity) -> Result<p256::ecdsa::SigningKey, SignError> {
    p256::ecdsa::SigningKey::from_pkcs8_pem(&root.key_pem).map_err(|e| SignError::KeyMissing(format!("root key: {e}")))
}

fn issue(
    root_key: &p256::ecdsa::SigningKey,
    profile: Profile,
    subject: &str,
    key: &NewKey,
    from: Timestamp,
    years: i64,
) -> Result<(Certificate, String), SignError> {
    let (serial, hex) = random_serial()?;
    let validity = Validity { not_before: x509_time(plus(from, -3600)?)?, not_after: x509_time(plus(from, years * 365 * DAY)?)? };
    let subject = Name::from_str(subject).map_err(enc)?;
    let builder = CertificateBuilder::new(profile, serial, validity, subject, key.spki()?, root_key).map_err(enc)?;
    let cert = builder.build::<p256::ecdsa::DerSignature>().map_err(enc)?;
    Ok((cert, hex))
}

impl DemoPki {
    /// A new root CA, one seal certificate per entry of `seals` (agency names) and one
    /// personal certificate per entry of `leaders` (person names), valid from `now`.
    pub fn generate(seals: &[(&str, KeyAlgorithm)], leaders: &[(&str, KeyAlgorithm)], now: Timestamp) -> Result<Self, SignError> {
        let key = NewKey::generate(KeyAlgorithm::P256)?;
        let NewKey::P256(signing) = &key else { unreachable!("P-256 requested") };
        let (cert, serial) = issue(signing, Profile::Root, "CN=motcua Demo Root CA,O=motcua (demo),C=VN", &key, now, ROOT_YEARS)?;
        let root = Identity {
            name: "motcua Demo Root CA".into(),
            role: Role::Root,
            algorithm: KeyAlgorithm::P256,
            serial,
            key_pem: key.pem()?,
            cert_pem: cert.to_pem(LineEnding::LF).map_err(enc)?,
            retired: false,
        };
        let mut pki = DemoPki { root, identities: Vec::new(), revoked: Vec::new(), crl_pem: String::new() };
        for (name, algorithm) in seals {
            pki.add(name, Role::Seal, *algorithm, now)?;
        }
        for (name, algorithm) in leaders {
            pki.add(name, Role::Personal, *algorithm, now)?;
        }
        pki.crl_pem = pki.issue_crl(now)?;
        Ok(pki)
    }

    fn add(&mut self, name: &str, role: Role, algorithm: KeyAlgorithm, now: Timestamp) -> Result<&Identity, SignError> {
        let root_cert = self.root.certificate()?;
        let key = NewKey::generate(algorithm)?;
        let subject = match role {
            Role::Seal => format!("CN={0},O={0},C=VN", escape(name)),
            _ => format!("CN={},C=VN", escape(name)),
        };
        let profile = Profile::Leaf {
            issuer: root_cert.tbs_certificate.subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let (cert, serial) = issue(&root_key(&self.root)?, profile, &subject, &key, now, LEAF_YEARS)?;
        self.identities.push(Identity {
            name: name.to_owned(),
            role,
            algorithm,
            serial,
            key_pem: key.pem()?,
            cert_pem: cert.to_pem(LineEnding::LF).map_err(enc)?,
            retired: false,
        });
        Ok(self.identities.last().expect("just pushed"))
    }

    /// The current (not retired) certificate of `name`.
    pub fn current(&self, name: &str) -> Option<&Identity> {
        self.identities.iter().rev().find(|i| i.name == name && !i.retired)
    }

    /// The identity holding `serial`.
    pub fn by_serial(&self, serial: &str) -> Option<&Identity> {
        self.identities.iter().find(|i| i.serial.eq_ignore_ascii_case(serial))
    }

    /// A signer for an identity: its key, its certificate and the root.
    pub fn signer_for(&self, identity: &Identity) -> Result<FileSigner, SignError> {
        FileSigner::from_pem(&identity.key_pem, &format!("{}{}", identity.cert_pem, self.root.cert_pem))
    }

    /// A signer for the current certificate of `name` (`key_missing` if there is none).
    pub fn signer(&self, name: &str) -> Result<FileSigner, SignError> {
        let identity = self.current(name).ok_or_else(|| SignError::KeyMissing(format!("no current key for {name}")))?;
        self.signer_for(identity)
    }

    /// The root certificate (what relying parties trust).
    pub fn root_certificate(&self) -> Result<Certificate, SignError> {
        self.root.certificate()
    }

    /// The current CRL.
    pub fn crl(&self) -> Result<Crl, SignError> {
        Crl::parse(self.crl_pem.as_bytes())
    }

    /// Revoke the certificate `serial` at `at` and re-issue the CRL.
    pub fn revoke(&mut self, serial: &str, at: Timestamp) -> Result<(), SignError> {
        let identity = self.by_serial(serial).ok_or_else(|| SignError::KeyMissing(format!("no certificate {serial}")))?;
        let serial = identity.serial.clone();
        if !self.revoked.iter().any(|r| r.serial == serial) {
            self.revoked.push(Revocation { serial, at });
        }
        self.crl_pem = self.issue_crl(at)?;
        Ok(())
    }

    /// Rotate the key of `name`: a new key and certificate become current; the old
    /// certificate is retired but neither revoked nor changed, so documents it signed keep
    /// verifying. Returns the new identity.
    pub fn rotate(&mut self, name: &str, at: Timestamp) -> Result<&Identity, SignError> {
        let index = self
            .identities
            .iter()
            .rposition(|i| i.name == name && !i.retired)
            .ok_or_else(|| SignError::KeyMissing(format!("no current key for {name}")))?;
        let (role, algorithm) = (self.identities[index].role, self.identities[index].algorithm);
        self.identities[index].retired = true;
        self.add(name, role, algorithm, at)
    }

    fn issue_crl(&self, now: Timestamp) -> Result<String, SignError> {
        let root_cert = self.root.certificate()?;
        let key = root_key(&self.root)?;
        let revoked: Vec<RevokedCert> = self
            .revoked
            .iter()
            .map(|r| {
                let bytes: Vec<u8> =
                    (0..r.serial.len()).step_by(2).filter_map(|i| u8::from_str_radix(&r.serial[i..i + 2], 16).ok()).collect();
                Ok(RevokedCert {
                    serial_number: SerialNumber::new(&bytes).map_err(enc)?,
                    revocation_date: x509_time(r.at)?,
                    crl_entry_extensions: None,
                })
            })
            .collect::<Result<_, SignError>>()?;
        let tbs = TbsCertList {
            version: x509_cert::Version::V2,
            signature: SignatureAlgorithm::EcdsaP256Sha256.identifier(),
            issuer: root_cert.tbs_certificate.subject.clone(),
            this_update: x509_time(now)?,
            next_update: Some(x509_time(plus(now, CRL_DAYS * DAY)?)?),
            revoked_certificates: (!revoked.is_empty()).then_some(revoked),
            crl_extensions: None,
        };
        let sig: p256::ecdsa::Signature = key.sign_prehash(&sha256(&tbs.to_der()?)).map_err(enc)?;
        let list = CertificateList {
            tbs_cert_list: tbs,
            signature_algorithm: SignatureAlgorithm::EcdsaP256Sha256.identifier(),
            signature: BitString::from_bytes(sig.to_der().as_bytes())?,
        };
        der::pem::encode_string("X509 CRL", LineEnding::LF, &list.to_der()?).map_err(enc)
    }

    /// Write the PKI to `dir` (created if needed): `pki.json`, `root-ca.pem`, `crl.pem`,
    /// `<serial>.cert.pem` and `<serial>.key.pem` (mode 0600) per certificate.
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let secret = |path: &Path, text: &str| -> std::io::Result<()> {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(path)?.write_all(text.as_bytes())
        };
        secret(&dir.join("pki.json"), &serde_json::to_string_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::write(dir.join("root-ca.pem"), &self.root.cert_pem)?;
        secret(&dir.join("root-ca.key.pem"), &self.root.key_pem)?;
        std::fs::write(dir.join("crl.pem"), &self.crl_pem)?;
        for identity in &self.identities {
            std::fs::write(dir.join(format!("{}.cert.pem", identity.serial)), &identity.cert_pem)?;
            secret(&dir.join(format!("{}.key.pem", identity.serial)), &identity.key_pem)?;
        }
        Ok(())
    }

    /// Read a PKI written by [`DemoPki::write_dir`].
    pub fn read_dir(dir: &Path) -> Result<Self, SignError> {
        let path = dir.join("pki.json");
        let text = std::fs::read_to_string(&path).map_err(|e| SignError::KeyMissing(format!("{}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| SignError::KeyMissing(format!("{}: {e}", path.display())))
    }
}
