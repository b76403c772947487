//! Online fee payment (issue #17) against the loopback VNPAY simulator, on both backends: a
//! citizen pays the noticed fee through the gateway, the verified IPN records it (method
//! online) with its e-receipt (`pdftotext` shows number and amount); a forged callback (97),
//! a wrong amount (04), a duplicate (02) and an unknown order (01) write nothing; a lost IPN
//! is settled by the querydr sweep; the payment is refunded on withdrawal; cash at the
//! counter gets sequential receipt numbers; the applicant cannot mark the fee paid.

use crate::documents::{bytes, listed, read_pdf};
use crate::dossiers::{online_submitted, step};
use crate::officer_pages::vn;
use motcua_payment::sim::{Faults, Sim};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub(crate) const SECRET: &str = "SIMSECRET0123456789";
pub(crate) const TMN: &str = "MOTCUA01";

async fn spawn(backend: Backend, sim: &Sim) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    sim.set_ipn_url(&format!("{url}/api/v1/payments/vnpay/ipn"));
    let (pay, api, settle) = (sim.pay_url(), sim.api_url(), sim.settlement_url());
    TestApp::spawn_on(backend, listener, move |c| {
        c.public_url = Some(url);
        configure(c, pay, api, settle);
    })
    .await
}

/// The gateway on, at the simulator's pay page, API and settlement list.
pub(crate) fn configure(c: &mut motcua_app::config::Config, pay: String, api: String, settle: String) {
    c.payment.enabled = true;
    c.payment.tmn_code = TMN.into();
    c.payment.hash_secret = Some(SECRET.into());
    c.payment.pay_url = pay;
    c.payment.api_url = api;
    c.payment.settlement_url = Some(settle);
    c.payment.query_after_secs = 600;
}

