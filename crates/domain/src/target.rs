//! Targets leaders set per unit and period (issue #16): "ít nhất 50 % hồ sơ trực tuyến",
//! "trên 90 % đúng hạn", "hài lòng ít nhất 90 %". A target is a percentage of one metric,
//! stored in hundredths of a percent (9 000 = 90 %), so no float is ever compared.
//!
//! The progress rule (`progress`), for a target `t` and the period's figures so far:
//! - `no_data`: nothing counted yet (denominator 0);
//! - `met`: the actual ratio reaches the target (numerator / denominator ≥ t, compared exactly);
//! - `at_risk`: below the target once at least a third of the period has elapsed
//!   (`AT_RISK_AFTER`) and the denominator is at least `MIN_DENOMINATOR`: early in a period,
//!   or on a handful of dossiers, a ratio says little, so nobody is alerted for it;
//! - `on_track`: below the target, but too early or on too few dossiers to tell.
//!
//! A period that is over and missed stays `at_risk` (everything has elapsed).

use crate::error::ValidationError;
use serde::Serialize;

/// A ratio on fewer dossiers than this is never "at risk" (too few to judge).
pub const MIN_DENOMINATOR: i64 = 10;

/// The share of the period (numerator, denominator) that must have elapsed before a target
/// below its mark is "at risk".
pub const AT_RISK_AFTER: (i64, i64) = (1, 3);

/// What a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Dossiers received online / received.
    OnlineShare,
    /// The 766 index's 2.1: finished early or on time + in progress not overdue / finished +
    /// in progress.
    OnTime,
    /// Dossiers digitized / received.
    Digitization,
    /// Rated satisfied / rated (satisfied + unsatisfied).
    Satisfaction,
    /// Results returned as electronic results / returned.
    EResults,
    /// Paid online / dossiers bearing a fee.
    OnlinePayment,
}

impl Metric {
    pub const ALL: [Metric; 6] =
        [Self::OnlineShare, Self::OnTime, Self::Digitization, Self::Satisfaction, Self::EResults, Self::OnlinePayment];

    pub fn code(self) -> &'static str {
        match self {
            Self::OnlineShare => "online_share",
            Self::OnTime => "on_time",
            Self::Digitization => "digitization",
            Self::Satisfaction => "satisfaction",
            Self::EResults => "e_results",
            Self::OnlinePayment => "online_payment",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::OnlineShare => "Tỷ lệ hồ sơ trực tuyến",
            Self::OnTime => "Tỷ lệ hồ sơ giải quyết đúng hạn",
            Self::Digitization => "Tỷ lệ hồ sơ được số hóa",
            Self::Satisfaction => "Tỷ lệ hài lòng",
            Self::EResults => "Tỷ lệ trả kết quả điện tử",
            Self::OnlinePayment => "Tỷ lệ thanh toán trực tuyến",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::OnlineShare => "Online dossiers",
            Self::OnTime => "Dossiers handled on time",
            Self::Digitization => "Dossiers digitized",
            Self::Satisfaction => "Satisfaction",
            Self::EResults => "Electronic results",
            Self::OnlinePayment => "Online payments",
        }
    }

    /// The counters (numerator, denominator) the ratio is made of; None for `OnTime`,
    /// which is the index's indicator 2.1 (it needs the state at the period's end).
    pub fn counters(self) -> Option<(&'static [&'static str], &'static [&'static str])> {
        match self {
            Self::OnlineShare => Some((&["received_online"], &["received"])),
            Self::OnTime => None,
            Self::Digitization => Some((&["digitized"], &["received"])),
            Self::Satisfaction => Some((&["rated_satisfied"], &["rated_satisfied", "rated_unsatisfied"])),
            Self::EResults => Some((&["e_result"], &["returned"])),
            Self::OnlinePayment => Some((&["paid_online"], &["fee_bearing"])),
        }
    }

    /// The metric of a code, or the error `unknown_metric`.
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        let code = code.trim();
        Self::ALL.into_iter().find(|m| m.code() == code).ok_or_else(|| {
            ValidationError::single(
                "metric",
                "unknown_metric",
                "Chỉ tiêu không được hỗ trợ: tỷ lệ trực tuyến, đúng hạn, số hóa, hài lòng, kết quả điện tử hoặc thanh toán trực tuyến.",
                "Unknown metric: online_share, on_time, digitization, satisfaction, e_results or online_payment.",
            )
        })
    }
}

fn invalid_target() -> ValidationError {
    ValidationError::single(
        "target_percent",
        "invalid_target",
        "Chỉ tiêu phải lớn hơn 0 % và không quá 100 % (tối đa hai chữ số thập phân).",
        "The target must be above 0 % and at most 100 % (at most two decimals).",
    )
}

/// A target in percent as given (`90`, `92.5`) → hundredths of a percent, checked:
/// 0 < target ≤ 100, at most two decimals.
pub fn target_from_percent(percent: f64) -> Result<i64, ValidationError> {
    if !percent.is_finite() {
        return Err(invalid_target());
    }
    let hundredths = (percent * 100.0).round();
    // More than two decimals is a typing slip, not a target (1e-6: float noise of 92.35).
    if (percent * 100.0 - hundredths).abs() > 1e-6 || hundredths <= 0.0 || hundredths > 10_000.0 {
        return Err(invalid_target());
    }
    Ok(hundredths as i64)
}

