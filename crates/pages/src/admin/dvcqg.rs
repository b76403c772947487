//! `/quan-tri/dong-bo-dvcqg`: the national portal sync as a province administrator runs it
//! (issue #15): the queue, its dead letters (each put back with one button), the
//! reconciliation runs and one run's report (per unit, the differences, indicator 1.4), and
//! a form to reconcile a period now. The same use cases as `/api/v1/outbox` and
//! `/api/v1/dvcqg/reconciliations`, which check the permission.

use super::{errors_of, status_of};
use crate::kit::fmt::{day, second_day};
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::notifications as queues;
use motcua_app::usecases::reconciliation::{self as uc, Kind, Reconciliation};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct DvcqgParams {
    run: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ReconcileForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

struct DeadRow {
    id: String,
    dossier_href: Option<String>,
    attempts: i64,
    error: String,
    dead_at: String,
}

struct RunRow {
    href: String,
    period: String,
    started: String,
    by: String,
    differences: i64,
    resent: i64,
    current: bool,
}

struct DiffRow {
    unit: String,
    national_id: String,
    href: Option<String>,
    kind: &'static str,
    motcua_status: String,
    portal_status: String,
    resent: bool,
}

struct UnitRow {
    unit: String,
    motcua: i64,
    portal: i64,
    matched: i64,
    pending: i64,
    differences: i64,
    received: i64,
    portal_received: i64,
}

/// The report shown: a run's figures made text.
struct Shown {
    period: String,
    indicator: String,
    units: Vec<UnitRow>,
    differences: Vec<DiffRow>,
    differences_total: i64,
    resent: i64,
    partial: bool,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/dvcqg.html")]
struct DvcqgView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<FieldError>,
    title: &'a str,
    enabled: bool,
    base_url: String,
    pending: i64,
    dead: i64,
    lag: String,
    dead_letters: Vec<DeadRow>,
    from: String,
    to: String,
    runs: Vec<RunRow>,
    shown: Option<Shown>,
}

fn period_text(from_ms: i64, to_ms: i64) -> String {
    // The period's end is exclusive: show its last day.
    format!("{} – {}", day(Some(from_ms)), day(Some(to_ms - 1)))
}

fn status_text(s: Option<i64>) -> String {
    s.map_or_else(|| "—".into(), |s| s.to_string())
}

fn shown(lang: Lang, r: &Reconciliation) -> Shown {
    let i = r.report.indicator_1_4();
    let indicator = match i.ratio_percent {
        Some(p) => format!(
            "{}/{} = {p:.2} % ({:.2}/{} {})",
            i.numerator,
            i.denominator,
            i.points.unwrap_or(0.0),
            i.max_points,
            lang.t("điểm", "points")
        ),
        None => lang.t("Không có hồ sơ tiếp nhận trong kỳ.", "No dossier received in the period.").to_string(),
    };
    Shown {
        period: period_text(r.run.period_from, r.run.period_to),
        indicator,
        units: r
            .report
            .units
            .iter()
            .map(|u| UnitRow {
                unit: u.unit.clone(),
                motcua: u.motcua,
                portal: u.portal,
                matched: u.matched,
                pending: u.pending,
                differences: u.differences,
                received: u.received,
                portal_received: u.portal_received,
            })
            .collect(),
        differences: r
            .report
            .differences
            .iter()
            .map(|d| DiffRow {
                unit: d.unit.clone(),
                national_id: d.national_id.clone(),
                href: d.dossier_id.as_deref().map(|id| lang.href(Route::OfficerDossier(id))),
                kind: match d.kind {
                    Kind::Missing => lang.t(Kind::Missing.label_vi(), "Not on the portal"),
                    Kind::Behind => lang.t(Kind::Behind.label_vi(), "Another status on the portal"),
                    Kind::PortalOnly => lang.t(Kind::PortalOnly.label_vi(), "Only on the portal"),
                },
                motcua_status: status_text(d.motcua_status),
                portal_status: status_text(d.portal_status),
                resent: d.resent,
            })
            .collect(),
        differences_total: r.report.differences_total,
        resent: r.report.resent,
        partial: r.report.partial,
        errors: r.report.errors.clone(),
    }
}

/// The default period of the form: the last 30 days up to yesterday.
fn default_period(ctx: &AppContext) -> (String, String) {
    let today = motcua_domain::calendar::local_date_ms(ctx.clock.now_ms());
    let to = today.yesterday().unwrap_or(today);
    let from = to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to);
    (from.to_string(), to.to_string())
}

