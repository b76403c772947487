//! Dev-only test kit: the real server on 127.0.0.1:0 over a fresh SQLite file or a fresh
//! database in a throwaway PostgreSQL cluster, and an HTTP client that logs in like a browser.

pub mod browser;
pub mod files;
pub mod pg;
pub mod s3;

use motcua_app::{AppContext, Config};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One async test run on an app made by `$spawn` (the arms of the macros below).
#[doc(hidden)]
#[macro_export]
macro_rules! test_on {
    ($test:ident, $app:ident, $spawn:expr, $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            let $app = $spawn;
            $body
        }
    };
}

/// Runs each listed async test on both backends: `mod name { fn sqlite; fn postgres }`,
/// so the test output shows every scenario passing on each engine.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $crate::test_on!(sqlite, $app, $crate::TestApp::spawn($crate::Backend::Sqlite).await, $body);
                $crate::test_on!(postgres, $app, $crate::TestApp::spawn($crate::Backend::Postgres).await, $body);
            }
        )*
    };
}

/// Like `both_backends!`, and each again with the files on an S3-compatible server
/// (`sqlite_s3`, `postgres_s3`): the file stores pass the same tests (issue #19).
#[macro_export]
macro_rules! both_backends_and_file_stores {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                $crate::test_on!(sqlite, $app, $crate::TestApp::spawn($crate::Backend::Sqlite).await, $body);
                $crate::test_on!(postgres, $app, $crate::TestApp::spawn($crate::Backend::Postgres).await, $body);
                $crate::test_on!(sqlite_s3, $app, $crate::TestApp::spawn_s3($crate::Backend::Sqlite, |_| {}).await, $body);
                $crate::test_on!(postgres_s3, $app, $crate::TestApp::spawn_s3($crate::Backend::Postgres, |_| {}).await, $body);
            }
        )*
    };
}

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub ctx: AppContext,
    pub backend: Backend,
    /// The database URL (for running the binary against the same data).
    pub database_url: String,
    pub data_dir: PathBuf,
    /// The S3-compatible server holding the files (`spawn_s3`), stopped with the app.
    pub s3: Option<s3::S3Server>,
    _tmp: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// A seeded demo province on a fresh database.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::spawn_on(backend, listener, tweak).await
    }

    /// The same, with the files in a bucket of a fresh S3-compatible server (`s3s-fs`).
    pub async fn spawn_s3(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        let server = tokio::task::spawn_blocking(s3::S3Server::start).await.expect("s3 server");
        let s3 = server.config();
        let mut app = Self::spawn_with(backend, |c| {
            c.files.backend = "s3".into();
            c.files.s3 = s3;
            tweak(c);
        })
        .await;
        app.s3 = Some(server);
        app
    }

    /// Where the bytes of `sha256` lie on a disk, whichever store keeps them (for tests
    /// that alter or remove stored files behind the store's back).
    pub fn stored_path(&self, sha256: &str) -> PathBuf {
        match &self.s3 {
            Some(s3) => s3.object_path(sha256),
            None => self.ctx.config.files_dir().join(&sha256[..2]).join(sha256),
        }
    }

    /// What the file store holds: every file name under `<data_dir>/files` (temporary ones
    /// included), or every digest in the bucket.
    pub fn stored_files(&self) -> Vec<String> {
        fn walk(p: &std::path::Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    walk(&e.path(), out);
                } else {
                    out.push(e.file_name().to_string_lossy().into_owned());
                }
            }
        }
        match &self.s3 {
            Some(s3) => motcua_store::files::S3Files::new(s3.config()).expect("client").list().expect("list the bucket"),
            None => {
                let mut out = Vec::new();
                walk(&self.ctx.config.files_dir(), &mut out);
                out
            }
        }
    }

    /// Serves on `listener`, bound by the caller, so a peer started first (an OIDC provider
    /// with this app's callback registered) can know the app's address.
    pub async fn spawn_on(backend: Backend, listener: tokio::net::TcpListener, tweak: impl FnOnce(&mut Config)) -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let database_url = match backend {
            Backend::Sqlite => tmp.path().join("motcua.db").display().to_string(),
            Backend::Postgres => tokio::task::spawn_blocking(|| pg::PgCluster::shared().create_database()).await.expect("pg"),
        };
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: tmp.path().to_path_buf(),
            database_url: Some(database_url.clone()),
            seed_demo: true,
            ..Config::default()
        };
        // Tests need no durability against power loss.
        config.sqlite.synchronous = "normal".into();
        config.postgres.max_connections = 8;
        tweak(&mut config);
        let (ctx, _) = AppContext::open(config).await.expect("app context");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(motcua_web::serve(ctx.clone(), listener, async {
            let _ = rx.await;
        }));
        Self { url, ctx, backend, database_url, data_dir: tmp.path().to_path_buf(), s3: None, _tmp: tmp, shutdown: Some(tx) }
    }

    /// A client with its own cookie jar (a separate browser).
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).build().expect("client"),
            base: self.url.clone(),
            csrf: None,
        }
    }

    /// A client whose connections come from another loopback address (`127.0.0.2`, …), so
    /// tests can act as a second visitor for per-address limits (all of 127/8 is loopback).
    pub fn client_from(&self, ip: std::net::Ipv4Addr) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).local_address(std::net::IpAddr::V4(ip)).build().expect("client"),
            base: self.url.clone(),
            csrf: None,
        }
    }

    /// A client logged in as a demo user (password `Motcua@2026`).
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let (status, body) =
            c.post("/api/v1/auth/login", serde_json::json!({"username": username, "password": "Motcua@2026"})).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        c.csrf = body["csrf_token"].as_str().map(str::to_string);
        c
    }

    /// Number of rows in a table (to check that a refused request wrote nothing).
    pub async fn count(&self, table: &'static str) -> i64 {
        self.ctx.store.read(move |db| db.query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?.i64(0)).await.expect("count")
    }

    /// Id of a seeded agency by its code.
    pub async fn agency_id(&self, code: &'static str) -> String {
        self.ctx
            .store
            .read(move |db| motcua_store::repo::agencies::get_by_code(db, code))
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("no agency {code}"))
            .id
    }

    /// Id of a user by username.
    pub async fn user_id(&self, username: &'static str) -> String {
        self.ctx
            .store
            .read(move |db| motcua_store::repo::users::find_for_login(db, username))
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("no user {username}"))
            .0
            .id
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A tiny JSON client that sends the CSRF token once logged in.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

impl Client {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, json)
    }

    /// Sends raw bytes with a content type (for malformed-input tests).
    pub async fn raw(&self, method: Method, path: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path)).header("content-type", content_type).body(body);
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.send(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::PATCH, path, Some(body)).await
    }
}
