//! Petitions (PAKN, issue #18, docs/petitions.md): public filing (no account, a rate per
//! address), the petitioner's follow, rating and follow-up by tracking code and secret, the
//! published answers (personal data removed), and the officers' inbox and actions.

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::petitions::{self as uc, FileInput, OfficerAction, PublicAnswer};
use motcua_domain::petition::State as PState;
use motcua_pages::kit::ClientAddr;
use motcua_store::repo::petitions::PetitionRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(file, inbox))
        .routes(routes!(follow))
        .routes(routes!(rate))
        .routes(routes!(supplement))
        .routes(routes!(complain))
        .routes(routes!(published))
        .routes(routes!(published_one))
        .routes(routes!(contact_reads))
        .routes(routes!(get_one))
        .routes(routes!(contact))
        .routes(routes!(act))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileBody {
    /// `quy_dinh` (about a regulation or procedure, default) or `can_bo` (about an official).
    pub kind: Option<String>,
    /// The unit addressed: an agency id or code (default: the dossier's, else the province).
    pub unit: Option<String>,
    /// A dossier the petition is about (optional).
    pub dossier_code: Option<String>,
    /// Optional; never published.
    pub name: Option<String>,
    /// Optional phone or e-mail; never published, every read by an official is logged.
    pub contact: Option<String>,
    /// At most 5 000 characters.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct FiledDto {
    /// The tracking code (public) and the secret (shown once): together they open the
    /// follow page.
    pub code: String,
    pub secret: String,
    pub state: String,
    pub received_at: i64,
    pub reject_due: i64,
    pub supplement_due: i64,
    pub resolve_due: i64,
}

impl FiledDto {
    fn of(f: uc::Filed) -> Self {
        let p = f.petition;
        Self {
            code: p.code,
            secret: f.secret,
            state: p.state,
            received_at: p.received_at,
            reject_due: p.reject_due,
            supplement_due: p.supplement_due,
            resolve_due: p.resolve_due,
        }
    }
}

/// Files a petition, without an account. Limited per client address (429 `too_many_petitions`).
#[utoipa::path(post, path = "/api/v1/petitions", tag = "petitions", request_body = FileBody,
    responses((status = 201, body = FiledDto), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody)))]
async fn file(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    ApiJson(b): ApiJson<FileBody>,
) -> ApiResult<(StatusCode, Json<FiledDto>)> {
    let x =
        FileInput { kind: b.kind, unit: b.unit, dossier_code: b.dossier_code, name: b.name, contact: b.contact, body: b.body };
    let f = uc::file(&ctx, None, x, client).await?;
    Ok((StatusCode::CREATED, Json(FiledDto::of(f))))
}

/// A petition as its petitioner sees it (no contact details).
#[derive(Serialize, ToSchema)]
pub struct FollowDto {
    pub code: String,
    pub kind: String,
    pub state: String,
    pub state_vi: String,
    pub body: String,
    /// What the unit asked for, or why it rejected.
    pub note: Option<String>,
    pub answer: Option<String>,
    pub received_at: i64,
    pub resolve_due: i64,
    pub answered_at: Option<i64>,
    pub published_at: Option<i64>,
    /// `like`, `dislike` or none.
    pub rating: Option<String>,
}

