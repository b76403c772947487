//! The demo province: a two-level province (province and communes) with its departments,
//! the provincial public administration service centre and its counters, communes with
//! their centres, and one demo account for every role. Seeded in one transaction when the
//! database is empty.

use crate::usecases::agencies::{self, NewAgency};
use crate::usecases::users::{self, MembershipInput, NewUser};
use crate::{AppContext, AppError};
use motcua_store::Db;
use motcua_store::repo::agencies::AgencyRecord;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Every demo account's password (printed at start and listed in the README).
pub const DEMO_PASSWORD: &str = "Motcua@2026";

/// Agencies: (key, parent key, kind, code, name, short name).
const AGENCIES: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("tinh", "", "province", "000.00.00.H40", "Ủy ban nhân dân tỉnh Ninh Bình", "UBND tỉnh"),
    ("stp", "tinh", "department", "000.00.01.H40", "Sở Tư pháp tỉnh Ninh Bình", "Sở Tư pháp"),
    ("sxd", "tinh", "department", "000.00.02.H40", "Sở Xây dựng tỉnh Ninh Bình", "Sở Xây dựng"),
    ("snnmt", "tinh", "department", "000.00.03.H40", "Sở Nông nghiệp và Môi trường tỉnh Ninh Bình", "Sở NN&MT"),
    ("stc", "tinh", "department", "000.00.04.H40", "Sở Tài chính tỉnh Ninh Bình", "Sở Tài chính"),
    ("sct", "tinh", "department", "000.00.05.H40", "Sở Công Thương tỉnh Ninh Bình", "Sở Công Thương"),
    ("syt", "tinh", "department", "000.00.06.H40", "Sở Y tế tỉnh Ninh Bình", "Sở Y tế"),
    ("sgd", "tinh", "department", "000.00.07.H40", "Sở Giáo dục và Đào tạo tỉnh Ninh Bình", "Sở GD&ĐT"),
    ("snv", "tinh", "department", "000.00.08.H40", "Sở Nội vụ tỉnh Ninh Bình", "Sở Nội vụ"),
    ("skhcn", "tinh", "department", "000.00.09.H40", "Sở Khoa học và Công nghệ tỉnh Ninh Bình", "Sở KH&CN"),
    ("svhttdl", "tinh", "department", "000.00.10.H40", "Sở Văn hóa, Thể thao và Du lịch tỉnh Ninh Bình", "Sở VHTT&DL"),
    ("stp-hctp", "stp", "unit", "000.01.01.H40", "Phòng Hành chính tư pháp", "Phòng HCTP"),
    ("sxd-qlxd", "sxd", "unit", "000.01.02.H40", "Phòng Quản lý xây dựng", "Phòng QLXD"),
    ("ttpvhcc", "tinh", "service_centre", "000.00.20.H40", "Trung tâm Phục vụ hành chính công tỉnh Ninh Bình", "TTPVHCC tỉnh"),
    ("quay1", "ttpvhcc", "counter", "000.01.20.H40", "Quầy số 1 – Tư pháp, hộ tịch", "Quầy 1"),
    ("quay2", "ttpvhcc", "counter", "000.02.20.H40", "Quầy số 2 – Xây dựng, đất đai, môi trường", "Quầy 2"),
    ("quay3", "ttpvhcc", "counter", "000.03.20.H40", "Quầy số 3 – Đầu tư, kinh doanh, công thương", "Quầy 3"),
    ("quay4", "ttpvhcc", "counter", "000.04.20.H40", "Quầy số 4 – Y tế, giáo dục, văn hóa", "Quầy 4"),
    ("quay5", "ttpvhcc", "counter", "000.05.20.H40", "Quầy số 5 – Trả kết quả", "Quầy 5"),
];

/// Communes and wards: (key, code stem, name). Each gets a centre and one counter.
const COMMUNES: &[(&str, &str, &str)] = &[
    ("hoalu", "31", "Phường Hoa Lư"),
    ("tamdiep", "32", "Phường Tam Điệp"),
    ("namdinh", "33", "Phường Nam Định"),
    ("phuly", "34", "Phường Phủ Lý"),
    ("giavien", "35", "Xã Gia Viễn"),
    ("nhoquan", "36", "Xã Nho Quan"),
    ("kimson", "37", "Xã Kim Sơn"),
];

