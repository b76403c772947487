//! The counter hall's queue (issue #18, `docs/queue.md`): the kiosk issues numbered tickets
//! per service group, citizens book appointment slots online and check in at the kiosk,
//! reception officers call, serve and transfer tickets at their counter, the hall board
//! shows the called numbers, and leaders read the figures.
//!
//! Which action is allowed in which ticket status is `motcua_domain::queue::ACTIONS`; the
//! store applies each move as one conditional update, so a double call changes nothing the
//! second time. Opening hours, slots and "today" come from `ctx.clock` and the working-day
//! calendar.

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::authz::{Permission, scope};
use motcua_domain::calendar::{at_local, local_date_ms, local_datetime, vn_time_zone};
use motcua_domain::error::ValidationError;
use motcua_domain::queue::{self as q, Action, InLine, OpeningHours, TicketStatus};
use motcua_store::Db;
use motcua_store::repo::agencies::{self, AgencyRecord};
use motcua_store::repo::queue as repo;
pub use motcua_store::repo::queue::{AppointmentRow, BoardLine, CounterRow, GroupRow, TicketRow};
use serde::Serialize;

/// How many called numbers the board shows.
pub const BOARD_LINES: usize = 12;

fn refused(http: u16, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Refused { http, code, vi: vi.into(), en: en.into() }
}

