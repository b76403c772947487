//! `/thu-tuc/mau/{file}`: the catalog's form files (tờ khai, đơn), embedded. The catalog pages
//! themselves are in `motcua-pages`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use motcua_pages::kit::route::urlencode;

#[derive(rust_embed::RustEmbed)]
#[folder = "../../data/catalog/templates/"]
#[include = "*.docx"]
struct Templates;

/// A form template (tờ khai, đơn) of the catalog.
pub async fn template(Path(file): Path<String>) -> Response {
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
        // The web shell turns a bare 404 into the HTML error page.
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
