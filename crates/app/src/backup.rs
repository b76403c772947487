//! Backup and restore (issue #19, docs/operations.md "Backup and restore").
//!
//! A backup is a folder: the database (`motcua.db`, a `VACUUM INTO` copy of SQLite taken
//! while the writer goes on, or `motcua.pgdump`, a `pg_dump -Fc` of PostgreSQL), the
//! recorded files under `files/<2 hex>/<sha256>` (the local store's layout) and
//! `manifest.json` with the SHA-256 and size of each, written last (a folder without a
//! manifest is a partial backup). Files already in a previous backup (`since`) are
//! hard-linked from it instead of copied. A restore checks every hash before it writes
//! anything, and writes only into an empty target.

use crate::Config;
use motcua_store::files::{FileStore, sha256_hex};
use motcua_store::{Backend, Location, Store, StoreError, repo};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const MANIFEST: &str = "manifest.json";
/// The manifest's format; a restore refuses another.
pub const FORMAT: u32 = 1;
const SQLITE_FILE: &str = "motcua.db";
const PG_FILE: &str = "motcua.pgdump";
/// Scheduled copies are folders `motcua-<UTC time>` under `[backup] dir`.
const SCHEDULED_PREFIX: &str = "motcua-";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDatabase {
    /// The file name inside the backup folder.
    pub file: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub motcua_version: String,
    /// `sqlite` or `postgres`: a backup restores into the same kind of database.
    pub backend: String,
    /// The last migration applied to the backed-up database.
    pub schema_version: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Made by the schedule of `serve` (only those are removed by its retention).
    pub scheduled: bool,
    pub database: ManifestDatabase,
    /// Every file recorded in the database when the backup ran, in digest order.
    pub files: Vec<ManifestFile>,
    /// Recorded files that were absent or damaged in the file store (not in the backup).
    pub missing: Vec<String>,
    /// The previous backup files were reused from, as given.
    pub since: Option<String>,
}

/// What a backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub dir: PathBuf,
    pub database_bytes: u64,
    pub files_total: usize,
    pub files_copied: usize,
    pub files_reused: usize,
    pub bytes_copied: u64,
    pub missing: Vec<String>,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// Bad input: nothing was written.
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
}

impl From<StoreError> for BackupError {
    fn from(e: StoreError) -> Self {
        BackupError::Failed(e.to_string())
    }
}

fn failed(what: impl std::fmt::Display, e: impl std::fmt::Display) -> BackupError {
    BackupError::Failed(format!("{what}: {e}"))
}

pub struct BackupOptions {
    pub to: PathBuf,
    /// A previous backup folder: its files with the same digest are hard-linked, not copied.
    pub since: Option<PathBuf>,
    pub scheduled: bool,
    pub now_ms: i64,
}

/// Whether `dir` is absent or an empty folder.
fn is_empty_dir(dir: &Path) -> Result<bool, BackupError> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(BackupError::Refused(format!("Không đọc được thư mục / cannot read {}: {e}", dir.display()))),
    }
}

/// SHA-256 and size of a file, read in blocks (bounded memory).
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let n = std::io::copy(&mut f, &mut h)?;
    Ok((hex::encode(h.finalize()), n))
}

fn file_path(root: &Path, sha: &str) -> PathBuf {
    root.join("files").join(&sha[..2]).join(sha)
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Reads and parses `dir/manifest.json`.
pub fn read_manifest(dir: &Path) -> Result<Manifest, BackupError> {
    let path = dir.join(MANIFEST);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(BackupError::Refused(format!(
                "Bản sao lưu không đầy đủ: thiếu {MANIFEST} / partial backup: {} is missing",
                path.display()
            )));
        }
        Err(e) => return Err(BackupError::Refused(format!("Không đọc được / cannot read {}: {e}", path.display()))),
    };
    let m: Manifest = serde_json::from_str(&text)
        .map_err(|e| BackupError::Refused(format!("{MANIFEST} không hợp lệ / invalid {}: {e}", path.display())))?;
    if m.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "Định dạng bản sao lưu {} không được hỗ trợ / unsupported backup format {} (this version reads {FORMAT})",
            m.format, m.format
        )));
    }
    Ok(m)
}

