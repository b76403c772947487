//! Form helpers for the pages still in this crate: the kit's (`motcua_pages::kit::form`)
//! re-exported, and whole pages around markup built here.

use super::{Lang, layout_nav};
use crate::error::ApiError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_pages::kit::PageError;
pub use motcua_pages::kit::form::{error_summary, field_error, invalid_attrs};
pub use motcua_pages::kit::{FormFields, app_field_errors, error_page, see_other, title_with_errors};

/// A whole HTML page with a status. Pages must not fall through to the JSON error body.
pub fn page(status: StatusCode, lang: Lang, title: &str, other_lang_href: &str, body: &str) -> Response {
    page_nav(status, lang, title, other_lang_href, "", body)
}

/// `page` with a navigation bar above `<main>` (see `layout_nav`).
pub fn page_nav(status: StatusCode, lang: Lang, title: &str, other_lang_href: &str, nav: &str, body: &str) -> Response {
    let mut r = (status, Html(layout_nav(lang, title, other_lang_href, nav, body))).into_response();
    // Pages show per-user data (CSRF tokens, drafts): never cache them.
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The API's errors shown as error pages.
impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError {
            retry_after_secs: e.retry_after_secs,
            ..PageError::new(e.status, &e.body.code, e.body.message_vi, e.body.message_en)
        }
    }
}
