//! Form helpers shared by every page: the posted fields, the GOV.UK-style error summary and
//! inline field errors, and HTML error pages.
//!
//! A page re-renders its form with the posted values and a list of `FieldError`s whose
//! `field` is the `id` of the input it concerns, so the summary can link to it.

use super::{Lang, esc, layout_nav};
use crate::error::ApiError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use motcua_app::AppError;
use motcua_domain::error::FieldError;
use std::fmt::Write;

/// The fields of an `application/x-www-form-urlencoded` body, in order; a name may repeat
/// (checkboxes, table rows).
#[derive(Debug, Clone, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    /// The first value of `name`, or "" when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or("").to_string()
    }
    /// A checkbox: present with any value.
    pub fn checked(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// The error summary shown at the top of a page (GOV.UK pattern): a box titled "Có lỗi"
/// listing every problem, each linking to its field. Empty when there is nothing to show.
pub fn error_summary(lang: Lang, errors: &[FieldError]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut s = format!(
        r#"<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title">{}</h2><ul>"#,
        lang.t("Có lỗi", "There is a problem")
    );
    for e in errors {
        let _ = write!(s, r##"<li><a href="#{}">{}</a></li>"##, esc(&e.field), esc(message(lang, e)));
    }
    s.push_str("</ul></div>");
    s
}

fn message(lang: Lang, e: &FieldError) -> &str {
    lang.t(&e.message_vi, &e.message_en)
}

/// The inline messages for the field with this id ("" when it has none). Render it just
/// before the input and point the input's `aria-describedby` at `{id}-error`.
pub fn field_error(lang: Lang, errors: &[FieldError], id: &str) -> String {
    let msgs: Vec<&str> = errors.iter().filter(|e| e.field == id).map(|e| message(lang, e)).collect();
    if msgs.is_empty() {
        return String::new();
    }
    format!(
        r#"<p class="field-error" id="{}-error"><span class="vh">{}</span>{}</p>"#,
        esc(id),
        lang.t("Lỗi: ", "Error: "),
        msgs.iter().map(|m| esc(m)).collect::<Vec<_>>().join("<br>")
    )
}

/// `aria-describedby` and `aria-invalid` for an input that has errors ("" otherwise).
pub fn invalid_attrs(errors: &[FieldError], id: &str) -> String {
    if errors.iter().any(|e| e.field == id) {
        format!(r#" aria-describedby="{}-error" aria-invalid="true""#, esc(id))
    } else {
        String::new()
    }
}

/// The page title, prefixed with "Lỗi: " when the page shows errors (so screen readers hear it first).
pub fn title_with_errors(lang: Lang, title: &str, errors: &[FieldError]) -> String {
    if errors.is_empty() { title.to_string() } else { format!("{}{title}", lang.t("Lỗi: ", "Error: ")) }
}

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

/// An error as an HTML page (403, 404, 500…), with the one error type's messages.
pub fn error_page(lang: Lang, e: impl Into<ApiError>) -> Response {
    let e: ApiError = e.into();
    let (title, hint) = match e.status.as_u16() {
        403 => (lang.t("Không có quyền truy cập", "Access denied"), ""),
        404 => (lang.t("Không tìm thấy", "Not found"), ""),
        s if s >= 500 => (
            lang.t("Hệ thống đang gặp sự cố", "Something went wrong"),
            lang.t("Vui lòng thử lại sau ít phút.", "Please try again in a few minutes."),
        ),
        _ => (lang.t("Không thực hiện được", "The request could not be completed"), ""),
    };
    let body = format!(
        r#"<h1>{}</h1><p>{}</p>{}<p><a href="/{}">{}</a></p>"#,
        esc(title),
        esc(lang.t(&e.body.message_vi, &e.body.message_en)),
        if hint.is_empty() { String::new() } else { format!("<p>{}</p>", esc(hint)) },
        lang.suffix(),
        lang.t("Về trang chủ", "Back to the home page")
    );
    let mut r = page(e.status, lang, title, "/", &body);
    if let Some(s) = e.retry_after_secs
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The field errors of an application error (one entry for errors without fields).
pub fn app_field_errors(e: &AppError, fallback_field: &str) -> Vec<FieldError> {
    let fs = e.fields();
    if fs.is_empty() { vec![FieldError::new(fallback_field, e.code(), e.message_vi(), e.message_en())] } else { fs }
}

/// A 303 redirect (after a successful POST, or to the login page).
pub fn see_other(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}
