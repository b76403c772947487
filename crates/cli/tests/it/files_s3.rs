//! Issue #19, files beyond one disk: the S3-compatible file store against a real S3 server
//! (`s3s-fs`, started per test on a free loopback port over a fresh folder). The attachment
//! tests of the filesystem store run against it too (`both_backends_and_file_stores!` in
//! dossiers.rs and file_integrity.rs); here the store itself: round trip, idempotence,
//! streaming, integrity both ways, refused credentials, a missing bucket, an unreachable
//! endpoint, and the app refusing to start on a wrong setting.

use motcua_store::StoreError;
use motcua_store::files::{FileStore, S3Config, S3Files, sha256_hex};
use motcua_testkit::s3::S3Server;

fn store(server: &S3Server) -> S3Files {
    S3Files::new(server.config()).unwrap()
}

#[test]
fn puts_reads_and_discards_by_digest() {
    let server = S3Server::start();
    let s3 = store(&server);
    s3.check().unwrap();
    let bytes = motcua_testkit::files::pdf("một tệp trong kho S3");
    let (sha, new) = s3.put(&bytes).unwrap();
    assert_eq!((sha.as_str(), new), (sha256_hex(&bytes).as_str(), true));
    // Stored once: the second put only asks whether it is there.
    assert_eq!(s3.put(&bytes).unwrap(), (sha.clone(), false));
    assert!(s3.exists(&sha).unwrap());
    assert_eq!(s3.get(&sha).unwrap(), bytes);
    assert!(server.object_path(&sha).is_file(), "the key layout is <prefix>/<aa>/<sha256>");
    assert_eq!(s3.list().unwrap(), vec![sha.clone()]);

    // A file on disk is streamed under the digest its receiver computed.
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), &big).unwrap();
    let big_sha = sha256_hex(&big);
    assert_eq!(s3.put_file(tmp.path(), &big_sha).unwrap(), (big_sha.clone(), true));
    assert_eq!(s3.put_file(tmp.path(), &big_sha).unwrap(), (big_sha.clone(), false));
    assert_eq!(s3.get(&big_sha).unwrap(), big);
    let mut listed = s3.list().unwrap();
    listed.sort();
    let mut want = vec![sha.clone(), big_sha.clone()];
    want.sort();
    assert_eq!(listed, want);

    s3.discard(&sha).unwrap();
    assert!(!s3.exists(&sha).unwrap());
    assert_eq!(s3.get(&sha), Err(StoreError::NotFound));
    s3.discard(&sha).unwrap();
    // A name that is no digest never reaches the server as a key.
    assert_eq!(s3.get("../../etc/passwd"), Err(StoreError::NotFound));
    assert!(!s3.exists("../x").unwrap());
}

#[test]
fn bytes_that_differ_from_their_digest_are_refused_both_ways() {
    let server = S3Server::start();
    let s3 = store(&server);
    let bytes = motcua_testkit::files::pdf("nguyên vẹn");
    let (sha, _) = s3.put(&bytes).unwrap();
    // Altered in the bucket (a failing disk, an operator): never served as the file.
    let mut altered = bytes.clone();
    altered[20] ^= 1;
    std::fs::write(server.object_path(&sha), &altered).unwrap();
    match s3.get(&sha) {
        Err(StoreError::Backend(m)) => assert!(m.contains("does not match its digest"), "{m}"),
        other => panic!("altered bytes served: {other:?}"),
    }
    // An upload whose bytes are not those of the digest it is signed with: the server
    // refuses it (x-amz-content-sha256), and nothing is stored under that digest.
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), b"not the bytes of the digest").unwrap();
    let claimed = sha256_hex(b"other bytes");
    assert!(s3.put_file(tmp.path(), &claimed).is_err());
    assert!(!s3.exists(&claimed).unwrap());
}

