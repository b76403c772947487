//! OpenID Connect sign-in (issue #15; REQ-32 VNeID through the national SSO, REQ-33 a
//! provincial SSO for officers): the authorization-code flow with `state`, `nonce` and
//! PKCE S256. The request's secrets live in `oidc_requests` (multi-process safe, single use,
//! bounded, with a TTL), bound to the browser by a cookie whose hash is stored with them.
//! The ID token is checked by the `openidconnect` crate (signature from the provider's
//! JWKS, `iss`, `aud`, `azp`, `exp`, `nonce`), with our clock skew for `exp` and `iat`.
//!
//! Citizens: the account linked to (issuer, subject), else the account with the identity
//! number of the claim, else a new citizen account; linked on first sign-in. Officers: only
//! an existing official account with that identity number; nobody is created.

use crate::auth::{LoginOutcome, open_session, random_token, token_hash};
use crate::config::OidcProviderConfig;
use crate::limits::client_key;
use crate::usecases::users::{NewUser, create_in, validate_new};
use crate::{AppContext, AppError, now_ms};
use motcua_domain::user::{AccountType, CitizenId};
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::oidc::{self as repo, OidcRequest, Taken};
use motcua_store::repo::users;
use openidconnect::core::{CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm};
use openidconnect::{
    AdditionalClaims, ClaimsVerificationError, ClientId, ClientSecret, IdToken, IdTokenVerifier, IssuerUrl, Nonce,
    PkceCodeChallenge, SignatureVerificationError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

/// `sessions.auth_method` of a session opened through VNeID; dossiers submitted in it carry
/// the VNeID flag.
pub const VNEID: &str = "vneid";
/// `sessions.auth_method` of an officer's session opened through the provincial SSO.
pub const OFFICER_SSO: &str = "officer_sso";
/// The cookie binding a sign-in in flight to the browser that started it.
pub const BROWSER_COOKIE: &str = "motcua_oidc";
/// Largest discovery document, key set, token or userinfo response read.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Citizen,
    Officer,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Citizen => "citizen",
            Kind::Officer => "officer",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Kind::Citizen),
            "officer" => Some(Kind::Officer),
            _ => None,
        }
    }
    fn auth_method(self) -> &'static str {
        match self {
            Kind::Citizen => VNEID,
            Kind::Officer => OFFICER_SSO,
        }
    }
    pub fn config(self, ctx: &AppContext) -> &OidcProviderConfig {
        match self {
            Kind::Citizen => &ctx.config.oidc.citizen,
            Kind::Officer => &ctx.config.oidc.officer,
        }
    }
    fn account_type(self) -> AccountType {
        match self {
            Kind::Citizen => AccountType::Citizen,
            Kind::Officer => AccountType::Official,
        }
    }
}

/// Every claim of the ID token or userinfo beyond the standard ones (the identity number's
/// claim name is configured, VNeID's being unpublished).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Extra {
    #[serde(flatten)]
    pub all: serde_json::Map<String, Value>,
}
impl AdditionalClaims for Extra {}

type Token = IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// The parts of the discovery document used here.
#[derive(Debug, Clone, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    jwks_uri: String,
    #[serde(default)]
    end_session_endpoint: Option<String>,
}

struct Provider {
    discovery: Discovery,
    keys: CoreJsonWebKeySet,
    fetched_at: i64,
}

/// The providers' discovery documents and keys (at most one entry per kind), and the HTTP
/// client that fetches them: no redirects followed, short timeouts, capped bodies.
pub struct Oidc {
    http: reqwest::Client,
    cache: tokio::sync::Mutex<HashMap<Kind, Arc<Provider>>>,
    /// When the keys were last fetched early for an unknown `kid`, per kind.
    forced: std::sync::Mutex<HashMap<Kind, i64>>,
}

impl Default for Oidc {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("HTTP client");
        Self { http, cache: Default::default(), forced: Default::default() }
    }
}

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "OIDC provider: {what}");
    refused(
        502,
        "oidc_provider_unavailable",
        "Không kết nối được với hệ thống xác thực. Vui lòng thử lại sau ít phút.",
        "The sign-in provider cannot be reached. Please try again in a few minutes.",
    )
}

fn not_configured() -> AppError {
    refused(404, "oidc_not_configured", "Hình thức đăng nhập này chưa được cấu hình.", "This sign-in is not configured.")
}

