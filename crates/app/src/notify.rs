//! Applicant notices and officer reminders by e-mail (SMTP) and by SMS / Zalo (one signed
//! webhook), issue #17, docs/notifications.md.
//!
//! Two steps, both outbox topics. `notify.applicant` (queued with the dossier event) is
//! fanned out: the notice of the event (`motcua_domain::notice`) is rendered from its
//! template in the applicant's language and logged once per channel (unique per source
//! row, channel and recipient), each channel getting its own `notify.send` row, held to the
//! channel's sending window. A `notify.send` row sends one message: a failure is retried
//! with the outbox back-off and ends as a dead letter an administrator can put back; a
//! permanent refusal (an SMTP 5xx bounce, a 4xx of the webhook) is logged as failed and
//! not retried. A delivery logged as sent is never sent again.

use crate::auth::CurrentUser;
use crate::config::NotifyConfig;
use crate::limits::RateTable;
use crate::outbox::{Consumer, Handled, Message};
use crate::{AppContext, AppError};
use hmac::{Hmac, Mac};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use motcua_domain::dossier::{Dossier, Recorded};
use motcua_domain::notice::{self, Channel, Decision, Language, Notice, Preferences, QuietHours};
use motcua_store::repo::notices as repo;
pub use motcua_store::repo::notices::Delivery;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Queued with a dossier event that may tell the applicant something: `{dossier_id, seq}`.
pub const APPLICANT: &str = "notify.applicant";
/// One message on one channel: `{delivery_id, channel, to, subject, text}`.
pub const SEND: &str = "notify.send";
/// The template of officer reminders sent by e-mail.
pub const OFFICER_REMINDER: &str = "officer_reminder";

/// A notice's texts: the e-mail subject and body, the short text of SMS and Zalo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub sms: String,
    pub body: String,
}

/// The built-in template `key.lang.txt`.
fn builtin(name: &str) -> Option<&'static str> {
    macro_rules! files {
        ($($k:literal),*) => {
            match name {
                $(concat!($k, ".vi.txt") => Some(include_str!(concat!("../notify/", $k, ".vi.txt"))),
                  concat!($k, ".en.txt") => Some(include_str!(concat!("../notify/", $k, ".en.txt"))),)*
                _ => None,
            }
        };
    }
    files!(
        "received",
        "supplement_requested",
        "fee_notice",
        "extended",
        "stopped",
        "refused",
        "refused_after_appraisal",
        "result_ready",
        "returned",
        "refunded",
        "posted",
        "post_delivered",
        "post_undelivered",
        "officer_reminder"
    )
}

/// Reads `Subject: …`, `SMS: …`, a blank line, then the e-mail body.
pub fn parse_template(text: &str) -> Result<Template, String> {
    let text = text.replace("\r\n", "\n");
    let mut lines = text.splitn(3, '\n');
    let subject = lines.next().and_then(|l| l.strip_prefix("Subject:")).ok_or("the first line must be `Subject: …`")?;
    let sms = lines.next().and_then(|l| l.strip_prefix("SMS:")).ok_or("the second line must be `SMS: …`")?;
    let body = lines.next().unwrap_or_default();
    let body = body.strip_prefix('\n').ok_or("a blank line must follow the `SMS:` line")?;
    Ok(Template { subject: subject.trim().to_string(), sms: sms.trim().to_string(), body: body.to_string() })
}

/// The template of `key` in `lang`: the override in `dir` (an administrator's edit, read at
/// each use) or the built-in one.
pub fn template(dir: &Path, key: &str, lang: Language) -> Result<Template, String> {
    let name = format!("{key}.{}.txt", lang.as_str());
    let own = dir.join(&name);
    let text = match std::fs::read_to_string(&own) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin(&name).ok_or(format!("no template {name}"))?.to_string(),
        Err(e) => return Err(format!("{}: {e}", own.display())),
    };
    parse_template(&text).map_err(|e| format!("{name}: {e}"))
}