fn ts(ms: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// The local day key of an instant.
pub fn day_key(ms: i64) -> String {
    local_date_ms(ms).to_string()
}

/// A centre by id or code.
fn centre(db: &mut Db, id_or_code: &str) -> Result<AgencyRecord, AppError> {
    let found = match agencies::find(db, id_or_code)? {
        Some(a) => Some(a),
        None => agencies::get_by_code(db, id_or_code)?,
    };
    found.ok_or(AppError::NotFound { what: "centre" })
}

/// The group's opening hours as stored (a bad row reads as the standard week).
pub fn hours(g: &GroupRow) -> OpeningHours {
    OpeningHours::parse(&g.days, &g.sessions).unwrap_or_else(|_| OpeningHours::standard())
}

/// Open now: the group is open, today is a working day of the centre's calendar, and now is
/// within one of its sessions.
pub fn open_now(ctx: &AppContext, g: &GroupRow, now: i64) -> bool {
    let l = local_datetime(ts(now));
    let working = ctx.calendars.for_agency(Some(&g.agency_id)).is_working_day(l.date()).unwrap_or(false);
    g.is_open && working && hours(g).open_at(l.date().weekday(), l.time())
}

// ---------------------------------------------------------------------------------------
// Authorization: officers serve the centres above their counter membership; leaders and
// administrators read the figures and set the queue up in their scope.
// ---------------------------------------------------------------------------------------

fn may(current: &CurrentUser, perm: Permission, centre_path: &str) -> bool {
    match perm {
        // A reception officer sits at a counter under the centre (or at the centre itself).
        Permission::ServeQueue => scope(&current.principal, perm).iter().any(|s| s.starts_with(centre_path)),
        _ => scope(&current.principal, perm).iter().any(|s| centre_path.starts_with(s.as_str())),
    }
}

fn require(current: &CurrentUser, perm: Permission, c: &AgencyRecord) -> Result<(), AppError> {
    if may(current, perm, &c.path) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The centres with a queue that the officer serves.
pub fn centres_served(db: &mut Db, current: &CurrentUser) -> Result<Vec<AgencyRecord>, AppError> {
    let mut out = Vec::new();
    for id in repo::centres(db)? {
        if let Some(a) = agencies::find(db, &id)?
            && may(current, Permission::ServeQueue, &a.path)
        {
            out.push(a);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Public: kiosk, ticket, follow page, board.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CentreRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

impl From<&AgencyRecord> for CentreRef {
    fn from(a: &AgencyRecord) -> Self {
        Self { id: a.id.clone(), code: a.code.clone(), name: a.name.clone() }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupView {
    pub id: String,
    pub prefix: String,
    pub name: String,
    pub procedures: Vec<String>,
    pub sectors: Vec<String>,
    /// `1-5`-style days and `07:30-11:30,13:30-17:00`-style sessions.
    pub days: String,
    pub sessions: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    /// The flag an administrator sets.
    pub is_open: bool,
    /// Takes tickets now (flag, working day, opening hours).
    pub open_now: bool,
    pub waiting: i64,
}

fn split(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|x| !x.is_empty()).map(str::to_string).collect()
}

fn group_view(ctx: &AppContext, g: &GroupRow, waiting: i64, now: i64) -> GroupView {
    GroupView {
        id: g.id.clone(),
        prefix: g.prefix.clone(),
        name: g.name.clone(),
        procedures: split(&g.procedures),
        sectors: split(&g.sectors),
        days: g.days.clone(),
        sessions: g.sessions.clone(),
        slot_minutes: g.slot_minutes,
        slot_capacity: g.slot_capacity,
        is_open: g.is_open,
        open_now: open_now(ctx, g, now),
        waiting,
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Kiosk {
    pub centre: CentreRef,
    pub groups: Vec<GroupView>,
}

/// The centres with a queue (the kiosk's and board's choice).
pub async fn centres(ctx: &AppContext) -> Result<Vec<CentreRef>, AppError> {
    ctx.store
        .read(|db| {
            let mut out = Vec::new();
            for id in repo::centres(db)? {
                if let Some(a) = agencies::find(db, &id)? {
                    out.push(CentreRef::from(&a));
                }
            }
            Ok::<_, AppError>(out)
        })
        .await
}

/// A centre's groups with what the kiosk shows (open now, people waiting).
pub async fn kiosk(ctx: &AppContext, centre_id: &str) -> Result<Kiosk, AppError> {
    let (id, now) = (centre_id.to_string(), ctx.clock.now_ms());
    let (c, groups, waiting) = ctx
        .store
        .read(move |db| {
            let c = centre(db, &id)?;
            let groups = repo::groups(db, &c.id)?;
            let waiting = repo::waiting_counts(db, &c.id, &day_key(now))?;
            Ok::<_, AppError>((c, groups, waiting))
        })
        .await?;
    let w = |g: &str| waiting.iter().find(|(x, _)| x == g).map_or(0, |(_, n)| *n);
    Ok(Kiosk { centre: (&c).into(), groups: groups.iter().map(|g| group_view(ctx, g, w(&g.id), now)).collect() })
}

/// A ticket as its holder (and the kiosk's receipt) sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub id: String,
    pub number: String,
    pub status: String,
    pub status_vi: String,
    pub centre: CentreRef,
    pub group_id: String,
    pub group_name: String,
    pub issued_at: i64,
    /// In line before this ticket (0 once called).
    pub ahead: i64,
    /// The counter's number once called (or sent to a counter).
    pub counter: Option<String>,
    pub appointment: bool,
    /// The secret of the follow link (`/xep-hang/ve/{id}?t=…`): only the holder has it.
    pub token: String,
    /// Codes of the dossiers received while serving it.
    pub dossiers: Vec<String>,
    /// The visit was rated (`rate_visit`).
    pub rated: bool,
}

fn ticket_view(db: &mut Db, t: &TicketRow) -> Result<TicketView, AppError> {
    let c = agencies::get(db, &t.agency_id)?;
    let g = repo::group_by_id(db, &t.group_id)?;
    let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Waiting);
    let ahead = if status.in_line() { repo::ahead(db, &t.group_id, &t.day, t.issued_at, t.seq)? } else { 0 };
    let counter = match &t.counter {
        Some(id) => repo::counter_by_id(db, id)?.map(|c| c.number),
        None => None,
    };
    let dossiers = repo::dossiers_of(db, &t.id)?.into_iter().map(|(id, code)| code.unwrap_or(id)).collect();
    Ok(TicketView {
        id: t.id.clone(),
        number: t.number.clone(),
        status: t.status.clone(),
        status_vi: status.label_vi().into(),
        centre: (&c).into(),
        group_id: t.group_id.clone(),
        group_name: g.map(|g| g.name).unwrap_or_default(),
        issued_at: t.issued_at,
        ahead,
        counter,
        appointment: t.appointment_id.is_some(),
        token: t.token.clone(),
        dossiers,
        rated: status == TicketStatus::Done && motcua_store::repo::ratings::rated(db, &t.id)?,
    })
}

fn issued_status() -> TicketStatus {
    q::ACTIONS.iter().find(|(a, _, _)| *a == Action::Issue).and_then(|(_, _, to)| *to).unwrap_or(TicketStatus::Waiting)
}

fn new_ticket(db: &mut Db, g: &GroupRow, now: i64, appointment: Option<&AppointmentRow>) -> Result<TicketRow, AppError> {
    let day = day_key(now);
    let seq = repo::next_number(db, &g.id, &day)?;
    let t = TicketRow {
        id: motcua_store::repo::new_id(),
        agency_id: g.agency_id.clone(),
        group_id: g.id.clone(),
        day,
        seq,
        number: q::display_number(&g.prefix, seq),
        counter: None,
        officer_id: None,
        // The table's `Issue` row: a new ticket waits.
        status: issued_status().code().into(),
        issued_at: now,
        called_at: None,
        started_at: None,
        finished_at: None,
        calls: 0,
        appointment_id: appointment.map(|a| a.id.clone()),
        slot_start: appointment.map(|a| a.slot_start),
        token: crate::auth::random_token()[..32].to_string(),
    };
    repo::insert_ticket(db, &t)?;
    Ok(t)
}

fn group_closed() -> AppError {
    refused(409, "group_closed", "Nhóm dịch vụ này đang tạm dừng nhận số.", "This service group is closed.")
}

fn outside_hours() -> AppError {
    refused(
        409,
        "outside_opening_hours",
        "Ngoài giờ làm việc của nhóm dịch vụ: không cấp số thứ tự.",
        "Outside the group's opening hours: no ticket is issued.",
    )
}

/// The public kiosk's door: tickets and check-ins per address are rated
/// (`limits::KIOSK_PER_ADDRESS_PER_MINUTE`), so a script cannot fill a day's numbers.
pub fn admit_kiosk(ctx: &AppContext, client: std::net::IpAddr) -> Result<(), AppError> {
    let (doors, now, key) = (&ctx.doors, ctx.clock.now_ms(), crate::limits::client_key(client));
    doors.kiosk_per_address.take(&key, now).map_err(|wait| {
        if doors.log_gate.open(now) {
            tracing::warn!(address = %key, "kiosk rate limit of the address reached");
        }
        AppError::throttled(429, "too_many_tickets", wait)
    })
}

/// Issues a ticket of a group (the kiosk): refused when the group is closed or outside its
/// opening hours (or not a working day).
pub async fn issue(ctx: &AppContext, group_id: &str) -> Result<TicketView, AppError> {
    let (id, now) = (group_id.to_string(), ctx.clock.now_ms());
    let g = ctx.store.read(move |db| repo::group_by_id(db, &id)).await?.ok_or(AppError::NotFound { what: "group" })?;
    if !g.is_open {
        return Err(group_closed());
    }
    if !open_now(ctx, &g, now) {
        return Err(outside_hours());
    }
    let t = ctx
        .store
        .write(move |db| {
            let t = new_ticket(db, &g, now, None)?;
            ticket_view(db, &t)
        })
        .await?;
    changed(ctx, &t.centre.id);
    Ok(t)
}

/// The holder's view of a ticket: 404 unless the token matches.
pub async fn follow(ctx: &AppContext, id: &str, token: &str) -> Result<TicketView, AppError> {
    let (id, token) = (id.to_string(), token.to_string());
    ctx.store
        .read(move |db| {
            let t = repo::ticket_by_id(db, &id)?.filter(|t| crate::auth::tokens_match(&t.token, &token));
            let t = t.ok_or(AppError::NotFound { what: "ticket" })?;
            ticket_view(db, &t)
        })
        .await
}

/// The holder of a served ticket (its follow link's token) rates the visit, once (issue
/// #18): the rating belongs to the visit, its counter and officer, and is answered on the
/// citizen's phone or the kiosk, never through the officer's session.
pub async fn rate_visit(
    ctx: &AppContext,
    id: &str,
    token: &str,
    answers: super::ratings::Answers,
) -> Result<TicketView, AppError> {
    let (id, token) = (id.to_string(), token.to_string());
    let (t, counter) = ctx
        .store
        .read(move |db| {
            let t = repo::ticket_by_id(db, &id)?.filter(|t| crate::auth::tokens_match(&t.token, &token));
            let t = t.ok_or(AppError::NotFound { what: "ticket" })?;
            let counter = match &t.counter {
                Some(c) => repo::counter_by_id(db, c)?.map(|c| c.number),
                None => None,
            };
            Ok::<_, AppError>((t, counter))
        })
        .await?;
    q::apply(Action::Rate, TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Waiting)).map_err(not_allowed)?;
    let visit = super::ratings::VisitRef {
        ticket_id: t.id.clone(),
        agency_id: t.agency_id.clone(),
        counter,
        officer_id: t.officer_id.clone(),
    };
    super::ratings::rate_visit(ctx, visit, answers).await?;
    follow(ctx, &t.id, &t.token).await
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub centre: CentreRef,
    /// Last called first: numbers and counters only.
    pub lines: Vec<BoardLineDto>,
    pub waiting: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardLineDto {
    pub number: String,
    pub counter: String,
    pub serving: bool,
    /// Changes at every call and recall (the board announces again).
    pub call_key: String,
}

/// The hall board of a centre: called numbers and their counters, nothing else.
pub async fn board(ctx: &AppContext, centre_id: &str) -> Result<Board, AppError> {
    let (id, now) = (centre_id.to_string(), ctx.clock.now_ms());
    let (c, lines, waiting) = ctx
        .store
        .read(move |db| {
            let c = centre(db, &id)?;
            let day = day_key(now);
            let lines = repo::board(db, &c.id, &day, BOARD_LINES)?;
            let waiting = repo::waiting_counts(db, &c.id, &day)?.iter().map(|(_, n)| n).sum();
            Ok::<_, AppError>((c, lines, waiting))
        })
        .await?;
    Ok(Board {
        centre: (&c).into(),
        lines: lines
            .into_iter()
            .map(|l| BoardLineDto {
                call_key: format!("{}-{}-{}", l.number, l.called_at, l.calls),
                number: l.number,
                counter: l.counter,
                serving: l.status == "serving",
            })
            .collect(),
        waiting,
    })
}

// ---------------------------------------------------------------------------------------
// Changes announced to the boards (in this process; the pages crate relays them between
// processes over PostgreSQL NOTIFY).
// ---------------------------------------------------------------------------------------

type Listener = Box<dyn Fn(&str) + Send + Sync>;

/// The functions told the centre id of every queue change of one context (`AppContext::
/// queue_changes`). Per context, not per process: two apps in one process (the tests) do
/// not hear each other, and a listener lives no longer than its context.
#[derive(Default)]
pub struct Changes(std::sync::RwLock<Vec<Listener>>);

impl Changes {
    /// Registers a function told the centre id of every queue change (the board's hub).
    pub fn on_change(&self, f: impl Fn(&str) + Send + Sync + 'static) {
        self.0.write().unwrap_or_else(|e| e.into_inner()).push(Box::new(f));
    }

    fn changed(&self, centre_id: &str) {
        for f in self.0.read().unwrap_or_else(|e| e.into_inner()).iter() {
            f(centre_id);
        }
    }
}

/// Tells the context's listeners that a centre's queue changed.
fn changed(ctx: &AppContext, centre_id: &str) {
    ctx.queue_changes.changed(centre_id);
}

// ---------------------------------------------------------------------------------------
// Appointments.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slot {
    /// `HH:MM` local.
    pub time: String,
    pub start_ms: i64,
    pub remaining: i64,
    /// Already started or past (cannot be booked).
    pub past: bool,
}

fn slot_starts(ctx: &AppContext, g: &GroupRow, day: jiff::civil::Date) -> Result<Vec<(String, i64)>, AppError> {
    if !ctx.calendars.for_agency(Some(&g.agency_id)).is_working_day(day)? {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for t in hours(g).slots(day.weekday(), g.slot_minutes) {
        let start = at_local(day, t)?.as_millisecond();
        out.push((format!("{:02}:{:02}", t.hour(), t.minute()), start));
    }
    Ok(out)
}

fn parse_day(s: &str) -> Result<jiff::civil::Date, AppError> {
    Ok(super::parse_date("date", s)?)
}

/// The slots of a group on a day with their remaining places.
pub async fn slots(ctx: &AppContext, group_id: &str, date: &str) -> Result<(GroupRow, Vec<Slot>), AppError> {
    let day = parse_day(date)?;
    let (id, now) = (group_id.to_string(), ctx.clock.now_ms());
    let g = ctx.store.read(move |db| repo::group_by_id(db, &id)).await?.ok_or(AppError::NotFound { what: "group" })?;
    let starts = slot_starts(ctx, &g, day)?;
    let (gid, from, to) = (g.id.clone(), starts.first().map_or(0, |s| s.1), starts.last().map_or(0, |s| s.1 + 1));
    let booked = ctx.store.read(move |db| repo::booked(db, &gid, from, to)).await?;
    let slots = starts
        .into_iter()
        .map(|(time, start)| {
            let b = booked.iter().find(|(s, _)| *s == start).map_or(0, |(_, n)| *n);
            Slot { time, start_ms: start, remaining: (g.slot_capacity - b).max(0), past: start <= now }
        })
        .collect();
    Ok((g, slots))
}

/// What a citizen books.
#[derive(Debug, Clone)]
pub struct Booking {
    pub group_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, one of the day's slots.
    pub time: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppointmentView {
    pub id: String,
    pub code: String,
    pub status: String,
    pub centre: CentreRef,
    pub group_id: String,
    pub group_name: String,
    pub slot_start: i64,
    /// `HH:MM dd/mm/yyyy`.
    pub slot_text: String,
}

fn appointment_view(db: &mut Db, a: &AppointmentRow) -> Result<AppointmentView, AppError> {
    let c = agencies::get(db, &a.agency_id)?;
    let g = repo::group_by_id(db, &a.group_id)?;
    Ok(AppointmentView {
        id: a.id.clone(),
        code: a.code.clone(),
        status: a.status.clone(),
        centre: (&c).into(),
        group_id: a.group_id.clone(),
        group_name: g.map(|g| g.name).unwrap_or_default(),
        slot_start: a.slot_start,
        slot_text: crate::error::hanoi_time(a.slot_start),
    })
}

fn citizen(current: &CurrentUser) -> Result<(), AppError> {
    if current.principal.account == motcua_domain::user::AccountType::Citizen { Ok(()) } else { Err(AppError::Forbidden) }
}

/// An appointment code: 8 characters a person can read out (no 0/O, 1/I).
fn appointment_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let raw = crate::auth::random_token();
    raw.as_bytes().chunks(2).take(8).map(|c| ALPHABET[usize::from(c[0] ^ c[1]) % ALPHABET.len()] as char).collect()
}

/// The outbox notice key of the reminder.
pub const REMINDER: &str = "appointment_reminder";

/// Books a slot for the signed-in citizen: refused in the past, outside the group's slots,
/// or when the slot is full (the place is taken in the same transaction as the booking).
/// A reminder e-mail is queued for 08:00 the day before (or now when that has passed).
pub async fn book(ctx: &AppContext, current: &CurrentUser, b: Booking) -> Result<AppointmentView, AppError> {
    citizen(current)?;
    let (g, slots) = slots(ctx, &b.group_id, &b.date).await?;
    if !g.is_open {
        return Err(group_closed());
    }
    let Some(slot) = slots.iter().find(|s| s.time == b.time.trim()) else {
        return Err(ValidationError::single(
            "time",
            "invalid_slot",
            "Khung giờ không có trong lịch hẹn của nhóm dịch vụ ngày này.",
            "No such slot for this group on this day.",
        )
        .into());
    };
    if slot.past {
        return Err(refused(422, "slot_in_past", "Không thể đặt lịch vào khung giờ đã qua.", "This slot has already started."));
    }
    let (now, user, start, cap) = (ctx.clock.now_ms(), current.user.clone(), slot.start_ms, g.slot_capacity);
    let out = ctx
        .store
        .write(move |db| {
            if !repo::take_place(db, &g.id, start, cap)? {
                return Err(refused(409, "slot_full", "Khung giờ này đã đủ số lượt hẹn.", "This slot is fully booked."));
            }
            let a = AppointmentRow {
                id: motcua_store::repo::new_id(),
                agency_id: g.agency_id.clone(),
                group_id: g.id.clone(),
                slot_start: start,
                user_id: user.id.clone(),
                code: appointment_code(),
                status: "booked".into(),
                created_at: now,
                ticket_id: None,
            };
            repo::insert_appointment(db, &a)?;
            let v = appointment_view(db, &a)?;
            if let Some(email) = user.email.clone().filter(|e| !e.is_empty()) {
                let day_before = local_date_ms(start).yesterday().map_err(|e| AppError::Internal(e.to_string()))?;
                let due = at_local(day_before, jiff::civil::time(8, 0, 0, 0))?.as_millisecond();
                let text = format!(
                    "Nhắc lịch hẹn tại {}: nhóm «{}», lúc {}. Mã lịch hẹn: {} (nhập tại máy lấy số để nhận số thứ tự ưu tiên).",
                    v.centre.name, v.group_name, v.slot_text, v.code
                );
                crate::notify::queue_citizen_email(
                    db,
                    &a.id,
                    REMINDER,
                    &user.id,
                    &email,
                    &format!("Nhắc lịch hẹn {} lúc {}", v.code, v.slot_text),
                    &text,
                    now,
                    due,
                )?;
            }
            Ok(v)
        })
        .await?;
    Ok(out)
}

/// The citizen's appointments.
pub async fn my_appointments(ctx: &AppContext, current: &CurrentUser) -> Result<Vec<AppointmentView>, AppError> {
    citizen(current)?;
    let u = current.user.id.clone();
    ctx.store
        .read(move |db| {
            let rows = repo::appointments_of(db, &u)?;
            rows.iter().map(|a| appointment_view(db, a)).collect::<Result<Vec<_>, _>>()
        })
        .await
}

/// Cancels the citizen's own booked appointment (404 for someone else's); the reminder not
/// sent yet is not sent.
pub async fn cancel(ctx: &AppContext, current: &CurrentUser, id: &str) -> Result<(), AppError> {
    citizen(current)?;
    let (id, u, now) = (id.to_string(), current.user.id.clone(), ctx.clock.now_ms());
    ctx.store
        .write(move |db| {
            let a =
                repo::appointment_by_id(db, &id)?.filter(|a| a.user_id == u).ok_or(AppError::NotFound { what: "appointment" })?;
            if repo::set_appointment(db, &a.id, "booked", "cancelled", None)? == 0 {
                return Err(refused(
                    409,
                    "appointment_not_booked",
                    "Lịch hẹn đã được hủy hoặc đã sử dụng.",
                    "The appointment was already cancelled or used.",
                ));
            }
            repo::give_place(db, &a.group_id, a.slot_start)?;
            crate::notify::cancel_citizen_email(db, &a.id, REMINDER, now)?;
            Ok(())
        })
        .await
}

/// Checks an appointment in at the kiosk: a ticket of its group placed by its slot. Allowed
/// from an hour before the slot to the slot's end; once.
pub async fn check_in(ctx: &AppContext, code: &str) -> Result<TicketView, AppError> {
    let (code, now) = (code.trim().to_ascii_uppercase(), ctx.clock.now_ms());
    let bad_code = || {
        AppError::Validation(ValidationError::single(
            "code",
            "unknown_appointment",
            "Mã lịch hẹn không đúng hoặc đã được sử dụng.",
            "Unknown or used appointment code.",
        ))
    };
    let c2 = code.clone();
    let (a, g) = ctx
        .store
        .read(move |db| {
            let a = repo::appointment_by_code(db, &c2)?;
            let g = match &a {
                Some(a) => repo::group_by_id(db, &a.group_id)?,
                None => None,
            };
            Ok::<_, AppError>((a, g))
        })
        .await?;
    let (Some(a), Some(g)) = (a, g) else { return Err(bad_code()) };
    if a.status != "booked" {
        return Err(bad_code());
    }
    let end = a.slot_start + g.slot_minutes * 60_000;
    if now < a.slot_start - 3_600_000 || now >= end {
        return Err(refused(
            409,
            "not_in_slot",
            "Chưa đến giờ hoặc đã quá khung giờ hẹn: vui lòng lấy số thường.",
            "Too early or past the appointment's slot: take a regular ticket.",
        ));
    }
    let t = ctx
        .store
        .write(move |db| {
            let t = new_ticket(db, &g, now, Some(&a))?;
            if repo::set_appointment(db, &a.id, "booked", "checked_in", Some(&t.id))? == 0 {
                return Err(bad_code());
            }
            ticket_view(db, &t)
        })
        .await?;
    changed(ctx, &t.centre.id);
    Ok(t)
}

// ---------------------------------------------------------------------------------------
// The counter: call next, recall, skip, transfer, start, finish, link.
// ---------------------------------------------------------------------------------------

/// What the counter page shows an officer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Desk {
    pub centre: CentreRef,
    pub counters: Vec<CounterView>,
    pub groups: Vec<GroupView>,
    /// The officer's ticket at hand.
    pub current: Option<TicketView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterView {
    pub id: String,
    pub number: String,
    pub name: String,
    pub group_ids: Vec<String>,
    pub is_open: bool,
}

impl From<&CounterRow> for CounterView {
    fn from(c: &CounterRow) -> Self {
        Self { id: c.id.clone(), number: c.number.clone(), name: c.name.clone(), group_ids: c.group_list(), is_open: c.is_open }
    }
}

/// The officer's desk at a centre (none = the first centre they serve).
pub async fn desk(ctx: &AppContext, current: &CurrentUser, centre_id: Option<&str>) -> Result<Desk, AppError> {
    let (cur, want, now) = (current.clone(), centre_id.map(str::to_string), ctx.clock.now_ms());
    let (c, counters, groups, waiting, mine) = ctx
        .store
        .read(move |db| {
            let served = centres_served(db, &cur)?;
            let c = match want {
                Some(w) => {
                    let c = centre(db, &w)?;
                    require(&cur, Permission::ServeQueue, &c)?;
                    c
                }
                None => served.into_iter().next().ok_or(AppError::Forbidden)?,
            };
            let counters = repo::counters(db, &c.id)?;
            let groups = repo::groups(db, &c.id)?;
            let waiting = repo::waiting_counts(db, &c.id, &day_key(now))?;
            let mine = match repo::current_of(db, &cur.user.id)? {
                Some(t) if t.agency_id == c.id => Some(ticket_view(db, &t)?),
                _ => None,
            };
            Ok::<_, AppError>((c, counters, groups, waiting, mine))
        })
        .await?;
    let w = |g: &str| waiting.iter().find(|(x, _)| x == g).map_or(0, |(_, n)| *n);
    Ok(Desk {
        centre: (&c).into(),
        counters: counters.iter().map(Into::into).collect(),
        groups: groups.iter().map(|g| group_view(ctx, g, w(&g.id), now)).collect(),
        current: mine,
    })
}

fn not_allowed(e: q::NotAllowed) -> AppError {
    let f = q::not_allowed_error(e);
    AppError::Refused { http: 409, code: f.code, vi: f.message_vi, en: f.message_en }
}

/// Loads a counter the officer serves.
fn my_counter(db: &mut Db, current: &CurrentUser, counter_id: &str) -> Result<(CounterRow, AgencyRecord), AppError> {
    let c = repo::counter_by_id(db, counter_id)?.ok_or(AppError::NotFound { what: "counter" })?;
    let centre = agencies::get(db, &c.agency_id)?;
    if !may(current, Permission::ServeQueue, &centre.path) {
        // Another centre's counter is not even named to them.
        return Err(AppError::NotFound { what: "counter" });
    }
    Ok((c, centre))
}

/// Calls the next ticket to a counter: the first of the domain's call order among the
/// counter's groups (and tickets sent to it) that this transaction manages to claim. A
/// counter with a ticket called or being served must finish it first.
pub async fn call_next(ctx: &AppContext, current: &CurrentUser, counter_id: &str) -> Result<TicketView, AppError> {
    let (cur, cid, now) = (current.clone(), counter_id.to_string(), ctx.clock.now_ms());
    let t = ctx
        .store
        .write(move |db| {
            let (c, _) = my_counter(db, &cur, &cid)?;
            if !c.is_open {
                return Err(counter_closed());
            }
            // Serializes the calls of one counter (a row lock on PostgreSQL; SQLite has one
            // writer): the busy check below then sees the other call's ticket.
            repo::lock_counter(db, &cid)?;
            if repo::busy(db, &cid)? > 0 {
                return Err(refused(
                    409,
                    "counter_busy",
                    "Quầy đang có số được gọi hoặc đang phục vụ: hãy hoàn thành, chuyển hoặc báo vắng trước.",
                    "The counter has a ticket called or in service: finish, transfer or skip it first.",
                ));
            }
            let rows = repo::line(db, &c.agency_id, &c.group_list(), &c.id)?;
            let mut line: Vec<InLine> =
                rows.iter().map(|t| InLine { id: t.id.clone(), issued_at: t.issued_at, slot_start: t.slot_start }).collect();
            q::call_order(&mut line, now);
            for l in &line {
                // Another counter may have claimed it since the read: try the next one.
                if repo::call(db, &l.id, &c.id, &cur.user.id, now)? == 1 {
                    let t = repo::ticket_by_id(db, &l.id)?.ok_or(AppError::NotFound { what: "ticket" })?;
                    return ticket_view(db, &t);
                }
            }
            Err(refused(404, "queue_empty", "Không còn ai đang chờ ở quầy này.", "Nobody is waiting for this counter."))
        })
        .await?;
    changed(ctx, &t.centre.id);
    Ok(t)
}

fn counter_closed() -> AppError {
    refused(409, "counter_closed", "Quầy này đang đóng.", "This counter is closed.")
}

/// What an officer does to a ticket at hand.
#[derive(Debug, Clone)]
pub enum Act {
    Recall,
    Skip,
    Start,
    Finish,
    /// To another group (any counter of it) or to a counter.
    Transfer {
        group_id: Option<String>,
        counter_id: Option<String>,
    },
}

impl Act {
    fn action(&self) -> Action {
        match self {
            Act::Recall => Action::Recall,
            Act::Skip => Action::Skip,
            Act::Start => Action::Start,
            Act::Finish => Action::Finish,
            Act::Transfer { .. } => Action::Transfer,
        }
    }
}

/// A ticket of a centre the officer serves (404 otherwise: not even its existence).
fn my_ticket(db: &mut Db, current: &CurrentUser, id: &str) -> Result<TicketRow, AppError> {
    let t = repo::ticket_by_id(db, id)?.ok_or(AppError::NotFound { what: "ticket" })?;
    let c = agencies::get(db, &t.agency_id)?;
    if !may(current, Permission::ServeQueue, &c.path) {
        return Err(AppError::NotFound { what: "ticket" });
    }
    Ok(t)
}

/// Applies an officer's action to a ticket of their centre. The status check is the
/// domain table's; the write is conditional on it, so a concurrent action is refused.
pub async fn act(ctx: &AppContext, current: &CurrentUser, ticket_id: &str, act: Act) -> Result<TicketView, AppError> {
    let (cur, id, now) = (current.clone(), ticket_id.to_string(), ctx.clock.now_ms());
    let t = ctx
        .store
        .write(move |db| {
            let t = my_ticket(db, &cur, &id)?;
            let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Done);
            let action = act.action();
            let to = q::apply(action, status).map_err(not_allowed)?;
            let from: Vec<&str> = q::allowed_in(action).iter().map(|s| s.code()).collect();
            let n = match &act {
                Act::Recall => repo::set_status(db, &t.id, &from, to.code(), Some("called_at"), now)?,
                Act::Skip => repo::set_status(db, &t.id, &from, to.code(), Some("finished_at"), now)?,
                Act::Start => repo::set_status(db, &t.id, &from, to.code(), Some("started_at"), now)?,
                Act::Finish => repo::set_status(db, &t.id, &from, to.code(), Some("finished_at"), now)?,
                Act::Transfer { group_id, counter_id } => {
                    let (group, counter) = transfer_target(db, &t, group_id.as_deref(), counter_id.as_deref())?;
                    repo::transfer(db, &t.id, &group, counter.as_deref())?
                }
            };
            if n == 0 {
                // A concurrent action moved it first.
                let now_status = repo::ticket_by_id(db, &t.id)?.and_then(|t| TicketStatus::parse(&t.status));
                return Err(not_allowed(q::NotAllowed { action, status: now_status.unwrap_or(status) }));
            }
            let t = repo::ticket_by_id(db, &t.id)?.ok_or(AppError::NotFound { what: "ticket" })?;
            ticket_view(db, &t)
        })
        .await?;
    changed(ctx, &t.centre.id);
    Ok(t)
}

/// Where a transfer goes: a group of the same centre (open) or an open counter of it.
fn transfer_target(
    db: &mut Db,
    t: &TicketRow,
    group_id: Option<&str>,
    counter_id: Option<&str>,
) -> Result<(String, Option<String>), AppError> {
    let missing = || {
        AppError::Validation(ValidationError::single(
            "target",
            "transfer_target_required",
            "Chọn nhóm dịch vụ hoặc quầy nhận chuyển.",
            "Choose the group or counter to transfer to.",
        ))
    };
    if let Some(cid) = counter_id.filter(|s| !s.is_empty()) {
        let c = repo::counter_by_id(db, cid)?.filter(|c| c.agency_id == t.agency_id).ok_or_else(missing)?;
        if !c.is_open {
            return Err(counter_closed());
        }
        if Some(c.id.as_str()) == t.counter.as_deref() {
            return Err(refused(
                409,
                "same_counter",
                "Không thể chuyển về chính quầy này.",
                "Cannot transfer to the same counter.",
            ));
        }
        let g = group_id.filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| t.group_id.clone());
        return Ok((g, Some(c.id)));
    }
    let gid = group_id.filter(|s| !s.is_empty()).ok_or_else(missing)?;
    let g = repo::group_by_id(db, gid)?.filter(|g| g.agency_id == t.agency_id).ok_or_else(missing)?;
    if !g.is_open {
        return Err(group_closed());
    }
    Ok((g.id, None))
}

/// Links a dossier to a ticket being served (or just finished) by the officer's centre.
pub async fn link(ctx: &AppContext, current: &CurrentUser, ticket_id: &str, dossier_id: &str) -> Result<TicketView, AppError> {
    let (cur, id, did, now) = (current.clone(), ticket_id.to_string(), dossier_id.to_string(), ctx.clock.now_ms());
    ctx.store
        .write(move |db| {
            let t = my_ticket(db, &cur, &id)?;
            let status = TicketStatus::parse(&t.status).unwrap_or(TicketStatus::Waiting);
            q::apply(Action::LinkDossier, status).map_err(not_allowed)?;
            let d = motcua_store::repo::dossiers::get(db, &did)?.ok_or(AppError::NotFound { what: "dossier" })?;
            repo::link_dossier(db, &t.id, &d.id, d.code.as_deref(), now)?;
            ticket_view(db, &t)
        })
        .await
}

/// The reception's hook (in the `received` event's transaction): the dossier received by
/// an officer who is serving a ticket is linked to it.
pub fn link_received(db: &mut Db, officer_id: &str, dossier_id: &str, code: Option<&str>, at: i64) -> Result<(), AppError> {
    if let Some(t) = repo::serving_of(db, officer_id)? {
        repo::link_dossier(db, &t.id, dossier_id, code, at)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Set-up: groups and counters (administrators of the centre).
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
pub struct GroupInput {
    /// None = a new group.
    pub id: Option<String>,
    pub centre: String,
    pub prefix: String,
    pub name: String,
    pub procedures: String,
    pub sectors: String,
    pub days: String,
    pub sessions: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub is_open: bool,
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Validation(ValidationError::single(field, code, vi, en))
}

/// Validates and stores a group (`None` actor = the seed).
pub fn save_group_in(db: &mut Db, actor: Option<&CurrentUser>, x: GroupInput, now: i64) -> Result<GroupRow, AppError> {
    let c = centre(db, &x.centre)?;
    if let Some(a) = actor {
        require(a, Permission::ManageQueue, &c)?;
    }
    q::check_prefix(&x.prefix)?;
    let h = OpeningHours::parse(&x.days, &x.sessions)?;
    let name = motcua_domain::text::clean(&x.name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(invalid("name", "invalid_name", "Tên nhóm dịch vụ từ 1 đến 200 ký tự.", "The name is 1 to 200 characters."));
    }
    if !(5..=240).contains(&x.slot_minutes) || !(0..=500).contains(&x.slot_capacity) {
        return Err(invalid(
            "slot_minutes",
            "invalid_slots",
            "Khung giờ hẹn từ 5 đến 240 phút, sức chứa từ 0 đến 500 lượt.",
            "Slots are 5 to 240 minutes, capacity 0 to 500.",
        ));
    }
    let id = match x.id {
        Some(id) => {
            let old = repo::group_by_id(db, &id)?.filter(|g| g.agency_id == c.id).ok_or(AppError::NotFound { what: "group" })?;
            old.id
        }
        None => motcua_store::repo::new_id(),
    };
    let clip = |s: &str| split(s).join(",").chars().take(2000).collect::<String>();
    let g = GroupRow {
        id,
        agency_id: c.id.clone(),
        prefix: x.prefix,
        name,
        procedures: clip(&x.procedures),
        sectors: clip(&x.sectors),
        days: h.days_text(),
        sessions: h.sessions_text(),
        slot_minutes: x.slot_minutes,
        slot_capacity: x.slot_capacity,
        is_open: x.is_open,
        updated_at: now,
    };
    repo::upsert_group(db, &g).map_err(|e| match e {
        motcua_store::StoreError::Unique { constraint } if constraint == repo::PREFIX_TAKEN => {
            invalid("prefix", "prefix_taken", "Tiền tố này đã dùng cho nhóm khác của trung tâm.", "This prefix is already used.")
        }
        other => other.into(),
    })?;
    Ok(g)
}

pub async fn save_group(ctx: &AppContext, current: &CurrentUser, x: GroupInput) -> Result<GroupRow, AppError> {
    let (cur, now) = (current.clone(), ctx.clock.now_ms());
    ctx.store.write(move |db| save_group_in(db, Some(&cur), x, now)).await
}

#[derive(Debug, Clone, Default)]
pub struct CounterInput {
    pub id: Option<String>,
    pub centre: String,
    pub number: String,
    pub name: String,
    pub group_ids: Vec<String>,
    pub is_open: bool,
}

pub fn save_counter_in(db: &mut Db, actor: Option<&CurrentUser>, x: CounterInput, now: i64) -> Result<CounterRow, AppError> {
    let c = centre(db, &x.centre)?;
    if let Some(a) = actor {
        require(a, Permission::ManageQueue, &c)?;
    }
    let number = motcua_domain::text::clean(&x.number);
    if number.is_empty() || number.chars().count() > 10 {
        return Err(invalid(
            "number",
            "invalid_number",
            "Số quầy từ 1 đến 10 ký tự.",
            "The counter number is 1 to 10 characters.",
        ));
    }
    let groups = repo::groups(db, &c.id)?;
    if x.group_ids.is_empty() || !x.group_ids.iter().all(|g| groups.iter().any(|x| &x.id == g)) {
        return Err(invalid(
            "group_ids",
            "invalid_groups",
            "Chọn ít nhất một nhóm dịch vụ của trung tâm.",
            "Choose at least one group of the centre.",
        ));
    }
    let id = match x.id {
        Some(id) => {
            repo::counter_by_id(db, &id)?.filter(|k| k.agency_id == c.id).ok_or(AppError::NotFound { what: "counter" })?.id
        }
        None => motcua_store::repo::new_id(),
    };
    let name = motcua_domain::text::clean(&x.name).chars().take(200).collect::<String>();
    let row = CounterRow {
        id,
        agency_id: c.id.clone(),
        number: number.clone(),
        name: if name.is_empty() { format!("Quầy {number}") } else { name },
        group_ids: x.group_ids.join(","),
        is_open: x.is_open,
        updated_at: now,
    };
    repo::upsert_counter(db, &row).map_err(|e| match e {
        motcua_store::StoreError::Unique { constraint } if constraint == repo::COUNTER_TAKEN => {
            invalid("number", "counter_number_taken", "Số quầy này đã có ở trung tâm.", "This counter number is already used.")
        }
        other => other.into(),
    })?;
    Ok(row)
}

pub async fn save_counter(ctx: &AppContext, current: &CurrentUser, x: CounterInput) -> Result<CounterRow, AppError> {
    let (cur, now) = (current.clone(), ctx.clock.now_ms());
    ctx.store.write(move |db| save_counter_in(db, Some(&cur), x, now)).await
}

// ---------------------------------------------------------------------------------------
// Figures.
// ---------------------------------------------------------------------------------------

/// Figures of one slice (a counter, an officer, a group, an hour, or all).
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Stat {
    pub key: String,
    pub label: String,
    pub tickets: i64,
    pub called: i64,
    pub served: i64,
    pub no_show: i64,
    pub appointments: i64,
    /// Seconds from issue to first call.
    pub wait_p50: Option<i64>,
    pub wait_p90: Option<i64>,
    /// Seconds from start to finish.
    pub service_p50: Option<i64>,
    pub service_p90: Option<i64>,
    /// Percent of called tickets that did not come (one decimal).
    pub no_show_rate: Option<f64>,
    /// Percent of tickets from appointments (one decimal).
    pub appointment_share: Option<f64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub centre: CentreRef,
    pub from: String,
    pub to: String,
    pub total: Stat,
    pub by_group: Vec<Stat>,
    pub by_counter: Vec<Stat>,
    pub by_officer: Vec<Stat>,
    pub by_hour: Vec<Stat>,
    /// How long reading and computing took (ms).
    pub took_ms: i64,
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

fn pct(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| (n as f64 * 1000.0 / d as f64).round() / 10.0)
}

fn stat(key: String, label: String, rows: &[&TicketRow]) -> Stat {
    let mut waits: Vec<i64> = rows.iter().filter_map(|t| t.called_at.map(|c| (c - t.issued_at) / 1000)).collect();
    let mut service: Vec<i64> = rows
        .iter()
        .filter_map(|t| match (t.started_at, t.finished_at) {
            (Some(s), Some(f)) if t.status == "done" => Some((f - s) / 1000),
            _ => None,
        })
        .collect();
    waits.sort_unstable();
    service.sort_unstable();
    let tickets = rows.len() as i64;
    let called = rows.iter().filter(|t| t.called_at.is_some()).count() as i64;
    let no_show = rows.iter().filter(|t| t.status == "no_show").count() as i64;
    let appointments = rows.iter().filter(|t| t.appointment_id.is_some()).count() as i64;
    Stat {
        key,
        label,
        tickets,
        called,
        served: service.len() as i64,
        no_show,
        appointments,
        wait_p50: percentile(&waits, 50),
        wait_p90: percentile(&waits, 90),
        service_p50: percentile(&service, 50),
        service_p90: percentile(&service, 90),
        no_show_rate: pct(no_show, called),
        appointment_share: pct(appointments, tickets),
    }
}

fn by<'a>(
    rows: &'a [(TicketRow, Option<String>)],
    key: impl Fn(&'a TicketRow, &'a Option<String>) -> Option<String>,
) -> std::collections::BTreeMap<String, Vec<&'a TicketRow>> {
    let mut m: std::collections::BTreeMap<String, Vec<&TicketRow>> = Default::default();
    for (t, c) in rows {
        if let Some(k) = key(t, c) {
            m.entry(k).or_default().push(t);
        }
    }
    m
}

/// Computes the figures of tickets (pure; the generator and the page use it).
pub fn compute(
    rows: &[(TicketRow, Option<String>)],
    group_names: &[(String, String)],
    officer_names: &[(String, String)],
) -> (Stat, Vec<Stat>, Vec<Stat>, Vec<Stat>, Vec<Stat>) {
    let all: Vec<&TicketRow> = rows.iter().map(|(t, _)| t).collect();
    let name =
        |list: &[(String, String)], k: &str| list.iter().find(|(i, _)| i == k).map_or_else(|| k.to_string(), |(_, n)| n.clone());
    let total = stat("all".into(), "Toàn trung tâm".into(), &all);
    let groups =
        by(rows, |t, _| Some(t.group_id.clone())).into_iter().map(|(k, v)| stat(k.clone(), name(group_names, &k), &v)).collect();
    let counters = by(rows, |_, c| c.clone()).into_iter().map(|(k, v)| stat(k.clone(), format!("Quầy {k}"), &v)).collect();
    let officers =
        by(rows, |t, _| t.officer_id.clone()).into_iter().map(|(k, v)| stat(k.clone(), name(officer_names, &k), &v)).collect();
    let hours = by(rows, |t, _| {
        let l = local_datetime(ts(t.issued_at));
        Some(format!("{:02}", l.hour()))
    })
    .into_iter()
    .map(|(k, v)| stat(k.clone(), format!("{k}:00–{k}:59"), &v))
    .collect();
    (total, groups, counters, officers, hours)
}

/// Most days one figures request covers.
pub const FIGURES_MAX_DAYS: i64 = 92;

/// The figures of a centre over `from..=to` (local days): leaders, supervisors and
/// administrators whose scope holds the centre.
pub async fn figures(
    ctx: &AppContext,
    current: &CurrentUser,
    centre_id: &str,
    from: &str,
    to: &str,
) -> Result<Figures, AppError> {
    let (f, t) = (parse_day(from)?, parse_day(to)?);
    if t < f || (t - f).get_days() as i64 >= FIGURES_MAX_DAYS {
        return Err(invalid(
            "to",
            "invalid_period",
            "Khoảng thời gian không hợp lệ (tối đa 92 ngày).",
            "Invalid period (at most 92 days).",
        ));
    }
    let started = std::time::Instant::now();
    let (cur, id) = (current.clone(), centre_id.to_string());
    let (fs, ts_) = (f.to_string(), t.to_string());
    let (c, rows, groups, officers) = ctx
        .store
        .read(move |db| {
            let c = centre(db, &id)?;
            require(&cur, Permission::ViewIndicators, &c)?;
            let rows = repo::of_days(db, &c.id, &fs, &ts_)?;
            let groups: Vec<(String, String)> =
                repo::groups(db, &c.id)?.into_iter().map(|g| (g.id, format!("{} – {}", g.prefix, g.name))).collect();
            let mut officers = Vec::new();
            let mut ids: Vec<&String> = rows.iter().filter_map(|(t, _)| t.officer_id.as_ref()).collect();
            ids.sort();
            ids.dedup();
            for id in ids.into_iter().take(200) {
                if let Ok(u) = motcua_store::repo::users::get(db, id) {
                    officers.push((u.id, u.full_name));
                }
            }
            Ok::<_, AppError>((c, rows, groups, officers))
        })
        .await?;
    let (total, by_group, by_counter, by_officer, by_hour) = compute(&rows, &groups, &officers);
    Ok(Figures {
        centre: (&c).into(),
        from: f.to_string(),
        to: t.to_string(),
        total,
        by_group,
        by_counter,
        by_officer,
        by_hour,
        took_ms: started.elapsed().as_millis() as i64,
    })
}

/// The local time zone's name (for the docs and pages).
pub fn zone() -> String {
    vn_time_zone().iana_name().unwrap_or("Asia/Ho_Chi_Minh").to_string()
}

/// The follow link of a ticket (its QR code): the public ticket page with its token.
pub fn follow_url(ctx: &AppContext, t: &TicketView) -> String {
    format!("{}/xep-hang/ve/{}?t={}", ctx.config.public_url(), t.id, t.token)
}

/// The QR code of the follow link as an SVG data URI (an `<img>` the CSP allows).
pub fn follow_qr(ctx: &AppContext, t: &TicketView) -> String {
    match motcua_pdf::qr_svg(&follow_url(ctx, t)) {
        Ok(svg) => {
            use base64::Engine;
            format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg))
        }
        Err(e) => {
            tracing::warn!(error = %e, "ticket QR not drawn");
            String::new()
        }
    }
}

/// The figures as a table (CSV export): one row per slice.
pub fn figures_table(f: &Figures) -> motcua_documents::export::Table {
    use motcua_documents::export::{Cell, Table};
    let opt = |v: Option<i64>| v.map_or(Cell::Empty, Cell::Int);
    let optf = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let mut rows = Vec::new();
    let slices: [(&str, &[Stat]); 5] = [
        ("Toàn trung tâm", std::slice::from_ref(&f.total)),
        ("Nhóm dịch vụ", &f.by_group),
        ("Quầy", &f.by_counter),
        ("Cán bộ", &f.by_officer),
        ("Giờ lấy số", &f.by_hour),
    ];
    for (kind, list) in slices {
        for s in list {
            rows.push(vec![
                Cell::text(kind),
                Cell::text(s.label.clone()),
                Cell::Int(s.tickets),
                Cell::Int(s.called),
                Cell::Int(s.served),
                Cell::Int(s.no_show),
                Cell::Int(s.appointments),
                opt(s.wait_p50),
                opt(s.wait_p90),
                opt(s.service_p50),
                opt(s.service_p90),
                optf(s.no_show_rate),
                optf(s.appointment_share),
            ]);
        }
    }
    Table {
        title: format!("Xếp hàng {} {}–{}", f.centre.code, f.from, f.to),
        headers: [
            "Phân loại",
            "Mục",
            "Số phiếu",
            "Đã gọi",
            "Đã phục vụ",
            "Vắng mặt",
            "Đặt lịch",
            "Chờ p50 (giây)",
            "Chờ p90 (giây)",
            "Phục vụ p50 (giây)",
            "Phục vụ p90 (giây)",
            "Tỷ lệ vắng (%)",
            "Tỷ lệ đặt lịch (%)",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}
