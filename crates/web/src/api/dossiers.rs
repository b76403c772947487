//! Dossiers: filing, every command of the life cycle, attachments, reads (timeline,
//! control slip, register), public tracking, workflows and bearer tokens.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Auth};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use motcua_app::AppContext;
use motcua_app::calendar::vn_rfc3339;
use motcua_app::usecases::dossiers::{self as uc, DueCounts, ListQuery, NewDossier, Request, TimelineEntry};
use motcua_domain::dossier::{Command, Dossier, FeeItem, PaymentMethod, ReturnMethod, SupplementItem, Workflow};
use motcua_pages::kit::ClientAddr;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::new()
        .routes(routes!(create_dossier, list_dossiers))
        .routes(routes!(get_dossier))
        .routes(routes!(submit))
        .routes(routes!(receive))
        .routes(routes!(refuse))
        .routes(routes!(request_supplement))
        .routes(routes!(supply_supplement))
        .routes(routes!(forward))
        .routes(routes!(send_back))
        .routes(routes!(notice_fees))
        .routes(routes!(mark_paid))
        .routes(routes!(stop))
        .routes(routes!(refuse_after_appraisal))
        .routes(routes!(withdraw))
        .routes(routes!(extend))
        .routes(routes!(resolve))
        .routes(routes!(return_result))
        .routes(routes!(rate))
        .routes(routes!(download_file))
        .routes(routes!(list_documents))
        .routes(routes!(download_document))
        .routes(routes!(control_slip))
        .routes(routes!(register))
        .routes(routes!(tracking))
        .routes(routes!(rate_at_counter))
        .routes(routes!(get_workflow, put_workflow))
        .routes(routes!(create_token, list_tokens))
        .routes(routes!(revoke_token))
        .routes(routes!(kpi))
        // Scans and photos are larger than JSON bodies: the handler streams the body to disk
        // and refuses it as soon as it passes the configured file limit.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_file))
                .routes(routes!(digitize_component))
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .routes(routes!(certified_copy_signature))
}

fn time(ms: Option<i64>) -> Option<String> {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok()).map(vn_rfc3339)
}

/// A dossier as the API shows it: the whole state, with the national status and labels.
#[derive(Serialize, ToSchema)]
pub struct DossierDto {
    #[schema(value_type = Object)]
    #[serde(flatten)]
    pub dossier: Dossier,
    /// TrangThaiHoSo of the national portal (1–10); null for a draft.
    pub national_status: Option<u8>,
    pub status_label_vi: &'static str,
    pub status_label_en: &'static str,
    pub received: Option<String>,
    pub due: Option<String>,
    pub appointment: Option<String>,
    /// While an online dossier waits for the one-stop's check: when the check is due
    /// (`check_due_at` as RFC 3339; issue #11 item 14).
    pub check_due: Option<String>,
}

impl From<Dossier> for DossierDto {
    fn from(d: Dossier) -> Self {
        Self {
            national_status: d.status.national_code(),
            status_label_vi: d.status.label_vi(),
            status_label_en: d.status.label_en(),
            received: time(d.received_at),
            due: time(d.due_at),
            appointment: time(d.appointment_at),
            check_due: time(d.pending_check_due()),
            dossier: d,
        }
    }
}

fn idempotency_key(h: &HeaderMap) -> Option<String> {
    h.get("idempotency-key").and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string())
}

