//! The home page: catalog search first, then what the visitor can do — by role once logged in.

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, Route, optional_user, other_lang_href};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::user::{AccountType, Role};

/// A link of the home page's lists: where, and its text in both languages.
pub struct Link {
    pub route: Route<'static>,
    pub vi: &'static str,
    pub en: &'static str,
}

const fn link(route: Route<'static>, vi: &'static str, en: &'static str) -> Link {
    Link { route, vi, en }
}

#[derive(Template)]
#[template(path = "public/home.html")]
struct HomeView<'a> {
    lang: Lang,
    frame: Frame,
    user: Option<&'a CurrentUser>,
    mine: Vec<Link>,
    public: Vec<Link>,
}

/// What a visitor or user can do, by account type and role.
fn links_for(user: Option<&CurrentUser>) -> Vec<Link> {
    let mut mine = Vec::new();
    match user {
        None => mine.push(link(Route::Login, "Đăng nhập (công dân, cán bộ)", "Log in (citizens, officials)")),
        Some(u) if u.user.account_type == AccountType::Citizen => {
            mine.push(link(Route::MyDossiers, "Hồ sơ của tôi", "My dossiers"));
        }
        Some(u) => {
            let roles: Vec<Role> = u.principal.memberships.iter().map(|m| m.role).collect();
            if roles.iter().any(|r| matches!(r, Role::ReceptionOfficer | Role::Specialist | Role::Leader | Role::Supervisor)) {
                mine.push(link(Route::OfficerInbox, "Hồ sơ cần xử lý", "Dossiers to handle"));
                mine.push(link(Route::Register, "Sổ theo dõi hồ sơ (Mẫu 07)", "Dossier register (form 07)"));
            }
            if roles.contains(&Role::ReceptionOfficer) {
                mine.push(link(Route::CounterReception, "Tiếp nhận hồ sơ tại quầy", "Counter reception"));
            }
            if authorize_user(&u.principal, Permission::ManageCatalog, &[]).is_ok() {
                mine.push(link(Route::AdminCatalog, "Quản trị danh mục thủ tục hành chính", "Manage the procedure catalog"));
                mine.push(link(Route::AdminWorkflows, "Quy trình xử lý", "Workflows"));
                mine.push(link(Route::AdminCalendar, "Lịch làm việc, ngày nghỉ", "Working calendar"));
            }
            if roles.contains(&Role::Admin) {
                mine.push(link(Route::AdminAgencies, "Cơ quan, đơn vị", "Agencies"));
                mine.push(link(Route::AdminUsers, "Người dùng", "Users"));
            }
        }
    }
    if user.is_some() {
        mine.push(link(Route::ChangePassword, "Đổi mật khẩu", "Change your password"));
    }
    mine
}

pub async fn page(State(ctx): State<AppContext>, headers: HeaderMap, lang: Lang) -> Response {
    let user = optional_user(&ctx, &headers).await;
    let year = ctx.clock.today().year();
    let public = vec![
        link(Route::Catalog, "Danh mục thủ tục hành chính, nộp hồ sơ trực tuyến", "Procedure catalog, online filing"),
        link(Route::Tracking, "Tra cứu tình trạng hồ sơ", "Track a dossier"),
        link(Route::Calendar(year), "Lịch làm việc, ngày nghỉ lễ và âm lịch", "Working days, holidays and the lunar calendar"),
        link(Route::OpenData, "Dữ liệu mở", "Open data"),
        link(Route::ApiDocs, "Tài liệu API (OpenAPI)", "API documentation (OpenAPI)"),
    ];
    let view = HomeView {
        lang,
        frame: Frame::new(lang.t("Trang chủ", "Home"), other_lang_href(lang, &Route::Home.path())),
        user: user.as_ref(),
        mine: links_for(user.as_ref()),
        public,
    };
    html(StatusCode::OK, &view)
}
