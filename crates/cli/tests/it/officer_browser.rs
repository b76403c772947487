//! Officer pages in a real headless Chromium, on both backends: a counter reception that
//! prints the receipt while the second screen follows over SSE, and the whole life of an
//! online dossier: filed through the citizen wizard, handled through the officer pages,
//! downloaded and rated on the citizen's dossier page. Every page visited is checked with axe;
//! the inbox, dossier and counter pages are captured at phone and desktop widths.

use crate::officer_pages::{PDF, PROVINCE, vn};
use motcua_testkit::both_backends;
use motcua_testkit::browser::{Browser, By};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// Clicks the submit button of an action's section and waits for the page after it.
async fn submit_action(b: &Browser, slug: &str) {
    let after = b.follow(By::Css(format!("section#{slug} button[type=submit]"))).await;
    assert!(after.ends_with(&format!("?xong={slug}")), "{slug} done, got {after}: {}", b.main_text().await);
    b.axe().await;
}

/// Waits until the element's text contains `needle`.
async fn wait_text(b: &Browser, id: &str, needle: &str) {
    let start = Instant::now();
    loop {
        let t = b.by_id(id).await.text().await.unwrap_or_default();
        if t.contains(needle) {
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "#{id} shows {t:?}, expected {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

both_backends! {
    async fn browser_counter_reception_prints_the_receipt(app) {
        let t0 = Instant::now();
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let b = Browser::start(&app).await;
        b.login("tiepnhan.hoalu").await;
        b.open("/can-bo/tiep-nhan").await;
        b.axe().await;
        b.fill("q", "tinh trang hon nhan").await;
        b.follow_to(By::Css("form.search button[type=submit]"), "/can-bo/tiep-nhan?q=").await;
        b.axe().await;
        b.click_to("Cấp Giấy xác nhận tình trạng hôn nhân", "/can-bo/tiep-nhan?thu_tuc=").await;
        let form = b.driver.window().await.unwrap();

        // The applicant's screen, in a second tab, before anything is typed.
        let screen_url: String = b.find(By::Css("a[target=_blank]")).await.attr("href").await.unwrap().unwrap();
        let screen = b.driver.new_tab().await.unwrap();
        b.driver.switch_to_window(screen.clone()).await.unwrap();
        b.open(&screen_url).await;
        b.axe().await;
        b.driver.switch_to_window(form.clone()).await.unwrap();

        b.fill("r-applicant-name", "Phạm Văn Đức").await;
        b.fill("r-applicant-id_number", "037092005678").await;
        b.fill("r-applicant-phone", "0987654321").await;
        b.by_id("r-provided-to_khai").await.click().await.unwrap();
        b.by_id("r-provided-giay_to_tuy_than").await.click().await.unwrap();
        b.by_id("r-digitized-to_khai").await.click().await.unwrap();
        b.capture("counter").await;
        let ticked = b.by_id("r-provided-giay_to_tuy_than").await.attr("data-component").await.unwrap().unwrap();

        // counter.js has mirrored the draft to the screen, over SSE.
        b.driver.switch_to_window(screen.clone()).await.unwrap();
        wait_text(&b, "s-applicant", "Phạm Văn Đức").await;
        wait_text(&b, "s-components", &ticked).await;
        b.driver.switch_to_window(form.clone()).await.unwrap();

        let receipt = b.click_text("Tiếp nhận và in giấy hẹn").await;
        assert!(receipt.ends_with("/giay-tiep-nhan"), "{receipt}");
        assert_eq!(b.by_id("receipt-code").await.text().await.unwrap(), "000.01.31.H40-260302-0001");
        let text = b.main_text().await;
        for t in ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Phạm Văn Đức", "17:00 05/03/2026", "3 ngày làm việc"] {
            assert!(text.contains(t), "{t} on the receipt: {text}");
        }
        b.capture("receipt").await;
        // The print stylesheet hides the menu, the buttons and the links around the receipt.
        let hidden = "return ['[data-print]', 'header.top', '.noprint'].map(s => getComputedStyle(document.querySelector(s)).display === 'none')";
        let on_screen: Vec<bool> = b.driver.execute(hidden, vec![]).await.unwrap().convert().unwrap();
        assert_eq!(on_screen, [false, false, false], "shown on screen");
        // The print rules the browser loaded (WebDriver cannot switch the page to print media).
        let print: String = b
            .driver
            .execute(
                "return [...document.styleSheets].flatMap(s => [...s.cssRules]).filter(r => r.media && r.media.mediaText === 'print').map(r => r.cssText).join(' ')",
                vec![],
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        for sel in [".top", ".noprint", "button", "nav.officer"] {
            assert!(print.contains(sel), "{sel} hidden in print: {print}");
        }

        // The screen now shows the code and the appointment.
        b.driver.switch_to_window(screen).await.unwrap();
        wait_text(&b, "s-code", "000.01.31.H40-260302-0001").await;
        wait_text(&b, "s-appointment", "17:00 05/03/2026").await;
        b.capture("screen").await;
        b.quit().await;
        eprintln!("browser_counter_reception_prints_the_receipt ({:?}): {:.1} s", app.backend, t0.elapsed().as_secs_f64());
    }

    async fn browser_online_dossier_from_filing_to_rating(app) {
        let t0 = Instant::now();
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        // The citizen files online through the wizard pages.
        let dir = tempfile::tempdir().unwrap();
        let scan = dir.path().join("ban-scan.pdf");
        std::fs::write(&scan, PDF).unwrap();
        let b = Browser::start(&app).await;
        b.login("congdan").await;
        b.open(&format!("/nop-ho-so/{PROVINCE}")).await;
        b.axe().await;
        b.fill("phone", "0912345678").await;
        b.fill("address", "Số 1 Đinh Tiên Hoàng, Phường Hoa Lư").await;
        let mut at = b.click_to("Lưu và tiếp tục", "/ho-so-cua-toi/").await;
        let id = at.split('/').nth(2).unwrap().to_string();
        while at.contains("/thanh-phan/") {
            b.by_id("file").await.send_keys(scan.display().to_string()).await.unwrap();
            at = b.click_text("Tiếp tục").await;
        }
        assert_eq!(at, format!("/ho-so-cua-toi/{id}/xem-lai"));
        b.by_id("declare").await.click().await.unwrap();
        b.click_to("Nộp hồ sơ", &format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
        b.axe().await;
        let path = format!("/can-bo/ho-so/{id}");

        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        b.login("tiepnhan").await;
        b.open("/can-bo/ho-so").await;
        b.capture("inbox").await;
        assert!(b.main_text().await.contains("Nguyễn Văn An"));
        b.follow_to(By::Css(format!("a[href=\"{path}\"]")), &path).await;
        b.capture("dossier").await;
        // The inline preview of a PDF scan opens in the page.
        b.find(By::Css("details.preview summary")).await.click().await.unwrap();
        let frame = b.find(By::Css("details.preview[open] iframe")).await;
        assert!(frame.attr("src").await.unwrap().unwrap().starts_with(&format!("{path}/tep/")));
        // Received with the checklist (the attached components come ticked), then forwarded.
        submit_action(&b, "tiep-nhan").await;
        assert!(b.main_text().await.contains("000.00.20.H40-260302-0001"));
        app.ctx.clock.set(vn("2026-03-02T10:00:00"));
        b.fill("chuyen-tiep-note", "Hồ sơ đầy đủ").await;
        submit_action(&b, "chuyen-tiep").await;

        b.login("chuyenvien").await;
        b.open("/can-bo/ho-so").await;
        b.axe().await;
        b.open(&path).await;
        b.axe().await;
        submit_action(&b, "chuyen-tiep").await;

        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        b.login("lanhdao").await;
        b.open(&path).await;
        b.axe().await;
        let file = dir.path().join("the-cong-chung-vien.pdf");
        std::fs::write(&file, motcua_testkit::files::SIGNED_PDF).unwrap();
        b.by_id("tep-ket-qua-file").await.send_keys(file.display().to_string()).await.unwrap();
        submit_action(&b, "tep-ket-qua").await;
        b.fill("ket-qua-name", "Thẻ công chứng viên").await;
        b.fill("ket-qua-number", "15/2026/TCCV").await;
        submit_action(&b, "ket-qua").await;
        assert!(b.main_text().await.contains("Đã xử lý xong"));

        b.login("tiepnhan").await;
        b.open(&path).await;
        b.axe().await;
        b.by_id("tra-ket-qua-method-counter").await.click().await.unwrap();
        submit_action(&b, "tra-ket-qua").await;
        let text = b.main_text().await;
        assert!(text.contains("Đã trả kết quả") && text.contains("Trước hạn"), "{text}");
        b.open(&format!("{path}/phieu-kiem-soat")).await;
        b.axe().await;
        assert!(b.main_text().await.contains("Đinh Văn Hùng"));

        // The citizen downloads the result and rates the service on their dossier page.
        b.login("congdan").await;
        b.open(&format!("/ho-so-cua-toi/{id}")).await;
        b.axe().await;
        let link = b.find(By::Css("a.download")).await;
        let href = link.attr("href").await.unwrap().unwrap();
        let got = b.eval_async(&format!("fetch({href:?}).then(r => r.text()).then(done, e => done('ERR ' + e))")).await;
        assert_eq!(got.as_bytes(), motcua_testkit::files::SIGNED_PDF, "the downloaded result is the leader's document");
        b.by_id("satisfied-yes").await.click().await.unwrap();
        b.click_to("Gửi đánh giá", &format!("/ho-so-cua-toi/{id}")).await;
        b.axe().await;
        b.quit().await;
        // The rating is the supervisor's to read, not the counter officer's (issue #18).
        let officer = app.login("giamsat").await;
        let (s, detail) = officer.get(&format!("/api/v1/dossiers/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((detail["dossier"]["status"].as_str(), detail["dossier"]["rating"]["satisfied"].as_bool()), (Some("returned"), Some(true)));
        eprintln!("browser_online_dossier_from_filing_to_rating ({:?}): {:.1} s", app.backend, t0.elapsed().as_secs_f64());
    }
}

/// A paper dossier received with no file: its components table, wider than a phone, scrolls
/// in a box that takes the keyboard focus (axe `scrollable-region-focusable`), at phone and
/// desktop widths.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_officer_dossier_without_files_at_phone_width() {
    let app = motcua_testkit::TestApp::spawn(motcua_testkit::Backend::Sqlite).await;
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            serde_json::json!({"procedure_code": "1.004873", "summary": "Xác nhận tình trạng hôn nhân",
                "applicant": {"name": "Phạm Văn Đức", "id_number": "037092005678", "phone": "0987654321"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    assert_eq!(d["files"].as_array().map(Vec::len), Some(0), "{d}");
    let b = Browser::start(&app).await;
    b.login("tiepnhan.hoalu").await;
    b.open(&format!("/can-bo/ho-so/{}", d["id"].as_str().unwrap())).await;
    b.capture("officer-dossier-no-files").await;
    b.quit().await;
}
