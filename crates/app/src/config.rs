//! Configuration: defaults that run the embedded SQLite demo, then an optional TOML file,
//! then `MOTCUA_*` environment variables (`MOTCUA_HTTP__BODY_LIMIT_BYTES` for nested keys),
//! then command-line flags.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Folder for the SQLite database and the files store.
    pub data_dir: PathBuf,
    /// `postgres://…` switches to PostgreSQL; empty = `<data_dir>/motcua.db`.
    pub database_url: Option<String>,
    /// Public base URL (for links, the Origin check and secure cookies); default from `listen`.
    pub public_url: Option<String>,
    /// Seed the demo province when the database is empty.
    pub seed_demo: bool,
    /// `text` or `json` logs.
    pub log_format: String,
    pub http: HttpConfig,
    pub runtime: RuntimeConfig,
    pub session: SessionConfig,
    pub sqlite: SqliteConfig,
    pub postgres: PostgresConfig,
    pub attachments: AttachmentsConfig,
    pub login: LoginConfig,
    pub tracking: TrackingConfig,
    pub verification: VerificationConfig,
    pub access_log: AccessLogConfig,
    pub documents: DocumentsConfig,
    pub signing: SigningConfig,
    pub workers: WorkersConfig,
    pub telemetry: TelemetryConfig,
    /// The wall view of the indicators (issue #16).
    pub wall: WallConfig,
    /// The national portal's integration bus (issue #15; docs/integration.md).
    pub dvcqg: motcua_dvcqg::DvcqgConfig,
    /// OpenID Connect sign-in (issue #15): VNeID / the national SSO for citizens, a
    /// provincial SSO for officers (docs/integration.md).
    pub oidc: OidcConfig,
    /// Online fee payment through the gateway (issue #17; docs/payments.md); off by default.
    pub payment: motcua_payment::PaymentConfig,
    /// Filing and returning by the public postal service (issue #17, `docs/postal.md`).
    pub post: PostConfig,
    /// Applicant notices and officer reminders by e-mail, SMS and Zalo (issue #17,
    /// docs/notifications.md). Off by default: the notices wait in the outbox.
    pub notify: NotifyConfig,
    /// Petitions (PAKN, issue #18, docs/petitions.md): the public door's limit.
    pub petitions: PetitionsConfig,
    /// Scheduled backups in `serve` (issue #19, docs/operations.md); off by default.
    pub backup: BackupConfig,
    /// Where the files' bytes live (issue #19, docs/operations.md): the data directory by
    /// default, or an S3-compatible bucket.
    pub files: motcua_store::files::FilesConfig,
    /// Retention periods of finished dossiers and the archive report's page (issue #19,
    /// docs/operations.md "Retention and archival").
    pub retention: motcua_domain::retention::RetentionConfig,
}

/// Scheduled backups: a copy under `dir` every `every_hours` (or daily at `daily_at`,
/// Vietnam time), incremental against the previous copy, `keep` copies kept.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct BackupConfig {
    /// Root folder of the copies (`motcua-<UTC time>` folders); empty = no scheduled backup.
    pub dir: String,
    /// Hours between runs (fractions allowed), when `daily_at` is empty.
    pub every_hours: f64,
    /// `HH:MM` in Vietnam time: one run a day at that time (instead of `every_hours`).
    pub daily_at: String,
    /// Copies kept; older scheduled copies are removed after a successful run.
    pub keep: usize,
}

impl Default for BackupConfig {
    fn default() -> Self {
        Self { dir: String::new(), every_hours: 24.0, daily_at: String::new(), keep: 7 }
    }
}

impl BackupConfig {
    /// `daily_at` as a time of day; None when empty or not `HH:MM`.
    pub fn daily_time(&self) -> Option<jiff::civil::Time> {
        let (h, m) = self.daily_at.trim().split_once(':')?;
        jiff::civil::Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
    }
}

/// Petitions (PAKN): filings from one address are limited without a captcha.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PetitionsConfig {
    /// Petitions a minute from one client address, in bursts of as many (0 = no limit).
    pub per_address_per_minute: u32,
    /// Keys kept in the limit table (the memory bound).
    pub table_size: usize,
    /// Handlers are reminded this many working days before the resolution deadline.
    pub due_soon_working_days: u32,
}