/// An online dossier of the citizen, received and awaiting a fee of 15 000 đồng.
async fn awaiting_fee(app: &TestApp, citizen: &Client) -> Value {
    let d = online_submitted(citizen).await;
    let clerk = app.login("tiepnhan").await;
    let d = step(&clerk, &d, "receive", json!({})).await;
    let d = step(&clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí cấp thẻ", "amount": 15000}]})).await;
    assert_eq!(d["status"], "awaiting_payment");
    d
}

/// Starts the payment; the simulator's answer (a redirect to the return URL) after it sent
/// the IPN. Returns the txn ref and the return location.
pub(crate) async fn pay(citizen: &Client, d: &Value) -> (String, String) {
    let (s, b) = citizen.post(&format!("/api/v1/dossiers/{}/online-payments", d["id"].as_str().unwrap()), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let url = b["redirect_url"].as_str().unwrap().to_string();
    let txn = url.split("vnp_TxnRef=").nth(1).unwrap().split('&').next().unwrap().to_string();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = http.get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    (txn, loc)
}

async fn ipn(app: &TestApp, params: &BTreeMap<String, String>) -> String {
    let q = params
        .iter()
        .map(|(k, v)| format!("{}={}", motcua_payment::vnpay::encode(k), motcua_payment::vnpay::encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let (s, b) = app.client().get(&format!("/api/v1/payments/vnpay/ipn?{q}")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["RspCode"].as_str().unwrap().to_string()
}

pub(crate) async fn dossier(c: &Client, d: &Value) -> Value {
    let (s, b) = c.get(&format!("/api/v1/dossiers/{}", d["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["dossier"].clone()
}

async fn gateway_flow(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", TMN, SECRET).await.unwrap();
    let app = spawn(backend, &sim).await;
    app.ctx.clock.set(vn("2026-03-02T08:00:00"));
    let citizen = app.login("congdan").await;
    let d = awaiting_fee(&app, &citizen).await;
    let id = d["id"].as_str().unwrap().to_string();

    // The applicant cannot mark the fee paid, online or not.
    let (s, b) = citizen
        .post(
            &format!("/api/v1/dossiers/{id}/payments"),
            json!({"version": d["version"], "method": "online_local", "receipt_number": "X"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");

    // Paid through the gateway: the verified IPN records it, with its receipt.
    let (txn, back) = pay(&citizen, &d).await;
    assert!(back.contains("/thanh-toan/vnpay/ket-qua?") && back.contains("vnp_SecureHash="), "{back}");
    assert_eq!(sim.txn(&txn).unwrap().ipn_answers, vec!["00".to_string()]);
    let paid = dossier(&citizen, &d).await;
    assert_eq!(
        (paid["status"].as_str(), paid["payment"]["method"].as_str()),
        (Some("received"), Some("online_local")),
        "{}",
        paid["payment"]
    );
    assert_eq!(paid["payment"]["amount"], 15000);
    // The return URL sends the browser to the dossier with the result.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let r = http.get(&back).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"].to_str().unwrap(), format!("/ho-so-cua-toi/{id}?thanh-toan=paid"));

    let docs = listed(&citizen, &id).await;
    let receipt = docs.iter().find(|x| x["form"] == "BL").unwrap_or_else(|| panic!("no receipt: {docs:?}"));
    let (s, _, pdf) = bytes(&citizen, &format!("/api/v1/dossiers/{id}/documents/{}", receipt["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK);
    let read = read_pdf(&pdf);
    assert!(read.qr.contains(&format!("/xac-thuc/{}", receipt["id"].as_str().unwrap())), "{}", read.qr);
    let text = read.text;
    assert!(text.contains("0000001") && text.contains("15.000 đồng") && text.contains("Mười lăm nghìn đồng"), "{text}");
    let no = sim.txn(&txn).unwrap().outcome.transaction_no;
    assert!(text.contains(&no), "the gateway's transaction number: {text}");
    // The same receipt is in the payer's data locker.
    let (s, items) = citizen.get("/api/v1/me/locker").await;
    assert_eq!(s, StatusCode::OK, "{items}");
    let item = items.as_array().unwrap().iter().find(|i| i["kind"] == "receipt").unwrap_or_else(|| panic!("{items}")).clone();
    assert_eq!(item["source_document_id"], receipt["id"], "{item}");
    assert!(item["title"].as_str().unwrap().ends_with(" 0000001"), "{item}");
    let r = citizen
        .http
        .get(format!("{}/api/v1/me/locker/{}/file", citizen.base, item["id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf, "the locker serves the receipt itself");

    // Replayed, forged, wrong amount, unknown: acknowledged or refused, nothing written.
    let (events, receipts) = (app.count("dossier_events").await, app.count("receipts").await);
    assert_eq!(sim.resend_ipn(&txn).await.as_deref(), Some("02"));
    let mut forged = sim.ipn_params(&txn).unwrap();
    forged.insert("vnp_Amount".into(), "100".into());
    assert_eq!(ipn(&app, &forged).await, "97");
    let mut unknown = sim.ipn_params(&txn).unwrap();
    unknown.insert("vnp_TxnRef".into(), "NOSUCHORDER".into());
    let data = motcua_payment::vnpay::hash_data(&unknown);
    unknown.insert("vnp_SecureHash".into(), motcua_payment::vnpay::sign(SECRET, &data));
    assert_eq!(ipn(&app, &unknown).await, "01");
    assert_eq!((app.count("dossier_events").await, app.count("receipts").await), (events, receipts));
    assert_eq!(app.count("payment_attempts").await, 1);

    // A second dossier: the gateway reports another amount (04), nothing recorded.
    let d2 = awaiting_fee(&app, &citizen).await;
    sim.set_faults(Faults { wrong_amount_next: 1, ..Faults::default() });
    let (txn2, _) = pay(&citizen, &d2).await;
    assert_eq!(sim.txn(&txn2).unwrap().ipn_answers, vec!["04".to_string()]);
    assert_eq!(dossier(&citizen, &d2).await["status"], "awaiting_payment");

    // A third: paid, the IPN sent twice (02 the second time, one receipt).
    let d3 = awaiting_fee(&app, &citizen).await;
    sim.set_faults(Faults { duplicate_ipn_next: 1, ..Faults::default() });
    let (txn3, _) = pay(&citizen, &d3).await;
    assert_eq!(sim.txn(&txn3).unwrap().ipn_answers, vec!["00".to_string(), "02".to_string()]);
    let id3 = d3["id"].as_str().unwrap();
    assert_eq!(listed(&citizen, id3).await.iter().filter(|x| x["form"] == "BL").count(), 1);

    // A fourth: the IPN is lost; the sweep asks the gateway (querydr) once it is due.
    let d4 = awaiting_fee(&app, &citizen).await;
    sim.set_faults(Faults { lose_ipn_next: 1, ..Faults::default() });
    let (txn4, _) = pay(&citizen, &d4).await;
    assert!(sim.txn(&txn4).unwrap().ipn_answers.is_empty());
    let early = motcua_app::usecases::dossiers::payments::sweep(&app.ctx).await.unwrap();
    assert_eq!(early.queried, 0, "not due yet");
    app.ctx.clock.set(vn("2026-03-02T08:20:00"));
    let swept = motcua_app::usecases::dossiers::payments::sweep(&app.ctx).await.unwrap();
    // The attempt whose gateway amount differed (d2) is asked too, and still not recorded.
    assert_eq!((swept.queried, swept.settled), (2, 1), "{swept:?}");
    assert_eq!(dossier(&citizen, &d2).await["status"], "awaiting_payment");
    let d4 = dossier(&citizen, &d4).await;
    assert_eq!(d4["payment"]["method"], "online_local", "{}", d4["status"]);

    // Withdrawn after paying: the sweep refunds it at the gateway and records `refunded`.
    let d4 = step(&citizen, &d4, "withdraw", json!({"reason": "Không còn nhu cầu"})).await;
    assert_eq!(d4["status"], "withdrawn");
    let swept = motcua_app::usecases::dossiers::payments::sweep(&app.ctx).await.unwrap();
    assert_eq!(swept.refunded, 1, "{swept:?}");
    assert!(sim.txn(&txn4).unwrap().refunded);
    let id4 = d4["id"].as_str().unwrap().to_string();
    let kinds: Vec<String> = app
        .ctx
        .store
        .read(move |db| {
            Ok::<_, motcua_store::StoreError>(
                db.query(
                    "SELECT kind FROM dossier_events WHERE dossier_id = $1 ORDER BY seq",
                    &motcua_store::params![id4.as_str()],
                )?
                .iter()
                .map(|r| r.text(0).unwrap())
                .collect(),
            )
        })
        .await
        .unwrap();
    assert_eq!(kinds.last().map(String::as_str), Some("refunded"), "{kinds:?}");
    assert_eq!(motcua_app::usecases::dossiers::payments::sweep(&app.ctx).await.unwrap().refunded, 0, "once");

    // A fifth: paid, but the bank leaves it out of its settlement list. The day's
    // reconciliation finds it, and the wrong-amount payment the bank settled (d2).
    let d5 = awaiting_fee(&app, &citizen).await;
    sim.set_faults(Faults { unsettled_next: 1, ..Faults::default() });
    let (txn5, _) = pay(&citizen, &d5).await;
    let pd = sim.txn(&txn5).unwrap().outcome.pay_date;
    let day = format!("{}-{}-{}", &pd[0..4], &pd[4..6], &pd[6..8]);
    let admin = app.login("admin").await;
    let (s, r) = admin.post("/api/v1/payments/reconciliations", json!({"date": day})).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let found: Vec<(String, String)> = r["mismatches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["kind"].as_str().unwrap().to_string(), m["txn_ref"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(found.len(), 2, "{r}");
    assert!(found.contains(&("missing_settlement".into(), txn5.clone())), "{r}");
    assert!(found.contains(&("settlement_without_payment".into(), txn2.clone())), "{r}");
    assert_eq!((r["settled"].as_i64(), r["recorded"].as_i64()), (Some(4), Some(4)), "{r}");
    let (s, runs) = admin.get("/api/v1/payments/reconciliations").await;
    assert_eq!((s, &runs[0]["id"]), (StatusCode::OK, &r["id"]));
    assert_eq!(app.login("tiepnhan").await.get("/api/v1/payments/reconciliations").await.0, StatusCode::FORBIDDEN);
    // The admin page lists the run and its mismatches.
    let r = admin.http.get(format!("{}/quan-tri/doi-soat-thanh-toan", admin.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains(&txn5) && page.contains("Đã ghi nhận, ngân hàng chưa quyết toán"), "{page}");
}

/// Cash at the counter: each payment gets the next number of the unit's series.
async fn cash_receipts(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", TMN, SECRET).await.unwrap();
    let app = spawn(backend, &sim).await;
    app.ctx.clock.set(vn("2026-03-02T08:00:00"));
    let citizen = app.login("congdan").await;
    let clerk = app.login("tiepnhan").await;
    // The notice defaults to the procedure's fee table; an exemption chosen sets its item to
    // 0 with the reason (and then there is nothing to pay online).
    let d = online_submitted(&citizen).await;
    let d = step(&clerk, &d, "receive", json!({})).await;
    let path = format!("/api/v1/dossiers/{}/fee-notices", d["id"].as_str().unwrap());
    let (s, b) =
        clerk.post(&path, json!({"version": d["version"], "exempt": [{"name": "Phí khác", "reason": "Hộ nghèo"}]})).await;
    assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_fee")), "{b}");
    let fee = "Lệ phí cấp Thẻ công chứng viên";
    let exempted = step(&clerk, &d, "fee-notices", json!({"exempt": [{"name": fee, "reason": "Người khuyết tật"}]})).await;
    assert_eq!(exempted["fees"], json!([{"name": fee, "amount": 0, "exemption": "Người khuyết tật"}]));
    let (s, b) = citizen.post(&format!("/api/v1/dossiers/{}/online-payments", d["id"].as_str().unwrap()), json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("nothing_to_pay")), "{b}");
    let d = online_submitted(&citizen).await;
    let d = step(&clerk, &d, "receive", json!({})).await;
    let d = step(&clerk, &d, "fee-notices", json!({})).await;
    assert_eq!(d["fees"], json!([{"name": fee, "amount": 100000}]));
    // Attempts left unfinished at the gateway are bounded per dossier.
    let start = format!("/api/v1/dossiers/{}/online-payments", d["id"].as_str().unwrap());
    for _ in 0..motcua_app::usecases::dossiers::payments::MAX_PENDING_ATTEMPTS {
        let (s, b) = citizen.post(&start, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    let (s, b) = citizen.post(&start, json!({})).await;
    assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_payment_attempts")), "{b}");

    let mut numbers = Vec::new();
    for _ in 0..2 {
        let d = awaiting_fee(&app, &citizen).await;
        let (s, b) = clerk
            .post(
                &format!("/api/v1/dossiers/{}/payments", d["id"].as_str().unwrap()),
                json!({"version": d["version"], "method": "cash", "receipt_number": "BL-1", "amount": 14000}),
            )
            .await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_mismatch")), "{b}");
        let d = step(&clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-1", "amount": 15000})).await;
        assert_eq!(d["payment"]["method"], "cash");
        let (s, v) = clerk.get(&format!("/api/v1/dossiers/{}/online-payments", d["id"].as_str().unwrap())).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        numbers.push(v["receipts"][0]["number"].as_str().unwrap().to_string());
    }
    assert_eq!(numbers, vec!["0000001".to_string(), "0000002".to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_gateway_sqlite() {
    gateway_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_gateway_postgres() {
    gateway_flow(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_cash_sqlite() {
    cash_receipts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_cash_postgres() {
    cash_receipts(Backend::Postgres).await;
}

/// The citizen's pay page in Chromium (SQLite): the "Thanh toán" action of the dossier, the
/// pay page at phone and desktop widths (axe clean), the gateway and back to the dossier paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_pay_page_in_the_browser() {
    use motcua_testkit::browser::Browser;
    let sim = Sim::start("127.0.0.1:0", TMN, SECRET).await.unwrap();
    let app = spawn(Backend::Sqlite, &sim).await;
    app.ctx.clock.set(vn("2026-03-02T08:00:00"));
    let citizen = app.login("congdan").await;
    let d = awaiting_fee(&app, &citizen).await;
    let id = d["id"].as_str().unwrap().to_string();
    let b = Browser::start(&app).await;
    b.login("congdan").await;
    b.open(&format!("/ho-so-cua-toi/{id}")).await;
    b.click_to("Thanh toán", &format!("/ho-so-cua-toi/{id}/thanh-toan")).await;
    b.capture("pay-page").await;
    let fees = b.by_id("fees").await.text().await.unwrap();
    assert!(fees.contains("Lệ phí cấp thẻ") && fees.contains("15.000 đồng"), "{fees}");
    b.open(&format!("/ho-so-cua-toi/{id}/thanh-toan?lang=en")).await;
    b.axe().await;
    b.open(&format!("/ho-so-cua-toi/{id}/thanh-toan")).await;
    // To the gateway (the simulator pays at once) and back to the dossier, paid.
    b.click_to("Thanh toán 15.000", &format!("/ho-so-cua-toi/{id}")).await;
    assert!(b.main_text().await.contains("VNPAY-"), "{}", b.main_text().await);
    assert_eq!(dossier(&citizen, &d).await["payment"]["method"], "online_local");
    b.open(&format!("/ho-so-cua-toi/{id}/thanh-toan")).await;
    assert!(b.by_id("pay-state").await.text().await.unwrap().contains("Đã nộp"));
    b.capture("pay-page-paid").await;
    b.quit().await;
}
