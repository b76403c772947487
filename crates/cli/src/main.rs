//! `motcua`: the one binary. `motcua serve` with no configuration runs the embedded default
//! (SQLite in ./motcua-data, demo province, http://127.0.0.1:8080).

mod bench;
mod calendar;
mod telemetry;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use motcua_app::{AppContext, Config};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// glibc's malloc was ~17 % of the server's CPU under a filing load (arena locks, consolidation,
// trimming); mimalloc's thread-local pages cost a fraction of that (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "motcua", version, about = "motcua – hệ thống một cửa điện tử / one-stop administrative service platform")]
struct Cli {
    /// TOML configuration file (default: ./motcua.toml when present).
    #[arg(long, global = true, env = "MOTCUA_CONFIG")]
    config: Option<PathBuf>,
    /// Folder for the SQLite database and files (default ./motcua-data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: a SQLite path or postgres://user:password@host/db.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the service (migrates, and seeds the demo province on an empty database).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Do not seed the demo province.
        #[arg(long)]
        no_demo: bool,
    },
    /// Apply pending database migrations and exit (after checking the applied ones'
    /// checksums and that the database is not newer than this binary).
    Migrate {
        /// List what would be applied (version, name) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Seed the demo province if the database is empty.
    Seed,
    /// A province's first agency and administrator on an empty database, for an
    /// installation without the demo (`serve --no-demo`, the Debian package). The password
    /// is read from MOTCUA_ADMIN_PASSWORD, else from the first line of standard input.
    Init {
        /// The province's agency code (e.g. 000.00.00.H40).
        #[arg(long)]
        province_code: String,
        /// The province's name (e.g. "Ủy ban nhân dân tỉnh Ninh Bình").
        #[arg(long)]
        province_name: String,
        /// The administrator's user name.
        #[arg(long, default_value = "admin")]
        admin: String,
        /// The administrator's full name.
        #[arg(long)]
        admin_name: String,
    },
    /// Print the effective configuration (secrets masked).
    Config,
    /// Walk every audit hash chain and every dossier's event chain; exit non-zero naming the first broken event.
    Verify,
    /// Online backup of the database and the files into an empty folder (docs/operations.md).
    Backup {
        /// The backup folder: absent or empty.
        #[arg(long)]
        to: PathBuf,
        /// A previous backup: its files with the same SHA-256 are hard-linked, not copied.
        #[arg(long)]
        since: Option<PathBuf>,
    },
    /// Restore a backup into an empty data folder (or empty PostgreSQL database), after
    /// checking every hash; then run `motcua verify`.
    Restore {
        /// The backup folder (with its manifest.json).
        #[arg(long)]
        from: PathBuf,
    },
    /// Recompute every dossier projection and KPI counter from the event log.
    Rebuild,
    /// Lunar calendar, working days and due dates.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Measurement tools: load against a running server with the raw write ceiling, a
    /// province's generated history, inbox timings.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// The outbox queues: figures and dead letters, and putting a dead letter back.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// The file store (issue #19, docs/operations.md "Files on S3-compatible storage").
    #[command(subcommand)]
    Files(FilesCommand),
    /// The procedure catalog: import from the national procedure database.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Online fee payments (`[payment]`, docs/payments.md).
    #[command(subcommand)]
    Payments(PaymentsCommand),
    /// Retention and archival (`[retention]`, docs/operations.md, docs/archive-format.md).
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// A simulator of the national portal's sync and catalog services (DVCQG) on loopback,
    /// for tests and demonstrations: NOT the real portal (docs/integration.md).
    DvcqgSim {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8790")]
        listen: String,
        /// The Authorization header every call must carry.
        #[arg(long)]
        require_auth: Option<String>,
        /// OAuth2 client credentials `id:secret` accepted at /oauth2/token.
        #[arg(long)]
        oauth_client: Option<String>,
        /// Answer 503 to the next N calls.
        #[arg(long, default_value_t = 0)]
        fail_next: u32,
        /// Keep nothing and break off the answer of the next N calls.
        #[arg(long, default_value_t = 0)]
        drop_next: u32,
        /// Answer the next N calls only after --delay-ms.
        #[arg(long, default_value_t = 0)]
        delay_next: u32,
        #[arg(long, default_value_t = 0)]
        delay_ms: u64,
        /// Take the next N calls twice.
        #[arg(long, default_value_t = 0)]
        duplicate_next: u32,
        /// Acknowledge this many sync messages but keep nothing (a lost update, for the reconciliation).
        #[arg(long, default_value_t = 0)]
        lose_next: u32,
    },
}

