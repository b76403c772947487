//! The counter hall's queue (issue #18, `docs/queue.md`): the kiosk's tickets and the
//! holder's follow view (public, the ticket's token), the hall board (public: numbers and
//! counters only), appointments (signed-in citizens), the counter's actions (reception
//! officers of the centre), set-up (administrators) and figures (leaders, supervisors).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::queue::{
    self as uc, Act, AppointmentView, Board, Booking, CentreRef, CounterInput, CounterView, Desk, Figures, GroupInput, Kiosk,
    Slot, TicketView,
};
use motcua_pages::kit::ClientAddr;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(centres))
        .routes(routes!(kiosk))
        .routes(routes!(board))
        .routes(routes!(issue))
        .routes(routes!(check_in))
        .routes(routes!(follow))
        .routes(routes!(slots))
        .routes(routes!(my_appointments, book))
        .routes(routes!(cancel))
        .routes(routes!(desk))
        .routes(routes!(call_next))
        .routes(routes!(recall))
        .routes(routes!(skip))
        .routes(routes!(start))
        .routes(routes!(finish))
        .routes(routes!(transfer))
        .routes(routes!(link))
        .routes(routes!(save_group))
        .routes(routes!(save_counter))
        .routes(routes!(figures))
}

#[derive(Deserialize, IntoParams)]
pub struct CentreParams {
    /// The centre: agency id or code.
    pub centre: String,
}

/// The centres with a queue.
#[utoipa::path(get, path = "/api/v1/queue/centres", tag = "queue", responses((status = 200, body = Vec<CentreRef>)))]
async fn centres(State(ctx): State<AppContext>) -> ApiResult<Json<Vec<CentreRef>>> {
    Ok(Json(uc::centres(&ctx).await?))
}

/// A centre's service groups as the kiosk shows them (open now, people waiting).
#[utoipa::path(get, path = "/api/v1/queue/kiosk", tag = "queue", params(CentreParams),
    responses((status = 200, body = Kiosk), (status = 404, body = ErrorBody)))]
async fn kiosk(State(ctx): State<AppContext>, Query(p): Query<CentreParams>) -> ApiResult<Json<Kiosk>> {
    Ok(Json(uc::kiosk(&ctx, &p.centre).await?))
}

/// The hall board: the numbers called and their counters (never names).
#[utoipa::path(get, path = "/api/v1/queue/board", tag = "queue", params(CentreParams),
    responses((status = 200, body = Board), (status = 404, body = ErrorBody)))]
