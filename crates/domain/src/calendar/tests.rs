//! Tests of the working-day calendar and deadlines against spec §d.2 and §d.3.

use super::*;
use jiff::ToSpan;
use jiff::civil::{date, time};
use proptest::prelude::*;
use std::sync::LazyLock;

static CAL: LazyLock<WorkCalendar> = LazyLock::new(WorkCalendar::vietnam);

fn at(y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
    at_local(date(y, m, d), time(h, min, 0, 0)).unwrap()
}

fn end_of(y: i16, m: i8, d: i8) -> Timestamp {
    at(y, m, d, 17, 0)
}

fn due(from: Timestamp, limit: TimeLimit) -> Timestamp {
    CAL.due(from, limit, &CountingRules::default()).unwrap().at
}

fn working(d: Date) -> bool {
    CAL.is_working_day(d).unwrap()
}

#[test]
fn spec_working_day_vectors() {
    // Spec §d.3: received on the day, "+N" = N-th working day after it, due at 17:00.
    let vectors = [
        (date(2025, 1, 24), 5, date(2025, 2, 7)),
        (date(2025, 4, 29), 1, date(2025, 5, 5)),
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        (date(2026, 2, 13), 10, date(2026, 3, 6)),
        (date(2026, 4, 29), 2, date(2026, 5, 5)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),
    ];
    for (received, n, want) in vectors {
        for hour in [8, 10, 14, 16] {
            let from = at_local(received, time(hour, 0, 0, 0)).unwrap();
            let d = CAL.due(from, TimeLimit::working_days(n), &CountingRules::default()).unwrap();
            assert_eq!(d.at, at_local(want, time(17, 0, 0, 0)).unwrap(), "{received} {hour}h +{n}");
            assert_eq!(d.counted_from, from);
            assert_eq!(d.calendar_version, CAL.version());
        }
        assert_eq!(CAL.add_working_days(received, n).unwrap(), want);
    }
}

#[test]
fn same_day_cutoff() {
    let rules = CountingRules::cutoff_15h();
    let within = |from| CAL.due(from, TimeLimit::WITHIN_DAY, &rules).unwrap().at;
    assert_eq!(within(at(2026, 3, 10, 14, 59)), end_of(2026, 3, 10));
    assert_eq!(within(at(2026, 3, 10, 15, 0)), end_of(2026, 3, 10));
    assert_eq!(within(at(2026, 3, 10, 15, 1)), end_of(2026, 3, 11));
    assert_eq!(within(at(2026, 2, 13, 15, 30)), end_of(2026, 2, 23));
    // The cut-off moves the reception day for other units too.
    let d = CAL.due(at(2026, 3, 10, 15, 1), TimeLimit::working_days(1), &rules).unwrap();
    assert_eq!(d.counted_from, at(2026, 3, 11, 7, 30));
    assert_eq!(d.at, end_of(2026, 3, 12));
    // Without a cut-off a late afternoon reception keeps its day.
    assert_eq!(due(at(2026, 3, 10, 16, 30), TimeLimit::WITHIN_DAY), end_of(2026, 3, 10));
    // Received on a Sunday (as filed): within the day means the next working day.
    assert_eq!(due(at(2026, 3, 15, 9, 0), TimeLimit::WITHIN_DAY), end_of(2026, 3, 16));
}

#[test]
fn within_the_day_received_after_the_last_session_is_due_the_next_working_day() {
    // Issue #11 item 2: a counter still receiving at 18:00 (or a filing counted as filed)
    // gave 17:00 of the same day, a deadline before the reception: born late.
    for (from, want) in [
        (at(2026, 3, 10, 17, 0), end_of(2026, 3, 11)),
        (at(2026, 3, 10, 18, 0), end_of(2026, 3, 11)),
        (at(2026, 3, 10, 23, 59), end_of(2026, 3, 11)),
        // Friday evening before Tết Bính Ngọ: the next working day is Monday 23/02.
        (at(2026, 2, 13, 19, 0), end_of(2026, 2, 23)),
        // Still within the day when received before the close.
        (at(2026, 3, 10, 16, 59), end_of(2026, 3, 10)),
    ] {
        let d = CAL.due(from, TimeLimit::WITHIN_DAY, &CountingRules::default()).unwrap();
        assert_eq!(d.at, want, "received {from}");
        assert!(d.at > from, "never due before the reception ({from})");
    }
    // With the 15:00 cut-off the reception already moved to the next working day.
    let d = CAL.due(at(2026, 3, 10, 18, 0), TimeLimit::WITHIN_DAY, &CountingRules::cutoff_15h()).unwrap();
    assert_eq!(d.at, end_of(2026, 3, 11));
}

