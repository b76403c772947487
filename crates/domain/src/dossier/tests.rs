use super::*;
use crate::authz::Membership;
use crate::calendar::{TimeLimit, TimeUnit, Timeliness, WorkCalendar};
use crate::catalog::{ApplicantType, Channel, Counting};
use crate::user::{AccountType, Role};
use jiff::Timestamp;

const RECV: &str = "/p/centre/quay1/";
const DEPT: &str = "/p/dept/";
const UNIT: &str = "/p/dept/unit/";

fn agency(code: &str, path: &str) -> AgencyRef {
    AgencyRef { id: code.into(), code: code.into(), name: format!("Agency {code}"), path: path.into() }
}

fn member(path: &str, role: Role) -> Vec<Membership> {
    vec![Membership { agency_id: path.into(), agency_path: path.into(), role }]
}

fn procedure(limit: TimeLimit) -> ProcedureRef {
    ProcedureRef {
        code: "1.000001".into(),
        version: 1,
        name: "Đăng ký khai sinh".into(),
        time_limit: limit,
        counting: Counting::default(),
        online_only: false,
        postal_excluded: false,
        paper_result: true,
        supplement: Default::default(),
        reception_check: Default::default(),
        sector: None,
    }
}

fn steps() -> Vec<Step> {
    let s = |kind, path: &str, role, budget| Step { kind, name: format!("{kind:?}"), agency: agency(path, path), role, budget };
    vec![
        s(StepKind::Reception, RECV, Role::ReceptionOfficer, TimeLimit::hours(4)),
        s(StepKind::Appraisal, DEPT, Role::Specialist, TimeLimit::working_days(2)),
        s(StepKind::Approval, DEPT, Role::Leader, TimeLimit::hours(4)),
    ]
}

fn components(provided: bool) -> Vec<ComponentCheck> {
    vec![ComponentCheck {
        key: "to_khai".into(),
        name: "Tờ khai".into(),
        required: true,
        provided,
        originals: 1,
        copies: 0,
        digitized: true,
        reused: false,
        digitization: Default::default(),
    }]
}

struct World {
    log: Vec<Recorded>,
    state: Dossier,
    cal: WorkCalendar,
    /// The system issues the signed result (`Ctx::signed_result`).
    signed_result: bool,
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

impl World {
    fn new(channel: Channel, limit: TimeLimit) -> Self {
        let created = Recorded {
            dossier_id: "d1".into(),
            seq: 1,
            at: ms(at("2026-03-02T01:00:00Z")),
            actor_id: "citizen".into(),
            event: Event::Created {
                procedure: procedure(limit),
                channel,
                owner_id: Some("citizen".into()),
                applicant: Applicant {
                    kind: ApplicantType::Citizen,
                    name: "Nguyễn Văn An".into(),
                    id_number: Some("037092001234".into()),
                    phone: None,
                    email: None,
                    address: None,
                },
                summary: None,
                receiving: agency("R", RECV),
                portal: None,
                competent: None,
                components: components(false),
            },
        };
        let state = start(&created).unwrap();
        Self { log: vec![created], state, cal: WorkCalendar::vietnam(), signed_result: false }
    }

    fn run(&mut self, user: &str, ms_: &[Membership], account: AccountType, now: &str, cmd: Command) -> Result<(), DossierError> {
        let cx = Ctx {
            actor: Actor { user_id: user, account, memberships: ms_ },
            now: at(now),
            calendar: &self.cal,
            signed_result: self.signed_result,
        };
        let ev = decide(&self.state, cmd, &cx)?;
        let r =
            Recorded { dossier_id: "d1".into(), seq: self.state.version + 1, at: ms(at(now)), actor_id: user.into(), event: ev };
        apply(&mut self.state, &r);
        self.log.push(r);
        Ok(())
    }

    fn officer(&mut self, path: &str, role: Role, now: &str, cmd: Command) -> Result<(), DossierError> {
        let m = member(path, role);
        self.run("officer", &m, AccountType::Official, now, cmd)
    }

    fn citizen(&mut self, now: &str, cmd: Command) -> Result<(), DossierError> {
        self.run("citizen", &[], AccountType::Citizen, now, cmd)
    }

    fn receive(&mut self, now: &str) -> Result<(), DossierError> {
        let p = self.state.procedure.clone();
        self.officer(
            RECV,
            Role::ReceptionOfficer,
            now,
            Command::Receive {
                code: "R-260302-0001".into(),
                procedure: Box::new(p),
                competent: Some(agency("D", DEPT)),
                steps: steps(),
                components: components(true),
                rating_code: None,
            },
        )
    }
}

/// The environment of a decision on the standard calendar.
fn cx(actor: Actor<'_>, now: Timestamp) -> Ctx<'_> {
    static CAL: std::sync::LazyLock<WorkCalendar> = std::sync::LazyLock::new(WorkCalendar::vietnam);
    Ctx { actor, now, calendar: &CAL, signed_result: false }
}

fn submit() -> Command {
    Command::Submit { reference: "N260302-7KQM4XTA".into(), vneid: false }
}

fn attach() -> Command {
    let Command::AttachFile { file } = attach_at(0, "to_khai") else { unreachable!() };
    Command::AttachFile { file: FileRef { id: "f1".into(), ..file } }
}

/// The scan of `key`, certified by the reception officer.
fn digitize(key: &str) -> Command {
    let Command::AttachFile { file } = attach_at(0, key) else { unreachable!() };
    Command::DigitizeComponent {
        file: FileRef { id: format!("scan-{key}"), by: "officer".into(), ..file },
        signature_sha256: "ab".repeat(32),
        signature_size: 1432,
        by_name: "Trần Thị Bình".into(),
        certificate_serial: "4F2A".into(),
    }
}

/// A file for `key` attached at `now` (the app stamps files with the instant of the upload).
fn attach_at(now: i64, key: &str) -> Command {
    Command::AttachFile {
        file: FileRef {
            id: format!("f-{key}-{now}"),
            component_key: key.into(),
            sha256: "00".into(),
            name: "to-khai.pdf".into(),
            size: 10,
            media_type: "application/pdf".into(),
            at: now,
            by: "citizen".into(),
            removed: false,
            locker_item_id: None,
        },
    }
}

#[test]
fn the_filing_reference_is_given_at_submission() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    let e = w.citizen("2026-03-02T01:07:00Z", Command::Submit { reference: " ".into(), vneid: false }).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].field == "reference"), "{e:?}");
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    assert_eq!(w.state.filing_reference.as_deref(), Some("N260302-7KQM4XTA"));
    assert_eq!(w.state.code, None, "the code comes at reception");
    assert_eq!(replay(&w.log).unwrap(), w.state);
    // A submission stored before references existed replays without one.
    let old: Event = serde_json::from_str(r#"{"kind":"submitted"}"#).unwrap();
    assert_eq!(old, Event::Submitted { reference: None, check_due_at: None, calendar_version: None, vneid_authenticated: false });
}

#[test]
fn the_signed_result_is_the_online_result_without_an_attached_file() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    w.receive("2026-03-02T02:00:00Z").unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, "2026-03-03T03:00:00Z", Command::Forward { note: None }).unwrap();
    let resolve = || Command::Resolve { name: "Giấy khai sinh".into(), number: Some("12/2026".into()), note: None };
    let online = || Command::Return { method: ReturnMethod::Online, tracking_number: None, note: None };
    // Without a signed result issued by the system, the file is needed.
    let e = w.officer(DEPT, Role::Leader, "2026-03-04T03:00:00Z", resolve()).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "result_file_missing"), "{e:?}");
    // With it, the leader resolves and the counter returns online: no file attached.
    w.signed_result = true;
    w.officer(DEPT, Role::Leader, "2026-03-04T03:00:00Z", resolve()).unwrap();
    assert!(!w.state.files.iter().any(|f| f.component_key == RESULT_COMPONENT));
    w.signed_result = false;
    let e = w.officer(RECV, Role::ReceptionOfficer, "2026-03-04T04:00:00Z", online()).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "result_file_missing"), "{e:?}");
    w.signed_result = true;
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-04T04:00:00Z", online()).unwrap();
    assert_eq!(w.state.status, Status::Returned);
}

