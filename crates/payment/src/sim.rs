//! A loopback simulator of the VNPAY gateway 2.1.0, for tests and demonstrations: NOT the
//! real gateway, no money moves. It speaks the protocol of `vnpay`:
//!
//! - `GET /paymentv2/vpcpay.html?…`: checks the request's signature, then the customer
//!   "pays" at once (no page of its own): it records the transaction, sends the signed IPN to
//!   the merchant's IPN URL and answers 302 to `vnp_ReturnUrl` with the signed result;
//! - `POST /merchant_webapi/api/transaction`: `querydr` and `refund`, signed both ways;
//! - `GET /_sim/settlement?date=YYYY-MM-DD`: the day's settlement list (what the bank's
//!   reconciliation file holds; this JSON layout with an HMAC over `items` is the
//!   simulator's own, docs/payments.md);
//! - faults on demand (`Faults`): decline, lose or delay the IPN, send it twice, send a
//!   wrong amount, leave a transaction out of the settlement list.

use crate::vnpay::{self, Outcome, SUCCESS};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Faults served to the next payments, each counter going down by one per payment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// The customer cancels at the gateway (response code 24).
    pub decline_next: u32,
    /// Paid, but the IPN never reaches the merchant (only querydr can tell).
    pub lose_ipn_next: u32,
    /// Send the IPN again after the first.
    pub duplicate_ipn_next: u32,
    /// Report 1 đồng more than asked in the IPN and return (signed: a gateway error).
    pub wrong_amount_next: u32,
    /// Leave the transaction out of the settlement list.
    pub unsettled_next: u32,
}

/// A transaction the simulator holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Txn {
    pub outcome: Outcome,
    pub order_info: String,
    pub return_url: String,
    pub settled: bool,
    pub refunded: bool,
    /// The `RspCode`s the merchant answered to each IPN sent.
    pub ipn_answers: Vec<String>,
}

#[derive(Default)]
struct Inner {
    txns: BTreeMap<String, Txn>,
    faults: Faults,
    ipn_url: Option<String>,
    next_no: u64,
}

