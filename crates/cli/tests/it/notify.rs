//! Applicant notices (issue #17) against real peers started here, on both backends: a real
//! SMTP server (Python aiosmtpd, crates/cli/tests/notify/smtp_sink.py; STARTTLS with a CA
//! made by openssl, AUTH, a bouncing address) and a loopback HTTP receiver standing for the
//! SMS provider, whose signatures the test checks with its own HMAC. Reception and fee
//! notices by e-mail in Vietnamese with their links; English and opt-out by preference; SMS
//! held to the morning; a provider that is down retried, dead-lettered, replayed by an
//! administrator; a bounce failed once, not retried; the delivery log for officials.

use crate::officer_pages::vn;
use hmac::{Hmac, Mac};
use motcua_app::AppContext;
use motcua_app::outbox::{Dispatcher, Round};
use motcua_testkit::{Backend, Client, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

const COMMUNE: &str = "1.004873";
const SECRET: &str = "webhook-secret-for-tests-0123456789";
const BOUNCE: &str = "khongton@example.vn";

/// The Python of the aiosmtpd virtualenv (`MOTCUA_AIOSMTPD_PYTHON`, else the one `.ci/run`
/// installs); a missing one fails the test with how to install it.
fn aiosmtpd_python() -> PathBuf {
    let py = std::env::var_os("MOTCUA_AIOSMTPD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/motcua/aiosmtpd/bin/python"));
    let ok = Command::new(&py).args(["-c", "import aiosmtpd"]).status().is_ok_and(|s| s.success());
    assert!(
        ok,
        "the notification tests need Python aiosmtpd at {} (run .ci/run, or `python3 -m venv ~/.cache/motcua/aiosmtpd && \
         ~/.cache/motcua/aiosmtpd/bin/pip install aiosmtpd==1.4.6`, or set MOTCUA_AIOSMTPD_PYTHON)",
        py.display()
    );
    py
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A CA and a certificate for 127.0.0.1 signed by it (rustls refuses a self-signed leaf).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let p = |n: &str| dir.join(n);
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    run(Command::new("openssl")
        .args(["req", "-x509"])
        .args(ec)
        .args(["-days", "2", "-subj", "/CN=motcua test CA"])
        .arg("-keyout")
        .arg(p("ca.key"))
        .arg("-out")
        .arg(p("ca.pem")));
    run(Command::new("openssl")
        .arg("req")
        .args(ec)
        .args(["-subj", "/CN=127.0.0.1"])
        .arg("-keyout")
        .arg(p("leaf.key"))
        .arg("-out")
        .arg(p("leaf.csr")));
    std::fs::write(p("ext.cnf"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
        .arg("-in")
        .arg(p("leaf.csr"))
        .arg("-CA")
        .arg(p("ca.pem"))
        .arg("-CAkey")
        .arg(p("ca.key"))
        .arg("-extfile")
        .arg(p("ext.cnf"))
        .arg("-out")
        .arg(p("leaf.pem")));
    (p("ca.pem"), p("leaf.pem"), p("leaf.key"))
}

/// aiosmtpd on loopback: STARTTLS required, AUTH required, `BOUNCE` answered 550.
pub(crate) struct SmtpSink {
    child: Child,
    port: u16,
    ca: PathBuf,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    pub(crate) fn start() -> Self {
        let py = aiosmtpd_python();
        let dir = tempfile::tempdir().unwrap();
        let certs = dir.path().join("certs");
        let mail = dir.path().join("mail");
        std::fs::create_dir_all(&certs).unwrap();
        std::fs::create_dir_all(&mail).unwrap();
        let (ca, cert, key) = certificates(&certs);
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/notify/smtp_sink.py");
        let mut child = Command::new(py)
            .arg(script)
            .args(["--port", &port.to_string(), "--user", "motcua", "--password", "mat-khau-smtp", "--bounce", BOUNCE])
            .arg("--dir")
            .arg(&mail)
            .arg("--cert")
            .arg(&cert)
            .arg("--key")
            .arg(&key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert!(line.starts_with("READY"), "aiosmtpd did not start: {line:?}");
        Self { child, port, ca, dir }
    }

    /// What the app's settings need: the port and the CA that signed the server's certificate.
    pub(crate) fn settings(&self) -> (u16, PathBuf) {
        (self.port, self.ca.clone())
    }

    /// The messages received so far, in order.
    fn messages(&self) -> Vec<Value> {
        let mail = self.dir.path().join("mail");
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(&mail)
            .unwrap()
            .filter_map(|e| {
                let p = e.ok()?.path();
                let n = p.file_name()?.to_str()?.strip_suffix(".json")?.parse().ok()?;
                Some((n, p))
            })
            .collect();
        files.sort();
        files.iter().map(|(_, p)| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    pub(crate) fn to(&self, address: &str) -> Vec<Value> {
        self.messages().into_iter().filter(|m| m["to"].as_array().unwrap().iter().any(|t| t == address)).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SMS provider on loopback: keeps each request, answers `status`.
#[derive(Default)]
pub(crate) struct Hook {
    status: AtomicU16,
    got: Mutex<Vec<(String, String, Vec<u8>)>>,
}

pub(crate) async fn start_hook() -> (Arc<Hook>, String) {
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    let hook = Arc::new(Hook { status: AtomicU16::new(200), ..Default::default() });
    let h = hook.clone();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let h = h.clone();
            async move {
                let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                h.got.lock().unwrap().push((get("x-motcua-timestamp"), get("x-motcua-signature"), body.to_vec()));
                StatusCode::from_u16(h.status.load(Ordering::SeqCst)).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (hook, url)
}

impl Hook {
    /// The requests so far, each checked: the signature is HMAC-SHA256 over "timestamp.body".
    fn verified(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(ts, sig, body)| {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(format!("{ts}.").as_bytes());
                mac.update(body);
                let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
                assert_eq!(sig, &want, "signature of {}", String::from_utf8_lossy(body));
                assert!(ts.parse::<i64>().is_ok(), "timestamp {ts:?}");
                serde_json::from_slice(body).unwrap()
            })
            .collect()
    }
}

async fn spawn(backend: Backend, smtp: &SmtpSink, hook_url: &str) -> TestApp {
    let (smtp, url) = (smtp.settings(), hook_url.to_string());
    TestApp::spawn_with(backend, move |c| configure(c, &smtp, &url)).await
}

/// Notices on, by e-mail through `smtp` (port and CA, from [`SmtpSink::settings`]) and SMS
/// through the webhook at `hook_url`.
pub(crate) fn configure(c: &mut motcua_app::config::Config, smtp: &(u16, PathBuf), hook_url: &str) {
    c.public_url = Some("https://dichvucong.example.vn".into());
    c.workers.outbox_max_attempts = 3;
    c.workers.outbox_backoff_base_secs = 10;
    c.workers.outbox_backoff_max_secs = 60;
    c.notify.enabled = true;
    c.notify.smtp.host = Some("127.0.0.1".into());
    c.notify.smtp.port = smtp.0;
    c.notify.smtp.security = "starttls".into();
    c.notify.smtp.username = Some("motcua".into());
    c.notify.smtp.password = Some("mat-khau-smtp".into());
    c.notify.smtp.from = "Trung tâm Phục vụ hành chính công <motcua@example.vn>".into();
    c.notify.smtp.ca_file = Some(smtp.1.clone());
    c.notify.smtp.timeout_secs = 5;
    c.notify.webhook.url = Some(hook_url.to_string());
    c.notify.webhook.secret = Some(SECRET.into());
    c.notify.webhook.timeout_secs = 2;
}

pub(crate) fn dispatcher(app: &TestApp) -> Dispatcher {
    Dispatcher::new("t").register(Arc::new(motcua_app::notify::Notify::new(&app.ctx.config).unwrap())).unwrap()
}

/// Rounds until nothing due is left (the clock stays where it is).
pub(crate) async fn drain(ctx: &AppContext, d: &Dispatcher) -> Round {
    let mut total = Round::default();
    for _ in 0..50 {
        let r = d.run_once(ctx).await.unwrap();
        total.claimed += r.claimed;
        total.delivered += r.delivered;
        total.retried += r.retried;
        total.dead += r.dead;
        if r.claimed == 0 {
            return total;
        }
    }
    panic!("the queue never drained: {total:?}");
}

async fn step(app: &TestApp, c: &Client, d: &Value, cmd: &str, mut body: Value) -> Value {
    app.ctx.clock.set(app.ctx.clock.now_ms() + 60_000);
    body["version"] = d["version"].clone();
    let (s, b) = c.post(&format!("/api/v1/dossiers/{}/{cmd}", d["id"].as_str().unwrap()), body).await;
    assert_eq!(s, StatusCode::OK, "{cmd}: {b}");
    b
}

/// Received at Hoa Lư's counter for an applicant with this e-mail address and phone.
async fn counter_received(app: &TestApp, email: &str, phone: &str) -> Value {
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, d) = clerk
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": COMMUNE, "summary": "Xác nhận tình trạng hôn nhân",
                "applicant": {"name": "Nguyễn Văn An", "id_number": "037092001234", "phone": phone, "email": email},
                "components": [{"key": "to_khai", "provided": true}, {"key": "giay_to_tuy_than", "provided": true}]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    d
}

async fn deliveries(c: &Client, d: &Value) -> Vec<Value> {
    let (s, b) = c.get(&format!("/api/v1/dossiers/{}/deliveries", d["id"].as_str().unwrap())).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b.as_array().unwrap().clone()
}

fn statuses(log: &[Value], notice: &str) -> Vec<(String, String)> {
    log.iter()
        .filter(|x| x["notice"] == notice)
        .map(|x| (x["channel"].as_str().unwrap().to_string(), x["status"].as_str().unwrap().to_string()))
        .collect()
}

async fn email_and_sms(backend: Backend) {
    let smtp = SmtpSink::start();
    let (hook, hook_url) = start_hook().await;
    let app = spawn(backend, &smtp, &hook_url).await;
    let notify = dispatcher(&app);
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));

    // Received at the counter: a Vietnamese e-mail over STARTTLS with AUTH, and a signed SMS.
    let d = counter_received(&app, "an.nguyen@example.vn", "0912345678").await;
    let (id, code) = (d["id"].as_str().unwrap().to_string(), d["code"].as_str().unwrap().to_string());
    let r = drain(&app.ctx, &notify).await;
    assert_eq!((r.delivered, r.retried, r.dead), (3, 0, 0), "the notice and its two sends: {r:?}");
    let mails = smtp.to("an.nguyen@example.vn");
    assert_eq!(mails.len(), 1, "{mails:?}");
    let m = &mails[0];
    assert_eq!(m["subject"], format!("Hồ sơ {code} đã được tiếp nhận"));
    assert_eq!((m["tls"].as_bool(), m["authenticated"].as_bool()), (Some(true), Some(true)), "{m}");
    let body = m["body"].as_str().unwrap();
    assert!(body.contains("Kính gửi Ông/Bà Nguyễn Văn An"), "{body}");
    assert!(body.contains(&format!("Mã hồ sơ: {code}")), "{body}");
    assert!(body.contains(&format!("https://dichvucong.example.vn/ho-so-cua-toi/{id}")), "{body}");
    assert!(body.contains("Ngày hẹn trả kết quả: ") && body.contains("/03/2026"), "the appointment: {body}");
    let sms = hook.verified();
    assert_eq!(sms.len(), 1);
    assert_eq!((sms[0]["channel"].as_str(), sms[0]["to"].as_str()), (Some("sms"), Some("0912345678")));
    assert!(sms[0]["text"].as_str().unwrap().contains(&code), "{}", sms[0]);
    // Handled again (a lease lost after the send): nothing goes twice.
    assert_eq!(drain(&app.ctx, &notify).await.claimed, 0);

    // The fee notice, at 22:30: the e-mail at once with the amounts and the pay link; the SMS
    // waits for 07:00.
    app.ctx.clock.set(vn("2026-03-02T22:29:00"));
    let clerk = app.login("tiepnhan.hoalu").await;
    let d = step(&app, &clerk, &d, "fee-notices", json!({"items": [{"name": "Lệ phí xác nhận", "amount": 15000}]})).await;
    drain(&app.ctx, &notify).await;
    let mails = smtp.to("an.nguyen@example.vn");
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1]["subject"], format!("Thông báo nộp phí, lệ phí hồ sơ {code}"));
    let body = mails[1]["body"].as_str().unwrap();
    assert!(body.contains("Lệ phí xác nhận: 15.000"), "{body}");
    assert!(body.contains(&format!("https://dichvucong.example.vn/ho-so-cua-toi/{id}/thanh-toan")), "{body}");
    assert_eq!(hook.verified().len(), 1, "no SMS at night");
    let log = deliveries(&clerk, &d).await;
    assert_eq!(statuses(&log, "fee_notice"), [("email".into(), "sent".into()), ("sms".into(), "deferred".into())]);
    app.ctx.clock.set(vn("2026-03-03T06:59:00"));
    assert_eq!(drain(&app.ctx, &notify).await.claimed, 0, "still night");
    app.ctx.clock.set(vn("2026-03-03T07:01:00"));
    assert_eq!(drain(&app.ctx, &notify).await.delivered, 1);
    let sms = hook.verified();
    assert_eq!(sms.len(), 2);
    assert!(sms[1]["text"].as_str().unwrap().contains("15.000"), "{}", sms[1]);

    // The delivery log: for officials who may read the dossier, recipients masked.
    let log = deliveries(&clerk, &d).await;
    assert_eq!(statuses(&log, "received"), [("email".into(), "sent".into()), ("sms".into(), "sent".into())]);
    assert_eq!(statuses(&log, "fee_notice"), [("email".into(), "sent".into()), ("sms".into(), "sent".into())]);
    let recipients: Vec<&str> = log.iter().map(|x| x["recipient"].as_str().unwrap()).collect();
    assert!(recipients.iter().all(|r| *r == "a***@example.vn" || *r == "09******78"), "{recipients:?}");
    assert!(!serde_json::to_string(&log).unwrap().contains("an.nguyen"), "never the address itself");
    // The same log on the officer's dossier page.
    let page = crate::browser::Browser::login(&app, "tiepnhan.hoalu").await.get(&format!("/can-bo/ho-so/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let section = &page.body[page.body.find("Thông báo cho người nộp").expect("the delivery log section")..];
    assert!(
        section.contains("Thông báo phí, lệ phí") && section.contains("a***@example.vn") && section.contains("09******78"),
        "{section}"
    );
    assert!(section.contains("Đã gửi"), "{section}");
    let (s, _) = app.login("tiepnhan").await.get(&format!("/api/v1/dossiers/{id}/deliveries")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another unit's officer");
    let (s, _) = app.login("congdan").await.get(&format!("/api/v1/dossiers/{id}/deliveries")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A bounce: 550 from the server, logged failed with the reason, not retried.
    app.ctx.clock.set(vn("2026-03-03T09:00:00"));
    let b = counter_received(&app, BOUNCE, "0987654321").await;
    let r = drain(&app.ctx, &notify).await;
    assert_eq!((r.retried, r.dead), (0, 0), "{r:?}");
    let log = deliveries(&clerk, &b).await;
    let mail = log.iter().find(|x| x["channel"] == "email").unwrap();
    assert_eq!((mail["status"].as_str(), mail["attempts"].as_i64()), (Some("failed"), Some(1)), "{mail}");
    assert!(mail["error"].as_str().unwrap().contains("550"), "{mail}");
    assert!(smtp.to(BOUNCE).is_empty());

    // The provider down: retried with back-off, then a dead letter the administrator sees and
    // puts back once the provider is up again; the message then goes once.
    hook.status.store(500, Ordering::SeqCst);
    let before = hook.got.lock().unwrap().len();
    let e = counter_received(&app, "binh@example.vn", "0911222333").await;
    let r = drain(&app.ctx, &notify).await;
    assert_eq!(r.retried, 1, "{r:?}");
    for _ in 0..2 {
        app.ctx.clock.set(app.ctx.clock.now_ms() + 70_000);
        drain(&app.ctx, &notify).await;
    }
    assert_eq!(hook.got.lock().unwrap().len() - before, 3, "three attempts");
    let sms = deliveries(&clerk, &e).await.into_iter().find(|x| x["channel"] == "sms").unwrap();
    assert_eq!((sms["status"].as_str(), sms["attempts"].as_i64()), (Some("dead"), Some(3)), "{sms}");
    assert!(sms["error"].as_str().unwrap().contains("500"), "{sms}");
    let admin = app.login("admin").await;
    let (s, q) = admin.get("/api/v1/outbox").await;
    assert_eq!(s, StatusCode::OK);
    let dead: Vec<&Value> = q["dead_letters"].as_array().unwrap().iter().filter(|x| x["topic"] == "notify.send").collect();
    assert_eq!(dead.len(), 1, "{q}");
    hook.status.store(200, Ordering::SeqCst);
    let (s, b) = admin.post(&format!("/api/v1/outbox/{}/retry", dead[0]["id"].as_str().unwrap()), json!({})).await;
    assert!(s.is_success(), "{s} {b}");
    assert_eq!(drain(&app.ctx, &notify).await.delivered, 1);
    let sms = deliveries(&clerk, &e).await.into_iter().find(|x| x["channel"] == "sms").unwrap();
    assert_eq!(sms["status"], "sent", "{sms}");
    let got = hook.verified();
    assert_eq!(got.last().unwrap()["to"], "0911222333");
    assert_eq!(got.iter().filter(|x| x["to"] == "0911222333").count(), 4, "three failed attempts and the replay");

    // A row queued before the notices existed (the event's kind, no seq) is delivered too.
    let (did, now) = (id.clone(), app.ctx.clock.now_ms());
    app.ctx
        .store
        .write(move |db| {
            motcua_store::repo::dossiers::enqueue(
                db,
                "notify.applicant",
                &did,
                &json!({"dossier_id": did, "code": "x", "event": "received"}),
                now,
            )
        })
        .await
        .unwrap();
    drain(&app.ctx, &notify).await;
    let mails = smtp.to("an.nguyen@example.vn");
    assert_eq!(mails.len(), 3);
    assert_eq!(mails[2]["subject"], format!("Hồ sơ {code} đã được tiếp nhận"));
}

async fn preferences(backend: Backend) {
    let smtp = SmtpSink::start();
    let (_hook, hook_url) = start_hook().await;
    let app = spawn(backend, &smtp, &hook_url).await;
    let notify = dispatcher(&app);
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));

    // The citizen's choices: English, no optional notices, no SMS. Bad input changes nothing.
    let citizen = app.login("congdan").await;
    let (s, p) = citizen.get("/api/v1/me/notification-preferences").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p, json!({"email": true, "sms": true, "zalo": false, "language": "vi", "optional_notices": true}));
    let (s, e) = citizen
        .send(
            reqwest::Method::PUT,
            "/api/v1/me/notification-preferences",
            Some(json!({"email": true, "sms": false, "zalo": false, "language": "fr", "optional_notices": false})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e.to_string().contains("invalid_language"), "{e}");
    assert_eq!(app.count("notification_preferences").await, 0);
    let chosen = json!({"email": true, "sms": false, "zalo": false, "language": "en", "optional_notices": false});
    let (s, p) = citizen.send(reqwest::Method::PUT, "/api/v1/me/notification-preferences", Some(chosen.clone())).await;
    assert_eq!((s, &p), (StatusCode::OK, &chosen));
    assert_eq!(citizen.get("/api/v1/me/notification-preferences").await.1, chosen);
    let (s, _) = app.login("tiepnhan").await.get("/api/v1/me/notification-preferences").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "officials have no notice preferences");

    // Filed online by the citizen, received at the province centre: the receipt notice is
    // required: by e-mail in English; no SMS (turned off).
    let (s, mut d) = citizen
        .post(
            "/api/v1/dossiers",
            json!({"procedure_code": "1.910201.H40", "summary": "Cấp thẻ công chứng viên",
                   "applicant": {"name": "Trần Thị Bình", "id_number": "037092001234", "phone": "0912345678",
                                 "email": "binh.tran@example.vn", "address": "Phường Hoa Lư"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    for c in d["components"].as_array().unwrap().clone() {
        if c["required"] == true {
            let (s, b) = crate::dossiers::upload(
                &citizen,
                &d,
                c["key"].as_str().unwrap(),
                "application/pdf",
                "scan.pdf",
                crate::officer_pages::PDF,
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{b}");
            d = b;
        }
    }
    let d = step(&app, &citizen, &d, "submit", json!({})).await;
    let central = app.login("tiepnhan").await;
    let d = step(&app, &central, &d, "receive", json!({})).await;
    let code = d["code"].as_str().unwrap().to_string();
    drain(&app.ctx, &notify).await;
    let mails = smtp.to("binh.tran@example.vn");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], format!("Your application {code} has been received"));
    assert!(mails[0]["body"].as_str().unwrap().starts_with("Dear Trần Thị Bình"), "{}", mails[0]);

    // The result is ready: optional, opted out: logged, not sent.
    let d = step(&app, &central, &d, "forward", json!({})).await;
    let d = step(&app, &app.login("chuyenvien").await, &d, "forward", json!({})).await;
    let leader = app.login("lanhdao").await;
    let (s, d) =
        crate::dossiers::upload(&leader, &d, "result", "application/pdf", "kq.pdf", motcua_testkit::files::SIGNED_PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let d = step(&app, &leader, &d, "resolve", json!({"name": "Thẻ công chứng viên", "number": "15/2026/TCCV"})).await;
    drain(&app.ctx, &notify).await;
    assert_eq!(smtp.to("binh.tran@example.vn").len(), 1, "no e-mail for an optional notice opted out of");
    let log = deliveries(&central, &d).await;
    assert_eq!(statuses(&log, "received"), [("email".into(), "sent".into())]);
    assert_eq!(statuses(&log, "result_ready"), [("email".into(), "opted_out".into())]);

    // The same choices on the citizen's page; a bad language is refused, nothing changed.
    let b = crate::browser::Browser::login(&app, "congdan").await;
    let page = b.get("/ca-nhan/thong-bao").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(r#"id="language-en" name="language" type="radio" value="en" checked"#), "{}", page.body);
    assert!(page.body.contains(r#"id="sms" name="sms" type="checkbox" value="1">"#), "SMS off: {}", page.body);
    let csrf = page.csrf();
    let bad =
        b.post("/ca-nhan/thong-bao", &[("csrf_token", csrf.clone()), ("email", "1".into()), ("language", "xx".into())]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Ngôn ngữ phải là tiếng Việt"), "{}", bad.body);
    assert_eq!(citizen.get("/api/v1/me/notification-preferences").await.1, chosen);
    let done = b
        .post(
            "/ca-nhan/thong-bao",
            &[
                ("csrf_token", csrf),
                ("email", "1".into()),
                ("sms", "1".into()),
                ("language", "vi".into()),
                ("optional_notices", "1".into()),
            ],
        )
        .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/ca-nhan/thong-bao?xong=1"));
    assert_eq!(
        citizen.get("/api/v1/me/notification-preferences").await.1,
        json!({"email": true, "sms": true, "zalo": false, "language": "vi", "optional_notices": true})
    );
    assert!(b.get("/ca-nhan/thong-bao?xong=1").await.body.contains("Đã lưu lựa chọn nhận thông báo."));
}

/// The deadline worker's reminders go by e-mail too, to the officers with an address, once.
async fn officer_reminders(backend: Backend) {
    let smtp = SmtpSink::start();
    let (_hook, hook_url) = start_hook().await;
    let app = spawn(backend, &smtp, &hook_url).await;
    let workers = motcua_app::deadlines::dispatcher()
        .unwrap()
        .register(Arc::new(motcua_app::notify::Notify::new(&app.ctx.config).unwrap()))
        .unwrap();
    // Received Monday 08:00 at Hoa Lư's counter (no applicant address: no applicant notice).
    app.ctx.clock.set(vn("2026-03-02T08:00:00"));
    let d = counter_received(&app, "", "").await;
    let code = d["code"].as_str().unwrap().to_string();
    // Wednesday 16:00: the counter's step is overdue (its holder) and escalated (the leader).
    app.ctx.clock.set(vn("2026-03-04T16:00:00"));
    motcua_app::deadlines::scan(&app.ctx).await.unwrap();
    drain(&app.ctx, &workers).await;
    let clerk = smtp.to("tiepnhan-hoalu@demo.motcua.vn");
    let subjects: Vec<&str> = clerk.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert!(subjects.contains(&format!("[Một cửa] Hồ sơ {code} đã quá hạn xử lý").as_str()), "{subjects:?}");
    let overdue = clerk.iter().find(|m| m["subject"].as_str().unwrap().contains("quá hạn")).unwrap();
    assert!(
        overdue["body"]
            .as_str()
            .unwrap()
            .contains(&format!("https://dichvucong.example.vn/can-bo/ho-so/{}", d["id"].as_str().unwrap())),
        "{overdue}"
    );
    let leader = smtp.to("lanhdao-hoalu@demo.motcua.vn");
    assert!(leader.iter().any(|m| m["subject"] == format!("[Một cửa] Hồ sơ {code} quá hạn, chuyển lãnh đạo")), "{leader:?}");
    assert!(smtp.to("chuyenvien-hoalu@demo.motcua.vn").is_empty(), "not the holders of other steps");
    // In the dossier's log, masked; a second round sends nothing more.
    let n = smtp.messages().len();
    let log = deliveries(&app.login("tiepnhan.hoalu").await, &d).await;
    assert!(
        log.iter().any(|x| x["notice"] == "officer_reminder" && x["recipient"] == "t***@demo.motcua.vn" && x["status"] == "sent"),
        "{log:?}"
    );
    app.ctx
        .store
        .write(|db| db.execute("UPDATE outbox SET delivered_at = NULL, claimed_by = NULL WHERE topic LIKE 'reminder.%'", &[]))
        .await
        .unwrap();
    drain(&app.ctx, &workers).await;
    assert_eq!(smtp.messages().len(), n, "handled again: nobody is e-mailed twice");
}

macro_rules! on_both {
    ($($name:ident),*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(motcua_testkit::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(motcua_testkit::Backend::Postgres).await
            }
        }
    )*};
}

on_both!(email_and_sms, preferences, officer_reminders);

/// In Chromium (SQLite): the citizen's page and the officer's delivery log pass axe on a
/// phone and a desktop; saving the choices leads to the page that says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_in_a_browser() {
    use motcua_testkit::browser::{Browser, By};
    let smtp = SmtpSink::start();
    let (_hook, hook_url) = start_hook().await;
    let app = spawn(Backend::Sqlite, &smtp, &hook_url).await;
    app.ctx.clock.set(vn("2026-03-02T09:00:00"));
    let d = counter_received(&app, "an.nguyen@example.vn", "0912345678").await;
    drain(&app.ctx, &dispatcher(&app)).await;
    // A scanned component, as at a real counter (the components table then has its links).
    let clerk = app.login("tiepnhan.hoalu").await;
    let (s, _) =
        crate::dossiers::upload(&clerk, &d, "to_khai", "application/pdf", "to-khai.pdf", crate::officer_pages::PDF).await;
    assert_eq!(s, StatusCode::CREATED);

    let b = Browser::start(&app).await;
    b.login("congdan").await;
    b.open("/ca-nhan/thong-bao").await;
    b.capture("notify-preferences").await;
    b.find(By::Css("label[for=language-en]")).await.click().await.unwrap();
    let at = b.click_to("Lưu", "/ca-nhan/thong-bao").await;
    assert!(at.contains("xong=1"), "{at}");
    assert!(b.main_text().await.contains("Đã lưu lựa chọn nhận thông báo."));
    b.axe().await;
    b.quit().await;

    let b = Browser::start(&app).await;
    b.login("tiepnhan.hoalu").await;
    b.open(&format!("/can-bo/ho-so/{}", d["id"].as_str().unwrap())).await;
    assert!(b.main_text().await.contains("Thông báo cho người nộp"));
    b.capture("notify-deliveries").await;
    b.quit().await;
    let (s, p) = app.login("congdan").await.get("/api/v1/me/notification-preferences").await;
    assert_eq!((s, p["language"].as_str()), (StatusCode::OK, Some("en")));
}