#[test]
fn official_days_2026() {
    let off = [
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 2, 16),
        date(2026, 2, 20),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),
    ];
    for d in off {
        assert!(!working(d), "{d} should be off");
    }
    for d in [date(2026, 1, 10), date(2026, 8, 22), date(2026, 1, 5), date(2026, 2, 23), date(2026, 9, 3)] {
        assert!(working(d), "{d} should be worked");
    }
    let swap = CAL.day(date(2026, 1, 2)).unwrap();
    assert_eq!(swap.kind, DayKind::Off(OffReason::Swapped));
    assert_eq!(swap.document.as_deref(), Some("12729/VPCP-KGVX"));
    let make_up = CAL.day(date(2026, 1, 10)).unwrap();
    assert_eq!(make_up.kind, DayKind::MakeUp);
    assert!(make_up.working);
    assert_eq!(make_up.sessions, OfficeHours::standard().make_up());
    let culture = CAL.day(date(2026, 11, 24)).unwrap();
    assert_eq!(culture.label.as_deref(), Some("Ngày Văn hóa Việt Nam"));
    assert_eq!(culture.document.as_deref(), Some("28/2026/QH16"));
    // Tết Bính Ngọ and Quốc khánh 2026: Thông báo 9441/TB-BNV of 16/10/2025.
    let tet = CAL.day(date(2026, 2, 17)).unwrap();
    assert_eq!(tet.document.as_deref(), Some("9441/TB-BNV"));
    assert_eq!(CAL.day(date(2026, 8, 31)).unwrap().document.as_deref(), Some("9441/TB-BNV"));
    // A document without a number is named by its title.
    let unnumbered = Schedule::parse(
        "year,2027\ndocument,pa,,,Phương án nghỉ lễ, Tết năm 2027\n\
         off,2027-01-01,2027-01-01,holiday,pa,Tết Dương lịch\n\
         off,2027-02-05,2027-02-10,holiday,pa,Tết Nguyên đán\n\
         off,2027-04-16,2027-04-16,holiday,pa,Giỗ Tổ Hùng Vương\n\
         off,2027-04-30,2027-05-01,holiday,pa,30/4 và 1/5\n\
         off,2027-09-01,2027-09-02,holiday,pa,Quốc khánh\n\
         off,2027-11-24,2027-11-24,holiday,pa,Ngày Văn hóa Việt Nam\n",
    )
    .unwrap();
    let cal = WorkCalendar::builder().schedule(unnumbered).build().unwrap();
    assert_eq!(cal.day(date(2027, 2, 9)).unwrap().document.as_deref(), Some("Phương án nghỉ lễ, Tết năm 2027"));
    let normal = CAL.day(date(2026, 3, 10)).unwrap();
    assert_eq!((normal.kind, normal.label), (DayKind::Working, None));
    assert_eq!(CAL.day(date(2026, 3, 14)).unwrap().kind, DayKind::WeeklyRest);
}

#[test]
fn official_days_2024_2025() {
    for d in [date(2024, 1, 1), date(2024, 2, 14), date(2024, 4, 29), date(2024, 9, 3), date(2025, 1, 27), date(2025, 5, 2)] {
        assert!(!working(d), "{d}");
    }
    for d in [date(2024, 5, 4), date(2025, 4, 26), date(2024, 2, 15), date(2025, 2, 3)] {
        assert!(working(d), "{d}");
    }
    // 30/12/2023 belongs to the 2024 schedule's New Year break.
    assert_eq!(CAL.day(date(2023, 12, 30)).unwrap().label.as_deref(), Some("Tết Dương lịch 2024"));
}

#[test]
fn statutory_fallback_years() {
    // 2027 has no published schedule: statutory days with compensatory days.
    for d in [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 10), date(2027, 2, 11), date(2027, 4, 16), date(2027, 5, 3)] {
        assert!(!working(d), "{d}");
    }
    assert_eq!(CAL.day(date(2027, 2, 10)).unwrap().kind, DayKind::Off(OffReason::Compensatory));
    assert_eq!(CAL.day(date(2027, 2, 10)).unwrap().label.as_deref(), Some("Nghỉ bù Tết Âm lịch"));
    assert_eq!(CAL.day(date(2027, 1, 1)).unwrap().document.as_deref(), Some("45/2019/QH14"));
    assert!(working(date(2027, 2, 12)));
    // 2023 (no schedule shipped): Giỗ Tổ on Saturday 29/04 and 30/4 on Sunday give
    // compensatory days after 1/5: Tuesday 2/5 and Wednesday 3/5 (as the real 2023 plan did).
    for d in [date(2023, 4, 29), date(2023, 4, 30), date(2023, 5, 1), date(2023, 5, 2), date(2023, 5, 3)] {
        assert!(!working(d), "{d}");
    }
    assert!(working(date(2023, 5, 4)));
    let specials = CAL.special_days(2027).unwrap();
    assert!(specials.iter().all(|d| !d.working));
    assert_eq!(specials.len(), CAL.holiday_rules().days_off(2027).unwrap().len());
}

#[test]
fn every_year_builds() {
    let (first, last) = CAL.range();
    for year in i32::from(first.year())..=i32::from(last.year()) {
        let jan1 = date(year as i16, 1, 1);
        let next = date(year as i16, 12, 31);
        let n = CAL.working_days_between(jan1, next).unwrap();
        assert!((230..=262).contains(&n), "{year}: {n} working days");
    }
    assert_eq!(CAL.add_working_days(date(2199, 12, 30), 5).unwrap_err().code(), "date_out_of_range");
    assert_eq!(CAL.is_working_day(date(1899, 12, 31)).unwrap_err().code(), "date_out_of_range");
    assert_eq!(CAL.special_days(2200).unwrap_err().code(), "date_out_of_range");
}

