//! The counter hall's queue (issue #18), on both backends, the clock fixed to Monday
//! 2 March 2026 in opening hours: tickets numbered per group and day, the counter's calls
//! (concurrent calls get distinct tickets), an appointment booked online called first in
//! its slot, the dossier received while serving linked to the ticket, the board showing
//! numbers only, each bad input refused with nothing written, other centres' officers
//! refused, and the figures.

use crate::officer_pages::vn;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PROVINCE_CENTRE: &str = "000.00.20.H40";
const HOA_LU_CENTRE: &str = "000.01.31.H40";

async fn count(app: &TestApp, sql: &'static str) -> i64 {
    app.ctx.store.read(move |db| db.query_one(sql, &[])?.i64(0)).await.unwrap()
}

/// The id of a centre's group by prefix, and of a counter by number.
async fn ids(app: &TestApp, centre: &str, prefix: &str, counter: &str) -> (String, String) {
    let officer = app.login(if centre == PROVINCE_CENTRE { "tiepnhan" } else { "tiepnhan.hoalu" }).await;
    let (s, desk) = officer.get(&format!("/api/v1/queue/desk?centre={centre}")).await;
    assert_eq!(s, StatusCode::OK, "{desk}");
    let g =
        desk["groups"].as_array().unwrap().iter().find(|g| g["prefix"] == prefix).unwrap()["id"].as_str().unwrap().to_string();
    let c =
        desk["counters"].as_array().unwrap().iter().find(|c| c["number"] == counter).unwrap()["id"].as_str().unwrap().to_string();
    (g, c)
}

