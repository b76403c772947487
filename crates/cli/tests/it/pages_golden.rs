//! Golden snapshots of the public and citizen pages, rendered through the HTTP app from fixed
//! data (the clock is set; ids, CSRF tokens and form keys are redacted). They were recorded
//! from the hand-written pages before the move to templates, so a template that changes what a
//! page says shows up as a snapshot diff. The HTML is compared one tag or text run a line with
//! whitespace collapsed, so indentation in the templates does not matter.

use crate::browser::{Browser, Page};
use crate::counter_pages::post_multipart;
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROCEDURE: &str = "1.910201.H40";
const PDF: &[u8] = motcua_testkit::files::PDF;
const SIGNED: &[u8] = motcua_testkit::files::SIGNED_PDF;

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// One tag or text run a line, whitespace collapsed, random values redacted, and the
/// equivalent spellings of the escaped characters made one (`&#38;` and `&amp;` are the same
/// `&`; `'` needs no escape in our double-quoted attributes).
pub fn normalize(html: &str) -> String {
    let html = html.replace("&#38;", "&amp;").replace("&#34;", "&quot;").replace("&#39;", "'");
    let html = html.replace("&#60;", "&lt;").replace("&#62;", "&gt;");
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").unwrap();
    let csrf = regex::Regex::new(r#"name="csrf_token" value="[^"]*""#).unwrap();
    let html = csrf.replace_all(&html, r#"name="csrf_token" value="[csrf]""#);
    let html = uuid.replace_all(&html, "[id]");
    // Filing references are random (N + day + 8 characters of Crockford's base32).
    let reference = regex::Regex::new(r"\bN[0-9]{6}-[0-9A-HJKMNP-TV-Z]{8}\b").unwrap();
    let html = reference.replace_all(&html, "[filing-reference]");
    // Rating codes on counter receipts are random 8-digit numbers.
    let rating = regex::Regex::new(r#"<strong class="code">[0-9]{8}</strong>"#).unwrap();
    let html = rating.replace_all(&html, r#"<strong class="code">[rating-code]</strong>"#);
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::new();
    let mut rest: &str = &html;
    while !rest.is_empty() {
        let (piece, next) = if rest.starts_with('<') {
            let end = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        let piece = collapse(piece);
        if !piece.is_empty() {
            out.push_str(&piece);
            out.push('\n');
        }
        rest = next;
    }
    out
}

fn snap(name: &str, p: &Page) {
    let body = format!("status: {}\n{}", p.status.as_u16(), normalize(&p.body));
    insta::assert_snapshot!(name, body);
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

/// Files a dossier through the wizard pages as `b`; returns its id. Snapshots the steps when `record`.
pub async fn file_online(b: &Browser, applicant: &[(&str, &str)], file_name: &str, record: bool) -> String {
    let p = b.get(&format!("/nop-ho-so/{PROCEDURE}")).await;
    if record {
        snap("wizard_applicant", &p);
    }
    let key_at = p.body.find(r#"name="key" value=""#).unwrap() + r#"name="key" value=""#.len();
    let key = p.body[key_at..key_at + 36].to_string();
    let mut fields: Vec<(&str, String)> = vec![("csrf_token", p.csrf()), ("key", key)];
    if record {
        let bad = b.post(&format!("/nop-ho-so/{PROCEDURE}"), &[fields.clone(), vec![("id_number", "12".into())]].concat()).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        snap("wizard_applicant_errors", &bad);
    }
    fields.extend(applicant.iter().map(|(k, v)| (*k, v.to_string())));
    let first = b.post(&format!("/nop-ho-so/{PROCEDURE}"), &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let mut at = first.location().to_string();
    let id = at.split('/').nth(2).unwrap().to_string();
    let mut n = 0;
    while at.contains("/thanh-phan/") {
        let p = b.get(&at).await;
        if record && n == 0 {
            snap("wizard_component", &p);
        }
        let r = post_multipart(b, &at, &[("csrf_token", p.csrf())], &[("file", file_name, "application/pdf", PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        at = r.location().to_string();
        n += 1;
    }
    assert_eq!(at, format!("/ho-so-cua-toi/{id}/xem-lai"));
    let review = b.get(&at).await;
    if record {
        snap("wizard_review", &review);
        let bad = b.post(&format!("/ho-so-cua-toi/{id}/nop"), &[("csrf_token", review.csrf())]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        snap("wizard_review_errors", &bad);
    }
    let r = b.post(&format!("/ho-so-cua-toi/{id}/nop"), &[("csrf_token", review.csrf()), ("declare", "1".into())]).await;
    assert_eq!(r.location(), format!("/ho-so-cua-toi/{id}/bien-nhan"), "{}", r.body);
    id
}

both_backends! {
    async fn public_pages_golden(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let anon = Browser::new(&app);
        snap("home_visitor", &anon.get("/").await);
        snap("home_visitor_en", &anon.get("/?lang=en").await);
        snap("catalog_search", &anon.get("/thu-tuc?q=cong+chung").await);
        snap("procedure", &anon.get(&format!("/thu-tuc/{PROCEDURE}")).await);
        snap("procedure_en", &anon.get(&format!("/thu-tuc/{PROCEDURE}?lang=en")).await);
        snap("tracking_form", &anon.get("/tra-cuu").await);
        snap("tracking_errors_en", &anon.get("/tra-cuu?code=X&check=abcd&lang=en").await);
        snap("login", &anon.get("/dang-nhap?next=%2Fho-so-cua-toi").await);
        let bad = anon.post("/dang-nhap?lang=en", &[("username", "congdan".into()), ("password", "sai".into()), ("next", "/".into())]).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        snap("login_wrong_password_en", &bad);
        let empty = anon.post("/dang-nhap", &[("username", "".into()), ("password", "".into())]).await;
        snap("login_empty", &empty);
    }

    async fn citizen_pages_golden(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let b = Browser::login(&app, "congdan").await;
        snap("home_citizen", &b.get("/").await);
        snap("my_dossiers_empty", &b.get("/ho-so-cua-toi").await);
        snap("dossier_not_found", &b.get("/ho-so-cua-toi/khong-co").await);
        let applicant = [("name", "Nguyễn Văn An"), ("id_number", "037092001234"), ("phone", "0912345678"), ("address", "Số 1 Đinh Tiên Hoàng, Phường Hoa Lư")];
        let id = file_online(&b, &applicant, "ban-scan.pdf", true).await;
        snap("receipt_submitted", &b.get(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await);
        snap("dossier_submitted", &b.get(&format!("/ho-so-cua-toi/{id}")).await);

        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan").await;
        let d = api(&clerk, &id).await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        let code = d["code"].as_str().unwrap().to_string();
        let d = step(&clerk, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        let specialist = app.login("chuyenvien").await;
        step(&specialist, &d, "supplement-requests", json!({"items": [
            {"component_key": "anh_the", "name": "Ảnh thẻ 3x4", "reason": "Ảnh mờ, không nhận diện được"}]})).await;
        snap("receipt_received", &b.get(&format!("/ho-so-cua-toi/{id}/bien-nhan")).await);
        snap("dossier_supplement", &b.get(&format!("/ho-so-cua-toi/{id}")).await);
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        let bad = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf())]).await;
        snap("dossier_rate_refused", &bad);

        app.ctx.clock.set(vn("2026-03-05T10:00:00"));
        let r = post_multipart(&b, &format!("/ho-so-cua-toi/{id}/bo-sung/tep"),
            &[("csrf_token", p.csrf()), ("component_key", "anh_the".into())], &[("file", "anh-moi.pdf", "application/pdf", PDF)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = b.post(&format!("/ho-so-cua-toi/{id}/bo-sung"), &[("csrf_token", p.csrf()), ("note", "Đã bổ sung ảnh rõ nét".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        app.ctx.clock.set(vn("2026-03-17T09:00:00"));
        let d = api(&clerk, &id).await;
        step(&specialist, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-18T16:00:00"));
        let leader = app.login("lanhdao").await;
        let (s, d) = leader
            .raw(reqwest::Method::PUT, &format!("/api/v1/dossiers/{id}/components/result/files?name=the-ccv.pdf"), "application/pdf", SIGNED.to_vec())
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let d = step(&leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        step(&clerk, &d, "return", json!({"method": "counter"})).await;

        snap("my_dossiers", &b.get("/ho-so-cua-toi").await);
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        snap("dossier_returned", &p);
        let r = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("satisfied", "yes".into()), ("comment", "Nhanh, đúng hẹn".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        snap("dossier_rated", &b.get(&format!("/ho-so-cua-toi/{id}")).await);
        snap("dossier_rated_en", &b.get(&format!("/ho-so-cua-toi/{id}?lang=en")).await);
        let anon = Browser::new(&app);
        snap("tracking_result", &anon.get(&format!("/tra-cuu?code={code}&check=1234")).await);
    }
}

/// The action sections' version inputs of a dossier page (for posting an action form).
fn version_of(p: &Page) -> String {
    let at = p.body.find(r#"name="version" value=""#).unwrap_or_else(|| panic!("no version input: {}", p.body));
    let rest = &p.body[at + r#"name="version" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

both_backends! {
    async fn officer_pages_golden(app) {
        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        let d = crate::officer_pages::online_submitted(&citizen).await;
        let id = d["id"].as_str().unwrap().to_string();
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = Browser::login(&app, "tiepnhan").await;
        snap("officer_inbox", &clerk.get("/can-bo/ho-so").await);
        snap("officer_inbox_en", &clerk.get("/can-bo/ho-so?status=submitted&q=B%C3%ACnh&lang=en").await);
        let p = clerk.get(&format!("/can-bo/ho-so/{id}")).await;
        snap("officer_dossier_submitted", &p);
        let v = version_of(&p);
        let bad = clerk.post(&format!("/can-bo/ho-so/{id}/tu-choi"), &[("csrf_token", p.csrf()), ("version", v.clone())]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        snap("officer_refuse_errors", &bad);
        let keys: Vec<String> = d["components"].as_array().unwrap().iter()
            .filter(|c| c["required"] == true).map(|c| format!("provided.{}", c["key"].as_str().unwrap())).collect();
        let mut fields = vec![("csrf_token", p.csrf()), ("version", v)];
        fields.extend(keys.iter().map(|k| (k.as_str(), "on".to_string())));
        let r = clerk.post(&format!("/can-bo/ho-so/{id}/tiep-nhan"), &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let p = clerk.get(r.location()).await;
        snap("officer_dossier_received", &p);
        snap("officer_control_slip", &clerk.get(&format!("/can-bo/ho-so/{id}/phieu-kiem-soat")).await);
        snap("counter_receipt_online", &clerk.get(&format!("/can-bo/ho-so/{id}/giay-tiep-nhan")).await);
        let r = clerk.post(&format!("/can-bo/ho-so/{id}/chuyen-tiep"), &[("csrf_token", p.csrf()), ("version", version_of(&p))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        let specialist = Browser::login(&app, "chuyenvien").await;
        snap("officer_dossier_specialist", &specialist.get(&format!("/can-bo/ho-so/{id}")).await);
        snap("officer_dossier_specialist_en", &specialist.get(&format!("/can-bo/ho-so/{id}?lang=en")).await);
        let p = specialist.get(&format!("/can-bo/ho-so/{id}")).await;
        let r = specialist.post(&format!("/can-bo/ho-so/{id}/chuyen-tiep"), &[("csrf_token", p.csrf()), ("version", version_of(&p))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let leader = Browser::login(&app, "lanhdao").await;
        snap("officer_dossier_leader", &leader.get(&format!("/can-bo/ho-so/{id}")).await);

        snap("register_today", &clerk.get("/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-03").await);
        snap("register_errors", &clerk.get("/can-bo/so-theo-doi?from=2026-03-05&to=x").await);
        let csv = clerk.get("/can-bo/so-theo-doi.csv?from=2026-03-02&to=2026-03-03").await;
        insta::assert_snapshot!("register_csv", csv.body);

        let counter = Browser::login(&app, "tiepnhan.hoalu").await;
        snap("counter_search", &counter.get("/can-bo/tiep-nhan?q=xac+nhan+tinh+trang+hon+nhan").await);
        let form = counter.get("/can-bo/tiep-nhan?thu_tuc=1.004873").await;
        let idem_at = form.body.find(r#"name="idem" value=""#).unwrap() + r#"name="idem" value=""#.len();
        let idem = form.body[idem_at..idem_at + 36].to_string();
        snap("counter_form", &form);
        let bad = post_multipart(&counter, "/can-bo/tiep-nhan", &[("csrf_token", form.csrf()), ("procedure_code", "1.004873".into()),
            ("idem", idem), ("applicant.name", "A".into()), ("provided.to_khai", "on".into()), ("originals.to_khai", "x".into())], &[]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        snap("counter_form_errors", &bad);
        let screen_at = form.body.find("/man-hinh/quay/").unwrap() + "/man-hinh/quay/".len();
        let agency = &form.body[screen_at..screen_at + form.body[screen_at..].find('"').unwrap()];
        snap("counter_screen_idle", &counter.get(&format!("/man-hinh/quay/{agency}")).await);
    }
}