#[test]
fn online_path_to_returned_result_on_time() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    // Submitting without the required component names it.
    let e = w.citizen("2026-03-02T01:05:00Z", submit()).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "component_missing"), "{e:?}");
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    assert_eq!(w.state.status, Status::Submitted);
    assert_eq!(w.state.status.national_code(), Some(1));
    // A counter officer of the centre serves the centre's online queue (the counter's parent).
    w.receive("2026-03-02T02:00:00Z").unwrap();
    assert_eq!(w.state.status.national_code(), Some(2));
    // Mon 2 March + 5 working days = Mon 9 March, 17:00 (UTC+7).
    assert_eq!(w.state.due_at, Some(ms(at("2026-03-09T10:00:00Z"))));
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    assert_eq!(w.state.status, Status::InProgress);
    // The specialist of a unit under the department serves the department's step.
    w.officer(UNIT, Role::Specialist, "2026-03-03T03:00:00Z", Command::Forward { note: Some("Đủ điều kiện".into()) }).unwrap();
    // A reception officer cannot sign.
    let e = w
        .officer(
            RECV,
            Role::ReceptionOfficer,
            "2026-03-03T04:00:00Z",
            Command::Resolve { name: "Giấy khai sinh".into(), number: None, note: None },
        )
        .unwrap_err();
    assert_eq!(e, DossierError::Forbidden { command: "resolve" });
    // An online dossier is not resolved without its result file (issue #10 item 5).
    let resolve = || Command::Resolve { name: "Giấy khai sinh".into(), number: Some("12/2026".into()), note: None };
    let e = w.officer(DEPT, Role::Leader, "2026-03-04T03:00:00Z", resolve()).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "result_file_missing"), "{e:?}");
    w.officer(DEPT, Role::Leader, "2026-03-04T03:00:00Z", attach_at(ms(at("2026-03-04T03:00:00Z")), RESULT_COMPONENT)).unwrap();
    w.officer(DEPT, Role::Leader, "2026-03-04T03:00:00Z", resolve()).unwrap();
    assert_eq!(w.state.status.national_code(), Some(9));
    assert_eq!(w.state.timeliness, Some(Timeliness::Early));
    // Control slip: reception, two hand-overs, and the result back to the counter.
    assert_eq!(w.state.handovers.len(), 4);
    // Reception forwarded the same day, within its 4 hours: on time.
    assert_eq!(w.state.handovers[1].step_timeliness, Some(Timeliness::OnTime));
    let e = w
        .officer(
            RECV,
            Role::ReceptionOfficer,
            "2026-03-04T04:00:00Z",
            Command::Return { method: ReturnMethod::Postal, tracking_number: None, note: None },
        )
        .unwrap_err();
    assert!(matches!(e, DossierError::Invalid(_)));
    w.officer(
        RECV,
        Role::ReceptionOfficer,
        "2026-03-04T04:00:00Z",
        Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None },
    )
    .unwrap();
    assert_eq!(w.state.status.national_code(), Some(10));
    // Returning twice is an illegal transition.
    let e = w
        .officer(
            RECV,
            Role::ReceptionOfficer,
            "2026-03-04T05:00:00Z",
            Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None },
        )
        .unwrap_err();
    assert!(matches!(e, DossierError::InvalidTransition { status: Status::Returned, .. }));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn supplement_pauses_the_clock_and_a_second_one_makes_it_late() {
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    // A sector rule allowing a second notice (the general rule allows one).
    w.state.procedure.supplement.second_notice_basis = Some("Điều 9 Thông tư chuyên ngành".into());
    w.receive("2026-03-02T02:00:00Z").unwrap();
    let due = w.state.due_at.unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    let ask = || Command::RequestSupplement {
        items: vec![SupplementItem {
            component_key: Some("to_khai".into()),
            name: "Tờ khai".into(),
            reason: "Thiếu chữ ký".into(),
        }],
    };
    // Requested Tue 10:00, supplied Thu 10:00: two working days of pause.
    w.officer(UNIT, Role::Specialist, "2026-03-03T03:00:00Z", ask()).unwrap();
    assert_eq!(w.state.status.national_code(), Some(5));
    // Nothing moves while the applicant owes the supplement.
    let e = w.officer(UNIT, Role::Specialist, "2026-03-03T04:00:00Z", Command::Forward { note: None }).unwrap_err();
    assert!(matches!(e, DossierError::InvalidTransition { .. }));
    // Confirming without the requested component's new file is refused (issue #10 item 5);
    // the file attached before the request does not count.
    let e = w.citizen("2026-03-05T03:00:00Z", Command::SupplySupplement { note: None }).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "supplement_file_missing"), "{e:?}");
    w.citizen("2026-03-05T03:00:00Z", attach_at(ms(at("2026-03-05T03:00:00Z")), "to_khai")).unwrap();
    w.citizen("2026-03-05T03:00:00Z", Command::SupplySupplement { note: Some("Đã ký".into()) }).unwrap();
    assert_eq!(w.state.status, Status::InProgress);
    assert_eq!(w.state.due_at.unwrap() - due, 2 * 86_400_000, "pushed back two working days");
    assert_eq!(w.state.due_at, Some(ms(at("2026-03-11T10:00:00Z"))), "{:?}", w.state.due_at.map(ts));
    assert_eq!(w.state.supplement_requests, 1);
    w.officer(UNIT, Role::Specialist, "2026-03-05T04:00:00Z", ask()).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-05T05:00:00Z", attach_at(ms(at("2026-03-05T05:00:00Z")), "to_khai"))
        .unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-05T05:00:00Z", Command::SupplySupplement { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, "2026-03-05T06:00:00Z", Command::Forward { note: None }).unwrap();
    w.officer(DEPT, Role::Leader, "2026-03-05T07:00:00Z", Command::Resolve { name: "Kết quả".into(), number: None, note: None })
        .unwrap();
    // Well before the deadline, but two supplement requests: late (766).
    assert_eq!(w.state.timeliness, Some(Timeliness::Late));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn an_extension_is_classified_against_the_original_due_date() {
    // Received Mon 02/03 09:00, 2 working days: due Wed 04/03 17:00.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(2));
    w.receive("2026-03-02T02:00:00Z").unwrap();
    let appt = w.state.appointment_at.unwrap();
    let extend = |d: &str| Command::Extend { reason: "Cần xác minh thêm".into(), new_date: d.parse().unwrap() };
    // A specialist may not sign the apology letter.
    assert!(matches!(
        w.officer(UNIT, Role::Specialist, "2026-03-03T02:00:00Z", extend("2026-03-10")),
        Err(DossierError::Forbidden { .. })
    ));
    assert!(matches!(w.officer(DEPT, Role::Leader, "2026-03-03T02:00:00Z", extend("2026-03-01")), Err(DossierError::Invalid(_))));
    w.officer(DEPT, Role::Leader, "2026-03-03T02:00:00Z", extend("2026-03-10")).unwrap();
    assert!(w.state.appointment_at.unwrap() > appt);
    assert_eq!(w.state.due_at, Some(appt), "the legal deadline does not move");
    let e = w.officer(DEPT, Role::Leader, "2026-03-03T03:00:00Z", extend("2026-03-12")).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "already_extended"));
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-03T03:00:00Z", Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, "2026-03-03T04:00:00Z", Command::Forward { note: None }).unwrap();
    let resolve = Command::Resolve { name: "Kết quả".into(), number: None, note: None };
    // Finished Tuesday, before the original due date: early, though extended (counted apart).
    let mut early = World { log: w.log.clone(), state: w.state.clone(), cal: WorkCalendar::vietnam(), signed_result: false };
    early.officer(DEPT, Role::Leader, "2026-03-03T05:00:00Z", resolve.clone()).unwrap();
    assert_eq!(early.state.timeliness, Some(Timeliness::Early));
    assert!(early.state.extension.is_some());
    // Finished Monday 09/03, before the new appointment but after the original due date: late.
    w.officer(DEPT, Role::Leader, "2026-03-09T02:00:00Z", resolve).unwrap();
    assert_eq!(w.state.timeliness, Some(Timeliness::Late));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn the_apology_letter_comes_at_the_latest_one_working_day_before_the_due_date() {
    // Received Wed 04/03 09:00, 2 working days: due Fri 06/03 17:00.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(2));
    w.receive("2026-03-04T02:00:00Z").unwrap();
    let extend = Command::Extend { reason: "Cần xác minh thêm".into(), new_date: "2026-03-13".parse().unwrap() };
    // On the due date itself it is too late for the letter (and nothing was recorded).
    let mut on_due_day = World { log: w.log.clone(), state: w.state.clone(), cal: WorkCalendar::vietnam(), signed_result: false };
    let e = on_due_day.officer(DEPT, Role::Leader, "2026-03-06T01:00:00Z", extend.clone()).unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "past_due"), "{e:?}");
    assert_eq!(on_due_day.log.len(), w.log.len());
    let leader = member(DEPT, Role::Leader);
    let a = Actor { user_id: "leader", account: AccountType::Official, memberships: &leader };
    assert!(!available(&w.state, &cx(a, at("2026-03-06T01:00:00Z"))).contains(&CommandKind::Extend));
    // Thursday, the working day before, at the end of the afternoon: still in time.
    assert!(available(&w.state, &cx(a, at("2026-03-05T09:59:00Z"))).contains(&CommandKind::Extend));
    w.officer(DEPT, Role::Leader, "2026-03-05T09:59:00Z", extend).unwrap();
    assert!(w.state.extension.is_some());
}

