//! Targets at `/can-bo/chi-tieu?unit=&period=` (issue #16): a unit's targets of a period with
//! the actual ratio, a progress bar and the status, its sub-units falling behind flagged; the
//! form to set one and a delete button per target for leaders and administrators
//! (`SetTargets`), read-only for supervisors (`ViewIndicators`).

use super::refuse_non_official;
use crate::admin::{Choice, choices, errors_of, status_of};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::agencies::{self, AgencyFilter};
use motcua_app::usecases::indicators::parse_period;
use motcua_app::usecases::targets::{self as uc, SetTarget, TargetProgress};
use motcua_app::{AppContext, AppError};
use motcua_domain::agency::{AgencyKind, in_subtree};
use motcua_domain::authz::{Permission, scope};
use motcua_domain::error::FieldError;
use motcua_domain::index766::Period;
use motcua_domain::target::{self, Metric, Status, percent_vi};
use serde::Deserialize;

/// Most units the unit chooser lists.
const UNIT_CHOICES: i64 = 500;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetsParams {
    unit: Option<String>,
    period: Option<String>,
}

/// The set form (and the delete form: unit, period, metric).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TargetForm {
    unit: String,
    period: String,
    metric: String,
    target_percent: String,
}

/// One target as the table shows it.
struct Row {
    metric: &'static str,
    metric_code: &'static str,
    target: String,
    actual: String,
    /// The progress bar's value (the actual ratio, 0–100) and its accessible label.
    bar: Option<(String, String)>,
    status: &'static str,
    status_class: &'static str,
}

/// A sub-unit with targets.
struct SubUnit {
    name: String,
    href: String,
    behind: bool,
    at_risk: usize,
    targets: usize,
}

#[derive(Template)]
#[template(path = "officer/targets/page.html")]
struct TargetsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    unit_name: String,
    unit_id: String,
    period_key: String,
    period_label: String,
    elapsed: String,
    units: Vec<Choice>,
    rows: Vec<Row>,
    sub_units: Vec<SubUnit>,
    behind: usize,
    can_set: bool,
    metrics: Vec<Choice>,
    f: &'a TargetForm,
}

fn status_badge(lang: Lang, s: Status) -> (&'static str, &'static str) {
    let class = match s {
        Status::Met => "due ok",
        Status::AtRisk => "due overdue",
        Status::OnTrack => "due soon",
        Status::NoData => "badge",
    };
    (lang.t(s.label_vi(), s.label_en()), class)
}

fn row(lang: Lang, t: &TargetProgress) -> Row {
    let p = &t.progress;
    let (status, status_class) = status_badge(lang, p.status);
    let bar = p.actual.map(|a| {
        let label = format!(
            "{}: {} % / {} {} %",
            lang.t(t.metric.label_vi(), t.metric.label_en()),
            percent_vi(a),
            lang.t("mục tiêu", "target"),
            percent_vi(p.target)
        );
        (format!("{:.2}", a as f64 / 100.0), label)
    });
    Row {
        metric: lang.t(t.metric.label_vi(), t.metric.label_en()),
        metric_code: t.metric.code(),
        target: format!("{} %", percent_vi(p.target)),
        actual: match t.responses {
            // "x % hài lòng (n/m đánh giá, tỷ lệ phản hồi r %)" (issue #18).
            Some((rated, returned)) => {
                let rate = motcua_app::usecases::ratings::percent(rated, returned)
                    .map_or_else(|| "—".to_string(), |r| format!("{r:.1}").replace('.', ","));
                format!(
                    "{} % {} ({}/{} {}, {} {rate} %)",
                    p.actual.map_or_else(|| "—".to_string(), percent_vi),
                    lang.t("hài lòng", "satisfied"),
                    p.numerator,
                    p.denominator,
                    lang.t("đánh giá", "ratings"),
                    lang.t("tỷ lệ phản hồi", "response rate")
                )
            }
            None => p.actual.map_or_else(
                || lang.t("Chưa có số liệu", "No data").to_string(),
                |a| format!("{} % ({}/{})", percent_vi(a), p.numerator, p.denominator),
            ),
        },
        bar,
        status,
        status_class,
    }
}

fn page_href(lang: Lang, unit: &str, period: &str) -> String {
    with_lang(lang, &Route::OfficerTargets.with_query(&[("unit", unit), ("period", period)]))
}

