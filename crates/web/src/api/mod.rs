//! The JSON API under `/api/v1`, documented in OpenAPI (`/api/openapi.json`).

pub mod access_log;
pub mod agencies;
pub mod archive;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod dossiers;
pub mod dvcqg;
pub mod indicators;
pub mod locker;
pub mod national_catalog;
pub mod notices;
pub mod notifications;
pub mod payments;
pub mod petitions;
pub mod post;
pub mod queue;
pub mod ratings;
pub mod reconciliation;
pub mod reports;
pub mod targets;
pub mod users;
pub mod verification;

use crate::error::ErrorBody;
use motcua_app::AppContext;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "API của hệ thống một cửa điện tử motcua. Lỗi luôn có dạng {code, message_vi, message_en, fields}. \
                       Các yêu cầu thay đổi dữ liệu bằng phiên trình duyệt phải gửi kèm tiêu đề X-CSRF-Token.\n\n\
                       API of the motcua one-stop system. Errors are always {code, message_vi, message_en, fields}. \
                       State-changing requests made with a browser session must send the X-CSRF-Token header.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(ErrorBody)),
    modifiers(&SessionCookie),
    tags(
        (name = "auth", description = "Đăng nhập, phiên làm việc / login and sessions"),
        (name = "agencies", description = "Cơ quan, đơn vị / agencies"),
        (name = "users", description = "Người dùng / users"),
        (name = "audit", description = "Nhật ký kiểm toán / audit log"),
        (name = "catalog", description = "Danh mục thủ tục hành chính / procedure catalog"),
        (name = "dossiers", description = "Hồ sơ: nộp, tiếp nhận, giải quyết, trả kết quả, tra cứu / dossiers"),
        (name = "calendar", description = "Lịch âm, ngày làm việc, thời hạn / lunar calendar, working days, deadlines"),
        (name = "verification", description = "Xác thực giấy tờ do hệ thống cấp (công khai) / public verification of issued documents"),
        (name = "ops", description = "Vận hành / operations"),
        (name = "indicators", description = "Chỉ số, Bộ chỉ số 766 / indicators and the 766 index"),
        (name = "petitions", description = "Phản ánh, kiến nghị (PAKN) / petitions"),
        (name = "queue", description = "Xếp hàng, lấy số, đặt lịch hẹn / queue tickets and appointments"),
    )
)]
pub struct ApiDoc;

struct SessionCookie;

impl utoipa::Modify for SessionCookie {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::extract::SESSION_COOKIE))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                utoipa::openapi::security::HttpBuilder::new().scheme(utoipa::openapi::security::HttpAuthScheme::Bearer).build(),
            ),
        );
    }
}

pub fn router() -> OpenApiRouter<AppContext> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(agencies::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(access_log::router())
        .merge(calendar::router())
        .merge(catalog::router())
        .merge(national_catalog::router())
        .merge(dossiers::router())
        .merge(dvcqg::router())
        .merge(locker::router())
        .merge(notices::router())
        .merge(notifications::router())
        .merge(payments::router())
        .merge(petitions::router())
        .merge(post::router())
        .merge(queue::router())
        .merge(reconciliation::router())
        .merge(indicators::router())
        .merge(archive::router())
        .merge(ratings::router())
        .merge(targets::router())
        .merge(reports::router())
        .merge(verification::router())
        .merge(crate::ops::api_router())
}
