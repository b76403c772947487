//! Documents issued for a dossier (the forms of TT 03/2025 as PDF, issue #13): the list on
//! the officer's and the citizen's dossier pages, and `GET /ho-so/{id}/giay-to/{doc_id}`,
//! the download for whoever may read the dossier (the same check as reading it).

use crate::kit::{Lang, PageUser, Route, error_page, hour_day};
use axum::extract::{Path, State};
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::error::AppError;
use motcua_app::usecases::dossiers as uc;
use motcua_domain::dossier::forms;

/// A document in the list: where it downloads, its form and name, number and date.
pub struct DocLink {
    /// "01" … "06".
    pub form: String,
    pub href: String,
    pub title: String,
    pub number: String,
    pub at: String,
}

/// The documents of a dossier the user may read, as links.
pub async fn links(ctx: &AppContext, lang: Lang, user: &CurrentUser, id: &str) -> Result<Vec<DocLink>, AppError> {
    Ok(uc::documents(ctx, user, id)
        .await?
        .into_iter()
        .map(|doc| {
            let name = match (lang, doc.form.parse().ok().and_then(forms::name)) {
                (Lang::En, Some((_, en))) => en.to_string(),
                _ => doc.name.clone(),
            };
            let title = if doc.form == uc::RESULT_FORM {
                format!("{} – {name}", lang.t("Kết quả giải quyết (đã ký số)", "Result (digitally signed)"))
            } else {
                format!("{} {} – {name}", lang.t("Mẫu", "Form"), doc.form)
            };
            DocLink {
                href: lang.href(Route::DossierDocument(&doc.dossier_id, &doc.id)),
                title,
                number: doc.number,
                form: doc.form,
                at: hour_day(Some(doc.created_at)),
            }
        })
        .collect())
}

/// `GET /ho-so/{id}/giay-to/{doc_id}`: the document as a PDF download.
pub async fn download(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Path((id, doc_id)): Path<(String, String)>,
) -> Response {
    match uc::document(&ctx, &user, &id, &doc_id).await {
        Ok((doc, bytes)) => crate::kit::http::download_response("application/pdf", &file_name(&doc), bytes, false),
        Err(e) => error_page(lang, e),
    }
}

/// `mau-01-<number>.pdf` (`ket-qua-<number>.pdf` for the result), the number made safe
/// for a file name.
pub fn file_name(doc: &uc::Document) -> String {
    let number: String =
        doc.number.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '-' }).collect();
    if doc.form == uc::RESULT_FORM { format!("ket-qua-{number}.pdf") } else { format!("mau-{}-{number}.pdf", doc.form) }
}
