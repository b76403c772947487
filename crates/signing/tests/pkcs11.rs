//! A key on a PKCS#11 token (SoftHSM2) signs; the agency seals with its RSA file key.
//!
//! SoftHSM2 reads its configuration from `SOFTHSM2_CONF` when the module initialises, and a
//! test may not change its own environment, so the test prepares a token in a temporary
//! directory and runs itself again as a child process with that variable set.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use motcua_signing::pki::DemoPki;
use motcua_signing::{Pkcs11Signer, sign_pdf, verify_pdf};
use motcua_testkit::files;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "motcua";
const PIN: &str = "1234";
const CHILD: &str = "MOTCUA_SOFTHSM_DIR";

#[test]
fn a_softhsm_key_signs_and_the_agency_seals() {
    match std::env::var_os(CHILD) {
        None => parent(),
        Some(dir) => child(Path::new(&dir)),
    }
}

fn parent() {
    assert!(Path::new(MODULE).is_file(), "{MODULE} is missing: install the Debian package `softhsm2` (.ci/run does)");
    require("softhsm2-util", "softhsm2");
    let dir = tempfile::tempdir().unwrap();
    let tokens = dir.path().join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    let conf = dir.path().join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!("directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n", tokens.display()),
    )
    .unwrap();
    let softhsm = |args: &[&str]| {
        let out = run(Command::new("softhsm2-util").args(args).env("SOFTHSM2_CONF", &conf));
        assert!(out.ends_with("exit: exit status: 0"), "softhsm2-util {args:?}: {out}");
    };
    softhsm(&["--init-token", "--free", "--label", TOKEN, "--so-pin", "4321", "--pin", PIN]);
    let pki = pki();
    pki.write_dir(&dir.path().join("pki")).unwrap();
    let leader = pki.current(LEADER).unwrap();
    let key = dir.path().join("pki").join(format!("{}.key.pem", leader.serial));
    softhsm(&["--import", key.to_str().unwrap(), "--token", TOKEN, "--label", "leader", "--id", "01", "--pin", PIN]);

    let out = run(Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "a_softhsm_key_signs_and_the_agency_seals", "--nocapture", "--test-threads=1"])
        .env("SOFTHSM2_CONF", &conf)
        .env(CHILD, dir.path()));
    assert!(out.contains("test result: ok. 1 passed"), "child run: {out}");
}

fn child(dir: &Path) {
    let module = Path::new(MODULE);
    let pki = DemoPki::read_dir(&dir.join("pki")).unwrap();
    let root = pki.root_certificate().unwrap();
    // Refusals first (each drops its module handle before the next opens one).
    for (token, pin, label) in [("nope", PIN, "leader"), (TOKEN, "0000", "leader"), (TOKEN, PIN, "nobody")] {
        let err = Pkcs11Signer::open(module, token, pin, label, vec![root.clone()]).err().expect("refused");
        assert_eq!(err.code(), "key_missing", "{token}/{label}: {err}");
    }
    // The key is on the token but its certificate is not yet: key_missing too.
    let err = Pkcs11Signer::open(module, TOKEN, PIN, "leader", vec![]).err().expect("no certificate yet");
    assert!(err.code() == "key_missing" && err.to_string().contains("certificate"), "{err}");

    let cert = pki.current(LEADER).unwrap().certificate().unwrap();
    Pkcs11Signer::store_certificate(module, TOKEN, PIN, "leader", &cert).unwrap();
    let token_signer = Pkcs11Signer::open(module, TOKEN, PIN, "leader", vec![root]).unwrap();

    let signed = sign_pdf(&files::pdf("token"), &token_signer, meta(LEADER, "Phê duyệt", None)).unwrap();
    let sealed = sign_pdf(&signed, &pki.signer(AGENCY).unwrap(), meta(AGENCY, "Đóng dấu", None)).unwrap();
    let infos = verify_pdf(&sealed, None).unwrap();
    assert!(infos.len() == 2 && infos.iter().all(|i| i.is_valid() && i.chain_ok), "{infos:#?}");
    let out = pdfsig(dir, &sealed, None);
    assert_eq!(count(&out, "Signature is Valid"), 2, "{out}");
}
