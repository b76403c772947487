//! The one formatter of times, dates, money and file sizes for pages.

use super::Lang;
use motcua_domain::dossier::Status;

/// A local date and time in Vietnam ("dd/mm/yyyy HH:MM"), "—" when absent.
pub fn when(ms: Option<i64>) -> String {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| motcua_domain::calendar::local_datetime(t).strftime("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A local time and date in Vietnam, time first ("HH:MM dd/mm/yyyy", as on the officers'
/// pages, the receipt and the register), "—" when absent.
pub fn hour_day(ms: Option<i64>) -> String {
    ms.map(motcua_app::error::hanoi_time).unwrap_or_else(|| "—".into())
}

/// A local time to the second and date in Vietnam ("HH:MM:SS dd/mm/yyyy", for logs).
pub fn second_day(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| motcua_domain::calendar::local_datetime(t).strftime("%H:%M:%S %d/%m/%Y").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// A local date in Vietnam ("dd/mm/yyyy"), "" when absent.
pub fn day(ms: Option<i64>) -> String {
    ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| motcua_domain::calendar::local_date(t).strftime("%d/%m/%Y").to_string())
        .unwrap_or_default()
}

pub use motcua_domain::text::money;

/// A file size for people ("12 KB", "3.4 MB").
pub fn size(bytes: i64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else {
        format!("{} KB", ((bytes + 999) / 1000).max(1))
    }
}

/// A dossier status for people: the label in the page language and the national code.
pub fn status_text(lang: Lang, s: Status) -> String {
    let label = lang.t(s.label_vi(), s.label_en());
    match s.national_code() {
        Some(n) => format!("{label} ({} {n})", lang.t("mã trạng thái", "status code")),
        None => label.to_string(),
    }
}

/// A legal or step time limit for people ("10 ngày làm việc", "Within the day").
pub fn time_limit(lang: Lang, t: motcua_domain::calendar::TimeLimit) -> String {
    use motcua_domain::calendar::TimeLimit;
    // The Vietnamese words are the domain's (the PDF forms print the same).
    if lang == Lang::Vi {
        return t.label_vi();
    }
    if t == TimeLimit::WITHIN_DAY {
        return "Within the day".into();
    }
    format!("{} {}", t.value, time_unit(lang, t.unit))
}

/// A time limit's unit in words ("ngày làm việc", "working days").
pub fn time_unit(lang: Lang, u: motcua_domain::calendar::TimeUnit) -> &'static str {
    use motcua_domain::calendar::TimeUnit;
    match (u, lang) {
        (u, Lang::Vi) => u.label_vi(),
        (TimeUnit::Hours, Lang::En) => "office hours",
        (TimeUnit::Days, Lang::En) => "days",
        (TimeUnit::WorkingDays, Lang::En) => "working days",
        (TimeUnit::Months, Lang::En) => "months",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_size() {
        assert_eq!(money(1_500_000), "1.500.000 đồng");
        assert_eq!(money(500), "500 đồng");
        assert_eq!(money(-1000), "-1.000 đồng");
        assert_eq!(size(1), "1 KB");
        assert_eq!(size(3_400_000), "3.4 MB");
        // 2026-03-02 01:02:03 UTC is 08:02:03 in Vietnam.
        assert_eq!(second_day(1_772_413_323_000), "08:02:03 02/03/2026");
    }
}
