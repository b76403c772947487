//! The simulator's checks, rule by rule: a valid message passes, and each broken field is
//! refused with its machine code and the field named.

use crate::validate::{dossier_message, progress_message, transition_allowed};
use serde_json::{Value, json};

fn valid() -> Value {
    json!({
        "service": "DongBoHoSoMC", "isUpdating": false,
        "data": [{
            "MaHoSo": "000.01.20.H40-260302-0001", "MaTTHC": "1.910201.H40", "TenTTHC": "Đăng ký hành nghề",
            "LoaiDoiTuong": 1, "TrichYeuHoSo": "Đăng ký hành nghề", "NgayTiepNhan": "20260302090000",
            "NgayHenTra": "20260316170000", "TrangThaiHoSo": 2, "HinhThuc": 0, "DonViXuLy": "Sở Tư pháp tỉnh Ninh Bình",
            "KenhThucHien": 1, "DuocThanhToanTrucTuyen": 0, "HoSoCoThanhPhanSoHoa": 1, "TaiKhoanDuocXacThucVoiVNeID": 0,
            "ThoiGianGiaiQuyet": 10, "DonViTinh": "Ngày làm việc",
            "TaiLieuNop": [{"TepDinhKemId": "f1", "TenTepDinhKem": "don.pdf", "IsDeleted": false, "MaThanhPhanHoSo": "don", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0}]
        }]
    })
}

fn known(c: &str) -> bool {
    c == "1.910201.H40"
}

fn refused_for(mutate: impl FnOnce(&mut Value)) -> (&'static str, String) {
    let mut m = valid();
    mutate(&mut m);
    let r = dossier_message(&m, &known).expect_err("refused");
    assert!(!r.message.is_ascii(), "a Vietnamese message: {}", r.message);
    (r.code, r.field.unwrap_or_default())
}

#[test]
fn a_valid_dossier_passes() {
    let (updating, items) = dossier_message(&valid(), &known).unwrap();
    assert!(!updating);
    assert_eq!((items[0].code.as_str(), items[0].status), ("000.01.20.H40-260302-0001", 2));
}

#[test]
fn a_missing_dossier_code_is_refused() {
    assert_eq!(
        refused_for(|m| drop(m["data"][0].as_object_mut().unwrap().remove("MaHoSo"))),
        ("missing_field", "data[0].MaHoSo".into())
    );
    assert_eq!(refused_for(|m| m["data"][0]["MaHoSo"] = json!("  ")), ("missing_field", "data[0].MaHoSo".into()));
}

#[test]
fn a_dossier_code_of_the_wrong_shape_is_refused() {
    for bad in ["000.01.20.H40-2603020001", "000.01.20.H40-261302-0001", "X-260302-01", "N260302-7KQM4XTA"] {
        assert_eq!(
            refused_for(|m| m["data"][0]["MaHoSo"] = json!(bad)),
            ("invalid_dossier_code", "data[0].MaHoSo".into()),
            "{bad}"
        );
    }
    // A filing refused before reception goes by its filing reference (status 3 only).
    let mut m = valid();
    m["data"][0]["MaHoSo"] = json!("N260302-7KQM4XTA");
    m["data"][0]["TrangThaiHoSo"] = json!(3);
    assert!(dossier_message(&m, &known).is_ok());
}

#[test]
fn a_date_of_the_wrong_format_or_not_real_is_refused() {
    for bad in ["2026-03-02 09:00:00", "202603020900", "20260230090000", "20260302250000", "02032026090000"] {
        assert_eq!(
            refused_for(|m| m["data"][0]["NgayTiepNhan"] = json!(bad)),
            ("invalid_date", "data[0].NgayTiepNhan".into()),
            "{bad}"
        );
    }
    assert_eq!(refused_for(|m| m["data"][0]["NgayHenTra"] = json!("20260301090000")).0, "invalid_date", "due before reception");
    assert_eq!(
        refused_for(|m| m["data"][0]["TaiLieuNop"] = json!([{"TepDinhKemId": "f", "TenTepDinhKem": "x"}, {"TepDinhKemId": "g"}])),
        ("missing_field", "data[0].TaiLieuNop[1].TenTepDinhKem".into())
    );
}

