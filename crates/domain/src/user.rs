//! Users, roles and the self-validating types of their fields.

use crate::error::ValidationError;
use crate::text::clean;
use serde::{Deserialize, Serialize};

/// The roles of DESIGN.md §1. Officials hold a role at an agency (a membership).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Cán bộ một cửa: receives dossiers, returns results, runs the counter.
    ReceptionOfficer,
    /// Chuyên viên: appraises, asks for supplements, drafts results.
    Specialist,
    /// Lãnh đạo: approves and signs.
    Leader,
    /// Quản trị: agencies, users, catalog, workflows, calendar.
    Admin,
    /// Lãnh đạo UBND, trung tâm điều hành: dashboards and indicators.
    Supervisor,
    /// Thanh tra: petitions about officials' conduct, and who read petitioners' contacts.
    Inspector,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Self::ReceptionOfficer, Self::Specialist, Self::Leader, Self::Admin, Self::Supervisor, Self::Inspector];

    pub fn code(self) -> &'static str {
        match self {
            Self::ReceptionOfficer => "reception_officer",
            Self::Specialist => "specialist",
            Self::Leader => "leader",
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Inspector => "inspector",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::ReceptionOfficer => "Cán bộ tiếp nhận (một cửa)",
            Self::Specialist => "Chuyên viên",
            Self::Leader => "Lãnh đạo",
            Self::Admin => "Quản trị",
            Self::Supervisor => "Giám sát, điều hành",
            Self::Inspector => "Thanh tra",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::ReceptionOfficer => "Reception officer",
            Self::Specialist => "Specialist",
            Self::Leader => "Leader",
            Self::Admin => "Administrator",
            Self::Supervisor => "Supervisor",
            Self::Inspector => "Inspector",
        }
    }
}

/// Citizens and businesses file dossiers; officials serve agencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    Citizen,
    Official,
}

impl AccountType {
    pub fn code(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Official => "official",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Self::Citizen),
            "official" => Some(Self::Official),
            _ => None,
        }
    }
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> ValidationError {
    ValidationError::single(field, code, vi, en)
}

/// Login name: 3 to 64 of a-z, 0-9, '.', '_', '-'; stored lowercase.
pub fn parse_username(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = s.trim().to_ascii_lowercase();
    let ok = (3..=64).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(s)
    } else {
        Err(invalid(
            field,
            "invalid_username",
            "Tên đăng nhập phải có 3–64 ký tự, chỉ gồm chữ không dấu, số và . _ -",
            "The username must have 3–64 characters: unaccented letters, digits and . _ -",
        ))
    }
}

/// Person's full name: NFC, 2 to 150 characters, letters, spaces and a few marks.
pub fn parse_full_name(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = clean(s);
    let n = s.chars().count();
    let ok = (2..=150).contains(&n) && s.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '\'' || c == '-' || c == '.');
    if ok {
        Ok(s)
    } else {
        Err(invalid(
            field,
            "invalid_full_name",
            "Họ và tên phải có 2–150 ký tự và chỉ gồm chữ cái.",
            "The full name must have 2–150 characters and contain only letters.",
        ))
    }
}

pub fn parse_email(field: &str, s: &str) -> Result<String, ValidationError> {
    let s = s.trim().to_ascii_lowercase();
    let ok = s.len() <= 254
        && match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !s.contains(char::is_whitespace)
            }
            None => false,
        };
    if ok {
        Ok(s)
    } else {
        Err(invalid(field, "invalid_email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address."))
    }
}

/// Vietnamese phone number: mobile (10 digits) or landline (11 digits) starting with 0, or
/// the same with +84 instead of 0; stored in the national form 0…
pub fn parse_phone(field: &str, s: &str) -> Result<String, ValidationError> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
    let national = if let Some(rest) = digits.strip_prefix("+84") { format!("0{rest}") } else { digits };
    if (10..=11).contains(&national.len()) && national.starts_with('0') && national.chars().all(|c| c.is_ascii_digit()) {
        Ok(national)
    } else {
        Err(invalid(
            field,
            "invalid_phone",
            "Số điện thoại phải gồm 10 hoặc 11 chữ số, bắt đầu bằng 0 (hoặc +84).",
            "The phone number must have 10 or 11 digits starting with 0 (or +84).",
        ))
    }
}

/// Province codes that open a 12-digit citizen ID number (CCCD), per the Ministry of
/// Public Security's list (the 63 pre-2025 provinces; numbers are not reissued after mergers).
const CCCD_PROVINCES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48,
    49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

/// Citizen ID number (số định danh cá nhân / CCCD): 12 digits, a known province code first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CitizenId(String);

impl CitizenId {
    pub fn parse(field: &str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let ok = s.len() == 12
            && s.chars().all(|c| c.is_ascii_digit())
            && CCCD_PROVINCES.contains(&s[..3].parse::<u16>().unwrap_or(0));
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(invalid(
                field,
                "invalid_citizen_id",
                "Số định danh cá nhân phải gồm 12 chữ số, 3 số đầu là mã tỉnh nơi đăng ký khai sinh.",
                "The citizen ID must have 12 digits, the first 3 being a province code.",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Password policy: 10 to 128 characters with at least one letter and one digit.
pub fn check_password(field: &str, s: &str) -> Result<(), ValidationError> {
    let n = s.chars().count();
    if (10..=128).contains(&n) && s.chars().any(char::is_alphabetic) && s.chars().any(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(
            field,
            "weak_password",
            "Mật khẩu phải có 10–128 ký tự, gồm cả chữ và số.",
            "The password must have 10–128 characters, with letters and digits.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citizen_ids() {
        assert!(CitizenId::parse("id", "001099012345").is_ok());
        assert!(CitizenId::parse("id", "003099012345").is_err(), "003 is not a province code");
        assert!(CitizenId::parse("id", "00109901234").is_err());
        assert!(CitizenId::parse("id", "00109901234a").is_err());
    }

    #[test]
    fn phones_and_names() {
        assert_eq!(parse_phone("p", "+84 912 345 678").unwrap(), "0912345678");
        assert!(parse_phone("p", "12345").is_err());
        assert_eq!(parse_full_name("n", "  Nguyễn Thị Ánh ").unwrap(), "Nguyễn Thị Ánh");
        assert!(parse_full_name("n", "X<script>").is_err());
        assert!(parse_username("u", "Can.Bo_01").is_ok());
        assert!(parse_username("u", "cán bộ").is_err());
        assert!(parse_email("e", "a@b.vn").is_ok());
        assert!(parse_email("e", "a@b").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("p", "Motcua@2026").is_ok());
        assert!(check_password("p", "short1").is_err());
        assert!(check_password("p", "onlyletterslong").is_err());
    }
}
