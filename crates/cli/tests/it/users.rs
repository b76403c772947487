use motcua_testkit::both_backends;
use reqwest::StatusCode;
use serde_json::json;

both_backends! {
    async fn commune_officer_gets_403_or_404_on_another_communes_users(app) {
        let hoalu_admin = app.login("admin.hoalu").await;
        let tamdiep = app.agency_id("000.00.32.H40").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let other = app.user_id("admin.tamdiep").await;
        let before = (app.count("users").await, app.count("memberships").await, app.count("audit_events").await);

        // The list only ever holds the caller's own commune.
        let (s, list) = hoalu_admin.get("/api/v1/users?limit=500").await;
        assert_eq!(s, StatusCode::OK);
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"tiepnhan.hoalu") && names.contains(&"admin.hoalu"), "{names:?}");
        assert!(!names.contains(&"admin.tamdiep") && !names.contains(&"admin") && !names.contains(&"congdan"), "{names:?}");
        assert_eq!(list["total"].as_i64().unwrap() as usize, names.len());
        let (_, filtered) = hoalu_admin.get(&format!("/api/v1/users?agency_id={tamdiep}")).await;
        assert_eq!(filtered["total"], 0);

        // Reading, changing, resetting the other commune's user: not found.
        let (s, b) = hoalu_admin.get(&format!("/api/v1/users/{other}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(b["code"], "not_found");
        let (s, _) = hoalu_admin.patch(&format!("/api/v1/users/{other}"), json!({"active": false})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = hoalu_admin.post(&format!("/api/v1/users/{other}/password"), json!({"password": "MatKhau99999"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Creating a user there, or moving a Hoa Lư user there: forbidden.
        let (s, b) = hoalu_admin.post("/api/v1/users", json!({"username": "canbo.moi", "full_name": "Đỗ Thị Hạnh", "password": "MatKhau12345",
                                                            "memberships": [{"agency_id": tamdiep, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        assert_eq!(b["code"], "forbidden");
        let own = app.user_id("chuyenvien.hoalu").await;
        let (s, _) = hoalu_admin.patch(&format!("/api/v1/users/{own}"), json!({"memberships": [{"agency_id": tamdiep, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Nor can it grant itself rights at the province.
        let me = app.user_id("admin.hoalu").await;
        let province = app.agency_id("000.00.00.H40").await;
        let (s, _) = hoalu_admin.patch(&format!("/api/v1/users/{me}"), json!({"memberships": [{"agency_id": hoalu, "role": "admin"}, {"agency_id": province, "role": "admin"}]})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!((app.count("users").await, app.count("memberships").await, app.count("audit_events").await), before);

        // The same calls inside its own commune work.
        let (s, b) = hoalu_admin.patch(&format!("/api/v1/users/{own}"), json!({"phone": "0912 345 678"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["phone"], "0912345678");
    }

    async fn roles_without_user_rights_are_refused(app) {
        let clerk = app.login("tiepnhan").await;
        let (s, b) = clerk.get("/api/v1/users").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(b["code"], "forbidden");
        let citizen = app.login("congdan").await;
        let (s, _) = citizen.get("/api/v1/users").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A leader sees the staff of the department, read-only.
        let leader = app.login("lanhdao").await;
        let (s, list) = leader.get("/api/v1/users").await;
        assert_eq!(s, StatusCode::OK);
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"chuyenvien"), "{names:?}");
        assert!(!names.contains(&"tiepnhan"), "{names:?}");
        let id = app.user_id("chuyenvien").await;
        let (s, _) = leader.patch(&format!("/api/v1/users/{id}"), json!({"active": false})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }

    async fn create_update_disable(app) {
        let admin = app.login("admin").await;
        let dept = app.agency_id("000.00.02.H40").await;
        let (s, u) = admin.post("/api/v1/users", json!({"username": "chuyenvien.xd", "full_name": "Phan Thị Ngọc Ánh",
            "password": "MatKhau12345", "email": "Anh.PTN@xaydung.ninhbinh.gov.vn", "citizen_id": "037190004321",
            "memberships": [{"agency_id": dept, "role": "specialist"}, {"agency_id": dept, "role": "leader"}]})).await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
        assert_eq!(u["email"], "anh.ptn@xaydung.ninhbinh.gov.vn");
        assert_eq!(u["memberships"].as_array().unwrap().len(), 2);
        let id = u["id"].as_str().unwrap().to_string();

        let (s, b) = admin.post("/api/v1/users", json!({"username": "CHUYENVIEN.XD", "full_name": "Người Khác", "password": "MatKhau12345",
            "memberships": [{"agency_id": dept, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "username_taken");
        let (s, b) = admin.post("/api/v1/users", json!({"username": "nguoi.khac", "full_name": "Người Khác", "password": "MatKhau12345",
            "citizen_id": "037190004321", "memberships": [{"agency_id": dept, "role": "specialist"}]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "citizen_id_taken");

        let staff = app.client();
        let (s, _) = staff.post("/api/v1/auth/login", json!({"username": "chuyenvien.xd", "password": "MatKhau12345"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = staff.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::OK);

        let (s, b) = admin.patch(&format!("/api/v1/users/{id}"), json!({"active": false, "email": null})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b["active"], false);
        assert!(b["email"].is_null());
        // Disabling ends the user's sessions and blocks new logins.
        let (s, _) = staff.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, b) = staff.post("/api/v1/auth/login", json!({"username": "chuyenvien.xd", "password": "MatKhau12345"})).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert_eq!(b["code"], "account_disabled");

        let (_, events) = admin.get(&format!("/api/v1/audit?entity_kind=user&entity_id={id}")).await;
        let actions: Vec<&str> = events.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["user.updated", "user.created"]);
        assert_eq!(events[0]["payload"]["after"]["active"], false);
        assert!(!events[1].to_string().contains("MatKhau12345"), "no password in the audit log");

        let (s, _) = admin.post(&format!("/api/v1/users/{id}/password"), json!({"password": "weak"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let me = app.user_id("admin").await;
        let (s, b) = admin.patch(&format!("/api/v1/users/{me}"), json!({"active": false})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "cannot_disable_self");
    }

    async fn password_reset_ends_sessions(app) {
        let admin = app.login("admin").await;
        let staff = app.login("lanhdao.hoalu").await;
        let id = app.user_id("lanhdao.hoalu").await;
        let (s, _) = admin.post(&format!("/api/v1/users/{id}/password"), json!({"password": "DatLaiMatKhau1"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = staff.get("/api/v1/auth/me").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = app.client().post("/api/v1/auth/login", json!({"username": "lanhdao.hoalu", "password": "DatLaiMatKhau1"})).await;
        assert_eq!(s, StatusCode::OK);
    }
}
