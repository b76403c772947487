//! The catalog's create/amend form in a real headless Chromium, on both backends: empty (both
//! languages), sent back with errors (422, the summary linking to each field, the fields marked
//! invalid and pointing at their messages), filled and saved, then the procedure page and the
//! amend form it links to. Every page is checked with axe; nothing needs JavaScript.

use crate::officer_pages::vn;
use motcua_testkit::both_backends;
use motcua_testkit::browser::{Browser, By};

const SUBMIT: &str = "main form.stack button[type=submit]";

both_backends! {
    async fn browser_catalog_form_passes_axe_and_saves(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let b = Browser::start(&app).await;
        b.login("admin").await;
        b.open("/quan-tri/thu-tuc/moi?lang=en").await;
        b.axe().await;
        b.open("/quan-tri/thu-tuc/moi").await;
        b.axe().await;

        // Sent as it comes: the same page again, 422, every problem listed and on its field.
        assert_eq!(b.follow(By::Css(SUBMIT)).await, "/quan-tri/thu-tuc/moi");
        assert_eq!(b.status().await, 422);
        b.axe().await;
        for id in ["code", "name", "sector_code", "implementing_agency", "decision_number", "result_name"] {
            b.find(By::Css(format!("main .error-summary a[href='#{id}']"))).await;
            let input = b.by_id(id).await;
            assert_eq!(input.attr("aria-invalid").await.unwrap().as_deref(), Some("true"), "{id}");
            let described = input.attr("aria-describedby").await.unwrap().unwrap_or_default();
            assert!(described.split(' ').any(|d| d == format!("{id}-error")), "{id}: {described}");
            b.by_id(&format!("{id}-error")).await;
        }
        let code = b.by_id("code").await.attr("aria-describedby").await.unwrap();
        assert_eq!(code.as_deref(), Some("code-hint code-error"), "the hint stays described");

        // Filled in, it saves and lands on the procedure's page.
        for (id, value) in [("code", "1.999109.H40"), ("name", "Cấp giấy phép thử nghiệm trình duyệt"), ("sector_code", "TN"),
            ("sector_name", "Thử nghiệm"), ("implementing_agency", "Sở Tư pháp"), ("decision_number", "12/QĐ-UBND"),
            ("result_name", "Giấy phép thử nghiệm")] {
            b.fill(id, value).await;
        }
        assert_eq!(b.follow(By::Css(SUBMIT)).await, "/quan-tri/thu-tuc/1.999109.H40?ok=created");
        b.axe().await;
        b.click_to("Tạo phiên bản mới", "/quan-tri/thu-tuc/1.999109.H40/sua-doi").await;
        assert_eq!(b.by_id("name").await.value().await.unwrap().as_deref(), Some("Cấp giấy phép thử nghiệm trình duyệt"));
        b.axe().await;
        b.quit().await;
    }
}
