//! The counters and the 766 index (issue #16), on both backends: a random history whose
//! counters the rebuild reproduces exactly; a commune's month worked by hand through the API
//! (every counter indicator, the zero-denominator rules, imported figures, the grade); who
//! sees which unit; a revised point table scoring later periods; indicator 1.4 and 3.3's sync
//! coefficient from a reconciliation run. The formulas themselves are unit-tested in
//! `motcua_domain::index766`.

use crate::officer_pages::vn;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Xác nhận tình trạng hôn nhân: commune, 3 working days.
const COMMUNE: &str = "1.004873";
/// Thẻ công chứng viên: province (Sở Tư pháp), 10 working days.
const PROVINCE: &str = "1.910201.H40";
/// Phường Hoa Lư's People's Committee (the unit).
const HOALU: &str = "000.00.31.H40";

/// Every component of the notary card procedure, provided at the counter.
fn province_body() -> Value {
    let components: Vec<Value> = ["giay_de_nghi", "quyet_dinh_bo_nhiem", "hop_dong_lao_dong", "anh_the"]
        .iter()
        .map(|k| json!({"key": k, "provided": true}))
        .collect();
    json!({"procedure_code": PROVINCE, "applicant": applicant(), "components": components})
}

fn applicant() -> Value {
    json!({"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": "0912345678", "address": "Phường Hoa Lư"})
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

async fn commune_dossier(clerk: &Client) -> Value {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "applicant": applicant(), "components": [
                {"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

/// A small deterministic generator (no dependency): the history is random but repeatable.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

type Rows = (Vec<motcua_store::repo::dossiers::KpiRow>, Vec<motcua_store::repo::dossiers::KpiRow>);

async fn counters(app: &TestApp) -> Rows {
    app.ctx
        .store
        .read(|db| {
            Ok::<_, motcua_store::StoreError>((
                motcua_store::repo::dossiers::kpi_all(db)?,
                motcua_store::repo::indicators::monthly_all(db)?,
            ))
        })
        .await
        .unwrap()
}

async fn index(c: &Client, query: &str) -> Value {
    let (s, b) = c.get(&format!("/api/v1/index?{query}")).await;
    assert_eq!(s, StatusCode::OK, "{query}: {b}");
    b
}

fn ind<'a>(x: &'a Value, id: &str) -> &'a Value {
    x["indicators"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap_or_else(|| panic!("no {id} in {x}"))
}

/// (numerator, denominator, points) of an indicator.
fn npd(x: &Value, id: &str) -> (Option<i64>, Option<i64>, Option<f64>) {
    let i = ind(x, id);
    (i["numerator"].as_i64(), i["denominator"].as_i64(), i["points"].as_f64())
}

both_backends! {
    async fn rebuild_equals_incremental_on_a_random_history(app) {
        let mut rng = Lcg(0x766_2026);
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        let pclerk = app.login("tiepnhan").await;
        let pspec = app.login("chuyenvien").await;
        let plead = app.login("lanhdao").await;
        let day = 86_400_000;
        for i in 0..28 {
            // A reception on a random day of March–May 2026, then a random path through
            // processing with random delays: early, late, paused, extended, stopped,
            // withdrawn, left open (some past their due date), returned, rated.
            let t0 = vn("2026-03-02T08:30:00") + rng.next(80) as i64 * day + rng.next(8) as i64 * 3_600_000;
            app.ctx.clock.set(t0);
            let province = i % 4 == 3;
            let (c, s, l) = if province { (&pclerk, &pspec, &plead) } else { (&clerk, &specialist, &leader) };
            let d = if province {
                let (st, d) = c.post("/api/v1/dossiers", province_body()).await;
                assert_eq!(st, StatusCode::CREATED, "{d}");
                d
            } else {
                commune_dossier(c).await
            };
            let path = rng.next(7);
            let later = |days: u64| t0 + days as i64 * day;
            let mut d = step(c, &d, "forward", json!({})).await;
            match path {
                0 | 1 => {
                    d = step(s, &d, "forward", json!({})).await;
                    app.ctx.clock.set(later(rng.next(9)));
                    d = step(l, &d, "resolve", json!({"name": "Kết quả"})).await;
                    if rng.next(2) == 0 {
                        step(c, &d, "return", json!({"method": "counter"})).await;
                    }
                }
                2 => {
                    d = step(s, &d, "supplement-requests", json!({"items": [{"name": "Tờ khai", "reason": "Thiếu chữ ký"}]})).await;
                    app.ctx.clock.set(later(1 + rng.next(4)));
                    d = step(c, &d, "supplements", json!({})).await;
                    d = step(s, &d, "forward", json!({})).await;
                    app.ctx.clock.set(later(5 + rng.next(6)));
                    step(l, &d, "resolve", json!({"name": "Kết quả"})).await;
                }
                3 => {
                    app.ctx.clock.set(later(rng.next(2)));
                    d = step(l, &d, "stop", json!({"reason": "Người yêu cầu đề nghị dừng", "basis": "Điều 22"})).await;
                    assert_eq!(d["national_status"], 8);
                }
                4 => {
                    app.ctx.clock.set(later(rng.next(3)));
                    step(c, &d, "withdraw", json!({"reason": "Công dân xin rút"})).await;
                }
                5 => {
                    // Extended by the leader before the due date, resolved some days later.
                    // The new appointment must be a working day after the old one: the first
                    // candidate the rules accept (the history is the same on every run).
                    let mut extended = None;
                    for k in 8..20 {
                        let date = jiff::Timestamp::from_millisecond(later(k)).unwrap().to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7))).date();
                        let mut body = json!({"reason": "Cần xác minh", "new_date": date.to_string(), "version": d["version"]});
                        body["version"] = d["version"].clone();
                        let (st, b) = l.post(&format!("/api/v1/dossiers/{}/extension", d["id"].as_str().unwrap()), body).await;
                        if st == StatusCode::OK {
                            extended = Some(b);
                            break;
                        }
                    }
                    d = extended.expect("an extension accepted");
                    app.ctx.clock.set(later(2 + rng.next(12)));
                    d = step(s, &d, "forward", json!({})).await;
                    step(l, &d, "resolve", json!({"name": "Kết quả"})).await;
                }
                _ => {} // left in progress
            }
        }
        let (daily, monthly) = counters(&app).await;
        assert!(daily.iter().any(|r| r.3 == "due" && r.4 <= 0), "some deadline stopped counting before it came (its +1 cancelled)");
        assert!(daily.iter().any(|r| r.3 == "overdue_left"), "some dossier left the overdue state");
        // The monthly sums are the daily counters summed per month.
        let mut summed: std::collections::BTreeMap<(String, String, String, String), i64> = Default::default();
        for (a, p, d, m, v) in &daily {
            *summed.entry((a.clone(), p.clone(), d[..7].to_string(), m.clone())).or_default() += v;
        }
        let monthly_map: std::collections::BTreeMap<_, _> = monthly.iter().map(|(a, p, m, k, v)| ((a.clone(), p.clone(), m.clone(), k.clone()), *v)).collect();
        assert_eq!(summed, monthly_map);
        // The rebuild from the log gives the very same counters.
        motcua_app::usecases::dossiers::rebuild(&app.ctx).await.unwrap();
        let (daily2, monthly2) = counters(&app).await;
        assert_eq!(daily, daily2, "daily counters");
        assert_eq!(monthly, monthly2, "monthly counters");
        // In progress and overdue at a month's end, from the state counters, equal a count
        // of the dossiers as they stand (nothing changed after the last event).
        let now = vn("2026-12-31T23:00:00");
        let giamsat = app.login("giamsat").await;
        let x = index(&giamsat, "period=2026-12").await;
        let (open, overdue) = app
            .ctx
            .store
            .read(move |db| {
                let open = db.query_one("SELECT COUNT(*) FROM dossiers WHERE received_at IS NOT NULL AND finished_at IS NULL", &[])?.i64(0)?;
                let overdue = db.query_one("SELECT COUNT(*) FROM dossiers WHERE received_at IS NOT NULL AND finished_at IS NULL AND due_at < $1", &[now.into()])?.i64(0)?;
                Ok::<_, motcua_store::StoreError>((open, overdue))
            })
            .await
            .unwrap();
        assert!(open > 0, "some dossiers left in progress");
        assert_eq!((x["counts"]["open_at_end"].as_i64(), x["counts"]["overdue_at_end"].as_i64()), (Some(open), Some(overdue)), "{}", x["counts"]);
    }

    async fn a_communes_month_worked_by_hand(app) {
        // March 2026 at Phường Hoa Lư: four dossiers received at the counter.
        //  A: resolved early (due Thu 5 March), returned online? no: at the counter.
        //  B: resolved late (Friday 6 March).
        //  C: received 2 March, still in progress at the end of March: overdue.
        //  D: received 31 March, due in April: in progress on time at the end of March.
        // A is rated unsatisfied at the counter? Ratings need the receipt code: none here.
        let clerk = app.login("tiepnhan.hoalu").await;
        let specialist = app.login("chuyenvien.hoalu").await;
        let leader = app.login("lanhdao.hoalu").await;
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let a = commune_dossier(&clerk).await;
        let b = commune_dossier(&clerk).await;
        let _c = commune_dossier(&clerk).await;
        for (d, at) in [(&a, "2026-03-04T10:00:00"), (&b, "2026-03-06T10:00:00")] {
            let d = step(&clerk, d, "forward", json!({})).await;
            let d = step(&specialist, &d, "forward", json!({})).await;
            app.ctx.clock.set(vn(at));
            step(&leader, &d, "resolve", json!({"name": "Giấy xác nhận tình trạng hôn nhân"})).await;
        }
        // A fee notice paid in cash (not online) for B's neighbour: a fee-bearing dossier.
        app.ctx.clock.set(vn("2026-03-31T09:00:00"));
        let d = commune_dossier(&clerk).await;
        let d = step(&clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí", "amount": 15000}]})).await;
        step(&clerk, &d, "payments", json!({"method": "cash", "receipt_number": "BL-1"})).await;

        let admin = app.login("admin.hoalu").await;
        let x = index(&admin, "period=2026-03").await;
        assert_eq!(x["unit"]["code"], HOALU, "the caller's own unit by default");
        assert_eq!((x["counts"]["open_at_end"].as_i64(), x["counts"]["overdue_at_end"].as_i64()), (Some(2), Some(1)));
        // 2.1: (early A + on time none + D in progress on time) / (finished 2 + in progress 2) = 2/4 → 10 of 20.
        assert_eq!(npd(&x, "2.1"), (Some(2), Some(4), Some(10.0)));
        // 3.3: no online reception of 4 → 0 of 6; 4.2: nothing digitized → 0 of 4.
        assert_eq!(npd(&x, "3.3"), (Some(0), Some(4), Some(0.0)));
        assert_eq!(npd(&x, "4.2"), (Some(0), Some(4), Some(0.0)));
        // 3.6: one fee-bearing dossier, paid in cash → 0 of 6.
        assert_eq!(npd(&x, "3.6"), (Some(0), Some(1), Some(0.0)));
        // 4.1: the commune's procedure issues a paper result? Its denominator is what the
        // catalog says (paper results received), with no e-result → 0 points or no data.
        // 5.4: (finished 2 − late 1 − unsatisfied 0) / 2 = 50 % → 6 × 50/90 = 3.33.
        assert_eq!(npd(&x, "5.4"), (Some(1), Some(2), Some(3.33)));
        // 5.2, 5.3: no petition → full points by rule; 1.4: no reconciliation → no data.
        for id in ["5.2", "5.3"] {
            assert_eq!((ind(&x, id)["points"].as_f64(), ind(&x, id)["by_rule"].as_bool()), (Some(6.0), Some(true)), "{id}");
        }
        assert_eq!((ind(&x, "1.4")["points"].clone(), ind(&x, "1.4")["ratio_percent"].clone()), (Value::Null, Value::Null));
        // 4.6: nothing certified of 8 paper components in scope (two per dossier).
        assert_eq!(npd(&x, "4.6").0, Some(0));
        // 2.2: the average processing time of A and B (49 and 97 hours: 146 / 2 / 24 = 3.04
        // days); the median and the 90th percentile from the histogram (3 and 5 days, rounded
        // up to whole days); monitoring only.
        assert_eq!((ind(&x, "2.2")["points"].clone(), x["average_days"].as_f64()), (Value::Null, Some(3.04)));
        assert_eq!((x["median_days"].as_i64(), x["p90_days"].as_i64()), (Some(3), Some(5)));
        // The groups add up to the total, which gives the grade.
        let groups: f64 = x["groups"].as_array().unwrap().iter().map(|g| g["points"].as_f64().unwrap()).sum();
        assert!((groups - x["total"].as_f64().unwrap()).abs() < 0.011, "{x}");
        let total = x["total"].as_f64().unwrap();
        let grade = match total { t if t >= 90.0 => "excellent", t if t >= 80.0 => "good", t if t >= 70.0 => "fair", t if t >= 50.0 => "average", _ => "weak" };
        assert_eq!(x["grade"], grade, "{total}");
        let g2: f64 = x["groups"][1]["points"].as_f64().unwrap();
        assert_eq!(g2, 10.0, "group 2 is 2.1 alone");

        // An imported figure (5.2 from the petitions handled outside): 3 of 4 on time → 4.5.
        let (s, b) = admin.post("/api/v1/index/imports", json!({"unit": HOALU, "period": "2026-03", "indicator": "5.2", "numerator": 3, "denominator": 4, "note": "Hệ thống PAKN"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
        let y = index(&admin, "period=2026-03").await;
        assert_eq!((npd(&y, "5.2"), ind(&y, "5.2")["imported"].as_bool()), ((Some(3), Some(4), Some(4.5)), Some(true)));
        assert!((y["total"].as_f64().unwrap() - (total - 1.5)).abs() < 0.011);
        // Bad figures write nothing.
        let before = app.count("index_imports").await;
        for (body, code) in [
            (json!({"unit": HOALU, "period": "2026-03", "indicator": "9.9", "numerator": 1, "denominator": 2}), "unknown_indicator"),
            (json!({"unit": HOALU, "period": "2026-03", "indicator": "5.2", "numerator": 5, "denominator": 2}), "invalid_figure"),
            (json!({"unit": HOALU, "period": "2026-03", "indicator": "5.2", "numerator": -1, "denominator": 2}), "invalid_figure"),
            (json!({"unit": HOALU, "period": "2026-13", "indicator": "5.2", "numerator": 1, "denominator": 2}), "invalid_period"),
        ] {
            let (s, b) = admin.post("/api/v1/index/imports", body).await;
            assert_eq!((s, b["fields"][0]["code"].as_str().or(b["code"].as_str())), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)), "{b}");
        }
        let (s, b) = admin.post("/api/v1/index/imports", json!({"unit": "000.00.32.H40", "period": "2026-03", "indicator": "5.2", "numerator": 1, "denominator": 2})).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")), "{b}");
        let (s, _) = app.login("giamsat").await.post("/api/v1/index/imports", json!({"unit": HOALU, "period": "2026-03", "indicator": "5.2", "numerator": 1, "denominator": 2})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "the supervisor reads, never writes");
        assert_eq!(app.count("index_imports").await, before);
        // Bad periods.
        for p in ["2026-13", "2026-Q5", "x", ""] {
            let (s, b) = admin.get(&format!("/api/v1/index?period={p}")).await;
            assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")), "{p}: {b}");
        }
    }

    async fn each_reader_sees_its_unit(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        commune_dossier(&app.login("tiepnhan.hoalu").await).await;
        let (s, d) = app.login("tiepnhan").await.post("/api/v1/dossiers", province_body()).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let received = |x: &Value| x["counts"]["sums"]["received"].as_i64().unwrap_or(0);
        // The province's supervisor and administrator: everything, and every unit inside.
        for who in ["giamsat", "admin"] {
            let c = app.login(who).await;
            let x = index(&c, "period=2026-03").await;
            assert_eq!((x["unit"]["kind"].as_str(), received(&x)), (Some("province"), 2), "{who}");
            let (s, r) = c.get("/api/v1/index/ranking?period=2026-03").await;
            assert_eq!(s, StatusCode::OK, "{r}");
            let units: Vec<&str> = r["ranking"].as_array().unwrap().iter().map(|u| u["unit"]["code"].as_str().unwrap()).collect();
            assert!(units.contains(&HOALU) && units.contains(&"000.00.01.H40") && units.len() == 17, "{units:?}");
            let by_unit = |code: &str| r["ranking"].as_array().unwrap().iter().find(|u| u["unit"]["code"] == code).map(received).unwrap();
            assert_eq!((by_unit(HOALU), by_unit("000.00.01.H40"), by_unit("000.00.32.H40")), (1, 1, 0));
            let totals: Vec<f64> = r["ranking"].as_array().unwrap().iter().map(|u| u["total"].as_f64().unwrap()).collect();
            assert!(totals.windows(2).all(|w| w[0] >= w[1]), "best first: {totals:?}");
        }
        // A commune's administrator and leader: the commune only; another unit is refused.
        for who in ["admin.hoalu", "lanhdao.hoalu"] {
            let c = app.login(who).await;
            let x = index(&c, "period=2026-03").await;
            assert_eq!((x["unit"]["code"].as_str(), received(&x)), (Some(HOALU), 1), "{who}");
            for other in ["000.00.32.H40", "000.00.00.H40", "000.00.01.H40"] {
                let (s, b) = c.get(&format!("/api/v1/index?period=2026-03&unit={other}")).await;
                assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("unit_out_of_scope")), "{who} → {other}: {b}");
            }
            let (s, r) = c.get("/api/v1/index/ranking?period=2026-03").await;
            assert_eq!((s, r["ranking"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{r}");
        }
        // The department's leader: Sở Tư pháp (the province's dossier is its own).
        let c = app.login("lanhdao").await;
        let x = index(&c, "period=2026-03").await;
        assert_eq!((x["unit"]["code"].as_str(), received(&x)), (Some("000.00.01.H40"), 1));
        let (s, _) = c.get(&format!("/api/v1/index?period=2026-03&unit={HOALU}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // An empty commune: no data, not zero.
        let x = index(&app.login("admin.tamdiep").await, "period=2026-03").await;
        assert_eq!((ind(&x, "2.1")["points"].clone(), ind(&x, "3.3")["ratio_percent"].clone()), (Value::Null, Value::Null));
        // Officers without indicators, citizens, anonymous callers.
        for who in ["tiepnhan", "chuyenvien", "tiepnhan.hoalu", "chuyenvien.hoalu", "congdan"] {
            let (s, b) = app.login(who).await.get("/api/v1/index?period=2026-03").await;
            assert_eq!((s, b["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{who}");
        }
        let (s, _) = app.client().get("/api/v1/index?period=2026-03").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, _) = app.login("giamsat").await.get("/api/v1/index?period=2026-03&unit=khong-co").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // The counters of a period that ends before it starts: an error, not an empty answer.
        let (s, b) = app.login("giamsat").await.get("/api/v1/kpi?from=2026-03-05&to=2026-03-01").await;
        assert_eq!((s, b["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_period")), "{b}");
    }

    async fn a_revised_point_table_scores_later_periods(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let admin = app.login("admin").await;
        let (s, tables) = admin.get("/api/v1/index/point-tables").await;
        assert_eq!((s, tables.as_array().map(Vec::len)), (StatusCode::OK, Some(1)));
        let mut t = tables[0]["table"].clone();
        t["version"] = json!("766 sửa đổi 2026");
        t["effective_from"] = json!("2026-04-01");
        for i in t["indicators"].as_array_mut().unwrap() {
            match i["id"].as_str().unwrap() {
                "2.1" => i["max"] = json!(18),
                "4.6" => i["max"] = json!(4),
                _ => {}
            }
        }
        // Indicators no longer adding up to their group: refused, nothing stored.
        let (s, b) = admin.post("/api/v1/index/point-tables", t.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("group_total")), "{b}");
        for g in t["groups"].as_array_mut().unwrap() {
            match g["id"].as_str().unwrap() {
                "2" => g["max"] = json!(18),
                "4" => g["max"] = json!(24),
                _ => {}
            }
        }
        let (s, b) = app.login("giamsat").await.post("/api/v1/index/point-tables", t.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, b) = app.login("admin.hoalu").await.post("/api/v1/index/point-tables", t.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a commune cannot revise the province's table: {b}");
        let (s, b) = admin.post("/api/v1/index/point-tables", t.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = admin.post("/api/v1/index/point-tables", t.clone()).await;
        assert_eq!((s, b["code"].as_str()), (StatusCode::CONFLICT, Some("version_exists")));
        let max = |x: &Value, id: &str| ind(x, id)["max_points"].as_f64();
        let march = index(&admin, "period=2026-03").await;
        let april = index(&admin, "period=2026-04").await;
        assert_eq!((march["table_version"].as_str(), max(&march, "2.1")), (Some("766/QĐ-TTg (2022-06-23), DVCQG 2025"), Some(20.0)));
        assert_eq!((april["table_version"].as_str(), max(&april, "2.1"), max(&april, "4.6")), (Some("766 sửa đổi 2026"), Some(18.0), Some(4.0)));
        let q2 = index(&admin, "period=2026-Q2").await;
        assert_eq!(q2["table_version"], "766 sửa đổi 2026");
    }

    async fn indicator_1_4_and_the_sync_coefficient_from_a_reconciliation(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let clerk = app.login("tiepnhan.hoalu").await;
        for _ in 0..2 {
            commune_dossier(&clerk).await;
        }
        // A reconciliation of March as the run stores it: 9 on the portal, 10 received here.
        let report = json!({"units": [], "differences": [], "differences_total": 0, "resent": 0, "rows_queued": 0,
            "partial": false, "errors": [], "portal_received": 9, "received": 10});
        let (from, to) = (vn("2026-03-01T00:00:00"), vn("2026-04-01T00:00:00"));
        app.ctx
            .store
            .write(move |db| {
                db.execute(
                    "INSERT INTO dvcqg_reconciliations (id, period_from, period_to, started_at, finished_at, started_by, differences, resent, report) \
                     VALUES ('r1', $1, $2, $3, $3, NULL, 0, 0, $4)",
                    &[from.into(), to.into(), to.into(), report.to_string().into()],
                )
            })
            .await
            .unwrap();
        let x = index(&app.login("giamsat").await, "period=2026-03").await;
        // 1.4 = 9 / max(9, 10) → 6 × 0.9 = 5.4; 3.3 = online 0 / 2 × 0.9 → 0.
        assert_eq!(npd(&x, "1.4"), (Some(9), Some(10), Some(5.4)));
        assert_eq!(ind(&x, "1.4")["source"], "reconciliation");
        // Another period has no run: no data.
        let y = index(&app.login("giamsat").await, "period=2026-02").await;
        assert_eq!(ind(&y, "1.4")["points"], Value::Null);
    }
}