struct Shared {
    tmn_code: String,
    secret: String,
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

/// A running simulator; dropping it stops it.
pub struct Sim {
    pub url: String,
    shared: Arc<Shared>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Most transactions held (a long demo must not grow without end).
pub const MAX_TXNS: usize = 100_000;

impl Sim {
    pub async fn start(addr: &str, tmn_code: &str, secret: &str) -> std::io::Result<Sim> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            tmn_code: tmn_code.into(),
            secret: secret.into(),
            inner: Mutex::default(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(std::io::Error::other)?,
        });
        let router = Router::new()
            .route("/paymentv2/vpcpay.html", get(pay))
            .route("/merchant_webapi/api/transaction", post(api))
            .route("/_sim/settlement", get(settlement))
            .with_state(shared.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sim { url, shared, _stop: tx })
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The merchant's IPN URL (configured at the gateway when the merchant registers).
    pub fn set_ipn_url(&self, url: &str) {
        self.inner().ipn_url = Some(url.to_string());
    }
    pub fn set_faults(&self, f: Faults) {
        self.inner().faults = f;
    }
    pub fn pay_url(&self) -> String {
        format!("{}/paymentv2/vpcpay.html", self.url)
    }
    pub fn api_url(&self) -> String {
        format!("{}/merchant_webapi/api/transaction", self.url)
    }
    pub fn settlement_url(&self) -> String {
        format!("{}/_sim/settlement", self.url)
    }
    pub fn txn(&self, txn_ref: &str) -> Option<Txn> {
        self.inner().txns.get(txn_ref).cloned()
    }
    /// The signed IPN parameters of a held transaction, as the gateway sends them (tests
    /// replay or tamper with them).
    pub fn ipn_params(&self, txn_ref: &str) -> Option<BTreeMap<String, String>> {
        let t = self.txn(txn_ref)?;
        Some(vnpay::outcome_query(&self.shared.secret, &t.outcome, &t.order_info))
    }
    /// Sends the IPN of `txn_ref` again (a gateway retry); the merchant's `RspCode`.
    pub async fn resend_ipn(&self, txn_ref: &str) -> Option<String> {
        let params = self.ipn_params(txn_ref)?;
        send_ipn(&self.shared, txn_ref, &params).await
    }
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn bad(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": msg}))).into_response()
}

use axum::Json;

async fn send_ipn(shared: &Shared, txn_ref: &str, params: &BTreeMap<String, String>) -> Option<String> {
    let url = shared.inner.lock().unwrap_or_else(|e| e.into_inner()).ipn_url.clone()?;
    let query = params.iter().map(|(k, v)| format!("{}={}", vnpay::encode(k), vnpay::encode(v))).collect::<Vec<_>>().join("&");
    let code = match shared.http.get(format!("{url}?{query}")).send().await {
        Ok(r) => r.json::<Value>().await.ok().and_then(|v| v["RspCode"].as_str().map(str::to_string)),
        Err(_) => None,
    }
    .unwrap_or_else(|| "no answer".into());
    if let Some(t) = shared.inner.lock().unwrap_or_else(|e| e.into_inner()).txns.get_mut(txn_ref) {
        t.ipn_answers.push(code.clone());
    }
    Some(code)
}

fn take(n: &mut u32) -> bool {
    let hit = *n > 0;
    *n = n.saturating_sub(1);
    hit
}

async fn pay(State(shared): State<Arc<Shared>>, Query(p): Query<BTreeMap<String, String>>) -> Response {
    if !vnpay::verify_query(&shared.secret, &p) {
        return bad("Sai chữ ký (vnp_SecureHash)");
    }
    let get = |k: &str| p.get(k).cloned().unwrap_or_default();
    if get("vnp_TmnCode") != shared.tmn_code || get("vnp_Version") != vnpay::VERSION || get("vnp_CurrCode") != vnpay::CURRENCY {
        return bad("Sai mã website, phiên bản hoặc đơn vị tiền tệ");
    }
    let Ok(amount) = get("vnp_Amount").parse::<i64>() else { return bad("vnp_Amount") };
    let txn_ref = get("vnp_TxnRef");
    let return_url = get("vnp_ReturnUrl");
    let (outcome, lose, twice, order_info) = {
        let mut g = shared.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.txns.len() >= MAX_TXNS {
            return bad("simulator full");
        }
        if g.txns.contains_key(&txn_ref) {
            return bad("Giao dịch đã tồn tại (vnp_TxnRef)");
        }
        g.next_no += 1;
        let no = format!("{}", 14_000_000 + g.next_no);
        let declined = take(&mut g.faults.decline_next);
        let wrong = take(&mut g.faults.wrong_amount_next);
        let unsettled = take(&mut g.faults.unsettled_next);
        let lose = take(&mut g.faults.lose_ipn_next);
        let twice = take(&mut g.faults.duplicate_ipn_next);
        let now = jiff::Timestamp::now().as_millisecond();
        let code = if declined { "24" } else { SUCCESS };
        let outcome = Outcome {
            tmn_code: shared.tmn_code.clone(),
            txn_ref: txn_ref.clone(),
            amount_x100: if wrong { amount + 100 } else { amount },
            transaction_no: if declined { "0".into() } else { no },
            response_code: code.into(),
            transaction_status: if declined { "02".into() } else { SUCCESS.into() },
            pay_date: vnpay::date(now),
            bank_code: "NCB".into(),
            currency: None,
        };
        let order_info = get("vnp_OrderInfo");
        g.txns.insert(
            txn_ref.clone(),
            Txn {
                outcome: outcome.clone(),
                order_info: order_info.clone(),
                return_url: return_url.clone(),
                settled: !declined && !unsettled,
                refunded: false,
                ipn_answers: Vec::new(),
            },
        );
        (outcome, lose, twice, order_info)
    };
    let params = vnpay::outcome_query(&shared.secret, &outcome, &order_info);
    if !lose {
        send_ipn(&shared, &txn_ref, &params).await;
        if twice {
            send_ipn(&shared, &txn_ref, &params).await;
        }
    }
    let query = params.iter().map(|(k, v)| format!("{}={}", vnpay::encode(k), vnpay::encode(v))).collect::<Vec<_>>().join("&");
    let sep = if return_url.contains('?') { '&' } else { '?' };
    redirect(&format!("{return_url}{sep}{query}"))
}

async fn api(State(shared): State<Arc<Shared>>, Json(v): Json<Value>) -> Response {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let command = s("vnp_Command");
    let (fields, answer_fields) = match command.as_str() {
        "querydr" => (vnpay::QUERYDR_REQUEST, vnpay::QUERYDR_RESPONSE),
        "refund" => (vnpay::REFUND_REQUEST, vnpay::REFUND_RESPONSE),
        _ => return bad("vnp_Command"),
    };
    let base = json!({"vnp_ResponseId": format!("R{}", s("vnp_RequestId")), "vnp_Command": command, "vnp_TmnCode": shared.tmn_code, "vnp_TxnRef": s("vnp_TxnRef")});
    let answer = |mut extra: Value, code: &str, message: &str| {
        let mut a = base.clone();
        if let (Some(a), Some(e)) = (a.as_object_mut(), extra.as_object_mut()) {
            a.append(e);
        }
        a["vnp_ResponseCode"] = code.into();
        a["vnp_Message"] = message.into();
        Json(vnpay::sign_json(&shared.secret, a, answer_fields)).into_response()
    };
    if !vnpay::verify_json(&shared.secret, &v, fields) {
        return answer(json!({}), "97", "Invalid Checksum");
    }
    let mut g = shared.inner.lock().unwrap_or_else(|e| e.into_inner());
    let Some(t) = g.txns.get_mut(&s("vnp_TxnRef")) else {
        return answer(json!({}), "91", "Transaction not found");
    };
    let o = t.outcome.clone();
    let fields_of = |status: &str, kind: &str| {
        json!({"vnp_Amount": o.amount_x100.to_string(), "vnp_BankCode": o.bank_code, "vnp_PayDate": o.pay_date,
            "vnp_TransactionNo": o.transaction_no, "vnp_TransactionType": kind, "vnp_TransactionStatus": status,
            "vnp_OrderInfo": t.order_info, "vnp_PromotionCode": "", "vnp_PromotionAmount": ""})
    };
    if command == "querydr" {
        let status = if t.refunded { "05" } else { o.transaction_status.as_str() };
        let a = fields_of(status, "01");
        drop(g);
        return answer(a, SUCCESS, "QueryDR Success");
    }
    if !o.succeeded() || t.refunded {
        return answer(json!({}), "02", "Transaction cannot be refunded");
    }
    if s("vnp_Amount") != o.amount_x100.to_string() || s("vnp_TransactionNo") != o.transaction_no {
        return answer(json!({}), "03", "Invalid amount or transaction");
    }
    t.refunded = true;
    let a = fields_of("05", "02");
    drop(g);
    answer(a, SUCCESS, "Refund success")
}

#[derive(Deserialize)]
struct Day {
    date: String,
}

async fn settlement(State(shared): State<Arc<Shared>>, Query(d): Query<Day>) -> Response {
    let day = d.date.replace('-', "");
    if day.len() != 8 || !day.bytes().all(|b| b.is_ascii_digit()) {
        return bad("date: YYYY-MM-DD");
    }
    let items: Vec<vnpay::Settlement> = shared
        .inner
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .txns
        .values()
        .filter(|t| t.settled && t.outcome.pay_date.starts_with(&day))
        .map(|t| vnpay::Settlement {
            txn_ref: t.outcome.txn_ref.clone(),
            transaction_no: t.outcome.transaction_no.clone(),
            amount: t.outcome.amount_x100 / 100,
            pay_date: t.outcome.pay_date.clone(),
        })
        .collect();
    let items = serde_json::to_value(items).unwrap_or_default();
    let signature = vnpay::sign(&shared.secret, &items.to_string());
    Json(json!({"date": d.date, "items": items, "signature": signature})).into_response()
}
