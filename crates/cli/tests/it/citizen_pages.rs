//! The citizen pages without JavaScript (plain HTTP, as a browser with scripts off): the
//! wizard's multipart uploads, the checks every page POST gets, who may use the pages,
//! and the procedure page's "file online" action.

use crate::browser::{Browser, Page};
use motcua_testkit::{TestApp, both_backends};
use reqwest::StatusCode;

const PROCEDURE: &str = "1.910201.H40";
/// Chứng thực chữ ký: no online service.
const OFFLINE: &str = "2.000884";
const PDF: &[u8] = motcua_testkit::files::PDF;
const PNG: &[u8] = motcua_testkit::files::PNG;

/// A `multipart/form-data` POST: text fields, then one file input named `file`.
async fn post_multipart(b: &Browser, path: &str, fields: &[(&str, &str)], file: Option<(&str, &str, &[u8])>) -> Page {
    let boundary = "----motcua-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    if let Some((name, ty, bytes)) = file {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let resp = b
        .http
        .post(format!("{}{path}", b.base))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    Page { status, headers, body: resp.text().await.unwrap() }
}

async fn files_of(app: &TestApp, id: &str) -> usize {
    let (d, _) = motcua_app::usecases::dossiers::replay(&app.ctx, id).await.unwrap();
    d.files.iter().filter(|f| !f.removed).count()
}

both_backends! {
    async fn the_wizard_works_without_javascript(app) {
        let b = Browser::login(&app, "congdan").await;
        let p = b.get(&format!("/thu-tuc/{PROCEDURE}")).await;
        assert!(p.body.contains(&format!(r#"href="/nop-ho-so/{PROCEDURE}">Nộp hồ sơ trực tuyến"#)), "{}", p.body);
        let p = b.get(&format!("/nop-ho-so/{PROCEDURE}?lang=en")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(r#"<html lang="en">"#) && p.body.contains("About the applicant"));
        let p = b.get(&format!("/nop-ho-so/{PROCEDURE}")).await;
        assert!(p.body.contains(r#"value="037092001234""#), "prefilled from the account");
        let key_at = p.body.find(r#"name="key" value=""#).unwrap() + r#"name="key" value=""#.len();
        let key = p.body[key_at..key_at + 36].to_string();
        let fields = |name: &str| {
            vec![
                ("csrf_token", p.csrf()),
                ("key", key.clone()),
                ("name", name.to_string()),
                ("id_number", "037092001234".to_string()),
                ("phone", "0912345678".to_string()),
                ("address", "Phường Hoa Lư".to_string()),
            ]
        };
        let first = b.post(&format!("/nop-ho-so/{PROCEDURE}"), &fields("Nguyễn Văn An")).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        // A double submit (same form key) goes to the same draft.
        let again = b.post(&format!("/nop-ho-so/{PROCEDURE}"), &fields("Nguyễn Văn An")).await;
        assert_eq!(again.location(), first.location());
        assert_eq!(app.count("dossiers").await, 1);
        let step = first.location().to_string();
        assert!(step.ends_with("/thanh-phan/giay_de_nghi"), "{step}");
        let id = step.split('/').nth(2).unwrap().to_string();

        // The multipart upload of a component, then on to the next one.
        let csrf = b.get(&step).await.csrf();
        let p = post_multipart(&b, &step, &[("csrf_token", &csrf)], Some(("đơn đề nghị.pdf", "application/pdf", PDF))).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), format!("/ho-so-cua-toi/{id}/thanh-phan/quyet_dinh_bo_nhiem"));
        assert_eq!(files_of(&app, &id).await, 1);
        // A file whose bytes are not what it claims: 422, the summary, nothing stored.
        let next = p.location().to_string();
        let p = post_multipart(&b, &next, &[("csrf_token", &csrf)], Some(("anh.pdf", "application/pdf", PNG))).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains(r#"class="error-summary""#) && p.body.contains(r##"href="#file""##), "{}", p.body);
        assert_eq!(files_of(&app, &id).await, 1);
        // Without the CSRF token: 403 and nothing stored.
        let p = post_multipart(&b, &next, &[], Some(("x.pdf", "application/pdf", PDF))).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert_eq!(files_of(&app, &id).await, 1);
        // The receipt of a draft is its review; the review lists the file.
        assert_eq!(b.get(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await.location(), format!("/ho-so-cua-toi/{id}/xem-lai"));
        let review = b.get(&format!("/ho-so-cua-toi/{id}/xem-lai")).await;
        assert!(review.body.contains("đơn đề nghị.pdf"), "the name as the citizen knows it: {}", review.body);
    }

    async fn citizen_pages_are_for_citizens_and_online_procedures(app) {
        let b = Browser::login(&app, "congdan").await;
        let p = b.get(&format!("/thu-tuc/{OFFLINE}")).await;
        assert!(!p.body.contains("Nộp hồ sơ trực tuyến"), "no online action for an offline procedure");
        assert_eq!(b.get(&format!("/nop-ho-so/{OFFLINE}")).await.status, StatusCode::CONFLICT);
        assert_eq!(b.get("/nop-ho-so/KHONG-CO").await.status, StatusCode::NOT_FOUND);
        let p = b.get("/ho-so-cua-toi?lang=en").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("You have no dossiers yet."));
        assert_eq!(b.get("/ho-so-cua-toi/khong-co").await.status, StatusCode::NOT_FOUND);
        // Officials get a 403 page; visitors go to the login page and come back.
        let clerk = Browser::login(&app, "tiepnhan").await;
        assert_eq!(clerk.get("/ho-so-cua-toi").await.status, StatusCode::FORBIDDEN);
        assert_eq!(clerk.get(&format!("/nop-ho-so/{PROCEDURE}")).await.status, StatusCode::FORBIDDEN);
        let anon = Browser::new(&app);
        let p = anon.get("/ho-so-cua-toi").await;
        assert_eq!((p.status, p.location()), (StatusCode::SEE_OTHER, "/dang-nhap?next=%2Fho-so-cua-toi"));
        // Tracking needs no account and says nothing about an unknown dossier.
        let p = anon.get("/tra-cuu").await;
        assert_eq!(p.status, StatusCode::OK);
        let p = anon.get("/tra-cuu?code=X&check=abcd").await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains(r#"value="abcd""#));
    }
}
