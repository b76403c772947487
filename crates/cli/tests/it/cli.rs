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

#[test]
fn the_national_portal_section_reads_the_environment_and_masks_its_secrets() {
    let (code, out) = motcua(
        &["config"],
        &[
            ("MOTCUA_DVCQG__ENABLED", "true"),
            ("MOTCUA_DVCQG__BASE_URL", "https://lgsp.example.gov.vn/dvcqg"),
            ("MOTCUA_DVCQG__CLIENT_SECRET", "s3cr3t"),
        ],
    );
    assert_eq!(code, 0, "{out}");
    let section = &out[out.find("[dvcqg]").expect("a [dvcqg] section")..];
    assert!(section.contains("enabled = true") && section.contains("base_url = \"https://lgsp.example.gov.vn/dvcqg\""), "{out}");
    assert!(!out.contains("s3cr3t"), "{out}");
}

#[test]
fn the_oidc_sections_read_the_environment_and_mask_their_secrets() {
    let (code, out) = motcua(
        &["config"],
        &[
            ("MOTCUA_OIDC__CITIZEN__ISSUER", "https://xacthuc.dichvucong.gov.vn"),
            ("MOTCUA_OIDC__CITIZEN__CLIENT_ID", "motcua-ninhbinh"),
            ("MOTCUA_OIDC__CITIZEN__CLIENT_SECRET", "vneid-s3cr3t"),
            ("MOTCUA_OIDC__OFFICER__ID_NUMBER_CLAIM", "so_dinh_danh"),
        ],
    );
    assert_eq!(code, 0, "{out}");
    let citizen = &out[out.find("[oidc.citizen]").expect("an [oidc.citizen] section")..];
    assert!(
        citizen.contains("issuer = \"https://xacthuc.dichvucong.gov.vn\"") && citizen.contains("client_id = \"motcua-ninhbinh\""),
        "{out}"
    );
    let officer = &out[out.find("[oidc.officer]").expect("an [oidc.officer] section")..];
    assert!(officer.contains("id_number_claim = \"so_dinh_danh\""), "{out}");
    assert!(!out.contains("vneid-s3cr3t"), "{out}");
}

/// `motcua dvcqg-sim` starts, answers on loopback and serves the faults it was started with.
#[tokio::test]
async fn the_portal_simulator_runs_from_the_binary() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["dvcqg-sim", "--listen", &format!("127.0.0.1:{port}"), "--fail-next", "1"])
        .env("MOTCUA_LOG", "error")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if http.get(format!("{url}/_sim/stats")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(up, "the simulator never answered");
    let call = |service: &str| http.post(format!("{url}/{service}")).json(&serde_json::json!({})).send();
    assert_eq!(call("DongBoHoSoMC").await.unwrap().status(), 503, "the fault it was started with");
    let r = call("DongBoHoSoMC").await.unwrap();
    assert_eq!(r.status(), 400);
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["error_code"], "invalid_service", "{b}");
    let r = call("LayDanhMucCoQuan").await.unwrap();
    let b: serde_json::Value = r.json().await.unwrap();
    assert_eq!(b["data"][0]["MADONVI"], "000.00.00.H40", "{b}");
    // Faults and the catalog at runtime, through the control endpoints.
    let r = http.post(format!("{url}/_sim/faults")).json(&serde_json::json!({"fail_next": 2})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(call("CapNhatTienDoHoSoMC").await.unwrap().status(), 503);
    let b: serde_json::Value = http.get(format!("{url}/_sim/faults")).send().await.unwrap().json().await.unwrap();
    assert_eq!(b["fail_next"], 1, "{b}");
    let r = http.post(format!("{url}/_sim/catalog")).json(&serde_json::json!({"remove": "1.004873"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let b: serde_json::Value = http.get(format!("{url}/_sim/stats")).send().await.unwrap().json().await.unwrap();
    assert_eq!((b["calls"].as_i64(), b["faults_served"].as_i64(), b["rejected"].as_i64()), (Some(3), Some(2), Some(1)), "{b}");
    child.kill().await.unwrap();
}

/// `motcua catalog import-national` against the portal simulator: drafts and the error list, printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_catalog_import_runs_from_the_binary() {
    use motcua_dvcqg::sim::{Sim, SimConfig};
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let mut p = sim.procedure("1.004873").unwrap();
    p["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["PHILEPHI"][0]["SOTIEN"] = serde_json::json!(20_000);
    sim.put_procedure(p).unwrap();
    let mut bad = sim.procedure("1.004884").unwrap();
    bad["MUCDO"] = serde_json::json!("Mức 9");
    sim.put_procedure(bad).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let url = sim.url.clone();
    let (code, out) = tokio::task::spawn_blocking(move || {
        let (code, out) = motcua(&["--data-dir", &d, "seed"], &[]);
        assert_eq!(code, 0, "{out}");
        motcua(&["--data-dir", &d, "catalog", "import-national"], &[("MOTCUA_DVCQG__BASE_URL", &url)])
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("70 listed, 0 new, 1 changed, 0 withdrawn, 68 unchanged"), "{out}");
    assert!(out.contains("1.004884 MUCDO: Mức độ dịch vụ trực tuyến \"Mức 9\" không hợp lệ"), "{out}");
}