async fn board(State(ctx): State<AppContext>, Query(p): Query<CentreParams>) -> ApiResult<Json<Board>> {
    Ok(Json(uc::board(&ctx, &p.centre).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct IssueInput {
    pub group_id: String,
}

/// Issues a ticket of a group (the kiosk). 409 `group_closed` or `outside_opening_hours`.
#[utoipa::path(post, path = "/api/v1/queue/tickets", tag = "queue", request_body = IssueInput,
    responses((status = 201, body = TicketView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn issue(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    ApiJson(i): ApiJson<IssueInput>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    uc::admit_kiosk(&ctx, client)?;
    Ok((StatusCode::CREATED, Json(uc::issue(&ctx, &i.group_id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct CheckInInput {
    /// The appointment's code.
    pub code: String,
}

/// Checks an appointment in at the kiosk: a ticket called first once its slot has started.
#[utoipa::path(post, path = "/api/v1/queue/check-in", tag = "queue", request_body = CheckInInput,
    responses((status = 201, body = TicketView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn check_in(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    ApiJson(i): ApiJson<CheckInInput>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    uc::admit_kiosk(&ctx, client)?;
    Ok((StatusCode::CREATED, Json(uc::check_in(&ctx, &i.code).await?)))
}

#[derive(Deserialize, IntoParams)]
pub struct TokenParams {
    /// The ticket's token (printed in its QR code).
    pub token: Option<String>,
}

/// A ticket and its place in line, for its holder (404 without the right token).
#[utoipa::path(get, path = "/api/v1/queue/tickets/{id}", tag = "queue", params(("id" = String, Path), TokenParams),
    responses((status = 200, body = TicketView), (status = 404, body = ErrorBody)))]
async fn follow(
    State(ctx): State<AppContext>,
    Path(id): Path<String>,
    Query(p): Query<TokenParams>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(uc::follow(&ctx, &id, p.token.as_deref().unwrap_or("")).await?))
}

#[derive(Deserialize, IntoParams)]
pub struct SlotParams {
    pub group: String,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// A group's appointment slots on a day with their remaining places.
#[utoipa::path(get, path = "/api/v1/queue/slots", tag = "queue", params(SlotParams),
    responses((status = 200, body = Vec<Slot>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn slots(State(ctx): State<AppContext>, Query(p): Query<SlotParams>) -> ApiResult<Json<Vec<Slot>>> {
    Ok(Json(uc::slots(&ctx, &p.group, &p.date).await?.1))
}

/// The signed-in citizen's appointments.
#[utoipa::path(get, path = "/api/v1/queue/appointments", tag = "queue", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<AppointmentView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn my_appointments(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<AppointmentView>>> {
    Ok(Json(uc::my_appointments(&ctx, &u).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct BookInput {
    pub group_id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, one of the day's slots.
    pub time: String,
}

/// Books a slot (signed-in citizens). 409 `slot_full`, 422 `slot_in_past` / `invalid_slot`.
#[utoipa::path(post, path = "/api/v1/queue/appointments", tag = "queue", security(("session" = []), ("bearer" = [])), request_body = BookInput,
    responses((status = 201, body = AppointmentView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn book(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(i): ApiJson<BookInput>,
) -> ApiResult<(StatusCode, Json<AppointmentView>)> {
    let b = Booking { group_id: i.group_id, date: i.date, time: i.time };
    Ok((StatusCode::CREATED, Json(uc::book(&ctx, &u, b).await?)))
}

/// Cancels one's own booked appointment.
#[utoipa::path(delete, path = "/api/v1/queue/appointments/{id}", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    uc::cancel(&ctx, &u, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
pub struct DeskParams {
    /// The centre (default: the first the officer serves).
    pub centre: Option<String>,
}

/// The officer's desk: the centre's counters and groups, and the ticket at hand.
#[utoipa::path(get, path = "/api/v1/queue/desk", tag = "queue", security(("session" = []), ("bearer" = [])), params(DeskParams),
    responses((status = 200, body = Desk), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn desk(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<DeskParams>) -> ApiResult<Json<Desk>> {
    Ok(Json(uc::desk(&ctx, &u, p.centre.as_deref()).await?))
}

/// Calls the next ticket to a counter. 404 `queue_empty`, 409 `counter_busy` / `counter_closed`.
#[utoipa::path(post, path = "/api/v1/queue/counters/{id}/call-next", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn call_next(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    Ok(Json(uc::call_next(&ctx, &u, &id).await?))
}

async fn act(ctx: AppContext, u: motcua_app::auth::CurrentUser, id: String, a: Act) -> ApiResult<Json<TicketView>> {
    Ok(Json(uc::act(&ctx, &u, &id, a).await?))
}

/// Calls the called ticket again. 409 `ticket_action_not_allowed`.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/recall", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn recall(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    act(ctx, u, id, Act::Recall).await
}

/// The called citizen did not come (no-show).
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/skip", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn skip(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    act(ctx, u, id, Act::Skip).await
}

/// Starts serving the called ticket.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/start", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn start(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    act(ctx, u, id, Act::Start).await
}

/// Finishes serving the ticket.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/finish", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn finish(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<TicketView>> {
    act(ctx, u, id, Act::Finish).await
}

#[derive(Deserialize, ToSchema)]
pub struct TransferInput {
    pub group_id: Option<String>,
    pub counter_id: Option<String>,
}

/// Sends the ticket to another group or counter. 409 `counter_closed` / `group_closed`.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/transfer", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = TransferInput,
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn transfer(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<TransferInput>,
) -> ApiResult<Json<TicketView>> {
    act(ctx, u, id, Act::Transfer { group_id: i.group_id, counter_id: i.counter_id }).await
}

#[derive(Deserialize, ToSchema)]
pub struct LinkInput {
    pub dossier_id: String,
}

/// Links a dossier received while serving the ticket.
#[utoipa::path(post, path = "/api/v1/queue/tickets/{id}/dossiers", tag = "queue", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = LinkInput,
    responses((status = 200, body = TicketView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn link(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(id): Path<String>,
    ApiJson(i): ApiJson<LinkInput>,
) -> ApiResult<Json<TicketView>> {
    Ok(Json(uc::link(&ctx, &u, &id, &i.dossier_id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct QueueGroupDto {
    /// Absent = a new group.
    pub id: Option<String>,
    /// The centre: agency id or code.
    pub centre: String,
    pub prefix: String,
    pub name: String,
    #[serde(default)]
    pub procedures: String,
    #[serde(default)]
    pub sectors: String,
    /// `1-5`.
    pub days: String,
    /// `07:30-11:30,13:30-17:00`.
    pub sessions: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub is_open: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SavedDto {
    pub id: String,
}

/// Creates or changes a service group (administrators of the centre).
#[utoipa::path(put, path = "/api/v1/queue/groups", tag = "queue", security(("session" = []), ("bearer" = [])), request_body = QueueGroupDto,
    responses((status = 200, body = SavedDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn save_group(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(i): ApiJson<QueueGroupDto>,
) -> ApiResult<Json<SavedDto>> {
    let x = GroupInput {
        id: i.id,
        centre: i.centre,
        prefix: i.prefix,
        name: i.name,
        procedures: i.procedures,
        sectors: i.sectors,
        days: i.days,
        sessions: i.sessions,
        slot_minutes: i.slot_minutes,
        slot_capacity: i.slot_capacity,
        is_open: i.is_open,
    };
    Ok(Json(SavedDto { id: uc::save_group(&ctx, &u, x).await?.id }))
}

#[derive(Deserialize, ToSchema)]
pub struct CounterDto {
    pub id: Option<String>,
    pub centre: String,
    pub number: String,
    #[serde(default)]
    pub name: String,
    pub group_ids: Vec<String>,
    pub is_open: bool,
}

/// Creates or changes a counter of a centre (administrators of the centre).
#[utoipa::path(put, path = "/api/v1/queue/counters", tag = "queue", security(("session" = []), ("bearer" = [])), request_body = CounterDto,
    responses((status = 200, body = CounterView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn save_counter(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(i): ApiJson<CounterDto>,
) -> ApiResult<Json<CounterView>> {
    let x =
        CounterInput { id: i.id, centre: i.centre, number: i.number, name: i.name, group_ids: i.group_ids, is_open: i.is_open };
    Ok(Json((&uc::save_counter(&ctx, &u, x).await?).into()))
}

#[derive(Deserialize, IntoParams)]
pub struct FigureParams {
    pub centre: String,
    /// `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
}

/// The queue's figures per group, counter, officer and hour (leaders, supervisors,
/// administrators whose scope holds the centre).
#[utoipa::path(get, path = "/api/v1/queue/figures", tag = "queue", security(("session" = []), ("bearer" = [])), params(FigureParams),
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn figures(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<FigureParams>) -> ApiResult<Json<Figures>> {
    Ok(Json(uc::figures(&ctx, &u, &p.centre, &p.from, &p.to).await?))
}
