//! `/thu-tuc/mau/{file}`: the catalog's form files (tờ khai, đơn), embedded in the binary.

use crate::kit::{Lang, PageError, error_page};
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/catalog/templates/"]
#[include = "*.docx"]
struct Templates;

/// A form template of the catalog, as a download; an unknown name gets the 404 page.
pub async fn template(lang: Lang, Path(file): Path<String>) -> Response {
    match Templates::get(&file).filter(|_| !file.contains('/') && file.ends_with(".docx")) {
        Some(f) => {
            let mut r = f.data.into_owned().into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        None => error_page(
            lang,
            PageError::new(StatusCode::NOT_FOUND, "not_found", "Không có mẫu đơn, tờ khai này.", "There is no such form."),
        ),
    }
}
