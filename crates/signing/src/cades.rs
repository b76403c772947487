//! The CMS SignedData of a PAdES baseline signature (ETSI EN 319 122-1 CAdES, detached):
//! signed attributes content-type, message-digest and ESS signing-certificate-v2 (no CMS
//! signing-time: PAdES puts the time in the signature dictionary's `/M`), optional unsigned
//! signature-time-stamp token.

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos};
use const_oid::ObjectIdentifier;
use const_oid::db::rfc5911::{ID_CONTENT_TYPE, ID_DATA, ID_MESSAGE_DIGEST, ID_SIGNED_DATA};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Decode, Encode, Reader, Sequence, SliceReader};
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::keys::{sha256, sha256_algorithm};
use crate::signer::sign_checked;
use crate::{SignError, Signer, Tsa};

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

/// Build the DER `ContentInfo` of a detached signature over a content whose SHA-256 is
/// `content_digest`.
pub(crate) fn build(signer: &dyn Signer, content_digest: &[u8; 32], tsa: Option<&Tsa>) -> Result<Vec<u8>, SignError> {
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
