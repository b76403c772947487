//! Certified electronic copies: a detached CMS over a scan that `openssl cms -verify`
//! accepts with the demo root and rejects against a changed file; our verifier agrees.

mod common;

use std::process::Command;

use common::*;
use jiff::Timestamp;
use motcua_signing::{DetachedMeta, sign_detached, verify_detached};

fn openssl_verify(dir: &std::path::Path, content: &[u8], p7s: &[u8], root_pem: &str) -> String {
    require("openssl", "openssl");
    let (file, sig, root) = (dir.join("scan.pdf"), dir.join("scan.pdf.p7s"), dir.join("root.pem"));
    std::fs::write(&file, content).unwrap();
    std::fs::write(&sig, p7s).unwrap();
    std::fs::write(&root, root_pem).unwrap();
    run(Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-purpose", "any", "-out", "/dev/null"])
        .arg("-in")
        .arg(&sig)
        .arg("-content")
        .arg(&file)
        .arg("-CAfile")
        .arg(&root))
}

#[test]
fn openssl_accepts_a_certified_copy_and_rejects_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki();
    let scan = b"%PDF-1.4 scanned birth certificate".to_vec();
    for name in [LEADER, AGENCY] {
        let signer = pki.signer(name).unwrap();
        let p7s = sign_detached(&scan, &signer, DetachedMeta { time: Timestamp::now(), tsa: None, crl: None }).unwrap();
        let out = openssl_verify(dir.path(), &scan, &p7s, &pki.root.cert_pem);
        assert!(out.contains("Verification successful") && out.ends_with("exit status: 0"), "{name}: {out}");
        let info = verify_detached(&scan, &p7s, None).unwrap();
        assert!(info.is_valid() && info.chain_ok && !info.revoked, "{info:#?}");
        assert_eq!(info.signer_name, name);
        assert!(info.signing_time.is_some(), "the signing time is signed");

        let mut changed = scan.clone();
        changed[10] ^= 1;
        let out = openssl_verify(dir.path(), &changed, &p7s, &pki.root.cert_pem);
        assert!(!out.ends_with("exit status: 0") && out.contains("content verify error"), "{name}: {out}");
        let info = verify_detached(&changed, &p7s, None).unwrap();
        assert!(!info.digest_ok && info.signature_ok);
    }
}

#[test]
fn a_revoked_certificate_certifies_nothing() {
    let mut pki = pki();
    let serial = pki.current(LEADER).unwrap().serial.clone();
    pki.revoke(&serial, Timestamp::now()).unwrap();
    let crl = pki.crl().unwrap();
    let signer = pki.signer(LEADER).unwrap();
    let err = sign_detached(b"scan", &signer, DetachedMeta { time: Timestamp::now(), tsa: None, crl: Some(&crl) }).unwrap_err();
    assert_eq!(err.code(), "cert_revoked");
    assert_eq!(verify_detached(b"scan", b"not a signature", None).unwrap_err().code(), "signature_encoding");
}