/// Demo accounts: (username, full name, role, agency key, citizen id). Role "" = citizen.
pub const DEMO_USERS: &[(&str, &str, &str, &str, &str)] = &[
    ("admin", "Trần Quốc Bảo", "admin", "tinh", "037085000101"),
    ("giamsat", "Phạm Thị Hồng Nhung", "supervisor", "tinh", "037186000102"),
    ("tiepnhan", "Lê Thị Thu Hà", "reception_officer", "quay1", "037190000103"),
    ("chuyenvien", "Nguyễn Minh Tuấn", "specialist", "stp-hctp", "037088000104"),
    ("lanhdao", "Đinh Văn Hùng", "leader", "stp", "037076000105"),
    ("admin.hoalu", "Vũ Thị Lan", "admin", "hoalu", "037182000106"),
    ("tiepnhan.hoalu", "Hoàng Văn Nam", "reception_officer", "hoalu-quay", "037095000107"),
    ("chuyenvien.hoalu", "Bùi Thị Mai", "specialist", "hoalu", "037193000108"),
    ("lanhdao.hoalu", "Ngô Đức Thắng", "leader", "hoalu", "037079000109"),
    ("admin.tamdiep", "Đặng Văn Long", "admin", "tamdiep", "037084000110"),
    ("thanhtra", "Trịnh Văn Quang", "inspector", "tinh", "037081000111"),
    ("congdan", "Nguyễn Văn An", "", "", "037092001234"),
];

/// The demo hash, computed once per process (argon2id is deliberately slow).
fn demo_hash() -> Result<String, AppError> {
    static H: OnceLock<String> = OnceLock::new();
    if let Some(h) = H.get() {
        return Ok(h.clone());
    }
    let h = crate::auth::hash_password_blocking(DEMO_PASSWORD)?;
    Ok(H.get_or_init(|| h).clone())
}

