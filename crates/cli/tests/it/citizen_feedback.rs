//! What citizens hit (issue #10's user list) on the public and citizen pages: a refused
//! dossier says why, a fee notice says how much and how to pay, and a page address that does
//! not exist answers with an HTML page in the page's language, not the API's JSON.

use crate::browser::Browser;
use crate::pages_golden::file_online;
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const APPLICANT: [(&str, &str); 4] =
    [("name", "Nguyễn Văn An"), ("id_number", "037092001234"), ("phone", "0912345678"), ("address", "Phường Hoa Lư")];

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn dossier(c: &Client, id: &str) -> Value {
    let (s, d) = c.get(&format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["dossier"].clone()
}

both_backends! {
    async fn a_refused_citizen_sees_the_reasons(app) {
        let b = Browser::login(&app, "congdan").await;
        let id = file_online(&b, &APPLICANT, "don.pdf", false).await;
        let clerk = app.login("tiepnhan").await;
        let d = dossier(&clerk, &id).await;
        step(&clerk, &d, "refuse", json!({"reasons": ["Giấy tờ giả mạo", "Không thuộc thẩm quyền của cơ quan"]})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(p.body.contains("Lý do từ chối tiếp nhận"), "{}", p.body);
        for reason in ["Giấy tờ giả mạo", "Không thuộc thẩm quyền của cơ quan"] {
            assert!(p.body.contains(&format!("<li>{reason}</li>")), "reason {reason}: {}", p.body);
        }
        let p = b.get(&format!("/ho-so-cua-toi/{id}?lang=en")).await;
        assert!(p.body.contains("Why it was refused"), "{}", p.body);
    }

    async fn the_fee_notice_shows_the_amounts_and_how_to_pay(app) {
        let b = Browser::login(&app, "congdan").await;
        let id = file_online(&b, &APPLICANT, "don.pdf", false).await;
        let clerk = app.login("tiepnhan").await;
        let d = step(&clerk, &dossier(&clerk, &id).await, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        step(&specialist, &d, "fee-notices", json!({"items": [
            {"name": "Phí thẩm định", "amount": 100000}, {"name": "Lệ phí cấp thẻ", "amount": 50000}]})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(p.body.contains(r#"id="fees-h""#), "{}", p.body);
        for shown in ["Phí thẩm định", "100.000 đồng", "Lệ phí cấp thẻ", "50.000 đồng", "150.000 đồng", "Cách nộp"] {
            assert!(p.body.contains(shown), "fee notice shows {shown}: {}", p.body);
        }
    }

    async fn page_addresses_that_do_not_exist_get_an_html_page(app) {
        let anon = Browser::new(&app);
        for (path, says) in [("/khong-co-trang-nay", "Không tìm thấy"), ("/ho-so-cua-toi/a/b/c?lang=en", "Not found"), ("/thu-tuc/mau/khong-co.docx", "Không tìm thấy")] {
            let p = anon.get(path).await;
            assert_eq!(p.status, StatusCode::NOT_FOUND, "{path}");
            let ct = p.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(ct.starts_with("text/html"), "{path}: {ct} {}", p.body);
            assert!(p.body.contains(says) && !p.body.contains(r#""code""#), "{path}: {}", p.body);
        }
        // A catalog filter the page does not know: the page's 422, in HTML.
        let p = anon.get("/thu-tuc?level=xyz").await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("<html") && p.body.contains("Không thực hiện được"), "{}", p.body);
        // The API keeps its JSON.
        let (s, body) = app.client().get("/api/v1/khong-co").await;
        assert_eq!((s, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }
}
