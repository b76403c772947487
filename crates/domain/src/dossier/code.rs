//! The dossier code `AGENCYCODE-YYMMDD-NNNN` (TT 01/2018 art. 19; spec §b.3): the agency's
//! electronic identifier, the reception date in Asia/Ho_Chi_Minh and the running number of
//! that agency's dossiers that day (four digits at least, more past 9,999).

use crate::calendar::local_date;
use jiff::Timestamp;
use jiff::civil::Date;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DossierCode {
    pub agency: String,
    pub day: Date,
    pub number: u32,
}

impl DossierCode {
    /// The code of the `number`-th dossier received by `agency` on the local day of `at`.
    pub fn new(agency: &str, at: Timestamp, number: u32) -> Self {
        Self { agency: agency.to_string(), day: local_date(at), number }
    }

    /// `YYMMDD` of the reception day (the key of the daily sequence, with the agency).
    pub fn day_key(day: Date) -> String {
        format!("{:02}{:02}{:02}", day.year().rem_euclid(100), day.month(), day.day())
    }

    /// Splits on the last two hyphens: the agency part is opaque (it may contain dots and
    /// even hyphens); the date has 6 digits (or 8 on ministry systems) and the number ≥ 4.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (rest, number) = s.rsplit_once('-')?;
        let (agency, date) = rest.rsplit_once('-')?;
        if agency.is_empty() || number.len() < 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if !date.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (y, md) = match date.len() {
            6 => (2000 + date[..2].parse::<i16>().ok()?, &date[2..]),
            8 => (date[..4].parse::<i16>().ok()?, &date[4..]),
            _ => return None,
        };
        let day = Date::new(y, md[..2].parse().ok()?, md[2..].parse().ok()?).ok()?;
        Some(Self { agency: agency.to_string(), day, number: number.parse().ok()? })
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", self.agency, Self::day_key(self.day), self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_parse() {
        // 23:30 UTC on 31 Dec is already 1 Jan in Vietnam.
        let t: Timestamp = "2026-12-31T17:00:05Z".parse().unwrap();
        let c = DossierCode::new("000.00.20.H40", t, 1);
        assert_eq!(c.to_string(), "000.00.20.H40-270101-0001");
        assert_eq!(DossierCode::parse(&c.to_string()), Some(c));
        let big = DossierCode::new("H15.50.05.13", "2026-10-08T03:00:00Z".parse().unwrap(), 12345);
        assert_eq!(big.to_string(), "H15.50.05.13-261008-12345");
        assert_eq!(DossierCode::parse("H15.50.05.13-261008-0975").unwrap().number, 975);
        assert_eq!(DossierCode::parse("G09.20-20260609-0092637").unwrap().day, Date::constant(2026, 6, 9));
        for bad in ["", "X-261008-12", "X-261308-0001", "-261008-0001", "X-26100-0001", "X-261008-00a1"] {
            assert_eq!(DossierCode::parse(bad), None, "{bad}");
        }
    }
}
