//! `/lich/{year}`: a year's calendar with lunar dates, holidays and make-up days (the data
//! of `motcua_app::calendar::year_overview`, the same the API serves).

use crate::kit::layout::html;
use crate::kit::{Frame, Lang, PageError, Route, error_page, other_lang_href};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::{Date, date};
use motcua_app::AppContext;
use motcua_app::calendar::{ScheduleSource, lunar_short, year_overview};
use motcua_domain::calendar::DayKind;

const MONTHS_VI: [&str; 12] = [
    "Tháng Một",
    "Tháng Hai",
    "Tháng Ba",
    "Tháng Tư",
    "Tháng Năm",
    "Tháng Sáu",
    "Tháng Bảy",
    "Tháng Tám",
    "Tháng Chín",
    "Tháng Mười",
    "Tháng Mười một",
    "Tháng Mười hai",
];
const MONTHS_EN: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DOW_VI: [(&str, &str); 7] = [
    ("T2", "Thứ Hai"),
    ("T3", "Thứ Ba"),
    ("T4", "Thứ Tư"),
    ("T5", "Thứ Năm"),
    ("T6", "Thứ Sáu"),
    ("T7", "Thứ Bảy"),
    ("CN", "Chủ nhật"),
];
const DOW_EN: [(&str, &str); 7] = [
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
];

/// A day of a month grid.
struct Cell {
    day: i8,
    /// `off`, `makeup`, `rest` or "".
    class: &'static str,
    lunar: String,
    /// The holiday or make-up day's name.
    label: Option<String>,
    /// A short visible word for the kind (not colour alone).
    mark: &'static str,
}

struct Month {
    caption: String,
    /// Weeks of seven cells, Monday first; `None` outside the month.
    weeks: Vec<Vec<Option<Cell>>>,
}

/// A row of the list of special days.
struct SpecialDay {
    date: String,
    lunar: String,
    label: String,
    document: String,
}

#[derive(Template)]
#[template(path = "public/calendar.html")]
struct YearView {
    lang: Lang,
    frame: Frame,
    year: i16,
    lunar_year_name: String,
    source: &'static str,
    revision: Option<u32>,
    version: String,
    working_days: u32,
    dows: [(&'static str, &'static str); 7],
    months: Vec<Month>,
    days: Vec<SpecialDay>,
}

/// `GET /lich/{year}`.
pub async fn year_page(State(ctx): State<AppContext>, lang: Lang, Path(year): Path<String>) -> Response {
    // A path that is not a year is a page that does not exist (an HTML 404, not a bare 400).
    let Ok(year) = year.parse::<i16>() else {
        return error_page(
            lang,
            PageError::new(StatusCode::NOT_FOUND, "not_found", "Không có trang lịch này.", "There is no such calendar page."),
        );
    };
    let data = match year_overview(&ctx, i32::from(year)) {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    let cal = ctx.calendars.national();
    let source = match (data.schedule.as_ref().map(|(_, s)| s), lang) {
        (Some(ScheduleSource::Loaded), Lang::Vi) => "do quản trị nạp",
        (Some(ScheduleSource::Loaded), Lang::En) => "loaded by an administrator",
        (Some(ScheduleSource::Shipped), Lang::Vi) => "lịch chính thức kèm theo hệ thống",
        (Some(ScheduleSource::Shipped), Lang::En) => "official schedule shipped with the system",
        (None, Lang::Vi) => "chưa công bố, áp dụng quy định của Bộ luật Lao động",
        (None, Lang::En) => "not yet published; statutory rules apply",
    };
    let (names, dows) = match lang {
        Lang::Vi => (MONTHS_VI, DOW_VI),
        Lang::En => (MONTHS_EN, DOW_EN),
    };
    let months = (1..=12i8)
        .map(|m| {
            let first = date(year, m, 1);
            let mut cells: Vec<Option<Cell>> = (0..first.weekday().to_monday_zero_offset()).map(|_| None).collect();
            let mut d: Date = first;
            while d.month() == m {
                let info = cal.day(d).ok();
                let (class, label) = match info.as_ref().map(|i| i.kind) {
                    Some(DayKind::Off(_)) => ("off", info.as_ref().and_then(|i| i.label.clone())),
                    Some(DayKind::MakeUp) => ("makeup", info.as_ref().and_then(|i| i.label.clone())),
                    Some(DayKind::WeeklyRest) => ("rest", None),
                    _ => ("", None),
                };
                let mark = match class {
                    "off" => lang.t("nghỉ", "off"),
                    "makeup" => lang.t("làm bù", "make-up"),
                    _ => "",
                };
                cells.push(Some(Cell { day: d.day(), class, lunar: lunar_short(d), label, mark }));
                match d.tomorrow() {
                    Ok(n) => d = n,
                    Err(_) => break,
                }
            }
            while !cells.len().is_multiple_of(7) {
                cells.push(None);
            }
            let mut weeks = Vec::new();
            let mut it = cells.into_iter().peekable();
            while it.peek().is_some() {
                weeks.push(it.by_ref().take(7).collect());
            }
            Month { caption: format!("{} {year}", names[(m - 1) as usize]), weeks }
        })
        .collect();
    let days = data
        .days
        .iter()
        .map(|d| SpecialDay {
            date: d.date.to_string(),
            lunar: lunar_short(d.date),
            label: d.label.clone().unwrap_or_default(),
            document: d.document.clone().unwrap_or_default(),
        })
        .collect();
    let title = match lang {
        Lang::Vi => format!("Lịch làm việc năm {year}"),
        Lang::En => format!("Working calendar {year}"),
    };
    let view = YearView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &Route::Calendar(year).path())),
        year,
        lunar_year_name: data.lunar_year_name,
        source,
        revision: data.schedule.as_ref().map(|(s, _)| s.revision),
        version: data.calendar_version,
        working_days: data.working_days,
        dows,
        months,
        days,
    };
    html(StatusCode::OK, &view)
}
