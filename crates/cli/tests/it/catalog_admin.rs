//! The catalog administration pages (`/quan-tri/thu-tuc`), driven like a browser without
//! JavaScript, on both backends.

use crate::browser::{Browser, Page};
use motcua_testkit::both_backends;
use reqwest::StatusCode;
use serde_json::Value;

/// The text of the advanced JSON textarea, unescaped.
pub(crate) fn spec_json(p: &Page) -> String {
    let at = p.body.find(r#"name="spec_json""#).expect("spec_json textarea");
    let rest = &p.body[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest.find("</textarea>").unwrap();
    unescape(&rest[start..end])
}

/// Undoes HTML escaping, named (`&quot;`) or numeric (`&#34;`, as askama writes it).
fn unescape(s: &str) -> String {
    let mut s = s.to_string();
    for (from, to) in
        [("&lt;", "<"), ("&#60;", "<"), ("&gt;", ">"), ("&#62;", ">"), ("&quot;", "\""), ("&#34;", "\""), ("&#39;", "'")]
    {
        s = s.replace(from, to);
    }
    s.replace("&#38;", "&").replace("&amp;", "&")
}

fn tomorrow() -> String {
    motcua_domain::calendar::local_date_ms(motcua_app::now_ms()).tomorrow().unwrap().to_string()
}

fn today() -> String {
    motcua_domain::calendar::local_date_ms(motcua_app::now_ms()).to_string()
}

/// The create/amend form as a browser sends it (checked boxes only).
pub(crate) fn spec_fields(
    csrf: &str,
    code: &str,
    tl_value: &str,
    spec_json: &str,
    publish: &str,
    effective: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("csrf_token", csrf.into()),
        ("code", code.into()),
        ("name", "Cấp giấy phép thử nghiệm biểu mẫu quản trị".into()),
        ("sector_code", "TN".into()),
        ("sector_name", "Thử nghiệm".into()),
        ("level_province", "1".into()),
        ("implementing_agency", "Sở Tư pháp".into()),
        ("agency_code", "".into()),
        ("tl_value", tl_value.into()),
        ("tl_unit", "working_days".into()),
        ("cutoff", "15:00".into()),
        ("online_level", "none".into()),
        ("postal_excluded", "1".into()),
        ("fee_name_0", "Lệ phí cấp giấy phép".into()),
        ("fee_amount_0", "20000".into()),
        ("fee_collected_0", "at_reception".into()),
        ("fee_exemptions_0", "".into()),
        ("fee_name_1", "".into()),
        ("fee_amount_1", "".into()),
        ("fee_collected_1", "at_reception".into()),
        ("fee_exemptions_1", "".into()),
        ("decision_number", "123/QĐ-UBND".into()),
        ("decision_date", "2026-01-15".into()),
        ("result_name", "Giấy phép thử nghiệm".into()),
        ("result_paper", "1".into()),
        ("publish", publish.into()),
        ("effective_from", effective.into()),
        ("spec_json", spec_json.into()),
    ]
}

/// The methods of the blank spec include postal; a form that excludes postal must drop it.
fn without_postal(spec_json: &str) -> String {
    let mut v: Value = serde_json::from_str(spec_json).unwrap();
    v["methods"] = serde_json::json!([{"channel": "counter", "description": ""}]);
    serde_json::to_string_pretty(&v).unwrap()
}

async fn new_form(b: &Browser) -> (String, String) {
    let p = b.get("/quan-tri/thu-tuc/moi").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    (p.csrf(), without_postal(&spec_json(&p)))
}

both_backends! {
    async fn anonymous_visitor_is_sent_to_login(app) {
        let b = Browser::new(&app);
        let p = b.get("/quan-tri/thu-tuc/moi?lang=en").await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert_eq!(p.location(), "/dang-nhap?next=%2Fquan-tri%2Fthu-tuc%2Fmoi%3Flang%3Den&lang=en");
        let before = app.count("procedure_versions").await;
        let p = b.post("/quan-tri/thu-tuc/moi", &[("code", "1.999199.H40".into())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER);
        assert!(p.location().starts_with("/dang-nhap"), "{}", p.location());
        assert_eq!(app.count("procedure_versions").await, before);
        // After logging in, the visitor lands where they were going.
        let p = b.post("/dang-nhap", &[("username", "admin".into()), ("password", "Motcua@2026".into()), ("next", "/quan-tri/thu-tuc/moi?lang=en".into())]).await;
        assert_eq!(p.location(), "/quan-tri/thu-tuc/moi?lang=en");
        let p = b.get(p.location()).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("Add an administrative procedure"));
    }

    async fn form_post_without_csrf_token_is_refused(app) {
        let b = Browser::login(&app, "admin").await;
        let (csrf, json) = new_form(&b).await;
        let versions = app.count("procedure_versions").await;
        let audit = app.count("audit_events").await;
        let mut fields = spec_fields(&csrf, "1.999102.H40", "5", &json, "now", &today());
        fields.retain(|(k, _)| *k != "csrf_token");
        let p = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        assert!(p.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        assert!(p.body.contains("CSRF"), "{}", p.body);
        fields.push(("csrf_token", "0".repeat(64)));
        assert_eq!(b.post("/quan-tri/thu-tuc/moi", &fields).await.status, StatusCode::FORBIDDEN);
        // The right token from another site's page is refused too.
        let good = spec_fields(&csrf, "1.999102.H40", "5", &json, "now", &today());
        assert_eq!(b.post_with("/quan-tri/thu-tuc/moi", &good, Some("https://evil.example")).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.count("procedure_versions").await, versions);
        assert_eq!(app.count("audit_events").await, audit);
        // The same form with the token goes through.
        let p = b.post("/quan-tri/thu-tuc/moi", &good).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(app.count("procedure_versions").await, versions + 1);
    }

    async fn specialist_gets_403_on_admin_pages(app) {
        let admin = Browser::login(&app, "admin").await;
        let (csrf, json) = new_form(&admin).await;
        let p = admin.post("/quan-tri/thu-tuc/moi", &spec_fields(&csrf, "1.999103.H40", "5", &json, "now", &today())).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);

        let b = Browser::login(&app, "chuyenvien").await;
        for path in ["/quan-tri/thu-tuc", "/quan-tri/thu-tuc/moi", "/quan-tri/thu-tuc/1.999103.H40",
                     "/quan-tri/thu-tuc/1.999103.H40/sua-doi", "/quan-tri/thu-tuc/1.999103.H40/so-sanh?from=1&to=1"] {
            let p = b.get(path).await;
            assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
            assert!(p.body.contains("<h1>Không có quyền truy cập</h1>"), "{path}: {}", p.body);
        }
        // A commune administrator is not a province administrator either.
        assert_eq!(Browser::login(&app, "admin.hoalu").await.get("/quan-tri/thu-tuc").await.status, StatusCode::FORBIDDEN);
        // A POST with the session's right CSRF token still cannot change the catalog.
        let me: Value = b.http.get(format!("{}/api/v1/auth/me", app.url)).send().await.unwrap().json().await.unwrap();
        let csrf = me["csrf_token"].as_str().unwrap().to_string();
        let p = b.post("/quan-tri/thu-tuc/1.999103.H40/bai-bo", &[("csrf_token", csrf), ("abolish_effective", tomorrow())]).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN);
        let (_, v) = app.client().get("/api/v1/procedures/1.999103.H40/versions").await;
        assert_eq!(v[0]["status"], "published");
    }

    async fn admin_creates_amends_diffs_and_abolishes(app) {
        let b = Browser::login(&app, "admin").await;
        let home = b.get("/").await;
        assert!(home.body.contains(r#"href="/quan-tri/thu-tuc""#), "admins see the admin link on the home page");
        let specialist_home = Browser::login(&app, "chuyenvien").await.get("/").await.body;
        assert!(!specialist_home.contains(r#"href="/quan-tri/thu-tuc""#));
        assert!(specialist_home.contains(r#"href="/can-bo/ho-so""#), "officers see their inbox link");
        let counter_home = Browser::login(&app, "tiepnhan").await.get("/?lang=en").await.body;
        assert!(counter_home.contains(r#"href="/can-bo/tiep-nhan?lang=en""#) && counter_home.contains("Counter reception"), "{counter_home}");
        let list = b.get("/quan-tri/thu-tuc?q=khai+sinh").await;
        assert_eq!(list.status, StatusCode::OK);
        assert!(list.body.contains("khai sinh") && list.body.contains(r#"href="/quan-tri/thu-tuc/moi""#), "{}", list.body);
        let audit = app.count("audit_events").await;

        // Create, in force from today.
        let (csrf, json) = new_form(&b).await;
        let code = "1.999104.H40";
        let p = b.post("/quan-tri/thu-tuc/moi", &spec_fields(&csrf, code, "5", &json, "now", &today())).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), format!("/quan-tri/thu-tuc/{code}?ok=created"));
        let (s, v1) = app.client().get(&format!("/api/v1/procedures/{code}")).await;
        assert_eq!(s, StatusCode::OK, "{v1}");
        assert_eq!(v1["spec"]["time_limit"]["value"], 5);
        assert_eq!(v1["spec"]["fees"][0]["amount"], 20000);
        assert_eq!(v1["spec"]["counting"]["same_day_cutoff"], "15:00:00");
        assert_eq!(v1["spec"]["postal_excluded"], true);
        assert_eq!(v1["spec"]["components"][0]["key"], "don_de_nghi", "the JSON supplies the rest");

        // Amend the time limit from tomorrow; the form starts from the current version.
        let form = b.get(&format!("/quan-tri/thu-tuc/{code}/sua-doi")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains(r#"id="tl_value" name="tl_value" type="text" value="5""#), "{}", form.body);
        assert!(form.body.contains(&format!(r#"id="effective_from" name="effective_from" type="date" value="{}""#, tomorrow())), "default: tomorrow");
        let fields = spec_fields(&form.csrf(), code, "7", &spec_json(&form), "now", &tomorrow());
        let p = b.post(&format!("/quan-tri/thu-tuc/{code}/sua-doi"), &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (_, now) = app.client().get(&format!("/api/v1/procedures/{code}")).await;
        assert_eq!(now["version"], 1, "today's version is unchanged");
        assert_eq!(now["spec"]["time_limit"]["value"], 5);
        let (_, later) = app.client().get(&format!("/api/v1/procedures/{code}?at={}", tomorrow())).await;
        assert_eq!(later["version"], 2);
        assert_eq!(later["spec"]["time_limit"]["value"], 7);

        // The versions page and the diff.
        let page = b.get(&format!("/quan-tri/thu-tuc/{code}?ok=amended")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Đã tạo phiên bản mới.") && page.body.contains("Đã được sửa đổi"), "{}", page.body);
        let d = b.get(&format!("/quan-tri/thu-tuc/{code}/so-sanh?from=1&to=2")).await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.body.matches(r#"<tr><th scope="row">"#).count(), 1, "only the time limit changed: {}", d.body);
        // Field names and values in words, no JSON keys or JSON text (issue #10 item 10).
        assert!(d.body.contains(r#"<th scope="row">Thời hạn giải quyết</th>"#), "{}", d.body);
        assert!(d.body.contains("<td>5 ngày làm việc</td>") && d.body.contains("<td>7 ngày làm việc</td>"), "{}", d.body);
        assert!(!d.body.contains("time_limit") && !d.body.contains("&quot;") && !d.body.contains("working_days"), "{}", d.body);

        // Abolish from a date.
        let p = b.post(&format!("/quan-tri/thu-tuc/{code}/bai-bo"), &[("csrf_token", page.csrf()), ("abolish_effective", "2099-01-01".into())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        assert_eq!(p.location(), format!("/quan-tri/thu-tuc/{code}?ok=abolished"));
        let (s, _) = app.client().get(&format!("/api/v1/procedures/{code}?at=2099-01-02")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, v) = app.client().get(&format!("/api/v1/procedures/{code}?at=2098-12-31")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["version"], 2);
        let (_, vs) = app.client().get(&format!("/api/v1/procedures/{code}/versions")).await;
        assert_eq!(vs[1]["status"], "abolished");
        // Every step was audited by the use cases.
        let admin = app.login("admin").await;
        let (_, events) = admin.get(&format!("/api/v1/audit?entity_kind=procedure&entity_id={code}")).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["procedure.created", "procedure.version_added", "procedure.published", "procedure.abolished"] {
            assert!(actions.contains(&a), "{a}: {actions:?}");
        }
        assert!(app.count("audit_events").await > audit);
    }

    async fn draft_is_published_and_replaced_from_pages(app) {
        let b = Browser::login(&app, "admin").await;
        let (csrf, json) = new_form(&b).await;
        let p = b.post("/quan-tri/thu-tuc/moi", &spec_fields(&csrf, "1.999105.H40", "5", &json, "draft", "")).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (s, _) = app.client().get("/api/v1/procedures/1.999105.H40").await;
        assert_eq!(s, StatusCode::NOT_FOUND, "a draft is not in force");
        // A full code finds the draft in the admin search.
        let list = b.get("/quan-tri/thu-tuc?q=1.999105.h40").await;
        assert!(list.body.contains(r#"href="/quan-tri/thu-tuc/1.999105.H40""#), "{}", list.body);
        let page = b.get("/quan-tri/thu-tuc/1.999105.H40").await;
        assert!(page.body.contains("Dự thảo") && page.body.contains(r#"id="publish_version""#), "{}", page.body);
        let p = b.post("/quan-tri/thu-tuc/1.999105.H40/cong-bo", &[("csrf_token", page.csrf()), ("publish_version", "1".into()), ("publish_effective", today())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (s, v) = app.client().get("/api/v1/procedures/1.999105.H40").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "published");

        // Replace: an unknown replacing code is a 422 on the field; a known one works.
        let page = b.get("/quan-tri/thu-tuc/1.999105.H40").await;
        let p = b.post("/quan-tri/thu-tuc/1.999105.H40/thay-the", &[("csrf_token", page.csrf()), ("replace_by", "1.999999.H40".into()), ("replace_effective", tomorrow())]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains(r##"<a href="#replace_by">Không tìm thấy thủ tục thay thế trong danh mục.</a>"##), "{}", p.body);
        assert!(p.body.contains(r#"value="1.999999.H40""#), "value kept");
        let other = app.client().get("/api/v1/procedures?limit=1&q=khai+sinh").await.1["items"][0]["code"].as_str().unwrap().to_string();
        let p = b.post("/quan-tri/thu-tuc/1.999105.H40/thay-the", &[("csrf_token", page.csrf()), ("replace_by", other.clone()), ("replace_effective", tomorrow())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (_, vs) = app.client().get("/api/v1/procedures/1.999105.H40/versions").await;
        assert_eq!(vs[0]["status"], "replaced");
    }

    async fn bad_form_input_is_422_keeps_values_and_writes_nothing(app) {
        let b = Browser::login(&app, "admin").await;
        let (csrf, json) = new_form(&b).await;
        let versions = app.count("procedure_versions").await;
        let audit = app.count("audit_events").await;
        let mut fields = spec_fields(&csrf, "1.999106.H40", "năm", &json, "now", &today());
        for (k, v) in fields.iter_mut() {
            match *k {
                "name" => *v = "Abc".into(),
                "fee_amount_0" => *v = "-5".into(),
                "decision_date" => *v = "15/01/2026".into(),
                _ => {}
            }
        }
        let p = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert!(p.body.contains(r#"class="error-summary""#) && p.body.contains("Có lỗi"), "{}", p.body);
        for id in ["name", "tl_value", "fee_amount_0", "decision_date"] {
            assert!(p.body.contains(&format!(r##"<li><a href="#{id}">"##)), "summary links to {id}: {}", p.body);
            assert!(p.body.contains(&format!(r#"id="{id}-error""#)), "inline error for {id}");
        }
        for kept in [r#"value="Abc""#, r#"value="năm""#, r#"value="-5""#, r#"value="15/01/2026""#, r#"value="1.999106.H40""#, r#"value="Lệ phí cấp giấy phép""#] {
            assert!(p.body.contains(kept), "{kept} kept");
        }
        assert!(p.body.contains(r#"id="level_province" name="level_province" type="checkbox" value="1" checked"#), "checkbox kept");
        assert_eq!(app.count("procedure_versions").await, versions);
        assert_eq!(app.count("audit_events").await, audit);

        // Broken JSON: the advanced section opens with the error; English on request.
        let broken = spec_fields(&csrf, "1.999106.H40", "5", "{\"components\": [", "now", &today());
        let p = b.post("/quan-tri/thu-tuc/moi?lang=en", &broken).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("There is a problem") && p.body.contains(r##"<a href="#spec_json">"##), "{}", p.body);
        assert!(p.body.contains(r#"<details class="advanced" open>"#));
        assert!(unescape(&p.body).contains("{\"components\": ["), "the JSON is kept");
        // A domain rule on a part only the JSON holds points at the textarea.
        let mut no_components: Value = serde_json::from_str(&json).unwrap();
        no_components["components"][0]["originals"] = 0.into();
        let p = b.post("/quan-tri/thu-tuc/moi", &spec_fields(&csrf, "1.999106.H40", "5", &no_components.to_string(), "now", &today())).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains(r##"<a href="#spec_json">Thành phần hồ sơ phải có số lượng bản chính hoặc bản sao. (JSON: components[0])</a>"##), "{}", p.body);
        // An effective date before the version in force is refused by the use case, on the field.
        let ok = b.post("/quan-tri/thu-tuc/moi", &spec_fields(&csrf, "1.999106.H40", "5", &json, "now", &today())).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let form = b.get("/quan-tri/thu-tuc/1.999106.H40/sua-doi").await;
        let before = app.count("procedure_versions").await;
        let p = b.post("/quan-tri/thu-tuc/1.999106.H40/sua-doi", &spec_fields(&form.csrf(), "", "9", &spec_json(&form), "now", "2020-01-01")).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert!(p.body.contains(r##"<li><a href="#effective_from">"##), "{}", p.body);
        assert!(p.body.contains(r#"value="9""#));
        // The action forms too: an empty date.
        let page = b.get("/quan-tri/thu-tuc/1.999106.H40").await;
        let p = b.post("/quan-tri/thu-tuc/1.999106.H40/bai-bo", &[("csrf_token", page.csrf()), ("abolish_effective", "".into())]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains(r##"<a href="#abolish_effective">Chọn ngày có hiệu lực.</a>"##), "{}", p.body);
        assert_eq!(app.count("procedure_versions").await, before);
    }
}

both_backends! {
    async fn components_are_edited_with_a_form_not_json(app) {
        let b = Browser::login(&app, "admin").await;
        let (csrf, json) = new_form(&b).await;
        let mut fields = spec_fields(&csrf, "1.999106.H40", "5", &json, "now", &today());
        fields.extend([
            ("components_form", "1".to_string()),
            ("comp_key_0", "".into()), ("comp_name_0", "Đơn đề nghị cấp giấy phép".into()), ("comp_required_0", "1".into()),
            ("comp_originals_0", "1".into()), ("comp_copies_0", "0".into()), ("comp_template_0", "don_de_nghi.docx".into()), ("comp_note_0", "".into()),
            ("comp_key_1", "".into()), ("comp_name_1", "".into()), ("comp_originals_1", "".into()), ("comp_copies_1", "".into()),
            ("comp_template_1", "".into()), ("comp_note_1", "".into()),
        ]);
        let p = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let (_, v) = app.client().get("/api/v1/procedures/1.999106.H40").await;
        let c = &v["spec"]["components"];
        assert_eq!(c.as_array().map(Vec::len), Some(1), "{v}");
        assert_eq!(c[0]["name"], "Đơn đề nghị cấp giấy phép");
        assert_eq!(c[0]["required"], true);
        assert_eq!(c[0]["originals"], 1);
        assert_eq!(c[0]["template"], "don_de_nghi.docx");
        assert!(!c[0]["key"].as_str().unwrap_or("").is_empty(), "a key is made from the name");

        // The amend form shows each component in its own fields, and one spare row.
        let form = b.get("/quan-tri/thu-tuc/1.999106.H40/sua-doi").await;
        assert!(form.body.contains(r#"name="comp_name_0" type="text" value="Đơn đề nghị cấp giấy phép""#), "{}", form.body);
        assert!(form.body.contains(r#"name="comp_name_1""#) && form.body.contains(r#"name="comp_required_0" type="checkbox" value="1" checked"#), "{}", form.body);
        // A row with copies but no name is refused at its field, and nothing is written.
        let mut bad = spec_fields(&form.csrf(), "1.999106.H40", "5", &spec_json(&form), "now", &tomorrow());
        bad.extend([("components_form", "1".to_string()), ("comp_key_0", "".into()), ("comp_name_0", "".into()),
            ("comp_originals_0", "abc".into()), ("comp_copies_0", "2".into()), ("comp_template_0", "".into()), ("comp_note_0", "".into())]);
        let r = b.post("/quan-tri/thu-tuc/1.999106.H40/sua-doi", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(r##"href="#comp_name_0""##) && r.body.contains(r##"href="#comp_originals_0""##), "{}", r.body);
        let (_, vs) = app.client().get("/api/v1/procedures/1.999106.H40/versions").await;
        assert_eq!(vs.as_array().map(Vec::len), Some(1));
    }
}