#[test]
fn codes_outside_the_lists_are_refused() {
    assert_eq!(refused_for(|m| m["data"][0]["TrangThaiHoSo"] = json!(11)), ("invalid_code", "data[0].TrangThaiHoSo".into()));
    assert_eq!(refused_for(|m| m["data"][0]["TrangThaiHoSo"] = json!(0)).0, "invalid_code");
    assert_eq!(refused_for(|m| m["data"][0]["KenhThucHien"] = json!(4)), ("invalid_code", "data[0].KenhThucHien".into()));
    assert_eq!(refused_for(|m| m["data"][0]["DuocThanhToanTrucTuyen"] = json!(3)).0, "invalid_code");
    assert_eq!(refused_for(|m| m["data"][0]["DonViTinh"] = json!("Tuần")), ("invalid_code", "data[0].DonViTinh".into()));
    assert_eq!(refused_for(|m| m["data"][0]["TrangThaiHoSo"] = json!("hai")), ("invalid_type", "data[0].TrangThaiHoSo".into()));
    assert_eq!(refused_for(|m| m["data"][0]["MaTTHC"] = json!("9.999999")), ("unknown_procedure", "data[0].MaTTHC".into()));
}

#[test]
fn a_received_dossier_needs_its_dates_and_a_finished_one_its_end() {
    assert_eq!(refused_for(|m| drop(m["data"][0].as_object_mut().unwrap().remove("NgayHenTra"))).0, "missing_field");
    assert_eq!(refused_for(|m| m["data"][0]["TrangThaiHoSo"] = json!(9)), ("missing_field", "data[0].NgayKetThucXuLy".into()));
    assert_eq!(refused_for(|m| m["isUpdating"] = json!("no")), ("missing_field", "isUpdating".into()));
    assert_eq!(refused_for(|m| m["service"] = json!("X")).0, "invalid_service");
    assert_eq!(refused_for(|m| m["data"] = json!([])).0, "invalid_data");
}

#[test]
fn the_state_machine_of_b1() {
    for (from, to) in [
        (None, 1),
        (None, 2),
        (None, 3),
        (Some(1), 2),
        (Some(2), 4),
        (Some(4), 9),
        (Some(9), 10),
        (Some(5), 4),
        (Some(4), 4),
        (Some(2), 3),
        (Some(5), 2),
        (Some(6), 8),
    ] {
        assert!(transition_allowed(from, to), "{from:?} → {to}");
    }
    for (from, to) in [
        (None, 4),
        (None, 10),
        (Some(2), 9),
        (Some(2), 10),
        (Some(3), 2),
        (Some(10), 4),
        (Some(9), 4),
        (Some(7), 4),
        (Some(1), 4),
        (Some(4), 3),
        (Some(4), 2),
        (Some(8), 4),
    ] {
        assert!(!transition_allowed(from, to), "{from:?} → {to}");
    }
}

/// Every transition the guard table lets a synced dossier make is one the simulator's
/// machine accepts: a dossier motcua moves legally is never refused for its status.
#[test]
fn every_synced_transition_of_the_guard_table_is_accepted() {
    use motcua_domain::dossier::{GUARDS, Outcome, Status};
    for g in GUARDS {
        // A dossier is synced once received (it has a code); before, only its refusal.
        for from in g.from.iter().filter(|s| !matches!(s, Status::Draft | Status::Submitted)) {
            let to: Vec<Status> = match g.outcome {
                Outcome::To(s) => vec![s],
                Outcome::Same => vec![*from],
                // A pause resumes to where it began: received or in progress (before
                // reception the dossier is not synced).
                Outcome::Resume => vec![Status::Received, Status::InProgress],
            };
            for to in to {
                let (f, t) = (from.national_code(), to.national_code().unwrap());
                assert!(transition_allowed(f, t), "{:?}: {from:?} ({f:?}) → {to:?} ({t})", g.kind);
            }
        }
        if g.from.contains(&Status::Submitted) && g.outcome == Outcome::To(Status::Refused) {
            assert!(transition_allowed(None, 3), "a refusal before reception is the first record");
        }
    }
}

