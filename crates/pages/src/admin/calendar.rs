//! `/quan-tri/lich`: a year's official schedule in force (as a table: dates, kind, note,
//! document) and the form to load a schedule file (province administrators: the use case
//! requires it; the file is rejected whole with every problem).

use super::refuse_non_admin;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::{Frame, Lang, PageUpload, PageUser, Route, error_page, other_lang_href, title_with_errors, with_lang};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use motcua_app::auth::CurrentUser;
use motcua_app::calendar::{ScheduleFormat, load_schedule};
use motcua_app::{AppContext, AppError};
use motcua_domain::calendar::Schedule;
use motcua_domain::error::FieldError;
use serde::Deserialize;

/// The load form's fixed fields (the file comes as an upload): the year shown (hidden, read
/// leniently) and the file's format (`text` or `json`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoadForm {
    year: String,
    format: String,
}

#[derive(Deserialize)]
pub struct CalendarParams {
    nam: Option<i32>,
}

/// A row of the schedule table: one period of days off or one make-up day.
struct ScheduleRow {
    dates: String,
    kind: &'static str,
    note: String,
    document: String,
    /// For sorting.
    from: Date,
}

fn dmy(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// The schedule as rows in date order, each with its announcing document's number and title.
fn schedule_rows(lang: Lang, s: &Schedule) -> Vec<ScheduleRow> {
    let document = |key: &str| {
        s.documents
            .iter()
            .find(|d| d.key == key)
            .map(|d| match &d.number {
                Some(n) => format!("{n} – {}", d.title),
                None => d.title.clone(),
            })
            .unwrap_or_else(|| key.to_string())
    };
    let mut rows: Vec<ScheduleRow> = s
        .days_off
        .iter()
        .map(|o| ScheduleRow {
            dates: if o.from == o.to { dmy(o.from) } else { format!("{} – {}", dmy(o.from), dmy(o.to)) },
            kind: lang.t(o.reason.label_vi(), o.reason.label_en()),
            note: o.label.clone(),
            document: document(&o.document),
            from: o.from,
        })
        .chain(s.make_up.iter().map(|m| ScheduleRow {
            dates: dmy(m.date),
            kind: lang.t("Ngày làm bù", "Make-up working day"),
            note: m.label.clone(),
            document: document(&m.document),
            from: m.date,
        }))
        .collect();
    rows.sort_by_key(|r| r.from);
    rows
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
struct CalendarView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: &'a [FieldError],
    year: i32,
    prev_href: String,
    next_href: String,
    /// The public year page.
    year_href: String,
    heading: String,
    flash: Option<&'a str>,
    /// `None`: the year has no official schedule.
    schedule: Option<Vec<ScheduleRow>>,
    revision: Option<u32>,
}

/// `GET /quan-tri/lich?nam=`: the year's schedule in force and the form to load a file.
pub async fn page(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<CalendarParams>,
) -> Response {
    let year = p.nam.unwrap_or_else(|| ctx.clock.today().year() as i32);
    render(&ctx, lang, &user, year, StatusCode::OK, &[], None)
}

fn render(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    year: i32,
    status: StatusCode,
    errors: &[FieldError],
    flash: Option<&str>,
) -> Response {
    if let Some(r) = refuse_non_admin(lang, user) {
        return r;
    }
    let heading = format!("{} {year}", lang.t("Lịch làm việc năm", "Work calendar"));
    let schedule = ctx.calendars.schedule(year);
    let at = |y: i32| Route::AdminCalendar.with_query(&[("nam", &y.to_string())]);
    let here = at(year);
    let view = CalendarView {
        lang,
        frame: Frame::new(title_with_errors(lang, &heading, errors), other_lang_href(lang, &here)),
        user,
        menu: menu(lang, user, Route::AdminCalendar),
        errors,
        year,
        prev_href: with_lang(lang, &at(year - 1)),
        next_href: with_lang(lang, &at(year + 1)),
        year_href: lang.href(Route::Calendar(year.clamp(1, i32::from(i16::MAX)) as i16)),
        heading,
        flash,
        revision: schedule.as_ref().map(|(s, _)| s.revision),
        schedule: schedule.map(|(s, _)| schedule_rows(lang, &s)),
    };
    html(status, &view)
}

/// `POST /quan-tri/lich` (multipart): loads a schedule file; rejected whole with every problem.
pub async fn load(State(ctx): State<AppContext>, lang: Lang, form: PageUpload) -> Response {
    let PageUpload { user, fields, files } = form;
    if let Some(r) = refuse_non_admin(lang, &user) {
        return r;
    }
    let f: LoadForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let year = f.year.parse().ok().unwrap_or_else(|| ctx.clock.today().year() as i32);
    let Some(file) = files.into_iter().find(|u| u.field == "file") else {
        let e = [FieldError::new("c-file", "file_missing", "Chọn tệp lịch.", "Choose the schedule file.")];
        return render(&ctx, lang, &user, year, StatusCode::UNPROCESSABLE_ENTITY, &e, None);
    };
    let format = if f.format == "json" { ScheduleFormat::Json } else { ScheduleFormat::Text };
    let content = String::from_utf8_lossy(&file.bytes).into_owned();
    match load_schedule(&ctx, Some(&user.principal), &content, format).await {
        Ok(s) => {
            let msg = format!(
                "{} {} ({} {})",
                lang.t("Đã nạp lịch năm", "Loaded the schedule of"),
                s.year,
                lang.t("lần", "revision"),
                s.revision
            );
            render(&ctx, lang, &user, s.year, StatusCode::OK, &[], Some(&msg))
        }
        Err(AppError::Forbidden) => error_page(lang, AppError::Forbidden),
        Err(e) => {
            // Every problem of the file is shown at the file input, with where it is.
            let mut errors: Vec<FieldError> = e
                .fields()
                .into_iter()
                .map(|mut x| {
                    x.message_vi = format!("{}: {}", x.field, x.message_vi);
                    x.message_en = format!("{}: {}", x.field, x.message_en);
                    x.field = "c-file".into();
                    x
                })
                .collect();
            if errors.is_empty() {
                errors.push(FieldError::new("c-file", e.code(), e.message_vi(), e.message_en()));
            }
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            render(&ctx, lang, &user, year, status, &errors, None)
        }
    }
}
