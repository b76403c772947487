//! `motcua verify` checks every stored file (issue #12 item 12), on both backends: a deleted
//! or altered attachment is named with its dossier instead of going unnoticed.

use motcua_testkit::both_backends;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

both_backends! {
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

        let path = app.ctx.config.files_dir().join(&sha[..2]).join(&sha);
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
