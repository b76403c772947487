//! The application's one error type. The web crate renders it as
//! `{code, message_vi, message_en, fields}` with the status that fits.

use motcua_domain::calendar::CalendarError;
use motcua_domain::error::{FieldError, ValidationError};
use motcua_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("forbidden")]
    Forbidden,
    /// Not logged in, bad credentials, or an expired session.
    #[error("unauthenticated: {code}")]
    Unauthenticated { code: &'static str },
    /// Too many attempts from this client or in total (429), or the server is saturated
    /// (503); answered with `Retry-After`.
    #[error("throttled: {code}")]
    Throttled { http: u16, code: &'static str, retry_after_secs: i64 },
    /// The request conflicts with stored data (duplicate code, stale version…).
    #[error("conflict: {code}")]
    Conflict { code: &'static str, field: Option<&'static str>, vi: &'static str, en: &'static str },
    /// A calendar or deadline input that cannot be honoured (31 February, a leap month that
    /// does not exist, a bad schedule file…).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
    /// A dossier command that its current status does not allow.
    #[error("{command} not allowed in status {status:?}")]
    Transition { command: &'static str, status: motcua_domain::dossier::Status },
    /// Input refused with a specific HTTP status (413, 415 for uploads).
    #[error("refused: {code}")]
    Refused { http: u16, code: &'static str, vi: String, en: String },
    #[error("store: {0}")]
    Store(StoreError),
    #[error("internal: {0}")]
    Internal(String),
    /// The database cannot be migrated by this binary (a changed applied migration, a
    /// database newer than the binary): the start stops with the store's bilingual message.
    #[error(transparent)]
    Migrate(motcua_store::migrate::MigrateError),
}

impl From<motcua_store::migrate::MigrateError> for AppError {
    fn from(e: motcua_store::migrate::MigrateError) -> Self {
        match e {
            motcua_store::migrate::MigrateError::Store(s) => AppError::from(s),
            other => AppError::Migrate(other),
        }
    }
}

/// Unique constraints that users can trip, as field errors.
const UNIQUE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "uq_agencies_code",
        "code",
        "agency_code_taken",
        "Mã định danh cơ quan này đã được sử dụng.",
        "This agency code is already in use.",
    ),
    ("uq_users_username", "username", "username_taken", "Tên đăng nhập này đã được sử dụng.", "This username is already taken."),
    (
        "uq_users_citizen_id",
        "citizen_id",
        "citizen_id_taken",
        "Số định danh cá nhân này đã gắn với một tài khoản khác.",
        "This citizen ID already belongs to another account.",
    ),
];

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound { what: "record" },
            StoreError::Unique { constraint } => match UNIQUE.iter().find(|u| u.0 == constraint) {
                Some((_, field, code, vi, en)) => AppError::Validation(ValidationError::single(*field, code, *vi, *en)),
                None => AppError::Conflict {
                    code: "duplicate",
                    field: None,
                    vi: "Dữ liệu đã tồn tại.",
                    en: "This record already exists.",
                },
            },
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn not_found(what: &'static str) -> Self {
        AppError::NotFound { what }
    }

    /// The HTTP status this error is answered with, for the API and the pages alike.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation(_) | AppError::Calendar(_) => 422,
            AppError::NotFound { .. } => 404,
            AppError::Forbidden => 403,
            AppError::Unauthenticated { .. } => 401,
            AppError::Throttled { http, .. } => *http,
            AppError::Conflict { .. } | AppError::Transition { .. } => 409,
            AppError::Refused { http, .. } => *http,
            AppError::Store(StoreError::Unavailable(_)) => 503,
            AppError::Store(_) | AppError::Internal(_) => 500,
            AppError::Migrate(_) => 503,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation(v) if v.0.len() == 1 => v.0[0].code,
            AppError::Validation(_) => "validation_failed",
            AppError::NotFound { .. } => "not_found",
            AppError::Forbidden => "forbidden",
            AppError::Unauthenticated { code } => code,
            AppError::Throttled { code, .. } => code,
            AppError::Conflict { code, .. } => code,
            AppError::Calendar(e) => e.code(),
            AppError::Transition { .. } => "invalid_transition",
            AppError::Refused { code, .. } => code,
            AppError::Store(StoreError::Unavailable(_)) => "service_unavailable",
            AppError::Store(_) | AppError::Internal(_) => "internal_error",
            AppError::Migrate(e) => e.code(),
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            AppError::Validation(v) if v.0.len() == 1 => v.0[0].message_vi.clone(),
            AppError::Validation(_) => "Dữ liệu nhập chưa hợp lệ; xem chi tiết từng trường.".into(),
            AppError::NotFound { .. } => "Không tìm thấy dữ liệu yêu cầu.".into(),
            AppError::Forbidden => "Bạn không có quyền thực hiện thao tác này.".into(),
            AppError::Unauthenticated { code } => match *code {
                "invalid_credentials" => "Tên đăng nhập hoặc mật khẩu không đúng.".into(),
                "session_expired" => "Phiên làm việc đã hết hạn; vui lòng đăng nhập lại.".into(),
                "account_disabled" => "Tài khoản đã bị vô hiệu hóa.".into(),
                _ => "Vui lòng đăng nhập để tiếp tục.".into(),
            },
            AppError::Throttled { code, retry_after_secs, .. } => {
                let wait = wait_vi(*retry_after_secs);
                match *code {
                    "login_busy" => format!("Hệ thống đang bận xử lý nhiều lượt đăng nhập; vui lòng thử lại sau {wait}."),
                    "login_throttled" => format!("Đăng nhập sai nhiều lần; vui lòng thử lại sau {wait}."),
                    "tracking_throttled" => {
                        format!(
                            "Tra cứu sai nhiều lần với mã hồ sơ này; vui lòng kiểm tra lại giấy tiếp nhận và thử lại sau {wait}."
                        )
                    }
                    _ => format!("Quá nhiều yêu cầu; vui lòng thử lại sau {wait}."),
                }
            }
            AppError::Conflict { vi, .. } => (*vi).into(),
            AppError::Calendar(e) => e.message_vi(),
            AppError::Transition { command, status } => motcua_domain::dossier::DossierError::transition_vi(command, *status),
            AppError::Refused { vi, .. } => vi.clone(),
            AppError::Store(StoreError::Unavailable(_)) => "Hệ thống đang bận hoặc tạm ngừng; vui lòng thử lại sau.".into(),
            AppError::Store(_) | AppError::Internal(_) => "Đã có lỗi trong hệ thống; vui lòng thử lại sau.".into(),
            AppError::Migrate(e) => e.message_vi(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AppError::Validation(v) if v.0.len() == 1 => v.0[0].message_en.clone(),
            AppError::Validation(_) => "Some fields are invalid; see each field.".into(),
            AppError::NotFound { what } => format!("The requested {what} was not found."),
            AppError::Forbidden => "You are not allowed to do this.".into(),
            AppError::Unauthenticated { code } => match *code {
                "invalid_credentials" => "Wrong username or password.".into(),
                "session_expired" => "Your session has expired; please log in again.".into(),
                "account_disabled" => "This account is disabled.".into(),
                _ => "Please log in to continue.".into(),
            },
            AppError::Throttled { code, retry_after_secs, .. } => {
                let wait = wait_en(*retry_after_secs);
                match *code {
                    "login_busy" => format!("The service is busy with many logins; please retry in {wait}."),
                    "login_throttled" => format!("Too many failed logins; please retry in {wait}."),
                    "tracking_throttled" => {
                        format!("Too many wrong checks for this dossier code; check your receipt and retry in {wait}.")
                    }
                    _ => format!("Too many requests; please retry in {wait}."),
                }
            }
            AppError::Conflict { en, .. } => (*en).into(),
            AppError::Calendar(e) => e.message_en(),
            AppError::Transition { command, status } => {
                format!("The dossier cannot {} while it is “{}”.", command.replace('_', " "), status.label_en())
            }
            AppError::Refused { en, .. } => en.clone(),
            AppError::Store(StoreError::Unavailable(_)) => "The service is busy or unavailable; please retry later.".into(),
            AppError::Store(_) | AppError::Internal(_) => "Something went wrong on our side; please retry later.".into(),
            AppError::Migrate(e) => e.message_en(),
        }
    }

    /// Seconds a client should wait before retrying, for `Retry-After`.
    pub fn retry_after_secs(&self) -> Option<i64> {
        match self {
            AppError::Throttled { retry_after_secs, .. } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// A throttle error for a wait in milliseconds (rounded up to whole seconds).
    pub fn throttled(http: u16, code: &'static str, wait_ms: i64) -> Self {
        AppError::Throttled { http, code, retry_after_secs: ((wait_ms + 999) / 1000).max(1) }
    }

    pub fn fields(&self) -> Vec<FieldError> {
        match self {
            AppError::Validation(v) => v.0.clone(),
            AppError::Conflict { field: Some(f), code, vi, en } => vec![FieldError::new(*f, code, *vi, *en)],
            // Every problem of a rejected schedule file, by line (or JSON path).
            AppError::Calendar(CalendarError::ScheduleInvalid { issues }) => issues
                .iter()
                .map(|i| {
                    let field = match (i.line, &i.path) {
                        (Some(l), _) => format!("line {l}"),
                        (None, Some(p)) => p.clone(),
                        (None, None) => "file".into(),
                    };
                    FieldError::new(field, i.code, i.message_vi.clone(), i.message_en.clone())
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn wait_vi(secs: i64) -> String {
    if secs >= 120 { format!("{} phút", (secs + 59) / 60) } else { format!("{secs} giây") }
}

fn wait_en(secs: i64) -> String {
    if secs >= 120 { format!("{} minutes", (secs + 59) / 60) } else { format!("{secs} seconds") }
}

/// "HH:MM dd/mm/yyyy" in Asia/Ho_Chi_Minh.
pub fn hanoi_time(ms: i64) -> String {
    let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(7));
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(t) => t.to_zoned(tz).strftime("%H:%M %d/%m/%Y").to_string(),
        Err(_) => ms.to_string(),
    }
}
