//! The applicant's side: the online filing wizard (`filing`, still in `motcua-web` until it
//! moves) and the citizen's own dossiers (`dossiers`). Every action is an ordinary command of
//! `usecases::dossiers`, as the JSON API's.

pub mod dossiers;

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageError, Route, error_page, other_lang_href};
use askama::Template;
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

/// A citizen page around markup built in `motcua-web` (the filing wizard, until it moves):
/// the citizen's navigation and user bar above `body`.
#[derive(Template)]
#[template(source = r#"{% extends "layouts/citizen.html" %}{% block main %}{{ body|safe }}{% endblock %}"#, ext = "html")]
struct LegacyCitizen<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    body: &'a str,
}

pub fn legacy_frame(status: StatusCode, lang: Lang, title: &str, path: &str, user: &CurrentUser, body: &str) -> Response {
    html(status, &LegacyCitizen { lang, frame: Frame::new(title, other_lang_href(lang, path)), user, body })
}