/// Replaces each `{{name}}`; an unknown name is an error (a typo in an edited template
/// must not reach the applicant).
pub fn render(text: &str, vars: &BTreeMap<&str, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let j = after.find("}}").ok_or("an unclosed `{{`")?;
        let name = after[..j].trim();
        out.push_str(vars.get(name).ok_or_else(|| format!("unknown field {{{{{name}}}}}"))?);
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The fields of a notice, from the dossier and the event (read as JSON, so events added
/// later bring their fields by name: `tracking_number`, `amount`, `reason`).
pub fn fields(public_url: &str, d: &Dossier, rec: &Recorded) -> BTreeMap<&'static str, String> {
    let e = serde_json::to_value(&rec.event).unwrap_or(Value::Null);
    let date = |ms: Option<i64>| ms.map(crate::error::hanoi_time).unwrap_or_default();
    let list = |v: &Value, f: &dyn Fn(&Value) -> String| -> String {
        v.as_array().map(|a| a.iter().map(|x| format!("- {}", f(x))).collect::<Vec<_>>().join("\n")).unwrap_or_default()
    };
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let link = format!("{public_url}/ho-so-cua-toi/{}", d.id);
    let total: i64 = e["items"].as_array().map(|a| a.iter().filter_map(|x| x["amount"].as_i64()).sum()).unwrap_or(0);
    let reasons = if e["reasons"].is_array() { list(&e["reasons"], &s) } else { String::new() };
    let mut m = BTreeMap::new();
    m.insert("applicant", d.applicant.name.clone());
    m.insert("code", d.code.clone().or_else(|| d.filing_reference.clone()).unwrap_or_default());
    m.insert("procedure", d.procedure.name.clone());
    m.insert("agency", d.receiving.name.clone());
    m.insert("link", link.clone());
    // Where to rate (issue #18): an online dossier on its page, a paper one on the rating
    // page with its code filled in (the one-time rating code stays on the receipt).
    let rating_link = match (d.channel, &d.code) {
        (motcua_domain::catalog::Channel::Online, _) | (_, None) => link.clone(),
        (_, Some(code)) => format!("{public_url}/danh-gia?code={code}"),
    };
    m.insert("rating_link", rating_link);
    m.insert("pay_link", format!("{link}/thanh-toan"));
    m.insert("appointment", date(e["appointment_at"].as_i64().or(d.appointment_at)));
    m.insert(
        "items",
        list(&e["items"], &|x| match x["reason"].as_str() {
            Some(r) => format!("{}: {r}", s(&x["name"])),
            None => s(&x["name"]),
        }),
    );
    m.insert(
        "fees",
        list(&e["items"], &|x| format!("{}: {}", s(&x["name"]), motcua_domain::text::money(x["amount"].as_i64().unwrap_or(0)))),
    );
    m.insert("total", motcua_domain::text::money(total));
    m.insert("amount", motcua_domain::text::money(e["amount"].as_i64().unwrap_or(total)));
    m.insert("reasons", reasons);
    m.insert("reason", s(&e["reason"]));
    m.insert("tracking_number", s(&e["tracking_number"]));
    m.insert("result", s(&e["name"]));
    m
}

/// `sha256=<hex>` of HMAC-SHA256 over `"{timestamp}.{body}"`: the webhook's signature.
pub fn signature(secret: &[u8], timestamp: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("HMAC key");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a send did not succeed.
#[derive(Debug)]
pub enum SendError {
    /// Try again later (the provider down, a 4xx SMTP reply, a timeout).
    Transient(String),
    /// Never (a bounced address, a refused request): logged as failed.
    Permanent(String),
}

struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Smtp {
    fn new(cfg: &crate::config::SmtpConfig, host: &str) -> Result<Self, AppError> {
        let bad = |e: String| AppError::Internal(format!("notify.smtp: {e}"));
        let tls = || -> Result<TlsParameters, AppError> {
            let mut b = TlsParameters::builder(host.to_string());
            if let Some(ca) = &cfg.ca_file {
                let pem = std::fs::read(ca).map_err(|e| bad(format!("{}: {e}", ca.display())))?;
                b = b.add_root_certificate(Certificate::from_pem(&pem).map_err(|e| bad(e.to_string()))?);
            }
            b.build_rustls().map_err(|e| bad(e.to_string()))
        };
        let tls = match cfg.security.as_str() {
            "starttls" => Tls::Required(tls()?),
            "tls" => Tls::Wrapper(tls()?),
            // Plain text only to a relay on this machine (a local MTA): never over a network.
            "plain" if is_loopback(host) => Tls::None,
            "plain" => return Err(bad(format!("security = \"plain\" is only allowed to a loopback host, not {host}"))),
            other => return Err(bad(format!("security must be starttls, tls or plain, not {other:?}"))),
        };
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(cfg.port)
            .tls(tls)
            .timeout(Some(std::time::Duration::from_secs(cfg.timeout_secs.max(1))));
        if let (Some(u), Some(p)) = (&cfg.username, &cfg.password) {
            b = b.credentials(Credentials::new(u.clone(), p.clone()));
        }
        let from = cfg.from.parse().map_err(|e| bad(format!("from {:?}: {e}", cfg.from)))?;
        Ok(Self { transport: b.build(), from })
    }

    async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), SendError> {
        let to: lettre::message::Mailbox = to.parse().map_err(|e| SendError::Permanent(format!("invalid address: {e}")))?;
        let msg = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(msg).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(format!("bounced: {e}"))),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

struct Webhook {
    url: String,
    secret: Vec<u8>,
    http: reqwest::Client,
    channels: Vec<Channel>,
}

impl Webhook {
    async fn send(&self, now_ms: i64, body: &Value) -> Result<(), SendError> {
        let bytes = serde_json::to_vec(body).map_err(|e| SendError::Permanent(e.to_string()))?;
        let ts = (now_ms / 1000).to_string();
        let sig = signature(&self.secret, &ts, &bytes);
        let resp = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("x-motcua-timestamp", &ts)
            .header("x-motcua-signature", sig)
            .body(bytes)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("webhook unreachable: {e}")))?;
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let text: String = resp.text().await.unwrap_or_default().chars().take(300).collect();
        let reason = format!("webhook answered {status}: {text}");
        // A request the provider refuses (bad number, unknown channel) will be refused again.
        if status.is_client_error() && status.as_u16() != 408 && status.as_u16() != 429 {
            Err(SendError::Permanent(reason))
        } else {
            Err(SendError::Transient(reason))
        }
    }
}