async fn issue(app: &TestApp, group: &str) -> Value {
    let (s, t) = app.client().post("/api/v1/queue/tickets", json!({"group_id": group})).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

fn code(b: &Value) -> &str {
    b["code"].as_str().unwrap_or_default()
}

async fn counter_received(clerk: &Client) -> Value {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.910203.H40", "summary": "Cấp lại thẻ",
                "applicant": {"name": "Trần Thị Bình", "id_number": "037092004321", "phone": "0912000111"},
                "components": [{"key": "to_khai", "provided": true}, {"key": "anh_the", "provided": true},
                               {"key": "giay_to_quoc_tich", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

fn clone(c: &Client) -> Client {
    Client { http: c.http.clone(), base: c.base.clone(), csrf: c.csrf.clone() }
}

both_backends! {
    async fn ticket_numbering_serving_linking_and_board(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (a, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let (b, _) = ids(&app, PROVINCE_CENTRE, "B", "1").await;
        let (s, kiosk) = app.client().get(&format!("/api/v1/queue/kiosk?centre={PROVINCE_CENTRE}")).await;
        assert_eq!(s, StatusCode::OK, "{kiosk}");
        assert!(kiosk["groups"].as_array().unwrap().iter().all(|g| g["open_now"] == true), "{kiosk}");

        let t1 = issue(&app, &a).await;
        let t2 = issue(&app, &a).await;
        let t3 = issue(&app, &b).await;
        assert_eq!((t1["number"].as_str(), t2["number"].as_str(), t3["number"].as_str()), (Some("A001"), Some("A002"), Some("B001")));
        assert_eq!((t1["ahead"].as_i64(), t2["ahead"].as_i64(), t3["ahead"].as_i64()), (Some(0), Some(1), Some(0)));

        // The holder follows the ticket with its token; without it, nothing.
        let id2 = t2["id"].as_str().unwrap();
        let (s, f) = app.client().get(&format!("/api/v1/queue/tickets/{id2}?token={}", t2["token"].as_str().unwrap())).await;
        assert_eq!((s, f["ahead"].as_i64(), f["status"].as_str()), (StatusCode::OK, Some(1), Some("waiting")), "{f}");
        let (s, _) = app.client().get(&format!("/api/v1/queue/tickets/{id2}?token=nope")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The counter calls A001; a second call while it is at hand is refused.
        let clerk = app.login("tiepnhan").await;
        let (s, called) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!((s, called["number"].as_str(), called["counter"].as_str()), (StatusCode::OK, Some("A001"), Some("1")), "{called}");
        let (s, e) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "counter_busy"), "{e}");
        let (s, f) = app.client().get(&format!("/api/v1/queue/tickets/{id2}?token={}", t2["token"].as_str().unwrap())).await;
        assert_eq!((s, f["ahead"].as_i64()), (StatusCode::OK, Some(0)), "{f}");

        // The board: numbers and counters only.
        let (s, board) = app.client().get(&format!("/api/v1/queue/board?centre={PROVINCE_CENTRE}")).await;
        assert_eq!(s, StatusCode::OK, "{board}");
        assert_eq!(board["lines"].as_array().unwrap().len(), 1, "{board}");
        let line = &board["lines"][0];
        assert_eq!((line["number"].as_str(), line["counter"].as_str()), (Some("A001"), Some("1")));
        let mut keys: Vec<&String> = line.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["call_key", "counter", "number", "serving"], "{line}");
        let key1 = line["call_key"].as_str().unwrap().to_string();

        let id1 = called["id"].as_str().unwrap();
        app.ctx.clock.set(vn("2026-03-02T09:05:00"));
        let (s, r) = clerk.post(&format!("/api/v1/queue/tickets/{id1}/recall"), json!({})).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("called")), "{r}");
        let (_, board) = app.client().get(&format!("/api/v1/queue/board?centre={PROVINCE_CENTRE}")).await;
        assert_ne!(board["lines"][0]["call_key"].as_str().unwrap(), key1, "a recall is announced again");
        // Not yet being served: cannot finish.
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id1}/finish"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "ticket_action_not_allowed"), "{e}");
        let (s, r) = clerk.post(&format!("/api/v1/queue/tickets/{id1}/start"), json!({})).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("serving")), "{r}");

        // A dossier received while serving is linked to the ticket.
        app.ctx.clock.set(vn("2026-03-02T09:15:00"));
        let d = counter_received(&clerk).await;
        let (s, r) = clerk.post(&format!("/api/v1/queue/tickets/{id1}/finish"), json!({})).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("done")), "{r}");
        assert_eq!(r["dossiers"], json!([d["code"]]), "{r}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_ticket_dossiers").await, 1);
        // Finished: neither called again nor skipped.
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id1}/skip"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "ticket_action_not_allowed"), "{e}");

        // Next: A002, not there (no-show).
        let (_, n) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!(n["number"], "A002");
        let (s, r) = clerk.post(&format!("/api/v1/queue/tickets/{}/skip", n["id"].as_str().unwrap()), json!({})).await;
        assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("no_show")), "{r}");
        // Counter 1 serves group A only: B001 is not its to call.
        let (s, e) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::NOT_FOUND, "queue_empty"), "{e}");

        // The next working day starts again at 001.
        app.ctx.clock.set(vn("2026-03-03T08:00:00"));
        assert_eq!(issue(&app, &a).await["number"], "A001");

        // Figures of the first day.
        let admin = app.login("admin").await;
        let (s, f) = admin.get(&format!("/api/v1/queue/figures?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02")).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        let t = &f["total"];
        assert_eq!((t["tickets"].as_i64(), t["called"].as_i64(), t["served"].as_i64(), t["no_show"].as_i64()), (Some(3), Some(2), Some(1), Some(1)), "{t}");
        assert_eq!(t["no_show_rate"].as_f64(), Some(50.0));
        // A001 waited from 09:00 to its first call at 09:00, then was served 09:05 → 09:15.
        assert_eq!(t["service_p50"].as_i64(), Some(600), "{t}");
        assert_eq!(f["by_group"].as_array().unwrap().len(), 2);
        assert_eq!(f["by_counter"][0]["label"], "Quầy 1");
    }

    async fn bad_input_is_refused_and_nothing_is_written(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (a, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let (_, counter2) = ids(&app, PROVINCE_CENTRE, "B", "2").await;
        let admin = app.login("admin").await;

        // Outside opening hours (lunch), on a Saturday, and a closed group.
        app.ctx.clock.set(vn("2026-03-02T12:00:00"));
        let (s, e) = app.client().post("/api/v1/queue/tickets", json!({"group_id": a})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "outside_opening_hours"), "{e}");
        assert!(e["message_vi"].as_str().unwrap().contains("Ngoài giờ"), "{e}");
        app.ctx.clock.set(vn("2026-03-07T09:00:00"));
        let (s, e) = app.client().post("/api/v1/queue/tickets", json!({"group_id": a})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "outside_opening_hours"), "{e}");
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (s, g) = admin.send(Method::PUT, "/api/v1/queue/groups", Some(json!({"id": a, "centre": PROVINCE_CENTRE, "prefix": "A",
            "name": "Tư pháp, hộ tịch", "days": "1-5", "sessions": "07:30-11:30,13:30-17:00", "slot_minutes": 30, "slot_capacity": 2,
            "is_open": false}))).await;
        assert_eq!(s, StatusCode::OK, "{g}");
        let (s, e) = app.client().post("/api/v1/queue/tickets", json!({"group_id": a})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "group_closed"), "{e}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_tickets").await, 0);
        let (s, _) = admin.send(Method::PUT, "/api/v1/queue/groups", Some(json!({"id": a, "centre": PROVINCE_CENTRE, "prefix": "A",
            "name": "Tư pháp, hộ tịch", "days": "1-5", "sessions": "07:30-11:30,13:30-17:00", "slot_minutes": 30, "slot_capacity": 2,
            "is_open": true}))).await;
        assert_eq!(s, StatusCode::OK);
        // A prefix taken, bad hours.
        let (s, e) = admin.send(Method::PUT, "/api/v1/queue/groups", Some(json!({"centre": PROVINCE_CENTRE, "prefix": "B",
            "name": "x", "days": "1-5", "sessions": "07:30-11:30", "slot_minutes": 30, "slot_capacity": 2, "is_open": true}))).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("prefix_taken")), "{e}");
        let (s, e) = admin.send(Method::PUT, "/api/v1/queue/groups", Some(json!({"centre": PROVINCE_CENTRE, "prefix": "Z",
            "name": "x", "days": "1-5", "sessions": "11:30-07:30", "slot_minutes": 30, "slot_capacity": 2, "is_open": true}))).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_sessions")), "{e}");

        // A double call: the second recall after a skip, a start on a waiting ticket.
        let t = issue(&app, &a).await;
        let id = t["id"].as_str().unwrap();
        let clerk = app.login("tiepnhan").await;
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id}/start"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "ticket_action_not_allowed"), "{e}");
        let (s, _) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!(s, StatusCode::OK);
        // Transfer to a closed counter.
        let (s, _) = admin.send(Method::PUT, "/api/v1/queue/counters", Some(json!({"id": counter2, "centre": PROVINCE_CENTRE,
            "number": "2", "name": "Quầy số 2", "group_ids": [ids(&app, PROVINCE_CENTRE, "B", "2").await.0], "is_open": false}))).await;
        assert_eq!(s, StatusCode::OK);
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id}/transfer"), json!({"counter_id": counter2})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "counter_closed"), "{e}");
        let (s, e) = clerk.post(&format!("/api/v1/queue/counters/{counter2}/call-next"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "counter_closed"), "{e}");
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id}/transfer"), json!({})).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("transfer_target_required")), "{e}");
        let (s, r) = clerk.post(&format!("/api/v1/queue/tickets/{id}/skip"), json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (s, e) = clerk.post(&format!("/api/v1/queue/tickets/{id}/recall"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "ticket_action_not_allowed"), "{e}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_tickets WHERE status = 'no_show'").await, 1);

        // Bookings: over capacity (2), in the past, not a slot, a closed day.
        let citizen = app.login("congdan").await;
        for _ in 0..2 {
            let (s, b) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-03", "time": "08:00"})).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let (s, e) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-03", "time": "08:00"})).await;
        assert_eq!((s, code(&e)), (StatusCode::CONFLICT, "slot_full"), "{e}");
        let (s, e) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-02", "time": "08:00"})).await;
        assert_eq!((s, code(&e)), (StatusCode::UNPROCESSABLE_ENTITY, "slot_in_past"), "{e}");
        let (s, e) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-03", "time": "12:00"})).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_slot")), "{e}");
        let (s, e) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-07", "time": "08:00"})).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_slot")), "{e}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_appointments").await, 2);
        let (_, slots) = app.client().get(&format!("/api/v1/queue/slots?group={a}&date=2026-03-03")).await;
        assert_eq!(slots[1]["time"], "08:00");
        assert_eq!(slots[1]["remaining"], 0, "{slots}");
        // Officials do not book; unknown appointment codes do not check in.
        let (s, _) = clerk.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-03", "time": "09:00"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app.client().post("/api/v1/queue/check-in", json!({"code": "ZZZZZZZZ"})).await;
        assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_appointment")), "{e}");
    }

    async fn concurrent_calls_get_distinct_tickets(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (a, _) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let admin = app.login("admin").await;
        let mut counters = Vec::new();
        for n in 11..19 {
            let (s, c) = admin.send(Method::PUT, "/api/v1/queue/counters", Some(json!({"centre": PROVINCE_CENTRE,
                "number": n.to_string(), "group_ids": [a], "is_open": true}))).await;
            assert_eq!(s, StatusCode::OK, "{c}");
            counters.push(c["id"].as_str().unwrap().to_string());
        }
        // Twelve issued at once: twelve distinct numbers.
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let c = app.client();
            let g = a.clone();
            tasks.push(tokio::spawn(async move { c.post("/api/v1/queue/tickets", json!({"group_id": g})).await }));
        }
        let mut numbers = Vec::new();
        for t in tasks {
            let (s, b) = t.await.unwrap();
            assert_eq!(s, StatusCode::CREATED, "{b}");
            numbers.push(b["number"].as_str().unwrap().to_string());
        }
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 12, "{numbers:?}");

        // Eight counters call at once: eight distinct tickets, the first eight in line.
        let clerk = app.login("tiepnhan").await;
        let mut tasks = Vec::new();
        for c in &counters {
            let (cl, c) = (clone(&clerk), c.clone());
            tasks.push(tokio::spawn(async move { cl.post(&format!("/api/v1/queue/counters/{c}/call-next"), json!({})).await }));
        }
        let mut got = Vec::new();
        for t in tasks {
            let (s, b) = t.await.unwrap();
            assert_eq!(s, StatusCode::OK, "{b}");
            got.push(b["id"].as_str().unwrap().to_string());
        }
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 8);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_tickets WHERE status = 'called'").await, 8);

        // Two calls at once at one counter: one ticket, one refusal.
        let (s, c) = admin.send(Method::PUT, "/api/v1/queue/counters", Some(json!({"centre": PROVINCE_CENTRE,
            "number": "20", "group_ids": [a], "is_open": true}))).await;
        assert_eq!(s, StatusCode::OK);
        let c = c["id"].as_str().unwrap().to_string();
        let (x, y) = (clone(&clerk), clone(&clerk));
        let (c1, c2) = (c.clone(), c.clone());
        let (r1, r2) = tokio::join!(
            async move { x.post(&format!("/api/v1/queue/counters/{c1}/call-next"), json!({})).await },
            async move { y.post(&format!("/api/v1/queue/counters/{c2}/call-next"), json!({})).await }
        );
        let mut statuses = [r1.0, r2.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} {}", r1.1, r2.1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_tickets WHERE status = 'called'").await, 9);
    }

    async fn an_appointment_booked_online_is_called_first_in_its_slot(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (a, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let citizen = app.login("congdan").await;
        let (s, appt) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-02", "time": "10:00"})).await;
        assert_eq!(s, StatusCode::CREATED, "{appt}");
        assert_eq!(appt["slot_text"], "10:00 02/03/2026");
        // The reminder e-mail is logged and queued (for now: the day before has passed).
        assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE notice = 'appointment_reminder' AND status = 'queued'").await, 1);
        let (s, other) = citizen.post("/api/v1/queue/appointments", json!({"group_id": a, "date": "2026-03-02", "time": "10:30"})).await;
        assert_eq!(s, StatusCode::CREATED, "{other}");
        let (s, _) = citizen.send(Method::DELETE, &format!("/api/v1/queue/appointments/{}", other["id"].as_str().unwrap()), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM notification_deliveries WHERE notice = 'appointment_reminder' AND status = 'queued'").await, 1);
        let (s, _) = citizen.send(Method::DELETE, &format!("/api/v1/queue/appointments/{}", other["id"].as_str().unwrap()), None).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // Someone else's appointment is not theirs to cancel.
        let (s, _) = app.login("admin").await.send(Method::DELETE, &format!("/api/v1/queue/appointments/{}", appt["id"].as_str().unwrap()), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Two walk-ins at 09:30, the appointment checks in at 09:55 (before its slot).
        app.ctx.clock.set(vn("2026-03-02T09:30:00"));
        let w1 = issue(&app, &a).await;
        issue(&app, &a).await;
        app.ctx.clock.set(vn("2026-03-02T09:55:00"));
        let (s, t) = app.client().post("/api/v1/queue/check-in", json!({"code": appt["code"]})).await;
        assert_eq!((s, t["number"].as_str(), t["appointment"].as_bool()), (StatusCode::CREATED, Some("A003"), Some(true)), "{t}");
        let (s, e) = app.client().post("/api/v1/queue/check-in", json!({"code": appt["code"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "checked in once: {e}");
        let clerk = app.login("tiepnhan").await;
        // Before its slot: the walk-ins keep their turn.
        let (_, n) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!(n["id"], w1["id"]);
        clerk.post(&format!("/api/v1/queue/tickets/{}/skip", n["id"].as_str().unwrap()), json!({})).await;
        // In its slot: called before the walk-in who came earlier.
        app.ctx.clock.set(vn("2026-03-02T10:01:00"));
        let (_, n) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!((n["number"].as_str(), n["appointment"].as_bool()), (Some("A003"), Some(true)), "{n}");
        let (_, mine) = citizen.get("/api/v1/queue/appointments").await;
        let statuses: Vec<&str> = mine.as_array().unwrap().iter().map(|a| a["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["cancelled", "checked_in"]);
        let (_, f) = app.login("admin").await.get(&format!("/api/v1/queue/figures?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02")).await;
        assert_eq!(f["total"]["appointment_share"].as_f64(), Some(33.3), "{f}");
    }

    async fn other_centres_are_out_of_reach(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let (a, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let (_, hl_counter) = ids(&app, HOA_LU_CENTRE, "A", "1").await;
        let t = issue(&app, &a).await;
        let id = t["id"].as_str().unwrap();
        let hoalu = app.login("tiepnhan.hoalu").await;
        let (s, _) = hoalu.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = hoalu.get(&format!("/api/v1/queue/desk?centre={PROVINCE_CENTRE}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, d) = hoalu.get("/api/v1/queue/desk").await;
        assert_eq!((s, d["centre"]["code"].as_str()), (StatusCode::OK, Some(HOA_LU_CENTRE)));
        // Hoa Lư's counter calls nothing of the province's.
        let (s, e) = hoalu.post(&format!("/api/v1/queue/counters/{hl_counter}/call-next"), json!({})).await;
        assert_eq!((s, code(&e)), (StatusCode::NOT_FOUND, "queue_empty"));
        let clerk = app.login("tiepnhan").await;
        clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
        for action in ["recall", "skip", "start", "finish"] {
            let (s, _) = hoalu.post(&format!("/api/v1/queue/tickets/{id}/{action}"), json!({})).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{action}");
        }
        let (s, _) = app.login("congdan").await.post(&format!("/api/v1/queue/tickets/{id}/skip"), json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_tickets WHERE status = 'called'").await, 1);
        // Figures: the centre's readers only; set-up: its administrators.
        let q = format!("/api/v1/queue/figures?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02");
        for (who, want) in [("admin", 200), ("giamsat", 200), ("lanhdao", 403), ("lanhdao.hoalu", 403), ("tiepnhan", 403), ("congdan", 403)] {
            let (s, _) = app.login(who).await.get(&q).await;
            assert_eq!(s.as_u16(), want, "{who}");
        }
        let (s, _) = app.login("lanhdao.hoalu").await.get(&format!("/api/v1/queue/figures?centre={HOA_LU_CENTRE}&from=2026-03-02&to=2026-03-02")).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app.login("admin.hoalu").await.send(Method::PUT, "/api/v1/queue/counters", Some(json!({"centre": PROVINCE_CENTRE,
            "number": "9", "group_ids": [a], "is_open": true}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM queue_counters").await, 7);
    }
}

/// The value of `name="…" value="…"` for the first input `name` after `after` in a page.
fn input_after(body: &str, after: &str, name: &str) -> String {
    let at = body.find(after).unwrap_or_else(|| panic!("no {after}: {body}"));
    let rest = &body[at..];
    let key = format!(r#"name="{name}" value=""#);
    let i = rest.find(&key).unwrap_or_else(|| panic!("no {name} after {after}"));
    let v = &rest[i + key.len()..];
    v[..v.find('"').unwrap()].to_string()
}

both_backends! {
    async fn pages_kiosk_ticket_counter_board_appointments_figures(app) {
        use crate::browser::Browser;
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        // The kiosk: a button per group; a ticket of group A, then its printable page.
        let kiosk = Browser::new(&app);
        let p = kiosk.get(&format!("/xep-hang?centre={PROVINCE_CENTRE}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(r#"id="group-A""#) && p.body.contains("Nhận kết quả"), "{}", p.body);
        let group = input_after(&p.body, r#"name="centre""#, "group_id");
        let p = kiosk.post("/xep-hang", &[("centre", PROVINCE_CENTRE.into()), ("group_id", group.clone())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let ticket = p.location().to_string();
        assert!(ticket.starts_with("/xep-hang/ve/") && ticket.contains("?t="), "{ticket}");
        let p = kiosk.get(&ticket).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(">A001<") && p.body.contains("@page{size:58mm auto") && p.body.contains("data:image/svg+xml;base64,"), "{}", p.body);
        assert!(!p.body.contains(r#"id="visit-rating""#));
        // Without the token, nothing.
        let bare = ticket.split('?').next().unwrap();
        assert_eq!(kiosk.get(bare).await.status, StatusCode::NOT_FOUND);
        // Outside the hours, the kiosk says so and issues nothing.
        app.ctx.clock.set(vn("2026-03-02T12:00:00"));
        let p = kiosk.post("/xep-hang", &[("centre", PROVINCE_CENTRE.into()), ("group_id", group.clone())]).await;
        assert_eq!(p.status, StatusCode::CONFLICT);
        assert!(p.body.contains("Ngoài giờ làm việc"), "{}", p.body);
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));

        // The counter page: choose counter 1, call next, start, receive, finish.
        let clerk = Browser::login(&app, "tiepnhan").await;
        let p = clerk.get("/can-bo/xep-hang").await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        let (_, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
        let p = clerk.get(&format!("/can-bo/xep-hang?counter={counter1}")).await;
        let csrf = p.csrf();
        assert!(p.body.contains(r#"id="call-next""#), "{}", p.body);
        let act = |action: &str, ticket: &str| {
            vec![("csrf_token", csrf.clone()), ("counter", counter1.clone()), ("action", action.to_string()), ("ticket", ticket.to_string())]
        };
        let p = clerk.post("/can-bo/xep-hang", &act("call", "")).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let p = clerk.get(p.location()).await;
        assert!(p.body.contains(r#"<h2 id="current-number">A001</h2>"#), "{}", p.body);
        // The board: the number and the counter, no name.
        let board = kiosk.get(&format!("/xep-hang/bang?centre={PROVINCE_CENTRE}")).await;
        assert_eq!(board.status, StatusCode::OK);
        assert!(board.body.contains(r#"<td class="number">A001</td><td>1</td>"#), "{}", board.body);
        assert!(!board.body.contains("Lê Thị Thu Hà"));
        let tid = bare.trim_start_matches("/xep-hang/ve/").to_string();
        let p = clerk.post("/can-bo/xep-hang", &act("start", &tid)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        // A second start is refused with the reason, on the page.
        let p = clerk.post("/can-bo/xep-hang", &act("start", &tid)).await;
        assert_eq!(p.status, StatusCode::CONFLICT);
        assert!(p.body.contains("Đang phục vụ"), "{}", p.body);
        let d = counter_received(&app.login("tiepnhan").await).await;
        let p = clerk.get(&format!("/can-bo/xep-hang?counter={counter1}")).await;
        assert!(p.body.contains(d["code"].as_str().unwrap()), "linked dossier shown: {}", p.body);
        let p = clerk.post("/can-bo/xep-hang", &act("finish", &tid)).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let p = kiosk.get(&ticket).await;
        assert!(p.body.contains(r#"id="visit-rating""#) && p.body.contains(d["code"].as_str().unwrap()), "{}", p.body);
        // Another centre's officer: refused.
        let other = Browser::login(&app, "tiepnhan.hoalu").await;
        assert_eq!(other.get(&format!("/can-bo/xep-hang?centre={PROVINCE_CENTRE}")).await.status, StatusCode::FORBIDDEN);

        // Appointments: a slot tomorrow, then cancelled.
        let citizen = Browser::login(&app, "congdan").await;
        let p = citizen.get(&format!("/ca-nhan/lich-hen?centre={PROVINCE_CENTRE}&group={group}&date=2026-03-03")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains(r#"data-time="08:00""#), "{}", p.body);
        let csrf = p.csrf();
        let p = citizen.post("/ca-nhan/lich-hen", &[("csrf_token", csrf.clone()), ("action", "book".into()), ("centre", PROVINCE_CENTRE.into()),
            ("group", group.clone()), ("date", "2026-03-03".into()), ("time", "08:00".into())]).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
        let p = citizen.get(p.location()).await;
        assert!(p.body.contains("appointment-code") && p.body.contains("08:00 03/03/2026"), "{}", p.body);
        let p = citizen.post("/ca-nhan/lich-hen", &[("csrf_token", csrf.clone()), ("action", "book".into()), ("centre", PROVINCE_CENTRE.into()),
            ("group", group.clone()), ("date", "2026-03-02".into()), ("time", "08:00".into())]).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p.body.contains("khung giờ đã qua"), "{}", p.body);

        // Figures and their CSV for the centre's administrator.
        let admin = Browser::login(&app, "admin").await;
        let p = admin.get(&format!("/can-bo/xep-hang/so-lieu?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("Toàn trung tâm") && p.body.contains("A – Tư pháp, hộ tịch"), "{}", p.body);
        let r = admin.http.get(format!("{}/can-bo/xep-hang/so-lieu.csv?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02", app.url)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csv = r.text().await.unwrap();
        assert!(csv.contains("Toàn trung tâm,Toàn trung tâm,1,1,1,0,0"), "{csv}");
        assert_eq!(Browser::login(&app, "lanhdao").await.get("/can-bo/xep-hang/so-lieu?centre=000.00.20.H40").await.status, StatusCode::FORBIDDEN);
    }
}

/// `motcua bench queue`: a small simulated day through the use cases, its figures printed.
async fn bench_day(backend: motcua_testkit::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"));
    cmd.arg("--data-dir").arg(dir.path()).args(["bench", "queue", "--tickets", "150"]).env("MOTCUA_LOG", "error");
    if backend == motcua_testkit::Backend::Postgres {
        let url = tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap();
        cmd.env("MOTCUA_DATABASE_URL", url);
    }
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with("150 tickets ("), "{text}");
    assert!(text.contains("| Toàn trung tâm | 150 |"), "{text}");
    assert!(text.contains("figures query"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_day_sqlite() {
    bench_day(motcua_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_day_postgres() {
    bench_day(motcua_testkit::Backend::Postgres).await;
}

/// In Chromium (SQLite), phone and desktop with axe: a kiosk ticket, called on the board
/// (the board updates itself over SSE: waited for, no sleeps), served at the counter page,
/// a dossier received while serving linked to it; then a citizen's appointment page and the
/// figures page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_kiosk_board_counter_and_dossier() {
    use motcua_testkit::browser::{Browser, By};
    let app = TestApp::spawn(motcua_testkit::Backend::Sqlite).await;
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let (_, counter1) = ids(&app, PROVINCE_CENTRE, "A", "1").await;
    let b = Browser::start(&app).await;
    b.open("/xep-hang").await;
    b.capture("queue-centres").await;
    b.open(&format!("/xep-hang?centre={PROVINCE_CENTRE}")).await;
    b.capture("queue-kiosk").await;
    let ticket = b.follow_to(By::Id("group-A"), "/xep-hang/ve/").await;
    assert_eq!(b.by_id("number").await.text().await.unwrap(), "A001");
    b.capture("queue-ticket").await;
    // The follow QR is drawn (a broken image has no natural width).
    let drawn: bool = b
        .driver
        .execute("const i = document.querySelector('img.qr'); return i.complete && i.naturalWidth > 0", vec![])
        .await
        .unwrap()
        .convert()
        .unwrap();
    assert!(drawn, "the QR image is drawn");
    // The receipt prints 58 mm wide: the screen-only parts are hidden in print.
    b.media("print").await;
    assert_eq!(b.style(".noprint", "display").await, "none");
    b.media("screen").await;

    // The board, open before the call: the number appears when the counter calls it.
    b.open(&format!("/xep-hang/bang?centre={PROVINCE_CENTRE}&doc=1")).await;
    b.capture("queue-board-empty").await;
    let clerk = app.login("tiepnhan").await;
    let (s, called) = clerk.post(&format!("/api/v1/queue/counters/{counter1}/call-next"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{called}");
    let cell = b.find(By::Css("#lines tr.latest td.number")).await;
    assert_eq!(cell.text().await.unwrap(), "A001");
    let row = b.find(By::Css("#lines tr.latest")).await.text().await.unwrap();
    assert!(row.contains("A001") && row.contains('1') && !row.contains("Lê"), "{row}");
    b.capture("queue-board-called").await;

    // The counter page: start, a dossier received while serving, linked; finish.
    b.login("tiepnhan").await;
    b.open(&format!("/can-bo/xep-hang?counter={counter1}")).await;
    assert_eq!(b.by_id("current-number").await.text().await.unwrap(), "A001");
    b.capture("queue-desk-called").await;
    b.click_to("Bắt đầu phục vụ", "/can-bo/xep-hang").await;
    assert_eq!(b.by_id("current-status").await.text().await.unwrap(), "Đang phục vụ");
    let d = counter_received(&clerk).await;
    b.open(&format!("/can-bo/xep-hang?counter={counter1}")).await;
    assert_eq!(b.find(By::Css(".linked-dossier")).await.text().await.unwrap(), d["code"].as_str().unwrap());
    b.capture("queue-desk-serving").await;
    b.click_to("Hoàn thành", "/can-bo/xep-hang").await;
    b.by_id("call-next").await;
    b.open(&ticket).await;
    b.by_id("visit-rating").await;
    assert!(b.main_text().await.contains(d["code"].as_str().unwrap()));
    b.capture("queue-ticket-done").await;

    // The figures page (the centre's administrator) and a citizen's appointments.
    b.open("/can-bo/xep-hang").await;
    b.click_text("Đăng xuất").await;
    b.login("admin").await;
    b.open(&format!("/can-bo/xep-hang/so-lieu?centre={PROVINCE_CENTRE}&from=2026-03-02&to=2026-03-02")).await;
    assert!(b.main_text().await.contains("Toàn trung tâm"));
    b.capture("queue-figures").await;
    b.click_text("Đăng xuất").await;
    b.login("congdan").await;
    b.open(&format!("/ca-nhan/lich-hen?centre={PROVINCE_CENTRE}&date=2026-03-03")).await;
    b.capture("queue-appointments").await;
    b.quit().await;
}
