//! The signed-in officer's in-app notifications (deadline reminders, escalations, daily
//! digests), and the outbox queues for province administrators (issue #14).

use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::notifications as uc;
use motcua_store::repo::notifications::Notification;
use motcua_store::repo::outbox::{DeadLetter, TopicStats};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(my_notifications))
        .routes(routes!(mark_read))
        .routes(routes!(queues))
        .routes(routes!(retry_dead))
}

#[derive(Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: String,
    /// `reminder.due_soon`, `reminder.overdue`, `reminder.escalation`, `digest.daily` or
    /// `target.at_risk` (a target of the unit, its actual ratio against it).
    pub kind: String,
    pub dossier_id: Option<String>,
    /// What the reminder is about: the dossier code, the deadline (`step` or `dossier`),
    /// `due_at` (ms); for a digest the unit's `open`, `overdue` and `due_soon` counts.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

impl From<Notification> for NotificationDto {
    fn from(n: Notification) -> Self {
        Self { id: n.id, kind: n.kind, dossier_id: n.dossier_id, detail: n.payload, created_at: n.created_at, read_at: n.read_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct NotificationsDto {
    pub unread: i64,
    pub items: Vec<NotificationDto>,
}

/// The signed-in user's latest notifications (at most 50) and how many are unread.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = NotificationsDto), (status = 401, body = ErrorBody)))]
async fn my_notifications(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<NotificationsDto>> {
    let (items, unread) = uc::mine(&ctx, &u).await?;
    Ok(Json(NotificationsDto { unread, items: items.into_iter().map(Into::into).collect() }))
}

/// Marks the signed-in user's notifications read.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn mark_read(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<StatusCode> {
    uc::mark_read(&ctx, &u).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct TopicDto {
    pub topic: String,
    pub pending: i64,
    pub dead: i64,
    /// Age of the oldest pending row, in seconds.
    pub lag_seconds: f64,
}

#[derive(Serialize, ToSchema)]
pub struct DeadLetterDto {
    pub id: String,
    pub topic: String,
    pub dossier_id: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub dead_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct QueuesDto {
    pub topics: Vec<TopicDto>,
    /// The latest 100 dead letters.
    pub dead_letters: Vec<DeadLetterDto>,
}

impl From<TopicStats> for TopicDto {
    fn from(s: TopicStats) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let lag_seconds = s.lag_ms as f64 / 1000.0;
        Self { topic: s.topic, pending: s.pending, dead: s.dead, lag_seconds }
    }
}

impl From<DeadLetter> for DeadLetterDto {
    fn from(d: DeadLetter) -> Self {
        Self {
            id: d.id,
            topic: d.topic,
            dossier_id: d.dossier_id,
            attempts: d.attempts,
            last_error: d.last_error,
            created_at: d.created_at,
            dead_at: d.dead_at,
        }
    }
}

/// The outbox queues per topic (pending, dead, lag) and the latest dead letters. Province
/// administrators only.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "ops", security(("session" = []), ("bearer" = [])),
    responses((status = 200, body = QueuesDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn queues(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<QueuesDto>> {
    let (topics, dead) = uc::queues(&ctx, Some(&u)).await?;
    Ok(Json(QueuesDto {
        topics: topics.into_iter().map(Into::into).collect(),
        dead_letters: dead.into_iter().map(Into::into).collect(),
    }))
}

/// Puts a dead letter back in its queue with fresh attempts. Province administrators only.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "ops", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn retry_dead(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    uc::retry_dead(&ctx, Some(&u), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
