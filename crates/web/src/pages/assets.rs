//! The few scripts of the pages, served from `/assets/` (the CSP allows no inline script).
//! Every page works without them; they only add printing and the counter's live second screen.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str)] = &[
    ("print.js", include_str!("assets/print.js")),
    ("counter.js", include_str!("assets/counter.js")),
    ("counter-screen.js", include_str!("assets/counter-screen.js")),
];

/// `GET /assets/{file}`: one of the scripts above.
pub async fn script(Path(file): Path<String>) -> Response {
    let Some((_, body)) = FILES.iter().find(|(n, _)| *n == file) else {
        return crate::error::ApiError::for_status(StatusCode::NOT_FOUND).into_response();
    };
    let mut r = (*body).into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    r
}
