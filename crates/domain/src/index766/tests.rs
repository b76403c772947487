use super::*;

fn fig(n: i64, d: i64) -> Figure {
    Figure::new(n, d)
}

fn one(id: &str, f: Option<Figure>) -> Score {
    let t = PointTable::default_table();
    score(t.indicator(id).unwrap(), f)
}

#[test]
fn the_default_table_adds_up_to_100_in_six_groups() {
    let t = PointTable::default_table();
    let max: Vec<f64> = t.groups.iter().map(|g| g.max).collect();
    assert_eq!(max, [18.0, 20.0, 12.0, 22.0, 10.0, 18.0]);
    assert_eq!(t.indicators.iter().filter(|i| !i.monitoring).count(), 21);
}

#[test]
fn linear_indicators_are_max_times_the_ratio() {
    // 2.1: 17 of 20 on time → 85 % → 20 × 0.85 = 17.
    let s = one("2.1", Some(fig(17, 20)));
    assert_eq!((s.ratio_percent(), s.points_display(), s.max_display()), (Some(85.0), Some(17.0), 20.0));
    // 3.2: one of three online services had a dossier → 4/3 = 1.3333… → 1.33.
    let s = one("3.2", Some(fig(1, 3)));
    assert_eq!((s.ratio_percent(), s.points_display()), (Some(33.33), Some(1.33)));
    assert_eq!(s.points, Some(1_333_333_333_333));
}

#[test]
fn full_at_indicators_cap_at_their_threshold() {
    // 3.1 is full from 80 %: 70 % → 2 × 70/80 = 1.75; 90 % → 2.
    assert_eq!(one("3.1", Some(fig(7, 10))).points_display(), Some(1.75));
    assert_eq!(one("3.1", Some(fig(9, 10))).points_display(), Some(2.0));
    // 3.3 is full from 50 %.
    assert_eq!(one("3.3", Some(fig(30, 100))).points_display(), Some(3.6));
    assert_eq!(one("3.3", Some(fig(60, 100))).points_display(), Some(6.0));
    // 4.3 from 80 %, 5.4 from 90 %.
    assert_eq!(one("4.3", Some(fig(1, 3))).points_display(), Some(0.83));
    assert_eq!(one("5.4", Some(fig(80, 100))).points_display(), Some(5.33));
    assert_eq!(one("5.4", Some(fig(95, 100))).points_display(), Some(6.0));
    // The payment group: 3.6 is 6·A, 3.5b is min(2, 2.5·B), 3.5a min(2, 2.5·C).
    assert_eq!(one("3.6", Some(fig(10, 40))).points_display(), Some(1.5));
    assert_eq!(one("3.5b", Some(fig(1, 2))).points_display(), Some(1.25));
    assert_eq!(one("3.5a", Some(fig(4, 5))).points_display(), Some(2.0));
}

#[test]
fn the_sync_coefficient_scales_the_online_share() {
    // 3.3: 30 % online × 1.4's ratio 0.9 → 27 % → 6 × 27/50 = 3.24.
    let s = one("3.3", Some(fig(30, 100).with_factor(45, 50)));
    assert_eq!((s.ratio_percent(), s.points_display()), (Some(27.0), Some(3.24)));
}

#[test]
fn every_zero_denominator_rule() {
    // No data: shown apart from zero, no points.
    let s = one("2.1", Some(fig(0, 0)));
    assert_eq!((s.ratio, s.points, s.by_rule), (None, None, false));
    // A true zero is a zero.
    let s = one("2.1", Some(fig(0, 5)));
    assert_eq!((s.ratio, s.points), (Some(0), Some(0)));
    // 5.2 and 5.3: full points without petitions.
    for id in ["5.2", "5.3"] {
        let s = one(id, Some(fig(0, 0)));
        assert_eq!((s.ratio, s.points_display(), s.by_rule), (None, Some(6.0), true), "{id}");
    }
    // 5.4 and the payment group: 0.
    for id in ["5.4", "3.5a", "3.5b", "3.6"] {
        let s = one(id, Some(fig(0, 0)));
        assert_eq!((s.ratio, s.points, s.by_rule), (Some(0), Some(0), true), "{id}");
    }
    // 1.4: the application's previous-year stand-in (here 120 last year → 10 a month) …
    let s = one("1.4", Some(fig(9, 120).with_factor(12, 1)));
    assert_eq!((s.ratio_percent(), s.points_display()), (Some(90.0), Some(5.4)));
    // … or, with no previous-year data, a ratio of 0.
    let s = one("1.4", Some(fig(0, 0)));
    assert_eq!((s.ratio, s.points, s.by_rule), (Some(0), Some(0), true));
    // No figure at all (no reconciliation, nothing imported): no data, whatever the rule.
    for id in ["1.4", "5.2", "5.4"] {
        assert_eq!(one(id, None).points, None, "{id}");
    }
    // Monitoring indicators show a ratio, never points.
    let s = one("2.2", Some(fig(10, 4)));
    assert_eq!((s.ratio_percent(), s.points), (Some(250.0), None));
}