/// File a dossier: an applicant gets a draft (attach files, then submit); a reception
/// officer at the counter (or taking a postal dossier) receives it at once and gets the
/// dossier code and appointment. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "A retry with the same key returns the first dossier")),
    request_body(content = NewDossier, example = json!({
        "procedure_code": "1.001193", "channel": "counter",
        "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư, Ninh Bình"},
        "summary": "Đăng ký khai sinh cho con",
        "components": [{"key": "to_khai", "provided": true, "originals": 1, "digitized": true}]
    })),
    responses((status = 201, body = DossierDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_dossier(
    State(ctx): State<AppContext>,
    Auth(user): Auth,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewDossier>,
) -> ApiResult<(StatusCode, Json<DossierDto>)> {
    let d = uc::create(&ctx, &user, input, idempotency_key(&headers)).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Comma-separated statuses, e.g. `received,in_progress`.
    status: Option<String>,
    /// Code, applicant name or ID number, procedure (diacritics ignored).
    q: Option<String>,
    /// `true`: only online dossiers still waiting for their check past its due time
    /// (1 working day from the submission unless the procedure sets another level).
    check_overdue: Option<bool>,
    limit: Option<i64>,
    offset: Option<i64>,
    /// The inbox's next page: `next_cursor` of the previous answer (keyset; use instead of
    /// `offset`).
    cursor: Option<String>,
    /// `exact`: count every match of `q` (up to 1,000) through the text index, slower over a
    /// long history. By default a free-text count over a large inbox may be a lower bound:
    /// the matches among the first 3,000 held dossiers in due order (`total_capped`).
    count: Option<String>,
    /// `csv` (UTF-8 with BOM) or `xlsx`: the whole filtered list as a file instead of a JSON
    /// page (`limit` and `offset` ignored), with Vietnamese column headers; at most
    /// `documents.export_max_rows` (10,000) rows, more answer 422 `export_too_large`.
    format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct DossierPage {
    pub items: Vec<DossierDto>,
    pub total: i64,
    /// `true`: `total` is a lower bound, the filter selects at least that many (a free-text
    /// count stops at 1,000, and without `count=exact` it may be the matches among the first
    /// held dossiers only; the page shows "ít nhất").
    pub total_capped: bool,
    /// Unfinished dossiers of this view by due status.
    pub counts: DueCounts,
    /// When the page is full: the `cursor` of the next page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The inbox: dossiers held now by the agencies where the officer works (at their role),
/// most urgent first; a supervisor sees the whole subtree; an applicant their own dossiers.
/// With `format=csv` or `format=xlsx`, the whole filtered list as a file (recorded in the
/// access log as `list_export`).
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(ListParams),
    responses(
        (status = 200, description = "A page of the list (JSON), or with `format` the whole list as a file", content(
            (DossierPage = "application/json"),
            (String = "text/csv; charset=utf-8"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, body = ErrorBody),
        (status = 422, description = "A bad filter or format, or `export_too_large`", body = ErrorBody)))]
async fn list_dossiers(State(ctx): State<AppContext>, Auth(user): Auth, Query(p): Query<ListParams>) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    use motcua_app::usecases::exports::{self, ExportFormat};
    let format = match p.format.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None | Some("json") => None,
        Some(f) => Some(ExportFormat::parse(f).ok_or_else(|| {
            let (vi, en) = ("Định dạng là json, csv hoặc xlsx.", "format is json, csv or xlsx.");
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_format", vi, en).with_field(
                "format",
                "invalid_format",
                vi,
                en,
            )
        })?),
    };
    let count_exact = match p.count.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => false,
        Some("exact") => true,
        Some(_) => {
            let (vi, en) = ("Cách đếm chỉ nhận giá trị exact.", "count accepts only exact.");
            return Err(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_count", vi, en).with_field(
                "count",
                "invalid_count",
                vi,
                en,
            ));
        }
    };
    let q = ListQuery {
        statuses: p
            .status
            .map(|s| s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
            .unwrap_or_default(),
        q: p.q,
        check_overdue: p.check_overdue.unwrap_or(false),
        limit: p.limit.unwrap_or(50),
        offset: p.offset.unwrap_or(0),
        cursor: p.cursor,
        count_exact,
    };
    if let Some(format) = format {
        let f = exports::dossiers(&ctx, &user, q, format, false).await?;
        return Ok(motcua_pages::kit::http::download_response(f.media_type, &f.name, f.bytes, false));
    }
    let limit = if q.limit <= 0 { 50 } else { q.limit.min(500) } as usize;
    let uc::ListOut { items, total, total_capped, counts } = uc::list(&ctx, &user, q).await?;
    let next_cursor = (items.len() == limit).then(|| items.last().map(uc::next_cursor)).flatten();
    Ok(Json(DossierPage { items: items.into_iter().map(Into::into).collect(), total, total_capped, counts, next_cursor })
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub struct DossierDetail {
    pub dossier: DossierDto,
    /// Every event, oldest first: the audit trail of the dossier.
    pub timeline: Vec<TimelineEntry>,
}

/// A dossier with its timeline. Outside the reader's scope it reads as not found.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = DossierDetail), (status = 404, body = ErrorBody)))]
async fn get_dossier(State(ctx): State<AppContext>, Auth(user): Auth, Path(id): Path<String>) -> ApiResult<Json<DossierDetail>> {
    let (d, timeline) = uc::get(&ctx, &user, &id).await?;
    Ok(Json(DossierDetail { dossier: d.into(), timeline }))
}

pub(crate) async fn run(
    ctx: &AppContext,
    user: &motcua_app::auth::CurrentUser,
    id: &str,
    version: i64,
    req: Request,
    h: &HeaderMap,
) -> ApiResult<Json<DossierDto>> {
    Ok(Json(uc::command(ctx, user, id, version, req, idempotency_key(h)).await?.into()))
}

/// Every command carries the version of the dossier it was decided on; a stale one gets 409.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 3}))]
pub struct VersionOnly {
    pub version: i64,
}

/// Submit a draft (applicant): every required component must have a file.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/submit", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = VersionOnly,
    responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<VersionOnly>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::Submit, &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 2, "components": [{"key": "to_khai", "provided": true, "originals": 1, "digitized": true}]}))]
pub struct ReceiveBody {
    pub version: i64,
    #[serde(default)]
    pub competent_agency_id: Option<String>,
    /// The counter checklist; empty = what was attached online.
    #[serde(default)]
    pub components: Vec<uc::ComponentInput>,
}

