//! The national service index (Quyết định 766/QĐ-TTg, spec §c): how the figures of a unit
//! and period become points, group totals and a grade.
//!
//! The point table (groups, maxima, the ratio at which an indicator earns full points, the
//! zero-denominator rule, the grade bands) is data (`data/index766/*.json`, and revisions
//! stored by administrators), so a revision of the decision needs no code change. Which
//! counters feed each indicator's numerator and denominator is the application's.
//!
//! Points are exact: every ratio is kept as a fraction and every score as an integer number
//! of pico-points (10⁻¹² point); only display rounds, once, to the hundredth.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Pico-points per point: scores are integers of this unit, far below the hundredth shown.
pub const SCALE: i128 = 1_000_000_000_000;

/// The default point table (QĐ 766 with the maxima observed on the national portal).
pub const DEFAULT_TABLE_JSON: &str = include_str!("../../../data/index766/qd-766-2022.json");

/// What an indicator earns when its denominator is zero (spec §c.2, per indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoDenominator {
    /// "No data": shown apart from zero, adds nothing to the total.
    NoData,
    /// Full points (5.2, 5.3: no petition, nothing handled late).
    Full,
    /// Zero points with a ratio of 0 (5.4, the payment group).
    Zero,
    /// 1.4: the previous year's received count (÷12 for a month, ÷4 for a quarter) stands in;
    /// with no previous-year data the ratio is 0. The application supplies the figure.
    PreviousYear,
}

/// Where an indicator's figures come from (shown beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The per-day counters of the dossier log.
    Counters,
    /// The procedure catalog.
    Catalog,
    /// The reconciliation with the national portal (1.4).
    Reconciliation,
    /// Figures kept outside motcua, imported by an administrator.
    Import,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSpec {
    pub id: String,
    pub group: String,
    pub name_vi: String,
    pub name_en: String,
    /// Maximum points (0 for a monitoring indicator).
    pub max: f64,
    /// The ratio (in %) from which the indicator earns full points: points =
    /// max × min(1, R / full_at).
    pub full_at: f64,
    pub no_denominator: NoDenominator,
    pub source: Source,
    /// Shown, never scored (2.2, 5.1).
    #[serde(default)]
    pub monitoring: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    /// Lowest total (inclusive) of the band.
    pub min: f64,
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
}

/// One revision of the index's point table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointTable {
    pub version: String,
    /// First day (YYYY-MM-DD) of the periods it scores.
    pub effective_from: String,
    #[serde(default)]
    pub source: Option<String>,
    pub groups: Vec<GroupSpec>,
    pub indicators: Vec<IndicatorSpec>,
    pub grades: Vec<GradeBand>,
}

/// Why a point table is refused (machine code, Vietnamese message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    pub code: &'static str,
    pub message_vi: String,
}

fn hundredths(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

impl PointTable {
    pub fn default_table() -> Self {
        let t: Self = serde_json::from_str(DEFAULT_TABLE_JSON).expect("the default point table parses");
        t.validate().expect("the default point table is valid");
        t
    }

    /// Parses and checks a table: known groups, unique ids, indicator maxima adding up to
    /// each group's maximum, groups to 100, grade bands from 0 and descending.
    pub fn parse(json: &str) -> Result<Self, TableError> {
        let t: Self = serde_json::from_str(json)
            .map_err(|e| TableError { code: "invalid_table", message_vi: format!("Bảng điểm không hợp lệ: {e}") })?;
        t.validate()?;
        Ok(t)
    }

    pub fn validate(&self) -> Result<(), TableError> {
        let err = |code, m: String| Err(TableError { code, message_vi: m });
        if self.version.trim().is_empty() {
            return err("version_required", "Thiếu tên phiên bản bảng điểm.".into());
        }
        if jiff::civil::Date::strptime("%Y-%m-%d", &self.effective_from).is_err() {
            return err("invalid_date", format!("Ngày hiệu lực không hợp lệ: {}", self.effective_from));
        }
        let mut ids = std::collections::BTreeSet::new();
        for i in &self.indicators {
            if !ids.insert(&i.id) {
                return err("duplicate_indicator", format!("Chỉ tiêu {} lặp lại.", i.id));
            }
            if !self.groups.iter().any(|g| g.id == i.group) {
                return err("unknown_group", format!("Chỉ tiêu {} thuộc nhóm không có: {}.", i.id, i.group));
            }
            if !(i.max >= 0.0 && i.full_at > 0.0 && i.full_at <= 100.0) {
                return err(
                    "invalid_points",
                    format!("Chỉ tiêu {}: điểm tối đa ≥ 0 và mức đạt điểm tối đa trong (0, 100].", i.id),
                );
            }
            if i.monitoring && i.max != 0.0 {
                return err("invalid_points", format!("Chỉ tiêu theo dõi {} không có điểm.", i.id));
            }
        }
        for g in &self.groups {
            let sum: i64 = self.indicators.iter().filter(|i| i.group == g.id).map(|i| hundredths(i.max)).sum();
            if sum != hundredths(g.max) {
                return err(
                    "group_total",
                    format!("Nhóm {}: tổng điểm các chỉ tiêu {} khác điểm tối đa {}.", g.id, sum as f64 / 100.0, g.max),
                );
            }
        }
        if self.groups.iter().map(|g| hundredths(g.max)).sum::<i64>() != 10_000 {
            return err("total", "Tổng điểm các nhóm phải là 100.".into());
        }
        let descending = self.grades.windows(2).all(|w| w[0].min > w[1].min);
        if self.grades.is_empty() || !descending || self.grades.last().is_some_and(|g| g.min != 0.0) {
            return err("grades", "Các mức xếp loại phải giảm dần và mức cuối bắt đầu từ 0.".into());
        }
        Ok(())
    }

    pub fn indicator(&self, id: &str) -> Option<&IndicatorSpec> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The grade of a total given in pico-points.
    pub fn grade(&self, total: i128) -> &GradeBand {
        self.grades
            .iter()
            .find(|g| total >= i128::from(hundredths(g.min)) * SCALE / 100)
            .unwrap_or_else(|| self.grades.last().expect("validated: at least one band"))
    }
}

/// The raw figures of one indicator: ratio = numerator / denominator × factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figure {
    pub numerator: i64,
    pub denominator: i64,
    /// A factor on the ratio (3.3's sync coefficient, 1.4's previous-year stand-in), as a
    /// fraction; (1, 1) for most.
    pub factor: (i64, i64),
    /// Entered by an administrator from an outside source, not computed here.
    pub imported: bool,
}

