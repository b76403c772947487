//! Retention of finished dossiers (issue #19): how long a procedure's dossiers are kept
//! before they are due for archival and, once archived, for the deletion of the applicant's
//! personal data; and what that deletion takes out of an event.
//!
//! The spec (`vn-spec.md`) names no retention period: the periods come from `[retention]`
//! (a default, then per sector, then per procedure, the most specific winning), and
//! `docs/operations.md` says which texts an operator should read to set them.
//!
//! A period counts from the end of the calendar year in which the dossier finished (archival
//! practice counts a file's period from the year its work ended): a dossier finished on any
//! day of 2026 with a 10-year period is due on 1 January 2037 (Vietnamese time).

use crate::dossier::Event;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What replaces a deleted personal value.
pub const PURGED: &str = "[đã xóa]";

/// How long a dossier is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Period {
    /// Whole years after the year of finishing (at least 1).
    Years(u16),
    /// Kept for ever (`"permanent"`): never due.
    Permanent(PermanentTag),
}

/// The word `permanent` in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermanentTag {
    Permanent,
}

impl Period {
    pub const PERMANENT: Self = Self::Permanent(PermanentTag::Permanent);

    /// Years, or `None` for permanent.
    pub fn years(self) -> Option<u16> {
        match self {
            Self::Years(y) => Some(y),
            Self::Permanent(_) => None,
        }
    }

    /// `10 năm` or `vĩnh viễn`.
    pub fn label_vi(self) -> String {
        match self {
            Self::Years(y) => format!("{y} năm"),
            Self::Permanent(_) => "vĩnh viễn".into(),
        }
    }

    /// `10` or `permanent` (CSV, JSON).
    pub fn code(self) -> String {
        match self {
            Self::Years(y) => y.to_string(),
            Self::Permanent(_) => "permanent".into(),
        }
    }
}

/// `[retention]`: the periods. Keys of `sectors` are the catalog's sector codes
/// (`procedure_versions.sector_code`), keys of `procedures` the procedure codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// The period of every procedure without a more specific one.
    pub default_period: Period,
    pub sectors: BTreeMap<String, Period>,
    pub procedures: BTreeMap<String, Period>,
    /// Most rows of one page of the due report (and of one purge run).
    pub page_size: usize,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self { default_period: Period::Years(10), sectors: BTreeMap::new(), procedures: BTreeMap::new(), page_size: 100 }
    }
}

/// A period of 0 years or above 100 is a typing mistake, not a policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("retention period {0} years is outside 1..=100 (use \"permanent\" to keep for ever)")]
pub struct BadPeriod(pub u16);

impl RetentionConfig {
    pub fn validate(&self) -> Result<(), BadPeriod> {
        let all = std::iter::once(&self.default_period).chain(self.sectors.values()).chain(self.procedures.values());
        for p in all {
            if let Period::Years(y) = *p
                && !(1..=100).contains(&y)
            {
                return Err(BadPeriod(y));
            }
        }
        Ok(())
    }

    /// The period of a procedure: by its code, else by its sector, else the default.
    pub fn period_for(&self, procedure_code: &str, sector_code: Option<&str>) -> Period {
        self.procedures
            .get(procedure_code)
            .or_else(|| sector_code.and_then(|s| self.sectors.get(s)))
            .copied()
            .unwrap_or(self.default_period)
    }
}

/// The first day on which a dossier finished on `finished` is due: 1 January of the year
/// after `years` full years following the year of finishing. `None` when permanent.
pub fn due_date(finished: Date, period: Period) -> Option<Date> {
    let years = i16::try_from(period.years()?).ok()?;
    Date::new(finished.year().checked_add(years)?.checked_add(1)?, 1, 1).ok()
}

/// The latest finishing date whose dossiers are due on `as_of` under `period` (dossiers
/// finished before 1 January of the returned year + 1 are due): the cut-off as the first
/// day that is NOT due yet. `None` when permanent.
pub fn not_due_from(as_of: Date, period: Period) -> Option<Date> {
    let years = i16::try_from(period.years()?).ok()?;
    // Due iff finished.year + years + 1 <= as_of.year iff finished < 1 Jan (as_of.year - years).
    Date::new(as_of.year().checked_sub(years)?, 1, 1).ok()
}

