//! Petitions (PAKN, issue #18) on both backends, through the API: an anonymous petition
//! assigned, answered within its deadline and published with personal data removed; the
//! deadlines across a weekend and the April–May holidays; reminders and the escalation to
//! the leader; like/dislike and a follow-up complaint; the privacy of petitions about
//! officials and the contact-read log; bad input and the rate limit; indicators 5.1–5.4 of a
//! hand-worked month.

use crate::officer_pages::vn;
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Phường Hoa Lư (commune) and Sở Tư pháp (a department of the province).
const HOALU: &str = "000.00.31.H40";
const STP: &str = "000.00.01.H40";
const COMMUNE: &str = "1.004873";

pub async fn file(c: &Client, body: Value) -> Value {
    let (s, b) = c.post("/api/v1/petitions", body).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b
}

async fn inbox_id(c: &Client, code: &str) -> Option<String> {
    let (s, b) = c.get("/api/v1/petitions").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().iter().find(|p| p["code"] == code).map(|p| p["id"].as_str().unwrap().to_string())
}

pub async fn act(c: &Client, id: &str, body: Value) -> (StatusCode, Value) {
    c.post(&format!("/api/v1/petitions/{id}/actions"), body).await
}

async fn ok(c: &Client, id: &str, body: Value) -> Value {
    let (s, b) = act(c, id, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}: {b}");
    b
}

async fn page_text(c: &Client, path: &str) -> String {
    let (s, b) = c.get(path).await;
    assert_eq!(s, StatusCode::OK, "{path}");
    b.as_str().unwrap_or_default().to_string()
}

