//! Calendar: solar ↔ lunar conversion, a year's days off, due dates (public); loading a
//! year's official schedule and an agency's office hours (administrators).

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppContext;
use motcua_app::calendar::{self, DueInfo, LunarInfo, ScheduleFormat, ScheduleSource};
use motcua_domain::calendar::{DayKind, OfficeHours, TimeLimit, TimeUnit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(to_lunar))
        .routes(routes!(to_solar))
        .routes(routes!(year))
        .routes(routes!(get_schedule, put_schedule))
        .routes(routes!(due))
        .routes(routes!(get_office_hours, put_office_hours, delete_office_hours))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LunarQuery {
    /// Solar date YYYY-MM-DD.
    date: String,
}

/// Solar → lunar.
#[utoipa::path(get, path = "/api/v1/calendar/lunar", tag = "calendar", params(LunarQuery),
    responses((status = 200, body = LunarInfo), (status = 422, body = ErrorBody)))]
async fn to_lunar(Query(q): Query<LunarQuery>) -> ApiResult<Json<LunarInfo>> {
    Ok(Json(calendar::lunar_of(&q.date).map_err(motcua_app::AppError::from)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SolarQuery {
    /// Lunar date YYYY-MM-DD (e.g. 2026-03-10 for 10/3 Bính Ngọ).
    lunar: String,
    /// The month is the year's leap month.
    #[serde(default)]
    leap: bool,
}

/// Lunar → solar.
#[utoipa::path(get, path = "/api/v1/calendar/solar", tag = "calendar", params(SolarQuery),
    responses((status = 200, body = LunarInfo), (status = 422, body = ErrorBody)))]
async fn to_solar(Query(q): Query<SolarQuery>) -> ApiResult<Json<LunarInfo>> {
    Ok(Json(calendar::solar_of(&q.lunar, q.leap).map_err(motcua_app::AppError::from)?))
}

#[derive(Serialize, ToSchema)]
pub struct DayDto {
    pub date: String,
    /// working, make_up, weekly_rest, holiday, compensatory, swap, weekend
    pub kind: String,
    pub working: bool,
    pub label: Option<String>,
    pub document: Option<String>,
    /// Lunar date d/m (with "n" for a leap month).
    pub lunar: String,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub number: Option<String>,
    pub date: Option<String>,
    pub title: String,
}

#[derive(Serialize, ToSchema)]
pub struct YearDto {
    pub year: i32,
    /// Can-chi name of the lunar year that starts in this solar year.
    pub lunar_year_name: String,
    pub calendar_version: String,
    /// shipped, loaded or statutory (no published schedule: statutory rules only).
    pub source: String,
    pub revision: Option<u32>,
    pub documents: Vec<DocumentDto>,
    /// Holidays, days off and make-up working days.
    pub days: Vec<DayDto>,
    pub working_days: u32,
}

pub fn kind_code(k: DayKind) -> &'static str {
    match k {
        DayKind::Working => "working",
        DayKind::MakeUp => "make_up",
        DayKind::WeeklyRest => "weekly_rest",
        DayKind::Off(r) => r.code(),
    }
}

fn bad_year(year: i32) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "year_out_of_range",
        format!("Năm {year} nằm ngoài phạm vi hỗ trợ 1900–2199."),
        format!("Year {year} is outside the supported range 1900–2199."),
    )
}

pub fn year_dto(ctx: &AppContext, year: i32) -> ApiResult<YearDto> {
    // The API's own shape of this error (no field list), as before the page moved.
    if !calendar::YEARS.contains(&year) {
        return Err(bad_year(year));
    }
    let y = calendar::year_overview(ctx, year)?;
    let (source, revision, documents) = match &y.schedule {
        Some((s, src)) => (
            if *src == ScheduleSource::Loaded { "loaded" } else { "shipped" },
            Some(s.revision),
            s.documents
                .iter()
                .map(|d| DocumentDto { number: d.number.clone(), date: d.date.map(|x| x.to_string()), title: d.title.clone() })
                .collect(),
        ),
        None => ("statutory", None, Vec::new()),
    };
    Ok(YearDto {
        year,
        lunar_year_name: y.lunar_year_name,
        calendar_version: y.calendar_version,
        source: source.into(),
        revision,
        documents,
        working_days: y.working_days,
        days: y
            .days
            .into_iter()
            .map(|d| DayDto {
                date: d.date.to_string(),
                kind: kind_code(d.kind).into(),
                working: d.working,
                label: d.label,
                document: d.document,
                lunar: calendar::lunar_short(d.date),
            })
            .collect(),
    })
}

/// A year's holidays, compensatory days off and make-up working days.
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, body = YearDto), (status = 422, body = ErrorBody)))]
async fn year(State(ctx): State<AppContext>, Path(year): Path<i32>) -> ApiResult<Json<YearDto>> {
    Ok(Json(year_dto(&ctx, year)?))
}

/// The year's official schedule in force, in the line format (404 when the year has none).
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}/schedule", tag = "calendar", params(("year" = i32, Path)),
    responses((status = 200, description = "text/plain line format", body = String), (status = 404, body = ErrorBody)))]
async fn get_schedule(State(ctx): State<AppContext>, Path(year): Path<i32>) -> ApiResult<Response> {
    let (s, _) = ctx.calendars.schedule(year).ok_or_else(|| ApiError::for_status(StatusCode::NOT_FOUND))?;
    let mut r = s.to_text().into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(r)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"format": "text", "content": "year,2027\nrevision,1\ndocument,blld,45/2019/QH14,2019-11-20,Bộ luật Lao động 2019\noff,2027-01-01,2027-01-01,holiday,blld,Tết Dương lịch\n…"}))]
