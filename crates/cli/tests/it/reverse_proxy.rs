//! Behind a reverse proxy (issue #19, `[http] trusted_proxies`): `X-Forwarded-For` names the
//! client only when the connection comes from a trusted proxy. A client that forges the header
//! itself is still limited by its own address; through the proxy, the petitions' per-address
//! limit applies per forwarded client, and the access log records the forwarded address.

use motcua_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr};

const PROXY: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 9);

fn from(ip: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(ip)).build().unwrap()
}

async fn petition(app: &TestApp, http: &reqwest::Client, forwarded_for: &str) -> StatusCode {
    http.post(format!("{}/api/v1/petitions", app.url))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"body": "Đèn đường hỏng"}))
        .send()
        .await
        .unwrap()
        .status()
}

async fn forwarded_addresses_are_trusted_only_from_the_proxy(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.http.trusted_proxies = vec!["127.0.0.9".parse().unwrap(), "10.0.0.0/8".parse().unwrap()];
    })
    .await;
    assert_eq!(app.ctx.config.petitions.per_address_per_minute, 3);

    // A client forging a new address on every request is still one client.
    let forger = from(Ipv4Addr::new(127, 0, 6, 1));
    for i in 1..=3 {
        assert_eq!(petition(&app, &forger, &format!("198.51.100.{i}")).await, StatusCode::CREATED);
    }
    assert_eq!(petition(&app, &forger, "198.51.100.4").await, StatusCode::TOO_MANY_REQUESTS, "the header was believed");

    // Through the proxy: each forwarded client has its own allowance.
    let proxy = from(PROXY);
    for _ in 0..3 {
        assert_eq!(petition(&app, &proxy, "203.0.113.1").await, StatusCode::CREATED);
    }
    assert_eq!(petition(&app, &proxy, "203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    // The client's own additions left of what the proxy wrote change nothing; a second proxy
    // hop (10.0.0.0/8) is looked through.
    assert_eq!(petition(&app, &proxy, "192.0.2.77, 203.0.113.1").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(petition(&app, &proxy, "203.0.113.1, 10.1.2.3").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(petition(&app, &proxy, "203.0.113.2").await, StatusCode::CREATED, "another forwarded client");
    assert_eq!(petition(&app, &proxy, "192.0.2.77, 203.0.113.3, 10.1.2.3").await, StatusCode::CREATED);

    // The access log records the forwarded client of a login through the proxy.
    let r = proxy
        .post(format!("{}/api/v1/auth/login", app.url))
        .header("x-forwarded-for", "203.0.113.50")
        .json(&json!({"username": "admin", "password": "Motcua@2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let mut address = None;
    // The access log is written in batches by its own task: wait for the entry.
    for _ in 0..200 {
        address = app
            .ctx
            .store
            .read(|db| {
                db.query_opt("SELECT address FROM access_log WHERE username = 'admin' ORDER BY at_ms DESC LIMIT 1", &[])?
                    .map(|r| r.opt_text(0))
                    .transpose()
            })
            .await
            .unwrap()
            .flatten();
        if address.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(address.as_deref(), Some("203.0.113.50"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_are_trusted_only_from_the_proxy_sqlite() {
    forwarded_addresses_are_trusted_only_from_the_proxy(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_addresses_are_trusted_only_from_the_proxy_postgres() {
    forwarded_addresses_are_trusted_only_from_the_proxy(Backend::Postgres).await;
}

/// A trusted proxy that is not an address or a network stops the start with the setting named.
#[test]
fn a_bad_trusted_proxy_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let run = |value: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .current_dir(dir.path())
            .arg("config")
            .env("MOTCUA_LOG", "error")
            .env("MOTCUA_HTTP__TRUSTED_PROXIES", value)
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &*String::from_utf8_lossy(&out.stderr))
    };
    let (code, out) = run(r#"["10.0.0.0/33"]"#);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.to_lowercase().contains("trusted_proxies") && out.contains("10.0.0.0/33"), "{out}");
    let (code, out) = run(r#"["127.0.0.1", "10.0.0.0/8"]"#);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains(r#"trusted_proxies = ["127.0.0.1","10.0.0.0/8"]"#), "{out}");
}