/// The consumer of `notify.applicant` and `notify.send`.
pub struct Notify {
    quiet: QuietHours,
    templates: PathBuf,
    public_url: String,
    smtp: Option<Smtp>,
    webhook: Option<Webhook>,
    smtp_rate: RateTable<()>,
    webhook_rate: RateTable<()>,
}

impl Notify {
    pub fn new(config: &crate::Config) -> Result<Self, AppError> {
        let cfg: &NotifyConfig = &config.notify;
        let quiet = QuietHours::parse(&cfg.quiet_from, &cfg.quiet_until)
            .ok_or_else(|| AppError::Internal("notify.quiet_from / quiet_until must be HH:MM".into()))?;
        let smtp = match cfg.smtp.host.as_deref().filter(|h| !h.is_empty()) {
            Some(h) => Some(Smtp::new(&cfg.smtp, h)?),
            None => None,
        };
        let webhook =
            match cfg.webhook.url.as_deref().filter(|u| !u.is_empty()) {
                Some(url) => {
                    let secret =
                        cfg.webhook.secret.clone().filter(|s| s.len() >= 16).ok_or_else(|| {
                            AppError::Internal("notify.webhook.secret must be set (at least 16 characters)".into())
                        })?;
                    let t = std::time::Duration::from_secs(cfg.webhook.timeout_secs.max(1));
                    let http = reqwest::Client::builder()
                        .timeout(t)
                        .connect_timeout(t)
                        .build()
                        .map_err(|e| AppError::Internal(e.to_string()))?;
                    let channels =
                        cfg.webhook.channels.iter().filter_map(|c| Channel::parse(c)).filter(|c| *c != Channel::Email).collect();
                    Some(Webhook { url: url.to_string(), secret: secret.into_bytes(), http, channels })
                }
                None => None,
            };
        Ok(Self {
            quiet,
            templates: config.notice_templates_dir(),
            public_url: config.public_url(),
            smtp,
            webhook,
            smtp_rate: RateTable::new(cfg.smtp.per_minute, 16),
            webhook_rate: RateTable::new(cfg.webhook.per_minute, 16),
        })
    }

    /// Whether e-mail can go out (officer reminders are sent only then).
    pub fn email_on(config: &crate::Config) -> bool {
        config.notify.enabled && config.notify.smtp.host.as_deref().is_some_and(|h| !h.is_empty())
    }