#[allow(clippy::too_many_arguments)]
async fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    run: Option<&str>,
    status: StatusCode,
    errors: Vec<FieldError>,
    typed: Option<(String, String)>,
) -> Response {
    let (topics, dead) = match queues::queues(ctx, Some(user)).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, e),
    };
    let runs = match uc::runs(ctx, Some(user)).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, e),
    };
    let selected = run.map(str::to_string).or_else(|| runs.first().map(|r| r.id.clone()));
    let report = match &selected {
        Some(id) => match uc::get(ctx, Some(user), id).await {
            Ok(r) => Some(r),
            Err(e) => return error_page(lang, e),
        },
        None => None,
    };
    let sync = topics.iter().find(|t| t.topic == motcua_app::dvcqg::TOPIC);
    let (from, to) = typed.unwrap_or_else(|| default_period(ctx));
    let title = lang.t("Đồng bộ Cổng Dịch vụ công quốc gia", "National public service portal sync");
    let here = run.map_or_else(|| Route::AdminDvcqg.path(), |id| Route::AdminDvcqg.with_query(&[("run", id)]));
    let view = DvcqgView {
        lang,
        frame: Frame::new(title_with_errors(lang, title, &errors), other_lang_href(lang, &here)),
        user,
        menu: menu(lang, user, Route::AdminDvcqg),
        errors,
        title,
        enabled: ctx.config.dvcqg.enabled,
        base_url: ctx.config.dvcqg.base_url.clone(),
        pending: sync.map_or(0, |t| t.pending),
        dead: sync.map_or(0, |t| t.dead),
        lag: format!("{:.1} s", sync.map_or(0, |t| t.lag_ms) as f64 / 1000.0),
        dead_letters: dead
            .into_iter()
            .filter(|d| d.topic == motcua_app::dvcqg::TOPIC)
            .map(|d| DeadRow {
                dossier_href: d.dossier_id.as_deref().map(|id| lang.href(Route::OfficerDossier(id))),
                id: d.id,
                attempts: d.attempts,
                error: d.last_error.unwrap_or_default(),
                dead_at: second_day(d.dead_at),
            })
            .collect(),
        from,
        to,
        runs: runs
            .iter()
            .map(|r| RunRow {
                href: with_lang(lang, &Route::AdminDvcqg.with_query(&[("run", &r.id)])),
                period: period_text(r.period_from, r.period_to),
                started: second_day(r.started_at),
                by: if r.started_by.is_some() {
                    lang.t("Quản trị viên", "An administrator")
                } else {
                    lang.t("Tự động hằng ngày", "Daily, automatic")
                }
                .to_string(),
                differences: r.differences,
                resent: r.resent,
                current: selected.as_deref() == Some(r.id.as_str()),
            })
            .collect(),
        shown: report.as_ref().map(|r| shown(lang, r)),
    };
    html(status, &view)
}

/// `GET /quan-tri/dong-bo-dvcqg?run=`.
pub async fn page(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<DvcqgParams>) -> Response {
    let run = p.run.as_deref().map(str::trim).filter(|r| !r.is_empty());
    render(&ctx, lang, &user, run, StatusCode::OK, Vec::new(), None).await
}

fn date_field(field: &'static str, typed: &str) -> Result<Date, FieldError> {
    typed.trim().parse::<Date>().map_err(|_| {
        FieldError::new(field, "invalid_date", "Nhập ngày theo dạng năm-tháng-ngày.", "Enter a date as year-month-day.")
    })
}

/// `POST /quan-tri/dong-bo-dvcqg/doi-soat` (`from`, `to`): reconciles the period now and
/// shows its report; a bad period or the connection off shows the page again with why.
pub async fn reconcile(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let form: ReconcileForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let typed = Some((form.from.clone(), form.to.clone()));
    let (from, to) = match (date_field("from", &form.from), date_field("to", &form.to)) {
        (Ok(f), Ok(t)) => (f, t),
        (f, t) => {
            let errors = [f.err(), t.err()].into_iter().flatten().collect();
            return render(&ctx, lang, &user, None, StatusCode::UNPROCESSABLE_ENTITY, errors, typed).await;
        }
    };
    match uc::run(&ctx, Some(&user), from, to).await {
        Ok(r) => see_other(&with_lang(lang, &Route::AdminDvcqg.with_query(&[("run", &r.run.id)]))),
        Err(e @ AppError::Forbidden) => error_page(lang, e),
        Err(e) => render(&ctx, lang, &user, None, status_of(&e), errors_of(&e, "", "from"), typed).await,
    }
}

/// `POST /quan-tri/dong-bo-dvcqg/thu-lai/{id}`: a dead letter back in its queue.
pub async fn retry(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    PageForm { user, .. }: PageForm,
) -> Response {
    match queues::retry_dead(&ctx, Some(&user), &id).await {
        Ok(()) => see_other(&lang.href(Route::AdminDvcqg)),
        Err(e) => error_page(lang, e),
    }
}
