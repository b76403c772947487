//! The home page: catalog search first, then what the visitor can do — by role once logged in.

use super::{Lang, esc, layout, other_lang_href, session, with_lang};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Html;
use motcua_app::AppContext;
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::user::{AccountType, Role};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct HomeQuery {
    lang: Option<String>,
}

pub async fn page(State(ctx): State<AppContext>, headers: HeaderMap, Query(q): Query<HomeQuery>) -> Html<String> {
    let lang = Lang::from_query(q.lang.as_deref());
    let user = session::optional_user(&ctx, &headers).await;
    let link =
        |href: &str, vi: &str, en: &str| format!(r#"<li><a href="{}">{}</a></li>"#, esc(&with_lang(lang, href)), lang.t(vi, en));
    let mut mine = Vec::new();
    match &user {
        None => mine.push(link("/dang-nhap", "Đăng nhập (công dân, cán bộ)", "Log in (citizens, officials)")),
        Some(u) if u.user.account_type == AccountType::Citizen => {
            mine.push(link("/ho-so-cua-toi", "Hồ sơ của tôi", "My dossiers"));
        }
        Some(u) => {
            let roles: Vec<Role> = u.principal.memberships.iter().map(|m| m.role).collect();
            if roles.iter().any(|r| matches!(r, Role::ReceptionOfficer | Role::Specialist | Role::Leader | Role::Supervisor)) {
                mine.push(link("/can-bo/ho-so", "Hồ sơ cần xử lý", "Dossiers to handle"));
                mine.push(link("/can-bo/so-theo-doi", "Sổ theo dõi hồ sơ (Mẫu 07)", "Dossier register (form 07)"));
            }
            if roles.contains(&Role::ReceptionOfficer) {
                mine.push(link("/can-bo/tiep-nhan", "Tiếp nhận hồ sơ tại quầy", "Counter reception"));
            }
            if authorize_user(&u.principal, Permission::ManageCatalog, &[]).is_ok() {
                mine.push(link("/quan-tri/thu-tuc", "Quản trị danh mục thủ tục hành chính", "Manage the procedure catalog"));
                mine.push(link("/quan-tri/quy-trinh", "Quy trình xử lý", "Workflows"));
                mine.push(link("/quan-tri/lich", "Lịch làm việc, ngày nghỉ", "Working calendar"));
            }
            if roles.contains(&Role::Admin) {
                mine.push(link("/quan-tri/co-quan", "Cơ quan, đơn vị", "Agencies"));
                mine.push(link("/quan-tri/nguoi-dung", "Người dùng", "Users"));
            }
        }
    }
    let bar = user.as_ref().map(|u| session::user_bar(lang, u)).unwrap_or_default();
    let year = motcua_app::usecases::today().year();
    let body = format!(
        r#"{bar}<h1>{title}</h1>
<p class="lead">{lead}</p>
<form class="search" method="get" action="/thu-tuc" role="search">
<div class="field wide"><label for="q">{qlabel}</label><input id="q" name="q" type="search" placeholder="{ph}" autocomplete="off"></div>
{langfield}<button type="submit">{go}</button>
</form>
<h2>{mine_title}</h2>
<ul class="links">{mine}</ul>
<h2>{all_title}</h2>
<ul class="links">{all}</ul>"#,
        title = lang.t("Dịch vụ hành chính công một cửa", "One-stop public administrative services"),
        lead = lang.t(
            "Tra cứu thủ tục, nộp hồ sơ trực tuyến, theo dõi hồ sơ và nhận kết quả của tỉnh Ninh Bình và các xã, phường.",
            "Find a procedure, file online, follow your dossier and get the result, for the province and its communes."
        ),
        qlabel = lang.t("Tìm thủ tục hành chính (có dấu hoặc không dấu)", "Find a procedure (with or without diacritics)"),
        ph = lang.t("ví dụ: dang ky khai sinh", "e.g. dang ky khai sinh"),
        langfield = if lang == Lang::En { r#"<input type="hidden" name="lang" value="en">"# } else { "" },
        go = lang.t("Tìm kiếm", "Search"),
        mine_title = lang.t("Dành cho bạn", "For you"),
        mine = mine.join(""),
        all_title = lang.t("Công khai", "Public"),
        all = [
            link("/thu-tuc", "Danh mục thủ tục hành chính, nộp hồ sơ trực tuyến", "Procedure catalog, online filing"),
            link("/tra-cuu", "Tra cứu tình trạng hồ sơ", "Track a dossier"),
            link(
                &format!("/lich/{year}"),
                "Lịch làm việc, ngày nghỉ lễ và âm lịch",
                "Working days, holidays and the lunar calendar"
            ),
            link("/open-data", "Dữ liệu mở", "Open data"),
            link("/api/docs/", "Tài liệu API (OpenAPI)", "API documentation (OpenAPI)"),
        ]
        .join(""),
    );
    let title = lang.t("Trang chủ", "Home");
    Html(layout(lang, title, &other_lang_href(lang, "/"), &body))
}
