//! SQLite executor: one writer thread owns the write connection and commits queued
//! transactions in groups (one fsync for many filings); a failing transaction never leaves
//! its rows (the group reruns without it, or it ran in its own savepoint, see `run_group`);
//! a pool of read connections serves queries concurrently (WAL).

use crate::StoreError;
use crate::db::Db;
use crate::pool::Pool;
use crate::value::{Row, Value};
use rusqlite::{Connection, OpenFlags, StatementStatus};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

/// How often this database's connections compiled a statement: `prepares` counts cache
/// misses (a statement compiled because it was not in the connection's cache), `reprepares`
/// the recompilations SQLite does on its own (schema change, or a bound value that may change
/// the plan). A warm connection running the same statements adds to neither.
#[derive(Debug, Default)]
pub struct StatementStats {
    prepares: AtomicU64,
    reprepares: AtomicU64,
}

impl StatementStats {
    /// (prepares, reprepares) so far.
    pub fn get(&self) -> (u64, u64) {
        (self.prepares.load(Ordering::Relaxed), self.reprepares.load(Ordering::Relaxed))
    }
}

/// Most transactions committed together in one group.
const MAX_GROUP: usize = 256;

/// Rerunnable jobs of a group run without savepoints while at most this many of them fail
/// (each failure rolls the group back and runs it again without the failed job); past it,
/// each runs in its own savepoint.
const MAX_RERUNS: usize = 2;

/// A queued transaction. `run` executes it on the writer's connection and says whether to
/// keep it; `complete` answers the caller once the group's COMMIT is known (never before: an
/// acknowledged write is a durable write). A `rerunnable` job may be run again after a
/// rollback (its answer is the last run's).
pub(crate) trait Job: Send {
    fn run(&mut self, conn: &Connection, stats: &StatementStats) -> bool;
    fn complete(self: Box<Self>, commit: Result<(), StoreError>);
    fn rerunnable(&self) -> bool {
        false
    }
}

