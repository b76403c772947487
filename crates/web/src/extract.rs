//! Extractors: a JSON body that reports every problem in the error shape, and the current
//! user from the session cookie, with the CSRF check on state-changing requests.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use motcua_app::AppContext;
use motcua_app::auth::{CurrentUser, authenticate, tokens_match};
use serde::de::DeserializeOwned;

pub use motcua_pages::kit::http::{SESSION_COOKIE, origin_ok, session_token};
pub const CSRF_HEADER: &str = "x-csrf-token";

/// `Json<T>` whose rejections are ours: 415 without a JSON content type, 400 for malformed
/// JSON, 413 past the body limit, 422 naming the field for unknown fields or wrong types.
pub struct ApiJson<T>(pub T);

/// The refusal of a NUL character (U+0000) anywhere in the input.
pub fn nul_character() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "nul_character",
        "Dữ liệu gửi lên có ký tự NUL (mã 0), không được chấp nhận.",
        "The input contains a NUL character (code 0), which is not accepted.",
    )
}

/// Does a JSON text hold a `\u0000` escape? (A raw NUL is already invalid JSON.) An escape is
/// real when the backslash before `u` is not itself escaped: an odd run of backslashes.
fn has_nul_escape(json: &[u8]) -> bool {
    json.windows(6)
        .enumerate()
        .any(|(i, w)| w.eq_ignore_ascii_case(b"\\u0000") && json[..=i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1)
}

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
        if !json_type {
            return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::for_status(StatusCode::PAYLOAD_TOO_LARGE)
            } else {
                ApiError::for_status(StatusCode::BAD_REQUEST)
            }
        })?;
        if has_nul_escape(&bytes) {
            return Err(nul_character());
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(v) => match de.end() {
                Ok(()) => Ok(ApiJson(v)),
                Err(e) => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "Có dữ liệu thừa sau nội dung JSON.",
                    format!("Trailing characters after the JSON value: {e}"),
                )),
            },
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    Err(ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        format!("Nội dung JSON không đúng cú pháp (dòng {}, cột {}).", inner.line(), inner.column()),
                        format!("Malformed JSON: {inner}"),
                    ))
                } else {
                    let field = if path == "." { String::new() } else { path };
                    let msg = inner.to_string();
                    let (code, vi) = if msg.starts_with("unknown field") {
                        ("unknown_field", "Trường dữ liệu không được hỗ trợ.".to_string())
                    } else if msg.starts_with("missing field") {
                        ("missing_field", "Thiếu trường dữ liệu bắt buộc.".to_string())
                    } else {
                        ("invalid_type", "Giá trị có kiểu dữ liệu không đúng.".to_string())
                    };
                    let field = if field.is_empty() { msg.split('`').nth(1).unwrap_or("").to_string() } else { field };
                    Err(ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        code,
                        format!("Dữ liệu gửi lên không hợp lệ: {vi}"),
                        format!("Invalid request body: {msg}"),
                    )
                    .with_field(&field, code, vi, msg))
                }
            }
        }
    }
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The logged-in user. Rejects with 401 when there is no valid session, and with 403 when a
/// state-changing request lacks the session's CSRF token or comes from another origin.
pub struct Auth(pub CurrentUser);

impl<S> FromRequestParts<S> for Auth
where
    AppContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = AppContext::from_ref(state);
        // Machine clients send a bearer token: no cookie, so no CSRF exposure.
        if let Some(bearer) = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        {
            return Ok(Auth(motcua_app::auth::authenticate_bearer(&ctx, bearer.trim()).await?));
        }
        let token = session_token(&parts.headers).ok_or_else(|| ApiError::for_status(StatusCode::UNAUTHORIZED))?;
        let current = authenticate(&ctx, &token).await?;
        if unsafe_method(&parts.method) {
            if !origin_ok(&parts.headers) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "origin_mismatch",
                    "Yêu cầu đến từ một trang khác; đã bị từ chối.",
                    "The request came from another site and was refused.",
                ));
            }
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !tokens_match(sent, &current.session.csrf_token) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf_token_invalid",
                    "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); vui lòng tải lại trang.",
                    "Missing or wrong CSRF token; reload the page.",
                ));
            }
        }
        Ok(Auth(current))
    }
}

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn finds_real_nul_escapes_only() {
        assert!(has_nul_escape(br#"{"name": "a\u0000b"}"#));
        assert!(has_nul_escape(br#"{"name": "\\\u0000"}"#), "an escaped backslash, then the escape");
        assert!(!has_nul_escape(br#"{"name": "a\\u0000b"}"#), "the text backslash-u-0000");
        assert!(!has_nul_escape(br#"{"name": "\u0001"}"#));
    }
}