#[derive(Subcommand)]
enum CatalogCommand {
    /// Import the province's procedures from the national procedure database (`[dvcqg]`
    /// bus settings): new and changed ones become drafts to review and publish in
    /// `/quan-tri/thu-tuc/quoc-gia`; nothing is published.
    ImportNational,
}

#[derive(Subcommand)]
enum PaymentsCommand {
    /// Compare the gateway's settlement list of a day with the recorded payments; list and
    /// keep the mismatches (exit 1 when there are any).
    Reconcile {
        /// The day, YYYY-MM-DD (Vietnam time).
        #[arg(long)]
        date: jiff::civil::Date,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Copy every file of the data directory's store into the `[files.s3]` bucket
    /// (idempotent: what is there is skipped), before switching `[files] backend` to `s3`.
    CopyToS3,
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// List the finished dossiers past their retention period (every agency).
    Due {
        /// The day to count from, YYYY-MM-DD (default: today, Vietnam time).
        #[arg(long)]
        as_of: Option<jiff::civil::Date>,
        /// The page (of `[retention] page_size` rows).
        #[arg(long, default_value_t = 1)]
        page: i64,
    },
    /// Write a finished dossier's archive package (a ZIP, docs/archive-format.md).
    Export {
        /// The dossier code.
        code: String,
        /// The file to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Delete the applicant's personal data of the archived dossiers past their period.
    Purge {
        /// The day to count from, YYYY-MM-DD (default: today, Vietnam time).
        #[arg(long)]
        as_of: Option<jiff::civil::Date>,
        /// Only this dossier (refused when it is not archived or not due).
        #[arg(long)]
        code: Option<String>,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Pending, dead and lag per topic, then the latest dead letters.
    Status,
    /// Put a dead letter back in its queue with fresh attempts.
    Retry {
        /// The outbox row id (from `motcua outbox status`).
        id: String,
    },
}

/// The database cannot be served by this binary (a changed applied migration, a database
/// newer than the binary): the systemd unit does not restart on it (`RestartPreventExitStatus=3`).
const EXIT_MIGRATE: u8 = 3;

fn load_config(cli: &Cli) -> Result<Config> {
    let mut c = Config::load(cli.config.as_deref()).context("reading configuration")?;
    if let Some(d) = &cli.data_dir {
        c.data_dir = d.clone();
    }
    if let Some(u) = &cli.database_url {
        c.database_url = Some(u.clone());
    }
    if let Command::Serve { listen, no_demo } = &cli.command {
        if let Some(l) = listen {
            c.listen = l.clone();
        }
        if *no_demo {
            c.seed_demo = false;
        }
    }
    Ok(c)
}

fn main() -> ExitCode {
    let started = Instant::now();
    let cli = Cli::parse();
    let config = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("motcua: {e:#}");
            return ExitCode::from(2);
        }
    };
    let traces = telemetry::init(config.log_format == "json", &config.telemetry);
    let (workers, blocking) = config.runtime_threads();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .max_blocking_threads(blocking)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = match rt.block_on(run(cli.command, config, started)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("motcua: {e:#}");
            if e.downcast_ref::<motcua_app::error::AppError>()
                .is_some_and(|a| matches!(a, motcua_app::error::AppError::Migrate(_)))
            {
                ExitCode::from(EXIT_MIGRATE)
            } else {
                ExitCode::FAILURE
            }
        }
    };
    // Sends the spans still in the batch.
    if let Some(p) = traces
        && let Err(e) = p.shutdown()
    {
        eprintln!("motcua: traces not flushed: {e}");
    }
    code
}

