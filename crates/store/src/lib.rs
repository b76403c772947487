//! The store: the only crate that writes SQL. One set of statements and row mappings serves
//! SQLite (rusqlite: a writer thread with group commit and a pool of readers) and
//! PostgreSQL (a pool of clients with prepared-statement caches).

mod db;
pub mod files;
pub mod migrate;
mod pool;
pub mod postgres;
pub mod repo;
pub mod sqlite;
mod value;

pub use db::{Db, SqlBuilder};
pub use value::{Row, Value};

use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("unique constraint {constraint} violated")]
    Unique { constraint: String },
    #[error("foreign key {constraint} violated")]
    ForeignKey { constraint: String },
    #[error("check constraint {constraint} violated")]
    Check { constraint: String },
    #[error("cannot decode row: {0}")]
    Decode(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Backend(String),
}

/// Where the data lives: a SQLite file or a PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` / `postgresql://…` select PostgreSQL; `sqlite://path`, `sqlite:path`
    /// or a plain path select SQLite.
    pub fn parse(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Location::Postgres(url.to_string())
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            Location::Sqlite(PathBuf::from(path))
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct StoreOptions {
    pub sqlite: sqlite::SqliteOptions,
    pub pg_max_connections: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { sqlite: sqlite::SqliteOptions::default(), pg_max_connections: 16 }
    }
}

enum Engine {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// Cheap to clone; all clones share the connections.
#[derive(Clone)]
pub struct Store {
    engine: Arc<Engine>,
}

impl Store {
    /// Opens the database (blocking: call at start-up or from `spawn_blocking`).
    pub fn open(location: &Location, opts: StoreOptions) -> Result<Self, StoreError> {
        let engine = match location {
            Location::Sqlite(p) => Engine::Sqlite(sqlite::Sqlite::open(p, opts.sqlite)?),
            Location::Postgres(url) => Engine::Postgres(postgres::Postgres::open(url, opts.pg_max_connections)?),
        };
        Ok(Self { engine: Arc::new(engine) })
    }

    pub fn backend(&self) -> Backend {
        match &*self.engine {
            Engine::Sqlite(_) => Backend::Sqlite,
            Engine::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs `f` in one write transaction; Ok commits (durably, before this returns), Err
    /// rolls back everything `f` did.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Db) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &*self.engine {
            Engine::Sqlite(s) => {
                let (reply, rx) = tokio::sync::oneshot::channel();
                s.submit(Box::new(sqlite::WriteJob { f: Some(f), result: None, reply }))?;
                rx.await.map_err(|_| E::from(StoreError::Unavailable("the SQLite writer has stopped".into())))?
            }
            Engine::Postgres(_) => {
                let engine = self.engine.clone();
                tokio::task::spawn_blocking(move || match &*engine {
                    Engine::Postgres(p) => p.transaction(f),
                    Engine::Sqlite(_) => unreachable!("engine does not change"),
                })
                .await
                .map_err(|e| E::from(StoreError::Backend(format!("write task failed: {e}"))))?
            }
        }
    }

    /// `write` for a transaction that can run again: on SQLite it runs in its group without a
    /// savepoint (cheaper), and if a transaction of the group fails, the others roll back and
    /// run again without it. `f` must do nothing outside the database that a second run
    /// would repeat wrongly (decide and draw random values before, pass them in).
    pub async fn write_rerunnable<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: Fn(&mut Db) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &*self.engine {
            Engine::Sqlite(s) => {
                let (reply, rx) = tokio::sync::oneshot::channel();
                s.submit(Box::new(sqlite::RerunJob { f, result: None, reply }))?;
                rx.await.map_err(|_| E::from(StoreError::Unavailable("the SQLite writer has stopped".into())))?
            }
            Engine::Postgres(_) => self.write(f).await,
        }
    }

