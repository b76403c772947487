//! The VNPAY payment gateway, version 2.1.0 (sandbox.vnpayment.vn/apis/docs):
//!
//! - pay: the browser is redirected to `pay_url?vnp_…&vnp_SecureHash=…`, the hash being
//!   HMAC-SHA512 (hex) with the merchant's secret over the `vnp_*` parameters sorted by name,
//!   each `key=value` URL-encoded (form encoding, space as `+`), joined by `&`;
//! - the gateway sends the result to the merchant's IPN URL (GET, same signed parameters)
//!   and redirects the browser to `vnp_ReturnUrl` with them; the IPN is answered with
//!   `{"RspCode": …, "Message": …}` (`IpnAnswer`);
//! - `querydr` and `refund`: JSON POSTs to the merchant API, signed over their fields joined
//!   by `|` in the documented order, answers signed the same way.
//!
//! Amounts travel ×100 (`vnp_Amount=1500000` is 15 000 đồng); dates are `yyyyMMddHHmmss`
//! in Vietnam time (GMT+7).

use hmac::{Hmac, Mac};
use jiff::tz::{Offset, TimeZone};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Sha512;
use std::collections::BTreeMap;

pub const VERSION: &str = "2.1.0";
pub const CURRENCY: &str = "VND";
/// `vnp_ResponseCode` / `vnp_TransactionStatus` of a successful payment.
pub const SUCCESS: &str = "00";