/// `motcua migrate --dry-run`: the same checks as a start, on a read connection; prints the
/// migrations a start would apply. A SQLite file that does not exist is not created.
async fn migrate_dry_run(config: Config) -> Result<ExitCode> {
    use motcua_store::migrate;
    let location = config.location();
    let pending: Vec<&'static migrate::Migration> = match &location {
        motcua_store::Location::Sqlite(p) if !p.exists() => {
            println!("Chưa có cơ sở dữ liệu tại {} / no database yet at {}", p.display(), p.display());
            migrate::MIGRATIONS.iter().collect()
        }
        _ => {
            let opts = config.store_options();
            let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await??;
            match store.read(migrate::plan).await {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("motcua: {e}");
                    return Ok(if matches!(e, migrate::MigrateError::Store(_)) {
                        ExitCode::FAILURE
                    } else {
                        ExitCode::from(EXIT_MIGRATE)
                    });
                }
            }
        }
    };
    if pending.is_empty() {
        println!("Cơ sở dữ liệu đã ở phiên bản mới nhất; không có gì để áp dụng / database is up to date, nothing to apply");
    }
    for m in pending {
        println!("would apply {:04} {}", m.version, m.name);
    }
    Ok(ExitCode::SUCCESS)
}

async fn run(command: Command, mut config: Config, started: Instant) -> Result<ExitCode> {
    match command {
        Command::Config => {
            print!("{}", config.to_masked_toml());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { dry_run: true } => migrate_dry_run(config).await,
        Command::Migrate { dry_run: false } => {
            config.seed_demo = false;
            let (_, startup) = AppContext::open(config).await?;
            if startup.migrations_applied.is_empty() {
                println!("Cơ sở dữ liệu đã ở phiên bản mới nhất / database is up to date");
            }
            for m in startup.migrations_applied {
                println!("applied {m}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { province_code, province_name, admin, admin_name } => {
            let password = match std::env::var("MOTCUA_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            let p = motcua_app::seed::NewProvince {
                code: province_code,
                name: province_name,
                admin_username: admin,
                admin_full_name: admin_name,
                admin_password: password,
            };
            match motcua_app::seed::init_province(&ctx, p).await {
                Ok((province, user)) => {
                    println!(
                        "Đã tạo {} ({}) và quản trị viên {} / created the province and its administrator",
                        province.name, province.code, user.username
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("motcua init: {} / {}", e.message_vi(), e.message_en());
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Seed => {
            config.seed_demo = true;
            let (_, startup) = AppContext::open(config).await?;
            println!(
                "{}",
                if startup.seeded {
                    "Đã tạo dữ liệu mẫu / demo province seeded"
                } else {
                    "Cơ sở dữ liệu đã có dữ liệu; không tạo dữ liệu mẫu / database not empty, nothing seeded"
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify => {
            // Read-only: no migrations, no seed.
            let location = config.location();
            let opts = config.store_options();
            if let motcua_store::Location::Sqlite(p) = &location
                && !p.exists()
            {
                bail!("no database at {}", p.display());
            }
            let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await??;
            let broken = |b: motcua_domain::audit::BrokenChain| {
                println!("BROKEN chain {}: event {} (seq {}): {}", b.chain, b.event_id, b.seq, b.reason);
                Ok(ExitCode::from(1))
            };
            match motcua_app::usecases::audit::verify(&store).await? {
                Ok(chains) => {
                    for c in chains {
                        println!("OK   chain {}: {} events", c.chain, c.events);
                    }
                }
                Err(b) => return broken(b),
            }
            match motcua_app::usecases::dossiers::verify_chains(&store).await? {
                Ok((dossiers, events)) => println!("OK   dossiers: {dossiers} chains, {events} events"),
                Err(b) => return broken(b),
            }
            let drift = motcua_app::usecases::dossiers::verify_inbox_counts(&store).await?;
            if !drift.is_empty() {
                for (key, stored, actual) in &drift {
                    println!("BROKEN inbox counter {key}: {stored} stored, {actual} held");
                }
                return Ok(ExitCode::from(1));
            }
            println!("OK   inbox counters: each equals its recount of the held dossiers");
            // Read only: nothing is created in the data directory or the bucket.
            let files = config.files.open_read_only(config.files_dir())?;
            let (checked, bytes, problems) = motcua_app::usecases::dossiers::verify_files(&store, &*files).await?;
            if problems.is_empty() {
                println!("OK   files: {checked} files, {bytes} bytes, each present with its SHA-256");
                return Ok(ExitCode::SUCCESS);
            }
            for p in &problems {
                println!("BROKEN file {}: {} (dossiers: {})", p.sha256, p.kind, p.dossiers.join(", "));
            }
            Ok(ExitCode::from(1))
        }
        Command::Backup { to, since } => backup(config, to, since).await,
        Command::Restore { from } => match motcua_app::backup::restore(&config, &from).await {
            Ok(r) => {
                println!(
                    "Đã khôi phục / restored: {} database (schema {}, {}), {} files, {} bytes, from a backup of {}",
                    r.manifest.backend,
                    r.manifest.schema_version,
                    r.manifest.database.file,
                    r.files,
                    r.bytes,
                    r.manifest.created_at
                );
                println!("Hãy chạy / now run: motcua verify");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("motcua restore: {e}");
                Ok(ExitCode::from(1))
            }
        },
        Command::Rebuild => {
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            let n = motcua_app::usecases::dossiers::rebuild(&ctx).await?;
            println!("Đã dựng lại {n} hồ sơ từ nhật ký sự kiện / rebuilt {n} dossiers from the event log");
            Ok(ExitCode::SUCCESS)
        }
        Command::Payments(PaymentsCommand::Reconcile { date }) => {
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            let r = motcua_app::usecases::dossiers::payments::reconcile(&ctx, None, date)
                .await
                .map_err(|e| anyhow::anyhow!(e.message_vi()))?;
            println!(
                "Đối soát ngày {}: {} giao dịch của ngân hàng, {} khoản đã ghi nhận, {} chênh lệch",
                r.day,
                r.settled,
                r.recorded,
                r.mismatches.len()
            );
            for m in &r.mismatches {
                println!(
                    "{}\t{}\t{}\t{:?}\t{:?}",
                    m.kind,
                    m.txn_ref,
                    m.dossier_id.as_deref().unwrap_or("-"),
                    m.recorded,
                    m.settled
                );
            }
            if let Some(e) = &r.error {
                println!("Lỗi: {e}");
            }
            Ok(if r.mismatches.is_empty() && r.error.is_none() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Serve { .. } => serve(config, started).await,
        Command::DvcqgSim {
            listen,
            require_auth,
            oauth_client,
            fail_next,
            drop_next,
            delay_next,
            delay_ms,
            duplicate_next,
            lose_next,
        } => {
            use motcua_dvcqg::sim::{Faults, SimConfig};
            let oauth_client = match oauth_client {
                Some(pair) => {
                    let (id, secret) = pair.split_once(':').context("--oauth-client wants id:secret")?;
                    Some((id.to_string(), secret.to_string()))
                }
                None => None,
            };
            let faults = Faults { fail_next, drop_next, delay_next, delay_ms, duplicate_next, lose_next };
            motcua_dvcqg::sim::serve(&listen, SimConfig { auth_header: require_auth, oauth_client, faults, max_dossiers: None })
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Calendar(c) => calendar::run(c, config).await,
        Command::Bench(c) => bench::run(c, config).await,
        Command::Catalog(CatalogCommand::ImportNational) => {
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            let client = motcua_dvcqg::Client::new(ctx.config.dvcqg.clone()).map_err(anyhow::Error::msg)?;
            let r = motcua_app::usecases::national_catalog::import(&ctx, None, &client).await?;
            use motcua_domain::catalog_sync::EntryKind;
            println!(
                "Đã nhập / imported: {} listed, {} new, {} changed, {} withdrawn, {} unchanged, {} local kept, {} errors \
                 (drafts to review in /quan-tri/thu-tuc/quoc-gia)",
                r.listed,
                r.count(EntryKind::New),
                r.count(EntryKind::Changed),
                r.count(EntryKind::Withdrawn),
                r.unchanged,
                r.local_only,
                r.errors.len()
            );
            for e in &r.errors {
                println!("  {} {}: {}", e.code, e.field, e.message_vi);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Files(FilesCommand::CopyToS3) => {
            let (s3, root) = (config.files.s3.clone(), config.files_dir());
            let report = tokio::task::spawn_blocking(move || {
                let s3 = motcua_store::files::S3Files::new(s3)?;
                s3.check()?;
                s3.copy_from_dir(&root)
            })
            .await??;
            println!(
                "Đã chép {} tệp ({} byte), {} tệp đã có sẵn / copied {} files ({} bytes), {} already there",
                report.copied, report.bytes, report.present, report.copied, report.bytes, report.present
            );
            for (sha, why) in &report.failed {
                println!("FAILED {sha}: {why}");
            }
            Ok(if report.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
        Command::Archive(c) => archive(c, config).await,
        Command::Outbox(c) => {
            config.seed_demo = false;
            let (ctx, _) = AppContext::open(config).await?;
            match c {
                OutboxCommand::Status => {
                    let (topics, dead) = motcua_app::usecases::notifications::queues(&ctx, None).await?;
                    println!("{:<24} {:>8} {:>6} {:>10}", "topic", "pending", "dead", "lag (s)");
                    for t in topics {
                        println!("{:<24} {:>8} {:>6} {:>10.1}", t.topic, t.pending, t.dead, t.lag_ms as f64 / 1000.0);
                    }
                    if !dead.is_empty() {
                        println!("\nThư chết / dead letters:");
                    }
                    for d in dead {
                        println!("{}  {}  {} attempts  {}", d.id, d.topic, d.attempts, d.last_error.unwrap_or_default());
                    }
                }
                OutboxCommand::Retry { id } => {
                    motcua_app::usecases::notifications::retry_dead(&ctx, None, &id).await?;
                    println!("Đã đưa lại vào hàng đợi / back in the queue: {id}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `motcua backup`: opens the database without migrating (the server may be running), takes
/// the backup and records the run in `backups` when the database accepts the write.
async fn backup(config: Config, to: PathBuf, since: Option<PathBuf>) -> Result<ExitCode> {
    let location = config.location();
    if let motcua_store::Location::Sqlite(p) = &location
        && !p.exists()
    {
        bail!("no database at {}", p.display());
    }
    let opts = config.store_options();
    let store = tokio::task::spawn_blocking(move || motcua_store::Store::open(&location, opts)).await??;
    let files = config.files.open_read_only(config.files_dir())?;
    let started_at = motcua_app::now_ms();
    let opts = motcua_app::backup::BackupOptions { to: to.clone(), since, scheduled: false, now_ms: started_at };
    let outcome = motcua_app::backup::backup(&store, files, &config, opts).await;
    // A refused backup wrote nothing, and is not a run.
    if !matches!(outcome, Err(motcua_app::backup::BackupError::Refused(_)))
        && let Err(e) = motcua_app::backup::record(&store, "manual", &to, started_at, motcua_app::now_ms(), &outcome).await
    {
        eprintln!("motcua backup: the run is not recorded in the database ({e})");
    }
    match outcome {
        Ok(r) => {
            println!(
                "Đã sao lưu / backed up to {}: database {} bytes; {} files ({} copied, {} bytes; {} reused); {} ms",
                r.dir.display(),
                r.database_bytes,
                r.files_total,
                r.files_copied,
                r.bytes_copied,
                r.files_reused,
                r.duration_ms
            );
            for sha in &r.missing {
                println!("MISSING file {sha}: recorded, but absent or damaged in the file store (not in the backup)");
            }
            Ok(if r.missing.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(3) })
        }
        Err(e) => {
            eprintln!("motcua backup: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn archive(c: ArchiveCommand, mut config: Config) -> Result<ExitCode> {
    use motcua_app::usecases::archive as uc;
    config.seed_demo = false;
    let (ctx, _) = AppContext::open(config).await?;
    let vi = |e: motcua_app::AppError| anyhow::anyhow!(e.message_vi());
    match c {
        ArchiveCommand::Due { as_of, page } => {
            let p = uc::due(&ctx, None, as_of, page).await.map_err(vi)?;
            println!(
                "Hồ sơ đến hạn lưu trữ ngày {} / due on {}: {} (trang {}, {} dòng/trang)",
                p.as_of, p.as_of, p.total, p.page, p.page_size
            );
            println!(
                "{:<28} {:<16} {:<11} {:>9} {:<11} {:<8} {:<8}",
                "code", "procedure", "finished", "period", "due_on", "exported", "purged"
            );
            for i in p.items {
                let yes = |v: Option<i64>| if v.is_some() { "yes" } else { "no" };
                println!(
                    "{:<28} {:<16} {:<11} {:>9} {:<11} {:<8} {:<8}",
                    i.code,
                    i.procedure_code,
                    i.finished_on,
                    i.period,
                    i.due_on,
                    yes(i.exported_at),
                    yes(i.purged_at)
                );
            }
        }
        ArchiveCommand::Export { code, to } => {
            if to.exists() {
                bail!("{} đã tồn tại; không ghi đè / already exists; not overwritten", to.display());
            }
            let p = uc::export(&ctx, None, &code).await.map_err(vi)?;
            // Written next to the target and renamed: a partial package never has the name.
            let tmp = to.with_extension("partial");
            std::fs::write(&tmp, &p.bytes).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &to).with_context(|| format!("writing {}", to.display()))?;
            println!(
                "Đã xuất gói lưu trữ / archive package written: {} ({} bytes, sha256 {})",
                to.display(),
                p.bytes.len(),
                p.sha256
            );
        }
        ArchiveCommand::Purge { as_of, code } => {
            let as_of = as_of.unwrap_or_else(|| motcua_domain::calendar::local_date_ms(ctx.clock.now_ms()));
            let done = match code {
                Some(c) => vec![uc::purge_one(&ctx, None, &c, Some(as_of)).await.map_err(vi)?],
                None => uc::purge_due(&ctx, None, as_of).await.map_err(vi)?,
            };
            for p in &done {
                println!(
                    "{}: {} sự kiện đã xóa dữ liệu cá nhân, {} tệp ({} byte) / {} events redacted, {} files ({} bytes) removed",
                    p.code,
                    p.events_redacted,
                    p.files_removed,
                    p.bytes_removed,
                    p.events_redacted,
                    p.files_removed,
                    p.bytes_removed
                );
            }
            println!("Đã xóa dữ liệu cá nhân của {} hồ sơ / personal data deleted from {} dossiers", done.len(), done.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(mut config: Config, started: Instant) -> Result<ExitCode> {
    // Every connection is a descriptor: take the hard limit, and keep the connection cap
    // below it with room for the database, files and logs.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(nofile) => {
            let room = usize::try_from(nofile.saturating_sub(256)).unwrap_or(usize::MAX).max(16);
            if config.http.max_connections > room {
                tracing::warn!(nofile, max_connections = room, "http.max_connections lowered to fit the descriptor limit");
                config.http.max_connections = room;
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let listen = config.listen.clone();
    let grace = config.http.shutdown_grace_secs;
    let (ctx, startup) = AppContext::open(config).await?;
    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let url = match &ctx.config.public_url {
        Some(u) => u.clone(),
        None => format!("http://{addr}"),
    };
    let backend = match ctx.config.location() {
        motcua_store::Location::Sqlite(p) => format!("SQLite {}", p.display()),
        motcua_store::Location::Postgres(u) => format!("PostgreSQL {}", motcua_app::config::mask_url(&u)),
    };
    println!("motcua {} – {url}", env!("CARGO_PKG_VERSION"));
    println!("  Cơ sở dữ liệu / database: {backend}");
    for m in &startup.migrations_applied {
        println!("  migration applied: {m}");
    }
    let swept = startup.uploads_swept;
    if swept.files > 0 {
        println!(
            "  Đã xóa {} tệp tải lên dở dang ({} byte) / removed {} partial uploads ({} bytes)",
            swept.files, swept.bytes, swept.files, swept.bytes
        );
    }
    if startup.seeded || ctx.config.seed_demo {
        println!("  Tài khoản mẫu / demo logins (mật khẩu / password: {}):", motcua_app::seed::DEMO_PASSWORD);
        for (username, name, role, _, _) in motcua_app::seed::DEMO_USERS {
            let label = motcua_domain::user::Role::parse(role).map_or("Công dân / citizen", |r| r.label_vi());
            println!("    {username:<18} {name:<22} {label}");
        }
    }
    println!("  API docs: {url}/api/docs/   health: {url}/healthz");
    println!("  Sẵn sàng sau / ready in {} ms", started.elapsed().as_millis());
    // The outbox consumers and the deadline worker (they share the work with any other
    // process over the same database).
    let (stop_workers, workers_stop) = tokio::sync::watch::channel(false);
    motcua_app::backup::start(&ctx, workers_stop.clone())?;
    motcua_app::deadlines::start(&ctx, workers_stop)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(motcua_web::serve(ctx, listener, async {
        let _ = rx.await;
    }));
    motcua_web::shutdown_signal().await;
    let _ = stop_workers.send(true);
    let _ = tx.send(());
    match tokio::time::timeout(std::time::Duration::from_secs(grace), server).await {
        Ok(r) => r??,
        Err(_) => tracing::warn!("in-flight requests did not finish within {grace} s; exiting"),
    }
    Ok(ExitCode::SUCCESS)
}
