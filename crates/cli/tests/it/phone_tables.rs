//! Issue #10 item 6: on phones one CSS rule hid the 3rd column of every table, and the
//! stacked rows of a list had no labels. Now no column is hidden and every cell of a list
//! that stacks (`table.stack`) carries its column's name (`data-label`), shown by the CSS.

use crate::browser::{Browser, Page};
use crate::officer_pages::{online_submitted, vn};
use motcua_testkit::both_backends;
use reqwest::StatusCode;

/// Every `table.stack` of the page: each body cell's `data-label` is the header of its column.
#[track_caller]
fn cells_labelled(p: &Page, what: &str) -> usize {
    let table = regex::Regex::new(r#"(?s)<table class="[^"]*\bstack\b[^"]*">(.*?)</table>"#).unwrap();
    let th = regex::Regex::new(r#"<th scope="col">([^<]*)</th>"#).unwrap();
    let row = regex::Regex::new(r#"(?s)<tr[^>]*>(.*?)</tr>"#).unwrap();
    let td = regex::Regex::new(r#"<td( data-label="([^"]*)")?>"#).unwrap();
    let mut tables = 0;
    for t in table.captures_iter(&p.body) {
        tables += 1;
        let t = &t[1];
        let (head, body) = t.split_once("</thead>").unwrap_or_else(|| panic!("{what}: a header row: {t}"));
        let headers: Vec<&str> = th.captures_iter(head).map(|c| c.get(1).unwrap().as_str()).collect();
        for r in row.captures_iter(body) {
            let labels: Vec<Option<&str>> = td.captures_iter(&r[1]).map(|c| c.get(2).map(|m| m.as_str())).collect();
            assert_eq!(labels.len(), headers.len(), "{what}: a cell per column: {}", &r[1]);
            for (l, h) in labels.iter().zip(&headers) {
                assert_eq!(*l, Some(*h), "{what}: the cell is labelled with its column: {}", &r[1]);
            }
        }
    }
    tables
}

both_backends! {
    async fn phone_tables_hide_no_column_and_label_every_stacked_cell(app) {
        let anon = Browser::new(&app);
        let css = anon.get("/assets/site.css").await;
        assert_eq!(css.status, StatusCode::OK);
        let rules = css.body.replace(' ', "");
        assert!(!rules.contains("td:nth-child(3){display:none}"), "a rule hides the 3rd column");
        assert!(rules.contains("td[data-label]::before{content:attr(data-label)"), "labels shown on stacked cells");

        app.ctx.clock.set(vn("2026-03-02T08:00:00"));
        let citizen = app.login("congdan").await;
        online_submitted(&citizen).await;
        let b = Browser::login(&app, "congdan").await;
        assert_eq!(cells_labelled(&b.get("/ho-so-cua-toi").await, "my dossiers"), 1);
        assert_eq!(cells_labelled(&b.get("/ho-so-cua-toi?lang=en").await, "my dossiers (en)"), 1);
        let clerk = Browser::login(&app, "tiepnhan").await;
        assert_eq!(cells_labelled(&clerk.get("/can-bo/ho-so").await, "inbox"), 1);
        app.ctx.clock.set(vn("2026-03-02T09:00:00"));
        let d = crate::officer_pages::online_submitted(&citizen).await;
        let clerk_api = app.login("tiepnhan").await;
        let (s, r) = clerk_api.post(&format!("/api/v1/dossiers/{}/receive", d["id"].as_str().unwrap()), serde_json::json!({"version": d["version"]})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(cells_labelled(&clerk.get("/can-bo/so-theo-doi?from=2026-03-02&to=2026-03-02").await, "register"), 1);
        let id = d["id"].as_str().unwrap();
        assert_eq!(cells_labelled(&clerk.get(&format!("/can-bo/ho-so/{id}/phieu-kiem-soat")).await, "control slip"), 1);
        assert_eq!(cells_labelled(&clerk.get(&format!("/can-bo/ho-so/{id}")).await, "dossier page (its control slip)"), 1);
    }
}
