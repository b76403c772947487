//! The officials' side: the inbox (`inbox`), the dossier page with its action forms
//! (`dossier`, `actions`), the dossier register, form 07 (`register`).
//! Every officer page shares the officer layout (`templates/layouts/officer.html`): the user
//! bar, the officer menu (`kit::officer::menu`) and the error summary.

pub mod actions;
pub mod dossier;
pub mod inbox;
pub mod indicators;
pub mod indicators_wall;
pub mod notifications;
pub mod petitions;
pub mod ratings;
pub mod register;
pub mod reports;
pub mod targets;

use crate::kit::{Lang, error_page};
use axum::response::Response;
use motcua_app::AppError;
use motcua_app::auth::CurrentUser;
use motcua_domain::calendar::{TimeLimit, Timeliness};
use motcua_domain::catalog::Channel;
use motcua_domain::dossier::Dossier;
use motcua_domain::user::{AccountType, Role};

/// A dossier due within this much time is "due soon" (the inbox counts use the same window).
pub const DUE_SOON_MS: i64 = 86_400_000;

pub fn is_reception_officer(user: &CurrentUser) -> bool {
    user.principal.memberships.iter().any(|m| m.role == Role::ReceptionOfficer)
}

/// Officer pages are for officials; citizens get the 403 page.
pub fn refuse_non_official(lang: Lang, user: &CurrentUser) -> Option<Response> {
    (user.user.account_type != AccountType::Official).then(|| error_page(lang, AppError::Forbidden))
}

pub fn timeliness_label(lang: Lang, t: Option<Timeliness>) -> &'static str {
    t.map_or("—", |t| lang.t(t.label_vi(), t.label_en()))
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

/// The badge of a dossier: while an online dossier waits for the one-stop's check (issue
/// #11 item 14), the check's ("Quá hạn kiểm tra" past its due time, else "Chờ kiểm tra");
/// otherwise its legal deadline's.
pub fn dossier_badge(lang: Lang, d: &Dossier, now: i64) -> Option<DueBadge> {
    if d.pending_check_due().is_some() {
        let (class, text) = if d.is_check_overdue_at(now) {
            ("due overdue", lang.t("⚠ Quá hạn kiểm tra", "⚠ Check overdue"))
        } else {
            ("due soon", lang.t("⏰ Chờ kiểm tra", "⏰ Awaiting check"))
        };
        return Some(DueBadge { class, text, paused: false });
    }
    due_badge(lang, due_state(d, now), d.status.is_paused())
}

pub fn due_badge(lang: Lang, s: Option<DueState>, paused: bool) -> Option<DueBadge> {
    let (class, text) = match s? {
        DueState::Overdue => ("due overdue", lang.t("⚠ Quá hạn", "⚠ Overdue")),
        DueState::DueSoon => ("due soon", lang.t("⏰ Đến hạn trong 1 ngày", "⏰ Due within a day")),
        DueState::OnTrack => ("due ok", lang.t("✓ Trong hạn", "✓ On track")),
    };
    Some(DueBadge { class, text, paused })
}
