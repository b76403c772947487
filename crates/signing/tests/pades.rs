//! Leader signs, agency seals (incremental): pdfsig, openssl and our verifier agree.

mod common;

use std::process::Command;

use common::*;
use jiff::{Timestamp, ToSpan};
use motcua_signing::{FileSigner, SignMeta, sign_pdf, verify_pdf};
use motcua_testkit::files;

const NOTE: &str = "Giay chung nhan so 42";

fn signed_and_sealed(pki: &motcua_signing::pki::DemoPki) -> (Vec<u8>, Vec<u8>) {
    let pdf = files::pdf(NOTE);
    let leader = pki.signer(LEADER).unwrap();
    let agency = pki.signer(AGENCY).unwrap();
    let signed = sign_pdf(&pdf, &leader, meta(LEADER, "Phê duyệt kết quả", None)).unwrap();
    let sealed = sign_pdf(&signed, &agency, meta(AGENCY, "Đóng dấu", None)).unwrap();
    (signed, sealed)
}

#[test]
fn leader_signature_then_agency_seal_are_both_valid_and_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let (signed, sealed) = signed_and_sealed(&pki);
    // The seal is an incremental update: the signed file is a prefix of the sealed one.
    assert!(sealed.starts_with(&signed));

    let out = pdfsig(dir.path(), &sealed, None);
    assert_eq!(count(&out, "Signature is Valid"), 2, "{out}");
    assert!(out.contains("ETSI.CAdES.detached"), "{out}");
    assert!(out.contains("Nguyễn Văn An") || out.contains(LEADER), "{out}");

    let nss = nss_trusting(dir.path(), &pki.root.cert_pem);
    let out = pdfsig(dir.path(), &sealed, Some(&nss));
    assert_eq!(count(&out, "Signature is Valid"), 2, "{out}");
    assert_eq!(count(&out, "Certificate is Trusted"), 2, "{out}");

    let infos = verify_pdf(&sealed, None).unwrap();
    assert_eq!(infos.len(), 2);
    assert_eq!(infos[0].signer_name, LEADER);
    assert_eq!(infos[1].signer_name, AGENCY);
    assert!(infos.iter().all(|i| i.digest_ok && i.signature_ok && i.chain_ok && !i.revoked && !i.timestamped), "{infos:#?}");
    assert!(!infos[0].covers_whole_document && infos[1].covers_whole_document);
    assert_eq!(infos[0].chain.len(), 2, "signer then root: {:?}", infos[0].chain);
    assert!(infos[0].chain[1].contains("motcua Demo Root CA"));
    assert!(infos[0].signing_time.as_deref().is_some_and(|m| m.starts_with("D:")));
}

#[test]
fn a_changed_byte_is_a_digest_mismatch_for_pdfsig_and_for_us() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let (_, mut sealed) = signed_and_sealed(&pki);
    let at = sealed.windows(NOTE.len()).position(|w| w == NOTE.as_bytes()).expect("note in the page content");
    sealed[at] = b'X';
    let out = pdfsig(dir.path(), &sealed, None);
    assert_eq!(count(&out, "Signature is Valid"), 0, "{out}");
    assert_eq!(count(&out, "Digest Mismatch"), 2, "{out}");
    let infos = verify_pdf(&sealed, None).unwrap();
    assert_eq!(infos.len(), 2);
    assert!(infos.iter().all(|i| !i.digest_ok && i.signature_ok && !i.is_valid()), "{infos:#?}");

    // Sealing a document changed after the leader signed it is refused.
    let pdf = files::pdf(NOTE);
    let mut signed = sign_pdf(&pdf, &pki.signer(LEADER).unwrap(), meta(LEADER, "Phê duyệt", None)).unwrap();
    let at = signed.windows(NOTE.len()).position(|w| w == NOTE.as_bytes()).unwrap();
    signed[at] = b'X';
    let err = sign_pdf(&signed, &pki.signer(AGENCY).unwrap(), meta(AGENCY, "Đóng dấu", None)).unwrap_err();
    assert_eq!(err.code(), "pdf_signature_invalid", "{err}");
}