async fn read_capped(mut r: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = r.chunk().await.map_err(|e| e.to_string())? {
        if out.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(format!("response larger than {MAX_RESPONSE_BYTES} bytes"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

impl Oidc {
    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str, bearer: Option<&str>) -> Result<T, String> {
        let mut req = self.http.get(url).header("accept", "application/json");
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.map_err(|e| e.to_string())?;
        let status = r.status();
        let body = read_capped(r).await?;
        if !status.is_success() {
            return Err(format!("{url}: HTTP {status}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
    }

    async fn fetch(&self, cfg: &OidcProviderConfig) -> Result<Provider, AppError> {
        let issuer = cfg.issuer.trim_end_matches('/');
        let url = format!("{issuer}/.well-known/openid-configuration");
        let discovery: Discovery = self.get_json(&url, None).await.map_err(|e| unavailable("discovery", e))?;
        // OIDC Discovery §4.3: the document must name the issuer it was fetched for.
        if discovery.issuer.trim_end_matches('/') != issuer {
            return Err(unavailable("discovery", format!("issuer {} is not {issuer}", discovery.issuer)));
        }
        let keys = self.get_json(&discovery.jwks_uri, None).await.map_err(|e| unavailable("keys", e))?;
        Ok(Provider { discovery, keys, fetched_at: now_ms() })
    }

    /// The provider's metadata and keys, from the cache while younger than the TTL.
    async fn provider(&self, kind: Kind, cfg: &OidcProviderConfig, refresh: bool) -> Result<Arc<Provider>, AppError> {
        let mut cache = self.cache.lock().await;
        if let Some(p) = cache.get(&kind)
            && !refresh
            && now_ms() - p.fetched_at < cfg.discovery_ttl_secs * 1000
        {
            return Ok(p.clone());
        }
        let p = Arc::new(self.fetch(cfg).await?);
        cache.insert(kind, p.clone());
        Ok(p)
    }

    /// Whether the keys may be fetched again now for an unknown `kid` (once a minute).
    fn may_force(&self, kind: Kind) -> bool {
        let now = now_ms();
        let mut f = self.forced.lock().unwrap_or_else(|e| e.into_inner());
        match f.get(&kind) {
            Some(t) if now - t < 60_000 => false,
            _ => {
                f.insert(kind, now);
                true
            }
        }
    }
}

/// Where to send the browser, and the secret for its cookie.
pub struct Begin {
    pub authorize_url: String,
    pub browser_secret: String,
    pub max_age_secs: i64,
}

fn redirect_url(ctx: &AppContext, kind: Kind) -> String {
    kind.config(ctx)
        .redirect_url
        .clone()
        .unwrap_or_else(|| format!("{}/dang-nhap/oidc/{}/callback", ctx.config.public_url(), kind.code()))
}

fn throttle(ctx: &AppContext, client: IpAddr) -> Result<(), AppError> {
    let now = now_ms();
    ctx.doors.login_per_address.take(&client_key(client), now).map_err(|wait| AppError::throttled(429, "too_many_requests", wait))
}

/// Starts a sign-in: stores state, nonce and the PKCE verifier, and returns the provider's
/// authorization URL. `next` must already be a local path.
pub async fn begin(ctx: &AppContext, kind: Kind, next: &str, client: IpAddr) -> Result<Begin, AppError> {
    let cfg = kind.config(ctx);
    if !cfg.enabled() {
        return Err(not_configured());
    }
    throttle(ctx, client)?;
    let p = ctx.oidc.provider(kind, cfg, false).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (state, nonce, browser_secret) = (random_token(), random_token(), random_token());
    let now = now_ms();
    let req = OidcRequest {
        state_hash: token_hash(&state),
        browser_hash: token_hash(&browser_secret),
        kind: kind.code().into(),
        nonce: nonce.clone(),
        verifier: verifier.secret().clone(),
        next_url: next.into(),
        created_at: now,
        expires_at: now + cfg.request_ttl_secs * 1000,
    };
    let max = cfg.max_pending;
    let stored = ctx.store.write(move |db| repo::insert_request(db, &req, max).map_err(AppError::from)).await?;
    if !stored {
        return Err(refused(
            503,
            "oidc_busy",
            "Có quá nhiều lượt đăng nhập đang chờ. Vui lòng thử lại sau ít phút.",
            "Too many sign-ins are in progress. Please try again in a few minutes.",
        ));
    }
    let mut url = reqwest::Url::parse(&p.discovery.authorization_endpoint).map_err(|e| unavailable("discovery", e))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &cfg.client_id)
            .append_pair("redirect_uri", &redirect_url(ctx, kind))
            .append_pair("scope", &scopes(cfg))
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", challenge.method().as_str());
        if let Some(acr) = cfg.acr_values.as_deref().filter(|a| !a.is_empty()) {
            q.append_pair("acr_values", acr);
        }
    }
    Ok(Begin { authorize_url: url.into(), browser_secret, max_age_secs: cfg.request_ttl_secs })
}

fn scopes(cfg: &OidcProviderConfig) -> String {
    let mut s: Vec<&str> = cfg.scopes.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    if !s.contains(&"openid") {
        s.insert(0, "openid");
    }
    s.join(" ")
}

/// The query of the provider's redirect back to us.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Callback {
    pub state: Option<String>,
    pub code: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A finished sign-in: the session and where to go.
pub struct Finished {
    pub outcome: LoginOutcome,
    pub next: String,
}

/// Completes a sign-in; every refusal is audited (`auth.oidc_failed` with its code).
pub async fn finish(
    ctx: &AppContext,
    kind: Kind,
    cb: Callback,
    browser_secret: Option<&str>,
    client: IpAddr,
    user_agent: Option<String>,
) -> Result<Finished, AppError> {
    let cfg = kind.config(ctx);
    if !cfg.enabled() {
        return Err(not_configured());
    }
    throttle(ctx, client)?;
    match complete(ctx, kind, cfg, &cb, browser_secret, client, user_agent).await {
        Ok(f) => Ok(f),
        Err((e, subject)) => {
            let payload = json!({"kind": kind.code(), "code": e.code(), "address": client.to_string(),
                                 "subject": subject, "provider_error": cb.error});
            let audited = ctx
                .store
                .write(move |db| {
                    audit::append(
                        db,
                        NewAudit {
                            chain: ADMIN_CHAIN,
                            at_ms: now_ms(),
                            actor_id: None,
                            action: "auth.oidc_failed",
                            entity_kind: "oidc",
                            entity_id: kind.code(),
                            agency_path: None,
                            payload,
                        },
                    )
                    .map(|_| ())
                    .map_err(AppError::from)
                })
                .await;
            if let Err(a) = audited {
                tracing::error!(error = %a, "cannot audit a failed OIDC sign-in");
            }
            tracing::info!(kind = kind.code(), code = e.code(), "OIDC sign-in refused");
            Err(e)
        }
    }
}

type Failed = (AppError, Option<String>);

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
    access_token: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn complete(
    ctx: &AppContext,
    kind: Kind,
    cfg: &OidcProviderConfig,
    cb: &Callback,
    browser_secret: Option<&str>,
    client: IpAddr,
    user_agent: Option<String>,
) -> Result<Finished, Failed> {
    let state_invalid = || {
        refused(
            400,
            "oidc_state_invalid",
            "Phiên đăng nhập không hợp lệ hoặc không bắt đầu từ trình duyệt này. Vui lòng đăng nhập lại.",
            "This sign-in is invalid or was not started in this browser. Please sign in again.",
        )
    };
    // The request is taken (used) first, even when the provider reports an error, so a
    // state is never good twice; only by the browser that started it.
    let state = cb.state.as_deref().filter(|s| !s.is_empty()).ok_or((state_invalid(), None))?;
    let h = token_hash(state);
    // No cookie: a hash that matches no stored one.
    let browser = browser_secret.map_or_else(String::new, token_hash);
    let now = now_ms();
    let taken = ctx
        .store
        .write(move |db| repo::take_request(db, &h, &browser, now).map_err(AppError::from))
        .await
        .map_err(|e| (e, None))?;
    let req = match taken {
        Taken::Fresh(r) => r,
        Taken::Used => {
            return Err((
                refused(
                    400,
                    "oidc_replayed",
                    "Kết quả đăng nhập này đã được sử dụng. Vui lòng đăng nhập lại.",
                    "This sign-in response was already used. Please sign in again.",
                ),
                None,
            ));
        }
        Taken::Expired => {
            return Err((
                refused(
                    400,
                    "oidc_request_expired",
                    "Phiên đăng nhập đã quá thời gian. Vui lòng đăng nhập lại.",
                    "The sign-in took too long. Please sign in again.",
                ),
                None,
            ));
        }
        Taken::Unknown | Taken::Foreign => return Err((state_invalid(), None)),
    };
    if req.kind != kind.code() {
        return Err((state_invalid(), None));
    }
    if let Some(err) = &cb.error {
        tracing::info!(error = %err, description = ?cb.error_description, "OIDC provider returned an error");
        return Err((
            refused(
                400,
                "oidc_provider_error",
                "Hệ thống xác thực không hoàn tất việc đăng nhập (đã hủy hoặc bị từ chối).",
                "The sign-in provider did not complete the sign-in (cancelled or refused).",
            ),
            None,
        ));
    }
    let code = cb.code.as_deref().filter(|c| !c.is_empty()).ok_or((state_invalid(), None))?;
    let p = ctx.oidc.provider(kind, cfg, false).await.map_err(|e| (e, None))?;
    let tokens = exchange(ctx, kind, cfg, &p, code, &req.verifier).await.map_err(|e| (e, None))?;
    let raw = tokens.id_token.ok_or_else(|| (token_invalid("no id_token"), None))?;
    let claims = verify(ctx, kind, cfg, p.clone(), &raw, &req.nonce).await.map_err(|e| (e, None))?;
    let subject = claims.subject.clone();
    let mut extra = claims.extra;
    // The identity number may come only from userinfo (the national SSO's claims are there).
    if !extra.contains_key(&cfg.id_number_claim)
        && let (Some(ui), Some(at)) = (&p.discovery.userinfo_endpoint, &tokens.access_token)
    {
        let info: serde_json::Map<String, Value> =
            ctx.oidc.http_get(ui, at).await.map_err(|e| (unavailable("userinfo", e), Some(subject.clone())))?;
        // OIDC Core §5.3.2: userinfo of another subject must not be used.
        if info.get("sub").and_then(Value::as_str) != Some(subject.as_str()) {
            return Err((token_invalid("userinfo sub differs"), Some(subject)));
        }
        for (k, v) in info {
            extra.entry(k).or_insert(v);
        }
    }
    let user = account(ctx, kind, cfg, &p.discovery.issuer, &subject, &extra).await.map_err(|e| (e, Some(subject.clone())))?;
    let outcome =
        open_session(ctx, user, client, user_agent, Some(kind.auth_method()), Some(raw)).await.map_err(|e| (e, Some(subject)))?;
    Ok(Finished { outcome, next: req.next_url })
}

impl Oidc {
    async fn http_get(&self, url: &str, bearer: &str) -> Result<serde_json::Map<String, Value>, String> {
        self.get_json(url, Some(bearer)).await
    }
}

fn token_invalid(why: &str) -> AppError {
    tracing::info!(why, "OIDC ID token refused");
    refused(
        400,
        "oidc_token_invalid",
        "Thông tin xác thực nhận được không hợp lệ. Vui lòng đăng nhập lại.",
        "The sign-in provider's answer is not valid. Please sign in again.",
    )
}

/// The token request (client_secret_basic when a secret is configured, else a public client).
async fn exchange(
    ctx: &AppContext,
    kind: Kind,
    cfg: &OidcProviderConfig,
    p: &Provider,
    code: &str,
    verifier: &str,
) -> Result<TokenResponse, AppError> {
    let redirect = redirect_url(ctx, kind);
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect.as_str()),
        ("code_verifier", verifier),
    ];
    let mut req = ctx.oidc.http.post(&p.discovery.token_endpoint).header("accept", "application/json");
    match &cfg.client_secret {
        Some(secret) => req = req.basic_auth(form_encode(&cfg.client_id), Some(form_encode(secret))),
        None => form.push(("client_id", cfg.client_id.as_str())),
    }
    let body = form_body(&form);
    let r = req
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| unavailable("token", e))?;
    let status = r.status();
    let body = read_capped(r).await.map_err(|e| unavailable("token", e))?;
    if status.is_server_error() {
        return Err(unavailable("token", format!("HTTP {status}")));
    }
    if !status.is_success() {
        // invalid_grant: a code already redeemed, expired, or not issued for this verifier.
        let err: Value = serde_json::from_slice(&body).unwrap_or_default();
        tracing::info!(%status, error = %err, "OIDC token request refused");
        return Err(refused(
            400,
            "oidc_code_rejected",
            "Hệ thống xác thực không chấp nhận mã đăng nhập (đã dùng hoặc hết hạn). Vui lòng đăng nhập lại.",
            "The sign-in provider refused the code (already used or expired). Please sign in again.",
        ));
    }
    serde_json::from_slice(&body).map_err(|e| unavailable("token", e))
}

/// `application/x-www-form-urlencoded` of the pairs.
fn form_body(pairs: &[(&str, &str)]) -> String {
    reqwest::Url::parse_with_params("x:", pairs).ok().and_then(|u| u.query().map(str::to_string)).unwrap_or_default()
}

/// RFC 6749 §2.3.1: client id and secret are form-encoded before Basic authentication.
fn form_encode(s: &str) -> String {
    form_body(&[("a", s)])[2..].to_string()
}

struct Claims {
    subject: String,
    extra: serde_json::Map<String, Value>,
}

/// Verifies the ID token; a token signed with a key we do not know fetches the keys again
/// once (the provider rotated them).
async fn verify(
    ctx: &AppContext,
    kind: Kind,
    cfg: &OidcProviderConfig,
    mut p: Arc<Provider>,
    raw: &str,
    nonce: &str,
) -> Result<Claims, AppError> {
    let token: Token = raw.parse().map_err(|e: serde_json::Error| token_invalid(&e.to_string()))?;
    loop {
        match check(cfg, &p, &token, nonce) {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey))
                if ctx.oidc.may_force(kind) =>
            {
                p = ctx.oidc.provider(kind, cfg, true).await?;
            }
            Err(e) => return Err(claims_error(e)),
            Ok(c) => return Ok(c),
        }
    }
}