/// Replaces the applicant's personal data in an event with [`PURGED`]: name, ID number,
/// phone, e-mail, address, the postal address, the names of uploaded files (a file name
/// often carries the applicant's name) and a rating's comment. What the statistics and
/// the replay need (procedure, agencies, times, timeliness, components, file digests)
/// stays. Answers whether anything changed.
pub fn redact_event(e: &mut Event) -> bool {
    let before = e.clone();
    let mark = |s: &mut String| {
        if !s.is_empty() {
            *s = PURGED.into();
        }
    };
    let mark_opt = |s: &mut Option<String>| {
        if s.is_some() {
            *s = Some(PURGED.into());
        }
    };
    match e {
        Event::Created { applicant, .. } => {
            mark(&mut applicant.name);
            mark_opt(&mut applicant.id_number);
            mark_opt(&mut applicant.phone);
            mark_opt(&mut applicant.email);
            mark_opt(&mut applicant.address);
        }
        Event::PostalChosen { address, .. } => {
            mark(&mut address.recipient);
            mark(&mut address.phone);
            mark(&mut address.street);
        }
        Event::FileAttached { file } | Event::ComponentDigitized { file, .. } => mark(&mut file.name),
        Event::Rated { comment, .. } => mark_opt(comment),
        Event::SupplementSupplied { note, .. } => mark_opt(note),
        _ => {}
    }
    *e != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn cfg() -> RetentionConfig {
        RetentionConfig {
            default_period: Period::Years(10),
            sectors: [("HT".to_string(), Period::Years(20)), ("DD".to_string(), Period::PERMANENT)].into(),
            procedures: [("1.000001".to_string(), Period::Years(5))].into(),
            page_size: 100,
        }
    }

    #[test]
    fn the_most_specific_period_wins() {
        let c = cfg();
        assert_eq!(c.period_for("1.000001", Some("HT")), Period::Years(5));
        assert_eq!(c.period_for("1.000002", Some("HT")), Period::Years(20));
        assert_eq!(c.period_for("1.000002", Some("DD")), Period::PERMANENT);
        assert_eq!(c.period_for("1.000002", None), Period::Years(10));
        assert_eq!(c.period_for("1.000002", Some("XX")), Period::Years(10));
    }

    #[test]
    fn a_period_counts_from_the_end_of_the_year_of_finishing() {
        assert_eq!(due_date(date(2026, 1, 1), Period::Years(10)), Some(date(2037, 1, 1)));
        assert_eq!(due_date(date(2026, 12, 31), Period::Years(10)), Some(date(2037, 1, 1)));
        assert_eq!(due_date(date(2026, 5, 1), Period::PERMANENT), None);
        // The cut-off agrees with the due date on both sides of it.
        for (finished, as_of) in [(date(2026, 12, 31), date(2037, 1, 1)), (date(2026, 1, 1), date(2036, 12, 31))] {
            let cut = not_due_from(as_of, Period::Years(10)).unwrap();
            assert_eq!(finished < cut, due_date(finished, Period::Years(10)).unwrap() <= as_of, "{finished} {as_of}");
        }
    }

    #[test]
    fn the_configuration_reads_years_and_permanent() {
        let c: RetentionConfig = serde_json::from_value(serde_json::json!({
            "default_period": 15, "sectors": {"HT": "permanent"}, "procedures": {"1.0": 3}
        }))
        .unwrap();
        assert_eq!(c.default_period, Period::Years(15));
        assert_eq!(c.sectors["HT"], Period::PERMANENT);
        assert!(c.validate().is_ok());
        assert!(serde_json::from_value::<RetentionConfig>(serde_json::json!({"default_period": "forever"})).is_err());
        let bad = RetentionConfig { default_period: Period::Years(0), ..RetentionConfig::default() };
        assert_eq!(bad.validate(), Err(BadPeriod(0)));
    }
}