/// A target typed in a form (`90`, `92,5`, `92.5 %`) → hundredths of a percent.
pub fn target_from_text(s: &str) -> Result<i64, ValidationError> {
    let t = s.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-' || c == '+') {
        return Err(invalid_target());
    }
    target_from_percent(t.parse::<f64>().map_err(|_| invalid_target())?)
}

/// Hundredths of a percent for people: `90`, `92,5`, `92,35` (Vietnamese decimal comma).
pub fn percent_vi(hundredths: i64) -> String {
    let (whole, frac) = (hundredths / 100, (hundredths % 100).abs());
    match frac {
        0 => whole.to_string(),
        f if f % 10 == 0 => format!("{whole},{}", f / 10),
        f => format!("{whole},{f:02}"),
    }
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    OnTrack,
    AtRisk,
    NoData,
}

impl Status {
    pub fn code(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::OnTrack => "on_track",
            Self::AtRisk => "at_risk",
            Self::NoData => "no_data",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Met => "Đạt",
            Self::OnTrack => "Đang thực hiện",
            Self::AtRisk => "Có nguy cơ không đạt",
            Self::NoData => "Chưa có số liệu",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::Met => "Met",
            Self::OnTrack => "On track",
            Self::AtRisk => "At risk",
            Self::NoData => "No data",
        }
    }
}

/// A target against the figures so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub target: i64,
    pub numerator: i64,
    pub denominator: i64,
    /// The actual ratio in hundredths of a percent (rounded half up); None = no data.
    pub actual: Option<i64>,
    pub status: Status,
}

/// The progress of target `target` (hundredths of a percent) with `numerator/denominator` so
/// far, `elapsed` of the period's `total` days gone (see the module's rule).
pub fn progress(target: i64, numerator: i64, denominator: i64, elapsed: i64, total: i64) -> Progress {
    let (numerator, denominator) = (numerator.max(0), denominator.max(0));
    if denominator == 0 {
        return Progress { target, numerator, denominator, actual: None, status: Status::NoData };
    }
    let (n, d) = (i128::from(numerator), i128::from(denominator));
    let actual = ((n * 10_000 * 2 + d) / (2 * d)) as i64;
    let met = n * 10_000 >= i128::from(target) * d;
    let (a, b) = AT_RISK_AFTER;
    let late_enough = elapsed.max(0) * b >= total.max(1) * a;
    let status = if met {
        Status::Met
    } else if late_enough && denominator >= MIN_DENOMINATOR {
        Status::AtRisk
    } else {
        Status::OnTrack
    };
    Progress { target, numerator, denominator, actual: Some(actual), status }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_parse_by_code() {
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.code()).unwrap(), m);
        }
        let e = Metric::parse("happiness").unwrap_err();
        assert_eq!(e.0[0].code, "unknown_metric");
    }

    #[test]
    fn targets_are_hundredths_in_range() {
        assert_eq!(target_from_percent(90.0).unwrap(), 9_000);
        assert_eq!(target_from_percent(92.35).unwrap(), 9_235);
        assert_eq!(target_from_percent(100.0).unwrap(), 10_000);
        assert_eq!(target_from_percent(0.01).unwrap(), 1);
        for bad in [0.0, -5.0, 100.01, 120.0, f64::NAN, f64::INFINITY, 50.001] {
            assert_eq!(target_from_percent(bad).unwrap_err().0[0].code, "invalid_target", "{bad}");
        }
        assert_eq!(target_from_text("92,5").unwrap(), 9_250);
        assert_eq!(target_from_text(" 50 % ").unwrap(), 5_000);
        for bad in ["", "abc", "-5", "120", "1e2"] {
            assert_eq!(target_from_text(bad).unwrap_err().0[0].code, "invalid_target", "{bad}");
        }
    }

    #[test]
    fn percents_read_in_vietnamese() {
        assert_eq!(percent_vi(9_000), "90");
        assert_eq!(percent_vi(9_250), "92,5");
        assert_eq!(percent_vi(9_235), "92,35");
        assert_eq!(percent_vi(5), "0,05");
    }

    #[test]
    fn the_progress_rule() {
        // Nothing counted: no data, whatever the date.
        assert_eq!(progress(9_000, 0, 0, 30, 30).status, Status::NoData);
        // Exactly at the target is met (exact comparison: 9/10 = 90 %).
        let p = progress(9_000, 9, 10, 1, 30);
        assert_eq!((p.status, p.actual), (Status::Met, Some(9_000)));
        // Below, before a third of the period: on track.
        assert_eq!(progress(9_000, 8, 10, 9, 30).status, Status::OnTrack);
        // Below, a third elapsed, enough dossiers: at risk.
        assert_eq!(progress(9_000, 8, 10, 10, 30).status, Status::AtRisk);
        // Below, late, but too few dossiers: on track.
        assert_eq!(progress(9_000, 1, 9, 30, 30).status, Status::OnTrack);
        // Rounded half up for display, compared exactly: 2/3 = 66,67 % < 66,67 %.
        let p = progress(6_667, 2, 3, 0, 30);
        assert_eq!((p.actual, p.status), (Some(6_667), Status::OnTrack));
        assert_eq!(progress(6_666, 2, 3, 0, 30).status, Status::Met);
    }
}