#[test]
fn a_payment_wait_pauses_the_clock_only_where_the_procedure_says_so() {
    let fees = || Command::NoticeFees { items: vec![FeeItem { name: "Lệ phí".into(), amount: 50_000, exemption: None }] };
    let paid = || Command::MarkPaid { method: PaymentMethod::Cash, receipt_number: "BL-1".into(), amount: None };
    let run = |pauses: bool| {
        let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
        w.state.procedure.counting.payment_pauses_clock = pauses;
        w.receive("2026-03-02T02:00:00Z").unwrap();
        let due = w.state.due_at.unwrap();
        w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", fees()).unwrap();
        // Paid two working days later.
        w.officer(RECV, Role::ReceptionOfficer, "2026-03-04T03:00:00Z", paid()).unwrap();
        assert_eq!(replay(&w.log).unwrap(), w.state);
        (due, w.state.due_at.unwrap())
    };
    // The general rule (766 subtracts only supplement time): the deadline stays.
    let (due, after) = run(false);
    assert_eq!(after, due);
    // A land procedure: the two working days of waiting are added back.
    let (due, after) = run(true);
    assert_eq!(after - due, 2 * 24 * 3600 * 1000, "Mon 16:00 → Wed 16:00 is two working days later");
    // A notice written before the setting existed paused the clock, and still does on replay.
    let old: Event = serde_json::from_str(r#"{"kind":"fees_noticed","items":[{"name":"Lệ phí","amount":1}]}"#).unwrap();
    assert!(matches!(old, Event::FeesNoticed { clock_paused: None, .. }));
}

#[test]
fn a_counter_dossier_is_handed_over_the_same_working_day_or_next_morning_after_15h() {
    // Mon 02/03 14:59 → by Mon 17:00; 15:01 → by Tue 08:30 (first office hour); an online
    // dossier keeps the reception step's own budget (4 office hours).
    let step_due = |channel, received: &str| {
        let mut w = World::new(channel, TimeLimit::working_days(5));
        if channel == Channel::Online {
            w.citizen("2026-03-02T01:00:00Z", attach()).unwrap();
            w.citizen("2026-03-02T01:00:00Z", submit()).unwrap();
        }
        w.receive(received).unwrap();
        Timestamp::from_millisecond(w.state.step_due_at.unwrap()).unwrap()
    };
    assert_eq!(step_due(Channel::Counter, "2026-03-02T07:59:00Z"), at("2026-03-02T10:00:00Z"));
    assert_eq!(step_due(Channel::Counter, "2026-03-02T08:01:00Z"), at("2026-03-03T01:30:00Z"));
    assert_eq!(step_due(Channel::Postal, "2026-03-02T08:01:00Z"), at("2026-03-03T01:30:00Z"));
    // Friday after 15:00: Monday morning.
    assert_eq!(step_due(Channel::Counter, "2026-03-06T08:30:00Z"), at("2026-03-09T01:30:00Z"));
    // 10:00 + 4 office hours (lunch 11:30–13:30 excluded) = 16:00.
    assert_eq!(step_due(Channel::Online, "2026-03-02T03:00:00Z"), at("2026-03-02T09:00:00Z"));
}

#[test]
fn refusal_payment_stop_withdrawal_and_rules_of_channels() {
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    // A citizen cannot receive; an online-only procedure refuses paper.
    assert!(matches!(
        w.citizen("2026-03-02T02:00:00Z", Command::Refuse { reasons: vec!["x".into()] }),
        Err(DossierError::InvalidTransition { .. })
    ));
    w.state.procedure.online_only = true;
    let e = w.receive("2026-03-02T02:00:00Z").unwrap_err();
    assert!(matches!(e, DossierError::Invalid(ref v) if v.0[0].code == "online_only"));
    w.state.procedure.online_only = false;
    w.receive("2026-03-02T02:00:00Z").unwrap();
    // Receiving twice is refused.
    assert!(matches!(w.receive("2026-03-02T02:10:00Z"), Err(DossierError::InvalidTransition { .. })));
    w.officer(
        RECV,
        Role::ReceptionOfficer,
        "2026-03-02T03:00:00Z",
        Command::NoticeFees { items: vec![FeeItem { name: "Lệ phí".into(), amount: 0, exemption: None }] },
    )
    .unwrap_err();
    w.officer(
        RECV,
        Role::ReceptionOfficer,
        "2026-03-02T03:00:00Z",
        Command::NoticeFees { items: vec![FeeItem { name: "Lệ phí".into(), amount: 50_000, exemption: None }] },
    )
    .unwrap();
    assert_eq!(w.state.status.national_code(), Some(6));
    // The applicant cannot mark their own fee paid (issue #11 item 9); the clerk records cash.
    let online = Command::MarkPaid { method: PaymentMethod::OnlineNational, receipt_number: "BL-1".into(), amount: None };
    assert!(matches!(w.citizen("2026-03-03T03:00:00Z", online), Err(DossierError::Forbidden { .. })));
    let cash = Command::MarkPaid { method: PaymentMethod::Cash, receipt_number: "BL-1".into(), amount: None };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-03T03:00:00Z", cash).unwrap();
    assert_eq!(w.state.status, Status::Received);
    assert_eq!(w.state.payment.as_ref().unwrap().amount, 50_000);
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-03T04:00:00Z", Command::Forward { note: None }).unwrap();
    // Form 05 is the competent agency leader's (issue #11 item 6), not the specialist's at the step.
    let stop = || Command::Stop { reason: "Có tranh chấp".into(), basis: None, financial_consequences: None };
    assert!(matches!(w.officer(UNIT, Role::Specialist, "2026-03-03T05:00:00Z", stop()), Err(DossierError::Forbidden { .. })));
    w.officer(DEPT, Role::Leader, "2026-03-03T05:00:00Z", stop()).unwrap();
    assert_eq!(w.state.status.national_code(), Some(8));
    assert!(matches!(
        w.officer(UNIT, Role::Specialist, "2026-03-03T06:00:00Z", Command::RequestSupplement { items: vec![] }),
        Err(DossierError::InvalidTransition { .. })
    ));
    assert_eq!(replay(&w.log).unwrap(), w.state);

    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", Command::Refuse { reasons: vec![" ".into()] }).unwrap_err();
    w.officer(
        RECV,
        Role::ReceptionOfficer,
        "2026-03-02T02:00:00Z",
        Command::Refuse { reasons: vec!["Không thuộc thẩm quyền".into()] },
    )
    .unwrap();
    assert_eq!(w.state.status.national_code(), Some(3));
    // A refused dossier gets no supplement.
    assert!(matches!(
        w.citizen("2026-03-02T03:00:00Z", Command::SupplySupplement { note: None }),
        Err(DossierError::InvalidTransition { .. })
    ));

    let mut w = World::new(Channel::Online, TimeLimit { value: 1, unit: TimeUnit::WorkingDays });
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    w.citizen("2026-03-02T01:08:00Z", Command::Withdraw { reason: "Nộp nhầm".into() }).unwrap();
    assert_eq!(w.state.status.national_code(), Some(7));
}

#[test]
fn serves_is_self_below_or_the_direct_parent() {
    let ms_ = member("/p/centre/quay1/", Role::ReceptionOfficer);
    let a = Actor { user_id: "u", account: AccountType::Official, memberships: &ms_ };
    assert!(a.serves(Role::ReceptionOfficer, "/p/centre/quay1/"));
    assert!(a.serves(Role::ReceptionOfficer, "/p/centre/"));
    assert!(!a.serves(Role::ReceptionOfficer, "/p/"));
    assert!(!a.serves(Role::ReceptionOfficer, "/p/centre/quay2/"));
    assert!(!a.serves(Role::Leader, "/p/centre/quay1/"));
}

mod props;

#[test]
fn guard_table_has_one_row_per_kind_and_payment_grants_make_the_mark_paid_row() {
    for (i, k) in CommandKind::ALL.into_iter().enumerate() {
        assert_eq!(GUARDS[i].kind, k);
        assert_eq!(guard(k).kind, k);
        // A grant limited to some statuses names only statuses of its row.
        for g in GUARDS[i].who {
            assert!(g.only.unwrap_or_default().iter().all(|s| GUARDS[i].from.contains(s)), "{k:?}");
        }
    }
    let row: Vec<Who> = guard(CommandKind::MarkPaid).who.iter().map(|g| g.who).collect();
    let by_method: Vec<Who> = PAYMENT.iter().flat_map(|(_, who)| who.iter().copied()).collect();
    assert!(row.iter().all(|w| by_method.contains(w)) && by_method.iter().all(|w| row.contains(w)));
}

#[test]
fn available_lists_what_each_actor_may_do_now() {
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    let now = at("2026-03-02T03:00:00Z");
    let clerk = member(RECV, Role::ReceptionOfficer);
    let as_clerk =
        |d: &Dossier| available(d, &cx(Actor { user_id: "officer", account: AccountType::Official, memberships: &clerk }, now));
    let as_citizen =
        |d: &Dossier| available(d, &cx(Actor { user_id: "citizen", account: AccountType::Citizen, memberships: &[] }, now));
    use CommandKind as K;
    // A paper draft: received directly; no file yet to remove.
    assert_eq!(as_clerk(&w.state), [K::Receive, K::AttachFile, K::DigitizeComponent, K::ChoosePostal]);
    w.receive("2026-03-02T02:00:00Z").unwrap();
    assert_eq!(
        as_clerk(&w.state),
        [
            K::Refuse,
            K::RequestSupplement,
            K::Forward,
            K::NoticeFees,
            K::Withdraw,
            K::AttachFile,
            K::DigitizeComponent,
            K::ChoosePostal
        ]
    );
    assert_eq!(as_citizen(&w.state), [K::Withdraw]);
    // A leader of the competent agency may extend (once, before the due date) and stop.
    let leader = member(DEPT, Role::Leader);
    let a = Actor { user_id: "leader", account: AccountType::Official, memberships: &leader };
    assert_eq!(available(&w.state, &cx(a, now)), [K::Stop, K::Extend]);
    assert_eq!(available(&w.state, &cx(a, at("2026-04-01T03:00:00Z"))), [K::Stop]);
}

/// Every event of a dossier's life, each as it is stored (`dossier_events.payload`).
fn stored_forms() -> Vec<String> {
    let t = |h: u32| format!("2026-03-{:02}T{:02}:00:00Z", 2 + h / 24, h % 24);
    let mut w = World::new(Channel::Online, TimeLimit::working_days(10));
    w.citizen(&t(1), attach()).unwrap();
    w.citizen(&t(1), Command::RemoveFile { file_id: "f1".into() }).unwrap();
    w.citizen(&t(1), attach()).unwrap();
    w.citizen(&t(1), submit()).unwrap();
    w.receive(&t(2)).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(3), Command::Forward { note: None }).unwrap();
    // A free-text item (no component) keeps the stored forms' sequence: no new file needed.
    let item = SupplementItem { component_key: None, name: "Tờ khai".into(), reason: "Thiếu chữ ký".into() };
    w.officer(UNIT, Role::Specialist, &t(4), Command::RequestSupplement { items: vec![item] }).unwrap();
    w.citizen(&t(26), Command::SupplySupplement { note: Some("Đã ký".into()) }).unwrap();
    let fee = FeeItem { name: "Lệ phí".into(), amount: 50_000, exemption: None };
    w.officer(UNIT, Role::Specialist, &t(27), Command::NoticeFees { items: vec![fee] }).unwrap();
    w.officer(
        UNIT,
        Role::Specialist,
        &t(28),
        Command::MarkPaid { method: PaymentMethod::Cash, receipt_number: "BL-1".into(), amount: None },
    )
    .unwrap();
    w.officer(
        DEPT,
        Role::Leader,
        &t(29),
        Command::Extend { reason: "Cần xác minh".into(), new_date: "2026-03-31".parse().unwrap() },
    )
    .unwrap();
    w.officer(UNIT, Role::Specialist, &t(30), Command::SendBack { reason: "Xem lại".into() }).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(31), Command::Forward { note: Some("Đủ".into()) }).unwrap();
    w.officer(UNIT, Role::Specialist, &t(32), Command::Forward { note: None }).unwrap();
    let Command::AttachFile { file } = attach() else { unreachable!() };
    let result = FileRef { id: "f2".into(), component_key: RESULT_COMPONENT.into(), ..file };
    w.officer(DEPT, Role::Leader, &t(33), Command::AttachFile { file: result }).unwrap();
    w.officer(
        DEPT,
        Role::Leader,
        &t(34),
        Command::Resolve { name: "Giấy khai sinh".into(), number: Some("1/2026".into()), note: None },
    )
    .unwrap();
    // A postal return is a hand-over and a delivery now (`postal_events_keep_their_stored_form`);
    // the stored `result_returned` of method postal still reads back (events.jsonl).
    let counter = Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None };
    w.officer(RECV, Role::ReceptionOfficer, &t(35), counter).unwrap();
    w.citizen(&t(36), Command::Rate { satisfied: true, comment: Some("Nhanh".into()), factors: vec![] }).unwrap();
    assert_eq!(replay(&w.log).unwrap(), w.state);
    let mut log = w.log;
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    w.receive(&t(2)).unwrap();
    w.officer(
        DEPT,
        Role::Leader,
        &t(3),
        Command::Stop { reason: "Tranh chấp".into(), basis: Some("Điều 9".into()), financial_consequences: None },
    )
    .unwrap();
    log.extend(w.log.into_iter().skip(2));
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen(&t(1), attach()).unwrap();
    w.citizen(&t(1), submit()).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(2), Command::Refuse { reasons: vec!["Không thuộc thẩm quyền".into()] }).unwrap();
    log.extend(w.log.into_iter().skip(3));
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen(&t(1), attach()).unwrap();
    w.citizen(&t(1), submit()).unwrap();
    w.citizen(&t(2), Command::Withdraw { reason: "Nộp nhầm".into() }).unwrap();
    log.extend(w.log.into_iter().skip(3));
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    w.receive(&t(2)).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(3), Command::Forward { note: None }).unwrap();
    let refusal =
        Command::RefuseAfterAppraisal { reasons: vec!["Không đủ điều kiện".into()], basis: Some("Điều 5".into()) };
    w.officer(DEPT, Role::Leader, &t(4), refusal).unwrap();
    log.extend(w.log.into_iter().skip(3));
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    w.receive(&t(2)).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(3), digitize("to_khai")).unwrap();
    log.extend(w.log.into_iter().skip(2));
    let mut w = resolved_by_post(&t(1));
    w.officer(RECV, Role::ReceptionOfficer, &t(10), post("EL123456789VN", 30_000)).unwrap();
    w.run(CARRIER_ACTOR, &[], AccountType::Citizen, &t(11), undelivered("Không có người nhận")).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(12), post("EL123456790VN", 30_000)).unwrap();
    w.run(CARRIER_ACTOR, &[], AccountType::Citizen, &t(13), delivered(Some("EL123456790VN"))).unwrap();
    let n = w.log.iter().position(|r| r.event.kind() == "postal_chosen").unwrap();
    log.extend(w.log.into_iter().skip(n).filter(|r| r.event.kind().contains("post")));
    log.iter().map(|r| serde_json::to_string(&r.event).unwrap()).collect()
}

