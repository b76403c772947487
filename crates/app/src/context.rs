//! Everything a use case needs, built once from configuration.

use crate::{AppError, Config};
use motcua_store::{Store, migrate};
use std::sync::Arc;

/// The time dossier rules see. The system clock, unless a test sets it (so a test can
/// receive on a Monday and resolve on a Thursday).
#[derive(Debug, Default)]
pub struct Clock {
    fixed_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        match self.fixed_ms.load(std::sync::atomic::Ordering::Relaxed) {
            0 => crate::now_ms(),
            t => t,
        }
    }
    /// Today in Asia/Ho_Chi_Minh on this clock (never take a date from UTC, nor from the
    /// system clock where a test has fixed the time).
    pub fn today(&self) -> jiff::civil::Date {
        motcua_domain::calendar::local_date_ms(self.now_ms())
    }
    /// Fixes the time (0 = back to the system clock).
    pub fn set(&self, ms: i64) {
        self.fixed_ms.store(ms, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppContext {
    pub store: Store,
    pub config: Arc<Config>,
    /// Working-day calendars in force (national and per agency).
    pub calendars: Arc<crate::calendar::Calendars>,
    /// Attachment bytes, content-addressed.
    pub files: Arc<dyn motcua_store::files::FileStore>,
    pub clock: Arc<Clock>,
    /// Password hashing with bounded concurrency and memory.
    pub hasher: Arc<crate::auth::Hasher>,
    /// Rate limits and back-off of the public doors (login, tracking, verification).
    pub doors: Arc<crate::limits::Doors>,
    /// The access log's queue to its batch writer.
    pub access: Arc<crate::access::AccessLog>,
    /// Issues the legal forms (TT 03/2025) as PDF with the events that produce them.
    pub documents: crate::usecases::dossiers::Issuer,
    /// Agency seals and officials' personal certificates (`crate::keys`).
    pub keys: Arc<crate::keys::Keys>,
    /// The OIDC providers' metadata and keys (`crate::oidc`).
    pub oidc: Arc<crate::oidc::Oidc>,
    /// Who is told of every change of a centre's queue (the boards' hub): owned by the
    /// context, so a listener goes with it.
    pub queue_changes: Arc<crate::usecases::queue::Changes>,
}

/// What `AppContext::open` did, to print at start-up.
#[derive(Debug, Default)]
pub struct Startup {
    pub migrations_applied: Vec<&'static str>,
    pub seeded: bool,
    /// Partial uploads left by a crash, removed from the spool.
    pub uploads_swept: crate::upload::Swept,
}

impl AppContext {
    /// Removes the partial uploads a crashed process left in the spool (see
    /// `upload::stale_after` for why not all of them), and logs what it removed.
    async fn sweep_uploads(config: &Config) -> crate::upload::Swept {
        let dir = crate::upload::spool_dir(&config.data_dir);
        let stale = crate::upload::stale_after(config.http.request_timeout_secs);
        let d = dir.clone();
        let swept = tokio::task::spawn_blocking(move || crate::upload::sweep(&d, stale, std::time::SystemTime::now())).await;
        match swept {
            Ok(Ok(s)) => {
                if s.files > 0 {
                    tracing::info!(files = s.files, bytes = s.bytes, dir = %dir.display(), "stale partial uploads removed");
                }
                s
            }
            Ok(Err(e)) => {
                tracing::warn!(dir = %dir.display(), error = %e, "upload spool not swept");
                Default::default()
            }
            Err(e) => {
                tracing::warn!(error = %e, "upload spool not swept");
                Default::default()
            }
        }
    }

    /// Opens the database, runs migrations, sweeps the upload spool and (if configured and
    /// empty) seeds the demo.
    pub async fn open(config: Config) -> Result<(Self, Startup), AppError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| AppError::Internal(format!("cannot create {}: {e}", config.data_dir.display())))?;
        let uploads_swept = Self::sweep_uploads(&config).await;
        let location = config.location();
        let opts = config.store_options();
        let store = tokio::task::spawn_blocking(move || Store::open(&location, opts))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let migrations_applied = migrate::run(&store).await?;
        let ctx = Self::with_store(store, config).await?;
        let seeded = if ctx.config.seed_demo { crate::seed::seed_if_empty(&ctx).await? } else { false };
        Ok((ctx, Startup { migrations_applied, seeded, uploads_swept }))
    }

    /// A context over an opened, migrated store (no seeding).
    pub async fn with_store(store: Store, config: Config) -> Result<Self, AppError> {
        let calendars = store.read(crate::calendar::Calendars::load).await?;
        let (files_config, files_dir) = (config.files.clone(), config.files_dir());
        let files = tokio::task::spawn_blocking(move || files_config.open(files_dir))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??;
        let documents = crate::usecases::dossiers::Issuer::new(
            motcua_pdf::Renderer::new(Some(config.templates_dir())),
            files.clone(),
            config.public_url(),
            config.documents.issue_on_events,
        );
        let hasher = Arc::new(crate::auth::Hasher::new(&config.login));
        let doors = Arc::new(crate::limits::Doors::new(&config.login, &config.tracking, &config.verification, &config.petitions));
        let access = Arc::new(crate::access::AccessLog::start(store.clone(), config.access_log.retention_days));
        let keys = Arc::new(crate::keys::Keys::open(config.pki_dir()));
        Ok(Self {
            store,
            config: Arc::new(config),
            calendars: Arc::new(calendars),
            files,
            clock: Arc::new(Clock::default()),
            hasher,
            doors,
            access,
            documents,
            keys,
            oidc: Arc::new(crate::oidc::Oidc::default()),
            queue_changes: Arc::default(),
        })
    }
}