fn check(cfg: &OidcProviderConfig, p: &Provider, token: &Token, nonce: &str) -> Result<Claims, ClaimsVerificationError> {
    let issuer = IssuerUrl::new(p.discovery.issuer.clone()).map_err(|e| ClaimsVerificationError::Other(e.to_string()))?;
    let client = ClientId::new(cfg.client_id.clone());
    let skew = chrono::Duration::seconds(cfg.clock_skew_secs.max(0));
    let verifier = match &cfg.client_secret {
        Some(s) => IdTokenVerifier::new_confidential_client(client, ClientSecret::new(s.clone()), issuer, p.keys.clone()),
        None => IdTokenVerifier::new_public_client(client, issuer, p.keys.clone()),
    }
    // `exp` is compared with a clock set back by the skew; `iat` may be ahead by the skew.
    .set_time_fn(move || chrono::Utc::now() - skew)
    .set_issue_time_verifier_fn(move |iat| {
        if iat > chrono::Utc::now() + skew { Err(format!("issued in the future: {iat}")) } else { Ok(()) }
    });
    let c = token.claims(&verifier, &Nonce::new(nonce.to_string()))?;
    let mut extra = c.additional_claims().all.clone();
    // The standard profile claims a new account may use.
    if let Some(n) = c.name().and_then(|n| n.get(None)) {
        extra.insert("name".into(), Value::String(n.to_string()));
    }
    if let Some(e) = c.email() {
        extra.insert("email".into(), Value::String(e.to_string()));
    }
    if let Some(ph) = c.phone_number() {
        extra.insert("phone_number".into(), Value::String(ph.to_string()));
    }
    Ok(Claims { subject: c.subject().to_string(), extra })
}