#[test]
fn progress_items_are_checked_too() {
    let ok = json!({"service": "CapNhatTienDoHoSoMC", "data": [{"MaHoSo": "000.01.20.H40-260302-0001", "NguoiXuLy": "Lê Văn C",
        "ThoiDiemXuLy": "20260302090000", "NoiDungXuLy": "Tiếp nhận hồ sơ", "TrangThai": 2}]});
    assert_eq!(progress_message(&ok).unwrap()[0].status, 2);
    let mut m = ok.clone();
    m["data"][0]["ThoiDiemXuLy"] = json!("20260302");
    assert_eq!(progress_message(&m).unwrap_err().code, "invalid_date");
    let mut m = ok.clone();
    m["data"][0]["TrangThai"] = json!(12);
    assert_eq!(progress_message(&m).unwrap_err().code, "invalid_code");
    let mut m = ok;
    m["data"][0].as_object_mut().unwrap().remove("NguoiXuLy");
    assert_eq!(progress_message(&m).unwrap_err().field.as_deref(), Some("data[0].NguoiXuLy"));
}

mod adapter {
    use crate::client::{Client, DvcqgConfig, SendError};
    use crate::sim::{Sim, SimConfig};
    use serde_json::json;

    fn config(sim: &Sim) -> DvcqgConfig {
        DvcqgConfig { enabled: true, base_url: sim.url.clone(), timeout_secs: 2, ..Default::default() }
    }

    #[tokio::test]
    async fn oauth2_client_credentials_and_a_fixed_header() {
        let sim =
            Sim::start("127.0.0.1:0", SimConfig { oauth_client: Some(("nb".into(), "s3cret".into())), ..Default::default() })
                .await
                .unwrap();
        let token_url = Some(format!("{}/oauth2/token", sim.url));
        let ok = Client::new(DvcqgConfig {
            token_url: token_url.clone(),
            client_id: Some("nb".into()),
            client_secret: Some("s3cret".into()),
            ..config(&sim)
        })
        .unwrap();
        let agencies = ok.call("LayDanhMucCoQuan", &json!({})).await.unwrap();
        assert!(agencies.as_array().unwrap().iter().any(|a| a["MADONVI"] == "000.00.31.H40"), "{agencies}");
        let p = ok.call("LayThuTuc", &json!({"MaTTHC": "1.004873"})).await.unwrap();
        assert_eq!(p["CACHTHUCTHUCHIEN"][0]["THOIGIAN"][0]["DONVITINH"], "Ngày làm việc", "{p}");
        // A wrong secret gets no token; no credentials at all are refused by the receivers.
        let wrong =
            Client::new(DvcqgConfig { token_url, client_id: Some("nb".into()), client_secret: Some("x".into()), ..config(&sim) })
                .unwrap();
        assert!(matches!(wrong.call("LayDanhMucCoQuan", &json!({})).await, Err(SendError::Transient(m)) if m.contains("401")));
        let none = Client::new(config(&sim)).unwrap();
        let e = none.call("DongBoHoSoMC", &json!({})).await.unwrap_err();
        assert!(matches!(&e, SendError::Rejected { status: 401, code, .. } if code == "unauthorized"), "{e:?}");
        assert!(e.to_string().starts_with("Cổng DVCQG từ chối (401 unauthorized): Thiếu hoặc sai"), "{e}");

        let sim = Sim::start("127.0.0.1:0", SimConfig { auth_header: Some("Bearer fixed".into()), ..Default::default() })
            .await
            .unwrap();
        let fixed = Client::new(DvcqgConfig { auth_header: Some("Bearer fixed".into()), ..config(&sim) }).unwrap();
        assert!(fixed.call("LayDanhSachTTHC", &json!({})).await.unwrap().as_array().unwrap().len() > 10);
        assert!(Client::new(config(&sim)).unwrap().call("LayDanhSachTTHC", &json!({})).await.is_err());
    }

