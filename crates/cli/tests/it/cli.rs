//! The binary's own commands.

use std::process::Command;

fn motcua(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.current_dir(dir.path()).args(args).env("MOTCUA_LOG", "error");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
}

#[test]
fn config_masks_secrets_and_reads_the_environment() {
    let (code, out) = motcua(
        &["config"],
        &[("MOTCUA_DATABASE_URL", "postgres://app:s3cr3t@db.local:5432/motcua"), ("MOTCUA_HTTP__BODY_LIMIT_BYTES", "2048")],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("postgres://app:*****@db.local:5432/motcua"), "{out}");
    assert!(!out.contains("s3cr3t"), "{out}");
    assert!(out.contains("body_limit_bytes = 2048"), "{out}");
}

#[test]
fn a_bad_configuration_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "listen = [1, 2]\n").unwrap();
    let (code, out) = motcua(&["--config", f.to_str().unwrap(), "config"], &[]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("listen"), "{out}");
}

#[test]
fn migrate_then_verify_on_a_new_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out) = motcua(&["--data-dir", d, "migrate"], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("applied 0001_foundation"), "{out}");
    let (code, out) = motcua(&["--data-dir", d, "seed"], &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = motcua(&["--data-dir", d, "verify"], &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("OK   chain admin"), "{out}");
    assert!(out.contains("OK   files: 0 files"), "{out}");
    let (code, out) = motcua(&["--data-dir", &format!("{d}/nothing-here"), "verify"], &[]);
    assert_ne!(code, 0, "{out}");
}
