//! The one adapter to the national portal's integration bus: `POST {base_url}/{service}`
//! with the JSON message, authenticated by a fixed header or an OAuth2 client-credentials
//! token, optionally over mutual TLS; every call bounded by a timeout. The transport of the
//! real bus is provisioned per province and not public: the URL layout and the answer's
//! shape here are assumptions (docs/integration.md), kept in this file only.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

/// `[dvcqg]` in the configuration.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DvcqgConfig {
    /// Send the `dvcqg.sync` rows (off by default: the demo has no portal to talk to).
    pub enabled: bool,
    /// The bus's base URL; each service is `POST {base_url}/{service}`.
    pub base_url: String,
    /// A fixed `Authorization` header value (e.g. `Bearer …` or `Basic …`), if the bus uses one.
    pub auth_header: Option<String>,
    /// OAuth2 client credentials (RFC 6749 §4.4): the token is fetched from `token_url`
    /// with HTTP Basic `client_id:client_secret` and sent as `Bearer`.
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// PEM files of the client certificate and its key, for mutual TLS.
    pub client_cert: Option<String>,
    pub client_key: Option<String>,
    /// Bound on each call (connect + answer).
    pub timeout_secs: u64,
    /// The daily reconciliation runs from this local hour (0–23) over the last
    /// `reconcile_days` days up to yesterday.
    pub reconcile_hour: u8,
    pub reconcile_days: u16,
    /// Pull the province's new online dossiers from the portal every `pull_secs` seconds
    /// (0: never; only pushes are taken). Only when `enabled`.
    pub pull_secs: u64,
    /// The `Authorization` header value the portal must send when it pushes a dossier to
    /// `POST /api/v1/dvcqg/ho-so` (None: pushes are refused).
    pub inbound_credential: Option<String>,
    /// A delivery that fails this many times is held until an administrator retries it.
    pub inbound_max_attempts: u32,
}

impl Default for DvcqgConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "http://127.0.0.1:8790".into(),
            auth_header: None,
            token_url: None,
            client_id: None,
            client_secret: None,
            client_cert: None,
            client_key: None,
            timeout_secs: 10,
            reconcile_hour: 2,
            reconcile_days: 90,
            pull_secs: 60,
            inbound_credential: None,
            inbound_max_attempts: 5,
        }
    }
}

/// Why a call did not go through. The text is what the outbox row keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The portal refused the message (4xx with its reason): it will be refused again until
    /// something changes (the row ends as a dead letter an administrator can replay).
    Rejected { status: u16, code: String, message: String },
    /// 5xx, a timeout, a broken connection or answer: worth retrying.
    Transient(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected { status, code, message } => write!(f, "Cổng DVCQG từ chối ({status} {code}): {message}"),
            Self::Transient(m) => write!(f, "Không gửi được tới Cổng DVCQG: {m}"),
        }
    }
}

/// `base64(id:secret)` for HTTP Basic.
pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
}

pub struct Client {
    cfg: DvcqgConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<(String, std::time::Instant)>>,
}

impl Client {
    pub fn new(cfg: DvcqgConfig) -> Result<Self, String> {
        let timeout = Duration::from_secs(cfg.timeout_secs.clamp(1, 300));
        let mut b = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout);
        if let (Some(cert), Some(key)) = (&cfg.client_cert, &cfg.client_key) {
            let mut pem = std::fs::read(cert).map_err(|e| format!("dvcqg.client_cert {cert}: {e}"))?;
            pem.extend(std::fs::read(key).map_err(|e| format!("dvcqg.client_key {key}: {e}"))?);
            b = b.identity(reqwest::Identity::from_pem(&pem).map_err(|e| format!("dvcqg client certificate: {e}"))?);
        }
        let http = b.build().map_err(|e| format!("dvcqg client: {e}"))?;
        Ok(Self { cfg, http, token: tokio::sync::Mutex::new(None) })
    }

    /// The settings it was built with.
    pub fn config(&self) -> &DvcqgConfig {
        &self.cfg
    }

    async fn authorization(&self) -> Result<Option<String>, SendError> {
        if let Some(h) = &self.cfg.auth_header {
            return Ok(Some(h.clone()));
        }
        let (Some(url), Some(id), Some(secret)) = (&self.cfg.token_url, &self.cfg.client_id, &self.cfg.client_secret) else {
            return Ok(None);
        };
        let mut cached = self.token.lock().await;
        if let Some((t, until)) = cached.as_ref()
            && std::time::Instant::now() < *until
        {
            return Ok(Some(format!("Bearer {t}")));
        }
        let res = self
            .http
            .post(url)
            .header(reqwest::header::AUTHORIZATION, format!("Basic {}", basic(id, secret)))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("token: {e}")))?;
        let status = res.status();
        let body: Value = res.json().await.map_err(|e| SendError::Transient(format!("token: {e}")))?;
        let Some(t) = body["access_token"].as_str().filter(|_| status.is_success()) else {
            return Err(SendError::Transient(format!("token: {status} {body}")));
        };
        // Renewed a minute before it ends.
        let life = body["expires_in"].as_u64().unwrap_or(300).saturating_sub(60).max(1);
        *cached = Some((t.to_string(), std::time::Instant::now() + Duration::from_secs(life)));
        Ok(Some(format!("Bearer {t}")))
    }

    /// Sends one message to `service`; Ok once the portal acknowledged it
    /// (`error_code` "0"), with the answer's `data`.
    pub async fn call(&self, service: &str, message: &impl Serialize) -> Result<Value, SendError> {
        let url = format!("{}/{service}", self.cfg.base_url.trim_end_matches('/'));
        let mut req = self.http.post(&url).json(message);
        if let Some(a) = self.authorization().await? {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        let res = req.send().await.map_err(|e| SendError::Transient(describe(&e)))?;
        let status = res.status();
        if status == reqwest::StatusCode::UNAUTHORIZED {
            // A token that ran out early: fetched again next time.
            *self.token.lock().await = None;
        }
        let body = res.bytes().await.map_err(|e| SendError::Transient(format!("{status}: {}", describe(&e))))?;
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let code = v["error_code"].as_str().map(str::to_string).unwrap_or_else(|| v["error_code"].to_string());
        let message = v["message"].as_str().unwrap_or_default().to_string();
        if status.is_success() && code == "0" {
            return Ok(v["data"].clone());
        }
        if status.is_client_error() {
            return Err(SendError::Rejected { status: status.as_u16(), code, message });
        }
        Err(SendError::Transient(format!("{status} {code} {message}").trim().to_string()))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "quá thời gian chờ (timeout)".into()
    } else if e.is_connect() {
        format!("không kết nối được: {e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn basic_is_base64() {
        assert_eq!(super::basic("Aladdin", "open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(super::basic("a", "b"), "YTpi");
        assert_eq!(super::basic("ab", "c"), "YWI6Yw==");
    }
}
