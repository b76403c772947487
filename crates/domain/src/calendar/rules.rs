//! Statutory public holidays (Bộ luật Lao động 2019, art. 112) and compensatory days
//! (art. 111(3)), used for the years that have no official schedule.

use super::CalendarError;
use super::schedule::OffReason;
use crate::lunar::{LunarDate, lunar_to_solar, tet};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use serde::{Deserialize, Serialize};

/// Which day next to 2/9 is the second National Day holiday. The law leaves it to the yearly
/// schedule ("2/9 and one day before or after"); the fallback is the day before (1/9),
/// which the 2025 and 2026 schedules used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjacentDay {
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    NewYear,
    LunarNewYear,
    HungKings,
    ReunificationDay,
    LabourDay,
    NationalDay,
    CultureDay,
}

impl HolidayKind {
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::NewYear => "Tết Dương lịch",
            Self::LunarNewYear => "Tết Âm lịch",
            Self::HungKings => "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            Self::ReunificationDay => "Ngày Chiến thắng (30/4)",
            Self::LabourDay => "Ngày Quốc tế lao động (1/5)",
            Self::NationalDay => "Quốc khánh (2/9)",
            Self::CultureDay => "Ngày Văn hóa Việt Nam (24/11)",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::NewYear => "New Year's Day",
            Self::LunarNewYear => "Lunar New Year (Tết)",
            Self::HungKings => "Hùng Kings' Commemoration Day (10th day of the 3rd lunar month)",
            Self::ReunificationDay => "Reunification Day (30 April)",
            Self::LabourDay => "International Labour Day (1 May)",
            Self::NationalDay => "National Day (2 September)",
            Self::CultureDay => "Vietnamese Culture Day (24 November)",
        }
    }
}

/// One statutory holiday date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Holiday {
    pub date: Date,
    pub kind: HolidayKind,
    /// The date the law itself fixes (1/1, 1st day of Tết, 10/3 lunar, 30/4, 1/5, 2/9,
    /// 24/11). The other Tết days and the second National Day are placed by each year's
    /// schedule, so an official schedule must give the fixed ones off but may move the rest.
    pub fixed: bool,
}

/// The statutory rules, configurable where the law or its application varies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRules {
    pub national_day_adjacent: AdjacentDay,
    /// 24/11 "Ngày Văn hóa Việt Nam" is a paid holiday on and after this date
    /// (Nghị quyết 28/2026/QH16, from 2026-07-01); `None` leaves it out.
    pub culture_day_from: Option<Date>,
    /// A holiday on a weekly rest day (Saturday or Sunday) gives a compensatory day off on
    /// the next working day (art. 111(3)).
    pub compensatory_days: bool,
    /// Whether 24/11 on a weekly rest day also gives a compensatory day. Its basis is
    /// Nghị quyết 28/2026/QH16 art. 2, not Bộ luật Lao động art. 112(1), so art. 111(3)
    /// does not reach it by itself (first case: Saturday 24/11/2029). Off until a text says
    /// otherwise; a year's official schedule that gives the day lists it as `compensatory`.
    #[serde(default)]
    pub culture_day_compensatory: bool,
}

