//! The page frame and turning a view into a response.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

/// What the layout needs besides the language: the title and the same page in the other language.
pub struct Frame {
    pub title: String,
    pub other_lang_href: String,
}

impl Frame {
    pub fn new(title: impl Into<String>, other_lang_href: impl Into<String>) -> Self {
        Frame { title: title.into(), other_lang_href: other_lang_href.into() }
    }
}

/// A rendered view as an HTML response. Pages show per-user data (CSRF tokens, drafts):
/// never cached.
pub fn html(status: StatusCode, view: &impl Template) -> Response {
    match view.render() {
        Ok(body) => {
            let mut r = (status, Html(body)).into_response();
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}