/// The CMS of each signature, verified by `openssl cms` over the signed byte ranges.
#[test]
fn openssl_cms_accepts_both_extracted_signatures() {
    common::require("openssl", "openssl");
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let (_, sealed) = signed_and_sealed(&pki);
    let root = dir.path().join("root.pem");
    std::fs::write(&root, &pki.root.cert_pem).unwrap();
    let doc = lopdf_ranges(&sealed);
    assert_eq!(doc.len(), 2);
    for (i, (range, cms)) in doc.iter().enumerate() {
        let mut content = sealed[..range[1]].to_vec();
        content.extend_from_slice(&sealed[range[2]..range[2] + range[3]]);
        let (data, sig) = (dir.path().join(format!("data{i}")), dir.path().join(format!("sig{i}.der")));
        std::fs::write(&data, content).unwrap();
        std::fs::write(&sig, cms).unwrap();
        let out = run(Command::new("openssl")
            .args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-out", "/dev/null"])
            .arg("-in")
            .arg(&sig)
            .arg("-content")
            .arg(&data)
            .arg("-CAfile")
            .arg(&root));
        assert!(out.contains("Verification successful"), "signature {i}: {out}");
    }
}

/// (ByteRange, CMS bytes without the zero padding) of every signature, found in the raw file.
fn lopdf_ranges(pdf: &[u8]) -> Vec<([usize; 4], Vec<u8>)> {
    let text = String::from_utf8_lossy(pdf);
    let mut out = Vec::new();
    for (at, _) in text.match_indices("/ByteRange") {
        let open = at + text[at..].find('[').unwrap();
        let close = open + text[open..].find(']').unwrap();
        let n: Vec<usize> = text[open + 1..close].split_whitespace().map(|s| s.parse().unwrap()).collect();
        let hex = &pdf[n[1] + 1..n[2] - 1];
        let mut bytes: Vec<u8> =
            hex.chunks(2).map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap()).collect();
        // DER length of the outer SEQUENCE (long form, 2 bytes for our sizes).
        assert_eq!(bytes[0], 0x30);
        let len = match bytes[1] {
            0x82 => 4 + ((bytes[2] as usize) << 8 | bytes[3] as usize),
            0x81 => 3 + bytes[2] as usize,
            l => 2 + l as usize,
        };
        bytes.truncate(len);
        out.push(([n[0], n[1], n[2], n[3]], bytes));
    }
    out.sort_by_key(|(r, _)| r[2]);
    out
}

#[test]
fn expired_and_revoked_certificates_are_refused_with_their_codes() {
    let mut pki = pki();
    let pdf = files::pdf(NOTE);
    let leader = pki.signer(LEADER).unwrap();
    let later = SignMeta { time: Timestamp::now() + (3 * 366 * 24).hours(), ..meta(LEADER, "Phê duyệt", None) };
    let err = sign_pdf(&pdf, &leader, later).unwrap_err();
    assert_eq!(err.code(), "cert_expired", "{err}");
    let before = SignMeta { time: issued_at() - 2.hours(), ..meta(LEADER, "Phê duyệt", None) };
    assert_eq!(sign_pdf(&pdf, &leader, before).unwrap_err().code(), "cert_not_yet_valid");

    // Not revoked yet: the CRL check passes and verification says not revoked.
    let crl = pki.crl().unwrap();
    let ok = sign_pdf(&pdf, &leader, SignMeta { crl: Some(&crl), ..meta(LEADER, "Phê duyệt", None) }).unwrap();
    let serial = pki.current(LEADER).unwrap().serial.clone();
    assert_eq!(verify_pdf(&ok, Some(&crl)).unwrap()[0].revoked_at, None);
    let revoked_at = issued_at() + 5.minutes();
    pki.revoke(&serial, revoked_at).unwrap();
    let crl = pki.crl().unwrap();
    assert_eq!(crl.revoked_serials(), vec![serial.clone()]);
    let err = sign_pdf(&pdf, &leader, SignMeta { crl: Some(&crl), ..meta(LEADER, "Phê duyệt", None) }).unwrap_err();
    assert_eq!(err.code(), "cert_revoked", "{err}");
    assert!(err.to_string().contains(&serial));
    let infos = verify_pdf(&ok, Some(&crl)).unwrap();
    assert!(infos[0].revoked && infos[0].is_valid());
    // The signature names its certificate: serial, fingerprint and when it was revoked.
    let cert = pki.current(LEADER).unwrap().certificate().unwrap();
    assert_eq!(infos[0].signer_serial, serial);
    assert_eq!(infos[0].signer_fingerprint, motcua_signing::fingerprint(&cert));
    assert_eq!(infos[0].signer_fingerprint.len(), 64);
    let when: Timestamp = infos[0].revoked_at.as_deref().expect("the CRL's revocation date").parse().unwrap();
    assert_eq!(when.as_second(), revoked_at.as_second());
    // A CRL signed by someone else is not trusted.
    let other = common::pki().crl().unwrap();
    let err = sign_pdf(&pdf, &leader, SignMeta { crl: Some(&other), ..meta(LEADER, "Phê duyệt", None) }).unwrap_err();
    assert_eq!(err.code(), "crl_invalid", "{err}");
}