/// The structure of a stored event: field names and event tags, values blanked (they
/// depend on the calendar; the names are the schema).
fn shape(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as V;
    match v {
        V::Object(m) => V::Object(m.iter().map(|(k, x)| (k.clone(), if k == "kind" { x.clone() } else { shape(x) })).collect()),
        V::Array(a) => V::Array(a.iter().map(shape).collect()),
        _ => V::Null,
    }
}

/// The log is a persisted schema: old databases must replay identically. Every event kind
/// as stored (`tests/events.jsonl`, written from the event types, which the module split
/// moved verbatim) reads back and writes out byte for byte, and events made now have the
/// same fields.
#[test]
fn events_keep_their_stored_form() {
    let golden: Vec<&str> = include_str!("tests/events.jsonl").lines().collect();
    let mut kinds: Vec<&str> = Vec::new();
    for line in &golden {
        let e: Event = serde_json::from_str(line).unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), *line);
        kinds.push(e.kind());
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds.len(), 24, "every event kind is covered: {kinds:?}");
    let now = stored_forms();
    assert_eq!(now.len(), golden.len());
    for (made, stored) in now.iter().zip(&golden) {
        let parse = |s: &str| shape(&serde_json::from_str(s).unwrap());
        assert_eq!(parse(made), parse(stored), "{made}");
    }
}