/// The PostgreSQL client tool `name` (`pg_dump`, `pg_restore`): the newest
/// `/usr/lib/postgresql/<version>/bin` (a dump needs a client at least as new as the
/// server), else `PATH`.
pub fn pg_tool(name: &str) -> PathBuf {
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for entry in std::fs::read_dir("/usr/lib/postgresql").into_iter().flatten().flatten() {
        let Some(version) =
            entry.file_name().to_str().and_then(|s| s.split('.').map(|p| p.parse().ok()).collect::<Option<Vec<u32>>>())
        else {
            continue;
        };
        let tool = entry.path().join("bin").join(name);
        if tool.is_file() && best.as_ref().is_none_or(|(v, _)| version > *v) {
            best = Some((version, tool));
        }
    }
    best.map_or_else(|| PathBuf::from(name), |(_, p)| p)
}

/// `postgres://user:secret@host/db` → (`postgres://user@host/db`, `secret` decoded): the
/// password goes to the tool in `PGPASSWORD`, not on its command line (visible to `ps`).
fn split_password(url: &str) -> (String, Option<String>) {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
        && let Some((user, password)) = cred.split_once(':')
    {
        return (format!("{scheme}://{user}@{host}"), Some(percent_decode(password)));
    }
    (url.to_string(), None)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs `pg_dump` / `pg_restore` on the database at `url` with `args`.
fn run_pg_tool(name: &str, url: &str, args: &[&std::ffi::OsStr]) -> Result<(), BackupError> {
    let mut cmd = std::process::Command::new(pg_tool(name));
    // libpq settings from the operator's shell must not redirect the tool elsewhere.
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    let (url, password) = split_password(url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    cmd.arg("--dbname").arg(url).args(args);
    let what = name;
    let out = cmd.stdin(std::process::Stdio::null()).output().map_err(|e| failed(format!("cannot run {what}"), e))?;
    if !out.status.success() {
        return Err(BackupError::Failed(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Takes a backup into `opts.to` (absent or empty) while the service runs.
pub async fn backup(
    store: &Store,
    files: Arc<dyn FileStore>,
    config: &Config,
    opts: BackupOptions,
) -> Result<BackupReport, BackupError> {
    let started = std::time::Instant::now();
    let to = opts.to.clone();
    if to.exists() && !to.is_dir() {
        return Err(BackupError::Refused(format!("Không phải thư mục / not a folder: {}", to.display())));
    }
    if !is_empty_dir(&to)? {
        return Err(BackupError::Refused(format!(
            "Thư mục sao lưu không trống; hãy chọn một thư mục mới / the backup folder is not empty: {}",
            to.display()
        )));
    }
    let previous = match &opts.since {
        Some(p) => Some((p.clone(), read_manifest(p)?)),
        None => None,
    };
    let existed = to.exists();
    std::fs::create_dir_all(to.join("files"))
        .map_err(|e| BackupError::Refused(format!("Không ghi được vào / cannot write to {}: {e}", to.display())))?;
    let outcome = take(store, files, config, &opts, previous, started).await;
    if outcome.is_err() {
        // The folder was absent or empty: leave it so, not a partial backup.
        if existed {
            for e in std::fs::read_dir(&to).into_iter().flatten().flatten() {
                let _ = if e.path().is_dir() { std::fs::remove_dir_all(e.path()) } else { std::fs::remove_file(e.path()) };
            }
        } else {
            let _ = std::fs::remove_dir_all(&to);
        }
    }
    outcome
}

/// `backup` once the target folder is checked and created.
async fn take(
    store: &Store,
    files: Arc<dyn FileStore>,
    config: &Config,
    opts: &BackupOptions,
    previous: Option<(PathBuf, Manifest)>,
    started: std::time::Instant,
) -> Result<BackupReport, BackupError> {
    let to = opts.to.clone();
    let schema_version =
        store.read(|db| Ok::<_, StoreError>(motcua_store::migrate::applied(db)?.last().copied().unwrap_or(0))).await?;
    // The database first: every file it records was stored before its commit, so listing
    // the files afterwards finds them all (and perhaps a few newer ones, harmless).
    let backend = store.backend();
    let db_name = match backend {
        Backend::Sqlite => {
            let (s, dest) = (store.clone(), to.join(SQLITE_FILE));
            tokio::task::spawn_blocking(move || s.sqlite_snapshot(&dest))
                .await
                .map_err(|e| failed("snapshot task", e))?
                .map_err(|e| failed("SQLite VACUUM INTO", e))?;
            SQLITE_FILE
        }
        Backend::Postgres => {
            let Location::Postgres(url) = config.location() else {
                return Err(BackupError::Failed("the store is PostgreSQL but the configuration is not".into()));
            };
            let dest = to.join(PG_FILE);
            tokio::task::spawn_blocking(move || {
                let args = ["--format=custom", "--no-owner", "--no-privileges", "--file"].map(std::ffi::OsStr::new);
                run_pg_tool("pg_dump", &url, &[&args[..], &[dest.as_os_str()]].concat())?;
                std::fs::File::open(&dest).and_then(|f| f.sync_all()).map_err(|e| failed(dest.display(), e))
            })
            .await
            .map_err(|e| failed("pg_dump task", e))??;
            PG_FILE
        }
    };
    let recorded = store.read(repo::dossiers::all_files).await?;
    let to2 = to.clone();
    let prev = previous.clone();
    let (entries, missing, copied, reused, bytes_copied, db_file) = tokio::task::spawn_blocking(move || {
        let prev_index: HashMap<String, u64> =
            prev.as_ref().map(|(_, m)| m.files.iter().map(|f| (f.sha256.clone(), f.bytes)).collect()).unwrap_or_default();
        let (mut entries, mut missing) = (Vec::with_capacity(recorded.len()), Vec::new());
        let (mut copied, mut reused, mut bytes_copied) = (0usize, 0usize, 0u64);
        for (sha, size) in recorded {
            let size = u64::try_from(size).unwrap_or(0);
            let dest = file_path(&to2, &sha);
            let dir = dest.parent().expect("digest folder");
            std::fs::create_dir_all(dir).map_err(|e| failed(dir.display(), e))?;
            // Reuse: the previous backup lists the digest and its file is there, of that size.
            if let Some((prev_dir, _)) = &prev
                && prev_index.get(&sha) == Some(&size)
            {
                let src = file_path(prev_dir, &sha);
                if std::fs::metadata(&src).is_ok_and(|m| m.len() == size)
                    && (std::fs::hard_link(&src, &dest).is_ok() || std::fs::copy(&src, &dest).is_ok())
                {
                    reused += 1;
                    entries.push(ManifestFile { sha256: sha, bytes: size });
                    continue;
                }
            }
            // One file in memory at a time (at most the attachment limit).
            match files.get(&sha) {
                Ok(b) if b.len() as u64 == size && sha256_hex(&b) == sha => {
                    write_synced(&dest, &b).map_err(|e| failed(dest.display(), e))?;
                    copied += 1;
                    bytes_copied += size;
                    entries.push(ManifestFile { sha256: sha, bytes: size });
                }
                Ok(_) | Err(StoreError::NotFound) => {
                    tracing::warn!(sha256 = %sha, "recorded file absent or damaged in the file store; not in the backup");
                    missing.push(sha);
                }
                Err(e) => return Err(failed(format!("file {sha}"), e)),
            }
        }
        for d in std::fs::read_dir(to2.join("files")).map_err(|e| failed("files", e))?.flatten() {
            let _ = std::fs::File::open(d.path()).and_then(|f| f.sync_all());
        }
        let db_path = to2.join(db_name);
        let (sha, bytes) = hash_file(&db_path).map_err(|e| failed(db_path.display(), e))?;
        Ok::<_, BackupError>((
            entries,
            missing,
            copied,
            reused,
            bytes_copied,
            ManifestDatabase { file: db_name.into(), sha256: sha, bytes },
        ))
    })
    .await
    .map_err(|e| failed("file copy task", e))??;

    let created_at = jiff::Timestamp::from_millisecond(opts.now_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH).to_string();
    let database_bytes = db_file.bytes;
    let manifest = Manifest {
        format: FORMAT,
        motcua_version: env!("CARGO_PKG_VERSION").to_string(),
        backend: backend.name().to_string(),
        schema_version,
        created_at,
        scheduled: opts.scheduled,
        database: db_file,
        files: entries,
        missing: missing.clone(),
        since: previous.as_ref().map(|(p, _)| p.display().to_string()),
    };
    let files_total = manifest.files.len();
    // Last, atomically: a folder without a manifest is a partial backup.
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| failed("manifest", e))?;
    let tmp = to.join(format!(".{MANIFEST}.tmp"));
    write_synced(&tmp, &text).map_err(|e| failed(tmp.display(), e))?;
    std::fs::rename(&tmp, to.join(MANIFEST)).map_err(|e| failed(MANIFEST, e))?;
    std::fs::File::open(&to).and_then(|f| f.sync_all()).map_err(|e| failed(to.display(), e))?;
    Ok(BackupReport {
        dir: to,
        database_bytes,
        files_total,
        files_copied: copied,
        files_reused: reused,
        bytes_copied,
        missing,
        duration_ms: started.elapsed().as_millis() as u64,
    })
}

/// Checks a backup folder without writing anything: the manifest is there and readable,
/// and the database and every listed file have their recorded size and SHA-256. Names the
/// first problem. Reads one file at a time.
pub fn check(from: &Path) -> Result<Manifest, BackupError> {
    let m = read_manifest(from)?;
    let bad = |what: String| BackupError::Refused(format!("Bản sao lưu bị hỏng / damaged backup: {what}"));
    let check_one = |path: &Path, sha: &str, bytes: u64| -> Result<(), BackupError> {
        match hash_file(path) {
            Ok((_, n)) if n != bytes => Err(bad(format!("{} has {n} bytes, the manifest says {bytes}", path.display()))),
            Ok((s, _)) if s != sha => Err(bad(format!("{} has SHA-256 {s}, the manifest says {sha}", path.display()))),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(bad(format!("{} is missing", path.display()))),
            Err(e) => Err(bad(format!("{}: {e}", path.display()))),
        }
    };
    if m.database.file.contains('/') || m.database.file.contains("..") {
        return Err(bad(format!("database file name {:?}", m.database.file)));
    }
    check_one(&from.join(&m.database.file), &m.database.sha256, m.database.bytes)?;
    for f in &m.files {
        if f.sha256.len() != 64 || !f.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!("file digest {:?}", f.sha256)));
        }
        check_one(&file_path(from, &f.sha256), &f.sha256, f.bytes)?;
    }
    Ok(m)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoreReport {
    pub manifest: Manifest,
    pub files: usize,
    pub bytes: u64,
}

/// Restores the backup at `from` into the database and data folder of `config`, which must
/// be empty (SQLite: the data folder absent or empty; PostgreSQL: no table in the database's
/// `public` schema and the files folder absent or empty). Every hash is checked first
/// (`check`); on any refusal nothing is written. Files go through the `FileStore` put.
pub async fn restore(config: &Config, from: &Path) -> Result<RestoreReport, BackupError> {
    let from2 = from.to_path_buf();
    let manifest = tokio::task::spawn_blocking(move || check(&from2)).await.map_err(|e| failed("check task", e))??;
    let location = config.location();
    let target_backend = match &location {
        Location::Sqlite(_) => "sqlite",
        Location::Postgres(_) => "postgres",
    };
    if manifest.backend != target_backend {
        return Err(BackupError::Refused(format!(
            "Bản sao lưu của {} không khôi phục được vào {target_backend} / a {} backup restores only into {}",
            manifest.backend, manifest.backend, manifest.backend
        )));
    }
    let files_dir = config.files_dir();
    if !is_empty_dir(&files_dir)? {
        return Err(BackupError::Refused(format!(
            "Thư mục tệp đích không trống / the target files folder is not empty: {}",
            files_dir.display()
        )));
    }
    match &location {
        Location::Sqlite(db) => {
            if !is_empty_dir(&config.data_dir)? {
                return Err(BackupError::Refused(format!(
                    "Thư mục dữ liệu đích không trống / the target data folder is not empty: {}",
                    config.data_dir.display()
                )));
            }
            if db.exists() {
                return Err(BackupError::Refused(format!("Đã có cơ sở dữ liệu / a database exists at {}", db.display())));
            }
        }
        Location::Postgres(_) => {
            let (loc, opts) = (location.clone(), config.store_options());
            let tables = tokio::task::spawn_blocking(move || {
                let store = Store::open(&loc, opts)?;
                store.read_blocking(|db| db.query_one("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'", &[])?.i64(0))
            })
            .await
            .map_err(|e| failed("check task", e))?
            .map_err(|e| {
                BackupError::Refused(format!("Không kết nối được cơ sở dữ liệu đích / cannot open the target database: {e}"))
            })?;
            if tables > 0 {
                return Err(BackupError::Refused(format!(
                    "Cơ sở dữ liệu đích không trống ({tables} bảng) / the target database is not empty ({tables} tables)"
                )));
            }
        }
    }
    let (from, m) = (from.to_path_buf(), manifest.clone());
    // The configured store: restoring into a bucket puts the files there.
    let files_config = config.files.clone();
    let (files, bytes) = tokio::task::spawn_blocking(move || {
        let store = files_config.open(files_dir)?;
        let mut bytes = 0u64;
        for f in &m.files {
            let b = std::fs::read(file_path(&from, &f.sha256)).map_err(|e| failed(&f.sha256, e))?;
            // Checked above; checked again, the folder may have changed since.
            let (sha, _) = store.put(&b)?;
            if sha != f.sha256 {
                store.discard(&sha)?;
                return Err(BackupError::Failed(format!("file {} changed during the restore", f.sha256)));
            }
            bytes += b.len() as u64;
        }
        let src = from.join(&m.database.file);
        match location {
            Location::Sqlite(db) => {
                if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| failed(dir.display(), e))?;
                }
                let tmp = db.with_extension("db.restoring");
                std::fs::copy(&src, &tmp).map_err(|e| failed(tmp.display(), e))?;
                std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| failed(tmp.display(), e))?;
                std::fs::rename(&tmp, &db).map_err(|e| failed(db.display(), e))?;
            }
            Location::Postgres(url) => {
                let args = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"].map(std::ffi::OsStr::new);
                // The dump file last: pg_restore takes it as its one positional argument.
                run_pg_tool("pg_restore", &url, &[&args[..], &[src.as_os_str()]].concat())?;
            }
        }
        Ok::<_, BackupError>((m.files.len(), bytes))
    })
    .await
    .map_err(|e| failed("restore task", e))??;
    Ok(RestoreReport { manifest, files, bytes })
}