    #[tokio::test]
    async fn a_missing_client_certificate_is_named() {
        let e = Client::new(DvcqgConfig {
            client_cert: Some("/nonexistent/c.pem".into()),
            client_key: Some("/nonexistent/k.pem".into()),
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(e.contains("/nonexistent/c.pem"), "{e}");
    }

    #[tokio::test]
    async fn the_simulator_holds_a_bounded_number_of_dossiers() {
        let sim = Sim::start("127.0.0.1:0", SimConfig { max_dossiers: Some(2), ..Default::default() }).await.unwrap();
        let client = Client::new(config(&sim)).unwrap();
        let message = |n: u32| {
            let mut m = super::valid();
            m["data"][0]["MaHoSo"] = json!(format!("000.00.20.H40-261207-{n:04}"));
            m
        };
        client.call("DongBoHoSoMC", &message(1)).await.unwrap();
        client.call("DongBoHoSoMC", &message(2)).await.unwrap();
        // The third dossier is refused as a full store (a 5xx: the sender keeps it and
        // retries), and nothing of it is kept; the held ones still take updates.
        let e = client.call("DongBoHoSoMC", &message(3)).await.unwrap_err();
        assert!(matches!(&e, SendError::Transient(m) if m.contains("507")), "{e:?}");
        assert_eq!(sim.dossier_count(), 2);
        let mut update = message(1);
        update["isUpdating"] = json!(true);
        update["data"][0]["TrangThaiHoSo"] = json!(4);
        client.call("DongBoHoSoMC", &update).await.unwrap();
        assert_eq!(sim.held("000.00.20.H40-261207-0001").unwrap().status, 4);
    }

    #[tokio::test]
    async fn a_units_list_is_paged_and_filtered_by_period_and_a_lost_message_is_acknowledged() {
        use crate::sim::Faults;
        let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
        let client = Client::new(config(&sim)).unwrap();
        // Five dossiers of the unit received on 2, 3, 4, 5 and 6 March; one never received,
        // filed on 4 March.
        for day in 2..=6 {
            let mut m = super::valid();
            m["data"][0]["MaHoSo"] = json!(format!("000.01.20.H40-2603{day:02}-0001"));
            m["data"][0]["NgayTiepNhan"] = json!(format!("202603{day:02}090000"));
            client.call("DongBoHoSoMC", &m).await.unwrap();
        }
        let mut online = super::valid();
        online["data"][0]["MaHoSo"] = json!("HS-0001");
        online["data"][0]["TrangThaiHoSo"] = json!(1);
        online["data"][0].as_object_mut().unwrap().remove("NgayTiepNhan");
        online["data"][0].as_object_mut().unwrap().remove("NgayHenTra");
        online["data"][0]["NgayNopHoSo"] = json!("20260304100000");
        client.call("DongBoHoSoMC", &online).await.unwrap();
        let unit = "Sở Tư pháp tỉnh Ninh Bình";
        let list = |q: serde_json::Value| {
            let client = &client;
            async move { client.call("TraCuuHoSo", &q).await }
        };
        let all = list(json!({"DonViXuLy": unit})).await.unwrap();
        assert_eq!(all["TongSo"], 6, "{all}");
        // 3 to 5 March (the end excluded): the 3rd, the 4th and the filing of the 4th.
        let some = list(json!({"DonViXuLy": unit, "TuNgay": "20260303000000", "DenNgay": "20260305000000"})).await.unwrap();
        let codes: Vec<&str> = some["HoSo"].as_array().unwrap().iter().map(|h| h["MaHoSo"].as_str().unwrap()).collect();
        assert_eq!(codes, ["000.01.20.H40-260303-0001", "000.01.20.H40-260304-0001", "HS-0001"], "{some}");
        assert_eq!(some["HoSo"][2]["NgayTiepNhan"], serde_json::Value::Null);
        // Pages of two: 2 + 2 + 2, then an empty page.
        let mut seen = Vec::new();
        for page in 1..=4 {
            let p = list(json!({"DonViXuLy": unit, "Trang": page, "SoBanGhi": 2})).await.unwrap();
            assert_eq!(p["TongSo"], 6);
            seen.extend(p["HoSo"].as_array().unwrap().iter().map(|h| h["MaHoSo"].as_str().unwrap().to_string()));
        }
        assert_eq!(seen.len(), 6, "{seen:?}");
        let e = list(json!({"DonViXuLy": unit, "TuNgay": "2026-03-03"})).await.unwrap_err();
        assert!(matches!(&e, SendError::Rejected { status: 400, code, .. } if code == "invalid_datetime"), "{e:?}");
        // A lost message: acknowledged, nothing kept.
        sim.set_faults(Faults { lose_next: 1, ..Default::default() });
        let mut m = super::valid();
        m["data"][0]["MaHoSo"] = json!("000.01.20.H40-260309-0001");
        client.call("DongBoHoSoMC", &m).await.unwrap();
        assert!(sim.held("000.01.20.H40-260309-0001").is_none());
        assert_eq!(sim.stats().faults_served, 1);
    }
}