#[test]
fn working_days_between_agrees_with_adding() {
    let start = date(2025, 12, 1);
    for n in 0..300 {
        let d = CAL.add_working_days(start, n).unwrap();
        assert_eq!(CAL.working_days_between(start, d).unwrap(), n, "+{n} from a working day");
    }
    assert_eq!(CAL.working_days_between(date(2026, 3, 10), date(2026, 3, 1)).unwrap(), 0);
    assert_eq!(CAL.next_working_day(date(2026, 2, 13)).unwrap(), date(2026, 2, 23));
}

#[test]
fn version_identifies_the_data() {
    let v = CAL.version();
    // A schedule's revision shows in the version (2026 revision 2 named its notice, 9441/TB-BNV).
    assert!(v.starts_with("vn-2026.1+2024,2025,2026r2@"), "{v}");
    assert_eq!(v.len(), "vn-2026.1+2024,2025,2026r2@".len() + 12);
    assert_eq!(WorkCalendar::vietnam().version(), v, "stable across builds");
    let saturday = OfficeHours::standard().with_day(Weekday::Saturday, vec![Session::parse("07:30-11:30").unwrap()]).unwrap();
    let centre = WorkCalendar::builder().office_hours(saturday).build().unwrap();
    assert_ne!(centre.version(), v);
    let statutory = WorkCalendar::builder().without_schedules().build().unwrap();
    assert!(statutory.version().starts_with("vn-2026.1+statutory@"));
    let mut revised = Schedule::shipped().pop().unwrap();
    revised.revision = 2;
    let cal = WorkCalendar::builder().schedule(revised).build().unwrap();
    assert!(cal.version().starts_with("vn-2026.1+2024,2025,2026r2@"), "{}", cal.version());
}

#[test]
fn saturday_service_centre() {
    let hours = OfficeHours::standard().with_day(Weekday::Saturday, vec![Session::parse("07:30-11:30").unwrap()]).unwrap();
    let cal = WorkCalendar::builder().office_hours(hours).build().unwrap();
    assert!(cal.is_working_day(date(2026, 3, 14)).unwrap());
    assert_eq!(cal.end_of_office(date(2026, 3, 14)).unwrap(), Some(at(2026, 3, 14, 11, 30)));
    let d = cal.due(at(2026, 3, 13, 9, 0), TimeLimit::working_days(1), &CountingRules::default()).unwrap();
    assert_eq!(d.at, at(2026, 3, 14, 11, 30));
    // Saturdays inside an announced off period are closed; make-up Saturdays work all day.
    assert!(!cal.is_working_day(date(2026, 2, 14)).unwrap());
    assert_eq!(cal.end_of_office(date(2026, 1, 10)).unwrap(), Some(end_of(2026, 1, 10)));
    // Without schedules, a statutory holiday on a Saturday closes the centre that day too.
    let stat = WorkCalendar::builder().office_hours(cal.office_hours().clone()).without_schedules().build().unwrap();
    assert!(!stat.is_working_day(date(2027, 5, 1)).unwrap());
    assert!(stat.is_working_day(date(2027, 5, 8)).unwrap());
}

#[test]
fn hours_count_office_time_only() {
    assert_eq!(due(at(2026, 3, 10, 10, 0), TimeLimit::hours(8)), at(2026, 3, 11, 10, 30));
    assert_eq!(due(at(2026, 3, 10, 7, 30), TimeLimit::hours(4)), at(2026, 3, 10, 11, 30));
    assert_eq!(due(at(2026, 3, 10, 12, 0), TimeLimit::hours(1)), at(2026, 3, 10, 14, 30));
    // Friday before Tết: 16:00 + 2 h → 1 h on Friday, 1 h on Monday 23/02.
    assert_eq!(due(at(2026, 2, 13, 16, 0), TimeLimit::hours(2)), at(2026, 2, 23, 8, 30));
    // Filed on a Sunday: counting starts at Monday's opening.
    assert_eq!(due(at(2026, 3, 15, 20, 0), TimeLimit::hours(1)), at(2026, 3, 16, 8, 30));
}

#[test]
fn days_and_months() {
    // Calendar days: 13/02 + 3 = Mon 16/02, inside Tết → next working day 23/02.
    assert_eq!(due(at(2026, 2, 13, 9, 0), TimeLimit::days(3)), end_of(2026, 2, 23));
    assert_eq!(due(at(2026, 3, 10, 9, 0), TimeLimit::days(7)), end_of(2026, 3, 17));
    // Months: 31/01 + 1 month = 28/02 (Saturday) → Monday 02/03.
    assert_eq!(due(at(2026, 1, 31, 9, 0), TimeLimit::months(1)), end_of(2026, 3, 2));
    // 31/03 + 1 month = 30/04 (holiday) → Monday 04/05.
    assert_eq!(due(at(2026, 3, 31, 9, 0), TimeLimit::months(1)), end_of(2026, 5, 4));
    assert_eq!(due(at(2026, 3, 10, 9, 0), TimeLimit::months(12)), end_of(2027, 3, 10));
    assert_eq!(due(at(2024, 2, 29, 9, 0), TimeLimit::months(12)), end_of(2025, 2, 28));
}

