//! Flat inboxes (issue #14): the officer's inbox lists the dossiers held now where they serve,
//! in due order, from one index range per (agency, role) — no sort of every held row — with
//! keyset pages, counts from index ranges and free text through a trigram index.

use motcua_app::usecases::dossiers::{self as uc, ListQuery};
use motcua_testkit::{Client, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Thẻ công chứng viên: province, Sở Tư pháp, 10 working days.
const PROVINCE: &str = "1.910201.H40";

/// A dossier received at the province counter for `name` and forwarded to the specialist.
async fn at_specialist(clerk: &Client, name: &str) -> Value {
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
    let (s, d) =
        clerk.post(&format!("/api/v1/dossiers/{}/forward", d["id"].as_str().unwrap()), json!({"version": d["version"]})).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d
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
    }
}
