//! The working-day calendars in force: the national calendar (shipped schedules, replaced
//! year by year by schedules loaded into the database) and one per agency with its own
//! office hours. Built at start-up and swapped atomically when an administrator loads a
//! schedule or changes an agency's hours.

use crate::{AppContext, AppError, now_ms};
use motcua_domain::authz::{Permission, Principal, authorize};
use motcua_domain::calendar::{CalendarError, OfficeHours, Schedule, WorkCalendar};
use motcua_store::Db;
use motcua_store::repo::audit::{self, ADMIN_CHAIN, NewAudit};
use motcua_store::repo::calendar::{self as repo, ScheduleRow};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

#[derive(Clone)]
struct State {
    /// Schedules loaded at run time, by year (they replace the shipped ones).
    loaded: BTreeMap<i32, Schedule>,
    hours: HashMap<String, OfficeHours>,
    national: Arc<WorkCalendar>,
    per_agency: HashMap<String, Arc<WorkCalendar>>,
}

pub struct Calendars {
    state: RwLock<State>,
}

fn build(loaded: &BTreeMap<i32, Schedule>, hours: Option<&OfficeHours>) -> Result<WorkCalendar, CalendarError> {
    let mut b = WorkCalendar::builder();
    for s in loaded.values() {
        b = b.schedule(s.clone());
    }
    if let Some(h) = hours {
        b = b.office_hours(h.clone());
    }
    b.build()
}

impl State {
    fn new(loaded: BTreeMap<i32, Schedule>, hours: HashMap<String, OfficeHours>) -> Result<Self, CalendarError> {
        let national = Arc::new(build(&loaded, None)?);
        let mut per_agency = HashMap::new();
        for (id, h) in &hours {
            // Deadlines run on the state working week: weekend sessions only open the counter.
            per_agency.insert(id.clone(), Arc::new(build(&loaded, Some(&h.state_week()))?));
        }
        Ok(Self { loaded, hours, national, per_agency })
    }
}

/// Where a year's schedule in force comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleSource {
    Shipped,
    Loaded,
}

/// A year of the national calendar as the API and the year page show it.
pub struct YearOverview {
    pub year: i32,
    /// Can-chi name of the lunar year that starts in this solar year.
    pub lunar_year_name: String,
    pub calendar_version: String,
    /// The official schedule in force and where it comes from; `None`: statutory rules only.
    pub schedule: Option<(Schedule, ScheduleSource)>,
    /// Holidays, days off and make-up working days of the year.
    pub days: Vec<motcua_domain::calendar::DayInfo>,
    pub working_days: u32,
}

/// The first and last years the calendar covers.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A year of the national calendar (`year` within `YEARS`, else a 422 on `year`).
pub fn year_overview(ctx: &AppContext, year: i32) -> Result<YearOverview, AppError> {
    if !YEARS.contains(&year) {
        return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
            "year",
            "year_out_of_range",
            format!("Năm {year} nằm ngoài phạm vi hỗ trợ 1900–2199."),
            format!("Year {year} is outside the supported range 1900–2199."),
        )));
    }
    let cal = ctx.calendars.national();
    let days = cal.special_days(year)?.into_iter().filter(|d| d.date.year() as i32 == year).collect();
    let first = jiff::civil::date(year as i16, 1, 1);
    let last = jiff::civil::date(year as i16, 12, 31);
    let working_days = cal.working_days_between(first.yesterday().unwrap_or(first), last)?;
    Ok(YearOverview {
        year,
        lunar_year_name: motcua_domain::lunar::year_name(year),
        calendar_version: cal.version().to_string(),
        schedule: ctx.calendars.schedule(year),
        days,
        working_days,
    })
}

/// A lunar date as "d/m" ("n" after a leap month), "" outside the lunar tables.
pub fn lunar_short(d: jiff::civil::Date) -> String {
    match motcua_domain::lunar::solar_to_lunar(d) {
        Ok(l) => format!("{}/{}{}", l.day, l.month, if l.leap { "n" } else { "" }),
        Err(_) => String::new(),
    }
}