impl Default for PetitionsConfig {
    fn default() -> Self {
        Self { per_address_per_minute: 3, table_size: 100_000, due_soon_working_days: 2 }
    }
}

/// The public postal service (QĐ 45/2016): the carriers whose signed delivery reports the
/// webhook `POST /api/v1/post/events` takes. No carrier by default: every report is then
/// refused (401 `unknown_carrier`) and officers record hand-overs and deliveries themselves.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PostConfig {
    pub carriers: Vec<CarrierConfig>,
    /// A report whose `X-Motcua-Timestamp` is further than this from now is refused.
    pub max_age_secs: i64,
    /// The largest report body taken.
    pub max_body_bytes: usize,
}

impl Default for PostConfig {
    fn default() -> Self {
        Self { carriers: Vec::new(), max_age_secs: 300, max_body_bytes: 16 * 1024 }
    }
}

/// One carrier: its name (the `X-Motcua-Carrier` header and the shipments' `carrier`) and
/// the secret it signs its reports with (HMAC-SHA256).
#[derive(Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(default)]
pub struct CarrierConfig {
    pub name: String,
    pub secret: String,
}

impl std::fmt::Debug for CarrierConfig {
    // The secret stays out of logs and start-up dumps.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CarrierConfig").field("name", &self.name).field("secret", &"…").finish()
    }
}

/// The two OIDC providers; each is off until its issuer and client id are set.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct OidcConfig {
    /// VNeID through the national SSO (REQ-32).
    pub citizen: OidcProviderConfig,
    /// The province's (or ministry's) SSO for officers (REQ-33).
    pub officer: OidcProviderConfig,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct OidcProviderConfig {
    /// The issuer; its discovery document is `{issuer}/.well-known/openid-configuration`.
    /// Empty = this sign-in is off.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// The callback registered at the provider; default `{public_url}/dang-nhap/oidc/{citizen|officer}/callback`.
    pub redirect_url: Option<String>,
    /// Where the provider sends the browser after its logout; default `{public_url}/`.
    pub post_logout_redirect_url: Option<String>,
    pub scopes: Vec<String>,
    /// `acr_values` of the authorization request (`LoA1` observed at the national SSO).
    pub acr_values: Option<String>,
    /// The claim (ID token or userinfo) carrying the 12-digit identity number. VNeID's claim
    /// names are not published: `citizen_id` is an assumption, set the real one here.
    pub id_number_claim: String,
    /// Tolerated clock difference with the provider for `exp` and `iat`.
    pub clock_skew_secs: i64,
    /// How long a sign-in may take between the redirect and the callback.
    pub request_ttl_secs: i64,
    /// Most sign-ins in flight (all browsers); more are refused 503 until some end or expire.
    pub max_pending: i64,
    /// The discovery document and keys are fetched again after this long (and at once
    /// when a token names an unknown key, at most once a minute).
    pub discovery_ttl_secs: i64,
}

impl Default for OidcProviderConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            redirect_url: None,
            post_logout_redirect_url: None,
            scopes: vec!["openid".into()],
            acr_values: None,
            id_number_claim: "citizen_id".into(),
            clock_skew_secs: 60,
            request_ttl_secs: 600,
            max_pending: 10_000,
            discovery_ttl_secs: 3600,
        }
    }
}

impl OidcProviderConfig {
    pub fn enabled(&self) -> bool {
        !self.issuer.trim().is_empty() && !self.client_id.trim().is_empty()
    }
}

/// OpenTelemetry traces (issue #19): off unless an OTLP/HTTP endpoint is set. Each request's
/// `http` span (request id, route, user id, dossier id) and the spans under it are exported.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct TelemetryConfig {
    /// OTLP/HTTP (protobuf) collector base URL, e.g. `http://127.0.0.1:4318`; spans go to
    /// `<endpoint>/v1/traces`. Empty: no traces.
    pub otlp_endpoint: String,
    /// `service.name` of the exported spans.
    pub service_name: String,
    /// Share of traces kept, 0.0 to 1.0 (a request's children follow its decision).
    pub sample_ratio: f64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self { otlp_endpoint: String::new(), service_name: "motcua".into(), sample_ratio: 1.0 }
    }
}