impl From<&PetitionRow> for FollowDto {
    fn from(p: &PetitionRow) -> Self {
        Self {
            code: p.code.clone(),
            kind: p.kind.clone(),
            state: p.state.clone(),
            state_vi: PState::parse(&p.state).map_or("", PState::label_vi).into(),
            body: p.body.clone(),
            note: p.note.clone(),
            answer: p.answer.clone(),
            received_at: p.received_at,
            resolve_due: p.resolve_due,
            answered_at: p.answered_at,
            published_at: p.published_at,
            rating: p.rating.clone(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub struct SecretParam {
    pub secret: String,
}

/// The petitioner's petition by tracking code and secret (a wrong secret answers 404).
#[utoipa::path(get, path = "/api/v1/petitions/track/{code}", tag = "petitions", params(("code" = String, Path), SecretParam),
    responses((status = 200, body = FollowDto), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn follow(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    Query(q): Query<SecretParam>,
) -> ApiResult<Json<FollowDto>> {
    let p = uc::follow(&ctx, &code, &q.secret, client).await?;
    Ok(Json((&p).into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RateBody {
    pub secret: String,
    /// `true` = like, `false` = dislike.
    pub like: bool,
}

/// The petitioner's like or dislike of the published answer (once).
#[utoipa::path(post, path = "/api/v1/petitions/track/{code}/rating", tag = "petitions", params(("code" = String, Path)),
    request_body = RateBody, responses((status = 200, body = FollowDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn rate(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<RateBody>,
) -> ApiResult<Json<FollowDto>> {
    let p = uc::rate(&ctx, &code, &b.secret, b.like, client).await?;
    Ok(Json((&p).into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextBody {
    pub secret: String,
    pub text: String,
}

/// The information the unit asked for.
#[utoipa::path(post, path = "/api/v1/petitions/track/{code}/supplement", tag = "petitions", params(("code" = String, Path)),
    request_body = TextBody, responses((status = 200, body = FollowDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn supplement(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<Json<FollowDto>> {
    let p = uc::supplement(&ctx, &code, &b.secret, &b.text, client).await?;
    Ok(Json((&p).into()))
}

/// A new complaint about the result of the published answer: a new petition (its own code
/// and secret); the answered one is closed.
#[utoipa::path(post, path = "/api/v1/petitions/track/{code}/complaint", tag = "petitions", params(("code" = String, Path)),
    request_body = TextBody, responses((status = 201, body = FiledDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn complain(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    ApiJson(b): ApiJson<TextBody>,
) -> ApiResult<(StatusCode, Json<FiledDto>)> {
    let f = uc::complain(&ctx, &code, &b.secret, &b.text, client).await?;
    Ok((StatusCode::CREATED, Json(FiledDto::of(f))))
}

#[derive(Deserialize, IntoParams)]
pub struct PageParam {
    /// From 1.
    pub page: Option<usize>,
}

/// Published answers, newest first, 20 a page; no name or contact, phone numbers, e-mail
/// addresses and ID numbers removed from the texts.
#[utoipa::path(get, path = "/api/v1/petitions/published", tag = "petitions", params(PageParam),
    responses((status = 200, body = Vec<PublicAnswer>)))]
async fn published(State(ctx): State<AppContext>, Query(q): Query<PageParam>) -> ApiResult<Json<Vec<PublicAnswer>>> {
    Ok(Json(uc::published(&ctx, q.page.unwrap_or(1)).await?))
}

/// One published answer.
#[utoipa::path(get, path = "/api/v1/petitions/published/{code}", tag = "petitions", params(("code" = String, Path)),
    responses((status = 200, body = PublicAnswer), (status = 404, body = ErrorBody)))]
async fn published_one(State(ctx): State<AppContext>, Path(code): Path<String>) -> ApiResult<Json<PublicAnswer>> {
    Ok(Json(uc::published_one(&ctx, &code).await?))
}

/// A petition for the officials handling it (no contact details: see `/contact`).
#[derive(Serialize, ToSchema)]
pub struct PetitionDto {
    pub id: String,
    pub code: String,
    pub kind: String,
    pub state: String,
    pub agency_id: String,
    pub dossier_code: Option<String>,
    pub body: String,
    pub note: Option<String>,
    pub answer: Option<String>,
    pub received_at: i64,
    pub reject_due: i64,
    pub supplement_due: i64,
    pub resolve_due: i64,
    pub answered_at: Option<i64>,
    pub publish_due: Option<i64>,
    pub published_at: Option<i64>,
    pub rating: Option<String>,
    pub follow_up_of: Option<String>,
    /// Handled on time so far (the 5.2 test, seen now).
    pub on_time: bool,
}

fn dto(p: &PetitionRow, now: i64) -> PetitionDto {
    PetitionDto {
        id: p.id.clone(),
        code: p.code.clone(),
        kind: p.kind.clone(),
        state: p.state.clone(),
        agency_id: p.agency_id.clone(),
        dossier_code: p.dossier_code.clone(),
        body: p.body.clone(),
        note: p.note.clone(),
        answer: p.answer.clone(),
        received_at: p.received_at,
        reject_due: p.reject_due,
        supplement_due: p.supplement_due,
        resolve_due: p.resolve_due,
        answered_at: p.answered_at,
        publish_due: p.publish_due,
        published_at: p.published_at,
        rating: p.rating.clone(),
        follow_up_of: p.follow_up_of.clone(),
        on_time: uc::timeline(p).on_time_at(now),
    }
}

#[derive(Deserialize, IntoParams)]
pub struct InboxParams {
    /// One state only (`received`, `assigned`, …).
    pub state: Option<String>,
}

/// The petitions of the caller's units (those about officials for leaders and inspectors
/// only), open ones first by deadline; at most 500.
#[utoipa::path(get, path = "/api/v1/petitions", tag = "petitions", security(("session" = []), ("bearer" = [])), params(InboxParams),
    responses((status = 200, body = Vec<PetitionDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn inbox(State(ctx): State<AppContext>, Auth(u): Auth, Query(q): Query<InboxParams>) -> ApiResult<Json<Vec<PetitionDto>>> {
    let state = q.state.as_deref().filter(|s| !s.is_empty()).and_then(PState::parse);
    let rows = uc::inbox(&ctx, &u, state).await?;
    let now = ctx.clock.now_ms();
    Ok(Json(rows.iter().map(|p| dto(p, now)).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct EventDto {
    pub at: i64,
    pub actor_id: Option<String>,
    pub action: String,
    pub state: String,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PetitionWithHistory {
    pub petition: PetitionDto,
    pub history: Vec<EventDto>,
}

/// One petition and its history. A `can_bo` petition read by a non-leader: 403 `petition_restricted`.
#[utoipa::path(get, path = "/api/v1/petitions/{id}", tag = "petitions", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = PetitionWithHistory), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_one(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<PetitionWithHistory>> {
    let (p, events) = uc::get(&ctx, &u, &id).await?;
    let history = events
        .into_iter()
        .map(|e| EventDto { at: e.at_ms, actor_id: e.actor_id, action: e.action, state: e.state, note: e.note })
        .collect();
    Ok(Json(PetitionWithHistory { petition: dto(&p, ctx.clock.now_ms()), history }))
}

#[derive(Serialize, ToSchema)]
pub struct ContactDto {
    pub name: Option<String>,
    pub contact: Option<String>,
}

/// The petitioner's name and contact; the read is logged.
#[utoipa::path(get, path = "/api/v1/petitions/{id}/contact", tag = "petitions", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = ContactDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn contact(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<ContactDto>> {
    let (name, contact) = uc::contact(&ctx, &u, &id).await?;
    Ok(Json(ContactDto { name, contact }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `classify`, `assign`, `reject`, `request_supplement`, `answer`, `publish`.
    pub action: String,
    /// For `classify`: `quy_dinh` or `can_bo`.
    pub kind: Option<String>,
    /// For `assign`: the competent unit (agency id or code).
    pub unit: Option<String>,
    /// For `reject` (the reason), `request_supplement` (what to add), `answer`.
    pub text: Option<String>,
}

/// Parses an action of the form or the API.
pub fn officer_action(
    action: &str,
    kind: Option<String>,
    unit: Option<String>,
    text: Option<String>,
) -> Result<OfficerAction, motcua_app::AppError> {
    let text = text.unwrap_or_default();
    Ok(match action {
        "classify" => OfficerAction::Classify { kind: kind.unwrap_or_default() },
        "assign" => OfficerAction::Assign { unit: unit.unwrap_or_default() },
        "reject" => OfficerAction::Reject { reason: text },
        "request_supplement" => OfficerAction::RequestSupplement { what: text },
        "answer" => OfficerAction::Answer { text },
        "publish" => OfficerAction::Publish,
        _ => {
            return Err(motcua_domain::error::ValidationError::single(
                "action",
                "unknown_action",
                "Thao tác không hợp lệ.",
                "Unknown action.",
            )
            .into());
        }
    })
}

/// Classify, assign, reject, request more, answer or publish; the table of
/// `motcua_domain::petition::GUARDS` decides (409 `petition_wrong_state`, 403 `petition_not_allowed`).
#[utoipa::path(post, path = "/api/v1/petitions/{id}/actions", tag = "petitions", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)), request_body = ActionBody,
    responses((status = 200, body = PetitionDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn act(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ActionBody>,
) -> ApiResult<Json<PetitionDto>> {
    let x = officer_action(&b.action, b.kind, b.unit, b.text)?;
    let p = uc::act(&ctx, &u, &id, x).await?;
    Ok(Json(dto(&p, ctx.clock.now_ms())))
}

#[derive(Serialize, ToSchema)]
pub struct ContactReadDto {
    pub at: i64,
    pub petition_id: String,
    pub petition_code: String,
    pub user_id: String,
    pub username: String,
    pub full_name: String,
}

/// Who read which petitioner's contact details, when (administrators and inspectors, in scope).
#[utoipa::path(get, path = "/api/v1/petitions/contact-reads", tag = "petitions", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = Vec<ContactReadDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn contact_reads(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<ContactReadDto>>> {
    let rows = uc::contact_log(&ctx, &u).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ContactReadDto {
                at: r.at_ms,
                petition_id: r.petition_id,
                petition_code: r.petition_code,
                user_id: r.user_id,
                username: r.username,
                full_name: r.full_name,
            })
            .collect(),
    ))
}
