//! The CMS SignedData of a CAdES detached signature (ETSI EN 319 122-1): signed attributes
//! content-type, message-digest, ESS signing-certificate-v2 and, outside a PDF, signing-time
//! (PAdES puts the time in the signature dictionary's `/M` instead), optional unsigned
//! signature-time-stamp token. [`check`] reads one back, for PDFs and detached files alike.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA, ID_SIGNING_TIME};
use der::asn1::{Any, GeneralizedTime, OctetString, SetOfVec, UtcTime};
use der::{Decode, Encode, Reader, Sequence, SliceReader};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use crate::keys::{common_name, issued_by, serial_hex, sha256, sha256_algorithm, subject, verify_digest};
use crate::signer::sign_checked;
use crate::{Crl, SignError, Signer, Tsa};
use jiff::Timestamp;

/// id-aa-signingCertificateV2 (RFC 5035).
pub(crate) const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub(crate) const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// ESSCertIDv2 with the default hash algorithm (SHA-256), so `hashAlgorithm` is absent.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, SignError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// The CMS `Time` of an instant: UTCTime through 2049, GeneralizedTime after (RFC 5652 §11.3).
fn cms_time(at: Timestamp) -> Result<Time, SignError> {
    let since = std::time::Duration::from_secs(u64::try_from(at.as_second()).unwrap_or_default());
    Ok(match UtcTime::from_unix_duration(since) {
        Ok(t) => Time::UtcTime(t),
        Err(_) => Time::GeneralTime(GeneralizedTime::from_unix_duration(since)?),
    })
}

/// Build the DER `ContentInfo` of a detached signature over a content whose SHA-256 is
/// `content_digest`; `signing_time`, if given, is signed as the CMS signing-time attribute.
pub(crate) fn build(
    signer: &dyn Signer,
    content_digest: &[u8; 32],
    tsa: Option<&Tsa>,
    signing_time: Option<Timestamp>,
) -> Result<Vec<u8>, SignError> {
    let chain = signer.certificate_chain();
    let Some(cert) = chain.first() else {
        return Err(SignError::KeyMissing("the signer has no certificate".into()));
    };
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(sha256(&cert.to_der()?).to_vec())?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(cert.tbs_certificate.issuer.clone())],
                serial_number: cert.tbs_certificate.serial_number.clone(),
            },
        }],
    };
    let mut signed_attrs = SetOfVec::new();
    signed_attrs.insert(attribute(ID_CONTENT_TYPE, Any::encode_from(&ID_DATA)?)?)?;
    signed_attrs.insert(attribute(ID_MESSAGE_DIGEST, Any::encode_from(&OctetString::new(content_digest.to_vec())?)?)?)?;
    signed_attrs.insert(attribute(ID_AA_SIGNING_CERTIFICATE_V2, Any::encode_from(&ess)?)?)?;
    if let Some(at) = signing_time {
        signed_attrs.insert(attribute(ID_SIGNING_TIME, Any::encode_from(&cms_time(at)?)?)?)?;
    }

    let attrs_digest = sha256(&signed_attrs.to_der()?);
    let signature = sign_checked(signer, &attrs_digest)?;

    let unsigned_attrs = match tsa {
        Some(tsa) => {
            let token = tsa.timestamp(&sha256(&signature))?;
            let mut attrs = SetOfVec::new();
            attrs.insert(attribute(ID_AA_SIGNATURE_TIME_STAMP_TOKEN, Any::from_der(&token)?)?)?;
            Some(attrs)
        }
        None => None,
    };

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: sha256_algorithm(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signer.algorithm().identifier(),
        signature: OctetString::new(signature)?,
        unsigned_attrs,
    };
    let mut certificates = SetOfVec::new();
    for c in chain {
        certificates.insert(CertificateChoices::Certificate(c.clone()))?;
    }
    let mut digest_algorithms = SetOfVec::new();
    digest_algorithms.insert(sha256_algorithm())?;
    let mut signer_infos = SetOfVec::new();
    signer_infos.insert(signer_info)?;
    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms,
        encap_content_info: EncapsulatedContentInfo { econtent_type: ID_DATA, econtent: None },
        certificates: Some(CertificateSet(certificates)),
        crls: None,
        signer_infos: SignerInfos(signer_infos),
    };
    let info = ContentInfo { content_type: ID_SIGNED_DATA, content: Any::encode_from(&signed_data)? };
    Ok(info.to_der()?)
}