/// A job built from a closure that can run again (`Store::write_rerunnable`).
pub(crate) struct RerunJob<F, T, E> {
    pub f: F,
    pub result: Option<Result<T, E>>,
    pub reply: tokio::sync::oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for RerunJob<F, T, E>
where
    F: Fn(&mut Db) -> Result<T, E> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    fn run(&mut self, conn: &Connection, stats: &StatementStats) -> bool {
        self.result = None;
        let r = (self.f)(&mut Db::Sqlite(conn, stats));
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn complete(self: Box<Self>, commit: Result<(), StoreError>) {
        let _ = self.reply.send(answer(self.result, commit));
    }

    fn rerunnable(&self) -> bool {
        true
    }
}

fn answer<T, E: From<StoreError>>(result: Option<Result<T, E>>, commit: Result<(), StoreError>) -> Result<T, E> {
    match (result, commit) {
        (Some(Err(e)), _) => Err(e),
        (Some(Ok(v)), Ok(())) => Ok(v),
        (Some(Ok(_)), Err(e)) => Err(E::from(e)),
        (None, Err(e)) => Err(E::from(e)),
        (None, Ok(())) => Err(E::from(StoreError::Backend("the transaction panicked and was rolled back".into()))),
    }
}

pub(crate) struct WriteJob<F, T, E> {
    pub f: Option<F>,
    pub result: Option<Result<T, E>>,
    pub reply: tokio::sync::oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for WriteJob<F, T, E>
where
    F: FnOnce(&mut Db) -> Result<T, E> + Send,
    T: Send,
    E: From<StoreError> + Send,
{
    fn run(&mut self, conn: &Connection, stats: &StatementStats) -> bool {
        let Some(f) = self.f.take() else { return false };
        let r = f(&mut Db::Sqlite(conn, stats));
        let ok = r.is_ok();
        self.result = Some(r);
        ok
    }

    fn complete(self: Box<Self>, commit: Result<(), StoreError>) {
        let _ = self.reply.send(answer(self.result, commit));
    }
}

/// Describes the writer's metrics (called once when the recorder is set up).
pub fn describe_metrics() {
    metrics::describe_gauge!("store_writer_queue_depth", "SQLite write transactions queued for the writer thread");
    metrics::describe_histogram!("store_writer_group_size", "Transactions committed together in one group (SQLite)");
    metrics::describe_histogram!(
        "store_writer_group_seconds",
        metrics::Unit::Seconds,
        "Time to run and commit one group of transactions (SQLite)"
    );
}

pub struct Sqlite {
    jobs: mpsc::Sender<Box<dyn Job>>,
    readers: Pool<Connection>,
    path: PathBuf,
    stats: Arc<StatementStats>,
}

#[derive(Debug, Clone, Copy)]
pub struct SqliteOptions {
    /// `PRAGMA synchronous`: FULL makes every acknowledged commit survive power loss.
    pub synchronous_full: bool,
    pub readers: usize,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        Self { synchronous_full: true, readers: 4 }
    }
}

/// The writer's page cache (KiB). Not larger: every COMMIT walks the whole cache's hash table
/// (`pager_end_transaction` → `pcache1TruncateUnsafe`, 8 % of all CPU under a filing load
/// with 64 MB), while the index leaves a reception touches are read again cheaply through the
/// memory map. Measured: 8 MB files 12–15 % more than 64 MB, 2 MB about the same as 8 MB.
const WRITER_CACHE_KIB: i64 = 8 * 1024;
/// Pages read through a memory map shared by every connection (the OS page cache), not
/// copied by `pread` into each connection's cache. Writes still go to the WAL.
const MMAP_BYTES: i64 = 1 << 30;

/// WAL pages after which the checkpointer thread copies the log into the database (SQLite's
/// own automatic checkpoint uses the same number).
const CHECKPOINT_PAGES: i32 = 1000;
/// WAL pages after which the writer finishes the checkpoint itself, between two groups.
/// The log starts again from its beginning only when a write begins with every frame
/// copied, which a thread copying beside a busy writer never sees; by then it has copied
/// most frames, so the writer's pass is short, and the log stays bounded.
const CHECKPOINT_PAGES_WRITER: i32 = 4 * CHECKPOINT_PAGES;

fn open_writer(path: &Path, opts: SqliteOptions) -> Result<Connection, StoreError> {
    let c = Connection::open(path).map_err(map_err)?;
    c.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={}; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; \
         PRAGMA cache_size=-{WRITER_CACHE_KIB}; PRAGMA mmap_size={MMAP_BYTES};",
        if opts.synchronous_full { "FULL" } else { "NORMAL" }
    ))
    .map_err(map_err)?;
    stable_plans(&c)?;
    Ok(c)
}