/// Receive a submitted dossier (reception officer): the dossier code, the appointment from
/// the working-day calendar and the pinned procedure version (form 01).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/receive", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = ReceiveBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn receive(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReceiveBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::Receive { competent_agency_id: b.competent_agency_id, components: b.components }, &h)
        .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 2, "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của tỉnh"]}))]
pub struct RefuseBody {
    pub version: i64,
    pub reasons: Vec<String>,
}

/// Refuse a dossier at reception, with the reasons (form 03).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/refuse", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = RefuseBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refuse(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RefuseBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::Refuse { reasons: b.reasons }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplementItemBody {
    #[serde(default)]
    pub component_key: Option<String>,
    pub name: String,
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 4, "items": [{"component_key": "to_khai", "name": "Tờ khai đăng ký khai sinh", "reason": "Thiếu chữ ký của người đi đăng ký"}]}))]
pub struct SupplementRequestBody {
    pub version: i64,
    pub items: Vec<SupplementItemBody>,
}

/// Ask for a supplement (form 02), every missing item at once with its reason; the clock
/// pauses. A second request after reception makes the dossier count as late (766).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/supplement-requests", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = SupplementRequestBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_supplement(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<SupplementRequestBody>,
) -> ApiResult<Json<DossierDto>> {
    let items =
        b.items.into_iter().map(|i| SupplementItem { component_key: i.component_key, name: i.name, reason: i.reason }).collect();
    run(&ctx, &u, &id, b.version, Request::cmd(Command::RequestSupplement { items }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 5, "note": "Đã bổ sung tờ khai có chữ ký"}))]
pub struct NoteBody {
    pub version: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// The supplement is supplied (applicant, or the counter on their behalf); the clock resumes
/// and the deadlines move back by the office time of the pause.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/supplements", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = NoteBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody)))]
async fn supply_supplement(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::SupplySupplement { note: b.note }), &h).await
}

/// Hand the dossier to the next step of its workflow (a row of the control slip).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/forward", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = NoteBody, responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn forward(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::Forward { note: b.note }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 6, "reason": "Cần thẩm định lại hồ sơ địa chính"}))]
pub struct ReasonBody {
    pub version: i64,
    pub reason: String,
}

/// Send the dossier back one step, with the reason.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/send-back", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = ReasonBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn send_back(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::SendBack { reason: b.reason }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeBody {
    pub name: String,
    /// In đồng; 0 only with an exemption.
    pub amount: i64,
    /// Why the applicant is exempt from this item (the procedure's exemption chosen).
    #[serde(default)]
    pub exemption: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 3, "items": [{"name": "Lệ phí cấp giấy phép xây dựng", "amount": 75000}]}))]
pub struct FeesBody {
    pub version: i64,
    /// The items; none: the procedure's fee table (its items with an amount).
    #[serde(default)]
    pub items: Vec<FeeBody>,
    /// Exemptions chosen: the item (by name) is noticed at 0 with the reason.
    #[serde(default)]
    pub exempt: Vec<ExemptBody>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptBody {
    pub name: String,
    pub reason: String,
}

/// Notice of fees and charges: the dossier waits for payment (status 6). The legal clock
/// pauses only where the procedure says so (`counting.payment_pauses_clock`, e.g. land).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/fee-notices", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = FeesBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn notice_fees(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<FeesBody>,
) -> ApiResult<Json<DossierDto>> {
    let items = b.items.into_iter().map(|f| FeeItem { name: f.name, amount: f.amount, exemption: f.exemption }).collect();
    let exempt = b.exempt.into_iter().map(|e| (e.name, e.reason)).collect();
    run(&ctx, &u, &id, b.version, Request::NoticeFees { items, exempt }, &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 4, "method": "online_national", "receipt_number": "PAYGOV-2026-000123"}))]
pub struct PaymentBody {
    pub version: i64,
    /// `cash` (at the counter), `online_national` (national payment platform), `online_local`.
    #[schema(value_type = String)]
    pub method: PaymentMethod,
    pub receipt_number: String,
    /// What was paid, in đồng; when given it must be the noticed total (`amount_mismatch`).
    #[serde(default)]
    pub amount: Option<i64>,
}

/// The fees are paid; the clock resumes.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/payments", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = PaymentBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mark_paid(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PaymentBody>,
) -> ApiResult<Json<DossierDto>> {
    run(
        &ctx,
        &u,
        &id,
        b.version,
        Request::cmd(Command::MarkPaid { method: b.method, receipt_number: b.receipt_number, amount: b.amount }),
        &h,
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 6, "reason": "Đất đang có tranh chấp", "basis": "Khoản 2 Điều 22 Nghị định 118/2025/NĐ-CP", "financial_consequences": "Hoàn trả lệ phí đã nộp"}))]
pub struct StopBody {
    pub version: i64,
    pub reason: String,
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub financial_consequences: Option<String>,
}

