//! Users: every call is confined to the caller's agencies.

use crate::dto::{CreateUserRequest, MembershipInputDto, Page, ResetPasswordRequest, UpdateUserRequest, UserDto, UserListQuery};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use motcua_app::AppContext;
use motcua_app::usecases::users::{self, MembershipInput, NewUser, UserChanges, UserQuery};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(reset_password))
}

fn memberships(ms: Vec<MembershipInputDto>) -> Vec<MembershipInput> {
    ms.into_iter().map(|m| MembershipInput { agency_id: m.agency_id, role: m.role }).collect()
}

/// Users serving agencies in the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", security(("session" = [])), params(UserListQuery),
    responses((status = 200, body = Page<UserDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_users(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Query(q): Query<UserListQuery>,
) -> ApiResult<Json<Page<UserDto>>> {
    let query = UserQuery {
        agency_id: q.agency_id,
        role: q.role,
        account_type: q.account_type,
        q: q.q,
        limit: q.limit.unwrap_or(50),
        offset: q.offset.unwrap_or(0),
    };
    let (items, total) = users::list(&ctx, &user.principal, query).await?;
    // Memberships for the page in one read per user would be N+1; the list shows accounts only.
    Ok(Json(Page { items: items.into_iter().map(|u| UserDto::new(u, Vec::new())).collect(), total }))
}

/// Create an account serving agencies the caller administers.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", security(("session" = [])), request_body = CreateUserRequest,
    responses((status = 201, body = UserDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    ApiJson(r): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserDto>)> {
    let input = NewUser {
        username: r.username,
        full_name: r.full_name,
        email: r.email,
        phone: r.phone,
        citizen_id: r.citizen_id,
        password: r.password,
        account_type: r.account_type,
        memberships: memberships(r.memberships),
    };
    let (u, ms) = users::create(&ctx, Some(&user.principal), input).await?;
    Ok((StatusCode::CREATED, Json(UserDto::new(u, ms))))
}

/// One user (404 when outside the caller's scope).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("session" = [])), params(("id" = String, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = ErrorBody)))]
async fn get_user(State(ctx): State<AppContext>, Auth(user): Auth, Path(id): Path<String>) -> ApiResult<Json<UserDto>> {
    let (u, ms) = users::get(&ctx, &user.principal, &id).await?;
    Ok(Json(UserDto::new(u, ms)))
}

/// Change profile, status or memberships (null clears an optional field).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", security(("session" = [])), params(("id" = String, Path)),
    request_body = UpdateUserRequest,
    responses((status = 200, body = UserDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserDto>> {
    let ch = UserChanges {
        full_name: r.full_name,
        email: r.email,
        phone: r.phone,
        citizen_id: r.citizen_id,
        active: r.active,
        memberships: r.memberships.map(memberships),
    };
    let (u, ms) = users::update(&ctx, &user.principal, &id, ch).await?;
    Ok(Json(UserDto::new(u, ms)))
}

/// Set a new password for a user; their sessions end.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", security(("session" = [])), params(("id" = String, Path)),
    request_body = ResetPasswordRequest,
    responses((status = 204, description = "Password set"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_password(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    users::reset_password(&ctx, &user.principal, &id, r.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