/// Form encoding as VNPAY's reference code does it (PHP `urlencode`): letters, digits and
/// `-_.` as they are, space as `+`, every other byte `%XX`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// HMAC-SHA512 of `data` with `secret`, lower-case hex.
pub fn sign(secret: &str, data: &str) -> String {
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `hash` (hex, either case) against HMAC-SHA512 of `data`, in constant time.
pub fn verify_hash(secret: &str, data: &str, hash: &str) -> bool {
    let Ok(given) = hex::decode(hash.trim().to_ascii_lowercase()) else { return false };
    let mut mac = Hmac::<Sha512>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(data.as_bytes());
    mac.verify_slice(&given).is_ok()
}

/// The signed part of a query: the `vnp_*` parameters but the hash itself, sorted, encoded.
pub fn hash_data(params: &BTreeMap<String, String>) -> String {
    params
        .iter()
        .filter(|(k, v)| k.starts_with("vnp_") && *k != "vnp_SecureHash" && *k != "vnp_SecureHashType" && !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The query string of `params` with its `vnp_SecureHash` appended.
pub fn signed_query(secret: &str, params: &BTreeMap<String, String>) -> String {
    let data = hash_data(params);
    format!("{data}&vnp_SecureHash={}", sign(secret, &data))
}

/// Does the query carry a valid `vnp_SecureHash`?
pub fn verify_query(secret: &str, params: &BTreeMap<String, String>) -> bool {
    params.get("vnp_SecureHash").is_some_and(|h| verify_hash(secret, &hash_data(params), h))
}

/// `yyyyMMddHHmmss` in Vietnam time.
pub fn date(ms: i64) -> String {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    t.to_zoned(TimeZone::fixed(Offset::constant(7))).strftime("%Y%m%d%H%M%S").to_string()
}

/// A payment to start at the gateway.
#[derive(Debug, Clone)]
pub struct PayRequest {
    pub txn_ref: String,
    /// In đồng (sent ×100).
    pub amount: i64,
    pub order_info: String,
    pub return_url: String,
    pub ip_addr: String,
    pub created_ms: i64,
    pub expire_ms: i64,
    /// `vn` or `en`.
    pub locale: String,
}

/// The URL the browser is sent to.
pub fn pay_url(pay_url: &str, tmn_code: &str, secret: &str, r: &PayRequest) -> String {
    let p: BTreeMap<String, String> = [
        ("vnp_Version", VERSION.to_string()),
        ("vnp_Command", "pay".into()),
        ("vnp_TmnCode", tmn_code.into()),
        ("vnp_Amount", (r.amount * 100).to_string()),
        ("vnp_CurrCode", CURRENCY.into()),
        ("vnp_TxnRef", r.txn_ref.clone()),
        ("vnp_OrderInfo", r.order_info.clone()),
        ("vnp_OrderType", "other".into()),
        ("vnp_Locale", r.locale.clone()),
        ("vnp_ReturnUrl", r.return_url.clone()),
        ("vnp_IpAddr", r.ip_addr.clone()),
        ("vnp_CreateDate", date(r.created_ms)),
        ("vnp_ExpireDate", date(r.expire_ms)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    format!("{pay_url}?{}", signed_query(secret, &p))
}

/// The result the gateway reports (IPN, return URL, querydr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub tmn_code: String,
    pub txn_ref: String,
    /// As sent: đồng ×100.
    pub amount_x100: i64,
    /// The gateway's transaction number (`vnp_TransactionNo`); "0" or empty when none.
    pub transaction_no: String,
    pub response_code: String,
    pub transaction_status: String,
    pub pay_date: String,
    pub bank_code: String,
    /// `vnp_CurrCode` when sent (the IPN carries none: the gateway takes VND only).
    pub currency: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.response_code == SUCCESS && self.transaction_status == SUCCESS
    }
}

/// Reads the result fields of an IPN or return query (the signature checked before).
pub fn outcome(params: &BTreeMap<String, String>) -> Result<Outcome, String> {
    let get = |k: &str| params.get(k).cloned().unwrap_or_default();
    let amount = get("vnp_Amount").parse::<i64>().map_err(|_| "vnp_Amount is not a number".to_string())?;
    let txn_ref = get("vnp_TxnRef");
    if txn_ref.is_empty() {
        return Err("vnp_TxnRef is missing".into());
    }
    Ok(Outcome {
        tmn_code: get("vnp_TmnCode"),
        txn_ref,
        amount_x100: amount,
        transaction_no: get("vnp_TransactionNo"),
        response_code: get("vnp_ResponseCode"),
        transaction_status: get("vnp_TransactionStatus"),
        pay_date: get("vnp_PayDate"),
        bank_code: get("vnp_BankCode"),
        currency: params.get("vnp_CurrCode").cloned(),
    })
}

/// The result parameters of `o`, signed: what the gateway sends (the simulator uses it).
pub fn outcome_query(secret: &str, o: &Outcome, order_info: &str) -> BTreeMap<String, String> {
    let mut p: BTreeMap<String, String> = [
        ("vnp_TmnCode", o.tmn_code.clone()),
        ("vnp_Amount", o.amount_x100.to_string()),
        ("vnp_BankCode", o.bank_code.clone()),
        ("vnp_CardType", "ATM".into()),
        ("vnp_OrderInfo", order_info.to_string()),
        ("vnp_PayDate", o.pay_date.clone()),
        ("vnp_ResponseCode", o.response_code.clone()),
        ("vnp_TransactionNo", o.transaction_no.clone()),
        ("vnp_TransactionStatus", o.transaction_status.clone()),
        ("vnp_TxnRef", o.txn_ref.clone()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let hash = sign(secret, &hash_data(&p));
    p.insert("vnp_SecureHash".into(), hash);
    p
}

/// The answers to an IPN (the gateway retries an IPN that is not answered 00 or 02).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpnAnswer {
    Confirmed,
    OrderNotFound,
    AlreadyConfirmed,
    InvalidAmount,
    InvalidSignature,
    Unknown,
}

impl IpnAnswer {
    pub fn code(self) -> &'static str {
        match self {
            Self::Confirmed => "00",
            Self::OrderNotFound => "01",
            Self::AlreadyConfirmed => "02",
            Self::InvalidAmount => "04",
            Self::InvalidSignature => "97",
            Self::Unknown => "99",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            Self::Confirmed => "Confirm Success",
            Self::OrderNotFound => "Order not found",
            Self::AlreadyConfirmed => "Order already confirmed",
            Self::InvalidAmount => "Invalid amount",
            Self::InvalidSignature => "Invalid signature",
            Self::Unknown => "Unknown error",
        }
    }
    pub fn body(self) -> Value {
        json!({"RspCode": self.code(), "Message": self.message()})
    }
}

/// The `|`-joined fields of a querydr request, in the documented order.
pub const QUERYDR_REQUEST: &[&str] = &[
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
];
/// … of its answer.
pub const QUERYDR_RESPONSE: &[&str] = &[
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
];
/// … of a refund request.
pub const REFUND_REQUEST: &[&str] = &[
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
];
/// … of its answer.
pub const REFUND_RESPONSE: &[&str] = &[
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
];

/// The `|`-joined values of `fields` in `v` (absent as empty).
pub fn piped(v: &Value, fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| match &v[*f] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// `v` with its `vnp_SecureHash` over `fields`.
pub fn sign_json(secret: &str, mut v: Value, fields: &[&str]) -> Value {
    let h = sign(secret, &piped(&v, fields));
    v["vnp_SecureHash"] = Value::String(h);
    v
}

pub fn verify_json(secret: &str, v: &Value, fields: &[&str]) -> bool {
    v["vnp_SecureHash"].as_str().is_some_and(|h| verify_hash(secret, &piped(v, fields), h))
}

/// Why a call to the merchant API gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// Not reached, timed out, or not 200.
    Unreachable(String),
    /// An answer whose signature does not verify, or unreadable.
    BadAnswer(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreachable(m) => write!(f, "gateway unreachable: {m}"),
            Self::BadAnswer(m) => write!(f, "gateway answer rejected: {m}"),
        }
    }
}

/// The merchant API client (querydr, refund, the settlement list).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    api_url: String,
    settlement_url: Option<String>,
    tmn_code: String,
    secret: String,
}

/// What `querydr` learnt of a payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// Paid at the gateway: the result, as an IPN would have carried it.
    Paid(Outcome),
    /// Failed or cancelled at the gateway (its status code).
    Failed(String),
    /// Not finished yet (or unknown to the gateway: `91`).
    Pending(String),
}

