//! Migrations: two folders (`migrations/sqlite`, `migrations/postgres`) with the same
//! versions and names, embedded in the binary. A test keeps the folders and this list in step.

use crate::{Backend, Db, Store, StoreError, params};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

// Not derived: the SQL texts would fill every panic message.
impl std::fmt::Debug for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Migration({})", self.name)
    }
}

macro_rules! migration {
    ($version:expr, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../../migrations/postgres/", $name, ".sql")),
        }
    };
}

// Before adding a migration: add the previous release's fixture databases
// (crates/cli/tests/fixtures/upgrade/make-fixture.sh; docs/operations.md "Upgrade"). An
// applied migration is never edited: its checksum would stop every database that ran it.
pub static MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_calendar"),
    migration!(3, "0003_catalog"),
    migration!(4, "0004_dossiers"),
    migration!(5, "0005_catalog_search"),
    migration!(6, "0006_api_tokens"),
    migration!(7, "0007_register_scope"),
    migration!(8, "0008_access_log"),
    migration!(9, "0009_filing_reference"),
    migration!(10, "0010_reception_check"),
    migration!(11, "0011_access_log_kind"),
    migration!(12, "0012_documents"),
    migration!(13, "0013_locker"),
    migration!(14, "0014_verification"),
    migration!(15, "0015_result_templates"),
    migration!(16, "0016_flat_inbox"),
    migration!(17, "0017_outbox_consumers"),
    migration!(18, "0018_inbox_counters"),
    migration!(19, "0019_finished_states"),
    migration!(20, "0020_search_per_group"),
    migration!(21, "0021_deadline_marks"),
    migration!(22, "0022_outbox_order"),
    migration!(23, "0023_oidc"),
    migration!(24, "0024_dvcqg_inbound"),
    migration!(25, "0025_reconciliations"),
    migration!(26, "0026_indicators"),
    migration!(27, "0027_notifications"),
    migration!(28, "0028_payments"),
    migration!(29, "0029_postal"),
    migration!(30, "0030_queue"),
    migration!(31, "0031_ratings"),
    migration!(32, "0032_petitions"),
    migration!(33, "0033_backups"),
    migration!(34, "0034_retention"),
];

// `checksum` (SHA-256 of the backend's SQL text, hex) came after the table: databases made
// before it get the column added by `prepare` and their checksums recorded on the first
// start of a binary that knows them (trust on first use, docs/operations.md "Upgrade").
const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL CONSTRAINT pk_schema_migrations PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL,
    checksum TEXT)";

impl Migration {
    pub fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }

    /// SHA-256 (hex) of this backend's SQL text, as recorded in `schema_migrations.checksum`.
    pub fn checksum(&self, backend: Backend) -> String {
        checksum(self.sql(backend))
    }
}

pub fn checksum(sql: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(sql.as_bytes()))
}

