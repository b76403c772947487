//! Satisfaction ratings (issue #18, SIPAS) on both backends: the five dimensions on the
//! 5-point scale with the like/dislike, online and at the counter, once per dossier and only
//! once its result is handed back; the counters and averages; counter visits rated through
//! `rate_visit`; low ratings routed to the unit's leaders only; the summary with its
//! response rates, scoped. Then the second screen at return in Chromium.

use crate::browser::Browser;
use motcua_app::usecases::ratings::{self, Answers, VisitRef};
use motcua_domain::dossier::{FactorRating, RatingFactor};
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

/// Xác nhận tình trạng hôn nhân: commune, counter reception or online.
const COMMUNE: &str = "1.004873";
const HOA_LU: &str = "000.00.31.H40";

fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// A paper dossier received at Hoa Lư's counter, handled and resolved (not yet returned).
async fn resolved_at_counter(app: &TestApp) -> Value {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE,
            "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"},
            "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let d = step(&clerk, &d, "forward", json!({})).await;
    let d = step(&app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
    step(&app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận"})).await
}

fn kiosk_form(code: &str, rating_code: &str, extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut f = vec![("code", code.to_string()), ("rating_code", rating_code.to_string())];
    f.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    f
}

async fn notifications_page(app: &TestApp, user: &str) -> String {
    Browser::login(app, user).await.get("/can-bo/thong-bao").await.body
}

/// Delivers the low-rating notifications (the deadline worker's consumer).
async fn deliver(app: &TestApp) {
    let workers = motcua_app::deadlines::dispatcher()
        .unwrap()
        .register(Arc::new(motcua_app::notify::Notify::new(&app.ctx.config).unwrap()))
        .unwrap();
    crate::notify::drain(&app.ctx, &workers).await;
}

fn score(factor: RatingFactor, s: u8) -> FactorRating {
    FactorRating { factor, satisfied: false, score: Some(s) }
}

both_backends! {
    async fn a_counter_dossier_is_rated_on_five_points_once_after_return_and_a_low_rating_reaches_the_leader(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let d = resolved_at_counter(&app).await;
        let other = resolved_at_counter(&app).await;
        let (code, rating_code) = (d["code"].as_str().unwrap().to_string(), d["rating_code"].as_str().unwrap().to_string());
        let kiosk = Browser::new(&app);
        let events = app.count("dossier_events").await;
        // Resolved, not yet handed back: refused, nothing written.
        let p = kiosk.post("/danh-gia", &kiosk_form(&code, &rating_code, &[("satisfied", "yes")])).await;
        assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
        assert_eq!(app.count("dossier_events").await, events);
        let clerk = app.login("tiepnhan.hoalu").await;
        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        step(&clerk, &d, "return", json!({"method": "counter"})).await;
        step(&clerk, &other, "return", json!({"method": "counter"})).await;
        // The return notice links to the rating page with the dossier code filled in (not
        // the rating code: that stays on the receipt).
        let id = d["id"].as_str().unwrap().to_string();
        let (dossier, log) = app.ctx.store
            .read(move |db| Ok::<_, motcua_store::StoreError>((motcua_store::repo::dossiers::get(db, &id)?.unwrap(), motcua_store::repo::dossiers::events(db, &id)?)))
            .await
            .unwrap();
        let fields = motcua_app::notify::fields("https://dvc.example.vn", &dossier, log.last().unwrap());
        assert_eq!(fields["rating_link"], format!("https://dvc.example.vn/danh-gia?code={code}"));
        let notice = motcua_app::notify::template(std::path::Path::new("/nonexistent"), "returned", motcua_domain::notice::Language::Vi).unwrap();
        let body = motcua_app::notify::render(&notice.body, &fields).unwrap();
        assert!(body.contains(&fields["rating_link"]) && !body.contains(&rating_code), "{body}");
        let p = kiosk.get(&format!("/danh-gia?code={code}")).await;
        assert!(p.status == StatusCode::OK && p.body.contains(&format!(r#"value="{code}""#)), "{}", p.body);
        assert!(p.body.contains("score_officer-5") && p.body.contains("Rất không hài lòng"), "{}", p.body);

        // Bad input: each refused with its message, nothing written.
        let events = app.count("dossier_events").await;
        let bad: [(&[(&'static str, &str)], &str); 4] = [
            (&[("satisfied", "yes"), ("score_access", "6")], "Điểm đánh giá phải từ 1"),
            (&[("satisfied", "yes"), ("score_result", "0")], "Điểm đánh giá phải từ 1"),
            (&[("score_access", "5")], "Chọn hài lòng hoặc không hài lòng"),
            (&[("satisfied", "no"), ("comment", &"<script>x</script>".repeat(200))], "Tối đa 2000 ký tự"),
        ];
        for (fields, message) in bad {
            let p = kiosk.post("/danh-gia", &kiosk_form(&code, &rating_code, fields)).await;
            assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", p.body);
            assert!(p.body.contains(message), "{fields:?}: {}", p.body);
            assert!(!p.body.contains("<script>x"), "escaped");
        }
        assert_eq!(app.count("dossier_events").await, events);

        // The machines' door checks the scale too.
        let mut body = json!({"code": code, "rating_code": rating_code, "satisfied": true, "factors": [{"factor": "access", "score": 7}]});
        let (s, b) = app.client().post("/api/v1/ratings", body.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("score_out_of_range")), "{b}");
        body["factors"] = json!([{"factor": "access", "score": 5}, {"factor": "access", "score": 4}]);
        let (s, b) = app.client().post("/api/v1/ratings", body).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicate_factor")), "{b}");
        assert_eq!(app.count("dossier_events").await, events);

        let answers = [("satisfied", "yes"), ("score_access", "5"), ("score_procedure", "4"), ("score_officer", "2"),
            ("score_result", "5"), ("comment", "<b>Chờ lâu</b>")];
        let p = kiosk.post("/danh-gia", &kiosk_form(&code.to_lowercase(), &rating_code, &answers)).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.body);
        assert!(p.body.contains("Cảm ơn"), "{}", p.body);
        // Once.
        let p = kiosk.post("/danh-gia", &kiosk_form(&code, &rating_code, &[("satisfied", "no")])).await;
        assert!(p.status == StatusCode::UNPROCESSABLE_ENTITY && p.body.contains("mỗi hồ sơ chỉ đánh giá một lần"), "{}", p.body);
        // The counter officer does not read the answers, nor the timeline's; the leader does.
        let path = format!("/api/v1/dossiers/{}", d["id"].as_str().unwrap());
        let (_, hidden) = clerk.get(&path).await;
        assert_eq!(hidden["dossier"]["rating"], Value::Null, "{hidden}");
        let rated = hidden["timeline"].as_array().unwrap().iter().find(|e| e["kind"] == "rated").unwrap().clone();
        assert_eq!(rated["event"], json!({"kind": "rated"}), "{hidden}");
        let (_, got) = app.login("lanhdao.hoalu").await.get(&path).await;
        let r = &got["dossier"]["rating"];
        assert_eq!((r["satisfied"].as_bool(), r["factors"][2]["factor"].as_str(), r["factors"][2]["score"].as_i64()),
            (Some(true), Some("officer"), Some(2)), "{got}");
        assert_eq!(r["factors"][2]["satisfied"], false, "2 is not satisfied: {got}");
        assert_eq!(r["comment"], "<b>Chờ lâu</b>", "stored as typed, escaped where shown");

        // Counters: like/dislike as before, the scores' sums and counts, the low rating.
        let (_, k) = app.login("lanhdao.hoalu").await.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
        for (metric, want) in [("rated_satisfied", 1), ("rated_access_score_sum", 5), ("rated_access_count", 1),
            ("rated_officer_score_sum", 2), ("rated_officer_count", 1), ("rated_low", 1), ("returned", 2)] {
            assert_eq!(k[metric].as_i64(), Some(want), "{metric}: {k}");
        }
        assert_eq!(k["rated_feedback_count"].as_i64().unwrap_or(0), 0, "not answered: {k}");

        // The summary, hand-worked: 1 like of 1 rating = 100 %; 1 rating of 2 returned = 50 %.
        let leader = app.login("lanhdao.hoalu").await;
        let (s, sum) = leader.get(&format!("/api/v1/ratings/summary?unit={HOA_LU}&from=2026-03-01&to=2026-03-31")).await;
        assert_eq!(s, StatusCode::OK, "{sum}");
        let b = &sum["dossiers"];
        assert_eq!((b["rated"].as_i64(), b["basis"].as_i64(), b["response_rate"].as_f64(), b["like_rate"].as_f64(), b["low"].as_i64()),
            (Some(1), Some(2), Some(50.0), Some(100.0), Some(1)), "{sum}");
        assert_eq!((b["factors"][2]["factor"].as_str(), b["factors"][2]["average"].as_f64()), (Some("officer"), Some(2.0)), "{sum}");
        assert_eq!(b["factors"][4]["average"], Value::Null, "{sum}");
        let page = Browser::login(&app, "lanhdao.hoalu").await.get("/can-bo/danh-gia?from=2026-03-01&to=2026-03-31").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("100,0 % hài lòng (1/1 đánh giá, tỷ lệ phản hồi 50,0 % trên 2 hồ sơ đã trả kết quả)"), "{}", page.body);
        assert!(page.body.contains("2,00/5"), "{}", page.body);

        // A satisfaction target shows its response rate too (page and API).
        let target = json!({"unit": HOA_LU, "period": "2026-03", "metric": "satisfaction", "target_percent": 90});
        let (s, b) = leader.send(reqwest::Method::PUT, "/api/v1/targets", Some(target)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, t) = leader.get(&format!("/api/v1/targets?unit={HOA_LU}&period=2026-03")).await;
        let sat = t["targets"].as_array().unwrap().iter().find(|x| x["metric"] == "satisfaction").unwrap().clone();
        assert_eq!((sat["numerator"].as_i64(), sat["denominator"].as_i64(), sat["response_rate"].as_f64()), (Some(1), Some(1), Some(50.0)), "{t}");
        let page = Browser::login(&app, "lanhdao.hoalu").await.get(&format!("/can-bo/chi-tieu?unit={HOA_LU}&period=2026-03")).await;
        assert!(page.body.contains("hài lòng (1/1 đánh giá, tỷ lệ phản hồi 50,0 %)"), "{}", page.body);

        // The low rating: to Hoa Lư's leader, not to the officers who handled the dossier.
        deliver(&app).await;
        let lead = notifications_page(&app, "lanhdao.hoalu").await;
        assert!(lead.contains("Đánh giá không hài lòng") && lead.contains(&code), "{lead}");
        assert!(lead.contains("Công chức giải quyết công việc: 2/5"), "{lead}");
        for officer in ["tiepnhan.hoalu", "chuyenvien.hoalu", "lanhdao"] {
            let page = notifications_page(&app, officer).await;
            assert!(!page.contains("Đánh giá không hài lòng"), "{officer}: {page}");
        }
        // The handling officer's dossier page does not show the answers either.
        let officer = Browser::login(&app, "tiepnhan.hoalu").await.get(&format!("/can-bo/ho-so/{}", d["id"].as_str().unwrap())).await;
        assert!(!officer.body.contains("Đánh giá của người nộp"), "{}", officer.body);
    }

    async fn the_online_owner_rates_their_own_returned_dossier_once_and_nobody_elses(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let citizen = app.login("congdan").await;
        let (s, d) = citizen
            .post("/api/v1/dossiers", json!({"procedure_code": COMMUNE, "competent_agency_id": app.agency_id(HOA_LU).await,
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678"}}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_str().unwrap().to_string();
        for key in ["to_khai", "giay_to_tuy_than"] {
            let path = format!("/api/v1/dossiers/{id}/components/{key}/files?name={key}.pdf");
            let (s, b) = citizen.raw(reqwest::Method::PUT, &path, "application/pdf", motcua_testkit::files::PDF.to_vec()).await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
        }
        let (_, d) = citizen.get(&format!("/api/v1/dossiers/{id}")).await;
        let d = step(&citizen, &d["dossier"], "submit", json!({})).await;
        let clerk = app.login("tiepnhan.hoalu").await;
        let d = step(&clerk, &d, "receive", json!({})).await;
        let d = step(&clerk, &d, "forward", json!({})).await;
        let d = step(&app.login("chuyenvien.hoalu").await, &d, "forward", json!({})).await;
        let d = step(&app.login("lanhdao.hoalu").await, &d, "resolve", json!({"name": "Giấy xác nhận"})).await;
        // Before the return: the API refuses it (409 invalid_transition), nothing written.
        let (s, b) = citizen.post(&format!("/api/v1/dossiers/{id}/rating"), json!({"version": d["version"], "satisfied": true})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")), "{b}");
        step(&clerk, &d, "return", json!({"method": "online"})).await;

        let b = Browser::login(&app, "congdan").await;
        let p = b.get(&format!("/ho-so-cua-toi/{id}")).await;
        assert!(p.body.contains("score_feedback-1") && p.body.contains("Tiếp nhận, xử lý góp ý, phản ánh"), "{}", p.body);
        let bad = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"),
            &[("csrf_token", p.csrf()), ("satisfied", "yes".into()), ("score_procedure", "9".into())]).await;
        assert!(bad.status == StatusCode::UNPROCESSABLE_ENTITY && bad.body.contains("Điểm đánh giá phải từ 1"), "{}", bad.body);
        let r = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("satisfied", "no".into()),
            ("score_procedure", "1".into()), ("score_result", "4".into()), ("comment", "<script>alert(1)</script>".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let shown = b.get(&format!("/ho-so-cua-toi/{id}")).await.body;
        assert!(shown.contains("Thủ tục hành chính</dt><dd>1/5") && !shown.contains("<script>alert(1)"), "{shown}");
        // Once.
        let again = b.post(&format!("/ho-so-cua-toi/{id}/danh-gia"), &[("csrf_token", p.csrf()), ("satisfied", "yes".into())]).await;
        assert!(again.status == StatusCode::UNPROCESSABLE_ENTITY && again.body.contains("mỗi hồ sơ chỉ đánh giá một lần"), "{}", again.body);

        // Someone else's dossier: a paper one, returned, is not the citizen's to rate.
        let paper = resolved_at_counter(&app).await;
        let paper = step(&clerk, &paper, "return", json!({"method": "counter"})).await;
        let events = app.count("dossier_events").await;
        let (s, _) = citizen
            .post(&format!("/api/v1/dossiers/{}/rating", paper["id"].as_str().unwrap()), json!({"version": paper["version"], "satisfied": false}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(app.count("dossier_events").await, events);
        let (_, k) = app.login("admin").await.get("/api/v1/kpi?from=2026-03-01&to=2026-03-31").await;
        assert_eq!((k["rated_unsatisfied"].as_i64(), k["rated_procedure_score_sum"].as_i64(), k["rated_low"].as_i64()),
            (Some(1), Some(1), Some(1)), "{k}");
    }

    async fn a_counter_visit_is_rated_once_per_ticket_and_the_summary_is_scoped(app) {
        app.ctx.clock.set(vn("2026-03-04T10:00:00"));
        let hoa_lu = app.agency_id(HOA_LU).await;
        let officer = app.user_id("tiepnhan.hoalu").await;
        let visit = |ticket: &str| VisitRef {
            ticket_id: ticket.into(),
            agency_id: hoa_lu.clone(),
            counter: Some("Quầy 1".into()),
            officer_id: Some(officer.clone()),
        };
        let good = Answers {
            satisfied: true,
            factors: vec![score(RatingFactor::Access, 4), score(RatingFactor::Officer, 5)],
            comment: Some("Nhanh".into()),
        };
        let row = ratings::rate_visit(&app.ctx, visit("t-1"), good.clone()).await.unwrap();
        assert_eq!((row.scores[0], row.scores[2], row.low), (Some(4), Some(5), false));
        // Once per ticket.
        let e = ratings::rate_visit(&app.ctx, visit("t-1"), good.clone()).await.unwrap_err();
        assert_eq!((e.status(), e.code()), (409, "already_rated"));
        // A score out of range, a comment too long: refused, nothing written.
        let e = ratings::rate_visit(&app.ctx, visit("t-2"), Answers { factors: vec![score(RatingFactor::Result, 6)], ..good.clone() })
            .await
            .unwrap_err();
        assert_eq!((e.status(), e.code()), (422, "score_out_of_range"));
        let e = ratings::rate_visit(&app.ctx, visit("t-2"), Answers { comment: Some("x".repeat(2001)), ..good.clone() })
            .await
            .unwrap_err();
        assert_eq!(e.code(), "too_long");
        assert_eq!(app.count("ratings").await, 1);
        // A low one (officials scored 1): to the centre's leader.
        let low = Answers { satisfied: false, factors: vec![score(RatingFactor::Officer, 1)], comment: None };
        assert!(ratings::rate_visit(&app.ctx, visit("t-2"), low).await.unwrap().low);
        deliver(&app).await;
        let lead = notifications_page(&app, "lanhdao.hoalu").await;
        assert!(lead.contains("Lượt phục vụ t-2") && lead.contains("Công chức giải quyết công việc: 1/5"), "{lead}");
        assert!(!notifications_page(&app, "tiepnhan.hoalu").await.contains("Lượt phục vụ"), "not to the officer");

        // The summary: Hoa Lư's leader sees both; Sở Tư pháp's leader has none in scope and
        // cannot read Hoa Lư's.
        let q = "from=2026-03-01&to=2026-03-31";
        let (_, s) = app.login("lanhdao.hoalu").await.get(&format!("/api/v1/ratings/summary?{q}")).await;
        let v = &s["visits"];
        assert_eq!((v["rated"].as_i64(), v["satisfied"].as_i64(), v["low"].as_i64(), v["like_rate"].as_f64()),
            (Some(2), Some(1), Some(1), Some(50.0)), "{s}");
        assert_eq!((v["factors"][2]["average"].as_f64(), v["factors"][2]["answers"].as_i64()), (Some(3.0), Some(2)), "{s}");
        assert_eq!(v["response_rate"], Value::Null, "{s}");
        let other = app.login("lanhdao").await;
        let (_, s) = other.get(&format!("/api/v1/ratings/summary?{q}")).await;
        assert_eq!(s["visits"]["rated"].as_i64(), Some(0), "scoped in the query: {s}");
        let (st, _) = other.get(&format!("/api/v1/ratings/summary?unit={HOA_LU}&{q}")).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        let (st, _) = app.login("tiepnhan.hoalu").await.get(&format!("/api/v1/ratings/summary?{q}")).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        let (st, b) = app.login("lanhdao.hoalu").await.get("/api/v1/ratings/summary?from=2026-03-31&to=2026-03-01").await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
}

/// The second screen at return (Chromium, SQLite; phone and desktop, axe): the counter
/// officer hands a paper result back on the dossier page; the screen, open beside it, turns
/// into the rating form; the applicant rates there; the rating is recorded by the kiosk
/// (not the officer) and the screen thanks them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_the_second_screen_asks_for_the_rating_at_return() {
    use motcua_testkit::Backend;
    use motcua_testkit::browser::{Browser as Chromium, By};
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.ctx.clock.set(jiff::Timestamp::now().as_millisecond());
    let d = resolved_at_counter(&app).await;
    let id = d["id"].as_str().unwrap().to_string();
    let officer_id = app.user_id("tiepnhan.hoalu").await;
    let counter = app
        .ctx
        .store
        .read(move |db| motcua_store::repo::users::memberships(db, &officer_id))
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.role == motcua_domain::user::Role::ReceptionOfficer)
        .unwrap()
        .agency_id;
    // The second screen, open before the return (the officer's second monitor).
    let screen = Chromium::start(&app).await;
    screen.login("tiepnhan.hoalu").await;
    screen.open(&format!("/man-hinh/quay/{counter}")).await;
    screen.axe().await;
    // The officer hands the result back on the dossier page (another window of the session).
    let officer = Browser::login(&app, "tiepnhan.hoalu").await;
    let page = officer.get(&format!("/can-bo/ho-so/{id}")).await;
    let r = officer
        .post(
            &format!("/can-bo/ho-so/{id}/tra-ket-qua"),
            &[("csrf_token", page.csrf()), ("version", d["version"].to_string()), ("method", "counter".into())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The screen reloads into the rating stage by itself.
    screen.find(By::Id("score_officer-5")).await;
    assert_eq!(screen.by_id("screen").await.attr("data-stage").await.unwrap().as_deref(), Some("rating"));
    screen.capture("screen-rating").await;
    for id in ["satisfied-yes", "score_access-5", "score_procedure-4", "score_officer-5", "score_result-4", "score_feedback-3"] {
        screen.by_id(id).await.click().await.unwrap();
    }
    screen.fill("comment", "Cán bộ tận tình").await;
    let at = screen.click_text("Gửi đánh giá").await;
    assert_eq!(at, format!("/man-hinh/quay/{counter}"));
    let text = screen.main_text().await;
    assert!(text.contains("Cảm ơn Quý khách đã đánh giá"), "{text}");
    screen.capture("screen-thanks").await;
    // The same form on the kiosk / phone page, the code filled in from the notice's link.
    let code = d["code"].as_str().unwrap();
    screen.open(&format!("/danh-gia?code={code}")).await;
    assert_eq!(screen.by_id("code").await.value().await.unwrap().as_deref(), Some(code));
    screen.find(By::Id("score_feedback-1")).await;
    screen.capture("rating-kiosk").await;
    // The leader's summary.
    screen.login("lanhdao.hoalu").await;
    screen.open("/can-bo/danh-gia").await;
    let text = screen.main_text().await;
    assert!(text.contains("Đánh giá hồ sơ") && text.contains("tỷ lệ phản hồi"), "{text}");
    screen.capture("ratings-summary").await;
    screen.quit().await;
    // Recorded as the kiosk's, with the scores; the officer's page shows none of it.
    let (_, got) = app.login("lanhdao.hoalu").await.get(&format!("/api/v1/dossiers/{id}")).await;
    let r = &got["dossier"]["rating"];
    assert_eq!(
        (r["satisfied"].as_bool(), r["factors"][4]["score"].as_i64(), r["comment"].as_str()),
        (Some(true), Some(3), Some("Cán bộ tận tình")),
        "{got}"
    );
    let actor: String = app
        .ctx
        .store
        .read(move |db| {
            db.query_one(
                "SELECT actor_id FROM dossier_events WHERE dossier_id = $1 ORDER BY seq DESC LIMIT 1",
                &motcua_store::params![id],
            )?
            .text(0)
        })
        .await
        .unwrap();
    assert_eq!(actor, motcua_domain::dossier::KIOSK_ACTOR);
    let after = officer.get(&format!("/can-bo/ho-so/{}", d["id"].as_str().unwrap())).await;
    assert!(!after.body.contains("Cán bộ tận tình"), "the answers never reach the officer's page");
}