impl Calendars {
    /// Reads the loaded schedules and office hours from the database.
    pub fn load(db: &mut Db) -> Result<Self, AppError> {
        let mut loaded = BTreeMap::new();
        for row in repo::latest_schedules(db)? {
            let s = Schedule::parse(&row.source)?;
            loaded.insert(s.year, s);
        }
        let mut hours = HashMap::new();
        for (id, spec) in repo::all_office_hours(db)? {
            let h: OfficeHours = serde_json::from_str(&spec)
                .map_err(|e| AppError::Internal(format!("stored office hours of {id} are unreadable: {e}")))?;
            hours.insert(id, h);
        }
        Ok(Self { state: RwLock::new(State::new(loaded, hours)?) })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn national(&self) -> Arc<WorkCalendar> {
        self.read().national.clone()
    }

    /// The calendar an agency's legal deadlines run on: its own weekday hours on the state
    /// working week (`OfficeHours::state_week`) if it has hours of its own, else the
    /// national one.
    pub fn for_agency(&self, agency_id: Option<&str>) -> Arc<WorkCalendar> {
        let s = self.read();
        agency_id.and_then(|id| s.per_agency.get(id).cloned()).unwrap_or_else(|| s.national.clone())
    }

    pub fn office_hours(&self, agency_id: &str) -> Option<OfficeHours> {
        self.read().hours.get(agency_id).cloned()
    }

    /// The schedule in force for a year and where it comes from.
    pub fn schedule(&self, year: i32) -> Option<(Schedule, ScheduleSource)> {
        let s = self.read();
        if let Some(l) = s.loaded.get(&year) {
            return Some((l.clone(), ScheduleSource::Loaded));
        }
        s.national.schedules().find(|x| x.year == year).map(|x| (x.clone(), ScheduleSource::Shipped))
    }

    fn replace(
        &self,
        f: impl FnOnce(&mut BTreeMap<i32, Schedule>, &mut HashMap<String, OfficeHours>),
    ) -> Result<State, CalendarError> {
        let s = self.read().clone();
        let (mut loaded, mut hours) = (s.loaded, s.hours);
        f(&mut loaded, &mut hours);
        State::new(loaded, hours)
    }

    fn install(&self, next: State) {
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = next;
    }
}

/// Format of an uploaded schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleFormat {
    /// The line format of `data/calendar/*.csv`.
    Text,
    Json,
}

/// Loads a year's official schedule. The file is rejected whole, with every problem by
/// line; its revision must be newer than the one in force; the new calendar must build
/// (every fixed statutory holiday given off) before anything is written.
pub async fn load_schedule(
    ctx: &AppContext,
    actor: Option<&Principal>,
    content: &str,
    format: ScheduleFormat,
) -> Result<Schedule, AppError> {
    crate::usecases::require_province(actor, Permission::ManageCalendar)?;
    let schedule = match format {
        ScheduleFormat::Text => Schedule::parse(content)?,
        ScheduleFormat::Json => Schedule::from_json(content)?,
    };
    if let Some((current, _)) = ctx.calendars.schedule(schedule.year)
        && schedule.revision <= current.revision
    {
        return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
            "revision",
            "revision_not_newer",
            format!(
                "Năm {} đang áp dụng lịch phiên bản {}; lịch mới phải có số phiên bản lớn hơn (dòng revision).",
                schedule.year, current.revision
            ),
            format!(
                "Year {} already has revision {}; the new schedule needs a higher revision.",
                schedule.year, current.revision
            ),
        )));
    }
    let year = schedule.year;
    let next = ctx.calendars.replace(|loaded, _| {
        loaded.insert(year, schedule.clone());
    })?;
    let row = ScheduleRow {
        year: year.into(),
        revision: schedule.revision.into(),
        source: schedule.to_text(),
        loaded_at: now_ms(),
        loaded_by: actor.map(|a| a.user_id.clone()),
    };
    let version = next.national.version().to_string();
    let actor_id = actor.map(|a| a.user_id.clone());
    ctx.store
        .write(move |db| {
            repo::insert_schedule(db, &row)?;
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: row.loaded_at,
                    actor_id: actor_id.as_deref(),
                    action: "calendar.schedule_loaded",
                    entity_kind: "calendar_year",
                    entity_id: &year.to_string(),
                    agency_path: None,
                    payload: json!({"year": year, "revision": row.revision, "calendar_version": version}),
                },
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    ctx.calendars.install(next);
    Ok(schedule)
}

/// Sets (or with `None` removes) an agency's own office hours, e.g. Saturday mornings at a
/// service centre.
pub async fn set_office_hours(
    ctx: &AppContext,
    actor: &Principal,
    agency_id: &str,
    hours: Option<OfficeHours>,
) -> Result<(), AppError> {
    let id = agency_id.to_string();
    let agency = {
        let id = id.clone();
        ctx.store.read(move |db| motcua_store::repo::agencies::find(db, &id)?.ok_or(AppError::not_found("agency"))).await?
    };
    authorize(actor, Permission::ManageAgencies, &agency.path).map_err(|_| AppError::Forbidden)?;
    let next = ctx.calendars.replace(|_, map| match &hours {
        Some(h) => {
            map.insert(id.clone(), h.clone());
        }
        None => {
            map.remove(&id);
        }
    })?;
    let spec = hours.as_ref().map(|h| serde_json::to_string(h).expect("office hours serialise"));
    let actor_id = actor.user_id.clone();
    ctx.store
        .write(move |db| {
            let now = now_ms();
            match &spec {
                Some(s) => repo::put_office_hours(db, &agency.id, s, now)?,
                None => {
                    repo::delete_office_hours(db, &agency.id)?;
                }
            }
            audit::append(
                db,
                NewAudit {
                    chain: ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor_id),
                    action: "agency.office_hours_set",
                    entity_kind: "agency",
                    entity_id: &agency.id,
                    agency_path: Some(&agency.path),
                    payload: json!({"office_hours": spec.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().ok().flatten()}),
                },
            )?;
            Ok::<_, AppError>(())
        })
        .await?;
    ctx.calendars.install(next);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Answers shared by the CLI and the API (same fields, same formats).