/// Records a run in `backups` (`kind`: `manual` or `scheduled`).
pub async fn record(
    store: &Store,
    kind: &'static str,
    dir: &Path,
    started_at: i64,
    finished_at: i64,
    outcome: &Result<BackupReport, BackupError>,
) -> Result<(), StoreError> {
    let to_i = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    let mut row = repo::backups::BackupRow {
        id: repo::new_id(),
        kind: kind.to_string(),
        dir: std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf()).display().to_string(),
        started_at,
        finished_at,
        ok: outcome.is_ok(),
        database_bytes: 0,
        files_total: 0,
        files_copied: 0,
        files_reused: 0,
        bytes_copied: 0,
        error: None,
    };
    match outcome {
        Ok(r) => {
            row.database_bytes = to_i(r.database_bytes);
            row.files_total = to_i(r.files_total as u64);
            row.files_copied = to_i(r.files_copied as u64);
            row.files_reused = to_i(r.files_reused as u64);
            row.bytes_copied = to_i(r.bytes_copied);
        }
        Err(e) => row.error = Some(e.to_string()),
    }
    store.write(move |db| repo::backups::insert(db, &row)).await
}

/// The scheduled copies under `root` (folders named `motcua-…` whose manifest says
/// `scheduled`), oldest first.
pub fn scheduled_copies(root: &Path) -> Vec<(PathBuf, Manifest)> {
    let mut out: Vec<(PathBuf, Manifest)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(SCHEDULED_PREFIX) && e.path().is_dir())
        .filter_map(|e| read_manifest(&e.path()).ok().filter(|m| m.scheduled).map(|m| (e.path(), m)))
        .collect();
    out.sort_by(|a, b| (&a.1.created_at, &a.0).cmp(&(&b.1.created_at, &b.0)));
    out
}

