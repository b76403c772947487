//! The counter hall's pages (issue #18, `docs/queue.md`): the kiosk (`/xep-hang`), the
//! ticket as printed and followed by phone (`/xep-hang/ve/{id}?t=`), the hall board
//! (`/xep-hang/bang`, live over server-sent events), the officer's counter
//! (`/can-bo/xep-hang`), the citizen's appointments (`/ca-nhan/lich-hen`) and the figures
//! (`/can-bo/xep-hang/so-lieu`, with a CSV).
//!
//! The board learns of every change of a centre's queue from the use cases
//! (`AppContext::queue_changes`); `BoardHub::shared` relays those pings to the other processes over
//! the same PostgreSQL database with the relay the counter's second screen uses
//! (`motcua_app::relay`), and each board re-reads its lines on a ping.

use crate::kit::ClientAddr;
use crate::kit::form::FormFields;
use crate::kit::form::app_field_errors;
use crate::kit::http::origin_ok;
use crate::kit::layout::html;
use crate::kit::officer::{MenuLink, menu};
use crate::kit::session::origin_refused;
use crate::kit::{Frame, Lang, PageForm, PageUser, Route, error_page, other_lang_href, see_other, title_with_errors, with_lang};
use crate::public::rating::{AnswersInput, answers};
use askama::Template;
use axum::Extension;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use motcua_app::auth::CurrentUser;
use motcua_app::usecases::queue::{self as uc, Act, Board, CentreRef, Desk, Figures, Kiosk, Slot, Stat, TicketView};
use motcua_app::{AppContext, AppError};
use motcua_domain::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use tokio::sync::{Semaphore, broadcast};

// ---------------------------------------------------------------------------------------
// The board's hub.
// ---------------------------------------------------------------------------------------

/// The PostgreSQL notification channel of queue changes.
const CHANNEL: &str = "motcua_queue_board";

/// Most board streams open at once (each holds a connection).
const MAX_STREAMS: usize = 256;

type Chans = Arc<Mutex<HashMap<String, broadcast::Sender<()>>>>;

/// One broadcast channel per centre: a ping at every change of its queue.
#[derive(Clone)]
pub struct BoardHub {
    chans: Chans,
    streams: Arc<Semaphore>,
}

impl Default for BoardHub {
    fn default() -> Self {
        Self { chans: Default::default(), streams: Arc::new(Semaphore::new(MAX_STREAMS)) }
    }
}

fn ping_local(chans: &Chans, centre: &str) {
    let chans = chans.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(tx) = chans.get(centre) {
        let _ = tx.send(());
    }
}

#[derive(Serialize, Deserialize)]
struct Relayed {
    origin: String,
    centre: String,
}

impl BoardHub {
    /// A hub fed by this process's queue changes and, over PostgreSQL, by the other
    /// processes'. Stops relaying once the hub and its clones are gone.
    pub fn shared(ctx: &AppContext) -> Self {
        let hub = Self::default();
        let origin = motcua_app::relay::origin_id();
        let weak = Arc::downgrade(&hub.chans);
        let me = origin.clone();
        let listening = motcua_app::relay::listen(ctx, CHANNEL, move |payload| {
            let Some(chans) = weak.upgrade() else { return false };
            if let Some(m) = payload.and_then(|p| serde_json::from_str::<Relayed>(p).ok())
                && m.origin != me
            {
                ping_local(&chans, &m.centre);
            }
            true
        });
        let weak = Arc::downgrade(&hub.chans);
        // The store, not the context: the listener is the context's own (no cycle).
        let relay = listening.then(|| (ctx.store.clone(), origin));
        ctx.queue_changes.on_change(move |centre| {
            let Some(chans) = weak.upgrade() else { return };
            ping_local(&chans, centre);
            if let Some((store, origin)) = &relay {
                let payload =
                    serde_json::to_string(&Relayed { origin: origin.clone(), centre: centre.to_string() }).unwrap_or_default();
                let store = store.clone();
                tokio::spawn(async move {
                    if let Err(e) = store.notify(CHANNEL, payload).await {
                        tracing::warn!(error = %e, "queue change not sent to the other processes");
                    }
                });
            }
        });
        hub
    }

