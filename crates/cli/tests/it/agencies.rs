use motcua_testkit::both_backends;
use reqwest::StatusCode;
use serde_json::json;

both_backends! {
    async fn demo_province_is_seeded(app) {
        let c = app.client();
        let (s, b) = c.get("/api/v1/agencies?kind=department").await;
        assert_eq!(s, StatusCode::OK);
        assert!(b["total"].as_i64().unwrap() >= 8);
        let (_, b) = c.get("/api/v1/agencies?kind=commune").await;
        assert!(b["total"].as_i64().unwrap() >= 6);
        let (_, b) = c.get("/api/v1/agencies?kind=counter").await;
        assert!(b["total"].as_i64().unwrap() >= 4);
        // Search ignores diacritics and đ.
        let (_, b) = c.get("/api/v1/agencies?q=trung%20tam%20phuc%20vu%20hanh%20chinh%20cong%20tinh").await;
        assert_eq!(b["total"], 1, "{b}");
        let (_, b) = c.get("/api/v1/agencies?q=GIAO%20DUC%20va%20dao%20tao").await;
        assert_eq!(b["items"][0]["code"], "000.00.07.H40");
    }

    async fn create_with_tree_rules_and_unique_code(app) {
        let c = app.login("admin").await;
        let province = app.agency_id("000.00.00.H40").await;
        let (s, a) = c.post("/api/v1/agencies", json!({"code": "000.00.38.H40", "name": "Ủy ban nhân dân xã Yên Mô", "kind": "commune",
                                                     "parent_id": province, "valid_from": "2025-07-01"})).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        assert_eq!(a["depth"], 2);
        let (s, b) = c.post("/api/v1/agencies", json!({"code": "000.00.38.h40", "name": "Trùng mã", "kind": "commune", "parent_id": province})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "agency_code_taken");
        assert_eq!(b["fields"][0]["field"], "code");
        let (s, b) = c.post("/api/v1/agencies", json!({"code": "000.09.38.H40", "name": "Quầy lạc chỗ", "kind": "counter", "parent_id": a["id"]})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "kind_not_allowed_here");
        let (s, _) = c.post("/api/v1/agencies", json!({"code": "000.01.38.H40", "name": "Trung tâm Phục vụ hành chính công xã Yên Mô",
                                                    "kind": "commune_centre", "parent_id": a["id"]})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, kids) = c.get(&format!("/api/v1/agencies?parent_id={}", a["id"].as_str().unwrap())).await;
        assert_eq!(kids["total"], 1);
    }

    async fn commune_admin_cannot_touch_another_commune(app) {
        let c = app.login("admin.hoalu").await;
        let tamdiep = app.agency_id("000.00.32.H40").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let before = app.count("agencies").await;
        let (s, _) = c.post("/api/v1/agencies", json!({"code": "000.09.32.H40", "name": "Tổ một cửa", "kind": "unit", "parent_id": tamdiep})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = c.patch(&format!("/api/v1/agencies/{tamdiep}"), json!({"phone": "0229 3871 234"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = c.post(&format!("/api/v1/agencies/{tamdiep}/rename"), json!({"name": "Phường Tam Điệp mới"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.count("agencies").await, before);
        let (s, b) = c.patch(&format!("/api/v1/agencies/{hoalu}"), json!({"phone": "0229 3871 234", "address": "Số 1 đường Tràng An"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["phone"], "02293871234");
        assert_eq!(b["address"], "Số 1 đường Tràng An");
    }

    async fn rename_keeps_history(app) {
        let c = app.login("admin").await;
        let id = app.agency_id("000.00.03.H40").await;
        let (s, b) = c.post(&format!("/api/v1/agencies/{id}/rename"), json!({"name": "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình (mới)", "effective": "2026-01-01"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, before) = c.get(&format!("/api/v1/agencies/{id}?at=2025-12-31")).await;
        assert_eq!(before["name_at"], "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình");
        let (_, after) = c.get(&format!("/api/v1/agencies/{id}?at=2026-01-01")).await;
        assert_eq!(after["name_at"], "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình (mới)");
        assert_eq!(after["names"].as_array().unwrap().len(), 2);
        let (_, events) = c.get(&format!("/api/v1/audit?entity_kind=agency&entity_id={id}")).await;
        assert_eq!(events[0]["action"], "agency.renamed");
        assert_eq!(events[0]["payload"]["effective"], "2026-01-01");
    }

    async fn merge_moves_units_and_staff_and_keeps_the_original(app) {
        let c = app.login("admin").await;
        let tamdiep = app.agency_id("000.00.32.H40").await;
        let hoalu = app.agency_id("000.00.31.H40").await;
        let tamdiep_centre = app.agency_id("000.01.32.H40").await;
        let tamdiep_counter = app.agency_id("000.02.32.H40").await;
        let (s, b) = c.post(&format!("/api/v1/agencies/{tamdiep}/merge"), json!({"into": hoalu, "effective": "2026-12-01"})).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["agency"]["valid_to"], "2026-12-01");
        assert_eq!(b["agency"]["successor_id"], hoalu.as_str());
        assert_eq!(b["moved_children"][0], tamdiep_centre.as_str());
        assert_eq!(b["moved_memberships"], 1);
        // The centre (and its counter, a level deeper) now sit under the successor.
        let (_, centre) = c.get(&format!("/api/v1/agencies/{tamdiep_centre}")).await;
        assert_eq!(centre["parent_id"], hoalu.as_str());
        let (_, counter) = c.get(&format!("/api/v1/agencies/{tamdiep_counter}")).await;
        assert_eq!(counter["depth"], 4);
        // The commune administrator of Tam Điệp now serves Hoa Lư and can manage its users.
        let user = app.user_id("admin.tamdiep").await;
        let (_, u) = c.get(&format!("/api/v1/users/{user}")).await;
        assert_eq!(u["memberships"][0]["agency_id"], hoalu.as_str());
        let moved = app.login("admin.tamdiep").await;
        let (s, list) = moved.get(&format!("/api/v1/users?agency_id={hoalu}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(list["total"].as_i64().unwrap() >= 4);
        // History keeps the original unit, its code and names; it cannot be merged twice.
        let (_, old) = c.get(&format!("/api/v1/agencies/{tamdiep}?at=2026-06-01")).await;
        assert_eq!(old["code"], "000.00.32.H40");
        assert_eq!(old["name_at"], "Ủy ban nhân dân phường Tam Điệp");
        let (_, active) = c.get("/api/v1/agencies?kind=commune&active_on=2026-12-15").await;
        assert!(active["items"].as_array().unwrap().iter().all(|a| a["id"] != tamdiep.as_str()));
        let (s, b) = c.post(&format!("/api/v1/agencies/{tamdiep}/merge"), json!({"into": hoalu, "effective": "2027-01-01"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "agency_dissolved");
        // A unit cannot be merged into its own sub-unit.
        let (s, b) = c.post(&format!("/api/v1/agencies/{hoalu}/merge"), json!({"into": tamdiep_centre})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
}
