//! Procedure versions. The spec is stored whole as JSON; the columns beside it exist for
//! filtering, search and the 766 indicators, and are always written from the spec.

use super::like_escape;
use crate::{Db, Row, SqlBuilder, StoreError, params};
use motcua_domain::catalog::{Level, OnlineLevel, ProcedureSpec, VersionStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct VersionRecord {
    pub code: String,
    pub version: i64,
    pub status: VersionStatus,
    pub effective_from: Option<i64>,
    pub effective_to: Option<i64>,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub created_by: Option<String>,
    pub spec: ProcedureSpec,
}

const COLUMNS: &str =
    "v.code, v.version, v.status, v.effective_from, v.effective_to, v.published_at, v.created_at, v.created_by, s.spec";
const FROM: &str = "procedure_versions v JOIN procedure_specs s ON s.code = v.code AND s.version = v.version";

fn map(r: &Row) -> Result<VersionRecord, StoreError> {
    let status = r.text(2)?;
    let spec: ProcedureSpec =
        serde_json::from_str(&r.text(8)?).map_err(|e| StoreError::Decode(format!("procedure spec: {e}")))?;
    Ok(VersionRecord {
        code: r.text(0)?,
        version: r.i64(1)?,
        status: VersionStatus::parse(&status).ok_or_else(|| StoreError::Decode(format!("version status {status:?}")))?,
        effective_from: r.opt_i64(3)?,
        effective_to: r.opt_i64(4)?,
        published_at: r.opt_i64(5)?,
        created_at: r.i64(6)?,
        created_by: r.opt_text(7)?,
        spec,
    })
}

fn level_codes(levels: &[Level]) -> String {
    let mut s = String::from(",");
    for l in levels {
        s.push_str(match l {
            Level::Province => "province",
            Level::Commune => "commune",
        });
        s.push(',');
    }
    s
}

pub fn online_code(o: OnlineLevel) -> &'static str {
    match o {
        OnlineLevel::Full => "full",
        OnlineLevel::Partial => "partial",
        OnlineLevel::None => "none",
    }
}

pub fn procedure_exists(db: &mut Db, code: &str) -> Result<Option<i64>, StoreError> {
    db.query_opt("SELECT latest_version FROM procedures WHERE code = $1", &params![code])?.map(|r| r.i64(0)).transpose()
}

/// Inserts a version (and the procedure on its first version).
pub fn insert_version(db: &mut Db, v: &VersionRecord) -> Result<(), StoreError> {
    if v.version == 1 {
        db.execute(
            "INSERT INTO procedures (code, latest_version, replaced_by, created_at) VALUES ($1, 1, NULL, $2)",
            &params![&v.code, v.created_at],
        )?;
    } else {
        db.execute("UPDATE procedures SET latest_version = $2 WHERE code = $1", &params![&v.code, v.version])?;
    }
    let s = &v.spec;
    let legal_effective = s.legal_basis.iter().filter_map(|l| l.effective).max().map(|d| d.to_string());
    db.execute(
        "INSERT INTO procedure_versions (code, version, status, effective_from, effective_to, name, sector_code, sector_name, levels, \
         online_level, agency_code, complete, decision_number, decision_date, legal_effective, published_at, search_text, created_at, created_by) \
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)",
        &params![
            &v.code,
            v.version,
            v.status.code(),
            v.effective_from,
            v.effective_to,
            &s.name,
            &s.sector.code,
            &s.sector.name,
            level_codes(&s.levels),
            online_code(s.online_level),
            s.agency_code.clone(),
            s.is_complete(),
            &s.decision.number,
            s.decision.date.to_string(),
            legal_effective,
            v.published_at,
            s.search_text(),
            v.created_at,
            v.created_by.clone()
        ],
    )?;
    db.execute(
        "INSERT INTO procedure_specs (code, version, spec) VALUES ($1, $2, $3)",
        &params![&v.code, v.version, serde_json::to_string(s).map_err(|e| StoreError::Decode(e.to_string()))?],
    )?;
    Ok(())
}

/// Changes the status and window of an existing version.
pub fn set_window(
    db: &mut Db,
    code: &str,
    version: i64,
    status: VersionStatus,
    from: Option<i64>,
    to: Option<i64>,
    published_at: Option<i64>,
) -> Result<(), StoreError> {
    db.execute(
        "UPDATE procedure_versions SET status = $3, effective_from = $4, effective_to = $5, published_at = $6 WHERE code = $1 AND version = $2",
        &params![code, version, status.code(), from, to, published_at],
    )?;
    Ok(())
}