#[test]
fn sending_back_to_reception_keeps_national_status_4() {
    // Issue #11 item 5: once processing has started the national status does not go back.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    w.receive("2026-03-02T02:00:00Z").unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    assert_eq!(w.state.status.national_code(), Some(4));
    w.officer(UNIT, Role::Specialist, "2026-03-02T04:00:00Z", Command::SendBack { reason: "Xem lại".into() }).unwrap();
    assert_eq!((w.state.step, w.state.status, w.state.status.national_code()), (0, Status::InProgress, Some(4)));
    // The reception step goes on from there: it forwards again.
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T05:00:00Z", Command::Forward { note: None }).unwrap();
    assert_eq!(replay(&w.log).unwrap(), w.state);
    // A sent_back event stored before the rule (no status) replays as it was written.
    let old: Event =
        serde_json::from_str(r#"{"kind":"sent_back","to_step":0,"step_due_at":1772586000000,"reason":"Xem lại"}"#).unwrap();
    let mut log = w.log[..3].to_vec();
    log.push(Recorded { event: old, ..w.log[3].clone() });
    assert_eq!(replay(&log).unwrap().status, Status::Received, "old projections stay the same");
}

#[test]
fn a_dossier_without_a_competent_agency_cannot_be_received() {
    // Issue #11 item 8: no fallback to the reception point; nobody competent, no reception.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(3));
    let p = w.state.procedure.clone();
    let cmd = |competent| Command::Receive {
        code: "R-260302-0001".into(),
        procedure: Box::new(p.clone()),
        competent,
        steps: steps(),
        components: components(true),
        rating_code: None,
    };
    let err = w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", cmd(None)).unwrap_err();
    let DossierError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!((v.0[0].field.as_str(), v.0[0].code), ("competent_agency_id", "competent_required"));
    assert!(v.0[0].message_vi.contains("cơ quan có thẩm quyền"), "{v:?}");
    assert_eq!((w.state.status, w.log.len()), (Status::Draft, 1), "nothing happened");
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", cmd(Some(agency("X", "/p/xa/")))).unwrap();
    assert_eq!(w.state.competent.as_ref().map(|c| c.code.as_str()), Some("X"));
}

#[test]
fn the_competent_agency_is_derived_from_the_case() {
    use crate::catalog::{Level, ProcedureSpec};
    let spec = |levels: Vec<Level>, agency: Option<&str>| -> ProcedureSpec {
        let mut s: ProcedureSpec =
            serde_json::from_str::<Vec<ProcedureSpec>>(include_str!("../../../../data/catalog/demo.json")).unwrap().remove(0);
        s.levels = levels;
        s.agency_code = agency.map(str::to_string);
        s
    };
    assert_eq!(competence(&spec(vec![Level::Commune], None)), Competence::Commune);
    assert_eq!(competence(&spec(vec![Level::Province], Some("000.00.01.H40"))), Competence::Agency("000.00.01.H40".into()));
    assert_eq!(competence(&spec(vec![Level::Province], None)), Competence::Unknown);
    // The applicant's address names the commune: marks, case and word boundaries.
    let communes = [("hoalu", "Phường Hoa Lư"), ("kimson", "Xã Kim Sơn"), ("kim", "Xã Kim"), ("giavien", "Xã Gia Viễn")];
    assert_eq!(commune_named_in("Số 1 Đinh Tiên Hoàng, phường hoa lư, Ninh Bình", &communes), Some("hoalu"));
    assert_eq!(commune_named_in("Thôn Đông, Xã Gia Viễn", &communes), Some("giavien"));
    assert_eq!(commune_named_in("Xóm 3, xã Kim Sơn", &communes), Some("kimson"), "the longest name wins");
    assert_eq!(commune_named_in("Xóm 3, xã Kim", &communes), Some("kim"));
    assert_eq!(commune_named_in("Xã Kimsơn", &communes), None, "on word boundaries");
    assert_eq!(commune_named_in("Quận 1, TP Hồ Chí Minh", &communes), None);
}

#[test]
fn refusal_after_appraisal_is_the_competent_leaders_and_ends_with_the_letter() {
    // Issue #11 item 10: from processing, by the competent agency's leader, with reasons; its
    // own event and count, national status 9 (then 10 at return), distinct from stop (8).
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    w.receive("2026-03-02T02:00:00Z").unwrap();
    let refuse = |reasons: Vec<&str>, basis: Option<String>| Command::RefuseAfterAppraisal {
        reasons: reasons.into_iter().map(String::from).collect(),
        basis,
    };
    // Before processing starts it is no legal transition (at reception, form 03 applies).
    let early = w.officer(DEPT, Role::Leader, "2026-03-02T03:00:00Z", refuse(vec!["Không đủ điều kiện"], None));
    assert!(matches!(early, Err(DossierError::InvalidTransition { .. })), "{early:?}");
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    let n = w.log.len();
    // The specialist at the step does not sign it.
    let specialist = w.officer(UNIT, Role::Specialist, "2026-03-02T04:00:00Z", refuse(vec!["Không đủ điều kiện"], None));
    assert!(matches!(specialist, Err(DossierError::Forbidden { .. })), "{specialist:?}");
    // Reasons required, bounded; the basis bounded.
    for bad in [refuse(vec![], None), refuse(vec!["  "], None), refuse(vec!["Lý do"], Some("x".repeat(501)))] {
        assert!(matches!(w.officer(DEPT, Role::Leader, "2026-03-02T04:00:00Z", bad), Err(DossierError::Invalid(_))));
    }
    assert_eq!(w.log.len(), n, "nothing happened");
    w.officer(DEPT, Role::Leader, "2026-03-02T04:00:00Z", refuse(vec![" Không đủ điều kiện ", ""], Some("Điều 5".into())))
        .unwrap();
    assert_eq!((w.state.status, w.state.status.national_code()), (Status::Resolved, Some(9)));
    let ending = w.state.appraisal_refusal.as_ref().unwrap();
    assert_eq!((ending.reasons.clone(), ending.basis.as_deref()), (vec!["Không đủ điều kiện".to_string()], Some("Điều 5")));
    assert_eq!(w.state.result.as_ref().map(|r| r.name.as_str()), Some(APPRAISAL_REFUSAL_LETTER));
    assert_eq!(w.state.timeliness, Some(Timeliness::Early));
    assert!(w.state.stop.is_none() && w.state.refusal.is_none());
    let m = metrics(&w.state, &w.log.last().unwrap().event);
    assert_eq!(m, ["refused_after_appraisal", "finished", "finished_early"]);
    // Once: a second refusal is no legal transition.
    let again = w.officer(DEPT, Role::Leader, "2026-03-02T05:00:00Z", refuse(vec!["Lần hai"], None));
    assert!(matches!(again, Err(DossierError::InvalidTransition { .. })), "{again:?}");
    // The letter goes back through the one-stop.
    let back = Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T06:00:00Z", back).unwrap();
    assert_eq!(w.state.status.national_code(), Some(10));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn supplement_notice_once_within_three_working_days_of_reception() {
    // Issue #11 item 11 (REQ-19): one consolidated notice within 3 working days of reception;
    // a second one only where the procedure allows it, recording its basis.
    let ask = || Command::RequestSupplement {
        items: vec![SupplementItem { component_key: None, name: "Tờ khai".into(), reason: "Thiếu chữ ký".into() }],
    };
    let code_of = |r: Result<(), DossierError>| match r {
        Err(DossierError::Invalid(v)) => v.0[0].code,
        other => panic!("{other:?}"),
    };
    // Received Monday 2 March 09:00 (VN): the window ends Thursday 5 March at the close.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(10));
    w.receive("2026-03-02T02:00:00Z").unwrap();
    assert_eq!(w.state.supplement_by, Some(ms(at("2026-03-05T10:00:00Z"))), "{:?}", w.state.supplement_by.map(ts));
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    let specialist = member(UNIT, Role::Specialist);
    let a = Actor { user_id: "s", account: AccountType::Official, memberships: &specialist };
    assert!(
        !available(&w.state, &cx(a, at("2026-03-06T02:00:00Z"))).contains(&CommandKind::RequestSupplement),
        "not offered late"
    );
    let n = w.log.len();
    assert_eq!(code_of(w.officer(UNIT, Role::Specialist, "2026-03-06T02:00:00Z", ask())), "supplement_window_passed");
    assert_eq!(w.log.len(), n);
    w.officer(UNIT, Role::Specialist, "2026-03-05T09:00:00Z", ask()).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-05T09:30:00Z", Command::SupplySupplement { note: None }).unwrap();
    assert_eq!(code_of(w.officer(UNIT, Role::Specialist, "2026-03-05T09:40:00Z", ask())), "second_supplement_not_allowed");
    assert!(!available(&w.state, &cx(a, at("2026-03-05T09:40:00Z"))).contains(&CommandKind::RequestSupplement));
    assert_eq!(w.state.supplement_requests, 1);

    // A procedure whose sector rule allows a second notice and restarts the count.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(2));
    w.state.procedure.supplement = crate::catalog::SupplementRule {
        second_notice_basis: Some("Khoản 3 Điều 9 Nghị định chuyên ngành".into()),
        restart_basis: Some("Điều 10 Nghị định chuyên ngành".into()),
        ..Default::default()
    };
    w.receive("2026-03-02T02:00:00Z").unwrap();
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, "2026-03-03T02:00:00Z", ask()).unwrap();
    assert_eq!(w.state.supplements[0].basis, None, "the first notice rests on the general rule");
    // Supplied Tuesday 10 March 09:00: 2 working days run again from then (Thursday 12 March
    // at the close), not the paused remainder.
    w.citizen("2026-03-10T02:00:00Z", Command::SupplySupplement { note: None }).unwrap();
    assert_eq!(w.state.due_at, Some(ms(at("2026-03-12T10:00:00Z"))), "{:?}", w.state.due_at.map(ts));
    assert_eq!(w.state.appointment_at, w.state.due_at);
    w.officer(UNIT, Role::Specialist, "2026-03-10T03:00:00Z", ask()).unwrap();
    assert_eq!(w.state.supplements[1].basis.as_deref(), Some("Khoản 3 Điều 9 Nghị định chuyên ngành"));
    assert_eq!(w.state.supplement_requests, 2);
    assert_eq!(replay(&w.log).unwrap(), w.state);
    // An event stored before the rule (no window) replays without one.
    let old = w.log[1].event.clone();
    let mut json = serde_json::to_value(&old).unwrap();
    json.as_object_mut().unwrap().remove("supplement_by");
    let back: Event = serde_json::from_value(json).unwrap();
    let mut log = w.log[..1].to_vec();
    log.push(Recorded { event: back, ..w.log[1].clone() });
    assert_eq!(replay(&log).unwrap().supplement_by, None);
}

#[test]
fn counter_applicants_rate_at_return_with_the_code_on_their_receipt() {
    // Issue #11 item 15: a paper dossier is rated at the counter's kiosk, once, with the
    // one-time code of its receipt; online dossiers keep rating from the account.
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    let p = w.state.procedure.clone();
    let receive = Command::Receive {
        code: "R-260302-0001".into(),
        procedure: Box::new(p),
        competent: Some(agency("D", DEPT)),
        steps: steps(),
        components: components(true),
        rating_code: Some("40271935".into()),
    };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", receive).unwrap();
    assert_eq!(w.state.rating_code.as_deref(), Some("40271935"));
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T03:00:00Z", Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, "2026-03-02T04:00:00Z", Command::Forward { note: None }).unwrap();
    let resolve = Command::Resolve { name: "Giấy khai sinh".into(), number: None, note: None };
    w.officer(DEPT, Role::Leader, "2026-03-02T05:00:00Z", resolve).unwrap();
    let rate = |code: &str, comment: Option<String>| Command::RateAtCounter {
        satisfied: true,
        comment,
        rating_code: code.into(),
        factors: vec![],
    };
    // Not before the result is handed back.
    let early = w.run(KIOSK_ACTOR, &[], AccountType::Citizen, "2026-03-02T05:30:00Z", rate("40271935", None));
    assert!(matches!(early, Err(DossierError::InvalidTransition { .. })), "{early:?}");
    let back = Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T05:40:00Z", back).unwrap();
    let rate = |code: &str, comment: Option<String>| Command::RateAtCounter {
        satisfied: true,
        comment,
        rating_code: code.into(),
        factors: vec![],
    };
    let kiosk = |w: &mut World, cmd| w.run(KIOSK_ACTOR, &[], AccountType::Citizen, "2026-03-02T06:00:00Z", cmd);
    // Anyone else, a wrong code or a comment too long: refused, nothing written.
    assert!(matches!(w.citizen("2026-03-02T06:00:00Z", rate("40271935", None)), Err(DossierError::Forbidden { .. })));
    assert!(matches!(kiosk(&mut w, rate("40271936", None)), Err(DossierError::Invalid(_))));
    assert!(matches!(kiosk(&mut w, rate("40271935", Some("x".repeat(2001)))), Err(DossierError::Invalid(_))));
    assert_eq!(w.log.len(), 6);
    kiosk(&mut w, rate(" 40271935 ", Some("Nhanh, chu đáo".into()))).unwrap();
    assert_eq!(w.state.rating.as_ref().map(|r| r.satisfied), Some(true));
    assert_eq!(metrics(&w.state, &w.log.last().unwrap().event), ["rated_satisfied"]);
    // Once.
    assert!(matches!(kiosk(&mut w, rate("40271935", None)), Err(DossierError::Invalid(_))));
    assert_eq!(replay(&w.log).unwrap(), w.state);
    // An online dossier gets no code: it is rated from the account.
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", submit()).unwrap();
    let p = w.state.procedure.clone();
    let receive = Command::Receive {
        code: "R-260302-0002".into(),
        procedure: Box::new(p),
        competent: Some(agency("D", DEPT)),
        steps: steps(),
        components: components(true),
        rating_code: Some("11111111".into()),
    };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", receive).unwrap();
    assert_eq!(w.state.rating_code, None);
}

/// An online dossier with its required file, submitted at `now` (UTC).
fn submitted_online(now: &str) -> World {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen(now, attach()).unwrap();
    w.citizen(now, submit()).unwrap();
    w
}

#[test]
fn an_online_dossier_is_checked_within_one_working_day_of_its_submission() {
    // Issue #11 item 14: submitted Friday 6 March 2026 at 20:00 (13:00 UTC), the check counts
    // from Monday's opening and is due Monday 9 March 17:00 (10:00 UTC).
    let mut w = submitted_online("2026-03-06T13:00:00Z");
    let due = ms(at("2026-03-09T10:00:00Z"));
    assert_eq!((w.state.check_due_at, w.state.pending_check_due()), (Some(due), Some(due)));
    assert_eq!(w.state.calendar_version.as_deref(), Some(w.cal.version()));
    assert!(!w.state.is_check_overdue_at(due), "due at 17:00 itself is on time");
    assert!(w.state.is_check_overdue_at(due + 1));
    // Received Tuesday: the check was answered late, counted once, and waits no more.
    w.receive("2026-03-10T02:00:00Z").unwrap();
    assert_eq!(w.state.checked_at, Some(ms(at("2026-03-10T02:00:00Z"))));
    assert!(w.state.check_was_late() && w.state.pending_check_due().is_none());
    assert!(!w.state.is_check_overdue_at(due + 86_400_000));
    assert!(metrics(&w.state, &w.log.last().unwrap().event).contains(&"check_late"));
    // Later steps are no answer to the check.
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-10T03:00:00Z", Command::Forward { note: None }).unwrap();
    assert!(!metrics(&w.state, &w.log.last().unwrap().event).contains(&"check_late"));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn a_check_answered_in_time_is_not_late_and_a_completed_dossier_waits_for_a_new_check() {
    // Submitted Monday 2 March 10:00 (03:00 UTC): due Tuesday 10:00.
    let mut w = submitted_online("2026-03-02T03:00:00Z");
    assert_eq!(w.state.check_due_at, Some(ms(at("2026-03-03T03:00:00Z"))));
    // Asked to complete on Tuesday 09:00: answered in time.
    let item = SupplementItem { component_key: None, name: "Tờ khai".into(), reason: "Thiếu chữ ký".into() };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-03T02:00:00Z", Command::RequestSupplement { items: vec![item] }).unwrap();
    assert!(!w.state.check_was_late() && w.state.pending_check_due().is_none());
    assert!(!metrics(&w.state, &w.log.last().unwrap().event).contains(&"check_late"));
    // Completed Saturday 7 March: a new check from Monday's opening, due Monday 17:00.
    w.citizen("2026-03-07T03:00:00Z", Command::SupplySupplement { note: None }).unwrap();
    assert_eq!(w.state.status, Status::Submitted);
    assert_eq!((w.state.pending_check_due(), w.state.checked_at), (Some(ms(at("2026-03-09T10:00:00Z"))), None));
    // Refused on Monday 16:00: in time.
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-09T09:00:00Z", Command::Refuse { reasons: vec!["Sai thẩm quyền".into()] })
        .unwrap();
    assert!(!w.state.check_was_late() && w.state.pending_check_due().is_none());
    assert!(!metrics(&w.state, &w.log.last().unwrap().event).contains(&"check_late"));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

#[test]
fn the_check_level_is_the_procedures() {
    // A procedure checked within 4 office hours: Monday 16:00 → Tuesday 10:30.
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.state.procedure.reception_check = crate::catalog::CheckLevel { amount: 4, unit: crate::calendar::CheckUnit::Hours };
    w.citizen("2026-03-02T09:00:00Z", attach()).unwrap();
    w.citizen("2026-03-02T09:00:00Z", submit()).unwrap();
    assert_eq!(w.state.check_due_at, Some(ms(at("2026-03-03T03:30:00Z"))));
    // Paper dossiers have no check due time.
    let mut paper = World::new(Channel::Counter, TimeLimit::working_days(5));
    paper.receive("2026-03-02T02:00:00Z").unwrap();
    assert_eq!((paper.state.check_due_at, paper.state.checked_at), (None, None));
    assert!(!metrics(&paper.state, &paper.log.last().unwrap().event).contains(&"check_late"));
}

#[test]
fn a_submission_stored_before_the_check_rule_replays_without_a_check_due() {
    // Events are a persisted schema: the old form reads back byte for byte and replays as it was.
    let old = r#"{"kind":"submitted","reference":"N260302-7KQM4XTA"}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    assert_eq!(serde_json::to_string(&e).unwrap(), old);
    let w = submitted_online("2026-03-06T13:00:00Z");
    let mut log = w.log.clone();
    log.last_mut().unwrap().event = e;
    let d = replay(&log).unwrap();
    assert_eq!((d.status, d.check_due_at, d.calendar_version.as_deref()), (Status::Submitted, None, None));
    assert!(!d.is_check_overdue_at(i64::MAX));
    // A supplement supplied before the rule (no check due) leaves the dossier's as it was.
    let old = r#"{"kind":"supplement_supplied","note":null,"due_at":null,"appointment_at":null,"step_due_at":null}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    assert_eq!(serde_json::to_string(&e).unwrap(), old);
}

#[test]
fn digitization_is_recorded_per_component_and_excluded_components_are_refused() {
    use crate::catalog::{Digitization, DigitizationExclusion};
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    let mut comps = components(true);
    comps[0].digitized = false;
    comps.push(ComponentCheck {
        key: "cccd".into(),
        name: "Căn cước (xuất trình)".into(),
        digitization: Digitization::Excluded(DigitizationExclusion::ShowOnly),
        ..comps[0].clone()
    });
    let p = w.state.procedure.clone();
    let receive = Command::Receive {
        code: "R-260302-0001".into(),
        procedure: Box::new(p),
        competent: Some(agency("D", DEPT)),
        steps: steps(),
        components: comps,
        rating_code: None,
    };
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:00:00Z", receive).unwrap();
    let m = metrics(&w.state, &w.log.last().unwrap().event);
    assert_eq!(m.iter().filter(|x| **x == "components_to_digitize").count(), 1, "the excluded one is not counted: {m:?}");
    assert!(!m.contains(&"digitized"));
    assert_eq!(w.state.digitization_rate(), (1, 0));

    let err = w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:10:00Z", digitize("cccd")).unwrap_err();
    let DossierError::Invalid(v) = err else { panic!("{err:?}") };
    assert_eq!(v.0[0].code, "digitization_excluded");
    assert!(v.0[0].message_vi.contains("không thuộc diện số hóa"), "{v:?}");
    let err = w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:10:00Z", digitize("nope")).unwrap_err();
    assert!(matches!(&err, DossierError::Invalid(v) if v.0[0].code == "unknown_component"), "{err:?}");
    // A specialist of another step may not certify at reception.
    let err = w.officer(UNIT, Role::Specialist, "2026-03-02T02:10:00Z", digitize("to_khai")).unwrap_err();
    assert!(matches!(err, DossierError::Forbidden { .. }), "{err:?}");
    assert_eq!(w.log.len(), 2, "nothing recorded");

    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:20:00Z", digitize("to_khai")).unwrap();
    let m = metrics(&w.state, &w.log.last().unwrap().event);
    assert_eq!(m, ["components_digitized", "digitized"]);
    let copy = w.state.certified_copy("to_khai").expect("the certified copy");
    assert_eq!((copy.by.as_str(), copy.by_name.as_str(), copy.file_id.as_str()), ("officer", "Trần Thị Bình", "scan-to_khai"));
    assert!(w.state.components[0].digitized && !w.state.components[1].digitized);
    assert!(w.state.files.iter().any(|f| f.id == "scan-to_khai"), "the scan is a file of the dossier");
    assert_eq!(w.state.digitization_rate(), (1, 1));
    // A second scan of the same component replaces the first, and the dossier counts once.
    w.officer(RECV, Role::ReceptionOfficer, "2026-03-02T02:30:00Z", digitize("to_khai")).unwrap();
    assert_eq!(metrics(&w.state, &w.log.last().unwrap().event), ["components_digitized"]);
    assert_eq!(replay(&w.log).unwrap(), w.state);
}

/// REQ-32: a submission from a VNeID session flags the dossier (766
/// `TaiKhoanDuocXacThucVoiVNeID`); the flag lives in the event, so replay keeps it, and
/// unflagged submissions store the event as before.
#[test]
fn a_submission_through_vneid_flags_the_dossier() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(5));
    w.citizen("2026-03-02T01:06:00Z", attach()).unwrap();
    w.citizen("2026-03-02T01:07:00Z", Command::Submit { reference: "N260302-7KQM4XTA".into(), vneid: true }).unwrap();
    assert!(w.state.vneid_authenticated);
    assert_eq!(replay(&w.log).unwrap(), w.state);
    let stored = serde_json::to_value(&w.log.last().unwrap().event).unwrap();
    assert_eq!(stored["vneid_authenticated"], true, "{stored}");
    let plain = submitted_online("2026-03-02T01:07:00Z");
    assert!(!plain.state.vneid_authenticated);
    let stored = serde_json::to_value(&plain.log.last().unwrap().event).unwrap();
    assert!(stored.get("vneid_authenticated").is_none(), "{stored}");
}

/// The demo province of the postal tests: two communes of the agency tree.
fn province() -> Province {
    let unit = |code: &str, name: &str| AdminUnit { code: code.into(), name: name.into() };
    Province {
        code: "000.00.00.H40".into(),
        name: "Tỉnh Ninh Bình".into(),
        communes: vec![unit("000.00.31.H40", "Phường Hoa Lư"), unit("000.00.35.H40", "Xã Gia Viễn")],
    }
}

fn address(commune: &str) -> PostalAddress {
    PostalAddress {
        recipient: "Nguyễn Văn An".into(),
        phone: "+84 912 345 678".into(),
        province_code: String::new(),
        province: String::new(),
        commune_code: commune.into(),
        commune: "ignored: the tree's name is kept".into(),
        street: "Số 5, đường Trần Hưng Đạo".into(),
    }
}

fn choose(result: bool, commune: &str) -> Command {
    Command::ChoosePostal {
        dossier_by_post: !result,
        result_by_post: result,
        address: address(commune),
        province: Box::new(province()),
    }
}

fn post(tracking: &str, fee: i64) -> Command {
    Command::Post { tracking_number: tracking.into(), carrier: None, fee }
}

fn delivered(tracking: Option<&str>) -> Command {
    Command::PostDelivered { tracking_number: tracking.map(Into::into) }
}

fn undelivered(reason: &str) -> Command {
    Command::PostUndelivered { tracking_number: None, reason: reason.into() }
}

/// An online dossier whose applicant chose the result by post on the draft, resolved.
fn resolved_by_post(now: &str) -> World {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(10));
    w.citizen(now, attach()).unwrap();
    w.citizen(now, choose(true, "000.00.35.H40")).unwrap();
    w.citizen(now, submit()).unwrap();
    w.receive(now).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, now, Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, now, Command::Forward { note: None }).unwrap();
    let Command::AttachFile { file } = attach() else { unreachable!() };
    let result = FileRef { id: "f2".into(), component_key: RESULT_COMPONENT.into(), ..file };
    w.officer(DEPT, Role::Leader, now, Command::AttachFile { file: result }).unwrap();
    w.officer(DEPT, Role::Leader, now, Command::Resolve { name: "Giấy khai sinh".into(), number: None, note: None }).unwrap();
    w
}

