//! Observability (issue #19): the real binary's JSON logs carry the request id, the signed-in
//! user's id and the dossier id, and none of the applicant's personal data; `/metrics` has the
//! per-use-case latencies and error codes, the SQLite writer's group sizes and the outbox
//! backlog per topic as the database has it; the system page and its JSON are for province
//! administrators.
//!
//! The logs and metrics are read from a `motcua serve` child process: its metrics recorder is
//! its own (the test process's is shared by every app of the suite), so counts are exact.

use crate::abuse::Server;
use motcua_testkit::{Backend, TestApp, both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

const NAME: &str = "Lê Thị Nhật Ký";
const ID_NUMBER: &str = "037192008765";
const PHONE: &str = "0912345678";
const EMAIL: &str = "le.nhatky@example.vn";
const ADDRESS: &str = "số 12 phố Quan Sát";
const FILINGS: usize = 3;

fn filing() -> Value {
    crate::crash::filing_of(json!({"name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "email": EMAIL, "address": ADDRESS}))
}

/// `motcua serve` with JSON logs on stderr written to `log`, workers off (the outbox stays as
/// filed, so the scrape and the database can be compared).
fn start(dir: &std::path::Path, database_url: Option<&str>, log: &std::path::Path) -> Server {
    start_with(dir, database_url, log, &[])
}

fn start_with(dir: &std::path::Path, database_url: Option<&str>, log: &std::path::Path, env: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("MOTCUA_LOG", "info,motcua_web::ops=debug"),
        ("MOTCUA_LOG_FORMAT", "json"),
        ("MOTCUA_WORKERS__ENABLED", "false"),
        ("MOTCUA_DOCUMENTS__ISSUE_ON_EVENTS", "false"),
    ];
    all.extend_from_slice(env);
    crate::abuse::launch(dir, database_url, &all, std::fs::File::create(log).unwrap().into())
}

/// The value of one series of the Prometheus text (`name{labels}` exactly as rendered, or
/// the bare name), None when absent.
fn series(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (key, value) = l.rsplit_once(' ')?;
        let (n, rest) = key.split_once('{').map_or((key, ""), |(n, r)| (n, r.trim_end_matches('}')));
        if n != name {
            return None;
        }
        let have: Vec<(&str, &str)> = rest
            .split(',')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k, v.trim_matches('"')))
            .collect();
        labels.iter().all(|want| have.contains(want)).then(|| value.parse().ok()).flatten()
    })
}