    async fn fan_out(&self, ctx: &AppContext, msg: &Message) -> Result<(), String> {
        let p: Value = serde_json::from_str(&msg.payload).map_err(|e| format!("unreadable payload: {e}"))?;
        let id = p["dossier_id"].as_str().ok_or("no dossier_id")?.to_string();
        // Rows queued before the notices existed name the event by kind only: its last one.
        let seq = p["seq"].as_i64();
        let kind = p["event"].as_str().unwrap_or_default().to_string();
        let i = id.clone();
        let (d, rec, prefs) = ctx
            .store
            .read(move |db| {
                let d = motcua_store::repo::dossiers::get(db, &i)?;
                let events = motcua_store::repo::dossiers::events(db, &i)?;
                let rec = match seq {
                    Some(seq) => events.into_iter().find(|r| r.seq == seq),
                    None => events.into_iter().rev().find(|r| r.event.kind() == kind),
                };
                let prefs = match d.as_ref().and_then(|d| d.owner_id.clone()) {
                    Some(owner) => repo::preferences(db, &owner)?,
                    None => None,
                };
                Ok::<_, AppError>((d, rec, prefs))
            })
            .await
            .map_err(|e| e.to_string())?;
        let (Some(d), Some(rec)) = (d, rec) else { return Err(format!("dossier {id}: event {seq:?} not found")) };
        let seq = rec.seq;
        let Some(notice) = Notice::for_event(rec.event.kind()) else { return Ok(()) };
        let prefs = prefs.unwrap_or_default();
        let t = template(&self.templates, notice.key(), prefs.language)?;
        let vars = fields(&self.public_url, &d, &rec);
        let (subject, body, short) = (render(&t.subject, &vars)?, render(&t.body, &vars)?, render(&t.sms, &vars)?);
        let now = ctx.clock.now_ms();
        let minute = local_minute(now);
        let mut sends = Vec::new();
        if let (Some(_), Some(to)) = (&self.smtp, d.applicant.email.clone().filter(|e| !e.is_empty())) {
            sends.push((Channel::Email, to, json!({"subject": subject, "text": body})));
        }
        if let (Some(w), Some(to)) = (&self.webhook, d.applicant.phone.clone().filter(|p| !p.is_empty())) {
            for c in &w.channels {
                sends.push((*c, to.clone(), json!({"text": short})));
            }
        }
        let quiet = self.quiet;
        let source = msg.id.clone();
        ctx.store
            .write(move |db| {
                for (channel, to, content) in &sends {
                    let (status, wait) = match prefs.decide(notice, *channel) {
                        Decision::ChannelOff => continue,
                        Decision::OptedOut => ("opted_out", 0),
                        Decision::Send => match quiet.wait_minutes(*channel, minute) {
                            0 => ("queued", 0),
                            w => ("deferred", i64::from(w)),
                        },
                    };
                    let masked = notice::mask(to);
                    let row = repo::NewDelivery {
                        source_id: &source,
                        dossier_id: Some(&d.id),
                        event_seq: Some(seq),
                        notice: notice.key(),
                        channel: channel.as_str(),
                        recipient_ref: "applicant",
                        recipient: &masked,
                        status,
                    };
                    if let Some(delivery) = repo::log(db, &row, now)?
                        && status != "opted_out"
                    {
                        let mut p = json!({"delivery_id": delivery, "channel": channel.as_str(), "to": to, "dossier_id": d.id,
                            "code": d.code, "notice": notice.key()});
                        merge(&mut p, content);
                        motcua_store::repo::outbox::enqueue_due(db, SEND, Some(&d.id), &p, now, now + wait * 60_000)?;
                    }
                }
                Ok::<_, AppError>(())
            })
            .await
            .map_err(|e| e.to_string())
    }

