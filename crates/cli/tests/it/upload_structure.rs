//! Issue #12 item 11: uploads are recognised by their structure, not by a few magic bytes.
//! A polyglot, a PDF with JavaScript or an embedded file, a truncated PDF, a PNG with a bad
//! header and a DOCX without its document are each refused with their own code, on both
//! backends, and nothing is stored (no row, no file on disk).

use motcua_testkit::both_backends;
use motcua_testkit::files;
use reqwest::{Method, StatusCode};
use serde_json::json;

fn stored(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { stored(&e.path()) } else { 1 }).sum())
        .unwrap_or(0)
}

both_backends! {
    async fn hostile_or_broken_files_are_refused_by_structure(app) {
        let citizen = app.login("congdan").await;
        let (s, d) = citizen
            .post("/api/v1/dossiers", json!({"procedure_code": "1.910201.H40", "applicant": {"name": "Nguyễn Văn An",
                "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_string();
        let files_dir = app.ctx.config.files_dir();
        let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
            ("polyglot", "application/pdf", files::polyglot_html_zip(), "file_polyglot"),
            ("a PDF with an archive appended", "application/pdf", [files::PDF, &files::docx()].concat(), "pdf_malformed"),
            ("javascript", "application/pdf", files::pdf_with_javascript(), "pdf_active_content"),
            ("embedded file", "application/pdf", files::pdf_with_embedded_file(), "pdf_active_content"),
            ("truncated", "application/pdf", files::pdf_truncated(), "pdf_malformed"),
            ("bad IHDR", "image/png", files::png_bad_ihdr(), "image_malformed"),
            ("huge PNG", "image/png", files::png_with_ihdr(&files::png_ihdr(50_000, 50_000)), "image_too_large"),
            (
                "docx without its document",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                files::docx_without_document(),
                "ooxml_malformed",
            ),
        ];
        for (what, ct, bytes, code) in cases {
            let (s, b) = citizen
                .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/giay_de_nghi/files?name=x"), ct, bytes)
                .await;
            let want = if code == "file_type_not_allowed" { StatusCode::UNSUPPORTED_MEDIA_TYPE } else { StatusCode::UNPROCESSABLE_ENTITY };
            assert_eq!((s, b["code"].as_str()), (want, Some(code)), "{what}: {b}");
            assert!(!b["message_vi"].as_str().unwrap_or("").is_empty(), "{what}: a message in Vietnamese: {b}");
        }
        assert_eq!(app.count("files").await, 0, "no file row");
        assert_eq!(stored(&files_dir), 0, "no file on disk");

        // The real files still pass: the scan, the photo and a minimal DOCX.
        for (ct, bytes) in [
            ("application/pdf", files::PDF.to_vec()),
            ("image/png", files::PNG.to_vec()),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", files::docx()),
        ] {
            let (s, b) = citizen
                .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/giay_de_nghi/files?name=x"), ct, bytes)
                .await;
            assert_eq!(s, StatusCode::CREATED, "{ct}: {b}");
        }
        assert_eq!(app.count("files").await, 3);
    }
}