#[test]
fn out_of_hours_online_filing() {
    let online = CountingRules::online();
    let start = |t| CAL.counting_start(t, &online).unwrap();
    assert_eq!(start(at(2026, 3, 14, 10, 0)), at(2026, 3, 16, 7, 30), "Saturday");
    assert_eq!(start(at(2026, 3, 10, 18, 0)), at(2026, 3, 11, 7, 30), "evening");
    assert_eq!(start(at(2026, 3, 10, 6, 0)), at(2026, 3, 10, 7, 30), "before opening");
    assert_eq!(start(at(2026, 3, 10, 12, 0)), at(2026, 3, 10, 13, 30), "lunch break");
    assert_eq!(start(at(2026, 3, 10, 9, 0)), at(2026, 3, 10, 9, 0), "office hours");
    assert_eq!(start(at(2026, 2, 13, 18, 0)), at(2026, 2, 23, 7, 30), "before Tết");
    let d = CAL.due(at(2026, 3, 14, 10, 0), TimeLimit::working_days(1), &online).unwrap();
    assert_eq!(d.at, end_of(2026, 3, 17));
    // As filed, the Saturday itself is the reception day.
    assert_eq!(due(at(2026, 3, 14, 10, 0), TimeLimit::working_days(1)), end_of(2026, 3, 16));
    // Both rules: 16:00 is within office hours but after the cut-off.
    let both = CountingRules { out_of_hours: OutOfHours::NextWorkingInstant, ..CountingRules::cutoff_15h() };
    assert_eq!(CAL.counting_start(at(2026, 3, 10, 16, 0), &both).unwrap(), at(2026, 3, 11, 7, 30));
    assert_eq!(CAL.counting_start(at(2026, 3, 10, 18, 0), &both).unwrap(), at(2026, 3, 11, 7, 30));
}

#[test]
fn timeliness() {
    let due_at = end_of(2026, 3, 12);
    assert_eq!(classify(at(2026, 3, 11, 16, 0), due_at), Timeliness::Early);
    assert_eq!(classify(at(2026, 3, 12, 7, 31), due_at), Timeliness::OnTime);
    assert_eq!(classify(due_at, due_at), Timeliness::OnTime);
    assert_eq!(classify(at(2026, 3, 12, 17, 1), due_at), Timeliness::Late);
    assert_eq!(classify(at(2026, 3, 13, 8, 0), due_at), Timeliness::Late);
    // The day is the local one: 23:30 UTC on the 11th is 06:30 on the 12th in Vietnam.
    let early_morning: Timestamp = "2026-03-11T23:30:00Z".parse().unwrap();
    assert_eq!(classify(early_morning, due_at), Timeliness::OnTime);
}

#[test]
fn step_budgets() {
    let day = OfficeHours::standard().office_day();
    assert_eq!(day, SignedDuration::from_mins(450));
    let legal = TimeLimit::working_days(15);
    let steps = [TimeLimit::working_days(2), TimeLimit::working_days(10), TimeLimit::hours(22)];
    assert!(check_step_budgets(&steps, legal, day).is_ok());
    let over = [TimeLimit::working_days(15), TimeLimit::hours(1)];
    let err = check_step_budgets(&over, legal, day).unwrap_err();
    assert_eq!(err, CalendarError::StepBudgetsExceedLimit { unit: "minutes", total: 6810, limit: 6750 });
    assert_eq!(
        err.message_vi(),
        "Tổng thời gian các bước là 113 giờ 30 phút làm việc, vượt thời hạn luật định 112 giờ 30 phút làm việc"
    );
    let err = check_step_budgets(&[TimeLimit::days(3)], legal, day).unwrap_err();
    assert_eq!(err.code(), "incompatible_units");
    assert!(check_step_budgets(&[TimeLimit::hours(4), TimeLimit::hours(3)], TimeLimit::WITHIN_DAY, day).is_ok());
    assert!(check_step_budgets(&[TimeLimit::hours(8)], TimeLimit::WITHIN_DAY, day).is_err());
    assert!(check_step_budgets(&[TimeLimit::days(20), TimeLimit::days(10)], TimeLimit::days(30), day).is_ok());
    assert_eq!(
        check_step_budgets(&[TimeLimit::months(2)], TimeLimit::months(1), day).unwrap_err().code(),
        "step_budgets_exceed_limit"
    );
}

#[test]
fn pauses() {
    let original = CAL.due(at(2026, 3, 10, 9, 0), TimeLimit::working_days(3), &CountingRules::default()).unwrap();
    assert_eq!(original.at, end_of(2026, 3, 13));
    // Waiting two whole working days for a supplement pushes the deadline two working days.
    let pushed = CAL.extend_for_pause(&original, at(2026, 3, 11, 7, 30), end_of(2026, 3, 12)).unwrap();
    assert_eq!(pushed.at, end_of(2026, 3, 17));
    assert_eq!(pushed.counted_from, original.counted_from);
    // Two office hours over a weekend and a night.
    let pushed = CAL.extend_for_pause(&original, at(2026, 3, 13, 16, 0), at(2026, 3, 16, 8, 30)).unwrap();
    assert_eq!(pushed.at, at(2026, 3, 16, 9, 30));
    let err = CAL.extend_for_pause(&original, end_of(2026, 3, 12), at(2026, 3, 11, 7, 30)).unwrap_err();
    assert_eq!(err.code(), "negative_duration");
}

