//! The applicant's side: the online filing wizard (`filing`) and the citizen's own dossiers (`dossiers`). Every action is an ordinary command of
//! `usecases::dossiers`, as the JSON API's.

pub mod dossiers;
pub mod filing;
pub mod locker;
pub mod notices;
pub mod pay;
pub mod postal;

use crate::kit::{Lang, PageError, error_page};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::dossiers::{self as uc, TimelineEntry};
use motcua_domain::dossier::Dossier;
use motcua_domain::user::AccountType;

/// Whether the account is a citizen's (these pages are the applicant's side).
pub fn citizen_only(user: &CurrentUser) -> bool {
    user.user.account_type == AccountType::Citizen
}

pub fn not_citizen(lang: Lang) -> Response {
    error_page(
        lang,
        PageError::new(
            StatusCode::FORBIDDEN,
            "citizens_only",
            "Trang này dành cho tài khoản công dân, tổ chức nộp hồ sơ.",
            "This page is for applicants' accounts.",
        ),
    )
}

/// A dossier the user may read, with its timeline, or the error page.
pub async fn load(ctx: &AppContext, lang: Lang, user: &CurrentUser, id: &str) -> Result<(Dossier, Vec<TimelineEntry>), Response> {
    uc::get(ctx, user, id).await.map_err(|e| error_page(lang, e))
}