/// One line of the gateway's settlement list for a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub txn_ref: String,
    pub transaction_no: String,
    /// In đồng.
    pub amount: i64,
    pub pay_date: String,
}

impl Client {
    pub fn new(cfg: &crate::PaymentConfig) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(cfg.timeout_secs.max(1)))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            api_url: cfg.api_url.clone(),
            settlement_url: cfg.settlement_url.clone(),
            tmn_code: cfg.tmn_code.clone(),
            secret: cfg.hash_secret.clone().unwrap_or_default(),
        })
    }

    async fn call(&self, body: Value, answer_fields: &[&str]) -> Result<Value, CallError> {
        let r = self.http.post(&self.api_url).json(&body).send().await.map_err(|e| CallError::Unreachable(e.to_string()))?;
        if !r.status().is_success() {
            return Err(CallError::Unreachable(format!("HTTP {}", r.status())));
        }
        let v: Value = r.json().await.map_err(|e| CallError::BadAnswer(e.to_string()))?;
        if !verify_json(&self.secret, &v, answer_fields) {
            return Err(CallError::BadAnswer("vnp_SecureHash does not verify".into()));
        }
        Ok(v)
    }

    /// Asks the state of the payment `txn_ref` started at `created_ms`.
    pub async fn querydr(&self, request_id: &str, txn_ref: &str, created_ms: i64, now_ms: i64) -> Result<Query, CallError> {
        let body = sign_json(
            &self.secret,
            json!({
                "vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "querydr",
                "vnp_TmnCode": self.tmn_code, "vnp_TxnRef": txn_ref, "vnp_OrderInfo": format!("Truy van {txn_ref}"),
                "vnp_TransactionDate": date(created_ms), "vnp_CreateDate": date(now_ms), "vnp_IpAddr": "127.0.0.1",
            }),
            QUERYDR_REQUEST,
        );
        let v = self.call(body, QUERYDR_RESPONSE).await?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        if s("vnp_ResponseCode") != SUCCESS {
            // 91: no such transaction at the gateway (the browser never reached it).
            return Ok(Query::Pending(s("vnp_ResponseCode")));
        }
        let status = s("vnp_TransactionStatus");
        match status.as_str() {
            SUCCESS => Ok(Query::Paid(Outcome {
                tmn_code: s("vnp_TmnCode"),
                txn_ref: s("vnp_TxnRef"),
                amount_x100: s("vnp_Amount").parse().map_err(|_| CallError::BadAnswer("vnp_Amount".into()))?,
                transaction_no: s("vnp_TransactionNo"),
                response_code: SUCCESS.into(),
                transaction_status: status,
                pay_date: s("vnp_PayDate"),
                bank_code: s("vnp_BankCode"),
                currency: None,
            })),
            // 01: not finished.
            "01" => Ok(Query::Pending(status)),
            _ => Ok(Query::Failed(status)),
        }
    }

    /// Refunds the whole of a paid transaction (`vnp_TransactionType=02`). Ok: refunded.
    #[allow(clippy::too_many_arguments)]
    pub async fn refund(
        &self,
        request_id: &str,
        txn_ref: &str,
        transaction_no: &str,
        amount: i64,
        paid_ms: i64,
        by: &str,
        now_ms: i64,
    ) -> Result<Result<(), String>, CallError> {
        let body = sign_json(
            &self.secret,
            json!({
                "vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "refund",
                "vnp_TmnCode": self.tmn_code, "vnp_TransactionType": "02", "vnp_TxnRef": txn_ref,
                "vnp_Amount": (amount * 100).to_string(), "vnp_TransactionNo": transaction_no,
                "vnp_TransactionDate": date(paid_ms), "vnp_CreateBy": by, "vnp_CreateDate": date(now_ms),
                "vnp_IpAddr": "127.0.0.1", "vnp_OrderInfo": format!("Hoan tien {txn_ref}"),
            }),
            REFUND_REQUEST,
        );
        let v = self.call(body, REFUND_RESPONSE).await?;
        let code = v["vnp_ResponseCode"].as_str().unwrap_or_default();
        Ok(if code == SUCCESS { Ok(()) } else { Err(format!("{code} {}", v["vnp_Message"].as_str().unwrap_or_default())) })
    }

    /// The gateway's settlement list of `day` (`YYYY-MM-DD`).
    pub async fn settlements(&self, day: &str) -> Result<Vec<Settlement>, CallError> {
        let Some(url) = &self.settlement_url else {
            return Err(CallError::Unreachable("no settlement_url configured".into()));
        };
        let r = self
            .http
            .get(format!("{url}?date={}&tmn_code={}", encode(day), encode(&self.tmn_code)))
            .send()
            .await
            .map_err(|e| CallError::Unreachable(e.to_string()))?;
        if !r.status().is_success() {
            return Err(CallError::Unreachable(format!("HTTP {}", r.status())));
        }
        let v: Value = r.json().await.map_err(|e| CallError::BadAnswer(e.to_string()))?;
        if !verify_hash(&self.secret, &v["items"].to_string(), v["signature"].as_str().unwrap_or_default()) {
            return Err(CallError::BadAnswer("the settlement list's signature does not verify".into()));
        }
        serde_json::from_value(v["items"].clone()).map_err(|e| CallError::BadAnswer(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_php_and_signs_sorted() {
        assert_eq!(encode("Thanh toan don hang :5"), "Thanh+toan+don+hang+%3A5");
        assert_eq!(encode("https://a.vn/R"), "https%3A%2F%2Fa.vn%2FR");
        let p: BTreeMap<String, String> =
            [("vnp_TxnRef", "5"), ("vnp_Amount", "1806000"), ("vnp_SecureHash", "x"), ("other", "y")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(hash_data(&p), "vnp_Amount=1806000&vnp_TxnRef=5");
        let mut signed = p.clone();
        signed.insert("vnp_SecureHash".into(), sign("k", &hash_data(&p)).to_uppercase());
        assert!(verify_query("k", &signed));
        signed.insert("vnp_Amount".into(), "1806100".into());
        assert!(!verify_query("k", &signed));
    }

    #[test]
    fn dates_are_vietnam_time() {
        // 2026-03-02T02:00:00Z is 09:00 in Vietnam.
        assert_eq!(date(1_772_416_800_000), "20260302090000");
    }
}
