//! The officer frame for the pages still built in this crate (the admin pages): the officer
//! menu around hand-built markup. The officer pages themselves, and the labels and helpers
//! re-exported here, are in `motcua_pages::officer`.

use super::form::{error_summary, page, title_with_errors};
use super::session::user_bar;
use super::{Lang, esc};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::error::FieldError;
use motcua_domain::user::Role;
use std::fmt::Write;

pub use super::session::read_multipart;
pub use motcua_pages::kit::with_lang;
pub use motcua_pages::officer::actions::fid;
pub use motcua_pages::officer::{is_reception_officer, limit_label};

pub fn other_lang(lang: Lang, path: &str) -> String {
    if lang == Lang::Vi { with_lang(Lang::En, path) } else { path.to_string() }
}

/// The frame of every officer and admin page: who is logged in, the officer menu, the
/// error summary, then the body.
#[allow(clippy::too_many_arguments)]
pub fn officer_page(
    status: StatusCode,
    lang: Lang,
    user: &CurrentUser,
    current: &str,
    title: &str,
    other: &str,
    errors: &[FieldError],
    body: &str,
) -> Response {
    let mut links: Vec<(&str, &str)> = vec![("/can-bo/ho-so", lang.t("Hồ sơ cần xử lý", "Dossiers to handle"))];
    if is_reception_officer(user) {
        links.push(("/can-bo/tiep-nhan", lang.t("Tiếp nhận tại quầy", "Counter reception")));
    }
    links.push(("/can-bo/so-theo-doi", lang.t("Sổ theo dõi hồ sơ", "Dossier register")));
    if user.principal.memberships.iter().any(|m| m.role == Role::Admin) {
        links.push(("/quan-tri/co-quan", lang.t("Cơ quan", "Agencies")));
        links.push(("/quan-tri/nguoi-dung", lang.t("Người dùng", "Users")));
        if authorize_user(&user.principal, Permission::ManageCatalog, &[]).is_ok() {
            links.push(("/quan-tri/quy-trinh", lang.t("Quy trình", "Workflows")));
            links.push(("/quan-tri/lich", lang.t("Lịch làm việc", "Work calendar")));
            links.push(("/quan-tri/thu-tuc", lang.t("Thủ tục", "Procedures")));
        }
    }
    let mut nav = format!(r#"<nav class="officer" aria-label="{}"><ul>"#, lang.t("Chức năng cán bộ", "Officer menu"));
    for (href, label) in links {
        let cur = if href == current { r#" aria-current="page""# } else { "" };
        let _ = write!(nav, r#"<li><a href="{}"{cur}>{}</a></li>"#, with_lang(lang, href), esc(label));
    }
    nav.push_str("</ul></nav>");
    let frame = format!(r#"{bar}{nav}{summary}{body}"#, bar = user_bar(lang, user), summary = error_summary(lang, errors));
    page(status, lang, &title_with_errors(lang, title, errors), other, &frame)
}