impl Default for HolidayRules {
    fn default() -> Self {
        Self {
            national_day_adjacent: AdjacentDay::Before,
            culture_day_from: Some(date(2026, 7, 1)),
            compensatory_days: true,
            culture_day_compensatory: false,
        }
    }
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl HolidayRules {
    /// Statutory holidays of solar year `year`, in date order. Tết is the last day of the old
    /// lunar year and the first four days of the new one (the fallback when no schedule
    /// chooses the five days).
    pub fn holidays(&self, year: i32) -> Result<Vec<Holiday>, CalendarError> {
        let y = i16::try_from(year).map_err(|_| CalendarError::DateOutOfRange { value: year.to_string() })?;
        let fixed = |d: Date, kind| Holiday { date: d, kind, fixed: true };
        let mut out = vec![
            fixed(date(y, 1, 1), HolidayKind::NewYear),
            fixed(date(y, 4, 30), HolidayKind::ReunificationDay),
            fixed(date(y, 5, 1), HolidayKind::LabourDay),
            fixed(date(y, 9, 2), HolidayKind::NationalDay),
        ];
        let adjacent = match self.national_day_adjacent {
            AdjacentDay::Before => date(y, 9, 1),
            AdjacentDay::After => date(y, 9, 3),
        };
        out.push(Holiday { date: adjacent, kind: HolidayKind::NationalDay, fixed: false });
        let first_day = tet(year)?;
        out.push(fixed(first_day, HolidayKind::LunarNewYear));
        for offset in [-1i32, 1, 2, 3] {
            let d =
                first_day.checked_add(offset.days()).map_err(|_| CalendarError::DateOutOfRange { value: year.to_string() })?;
            out.push(Holiday { date: d, kind: HolidayKind::LunarNewYear, fixed: false });
        }
        out.push(fixed(lunar_to_solar(LunarDate::new(10, 3, year))?, HolidayKind::HungKings));
        let culture = date(y, 11, 24);
        if self.culture_day_from.is_some_and(|from| culture >= from) {
            out.push(fixed(culture, HolidayKind::CultureDay));
        }
        out.sort_by_key(|h| h.date);
        Ok(out)
    }

    /// Days off of a year without an official schedule: the holidays, and for every holiday
    /// on a weekly rest day, or on a date already taken by another holiday (Giỗ Tổ can fall
    /// on 30/4 or 1/5), a compensatory day on the next weekday that is not already off.
    pub fn days_off(&self, year: i32) -> Result<Vec<(Date, OffReason, HolidayKind)>, CalendarError> {
        let mut off: Vec<(Date, OffReason, HolidayKind)> = Vec::new();
        let mut owed = Vec::new();
        for h in self.holidays(year)? {
            let owes = h.kind != HolidayKind::CultureDay || self.culture_day_compensatory;
            if owes && (off.iter().any(|(d, ..)| *d == h.date) || is_weekend(h.date)) {
                owed.push(h);
            }
            if !off.iter().any(|(d, ..)| *d == h.date) {
                off.push((h.date, OffReason::Holiday, h.kind));
            }
        }
        if self.compensatory_days {
            for h in owed {
                let mut d = h.date;
                loop {
                    d = d.tomorrow().map_err(|_| CalendarError::DateOutOfRange { value: d.to_string() })?;
                    if !is_weekend(d) && !off.iter().any(|(o, ..)| *o == d) {
                        break;
                    }
                }
                off.push((d, OffReason::Compensatory, h.kind));
            }
        }
        off.sort_by_key(|(d, ..)| *d);
        Ok(off)
    }

    /// A stable text form, part of the calendar version hash.
    pub(crate) fn fingerprint(&self) -> String {
        let adjacent = match self.national_day_adjacent {
            AdjacentDay::Before => "before",
            AdjacentDay::After => "after",
        };
        let culture = self.culture_day_from.map(|d| d.to_string()).unwrap_or_else(|| "none".into());
        format!(
            "adjacent={adjacent};culture={culture};compensatory={};culture_compensatory={}",
            self.compensatory_days, self.culture_day_compensatory
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn off_dates(rules: &HolidayRules, year: i32) -> Vec<(Date, OffReason)> {
        rules.days_off(year).unwrap().into_iter().map(|(d, r, _)| (d, r)).collect()
    }

    #[test]
    fn statutory_2027() {
        // Spec §d.2: 2027 has no published schedule yet. Tết Đinh Mùi is Sat 06/02/2027.
        use OffReason::*;
        let got = off_dates(&HolidayRules::default(), 2027);
        let want = vec![
            (date(2027, 1, 1), Holiday),       // Friday
            (date(2027, 2, 5), Holiday),       // Fri, last day of Bính Ngọ
            (date(2027, 2, 6), Holiday),       // Sat, mùng 1
            (date(2027, 2, 7), Holiday),       // Sun, mùng 2
            (date(2027, 2, 8), Holiday),       // Mon
            (date(2027, 2, 9), Holiday),       // Tue
            (date(2027, 2, 10), Compensatory), // for Saturday
            (date(2027, 2, 11), Compensatory), // for Sunday
            (date(2027, 4, 16), Holiday),      // Fri, Giỗ Tổ
            (date(2027, 4, 30), Holiday),      // Fri
            (date(2027, 5, 1), Holiday),       // Sat
            (date(2027, 5, 3), Compensatory),  // Mon
            (date(2027, 9, 1), Holiday),       // Wed
            (date(2027, 9, 2), Holiday),       // Thu
            (date(2027, 11, 24), Holiday),     // Wed
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn culture_day_only_from_its_start() {
        let rules = HolidayRules::default();
        assert!(rules.holidays(2025).unwrap().iter().all(|h| h.kind != HolidayKind::CultureDay));
        assert!(rules.holidays(2026).unwrap().iter().any(|h| h.date == date(2026, 11, 24)));
        let none = HolidayRules { culture_day_from: None, ..HolidayRules::default() };
        assert!(none.holidays(2030).unwrap().iter().all(|h| h.kind != HolidayKind::CultureDay));
    }

    #[test]
    fn national_day_adjacent_is_configurable() {
        let after = HolidayRules { national_day_adjacent: AdjacentDay::After, ..HolidayRules::default() };
        let days: Vec<Date> = after.holidays(2027).unwrap().iter().map(|h| h.date).collect();
        assert!(days.contains(&date(2027, 9, 3)) && !days.contains(&date(2027, 9, 1)));
    }

    #[test]
    fn culture_day_on_a_weekend_gives_no_compensatory_day_unless_set() {
        // Saturday 24/11/2029: NQ 28/2026/QH16 made the day a holiday without art. 111(3).
        let rules = HolidayRules::default();
        let off = off_dates(&rules, 2029);
        assert!(off.contains(&(date(2029, 11, 24), OffReason::Holiday)));
        assert!(!off.iter().any(|(d, _)| *d == date(2029, 11, 26)), "no day off on Monday 26/11/2029: {off:?}");
        let set = HolidayRules { culture_day_compensatory: true, ..HolidayRules::default() };
        assert!(off_dates(&set, 2029).contains(&(date(2029, 11, 26), OffReason::Compensatory)));
        // The setting is part of the calendar's version, so deadlines say which rule they used.
        assert_ne!(rules.fingerprint(), set.fingerprint());
        // Other holidays still give theirs: Giỗ Tổ on Sunday 26/04/2026 → Monday 27/04.
        assert!(off_dates(&rules, 2026).contains(&(date(2026, 4, 27), OffReason::Compensatory)));
    }

    #[test]
    fn compensatory_days_follow_weekend_holidays() {
        // 2028: 1/1 is a Saturday → Monday 3/1 off; 2/9 Saturday, 1/9 Friday → Monday 4/9.
        let got = off_dates(&HolidayRules::default(), 2028);
        assert!(got.contains(&(date(2028, 1, 3), OffReason::Compensatory)));
        assert!(got.contains(&(date(2028, 9, 4), OffReason::Compensatory)));
        let none = HolidayRules { compensatory_days: false, ..HolidayRules::default() };
        assert!(off_dates(&none, 2028).iter().all(|(_, r)| *r == OffReason::Holiday));
    }

    #[test]
    fn every_year_has_its_holidays_and_no_weekday_is_lost() {
        let rules = HolidayRules::default();
        for year in 1900..=2199 {
            let hol = rules.holidays(year).unwrap();
            let off = rules.days_off(year).unwrap();
            assert!(off.iter().all(|(d, ..)| i32::from(d.year()) == year), "{year}");
            // Each holiday entitles one weekday off: weekdays off == number of holidays, but
            // for 24/11 on a weekend, which gives none by default.
            let weekdays_off = off.iter().filter(|(d, ..)| !is_weekend(*d)).count();
            let culture_on_weekend = hol.iter().filter(|h| h.kind == HolidayKind::CultureDay && is_weekend(h.date)).count();
            assert_eq!(weekdays_off, hol.len() - culture_on_weekend, "{year}");
        }
    }
}