pub fn set_replaced_by(db: &mut Db, code: &str, by: &str) -> Result<(), StoreError> {
    db.execute("UPDATE procedures SET replaced_by = $2 WHERE code = $1", &params![code, by])?;
    Ok(())
}

pub fn get_version(db: &mut Db, code: &str, version: i64) -> Result<Option<VersionRecord>, StoreError> {
    db.query_opt(&format!("SELECT {COLUMNS} FROM {FROM} WHERE v.code = $1 AND v.version = $2"), &params![code, version])?
        .as_ref()
        .map(map)
        .transpose()
}

pub fn versions(db: &mut Db, code: &str) -> Result<Vec<VersionRecord>, StoreError> {
    db.query(&format!("SELECT {COLUMNS} FROM {FROM} WHERE v.code = $1 ORDER BY v.version"), &params![code])?
        .iter()
        .map(map)
        .collect()
}

/// The version in force at `at_ms` (none if not yet published, abolished or replaced by then).
pub fn in_force(db: &mut Db, code: &str, at_ms: i64) -> Result<Option<VersionRecord>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE v.code = $1 AND v.status <> 'draft' AND v.effective_from <= $2 \
             AND (v.effective_to IS NULL OR v.effective_to > $2) ORDER BY v.version DESC LIMIT 1"
        ),
        &params![code, at_ms],
    )?
    .as_ref()
    .map(map)
    .transpose()
}

/// Versions with an open or future window (what a new publication supersedes).
pub fn open_versions(db: &mut Db, code: &str) -> Result<Vec<VersionRecord>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE v.code = $1 AND v.status <> 'draft' AND v.effective_to IS NULL ORDER BY v.version"
        ),
        &params![code],
    )?
    .iter()
    .map(map)
    .collect()
}

pub fn replaced_by(db: &mut Db, code: &str) -> Result<Option<String>, StoreError> {
    Ok(db
        .query_opt("SELECT replaced_by FROM procedures WHERE code = $1", &params![code])?
        .and_then(|r| r.opt_text(0).ok().flatten()))
}

#[derive(Debug, Clone, Default)]
pub struct CatalogFilter {
    pub at_ms: i64,
    /// Folded words; every word must appear (prefixes match: "dang ky ho kinh"), in either
    /// spelling where Vietnamese has two (`text::i_y_variant`: "ki" finds "ky").
    pub words: Vec<String>,
    pub sector: Option<String>,
    pub level: Option<Level>,
    pub online_level: Option<OnlineLevel>,
    pub agency_code: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// One line of a search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub code: String,
    pub version: i64,
    pub name: String,
    pub sector_code: String,
    pub sector_name: String,
    pub levels: String,
    pub online_level: String,
    pub agency_code: Option<String>,
}

fn push_filters(q: &mut SqlBuilder, f: &CatalogFilter) {
    let a = q.bind(f.at_ms);
    let b = q.bind(f.at_ms);
    q.push(&format!(" AND status <> 'draft' AND effective_from <= {a} AND (effective_to IS NULL OR effective_to > {b})"));
    for w in f.words.iter().filter(|w| !w.is_empty()) {
        let ph = q.bind(format!("%{}%", like_escape(w)));
        match motcua_domain::text::i_y_variant(w) {
            Some(v) => {
                let alt = q.bind(format!("%{}%", like_escape(&v)));
                q.push(&format!(" AND (search_text LIKE {ph} ESCAPE '\\' OR search_text LIKE {alt} ESCAPE '\\')"));
            }
            None => {
                q.push(&format!(" AND search_text LIKE {ph} ESCAPE '\\'"));
            }
        }
    }
    if let Some(s) = &f.sector {
        let ph = q.bind(s);
        q.push(&format!(" AND sector_code = {ph}"));
    }
    if let Some(l) = f.level {
        let ph = q.bind(level_codes(&[l]));
        q.push(&format!(" AND levels LIKE '%' || {ph} || '%'"));
    }
    if let Some(o) = f.online_level {
        let ph = q.bind(online_code(o));
        q.push(&format!(" AND online_level = {ph}"));
    }
    if let Some(a) = &f.agency_code {
        let ph = q.bind(a);
        q.push(&format!(" AND agency_code = {ph}"));
    }
}