// ---------------------------------------------------------------------------------------

use jiff::Timestamp;
use motcua_domain::calendar::{CountingRules, OutOfHours, TimeLimit, vn_time_zone};
use motcua_domain::lunar::{self, LunarDate};
use serde::Serialize;

/// A day in both calendars.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LunarInfo {
    /// Solar (Gregorian) date, YYYY-MM-DD.
    #[schema(example = "2026-04-26")]
    pub solar: String,
    #[schema(example = 10)]
    pub lunar_day: u8,
    #[schema(example = 3)]
    pub lunar_month: u8,
    #[schema(example = 2026)]
    pub lunar_year: i32,
    /// The month is a leap month (tháng nhuận).
    pub leap: bool,
    /// Can-chi name of the lunar year.
    #[schema(example = "Bính Ngọ")]
    pub year_name: String,
}

fn info(solar: jiff::civil::Date, l: LunarDate) -> LunarInfo {
    LunarInfo {
        solar: solar.to_string(),
        lunar_day: l.day,
        lunar_month: l.month,
        lunar_year: l.year,
        leap: l.leap,
        year_name: lunar::year_name(l.year),
    }
}

/// `YYYY-MM-DD` (solar) → both calendars.
pub fn lunar_of(solar: &str) -> Result<LunarInfo, CalendarError> {
    let d = motcua_domain::calendar::parse_date(solar.trim())?;
    Ok(info(d, lunar::solar_to_lunar(d)?))
}

/// A lunar date written `YYYY-MM-DD` (day 30 allowed where the month has it) → both calendars.
pub fn solar_of(lunar_date: &str, leap: bool) -> Result<LunarInfo, CalendarError> {
    let parts: Vec<&str> = lunar_date.trim().split('-').collect();
    let nums: Option<Vec<i64>> = if parts.len() == 3 { parts.iter().map(|p| p.parse().ok()).collect() } else { None };
    let Some(n) = nums else {
        return Err(CalendarError::DateFormat { input: lunar_date.trim().to_string() });
    };
    let (y, m, d) = (n[0], n[1], n[2]);
    let l = LunarDate {
        year: i32::try_from(y).unwrap_or(i32::MAX),
        month: u8::try_from(m).unwrap_or(u8::MAX),
        day: u8::try_from(d).unwrap_or(u8::MAX),
        leap,
    };
    let solar = lunar::lunar_to_solar(l)?;
    Ok(info(solar, l))
}

/// A deadline, with the calendar it was computed with.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueInfo {
    /// RFC 3339 in Vietnam's time (+07:00).
    #[schema(example = "2026-03-06T17:00:00+07:00")]
    pub due: String,
    /// The reception instant after the cut-off and out-of-hours rules.
    pub counted_from: String,
    /// Identifies the calendar data used; stored with every deadline.
    pub calendar_version: String,
}

pub fn vn_rfc3339(t: Timestamp) -> String {
    t.to_zoned(vn_time_zone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// Parses an RFC 3339 instant (with offset or Z).
pub fn parse_instant(field: &str, s: &str) -> Result<Timestamp, AppError> {
    s.trim().parse::<Timestamp>().map_err(|_| {
        AppError::Validation(motcua_domain::error::ValidationError::single(
            field,
            "invalid_instant",
            format!("'{}' không phải thời điểm RFC 3339 (ví dụ 2026-03-10T14:59:00+07:00).", s.trim()),
            format!("'{}' is not an RFC 3339 instant (e.g. 2026-03-10T14:59:00+07:00).", s.trim()),
        ))
    })
}

/// Counting rules from their textual options: cut-off "15:00"; out-of-hours "next" or "as_filed".
pub fn counting_rules(cutoff: Option<&str>, out_of_hours: Option<&str>) -> Result<CountingRules, AppError> {
    let mut rules = CountingRules::default();
    if let Some(c) = cutoff.filter(|c| !c.is_empty()) {
        rules.same_day_cutoff = Some(motcua_domain::calendar::parse_time(c)?);
    }
    rules.out_of_hours = match out_of_hours.filter(|o| !o.is_empty()) {
        None | Some("as_filed") => OutOfHours::AsFiled,
        Some("next" | "next_working_instant") => OutOfHours::NextWorkingInstant,
        Some(_) => {
            return Err(AppError::Validation(motcua_domain::error::ValidationError::single(
                "out_of_hours",
                "invalid_out_of_hours",
                "Quy tắc ngoài giờ chỉ nhận \"next\" hoặc \"as_filed\".",
                "out_of_hours takes \"next\" or \"as_filed\".",
            )));
        }
    };
    Ok(rules)
}

pub fn due_info(cal: &WorkCalendar, from: Timestamp, limit: TimeLimit, rules: &CountingRules) -> Result<DueInfo, CalendarError> {
    let d = cal.due(from, limit, rules)?;
    Ok(DueInfo { due: vn_rfc3339(d.at), counted_from: vn_rfc3339(d.counted_from), calendar_version: d.calendar_version })
}