/// Why the database cannot be migrated (or served) by this binary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrateError {
    /// An applied migration's SQL differs from what was applied.
    #[error("{}\n{}", self.message_vi(), self.message_en())]
    ChecksumMismatch { version: i64, name: String, expected: String, found: String },
    /// The database has migrations this binary does not know: it was made by a newer release.
    #[error("{}\n{}", self.message_vi(), self.message_en())]
    NewerDatabase { unknown: Vec<(i64, String)>, latest_known: i64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MigrateError {
    pub fn code(&self) -> &'static str {
        match self {
            MigrateError::ChecksumMismatch { .. } => "migration_checksum_mismatch",
            MigrateError::NewerDatabase { .. } => "database_newer_than_binary",
            MigrateError::Store(_) => "store_error",
        }
    }

    pub fn message_vi(&self) -> String {
        match self {
            MigrateError::ChecksumMismatch { version, name, expected, found } => format!(
                "Migration {version} ({name}) đã được áp dụng nhưng nội dung SQL đã bị sửa: mã kiểm tra SHA-256 \
                 mong đợi (ghi trong cơ sở dữ liệu) {expected}, tìm thấy (trong chương trình này) {found}. \
                 Không khởi động, không áp dụng migration nào; hãy dùng đúng bản phát hành đã tạo cơ sở dữ liệu."
            ),
            MigrateError::NewerDatabase { unknown, latest_known } => format!(
                "Cơ sở dữ liệu mới hơn chương trình: đã áp dụng {} mà phiên bản này không biết \
                 (migration mới nhất nó biết: {latest_known}). Không khởi động, dữ liệu giữ nguyên; \
                 hãy cài bản motcua mới hơn hoặc khôi phục bản sao lưu tương ứng.",
                list(unknown)
            ),
            MigrateError::Store(e) => format!("Lỗi cơ sở dữ liệu: {e}"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            MigrateError::ChecksumMismatch { version, name, expected, found } => format!(
                "Migration {version} ({name}) was applied but its SQL has changed: SHA-256 expected \
                 (recorded in the database) {expected}, found (in this binary) {found}. \
                 Not starting, nothing migrated; run the release that made this database."
            ),
            MigrateError::NewerDatabase { unknown, latest_known } => format!(
                "The database is newer than this binary: it has {} applied, which this release does not know \
                 (its latest migration: {latest_known}). Not starting, the data is left as it is; \
                 install a newer motcua or restore the matching backup.",
                list(unknown)
            ),
            MigrateError::Store(e) => format!("database error: {e}"),
        }
    }
}

fn list(unknown: &[(i64, String)]) -> String {
    unknown.iter().map(|(v, n)| format!("{v} ({n})")).collect::<Vec<_>>().join(", ")
}

/// One row of `schema_migrations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub version: i64,
    pub name: String,
    /// None for a row recorded before checksums existed.
    pub checksum: Option<String>,
}

/// Compares what the database has applied with what this binary carries: the migrations
/// still to apply, or why not to go on (a changed applied migration, an unknown one).
pub fn check(
    backend: Backend,
    known: &'static [Migration],
    applied: &[Applied],
) -> Result<Vec<&'static Migration>, MigrateError> {
    let unknown: Vec<(i64, String)> =
        applied.iter().filter(|a| !known.iter().any(|m| m.version == a.version)).map(|a| (a.version, a.name.clone())).collect();
    if !unknown.is_empty() {
        return Err(MigrateError::NewerDatabase { unknown, latest_known: known.last().map_or(0, |m| m.version) });
    }
    for a in applied {
        let m = known.iter().find(|m| m.version == a.version).expect("unknown versions refused above");
        let ours = m.checksum(backend);
        if let Some(theirs) = &a.checksum
            && *theirs != ours
        {
            return Err(MigrateError::ChecksumMismatch {
                version: m.version,
                name: m.name.to_string(),
                expected: theirs.clone(),
                found: ours,
            });
        }
    }
    Ok(known.iter().filter(|m| !applied.iter().any(|a| a.version == m.version)).collect())
}

fn table_exists(db: &mut Db) -> Result<bool, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        Backend::Postgres => {
            "SELECT count(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
        }
    };
    Ok(db.query_one(sql, &[])?.i64(0)? > 0)
}

fn has_checksum_column(db: &mut Db) -> Result<bool, StoreError> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT count(*) FROM pragma_table_info('schema_migrations') WHERE name = 'checksum'",
        Backend::Postgres => {
            "SELECT count(*) FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = 'schema_migrations' AND column_name = 'checksum'"
        }
    };
    Ok(db.query_one(sql, &[])?.i64(0)? > 0)
}

/// The rows of `schema_migrations` (none when the table does not exist yet); reads only.
pub fn read_applied(db: &mut Db) -> Result<Vec<Applied>, StoreError> {
    if !table_exists(db)? {
        return Ok(Vec::new());
    }
    let sql = if has_checksum_column(db)? {
        "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
    } else {
        "SELECT version, name, NULL FROM schema_migrations ORDER BY version"
    };
    db.query(sql, &[])?.iter().map(|r| Ok(Applied { version: r.i64(0)?, name: r.text(1)?, checksum: r.opt_text(2)? })).collect()
}

/// What `run` would apply, without changing anything (`motcua migrate --dry-run`); the same
/// refusals as `run`.
pub fn plan(db: &mut Db) -> Result<Vec<&'static Migration>, MigrateError> {
    let applied = read_applied(db)?;
    check(db.backend(), MIGRATIONS, &applied)
}

