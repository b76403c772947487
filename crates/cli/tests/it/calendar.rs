//! Calendar API, schedule loading, office hours and the year page, on both backends; the
//! CLI's conversions (no database needed).

use motcua_testkit::{TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

const SCHEDULE_2027: &str = include_str!("data/2027-test.csv");

async fn due(app: &TestApp, query: &str) -> (StatusCode, serde_json::Value) {
    app.client().get(&format!("/api/v1/calendar/due?{query}")).await
}

both_backends! {
    async fn conversions_and_their_errors(app) {
        let c = app.client();
        let (s, b) = c.get("/api/v1/calendar/lunar?date=2026-04-26").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(b, json!({"solar": "2026-04-26", "lunar_day": 10, "lunar_month": 3, "lunar_year": 2026, "leap": false, "year_name": "Bính Ngọ"}));
        let (_, b) = c.get("/api/v1/calendar/solar?lunar=2025-06-01&leap=true").await;
        assert_eq!(b["solar"], "2025-07-25");
        assert_eq!(b["leap"], true);
        let (_, b) = c.get("/api/v1/calendar/lunar?date=1985-01-21").await;
        assert_eq!((b["lunar_day"].as_i64(), b["lunar_month"].as_i64()), (Some(1), Some(1)), "Tết 1985 at UTC+7");

        for (q, code) in [
            ("lunar?date=2026-02-31", "invalid_date"),
            ("solar?lunar=2025-12-30", "lunar_day_not_in_month"),
            ("solar?lunar=2026-06-01&leap=true", "no_such_leap_month"),
            ("lunar?date=2300-01-01", "date_out_of_range"),
            ("lunar?date=hôm-nay", "date_format"),
        ] {
            let (s, b) = c.get(&format!("/api/v1/calendar/{q}")).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {b}");
            assert_eq!(b["code"], code, "{q}: {b}");
            assert!(!b["message_vi"].as_str().unwrap().is_empty());
        }
    }

    async fn due_dates_follow_the_spec_vectors(app) {
        for (query, expected) in [
            ("from=2025-01-24T09:00:00%2B07:00&working_days=5", "2025-02-07T17:00:00+07:00"),
            ("from=2025-04-29T09:00:00%2B07:00&working_days=1", "2025-05-05T17:00:00+07:00"),
            ("from=2026-02-13T09:00:00%2B07:00&working_days=3", "2026-02-25T17:00:00+07:00"),
            ("from=2026-02-13T09:00:00%2B07:00&working_days=10", "2026-03-06T17:00:00+07:00"),
            ("from=2026-04-29T09:00:00%2B07:00&working_days=2", "2026-05-05T17:00:00+07:00"),
            ("from=2026-12-31T09:00:00%2B07:00&working_days=1", "2027-01-04T17:00:00+07:00"),
            ("from=2026-03-10T07:59:00Z&days=0&cutoff=15:00", "2026-03-10T17:00:00+07:00"),
            ("from=2026-03-10T15:01:00%2B07:00&days=0&cutoff=15:00", "2026-03-11T17:00:00+07:00"),
            ("from=2026-02-13T15:30:00%2B07:00&days=0&cutoff=15:00", "2026-02-23T17:00:00+07:00"),
        ] {
            let (s, b) = due(&app, query).await;
            assert_eq!(s, StatusCode::OK, "{query}: {b}");
            assert_eq!(b["due"], expected, "{query}");
            assert!(b["calendar_version"].as_str().unwrap().starts_with("vn-"), "{b}");
        }
        let (s, b) = due(&app, "from=2026-03-10T09:00:00%2B07:00&working_days=-3").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "negative_limit");
        let (s, b) = due(&app, "from=2026-03-10T09:00:00%2B07:00").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "one_limit_required");
        let (s, b) = due(&app, "from=10/03/2026&working_days=1").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "invalid_instant");
    }

    async fn year_lists_days_off_and_make_up_days(app) {
        let (s, y) = app.client().get("/api/v1/calendar/years/2026").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(y["source"], "shipped");
        assert_eq!(y["lunar_year_name"], "Bính Ngọ");
        let find = |d: &str| y["days"].as_array().unwrap().iter().find(|x| x["date"] == d).cloned().unwrap_or_default();
        assert_eq!(find("2026-04-27")["kind"], "compensatory");
        assert_eq!(find("2026-04-26")["lunar"], "10/3");
        assert_eq!(find("2026-08-22")["kind"], "make_up");
        assert_eq!(find("2026-08-22")["working"], true);
        assert_eq!(find("2026-11-24")["kind"], "holiday");
        let (_, y27) = app.client().get("/api/v1/calendar/years/2027").await;
        assert_eq!(y27["source"], "statutory");
        let (s, _) = app.client().get("/api/v1/calendar/years/2300").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn loading_a_schedule(app) {
        let admin = app.login("admin").await;
        let before = (app.count("calendar_schedules").await, app.count("audit_events").await);

        // A bad file is rejected whole, every problem named by its line; nothing is written.
        let bad = "year,2027\nrevision,x\nfoo,bar\noff,2027-02-30,2027-02-01,holiday,blld,Tết\n";
        let (s, b) = admin.send(reqwest::Method::PUT, "/api/v1/calendar/years/2027/schedule", Some(json!({"format": "text", "content": bad}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["code"], "schedule_invalid");
        let fields: Vec<&str> = b["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        for f in ["line 2", "line 3", "line 4"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        // A commune administrator may not change the province's calendar.
        let commune = app.login("admin.hoalu").await;
        let (s, _) = commune.send(reqwest::Method::PUT, "/api/v1/calendar/years/2027/schedule", Some(json!({"format": "text", "content": SCHEDULE_2027}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The wrong year in the path.
        let (s, b) = admin.send(reqwest::Method::PUT, "/api/v1/calendar/years/2028/schedule", Some(json!({"format": "text", "content": SCHEDULE_2027}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "year_mismatch");
        assert_eq!((app.count("calendar_schedules").await, app.count("audit_events").await), before);
        let (_, d) = due(&app, "from=2026-12-31T09:00:00%2B07:00&working_days=1").await;
        assert_eq!(d["due"], "2027-01-04T17:00:00+07:00");
        let old_version = d["calendar_version"].clone();

        // The good file: Monday 4/1/2027 becomes a swapped day off, so the due date moves.
        let (s, y) = admin.send(reqwest::Method::PUT, "/api/v1/calendar/years/2027/schedule", Some(json!({"format": "text", "content": SCHEDULE_2027}))).await;
        assert_eq!(s, StatusCode::OK, "{y}");
        assert_eq!(y["source"], "loaded");
        let (_, d) = due(&app, "from=2026-12-31T09:00:00%2B07:00&working_days=1").await;
        assert_eq!(d["due"], "2027-01-05T17:00:00+07:00");
        assert_ne!(d["calendar_version"], old_version, "the calendar version records the new data");
        let (_, events) = admin.get("/api/v1/audit?entity_kind=calendar_year").await;
        assert_eq!(events[0]["action"], "calendar.schedule_loaded");
        assert_eq!(events[0]["payload"]["year"], 2027);

        // The same revision again is refused; the schedule is served back in the line format.
        let (s, b) = admin.send(reqwest::Method::PUT, "/api/v1/calendar/years/2027/schedule", Some(json!({"format": "text", "content": SCHEDULE_2027}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(b["code"], "revision_not_newer");
        let text = admin.http.get(format!("{}/api/v1/calendar/years/2027/schedule", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("off,2027-01-04,2027-01-04,swap"), "{text}");

        // It survives a restart: a new context over the same database sees it.
        let again = motcua_app::AppContext::with_store(app.ctx.store.clone(), (*app.ctx.config).clone()).await.unwrap();
        assert!(again.calendars.schedule(2027).is_some_and(|(s, _)| s.revision == 1));
    }

    async fn agency_office_hours_change_hour_deadlines(app) {
        let admin = app.login("admin").await;
        let centre = app.agency_id("000.00.20.H40").await;
        let q = format!("from=2026-03-13T16:00:00%2B07:00&hours=4&agency_id={centre}");
        let (_, d) = due(&app, &q).await;
        assert_eq!(d["due"], "2026-03-16T10:30:00+07:00", "standard hours: Friday 1 h, Monday 3 h");
        let hours = json!({"monday": ["07:30-11:30", "13:30-17:00"], "tuesday": ["07:30-11:30", "13:30-17:00"],
            "wednesday": ["07:30-11:30", "13:30-17:00"], "thursday": ["07:30-11:30", "13:30-17:00"],
            "friday": ["07:30-11:30", "13:30-17:00"], "saturday": ["07:30-11:30"], "make_up": ["07:30-11:30", "13:30-17:00"]});
        let (s, b) = admin.send(reqwest::Method::PUT, &format!("/api/v1/agencies/{centre}/office-hours"), Some(hours)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, d) = due(&app, &q).await;
        // Issue #11 item 1: the Saturday session opens the counter but is no legal working time.
        assert_eq!(d["due"], "2026-03-16T10:30:00+07:00", "Saturday morning session does not count");
        let (_, d) = due(&app, &format!("from=2026-03-13T09:00:00%2B07:00&working_days=1&agency_id={centre}")).await;
        assert_eq!(d["due"], "2026-03-16T17:00:00+07:00", "1 working day from Friday is Monday, not Saturday");
        // Weekday hours of the agency's own still count: Monday 07:00–18:00.
        let long = json!({"monday": ["07:00-18:00"], "tuesday": ["07:30-11:30", "13:30-17:00"],
            "wednesday": ["07:30-11:30", "13:30-17:00"], "thursday": ["07:30-11:30", "13:30-17:00"],
            "friday": ["07:30-11:30", "13:30-17:00"], "saturday": ["07:30-11:30"], "make_up": ["07:30-11:30", "13:30-17:00"]});
        let (s, b) = admin.send(reqwest::Method::PUT, &format!("/api/v1/agencies/{centre}/office-hours"), Some(long)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (_, d) = due(&app, &q).await;
        assert_eq!(d["due"], "2026-03-16T10:00:00+07:00", "Friday 1 h, Monday from 07:00 3 h");
        let (_, other) = due(&app, "from=2026-03-13T16:00:00%2B07:00&hours=4").await;
        assert_eq!(other["due"], "2026-03-16T10:30:00+07:00", "the national calendar is unchanged");
        let (s, b) = admin.send(reqwest::Method::PUT, &format!("/api/v1/agencies/{centre}/office-hours"),
            Some(json!({"monday": ["11:30-07:30"], "make_up": ["07:30-11:30"]}))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let commune = app.login("admin.hoalu").await;
        let (s, _) = commune.send(reqwest::Method::DELETE, &format!("/api/v1/agencies/{centre}/office-hours"), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = admin.send(reqwest::Method::DELETE, &format!("/api/v1/agencies/{centre}/office-hours"), None).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (_, d) = due(&app, &q).await;
        assert_eq!(d["due"], "2026-03-16T10:30:00+07:00");
    }

    async fn year_page_shows_lunar_dates_and_holidays(app) {
        let html = app.client().http.get(format!("{}/lich/2026", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("<html lang=\"vi\">"));
        assert!(html.contains("Lịch làm việc năm 2026"));
        assert!(html.contains("Giỗ Tổ Hùng Vương"));
        assert!(html.contains("âm 10/3"), "lunar dates shown");
        assert!(html.contains("Bính Ngọ"));
        let en = app.client().http.get(format!("{}/lich/2026?lang=en", app.url)).send().await.unwrap().text().await.unwrap();
        assert!(en.contains("Working calendar 2026") && en.contains("<html lang=\"en\">"));
    }
}

fn cli(args: &[&str], stdin: Option<&str>) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .current_dir(dir.path())
        .args(args)
        .env("MOTCUA_LOG", "error")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn cli_converts_one_date_or_many() {
    let (code, out) = cli(&["calendar", "lunar", "2026-04-26", "--json"], None);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        v,
        json!({"solar": "2026-04-26", "lunar_day": 10, "lunar_month": 3, "lunar_year": 2026, "leap": false, "year_name": "Bính Ngọ"})
    );

    let days: String = (0..3653)
        .map(|i| format!("{}\n", jiff::civil::date(2020, 1, 1).checked_add(jiff::Span::new().days(i)).unwrap()))
        .collect();
    let (code, out) = cli(&["calendar", "lunar", "--json"], Some(&days));
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3653);
    // And back: every answer converts to the same solar day.
    let back: String = lines
        .iter()
        .map(|l| {
            format!(
                "{}-{:02}-{:02}{}\n",
                l["lunar_year"],
                l["lunar_month"],
                l["lunar_day"],
                if l["leap"] == true { " leap" } else { "" }
            )
        })
        .collect();
    let (code, out) = cli(&["calendar", "solar", "--json"], Some(&back));
    assert_eq!(code, 0);
    for (a, b) in lines.iter().zip(out.lines()) {
        let b: serde_json::Value = serde_json::from_str(b).unwrap();
        assert_eq!(a["solar"], b["solar"]);
    }

    let (code, out) = cli(&["calendar", "solar", "--lunar", "2023-02-01", "--leap", "--json"], None);
    assert_eq!(code, 0);
    assert!(out.contains("\"solar\":\"2023-03-22\""), "{out}");
    let (code, out) = cli(&["calendar", "lunar", "--json"], Some("2026-02-31\n2026-02-28\n"));
    assert_eq!(code, 1, "a bad line makes the exit status 1");
    let mut l = out.lines();
    assert!(l.next().unwrap().contains("\"code\":\"invalid_date\""));
    assert!(l.next().unwrap().contains("\"solar\":\"2026-02-28\""), "the good line is still answered");
}

#[test]
fn cli_due_and_year() {
    let (code, out) = cli(&["calendar", "due", "--from", "2026-02-13T09:00:00+07:00", "--working-days", "10", "--json"], None);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["due"], "2026-03-06T17:00:00+07:00");
    assert!(v["calendar_version"].as_str().unwrap().starts_with("vn-"));
    let (code, out) =
        cli(&["calendar", "due", "--from", "2026-03-10T15:01:00+07:00", "--days", "0", "--cutoff", "15:00", "--json"], None);
    assert_eq!(code, 0);
    assert!(out.contains("2026-03-11T17:00:00+07:00"), "{out}");
    let (code, out) = cli(&["calendar", "due", "--from", "2026-03-10T15:01:00+07:00", "--working-days", "-1", "--json"], None);
    assert_eq!(code, 1);
    assert!(out.contains("negative_limit"), "{out}");
    let (code, out) = cli(&["calendar", "year", "2026"], None);
    assert_eq!(code, 0);
    assert!(out.contains("2026-04-27") && out.contains("compensatory"), "{out}");
    assert!(out.contains("2026-08-22") && out.contains("make_up"), "{out}");
}