#[test]
fn bad_input_gives_clear_codes() {
    let pki = pki();
    let leader = pki.signer(LEADER).unwrap();
    for bad in [b"not a pdf at all".to_vec(), files::pdf_truncated(), Vec::new()] {
        let err = sign_pdf(&bad, &leader, meta(LEADER, "Phê duyệt", None)).unwrap_err();
        assert_eq!(err.code(), "pdf_unreadable", "{err}");
    }
    assert_eq!(verify_pdf(b"%PDF-1.7 garbage", None).unwrap_err().code(), "pdf_unreadable");
    assert!(verify_pdf(&files::pdf("unsigned"), None).unwrap().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let err =
        FileSigner::from_files(&dir.path().join("none.key.pem"), &dir.path().join("none.cert.pem")).err().expect("no key file");
    assert_eq!(err.code(), "key_missing", "{err}");
    assert!(err.to_string().contains("none.key.pem"));
    let leader_id = pki.current(LEADER).unwrap();
    let agency_id = pki.current(AGENCY).unwrap();
    let err = FileSigner::from_pem(&leader_id.key_pem, &agency_id.cert_pem).err().expect("mismatch");
    assert_eq!(err.code(), "key_mismatch", "{err}");
    assert_eq!(pki.signer("Người lạ").err().expect("unknown").code(), "key_missing");
}

#[test]
fn a_rotated_key_signs_new_documents_and_old_signatures_still_verify() {
    let dir = tempfile::tempdir().unwrap();
    let mut pki = pki();
    let old = sign_pdf(&files::pdf("old"), &pki.signer(LEADER).unwrap(), meta(LEADER, "Phê duyệt", None)).unwrap();
    let old_serial = pki.current(LEADER).unwrap().serial.clone();
    let new_serial = pki.rotate(LEADER, Timestamp::now()).unwrap().serial.clone();
    assert_ne!(old_serial, new_serial);
    // Written and read back, as `motcua seed` and later runs do.
    pki.write_dir(&dir.path().join("pki")).unwrap();
    let pki = motcua_signing::pki::DemoPki::read_dir(&dir.path().join("pki")).unwrap();
    assert!(dir.path().join("pki").join(format!("{new_serial}.key.pem")).is_file());
    let new = sign_pdf(&files::pdf("new"), &pki.signer(LEADER).unwrap(), meta(LEADER, "Phê duyệt", None)).unwrap();
    let crl = pki.crl().unwrap();
    for pdf in [&old, &new] {
        let infos = verify_pdf(pdf, Some(&crl)).unwrap();
        assert!(infos[0].is_valid() && infos[0].chain_ok && !infos[0].revoked, "{infos:#?}");
        let out = pdfsig(dir.path(), pdf, None);
        assert_eq!(count(&out, "Signature is Valid"), 1, "{out}");
    }
    assert!(pki.by_serial(&old_serial).unwrap().retired);
}