/// One scheduled run: a new copy `motcua-<UTC time>` under `[backup] dir`, incremental
/// against the newest scheduled copy; a failed run's partial folder is removed; then the
/// copies beyond `keep` are removed, oldest first. The run is recorded either way.
pub async fn run_scheduled(ctx: &crate::AppContext) -> Result<BackupReport, BackupError> {
    let root = PathBuf::from(ctx.config.backup.dir.trim());
    let started_at = ctx.clock.now_ms();
    let stamp = jiff::Timestamp::from_millisecond(started_at).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let base = format!("{SCHEDULED_PREFIX}{}", stamp.strftime("%Y%m%dT%H%M%S%.3fZ"));
    let mut to = root.join(&base);
    for n in 2.. {
        if !to.exists() {
            break;
        }
        to = root.join(format!("{base}-{n}"));
    }
    let since = scheduled_copies(&root).pop().map(|(p, _)| p);
    let outcome = match std::fs::create_dir_all(&root) {
        Err(e) => Err(BackupError::Refused(format!("cannot create {}: {e}", root.display()))),
        Ok(()) => {
            let opts = BackupOptions { to: to.clone(), since, scheduled: true, now_ms: started_at };
            backup(&ctx.store, ctx.files.clone(), &ctx.config, opts).await
        }
    };
    if outcome.is_err() && !to.join(MANIFEST).exists() {
        let _ = std::fs::remove_dir_all(&to);
    }
    if let Err(e) = record(&ctx.store, "scheduled", &to, started_at, ctx.clock.now_ms(), &outcome).await {
        tracing::warn!(error = %e, "backup run not recorded");
    }
    if outcome.is_ok() {
        let copies = scheduled_copies(&root);
        let keep = ctx.config.backup.keep.max(1);
        for (old, _) in copies.iter().take(copies.len().saturating_sub(keep)) {
            match std::fs::remove_dir_all(old) {
                Ok(()) => tracing::info!(dir = %old.display(), "old backup removed"),
                Err(e) => tracing::warn!(dir = %old.display(), error = %e, "old backup not removed"),
            }
        }
    }
    outcome
}

