//! Life-cycle rules of the law (issue #11), through the HTTP API on both backends; each test
//! is named after its rule, like the domain unit test beside the guard table.

use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune, 3 working days, counter reception.
const COMMUNE: &str = "1.004873";

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = d["version"].clone();
    c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

both_backends! {
    async fn sending_back_to_reception_keeps_national_status_4(app) {
        app.ctx.clock.set("2026-03-02T09:00:00+07:00".parse::<jiff::Timestamp>().unwrap().as_millisecond());
        let clerk = app.login("tiepnhan.hoalu").await;
        let (s, d) = clerk
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE,
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let (_, d) = step(&clerk, &d, "forward", json!({})).await;
        assert_eq!(d["national_status"], 4);
        let specialist = app.login("chuyenvien.hoalu").await;
        let (s, d) = step(&specialist, &d, "send-back", json!({"reason": "Thiếu xác nhận nơi cư trú"})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        // Back at the reception step, still "Đang xử lý" (4), never "Được tiếp nhận" (2) again.
        assert_eq!((d["step"].as_i64(), d["status"].as_str(), d["national_status"].as_i64()), (Some(0), Some("in_progress"), Some(4)), "{d}");
        let (s, d) = step(&clerk, &d, "forward", json!({"note": "Đã bổ sung xác nhận"})).await;
        assert_eq!((s, d["national_status"].as_i64()), (StatusCode::OK, Some(4)), "{d}");
        let (_, replayed) = motcua_app::usecases::dossiers::replay(&app.ctx, d["id"].as_str().unwrap()).await.unwrap();
        assert_eq!(replayed.status.national_code(), Some(4));
    }
}