/// Background workers of `motcua serve` (issue #14): the outbox consumers and the deadline
/// worker. Every process runs them; they share the work through the database (leases, unique
/// reminder keys), so any number of processes may run over one PostgreSQL database.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WorkersConfig {
    /// Run the workers in `motcua serve`.
    pub enabled: bool,
    /// Pause between two outbox polls when the last one found nothing.
    pub outbox_poll_ms: u64,
    /// Most rows claimed at once.
    pub outbox_batch: usize,
    /// How long a claim lasts; a process that dies holding rows loses them after this.
    pub outbox_lease_secs: i64,
    /// Attempts before a row becomes a dead letter.
    pub outbox_max_attempts: i64,
    /// Back-off after the first failure, doubled after each next one (with jitter) up to the max.
    pub outbox_backoff_base_secs: i64,
    pub outbox_backoff_max_secs: i64,
    /// Pause between two deadline scans.
    pub deadline_scan_secs: u64,
    /// A step (or dossier) is "due soon" when its deadline falls within this many working days.
    pub due_soon_working_days: u32,
    /// An overdue step goes to the leader this many working days after its deadline.
    pub escalate_after_working_days: u32,
    /// Local hour (Asia/Ho_Chi_Minh) from which the daily digest of each unit is queued.
    pub digest_hour: i8,
    /// Most dossiers one scan looks at per kind (the next scan goes on).
    pub deadline_batch: usize,
    /// Overdue and escalation scans read only what is after their mark; at most this often a
    /// sweep walks every running dossier past a deadline, for those whose deadline moved
    /// behind the mark (resumed after a pause, imported late). 0 = every scan.
    pub deadline_sweep_secs: u64,
}

impl Default for WorkersConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            outbox_poll_ms: 1000,
            outbox_batch: 100,
            outbox_lease_secs: 60,
            outbox_max_attempts: 8,
            outbox_backoff_base_secs: 5,
            outbox_backoff_max_secs: 3600,
            deadline_scan_secs: 60,
            due_soon_working_days: 1,
            escalate_after_working_days: 1,
            digest_hour: 7,
            deadline_batch: 500,
            deadline_sweep_secs: 3600,
        }
    }
}

/// Applicant notices (issue #17, docs/notifications.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct NotifyConfig {
    /// Deliver the notices (`notify.applicant`) and send officer reminders by e-mail too.
    pub enabled: bool,
    /// No SMS or Zalo message between these local times (Asia/Ho_Chi_Minh, `HH:MM`): it
    /// waits for the end of the quiet hours. E-mail goes any time.
    pub quiet_from: String,
    pub quiet_until: String,
    pub smtp: SmtpConfig,
    pub webhook: WebhookConfig,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            quiet_from: "21:00".into(),
            quiet_until: "07:00".into(),
            smtp: SmtpConfig::default(),
            webhook: WebhookConfig::default(),
        }
    }
}

/// The SMTP relay for e-mail; no host = no e-mail.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: u16,
    /// `starttls` (port 587), `tls` (implicit TLS, port 465) or `plain` (loopback hosts only).
    pub security: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// `"Trung tâm Phục vụ hành chính công <motcua@example.gov.vn>"`.
    pub from: String,
    /// A PEM certificate to trust besides the public roots (a private CA).
    pub ca_file: Option<PathBuf>,
    pub timeout_secs: u64,
    /// Messages per minute (a token bucket; bursts up to as many); 0 = no limit.
    pub per_minute: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            security: "starttls".into(),
            username: None,
            password: None,
            from: "Motcua <no-reply@motcua.invalid>".into(),
            ca_file: None,
            timeout_secs: 20,
            per_minute: 600,
        }
    }
}

/// The SMS / Zalo provider's webhook (one protocol, docs/notifications.md); no URL = none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WebhookConfig {
    pub url: Option<String>,
    /// The HMAC-SHA256 key of `X-Motcua-Signature`.
    pub secret: Option<String>,
    /// The channels it carries (`sms`, `zalo`).
    pub channels: Vec<String>,
    pub timeout_secs: u64,
    /// Messages per minute (a token bucket); 0 = no limit.
    pub per_minute: u32,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self { url: None, secret: None, channels: vec!["sms".into()], timeout_secs: 10, per_minute: 300 }
    }
}