#[test]
fn elapsed_working_time() {
    let h = SignedDuration::from_hours;
    let m = SignedDuration::from_mins;
    let from = at(2026, 3, 10, 7, 30);
    let to = end_of(2026, 3, 11);
    assert_eq!(CAL.elapsed_working(from, to, &[]).unwrap(), h(15));
    assert_eq!(CAL.elapsed_working(to, from, &[]).unwrap(), -h(15));
    // Two overlapping pauses and one reaching outside the interval.
    let pauses = [
        (at(2026, 3, 10, 8, 0), at(2026, 3, 10, 9, 0)),
        (at(2026, 3, 10, 8, 30), at(2026, 3, 10, 10, 0)),
        (at(2026, 3, 11, 16, 0), at(2026, 3, 12, 12, 0)),
    ];
    assert_eq!(CAL.elapsed_working(from, to, &pauses).unwrap(), h(15) - h(2) - h(1));
    // Across Tết and across a year boundary.
    assert_eq!(CAL.elapsed_working(end_of(2026, 2, 13), at(2026, 2, 23, 9, 0), &[]).unwrap(), m(90));
    assert_eq!(CAL.elapsed_working(end_of(2026, 12, 31), at(2027, 1, 4, 8, 30), &[]).unwrap(), h(1));
    // Non-working instants contribute nothing.
    assert_eq!(CAL.elapsed_working(at(2026, 3, 14, 9, 0), at(2026, 3, 15, 9, 0), &[]).unwrap(), SignedDuration::ZERO);
    assert_eq!(CAL.add_working_time(at(2026, 3, 10, 9, 0), -h(1)).unwrap_err().code(), "negative_duration");
}

