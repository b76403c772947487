//! Issue #17 end to end, on both backends, against the real peers the tests start: an SMTP
//! server (aiosmtpd, STARTTLS and AUTH), the loopback VNPAY gateway simulator and a carrier
//! reporting through the signed webhook. A citizen files online choosing the result by post,
//! gets the e-mail with the code, pays the fee through the gateway and gets the e-receipt
//! (`pdftotext` shows its number and amount), then the result travels by post with a label
//! whose barcode decodes to the tracking number, and the carrier's delivery report returns
//! the dossier; each step reaches the applicant by e-mail.

use crate::documents::{bytes, listed, read_pdf};
use crate::dossiers::upload;
use crate::notify::{SmtpSink, dispatcher, drain, start_hook};
use crate::officer_pages::vn;
use crate::payments::{dossier, pay};
use crate::postal::{now_secs, pdf, read_postal_pdf, report};
use motcua_payment::sim::Sim;
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROVINCE: &str = "1.910201.H40";
const EMAIL: &str = "an.nguyen@example.vn";
const TRACKING: &str = "EL987654321VN";

async fn step(app: &TestApp, c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// The subjects of the e-mails the applicant has received so far.
fn subjects(smtp: &SmtpSink) -> Vec<String> {
    smtp.to(EMAIL).iter().map(|m| m["subject"].as_str().unwrap().to_string()).collect()
}

async fn journey(backend: Backend) {
    let smtp = SmtpSink::start();
    let (_hook, hook_url) = start_hook().await;
    let sim = Sim::start("127.0.0.1:0", crate::payments::TMN, crate::payments::SECRET).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    sim.set_ipn_url(&format!("{url}/api/v1/payments/vnpay/ipn"));
    let (pay_url, api_url, settle) = (sim.pay_url(), sim.api_url(), sim.settlement_url());
    let smtp_at = smtp.settings();
    let app = TestApp::spawn_on(backend, listener, move |c| {
        crate::notify::configure(c, &smtp_at, &hook_url);
        c.public_url = Some(url);
        crate::payments::configure(c, pay_url, api_url, settle);
        crate::postal::configure(c);
    })
    .await;
    let notify = dispatcher(&app);
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));

    // Filed online, the result by post to an address in the province.
    let citizen = app.login("congdan").await;
    let (s, d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "summary": "Cấp thẻ công chứng viên",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "email": EMAIL}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_str().unwrap().to_string();
    let address = json!({"recipient": "Nguyễn Văn An", "phone": "0912345678", "commune_code": "000.00.31.H40", "street": "Số 5, đường Trần Hưng Đạo"});
    let mut d = step(&app, &citizen, &d, "postal", json!({"result_by_post": true, "address": address})).await;
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let (s, b) =
                upload(&citizen, &d, c["key"].as_str().unwrap(), "application/pdf", "ban-scan.pdf", motcua_testkit::files::PDF)
                    .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    let d = step(&app, &citizen, &d, "submit", json!({})).await;

    // Received: the e-mail carries the code.
    let clerk = app.login("tiepnhan").await;
    let d = step(&app, &clerk, &d, "receive", json!({})).await;
    let code = d["code"].as_str().unwrap().to_string();
    drain(&app.ctx, &notify).await;
    assert_eq!(subjects(&smtp), [format!("Hồ sơ {code} đã được tiếp nhận")]);

    // The fee notice: the e-mail has the amount and the pay link; paid through the gateway,
    // the verified IPN records it and issues the e-receipt.
    let d = step(&app, &clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí cấp thẻ", "amount": 15000}]})).await;
    drain(&app.ctx, &notify).await;
    let mails = smtp.to(EMAIL);
    assert_eq!(mails.len(), 2);
    let body = mails[1]["body"].as_str().unwrap();
    assert!(body.contains("15.000") && body.contains(&format!("/ho-so-cua-toi/{id}/thanh-toan")), "{body}");
    let (txn, _) = pay(&citizen, &d).await;
    assert_eq!(sim.txn(&txn).unwrap().ipn_answers, ["00"]);
    let d = dossier(&citizen, &d).await;
    assert_eq!((d["status"].as_str(), d["payment"]["method"].as_str()), (Some("received"), Some("online_local")), "{d}");
    let docs = listed(&citizen, &id).await;
    let receipt = docs.iter().find(|x| x["form"] == "BL").unwrap_or_else(|| panic!("no e-receipt: {docs:?}"));
    let (s, _, bytes) = bytes(&citizen, &format!("/api/v1/dossiers/{id}/documents/{}", receipt["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    let text = read_pdf(&bytes).text;
    assert!(text.contains("0000001") && text.contains("15.000 đồng") && text.contains(&code), "{text}");

    // Processed and resolved; handed to the post with its label; delivered by the carrier.
    let d = step(&app, &clerk, &d, "forward", json!({})).await;
    let d = step(&app, &app.login("chuyenvien").await, &d, "forward", json!({})).await;
    let leader = app.login("lanhdao").await;
    let (s, d) = upload(&leader, &d, "result", "application/pdf", "the.pdf", motcua_testkit::files::SIGNED_PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let d = step(&app, &leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "16/2026/TCCV"})).await;
    let d = step(&app, &clerk, &d, "post", json!({"tracking_number": TRACKING, "fee": 32000})).await;
    let (s, label) = pdf(&clerk, &id, "label").await;
    assert_eq!(s, StatusCode::OK);
    let (text, codes) = read_postal_pdf(&label);
    assert!(text.contains("Phường Hoa Lư") && text.contains(TRACKING), "{text}");
    assert_eq!(codes, [TRACKING]);
    let (s, b) = report(
        &app,
        crate::postal::SECRET,
        now_secs(&app),
        &json!({"event_id": "vnp-77", "tracking_number": TRACKING, "status": "delivered"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let d = dossier(&citizen, &d).await;
    assert_eq!((d["status"].as_str(), d["returned"]["method"].as_str()), (Some("returned"), Some("postal")), "{d}");

    drain(&app.ctx, &notify).await;
    assert_eq!(
        subjects(&smtp),
        [
            format!("Hồ sơ {code} đã được tiếp nhận"),
            format!("Thông báo nộp phí, lệ phí hồ sơ {code}"),
            format!("Hồ sơ {code} đã có kết quả"),
            format!("Kết quả hồ sơ {code} đã được gửi qua bưu chính"),
            format!("Bưu chính đã phát kết quả hồ sơ {code}"),
        ]
    );
    let posted = &smtp.to(EMAIL)[3];
    assert!(posted["body"].as_str().unwrap().contains(TRACKING), "{posted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_sqlite() {
    journey(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn journey_postgres() {
    journey(Backend::Postgres).await;
}
