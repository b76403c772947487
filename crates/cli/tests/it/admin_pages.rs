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
        let r = commune.post(&format!("/quan-tri/nguoi-dung/{uid}/khoa"), &[("csrf_token", page.csrf()), ("confirm", "yes".into())]).await;
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

both_backends! {
    async fn users_list_shows_roles_and_units_in_vietnamese(app) {
        let commune = Browser::login(&app, "admin.hoalu").await;
        let p = commune.get("/quan-tri/nguoi-dung").await;
        assert_eq!(p.status, StatusCode::OK);
        // The role and the unit of each account, as words (not codes).
        let row = p.body.split("<tr>").find(|r| r.contains("<td>chuyenvien.hoalu</td>")).unwrap_or_else(|| panic!("{}", p.body)).to_string();
        assert!(row.contains("Chuyên viên – Ủy ban nhân dân phường Hoa Lư"), "role and unit: {row}");
        assert!(p.body.contains("Vai trò") && p.body.contains("Đơn vị"), "{}", p.body);
        // No English label on the Vietnamese page.
        assert!(p.body.contains("Thư điện tử") && !p.body.contains(">Email<"), "{}", p.body);
    }

    async fn locking_an_account_asks_for_confirmation_first(app) {
        let commune = Browser::login(&app, "admin.hoalu").await;
        let uid = app.user_id("chuyenvien.hoalu").await;
        let list = commune.get("/quan-tri/nguoi-dung").await;
        // The list links to a confirmation page; it has no one-click lock button.
        assert!(list.body.contains(&format!(r#"href="/quan-tri/nguoi-dung/{uid}/khoa""#)), "{}", list.body);
        assert!(!list.body.contains(&format!(r#"action="/quan-tri/nguoi-dung/{uid}/khoa""#)), "{}", list.body);
        let confirm = commune.get(&format!("/quan-tri/nguoi-dung/{uid}/khoa")).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.body);
        assert!(confirm.body.contains("chuyenvien.hoalu") && confirm.body.contains(r#"name="confirm" value="yes""#), "{}", confirm.body);
        // A POST without the confirmation changes nothing.
        let r = commune.post(&format!("/quan-tri/nguoi-dung/{uid}/khoa"), &[("csrf_token", confirm.csrf())]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        Browser::login(&app, "chuyenvien.hoalu").await;
        let r = commune.post(&format!("/quan-tri/nguoi-dung/{uid}/khoa"), &[("csrf_token", confirm.csrf()), ("confirm", "yes".into())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let b = Browser::new(&app);
        let r = b.post("/dang-nhap", &[("username", "chuyenvien.hoalu".into()), ("password", "Motcua@2026".into())]).await;
        assert_ne!(r.status, StatusCode::SEE_OTHER, "a locked account cannot log in");
        // An account outside the commune does not exist for its administrator (as in the API).
        let other = app.user_id("chuyenvien").await;
        assert_eq!(commune.get(&format!("/quan-tri/nguoi-dung/{other}/khoa")).await.status, StatusCode::NOT_FOUND);
    }

    async fn every_user_changes_their_own_password(app) {
        for user in ["congdan", "chuyenvien"] {
            let b = Browser::login(&app, user).await;
            let home = b.get("/").await;
            assert!(home.body.contains(r#"href="/tai-khoan/mat-khau""#), "reachable from the home page: {}", home.body);
            let p = b.get("/tai-khoan/mat-khau").await;
            assert_eq!(p.status, StatusCode::OK, "{}", p.body);
            let form = |cur: &str, new: &str, rep: &str| vec![("csrf_token", p.csrf()), ("current_password", cur.to_string()),
                ("new_password", new.to_string()), ("repeat_password", rep.to_string())];
            let bad = b.post("/tai-khoan/mat-khau", &form("sai mat khau", "Moi@20262026", "Moi@20262026")).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
            assert!(bad.body.contains(r##"href="#current_password""##) && bad.body.contains("Mật khẩu hiện tại không đúng."), "{}", bad.body);
            let bad = b.post("/tai-khoan/mat-khau", &form("Motcua@2026", "Moi@20262026", "Khac@20262026")).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(bad.body.contains(r##"href="#repeat_password""##), "{}", bad.body);
            assert!(!bad.body.contains("Motcua@2026"), "passwords are never shown again: {}", bad.body);
            let r = b.post("/tai-khoan/mat-khau", &form("Motcua@2026", "Moi@20262026", "Moi@20262026")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let anon = Browser::new(&app);
            let old = anon.post("/dang-nhap", &[("username", user.into()), ("password", "Motcua@2026".into())]).await;
            assert_ne!(old.status, StatusCode::SEE_OTHER, "the old password no longer works");
            let new = anon.post("/dang-nhap", &[("username", user.into()), ("password", "Moi@20262026".into())]).await;
            assert_eq!(new.status, StatusCode::SEE_OTHER, "{}", new.body);
        }
        let anon = Browser::new(&app);
        let r = anon.get("/tai-khoan/mat-khau").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login first");
    }

    async fn admin_and_calendar_pages_answer_errors_as_html(app) {
        let anon = Browser::new(&app);
        let admin = Browser::login(&app, "admin").await;
        for (b, path, status) in [
            (&anon, "/lich/3000", StatusCode::UNPROCESSABLE_ENTITY),
            (&anon, "/lich/khong-phai-nam", StatusCode::NOT_FOUND),
            (&anon, "/thu-tuc/mau/khong-co.docx", StatusCode::NOT_FOUND),
            (&admin, "/quan-tri/quy-trinh/khong-co", StatusCode::NOT_FOUND),
            (&admin, "/quan-tri/thu-tuc/khong-co", StatusCode::NOT_FOUND),
        ] {
            let p = b.get(path).await;
            assert_eq!(p.status, status, "{path}: {}", p.body);
            let ct = p.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert!(ct.starts_with("text/html") && p.body.contains(r#"<html lang="vi">"#), "{path}: {ct} {}", p.body);
            assert!(!p.body.trim_start().starts_with('{'), "{path}: no JSON: {}", p.body);
        }
        // A wrong method on a page address is an HTML page too.
        let r = admin.http.delete(format!("{}/quan-tri/nguoi-dung", admin.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
}

both_backends! {
    async fn procedure_admin_page_links_to_its_workflow(app) {
        let admin = Browser::login(&app, "admin").await;
        let p = admin.get("/quan-tri/thu-tuc/1.910201.H40").await;
        assert_eq!(p.status, StatusCode::OK);
        assert!(p.body.contains(r#"href="/quan-tri/quy-trinh/1.910201.H40""#), "{}", p.body);
    }

    async fn a_refused_rename_keeps_the_name_typed_on_its_row_not_in_the_create_form(app) {
        let admin = Browser::login(&app, "admin.hoalu").await;
        let p = admin.get("/quan-tri/co-quan").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let r = admin.post(&format!("/quan-tri/co-quan/{hoalu}/doi-ten"), &[("csrf_token", p.csrf()), ("name", "Q".into())]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains(&format!(r##"href="#rename-{hoalu}""##)), "{}", r.body);
        let typed = format!(r#"id="rename-{hoalu}" name="name" type="text" value="Q">"#);
        assert!(r.body.contains(&typed), "the rename keeps the name typed: {}", r.body);
        assert_eq!(r.body.matches(r#"value="Q""#).count(), 1, "the create form stays blank: {}", r.body);
        let after = admin.get("/quan-tri/co-quan").await;
        assert!(after.body.contains("Phường Hoa Lư") && !after.body.contains(r#"value="Q""#), "nothing renamed: {}", after.body);
    }
}