/// Stop processing (form 05, status 8).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/stop", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = StopBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn stop(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StopBody>,
) -> ApiResult<Json<DossierDto>> {
    let cmd = Command::Stop { reason: b.reason, basis: b.basis, financial_consequences: b.financial_consequences };
    run(&ctx, &u, &id, b.version, Request::cmd(cmd), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 6, "reasons": ["Người được đề nghị chưa đủ 3 năm hành nghề"], "basis": "Điều 12 Luật Công chứng 2024"}))]
pub struct RefuseAfterAppraisalBody {
    pub version: i64,
    /// At least one, each at most 2,000 characters, at most 20.
    pub reasons: Vec<String>,
    /// The legal basis of the refusal, at most 500 characters.
    #[serde(default)]
    pub basis: Option<String>,
}

/// Refuse after appraisal ("từ chối giải quyết"; leader of the competent agency, from
/// processing): processing ends (status 9) and the refusal letter is the result returned
/// through the one-stop. Distinct from a refusal at reception (form 03) and a stop (form 05).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/refuse-after-appraisal", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = RefuseAfterAppraisalBody,
    responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refuse_after_appraisal(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RefuseAfterAppraisalBody>,
) -> ApiResult<Json<DossierDto>> {
    let cmd = Command::RefuseAfterAppraisal { reasons: b.reasons, basis: b.basis };
    run(&ctx, &u, &id, b.version, Request::cmd(cmd), &h).await
}

/// Withdraw the dossier at the applicant's request (status 7).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/withdraw", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = ReasonBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::Withdraw { reason: b.reason }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 5, "reason": "Cần lấy ý kiến của cơ quan liên quan", "new_date": "2026-12-15"}))]
pub struct ExtensionBody {
    pub version: i64,
    pub reason: String,
    /// The new appointment day (YYYY-MM-DD); the result is due at the end of its office hours.
    #[schema(value_type = String)]
    pub new_date: jiff::civil::Date,
}

/// Apology and extension (form 04), signed by a leader of the competent agency: once, at
/// the latest one working day before the due date. The dossier is still judged against its
/// original due date (finished before it, it is not late) and counted as extended.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/extension", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = ExtensionBody, responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn extend(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ExtensionBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::Extend { reason: b.reason, new_date: b.new_date }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 7, "name": "Giấy khai sinh", "number": "125/2026/KS", "note": null}))]
pub struct ResolveBody {
    pub version: i64,
    pub name: String,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Record the result at the last step (status 9); early / on time / late is decided now. The
/// result document is issued with it, signed by the caller's personal certificate and sealed
/// by the agency: 409 `signing_key_missing`, `cert_revoked` or `cert_expired` and nothing
/// recorded when a certificate is missing or no longer valid.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/resolve", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = ResolveBody, responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn resolve(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResolveBody>,
) -> ApiResult<Json<DossierDto>> {
    run(&ctx, &u, &id, b.version, Request::cmd(Command::Resolve { name: b.name, number: b.number, note: b.note }), &h).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 8, "method": "postal", "tracking_number": "EL123456789VN"}))]
pub struct ReturnBody {
    pub version: i64,
    /// `counter`, `online` or `postal` (with the tracking number).
    #[schema(value_type = String)]
    pub method: ReturnMethod,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Return the result to the applicant (status 10).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/return", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = ReturnBody, responses((status = 200, body = DossierDto), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_result(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReturnBody>,
) -> ApiResult<Json<DossierDto>> {
    run(
        &ctx,
        &u,
        &id,
        b.version,
        Request::cmd(Command::Return { method: b.method, tracking_number: b.tracking_number, note: b.note }),
        &h,
    )
    .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 9, "satisfied": true, "comment": "Cán bộ hướng dẫn tận tình"}))]
pub struct RatingBody {
    pub version: i64,
    pub satisfied: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// Per dimension (`access`, `procedure`, `officer`, `result`, `feedback`), each at most
    /// once, optional: `{"factor": "officer", "score": 4}` on the SIPAS scale 1..5 (4 and 5
    /// count as satisfied; issue #18), or `{"factor": …, "satisfied": true}` as before.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub factors: Vec<motcua_domain::dossier::FactorRating>,
}

/// The applicant rates the service once the result is handed back (766 indicator 5.4).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/rating", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    request_body = RatingBody, responses((status = 200, body = DossierDto), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    h: HeaderMap,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<RatingBody>,
) -> ApiResult<Json<DossierDto>> {
    run(
        &ctx,
        &u,
        &id,
        b.version,
        Request::cmd(Command::Rate { satisfied: b.satisfied, comment: b.comment, factors: b.factors }),
        &h,
    )
    .await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UploadParams {
    /// The file's name as the user knows it (made safe before it is stored).
    name: Option<String>,
}

/// A raw upload body spooled to disk with the file limit enforced while reading, never
/// buffered whole (issue #12 item 6), with the `Content-Type` it declared. The user is known
/// before: the extractors ahead of the body read only the headers.
async fn spool_body<'h>(
    ctx: &AppContext,
    headers: &'h HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(motcua_app::upload::Spooled, Option<&'h str>)> {
    let limit = ctx.config.attachments.max_file_bytes;
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    let dir = motcua_app::upload::spool_dir(&ctx.config.data_dir);
    let file = motcua_app::upload::spool_stream(&dir, limit, length, body.into_data_stream()).await?;
    Ok((file, headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok())))
}