impl Figure {
    pub fn new(numerator: i64, denominator: i64) -> Self {
        Self { numerator, denominator, factor: (1, 1), imported: false }
    }

    pub fn with_factor(self, num: i64, den: i64) -> Self {
        Self { factor: (num, den), ..self }
    }

    /// The ratio in pico-percent, exact to the unit (rounded half up), if there is a denominator.
    pub fn ratio(&self) -> Option<i128> {
        let den = i128::from(self.denominator) * i128::from(self.factor.1);
        (den > 0).then(|| div_round(i128::from(self.numerator) * i128::from(self.factor.0) * 100 * SCALE, den))
    }
}

fn div_round(n: i128, d: i128) -> i128 {
    (2 * n + d).div_euclid(2 * d)
}

/// One indicator of a unit and period, scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub id: String,
    pub group: String,
    pub name_vi: String,
    pub name_en: String,
    pub source: Source,
    pub monitoring: bool,
    /// None: no figure at all (nothing counted, nothing imported).
    pub figure: Option<Figure>,
    /// In pico-percent; None = no data.
    pub ratio: Option<i128>,
    /// In pico-points; None = no data.
    pub points: Option<i128>,
    pub max: i128,
    /// The zero-denominator rule gave the points (shown beside them).
    pub by_rule: bool,
}

impl Score {
    pub fn ratio_percent(&self) -> Option<f64> {
        self.ratio.map(display)
    }
    pub fn points_display(&self) -> Option<f64> {
        self.points.map(display)
    }
    pub fn max_display(&self) -> f64 {
        display(self.max)
    }
}

/// A pico-value rounded once to two decimals (half away from zero).
pub fn display(pico: i128) -> f64 {
    let hundredths = div_round(pico, SCALE / 100);
    hundredths as f64 / 100.0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupScore {
    pub id: String,
    pub name_vi: String,
    pub name_en: String,
    pub points: i128,
    pub max: i128,
    /// Scored indicators of the group with no data.
    pub no_data: usize,
}

/// A unit's index for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexResult {
    pub table_version: String,
    pub indicators: Vec<Score>,
    pub groups: Vec<GroupScore>,
    /// Pico-points.
    pub total: i128,
    pub grade: GradeBand,
    /// Scored indicators with no data (the total counts them as 0 points).
    pub no_data: usize,
}

impl IndexResult {
    pub fn total_display(&self) -> f64 {
        display(self.total)
    }
}

/// Scores one indicator from its figure.
pub fn score(spec: &IndicatorSpec, figure: Option<Figure>) -> Score {
    let max = i128::from(hundredths(spec.max)) * SCALE / 100;
    let full_at = i128::from(hundredths(spec.full_at));
    let mut by_rule = false;
    let (ratio, points) = match figure {
        Some(f) if f.denominator > 0 && f.factor.1 > 0 => {
            // points = max × min(1, R / full_at), R = 100 × n × a / (d × b) percent.
            let n = i128::from(f.numerator.max(0)) * i128::from(f.factor.0.max(0)) * 100 * 100;
            let d = i128::from(f.denominator) * i128::from(f.factor.1) * full_at;
            let points = if n >= d { max } else { div_round(max * n, d) };
            (f.ratio(), Some(points))
        }
        // A figure with no denominator takes the indicator's rule; no figure at all is no data.
        Some(_) => {
            by_rule = spec.no_denominator != NoDenominator::NoData;
            match spec.no_denominator {
                NoDenominator::Full => (None, Some(max)),
                NoDenominator::Zero | NoDenominator::PreviousYear => (Some(0), Some(0)),
                NoDenominator::NoData => (None, None),
            }
        }
        None => (None, None),
    };
    let points = if spec.monitoring { None } else { points };
    Score {
        id: spec.id.clone(),
        group: spec.group.clone(),
        name_vi: spec.name_vi.clone(),
        name_en: spec.name_en.clone(),
        source: spec.source,
        monitoring: spec.monitoring,
        figure,
        ratio,
        points,
        max,
        by_rule,
    }
}

