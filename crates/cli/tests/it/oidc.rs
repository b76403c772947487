//! OIDC sign-in (issue #15: VNeID for citizens, the provincial SSO for officers) against a
//! real provider: node `oidc-provider` (crates/cli/tests/oidc/provider.mjs; installed by
//! `.ci/run`), on both backends. HTTP level with a cookie jar, going through the provider's
//! own login and consent pages: a citizen is created, linked by identity number, files a
//! dossier that carries the VNeID flag and logs out at the provider; an officer maps to the
//! existing account; a wrong state, a replayed response, a wrong nonce, an expired ID token,
//! an error from the provider and an unknown officer each end on a clean refusal page with
//! its code, audited, and open no session.

use crate::officer_pages::online_submitted;
use motcua_app::config::OidcProviderConfig;
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const SECRET: &str = "motcua-test-secret";

/// The provider's node modules: `MOTCUA_OIDC_MODULES` or where `.ci/run` installs them.
fn modules() -> PathBuf {
    let dir = std::env::var_os("MOTCUA_OIDC_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/motcua/oidc/node_modules"));
    assert!(
        dir.join("oidc-provider/package.json").exists(),
        "the OIDC tests need node `oidc-provider` in {} (run .ci/run, or `npm install --prefix ~/.cache/motcua/oidc oidc-provider@8`)",
        dir.display()
    );
    dir
}

/// A running provider; stopped on drop.
pub struct Provider {
    pub issuer: String,
    child: Child,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Provider {
    /// Starts a provider with motcua's two clients registered for the app at `app_url`, and
    /// its test accounts. `clock_lag_secs` > 0: its clock runs behind (its tokens come expired).
    pub async fn start(app_url: &str, clock_lag_secs: i64) -> Provider {
        Self::start_on(app_url, clock_lag_secs, 0).await
    }

    /// [`Provider::start`] on a given port (0 = any), with a new signing key.
    pub async fn start_on(app_url: &str, clock_lag_secs: i64, port: u16) -> Provider {
        let client = |kind: &str| {
            json!({"client_id": format!("motcua-{kind}"), "client_secret": SECRET,
                   "redirect_uris": [format!("{app_url}/dang-nhap/oidc/{kind}/callback")],
                   "post_logout_redirect_uris": [format!("{app_url}/")],
                   "grant_types": ["authorization_code"], "response_types": ["code"],
                   "token_endpoint_auth_method": "client_secret_basic"})
        };
        let cfg = json!({
            "clients": [client("citizen"), client("officer")],
            "accounts": {
                "an.vneid": {"citizen_id": "037092001234", "name": "Nguyễn Văn An"},
                "moi.vneid": {"citizen_id": "001099012345", "name": "Phạm Thị Mới", "birthdate": "1999-05-01"},
                "thieu.vneid": {"name": "Không Có Số"},
                "ha.sso": {"citizen_id": "037190000103", "name": "Lê Thị Thu Hà"},
                "la.sso": {"citizen_id": "001000000999", "name": "Người Lạ"}
            },
            "clockLagSecs": clock_lag_secs,
            "port": port,
            "idTokenTtl": if clock_lag_secs > 0 { 60 } else { 3600 },
        });
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc/provider.mjs");
        let modules = modules();
        let mut child = Command::new("node")
            .arg(&script)
            .arg(&modules)
            .arg(cfg.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("the OIDC tests need node (Node 20) on PATH: {e}"));
        let out = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(out).read_line(&mut line).map(|_| line)
        })
        .await
        .unwrap()
        .unwrap();
        let issuer =
            line.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("provider did not start: {line:?}")).to_string();
        Provider { issuer, child }
    }
}

