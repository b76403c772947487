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

/// An attached file as a response: its real type, a safe `Content-Disposition` (ASCII
/// fallback and the UTF-8 name), never cached. `inline` lets our own pages frame it.
pub fn file_response(f: &motcua_domain::dossier::FileRef, bytes: Vec<u8>, inline: bool) -> Response {
    download_response(&f.media_type, &f.name, bytes, inline)
}

/// Bytes as a response of `media_type` named `name` (see `file_response`).
pub fn download_response(media_type: &str, name: &str, bytes: Vec<u8>, inline: bool) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(media_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let disp = if inline { "inline" } else { "attachment" };
    if let Ok(v) = HeaderValue::from_str(&format!("{disp}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if inline {
        // Our own dossier page frames it; nobody else may.
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"),
        );
    }
    r
}