/// Moves most of the WAL checkpoint work off the writer's thread. SQLite's automatic
/// checkpoint runs inside the COMMIT that crosses the threshold, so the writer (the one
/// thread every filing waits for) copied every page and waited on two more fsyncs while the
/// queue grew. Here the writer's WAL hook signals a thread with its own connection, which
/// runs PASSIVE checkpoints (they block neither the writer nor readers); past
/// `CHECKPOINT_PAGES_WRITER` the writer copies what remains. Nothing may run
/// `PRAGMA wal_autocheckpoint` on the writer: SQLite would replace this hook with its own.
fn start_checkpointer(writer: &mut Connection, path: &Path, opts: SqliteOptions) -> Result<(), StoreError> {
    let c = Connection::open(path).map_err(map_err)?;
    c.execute_batch(&format!(
        "PRAGMA busy_timeout=5000; PRAGMA synchronous={};",
        if opts.synchronous_full { "FULL" } else { "NORMAL" }
    ))
    .map_err(map_err)?;
    let (signal, wake) = mpsc::sync_channel::<()>(1);
    // The log's length after the last commit. Past the writer's bound the thread starts no
    // new pass, so the writer's own pass cannot keep finding it busy.
    let log_pages = Arc::new(std::sync::atomic::AtomicI32::new(0));
    let seen = log_pages.clone();
    std::thread::Builder::new()
        .name("motcua-sqlite-checkpoint".into())
        .spawn(move || {
            // Ends when the writer's connection (and with it the hook) is dropped.
            while wake.recv().is_ok() {
                if seen.load(Ordering::Relaxed) < CHECKPOINT_PAGES_WRITER {
                    checkpoint(|| c.wal_checkpoint_v2(None::<&str>, rusqlite::wal::CheckpointMode::PASSIVE).map(|_| ()));
                }
            }
        })
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    writer
        .wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
            log_pages.store(pages, Ordering::Relaxed);
            if pages >= CHECKPOINT_PAGES_WRITER {
                checkpoint(|| wal.checkpoint());
            } else if pages >= CHECKPOINT_PAGES {
                // Full means a pass is already due: nothing to add.
                let _ = signal.try_send(());
            }
            // Never an error: the group has committed, and SQLite would report an error
            // here as the COMMIT's own, so callers would be told that durable work failed.
            Ok(())
        }))
        .map_err(map_err)
}

/// One checkpoint pass. BUSY means the other side (writer or thread) is checkpointing:
/// the next commit past the threshold tries again.
fn checkpoint(pass: impl FnOnce() -> rusqlite::Result<()>) {
    match pass() {
        Ok(()) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseBusy => {}
        Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; the next commit past the threshold tries again"),
    }
}

/// The statement cache, and plans that do not depend on bound values (the query planner
/// stability guarantee). Without it SQLite marks a statement for recompilation whenever a
/// value it might plan around changes (a text compared with `=` in a join, a LIKE pattern,
/// a bound value against a partial index): the procedure-version lookup and the
/// memberships query were recompiled on every call, although taken from the cache.
fn stable_plans(c: &Connection) -> Result<(), StoreError> {
    c.set_prepared_statement_cache_capacity(256);
    c.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).map_err(map_err)?;
    Ok(())
}

fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let c =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(map_err)?;
    c.execute_batch(&format!("PRAGMA busy_timeout=5000; PRAGMA query_only=ON; PRAGMA mmap_size={MMAP_BYTES};"))
        .map_err(map_err)?;
    stable_plans(&c)?;
    Ok(c)
}

impl Sqlite {
    pub fn open(path: &Path, opts: SqliteOptions) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Unavailable(format!("{}: {e}", dir.display())))?;
        }
        let mut writer = open_writer(path, opts)?;
        start_checkpointer(&mut writer, path, opts)?;
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let stats = Arc::new(StatementStats::default());
        let writer_stats = stats.clone();
        std::thread::Builder::new()
            .name("motcua-sqlite-writer".into())
            .spawn(move || writer_loop(writer, &writer_stats, rx))
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let reader_path = path.to_path_buf();
        Ok(Self {
            jobs: tx,
            readers: Pool::new(opts.readers, move || open_reader(&reader_path)),
            path: path.to_path_buf(),
            stats,
        })
    }

    pub fn statement_stats(&self) -> &StatementStats {
        &self.stats
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes a consistent copy of the database to `dest` (which must not exist) while the
    /// writer goes on: `VACUUM INTO` on a read-only connection of its own runs in one read
    /// transaction, so the copy is the database as of one commit (WAL readers never block
    /// the writer). The copy is compacted and synced to disk.
    pub fn snapshot(&self, dest: &Path) -> Result<(), StoreError> {
        // Not a pooled reader: those run with `query_only`, which refuses VACUUM INTO.
        let c = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(map_err)?;
        c.execute_batch("PRAGMA busy_timeout=5000;").map_err(map_err)?;
        let dest_text = dest.to_str().ok_or_else(|| StoreError::Backend(format!("not a UTF-8 path: {}", dest.display())))?;
        c.execute("VACUUM INTO ?1", [dest_text]).map_err(map_err)?;
        std::fs::File::open(dest).and_then(|f| f.sync_all()).map_err(|e| StoreError::Backend(format!("{}: {e}", dest.display())))
    }

    pub(crate) fn submit(&self, job: Box<dyn Job>) -> Result<(), StoreError> {
        self.jobs.send(job).map_err(|_| StoreError::Unavailable("the SQLite writer has stopped".into()))?;
        // Process-wide: a server has one store (tests, with many, read it as a delta).
        metrics::gauge!("store_writer_queue_depth").increment(1.0);
        Ok(())
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Db) -> T) -> Result<T, StoreError> {
        let conn = self.readers.get()?;
        // One read transaction, so a multi-statement read sees one snapshot.
        // Cached statements: `execute_batch` would parse them again on every read.
        conn.prepare_cached("BEGIN").and_then(|mut s| s.execute([])).map_err(map_err)?;
        let out = f(&mut Db::Sqlite(&conn, &self.stats));
        let _ = conn.prepare_cached("COMMIT").and_then(|mut s| s.execute([]));
        Ok(out)
    }
}