/// An app whose citizen and officer sign-ins go to a provider of their own.
pub async fn spawn(backend: Backend, clock_lag_secs: i64) -> (TestApp, Provider) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let p = Provider::start(&url, clock_lag_secs).await;
    let provider = |kind: &str| OidcProviderConfig {
        issuer: p.issuer.clone(),
        client_id: format!("motcua-{kind}"),
        client_secret: Some(SECRET.into()),
        acr_values: (kind == "citizen").then(|| "LoA1".into()),
        ..Default::default()
    };
    let app = TestApp::spawn_on(backend, listener, |c| {
        c.public_url = Some(url.clone());
        c.oidc.citizen = provider("citizen");
        c.oidc.officer = provider("officer");
    })
    .await;
    (app, p)
}

/// A browser stand-in: a cookie jar that follows no redirect.
fn jar() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers().get(LOCATION).unwrap_or_else(|| panic!("no Location: {}", r.status())).to_str().unwrap().to_string()
}

/// `POST /dang-nhap/oidc/{kind}`: the provider's authorization URL.
async fn start(app: &TestApp, http: &reqwest::Client, kind: &str) -> String {
    let r = http
        .post(format!("{}/dang-nhap/oidc/{kind}", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("next=%2Fho-so-cua-toi")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    location(&r)
}

fn form_action(html: &str) -> String {
    let at = html.find("action=\"").unwrap_or_else(|| panic!("no form: {html}")) + 8;
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// Goes through the provider's login (as `login`) and consent pages from the authorization
/// URL, and returns the redirect back to motcua (not followed).
async fn authorize(http: &reqwest::Client, provider: &str, authorize_url: &str, login: &str) -> String {
    let mut url = authorize_url.to_string();
    for _ in 0..12 {
        let r = http.get(&url).send().await.unwrap();
        if r.status().is_redirection() {
            let next = location(&r);
            let next = if next.starts_with('/') { format!("{provider}{next}") } else { next };
            if !next.starts_with(provider) {
                return next;
            }
            url = next;
            continue;
        }
        let html = r.text().await.unwrap();
        let action = form_action(&html);
        let action = if action.starts_with('/') { format!("{provider}{action}") } else { action };
        let body = if html.contains("name=\"login\"") {
            format!("prompt=login&login={login}&password=x")
        } else {
            "prompt=consent".to_string()
        };
        let r = http.post(&action).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.unwrap();
        assert!(r.status().is_redirection(), "{action}: {}", r.status());
        url = location(&r);
        if url.starts_with('/') {
            url = format!("{provider}{url}");
        }
        if !url.starts_with(provider) {
            return url;
        }
    }
    panic!("the provider never sent the browser back");
}

/// The callback: status, the error code header, and the Location (if any).
async fn callback(http: &reqwest::Client, url: &str) -> (StatusCode, Option<String>, Option<String>, String) {
    let r = http.get(url).send().await.unwrap();
    let status = r.status();
    let code = r.headers().get("x-error-code").map(|v| v.to_str().unwrap().to_string());
    let loc = r.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_string());
    (status, code, loc, r.text().await.unwrap())
}

async fn me(app: &TestApp, http: &reqwest::Client) -> (StatusCode, Value) {
    let r = http.get(format!("{}/api/v1/auth/me", app.url)).send().await.unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Failures audited, by code.
async fn audited(app: &TestApp) -> Vec<String> {
    app.ctx
        .store
        .read(|db| {
            let rows = db.query("SELECT payload FROM audit_events WHERE action = 'auth.oidc_failed' ORDER BY seq", &[])?;
            rows.iter().map(|r| r.text(0)).collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap()
        .iter()
        .map(|p| serde_json::from_str::<Value>(p).unwrap()["code"].as_str().unwrap().to_string())
        .collect()
}

/// A refused callback: the status and code, a Vietnamese page, and no session opened.
async fn refused(app: &TestApp, http: &reqwest::Client, url: &str, status: StatusCode, code: &str, vi: &str) {
    let (s, c, _, body) = callback(http, url).await;
    assert_eq!((s, c.as_deref()), (status, Some(code)), "{body}");
    assert!(body.contains(vi), "{body}");
    assert_eq!(me(app, http).await.0, StatusCode::UNAUTHORIZED, "no session after {code}");
}

async fn run(backend: Backend) {
    let (app, p) = spawn(backend, 0).await;
    let iss = p.issuer.clone();

    // The login page offers both sign-ins.
    let page = reqwest::get(format!("{}/dang-nhap", app.url)).await.unwrap().text().await.unwrap();
    assert!(page.contains("Đăng nhập bằng VNeID") && page.contains("Đăng nhập bằng tài khoản một cửa tỉnh"), "{page}");

    // A new citizen: state, nonce, PKCE S256 and acr_values go to the provider.
    let http = jar();
    let auth = start(&app, &http, "citizen").await;
    let q: std::collections::HashMap<String, String> = reqwest::Url::parse(&auth).unwrap().query_pairs().into_owned().collect();
    assert!(auth.starts_with(&format!("{iss}/auth?")), "{auth}");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["acr_values"], "LoA1");
    assert_eq!(q["client_id"], "motcua-citizen");
    assert!(q["state"].len() >= 32 && q["nonce"].len() >= 32 && q["code_challenge"].len() >= 43);
    let back = authorize(&http, &iss, &auth, "moi.vneid").await;
    assert!(back.starts_with(&format!("{}/dang-nhap/oidc/citizen/callback?", app.url)), "{back}");
    let (s, _, loc, body) = callback(&http, &back).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(loc.as_deref(), Some("/ho-so-cua-toi"));
    let (s, who) = me(&app, &http).await;
    assert_eq!(s, StatusCode::OK, "{who}");
    assert_eq!(who["user"]["account_type"], "citizen", "{who}");
    assert_eq!(who["user"]["full_name"], "Phạm Thị Mới", "{who}");
    assert_eq!(who["user"]["citizen_id"], "001099012345", "{who}");

    // The same callback again: the state is used up.
    refused(&app, &jar(), &back, StatusCode::BAD_REQUEST, "oidc_replayed", "đã được sử dụng").await;
    let replay = jar();
    let auth2 = start(&app, &replay, "citizen").await;
    let back2 = authorize(&replay, &iss, &auth2, "moi.vneid").await;
    assert_eq!(callback(&replay, &back2).await.0, StatusCode::SEE_OTHER);
    let fresh = jar();
    // Replayed in the browser that started it (cookie kept): refused as a replay.
    let (s, c, _, _) = callback(&replay, &back2).await;
    assert_eq!((s, c.as_deref()), (StatusCode::BAD_REQUEST, Some("oidc_replayed")));

    // A second sign-in of the same person reuses the account (linked by subject).
    let id = who["user"]["id"].as_str().unwrap().to_string();
    let (_, again) = me(&app, &replay).await;
    assert_eq!(again["user"]["id"].as_str(), Some(id.as_str()));

    // The citizen files a dossier in the VNeID session: the flag is on it and in the
    // national portal's payload; a password session's dossier has none.
    let csrf = who["csrf_token"].as_str().unwrap().to_string();
    let citizen = Client { http: http.clone(), base: app.url.clone(), csrf: Some(csrf) };
    let d = online_submitted(&citizen).await;
    let flag = |d: &Value| {
        let id = d["id"].as_str().unwrap().to_string();
        let ctx = app.ctx.clone();
        async move {
            let d = ctx.store.read(move |db| motcua_store::repo::dossiers::get(db, &id)).await.unwrap().unwrap();
            (d.vneid_authenticated, motcua_dvcqg::mapping::dossier_item(&d, &|a| a.to_string()).vneid_authenticated)
        }
    };
    assert_eq!(flag(&d).await, (true, 1));
    let password = app.login("congdan").await;
    assert_eq!(flag(&online_submitted(&password).await).await, (false, 0));

    // An existing citizen account is linked by the identity number of the userinfo claims.
    let an = jar();
    let auth = start(&app, &an, "citizen").await;
    let back = authorize(&an, &iss, &auth, "an.vneid").await;
    assert_eq!(callback(&an, &back).await.0, StatusCode::SEE_OTHER);
    assert_eq!(me(&app, &an).await.1["user"]["username"], "congdan");

    // Logout ends the local session, then goes to the provider's end-session endpoint.
    let r = http
        .post(format!("{}/dang-xuat", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf_token={}", who["csrf_token"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let out = location(&r);
    assert!(out.starts_with(&format!("{iss}/session/end?")), "{out}");
    assert!(out.contains("id_token_hint=") && out.contains("post_logout_redirect_uri="), "{out}");
    assert_eq!(me(&app, &http).await.0, StatusCode::UNAUTHORIZED);
    let r = http.get(&out).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the provider accepts the hint");
    assert!(r.text().await.unwrap().contains("op.logoutForm"));

    // A wrong state, and a state from another browser.
    let other = jar();
    let auth = start(&app, &other, "citizen").await;
    let back = authorize(&other, &iss, &auth, "moi.vneid").await;
    let forged = back.replace("state=", "state=x");
    refused(&app, &other, &forged, StatusCode::BAD_REQUEST, "oidc_state_invalid", "Phiên đăng nhập không hợp lệ").await;
    refused(&app, &fresh, &back, StatusCode::BAD_REQUEST, "oidc_state_invalid", "Phiên đăng nhập không hợp lệ").await;

    // A code issued for another authorization request (same PKCE challenge, other nonce).
    let b = jar();
    let auth = start(&app, &b, "citizen").await;
    let mut u = reqwest::Url::parse(&auth).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .into_owned()
        .map(|(k, v)| if k == "nonce" { (k, "another-request-nonce-0123456789abcdef".into()) } else { (k, v) })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    let back = authorize(&b, &iss, u.as_str(), "moi.vneid").await;
    refused(&app, &b, &back, StatusCode::BAD_REQUEST, "oidc_nonce_mismatch", "không khớp").await;

    // The code itself replayed under a new request of this browser: the provider refuses it.
    let auth = start(&app, &b, "citizen").await;
    let state = reqwest::Url::parse(&auth).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let code = reqwest::Url::parse(&back2).unwrap().query_pairs().find(|(k, _)| k == "code").unwrap().1.into_owned();
    let url = format!("{}/dang-nhap/oidc/citizen/callback?code={code}&state={state}", app.url);
    refused(&app, &b, &url, StatusCode::BAD_REQUEST, "oidc_code_rejected", "không chấp nhận mã").await;

    // The provider's error (the person cancelled).
    let auth = start(&app, &b, "citizen").await;
    let state = reqwest::Url::parse(&auth).unwrap().query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let url = format!("{}/dang-nhap/oidc/citizen/callback?error=access_denied&state={state}", app.url);
    refused(&app, &b, &url, StatusCode::BAD_REQUEST, "oidc_provider_error", "không hoàn tất").await;

    // No identity number in the claims (a new browser: the provider remembers who signed in).
    let t = jar();
    let auth = start(&app, &t, "citizen").await;
    let back = authorize(&t, &iss, &auth, "thieu.vneid").await;
    refused(&app, &t, &back, StatusCode::BAD_REQUEST, "oidc_identity_missing", "số định danh").await;

    // An officer through the provincial SSO: the existing account of that identity number.
    let o = jar();
    let auth = start(&app, &o, "officer").await;
    assert!(!auth.contains("acr_values"), "{auth}");
    let back = authorize(&o, &iss, &auth, "ha.sso").await;
    assert!(back.contains("/dang-nhap/oidc/officer/callback?"), "{back}");
    assert_eq!(callback(&o, &back).await.0, StatusCode::SEE_OTHER);
    let (_, who) = me(&app, &o).await;
    assert_eq!(who["user"]["username"], "tiepnhan", "{who}");
    // Nobody else: an unknown identity number is refused and no account is created.
    let users_before = app.ctx.store.read(motcua_store::repo::users::count).await.unwrap();
    let u = jar();
    let auth = start(&app, &u, "officer").await;
    let back = authorize(&u, &iss, &auth, "la.sso").await;
    refused(&app, &u, &back, StatusCode::FORBIDDEN, "oidc_unknown_officer", "Không có tài khoản cán bộ").await;
    assert_eq!(app.ctx.store.read(motcua_store::repo::users::count).await.unwrap(), users_before);
    // A citizen's identity through the officers' door is no officer either.
    let u = jar();
    let auth = start(&app, &u, "officer").await;
    let back = authorize(&u, &iss, &auth, "an.vneid").await;
    refused(&app, &u, &back, StatusCode::CONFLICT, "oidc_account_conflict", "loại tài khoản khác").await;

    // English, when the sign-in started in English.
    let en = jar();
    let r = en
        .post(format!("{}/dang-nhap/oidc/citizen?lang=en", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    let back = authorize(&en, &iss, &location(&r), "moi.vneid").await;
    let (s, c, _, body) = callback(&en, &back.replace("state=", "state=y")).await;
    assert_eq!((s, c.as_deref()), (StatusCode::BAD_REQUEST, Some("oidc_state_invalid")));
    assert!(body.contains("This sign-in is invalid"), "{body}");

    let codes = audited(&app).await;
    for code in [
        "oidc_state_invalid",
        "oidc_replayed",
        "oidc_nonce_mismatch",
        "oidc_code_rejected",
        "oidc_provider_error",
        "oidc_identity_missing",
        "oidc_unknown_officer",
        "oidc_account_conflict",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code} audited: {codes:?}");
    }
}

/// A provider whose clock is behind: its ID tokens arrive expired (beyond the skew).
async fn expired(backend: Backend) {
    let (app, p) = spawn(backend, 600).await;
    let http = jar();
    let auth = start(&app, &http, "citizen").await;
    let back = authorize(&http, &p.issuer, &auth, "moi.vneid").await;
    refused(&app, &http, &back, StatusCode::BAD_REQUEST, "oidc_token_expired", "hết hạn").await;
    assert_eq!(audited(&app).await, vec!["oidc_token_expired".to_string()]);
}

/// The provider's signing key changes (a restart with a new key on the same address): a
/// token signed with a key motcua has not seen makes it fetch the keys again, and the
/// sign-in succeeds.
async fn rotated(backend: Backend) {
    let (app, p) = spawn(backend, 0).await;
    let kid = |issuer: String| async move {
        let keys: Value = reqwest::get(format!("{issuer}/jwks")).await.unwrap().json().await.unwrap();
        keys["keys"][0]["kid"].as_str().unwrap().to_string()
    };
    let sign_in = |login: &'static str| {
        let (app, iss) = (&app, p.issuer.clone());
        async move {
            let http = jar();
            let auth = start(app, &http, "citizen").await;
            let back = authorize(&http, &iss, &auth, login).await;
            let (s, c, _, body) = callback(&http, &back).await;
            assert_eq!((s, c), (StatusCode::SEE_OTHER, None), "{body}");
            me(app, &http).await.1["user"]["username"].as_str().unwrap().to_string()
        }
    };
    assert_eq!(sign_in("an.vneid").await, "congdan");
    let (issuer, before) = (p.issuer.clone(), kid(p.issuer.clone()).await);
    let port: u16 = issuer.rsplit(':').next().unwrap().parse().unwrap();
    drop(p);
    let p = Provider::start_on(&app.url, 0, port).await;
    assert_eq!(p.issuer, issuer);
    assert_ne!(kid(p.issuer.clone()).await, before, "a new key");
    let http = jar();
    let auth = start(&app, &http, "citizen").await;
    let back = authorize(&http, &p.issuer, &auth, "an.vneid").await;
    let (s, c, _, body) = callback(&http, &back).await;
    assert_eq!((s, c), (StatusCode::SEE_OTHER, None), "{body}");
    assert_eq!(me(&app, &http).await.1["user"]["username"], "congdan");
}

mod rotated_signing_key {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        rotated(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        rotated(Backend::Postgres).await;
    }
}

mod citizen_and_officer_sign_in {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        run(Backend::Postgres).await;
    }
}

mod expired_id_token {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        expired(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        expired(Backend::Postgres).await;
    }
}
