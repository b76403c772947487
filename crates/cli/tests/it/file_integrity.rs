//! `motcua verify` checks every stored file (issue #12 item 12), on both backends: a deleted
//! or altered attachment is named with its dossier instead of going unnoticed.

use motcua_testkit::both_backends_and_file_stores;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PDF: &[u8] = motcua_testkit::files::PDF;

both_backends_and_file_stores! {
    async fn verify_names_missing_and_altered_files(app) {
        let citizen = app.login("congdan").await;
        let (s, d) = citizen
            .post("/api/v1/dossiers", json!({"procedure_code": "1.910201.H40", "applicant": {"name": "Nguyễn Văn An",
                "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_string();
        let (s, d) = citizen
            .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/giay_de_nghi/files?name=a.pdf"), "application/pdf", PDF.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let sha = d["files"][0]["sha256"].as_str().unwrap().to_string();
        let verify = || motcua_app::usecases::dossiers::verify_files(&app.ctx.store, &*app.ctx.files);

        let (checked, bytes, problems) = verify().await.unwrap();
        assert_eq!((checked, bytes, problems.len()), (1, PDF.len() as u64, 0));

        let path = app.stored_path(&sha);
        std::fs::write(&path, b"%PDF-1.4 altered").unwrap();
        let (_, _, problems) = verify().await.unwrap();
        assert_eq!((problems[0].sha256.as_str(), problems[0].kind), (sha.as_str(), "wrong_size"));
        let mut same_size = PDF.to_vec();
        same_size[10] = b'X';
        std::fs::write(&path, &same_size).unwrap();
        assert_eq!(verify().await.unwrap().2[0].kind, "wrong_digest");
        std::fs::remove_file(&path).unwrap();
        let (checked, _, problems) = verify().await.unwrap();
        assert_eq!(checked, 1);
        assert_eq!((problems[0].kind, problems[0].dossiers.clone()), ("missing", vec![id.clone()]), "the draft is named by its id");
    }
}

/// Issue #12 item 7: 8 concurrent uploads to one dossier stored more than its quota (the
/// check ran outside the transaction that records the file).
async fn concurrent_uploads_keep_the_dossier_quota(backend: motcua_testkit::Backend, s3: bool) {
    const SIZE: usize = 3_000;
    let tweak = |c: &mut motcua_app::Config| c.attachments.max_dossier_bytes = 3 * SIZE + 100;
    let app = if s3 {
        motcua_testkit::TestApp::spawn_s3(backend, tweak).await
    } else {
        motcua_testkit::TestApp::spawn_with(backend, tweak).await
    };
    let citizen = app.login("congdan").await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.910201.H40", "applicant": {"name": "Nguyễn Văn An",
            "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8u8 {
        // Distinct files of SIZE bytes each.
        let pdf = motcua_testkit::files::pdf_of_size(b'a' + i, SIZE);
        let req = citizen
            .http
            .put(format!("{}/api/v1/dossiers/{id}/components/giay_de_nghi/files?name=p{i}.pdf", citizen.base))
            .header("x-csrf-token", citizen.csrf.clone().unwrap())
            .header("content-type", "application/pdf")
            .body(pdf);
        tasks.spawn(async move {
            let r = req.send().await.unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap())
        });
    }
    let answers = tasks.join_all().await;
    let stored = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    for (s, b) in &answers {
        assert!(
            *s == StatusCode::CREATED
                || (*s == StatusCode::PAYLOAD_TOO_LARGE && b["code"] == "dossier_too_large")
                || *s == StatusCode::CONFLICT,
            "{s}: {b}"
        );
    }
    let (_, d) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
    let total: i64 = d["dossier"]["files"].as_array().unwrap().iter().map(|f| f["size"].as_i64().unwrap()).sum();
    assert!(
        stored >= 1 && total <= (3 * SIZE + 100) as i64,
        "{stored} stored, {total} bytes against a quota of {}",
        3 * SIZE + 100
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_keep_the_dossier_quota_sqlite() {
    concurrent_uploads_keep_the_dossier_quota(motcua_testkit::Backend::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_keep_the_dossier_quota_postgres() {
    concurrent_uploads_keep_the_dossier_quota(motcua_testkit::Backend::Postgres, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_keep_the_dossier_quota_sqlite_s3() {
    concurrent_uploads_keep_the_dossier_quota(motcua_testkit::Backend::Sqlite, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uploads_keep_the_dossier_quota_postgres_s3() {
    concurrent_uploads_keep_the_dossier_quota(motcua_testkit::Backend::Postgres, true).await;
}

both_backends_and_file_stores! {
    // Issue #12 item 12, the page part: a file whose stored bytes are gone is marked on the
    // officer's and the citizen's dossier pages, instead of a link that answers 404.
    async fn dossier_pages_mark_a_file_gone_from_storage(app) {
        use crate::browser::Browser;
        use crate::counter_pages::api_step;
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        let clerk = app.login("tiepnhan").await;
        let d = api_step(&clerk, &d, "receive", json!({})).await;
        let d = api_step(&clerk, &d, "forward", json!({})).await;
        api_step(&app.login("chuyenvien").await, &d, "forward", json!({})).await;
        let leader = app.login("lanhdao").await;
        let result = motcua_testkit::files::pdf("the signed result of this test");
        let (s, d) = leader
            .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=ket-qua.pdf"), "application/pdf", result)
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        api_step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên"})).await;
        let files = d["files"].as_array().unwrap();
        let gone = files.iter().find(|f| f["component_key"] == "result").unwrap();
        let kept = files.iter().find(|f| f["component_key"] != "result").unwrap();
        let (gone_id, kept_id) = (gone["id"].as_str().unwrap(), kept["id"].as_str().unwrap());

        let officer = Browser::login(&app, "tiepnhan").await;
        let page = officer.get(&format!("/can-bo/ho-so/{id}")).await;
        assert!(!page.body.contains("Tệp không còn trong kho lưu trữ"), "every file is there yet");
        assert!(page.body.contains(&format!("/tep/{gone_id}?tai-ve=1")));

        let sha = gone["sha256"].as_str().unwrap();
        std::fs::remove_file(app.stored_path(sha)).unwrap();
        let page = officer.get(&format!("/can-bo/ho-so/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(page.body.matches("Tệp không còn trong kho lưu trữ").count(), 1, "{}", page.body);
        assert!(!page.body.contains(&format!("/tep/{gone_id}")), "no link to the missing file");
        assert!(page.body.contains(&format!("/tep/{kept_id}?tai-ve=1")), "the other files keep their links");
        assert!(page.body.contains("ket-qua.pdf"), "the missing file is still named");

        let b = Browser::login(&app, "congdan").await;
        let page = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(page.body.contains("Tệp không còn trong kho lưu trữ"), "{}", page.body);
        assert!(!page.body.contains(&format!("/files/{gone_id}")), "no download link to the missing result");
        let page = b.get(&format!("/ho-so-cua-toi/{id}?lang=en")).await;
        assert!(page.body.contains("The file is no longer in storage"));
    }
}