/// Digital signatures (issue #13, `docs/signatures.md`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SigningConfig {
    /// The key store (certificates, keys, CRL, `holders.json`); default `<data_dir>/pki`.
    pub pki_dir: Option<PathBuf>,
    /// An RFC 3161 time-stamping authority (PAdES B-T), e.g. `http://tsa.example.vn/tsr`.
    pub tsa_url: Option<String>,
}

/// The legal forms issued with dossier events (issue #13, `docs/documents.md`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct DocumentsConfig {
    /// Render and store forms 01–06 with the events that call for them. Off only for load
    /// tests of the store: dossiers then get no documents at all.
    pub issue_on_events: bool,
    /// Most rows of one CSV or XLSX export (the register, a dossier list); a larger
    /// selection is refused with 422 `export_too_large`.
    pub export_max_rows: usize,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self { issue_on_events: true, export_max_rows: 10_000 }
    }
}

/// The access log (issue #12 item 14).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct AccessLogConfig {
    /// Days an entry is kept; older ones are purged daily (0 = keep forever).
    pub retention_days: u32,
}

impl Default for AccessLogConfig {
    fn default() -> Self {
        // Two years.
        Self { retention_days: 730 }
    }
}

/// Limits on the login door (issue #12): each password hash holds 19 MiB for tens of
/// milliseconds, so their number is bounded, and guessing is slowed per address, per
/// account and address, and in total. Addresses are the TCP peer's (see README).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LoginConfig {
    /// Password hashes computed at once; 0 = the number of cores, at most 8.
    pub max_concurrent_hashes: usize,
    /// Logins that may wait for a hash; more are answered 429 `login_busy` at once.
    pub hash_queue: usize,
    /// Longest wait for a hash before answering 429 `login_busy`.
    pub hash_wait_ms: u64,
    /// Login attempts a minute from one client address (0 = no limit).
    pub per_address_per_minute: u32,
    /// Login attempts a minute in total (0 = no limit).
    pub global_per_minute: u32,
    /// The failure of one username from one address that starts the back-off.
    pub backoff_after_failures: u32,
    /// First wait, doubled at each further failure, up to the maximum.
    pub backoff_base_secs: i64,
    pub backoff_max_secs: i64,
    /// Keys kept per limit table (the memory bound).
    pub table_size: usize,
}

impl Default for LoginConfig {
    fn default() -> Self {
        Self {
            max_concurrent_hashes: 0,
            hash_queue: 32,
            hash_wait_ms: 2000,
            per_address_per_minute: 60,
            global_per_minute: 1200,
            backoff_after_failures: 5,
            backoff_base_secs: 30,
            backoff_max_secs: 900,
            table_size: 100_000,
        }
    }
}

impl LoginConfig {
    pub fn hash_slots(&self) -> usize {
        match self.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()).min(8),
            n => n,
        }
    }
}

/// Limits on public tracking: the second factor has only 10 000 values.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct TrackingConfig {
    /// Checks a minute from one client address (0 = no limit).
    pub per_address_per_minute: u32,
    /// The wrong check of one code from one address that starts the back-off.
    pub backoff_after_failures: u32,
    /// The wrong check of one code from all addresses together that starts the back-off
    /// for everyone (against guessing from many addresses).
    pub code_backoff_after_failures: u32,
    pub backoff_base_secs: i64,
    pub backoff_max_secs: i64,
    /// Keys kept per limit table (the memory bound).
    pub table_size: usize,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            per_address_per_minute: 30,
            backoff_after_failures: 5,
            code_backoff_after_failures: 50,
            backoff_base_secs: 60,
            backoff_max_secs: 3600,
            table_size: 100_000,
        }
    }
}

/// The wall view of the indicators (`/can-bo/chi-so/man-hinh`, issue #16): its figures
/// pushed over server-sent events.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WallConfig {
    /// Seconds between two events of a stream.
    pub event_secs: u64,
    /// Streams open at once in this process; more are refused with 503.
    pub max_streams: usize,
}

impl Default for WallConfig {
    fn default() -> Self {
        Self { event_secs: 30, max_streams: 64 }
    }
}