/// Attach a file to a component: the raw bytes as the body. The type is recognised from the
/// file's structure (PDF, JPEG, PNG, DOCX, XLSX) and must agree with `Content-Type`; a damaged
/// file, a polyglot or a PDF with active content (JavaScript, embedded files) gets 422; limits
/// 20 MB a file and 100 MB a dossier by default.
#[utoipa::path(put, path = "/api/v1/dossiers/{id}/components/{key}/files", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("key" = String, Path, description = "Component key, `other`, or `result` (the result document, by the officer at the current step)"), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file itself; `Content-Type` may name its real type (application/pdf, image/jpeg, image/png, the OOXML types) or stay application/octet-stream"),
    responses((status = 201, body = DossierDto), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn upload_file(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    Query(p): Query<UploadParams>,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<DossierDto>)> {
    let (file, declared) = spool_body(&ctx, &headers, body).await?;
    let d = uc::attach(&ctx, &u, &id, &key, declared, p.name.as_deref().unwrap_or("tep"), file).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// Digitize a paper component (TT 01/2023): the officer's scan as the body, checked like any
/// attachment (same types and limits, streamed), certified with a detached CMS signature by
/// the officer's personal certificate over its bytes. The scan becomes a file of the
/// dossier; the certified copy (who, when, certificate serial, the signature's digest) is in
/// `certified_copies`. `key` = `result` digitizes the paper result. Refused, with nothing
/// written: no certificate (409 `signing_key_missing`), a revoked or expired one (409
/// `cert_revoked`, `cert_expired`), a component out of scope (422 `digitization_excluded`),
/// not in the dossier (422 `unknown_component`), an empty file (422 `file_empty`).
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/components/{key}/digitize", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("key" = String, Path, description = "Component key, or `result` (the paper result)"), UploadParams),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The scan itself (PDF, JPEG or PNG); `Content-Type` may name its real type or stay application/octet-stream"),
    responses((status = 201, body = DossierDto), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn digitize_component(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    headers: HeaderMap,
    Path((id, key)): Path<(String, String)>,
    Query(p): Query<UploadParams>,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<DossierDto>)> {
    let (file, declared) = spool_body(&ctx, &headers, body).await?;
    let d = uc::digitize(&ctx, &u, &id, &key, declared, p.name.as_deref().unwrap_or("ban-quet"), file).await?;
    Ok((StatusCode::CREATED, Json(d.into())))
}

/// The detached signature (`.p7s`, DER CMS SignedData) certifying a component's scan: verify
/// it with `openssl cms -verify -binary -inform DER -content <scan> -in <file.p7s> -CAfile
/// <root.pem> -purpose any`. The scan itself is `GET /api/v1/dossiers/{id}/files/{file_id}`
/// with the `file_id` of the certified copy.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/components/{key}/signature", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("key" = String, Path)),
    responses((status = 200, content_type = "application/pkcs7-signature", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn certified_copy_signature(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path((id, key)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (copy, bytes) = uc::certified_copy_signature(&ctx, &u, &id, &key).await?;
    let name = format!("{}-{}.p7s", copy.component_key, &copy.file_sha256[..copy.file_sha256.len().min(12)]);
    Ok(motcua_pages::kit::http::download_response(uc::SIGNATURE_MEDIA_TYPE, &name, bytes, false))
}

/// Download an attached file (the reader must be allowed to read the dossier).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/files/{file_id}", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("file_id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn download_file(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path((id, file_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (f, bytes) = uc::file(&ctx, &u, &id, &file_id).await?;
    let r = file_response(&f, bytes, false);
    Ok(r)
}

pub(crate) use motcua_pages::kit::http::file_response;

/// Bytes to download, named.
pub(crate) fn file_response_named(media_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    motcua_pages::kit::http::download_response(media_type, name, bytes, false)
}

/// A document issued for a dossier: one of the forms of TT 03/2025 as PDF, or the signed
/// result, produced when its event happened.
#[derive(Serialize, ToSchema)]
pub struct DocumentDto {
    pub id: String,
    /// "01" receipt and appointment, "02" supplement request, "03" refusal, "04" apology and
    /// extension, "05" stop, "06" control slip; "KQ" the result, signed by the resolving
    /// official and sealed by the agency.
    pub form: String,
    pub name: String,
    /// Number and symbol printed on it.
    pub number: String,
    /// The dossier event (its sequence number) that produced it.
    pub event_seq: i64,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
    pub size: i64,
    /// What its QR code holds: the public verification address.
    pub verification_url: String,
    pub created_at: String,
    /// Where to download it.
    pub href: String,
}

/// The documents issued for a dossier, oldest first (whoever may read the dossier).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/documents", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<DocumentDto>), (status = 404, body = ErrorBody)))]
async fn list_documents(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DocumentDto>>> {
    let docs = uc::documents(&ctx, &u, &id).await?;
    Ok(Json(
        docs.into_iter()
            .map(|d| DocumentDto {
                href: format!("/api/v1/dossiers/{}/documents/{}", d.dossier_id, d.id),
                created_at: time(Some(d.created_at)).unwrap_or_default(),
                id: d.id,
                form: d.form,
                name: d.name,
                number: d.number,
                event_seq: d.event_seq,
                sha256: d.sha256,
                size: d.size,
                verification_url: d.qr,
            })
            .collect(),
    ))
}

/// Download a document issued for a dossier (a PDF; whoever may read the dossier).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/documents/{document_id}", tag = "dossiers", security(("session" = []), ("bearer" = [])),
    params(("id" = String, Path), ("document_id" = String, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), (status = 404, body = ErrorBody)))]
async fn download_document(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path((id, document_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let (doc, bytes) = uc::document(&ctx, &u, &id, &document_id).await?;
    let name = motcua_pages::documents::file_name(&doc);
    Ok(motcua_pages::kit::http::download_response("application/pdf", &name, bytes, false))
}

#[derive(Serialize, ToSchema)]
pub struct SlipRow {
    pub at: String,
    pub step: String,
    pub from_agency: Option<String>,
    pub to_agency: String,
    pub giver_id: String,
    pub giver_name: Option<String>,
    /// early, on_time, late for the step handed over.
    pub result: Option<String>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ControlSlip {
    pub code: Option<String>,
    pub procedure: String,
    pub applicant: String,
    pub competent_agency: Option<String>,
    pub received: Option<String>,
    pub appointment: Option<String>,
    pub rows: Vec<SlipRow>,
}

/// Data of the control slip (form 06): each hand-over with giver, receiver, time and the
/// result of the step handed over.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/control-slip", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ControlSlip), (status = 404, body = ErrorBody)))]
async fn control_slip(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<Json<ControlSlip>> {
    let d = uc::for_control_slip(&ctx, &u, &id).await?;
    let names = uc::user_names(&ctx, d.handovers.iter().map(|h| h.giver_id.clone()).collect()).await?;
    let rows = uc::slip_entries(&d, &names)
        .into_iter()
        .map(|e| SlipRow {
            at: time(Some(e.at)).unwrap_or_default(),
            step: e.step.unwrap_or_else(|| "Tiếp nhận hồ sơ".to_string()),
            from_agency: e.from_agency,
            to_agency: e.to,
            giver_name: names.get(&e.giver_id).cloned(),
            giver_id: e.giver_id,
            result: e
                .timeliness
                .map(|t| serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
            note: Some(e.note).filter(|n| !n.is_empty()),
        })
        .collect();
    Ok(Json(ControlSlip {
        code: d.code.clone(),
        procedure: d.procedure.name.clone(),
        applicant: d.applicant.name.clone(),
        competent_agency: d.competent.as_ref().map(|c| c.name.clone()),
        received: time(d.received_at),
        appointment: time(d.appointment_at),
        rows,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct RegisterParams {
    /// First day (YYYY-MM-DD); default today.
    from: Option<String>,
    /// Last day (YYYY-MM-DD); default `from`.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisterRow {
    pub no: usize,
    pub code: Option<String>,
    pub procedure: String,
    pub sets: u8,
    pub applicant: String,
    pub address_phone: String,
    pub competent_agency: Option<String>,
    pub received: Option<String>,
    pub appointment: Option<String>,
    pub transferred: Option<String>,
    pub result_received: Option<String>,
    pub returned: Option<String>,
    pub status: String,
    pub note: Option<String>,
}

/// The register (form 07): dossiers received where the officer works over a period.
#[utoipa::path(get, path = "/api/v1/register", tag = "dossiers", security(("session" = []), ("bearer" = [])), params(RegisterParams),
    responses((status = 200, body = Vec<RegisterRow>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Query(p): Query<RegisterParams>,
) -> ApiResult<Json<Vec<RegisterRow>>> {
    let parse = |f: &str, s: Option<&str>| -> ApiResult<Option<jiff::civil::Date>> {
        s.filter(|v| !v.is_empty())
            .map(|v| {
                v.parse().map_err(|_| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_date",
                        "Ngày không hợp lệ (YYYY-MM-DD).",
                        "Invalid date (YYYY-MM-DD).",
                    )
                    .with_field(f, "invalid_date", "Ngày không hợp lệ.", "Invalid date.")
                })
            })
            .transpose()
    };
    let from = parse("from", p.from.as_deref())?.unwrap_or_else(|| ctx.clock.today());
    let to = parse("to", p.to.as_deref())?.unwrap_or(from);
    let rows = uc::register_entries(&ctx, &u, from, to, motcua_app::access::AccessKind::RegisterRead).await?;
    Ok(Json(
        rows.into_iter()
            .map(|e| RegisterRow {
                no: e.no,
                code: e.code,
                procedure: e.procedure,
                sets: e.sets,
                applicant: e.applicant,
                address_phone: e.address_phone,
                competent_agency: e.competent,
                received: time(e.received_at),
                appointment: time(e.appointment_at),
                transferred: time(e.transferred_at),
                result_received: time(e.result_at),
                returned: time(e.returned_at),
                status: e.status.label_vi().to_string(),
                note: e.extension.map(|r| format!("Gia hạn: {r}")),
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TrackParams {
    /// Last four digits of the applicant's ID number or phone.
    check: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrackingDto {
    pub code: String,
    pub procedure: String,
    pub status: String,
    pub status_label_vi: &'static str,
    pub status_label_en: &'static str,
    pub national_status: Option<u8>,
    pub received: Option<String>,
    pub appointment: Option<String>,
    pub finished: Option<String>,
    pub returned: Option<String>,
    /// Where the dossier is now.
    pub agency: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "000.01.31.H40-260302-0001", "rating_code": "40271935", "satisfied": true, "comment": "Cán bộ hướng dẫn tận tình"}))]
pub struct CounterRatingBody {
    /// The dossier code on the receipt.
    pub code: String,
    /// The one-time rating code printed on the receipt of a paper dossier.
    pub rating_code: String,
    pub satisfied: bool,
    /// At most 2,000 characters.
    #[serde(default)]
    pub comment: Option<String>,
    /// Per dimension, each at most once, optional: `{"factor": "officer", "score": 4}`
    /// (SIPAS 1..5) or `{"factor": …, "satisfied": true}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub factors: Vec<motcua_domain::dossier::FactorRating>,
}

/// The rating as recorded: no personal data.
#[derive(Serialize, ToSchema)]
pub struct CounterRatingDto {
    pub code: String,
    pub satisfied: bool,
}

/// Rate a paper dossier at the counter's kiosk or second screen (no account): the dossier
/// code and the one-time rating code of the receipt, once, after the return (766
/// indicator 5.4). A wrong pair answers like an unknown code (404), under the tracking limits.
#[utoipa::path(post, path = "/api/v1/ratings", tag = "dossiers", request_body = CounterRatingBody,
    responses((status = 200, body = CounterRatingDto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody),
        (status = 429, description = "Too many attempts from this address or on this code (`Retry-After`)", body = ErrorBody)))]
async fn rate_at_counter(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    ApiJson(b): ApiJson<CounterRatingBody>,
) -> ApiResult<Json<CounterRatingDto>> {
    let d = uc::rate_at_counter(&ctx, &b.code, &b.rating_code, b.satisfied, b.comment, b.factors, client).await?;
    Ok(Json(CounterRatingDto { code: d.code.unwrap_or_default(), satisfied: b.satisfied }))
}

/// Public tracking by dossier code and a second factor. It shows status and dates only,
/// no personal data; a wrong factor answers like an unknown code (404).
#[utoipa::path(get, path = "/api/v1/tracking/{code}", tag = "dossiers", params(("code" = String, Path), TrackParams),
    responses((status = 200, body = TrackingDto), (status = 404, body = ErrorBody),
        (status = 429, description = "Too many checks from this address or of this code (`Retry-After`)", body = ErrorBody)))]
async fn tracking(
    State(ctx): State<AppContext>,
    ClientAddr(client): ClientAddr,
    Path(code): Path<String>,
    Query(p): Query<TrackParams>,
) -> ApiResult<Json<TrackingDto>> {
    let d = uc::track(&ctx, &code, &p.check, client).await?;
    Ok(Json(TrackingDto {
        code: d.code.clone().unwrap_or_default(),
        procedure: d.procedure.name.clone(),
        status: d.status.code().into(),
        status_label_vi: d.status.label_vi(),
        status_label_en: d.status.label_en(),
        national_status: d.status.national_code(),
        received: time(d.received_at),
        appointment: time(d.appointment_at),
        finished: time(d.finished_at),
        returned: time(d.returned.as_ref().map(|r| r.at)),
        agency: d.current_agency().name.clone(),
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct WorkflowDto {
    pub revision: i64,
    #[schema(value_type = Object)]
    pub workflow: Workflow,
}

/// A procedure's workflow: steps, acting agency and role, time budgets.
#[utoipa::path(get, path = "/api/v1/procedures/{code}/workflow", tag = "catalog", params(("code" = String, Path)),
    responses((status = 200, body = WorkflowDto), (status = 404, body = ErrorBody)))]
async fn get_workflow(State(ctx): State<AppContext>, Path(code): Path<String>) -> ApiResult<Json<WorkflowDto>> {
    let (revision, workflow) = uc::workflow(&ctx, &code).await?;
    Ok(Json(WorkflowDto { revision, workflow }))
}

/// Save a procedure's workflow (province administrators); the step budgets must fit the
/// procedure's legal time limit.
#[utoipa::path(put, path = "/api/v1/procedures/{code}/workflow", tag = "catalog", security(("session" = [])), params(("code" = String, Path)),
    request_body(content = Object, example = json!({"steps": [
        {"kind": "reception", "agency": {"type": "receiving"}, "role": "reception_officer", "budget": {"value": 4, "unit": "hours"}},
        {"kind": "appraisal", "agency": {"type": "competent"}, "role": "specialist", "budget": {"value": 3, "unit": "working_days"}},
        {"kind": "transfer", "name": "Lấy ý kiến Sở Xây dựng", "agency": {"type": "fixed", "code": "000.00.02.H40"}, "role": "specialist", "budget": {"value": 2, "unit": "working_days"}},
        {"kind": "approval", "agency": {"type": "competent"}, "role": "leader", "budget": {"value": 4, "unit": "hours"}}
    ]})),
    responses((status = 200, body = WorkflowDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_workflow(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    Path(code): Path<String>,
    ApiJson(w): ApiJson<Workflow>,
) -> ApiResult<Json<WorkflowDto>> {
    let (revision, workflow) = uc::set_workflow(&ctx, &u, &code, w).await?;
    Ok(Json(WorkflowDto { revision, workflow }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Cổng DVCQG – đồng bộ", "days": 365}))]
pub struct TokenRequest {
    pub name: String,
    #[serde(default)]
    pub days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenDto {
    /// Send as `Authorization: Bearer <token>`; shown only now.
    pub token: String,
}

/// Issue a bearer token for a machine client acting as the current user. It expires after
/// `days` (default 90, at most 3650) and ends when the password changes or the account is
/// disabled.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth", security(("session" = [])), request_body = TokenRequest,
    responses((status = 201, body = TokenDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(ctx): State<AppContext>,
    Auth(u): Auth,
    ApiJson(r): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenDto>)> {
    let token = motcua_app::auth::create_token(&ctx, &u, &r.name, r.days).await?;
    Ok((StatusCode::CREATED, Json(TokenDto { token })))
}

/// A bearer token as its owner sees it (never the secret). Times are unix milliseconds.
#[derive(Serialize, ToSchema)]
pub struct TokenInfoDto {
    /// Identifies the token for revoking it.
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// The current user's bearer tokens, newest first (the last 200).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth", security(("session" = [])),
    responses((status = 200, body = Vec<TokenInfoDto>), (status = 401, body = ErrorBody)))]
async fn list_tokens(State(ctx): State<AppContext>, Auth(u): Auth) -> ApiResult<Json<Vec<TokenInfoDto>>> {
    let tokens = motcua_app::auth::list_tokens(&ctx, &u).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenInfoDto {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                expires_at: t.expires_at,
                last_used_at: t.last_used_at,
                revoked_at: t.revoked_at,
            })
            .collect(),
    ))
}

/// Revoke one of the current user's bearer tokens; it is refused from then on.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth", security(("session" = [])), params(("id" = String, Path)),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_token(State(ctx): State<AppContext>, Auth(u): Auth, Path(id): Path<String>) -> ApiResult<StatusCode> {
    motcua_app::auth::revoke_token(&ctx, &u, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct KpiParams {
    /// First local day, YYYY-MM-DD.
    from: String,
    /// Last local day, YYYY-MM-DD.
    to: String,
}

/// Counter totals (received by channel, finished early / on time / late, supplements,
/// refusals, digitized, paid online, online checks answered late `check_late`…) over local
/// days, with, now, the online dossiers still waiting for their check past its due time
/// (`check_overdue_waiting`) and both together (`check_overdue`), for the reception points under the
/// agencies where the caller is a supervisor or administrator (the root's: the province).
/// `indicators` holds the 766 indicators computed from these counters so far: 4.3, dossiers
/// reusing digitized data (numerator, denominator, ratio, points of 2, full at 80 %).
#[utoipa::path(get, path = "/api/v1/kpi", tag = "dossiers", security(("session" = [])), params(KpiParams),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
async fn kpi(State(ctx): State<AppContext>, Auth(u): Auth, Query(p): Query<KpiParams>) -> ApiResult<Json<serde_json::Value>> {
    let totals = uc::kpi_totals(&ctx, &u, &p.from, &p.to).await?;
    let get = |name: &str| totals.iter().find(|(k, _)| k == name).map_or(0, |(_, v)| *v);
    let reuse = motcua_app::usecases::catalog::reuse_indicator(get("received"), get("reused"));
    let mut body: serde_json::Map<String, serde_json::Value> = totals.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    body.insert("indicators".into(), json!([reuse]));
    Ok(Json(serde_json::Value::Object(body)))
}