/// Checks before anything is applied, in one transaction: the table and its checksum column
/// exist, no applied migration changed or is unknown; then records the checksums of applied
/// migrations that have none (trust on first use). An error rolls all of it back.
fn prepare(db: &mut Db) -> Result<usize, MigrateError> {
    db.batch(CREATE_TABLE)?;
    lock(db)?;
    if !has_checksum_column(db)? {
        db.batch("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT")?;
    }
    let applied = read_applied(db)?;
    check(db.backend(), MIGRATIONS, &applied)?;
    let mut recorded = 0;
    for a in applied.iter().filter(|a| a.checksum.is_none()) {
        let m = MIGRATIONS.iter().find(|m| m.version == a.version).expect("checked");
        db.execute(
            "UPDATE schema_migrations SET checksum = $1 WHERE version = $2",
            &params![m.checksum(db.backend()), m.version],
        )?;
        recorded += 1;
    }
    Ok(recorded)
}

fn lock(db: &mut Db) -> Result<(), StoreError> {
    if db.backend() == Backend::Postgres {
        // Two processes migrating at once take turns.
        db.query("SELECT pg_advisory_xact_lock(7461636)::text", &[])?;
    }
    Ok(())
}

/// Checks the applied migrations (see `prepare`), then applies the ones not yet applied,
/// each in its own transaction; returns their names.
pub async fn run(store: &Store) -> Result<Vec<&'static str>, MigrateError> {
    let recorded = store.write(prepare).await?;
    if recorded > 0 {
        tracing::info!(migrations = recorded, "checksums of already applied migrations recorded (first start with checksums)");
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        let did = store.write(move |db: &mut Db| apply(db, m)).await?;
        if did {
            applied.push(m.name);
        }
    }
    Ok(applied)
}

fn apply(db: &mut Db, m: &'static Migration) -> Result<bool, StoreError> {
    lock(db)?;
    if db.query_opt("SELECT version FROM schema_migrations WHERE version = $1", &params![m.version])?.is_some() {
        return Ok(false);
    }
    db.batch(m.sql(db.backend()))?;
    let now = jiff::Timestamp::now().as_millisecond();
    db.execute(
        "INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)",
        &params![m.version, m.name, now, m.checksum(db.backend())],
    )?;
    tracing::info!(version = m.version, name = m.name, "migration applied");
    Ok(true)
}

