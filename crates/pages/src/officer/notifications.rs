//! The officer's notifications at `/can-bo/thong-bao` (issue #14): the deadline worker's
//! reminders (due soon, overdue), escalations to leaders and daily digests of a unit, the
//! latest 50, newest first; only the signed-in officer's own.

use super::refuse_non_official;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUser, Route, error_page, hour_day, other_lang_href};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::notifications as uc;

/// One notification as the page shows it.
struct Item {
    when: String,
    what: &'static str,
    /// The dossier code and where it links (reminders), or none (digests).
    dossier: Option<(String, String)>,
    /// The deadline (reminders) or the unit's figures (digests).
    detail: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "officer/notifications.html")]
struct NotificationsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    /// The layout shows form errors; this page has none.
    errors: Vec<motcua_domain::error::FieldError>,
    title: &'a str,
    unread: i64,
    items: Vec<Item>,
}

fn what(lang: Lang, kind: &str, deadline: &str) -> &'static str {
    match (kind, deadline) {
        ("reminder.due_soon", "step") => lang.t("Bước xử lý sắp đến hạn", "Step due soon"),
        ("reminder.due_soon", _) => lang.t("Hồ sơ sắp đến hạn", "Dossier due soon"),
        ("reminder.overdue", "step") => lang.t("Bước xử lý quá hạn", "Step overdue"),
        ("reminder.overdue", _) => lang.t("Hồ sơ quá hạn", "Dossier overdue"),
        ("reminder.escalation", _) => lang.t("Chuyển lãnh đạo: hồ sơ quá hạn", "Escalated: overdue dossier"),
        ("digest.daily", _) => lang.t("Tổng hợp trong ngày", "Daily digest"),
        ("target.at_risk", _) => lang.t("Chỉ tiêu có nguy cơ không đạt", "Target at risk"),
        ("rating.low", _) => lang.t("Đánh giá không hài lòng", "Low satisfaction rating"),
        ("petition.due_soon", _) => lang.t("Phản ánh, kiến nghị sắp đến hạn", "Petition due soon"),
        ("petition.overdue", _) => lang.t("Chuyển lãnh đạo: phản ánh, kiến nghị quá hạn", "Escalated: overdue petition"),
        _ => lang.t("Thông báo", "Notice"),
    }
}

/// An alert of a target at risk: the unit, the metric and period, actual against target.
fn target_detail(lang: Lang, p: &serde_json::Value) -> String {
    use motcua_domain::target::{Metric, percent_vi};
    let metric = Metric::parse(p["metric"].as_str().unwrap_or("")).map_or("", |m| lang.t(m.label_vi(), m.label_en()));
    let actual = p["actual"].as_i64().map_or_else(|| "—".to_string(), percent_vi);
    format!(
        "{} · {metric} · {}: {} {actual} % / {} {} %",
        p["unit"].as_str().unwrap_or(""),
        p["period"].as_str().unwrap_or(""),
        lang.t("thực hiện", "actual"),
        lang.t("mục tiêu", "target"),
        percent_vi(p["target"].as_i64().unwrap_or(0))
    )
}

/// `GET /can-bo/thong-bao`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser) -> Response {
    if let Some(r) = refuse_non_official(lang, &user) {
        return r;
    }
    let (list, unread) = match uc::mine(&ctx, &user).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let items = list
        .into_iter()
        .map(|n| {
            let p = &n.payload;
            let dossier = n.dossier_id.as_deref().map(|id| {
                let code = p["code"].as_str().unwrap_or(id).to_string();
                (code, lang.href(Route::OfficerDossier(id)))
            });
            // A petition's reminder links to the petition.
            let dossier = dossier.or_else(|| {
                let id = p["petition_id"].as_str()?;
                Some((p["code"].as_str().unwrap_or(id).to_string(), lang.href(Route::OfficerPetition(id))))
            });
            let detail = if n.kind == "digest.daily" {
                format!(
                    "{}: {} · {}: {} · {}: {}",
                    lang.t("Đang giữ", "Held"),
                    p["open"].as_i64().unwrap_or(0),
                    lang.t("quá hạn", "overdue"),
                    p["overdue"].as_i64().unwrap_or(0),
                    lang.t("sắp đến hạn", "due soon"),
                    p["due_soon"].as_i64().unwrap_or(0)
                )
            } else if n.kind == motcua_app::usecases::targets::AT_RISK {
                target_detail(lang, p)
            } else if n.kind == motcua_app::usecases::ratings::LOW {
                // The answers only: who rated is not told (issue #18).
                let ticket =
                    p["ticket"].as_str().map(|t| format!("{} {t} · ", lang.t("Lượt phục vụ", "Visit"))).unwrap_or_default();
                format!("{ticket}{}", motcua_app::usecases::ratings::low_detail_vi(p))
            } else {
                format!("{}: {}", lang.t("Hạn", "Due"), hour_day(p["due_at"].as_i64()))
            };
            Item {
                when: hour_day(Some(n.created_at)),
                what: what(lang, &n.kind, p["deadline"].as_str().unwrap_or("")),
                dossier,
                detail,
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    let title = lang.t("Thông báo", "Notifications");
    let frame = Frame::new(title.to_string(), other_lang_href(lang, &Route::Notifications.path()));
    let view = NotificationsView {
        lang,
        frame,
        user: &user,
        menu: menu(lang, &user, Some(Route::Notifications)),
        errors: Vec::new(),
        title,
        unread,
        items,
    };
    html(StatusCode::OK, &view)
}