    async fn send(&self, ctx: &AppContext, msg: &Message) -> Result<(), String> {
        let p: Value = serde_json::from_str(&msg.payload).map_err(|e| format!("unreadable payload: {e}"))?;
        let delivery = p["delivery_id"].as_str().ok_or("no delivery_id")?.to_string();
        let channel = p["channel"].as_str().and_then(Channel::parse).ok_or("no channel")?;
        let to = p["to"].as_str().unwrap_or_default();
        let text = p["text"].as_str().unwrap_or_default();
        let d = delivery.clone();
        let status = ctx.store.read(move |db| repo::status(db, &d)).await.map_err(|e| e.to_string())?;
        // At least once: a row handled again after its message went (or bounced) sends nothing.
        if matches!(status.as_deref(), Some("sent" | "failed") | None) {
            return Ok(());
        }
        let now = ctx.clock.now_ms();
        // Not configured (any more) or over the rate: an attempt that failed, retried later.
        let outcome = match channel {
            Channel::Email => match (&self.smtp, self.smtp_rate.take(&(), now)) {
                (None, _) => Err(SendError::Transient("e-mail is not configured".into())),
                (_, Err(ms)) => Err(SendError::Transient(format!("e-mail rate limit: next in {ms} ms"))),
                (Some(smtp), Ok(())) => smtp.send(to, p["subject"].as_str().unwrap_or_default(), text).await,
            },
            Channel::Sms | Channel::Zalo => match (&self.webhook, self.webhook_rate.take(&(), now)) {
                (None, _) => Err(SendError::Transient("the SMS / Zalo webhook is not configured".into())),
                (_, Err(ms)) => Err(SendError::Transient(format!("webhook rate limit: next in {ms} ms"))),
                (Some(w), Ok(())) => {
                    let body = json!({"id": delivery, "channel": channel.as_str(), "to": to, "text": text,
                        "dossier_code": p["code"], "notice": p["notice"]});
                    w.send(now, &body).await
                }
            },
        };
        let last = msg.attempts + 1 >= ctx.config.workers.outbox_max_attempts.max(1);
        let (status, error, result) = match outcome {
            Ok(()) => ("sent", None, Ok(())),
            Err(SendError::Permanent(e)) => ("failed", Some(e), Ok(())),
            Err(SendError::Transient(e)) => (if last { "dead" } else { "retrying" }, Some(e.clone()), Err(e)),
        };
        let now = ctx.clock.now_ms();
        let err = error.clone();
        ctx.store
            .write(move |db| repo::attempted(db, &delivery, status, err.as_deref(), now))
            .await
            .map_err(|e| e.to_string())?;
        result
    }
}

fn merge(into: &mut Value, from: &Value) {
    if let (Some(a), Some(b)) = (into.as_object_mut(), from.as_object()) {
        for (k, v) in b {
            a.insert(k.clone(), v.clone());
        }
    }
}

/// Minutes since local midnight (Asia/Ho_Chi_Minh).
fn local_minute(ms: i64) -> u32 {
    let t = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let l = motcua_domain::calendar::local_datetime(t);
    u32::try_from(i32::from(l.hour()) * 60 + i32::from(l.minute())).unwrap_or(0)
}

impl Consumer for Notify {
    fn name(&self) -> &'static str {
        "notify"
    }
    fn topics(&self) -> &'static [&'static str] {
        &[APPLICANT, SEND]
    }
    fn handle<'a>(&'a self, ctx: &'a AppContext, msg: &'a Message) -> Handled<'a> {
        Box::pin(async move { if msg.topic == APPLICANT { self.fan_out(ctx, msg).await } else { self.send(ctx, msg).await } })
    }
}