/// A whole unit worked by hand, every group and the grade:
///
/// | group | indicators | points |
/// |---|---|---|
/// | 1 | 1.1 3/4 → 4.5; 1.2 2/2 → 4; 1.3 9/10 → 1.8; 1.4 45/50 → 5.4 | 15.7 |
/// | 2 | 2.1 17/20 → 17 (2.2 monitoring) | 17 |
/// | 3 | 3.1 7/10 → 2×70/80 = 1.75; 3.2 1/3 → 4/3; 3.3 30/100 × 0.9 → 6×27/50 = 3.24 | 6.3233… |
/// | 4 | 4.1 5/8 → 3.75; 4.2 60/100 → 2.4; 4.6 no data; 4.3 9/10 → 2; 4.4 0/100 → 0; 4.5a 1/3 → 2/3; 4.5b 50/100 → 1 | 9.8166… |
/// | 5 | 3.5a 0/0 → 0 (rule); 3.5b 1/2 → 2×50/80 = 1.25; 3.6 10/40 → 1.5 | 2.75 |
/// | 6 | 5.2 0/0 → 6 (rule); 5.3 0/0 → 6 (rule); 5.4 80/100 → 6×80/90 = 5.3333… | 17.3333… |
///
/// Total 15.7 + 17 + 6.32333… + 9.81666… + 2.75 + 17.33333… = 68.92333… → 68.92, "Trung bình".
#[test]
fn a_whole_unit_worked_by_hand() {
    let t = PointTable::default_table();
    let figures: BTreeMap<String, Figure> = [
        ("1.1", fig(3, 4)),
        ("1.2", fig(2, 2)),
        ("1.3", fig(9, 10)),
        ("1.4", fig(45, 50)),
        ("2.1", fig(17, 20)),
        ("3.1", fig(7, 10)),
        ("3.2", fig(1, 3)),
        ("3.3", fig(30, 100).with_factor(45, 50)),
        ("4.1", fig(5, 8)),
        ("4.2", fig(60, 100)),
        ("4.6", fig(0, 0)),
        ("4.3", fig(9, 10)),
        ("4.4", fig(0, 100)),
        ("4.5a", fig(1, 3)),
        ("4.5b", fig(50, 100)),
        ("3.5a", fig(0, 0)),
        ("3.5b", fig(1, 2)),
        ("3.6", fig(10, 40)),
        ("5.2", fig(0, 0)),
        ("5.3", fig(0, 0)),
        ("5.4", fig(80, 100)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let r = compute(&t, &figures);
    let groups: Vec<f64> = r.groups.iter().map(|g| display(g.points)).collect();
    assert_eq!(groups, [15.7, 17.0, 6.32, 9.82, 2.75, 17.33]);
    // Exact: the sum of pico-points, each rounded once at 10⁻¹².
    assert_eq!(r.groups[2].points, 6_323_333_333_333);
    assert_eq!(r.total_display(), 68.92);
    assert_eq!(r.total, 68_923_333_333_333);
    assert_eq!((r.grade.code.as_str(), r.grade.name_vi.as_str()), ("average", "Trung bình"));
    assert_eq!(r.no_data, 1, "4.6 has no data");
    assert_eq!(r.groups[3].no_data, 1);
}

#[test]
fn grades_from_the_exact_total() {
    let t = PointTable::default_table();
    let g = |points: f64| t.grade((points * 100.0).round() as i128 * SCALE / 100).code.clone();
    assert_eq!(g(100.0), "excellent");
    assert_eq!(g(90.0), "excellent");
    assert_eq!(g(89.99), "good");
    assert_eq!(g(80.0), "good");
    assert_eq!(g(79.99), "fair");
    assert_eq!(g(70.0), "fair");
    assert_eq!(g(69.99), "average");
    assert_eq!(g(50.0), "average");
    assert_eq!(g(49.99), "weak");
    assert_eq!(g(0.0), "weak");
    // 89.995 shows as 90.00 but is not yet 90.
    assert_eq!(t.grade(89_995_000_000_000).code, "good");
}

#[test]
fn a_revised_table_is_data() {
    // A revision moving two points from 2.1 to 4.6 scores differently without code.
    let mut t = PointTable::default_table();
    t.version = "766 sửa đổi".into();
    t.indicators.iter_mut().find(|i| i.id == "2.1").unwrap().max = 18.0;
    t.groups.iter_mut().find(|g| g.id == "2").unwrap().max = 18.0;
    t.indicators.iter_mut().find(|i| i.id == "4.6").unwrap().max = 4.0;
    t.groups.iter_mut().find(|g| g.id == "4").unwrap().max = 24.0;
    let json = serde_json::to_string(&t).unwrap();
    let t2 = PointTable::parse(&json).unwrap();
    assert_eq!(score(t2.indicator("2.1").unwrap(), Some(fig(1, 2))).points_display(), Some(9.0));
    // A table whose indicators do not add up to the group is refused.
    t.groups.iter_mut().find(|g| g.id == "4").unwrap().max = 22.0;
    assert_eq!(PointTable::parse(&serde_json::to_string(&t).unwrap()).unwrap_err().code, "group_total");
    assert_eq!(PointTable::parse("{").unwrap_err().code, "invalid_table");
}

#[test]
fn periods() {
    let p = Period::parse("2026-02").unwrap();
    assert_eq!(p.days(), (jiff::civil::date(2026, 2, 1), jiff::civil::date(2026, 2, 28)));
    assert_eq!(p.key(), "2026-02");
    let q = Period::parse("2026-Q4").unwrap();
    assert_eq!(q.days(), (jiff::civil::date(2026, 10, 1), jiff::civil::date(2026, 12, 31)));
    assert_eq!(q.months().len(), 3);
    assert_eq!(Period::parse("2026").unwrap().days().1, jiff::civil::date(2026, 12, 31));
    assert_eq!(Period::parse("2026").unwrap().previous_year().key(), "2025");
    for bad in ["", "26", "2026-13", "2026-Q5", "2026-1", "abcd", "2026-Q", "1999"] {
        assert_eq!(Period::parse(bad), None, "{bad}");
    }
}