#[test]
fn bad_input_gets_a_clear_error() {
    assert_eq!(civil_date(2026, 2, 31).unwrap_err(), CalendarError::InvalidDate { year: 2026, month: 2, day: 31 });
    assert_eq!(parse_date("2026-02-31").unwrap_err().code(), "invalid_date");
    assert_eq!(parse_date("2026-2-3").unwrap_err().code(), "date_format");
    assert_eq!(parse_date("2026-02-28").unwrap(), date(2026, 2, 28));
    assert_eq!(TimeLimit::new(-3, TimeUnit::WorkingDays).unwrap_err(), CalendarError::NegativeLimit { value: -3 });
    assert_eq!(TimeLimit::new(1 << 33, TimeUnit::Days).unwrap_err().code(), "limit_too_large");
    assert_eq!("-1 ngay".parse::<TimeLimit>().unwrap_err().code(), "negative_limit");
    assert_eq!("15 tuan".parse::<TimeLimit>().unwrap_err().code(), "unknown_time_unit");
    assert_eq!("mười ngày".parse::<TimeLimit>().unwrap_err().code(), "time_limit_format");
    assert_eq!("15".parse::<TimeLimit>().unwrap_err().code(), "time_limit_format");
    assert_eq!("15 ngay_lam_viec".parse::<TimeLimit>().unwrap(), TimeLimit::working_days(15));
    assert_eq!("8 hours".parse::<TimeLimit>().unwrap(), TimeLimit::hours(8));
    assert_eq!(TimeLimit::from_parts(3, "thang").unwrap(), TimeLimit::months(3));
    assert_eq!(TimeLimit::from_parts(3, "ngay").unwrap(), TimeLimit::days(3));
    assert_eq!(TimeLimit::from_parts(3, "gio").unwrap(), TimeLimit::hours(3));
    let limit: TimeLimit = serde_json::from_str(r#"{"value":15,"unit":"ngay_lam_viec"}"#).unwrap();
    assert_eq!(limit, TimeLimit::working_days(15));
    assert_eq!(serde_json::to_string(&limit).unwrap(), r#"{"value":15,"unit":"working_days"}"#);
    assert_eq!(limit.to_string().parse::<TimeLimit>().unwrap(), limit);
    assert_eq!(limit.describe_vi(), "15 ngày làm việc");
    let far = at_local(date(2199, 12, 31), time(9, 0, 0, 0)).unwrap();
    assert_eq!(CAL.due(far, TimeLimit::working_days(5), &CountingRules::default()).unwrap_err().code(), "date_out_of_range");
    for huge in
        [TimeLimit::hours(u32::MAX), TimeLimit::days(u32::MAX), TimeLimit::working_days(u32::MAX), TimeLimit::months(u32::MAX)]
    {
        let err = CAL.due(at(2026, 3, 10, 9, 0), huge, &CountingRules::default()).unwrap_err();
        assert_eq!(err.code(), "date_out_of_range", "{huge}");
    }
    assert_eq!(CAL.add_working_time(at(2026, 3, 10, 9, 0), SignedDuration::MAX).unwrap_err().code(), "date_out_of_range");
    let before: Timestamp = "1899-12-31T12:00:00Z".parse().unwrap();
    assert_eq!(CAL.elapsed_working(before, far, &[]).unwrap_err().code(), "date_out_of_range");
    assert_eq!(parse_time("25:00").unwrap_err().code(), "time_format");
    assert_eq!(parse_time("7:30").unwrap_err().code(), "time_format");
}

#[test]
fn office_hours_validation() {
    let s = |t: &str| Session::parse(t).unwrap();
    assert_eq!(Session::parse("11:30-07:30").unwrap_err().code(), "empty_session");
    assert_eq!(Session::parse("0730-1130").unwrap_err().code(), "time_format");
    let overlapping = OfficeHours::standard().with_day(Weekday::Saturday, vec![s("07:30-11:30"), s("11:00-12:00")]);
    assert_eq!(overlapping.unwrap_err(), CalendarError::OverlappingSessions { day: "saturday" });
    assert!(CalendarError::OverlappingSessions { day: "saturday" }.message_vi().contains("thứ Bảy"));
    let empty: [Vec<Session>; 7] = Default::default();
    assert_eq!(OfficeHours::new(empty, vec![s("07:30-11:30")]).unwrap_err().code(), "no_working_weekday");
    assert_eq!(OfficeHours::standard().with_make_up(vec![]).unwrap_err().code(), "no_make_up_sessions");
    let json = serde_json::to_string(&OfficeHours::standard()).unwrap();
    assert!(json.contains(r#""monday":["07:30-11:30","13:30-17:00"]"#), "{json}");
    assert_eq!(serde_json::from_str::<OfficeHours>(&json).unwrap(), OfficeHours::standard());
    assert!(
        serde_json::from_str::<OfficeHours>(r#"{"monday":["13:30-17:00","07:30-11:30"],"make_up":["07:30-11:30"]}"#).is_err()
    );
}

#[test]
fn schedules_are_checked_when_building() {
    let mut missing = Schedule::shipped().pop().unwrap();
    missing.days_off.retain(|o| o.from != date(2026, 11, 24));
    let err = WorkCalendar::builder().schedule(missing.clone()).build().unwrap_err();
    assert_eq!(err.code(), "schedule_missing_holiday");
    assert_eq!(err.message_vi(), "Lịch nghỉ năm 2026 không cho nghỉ ngày 2026-11-24 (Ngày Văn hóa Việt Nam (24/11))");
    // Without the culture-day rule the same schedule is accepted.
    let rules = HolidayRules { culture_day_from: None, ..HolidayRules::default() };
    assert!(WorkCalendar::builder().holiday_rules(rules).schedule(missing).build().is_ok());
    // A schedule may only list dates near its own year.
    let far = Schedule::parse("year,2027\ndocument,d,1/2026,,t\noff,2026-11-24,2026-11-24,holiday,d,x\n");
    assert_eq!(far.unwrap_err().code(), "schedule_invalid");
    // A 2027 schedule may make a day of late December 2026 a working day...
    let y2027 = "year,2027\ndocument,d,1/2026,,t\nwork,2026-12-27,d,Làm bù\n\
        off,2027-01-01,2027-01-01,holiday,d,Tết Dương lịch\n\
        off,2027-02-06,2027-02-06,holiday,d,Tết\noff,2027-04-16,2027-04-16,holiday,d,Giỗ Tổ\n\
        off,2027-04-30,2027-05-01,holiday,d,30/4\noff,2027-09-02,2027-09-02,holiday,d,2/9\n\
        off,2027-11-24,2027-11-24,holiday,d,24/11\n";
    let y2027 = Schedule::parse(y2027).unwrap();
    let cal = WorkCalendar::builder().schedule(y2027.clone()).build().unwrap();
    assert!(cal.is_working_day(date(2026, 12, 27)).unwrap(), "Sunday made a working day by the 2027 schedule");
    // ...but not one that the 2026 schedule gives off.
    let mut y2026 = Schedule::shipped().pop().unwrap();
    y2026.days_off.push(DaysOff {
        from: date(2026, 12, 26),
        to: date(2026, 12, 27),
        reason: OffReason::WeeklyRest,
        document: "blld".into(),
        label: "Nghỉ".into(),
    });
    let err = WorkCalendar::builder().schedule(y2026).schedule(y2027).build().unwrap_err();
    assert_eq!(err, CalendarError::ScheduleConflict { date: date(2026, 12, 27), first_year: 2026, second_year: 2027 });
}

#[test]
fn local_time_is_utc_plus_7() {
    let t: Timestamp = "2026-03-10T23:30:00Z".parse().unwrap();
    assert_eq!(local_date(t), date(2026, 3, 11));
    assert_eq!(at(2026, 3, 11, 6, 30), t);
    assert_eq!(vn_time_zone().to_offset(t), offset(7));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn manual_local_conversion_matches_jiff(secs in -2_208_988_800i64..7_258_118_400, nanos in 0i32..1_000_000_000) {
        let t = Timestamp::new(secs, nanos).unwrap();
        let l = to_local(t);
        let dt = local_datetime(t);
        prop_assert_eq!(date_of_day_number(l.jdn).unwrap(), dt.date());
        let nod = (i64::from(dt.hour()) * 3600 + i64::from(dt.minute()) * 60 + i64::from(dt.second())) * NANOS_PER_SEC
            + i64::from(dt.subsec_nanosecond());
        prop_assert_eq!(l.nod, nod);
        prop_assert_eq!(from_local(l).unwrap(), t);
    }

    #[test]
    fn due_is_a_working_instant(from in any_instant(), n in 0u32..80, unit in any_unit(), online in any::<bool>()) {
        let rules = if online { CountingRules::online() } else { CountingRules::cutoff_15h() };
        let d = CAL.due(from, TimeLimit { value: n, unit }, &rules).unwrap();
        prop_assert!(CAL.is_working_instant(d.at).unwrap());
        prop_assert!(d.at >= d.counted_from && d.counted_from >= from);
    }

    #[test]
    fn due_never_precedes_the_reception(from in any_instant(), n in 0u32..80, unit in any_unit()) {
        // As filed (no cut-off, no out-of-hours rule): the reception keeps its instant.
        let d = CAL.due(from, TimeLimit { value: n, unit }, &CountingRules::default()).unwrap();
        prop_assert!(d.at > from, "due {} for a dossier received {}", d.at, from);
    }

    #[test]
    fn due_grows_with_n(from in any_instant(), n in 0u32..80, unit in any_unit()) {
        // 0 hours means "within the day" (end of day), which 1 office hour may precede.
        prop_assume!(!(n == 0 && unit == TimeUnit::Hours));
        let rules = CountingRules::default();
        let a = CAL.due(from, TimeLimit { value: n, unit }, &rules).unwrap().at;
        let b = CAL.due(from, TimeLimit { value: n + 1, unit }, &rules).unwrap().at;
        // Within the day and one working day coincide when received on a non-working day.
        if n >= 1 && (unit == TimeUnit::WorkingDays || unit == TimeUnit::Hours) {
            prop_assert!(b > a);
        } else {
            prop_assert!(b >= a);
        }
    }

    #[test]
    fn due_composes(from in working_instant(), n in 1u32..60, m in 1u32..60, hours in any::<bool>()) {
        let limit = |v| if hours { TimeLimit::hours(v) } else { TimeLimit::working_days(v) };
        let first = due(from, limit(n));
        prop_assert_eq!(due(first, limit(m)), due(from, limit(n + m)));
    }

    #[test]
    fn elapsed_until_due_is_n_office_days(from in working_instant(), n in 1u32..60) {
        let d = due(from, TimeLimit::working_days(n));
        let rest_of_day = CAL.elapsed_working(from, CAL.end_of_office(local_date(from)).unwrap().unwrap(), &[]).unwrap();
        let office_day = OfficeHours::standard().office_day();
        prop_assert_eq!(CAL.elapsed_working(from, d, &[]).unwrap(), rest_of_day + office_day * n as i32);
    }

    #[test]
    fn adding_office_time_inverts_elapsed(from in any_instant(), mins in 1i64..60_000) {
        let d = SignedDuration::from_mins(mins);
        let to = CAL.add_working_time(from, d).unwrap();
        prop_assert!(CAL.is_working_instant(to).unwrap());
        prop_assert_eq!(CAL.elapsed_working(from, to, &[]).unwrap(), d);
    }
}

fn any_unit() -> impl Strategy<Value = TimeUnit> {
    prop_oneof![Just(TimeUnit::Hours), Just(TimeUnit::Days), Just(TimeUnit::WorkingDays), Just(TimeUnit::Months)]
}

/// Any instant from 2000 to 2190, to the minute.
fn any_instant() -> impl Strategy<Value = Timestamp> {
    (0i64..190 * 525_960).prop_map(|m| at(2000, 1, 1, 0, 0) + SignedDuration::from_mins(m))
}

fn working_instant() -> impl Strategy<Value = Timestamp> {
    any_instant().prop_map(|t| CAL.next_working_instant(t).unwrap())
}

#[test]
fn working_instants_and_office_days() {
    assert!(CAL.is_working_instant(at(2026, 3, 10, 7, 30)).unwrap());
    assert!(CAL.is_working_instant(end_of(2026, 3, 10)).unwrap());
    assert!(!CAL.is_working_instant(at(2026, 3, 10, 12, 0)).unwrap());
    assert!(!CAL.is_working_instant(end_of(2026, 3, 10) + 1.second()).unwrap());
    assert_eq!(CAL.next_working_instant(at(2026, 3, 10, 12, 0)).unwrap(), at(2026, 3, 10, 13, 30));
    assert_eq!(CAL.end_of_office(date(2026, 2, 17)).unwrap(), None);
}

#[test]
fn saturday_sessions_do_not_make_saturday_a_legal_working_day() {
    // Issue #11 item 1: a centre open Saturday mornings computed legal deadlines on that
    // week (1 working day from Friday was due Saturday 11:30).
    let saturday = vec![Session::parse("07:30-11:30").unwrap()];
    let centre = OfficeHours::standard().with_day(Weekday::Saturday, saturday).unwrap();
    let service = WorkCalendar::builder().office_hours(centre.clone()).build().unwrap();
    let friday = at(2026, 3, 13, 9, 0);
    let one = TimeLimit::working_days(1);
    assert_eq!(service.due(friday, one, &CountingRules::default()).unwrap().at, at(2026, 3, 14, 11, 30));
    let legal = WorkCalendar::builder().office_hours(centre.state_week()).build().unwrap();
    assert_eq!(legal.due(friday, one, &CountingRules::default()).unwrap().at, end_of(2026, 3, 16));
    let late_friday = at(2026, 3, 13, 16, 0);
    assert_eq!(service.due(late_friday, TimeLimit::hours(4), &CountingRules::default()).unwrap().at, at(2026, 3, 14, 10, 30));
    assert_eq!(legal.due(late_friday, TimeLimit::hours(4), &CountingRules::default()).unwrap().at, at(2026, 3, 16, 10, 30));
    assert_eq!(centre.state_week(), OfficeHours::standard(), "weekday hours as they were");
    // Weekday hours of the agency's own are kept.
    let long = OfficeHours::standard().with_day(Weekday::Monday, vec![Session::parse("07:00-18:00").unwrap()]).unwrap();
    assert_eq!(long.state_week().day(Weekday::Monday), long.day(Weekday::Monday));
}

fn check(submitted: Timestamp, amount: u32, unit: CheckUnit) -> Timestamp {
    CAL.check_due(submitted, amount, unit).unwrap().at
}

#[test]
fn an_online_dossier_is_checked_within_one_working_day_of_its_submission() {
    // Issue #11 item 14 (NĐ 61/2018 art. 19 as amended; NĐ 45/2020 art. 11): one working
    // day of office time from the submission, the out-of-hours rule applied to it.
    let one = |t| check(t, 1, CheckUnit::WorkingDays);
    // Filed in office hours: the same time on the next working day.
    assert_eq!(one(at(2026, 3, 2, 10, 0)), at(2026, 3, 3, 10, 0), "Monday 10:00 → Tuesday 10:00");
    assert_eq!(one(at(2026, 3, 6, 16, 0)), at(2026, 3, 9, 16, 0), "Friday 16:00 → Monday 16:00");
    // Filed at the opening: the end of that day (the same office instant as the next opening).
    assert_eq!(one(at(2026, 3, 2, 7, 30)), end_of(2026, 3, 2));
    // Friday evening and the weekend count from Monday 07:30: due Monday 17:00.
    assert_eq!(one(at(2026, 3, 6, 20, 0)), end_of(2026, 3, 9), "Friday 20:00");
    assert_eq!(one(at(2026, 3, 6, 21, 0)), end_of(2026, 3, 9), "Friday 21:00");
    assert_eq!(one(at(2026, 3, 7, 10, 0)), end_of(2026, 3, 9), "Saturday");
    assert_eq!(one(at(2026, 3, 8, 23, 59)), end_of(2026, 3, 9), "Sunday night");
    // Before the opening counts from the opening; the lunch break from 13:30, 4 office hours
    // into the day, which the next day reach at 11:30 (a count landing on a session's end
    // stays there, as `due` in hours does; 13:30 is the same office instant).
    assert_eq!(one(at(2026, 3, 3, 6, 0)), end_of(2026, 3, 3));
    assert_eq!(one(at(2026, 3, 3, 12, 0)), at(2026, 3, 4, 11, 30));
    // 17:00 itself is office time (sessions include their end): due 17:00 the next day.
    assert_eq!(one(end_of(2026, 3, 3)), end_of(2026, 3, 4));
    // The eve of Tết (Friday 13/02/2026 evening) and Tết itself count from Monday 23/02.
    assert_eq!(one(at(2026, 2, 13, 18, 0)), end_of(2026, 2, 23), "eve of the Tết break");
    assert_eq!(one(at(2026, 2, 17, 10, 0)), end_of(2026, 2, 23), "first day of Tết");
    // In office hours before a holiday: the same time on the first working day after it.
    assert_eq!(one(at(2026, 2, 13, 9, 0)), at(2026, 2, 23, 9, 0));
    let d = CAL.check_due(at(2026, 3, 6, 20, 0), 1, CheckUnit::WorkingDays).unwrap();
    assert_eq!(d.counted_from, at(2026, 3, 9, 7, 30));
    assert_eq!(d.calendar_version, CAL.version());
}

#[test]
fn the_check_level_counts_working_days_or_office_hours() {
    assert_eq!(check(at(2026, 3, 2, 10, 0), 2, CheckUnit::WorkingDays), at(2026, 3, 4, 10, 0));
    assert_eq!(check(at(2026, 3, 6, 20, 0), 2, CheckUnit::WorkingDays), end_of(2026, 3, 10));
    // Hours of office time: Monday 16:00 + 4 h → 1 h Monday, 3 h Tuesday morning.
    assert_eq!(check(at(2026, 3, 2, 16, 0), 4, CheckUnit::Hours), at(2026, 3, 3, 10, 30));
    assert_eq!(check(at(2026, 3, 7, 10, 0), 8, CheckUnit::Hours), at(2026, 3, 10, 8, 0));
    // A shorter target day ends the count at its close (a centre with a short Friday).
    let short_friday = OfficeHours::standard().with_day(Weekday::Friday, vec![Session::parse("07:30-11:30").unwrap()]).unwrap();
    let cal = WorkCalendar::builder().office_hours(short_friday).build().unwrap();
    assert_eq!(cal.check_due(at(2026, 3, 5, 16, 0), 1, CheckUnit::WorkingDays).unwrap().at, at(2026, 3, 6, 11, 30));
    // Zero is the counting start; a limit past the range is an error, not a panic.
    assert_eq!(check(at(2026, 3, 7, 10, 0), 0, CheckUnit::Hours), at(2026, 3, 9, 7, 30));
    assert!(CAL.check_due(at(2199, 12, 30, 10, 0), 5, CheckUnit::WorkingDays).is_err());
    assert!(CAL.check_due(at(2026, 3, 2, 10, 0), u32::MAX, CheckUnit::Hours).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_check_due_is_a_working_instant_one_office_day_per_working_day(from in any_instant(), n in 1u32..20) {
        let d = CAL.check_due(from, n, CheckUnit::WorkingDays).unwrap();
        prop_assert!(CAL.is_working_instant(d.at).unwrap());
        prop_assert!(d.counted_from >= from && d.at > d.counted_from);
        // On the standard hours (every working day as long), exactly N office days.
        let office_day = OfficeHours::standard().office_day();
        prop_assert_eq!(CAL.elapsed_working(d.counted_from, d.at, &[]).unwrap(), office_day * n as i32);
    }
}