fn code_of(e: DossierError) -> String {
    match e {
        DossierError::Invalid(v) => v.0.iter().map(|f| f.code).collect::<Vec<_>>().join(","),
        other => format!("{other:?}"),
    }
}

#[test]
fn the_postal_address_is_checked_against_the_province() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(10));
    let now = "2026-03-02T02:00:00Z";
    // A commune of another province (a code the tree does not have) is refused.
    let e = w.citizen(now, choose(true, "000.00.31.H26")).unwrap_err();
    assert_eq!(code_of(e), "commune_not_in_province");
    let other = Command::ChoosePostal {
        dossier_by_post: false,
        result_by_post: true,
        address: PostalAddress { province_code: "000.00.00.H26".into(), ..address("000.00.31.H40") },
        province: Box::new(province()),
    };
    assert_eq!(code_of(w.citizen(now, other).unwrap_err()), "outside_province");
    let bad = Command::ChoosePostal {
        dossier_by_post: false,
        result_by_post: true,
        address: PostalAddress { phone: "12345".into(), street: " ".into(), ..address("000.00.31.H40") },
        province: Box::new(province()),
    };
    assert_eq!(code_of(w.citizen(now, bad).unwrap_err()), "required,invalid_phone");
    let none = Command::ChoosePostal {
        dossier_by_post: false,
        result_by_post: false,
        address: address("000.00.31.H40"),
        province: Box::new(province()),
    };
    assert_eq!(code_of(w.citizen(now, none).unwrap_err()), "postal_nothing_chosen");
    assert_eq!(w.log.len(), 1, "nothing recorded");
    w.citizen(now, choose(true, "000.00.31.H40")).unwrap();
    let a = &w.state.postal.as_ref().unwrap().address;
    assert_eq!((a.commune.as_str(), a.province.as_str(), a.phone.as_str()), ("Phường Hoa Lư", "Tỉnh Ninh Bình", "0912345678"));
    // Another citizen may not; the owner no longer once submitted, the counter may.
    w.citizen(now, attach()).unwrap();
    w.citizen(now, submit()).unwrap();
    assert!(matches!(w.citizen(now, choose(true, "000.00.31.H40")), Err(DossierError::Forbidden { .. })));
    w.officer(RECV, Role::ReceptionOfficer, now, choose(true, "000.00.35.H40")).unwrap();
    assert_eq!(w.state.postal.as_ref().unwrap().address.commune, "Xã Gia Viễn");
}