/// `GET /can-bo/chi-tieu`.
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(q): Query<TargetsParams>,
) -> Response {
    let f = TargetForm::default();
    render(&ctx, lang, &user, StatusCode::OK, q.unit.as_deref(), q.period.as_deref(), &f, &[]).await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    status: StatusCode,
    unit: Option<&str>,
    period: Option<&str>,
    f: &TargetForm,
    errors: &[FieldError],
) -> Response {
    if let Some(r) = refuse_non_official(lang, user) {
        return r;
    }
    let readable = scope(&user.principal, Permission::ViewIndicators);
    if readable.is_empty() {
        return error_page(lang, AppError::Forbidden);
    }
    let period: Period = match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => match parse_period(p) {
            Ok(p) => p,
            Err(e) => return error_page(lang, e),
        },
        None => match uc::this_month(ctx) {
            Ok(p) => p,
            Err(e) => return error_page(lang, e),
        },
    };
    let o = match uc::overview(ctx, user, unit, period).await {
        Ok(o) => o,
        Err(e) => return error_page(lang, e),
    };
    let filter = AgencyFilter { scope: Some(readable), limit: UNIT_CHOICES, ..Default::default() };
    let list = match agencies::list(ctx, filter).await {
        Ok((l, _)) => l,
        Err(e) => return error_page(lang, e),
    };
    let units = choices(
        list.iter()
            .filter(|a| matches!(a.kind, AgencyKind::Province | AgencyKind::Department | AgencyKind::Commune))
            .map(|a| (a.id.clone(), a.name.clone())),
        &o.own.unit.id,
    );
    let can_set = scope(&user.principal, Permission::SetTargets).iter().any(|s| in_subtree(&o.own.unit.path, s));
    let key = o.period.key();
    let sub_units: Vec<SubUnit> = o
        .sub_units
        .iter()
        .map(|u| SubUnit {
            name: u.unit.name.clone(),
            href: page_href(lang, &u.unit.id, &key),
            behind: u.behind(),
            at_risk: u.targets.iter().filter(|t| t.progress.status == Status::AtRisk).count(),
            targets: u.targets.len(),
        })
        .collect();
    let chosen = if f.metric.is_empty() { Metric::OnlineShare.code() } else { f.metric.as_str() };
    let metrics = choices(Metric::ALL.iter().map(|m| (m.code(), lang.t(m.label_vi(), m.label_en()))), chosen);
    let title = title_with_errors(lang, lang.t("Chỉ tiêu", "Targets"), errors);
    let period_label = match lang {
        Lang::Vi => o.period.label_vi(),
        Lang::En => key.clone(),
    };
    let elapsed = format!("{}/{} {}", o.elapsed_days, o.total_days, lang.t("ngày đã qua", "days elapsed"));
    let view = TargetsView {
        lang,
        frame: Frame::new(
            title,
            other_lang_href(lang, &Route::OfficerTargets.with_query(&[("unit", &o.own.unit.id), ("period", &key)])),
        ),
        user,
        menu: menu(lang, user, Route::OfficerTargets),
        errors,
        unit_name: o.own.unit.name.clone(),
        unit_id: o.own.unit.id.clone(),
        period_key: if f.period.is_empty() { key.clone() } else { f.period.clone() },
        period_label,
        elapsed,
        units,
        rows: o.own.targets.iter().map(|t| row(lang, t)).collect(),
        behind: sub_units.iter().filter(|u| u.behind).count(),
        sub_units,
        can_set,
        metrics,
        f,
    };
    html(status, &view)
}

/// `POST /can-bo/chi-tieu`: set (or replace) a target of the unit shown.
pub async fn set(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: TargetForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    // The typed text ("92,5", "90 %") is read here; the use case checks the value again.
    let result = match target::target_from_text(&f.target_percent) {
        Ok(h) => {
            let x = SetTarget {
                unit: f.unit.clone(),
                period: f.period.clone(),
                metric: f.metric.clone(),
                target_percent: h as f64 / 100.0,
            };
            uc::set(&ctx, &user, x).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(s) => see_other(&page_href(lang, &s.unit.id, &s.period.key())),
        Err(e @ (AppError::Forbidden | AppError::NotFound { .. } | AppError::Refused { .. })) => error_page(lang, e),
        Err(e) => {
            let errors = errors_of(&e, "t", "t-target_percent");
            let period = Some(f.period.as_str()).filter(|p| Period::parse(p).is_some());
            render(&ctx, lang, &user, status_of(&e), Some(&f.unit), period, &f, &errors).await
        }
    }
}

/// `POST /can-bo/chi-tieu/xoa`: delete a target of the unit shown.
pub async fn delete(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: TargetForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    match uc::delete(&ctx, &user, &f.unit, &f.period, &f.metric).await {
        Ok(()) => see_other(&page_href(lang, &f.unit, f.period.trim())),
        Err(e) => error_page(lang, e),
    }
}
