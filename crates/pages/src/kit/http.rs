//! HTTP details shared by the pages and the API: the session cookie, the Origin check and
//! the 303 redirect.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;

pub const SESSION_COOKIE: &str = "motcua_session";

/// The session token from the cookie header, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == SESSION_COOKIE && !v.is_empty()).then(|| v.to_string())
    })
}

/// A browser-made cross-site request carries an Origin that is not ours.
pub fn origin_ok(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else { return false };
    origin.split_once("://").map(|(_, h)| h) == Some(host)
}

/// The `Set-Cookie` value of the session cookie (`Max-Age=0` with an empty value ends it).
pub fn session_cookie(ctx: &AppContext, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if ctx.config.public_url().starts_with("https://") { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"))
        .expect("cookie header is ASCII")
}

/// A 303 redirect (after a successful POST, or to the login page).
pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