/// Whether a scheduled run is due at `now`, given the start of the last one.
fn due(config: &crate::config::BackupConfig, last: Option<i64>, now: i64) -> bool {
    let Some(last) = last else { return true };
    match config.daily_time() {
        Some(t) => {
            // Today's time in Vietnam; due once it has passed and the last run was before it.
            let today = motcua_domain::calendar::local_date_ms(now);
            match motcua_domain::calendar::at_local(today, t) {
                Ok(at) => now >= at.as_millisecond() && last < at.as_millisecond(),
                Err(_) => false,
            }
        }
        None => now - last >= (config.every_hours.max(0.0) * 3_600_000.0) as i64,
    }
}

/// Starts the scheduled backup of `serve` when `[backup] dir` is set. It asks whether a run
/// is due (from the last scheduled run in the database, so a restart neither skips nor
/// repeats one) every minute, or more often for short periods.
pub fn start(ctx: &crate::AppContext, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<(), crate::AppError> {
    let cfg = &ctx.config.backup;
    if cfg.dir.trim().is_empty() {
        return Ok(());
    }
    if !cfg.daily_at.trim().is_empty() && cfg.daily_time().is_none() {
        return Err(crate::AppError::Internal(format!("backup.daily_at = {:?}: expected HH:MM (Vietnam time)", cfg.daily_at)));
    }
    if cfg.daily_time().is_none() && (cfg.every_hours.is_nan() || cfg.every_hours <= 0.0) {
        return Err(crate::AppError::Internal(format!("backup.every_hours = {}: expected a positive number", cfg.every_hours)));
    }
    let poll_ms = match cfg.daily_time() {
        Some(_) => 60_000,
        None => ((cfg.every_hours.max(0.0) * 3_600_000.0 / 4.0) as u64).clamp(200, 60_000),
    };
    tracing::info!(dir = %cfg.dir, every_hours = cfg.every_hours, daily_at = %cfg.daily_at, keep = cfg.keep, "scheduled backups on");
    let ctx = ctx.clone();
    tokio::spawn(async move {
        loop {
            let last = ctx
                .store
                .read(|db| {
                    db.query_opt("SELECT MAX(started_at) FROM backups WHERE kind = 'scheduled'", &[])?
                        .map(|r| r.opt_i64(0))
                        .transpose()
                        .map(Option::flatten)
                })
                .await;
            match last {
                Ok(last) if due(&ctx.config.backup, last, ctx.clock.now_ms()) => match run_scheduled(&ctx).await {
                    Ok(r) => tracing::info!(
                        dir = %r.dir.display(), files_copied = r.files_copied, files_reused = r.files_reused,
                        database_bytes = r.database_bytes, duration_ms = r.duration_ms, "scheduled backup done"
                    ),
                    Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
                },
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the last backup run"),
            }
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_millis(poll_ms)) => {}
                _ = stop.changed() => return,
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BackupConfig;

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn every_hours_counts_from_the_last_run() {
        let c = BackupConfig { dir: "/b".into(), every_hours: 6.0, ..Default::default() };
        assert!(due(&c, None, at("2026-12-07T00:00:00Z")), "the first run is due at once");
        assert!(!due(&c, Some(at("2026-12-07T00:00:00Z")), at("2026-12-07T05:59:59Z")));
        assert!(due(&c, Some(at("2026-12-07T00:00:00Z")), at("2026-12-07T06:00:00Z")));
    }

    #[test]
    fn daily_at_is_vietnam_time_once_a_day() {
        let c = BackupConfig { dir: "/b".into(), daily_at: "02:30".into(), ..Default::default() };
        // 02:30 in Vietnam (UTC+7) is 19:30 UTC the day before.
        let last = at("2026-12-06T19:30:05Z");
        assert!(!due(&c, Some(last), at("2026-12-07T12:00:00Z")), "done today already");
        assert!(!due(&c, Some(last), at("2026-12-07T19:29:00Z")), "not yet 02:30 on the 8th");
        assert!(due(&c, Some(last), at("2026-12-07T19:30:00Z")));
        assert!(BackupConfig { daily_at: "25:00".into(), ..Default::default() }.daily_time().is_none());
    }

    #[test]
    fn the_password_leaves_the_command_line() {
        assert_eq!(
            split_password("postgres://motcua:p%40ss@db:5432/motcua"),
            ("postgres://motcua@db:5432/motcua".to_string(), Some("p@ss".to_string()))
        );
        assert_eq!(split_password("postgres://app@127.0.0.1:5/t"), ("postgres://app@127.0.0.1:5/t".to_string(), None));
    }
}
