//! Shared helpers of the signing tests: a demo PKI, external tools, a scratch directory.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use jiff::{Timestamp, ToSpan};
use motcua_signing::pki::{DemoPki, KeyAlgorithm};
use motcua_signing::{SignMeta, Tsa};

pub const AGENCY: &str = "UBND xã Hoa Lư";
pub const LEADER: &str = "Nguyễn Văn An";

/// A PKI issued an hour ago (external tools check validity against the real clock).
pub fn pki() -> DemoPki {
    DemoPki::generate(&[(AGENCY, KeyAlgorithm::Rsa2048)], &[(LEADER, KeyAlgorithm::P256)], issued_at()).expect("demo PKI")
}

pub fn issued_at() -> Timestamp {
    Timestamp::now() - 1.hour()
}

pub fn meta<'a>(name: &'a str, reason: &'a str, tsa: Option<&'a Tsa>) -> SignMeta<'a> {
    SignMeta { reason, location: "Ninh Bình", name, time: Timestamp::now(), tsa, crl: None }
}

/// Fail (do not skip) when a tool the test needs is missing.
pub fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    assert!(found, "`{tool}` is missing: install the Debian package `{package}` (.ci/run does)");
}

/// Run a command, return stdout+stderr as text (the exit status is part of the text).
pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    format!("{}{}\nexit: {}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr), out.status)
}

/// `pdfsig` on `pdf`, optionally with an NSS database.
pub fn pdfsig(dir: &Path, pdf: &[u8], nss: Option<&Path>) -> String {
    require("pdfsig", "poppler-utils");
    let path = dir.join("checked.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = Command::new("pdfsig");
    if let Some(nss) = nss {
        cmd.arg("-nssdir").arg(format!("sql:{}", nss.display()));
    }
    run(cmd.arg(&path))
}

/// An NSS database trusting `root_pem` for signing.
pub fn nss_trusting(dir: &Path, root_pem: &str) -> std::path::PathBuf {
    require("certutil", "libnss3-tools");
    let db = dir.join("nss");
    std::fs::create_dir_all(&db).unwrap();
    let sql = format!("sql:{}", db.display());
    let out = run(Command::new("certutil").args(["-N", "--empty-password", "-d", &sql]));
    assert!(out.ends_with("exit: exit status: 0"), "{out}");
    let root = dir.join("root.pem");
    std::fs::write(&root, root_pem).unwrap();
    let out =
        run(Command::new("certutil").args(["-A", "-n", "motcua demo root", "-t", "CT,C,C", "-d", &sql]).arg("-i").arg(&root));
    assert!(out.ends_with("exit: exit status: 0"), "{out}");
    db
}

pub fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}
