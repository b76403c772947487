//! Admin pages over HTTP, on both backends: agencies, users, workflows and calendar years,
//! scoped like the APIs (a commune administrator manages their commune only).

use crate::browser::Browser;
use crate::counter_pages::post_multipart;
use motcua_testkit::both_backends;
use reqwest::StatusCode;

both_backends! {
    async fn admin_pages_manage_agencies_users_workflows_and_calendar_in_scope(app) {
        let clerk = Browser::login(&app, "tiepnhan").await;
        for p in ["/quan-tri/co-quan", "/quan-tri/nguoi-dung", "/quan-tri/quy-trinh", "/quan-tri/lich"] {
            assert_eq!(clerk.get(p).await.status, StatusCode::FORBIDDEN, "{p}");
        }

        // Agencies: a commune administrator sees and changes their commune only.
        let commune = Browser::login(&app, "admin.hoalu").await;
        let p = commune.get("/quan-tri/co-quan").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains("Phường Hoa Lư") && !p.body.contains("Sở Tư pháp"), "scoped: {}", p.body);
        let hoalu = app.agency_id("000.00.31.H40").await;
        let before = app.count("agencies").await;
        let bad = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", hoalu.clone()), ("kind", "unit".into()),
            ("code", "not a code".into()), ("name", "Bộ phận Văn hóa".into())]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains(r##"href="#a-code""##) && bad.body.contains(r#"value="Bộ phận Văn hóa""#), "{}", bad.body);
        assert_eq!(app.count("agencies").await, before);
        let outside = app.agency_id("000.00.01.H40").await;
        let r = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", outside), ("kind", "unit".into()),
            ("code", "000.99.01.H40".into()), ("name", "Phòng ngoài phạm vi".into())]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "outside the commune: {}", r.body);
        let r = commune.post("/quan-tri/co-quan", &[("csrf_token", p.csrf()), ("parent_id", hoalu.clone()), ("kind", "unit".into()),
            ("code", "000.09.31.H40".into()), ("name", "Bộ phận Văn hóa".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(app.count("agencies").await, before + 1);
        let new_id = app.agency_id("000.09.31.H40").await;
        let r = commune.post(&format!("/quan-tri/co-quan/{new_id}/doi-ten"), &[("csrf_token", p.csrf()), ("name", "Bộ phận Văn hóa – Thông tin".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(commune.get("/quan-tri/co-quan").await.body.contains("Bộ phận Văn hóa – Thông tin"));

        // Users: created with a membership, then disabled (the account can no longer log in).
        let p = commune.get("/quan-tri/nguoi-dung").await;
        assert!(p.body.contains("chuyenvien.hoalu") && !p.body.contains(">chuyenvien<"), "scoped list");
        let form = |username: &str, password: &str| vec![("csrf_token", p.csrf()), ("username", username.to_string()),
            ("full_name", "Lý Thị Hoa".to_string()), ("password", password.to_string()), ("agency_id", new_id.clone()), ("role", "specialist".to_string())];
        let bad = commune.post("/quan-tri/nguoi-dung", &form("cv.vanhoa", "short")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains(r##"href="#u-password""##), "{}", bad.body);
        let r = commune.post("/quan-tri/nguoi-dung", &form("cv.vanhoa", "Motcua@2026")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        Browser::login(&app, "cv.vanhoa").await;
        let uid = app.user_id("cv.vanhoa").await;
        let page = commune.get("/quan-tri/nguoi-dung").await;
        assert!(page.body.contains(&format!("/quan-tri/nguoi-dung/{uid}/khoa")));
        let r = commune.post(&format!("/quan-tri/nguoi-dung/{uid}/khoa"), &[("csrf_token", page.csrf())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = Browser::new(&app);
        let r = b.post("/dang-nhap", &[("username", "cv.vanhoa".into()), ("password", "Motcua@2026".into())]).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "a disabled account cannot log in");

        // Workflows (province administrators): steps with budgets, errors at their fields.
        let admin = Browser::login(&app, "admin").await;
        let code = "1.910201.H40";
        let p = admin.get(&format!("/quan-tri/quy-trinh/{code}")).await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(r#"name="steps.2.role""#) && p.body.contains(r#"value="approval" selected"#), "{}", p.body);
        let step = |i: usize, kind: &str, agency: &str, role: &str, value: &str, unit: &str| -> Vec<(String, String)> {
            vec![(format!("steps.{i}.kind"), kind.into()), (format!("steps.{i}.name"), String::new()), (format!("steps.{i}.agency.type"), agency.into()),
                 (format!("steps.{i}.agency.code"), String::new()), (format!("steps.{i}.role"), role.into()),
                 (format!("steps.{i}.budget.value"), value.into()), (format!("steps.{i}.budget.unit"), unit.into())]
        };
        let post_steps = |steps: Vec<Vec<(String, String)>>| {
            let mut f: Vec<(String, String)> = vec![("csrf_token".into(), p.csrf()), ("rows".into(), steps.len().to_string())];
            f.extend(steps.into_iter().flatten());
            f
        };
        // The first step is not reception by the counter, and the budgets exceed 10 working days.
        let fields = post_steps(vec![step(0, "appraisal", "competent", "specialist", "9", "working_days"), step(1, "approval", "competent", "leader", "5", "working_days")]);
        let refs: Vec<(&str, String)> = fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let bad = admin.post(&format!("/quan-tri/quy-trinh/{code}"), &refs).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
        assert!(bad.body.contains(r##"href="#w-steps-0""##) && bad.body.contains(r##"href="#w-steps""##), "{}", bad.body);
        let fields = post_steps(vec![step(0, "reception", "receiving", "reception_officer", "4", "hours"),
            step(1, "appraisal", "competent", "specialist", "8", "working_days"), step(2, "approval", "competent", "leader", "1", "working_days")]);
        let refs: Vec<(&str, String)> = fields.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let r = admin.post(&format!("/quan-tri/quy-trinh/{code}"), &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let (_, w) = motcua_app::usecases::dossiers::workflow(&app.ctx, code).await.unwrap();
        assert_eq!(w.steps[1].budget.value, 8);
        let r = commune.post(&format!("/quan-tri/quy-trinh/{code}"), &refs).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "workflows are the province's");

        // Calendar years: the schedule in force; a bad file is refused whole with its problems.
        let p = admin.get("/quan-tri/lich?nam=2026").await;
        assert_eq!(p.status, StatusCode::OK);
        // The schedule as a table (dates, kind, note, document), not the raw file text.
        assert!(!p.body.contains("year,2026") && !p.body.contains("<pre"), "the 2026 schedule as a table: {}", p.body);
        assert!(p.body.contains(r#"<table class="grid schedule">"#), "{}", p.body);
        assert!(p.body.contains("<td>Nghỉ bù</td>") && p.body.contains("<td>Ngày làm bù</td>"), "kinds in words: {}", p.body);
        let fields = vec![("csrf_token", p.csrf()), ("year", "2027".to_string()), ("format", "text".to_string())];
        let r = post_multipart(&admin, "/quan-tri/lich", &fields, &[("file", "lich.csv", "text/csv", b"year,2027\nrevision,x\n")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(r##"href="#c-file""##), "{}", r.body);
        let r = post_multipart(&commune, "/quan-tri/lich", &[("csrf_token", commune.get("/quan-tri/lich").await.csrf()), ("format", "text".into())],
            &[("file", "lich.csv", "text/csv", b"year,2027\n")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the calendar is the province's");
    }
}