async fn logs_and_metrics(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    };
    let log = tmp.path().join("stderr.log");
    let server = start(&tmp.path().join("data"), database_url.as_deref(), &log);
    let url = server.url.clone();
    let (http, session) = crate::crash::api_login(&url, "tiepnhan").await;
    let (user_id, csrf) =
        (session["user"]["id"].as_str().unwrap().to_string(), session["csrf_token"].as_str().unwrap().to_string());

    // A sane incoming request id is kept and answered; one that is not is replaced.
    let mut ids = Vec::new();
    for i in 0..FILINGS {
        let rid = format!("obs-test-{i}");
        let r = http
            .post(format!("{url}/api/v1/dossiers"))
            .header("x-csrf-token", &csrf)
            .header("x-request-id", &rid)
            .json(&filing())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(r.headers()["x-request-id"], rid.as_str());
        let d: Value = r.json().await.unwrap();
        ids.push(d["id"].as_str().unwrap().to_string());
    }
    let odd = "x".repeat(65);
    let r = http.get(format!("{url}/api/v1/dossiers/{}", ids[0])).header("x-request-id", &odd).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let replaced = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(replaced, odd);
    assert_eq!(replaced.len(), 36, "a new UUID: {replaced}");
    // A refused command (stale version): an info line and an error count by code.
    let r = http
        .post(format!("{url}/api/v1/dossiers/{}/forward", ids[1]))
        .header("x-csrf-token", &csrf)
        .header("x-request-id", "obs-stale")
        .json(&json!({"version": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    // Metrics: this process's own recorder, so the counts are exact.
    let text = http.get(format!("{url}/metrics")).send().await.unwrap().text().await.unwrap();
    assert_eq!(
        series(&text, "usecase_duration_seconds_count", &[("usecase", "dossiers.create")]),
        Some(FILINGS as f64),
        "{text}"
    );
    assert_eq!(series(&text, "usecase_duration_seconds_count", &[("usecase", "dossiers.get")]), Some(1.0), "{text}");
    assert_eq!(series(&text, "usecase_duration_seconds_count", &[("usecase", "auth.login")]), Some(1.0), "{text}");
    assert_eq!(
        series(&text, "usecase_errors_total", &[("usecase", "dossiers.command"), ("code", "stale_version")]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(series(&text, "usecase_errors_total", &[("usecase", "dossiers.create")]), None, "no filing failed: {text}");
    assert!(text.contains("# HELP usecase_duration_seconds"), "described: {text}");
    assert!(series(&text, "process_uptime_seconds", &[]).is_some_and(|u| u >= 0.0), "{text}");
    match backend {
        Backend::Sqlite => {
            // Each filing is at least one write transaction, committed in some group.
            let groups = series(&text, "store_writer_group_size_count", &[]).expect("group sizes recorded");
            let txns = series(&text, "store_writer_group_size_sum", &[]).expect("group sizes recorded");
            assert!(groups >= 1.0 && txns >= FILINGS as f64 && txns >= groups, "groups {groups}, transactions {txns}");
            assert_eq!(series(&text, "store_writer_queue_depth", &[]), Some(0.0), "nothing queued when idle: {text}");
        }
        Backend::Postgres => {
            assert_eq!(series(&text, "store_writer_group_size_count", &[]), None, "no group commit on PostgreSQL")
        }
    }
    // The outbox backlog per topic is the database's (the workers are off: nothing moves).
    let config =
        motcua_app::Config { data_dir: tmp.path().join("data"), database_url: database_url.clone(), ..Default::default() };
    let (location, opts) = (config.location(), config.store_options());
    let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await.unwrap().unwrap();
    let stats = store.read(|db| motcua_store::repo::outbox::stats(db, motcua_app::now_ms())).await.unwrap();
    assert!(stats.iter().any(|s| s.pending > 0), "filings queue messages: {stats:?}");
    for s in &stats {
        assert_eq!(series(&text, "outbox_pending", &[("topic", &s.topic)]), Some(s.pending as f64), "{}: {text}", s.topic);
        assert_eq!(series(&text, "outbox_dead", &[("topic", &s.topic)]), Some(s.dead as f64), "{}: {text}", s.topic);
        let lag = series(&text, "outbox_lag_seconds", &[("topic", &s.topic)]).unwrap();
        assert!((0.0..600.0).contains(&lag), "{}: lag {lag}", s.topic);
    }
    drop(store);
    drop(server);

    // Logs: every line is JSON; the request lines carry the ids; no personal data anywhere.
    let raw = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = raw
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for secret in [NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS, "Nhật Ký"] {
        assert!(!raw.contains(secret), "personal data {secret:?} in the log");
    }
    let request = |rid: &str| -> &Value {
        lines
            .iter()
            .find(|l| l["span"]["request_id"] == rid && l["target"] == "motcua_web::ops")
            .unwrap_or_else(|| panic!("no request line for {rid}:\n{raw}"))
    };
    for (i, id) in ids.iter().enumerate() {
        let l = request(&format!("obs-test-{i}"));
        assert_eq!(l["span"]["user_id"], user_id.as_str(), "{l}");
        assert_eq!(l["span"]["dossier_id"], id.as_str(), "{l}");
        assert_eq!(l["span"]["route"], "/api/v1/dossiers", "{l}");
        assert_eq!(l["fields"]["status"], 201, "{l}");
    }
    let l = request(&replaced);
    assert_eq!(l["span"]["dossier_id"], ids[0].as_str(), "{l}");
    let l = request("obs-stale");
    assert_eq!(l["level"], "INFO", "a refusal is logged at info: {l}");
    assert_eq!(l["fields"]["status"], 409);
    assert_eq!(l["span"]["dossier_id"], ids[1].as_str());
    assert_eq!(l["span"]["user_id"], user_id.as_str());
    assert_eq!(l["span"]["route"], "/api/v1/dossiers/{id}/forward");
}

mod logs_and_metrics_of_the_real_server {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        logs_and_metrics(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        logs_and_metrics(Backend::Postgres).await;
    }
}

/// A receiver of the real OTLP/HTTP protocol on loopback: `POST /v1/traces` with a protobuf
/// `ExportTraceServiceRequest` (decoded with `opentelemetry-proto`, the protocol's own
/// definitions), answered with an empty `ExportTraceServiceResponse`. Keeps every span
/// received: (service name, span name, attributes).
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, String, Vec<(String, String)>)>>>;

async fn otlp_receiver() -> (String, Received) {
    use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    use prost::Message;
    let received: Received = Default::default();
    let store = received.clone();
    let text = |v: &Option<opentelemetry_proto::tonic::common::v1::AnyValue>| match v.as_ref().and_then(|v| v.value.as_ref()) {
        Some(Any::StringValue(s)) => s.clone(),
        Some(Any::IntValue(i)) => i.to_string(),
        other => format!("{other:?}"),
    };
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                assert_eq!(headers["content-type"], "application/x-protobuf");
                let req = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
                for rs in req.resource_spans {
                    let service = rs
                        .resource
                        .iter()
                        .flat_map(|r| &r.attributes)
                        .find(|kv| kv.key == "service.name")
                        .map(|kv| text(&kv.value))
                        .unwrap_or_default();
                    for ss in rs.scope_spans {
                        for span in ss.spans {
                            let attrs = span.attributes.iter().map(|kv| (kv.key.clone(), text(&kv.value))).collect();
                            store.lock().unwrap().push((service.clone(), span.name, attrs));
                        }
                    }
                }
                ([("content-type", "application/x-protobuf")], ExportTraceServiceResponse::default().encode_to_vec())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// With `[telemetry] otlp_endpoint` set, each request's span reaches the collector with its
/// request id and the signed-in user's id.
async fn otlp_traces(backend: Backend) {
    let tmp = tempfile::tempdir().unwrap();
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            Some(tokio::task::spawn_blocking(|| motcua_testkit::pg::PgCluster::shared().create_database()).await.unwrap())
        }
    };
    let (collector, received) = otlp_receiver().await;
    let log = tmp.path().join("stderr.log");
    let server = start_with(
        &tmp.path().join("data"),
        database_url.as_deref(),
        &log,
        &[("MOTCUA_TELEMETRY__OTLP_ENDPOINT", collector.as_str()), ("MOTCUA_TELEMETRY__SERVICE_NAME", "motcua-test")],
    );
    let url = server.url.clone();
    let (http, session) = crate::crash::api_login(&url, "tiepnhan").await;
    let user_id = session["user"]["id"].as_str().unwrap().to_string();
    let r = http.get(format!("{url}/api/v1/dossiers")).header("x-request-id", "otlp-trace-1").send().await.unwrap();
    assert_eq!(r.status(), 200);

    // The batch processor sends every few seconds: wait for the span, up to a minute.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let span = loop {
        let found = received
            .lock()
            .unwrap()
            .iter()
            .find(|(_, name, attrs)| name == "http" && attrs.iter().any(|(k, v)| k == "request_id" && v == "otlp-trace-1"))
            .cloned();
        if let Some(s) = found {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no span of the request reached the collector: {:?}",
            received.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let (service, _, attrs) = span;
    assert_eq!(service, "motcua-test");
    let attr = |k: &str| attrs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(attr("user_id"), Some(user_id), "{attrs:?}");
    assert_eq!(attr("route").as_deref(), Some("/api/v1/dossiers"), "{attrs:?}");
    drop(server);
    let raw = std::fs::read_to_string(&log).unwrap();
    assert!(raw.contains("OTLP traces on"), "{raw}");
}

mod otlp_traces_reach_a_real_receiver {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        otlp_traces(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        otlp_traces(Backend::Postgres).await;
    }
}

both_backends! {
    async fn system_status_for_province_administrators(app) {
        let admin = app.login("admin").await;
        // Something in the outbox: a filing queues its messages.
        let officer = app.login("tiepnhan").await;
        let (s, d) = officer.post("/api/v1/dossiers", filing()).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");

        let (s, b) = admin.get("/api/v1/system/status").await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["version"], env!("CARGO_PKG_VERSION"));
        let backend = match app.backend { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" };
        assert_eq!(b["backend"], backend);
        assert!(b["database_bytes"].as_u64().unwrap() > 100_000, "{b}");
        let latest = motcua_store::migrate::MIGRATIONS.iter().map(|m| m.version).max().unwrap();
        assert_eq!(b["migration_version"], latest);
        assert!(b["uptime_secs"].as_u64().is_some());
        assert!(b["last_backup"].is_null(), "not wired yet: {b}");
        let stats = app.ctx.store.read(|db| motcua_store::repo::outbox::stats(db, motcua_app::now_ms())).await.unwrap();
        // The test app's workers may deliver in between: the figures read before are at least
        // those read after, topic by topic.
        for s in &stats {
            let t = b["outbox"].as_array().unwrap().iter().find(|t| t["topic"] == s.topic.as_str());
            let before = t.map_or(0, |t| t["pending"].as_i64().unwrap());
            assert!(before >= s.pending, "{}: {before} then {}", s.topic, s.pending);
        }
        let total: i64 = b["outbox"].as_array().unwrap().iter().map(|t| t["pending"].as_i64().unwrap()).sum();
        assert_eq!(b["outbox_pending"], total);
        for t in b["outbox"].as_array().unwrap() {
            assert!(t["topic"].as_str().is_some_and(|s| !s.is_empty()));
            assert!(t["lag_secs"].as_i64().unwrap() >= 0);
        }

        let page = admin.http.get(format!("{}/quan-tri/he-thong", app.url)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Tình trạng hệ thống"), "{html}");
        assert!(html.contains(&format!("<dd id=\"sys-backend\">{backend}</dd>")), "{html}");
        assert!(html.contains(&format!("<dd id=\"sys-migration\">{latest}</dd>")), "{html}");
        assert!(html.contains("href=\"/quan-tri/he-thong\""), "in the admin menu");

        for who in ["tiepnhan", "admin.hoalu", "giamsat"] {
            let c = app.login(who).await;
            let (s, b) = c.get("/api/v1/system/status").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {b}");
            assert_eq!(b["code"], "forbidden");
            let r = c.http.get(format!("{}/quan-tri/he-thong", app.url)).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who}");
        }
    }
}

/// Reached from the admin menu; passes axe in Vietnamese, in English and on a phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_page_passes_axe_in_chromium() {
    use motcua_testkit::browser::{Browser, By, Viewport};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let b = Browser::start(&app).await;
    b.login("admin").await;
    b.open("/quan-tri/nguoi-dung").await;
    assert_eq!(b.follow(By::Css("a[href='/quan-tri/he-thong']")).await, "/quan-tri/he-thong");
    assert!(b.by_id("sys-backend").await.text().await.unwrap().contains("sqlite"));
    b.axe().await;
    b.open("/quan-tri/he-thong?lang=en").await;
    assert!(b.main_text().await.contains("System status"));
    b.axe().await;
    b.viewport(Viewport::Phone).await;
    b.open("/quan-tri/he-thong").await;
    b.axe().await;
    b.quit().await;
}
