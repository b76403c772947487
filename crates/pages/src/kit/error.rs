//! Errors as HTML pages (403, 404, 500…), with the one error type's messages.

use super::layout::html;
use super::{Frame, Lang, Route};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use motcua_app::AppError;

/// An error on its way to an error page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    pub retry_after_secs: Option<i64>,
}

impl PageError {
    pub fn new(status: StatusCode, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        PageError { status, code: code.into(), message_vi: vi.into(), message_en: en.into(), retry_after_secs: None }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %e, "page failed");
        }
        let retry_after_secs = e.retry_after_secs();
        PageError { retry_after_secs, ..PageError::new(status, e.code(), e.message_vi(), e.message_en()) }
    }
}

#[derive(Template)]
#[template(path = "public/error.html")]
struct ErrorView<'a> {
    lang: Lang,
    frame: Frame,
    message: &'a str,
    hint: &'a str,
}

/// The header naming an error page's machine code (`export_too_large`, `forbidden`…).
pub const ERROR_CODE: &str = "x-error-code";

/// An error as an HTML page with its status and its code in `x-error-code`.
pub fn error_page(lang: Lang, e: impl Into<PageError>) -> Response {
    let e: PageError = e.into();
    let (title, hint) = match e.status.as_u16() {
        403 => (lang.t("Không có quyền truy cập", "Access denied"), ""),
        404 => (lang.t("Không tìm thấy", "Not found"), ""),
        s if s >= 500 => (
            lang.t("Hệ thống đang gặp sự cố", "Something went wrong"),
            lang.t("Vui lòng thử lại sau ít phút.", "Please try again in a few minutes."),
        ),
        _ => (lang.t("Không thực hiện được", "The request could not be completed"), ""),
    };
    let view =
        ErrorView { lang, frame: Frame::new(title, Route::Home.path()), message: lang.t(&e.message_vi, &e.message_en), hint };
    let mut r = html(e.status, &view);
    // The machine code for scripts (a download link answered with an error page).
    if let Ok(v) = HeaderValue::from_str(&e.code)
        && !e.code.is_empty()
    {
        r.headers_mut().insert(ERROR_CODE, v);
    }
    if let Some(s) = e.retry_after_secs
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}