struct ScheduleUpload {
    /// text (the line format) or json
    format: String,
    content: String,
}

/// Load a year's official schedule (province administrators). A file with any problem is
/// rejected whole, each problem named by line; the revision must be newer than the one in force.
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}/schedule", tag = "calendar", security(("session" = [])),
    params(("year" = i32, Path)), request_body = ScheduleUpload,
    responses((status = 200, body = YearDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_schedule(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(year): Path<i32>,
    ApiJson(body): ApiJson<ScheduleUpload>,
) -> ApiResult<Json<YearDto>> {
    let format = match body.format.as_str() {
        "text" | "csv" => ScheduleFormat::Text,
        "json" => ScheduleFormat::Json,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_format",
                "Định dạng chỉ nhận text hoặc json.",
                "format takes text or json.",
            )
            .with_field(
                "format",
                "invalid_format",
                "Định dạng chỉ nhận text hoặc json.",
                "format takes text or json.",
            ));
        }
    };
    // Parse first to compare the year before anything is written.
    let parsed = match format {
        ScheduleFormat::Text => motcua_domain::calendar::Schedule::parse(&body.content),
        ScheduleFormat::Json => motcua_domain::calendar::Schedule::from_json(&body.content),
    }
    .map_err(motcua_app::AppError::from)?;
    if parsed.year != year {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "year_mismatch",
            format!("Tệp là lịch năm {}, không phải năm {year}.", parsed.year),
            format!("The file is the schedule of {}, not {year}.", parsed.year),
        ));
    }
    calendar::load_schedule(&ctx, Some(&user.principal), &body.content, format).await?;
    Ok(Json(year_dto(&ctx, year)?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DueQuery {
    /// Reception instant, RFC 3339 (e.g. 2026-03-10T14:59:00+07:00).
    from: String,
    working_days: Option<i64>,
    hours: Option<i64>,
    days: Option<i64>,
    months: Option<i64>,
    /// Same-day cut-off, e.g. 15:00: received later counts from the next working day.
    cutoff: Option<String>,
    /// next: a filing out of office hours counts from the next working instant; as_filed (default).
    out_of_hours: Option<String>,
    /// Use this agency's office hours.
    agency_id: Option<String>,
}

/// Due date for a time limit from a reception instant.
#[utoipa::path(get, path = "/api/v1/calendar/due", tag = "calendar", params(DueQuery),
    responses((status = 200, body = DueInfo), (status = 422, body = ErrorBody)))]
async fn due(State(ctx): State<AppContext>, Query(q): Query<DueQuery>) -> ApiResult<Json<DueInfo>> {
    let given: Vec<(i64, TimeUnit)> = [
        (q.working_days, TimeUnit::WorkingDays),
        (q.hours, TimeUnit::Hours),
        (q.days, TimeUnit::Days),
        (q.months, TimeUnit::Months),
    ]
    .into_iter()
    .filter_map(|(v, u)| v.map(|v| (v, u)))
    .collect();
    let [(value, unit)] = given[..] else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "one_limit_required",
            "Cần đúng một thời hạn: working_days, hours, days hoặc months.",
            "Give exactly one limit: working_days, hours, days or months.",
        ));
    };
    let limit = TimeLimit::new(value, unit).map_err(motcua_app::AppError::from)?;
    let from = calendar::parse_instant("from", &q.from)?;
    let rules = calendar::counting_rules(q.cutoff.as_deref(), q.out_of_hours.as_deref())?;
    let cal = ctx.calendars.for_agency(q.agency_id.as_deref());
    Ok(Json(calendar::due_info(&cal, from, limit, &rules).map_err(motcua_app::AppError::from)?))
}

#[derive(Serialize, ToSchema)]
struct OfficeHoursDto {
    /// The agency has its own hours (otherwise the national standard applies).
    custom: bool,
    #[schema(value_type = Object, example = json!({"monday": ["07:30-11:30", "13:30-17:00"], "saturday": ["07:30-11:30"], "make_up": ["07:30-11:30", "13:30-17:00"]}))]
    hours: OfficeHours,
}

/// An agency's office sessions per weekday.
#[utoipa::path(get, path = "/api/v1/agencies/{id}/office-hours", tag = "calendar", params(("id" = String, Path)),
    responses((status = 200, body = OfficeHoursDto)))]
async fn get_office_hours(State(ctx): State<AppContext>, Path(id): Path<String>) -> Json<OfficeHoursDto> {
    match ctx.calendars.office_hours(&id) {
        Some(h) => Json(OfficeHoursDto { custom: true, hours: h }),
        None => Json(OfficeHoursDto { custom: false, hours: OfficeHours::standard() }),
    }
}

/// Set an agency's own office hours (e.g. a service centre open Saturday mornings).
#[utoipa::path(put, path = "/api/v1/agencies/{id}/office-hours", tag = "calendar", security(("session" = [])), params(("id" = String, Path)),
    request_body(content = Object, description = "{monday: [\"07:30-11:30\", …], …, make_up: […]}"),
    responses((status = 200, body = OfficeHoursDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_office_hours(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(hours): ApiJson<OfficeHours>,
) -> ApiResult<Json<OfficeHoursDto>> {
    calendar::set_office_hours(&ctx, &user.principal, &id, Some(hours.clone())).await?;
    Ok(Json(OfficeHoursDto { custom: true, hours }))
}

/// Return an agency to the national office hours.
#[utoipa::path(delete, path = "/api/v1/agencies/{id}/office-hours", tag = "calendar", security(("session" = [])), params(("id" = String, Path)),
    responses((status = 204, description = "Reset"), (status = 403, body = ErrorBody)))]
async fn delete_office_hours(State(ctx): State<AppContext>, Auth(user): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    calendar::set_office_hours(&ctx, &user.principal, &id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
