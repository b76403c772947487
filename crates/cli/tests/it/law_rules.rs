//! Rules of the law (issue #11): deadlines and the dossier life cycle, through the HTTP API on
//! both backends. Each test is named after the rule it checks; the domain has a unit test of
//! the same name.

use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune, 3 working days, counter reception.
const COMMUNE: &str = "1.004873";

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

/// A counter reception of the commune procedure by `clerk`.
async fn counter_filing(clerk: &Client) -> Value {
    let (s, d) = clerk
        .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE,
            "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> (StatusCode, Value) {
    body["version"] = d["version"].clone();
    c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await
}

/// A commune dossier received Monday 2 March 09:00 whose fees are noticed at once and paid
/// in cash on Wednesday 09:00: its due date before and after.
async fn fees_paid_two_working_days_later(app: &TestApp) -> (i64, i64) {
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let clerk = app.login("tiepnhan.hoalu").await;
    let d = counter_filing(&clerk).await;
    let due = d["due_at"].as_i64().unwrap();
    let (s, d) = step(&clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí", "amount": 8000}]})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    app.ctx.clock.set(vn("2026-03-04T09:00:00"));
    let (s, d) = step(&clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-0001"})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    (due, d["due_at"].as_i64().unwrap())
}

both_backends! {
    async fn saturday_sessions_do_not_make_saturday_a_legal_working_day(app) {
        // Phường Hoa Lư's counter opens Saturday mornings for reception and return.
        let admin = app.login("admin").await;
        let counter = app.agency_id("000.02.31.H40").await;
        let hours = json!({"monday": ["07:30-11:30", "13:30-17:00"], "tuesday": ["07:30-11:30", "13:30-17:00"],
            "wednesday": ["07:30-11:30", "13:30-17:00"], "thursday": ["07:30-11:30", "13:30-17:00"],
            "friday": ["07:30-11:30", "13:30-17:00"], "saturday": ["07:30-11:30"], "make_up": ["07:30-11:30", "13:30-17:00"]});
        let (s, b) = admin.send(reqwest::Method::PUT, &format!("/api/v1/agencies/{counter}/office-hours"), Some(hours)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        // Received Wednesday 4 March: 3 working days are Thursday, Friday and Monday 9 March,
        // not Saturday 7 March 11:30.
        app.ctx.clock.set(vn("2026-03-04T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = counter_filing(&clerk).await;
        assert_eq!(d["status"], "received");
        assert_eq!(d["due_at"].as_i64(), Some(vn("2026-03-09T17:00:00")), "{d}");
        assert_eq!(d["appointment_at"], d["due_at"]);
    }

    async fn within_the_day_received_after_the_last_session_is_due_the_next_working_day(app) {
        let c = app.client();
        for (from, want) in [
            ("2026-03-10T18:00:00%2B07:00", "2026-03-11T17:00:00+07:00"),
            ("2026-03-10T17:00:00%2B07:00", "2026-03-11T17:00:00+07:00"),
            ("2026-02-13T19:00:00%2B07:00", "2026-02-23T17:00:00+07:00"),
            ("2026-03-10T16:59:00%2B07:00", "2026-03-10T17:00:00+07:00"),
        ] {
            let (s, b) = c.get(&format!("/api/v1/calendar/due?from={from}&working_days=0")).await;
            assert_eq!(s, StatusCode::OK, "{b}");
            assert_eq!(b["due"], want, "received {from}");
        }
    }

    async fn culture_day_on_a_weekend_gives_no_compensatory_day_unless_set(app) {
        // Saturday 24/11/2029 is a holiday (NQ 28/2026/QH16); Monday 26/11 stays a working day.
        let (s, y) = app.client().get("/api/v1/calendar/years/2029").await;
        assert_eq!(s, StatusCode::OK, "{y}");
        let text = y.to_string();
        assert!(text.contains("2029-11-24"), "24/11 is listed: {y}");
        assert!(!text.contains("2029-11-26"), "no compensatory Monday: {y}");
        let (s, b) = app.client().get("/api/v1/calendar/due?from=2029-11-23T09:00:00%2B07:00&working_days=1").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["due"], "2029-11-26T17:00:00+07:00");
    }

    async fn sending_back_to_reception_keeps_national_status_4(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = counter_filing(&clerk).await;
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

    async fn a_payment_wait_pauses_the_clock_only_where_the_procedure_says_so(app) {
        // The general rule (766 subtracts only supplement time): the deadline stays.
        let (due, after) = fees_paid_two_working_days_later(&app).await;
        assert_eq!(after, due, "no pause by default");
        // The procedure turns the pause on, as the land procedures of the demo catalog do.
        let (_, p) = app.client().get(&format!("/api/v1/procedures/{COMMUNE}")).await;
        assert_eq!(p["spec"]["counting"].get("payment_pauses_clock"), None, "off, and not written when off: {p}");
        let mut spec = p["spec"].clone();
        spec["counting"]["payment_pauses_clock"] = json!(true);
        let admin = app.login("admin").await;
        let (s, b) = admin.post(&format!("/api/v1/procedures/{COMMUNE}/versions"), json!({"spec": spec, "effective_from": "2026-03-01"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (due, after) = fees_paid_two_working_days_later(&app).await;
        assert_eq!((due, after), (vn("2026-03-05T17:00:00"), vn("2026-03-09T17:00:00")), "the two working days of waiting are added back");
        let (_, land) = app.client().get("/api/v1/procedures/1.910502.H40").await;
        assert_eq!(land["spec"]["counting"]["payment_pauses_clock"], true, "{land}");
    }

    async fn an_extension_is_classified_against_the_original_due_date(app) {
        // Received Monday 2 March 09:00, 3 working days: due Thursday 5 March 17:00.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let d = counter_filing(&clerk).await;
        let (s, d) = step(&leader, &d, "extension", json!({"reason": "Cần xác minh nơi cư trú", "new_date": "2026-03-10"})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["due_at"].as_i64(), Some(vn("2026-03-05T17:00:00")), "the legal due date does not move");
        let (_, d) = step(&clerk, &d, "forward", json!({})).await;
        let (_, d) = step(&specialist, &d, "forward", json!({})).await;
        app.ctx.clock.set(vn("2026-03-04T10:00:00"));
        let (s, d) = step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["timeliness"], "early", "finished before the original due date: not late, though extended");
        assert!(d["extension"].is_object(), "{d}");
        let (_, k) = app.login("giamsat").await.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
        assert_eq!((k["extended"].as_i64(), k["finished_early"].as_i64(), k["finished_late"].as_i64()), (Some(1), Some(1), None), "{k}");
    }

    async fn the_apology_letter_comes_at_the_latest_one_working_day_before_the_due_date(app) {
        // Due Thursday 5 March 17:00: Wednesday is the last day for the letter.
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let d = counter_filing(&clerk).await;
        let events = app.count("dossier_events").await;
        app.ctx.clock.set(vn("2026-03-05T08:00:00"));
        let (s, b) = step(&leader, &d, "extension", json!({"reason": "Cần xác minh", "new_date": "2026-03-12"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("past_due")), "{b}");
        assert!(b["message_vi"].as_str().unwrap_or_default().contains("chậm nhất 01 ngày làm việc"), "{b}");
        assert_eq!(app.count("dossier_events").await, events, "nothing recorded");
        app.ctx.clock.set(vn("2026-03-04T16:30:00"));
        let (s, d) = step(&leader, &d, "extension", json!({"reason": "Cần xác minh", "new_date": "2026-03-12"})).await;
        assert_eq!(s, StatusCode::OK, "{d}");
        assert_eq!(d["appointment_at"].as_i64(), Some(vn("2026-03-12T17:00:00")));
    }

    async fn a_counter_dossier_is_handed_over_the_same_working_day_or_next_morning_after_15h(app) {
        let clerk = app.login("tiepnhan.hoalu").await;
        for (received, handover_by) in [
            ("2026-03-02T14:59:00", "2026-03-02T17:00:00"),
            ("2026-03-02T15:01:00", "2026-03-03T08:30:00"),
            // Friday after 15:00: Monday's first office hour.
            ("2026-03-06T16:00:00", "2026-03-09T08:30:00"),
        ] {
            app.ctx.clock.set(vn(received));
            let d = counter_filing(&clerk).await;
            assert_eq!(d["step_due_at"].as_i64(), Some(vn(handover_by)), "received {received}: {d}");
            // The legal deadline is not moved by the hand-over rule.
            assert_eq!(d["counted_from"].as_i64(), Some(vn(received)), "{d}");
        }
    }
}