    fn subscribe(&self, centre: &str) -> broadcast::Receiver<()> {
        let mut chans = self.chans.lock().unwrap_or_else(|e| e.into_inner());
        chans.entry(centre.to_string()).or_insert_with(|| broadcast::channel(16).0).subscribe()
    }
}

fn message(lang: Lang, e: &AppError) -> String {
    let fields = e.fields();
    match fields.first() {
        Some(f) => lang.t(&f.message_vi, &f.message_en).to_string(),
        None => lang.t(&e.message_vi(), &e.message_en()).to_string(),
    }
}

fn refused_page(lang: Lang, e: AppError) -> Response {
    error_page(lang, e)
}

// ---------------------------------------------------------------------------------------
// Kiosk.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CentreParams {
    centre: Option<String>,
    /// The board's spoken call (`1` = on).
    doc: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/kiosk.html")]
struct KioskView {
    lang: Lang,
    frame: Frame,
    centres: Vec<CentreRef>,
    kiosk: Option<Kiosk>,
    notice: Option<String>,
    code: String,
}

async fn kiosk_page(
    ctx: &AppContext,
    lang: Lang,
    centre: Option<&str>,
    status: StatusCode,
    notice: Option<String>,
    code: &str,
) -> Response {
    let here = match centre {
        Some(c) => Route::Kiosk.with_query(&[("centre", c)]),
        None => Route::Kiosk.path(),
    };
    let (centres, kiosk) = match centre {
        Some(c) => match uc::kiosk(ctx, c).await {
            Ok(k) => (Vec::new(), Some(k)),
            Err(e) => return error_page(lang, e),
        },
        None => match uc::centres(ctx).await {
            Ok(c) => (c, None),
            Err(e) => return error_page(lang, e),
        },
    };
    let title = match &kiosk {
        Some(k) => format!("{} – {}", lang.t("Lấy số thứ tự", "Take a ticket"), k.centre.name),
        None => lang.t("Lấy số thứ tự", "Take a ticket").to_string(),
    };
    let view = KioskView {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &here)),
        centres,
        kiosk,
        notice,
        code: code.to_string(),
    };
    html(status, &view)
}