/// Versions applied so far (the table exists once `run` has run).
pub fn applied(db: &mut Db) -> Result<Vec<i64>, StoreError> {
    db.query("SELECT version FROM schema_migrations ORDER BY version", &[])?.iter().map(|r| r.i64(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn names(dir: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations").join(dir);
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".sql"))
            .map(|n| n.trim_end_matches(".sql").to_string())
            .collect()
    }

    #[test]
    fn folders_and_list_are_in_step() {
        let sqlite = names("sqlite");
        let postgres = names("postgres");
        assert_eq!(sqlite, postgres, "migrations/sqlite and migrations/postgres must hold the same files");
        let listed: BTreeSet<String> = MIGRATIONS.iter().map(|m| m.name.to_string()).collect();
        assert_eq!(listed, sqlite, "every migration file must be listed in MIGRATIONS");
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "versions are consecutive");
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{} starts with its version", m.name);
        }
    }

    #[test]
    fn constraint_names_are_the_same_in_both_folders() {
        let grab = |sql: &str| -> BTreeSet<String> {
            sql.split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .filter(|w| w[0] == "CONSTRAINT")
                .map(|w| w[1].to_string())
                .collect()
        };
        for m in MIGRATIONS {
            assert_eq!(grab(m.sqlite), grab(m.postgres), "{}", m.name);
        }
    }

    fn applied_rows(n: usize, backend: Backend) -> Vec<Applied> {
        MIGRATIONS[..n]
            .iter()
            .map(|m| Applied { version: m.version, name: m.name.into(), checksum: Some(m.checksum(backend)) })
            .collect()
    }

    #[test]
    fn check_lists_what_is_pending() {
        let all = check(Backend::Sqlite, MIGRATIONS, &[]).unwrap();
        assert_eq!(all.len(), MIGRATIONS.len());
        let rest = check(Backend::Postgres, MIGRATIONS, &applied_rows(3, Backend::Postgres)).unwrap();
        assert_eq!(rest.first().map(|m| m.version), Some(4));
        assert_eq!(rest.len(), MIGRATIONS.len() - 3);
        // Rows from before checksums are trusted (recorded on first use).
        let mut old = applied_rows(MIGRATIONS.len(), Backend::Sqlite);
        old.iter_mut().for_each(|a| a.checksum = None);
        assert!(check(Backend::Sqlite, MIGRATIONS, &old).unwrap().is_empty());
    }

    #[test]
    fn a_changed_applied_migration_is_refused() {
        let mut rows = applied_rows(5, Backend::Sqlite);
        rows[1].checksum = Some("0".repeat(64));
        let e = check(Backend::Sqlite, MIGRATIONS, &rows).unwrap_err();
        assert_eq!(e.code(), "migration_checksum_mismatch");
        let MigrateError::ChecksumMismatch { version, name, expected, found } = &e else { panic!("{e:?}") };
        assert_eq!((*version, name.as_str()), (2, "0002_calendar"));
        assert_eq!(expected, &"0".repeat(64));
        assert_eq!(found, &MIGRATIONS[1].checksum(Backend::Sqlite));
        let text = e.to_string();
        assert!(text.contains("đã bị sửa") && text.contains("has changed") && text.contains("0002_calendar"), "{text}");
        // A backend's checksum is its own SQL's: the other backend's does not match.
        let rows = applied_rows(2, Backend::Postgres);
        assert_eq!(check(Backend::Sqlite, MIGRATIONS, &rows).unwrap_err().code(), "migration_checksum_mismatch");
    }

    #[test]
    fn a_database_newer_than_the_binary_is_refused() {
        let mut rows = applied_rows(MIGRATIONS.len(), Backend::Sqlite);
        rows.push(Applied { version: 9001, name: "9001_future".into(), checksum: Some("ab".into()) });
        let e = check(Backend::Sqlite, MIGRATIONS, &rows).unwrap_err();
        assert_eq!(e.code(), "database_newer_than_binary");
        let text = e.to_string();
        assert!(text.contains("9001 (9001_future)") && text.contains("mới hơn") && text.contains("newer"), "{text}");
    }

    fn open(dir: &tempfile::TempDir) -> Store {
        Store::open(&crate::Location::Sqlite(dir.path().join("m.sqlite")), crate::StoreOptions::default()).unwrap()
    }

    #[test]
    fn old_table_gets_checksums_on_first_use_and_a_change_stops_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        // A database as made before checksums: the old table, two migrations applied.
        store
            .write_blocking(|db: &mut Db| -> Result<(), StoreError> {
                db.batch(
                    "CREATE TABLE schema_migrations (version BIGINT NOT NULL CONSTRAINT pk_schema_migrations PRIMARY KEY,
                     name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                )?;
                for m in &MIGRATIONS[..2] {
                    db.batch(m.sqlite)?;
                    db.execute("INSERT INTO schema_migrations VALUES ($1, $2, 0)", &params![m.version, m.name])?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(store.read_blocking(plan).unwrap().len(), MIGRATIONS.len() - 2);
        assert_eq!(store.write_blocking(prepare).unwrap(), 2);
        let rows = store.read_blocking(read_applied).unwrap();
        assert_eq!(rows[0].checksum.as_deref(), Some(MIGRATIONS[0].checksum(Backend::Sqlite).as_str()));
        assert_eq!(store.write_blocking(prepare).unwrap(), 0, "recorded once");

        // Someone edits migration 1 after it was applied (here: the recorded sum differs).
        store
            .write_blocking(|db: &mut Db| db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1", &[]))
            .unwrap();
        let e = store.write_blocking(prepare).unwrap_err();
        assert_eq!(e.code(), "migration_checksum_mismatch");
        assert_eq!(store.read_blocking(plan).unwrap_err(), e);
        assert_eq!(store.read_blocking(applied).unwrap(), vec![1, 2], "nothing migrated");
    }
}