/// With search words, the names that are the phrase come first, then the names that begin
/// with it, then the rest. `search_text` is the folded "code name sector …", so a name
/// begins with the phrase when the text begins with "code phrase "; it is the phrase when
/// it also has the phrase's length (folding keeps one character per NFC character). Both
/// spellings of the phrase count (every i/y word swapped).
fn rank_by_name(q: &mut SqlBuilder, words: &[String]) -> String {
    let words: Vec<&str> = words.iter().map(String::as_str).filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return String::new();
    }
    let phrase = words.join(" ");
    let other = words.iter().map(|w| motcua_domain::text::i_y_variant(w).unwrap_or_else(|| w.to_string())).collect::<Vec<_>>();
    let mut begins = Vec::new();
    let mut exact = Vec::new();
    for p in [phrase.clone(), other.join(" ")] {
        let like = q.bind(format!("{} %", like_escape(&p)));
        let len = q.bind(p.chars().count() as i64);
        let cond = format!("search_text LIKE (LOWER(code) || ' ' || {like}) ESCAPE '\\'");
        exact.push(format!("({cond} AND LENGTH(name) = {len})"));
        begins.push(cond);
    }
    format!("CASE WHEN {} THEN 0 WHEN {} THEN 1 ELSE 2 END, ", exact.join(" OR "), begins.join(" OR "))
}

pub fn search(db: &mut Db, f: &CatalogFilter) -> Result<(Vec<Summary>, i64), StoreError> {
    let mut q = SqlBuilder::new(" FROM procedure_versions WHERE 1 = 1");
    push_filters(&mut q, f);
    let total = db.query_one(&format!("SELECT COUNT(*){}", q.sql), &q.params)?.i64(0)?;
    let rank = rank_by_name(&mut q, &f.words);
    let lim = q.bind(f.limit.clamp(1, 500));
    let off = q.bind(f.offset.max(0));
    let rows = db.query(
        &format!(
            "SELECT code, version, name, sector_code, sector_name, levels, online_level, agency_code{} ORDER BY {rank}sector_name, name, code LIMIT {lim} OFFSET {off}",
            q.sql
        ),
        &q.params,
    )?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Summary {
                code: r.text(0)?,
                version: r.i64(1)?,
                name: r.text(2)?,
                sector_code: r.text(3)?,
                sector_name: r.text(4)?,
                levels: r.text(5)?,
                online_level: r.text(6)?,
                agency_code: r.opt_text(7)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((items, total))
}

/// Every version in force at `at_ms`, whole (exports, open data).
pub fn all_in_force(db: &mut Db, at_ms: i64) -> Result<Vec<VersionRecord>, StoreError> {
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE v.status <> 'draft' AND v.effective_from <= $1 \
             AND (v.effective_to IS NULL OR v.effective_to > $1) ORDER BY v.code"
        ),
        &params![at_ms],
    )?
    .iter()
    .map(map)
    .collect()
}

/// Sectors of the procedures in force, with counts.
pub fn sectors(db: &mut Db, at_ms: i64) -> Result<Vec<(String, String, i64)>, StoreError> {
    db.query(
        "SELECT sector_code, MIN(sector_name), COUNT(*) FROM procedure_versions WHERE status <> 'draft' AND effective_from <= $1 \
         AND (effective_to IS NULL OR effective_to > $1) GROUP BY sector_code ORDER BY 2",
        &params![at_ms],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?, r.i64(2)?)))
    .collect()
}

/// Latest modification (for open-data metadata).
pub fn last_modified(db: &mut Db) -> Result<Option<i64>, StoreError> {
    db.query_one("SELECT MAX(created_at) FROM procedure_versions", &[])?.opt_i64(0)
}

/// Versions whose publishing decision is dated in `[from, to]` (YYYY-MM-DD), for 766 1.1/1.2.
pub fn decided_between(db: &mut Db, from: &str, to: &str) -> Result<Vec<VersionRecord>, StoreError> {
    db.query(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE v.status <> 'draft' AND v.decision_date >= $1 AND v.decision_date <= $2 ORDER BY v.code, v.version"),
        &params![from, to],
    )?
    .iter()
    .map(map)
    .collect()
}

pub fn count_procedures(db: &mut Db) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM procedures", &[])?.i64(0)
}
