//! Golden snapshots of the administration pages (agencies, users, workflows, calendar, the
//! public year calendar, the catalog administration and its create/amend form, the access
//! log), recorded from the hand-built pages before their move to templates; normalized as
//! `pages_golden` does.

use crate::browser::{Browser, Page};
use crate::catalog_admin::{spec_fields, spec_json};
use crate::pages_golden::normalize;
use motcua_testkit::both_backends;
use reqwest::StatusCode;

fn snap(name: &str, p: &Page) {
    let body = format!("status: {}\n{}", p.status.as_u16(), normalize(&p.body));
    insta::assert_snapshot!(name, body);
}

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

both_backends! {
    async fn admin_pages_golden(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let anon = Browser::new(&app);
        snap("year_calendar", &anon.get("/lich/2026").await);
        snap("year_calendar_en", &anon.get("/lich/2026?lang=en").await);
        let commune = Browser::login(&app, "admin.hoalu").await;
        snap("agencies_commune", &commune.get("/quan-tri/co-quan").await);
        let p = commune.get("/quan-tri/co-quan").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let bad = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", hoalu), ("kind", "unit".into()),
            ("code", "not a code".into()), ("name", "Bộ phận Văn hóa".into())]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        snap("agencies_errors", &bad);
        snap("users_commune", &commune.get("/quan-tri/nguoi-dung").await);
        let b = Browser::login(&app, "admin").await;
        snap("users_en", &b.get("/quan-tri/nguoi-dung?q=hoalu&lang=en").await);
        snap("workflows", &b.get("/quan-tri/quy-trinh").await);
        snap("workflow", &b.get("/quan-tri/quy-trinh/1.910201.H40").await);
        snap("workflow_en", &b.get("/quan-tri/quy-trinh/1.004873?lang=en").await);
        snap("calendar_admin", &b.get("/quan-tri/lich?nam=2026").await);
        snap("calendar_admin_none", &b.get("/quan-tri/lich?nam=2031&lang=en").await);
        snap("catalog_admin_list", &b.get("/quan-tri/thu-tuc?q=chung+thuc").await);
        snap("catalog_admin_show", &b.get("/quan-tri/thu-tuc/1.910201.H40").await);
        // The access log: the commune administrator's login (the clock is fixed), then a
        // refused search with its errors by field.
        snap("access_log", &b.get("/quan-tri/nhat-ky-truy-cap?user=admin.hoalu&kind=login").await);
        let bad = b.get("/quan-tri/nhat-ky-truy-cap?from=2026-02-30&to=2026-01-01&user=admin.hoalu").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        snap("access_log_errors", &bad);
        snap("access_log_en", &b.get("/quan-tri/nhat-ky-truy-cap?kind=access_log_read&lang=en").await);
    }
}

both_backends! {
    async fn catalog_form_golden(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let b = Browser::login(&app, "admin").await;
        let new = b.get("/quan-tri/thu-tuc/moi").await;
        snap("catalog_form_new", &new);
        snap("catalog_form_new_en", &b.get("/quan-tri/thu-tuc/moi?lang=en").await);
        snap("catalog_form_amend", &b.get("/quan-tri/thu-tuc/1.910201.H40/sua-doi").await);

        // Errors on the fixed fields and on the rows; every value comes back as typed.
        let mut fields = spec_fields(&new.csrf(), "1.999107.H40", "năm", &spec_json(&new), "now", "2026-03-03");
        for (k, v) in fields.iter_mut() {
            match *k {
                "name" => *v = "Abc".into(),
                "fee_amount_0" => *v = "-5".into(),
                "decision_date" => *v = "15/01/2026".into(),
                _ => {}
            }
        }
        fields.extend([
            ("components_form", "1".to_string()),
            ("comp_key_0", "".into()), ("comp_name_0", "".into()), ("comp_required_0", "1".into()),
            ("comp_originals_0", "abc".into()), ("comp_copies_0", "2".into()), ("comp_template_0", "".into()), ("comp_note_0", "Bản sao có chứng thực".into()),
            ("comp_key_1", "".into()), ("comp_name_1", "".into()), ("comp_originals_1", "".into()), ("comp_copies_1", "".into()),
            ("comp_template_1", "".into()), ("comp_note_1", "".into()),
        ]);
        let bad = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        snap("catalog_form_errors", &bad);

        // Broken JSON, in English: the advanced section opens with its error.
        let broken = spec_fields(&new.csrf(), "1.999107.H40", "5", "{\"components\": [", "draft", "");
        let bad = b.post("/quan-tri/thu-tuc/moi?lang=en", &broken).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        snap("catalog_form_json_error_en", &bad);
    }
}
