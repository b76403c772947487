//! The citizen's pages in a real headless Chromium, on both backends: filing online through
//! the wizard (keyboard only for the applicant), a supplement, the result downloaded and
//! rated, public tracking; and forms that come back with errors. Every page visited is
//! checked with axe-core; key pages are captured at phone and desktop widths
//! (`target/e2e-screenshots/<backend>/`).

use motcua_testkit::browser::{Browser, By, Key};
use motcua_testkit::{Client, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Instant;

/// Thẻ công chứng viên: province, partly online, 4 required components, a 3-step workflow.
const PROCEDURE: &str = "1.910201.H40";
const PDF: &[u8] = motcua_testkit::files::PDF;
const PNG: &[u8] = motcua_testkit::files::PNG;
const SIGNED: &[u8] = motcua_testkit::files::SIGNED_PDF;

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

async fn api(c: &Client, id: &str) -> Value {
    let (s, d) = c.get(&format!("/api/v1/dossiers/{id}")).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["dossier"].clone()
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn text_of(b: &Browser, css: &str) -> String {
    b.find(By::Css(css)).await.text().await.unwrap()
}

both_backends! {
    async fn citizen_files_online_and_gets_the_result(app) {
        let started = Instant::now();
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let files = tempfile::tempdir().unwrap();
        let pdf = files.path().join("ban-scan.pdf");
        std::fs::write(&pdf, PDF).unwrap();
        let png = files.path().join("anh-moi.png");
        std::fs::write(&png, PNG).unwrap();

        let b = Browser::start(&app).await;
        b.login("congdan").await;
        b.open(&format!("/thu-tuc/{PROCEDURE}")).await;
        b.capture("procedure-file-online").await;
        b.click_to("Nộp hồ sơ trực tuyến", &format!("/nop-ho-so/{PROCEDURE}")).await;

        // Step 1, keyboard only: prefilled from the account; Tab to each field, type, Enter.
        b.capture("wizard-applicant").await;
        assert_eq!(b.by_id("name").await.value().await.unwrap().as_deref(), Some("Nguyễn Văn An"));
        assert_eq!(b.by_id("id_number").await.value().await.unwrap().as_deref(), Some("037092001234"));
        b.open(&format!("/nop-ho-so/{PROCEDURE}")).await;
        b.tab_to("name", 30).await;
        b.tab_to("phone", 5).await;
        b.type_here("0912345678").await;
        b.tab_to("email", 3).await;
        b.type_here("an@example.vn").await;
        b.tab_to("address", 3).await;
        b.type_here("Số 1 Đinh Tiên Hoàng, Phường Hoa Lư").await;
        let mut at = b.next_page(b.press(Key::Enter)).await;
        assert!(at.contains("/thanh-phan/giay_de_nghi"), "first component step: {at}");
        let id = at.split('/').nth(2).unwrap().to_string();
        assert!(b.main_text().await.contains("Bước 2 trên 6"));

        // One page per component; upload.js sends each file to the API with a progress bar.
        b.capture("wizard-component").await;
        let mut pages = 0;
        while at.contains("/thanh-phan/") {
            b.by_id("file").await.send_keys(pdf.display().to_string()).await.unwrap();
            at = b.click_text("Tiếp tục").await;
            b.axe().await;
            pages += 1;
        }
        assert_eq!(pages, 4);
        assert_eq!(at, format!("/ho-so-cua-toi/{id}/xem-lai"));
        b.capture("wizard-review").await;
        let review = b.main_text().await;
        assert_eq!(review.matches("ban-scan.pdf").count(), 4, "{review}");
        assert!(review.contains("0912345678") && review.contains("Số 1 Đinh Tiên Hoàng"), "{review}");
        b.by_id("declare").await.click().await.unwrap();
        b.click_to("Nộp hồ sơ", &format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
        b.capture("wizard-receipt").await;
        assert!(text_of(&b, ".panel").await.contains("Mới đăng ký (mã trạng thái 1)"));
        assert!(b.main_text().await.contains("Mã hồ sơ và ngày hẹn trả kết quả có khi hồ sơ được tiếp nhận"));

        // The officers, through the JSON API: receive, forward, ask for a supplement.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan").await;
        let d = api(&clerk, &id).await;
        assert_eq!(d["status"], "submitted");
        let d = step(&clerk, &d, "receive", json!({})).await;
        let code = d["code"].as_str().unwrap().to_string();
        let d = step(&clerk, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        let specialist = app.login("chuyenvien").await;
        step(&specialist, &d, "supplement-requests", json!({"items": [
            {"component_key": "anh_the", "name": "Ảnh thẻ 3x4", "reason": "Ảnh mờ, không nhận diện được"}]})).await;

        // The receipt now shows the code and the appointment.
        b.open(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
        assert!(text_of(&b, ".panel").await.contains(&code));
        assert!(b.main_text().await.contains("16/03/2026 17:00"), "appointment: {}", b.main_text().await);
        // Printed, the receipt drops the header, the navigation and the links; the panel loses its fill.
        b.media("print").await;
        for hidden in ["header.top", ".bar", ".receipt .no-print"] {
            assert_eq!(b.style(hidden, "display").await, "none", "{hidden} when printed");
        }
        assert_eq!(b.style(".panel", "background-color").await, "rgba(0, 0, 0, 0)");
        b.screenshot("wizard-receipt-print").await;
        b.media("").await;
        assert_eq!(b.style(".bar", "display").await, "flex");

        // The citizen supplies the photo: a plain multipart upload, then the confirmation.
        app.ctx.clock.set(vn("2026-03-05T10:00:00"));
        b.open(&format!("/ho-so-cua-toi/{id}")).await;
        b.capture("dossier-supplement").await;
        assert!(text_of(&b, "#supplement-h").await.contains("Cần bổ sung"));
        assert!(b.main_text().await.contains("Ảnh mờ, không nhận diện được"));
        b.by_id("supplement_file").await.send_keys(png.display().to_string()).await.unwrap();
        b.click_to("Tải tệp lên", &format!("/ho-so-cua-toi/{id}")).await;
        assert!(b.main_text().await.contains("anh-moi.png"));
        b.axe().await;
        b.fill("note", "Đã bổ sung ảnh rõ nét").await;
        b.click_to("Xác nhận đã bổ sung", &format!("/ho-so-cua-toi/{id}")).await;
        assert!(text_of(&b, ".status").await.contains("Đang xử lý (mã trạng thái 4)"));
        b.axe().await;
        let d = api(&clerk, &id).await;
        assert_eq!(d["status"], "in_progress");
        assert_eq!(d["supplements"][0]["note"], "Đã bổ sung ảnh rõ nét", "{d}");

        // The specialist forwards, the leader attaches the signed PDF and resolves, the counter returns it.
        app.ctx.clock.set(vn("2026-03-17T09:00:00"));
        step(&specialist, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-18T16:00:00"));
        let leader = app.login("lanhdao").await;
        let (s, d) = leader
            .raw(Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=the-ccv.pdf"), "application/pdf", SIGNED.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        step(&clerk, &d, "return", json!({"method": "counter"})).await;

        // My dossiers, the dossier, the result download, the rating (once).
        b.open("/ho-so-cua-toi").await;
        b.capture("my-dossiers").await;
        let list = b.main_text().await;
        assert!(list.contains(&code) && list.contains("Đã trả kết quả (mã trạng thái 10)"), "{list}");
        b.follow_to(By::Css("table.dossiers a"), &format!("/ho-so-cua-toi/{id}")).await;
        b.capture("dossier-returned").await;
        let page = b.main_text().await;
        assert!(page.contains("Thẻ công chứng viên – số 15/2026/TCCV"), "{page}");
        for label in ["Đã bổ sung giấy tờ", "Có kết quả giải quyết", "Trả kết quả"] {
            assert!(page.contains(label), "timeline has {label}: {page}");
        }
        let link = b.find(By::Css("a.download")).await;
        assert!(link.text().await.unwrap().contains("the-ccv.pdf"));
        let href = link.attr("href").await.unwrap().unwrap();
        let got = b.eval_async(&format!("fetch({href:?}).then(r => r.text()).then(done, e => done('ERR ' + e))")).await;
        assert_eq!(got.as_bytes(), SIGNED, "the downloaded result is the signed document");
        b.by_id("satisfied-yes").await.click().await.unwrap();
        b.fill("comment", "Nhanh, đúng hẹn").await;
        b.click_to("Gửi đánh giá", &format!("/ho-so-cua-toi/{id}")).await;
        assert!(text_of(&b, ".rated").await.contains("Hài lòng"));
        assert!(b.driver.find_all(By::Id("satisfied-yes")).await.unwrap().is_empty(), "rated once: no second form");
        b.capture("dossier-rated").await;
        // Read by the supervisor, not by the counter officer (issue #18).
        assert_eq!(api(&clerk, &id).await["rating"], serde_json::Value::Null);
        let d = api(&app.login("giamsat").await, &id).await;
        assert_eq!((d["rating"]["satisfied"].as_bool(), d["rating"]["comment"].as_str()), (Some(true), Some("Nhanh, đúng hẹn")));

        // The same page in English.
        b.open(&format!("/ho-so-cua-toi/{id}?lang=en")).await;
        assert_eq!(b.find(By::Tag("html")).await.attr("lang").await.unwrap().as_deref(), Some("en"));
        assert!(text_of(&b, ".status").await.contains("Result returned (status code 10)"));
        b.axe().await;

        // Public tracking: status and dates (the appointment moved by the two-day pause), no personal data.
        b.open("/ho-so-cua-toi").await;
        let out = b.click_text("Đăng xuất").await;
        assert!(!out.starts_with("/ho-so-cua-toi"), "logged out: {out}");
        b.open("/tra-cuu").await;
        b.axe().await;
        b.fill("code", &code).await;
        b.fill("check", "1234").await;
        b.click_to("Tra cứu", "/tra-cuu?code=").await;
        b.capture("tracking").await;
        let t = b.main_text().await;
        assert!(t.contains("Đã trả kết quả (mã trạng thái 10)") && t.contains("18/03/2026 17:00") && t.contains(&code), "{t}");
        for private in ["Nguyễn Văn An", "037092001234", "0912345678", "an@example.vn", "Đinh Tiên Hoàng"] {
            assert!(!t.contains(private), "tracking shows no personal data ({private}): {t}");
        }
        b.quit().await;
        eprintln!("e2e citizen_files_online_and_gets_the_result ({:?}): {:.1} s", app.backend, started.elapsed().as_secs_f64());
    }

    async fn form_errors_show_the_summary_and_keep_the_values(app) {
        let started = Instant::now();
        let b = Browser::start(&app).await;
        b.login("congdan").await;
        b.open(&format!("/nop-ho-so/{PROCEDURE}")).await;
        b.fill("name", "").await;
        b.fill("id_number", "12345").await;
        b.fill("phone", "0912345678").await;
        b.fill("address", "Thôn Đông, Xã Gia Viễn").await;
        b.click_to("Lưu và tiếp tục", &format!("/nop-ho-so/{PROCEDURE}")).await;
        assert_eq!(b.status().await, 422);
        b.capture("wizard-applicant-errors").await;
        assert!(b.driver.title().await.unwrap().starts_with("Lỗi: "));
        // The summary comes first in <main> and links to each field with a problem.
        let first = b.find(By::Css("main > :first-child")).await;
        assert_eq!(first.class_name().await.unwrap().as_deref(), Some("error-summary"));
        assert!(first.text().await.unwrap().contains("Có lỗi"));
        let links = first.find_all(By::Css("a")).await.unwrap();
        let mut hrefs = Vec::new();
        for l in &links {
            hrefs.push(l.attr("href").await.unwrap().unwrap());
        }
        assert_eq!(hrefs, ["#name", "#id_number"]);
        assert!(first.text().await.unwrap().contains("12 chữ số"));
        links[1].click().await.unwrap();
        let hash: String = b.driver.execute("return location.hash", vec![]).await.unwrap().convert().unwrap();
        assert_eq!(hash, "#id_number");
        // Every value as entered, the fields marked invalid and described by their message.
        assert_eq!(b.by_id("id_number").await.value().await.unwrap().as_deref(), Some("12345"));
        assert_eq!(b.by_id("phone").await.value().await.unwrap().as_deref(), Some("0912345678"));
        assert_eq!(b.by_id("address").await.value().await.unwrap().as_deref(), Some("Thôn Đông, Xã Gia Viễn"));
        assert_eq!(b.by_id("email").await.value().await.unwrap().as_deref(), Some("congdan@demo.motcua.vn"));
        assert_eq!(b.by_id("name").await.attr("aria-invalid").await.unwrap().as_deref(), Some("true"));
        assert!(b.by_id("id_number").await.attr("aria-describedby").await.unwrap().unwrap().contains("id_number-error"));
        assert!(text_of(&b, "#id_number-error").await.contains("12 chữ số"));
        assert_eq!(app.count("dossiers").await, 0, "nothing was written");

        // Corrected: the draft is created; a required component without a file is refused.
        b.fill("name", "Nguyễn Văn An").await;
        b.fill("id_number", "037092001234").await;
        let at = b.click_to("Lưu và tiếp tục", "/ho-so-cua-toi/").await;
        b.click_to("Tiếp tục", &at).await;
        assert_eq!(b.status().await, 422);
        b.capture("wizard-component-errors").await;
        assert!(text_of(&b, ".error-summary").await.contains("Chọn tệp"));
        assert!(text_of(&b, "#file-error").await.contains("Chọn tệp"));
        assert_eq!(b.find(By::Css(".error-summary a")).await.attr("href").await.unwrap().as_deref(), Some("#file"));

        // The review refuses to file without the declaration (and names the missing files).
        let id = at.split('/').nth(2).unwrap().to_string();
        b.open(&format!("/ho-so-cua-toi/{id}/xem-lai")).await;
        b.click_to("Nộp hồ sơ", &format!("/ho-so-cua-toi/{id}/nop")).await;
        assert_eq!(b.status().await, 422);
        assert!(text_of(&b, ".error-summary").await.contains("cam đoan"));
        b.axe().await;
        b.by_id("declare").await.click().await.unwrap();
        b.click_text("Nộp hồ sơ").await;
        assert_eq!(b.status().await, 422);
        let summary = text_of(&b, ".error-summary").await;
        assert!(summary.contains("Chưa đính kèm thành phần bắt buộc"), "{summary}");
        assert!(b.by_id("declare").await.is_selected().await.unwrap(), "the tick is kept");
        b.find(By::Css(".error-summary a[href='#components.giay_de_nghi']")).await;
        b.find(By::Id("components.giay_de_nghi")).await;
        b.capture("wizard-review-errors").await;

        // Public tracking: bad input, then an unknown code, in English.
        b.open("/tra-cuu?lang=en&code=&check=12").await;
        assert_eq!(b.status().await, 422);
        assert!(text_of(&b, ".error-summary").await.contains("There is a problem"));
        assert_eq!(b.by_id("check").await.value().await.unwrap().as_deref(), Some("12"));
        b.capture("tracking-errors").await;
        b.open("/tra-cuu?code=000.00.20.H40-260302-9999&check=1234").await;
        assert_eq!(b.status().await, 404);
        assert!(text_of(&b, ".error-summary").await.contains("Không tìm thấy hồ sơ"));
        b.axe().await;
        b.quit().await;
        eprintln!("e2e form_errors_show_the_summary_and_keep_the_values ({:?}): {:.1} s", app.backend, started.elapsed().as_secs_f64());
    }
}