fn claims_error(e: ClaimsVerificationError) -> AppError {
    match e {
        ClaimsVerificationError::Expired(why) => {
            tracing::info!(why, "OIDC ID token expired");
            refused(
                400,
                "oidc_token_expired",
                "Thông tin xác thực đã hết hạn. Vui lòng đăng nhập lại.",
                "The sign-in has expired. Please sign in again.",
            )
        }
        ClaimsVerificationError::InvalidNonce(why) => {
            tracing::info!(why, "OIDC nonce mismatch");
            refused(
                400,
                "oidc_nonce_mismatch",
                "Thông tin xác thực không khớp với yêu cầu đăng nhập này. Vui lòng đăng nhập lại.",
                "The sign-in answer does not match this sign-in request. Please sign in again.",
            )
        }
        other => token_invalid(&other.to_string()),
    }
}

fn claim_str<'a>(extra: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    extra.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// The account of the signed-in person (see the module comment), linked to the subject.
async fn account(
    ctx: &AppContext,
    kind: Kind,
    cfg: &OidcProviderConfig,
    issuer: &str,
    subject: &str,
    extra: &serde_json::Map<String, Value>,
) -> Result<users::UserRecord, AppError> {
    let id_missing = || {
        refused(
            400,
            "oidc_identity_missing",
            "Hệ thống xác thực không cung cấp số định danh cá nhân hợp lệ.",
            "The sign-in provider did not give a valid personal identity number.",
        )
    };
    let number = claim_str(extra, &cfg.id_number_claim).ok_or_else(id_missing)?;
    let number = CitizenId::parse("citizen_id", number).map_err(|_| id_missing())?.as_str().to_string();
    let (iss, sub, n) = (issuer.to_string(), subject.to_string(), number.clone());
    let found = ctx
        .store
        .read(move |db| {
            let id = match repo::linked_user(db, &iss, &sub)? {
                Some(id) => Some(id),
                None => repo::user_by_citizen_id(db, &n)?,
            };
            id.map(|id| users::get(db, &id)).transpose().map_err(AppError::from)
        })
        .await?;
    let user = match found {
        Some(u) if u.account_type == kind.account_type() => u,
        Some(_) => {
            return Err(refused(
                409,
                "oidc_account_conflict",
                "Số định danh này gắn với một loại tài khoản khác; không thể đăng nhập theo cách này.",
                "This identity number belongs to another kind of account; it cannot sign in this way.",
            ));
        }
        None if kind == Kind::Officer => {
            return Err(refused(
                403,
                "oidc_unknown_officer",
                "Không có tài khoản cán bộ nào gắn với số định danh này. Đề nghị liên hệ quản trị hệ thống.",
                "No officer account has this identity number. Please contact the administrator.",
            ));
        }
        None => {
            // A new citizen account: it has no usable password (a random one nobody knows).
            // Claims that our rules refuse are left out rather than failing the sign-in.
            let full_name = claim_str(extra, "name")
                .and_then(|n| motcua_domain::user::parse_full_name("full_name", n).ok())
                .unwrap_or_else(|| "Công dân".into());
            let input = NewUser {
                username: format!("vneid-{number}"),
                full_name,
                email: claim_str(extra, "email").and_then(|e| motcua_domain::user::parse_email("email", e).ok()),
                phone: None,
                citizen_id: Some(number.clone()),
                password: format!("Aa1!{}", random_token()),
                account_type: Some(AccountType::Citizen.code().into()),
                memberships: Vec::new(),
            };
            let v = validate_new(&input)?;
            let hash = crate::auth::hash_password(ctx, input.password).await?;
            ctx.store.write(move |db| create_in(db, None, v, &hash).map(|(u, _)| u)).await?
        }
    };
    let (iss, sub, uid, k) = (issuer.to_string(), subject.to_string(), user.id.clone(), kind.code());
    ctx.store
        .write(move |db| {
            if repo::linked_user(db, &iss, &sub)?.is_none() {
                repo::link(db, &iss, &sub, &uid, k, now_ms())?;
                audit::append(
                    db,
                    NewAudit {
                        chain: ADMIN_CHAIN,
                        at_ms: now_ms(),
                        actor_id: Some(&uid),
                        action: "auth.oidc_linked",
                        entity_kind: "user",
                        entity_id: &uid,
                        agency_path: None,
                        payload: json!({"issuer": iss, "subject": sub, "kind": k}),
                    },
                )?;
            }
            Ok::<_, AppError>(())
        })
        .await?;
    Ok(user)
}

/// Where to send the browser after the local logout of an OIDC session: the provider's
/// end-session endpoint with the ID token as hint, if it has one.
pub async fn logout_url(ctx: &AppContext, auth_method: Option<&str>, id_token: Option<&str>) -> Option<String> {
    let kind = match auth_method? {
        VNEID => Kind::Citizen,
        OFFICER_SSO => Kind::Officer,
        _ => return None,
    };
    let cfg = kind.config(ctx);
    if !cfg.enabled() {
        return None;
    }
    let p = match ctx.oidc.provider(kind, cfg, false).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "no provider logout: discovery failed");
            return None;
        }
    };
    let mut url = reqwest::Url::parse(p.discovery.end_session_endpoint.as_deref()?).ok()?;
    let back = cfg.post_logout_redirect_url.clone().unwrap_or_else(|| format!("{}/", ctx.config.public_url()));
    {
        let mut q = url.query_pairs_mut();
        if let Some(t) = id_token {
            q.append_pair("id_token_hint", t);
        }
        q.append_pair("client_id", &cfg.client_id).append_pair("post_logout_redirect_uri", &back);
    }
    Some(url.into())
}