async fn dossier_step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn rate(anon: &Client, f: &Value, like: bool) {
    let code = f["code"].as_str().unwrap();
    let (s, b) = anon.post(&format!("/api/v1/petitions/track/{code}/rating"), json!({"secret": f["secret"], "like": like})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

async fn my_notifications(c: &Client) -> Vec<Value> {
    let (s, b) = c.get("/api/v1/me/notifications").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["items"].as_array().or(b.as_array()).cloned().unwrap_or_default()
}

both_backends! {
    async fn an_anonymous_petition_is_assigned_answered_and_published(app) {
        // Friday 24 April 2026. Then: Sat 25, Sun 26 (Giỗ Tổ), Mon 27 (its compensatory day),
        // Tue 28 (1st working day), Wed 29 (2nd), Thu 30 and Fri 1 May (holidays), the
        // weekend, Mon 4 (3rd), Tue 5 (4th), Wed 6 (5th) … Wed 20 May (15th).
        app.ctx.clock.set(vn("2026-04-24T10:00:00"));
        let anon = app.client();
        let body = "Tôi là Trần Thị Bình, điện thoại 0987 654 321, thư binh.tran@example.vn, CCCD 001099012345. \
                    Thủ tục xác nhận tình trạng hôn nhân đòi giấy tờ không có trong danh mục. <script>alert(1)</script>";
        let f = file(&anon, json!({"unit": HOALU, "name": "Trần Thị Bình", "contact": "0987654321", "body": body})).await;
        let (code, secret) = (f["code"].as_str().unwrap().to_string(), f["secret"].as_str().unwrap().to_string());
        assert!(code.starts_with("PA-") && secret.len() == 10, "{f}");
        assert_eq!(f["reject_due"].as_i64(), Some(vn("2026-04-29T17:00:00")), "2 WD: Tue 28, Wed 29");
        assert_eq!(f["supplement_due"].as_i64(), Some(vn("2026-05-06T17:00:00")), "5 WD across the holidays");
        assert_eq!(f["resolve_due"].as_i64(), Some(vn("2026-05-20T17:00:00")), "15 WD");

        // The petitioner follows it with code and secret; a wrong secret reads like no petition.
        let (s, b) = anon.get(&format!("/api/v1/petitions/track/{code}?secret={secret}")).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("received")), "{b}");
        let (s, _) = anon.get(&format!("/api/v1/petitions/track/{code}?secret=0000000000")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Nothing to rate yet.
        let (s, b) = anon.post(&format!("/api/v1/petitions/track/{code}/rating"), json!({"secret": secret, "like": true})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("petition_wrong_state")), "{b}");

        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let id = inbox_id(&specialist, &code).await.expect("in the commune's inbox");
        assert!(inbox_id(&app.login("chuyenvien").await, &code).await.is_none(), "not the province department's");
        // An answer before the assignment: wrong state, nothing written.
        let events = app.count("petition_events").await;
        let (s, b) = act(&specialist, &id, json!({"action": "answer", "text": "Trả lời"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("petition_wrong_state")), "{b}");
        assert_eq!(app.count("petition_events").await, events);
        ok(&specialist, &id, json!({"action": "classify", "kind": "quy_dinh"})).await;
        let p = ok(&specialist, &id, json!({"action": "assign", "unit": HOALU})).await;
        assert_eq!(p["state"], "assigned");
        // More information asked (within 5 WD) and given by the petitioner: back to the unit.
        let (s, b) = act(&specialist, &id, json!({"action": "request_supplement", "text": " "})).await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("required")), "{b}");
        ok(&specialist, &id, json!({"action": "request_supplement", "text": "Đề nghị cho biết giấy tờ bị yêu cầu thêm."})).await;
        let (s, b) = anon.get(&format!("/api/v1/petitions/track/{code}?secret={secret}")).await;
        assert_eq!((s, b["state"].as_str(), b["note"].as_str()), (StatusCode::OK, Some("supplement_requested"), Some("Đề nghị cho biết giấy tờ bị yêu cầu thêm.")));
        let (s, b) = anon.post(&format!("/api/v1/petitions/track/{code}/supplement"), json!({"secret": secret, "text": "Giấy xác nhận cư trú."})).await;
        assert_eq!((s, b["state"].as_str()), (StatusCode::OK, Some("assigned")), "{b}");
        assert!(b["body"].as_str().unwrap().ends_with("[Bổ sung] Giấy xác nhận cư trú."));

        // Answered on Tue 12 May, within the 15 WD; publication due Thu 14 May.
        app.ctx.clock.set(vn("2026-05-12T10:00:00"));
        let answer = "Kính gửi bà Trần Thị Bình (0987.654.321): giấy tờ đó không bắt buộc; UBND phường đã chấn chỉnh.";
        let p = ok(&specialist, &id, json!({"action": "answer", "text": answer})).await;
        assert_eq!((p["state"].as_str(), p["publish_due"].as_i64()), (Some("answered"), Some(vn("2026-05-14T17:00:00"))));
        let (s, b) = act(&specialist, &id, json!({"action": "publish"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("petition_not_allowed")), "the leader publishes: {b}");
        app.ctx.clock.set(vn("2026-05-13T09:00:00"));
        let p = ok(&leader, &id, json!({"action": "publish"})).await;
        assert_eq!((p["state"].as_str(), p["on_time"].as_bool()), (Some("published"), Some(true)));

        // The published answer carries no personal data.
        let (s, pubd) = anon.get(&format!("/api/v1/petitions/published/{code}")).await;
        assert_eq!(s, StatusCode::OK, "{pubd}");
        let text = format!("{} {}", pubd["body"], pubd["answer"]);
        for secret_bit in ["Trần Thị Bình", "0987", "654 321", "binh.tran", "example.vn", "001099012345"] {
            assert!(!text.contains(secret_bit), "{secret_bit} in {text}");
        }
        assert!(text.contains("[đã ẩn]") && text.contains("<script>"), "redacted, stored as typed: {text}");
        let (_, list) = anon.get("/api/v1/petitions/published").await;
        assert!(list.as_array().unwrap().iter().any(|x| x["code"] == code.as_str()));
        assert!(!list.to_string().contains("0987654321"));
        // The public page shows it escaped.
        let html = page_text(&anon, &format!("/phan-anh/tra-loi/{code}")).await;
        assert!((html.contains("&lt;script") || html.contains("&#60;script")) && !html.contains("<script>alert"), "escaped on the page");
        assert!(!html.contains("Trần Thị Bình") && !html.contains("0987"));

        // The petitioner's dislike, once; then a follow-up complaint closes this one.
        let (s, b) = anon.post(&format!("/api/v1/petitions/track/{code}/rating"), json!({"secret": secret, "like": false})).await;
        assert_eq!((s, b["rating"].as_str()), (StatusCode::OK, Some("dislike")), "{b}");
        let (s, b) = anon.post(&format!("/api/v1/petitions/track/{code}/rating"), json!({"secret": secret, "like": true})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("already_rated")), "{b}");
        let (s, c) = anon.post(&format!("/api/v1/petitions/track/{code}/complaint"), json!({"secret": secret, "text": "Chưa được giải quyết thỏa đáng."})).await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        assert_ne!(c["code"], code.as_str());
        let (_, b) = anon.get(&format!("/api/v1/petitions/track/{code}?secret={secret}")).await;
        assert_eq!(b["state"], "closed");
        let follow_id = inbox_id(&specialist, c["code"].as_str().unwrap()).await.expect("the complaint reaches the same unit");
        let (_, b) = specialist.get(&format!("/api/v1/petitions/{follow_id}")).await;
        assert_eq!(b["petition"]["follow_up_of"], id.as_str());
        assert_eq!(b["history"][0]["action"], "file");
    }

    async fn reminders_before_the_deadline_and_escalation_to_the_leader(app) {
        app.ctx.clock.set(vn("2026-04-24T10:00:00"));
        // The demo's open petitions (November 2025) are escalated first, once.
        let demo = motcua_app::usecases::petitions::scan(&app.ctx).await.unwrap();
        assert_eq!((demo.due_soon, demo.overdue), (0, 2));
        let f = file(&app.client(), json!({"unit": HOALU, "body": "Đường trước trụ sở phường ngập nước."})).await;
        let code = f["code"].as_str().unwrap();
        let d = motcua_app::deadlines::dispatcher().unwrap();
        // Tue 19 May: the 15 WD end on Wed 20 May, within the 2-WD reminder window.
        app.ctx.clock.set(vn("2026-05-19T09:00:00"));
        let s = motcua_app::usecases::petitions::scan(&app.ctx).await.unwrap();
        assert_eq!((s.due_soon, s.overdue), (1, 0));
        d.run_once(&app.ctx).await.unwrap();
        let specialist = app.login("chuyenvien.hoalu").await;
        let n = my_notifications(&specialist).await;
        assert!(n.iter().any(|x| x["kind"] == "petition.due_soon" && x["detail"]["code"] == code), "{n:?}");
        // Thu 21 May: overdue, escalated to the commune's leader, once.
        app.ctx.clock.set(vn("2026-05-21T09:00:00"));
        let s = motcua_app::usecases::petitions::scan(&app.ctx).await.unwrap();
        assert_eq!((s.due_soon, s.overdue), (0, 1));
        assert_eq!(motcua_app::usecases::petitions::scan(&app.ctx).await.unwrap(), Default::default(), "once");
        d.run_once(&app.ctx).await.unwrap();
        let leader = app.login("lanhdao.hoalu").await;
        let n = my_notifications(&leader).await;
        assert!(n.iter().any(|x| x["kind"] == "petition.overdue" && x["detail"]["code"] == code), "{n:?}");
        let id = inbox_id(&leader, code).await.unwrap();
        let (_, b) = leader.get(&format!("/api/v1/petitions/{id}")).await;
        assert_eq!(b["petition"]["on_time"], false);
        // The notifications page names the petition.
        let html = page_text(&leader, "/can-bo/thong-bao").await;
        assert!(html.contains(code), "the petition code on the notifications page");
    }

    async fn petitions_about_officials_are_for_leaders_and_inspectors(app) {
        app.ctx.clock.set(vn("2026-05-04T09:00:00"));
        let f = file(&app.client(), json!({"unit": HOALU, "kind": "can_bo", "name": "Lê Văn Cường", "contact": "cuong@example.vn",
            "body": "Cán bộ tiếp nhận gây khó dễ, đòi thêm giấy tờ."})).await;
        let code = f["code"].as_str().unwrap();
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let inspector = app.login("thanhtra").await;
        assert!(inbox_id(&specialist, code).await.is_none(), "not in the commune specialist's list (SQL scope)");
        let id = inbox_id(&leader, code).await.expect("the commune's leader");
        assert_eq!(inbox_id(&inspector, code).await.as_deref(), Some(id.as_str()), "the province's inspector");
        // The commune's specialist, by id: refused, and told why; another unit's: no such petition.
        let (s, b) = specialist.get(&format!("/api/v1/petitions/{id}")).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("petition_restricted")), "{b}");
        let (s, _) = specialist.get(&format!("/api/v1/petitions/{id}/contact")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = act(&specialist, &id, json!({"action": "assign", "unit": HOALU})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.login("chuyenvien").await.get(&format!("/api/v1/petitions/{id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "outside the scope, nothing is told");
        let page = app.login("chuyenvien.hoalu").await.get(&format!("/can-bo/phan-anh/{id}")).await;
        assert_eq!(page.0, StatusCode::FORBIDDEN, "the page too");
        assert_eq!(app.count("petition_contact_reads").await, 0, "refused reads are not reads");
        // The body read carries no contact; the contact read is logged.
        let (s, b) = leader.get(&format!("/api/v1/petitions/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!b.to_string().contains("cuong@example.vn") && !b.to_string().contains("Lê Văn Cường"));
        let (s, b) = leader.get(&format!("/api/v1/petitions/{id}/contact")).await;
        assert_eq!((s, b["contact"].as_str(), b["name"].as_str()), (StatusCode::OK, Some("cuong@example.vn"), Some("Lê Văn Cường")));
        assert_eq!(app.count("petition_contact_reads").await, 1);
        // The page's contact link reads and logs it too.
        let html = page_text(&inspector, &format!("/can-bo/phan-anh/{id}?lien-he=1")).await;
        assert!(html.contains("cuong@example.vn"));
        assert_eq!(app.count("petition_contact_reads").await, 2);
        let (s, log) = inspector.get("/api/v1/petitions/contact-reads").await;
        assert_eq!(s, StatusCode::OK, "{log}");
        assert_eq!((log[1]["username"].as_str(), log[1]["petition_code"].as_str(), log[1]["at"].as_i64()),
            (Some("lanhdao.hoalu"), Some(code), Some(vn("2026-05-04T09:00:00"))));
        assert_eq!(log[0]["username"], "thanhtra");
        assert_eq!(app.login("admin").await.get("/api/v1/petitions/contact-reads").await.0, StatusCode::OK);
        assert_eq!(leader.get("/api/v1/petitions/contact-reads").await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.login("congdan").await.get("/api/v1/petitions").await.0, StatusCode::FORBIDDEN);
        // The inspector handles it: assigned, answered; the leader publishes.
        ok(&inspector, &id, json!({"action": "assign", "unit": HOALU})).await;
        ok(&inspector, &id, json!({"action": "answer", "text": "Đã kiểm tra, nhắc nhở cán bộ."})).await;
        let p = ok(&leader, &id, json!({"action": "publish"})).await;
        assert_eq!(p["state"], "published");
    }

    async fn a_hand_worked_month_of_indicators_5_1_to_5_4(app) {
        // May 2026 at Phường Hoa Lư (each petition filed to the commune):
        //
        // | petition | kind     | received    | what happened                                | 5.1 | 5.2 counted / on time | 5.3 first / satisfied |
        // |----------|----------|-------------|----------------------------------------------|-----|-----------------------|-----------------------|
        // | P1       | quy_dinh | Mon 4 May   | on dossier D1; answered 6, published 7, like  | ✓   | ✓ / ✓                 | ✓ / ✓                 |
        // | P2       | can_bo   | Tue 5 May   | rejected Wed 6 (due Thu 7)                   | ✗   | ✓ / ✓                 | ✓ / ✓                 |
        // | P3       | quy_dinh | Wed 6 May   | answered 8, published 11, dislike             | ✓   | ✓ / ✓                 | ✓ / ✗ dislike         |
        // | P4       | quy_dinh | Thu 7 May   | left open: 15 WD end Thu 28 May               | ✓   | ✓ / ✗ overdue         | ✓ / ✗ overdue         |
        // | P5       | quy_dinh | Wed 20 May  | open, 15 WD end 10 June                       | ✓   | ✓ / ✓ (in process)    | ✓ / ✓                 |
        // | P6       | quy_dinh | Mon 4 May   | answered, published 6; complaint on 12        | ✓   | ✓ / ✓                 | ✓ / ✗ complaint       |
        // | P7       | quy_dinh | Tue 12 May  | the complaint of P6, open (due June)          | ✓   | ✓ / ✓                 | (a follow-up: no)     |
        // | P9       | quy_dinh | Mon 20 Apr  | answered Tue 12 May (due 14 May), unpublished | —   | ✓ / ✗ publication late | (April)              |
        // | P8       | quy_dinh | Mon 4 May   | at Sở Tư pháp: another unit (open, 15 WD end Mon 25 May) | — | — | — |
        // | P10      | quy_dinh | Tue 5 May   | on dossier D3; answered, published 6, like    | ✓   | ✓ / ✓                 | ✓ / ✓                 |
        //
        // 5.1 = 7 / 8 (monitoring). 5.2 = 7 / 9 → 6 × 7/9 = 4.67. 5.3 = 4 / 7 → 6 × 4/7 = 3.43.
        // 5.4: dossiers D1, D2, D3 received Mon 4 May and resolved Tue 5 (early); D1 and D3
        // returned and rated at the counter: D1 liked overall with the officials' dimension at
        // 2 (a dimension's dislike is not the rating's), D3 disliked. D1 has petition P1, D3
        // has P10 (already lost by its dislike: counted once) →
        // (3 finished − 0 late − 1 unsatisfied − 1 with a petition) / 3 → 6 × 33.3/90 = 2.22.
        let anon = app.client();
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let clerk = app.login("tiepnhan.hoalu").await;
        let at = |s: &str| app.ctx.clock.set(vn(s));
        at("2026-04-20T09:00:00");
        let p9 = file(&anon, json!({"unit": HOALU, "body": "P9"})).await;
        let p9 = inbox_id(&specialist, p9["code"].as_str().unwrap()).await.unwrap();
        ok(&specialist, &p9, json!({"action": "assign", "unit": HOALU})).await;

        at("2026-05-04T08:00:00");
        let mut dossiers = Vec::new();
        for _ in 0..3 {
            let (s, d) = clerk.post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "applicant": {"name": "Nguyễn Văn An",
                "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"}, "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]})).await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            dossiers.push(d);
        }
        at("2026-05-04T09:00:00");
        let p1 = file(&anon, json!({"unit": HOALU, "dossier_code": dossiers[0]["code"], "body": "P1"})).await;
        let p8 = file(&anon, json!({"unit": STP, "body": "P8"})).await;
        at("2026-05-04T10:00:00");
        let p6 = file(&anon, json!({"unit": HOALU, "body": "P6"})).await;
        at("2026-05-05T09:00:00");
        let p2 = file(&anon, json!({"unit": HOALU, "kind": "can_bo", "body": "P2"})).await;
        for (i, d) in dossiers.iter().enumerate() {
            let d = dossier_step(&clerk, d, "forward", json!({})).await;
            let d = dossier_step(&specialist, &d, "forward", json!({})).await;
            let d = dossier_step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
            if i == 1 {
                continue;
            }
            dossier_step(&clerk, &d, "return", json!({"method": "counter"})).await;
            let (satisfied, officer) = if i == 0 { (true, 2) } else { (false, 3) };
            let (s, b) = anon
                .post("/api/v1/ratings", json!({"code": d["code"], "rating_code": dossiers[i]["rating_code"],
                    "satisfied": satisfied, "factors": [{"factor": "officer", "satisfied": false, "score": officer}]}))
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        let p10 = file(&anon, json!({"unit": HOALU, "dossier_code": dossiers[2]["code"], "body": "P10"})).await;
        at("2026-05-06T09:00:00");
        let p3 = file(&anon, json!({"unit": HOALU, "body": "P3"})).await;
        let id = |f: &Value| f["code"].as_str().unwrap().to_string();
        let p2id = inbox_id(&leader, &id(&p2)).await.unwrap();
        ok(&leader, &p2id, json!({"action": "reject", "text": "Không thuộc thẩm quyền, nội dung không rõ."})).await;
        for p in [&p1, &p6] {
            let pid = inbox_id(&specialist, &id(p)).await.unwrap();
            ok(&specialist, &pid, json!({"action": "assign", "unit": HOALU})).await;
            ok(&specialist, &pid, json!({"action": "answer", "text": "Trả lời"})).await;
        }
        let p6id = inbox_id(&leader, &id(&p6)).await.unwrap();
        ok(&leader, &p6id, json!({"action": "publish"})).await;
        let p10id = inbox_id(&specialist, &id(&p10)).await.unwrap();
        ok(&specialist, &p10id, json!({"action": "assign", "unit": HOALU})).await;
        ok(&specialist, &p10id, json!({"action": "answer", "text": "Trả lời"})).await;
        ok(&leader, &p10id, json!({"action": "publish"})).await;
        rate(&anon, &p10, true).await;
        at("2026-05-07T09:00:00");
        let p4 = file(&anon, json!({"unit": HOALU, "body": "P4"})).await;
        let p1id = inbox_id(&leader, &id(&p1)).await.unwrap();
        ok(&leader, &p1id, json!({"action": "publish"})).await;
        rate(&anon, &p1, true).await;
        at("2026-05-08T09:00:00");
        let p3id = inbox_id(&specialist, &id(&p3)).await.unwrap();
        ok(&specialist, &p3id, json!({"action": "assign", "unit": HOALU})).await;
        ok(&specialist, &p3id, json!({"action": "answer", "text": "Trả lời"})).await;
        at("2026-05-11T09:00:00");
        ok(&leader, &p3id, json!({"action": "publish"})).await;
        at("2026-05-12T09:00:00");
        rate(&anon, &p3, false).await;
        let (s, _) = anon.post(&format!("/api/v1/petitions/track/{}/complaint", id(&p6)),
            json!({"secret": p6["secret"], "text": "P7: chưa thỏa đáng"})).await;
        assert_eq!(s, StatusCode::CREATED);
        ok(&specialist, &p9, json!({"action": "answer", "text": "Trả lời muộn công khai"})).await;
        at("2026-05-20T09:00:00");
        file(&anon, json!({"unit": HOALU, "body": "P5"})).await;
        let _ = (p4, p8);

        at("2026-06-05T09:00:00");
        let x = app.login("admin.hoalu").await;
        let (s, x) = x.get("/api/v1/index?period=2026-05").await;
        assert_eq!(s, StatusCode::OK, "{x}");
        let npd = |id: &str| {
            let i = x["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
            (i["numerator"].as_i64(), i["denominator"].as_i64(), i["points"].as_f64())
        };
        assert_eq!(npd("5.1"), (Some(7), Some(8), None), "monitoring");
        assert_eq!(npd("5.2"), (Some(7), Some(9), Some(4.67)));
        assert_eq!(npd("5.3"), (Some(4), Some(7), Some(3.43)));
        assert_eq!(npd("5.4"), (Some(1), Some(3), Some(2.22)));
        // The department sees its own petition only: P8, still open at the end of May, its
        // 15 WD ended Mon 25 May → 0 / 1.
        let (_, y) = app.login("lanhdao").await.get(&format!("/api/v1/index?period=2026-05&unit={STP}")).await;
        let i = y["indicators"].as_array().unwrap().iter().find(|i| i["id"] == "5.2").unwrap().clone();
        assert_eq!((i["numerator"].as_i64(), i["denominator"].as_i64()), (Some(0), Some(1)), "{i}");
    }

    async fn bad_input_writes_nothing(app) {
        app.ctx.clock.set(vn("2026-05-04T09:00:00"));
        let before = app.count("petitions").await;
        let cases = [
            (json!({"body": "   "}), StatusCode::UNPROCESSABLE_ENTITY, "required"),
            (json!({"body": "x".repeat(5_001)}), StatusCode::UNPROCESSABLE_ENTITY, "too_long"),
            (json!({"body": "Nội dung", "kind": "khac"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_kind"),
            (json!({"body": "Nội dung", "unit": "999.99.99.H40"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit"),
            (json!({"body": "Nội dung", "dossier_code": "KHONG-CO"}), StatusCode::UNPROCESSABLE_ENTITY, "unknown_dossier"),
            (json!({"body": "Nội dung", "attachment": "x"}), StatusCode::UNPROCESSABLE_ENTITY, ""),
        ];
        // Each from its own address: the rate limit is not what refuses them.
        for (i, (body, status, code)) in cases.into_iter().enumerate() {
            let c = app.client_from(std::net::Ipv4Addr::new(127, 0, 3, i as u8 + 1));
            let (s, b) = c.post("/api/v1/petitions", body.clone()).await;
            assert_eq!(s, status, "{body}: {b}");
            if !code.is_empty() {
                assert_eq!(b["fields"][0]["code"].as_str().or(b["code"].as_str()), Some(code), "{b}");
            }
        }
        assert_eq!(app.count("petitions").await, before);
        // Three a minute from one address (no captcha): the fourth waits.
        let c = app.client_from(std::net::Ipv4Addr::new(127, 0, 4, 1));
        for _ in 0..3 {
            file(&c, json!({"body": "Phản ánh"})).await;
        }
        let (s, b) = c.post("/api/v1/petitions", json!({"body": "Phản ánh"})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_petitions")), "{b}");
        assert_eq!(app.count("petitions").await, before + 3);
        // Another address still files.
        file(&app.client_from(std::net::Ipv4Addr::new(127, 0, 4, 2)), json!({"body": "Phản ánh"})).await;
    }
}

/// The public side in Chromium (SQLite), phone and desktop widths, axe clean: the filing
/// page → the code and secret → the follow page; the officers answer and publish; the
/// published answer page shows no personal data; the petitioner likes the answer; the
/// officers' inbox and petition page.
async fn browser_file_follow_and_read_the_published_answer(backend: motcua_testkit::Backend) {
    use motcua_testkit::TestApp;
    use motcua_testkit::browser::{Browser, By};
    let app = TestApp::spawn(backend).await;
    let b = Browser::start(&app).await;
    b.open("/phan-anh").await;
    b.capture("petition-form").await;
    // An empty body comes back with its error, nothing lost.
    b.fill("name", "Phạm Thị Dung").await;
    let at = b.follow(By::Css("main form button[type=submit]")).await;
    assert_eq!(at, "/phan-anh");
    assert!(b.main_text().await.contains("Vui lòng nhập nội dung"), "{}", b.main_text().await);
    b.axe().await;
    assert_eq!(b.by_id("name").await.value().await.unwrap().as_deref(), Some("Phạm Thị Dung"));
    b.find(By::Css("#unit option[value='000.00.31.H40']")).await.click().await.unwrap();
    b.fill("contact", "dung.pham@example.vn").await;
    b.fill("body", "Tôi là Phạm Thị Dung (0903 111 222). Quầy một cửa phường hẹn trả kết quả nhiều lần không đúng hẹn.").await;
    b.follow_to(By::Css("main form button[type=submit]"), "/phan-anh").await;
    let code = b.by_id("petition-code").await.text().await.unwrap();
    let secret = b.by_id("petition-secret").await.text().await.unwrap();
    assert!(code.starts_with("PA-") && secret.len() == 10, "{code} {secret}");
    b.capture("petition-filed").await;
    b.click_to("Theo dõi phản ánh", "/phan-anh/theo-doi").await;
    b.fill("code", &code).await;
    b.fill("secret", &secret).await;
    b.follow_to(By::Css("main form button[type=submit]"), "/phan-anh/theo-doi").await;
    assert_eq!(b.by_id("petition-state").await.text().await.unwrap(), "Đã tiếp nhận");
    b.capture("petition-follow").await;

    // The commune handles it (API), within its deadline.
    let specialist = app.login("chuyenvien.hoalu").await;
    let leader = app.login("lanhdao.hoalu").await;
    let id = inbox_id(&specialist, &code).await.unwrap();
    ok(&specialist, &id, json!({"action": "assign", "unit": HOALU})).await;
    ok(
        &specialist,
        &id,
        json!({"action": "answer", "text": "Kính gửi bà Phạm Thị Dung (0903 111 222): phường đã chấn chỉnh bộ phận một cửa."}),
    )
    .await;
    ok(&leader, &id, json!({"action": "publish"})).await;

    b.open(&format!("/phan-anh/tra-loi/{code}")).await;
    let text = b.main_text().await;
    assert!(text.contains("phường đã chấn chỉnh") && text.contains("[đã ẩn]"), "{text}");
    for personal in ["Phạm Thị Dung", "0903", "dung.pham"] {
        assert!(!text.contains(personal), "{personal} published: {text}");
    }
    b.capture("petition-answer").await;
    b.click_to("Tất cả trả lời", "/phan-anh/tra-loi").await;
    b.capture("petition-answers").await;

    // The petitioner likes the answer on the follow page.
    b.open(&format!("/phan-anh/theo-doi?code={code}&secret={secret}")).await;
    b.follow_to(By::Css("button[value=like]"), "/phan-anh/theo-doi").await;
    assert!(b.main_text().await.contains("Cảm ơn ông/bà đã đánh giá"), "{}", b.main_text().await);
    b.capture("petition-rated").await;

    // The officers' side.
    b.login("lanhdao.hoalu").await;
    b.open("/can-bo/phan-anh").await;
    b.capture("petition-inbox").await;
    b.click_to(&code, "/can-bo/phan-anh/").await;
    assert!(b.main_text().await.contains("Hài lòng"));
    b.capture("petition-officer").await;
    b.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_file_follow_and_read_the_published_answer_sqlite() {
    browser_file_follow_and_read_the_published_answer(motcua_testkit::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_file_follow_and_read_the_published_answer_postgres() {
    browser_file_follow_and_read_the_published_answer(motcua_testkit::Backend::Postgres).await;
}