#[test]
fn wrong_credentials_a_missing_bucket_and_no_server_are_clear_errors() {
    let server = S3Server::start();
    let wrong = S3Files::new(S3Config { secret_access_key: "sai-mat-khau".into(), ..server.config() }).unwrap();
    let e = wrong.check().unwrap_err().to_string();
    assert!(e.contains("access refused") && e.contains(&server.endpoint) && !e.contains("sai-mat-khau"), "{e}");
    assert!(wrong.put(b"x").is_err(), "the server checks the signature");
    assert!(!store(&server).exists(&sha256_hex(b"x")).unwrap());

    let missing = S3Files::new(S3Config { bucket: "khong-co".into(), ..server.config() }).unwrap();
    let e = missing.check().unwrap_err().to_string();
    assert!(e.contains("bucket khong-co") && e.contains("does not exist"), "{e}");

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gone = S3Files::new(S3Config { endpoint: format!("http://127.0.0.1:{port}"), retries: 1, ..server.config() }).unwrap();
    assert!(matches!(gone.check(), Err(StoreError::Unavailable(m)) if m.contains(&format!("127.0.0.1:{port}"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_does_not_start_on_a_bucket_it_cannot_use() {
    let server = S3Server::start();
    let tmp = tempfile::tempdir().unwrap();
    let mut config = motcua_app::Config {
        data_dir: tmp.path().to_path_buf(),
        database_url: Some(tmp.path().join("motcua.db").display().to_string()),
        ..motcua_app::Config::default()
    };
    config.files.backend = "s3".into();
    config.files.s3 = S3Config { bucket: "chua-tao".into(), ..server.config() };
    let e = motcua_app::AppContext::open(config.clone()).await.err().expect("refused").to_string();
    assert!(e.contains("bucket chua-tao") && e.contains(&server.endpoint), "{e}");
    config.files.backend = "dia".into();
    let e = motcua_app::AppContext::open(config).await.err().expect("refused").to_string();
    assert!(e.contains("[files] backend"), "{e}");
}

/// `motcua files copy-to-s3` moves a province's existing files into the bucket, counts
/// them, and copies nothing twice; the bucket then verifies against the database.
async fn existing_files_are_copied_to_the_bucket(backend: motcua_testkit::Backend) {
    let app = motcua_testkit::TestApp::spawn(backend).await;
    let citizen = app.login("congdan").await;
    let d = crate::officer_pages::online_submitted(&citizen).await;
    assert!(!d["files"].as_array().unwrap().is_empty());
    let server = tokio::task::spawn_blocking(S3Server::start).await.unwrap();
    let run = |args: &[&str], backend: &str| {
        let c = server.config();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["--database-url", &app.database_url, "--data-dir"])
            .arg(&app.data_dir)
            .args(args)
            .env("MOTCUA_FILES__BACKEND", backend)
            .env("MOTCUA_LOG", "error")
            .env("MOTCUA_FILES__S3__ENDPOINT", &c.endpoint)
            .env("MOTCUA_FILES__S3__BUCKET", &c.bucket)
            .env("MOTCUA_FILES__S3__ACCESS_KEY_ID", &c.access_key_id)
            .env("MOTCUA_FILES__S3__SECRET_ACCESS_KEY", &c.secret_access_key)
            .output()
            .expect("run motcua");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
    };
    let copy = || run(&["files", "copy-to-s3"], "local");
    let local = app.stored_files();
    let (code, said) = copy();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("copied {} files", local.len())) && said.contains(", 0 already there"), "{said}");
    let (code, said) = copy();
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains("copied 0 files (0 bytes)") && said.contains(&format!("{} already there", local.len())), "{said}");

    let s3 = store(&server);
    let mut listed = s3.list().unwrap();
    listed.sort();
    let mut want = local.clone();
    want.sort();
    assert_eq!(listed, want);
    let (checked, _, problems) = motcua_app::usecases::dossiers::verify_files(&app.ctx.store, &s3).await.unwrap();
    // Every recorded file is read back from the bucket with its size and digest.
    assert_eq!((checked, problems.len()), (local.len(), 0));
    // `motcua verify` on the bucket once the setting is switched; then an object lost.
    let (code, said) = run(&["verify"], "s3");
    assert_eq!(code, Some(0), "{said}");
    assert!(said.contains(&format!("OK   files: {} files", local.len())), "{said}");
    std::fs::remove_file(server.object_path(&local[0])).unwrap();
    let (code, said) = run(&["verify"], "s3");
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains(&format!("BROKEN file {}: missing", local[0])), "{said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_files_are_copied_to_the_bucket_sqlite() {
    existing_files_are_copied_to_the_bucket(motcua_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn existing_files_are_copied_to_the_bucket_postgres() {
    existing_files_are_copied_to_the_bucket(motcua_testkit::Backend::Postgres).await;
}

/// The storage gone while the service runs: uploads and downloads answer 503
/// `service_unavailable`, nothing is recorded, and the dossier is unchanged.
async fn a_storage_outage_is_a_clear_503_and_writes_nothing(backend: motcua_testkit::Backend) {
    use reqwest::{Method, StatusCode};
    let mut app = motcua_testkit::TestApp::spawn_s3(backend, |c| c.files.s3.retries = 1).await;
    let citizen = app.login("congdan").await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            serde_json::json!({"procedure_code": "1.910201.H40", "applicant": {"name": "Nguyễn Văn An",
            "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let put = |name: &str| format!("/api/v1/dossiers/{id}/components/giay_de_nghi/files?name={name}");
    let (s, d) = citizen.raw(Method::PUT, &put("truoc.pdf"), "application/pdf", motcua_testkit::files::PDF.to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let file_id = d["files"][0]["id"].as_str().unwrap().to_string();
    let put = put("them.pdf");
    let pdf = motcua_testkit::files::pdf("tệp gửi khi kho ngừng");
    let files_before = app.count("files").await;

    drop(app.s3.take()); // the server stops
    let (s, b) = citizen.raw(Method::PUT, &put, "application/pdf", pdf.clone()).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("service_unavailable")), "{b}");
    assert_eq!(app.count("files").await, files_before);
    let (s, b) = citizen.get(&format!("/api/v1/dossiers/{id}/files/{file_id}")).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("service_unavailable")), "{b}");
    let (_, after) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
    assert!(d["version"].is_number(), "{d}");
    assert_eq!(after["dossier"]["version"], d["version"], "the dossier is unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_outage_is_a_clear_503_and_writes_nothing_sqlite() {
    a_storage_outage_is_a_clear_503_and_writes_nothing(motcua_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_outage_is_a_clear_503_and_writes_nothing_postgres() {
    a_storage_outage_is_a_clear_503_and_writes_nothing(motcua_testkit::Backend::Postgres).await;
}
