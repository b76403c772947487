//! `POST /dang-nhap/oidc/{kind}` (start a sign-in at VNeID or the provincial SSO) and
//! `GET /dang-nhap/oidc/{kind}/callback` (the provider's redirect back). The flow is the
//! app's (`motcua_app::oidc`); this module sets the cookies and redirects, and renders
//! refusals as error pages with their machine code.

use crate::kit::ClientAddr;
use crate::kit::http::{origin_ok, see_other, session_cookie};
use crate::kit::session::{local_next, origin_refused};
use crate::kit::{FormFields, Lang, error_page};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use motcua_app::oidc::{self, BROWSER_COOKIE, Callback, Kind};
use motcua_app::{AppContext, AppError};
use serde::Deserialize;

fn kind_of(s: &str) -> Result<Kind, AppError> {
    Kind::parse(s).ok_or(AppError::not_found("page"))
}

/// The browser-binding cookie: the secret, and the page language to answer the callback in
/// (the provider's redirect carries no `lang`). Scoped to the callback paths.
fn browser_cookie(ctx: &AppContext, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if ctx.config.public_url().starts_with("https://") { "; Secure" } else { "" };
    // SameSite=Lax: the provider's redirect back is a top-level GET, which Lax lets through.
    HeaderValue::from_str(&format!(
        "{BROWSER_COOKIE}={value}; Path=/dang-nhap/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie header is ASCII")
}

fn read_browser_cookie(headers: &HeaderMap) -> Option<(String, Lang)> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        if k != BROWSER_COOKIE || v.is_empty() {
            return None;
        }
        let (secret, lang) = v.split_once('.').unwrap_or((v, "vi"));
        Some((secret.to_string(), if lang == "en" { Lang::En } else { Lang::Vi }))
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StartForm {
    next: Option<String>,
}

/// `POST /dang-nhap/oidc/{kind}`: stores the request and sends the browser to the provider.
pub async fn start(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(kind): Path<String>,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let StartForm { next } = match FormFields(f).typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let kind = match kind_of(&kind) {
        Ok(k) => k,
        Err(e) => return error_page(lang, e),
    };
    let next = local_next(next.as_deref());
    match oidc::begin(&ctx, kind, &next, client).await {
        Ok(b) => {
            let mut r = see_other(&b.authorize_url);
            let value = format!("{}.{}", b.browser_secret, if lang == Lang::En { "en" } else { "vi" });
            r.headers_mut().insert(header::SET_COOKIE, browser_cookie(&ctx, &value, b.max_age_secs));
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => error_page(lang, e),
    }
}

/// `GET /dang-nhap/oidc/{kind}/callback`: completes the sign-in, sets the session cookie
/// and goes to the page the sign-in started from; every refusal is an error page with its
/// code (`oidc_state_invalid`, `oidc_replayed`, `oidc_nonce_mismatch`, …).
pub async fn callback(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(kind): Path<String>,
    lang: Lang,
    headers: HeaderMap,
    Query(cb): Query<Callback>,
) -> Response {
    let cookie = read_browser_cookie(&headers);
    let lang = cookie.as_ref().map_or(lang, |c| c.1);
    let kind = match kind_of(&kind) {
        Ok(k) => k,
        Err(e) => return error_page(lang, e),
    };
    let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
    let out = oidc::finish(&ctx, kind, cb, cookie.as_ref().map(|c| c.0.as_str()), client, ua).await;
    let mut r = match out {
        Ok(f) => {
            let next = if f.next.contains("lang=") { f.next } else { crate::kit::lang::with_lang(lang, &f.next) };
            let mut r = see_other(&next);
            r.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&ctx, &f.outcome.token, ctx.config.session.absolute_hours * 3600));
            r
        }
        Err(e) => error_page(lang, e),
    };
    // The request is used up either way: the binding cookie goes.
    r.headers_mut().append(header::SET_COOKIE, browser_cookie(&ctx, "", 0));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The login page's sign-in buttons: which providers are configured.
pub fn buttons(ctx: &AppContext) -> (bool, bool) {
    (ctx.config.oidc.citizen.enabled(), ctx.config.oidc.officer.enabled())
}

/// Where the browser goes after a local logout: the provider's logout for an OIDC session.
pub async fn after_logout(ctx: &AppContext, user: Option<&motcua_app::auth::CurrentUser>) -> Option<String> {
    let s = &user?.session;
    oidc::logout_url(ctx, s.auth_method.as_deref(), s.id_token.as_deref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_cookie_carries_the_language() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("motcua_session=x; motcua_oidc=abc.en"));
        assert_eq!(read_browser_cookie(&h), Some(("abc".into(), Lang::En)));
        h.insert(header::COOKIE, HeaderValue::from_static("motcua_oidc=abc"));
        assert_eq!(read_browser_cookie(&h), Some(("abc".into(), Lang::Vi)));
        h.insert(header::COOKIE, HeaderValue::from_static("motcua_oidc="));
        assert_eq!(read_browser_cookie(&h), None);
    }
}