fn writer_loop(conn: Connection, stats: &StatementStats, rx: mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => group.push(j),
                Err(_) => break,
            }
        }
        #[allow(clippy::cast_precision_loss)]
        {
            metrics::gauge!("store_writer_queue_depth").decrement(group.len() as f64);
            metrics::histogram!("store_writer_group_size").record(group.len() as f64);
        }
        let start = std::time::Instant::now();
        run_group(&conn, stats, group);
        metrics::histogram!("store_writer_group_seconds").record(start.elapsed().as_secs_f64());
    }
}

/// Runs a group in one transaction and answers every job after its COMMIT. Rerunnable jobs
/// run first without savepoints (a savepoint copies every page its job touches): when one
/// fails, the whole group rolls back and runs again without it, so a failed job never
/// leaves half its rows and its error is its answer. Other jobs (and rerunnable ones after
/// `MAX_RERUNS` failures) each run in their own savepoint, rolled back alone on failure.
fn run_group(conn: &Connection, stats: &StatementStats, group: Vec<Box<dyn Job>>) {
    let (mut fast, once): (Vec<_>, Vec<_>) = group.into_iter().partition(|j| j.rerunnable());
    let mut isolated = once;
    let mut failed: Vec<Box<dyn Job>> = Vec::new();
    loop {
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let e = map_err(e);
            for job in fast.into_iter().chain(isolated).chain(failed) {
                job.complete(Err(e.clone()));
            }
            return;
        }
        if failed.len() >= MAX_RERUNS {
            isolated.append(&mut fast);
            break;
        }
        let failure = fast.iter_mut().position(|job| !catch_unwind(AssertUnwindSafe(|| job.run(conn, stats))).unwrap_or(false));
        let Some(i) = failure else { break };
        let _ = conn.execute_batch("ROLLBACK");
        failed.push(fast.remove(i));
    }
    for job in isolated.iter_mut() {
        let _ = conn.execute_batch("SAVEPOINT job");
        let ok = catch_unwind(AssertUnwindSafe(|| job.run(conn, stats))).unwrap_or(false);
        if ok {
            let _ = conn.execute_batch("RELEASE job");
        } else {
            let _ = conn.execute_batch("ROLLBACK TO job; RELEASE job");
        }
    }
    let outcome = flush_search(conn, stats).and_then(|()| conn.execute_batch("COMMIT").map_err(map_err));
    if outcome.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for job in fast.into_iter().chain(isolated).chain(failed) {
        job.complete(outcome.clone());
    }
}

