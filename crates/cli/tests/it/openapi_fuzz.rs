//! The API against its own OpenAPI document, on both backends (issue #12, "Fuzzing"):
//! schemathesis (from PyPI; `.ci/run` installs it) generates requests for every operation
//! from the document the running server serves — examples, boundary values, then random
//! data — anonymously and with an administrator's bearer token, and checks that no answer
//! is a server error and that every answer has the documented shape (status, content type,
//! body schema: every error in the `ErrorBody` shape). Bounded: a few examples per
//! operation, so the suite stays fast; a longer run raises `MOTCUA_OPENAPI_EXAMPLES`.

use motcua_dvcqg::DvcqgConfig;
use motcua_dvcqg::sim::{Sim, SimConfig};
use motcua_testkit::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;

/// The `st` command: `MOTCUA_SCHEMATHESIS`, else the virtualenv `.ci/run` makes, else PATH.
fn schemathesis() -> PathBuf {
    if let Some(p) = std::env::var_os("MOTCUA_SCHEMATHESIS") {
        return PathBuf::from(p);
    }
    let venv = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/motcua/schemathesis/bin/st"));
    if let Some(p) = venv.filter(|p| p.exists()) {
        return p;
    }
    PathBuf::from("st")
}

async fn run(app: &TestApp, label: &str, auth: Option<&str>) {
    let examples = std::env::var("MOTCUA_OPENAPI_EXAMPLES").unwrap_or_else(|_| "10".into());
    let report = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(schemathesis());
    cmd.arg("run")
        .arg(format!("{}/api/openapi.json", app.url))
        .args(["--checks", "not_a_server_error,content_type_conformance,response_schema_conformance"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &examples])
        // One worker: with two, hypothesis parses its sources for lambda descriptions from two
        // threads at once, and CPython 3.11's AST builder can fail with "recursion depth
        // mismatch" under load (a tool error, seen once in a full run); the time is the same.
        .args(["--workers", "1", "--seed", "20261206", "--no-color"])
        // Logging out mid-run would end the session the rest of the run uses.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .current_dir(report.path())
        .kill_on_drop(true);
    if let Some(token) = auth {
        cmd.args(["--header", &format!("Authorization: Bearer {token}")]);
    }
    let out = cmd.output().await.unwrap_or_else(|e| {
        panic!(
            "cannot run schemathesis ({e}): install it with `python3 -m venv ~/.cache/motcua/schemathesis && \
             ~/.cache/motcua/schemathesis/bin/pip install schemathesis` (what .ci/run does) or set MOTCUA_SCHEMATHESIS"
        )
    });
    let text = String::from_utf8_lossy(&out.stdout);
    let summary: Vec<&str> = text.lines().filter(|l| l.contains("generated") || l.contains("passed")).collect();
    eprintln!("schemathesis {label} ({:?}): {}", app.backend, summary.join(" | "));
    assert!(
        out.status.success(),
        "schemathesis found problems ({label}, {:?}):\n{text}\n{}",
        app.backend,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The national portal simulator stands in for the portal, so that the catalog import
/// answers as it does in service (without one it answers 502, by design).
async fn every_operation(backend: Backend) {
    let sim = Sim::start("127.0.0.1:0", SimConfig::default()).await.unwrap();
    let url = sim.url.clone();
    let app = TestApp::spawn_with(backend, move |c| {
        c.dvcqg = DvcqgConfig { base_url: url, timeout_secs: 5, ..Default::default() };
    })
    .await;
    run(&app, "anonymous", None).await;
    let admin = app.login("admin").await;
    let (s, t) = admin.post("/api/v1/auth/tokens", json!({"name": "schemathesis", "days": 1})).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    run(&app, "admin token", t["token"].as_str()).await;
}

mod every_operation_answers_in_its_documented_shape {
    use super::*;
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        every_operation(Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        every_operation(Backend::Postgres).await;
    }
}