/// Seeds the demo province if there are no agencies and no users yet. Returns whether it did.
pub async fn seed_if_empty(ctx: &AppContext) -> Result<bool, AppError> {
    let empty = ctx
        .store
        .read(|db| Ok::<_, AppError>(motcua_store::repo::agencies::count(db)? == 0 && motcua_store::repo::users::count(db)? == 0))
        .await?;
    if !empty {
        return Ok(false);
    }
    let hash = tokio::task::spawn_blocking(demo_hash).await.map_err(|e| AppError::Internal(e.to_string()))??;
    let agencies = ctx.store.write(move |db| seed_in(db, &hash)).await?;
    let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).map_err(|e| AppError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking({
        let keys = ctx.keys.clone();
        move || seed_keys(&keys, &agencies, now)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    crate::usecases::petitions::seed_demo(ctx).await?;
    tracing::info!("demo province seeded");
    Ok(true)
}

/// The demo PKI (`crate::keys`): a seal for every agency but the counters (they issue in
/// their centre's name) and a personal certificate for every official who signs or
/// certifies (leaders, specialists, reception officers). RSA-2048 for the Department of
/// Justice and its leader (what public CAs issue), P-256 for the rest. Backdated a year so
/// that fixtures with a clock in the past can sign.
fn seed_keys(keys: &crate::keys::Keys, agencies: &[AgencyRecord], now: jiff::Timestamp) -> Result<(), AppError> {
    use crate::keys::{DemoNames, Holders};
    use motcua_domain::agency::AgencyKind;
    use motcua_signing::pki::KeyAlgorithm;
    const RSA: &[&str] = &["000.00.01.H40", "lanhdao"];
    let alg = |key: &str| if RSA.contains(&key) { KeyAlgorithm::Rsa2048 } else { KeyAlgorithm::P256 };
    let mut names = DemoNames { seals: Vec::new(), personal: Vec::new() };
    let mut holders = Holders::default();
    for a in agencies.iter().filter(|a| a.kind != AgencyKind::Counter) {
        names.seals.push((a.name.clone(), alg(&a.code)));
        holders.agencies.insert(a.id.clone(), a.name.clone());
    }
    for (username, full_name, role, _, _) in DEMO_USERS {
        if matches!(*role, "leader" | "specialist" | "reception_officer") {
            names.personal.push(((*full_name).into(), alg(username)));
            holders.users.insert((*username).into(), (*full_name).into());
        }
    }
    let from = now.checked_sub(jiff::SignedDuration::from_hours(365 * 24)).unwrap_or(now);
    let pki = crate::keys::demo_pki(&names, from)?;
    keys.install(&pki, &holders)
}

#[allow(clippy::too_many_arguments)] // one row of the table above
fn create_agency(
    db: &mut Db,
    keys: &mut HashMap<String, AgencyRecord>,
    key: &str,
    parent: &str,
    kind: &str,
    code: &str,
    name: &str,
    short: &str,
) -> Result<(), AppError> {
    let v = agencies::validate_new(
        NewAgency {
            code: code.into(),
            name: name.into(),
            short_name: Some(short.into()),
            kind: kind.into(),
            parent_id: keys.get(parent).map(|p| p.id.clone()),
            valid_from: Some("2025-07-01".into()),
            ..Default::default()
        },
        jiff::civil::date(2025, 7, 1),
    )?;
    let rec = agencies::create_in(db, None, v)?;
    keys.insert(key.to_string(), rec);
    Ok(())
}

fn seed_in(db: &mut Db, hash: &str) -> Result<Vec<AgencyRecord>, AppError> {
    let mut keys: HashMap<String, AgencyRecord> = HashMap::new();
    for (key, parent, kind, code, name, short) in AGENCIES {
        create_agency(db, &mut keys, key, parent, kind, code, name, short)?;
    }
    for (key, stem, name) in COMMUNES {
        let bare = name.trim_start_matches("Phường ").trim_start_matches("Xã ");
        let level = if name.starts_with("Phường") { "phường" } else { "xã" };
        create_agency(
            db,
            &mut keys,
            key,
            "tinh",
            "commune",
            &format!("000.00.{stem}.H40"),
            &format!("Ủy ban nhân dân {level} {bare}"),
            name,
        )?;
        create_agency(
            db,
            &mut keys,
            &format!("{key}-ttpvhcc"),
            key,
            "commune_centre",
            &format!("000.01.{stem}.H40"),
            &format!("Trung tâm Phục vụ hành chính công {} {}", level, bare),
            &format!("TTPVHCC {bare}"),
        )?;
        create_agency(
            db,
            &mut keys,
            &format!("{key}-quay"),
            &format!("{key}-ttpvhcc"),
            "counter",
            &format!("000.02.{stem}.H40"),
            &format!("Quầy tiếp nhận và trả kết quả – {name}"),
            "Quầy 1",
        )?;
    }
    for (username, full_name, role, agency, citizen_id) in DEMO_USERS {
        let input = NewUser {
            username: (*username).into(),
            full_name: (*full_name).into(),
            email: Some(format!("{}@demo.motcua.vn", username.replace('.', "-"))),
            phone: None,
            citizen_id: Some((*citizen_id).into()),
            password: DEMO_PASSWORD.into(),
            account_type: Some(if role.is_empty() { "citizen" } else { "official" }.into()),
            memberships: if role.is_empty() {
                vec![]
            } else {
                vec![MembershipInput { agency_id: keys[*agency].id.clone(), role: (*role).into() }]
            },
        };
        let v = users::validate_new(&input)?;
        users::create_in(db, None, v, hash)?;
    }
    seed_catalog(db)?;
    seed_queue(db)?;
    let office_day = motcua_domain::calendar::WorkCalendar::vietnam().office_hours().office_day();
    crate::usecases::dossiers::seed_workflows_in(db, office_day)?;
    // In code order: the demo PKI is cached per set of names (`keys::demo_pki`).
    let mut agencies: Vec<AgencyRecord> = keys.into_values().collect();
    agencies.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(agencies)
}

/// The demo catalog (`data/catalog/demo.json`): every procedure published
/// from its decision's date. It counts as made public on that day, as a catalog synced
/// from the national database would be.
pub const DEMO_CATALOG: &str = include_str!("../../../data/catalog/demo.json");

fn seed_catalog(db: &mut Db) -> Result<(), AppError> {
    use motcua_domain::catalog::{ProcedureSpec, VersionStatus};
    use motcua_store::repo::catalog as repo;
    let specs: Vec<ProcedureSpec> =
        serde_json::from_str(DEMO_CATALOG).map_err(|e| AppError::Internal(format!("demo catalog: {e}")))?;
    let now = crate::now_ms();
    for spec in specs {
        let spec = spec.validate()?;
        let day = spec
            .decision
            .date
            .to_zoned(motcua_domain::calendar::vn_time_zone())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let effective = day.timestamp().as_millisecond();
        let v = crate::usecases::catalog::add_version_in(db, None, spec, Some(effective), now)?;
        repo::set_window(db, &v.code, v.version, VersionStatus::Published, Some(effective), None, Some(effective))?;
    }
    Ok(())
}

/// The demo queue (issue #18): service groups and counters of the province's centre and of
/// Hoa Lư's, open Monday to Friday 07:30-11:30, 13:30-17:00, 30-minute appointment slots.
/// (centre code, prefix, name, procedures, sectors, slot capacity).
const QUEUE_GROUPS: &[(&str, &str, &str, &str, &str, i64)] = &[
    ("000.00.20.H40", "A", "Tư pháp, hộ tịch", "1.910201.H40", "Tư pháp", 4),
    ("000.00.20.H40", "B", "Xây dựng, đất đai, môi trường", "", "Xây dựng,Đất đai,Môi trường", 4),
    ("000.00.20.H40", "C", "Đầu tư, kinh doanh, công thương", "", "Kế hoạch và Đầu tư,Công Thương", 4),
    ("000.00.20.H40", "D", "Nhận kết quả", "", "", 0),
    ("000.01.31.H40", "A", "Hộ tịch, chứng thực", "1.004873", "Hộ tịch,Chứng thực", 3),
    ("000.01.31.H40", "B", "Đất đai, xây dựng", "", "Đất đai,Xây dựng", 3),
];

/// (centre code, counter number, name, group prefixes).
const QUEUE_COUNTERS: &[(&str, &str, &str, &[&str])] = &[
    ("000.00.20.H40", "1", "Quầy số 1 – Tư pháp, hộ tịch", &["A"]),
    ("000.00.20.H40", "2", "Quầy số 2 – Xây dựng, đất đai, môi trường", &["B"]),
    ("000.00.20.H40", "3", "Quầy số 3 – Đầu tư, kinh doanh, công thương", &["C"]),
    ("000.00.20.H40", "4", "Quầy số 4 – Đa lĩnh vực", &["A", "B", "C"]),
    ("000.00.20.H40", "5", "Quầy số 5 – Trả kết quả", &["D"]),
    ("000.01.31.H40", "1", "Quầy số 1", &["A", "B"]),
    ("000.01.31.H40", "2", "Quầy số 2", &["A", "B"]),
];

fn seed_queue(db: &mut Db) -> Result<(), AppError> {
    use crate::usecases::queue::{self, CounterInput, GroupInput};
    let now = crate::now_ms();
    let mut ids: HashMap<(String, String), String> = HashMap::new();
    for (centre, prefix, name, procedures, sectors, capacity) in QUEUE_GROUPS {
        let g = queue::save_group_in(
            db,
            None,
            GroupInput {
                id: None,
                centre: (*centre).into(),
                prefix: (*prefix).into(),
                name: (*name).into(),
                procedures: (*procedures).into(),
                sectors: (*sectors).into(),
                days: "1-5".into(),
                sessions: "07:30-11:30,13:30-17:00".into(),
                slot_minutes: 30,
                slot_capacity: *capacity,
                is_open: true,
            },
            now,
        )?;
        ids.insert(((*centre).into(), (*prefix).into()), g.id);
    }
    for (centre, number, name, prefixes) in QUEUE_COUNTERS {
        let group_ids = prefixes.iter().map(|p| ids[&((*centre).to_string(), (*p).to_string())].clone()).collect();
        queue::save_counter_in(
            db,
            None,
            CounterInput {
                id: None,
                centre: (*centre).into(),
                number: (*number).into(),
                name: (*name).into(),
                group_ids,
                is_open: true,
            },
            now,
        )?;
    }
    Ok(())
}

/// A province's first agency and administrator, for an installation without the demo
/// (`motcua init`, docs/operations.md "Install"): everything else (agencies, officers,
/// procedures) is then made by that administrator. Refused when any agency or account
/// exists, so it cannot be used to add a second administrator behind the audit log's back.
pub struct NewProvince {
    pub code: String,
    pub name: String,
    pub admin_username: String,
    pub admin_full_name: String,
    pub admin_password: String,
}

pub async fn init_province(ctx: &AppContext, p: NewProvince) -> Result<(AgencyRecord, users::UserRecord), AppError> {
    let empty = ctx
        .store
        .read(|db| Ok::<_, AppError>(motcua_store::repo::agencies::count(db)? == 0 && motcua_store::repo::users::count(db)? == 0))
        .await?;
    if !empty {
        return Err(AppError::Conflict {
            code: "database_not_empty",
            field: None,
            vi: "Cơ sở dữ liệu đã có cơ quan hoặc tài khoản; lệnh init chỉ dùng cho cơ sở dữ liệu trống.",
            en: "The database already holds agencies or accounts; init is only for an empty database.",
        });
    }
    let province =
        agencies::create(ctx, None, NewAgency { code: p.code, name: p.name, kind: "province".into(), ..Default::default() })
            .await?;
    let (admin, _) = users::create(
        ctx,
        None,
        NewUser {
            username: p.admin_username,
            full_name: p.admin_full_name,
            password: p.admin_password,
            memberships: vec![MembershipInput { agency_id: province.id.clone(), role: "admin".into() }],
            ..Default::default()
        },
    )
    .await?;
    Ok((province, admin))
}