/// The group's text-index entries, written last in its transaction (see
/// `repo::dossiers::SEARCH_FLUSH`). Before migration 0020 the table does not exist and the
/// probe fails: nothing to flush then. A failing flush fails the group's commit.
fn flush_search(conn: &Connection, stats: &StatementStats) -> Result<(), StoreError> {
    use crate::repo::dossiers::{SEARCH_FLUSH, SEARCH_PENDING};
    if query(conn, stats, SEARCH_PENDING, &[]).map(|rows| rows.is_empty()).unwrap_or(true) {
        return Ok(());
    }
    for sql in SEARCH_FLUSH {
        execute(conn, stats, sql, &[])?;
    }
    Ok(())
}

fn bind(stmt: &mut rusqlite::CachedStatement<'_>, params: &[Value]) -> Result<(), StoreError> {
    for (i, v) in params.iter().enumerate() {
        let idx = i + 1;
        let r = match v {
            Value::Null => stmt.raw_bind_parameter(idx, rusqlite::types::Null),
            Value::Int(x) => stmt.raw_bind_parameter(idx, x),
            Value::Real(x) => stmt.raw_bind_parameter(idx, x),
            Value::Text(x) => stmt.raw_bind_parameter(idx, x.as_str()),
            Value::Blob(x) => stmt.raw_bind_parameter(idx, x.as_slice()),
        };
        r.map_err(map_err)?;
    }
    Ok(())
}

/// The cached statement for `sql`, counting a cache miss (a statement never run before
/// was just compiled).
fn cached<'c>(c: &'c Connection, stats: &StatementStats, sql: &str) -> Result<rusqlite::CachedStatement<'c>, StoreError> {
    let stmt = c.prepare_cached(sql).map_err(map_err)?;
    if stmt.get_status(StatementStatus::Run) == 0 {
        stats.prepares.fetch_add(1, Ordering::Relaxed);
    }
    Ok(stmt)
}

fn count_reprepares(stmt: &rusqlite::Statement<'_>, before: i32, stats: &StatementStats) {
    let n = stmt.get_status(StatementStatus::RePrepare) - before;
    if n > 0 {
        stats.reprepares.fetch_add(n as u64, Ordering::Relaxed);
    }
}

pub(crate) fn execute(c: &Connection, stats: &StatementStats, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
    let mut stmt = cached(c, stats, sql)?;
    bind(&mut stmt, params)?;
    let before = stmt.get_status(StatementStatus::RePrepare);
    let out = stmt.raw_execute().map(|n| n as u64).map_err(map_err);
    count_reprepares(&stmt, before, stats);
    out
}

pub(crate) fn query(c: &Connection, stats: &StatementStats, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
    let mut stmt = cached(c, stats, sql)?;
    bind(&mut stmt, params)?;
    let before = stmt.get_status(StatementStatus::RePrepare);
    let out = collect(&mut stmt);
    count_reprepares(&stmt, before, stats);
    out
}