/// `GET /xep-hang[?centre=]`: the centres, or a centre's kiosk.
pub async fn kiosk(State(ctx): State<AppContext>, lang: Lang, Query(p): Query<CentreParams>) -> Response {
    kiosk_page(&ctx, lang, p.centre.as_deref().filter(|c| !c.is_empty()), StatusCode::OK, None, "").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KioskForm {
    centre: String,
    group_id: String,
    code: String,
}

fn ticket_href(lang: Lang, t: &TicketView, printed: bool) -> String {
    let mut q = vec![("t", t.token.as_str())];
    if printed {
        q.push(("in", "1"));
    }
    with_lang(lang, &Route::Ticket(&t.id).with_query(&q))
}

/// `POST /xep-hang`: a ticket of a group, or an appointment's check-in (`code`); then the
/// ticket page to print.
pub async fn kiosk_submit(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    lang: Lang,
    headers: HeaderMap,
    Form(f): Form<KioskForm>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let r = if let Err(e) = uc::admit_kiosk(&ctx, client) {
        Err(e)
    } else if !f.code.trim().is_empty() {
        uc::check_in(&ctx, &f.code).await
    } else {
        uc::issue(&ctx, &f.group_id).await
    };
    match r {
        Ok(t) => see_other(&ticket_href(lang, &t, true)),
        Err(e @ (AppError::NotFound { .. } | AppError::Forbidden)) => refused_page(lang, e),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            kiosk_page(&ctx, lang, Some(&f.centre), status, Some(message(lang, &e)), &f.code).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// The ticket (receipt and follow page).
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TicketParams {
    t: String,
    /// Just issued at the kiosk: show the print button first.
    #[serde(rename = "in")]
    printed: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/ticket.html")]
struct TicketPage {
    lang: Lang,
    frame: Frame,
    t: TicketView,
    issued: String,
    qr: String,
    just_issued: bool,
    done: bool,
    kiosk_href: String,
    /// The visit's rating form (once done and not yet rated).
    errors: Vec<FieldError>,
    answers: AnswersInput,
}

/// `GET /xep-hang/ve/{id}?t=`: the ticket with its place in line (404 without the token).
/// Printed on a 58/80 mm receipt printer at the kiosk; followed on a phone through its QR.
/// Once done, it has room for the visit's rating (`#visit-rating`).
pub async fn ticket(
    State(ctx): State<AppContext>,
    lang: Lang,
    Path(id): Path<String>,
    Query(p): Query<TicketParams>,
) -> Response {
    match uc::follow(&ctx, &id, &p.t).await {
        Ok(t) => ticket_page(&ctx, lang, StatusCode::OK, t, p.printed.is_some(), Vec::new(), AnswersInput::empty()),
        Err(e) => error_page(lang, e),
    }
}

fn ticket_page(
    ctx: &AppContext,
    lang: Lang,
    status: StatusCode,
    t: TicketView,
    just_issued: bool,
    errors: Vec<FieldError>,
    answers: AnswersInput,
) -> Response {
    let here = Route::Ticket(&t.id).with_query(&[("t", t.token.as_str())]);
    let title = title_with_errors(lang, &format!("{} {}", lang.t("Số thứ tự", "Ticket"), t.number), &errors);
    let view = TicketPage {
        lang,
        frame: Frame::new(title, other_lang_href(lang, &here)),
        issued: motcua_app::error::hanoi_time(t.issued_at),
        qr: uc::follow_qr(ctx, &t),
        just_issued,
        done: t.status == "done",
        kiosk_href: with_lang(lang, &Route::Kiosk.with_query(&[("centre", t.centre.code.as_str())])),
        t,
        errors,
        answers: answers.of_visit(),
    };
    html(status, &view)
}

/// `POST /xep-hang/ve/{id}`: the holder of a served ticket rates the visit (issue #18) on
/// their phone or the kiosk, with the ticket's token (field `t`) as the proof; once.
pub async fn ticket_rate(
    State(ctx): State<AppContext>,
    lang: Lang,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    if !origin_ok(&headers) {
        return origin_refused(lang);
    }
    let fields = FormFields(f);
    let token = fields.text("t");
    let typed = AnswersInput::from(|k| fields.text(k));
    let shown = |ctx: &AppContext, status: StatusCode, errors: Vec<FieldError>, typed: AnswersInput| {
        let (ctx, id, token) = (ctx.clone(), id.clone(), token.clone());
        async move {
            match uc::follow(&ctx, &id, &token).await {
                Ok(t) => ticket_page(&ctx, lang, status, t, false, errors, typed),
                Err(e) => error_page(lang, e),
            }
        }
    };
    let a = match answers(|k| fields.text(k)) {
        Ok(a) => a,
        Err(errors) => return shown(&ctx, StatusCode::UNPROCESSABLE_ENTITY, errors, typed).await,
    };
    match uc::rate_visit(&ctx, &id, &token, a).await {
        Ok(t) => see_other(&ticket_href(lang, &t, false)),
        Err(e @ AppError::NotFound { .. }) => error_page(lang, e),
        Err(e @ (AppError::Validation(_) | AppError::Refused { .. } | AppError::Conflict { .. })) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            shown(&ctx, status, app_field_errors(&e, "satisfied"), typed).await
        }
        Err(e) => error_page(lang, e),
    }
}

// ---------------------------------------------------------------------------------------
// The hall board.
// ---------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "queue/board.html")]
struct BoardView {
    lang: Lang,
    frame: Frame,
    b: Board,
    events: String,
    speak: bool,
    speak_href: String,
}

/// `GET /xep-hang/bang?centre=[&doc=1]`: the numbers called and their counters, nothing
/// else; live over `/xep-hang/bang/su-kien` (the page reloads itself without JavaScript).
/// `doc=1` turns the spoken call on (the browser's speech, vi-VN).
pub async fn board(State(ctx): State<AppContext>, lang: Lang, Query(p): Query<CentreParams>) -> Response {
    let centre = p.centre.clone().unwrap_or_default();
    if centre.is_empty() {
        return kiosk_page(&ctx, lang, None, StatusCode::OK, None, "").await;
    }
    let b = match uc::board(&ctx, &centre).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, e),
    };
    let speak = p.doc.as_deref() == Some("1");
    let here = Route::Board.with_query(&[("centre", centre.as_str())]);
    let view = BoardView {
        lang,
        frame: Frame::new(format!("{} – {}", lang.t("Bảng gọi số", "Call board"), b.centre.name), other_lang_href(lang, &here)),
        events: Route::BoardEvents.with_query(&[("centre", centre.as_str())]),
        speak,
        speak_href: with_lang(
            lang,
            &Route::Board.with_query(&[("centre", centre.as_str()), ("doc", if speak { "" } else { "1" })]),
        ),
        b,
    };
    html(StatusCode::OK, &view)
}

/// `GET /xep-hang/bang/su-kien?centre=`: the board as server-sent events (JSON), the
/// current one first, then at every change of the centre's queue.
pub async fn board_events(
    State(ctx): State<AppContext>,
    Extension(hub): Extension<BoardHub>,
    lang: Lang,
    Query(p): Query<CentreParams>,
) -> Response {
    let centre = p.centre.unwrap_or_default();
    let first = match uc::board(&ctx, &centre).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, e),
    };
    let Ok(permit) = hub.streams.clone().try_acquire_owned() else {
        return error_page(lang, AppError::Throttled { http: 503, code: "too_many_streams", retry_after_secs: 60 });
    };
    let rx = hub.subscribe(&first.centre.id);
    let state = (ctx, centre, Some(first), rx, permit);
    let stream = futures_util::stream::unfold(state, |(ctx, centre, first, mut rx, permit)| async move {
        if let Some(b) = first {
            let data = serde_json::to_string(&b).unwrap_or_default();
            return Some((Ok::<_, Infallible>(Event::default().data(data)), (ctx, centre, None, rx, permit)));
        }
        loop {
            match rx.recv().await {
                Ok(()) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    if let Ok(b) = uc::board(&ctx, &centre).await {
                        let data = serde_json::to_string(&b).unwrap_or_default();
                        return Some((Ok(Event::default().data(data)), (ctx, centre, None, rx, permit)));
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

// ---------------------------------------------------------------------------------------
// The officer's counter.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskParams {
    centre: Option<String>,
    counter: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/desk.html")]
struct DeskView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<motcua_domain::error::FieldError>,
    d: Desk,
    counter: Option<uc::CounterView>,
    notice: Option<String>,
    board_href: String,
}

async fn desk_page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    p: &DeskParams,
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    let d = match uc::desk(ctx, user, p.centre.as_deref()).await {
        Ok(d) => d,
        Err(e) => return error_page(lang, e),
    };
    // The counter chosen, or the one the ticket at hand was called to.
    let want = p.counter.clone().filter(|c| !c.is_empty());
    let at_hand = d.current.as_ref().and_then(|t| t.counter.clone());
    let counter = d
        .counters
        .iter()
        .find(|c| Some(&c.id) == want.as_ref())
        .or_else(|| d.counters.iter().find(|c| Some(&c.number) == at_hand.as_ref()))
        .cloned();
    let here = Route::Desk.with_query(&[("counter", counter.as_ref().map_or("", |c| c.id.as_str()))]);
    let view = DeskView {
        lang,
        frame: Frame::new(lang.t("Gọi số tại quầy", "Counter calling"), other_lang_href(lang, &here)),
        user,
        menu: menu(lang, user, Route::Desk),
        errors: Vec::new(),
        board_href: with_lang(lang, &Route::Board.with_query(&[("centre", d.centre.code.as_str())])),
        d,
        counter,
        notice,
    };
    html(status, &view)
}

/// `GET /can-bo/xep-hang[?counter=]`: the reception officer's counter.
pub async fn desk(State(ctx): State<AppContext>, lang: Lang, PageUser(user): PageUser, Query(p): Query<DeskParams>) -> Response {
    desk_page(&ctx, lang, &user, &p, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeskForm {
    counter: String,
    ticket: String,
    action: String,
    target: String,
}

/// `POST /can-bo/xep-hang`: call next, recall, skip, start, finish, or transfer
/// (`target` = `g:<group id>` or `c:<counter id>`).
pub async fn desk_act(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: DeskForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let r = match f.action.as_str() {
        "call" => uc::call_next(&ctx, &user, &f.counter).await,
        "recall" => uc::act(&ctx, &user, &f.ticket, Act::Recall).await,
        "skip" => uc::act(&ctx, &user, &f.ticket, Act::Skip).await,
        "start" => uc::act(&ctx, &user, &f.ticket, Act::Start).await,
        "finish" => uc::act(&ctx, &user, &f.ticket, Act::Finish).await,
        "transfer" => {
            let (g, c) = match f.target.split_once(':') {
                Some(("g", id)) => (Some(id.to_string()), None),
                Some(("c", id)) => (None, Some(id.to_string())),
                _ => (None, None),
            };
            uc::act(&ctx, &user, &f.ticket, Act::Transfer { group_id: g, counter_id: c }).await
        }
        _ => return error_page(lang, AppError::NotFound { what: "action" }),
    };
    let p = DeskParams { centre: None, counter: Some(f.counter.clone()) };
    match r {
        Ok(_) => see_other(&with_lang(lang, &Route::Desk.with_query(&[("counter", f.counter.as_str())]))),
        Err(e @ (AppError::NotFound { .. } | AppError::Forbidden)) if e.code() != "queue_empty" => error_page(lang, e),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            desk_page(&ctx, lang, &user, &p, status, Some(message(lang, &e))).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// The citizen's appointments.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookParams {
    centre: Option<String>,
    group: Option<String>,
    date: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/appointments.html")]
struct AppointmentsView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    mine: Vec<uc::AppointmentView>,
    centres: Vec<CentreRef>,
    centre: String,
    groups: Vec<uc::GroupView>,
    group: String,
    date: String,
    slots: Vec<Slot>,
    notice: Option<String>,
}

async fn appointments_page(
    ctx: &AppContext,
    lang: Lang,
    user: &CurrentUser,
    p: &BookParams,
    status: StatusCode,
    notice: Option<String>,
) -> Response {
    let mine = match uc::my_appointments(ctx, user).await {
        Ok(m) => m,
        Err(e) => return error_page(lang, e),
    };
    let centres = uc::centres(ctx).await.unwrap_or_default();
    let centre =
        p.centre.clone().filter(|c| !c.is_empty()).unwrap_or_else(|| centres.first().map(|c| c.code.clone()).unwrap_or_default());
    let groups = match uc::kiosk(ctx, &centre).await {
        Ok(k) => k.groups.into_iter().filter(|g| g.slot_capacity > 0).collect(),
        Err(_) => Vec::new(),
    };
    let group = p.group.clone().filter(|g| groups.iter().any(|x: &uc::GroupView| &x.id == g)).unwrap_or_default();
    let date = p.date.clone().unwrap_or_else(|| ctx.clock.today().tomorrow().map(|d| d.to_string()).unwrap_or_default());
    let slots = if group.is_empty() { Vec::new() } else { uc::slots(ctx, &group, &date).await.map(|s| s.1).unwrap_or_default() };
    let here =
        Route::MyAppointments.with_query(&[("centre", centre.as_str()), ("group", group.as_str()), ("date", date.as_str())]);
    let view = AppointmentsView {
        lang,
        frame: Frame::new(lang.t("Đặt lịch hẹn tại quầy", "Book a counter appointment"), other_lang_href(lang, &here)),
        user,
        mine,
        centres,
        centre,
        groups,
        group,
        date,
        slots,
        notice,
    };
    html(status, &view)
}

/// `GET /ca-nhan/lich-hen[?centre=&group=&date=]`: the citizen's appointments and the slots
/// of a group on a day.
pub async fn appointments(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<BookParams>,
) -> Response {
    appointments_page(&ctx, lang, &user, &p, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BookForm {
    action: String,
    centre: String,
    group: String,
    date: String,
    time: String,
    id: String,
}

/// `POST /ca-nhan/lich-hen`: book a slot (`action=book`) or cancel one (`action=cancel`).
pub async fn appointments_act(State(ctx): State<AppContext>, lang: Lang, PageForm { user, fields }: PageForm) -> Response {
    let f: BookForm = match fields.typed() {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let r = match f.action.as_str() {
        "cancel" => uc::cancel(&ctx, &user, &f.id).await,
        _ => uc::book(&ctx, &user, uc::Booking { group_id: f.group.clone(), date: f.date.clone(), time: f.time.clone() })
            .await
            .map(|_| ()),
    };
    let p = BookParams { centre: Some(f.centre.clone()), group: Some(f.group.clone()), date: Some(f.date.clone()) };
    match r {
        Ok(()) => see_other(&with_lang(
            lang,
            &Route::MyAppointments.with_query(&[
                ("centre", f.centre.as_str()),
                ("group", f.group.as_str()),
                ("date", f.date.as_str()),
            ]),
        )),
        Err(e @ AppError::Forbidden) => error_page(lang, e),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            appointments_page(&ctx, lang, &user, &p, status, Some(message(lang, &e))).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Figures.
// ---------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FigureParams {
    centre: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "queue/figures.html")]
struct FiguresView<'a> {
    lang: Lang,
    frame: Frame,
    user: &'a CurrentUser,
    menu: Vec<MenuLink>,
    errors: Vec<motcua_domain::error::FieldError>,
    f: Figures,
    centres: Vec<CentreRef>,
    csv_href: String,
}

/// Minutes and seconds of a duration in seconds ("—" when none).
pub fn mmss(s: &Option<i64>) -> String {
    s.map_or_else(|| "—".to_string(), |s| format!("{}:{:02}", s / 60, s % 60))
}

/// A percentage with a comma ("—" when none).
pub fn pct(p: &Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |p| format!("{p:.1} %").replace('.', ","))
}

impl FiguresView<'_> {
    /// Each slice's rows, the centre's total last.
    fn slices<'a>(&'a self) -> Vec<(&'static str, Vec<&'a Stat>)> {
        let total = &self.f.total;
        let with_total = |v: &'a [Stat]| -> Vec<&'a Stat> { v.iter().chain(std::iter::once(total)).collect() };
        vec![
            (self.lang.t("Theo nhóm dịch vụ", "By service group"), with_total(&self.f.by_group)),
            (self.lang.t("Theo quầy", "By counter"), with_total(&self.f.by_counter)),
            (self.lang.t("Theo cán bộ", "By officer"), with_total(&self.f.by_officer)),
            (self.lang.t("Theo giờ lấy số", "By hour of issue"), with_total(&self.f.by_hour)),
        ]
    }
}

async fn figures_of(ctx: &AppContext, user: &CurrentUser, p: &FigureParams) -> Result<Figures, AppError> {
    let today = ctx.clock.today().to_string();
    let centre = match p.centre.clone().filter(|c| !c.is_empty()) {
        Some(c) => c,
        None => uc::centres(ctx).await?.into_iter().next().map(|c| c.code).unwrap_or_default(),
    };
    let from = p.from.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| today.clone());
    let to = p.to.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| from.clone());
    uc::figures(ctx, user, &centre, &from, &to).await
}

/// `GET /can-bo/xep-hang/so-lieu[?centre=&from=&to=]`: the queue's figures (leaders,
/// supervisors, administrators of the centre).
pub async fn figures(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<FigureParams>,
) -> Response {
    let f = match figures_of(&ctx, &user, &p).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let pairs = [("centre", f.centre.code.as_str()), ("from", f.from.as_str()), ("to", f.to.as_str())];
    let here = Route::QueueFigures.with_query(&pairs);
    let view = FiguresView {
        lang,
        frame: Frame::new(
            format!("{} – {}", lang.t("Số liệu xếp hàng", "Queue figures"), f.centre.name),
            other_lang_href(lang, &here),
        ),
        user: &user,
        menu: menu(lang, &user, None),
        errors: Vec::new(),
        csv_href: Route::QueueFiguresCsv.with_query(&pairs),
        centres: uc::centres(&ctx).await.unwrap_or_default(),
        f,
    };
    html(StatusCode::OK, &view)
}

/// `GET /can-bo/xep-hang/so-lieu.csv`: the same figures as CSV.
pub async fn figures_csv(
    State(ctx): State<AppContext>,
    lang: Lang,
    PageUser(user): PageUser,
    Query(p): Query<FigureParams>,
) -> Response {
    let f = match figures_of(&ctx, &user, &p).await {
        Ok(f) => f,
        Err(e) => return error_page(lang, e),
    };
    let body = uc::figures_table(&f).to_csv();
    let mut r = body.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    let name = format!("attachment; filename=\"xep-hang-{}-{}-{}.csv\"", f.centre.code, f.from, f.to);
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}