/// A parsed detached CMS signature: what verification needs.
pub(crate) struct Parsed {
    pub certificates: Vec<Certificate>,
    pub signer_info: SignerInfo,
}

/// Parse a DER `ContentInfo` holding SignedData, ignoring trailing padding (the zeros that
/// fill the PDF's `/Contents` reserve).
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, SignError> {
    let mut reader = SliceReader::new(bytes)?;
    let info: ContentInfo = reader.decode()?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(SignError::Encoding("the CMS is not SignedData".into()));
    }
    let signed: SignedData = info.content.decode_as()?;
    let certificates = signed
        .certificates
        .map(|set| {
            set.0
                .into_vec()
                .into_iter()
                .filter_map(|c| match c {
                    CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let Some(signer_info) = signed.signer_infos.0.into_vec().into_iter().next() else {
        return Err(SignError::Encoding("the CMS has no SignerInfo".into()));
    };
    Ok(Parsed { certificates, signer_info })
}

/// The single value of attribute `oid` in `attrs`.
pub(crate) fn attribute_value(attrs: Option<&SetOfVec<Attribute>>, oid: ObjectIdentifier) -> Option<&Any> {
    attrs?.iter().find(|a| a.oid == oid).and_then(|a| a.values.iter().next())
}

/// The message digest signed by `info`.
pub(crate) fn message_digest(info: &SignerInfo) -> Option<Vec<u8>> {
    attribute_value(info.signed_attrs.as_ref(), ID_MESSAGE_DIGEST)
        .and_then(|v| v.decode_as::<OctetString>().ok())
        .map(|o| o.into_bytes())
}

/// The timestamp token in the unsigned attributes, as DER.
pub(crate) fn timestamp_token(info: &SignerInfo) -> Option<Vec<u8>> {
    attribute_value(info.unsigned_attrs.as_ref(), ID_AA_SIGNATURE_TIME_STAMP_TOKEN).and_then(|v| v.to_der().ok())
}

/// Whether the signed attributes carry ESS signing-certificate-v2 naming `cert`.
pub(crate) fn signing_certificate_matches(info: &SignerInfo, cert: &Certificate) -> bool {
    let Some(value) = attribute_value(info.signed_attrs.as_ref(), ID_AA_SIGNING_CERTIFICATE_V2) else {
        return false;
    };
    let Ok(ess) = value.decode_as::<SigningCertificateV2>() else {
        return false;
    };
    let Ok(der) = cert.to_der() else {
        return false;
    };
    ess.certs.first().is_some_and(|id| id.cert_hash.as_bytes() == sha256(&der))
}

/// Whether the SignerInfo's identifier names `cert`.
pub(crate) fn identifies(info: &SignerInfo, cert: &Certificate) -> bool {
    match &info.sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            cert.tbs_certificate.issuer == ias.issuer && cert.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(_) => false,
    }
}

/// The encapsulated content (e.g. a token's TSTInfo) of a DER SignedData, if present.
pub(crate) fn encapsulated_content(bytes: &[u8]) -> Option<Vec<u8>> {
    let info = ContentInfo::from_der(bytes).ok()?;
    let signed: SignedData = info.content.decode_as().ok()?;
    let octets: OctetString = signed.encap_content_info.econtent?.decode_as().ok()?;
    Some(octets.into_bytes())
}

/// The signing-time attribute, as RFC 3339 UTC.
fn signing_time(info: &SignerInfo) -> Option<String> {
    let t: Time = Time::from_der(&attribute_value(info.signed_attrs.as_ref(), ID_SIGNING_TIME)?.to_der().ok()?).ok()?;
    let at = Timestamp::from_second(i64::try_from(t.to_unix_duration().as_secs()).ok()?).ok()?;
    Some(at.to_string())
}

/// Whether a timestamp token's own CMS signature verifies over its TSTInfo.
fn token_signature_ok(token: &[u8]) -> bool {
    let Ok(parsed) = parse(token) else { return false };
    let Some(content) = encapsulated_content(token) else { return false };
    let si = &parsed.signer_info;
    let Some(cert) = parsed.certificates.iter().find(|c| identifies(si, c)) else { return false };
    let Some(attrs) = &si.signed_attrs else { return false };
    let Ok(der) = der::Encode::to_der(attrs) else { return false };
    si.digest_alg.oid == const_oid::db::rfc5912::ID_SHA_256
        && message_digest(si).is_some_and(|m| m == sha256(&content))
        && verify_digest(
            &cert.tbs_certificate.subject_public_key_info,
            &si.signature_algorithm.oid,
            &sha256(&der),
            si.signature.as_bytes(),
        )
}

/// What a CMS signature says and whether it holds: the one reading of a signature, for a
/// PDF's `/Contents` and for a detached `.p7s` alike.
pub(crate) struct Checked {
    pub common_name: String,
    pub subject: String,
    pub serial: String,
    /// SHA-256 of the signing certificate (how the verification page knows our CA's keys).
    pub fingerprint: String,
    /// The signing-time attribute (RFC 3339 UTC), if signed.
    pub signing_time: Option<String>,
    /// SHA-256 is the digest algorithm and the signed message digest is `content_digest`.
    pub digest_ok: bool,
    pub signature_ok: bool,
    pub chain: Vec<String>,
    pub chain_ok: bool,
    pub revoked: bool,
    /// When the CRL says the certificate was revoked.
    pub revoked_at: Option<String>,
    pub timestamped: bool,
    pub timestamp_time: Option<String>,
    pub timestamp_ok: bool,
}

/// Reads and checks the CMS `bytes` against the SHA-256 of the signed content (none when the
/// signed ranges are unusable); `crl` marks a listed signing certificate revoked. `None` when
/// the bytes are no SignedData or carry no signing certificate.
pub(crate) fn check(bytes: &[u8], content_digest: Option<[u8; 32]>, crl: Option<&Crl>) -> Option<Checked> {
    let parsed = parse(bytes).ok()?;
    let si = &parsed.signer_info;
    let cert = parsed.certificates.iter().find(|cert| identifies(si, cert))?;
    let mut c = Checked {
        common_name: common_name(cert),
        subject: subject(cert),
        serial: serial_hex(cert),
        fingerprint: crate::keys::fingerprint(cert),
        signing_time: signing_time(si),
        digest_ok: si.digest_alg.oid == const_oid::db::rfc5912::ID_SHA_256
            && content_digest.is_some_and(|d| message_digest(si).is_some_and(|m| m == d)),
        signature_ok: false,
        chain: Vec::new(),
        chain_ok: false,
        revoked: crl.is_some_and(|crl| crl.lists(cert)),
        revoked_at: crl.and_then(|crl| crl.revocation_time(cert)),
        timestamped: false,
        timestamp_time: None,
        timestamp_ok: false,
    };
    if let Some(attrs) = &si.signed_attrs
        && let Ok(der) = der::Encode::to_der(attrs)
    {
        c.signature_ok = verify_digest(
            &cert.tbs_certificate.subject_public_key_info,
            &si.signature_algorithm.oid,
            &sha256(&der),
            si.signature.as_bytes(),
        ) && signing_certificate_matches(si, cert);
    }
    if let Some(token) = timestamp_token(si) {
        c.timestamped = true;
        if let Ok(tst) = crate::tsa::tst_info(&token) {
            c.timestamp_time = Some(tst.gen_time.to_date_time().to_string());
            c.timestamp_ok = tst.stamps(&sha256(si.signature.as_bytes())) && token_signature_ok(&token);
        }
    }
    // Walk up the issuers the CMS carries.
    let mut current = cert;
    c.chain.push(subject(current));
    c.chain_ok = true;
    for _ in 0..8 {
        if current.tbs_certificate.issuer == current.tbs_certificate.subject {
            c.chain_ok &= issued_by(current, current);
            break;
        }
        let Some(issuer) = parsed.certificates.iter().find(|x| x.tbs_certificate.subject == current.tbs_certificate.issuer)
        else {
            break;
        };
        c.chain_ok &= issued_by(current, issuer);
        c.chain.push(subject(issuer));
        current = issuer;
    }
    Some(c)
}
