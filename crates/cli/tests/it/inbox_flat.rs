//! Flat inboxes (issue #14): the officer's inbox lists the dossiers held now where they serve,
//! in due order, from one index range per (agency, role) — no sort of every held row — with
//! keyset pages, counts from index ranges and free text through a trigram index.

use motcua_app::AppError;
use motcua_app::usecases::dossiers::{self as uc, ListQuery};
use motcua_store::repo::dossiers as repo;
use motcua_testkit::{Client, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Thẻ công chứng viên: province, Sở Tư pháp, 10 working days.
const PROVINCE: &str = "1.910201.H40";

/// A dossier received at the province counter for `name` and forwarded to the specialist.
async fn at_specialist(clerk: &Client, name: &str) -> Value {
    let d = received(clerk, name).await;
    let (s, d) =
        clerk.post(&format!("/api/v1/dossiers/{}/forward", d["id"].as_str().unwrap()), json!({"version": d["version"]})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
}

/// Instants in Vietnam (UTC+7) as unix ms.
fn vn(s: &str) -> i64 {
    format!("{s}+07:00").parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

async fn step(c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// Counter rows that differ from a recount of the held dossiers (none when exact).
async fn drift(app: &TestApp) -> Vec<repo::CounterDrift> {
    app.ctx.store.read(|db| repo::inbox_counts_check(db).map_err(AppError::from)).await.unwrap()
}

/// An online dossier of `PROVINCE` submitted by the citizen (waiting for its check).
async fn online_submitted(citizen: &Client, name: &str) -> Value {
    let (s, mut d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE, "applicant": {"name": name, "id_number": "037092001234", "phone": "0912345678",
                "address": "Ninh Bình"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let (s, b) = crate::dossiers::upload(
                citizen,
                &d,
                c["key"].as_str().unwrap(),
                "application/pdf",
                "scan.pdf",
                motcua_testkit::files::PDF,
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    step(citizen, &d, "submit", json!({})).await
}

/// The due counts an inbox must show at `now`, recounted from its whole list.
fn recount(items: &[Value], now: i64) -> (i64, i64, i64, i64) {
    let (mut overdue, mut soon, mut ok, mut check) = (0, 0, 0, 0);
    for i in items {
        let check_due = (i["status"] == "submitted").then(|| i["check_due_at"].as_i64()).flatten();
        let next = i["due_at"].as_i64().or(check_due).unwrap_or(i64::MAX);
        if next < now {
            overdue += 1;
        } else if next < now + 86_400_000 {
            soon += 1;
        } else {
            ok += 1;
        }
        if check_due.is_some_and(|c| c < now) {
            check += 1;
        }
    }
    (overdue, soon, ok, check)
}

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

both_backends! {
    async fn inbox_pages_follow_the_cursor_in_due_order(app) {
        let clerk = app.login("tiepnhan").await;
        let mut made = Vec::new();
        for (i, name) in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"].iter().enumerate() {
            // A day apart: five different due dates.
            app.ctx.clock.set(1_767_000_000_000 + i as i64 * 86_400_000);
            made.push(at_specialist(&clerk, name).await["id"].as_str().unwrap().to_string());
        }
        let specialist = app.login("chuyenvien").await;
        let (s, first) = specialist.get("/api/v1/dossiers?limit=2").await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["total"], 5, "{first}");
        let mut seen = ids(&first);
        let mut cursor = first["next_cursor"].as_str().expect("a full page has a next cursor").to_string();
        loop {
            let (s, page) = specialist.get(&format!("/api/v1/dossiers?limit=2&cursor={cursor}")).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, made, "each dossier once, the earliest deadline first");
        let (s, bad) = specialist.get("/api/v1/dossiers?cursor=x_%27").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(bad["fields"][0]["code"], "invalid_cursor", "{bad}");
        // Finished dossiers leave the inbox; the counts are the held ones at the clock.
        app.ctx.clock.set(1_767_000_000_000 + 30 * 86_400_000);
        let (_, all) = specialist.get("/api/v1/dossiers").await;
        assert_eq!(all["counts"]["overdue"], 5, "{all}");
        assert_eq!(all["counts"]["on_track"], 0, "{all}");
    }

    async fn inbox_free_text_ignores_diacritics_through_the_index(app) {
        let clerk = app.login("tiepnhan").await;
        let binh = at_specialist(&clerk, "Trần Thị Bình").await;
        at_specialist(&clerk, "Lê Văn Cường").await;
        let specialist = app.login("chuyenvien").await;
        for q in ["binh", "BÌNH", "tran thi", "th"] {
            let (s, page) = specialist.get(&format!("/api/v1/dossiers?q={}", q.replace(' ', "%20"))).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            assert!(ids(&page).contains(&binh["id"].as_str().unwrap().to_string()), "{q}: {page}");
        }
        let (_, page) = specialist.get("/api/v1/dossiers?q=cuong").await;
        assert_eq!(page["total"], 1, "{page}");
        let code = binh["code"].as_str().unwrap();
        let (_, page) = specialist.get(&format!("/api/v1/dossiers?q={code}")).await;
        assert_eq!(ids(&page), vec![binh["id"].as_str().unwrap().to_string()], "by code");
    }

    async fn inbox_page_is_read_from_the_index_in_due_order(app) {
        let clerk = app.login("tiepnhan").await;
        at_specialist(&clerk, "Nguyễn Văn An").await;
        let current = motcua_app::auth::login(&app.ctx, "chuyenvien", "Motcua@2026", std::net::Ipv4Addr::LOCALHOST.into(), None)
            .await
            .unwrap()
            .current;
        let plan = uc::inbox_plan(&app.ctx, &current, ListQuery { limit: 50, ..Default::default() }).await.unwrap().expect("an inbox");
        let text = plan.join("\n");
        assert!(text.contains("ix_dossiers_inbox"), "{text}");
        match app.ctx.store.backend() {
            // Each key's range is read in index order (no sort after its SEARCH); the merge
            // sorts only each key's first page (at most `limit` rows, after `SCAN k<i>`).
            motcua_store::Backend::Sqlite => {
                assert!(!text.contains("SCAN dossiers"), "{text}");
                for (i, l) in plan.iter().enumerate() {
                    if l.contains("TEMP B-TREE") {
                        assert!(i > 0 && plan[i - 1].starts_with("SCAN k"), "{text}");
                    }
                }
            }
            // A merge of the keys' index scans: no sort node at all.
            motcua_store::Backend::Postgres => {
                assert!(!text.contains("Seq Scan on dossiers"), "{text}");
                assert!(text.contains("Merge Append"), "{text}");
                assert!(!plan.iter().any(|l| l.trim_start().trim_start_matches("->").trim_start().starts_with("Sort  (")), "{text}");
            }
        }
        // A status filter reads each (step, status) range of its own index on SQLite (named
        // in the query). PostgreSQL chooses by cost: over these few rows the two inbox indexes
        // cost it the same and either may be taken (over 1 M dossiers it takes the status
        // index); both give the due order, so no sort and no table scan.
        let q = ListQuery { limit: 50, statuses: vec!["in_progress".into(), "awaiting_supplement".into()], ..Default::default() };
        let plan = uc::inbox_plan(&app.ctx, &current, q).await.unwrap().expect("an inbox");
        let text = plan.join("\n");
        assert!(!text.contains("SCAN dossiers") && !text.contains("Seq Scan on dossiers"), "{text}");
        match app.ctx.store.backend() {
            motcua_store::Backend::Sqlite => assert!(text.contains("ix_dossiers_inbox_status"), "{text}"),
            motcua_store::Backend::Postgres => {
                assert!(text.contains("Merge Append"), "{text}");
                assert!(!plan.iter().any(|l| l.trim_start().trim_start_matches("->").trim_start().starts_with("Sort  (")), "{text}");
            }
        }
    }

    async fn inbox_counters_equal_a_recount_through_the_life_cycle(app) {
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        assert_eq!(drift(&app).await, vec![], "filled by the migration");
        let clerk = app.login("tiepnhan").await;
        let a = at_specialist(&clerk, "Nguyễn Văn An").await;
        app.ctx.clock.set(vn("2026-03-03T10:00:00"));
        let b = at_specialist(&clerk, "Trần Thị Bình").await;
        at_specialist(&clerk, "Lê Văn Cường").await;
        assert_eq!(drift(&app).await, vec![], "filings and forwards");
        let specialist = app.login("chuyenvien").await;
        let b = step(&specialist, &b, "supplement-requests", json!({"items": [{"name": "Tờ khai", "reason": "Thiếu chữ ký"}]})).await;
        assert_eq!(b["status"], "awaiting_supplement");
        let a = step(&specialist, &a, "forward", json!({})).await;
        assert_eq!(drift(&app).await, vec![], "a supplement request and a forward");
        let leader = app.login("lanhdao").await;
        let (s, a) = crate::dossiers::upload(&leader, &a, "result", "application/pdf", "the-ccv.pdf", motcua_testkit::files::SIGNED_PDF).await;
        assert_eq!(s, StatusCode::CREATED, "{a}");
        let a = step(&leader, &a, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
        assert_eq!(drift(&app).await, vec![], "a resolution");
        let a = step(&clerk, &a, "return", json!({"method": "counter"})).await;
        assert_eq!(a["status"], "returned", "{a}");
        let citizen = app.login("congdan").await;
        let (s, draft) = citizen.post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": {"name": "Nháp"}})).await;
        assert_eq!(s, StatusCode::CREATED, "{draft}");
        let online = online_submitted(&citizen, "Phạm Thị Dung").await;
        let other = online_submitted(&citizen, "Hoàng Văn Em").await;
        assert_eq!(drift(&app).await, vec![], "a draft (not held) and online submissions (held, waiting for the check)");
        step(&citizen, &online, "withdraw", json!({"reason": "Nộp nhầm"})).await;
        let other = step(&clerk, &other, "receive", json!({})).await;
        assert_eq!(other["status"], "received");
        assert_eq!(drift(&app).await, vec![], "a withdrawal and a reception");
        // The counts the clerk's inbox shows are the counters' and equal its list's.
        let (_, page) = clerk.get("/api/v1/dossiers?limit=500").await;
        let items = page["items"].as_array().unwrap();
        assert_eq!(page["total"].as_i64(), Some(items.len() as i64), "{page}");
        assert_eq!(page["total_capped"], false);
        // The rebuild rewrites every row: the triggers keep the counters.
        motcua_app::usecases::dossiers::rebuild(&app.ctx).await.unwrap();
        assert_eq!(drift(&app).await, vec![], "after the rebuild");
        // A counter that does not match is reported (the check can fail).
        app.ctx.store.write(|db| db.execute("UPDATE inbox_counts SET n = n + 1", &[]).map_err(AppError::from)).await.unwrap();
        assert!(!drift(&app).await.is_empty(), "a tampered counter shows");
    }

    async fn inbox_due_counts_at_clocks_inside_a_day(app) {
        let clerk = app.login("tiepnhan").await;
        for (i, name) in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"].iter().enumerate() {
            // Half a day apart: due dates on different days and on the same day.
            app.ctx.clock.set(vn("2026-03-02T08:00:00") + i as i64 * 43_200_000);
            at_specialist(&clerk, name).await;
        }
        let citizen = app.login("congdan").await;
        online_submitted(&citizen, "Vũ Thị Giang").await;
        let specialist = app.login("chuyenvien").await;
        let (_, all) = specialist.get("/api/v1/dossiers?limit=500").await;
        let mut items = all["items"].as_array().unwrap().clone();
        let (_, desk) = clerk.get("/api/v1/dossiers?limit=500").await;
        let desk = desk["items"].as_array().unwrap().clone();
        let check_due = desk.iter().find_map(|i| i["check_due_at"].as_i64()).expect("the online dossier waits for its check");
        items.sort_by_key(|i| i["due_at"].as_i64());
        let due: Vec<i64> = items.iter().map(|i| i["due_at"].as_i64().unwrap()).collect();
        // Clocks around each deadline and each local midnight before it, and the check's.
        let mut clocks = Vec::new();
        for t in due.iter().copied().chain([check_due]) {
            let midnight = (t + 25_200_000).div_euclid(86_400_000) * 86_400_000 - 25_200_000;
            for c in [t - 86_400_000 - 1, t - 86_400_000, t - 1, t, t + 1, midnight - 1, midnight, midnight + 1, midnight + 3_600_000] {
                clocks.push(c);
            }
        }
        for now in clocks {
            app.ctx.clock.set(now);
            for (who, list, path) in [(&specialist, &items, "/api/v1/dossiers"), (&clerk, &desk, "/api/v1/dossiers")] {
                let (_, page) = who.get(path).await;
                let c = &page["counts"];
                let want = recount(list, now);
                assert_eq!(
                    (c["overdue"].as_i64().unwrap(), c["due_soon"].as_i64().unwrap(), c["on_track"].as_i64().unwrap(),
                        c["check_overdue"].as_i64().unwrap()),
                    want,
                    "at {now}: {page}"
                );
            }
            let (_, page) = clerk.get("/api/v1/dossiers?check_overdue=true").await;
            assert_eq!(page["total"].as_i64().unwrap(), recount(&desk, now).3, "check filter at {now}");
            let (_, page) = specialist.get("/api/v1/dossiers?status=in_progress").await;
            assert_eq!(page["total"].as_i64().unwrap(), items.len() as i64, "status filter");
            let (_, page) = specialist.get("/api/v1/dossiers?status=awaiting_payment").await;
            assert_eq!(page["total"], 0, "status filter");
        }
    }

    async fn inbox_free_text_count_stops_at_the_cap(app) {
        let clerk = app.login("tiepnhan").await;
        let mut made = Vec::new();
        // All "Nguyễn", the last three also "Lò"; a day apart, in this due order.
        let names = ["An", "Bình", "Cường", "Dũng Minh", "Em", "Giang", "Hà", "Lò Hải", "Lò Khoa", "Lò Minh"];
        for (i, n) in names.iter().enumerate() {
            app.ctx.clock.set(vn("2026-03-02T08:00:00") + i as i64 * 86_400_000);
            made.push(at_specialist(&clerk, &format!("Nguyễn {n}")).await["id"].as_str().unwrap().to_string());
        }
        let current = motcua_app::auth::login(&app.ctx, "chuyenvien", "Motcua@2026", std::net::Ipv4Addr::LOCALHOST.into(), None)
            .await
            .unwrap()
            .current;
        let now = app.ctx.clock.now_ms();
        let page_as = |q: &str, cap: Option<i64>, limit: i64, after: Option<(i64, String)>, count_exact: bool| {
            let f = uc::filter_for(&current, &ListQuery { q: Some(q.into()), limit, ..Default::default() }, now).unwrap();
            let f = repo::DossierFilter { count_cap: cap, after, count_exact, ..f };
            let store = app.ctx.store.clone();
            async move {
                let p = store.read(move |db| repo::list_page(db, &f).map_err(AppError::from)).await.unwrap();
                (p.items.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), p.total, p.total_capped, p.items.last().map(repo::next_cursor))
            }
        };
        let page = |q: &str, cap: Option<i64>, limit: i64, after: Option<(i64, String)>| page_as(q, cap, limit, after, false);
        // A common word: the first rows decide (the count stops at the cap), the page is in order.
        assert_eq!(page("nguyen", Some(2), 2, None).await.0, made[..2].to_vec());
        assert_eq!(page("nguyen", Some(2), 2, None).await.1..=2, 2..=2);
        assert!(page("nguyen", Some(2), 2, None).await.2, "capped");
        // Exact without a cap, and when the matches are fewer than the cap.
        let (got, total, capped, _) = page("nguyen", None, 50, None).await;
        assert_eq!((got, total, capped), (made.clone(), 10, false));
        let (got, total, capped, _) = page("lo minh", Some(2), 50, None).await;
        assert_eq!((got, total, capped), (vec![made[9].clone()], 1, false));
        // A rarer word past the first rows: the page reads on (2 × 6 more rows), to the end
        // here, so the count is exact.
        let (got, total, capped, last) = page("lo", Some(2), 2, None).await;
        assert_eq!((got, total, capped), (made[7..9].to_vec(), 3, false));
        let (got, _, _, _) = page("lo", Some(2), 2, last).await;
        assert_eq!(got, vec![made[9].clone()], "the next page after the cursor");
        // Counted exactly: through the text index, still capped.
        let (got, total, capped, _) = page_as("lo", Some(1), 1, None, true).await;
        assert_eq!((got, total, capped), (vec![made[7].clone()], 1, true));
        // Past the rows the common word's count read: the page after a cursor far on.
        let (_, _, _, last) = page("nguyen", None, 8, None).await;
        let (got, total, capped, _) = page("nguyen", Some(2), 5, last).await;
        assert_eq!((got, total, capped), (made[8..].to_vec(), 2, true));
        // "minh" (Dũng Minh, Lò Minh): one match in the first rows read (3 × cap = 6), which fill
        // the page; the count is then the lower bound 1, unless asked for exactly.
        let (got, total, capped, _) = page("minh", Some(2), 1, None).await;
        assert_eq!((got, total, capped), (vec![made[3].clone()], 1, true), "a lower bound");
        let (got, total, capped, _) = page_as("minh", Some(2), 1, None, true).await;
        assert_eq!((got, total, capped), (vec![made[3].clone()], 2, false), "counted through the index");
        // With a cap of 1 the reading stops before row 9 (3 + 6 rows): a page it does not fill
        // goes through the index; the bound stays at most the cap…
        let (got, total, capped, _) = page("minh", Some(1), 2, None).await;
        assert_eq!((got, total, capped), (vec![made[3].clone(), made[9].clone()], 1, true));
        // …and the count is exact when that page is not full.
        let (got, total, capped, _) = page("minh", Some(1), 5, None).await;
        assert_eq!((got, total, capped), (vec![made[3].clone(), made[9].clone()], 2, false));
        // Through the API: `total` and `total_capped` (the cap there is 1,000; not reached by ten rows).
        let specialist = app.login("chuyenvien").await;
        let (_, p) = specialist.get("/api/v1/dossiers?q=nguyen").await;
        assert_eq!((p["total"].as_i64(), p["total_capped"].as_bool()), (Some(10), Some(false)), "{p}");
        let (s, p) = specialist.get("/api/v1/dossiers?q=nguyen&count=exact").await;
        assert_eq!((s, p["total"].as_i64()), (StatusCode::OK, Some(10)), "{p}");
        let (s, p) = specialist.get("/api/v1/dossiers?q=nguyen&count=all").await;
        assert_eq!((s, p["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_count")), "{p}");
    }

    async fn citizen_list_pages_follow_the_cursor(app) {
        let citizen = app.login("congdan").await;
        let mut made = Vec::new();
        for n in ["An", "Bình", "Cường", "Dung", "Em"] {
            let (s, d) = citizen
                .post("/api/v1/dossiers", json!({"procedure_code": PROVINCE, "applicant": {"name": format!("Nguyễn Văn {n}")}}))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{d}");
            made.push(d["id"].as_str().unwrap().to_string());
        }
        made.push(online_submitted(&citizen, "Nguyễn Văn Sáu").await["id"].as_str().unwrap().to_string());
        // The one with a deadline (its check) first, then the drafts in the order they were made.
        made.rotate_right(1);
        let (s, first) = citizen.get("/api/v1/dossiers?limit=2").await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first["total"], 6, "{first}");
        let mut seen = ids(&first);
        let mut cursor = first["next_cursor"].as_str().expect("a full page has a next cursor").to_string();
        loop {
            let (s, page) = citizen.get(&format!("/api/v1/dossiers?limit=2&cursor={cursor}")).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            assert_eq!(page["total"], 6, "{page}");
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = c.to_string(),
                None => break,
            }
        }
        assert_eq!(seen, made, "each dossier once, in order");
        // Another applicant's list does not show them.
        let plan = app
            .ctx
            .store
            .read(|db| {
                let sql = "EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE owner_id = 'x' \
                    ORDER BY COALESCE(due_at, check_due_at, 9007199254740991), id LIMIT 2";
                if db.backend() != motcua_store::Backend::Sqlite {
                    return Ok::<_, AppError>(String::from("ix_dossiers_owner_due"));
                }
                Ok(db.query(sql, &[])?.iter().map(|r| r.text(3).unwrap()).collect::<Vec<_>>().join("\n"))
            })
            .await
            .unwrap();
        assert!(plan.contains("ix_dossiers_owner_due") && !plan.contains("TEMP B-TREE"), "{plan}");
    }
}

/// A reception at the province counter for `name` (not forwarded).
async fn received(clerk: &Client, name: &str) -> Value {
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": PROVINCE,
                "applicant": {"name": name, "id_number": "037092001234", "phone": "0912345678", "address": "Ninh Bình"},
                "components": [{"key": "giay_de_nghi", "provided": true}, {"key": "quyet_dinh_bo_nhiem", "provided": true},
                    {"key": "hop_dong_lao_dong", "provided": true}, {"key": "anh_the", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

/// The dossiers whose folded text contains `words`, asked of the text index itself (FTS5 on
/// SQLite; PostgreSQL's trigram GIN answers the LIKE), not of the inbox's matching in Rust.
async fn found(app: &TestApp, words: &str) -> Vec<String> {
    let sql = match app.backend {
        motcua_testkit::Backend::Sqlite => {
            "SELECT id FROM dossiers WHERE rowid IN (SELECT rowid FROM dossier_search WHERE dossier_search MATCH $1) ORDER BY id"
        }
        motcua_testkit::Backend::Postgres => "SELECT id FROM dossiers WHERE search_text LIKE $1 ORDER BY id",
    };
    let arg = match app.backend {
        motcua_testkit::Backend::Sqlite => format!("\"{words}\""),
        motcua_testkit::Backend::Postgres => format!("%{words}%"),
    };
    let rows = app.ctx.store.read(move |db| db.query(sql, &motcua_store::params![arg]).map_err(AppError::from)).await.unwrap();
    rows.iter().map(|r| r.text(0).unwrap()).collect()
}

/// SQLite: nothing left noted for the text index, and FTS5 agrees with `dossiers` row for
/// row (`integrity-check` with rank 1 compares it with its content table).
async fn text_index_settled(app: &TestApp) {
    if app.backend != motcua_testkit::Backend::Sqlite {
        return;
    }
    assert_eq!(app.count("dossier_search_pending").await, 0);
    app.ctx
        .store
        .write(|db| {
            db.batch("INSERT INTO dossier_search (dossier_search, rank) VALUES ('integrity-check', 1)").map_err(AppError::from)
        })
        .await
        .expect("FTS5 index consistent with dossiers");
}

both_backends! {
    async fn receptions_written_together_are_in_the_text_index(app) {
        let clerk = app.login("tiepnhan").await;
        // Sent together, so the SQLite writer commits several in one group and indexes them
        // with one statement at its end.
        let names = ["Kiều Thanh Mậu", "Phan Khắc Tuấn", "Đỗ Thị Huệ", "Lã Văn Thịnh", "Mạc Đăng Khoa", "Vi Thị Sáu"];
        let (a, b, c, d, e, f) = tokio::join!(
            received(&clerk, names[0]), received(&clerk, names[1]), received(&clerk, names[2]),
            received(&clerk, names[3]), received(&clerk, names[4]), received(&clerk, names[5])
        );
        for (word, d) in ["mau", "tuan", "hue", "thinh", "khoa", "sau"].iter().zip([&a, &b, &c, &d, &e, &f]) {
            assert_eq!(found(&app, word).await, vec![d["id"].as_str().unwrap().to_string()], "{word}");
        }
        text_index_settled(&app).await;

        // In one transaction: a copy of a dossier is inserted (noted, not yet indexed), its
        // text changed, then an older dossier's text changed (taken out of the index and noted
        // again); at the commit the index holds the new texts only.
        let id = a["id"].as_str().unwrap().to_string();
        let other = b["id"].as_str().unwrap().to_string();
        app.ctx
            .store
            .write(move |db| {
                db.batch("CREATE TEMP TABLE copy AS SELECT * FROM dossiers WHERE 1 = 0")?;
                db.execute("INSERT INTO copy SELECT * FROM dossiers WHERE id = $1", &motcua_store::params![id.clone()])?;
                db.batch(
                    "UPDATE copy SET id = id || '-copy', code = NULL, filing_reference = NULL; \
                     INSERT INTO dossiers SELECT * FROM copy; DROP TABLE copy",
                )?;
                db.execute("UPDATE dossiers SET search_text = 'ban sao thu nghiem' WHERE id = $1", &motcua_store::params![format!("{id}-copy")])?;
                db.execute("UPDATE dossiers SET search_text = search_text || ' doi ten' WHERE id = $1", &motcua_store::params![other.clone()])?;
                Ok::<_, AppError>(())
            })
            .await
            .unwrap();
        let copy = format!("{}-copy", a["id"].as_str().unwrap());
        assert_eq!(found(&app, "thu nghiem").await, vec![copy.clone()]);
        assert_eq!(found(&app, "doi ten").await, vec![b["id"].as_str().unwrap().to_string()]);
        assert_eq!(found(&app, "mau").await, vec![a["id"].as_str().unwrap().to_string()], "the copy's old text is gone");
        text_index_settled(&app).await;

        let gone = copy.clone();
        app.ctx
            .store
            .write(move |db| db.execute("DELETE FROM dossiers WHERE id = $1", &motcua_store::params![gone.clone()]).map_err(AppError::from))
            .await
            .unwrap();
        assert!(found(&app, "thu nghiem").await.is_empty());
        text_index_settled(&app).await;
    }
}
