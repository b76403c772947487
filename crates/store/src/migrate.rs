//! Migrations: two folders (`migrations/sqlite`, `migrations/postgres`) with the same
//! versions and names, embedded in the binary. A test keeps the folders and this list in step.

use crate::{Backend, Db, Store, StoreError, params};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
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
    migration!(34, "0034_retention"),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT NOT NULL CONSTRAINT pk_schema_migrations PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at BIGINT NOT NULL)";

/// Applies the migrations not yet applied, each in its own transaction; returns their names.
pub async fn run(store: &Store) -> Result<Vec<&'static str>, StoreError> {
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
    db.batch(CREATE_TABLE)?;
    if db.backend() == Backend::Postgres {
        // Two processes migrating at once take turns.
        db.query("SELECT pg_advisory_xact_lock(7461636)::text", &[])?;
    }
    if db.query_opt("SELECT version FROM schema_migrations WHERE version = $1", &params![m.version])?.is_some() {
        return Ok(false);
    }
    db.batch(match db.backend() {
        Backend::Sqlite => m.sqlite,
        Backend::Postgres => m.postgres,
    })?;
    let now = jiff::Timestamp::now().as_millisecond();
    db.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        &params![m.version, m.name, now],
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
}