/// Limits on the public verification page (`/xac-thuc`, issue #13): anonymous, and an
/// uploaded PDF costs a parse and a signature check.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct VerificationConfig {
    /// Verifications a minute from one client address (0 = no limit).
    pub per_address_per_minute: u32,
    /// Largest uploaded PDF (refused with 413 while it is received).
    pub max_upload_bytes: usize,
    /// Uploaded PDFs checked at once (each is read whole); more wait.
    pub max_concurrent: usize,
    /// Keys kept in the limit table (the memory bound).
    pub table_size: usize,
}

impl Default for VerificationConfig {
    fn default() -> Self {
        Self { per_address_per_minute: 60, max_upload_bytes: 20_000_000, max_concurrent: 2, table_size: 100_000 }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct AttachmentsConfig {
    /// Largest attached file.
    pub max_file_bytes: usize,
    /// Largest total of one dossier's files.
    pub max_dossier_bytes: usize,
    /// File kinds accepted, recognised from the bytes: pdf, jpeg, png, docx, xlsx.
    pub allowed: Vec<String>,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        Self {
            max_file_bytes: 20_000_000,
            max_dossier_bytes: 100_000_000,
            allowed: ["pdf", "jpeg", "png", "docx", "xlsx"].iter().map(|s| s.to_string()).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct HttpConfig {
    /// Largest JSON request body.
    pub body_limit_bytes: usize,
    /// Requests taking longer are answered 408.
    pub request_timeout_secs: u64,
    /// Seconds allowed to in-flight requests after SIGTERM.
    pub shutdown_grace_secs: u64,
    /// Open connections at most; more wait in the kernel's backlog until one closes.
    pub max_connections: usize,
    /// A request's headers must arrive within this time (slow-header clients are cut off).
    pub header_read_timeout_secs: u64,
    /// A connection that moves no byte for this long is closed (longer than the request
    /// timeout, so a slow handler is never cut off by it).
    pub idle_timeout_secs: u64,
    /// Reverse proxies (addresses or networks) whose `X-Forwarded-For` names the client;
    /// empty: nobody's (docs/operations.md "Reverse proxy").
    pub trusted_proxies: Vec<crate::client_addr::TrustedNet>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SessionConfig {
    /// A session unused this long ends.
    pub idle_minutes: i64,
    /// A session ends this long after login, used or not.
    pub absolute_hours: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct SqliteConfig {
    /// `full` (every acknowledged commit survives power loss) or `normal`.
    pub synchronous: String,
    pub read_connections: usize,
}

/// The async runtime's threads. On a small machine (2 cores) every extra thread competes
/// with the SQLite writer: async workers are one per core, and the blocking threads (reads,
/// password hashes, file work) are bounded by what can run at once anyway (the database
/// connections), not tokio's 512.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RuntimeConfig {
    /// Async worker threads; 0 = one per core.
    pub worker_threads: usize,
    /// Most blocking threads; 0 = the database connections (SQLite readers, or the
    /// PostgreSQL pool) + 16.
    pub blocking_threads: usize,
}

impl Config {
    /// (async worker threads, most blocking threads) for the runtime.
    pub fn runtime_threads(&self) -> (usize, usize) {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let workers = if self.runtime.worker_threads == 0 { cores } else { self.runtime.worker_threads };
        let postgres =
            self.database_url.as_deref().is_some_and(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"));
        let connections = if postgres { self.postgres.max_connections } else { self.sqlite.read_connections };
        let blocking = if self.runtime.blocking_threads == 0 { connections + 16 } else { self.runtime.blocking_threads };
        (workers, blocking)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct PostgresConfig {
    pub max_connections: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./motcua-data"),
            database_url: None,
            public_url: None,
            seed_demo: true,
            log_format: "text".into(),
            http: HttpConfig::default(),
            runtime: RuntimeConfig::default(),
            session: SessionConfig::default(),
            sqlite: SqliteConfig::default(),
            postgres: PostgresConfig::default(),
            attachments: AttachmentsConfig::default(),
            login: LoginConfig::default(),
            tracking: TrackingConfig::default(),
            verification: VerificationConfig::default(),
            access_log: AccessLogConfig::default(),
            documents: DocumentsConfig::default(),
            signing: SigningConfig::default(),
            workers: WorkersConfig::default(),
            telemetry: TelemetryConfig::default(),
            wall: WallConfig::default(),
            dvcqg: motcua_dvcqg::DvcqgConfig::default(),
            payment: motcua_payment::PaymentConfig::default(),
            oidc: OidcConfig::default(),
            post: PostConfig::default(),
            notify: NotifyConfig::default(),
            petitions: PetitionsConfig::default(),
            backup: BackupConfig::default(),
            files: motcua_store::files::FilesConfig::default(),
            retention: motcua_domain::retention::RetentionConfig::default(),
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 20,
            max_connections: 4096,
            header_read_timeout_secs: 15,
            idle_timeout_secs: 75,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self { idle_minutes: 60, absolute_hours: 12 }
    }
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self { synchronous: "full".into(), read_connections: 4 }
    }
}

impl Default for PostgresConfig {
    fn default() -> Self {
        Self { max_connections: 16 }
    }
}

impl Config {
    /// Defaults, then `file` (or `./motcua.toml` when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, Box<figment::Error>> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => fig = fig.merge(Toml::file_exact(f)),
            None => fig = fig.merge(Toml::file("motcua.toml")),
        }
        let c: Self = fig.merge(Env::prefixed("MOTCUA_").split("__")).extract().map_err(Box::new)?;
        // A period of 0 years would make every finished dossier due at once.
        c.retention.validate().map_err(|e| Box::new(figment::Error::from(format!("[retention] {e}"))))?;
        Ok(c)
    }

    pub fn location(&self) -> motcua_store::Location {
        match self.database_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(url) => motcua_store::Location::parse(url),
            None => motcua_store::Location::Sqlite(self.data_dir.join("motcua.db")),
        }
    }

    pub fn files_dir(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// Templates of the legal forms that replace the built-in ones of the same name
    /// (`mau-01.typ` … `mau-07.typ`, `common.typ`; see docs/documents.md).
    pub fn templates_dir(&self) -> PathBuf {
        self.data_dir.join("templates")
    }

    /// Notice templates that replace the built-in ones of the same name
    /// (`received.vi.txt` …; docs/notifications.md).
    pub fn notice_templates_dir(&self) -> PathBuf {
        self.templates_dir().join("notify")
    }

    /// The signing key store (`signing.pki_dir`, default `<data_dir>/pki`).
    pub fn pki_dir(&self) -> PathBuf {
        self.signing.pki_dir.clone().unwrap_or_else(|| self.data_dir.join("pki"))
    }

    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The configuration as TOML with secrets masked (`motcua config`).
    pub fn to_masked_toml(&self) -> String {
        let mut c = self.clone();
        c.database_url = c.database_url.as_deref().map(mask_url);
        let mask = |s: &mut Option<String>| *s = s.as_ref().map(|_| "*****".to_string());
        mask(&mut c.dvcqg.auth_header);
        mask(&mut c.dvcqg.client_secret);
        mask(&mut c.oidc.citizen.client_secret);
        mask(&mut c.oidc.officer.client_secret);
        mask(&mut c.dvcqg.inbound_credential);
        mask(&mut c.payment.hash_secret);
        mask(&mut c.notify.smtp.password);
        mask(&mut c.notify.webhook.secret);
        if !c.files.s3.secret_access_key.is_empty() {
            c.files.s3.secret_access_key = "*****".into();
        }
        toml_string(&c)
    }

    pub fn store_options(&self) -> motcua_store::StoreOptions {
        motcua_store::StoreOptions {
            sqlite: motcua_store::sqlite::SqliteOptions {
                synchronous_full: !self.sqlite.synchronous.eq_ignore_ascii_case("normal"),
                readers: self.sqlite.read_connections.max(1),
            },
            pg_max_connections: self.postgres.max_connections.max(1),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:*****@host/db`; also masks `password=` pairs.
pub fn mask_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
        && let Some((user, _)) = cred.split_once(':')
    {
        return format!("{scheme}://{user}:*****@{host}");
    }
    url.split(' ')
        .map(|kv| if kv.to_ascii_lowercase().starts_with("password=") { "password=*****" } else { kv })
        .collect::<Vec<_>>()
        .join(" ")
}

fn toml_string(c: &Config) -> String {
    // figment's TOML support is read-only, so write the document by hand: the top-level
    // keys, then one `[table]` per section and `[table.sub]` per nested one (`[oidc.citizen]`).
    let mut out = String::new();
    if let serde_json::Value::Object(map) = serde_json::to_value(c).unwrap_or_default() {
        toml_table("", &map, &mut out);
    }
    out
}

fn toml_table(path: &str, map: &serde_json::Map<String, serde_json::Value>, out: &mut String) {
    for (k, v) in map {
        match v {
            serde_json::Value::Object(_) => {}
            serde_json::Value::Null => out.push_str(&format!("# {k} is not set\n")),
            other => out.push_str(&format!("{k} = {other}\n")),
        }
    }
    for (k, v) in map {
        if let serde_json::Value::Object(inner) = v {
            let name = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            out.push_str(&format!("\n[{name}]\n"));
            toml_table(&name, inner, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_passwords() {
        assert_eq!(mask_url("postgres://app:s3cret@db:5432/motcua"), "postgres://app:*****@db:5432/motcua");
        assert_eq!(mask_url("host=db password=x user=a"), "host=db password=***** user=a");
        assert_eq!(mask_url("postgres://app@db/m"), "postgres://app@db/m");
    }

    #[test]
    fn the_national_portal_section_is_off_by_default_and_its_secrets_masked() {
        assert!(!Config::default().dvcqg.enabled);
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("motcua.toml");
        std::fs::write(
            &f,
            "[dvcqg]\nenabled = true\nbase_url = \"https://lgsp.example/dvcqg\"\ntoken_url = \"https://lgsp.example/token\"\n\
             client_id = \"nb\"\nclient_secret = \"s3cret\"\nauth_header = \"Bearer t0ken\"\ntimeout_secs = 5\n",
        )
        .unwrap();
        let c = Config::load(Some(&f)).unwrap();
        assert!(c.dvcqg.enabled);
        assert_eq!((c.dvcqg.client_secret.as_deref(), c.dvcqg.timeout_secs), (Some("s3cret"), 5));
        let shown = c.to_masked_toml();
        assert!(shown.contains("[dvcqg]") && shown.contains("client_id = \"nb\""), "{shown}");
        assert!(!shown.contains("s3cret") && !shown.contains("t0ken"), "{shown}");
    }

    #[test]
    fn files_stay_local_by_default_and_the_s3_secret_is_masked() {
        assert_eq!(Config::default().files.backend, "local");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("motcua.toml");
        std::fs::write(
            &f,
            "[files]\nbackend = \"s3\"\n[files.s3]\nendpoint = \"http://10.0.0.5:9000\"\nbucket = \"motcua\"\n\
             access_key_id = \"motcua\"\nsecret_access_key = \"kh0a-bi-mat\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&f)).unwrap();
        assert_eq!((c.files.backend.as_str(), c.files.s3.bucket.as_str()), ("s3", "motcua"));
        assert!(c.files.s3.path_style && c.files.s3.prefix == "files", "defaults kept for what the file leaves out");
        let shown = c.to_masked_toml();
        assert!(shown.contains("[files.s3]") && shown.contains("endpoint = \"http://10.0.0.5:9000\""), "{shown}");
        assert!(!shown.contains("kh0a-bi-mat") && !format!("{c:?}").contains("kh0a-bi-mat"), "{shown}");
    }

    #[test]
    fn the_oidc_providers_are_off_by_default() {
        let c = Config::default();
        assert!(!c.oidc.citizen.enabled() && !c.oidc.officer.enabled());
        assert_eq!(c.oidc.citizen.id_number_claim, "citizen_id");
        let on = OidcProviderConfig { issuer: "https://sso.example".into(), client_id: "m".into(), ..Default::default() };
        assert!(on.enabled());
        assert!(!OidcProviderConfig { client_id: " ".into(), ..on }.enabled());
    }

    #[test]
    fn default_is_embedded_sqlite() {
        let c = Config::default();
        assert_eq!(c.location(), motcua_store::Location::Sqlite(PathBuf::from("./motcua-data/motcua.db")));
        assert!(c.to_masked_toml().contains("listen = \"127.0.0.1:8080\""));
    }
}