/// The e-mail of an officer reminder (`crate::deadlines::Notifier`), logged and queued like
/// an applicant notice, in Vietnamese. `recipients` are (user id, e-mail address).
pub fn queue_officer_emails(
    db: &mut motcua_store::Db,
    config: &crate::Config,
    source_id: &str,
    kind: &str,
    payload: &Value,
    recipients: &[(String, String)],
    now: i64,
) -> Result<(), AppError> {
    let t = template(&config.notice_templates_dir(), OFFICER_REMINDER, Language::Vi).map_err(AppError::Internal)?;
    let code = payload["code"].as_str().unwrap_or_default();
    use crate::deadlines::{DIGEST, DUE_SOON, ESCALATION, OVERDUE};
    let subject = match kind {
        DUE_SOON => format!("Hồ sơ {code} sắp đến hạn xử lý"),
        OVERDUE => format!("Hồ sơ {code} đã quá hạn xử lý"),
        ESCALATION => format!("Hồ sơ {code} quá hạn, chuyển lãnh đạo"),
        DIGEST => "Tổng hợp hồ sơ trong ngày của đơn vị".to_string(),
        crate::usecases::targets::AT_RISK => "Chỉ tiêu của đơn vị có nguy cơ không đạt".to_string(),
        crate::usecases::ratings::LOW if code.is_empty() => "Một lượt phục vụ tại quầy bị đánh giá thấp".to_string(),
        crate::usecases::ratings::LOW => format!("Hồ sơ {code} bị đánh giá thấp"),
        _ => format!("Nhắc việc hồ sơ {code}"),
    };
    let details = match kind {
        DIGEST => format!(
            "Đang xử lý: {}. Quá hạn: {}. Sắp đến hạn: {}.",
            payload["open"].as_i64().unwrap_or(0),
            payload["overdue"].as_i64().unwrap_or(0),
            payload["due_soon"].as_i64().unwrap_or(0)
        ),
        crate::usecases::ratings::LOW => crate::usecases::ratings::low_detail_vi(payload),
        _ => format!("Hạn: {}", payload["due_at"].as_i64().map(crate::error::hanoi_time).unwrap_or_default()),
    };
    let dossier = payload["dossier_id"].as_str();
    let link = match dossier {
        Some(id) => format!("{}/can-bo/ho-so/{id}", config.public_url()),
        None => format!("{}/can-bo/thong-bao", config.public_url()),
    };
    let vars: BTreeMap<&str, String> = [("subject", subject), ("details", details), ("link", link)].into_iter().collect();
    let (subject, body) =
        (render(&t.subject, &vars).map_err(AppError::Internal)?, render(&t.body, &vars).map_err(AppError::Internal)?);
    for (user, to) in recipients {
        let masked = notice::mask(to);
        let row = repo::NewDelivery {
            source_id,
            dossier_id: dossier,
            event_seq: None,
            notice: OFFICER_REMINDER,
            channel: "email",
            recipient_ref: user,
            recipient: &masked,
            status: "queued",
        };
        if let Some(delivery) = repo::log(db, &row, now)? {
            let p = json!({"delivery_id": delivery, "channel": "email", "to": to, "subject": subject, "text": body,
                "notice": OFFICER_REMINDER, "code": payload["code"]});
            motcua_store::repo::outbox::enqueue_due(db, SEND, dossier, &p, now, now)?;
        }
    }
    Ok(())
}

/// The signed-in citizen's notice preferences (the defaults when never chosen). Officials
/// have none (403).
pub async fn my_preferences(ctx: &AppContext, current: &CurrentUser) -> Result<Preferences, AppError> {
    citizen(current)?;
    let u = current.user.id.clone();
    Ok(ctx.store.read(move |db| repo::preferences(db, &u)).await?.unwrap_or_default())
}

/// Sets the signed-in citizen's notice preferences; `language` is `vi` or `en` (422
/// `invalid_language` otherwise, nothing written).
pub async fn set_my_preferences(
    ctx: &AppContext,
    current: &CurrentUser,
    email: bool,
    sms: bool,
    zalo: bool,
    language: &str,
    optional_notices: bool,
) -> Result<Preferences, AppError> {
    citizen(current)?;
    let Some(language) = Language::parse(language) else {
        return Err(AppError::Validation(motcua_domain::error::ValidationError(vec![motcua_domain::error::FieldError::new(
            "language",
            "invalid_language",
            "Ngôn ngữ phải là tiếng Việt (vi) hoặc tiếng Anh (en).",
            "The language must be vi or en.",
        )])));
    };
    let p = Preferences { email, sms, zalo, language, optional_notices };
    let (u, now) = (current.user.id.clone(), ctx.clock.now_ms());
    ctx.store.write(move |db| repo::set_preferences(db, &u, &p, now)).await?;
    Ok(p)
}