fn collect(stmt: &mut rusqlite::CachedStatement<'_>) -> Result<Vec<Row>, StoreError> {
    let n = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(map_err)? {
        let mut vals = Vec::with_capacity(n);
        for i in 0..n {
            use rusqlite::types::ValueRef;
            vals.push(match r.get_ref(i).map_err(map_err)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(x) => Value::Int(x),
                ValueRef::Real(x) => Value::Real(x),
                ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row(vals));
    }
    Ok(out)
}

/// SQLite names the columns of a violated unique constraint, not the constraint; this
/// table maps them back to the names the PostgreSQL schema gives (kept beside the migrations).
const UNIQUE_CONSTRAINTS: &[(&str, &str)] = &[
    ("agencies.code", "uq_agencies_code"),
    ("users.username", "uq_users_username"),
    ("users.citizen_id", "uq_users_citizen_id"),
    ("memberships.user_id, memberships.agency_id, memberships.role", "pk_memberships"),
    ("audit_events.chain, audit_events.seq", "uq_audit_events_chain_seq"),
    ("schema_migrations.version", "pk_schema_migrations"),
    ("calendar_schedules.year, calendar_schedules.revision", "pk_calendar_schedules"),
    ("procedures.code", "pk_procedures"),
    ("procedure_versions.code, procedure_versions.version", "pk_procedure_versions"),
    ("procedure_specs.code, procedure_specs.version", "pk_procedure_specs"),
    ("dossiers.id", "pk_dossiers"),
    ("dossiers.code", "uq_dossiers_code"),
    ("dossier_states.id", "pk_dossier_states"),
    ("dossier_events.dossier_id, dossier_events.seq", "pk_dossier_events"),
    ("idempotency_keys.scope, idempotency_keys.key", "pk_idempotency_keys"),
    ("documents.dossier_id, documents.event_seq, documents.form", "uq_documents_event_form"),
    ("postal_shipments.carrier, postal_shipments.tracking_number", "uq_postal_shipments_tracking"),
    ("postal_carrier_events.carrier, postal_carrier_events.event_id", "pk_postal_carrier_events"),
    ("queue_groups.agency_id, queue_groups.prefix", "uq_queue_groups_prefix"),
    ("queue_counters.agency_id, queue_counters.number", "uq_queue_counters_number"),
    ("queue_appointments.code", "uq_queue_appointments_code"),
];

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
        && f.code == rusqlite::ErrorCode::ConstraintViolation
    {
        {
            if let Some(cols) = msg.strip_prefix("UNIQUE constraint failed: ") {
                let name = UNIQUE_CONSTRAINTS.iter().find(|(c, _)| *c == cols).map_or("unknown_unique", |(_, n)| n);
                return StoreError::Unique { constraint: name.to_string() };
            }
            if let Some(name) = msg.strip_prefix("CHECK constraint failed: ") {
                return StoreError::Check { constraint: name.trim().to_string() };
            }
            if msg.starts_with("FOREIGN KEY") {
                return StoreError::ForeignKey { constraint: "unknown_foreign_key".into() };
            }
        }
    }
    if matches!(e, rusqlite::Error::SqliteFailure(ref f, _) if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    {
        return StoreError::Unavailable(e.to_string());
    }
    StoreError::Backend(e.to_string())
}

#[cfg(test)]
mod tests {
    use crate::{Location, Store, StoreError, StoreOptions, Value};
    use std::time::{Duration, Instant};

    /// Under writes from several threads the log is copied into the database and stays
    /// within the writer's bound, and no commit reports an error (a WAL hook that failed
    /// once made committed groups answer "SQL logic error").
    #[test]
    fn checkpoints_keep_the_log_bounded_and_never_fail_a_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = Store::open(&Location::Sqlite(path.clone()), StoreOptions::default()).unwrap();
        store.write_blocking(|db| db.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB NOT NULL)")).unwrap();
        let page = 4096u64;
        let per_thread = 2 * super::CHECKPOINT_PAGES_WRITER as u64;
        let threads = 4;
        let size = |suffix: &str| std::fs::metadata(format!("{}{suffix}", path.display())).map_or(0, |m| m.len());
        let largest_log = std::sync::atomic::AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..per_thread {
                        // About one page of data per transaction.
                        let r: Result<(), StoreError> = store.write_blocking(|db| {
                            db.execute("INSERT INTO t (b) VALUES ($1)", &[Value::Blob(vec![7; 3000])]).map(|_| ())
                        });
                        r.expect("every commit succeeds");
                        largest_log.fetch_max(size("-wal"), std::sync::atomic::Ordering::Relaxed);
                    }
                });
            }
        });
        let rows = per_thread * threads;
        // The log's own bound, plus the groups committed while the writer's pass waited
        // for the thread's.
        let bound = 2 * super::CHECKPOINT_PAGES_WRITER as u64 * (page + 24);
        let largest = largest_log.into_inner();
        assert!(largest < bound, "the log grew to {largest} bytes (bound {bound})");
        let deadline = Instant::now() + Duration::from_secs(30);
        while size("") < rows * 3000 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(size("") >= rows * 3000, "the database file holds the rows: {} bytes", size(""));
    }
}
