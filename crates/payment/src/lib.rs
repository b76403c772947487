//! Online fee payment (issue #17, REQ-20): one documented public protocol end to end, the
//! VNPAY payment gateway 2.1.0 (`vnpay`: the signed redirect, the IPN callback, `querydr`
//! and `refund`), and a loopback simulator of that gateway for tests and demonstrations
//! (`sim`: NOT the real gateway). See docs/payments.md.

pub mod sim;
pub mod vnpay;

use serde::{Deserialize, Serialize};

/// Which online channel this gateway is for the national portal (766
/// `DuocThanhToanTrucTuyen`): the national payment platform (1) or a provincial or ministry
/// gateway (2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    National,
    #[default]
    Local,
}

/// `[payment]`: off by default, so the demo runs without an outside gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PaymentConfig {
    pub enabled: bool,
    /// The merchant's terminal code at the gateway (`vnp_TmnCode`).
    pub tmn_code: String,
    /// The shared secret of the HMAC-SHA512 signatures (`vnp_HashSecret`).
    pub hash_secret: Option<String>,
    /// The gateway's payment page (`…/paymentv2/vpcpay.html`).
    pub pay_url: String,
    /// The gateway's merchant API (`…/merchant_webapi/api/transaction`: querydr, refund).
    pub api_url: String,
    /// Where the gateway's daily settlement list is read (the simulator's layout; a real
    /// bank's file comes by agreement, docs/payments.md).
    pub settlement_url: Option<String>,
    pub platform: Platform,
    /// A payment still pending this long after it started is asked of the gateway (querydr).
    pub query_after_secs: i64,
    /// The gateway's page expires after this long (`vnp_ExpireDate`); a payment still
    /// pending at the gateway after it is failed.
    pub expire_minutes: i64,
    /// Refund an online payment when the dossier is withdrawn / stopped. The spec is silent
    /// on refunds (vn-spec §408: receipts and refunds not researched): a setting, on.
    pub refund_on_withdrawal: bool,
    pub refund_on_stop: bool,
    /// Each call to the gateway, at most.
    pub timeout_secs: u64,
    /// The hour (Vietnam time) the worker reconciles the previous day; None: never.
    pub reconcile_hour: Option<i8>,
    /// How often the worker looks for pending payments and refunds due.
    pub sweep_secs: u64,
}

impl Default for PaymentConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            tmn_code: String::new(),
            hash_secret: None,
            pay_url: String::new(),
            api_url: String::new(),
            settlement_url: None,
            platform: Platform::Local,
            query_after_secs: 900,
            expire_minutes: 15,
            refund_on_withdrawal: true,
            refund_on_stop: true,
            timeout_secs: 10,
            reconcile_hour: Some(2),
            sweep_secs: 60,
        }
    }
}
