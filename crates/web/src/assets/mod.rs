//! The static files of the pages, served from `/assets/`: the stylesheet and the few scripts
//! (the CSP allows no inline script). Every page works without the scripts; they only add
//! upload progress, printing and the counter's live second screen.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const SITE_CSS: &str = include_str!("site.css");
const UPLOAD_JS: &str = include_str!("upload.js");

const FILES: &[(&str, &str)] = &[
    ("print.js", include_str!("print.js")),
    ("counter.js", include_str!("counter.js")),
    ("counter-screen.js", include_str!("counter-screen.js")),
    ("indicators-wall.js", include_str!("indicators-wall.js")),
    ("queue-board.js", include_str!("queue-board.js")),
];

fn typed(body: &'static str, content_type: &'static str, max_age: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(max_age));
    r
}

/// `GET /assets/site.css`.
pub async fn site_css() -> Response {
    typed(SITE_CSS, "text/css; charset=utf-8", "public, max-age=3600")
}

/// `GET /assets/upload.js`.
pub async fn upload_js() -> Response {
    typed(UPLOAD_JS, "text/javascript; charset=utf-8", "public, max-age=3600")
}

/// `GET /assets/{file}`: one of the scripts above.
pub async fn script(Path(file): Path<String>) -> Response {
    let Some((_, body)) = FILES.iter().find(|(n, _)| *n == file) else {
        return crate::error::ApiError::for_status(StatusCode::NOT_FOUND).into_response();
    };
    typed(body, "text/javascript; charset=utf-8", "public, max-age=300")
}
