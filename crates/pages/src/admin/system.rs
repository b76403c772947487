//! `/quan-tri/he-thong`: the system's state for province administrators (version, uptime,
//! database, migration, outbox backlog and dead letters, worker lag, last backup), from the
//! same use case as `GET /api/v1/system/status`.

use crate::kit::fmt::{second_day, size};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, other_lang_href};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::system::{self as uc, SystemStatus};
use motcua_domain::error::FieldError;

#[derive(Template)]
#[template(path = "admin/system.html")]
struct SystemView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    /// None here; the officer layout shows the error summary of a form page.
    errors: Vec<FieldError>,
    title: &'a str,
    s: SystemStatus,
    uptime: String,
    database_size: String,
    /// The last backup's time, when there is one.
    last_backup: Option<String>,
    /// The last backup's database size.
    last_backup_size: String,
}

/// "3 ngày 4 giờ 5 phút" / "3 d 4 h 5 min".
fn duration(lang: Lang, secs: u64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if lang == Lang::En { format!("{d} d {h} h {m} min") } else { format!("{d} ngày {h} giờ {m} phút") }
}

/// `GET /quan-tri/he-thong`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    let s = match uc::status(&ctx, &user.principal).await {
        Ok(s) => s,
        Err(e) => return error_page(lang, e),
    };
    let title = lang.t("Tình trạng hệ thống", "System status");
    let view = SystemView {
        lang,
        frame: Frame::new(title.to_string(), other_lang_href(lang, &Route::AdminSystem.to_string())),
        user: &user,
        menu: menu(lang, &user, Route::AdminSystem),
        errors: Vec::new(),
        title,
        uptime: duration(lang, s.uptime_secs),
        database_size: size(i64::try_from(s.database_bytes).unwrap_or(i64::MAX)),
        last_backup: s.last_backup.as_ref().map(|b| second_day(b.at_ms)),
        last_backup_size: s.last_backup.as_ref().map_or_else(String::new, |b| size(b.database_bytes)),
        s,
    };
    html(StatusCode::OK, &view)
}
