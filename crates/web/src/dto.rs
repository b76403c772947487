//! Request and response bodies of the JSON API (with their OpenAPI schemas).

use motcua_domain::audit::AuditEvent;
use motcua_store::repo::agencies::{AgencyRecord, NameRecord};
use motcua_store::repo::users::{MembershipRecord, UserRecord};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

/// `Some(None)` when the field is present as null (clear it), `None` when absent (keep it).
fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDto {
    pub id: String,
    #[schema(example = "000.00.01.H40")]
    pub code: String,
    #[schema(example = "Sở Tư pháp tỉnh Ninh Bình")]
    pub name: String,
    pub short_name: Option<String>,
    /// province, department, service_centre, counter, commune, commune_centre, unit
    #[schema(example = "department")]
    pub kind: String,
    pub kind_label_vi: String,
    pub parent_id: Option<String>,
    pub depth: i64,
    #[schema(example = "2025-07-01")]
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub successor_id: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub updated_at: String,
}

impl From<AgencyRecord> for AgencyDto {
    fn from(a: AgencyRecord) -> Self {
        Self {
            id: a.id,
            code: a.code,
            name: a.name,
            short_name: a.short_name,
            kind: a.kind.code().into(),
            kind_label_vi: a.kind.label_vi().into(),
            parent_id: a.parent_id,
            depth: a.depth,
            valid_from: a.valid_from.to_string(),
            valid_to: a.valid_to.map(|d| d.to_string()),
            successor_id: a.successor_id,
            address: a.address,
            phone: a.phone,
            email: a.email,
            updated_at: rfc3339(a.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyNameDto {
    pub name: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
}

impl From<NameRecord> for AgencyNameDto {
    fn from(n: NameRecord) -> Self {
        Self { name: n.name, valid_from: n.valid_from.to_string(), valid_to: n.valid_to.map(|d| d.to_string()) }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyDetailDto {
    #[serde(flatten)]
    pub agency: AgencyDto,
    /// Name in force on the `at` day asked for (or today).
    pub name_at: Option<String>,
    pub names: Vec<AgencyNameDto>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgencyListQuery {
    /// Search in code and name, without diacritics ("so tu phap").
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<String>,
    /// Only agencies in existence that day (YYYY-MM-DD); default: all.
    pub active_on: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AtQuery {
    /// A day (YYYY-MM-DD) for the name then in force.
    pub at: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "000.00.38.H40", "name": "Ủy ban nhân dân xã Yên Mô", "kind": "commune", "parent_id": "…", "valid_from": "2025-07-01"}))]
pub struct CreateAgencyRequest {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent_id: Option<String>,
    pub valid_from: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAgencyRequest {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Sở Tư pháp", "effective": "2026-01-01"}))]
pub struct RenameRequest {
    pub name: String,
    /// First day of the new name (default today).
    pub effective: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"into": "…", "effective": "2026-01-01"}))]
pub struct MergeRequest {
    /// The agency that takes over (successor).
    pub into: String,
    /// First day the merged agency no longer exists (default today).
    pub effective: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResponse {
    pub agency: AgencyDto,
    pub moved_children: Vec<String>,
    pub moved_memberships: u64,
}

/// A membership as the API returns it (requests send `MembershipInputDto`).
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    pub agency_id: String,
    pub agency_code: String,
    pub agency_name: String,
    /// reception_officer, specialist, leader, admin, supervisor
    #[schema(example = "specialist")]
    pub role: String,
}

impl From<MembershipRecord> for MembershipDto {
    fn from(m: MembershipRecord) -> Self {
        Self { agency_id: m.agency_id, agency_code: m.agency_code, agency_name: m.agency_name, role: m.role.code().into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    /// citizen or official
    pub account_type: String,
    pub active: bool,
    pub locked_until: Option<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
    pub memberships: Vec<MembershipDto>,
}

impl UserDto {
    pub fn new(u: UserRecord, ms: Vec<MembershipRecord>) -> Self {
        let now = motcua_app::now_ms();
        Self {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            email: u.email,
            phone: u.phone,
            citizen_id: u.citizen_id,
            account_type: u.account_type.code().into(),
            active: u.active,
            locked_until: u.locked_until.filter(|t| *t > now).map(rfc3339),
            last_login_at: u.last_login_at.map(rfc3339),
            created_at: rfc3339(u.created_at),
            memberships: ms.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Search in username, name, e-mail, phone, without diacritics.
    pub q: Option<String>,
    pub agency_id: Option<String>,
    pub role: Option<String>,
    pub account_type: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipInputDto {
    pub agency_id: String,
    pub role: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "chuyenvien.yenmo", "full_name": "Trịnh Thị Hoa", "password": "DoiMatKhau2026", "email": "hoa@yenmo.gov.vn", "memberships": [{"agency_id": "…", "role": "specialist"}]}))]
pub struct CreateUserRequest {
    pub username: String,
    pub full_name: String,
    pub password: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub citizen_id: Option<String>,
    /// official (default) or citizen
    pub account_type: Option<String>,
    #[serde(default)]
    pub memberships: Vec<MembershipInputDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub citizen_id: Option<Option<String>>,
    pub active: Option<bool>,
    /// Replaces all memberships when present.
    pub memberships: Option<Vec<MembershipInputDto>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "admin", "password": "Motcua@2026"}))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionDto {
    pub user: UserDto,
    /// Send back as the `X-CSRF-Token` header on every POST/PATCH/PUT/DELETE.
    pub csrf_token: String,
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventDto {
    pub id: String,
    pub chain: String,
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub hash: String,
}

impl From<AuditEvent> for AuditEventDto {
    fn from(e: AuditEvent) -> Self {
        Self {
            payload: serde_json::from_str(&e.payload).unwrap_or(serde_json::Value::String(e.payload.clone())),
            id: e.id,
            chain: e.chain,
            seq: e.seq,
            at: rfc3339(e.at_ms),
            actor_id: e.actor_id,
            action: e.action,
            entity_kind: e.entity_kind,
            entity_id: e.entity_id,
            hash: e.hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: Option<i64>,
}