#[test]
fn a_procedure_excluded_from_the_post_takes_no_postal_choice() {
    let mut w = World::new(Channel::Online, TimeLimit::working_days(10));
    w.state.procedure.postal_excluded = true;
    let now = "2026-03-02T02:00:00Z";
    assert_eq!(code_of(w.citizen(now, choose(true, "000.00.31.H40")).unwrap_err()), "postal_excluded");
    assert!(w.state.postal.is_none());
}

#[test]
fn a_result_by_post_is_returned_when_delivered() {
    let mut w = resolved_by_post("2026-03-02T02:00:00Z");
    let now = "2026-03-03T02:00:00Z";
    let clerk = |w: &mut World, cmd| w.officer(RECV, Role::ReceptionOfficer, now, cmd);
    // Delivered before it was posted.
    assert_eq!(code_of(clerk(&mut w, delivered(None)).unwrap_err()), "not_posted");
    assert_eq!(code_of(clerk(&mut w, undelivered("x")).unwrap_err()), "not_posted");
    // One way to return by post.
    let typed = Command::Return { method: ReturnMethod::Postal, tracking_number: Some("EL1".into()), note: None };
    assert_eq!(code_of(clerk(&mut w, typed).unwrap_err()), "postal_handover_required");
    assert_eq!(code_of(clerk(&mut w, post("EL 12", 10)).unwrap_err()), "invalid_tracking_number");
    assert_eq!(code_of(clerk(&mut w, post("EL123456789VN", -1)).unwrap_err()), "invalid_fee");
    // The carrier does not hand over: the counter does.
    let e = w.run(CARRIER_ACTOR, &[], AccountType::Citizen, now, post("EL123456789VN", 1)).unwrap_err();
    assert!(matches!(e, DossierError::Forbidden { .. }));
    clerk(&mut w, post("el123456789vn", 32_000)).unwrap();
    let before = w.state.clone();
    assert_eq!(w.state.status, Status::Resolved);
    assert_eq!(w.state.shipments[0].tracking_number, "EL123456789VN");
    assert_eq!(w.state.shipments[0].fee, 32_000);
    // Not twice while in transit, nor returned at the counter, nor another address.
    assert_eq!(code_of(clerk(&mut w, post("EL123456790VN", 1)).unwrap_err()), "shipment_in_transit");
    let counter = Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None };
    assert_eq!(code_of(clerk(&mut w, counter.clone()).unwrap_err()), "shipment_in_transit");
    assert_eq!(code_of(clerk(&mut w, choose(true, "000.00.31.H40")).unwrap_err()), "shipment_in_transit");
    // A report naming another shipment; a stranger's report.
    let e = w.run(CARRIER_ACTOR, &[], AccountType::Citizen, now, delivered(Some("EL999999999VN"))).unwrap_err();
    assert_eq!(code_of(e), "tracking_mismatch");
    assert!(matches!(w.run("mallory", &[], AccountType::Citizen, now, delivered(None)), Err(DossierError::Forbidden { .. })));
    assert_eq!(w.state, before);
    // Back undelivered: the result waits at the counter; posted again, then delivered.
    w.run(CARRIER_ACTOR, &[], AccountType::Citizen, now, undelivered("Không có người nhận")).unwrap();
    assert_eq!(w.state.shipments[0].status, ShipmentStatus::Undelivered);
    assert_eq!(w.state.status, Status::Resolved);
    clerk(&mut w, post("EL123456790VN", 15_000)).unwrap();
    let before = Before::of(&w.state);
    w.run(CARRIER_ACTOR, &[], AccountType::Citizen, now, delivered(Some("EL123456790VN"))).unwrap();
    assert_eq!(w.state.status, Status::Returned);
    let r = w.state.returned.as_ref().unwrap();
    assert_eq!((r.method, r.tracking_number.as_deref()), (ReturnMethod::Postal, Some("EL123456790VN")));
    assert_eq!(w.state.shipments.iter().map(|s| s.fee).sum::<i64>(), 47_000);
    // The delivery counts as the return (and the electronic result), once; a hand-over
    // counts nothing.
    let last = w.log.last().unwrap();
    let ticks: Vec<String> = ticks(before, &w.state, last).into_iter().map(|t| t.metric.into_owned()).collect();
    assert_eq!(ticks, ["returned", "e_result", "e_result_paper"]);
    let posted = &w.log[w.log.len() - 2];
    assert!(metrics(&w.state, &posted.event).is_empty());
    assert_eq!(replay(&w.log).unwrap(), w.state);
    // Nothing after the return.
    assert!(matches!(clerk(&mut w, delivered(None)), Err(DossierError::InvalidTransition { .. })));
}

