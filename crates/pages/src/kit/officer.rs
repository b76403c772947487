//! The frame of the officer and administration pages (`layouts/officer.html`): the user
//! bar, the officer menu (the links this user may use), then the error summary and the page.

use super::{Lang, Route};
use motcua_app::auth::CurrentUser;
use motcua_domain::authz::{Permission, authorize_user, scope};
use motcua_domain::user::Role;

/// One link of the officer menu.
pub struct MenuLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

fn has_role(user: &CurrentUser, role: Role) -> bool {
    user.principal.memberships.iter().any(|m| m.role == role)
}

/// The officer menu of `user`, `current` (if any) marked as the page they are on.
pub fn menu<'r>(lang: Lang, user: &CurrentUser, current: impl Into<Option<Route<'r>>>) -> Vec<MenuLink> {
    let current = current.into();
    let mut links = vec![(Route::OfficerInbox, lang.t("Hồ sơ cần xử lý", "Dossiers to handle"))];
    if has_role(user, Role::ReceptionOfficer) {
        links.push((Route::CounterReception, lang.t("Tiếp nhận tại quầy", "Counter reception")));
    }
    if !scope(&user.principal, Permission::ServeQueue).is_empty() {
        links.push((Route::Desk, lang.t("Gọi số tại quầy", "Counter calling")));
    }
    links.push((Route::Register, lang.t("Sổ theo dõi hồ sơ", "Dossier register")));
    links.push((Route::Notifications, lang.t("Thông báo", "Notifications")));
    if !scope(&user.principal, Permission::HandlePetitions).is_empty()
        || !scope(&user.principal, Permission::HandleOfficialPetitions).is_empty()
    {
        links.push((Route::OfficerPetitions, lang.t("Phản ánh, kiến nghị", "Petitions")));
    }
    if !scope(&user.principal, Permission::ViewIndicators).is_empty() {
        links.push((Route::Indicators, lang.t("Chỉ số điều hành", "Operations dashboard")));
        // Targets: set by leaders and administrators, read by supervisors too.
        links.push((Route::OfficerTargets, lang.t("Chỉ tiêu", "Targets")));
        links.push((Route::OfficerRatings, lang.t("Đánh giá hài lòng", "Satisfaction ratings")));
    }
    if has_role(user, Role::Admin) {
        links.push((Route::AdminAgencies, lang.t("Cơ quan", "Agencies")));
        links.push((Route::AdminUsers, lang.t("Người dùng", "Users")));
        // Workflows, calendar and catalog are the province's (the use cases require it).
        if authorize_user(&user.principal, Permission::ManageCatalog, &[]).is_ok() {
            links.push((Route::AdminWorkflows, lang.t("Quy trình", "Workflows")));
            links.push((Route::AdminCalendar, lang.t("Lịch làm việc", "Work calendar")));
            links.push((Route::AdminCatalog, lang.t("Thủ tục", "Procedures")));
        }
    }
    // The national portal sync and the payment reconciliation are the province's, with its queues.
    if authorize_user(&user.principal, Permission::OperateQueues, &[]).is_ok() {
        links.push((Route::AdminDvcqg, lang.t("Đồng bộ Cổng DVCQG", "National portal sync")));
        links.push((Route::AdminInboundErrors, lang.t("Hồ sơ từ Cổng DVCQG lỗi", "Portal dossiers not taken in")));
        links.push((Route::AdminPayments, lang.t("Đối soát thanh toán", "Payment reconciliation")));
        links.push((Route::AdminSystem, lang.t("Hệ thống", "System")));
    }
    if !scope(&user.principal, Permission::ManageArchive).is_empty() {
        links.push((Route::AdminArchive, lang.t("Lưu trữ hồ sơ", "Archival")));
    }
    // Administrators and supervisors, as the access log's use case allows.
    if !scope(&user.principal, Permission::ViewAudit).is_empty() {
        links.push((Route::AdminAccessLog, lang.t("Nhật ký truy cập", "Access log")));
    }
    if !scope(&user.principal, Permission::ViewContactLog).is_empty() {
        links.push((Route::PetitionContactLog, lang.t("Nhật ký xem liên hệ PAKN", "Petition contact reads")));
    }
    links.into_iter().map(|(r, label)| MenuLink { href: lang.href(r), label, current: Some(r) == current }).collect()
}
