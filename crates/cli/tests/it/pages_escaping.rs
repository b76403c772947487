//! Markup in every free-text value the public, citizen, officer and counter pages show (applicant's answers as
//! typed, address, agency names, supplement items and reasons, file names, result name and
//! number, rating comment, login and tracking inputs) and the catalog's create/amend form (every
//! field as typed, the stored spec and its JSON) comes out escaped: no `<script>` or `<img` from
//! the data and no `javascript:` link.

use crate::browser::{Browser, Page};
use crate::catalog_admin::{spec_fields, spec_json};
use crate::counter_pages::post_multipart;
use crate::pages_golden::file_online;
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = r#""><img src=x onerror=alert(1)>"#;
const JS: &str = "javascript:alert(1)";
const PDF: &[u8] = motcua_testkit::files::PDF;

fn evil(label: &str) -> String {
    format!("{label} {SCRIPT}{IMG}{JS}")
}

/// The page shows `label`'s value, escaped, and nothing of it raw.
#[track_caller]
fn escaped(p: &Page, labels: &[&str]) {
    let body = p.body.to_lowercase();
    assert!(!body.contains("<script>alert"), "raw <script> from the data: {}", p.body);
    assert!(!body.contains("<img src=x"), "raw <img from the data: {}", p.body);
    assert!(!body.contains(r#"href="javascript:"#), "javascript: link: {}", p.body);
    for label in labels {
        let at = p.body.find(&format!("{label} ")).unwrap_or_else(|| panic!("{label} is not on the page: {}", p.body));
        // `&#60;` and `&lt;` are the same escape.
        let shown = p.body[at..].replace("&#60;", "&lt;").replace("&#62;", "&gt;");
        assert!(
            shown.starts_with(&format!("{label} &lt;script&gt;alert(1)&lt;/script&gt;")),
            "{label} shown escaped: {}",
            &shown[..shown.len().min(200)]
        );
    }
}

/// File names are stored without `<>"` (`attachment::safe_name`); what remains (`&`, `'`) is
/// escaped on the page.
const FILE_TAIL: &str = "<img src=x onerror=alert(1)> & 'q'.pdf";

#[track_caller]
fn shows_file(p: &Page, label: &str) {
    escaped(p, &[]);
    let at = p.body.find(&format!("{label} ")).unwrap_or_else(|| panic!("{label} is not on the page: {}", p.body));
    let shown = p.body[at..].replace("&#38;", "&amp;").replace("&#39;", "'");
    let want = format!("{label} _img src=x onerror=alert(1)_ &amp; 'q'.pdf");
    assert!(shown.starts_with(&want), "{want}: {}", &shown[..shown.len().min(200)]);
}

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
    async fn markup_in_the_data_is_escaped_on_every_public_and_citizen_page(app) {
        let admin = app.login("admin").await;
        for (code, label) in [("000.00.01.H40", "AGENCY"), ("000.00.20.H40", "CENTRE")] {
            let id = app.agency_id(code).await;
            let (s, b) = admin.post(&format!("/api/v1/agencies/{id}/rename"), json!({"name": evil(label)})).await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }

        // Login and tracking inputs come back in the re-rendered forms.
        let anon = Browser::new(&app);
        let p = anon.post("/dang-nhap", &[("username", evil("USER")), ("password", "x".into()), ("next", format!("/{}", evil("NEXT")))]).await;
        escaped(&p, &["USER"]);
        let p = anon.get(&format!("/dang-nhap?next=/{}", urlencode(&evil("NEXT")))).await;
        escaped(&p, &[]);
        assert!(!p.body.contains(r#"value="/NEXT "><"#), "next escaped in its attribute: {}", p.body);
        let p = anon.get(&format!("/tra-cuu?code={}&check=1234", urlencode(&evil("CODE")))).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        escaped(&p, &["CODE"]);

        // The wizard: the applicant's answers as typed, the address, the file names.
        let b = Browser::login(&app, "congdan").await;
        let p = b.get("/nop-ho-so/1.910201.H40").await;
        let bad = b.post("/nop-ho-so/1.910201.H40", &[("csrf_token", p.csrf()), ("name", evil("NAME")), ("address", evil("ADDRESS"))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        escaped(&bad, &["NAME", "ADDRESS"]);
        let address = evil("ADDRESS");
        let applicant = [("name", "Nguyễn Văn An"), ("id_number", "037092001234"), ("phone", "0912345678"), ("address", address.as_str())];
        let file_name = format!("FILE {FILE_TAIL}");
        let id = file_online(&b, &applicant, &file_name, false).await;
        let receipt = b.get(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await;
        escaped(&receipt, &["CENTRE"]);
        escaped(&b.get("/ho-so-cua-toi").await, &[]);

        // Supplement items and reasons, the supplement's file name.
        let clerk = app.login("tiepnhan").await;
        let d = step(&clerk, &dossier(&clerk, &id).await, "receive", json!({})).await;
        let code = d["code"].as_str().unwrap().to_string();
        let d = step(&clerk, &d, "forward", json!({})).await;
        let specialist = app.login("chuyenvien").await;
        step(&specialist, &d, "supplement-requests", json!({"items": [
            {"component_key": "anh_the", "name": evil("ITEM"), "reason": evil("REASON")}]})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        escaped(&p, &["AGENCY", "ITEM", "REASON"]);
        shows_file(&p, "FILE");
        let r = post_multipart(&b, &format!("/ho-so-cua-toi/{id}/bo-sung/tep"),
            &[("csrf_token", p.csrf()), ("component_key", "anh_the".into())], &[("file", &format!("SUPP {FILE_TAIL}"), "application/pdf", PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        shows_file(&p, "SUPP");
        let bad = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("comment", evil("COMMENT"))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        escaped(&bad, &[]);
        let r = b.post(&format!("/ho-so-cua-toi/{id}/bo-sung"), &[("csrf_token", p.csrf()), ("note", evil("NOTE"))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        // The result's name, number and file name; the rating comment.
        let d = dossier(&clerk, &id).await;
        step(&specialist, &d, "forward", json!({})).await;
        let leader = app.login("lanhdao").await;
        let (s, d) = leader
            .raw(reqwest::Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=RESULTFILE%20{}", urlencode(FILE_TAIL)), "application/pdf", PDF.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": evil("RESULT"), "number": evil("NUMBER")})).await;
        step(&clerk, &d, "return", json!({"method": "counter"})).await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        escaped(&p, &["RESULT", "NUMBER"]);
        shows_file(&p, "RESULTFILE");
        let bad = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("comment", evil("COMMENT"))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        escaped(&bad, &["COMMENT"]);
        let r = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("satisfied", "yes".into()), ("comment", evil("COMMENT"))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        escaped(&b.get(&format!("/ho-so-cua-toi/{id}")).await, &["COMMENT", "RESULT"]);
        escaped(&b.get(&format!("/ho-so-cua-toi/{id}?lang=en")).await, &["COMMENT"]);
        escaped(&b.get("/ho-so-cua-toi").await, &[]);

        // The officer's side: the dossier page (every free text of the dossier, in the summary,
        // the outcome and the timeline), the control slip, the receipt, the register, the
        // inbox and counter searches as typed, and the reception form as typed.
        let officer = Browser::login(&app, "tiepnhan").await;
        let p = officer.get(&format!("/can-bo/ho-so/{id}")).await;
        assert_eq!(p.status, StatusCode::OK);
        escaped(&p, &["ADDRESS", "AGENCY", "CENTRE", "RESULT", "NUMBER", "ITEM", "NOTE"]);
        // The rating is the leader's to read, not the handling officers' (issue #18).
        assert!(!p.body.contains("COMMENT "), "{}", p.body);
        escaped(&Browser::login(&app, "lanhdao").await.get(&format!("/can-bo/ho-so/{id}")).await, &["COMMENT"]);
        shows_file(&p, "FILE");
        shows_file(&p, "RESULTFILE");
        escaped(&officer.get(&format!("/can-bo/ho-so/{id}/phieu-kiem-soat")).await, &["AGENCY", "CENTRE"]);
        escaped(&officer.get(&format!("/can-bo/ho-so/{id}/giay-tiep-nhan")).await, &["CENTRE", "ADDRESS"]);
        escaped(&officer.get("/can-bo/so-theo-doi?from=2000-01-01&to=2000-12-31").await, &[]);
        escaped(&officer.get(&format!("/can-bo/ho-so?q={}", urlencode(&evil("SEARCH")))).await, &["SEARCH"]);
        escaped(&officer.get(&format!("/can-bo/tiep-nhan?q={}", urlencode(&evil("PROCEDURE")))).await, &["PROCEDURE"]);
        let p = officer.get(&format!("/can-bo/tiep-nhan?ma={}", urlencode(&evil("CODE")))).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        escaped(&p, &["CODE"]);
        let form = officer.get("/can-bo/tiep-nhan?thu_tuc=1.910201.H40").await;
        let bad = post_multipart(&officer, "/can-bo/tiep-nhan",
            &[("csrf_token", form.csrf()), ("procedure_code", "1.910201.H40".into()), ("applicant.name", evil("APPLICANT")),
              ("applicant.address", evil("WHERE")), ("summary", evil("SUMMARY"))], &[]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        escaped(&bad, &["APPLICANT", "WHERE", "SUMMARY"]);

        // Public tracking shows the agency's name.
        let p = anon.get(&format!("/tra-cuu?code={code}&check=1234")).await;
        assert_eq!(p.status, StatusCode::OK);
        escaped(&p, &["AGENCY"]);
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

both_backends! {
    async fn markup_in_agency_and_user_names_is_escaped_on_admin_pages(app) {
        let commune = Browser::login(&app, "admin.hoalu").await;
        let p = commune.get("/quan-tri/co-quan").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let r = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", hoalu), ("kind", "unit".into()),
            ("code", "000.09.31.H40".into()), ("name", evil("Agency"))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        escaped(&commune.get("/quan-tri/co-quan").await, &["Agency"]);
        let unit = app.agency_id("000.09.31.H40").await;
        let r = commune.post("/quan-tri/nguoi-dung", &[("csrf_token", p.csrf()), ("username", "cv.evil".into()), ("full_name", "Lý Thị Hoa".into()),
            ("password", "Motcua@2026".into()), ("agency_id", unit), ("role", "specialist".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Full names are letters only (the use case refuses markup); the unit's name is free text.
        escaped(&commune.get("/quan-tri/nguoi-dung").await, &["Agency"]);
        let uid = app.user_id("cv.evil").await;
        escaped(&commune.get(&format!("/quan-tri/nguoi-dung/{uid}/khoa")).await, &["Agency"]);
        // Markup typed into a form comes back escaped with the errors.
        let bad = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", app.agency_id("000.00.31.H40").await), ("kind", "unit".into()), ("code", "not a code".into()), ("name", evil("Typed"))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body = bad.body.to_lowercase();
        assert!(!body.contains("<script>alert") && !body.contains("<img src=x"), "{}", bad.body);
    }
}

both_backends! {
    async fn markup_in_the_catalog_form_is_escaped(app) {
        let b = Browser::login(&app, "admin").await;
        let new = b.get("/quan-tri/thu-tuc/moi").await;
        let mut json: Value = serde_json::from_str(&spec_json(&new)).unwrap();
        json["target_subjects"] = evil("SUBJECTS").into();
        json["steps"] = json!([evil("STEP")]);
        json["methods"] = json!([{"channel": "counter", "description": evil("METHOD")}]);
        let json = serde_json::to_string_pretty(&json).unwrap();
        let rows = |fields: &mut Vec<(&'static str, String)>, name: String, note: String| {
            fields.extend([("components_form", "1".to_string()), ("comp_key_0", "".into()), ("comp_name_0", name),
                ("comp_required_0", "1".into()), ("comp_originals_0", "1".into()), ("comp_copies_0", "0".into()),
                ("comp_template_0", "".into()), ("comp_note_0", note)]);
        };

        // Every field as typed comes back escaped in the re-rendered form.
        let mut fields = spec_fields(&new.csrf(), "1.999108.H40", "5", &json, "now", "");
        for (k, v) in fields.iter_mut() {
            let label = match *k {
                "code" => "PCODE", "name" => "PNAME", "sector_code" => "SECTCODE", "sector_name" => "SECTNAME",
                "implementing_agency" => "IMPL", "agency_code" => "AGCODE", "tl_value" => "TLVAL", "cutoff" => "CUTOFF",
                "fee_name_0" => "FEEN", "fee_amount_0" => "FEEA", "fee_exemptions_0" => "FEEX", "decision_number" => "DECNO",
                "decision_date" => "DECDATE", "result_name" => "RESN", "effective_from" => "EFF",
                _ => continue,
            };
            *v = evil(label);
        }
        rows(&mut fields, evil("CNAME"), evil("CNOTE"));
        fields.extend([("comp_key_1", evil("CKEY")), ("comp_name_1", "Tờ khai".into()), ("comp_originals_1", evil("CORIG")),
            ("comp_copies_1", evil("CCOPY")), ("comp_template_1", evil("CTMPL")), ("comp_note_1", "".into())]);
        let bad = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        escaped(&bad, &["PCODE", "PNAME", "SECTCODE", "SECTNAME", "IMPL", "AGCODE", "TLVAL", "CUTOFF", "FEEN", "FEEA",
            "FEEX", "DECNO", "DECDATE", "RESN", "EFF", "CNAME", "CNOTE", "CKEY", "CORIG", "CCOPY", "CTMPL", "SUBJECTS", "STEP", "METHOD"]);
        let bad = b.post("/quan-tri/thu-tuc/moi?lang=en", &fields).await;
        escaped(&bad, &["PNAME", "CNOTE", "SUBJECTS"]);

        // Free text the catalog accepts is stored as typed and shown escaped in the amend form
        // (its fields and the JSON) and on the procedure's admin page.
        let mut fields = spec_fields(&new.csrf(), "1.999108.H40", "5", &json, "draft", "");
        for (k, v) in fields.iter_mut() {
            let label = match *k {
                "name" => "PNAME", "sector_name" => "SECTNAME", "implementing_agency" => "IMPL", "fee_name_0" => "FEEN",
                "fee_exemptions_0" => "FEEX", "decision_number" => "DECNO", "result_name" => "RESN",
                _ => continue,
            };
            *v = evil(label);
        }
        rows(&mut fields, evil("CNAME"), evil("CNOTE"));
        let r = b.post("/quan-tri/thu-tuc/moi", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let form = b.get("/quan-tri/thu-tuc/1.999108.H40/sua-doi").await;
        assert_eq!(form.status, StatusCode::OK);
        escaped(&form, &["PNAME", "SECTNAME", "IMPL", "FEEN", "FEEX", "DECNO", "RESN", "CNAME", "CNOTE", "SUBJECTS", "STEP", "METHOD"]);
        escaped(&b.get("/quan-tri/thu-tuc/1.999108.H40").await, &["PNAME"]);
    }
}