#[test]
fn posting_needs_the_applicants_choice_and_leaves_counter_returns_alone() {
    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    let now = "2026-03-02T02:00:00Z";
    w.receive(now).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, now, Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, now, Command::Forward { note: None }).unwrap();
    w.officer(DEPT, Role::Leader, now, Command::Resolve { name: "Giấy phép".into(), number: None, note: None }).unwrap();
    let e = w.officer(RECV, Role::ReceptionOfficer, now, post("EL123456789VN", 1)).unwrap_err();
    assert_eq!(code_of(e), "postal_not_chosen");
    // Dossier by post only: the result is not posted either.
    w.officer(RECV, Role::ReceptionOfficer, now, choose(false, "000.00.31.H40")).unwrap();
    let e = w.officer(RECV, Role::ReceptionOfficer, now, post("EL123456789VN", 1)).unwrap_err();
    assert_eq!(code_of(e), "postal_not_chosen");
    w.officer(
        RECV,
        Role::ReceptionOfficer,
        now,
        Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None },
    )
    .unwrap();
    assert_eq!(w.state.status, Status::Returned);
}

/// SIPAS 5-point ratings (issue #18): a stored rating of issue #16 (yes/no per dimension,
/// no scores) still reads, replays and counts as before; a new one carries the scores, its
/// counters give the averages, and a score outside 1..5 is refused.
#[test]
fn ratings_score_five_points_and_old_ratings_still_replay() {
    let t = |h: u32| format!("2026-03-{:02}T{:02}:00:00Z", 2 + h / 24, h % 24);
    let old = r#"{"kind":"rated","satisfied":false,"comment":"Chậm","factors":[{"factor":"access","satisfied":true},{"factor":"officer","satisfied":false}]}"#;
    let e: Event = serde_json::from_str(old).unwrap();
    assert_eq!(serde_json::to_string(&e).unwrap(), old, "written back byte for byte");
    let Event::Rated { factors, .. } = &e else { panic!("{e:?}") };
    assert_eq!(factors[1], FactorRating { factor: RatingFactor::Officer, satisfied: false, score: None });

    let mut w = World::new(Channel::Counter, TimeLimit::working_days(5));
    let p = w.state.procedure.clone();
    let receive = Command::Receive {
        code: "R-260302-0001".into(),
        procedure: Box::new(p),
        competent: Some(agency("D", DEPT)),
        steps: steps(),
        components: components(true),
        rating_code: Some("40271935".into()),
    };
    w.officer(RECV, Role::ReceptionOfficer, &t(2), receive).unwrap();
    w.officer(RECV, Role::ReceptionOfficer, &t(3), Command::Forward { note: None }).unwrap();
    w.officer(UNIT, Role::Specialist, &t(4), Command::Forward { note: None }).unwrap();
    let resolve = Command::Resolve { name: "Giấy khai sinh".into(), number: None, note: None };
    w.officer(DEPT, Role::Leader, &t(5), resolve).unwrap();
    let back = Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None };
    w.officer(RECV, Role::ReceptionOfficer, &t(6), back).unwrap();
    // The old event replays onto a returned dossier like any other.
    let mut log = w.log.clone();
    log.push(Recorded {
        dossier_id: w.state.id.clone(),
        seq: w.state.version + 1,
        at: 1,
        actor_id: KIOSK_ACTOR.into(),
        event: e.clone(),
    });
    let replayed = replay(&log).unwrap();
    assert_eq!(replayed.rating.as_ref().map(|r| (r.satisfied, r.factors.len())), Some((false, 2)));
    let ticks = super::ticks(Before::of(&w.state), &replayed, log.last().unwrap());
    let names: Vec<&str> = ticks.iter().map(|t| t.metric.as_ref()).collect();
    assert!(
        names.contains(&"rated_unsatisfied") && names.contains(&"rated_officer_unsatisfied") && names.contains(&"rated_low"),
        "{names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with("_score_sum")), "{names:?}");

    let score = |factor, s| FactorRating { factor, satisfied: false, score: Some(s) };
    let kiosk = |w: &mut World, factors| {
        let code = w.state.rating_code.clone().unwrap_or_default();
        let cmd = Command::RateAtCounter { satisfied: true, comment: None, rating_code: code, factors };
        w.run(KIOSK_ACTOR, &[], AccountType::Citizen, &t(7), cmd)
    };
    let bad = kiosk(&mut w, vec![score(RatingFactor::Access, 6)]);
    assert!(matches!(&bad, Err(DossierError::Invalid(v)) if v.0[0].code == "score_out_of_range"), "{bad:?}");
    let bad = kiosk(&mut w, vec![score(RatingFactor::Access, 0)]);
    assert!(bad.is_err());
    kiosk(&mut w, vec![score(RatingFactor::Access, 5), score(RatingFactor::Procedure, 3)]).unwrap();
    let r = w.state.rating.clone().unwrap();
    assert_eq!(
        r.factors,
        vec![
            FactorRating { factor: RatingFactor::Access, satisfied: true, score: Some(5) },
            FactorRating { factor: RatingFactor::Procedure, satisfied: false, score: Some(3) },
        ]
    );
    let rec = w.log.last().unwrap();
    let ticks = super::ticks(Before::of(&w.state), &w.state, rec);
    let get = |m: &str| ticks.iter().filter(|t| t.metric == m).map(|t| t.delta).sum::<i64>();
    assert_eq!((get("rated_access_score_sum"), get("rated_access_count")), (5, 1));
    assert_eq!((get("rated_procedure_score_sum"), get("rated_procedure_count")), (3, 1));
    assert_eq!((get("rated_satisfied"), get("rated_low")), (1, 0));
    assert_eq!(replay(&w.log).unwrap(), w.state);
}
