//! The officials' side: the inbox (`inbox`), the dossier page with its action forms
//! (`dossier`, `actions`), the dossier register, form 07 (`register`).
//! Every officer page shares the officer layout (`templates/layouts/officer.html`): the user
//! bar, the officer menu (`Nav`) and the error summary.

pub mod actions;
pub mod dossier;
pub mod inbox;
pub mod register;

use crate::kit::{Lang, Route, error_page};
use axum::response::Response;
use motcua_app::AppError;
use motcua_app::auth::CurrentUser;
use motcua_domain::authz::{Permission, authorize_user};
use motcua_domain::calendar::{TimeLimit, Timeliness};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::Dossier;
use motcua_domain::user::{AccountType, Role};

/// A dossier due within this much time is "due soon" (the inbox counts use the same window).
pub const DUE_SOON_MS: i64 = 86_400_000;

/// One entry of the officer menu.
pub struct NavLink {
    pub route: Route<'static>,
    pub label: &'static str,
    pub current: bool,
}

/// The officer menu: what this user's roles open, the current page marked.
pub struct Nav {
    pub links: Vec<NavLink>,
}

impl Nav {
    pub fn new(lang: Lang, user: &CurrentUser, current: Option<Route<'static>>) -> Self {
        let mut links: Vec<(Route<'static>, &'static str)> =
            vec![(Route::OfficerInbox, lang.t("Hồ sơ cần xử lý", "Dossiers to handle"))];
        if is_reception_officer(user) {
            links.push((Route::CounterReception, lang.t("Tiếp nhận tại quầy", "Counter reception")));
        }
        links.push((Route::Register, lang.t("Sổ theo dõi hồ sơ", "Dossier register")));
        if user.principal.memberships.iter().any(|m| m.role == Role::Admin) {
            links.push((Route::AdminAgencies, lang.t("Cơ quan", "Agencies")));
            links.push((Route::AdminUsers, lang.t("Người dùng", "Users")));
            if authorize_user(&user.principal, Permission::ManageCatalog, &[]).is_ok() {
                links.push((Route::AdminWorkflows, lang.t("Quy trình", "Workflows")));
                links.push((Route::AdminCalendar, lang.t("Lịch làm việc", "Work calendar")));
                links.push((Route::AdminCatalog, lang.t("Thủ tục", "Procedures")));
            }
        }
        Nav { links: links.into_iter().map(|(route, label)| NavLink { route, label, current: Some(route) == current }).collect() }
    }
}

pub fn is_reception_officer(user: &CurrentUser) -> bool {
    user.principal.memberships.iter().any(|m| m.role == Role::ReceptionOfficer)
}

/// Officer pages are for officials; citizens get the 403 page.
pub fn refuse_non_official(lang: Lang, user: &CurrentUser) -> Option<Response> {
    (user.user.account_type != AccountType::Official).then(|| error_page(lang, AppError::Forbidden))
}

pub fn timeliness_label(lang: Lang, t: Option<Timeliness>) -> &'static str {
    match t {
        Some(Timeliness::Early) => lang.t("Trước hạn", "Early"),
        Some(Timeliness::OnTime) => lang.t("Đúng hạn", "On time"),
        Some(Timeliness::Late) => lang.t("Quá hạn", "Late"),
        None => "—",
    }
}

pub fn channel_label(lang: Lang, c: Channel) -> &'static str {
    match c {
        Channel::Counter => lang.t("Trực tiếp tại quầy", "At the counter"),
        Channel::Online => lang.t("Trực tuyến", "Online"),
        Channel::Postal => lang.t("Bưu chính công ích", "Public postal service"),
    }
}

pub fn role_label(lang: Lang, r: Role) -> &'static str {
    lang.t(r.label_vi(), r.label_en())
}

/// A legal time limit for people ("10 ngày làm việc", "Within the day").
pub fn limit_label(lang: Lang, t: TimeLimit) -> String {
    use motcua_domain::calendar::TimeUnit;
    if t == TimeLimit::WITHIN_DAY {
        return lang.t("Trong ngày", "Within the day").into();
    }
    let unit = match (t.unit, lang) {
        (u, Lang::Vi) => u.label_vi(),
        (TimeUnit::Hours, Lang::En) => "office hours",
        (TimeUnit::Days, Lang::En) => "days",
        (TimeUnit::WorkingDays, Lang::En) => "working days",
        (TimeUnit::Months, Lang::En) => "months",
    };
    format!("{} {unit}", t.value)
}

/// Due status of an unfinished dossier, for the inbox colours (always with text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueState {
    Overdue,
    DueSoon,
    OnTrack,
}

pub fn due_state(d: &Dossier, now: i64) -> Option<DueState> {
    if d.finished_at.is_some() {
        return None;
    }
    let due = d.due_at?;
    Some(if now > due {
        DueState::Overdue
    } else if due - now <= DUE_SOON_MS {
        DueState::DueSoon
    } else {
        DueState::OnTrack
    })
}

/// The due badge of a dossier: its class and text, and whether the clock is paused.
#[derive(Clone, Copy)]
pub struct DueBadge {
    pub class: &'static str,
    pub text: &'static str,
    pub paused: bool,
}

pub fn due_badge(lang: Lang, s: Option<DueState>, paused: bool) -> Option<DueBadge> {
    let (class, text) = match s? {
        DueState::Overdue => ("due overdue", lang.t("⚠ Quá hạn", "⚠ Overdue")),
        DueState::DueSoon => ("due soon", lang.t("⏰ Đến hạn trong 1 ngày", "⏰ Due within a day")),
        DueState::OnTrack => ("due ok", lang.t("✓ Trong hạn", "✓ On track")),
    };
    Some(DueBadge { class, text, paused })
}