/// Scores every indicator of the table from the figures by indicator id; the groups, the
/// total and the grade follow. Figures for ids the table does not know are ignored.
pub fn compute(table: &PointTable, figures: &BTreeMap<String, Figure>) -> IndexResult {
    let indicators: Vec<Score> = table.indicators.iter().map(|s| score(s, figures.get(&s.id).copied())).collect();
    let groups: Vec<GroupScore> = table
        .groups
        .iter()
        .map(|g| {
            let of = indicators.iter().filter(|s| s.group == g.id && !s.monitoring);
            GroupScore {
                id: g.id.clone(),
                name_vi: g.name_vi.clone(),
                name_en: g.name_en.clone(),
                points: of.clone().filter_map(|s| s.points).sum(),
                max: i128::from(hundredths(g.max)) * SCALE / 100,
                no_data: of.filter(|s| s.points.is_none()).count(),
            }
        })
        .collect();
    let total = groups.iter().map(|g| g.points).sum();
    IndexResult {
        table_version: table.version.clone(),
        no_data: groups.iter().map(|g| g.no_data).sum(),
        grade: table.grade(total).clone(),
        indicators,
        groups,
        total,
    }
}

/// A reporting period of the index (spec §c.1: month, quarter, year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Period {
    Month { year: i16, month: i8 },
    Quarter { year: i16, quarter: i8 },
    Year { year: i16 },
}

impl Period {
    /// `2026-11`, `2026-Q4` (or `2026-q4`), `2026`.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let year = |y: &str| y.parse::<i16>().ok().filter(|y| (2000..=2100).contains(y) && s.len() >= 4);
        match s.split_once('-') {
            None => Some(Self::Year { year: year(s)? }),
            Some((y, q)) if q.starts_with(['Q', 'q']) => {
                let quarter = q[1..].parse::<i8>().ok().filter(|q| (1..=4).contains(q))?;
                Some(Self::Quarter { year: year(y)?, quarter })
            }
            Some((y, m)) => {
                let month = m.parse::<i8>().ok().filter(|m| (1..=12).contains(m) && m_len_ok(s))?;
                Some(Self::Month { year: year(y)?, month })
            }
        }
    }

    pub fn key(&self) -> String {
        match self {
            Self::Month { year, month } => format!("{year}-{month:02}"),
            Self::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Self::Year { year } => format!("{year}"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Self::Month { .. } => "month",
            Self::Quarter { .. } => "quarter",
            Self::Year { .. } => "year",
        }
    }

    pub fn label_vi(&self) -> String {
        match self {
            Self::Month { year, month } => format!("Tháng {month}/{year}"),
            Self::Quarter { year, quarter } => format!("Quý {quarter}/{year}"),
            Self::Year { year } => format!("Năm {year}"),
        }
    }

    pub fn year(&self) -> i16 {
        match *self {
            Self::Month { year, .. } | Self::Quarter { year, .. } | Self::Year { year } => year,
        }
    }

    /// First and last day (inclusive).
    pub fn days(&self) -> (jiff::civil::Date, jiff::civil::Date) {
        let d = |y, m| jiff::civil::date(y, m, 1);
        let (first, months) = match *self {
            Self::Month { year, month } => (d(year, month), 1),
            Self::Quarter { year, quarter } => (d(year, (quarter - 1) * 3 + 1), 3),
            Self::Year { year } => (d(year, 1), 12),
        };
        let last = first.checked_add(jiff::Span::new().months(months)).and_then(|x| x.yesterday()).expect("in range");
        (first, last)
    }

    /// How many of these periods make a year (1.4's stand-in divides the previous year by it).
    pub fn per_year(&self) -> i64 {
        match self {
            Self::Month { .. } => 12,
            Self::Quarter { .. } => 4,
            Self::Year { .. } => 1,
        }
    }

    /// The same period a year earlier.
    pub fn previous_year(&self) -> Self {
        match *self {
            Self::Month { year, month } => Self::Month { year: year - 1, month },
            Self::Quarter { year, quarter } => Self::Quarter { year: year - 1, quarter },
            Self::Year { year } => Self::Year { year: year - 1 },
        }
    }

    /// The months of the period, in order (for trend charts).
    pub fn months(&self) -> Vec<Self> {
        let (first, last) = self.days();
        let mut out = Vec::new();
        let mut m = first;
        while m <= last {
            out.push(Self::Month { year: m.year(), month: m.month() });
            m = m.checked_add(jiff::Span::new().months(1)).expect("in range");
        }
        out
    }
}

fn m_len_ok(s: &str) -> bool {
    s.len() == 7
}

#[cfg(test)]
mod tests;