fn citizen(current: &CurrentUser) -> Result<(), AppError> {
    if current.user.account_type == motcua_domain::user::AccountType::Official {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// Most deliveries listed for one dossier.
pub const DELIVERIES_LIMIT: usize = 500;

/// The delivery log of a dossier's notices, for an official who may read the dossier (404
/// otherwise, as for the dossier); citizens see their notices in their mailbox (403).
pub async fn deliveries(ctx: &AppContext, current: &CurrentUser, dossier_id: &str) -> Result<Vec<repo::Delivery>, AppError> {
    if current.user.account_type != motcua_domain::user::AccountType::Official {
        return Err(AppError::Forbidden);
    }
    let d = crate::usecases::dossiers::state(ctx, current, dossier_id).await?;
    ctx.store.read(move |db| repo::for_dossier(db, &d.id, DELIVERIES_LIMIT)).await.map_err(Into::into)
}

/// An e-mail to a citizen about something other than a dossier event (the queue's
/// appointment reminder): logged once per source and queued for `due` like an applicant
/// notice, in Vietnamese.
#[allow(clippy::too_many_arguments)]
pub fn queue_citizen_email(
    db: &mut motcua_store::Db,
    source_id: &str,
    notice_key: &str,
    user_id: &str,
    to: &str,
    subject: &str,
    text: &str,
    now: i64,
    due: i64,
) -> Result<(), AppError> {
    let masked = notice::mask(to);
    let row = repo::NewDelivery {
        source_id,
        dossier_id: None,
        event_seq: None,
        notice: notice_key,
        channel: "email",
        recipient_ref: user_id,
        recipient: &masked,
        status: "queued",
    };
    if let Some(delivery) = repo::log(db, &row, now)? {
        let p = json!({"delivery_id": delivery, "channel": "email", "to": to, "subject": subject, "text": text,
            "notice": notice_key});
        motcua_store::repo::outbox::enqueue_due(db, SEND, None, &p, now, due)?;
    }
    Ok(())
}

/// Withdraws a citizen e-mail not sent yet (an appointment cancelled before its reminder):
/// its delivery is marked failed, so the queued message sends nothing.
pub fn cancel_citizen_email(db: &mut motcua_store::Db, source_id: &str, notice_key: &str, now: i64) -> Result<(), AppError> {
    repo::cancel_queued(db, source_id, notice_key, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_parses_and_renders() {
        let mut vars = BTreeMap::new();
        for k in [
            "applicant",
            "code",
            "procedure",
            "agency",
            "link",
            "pay_link",
            "appointment",
            "items",
            "fees",
            "total",
            "amount",
            "reasons",
            "reason",
            "tracking_number",
            "result",
            "rating_link",
        ] {
            vars.insert(k, format!("<{k}>"));
        }
        let dir = Path::new("/nonexistent");
        for n in Notice::ALL {
            for lang in [Language::Vi, Language::En] {
                let t = template(dir, n.key(), lang).unwrap();
                for part in [&t.subject, &t.sms, &t.body] {
                    render(part, &vars).unwrap_or_else(|e| panic!("{} {lang:?}: {e}", n.key()));
                }
                assert!(render(&t.subject, &vars).unwrap().contains("<code>"), "{}", n.key());
            }
        }
        assert_eq!(render("a {{x}} b", &vars).unwrap_err(), "unknown field {{x}}");
        assert!(parse_template("Subject: a\nbody").is_err());
    }

    #[test]
    fn unsafe_or_incomplete_settings_are_refused_at_start() {
        let with = |f: &dyn Fn(&mut crate::Config)| {
            let mut c = crate::Config::default();
            f(&mut c);
            Notify::new(&c).err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert_eq!(with(&|_| {}), "", "nothing configured: nothing to send, no error");
        let e = with(&|c| {
            c.notify.smtp.host = Some("smtp.example.vn".into());
            c.notify.smtp.security = "plain".into();
        });
        assert!(e.contains("only allowed to a loopback host"), "{e}");
        let e = with(&|c| {
            c.notify.smtp.host = Some("127.0.0.1".into());
            c.notify.smtp.security = "plain".into();
        });
        assert_eq!(e, "", "plain text to a local relay");
        assert!(with(&|c| c.notify.smtp.host = Some("h".into())).is_empty(), "STARTTLS by default");
        let e = with(&|c| {
            c.notify.smtp.host = Some("h".into());
            c.notify.smtp.security = "ssl".into();
        });
        assert!(e.contains("starttls, tls or plain"), "{e}");
        let e = with(&|c| c.notify.webhook.url = Some("https://sms.example.vn/hook".into()));
        assert!(e.contains("webhook.secret"), "{e}");
        let e = with(&|c| c.notify.quiet_from = "9pm".into());
        assert!(e.contains("HH:MM"), "{e}");
    }

    #[test]
    fn signature_is_hmac_sha256_over_timestamp_dot_body() {
        // `printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac Jefe`
        assert_eq!(
            signature(b"Jefe", "1700000000", br#"{"a":1}"#),
            "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
    }
}
