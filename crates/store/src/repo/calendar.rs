//! Calendar data loaded at run time: yearly schedules (line format, one row per revision)
//! and per-agency office hours (JSON).

use crate::{Db, StoreError, params};

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleRow {
    pub year: i64,
    pub revision: i64,
    pub source: String,
    pub loaded_at: i64,
    pub loaded_by: Option<String>,
}

pub fn insert_schedule(db: &mut Db, r: &ScheduleRow) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO calendar_schedules (year, revision, source, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5)",
        &params![r.year, r.revision, &r.source, r.loaded_at, r.loaded_by.clone()],
    )?;
    Ok(())
}

/// The highest revision of every year that has one.
pub fn latest_schedules(db: &mut Db) -> Result<Vec<ScheduleRow>, StoreError> {
    db.query(
        "SELECT s.year, s.revision, s.source, s.loaded_at, s.loaded_by FROM calendar_schedules s \
         WHERE s.revision = (SELECT MAX(t.revision) FROM calendar_schedules t WHERE t.year = s.year) ORDER BY s.year",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(ScheduleRow {
            year: r.i64(0)?,
            revision: r.i64(1)?,
            source: r.text(2)?,
            loaded_at: r.i64(3)?,
            loaded_by: r.opt_text(4)?,
        })
    })
    .collect()
}

pub fn put_office_hours(db: &mut Db, agency_id: &str, spec: &str, now_ms: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO agency_office_hours (agency_id, spec, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (agency_id) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at",
        &params![agency_id, spec, now_ms],
    )?;
    Ok(())
}

pub fn delete_office_hours(db: &mut Db, agency_id: &str) -> Result<u64, StoreError> {
    db.execute("DELETE FROM agency_office_hours WHERE agency_id = $1", &params![agency_id])
}

/// (agency id, JSON spec) of every agency with its own hours.
pub fn all_office_hours(db: &mut Db) -> Result<Vec<(String, String)>, StoreError> {
    db.query("SELECT agency_id, spec FROM agency_office_hours ORDER BY agency_id", &[])?
        .iter()
        .map(|r| Ok((r.text(0)?, r.text(1)?)))
        .collect()
}