    /// Runs `f` on a read connection, in one snapshot. Writes are refused on SQLite (the
    /// read connections are read-only) and rolled back on PostgreSQL.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Db) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || match &*engine {
            Engine::Sqlite(s) => s.read(f).map_err(E::from)?,
            Engine::Postgres(p) => p.read_only(f),
        })
        .await
        .map_err(|e| E::from(StoreError::Backend(format!("read task failed: {e}"))))?
    }

    /// Blocking variant of `write` for the CLI and benchmarks outside a runtime.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Db) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        match &*self.engine {
            Engine::Sqlite(s) => {
                let (reply, rx) = tokio::sync::oneshot::channel();
                s.submit(Box::new(sqlite::WriteJob { f: Some(f), result: None, reply }))?;
                rx.blocking_recv().map_err(|_| E::from(StoreError::Unavailable("the SQLite writer has stopped".into())))?
            }
            Engine::Postgres(p) => p.transaction(f),
        }
    }

    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Db) -> Result<T, E>,
        E: From<StoreError>,
    {
        match &*self.engine {
            Engine::Sqlite(s) => s.read(f).map_err(E::from)?,
            Engine::Postgres(p) => p.read_only(f),
        }
    }

    /// SQLite: (statements compiled on a cache miss, statements SQLite recompiled) since the
    /// store opened, over the writer and the readers; None on PostgreSQL. For tests that
    /// check a warm path compiles nothing.
    pub fn statement_stats(&self) -> Option<(u64, u64)> {
        match &*self.engine {
            Engine::Sqlite(s) => Some(s.statement_stats().get()),
            Engine::Postgres(_) => None,
        }
    }

    /// Tells every process listening on `channel` (PostgreSQL `NOTIFY`, delivered at commit;
    /// a payload under 8000 bytes). On SQLite (one process) this does nothing.
    pub async fn notify(&self, channel: &'static str, payload: String) -> Result<(), StoreError> {
        if self.backend() == Backend::Sqlite {
            return Ok(());
        }
        self.write(move |db| db.query("SELECT pg_notify($1, $2)::text", &params![channel, payload]).map(|_| ())).await
    }

    /// Listens on `channel` in other processes' `notify` (see `postgres::Postgres::listen`);
    /// false on SQLite, where there are no other processes.
    pub fn listen(&self, channel: &'static str, on: impl FnMut(Option<&str>) -> bool + Send + 'static) -> bool {
        match &*self.engine {
            Engine::Postgres(p) => {
                p.listen(channel, on);
                true
            }
            Engine::Sqlite(_) => false,
        }
    }

    /// SQLite: the database file; None on PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        match &*self.engine {
            Engine::Sqlite(s) => Some(s.path()),
            Engine::Postgres(_) => None,
        }
    }

    /// SQLite: a consistent copy of the database at `dest`, taken while writes go on
    /// (`sqlite::Sqlite::snapshot`); blocking. PostgreSQL backs up with `pg_dump` instead.
    pub fn sqlite_snapshot(&self, dest: &std::path::Path) -> Result<(), StoreError> {
        match &*self.engine {
            Engine::Sqlite(s) => s.snapshot(dest),
            Engine::Postgres(_) => Err(StoreError::Backend("a PostgreSQL database is backed up with pg_dump".into())),
        }
    }

    /// The database's size in bytes: the SQLite file and its WAL, or PostgreSQL's
    /// `pg_database_size` of the current database.
    pub async fn database_bytes(&self) -> Result<u64, StoreError> {
        match &*self.engine {
            Engine::Sqlite(s) => {
                let path = s.path();
                let mut wal = path.as_os_str().to_owned();
                wal.push("-wal");
                let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
                Ok(size(path) + size(std::path::Path::new(&wal)))
            }
            Engine::Postgres(_) => {
                let n = self.read(|db| db.query_one("SELECT pg_database_size(current_database())::BIGINT", &[])?.i64(0)).await?;
                Ok(u64::try_from(n).unwrap_or(0))
            }
        }
    }

    /// Is the database answering? (`/readyz`)
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|db| db.query_one("SELECT 1", &[]).map(|_| ())).await
    }
}
