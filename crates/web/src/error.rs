//! The one mapping from application errors to HTTP: every error is JSON
//! `{code, message_vi, message_en, fields}` with a fitting 4xx/5xx status.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use motcua_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    /// Path of the offending input field, e.g. `username` or `memberships[0].role`.
    pub field: String,
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

/// Body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "invalid_username", "message_vi": "Tên đăng nhập phải có 3–64 ký tự…", "message_en": "The username must have 3–64 characters…", "fields": [{"field": "username", "code": "invalid_username", "message_vi": "…", "message_en": "…"}]}))]
pub struct ErrorBody {
    /// Machine code, stable across versions.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
    pub fields: Vec<FieldErrorBody>,
}

/// An error on its way out, with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after_secs: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody { code: code.into(), message_vi: vi.into(), message_en: en.into(), fields: Vec::new() },
            retry_after_secs: None,
        }
    }

    pub fn with_field(mut self, field: &str, code: &str, vi: impl Into<String>, en: impl Into<String>) -> Self {
        self.body.fields.push(FieldErrorBody {
            field: field.into(),
            code: code.into(),
            message_vi: vi.into(),
            message_en: en.into(),
        });
        self
    }

    /// The generic error for a bare status (used for errors raised below the handlers).
    pub fn for_status(status: StatusCode) -> Self {
        let (code, vi, en) = match status.as_u16() {
            400 => ("bad_request", "Yêu cầu không hợp lệ.", "Bad request."),
            401 => ("not_authenticated", "Vui lòng đăng nhập để tiếp tục.", "Please log in to continue."),
            403 => ("forbidden", "Bạn không có quyền thực hiện thao tác này.", "You are not allowed to do this."),
            404 => ("not_found", "Không tìm thấy địa chỉ hoặc dữ liệu yêu cầu.", "Not found."),
            405 => {
                ("method_not_allowed", "Phương thức không được hỗ trợ cho địa chỉ này.", "Method not allowed for this address.")
            }
            408 => ("request_timeout", "Yêu cầu xử lý quá lâu và đã bị dừng.", "The request took too long and was stopped."),
            413 => ("payload_too_large", "Dữ liệu gửi lên vượt quá dung lượng cho phép.", "The request body is too large."),
            415 => (
                "unsupported_media_type",
                "Định dạng dữ liệu không được hỗ trợ (cần application/json).",
                "Unsupported media type (application/json expected).",
            ),
            429 => ("too_many_requests", "Quá nhiều yêu cầu; vui lòng thử lại sau.", "Too many requests; please retry later."),
            503 => ("service_unavailable", "Hệ thống tạm thời không sẵn sàng.", "The service is temporarily unavailable."),
            s if s >= 500 => {
                ("internal_error", "Đã có lỗi trong hệ thống; vui lòng thử lại sau.", "Something went wrong on our side.")
            }
            _ => ("error", "Yêu cầu không thực hiện được.", "The request could not be completed."),
        };
        Self::new(status, code, vi, en)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        let retry_after_secs = e.retry_after_secs();
        ApiError {
            status,
            body: ErrorBody {
                code: e.code().into(),
                message_vi: e.message_vi(),
                message_en: e.message_en(),
                fields: e
                    .fields()
                    .into_iter()
                    .map(|f| FieldErrorBody {
                        field: f.field,
                        code: f.code.into(),
                        message_vi: f.message_vi,
                        message_en: f.message_en,
                    })
                    .collect(),
            },
            retry_after_secs,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut r = (self.status, Json(self.body)).into_response();
        if let Some(s) = self.retry_after_secs
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The API's errors shown as error pages (an error below the handlers at a page address).
impl From<ApiError> for motcua_pages::kit::PageError {
    fn from(e: ApiError) -> Self {
        motcua_pages::kit::PageError {
            retry_after_secs: e.retry_after_secs,
            ..motcua_pages::kit::PageError::new(e.status, &e.body.code, e.body.message_vi, e.body.message_en)
        }
    }
}
