//! Property test of the life cycle: random command sequences (kinds, actors, inputs valid
//! or not, clock steps) put through `decide` and `apply`. It holds that nothing panics,
//! that `decide` accepts a command only if `available()` lists its kind for that state and
//! actor, that every listed kind is accepted with valid inputs and no other kind is, that
//! each accepted command leaves the status its guard row says, that every event survives
//! its JSON form (the persisted schema), and that replaying the log gives the state built
//! step by step.

use super::*;
use crate::calendar::local_date;
use proptest::prelude::*;

const OTHER_CENTRE: &str = "/p/other/quay/";
const CENTRE: &str = "/p/centre/";

struct Person {
    id: &'static str,
    account: AccountType,
    memberships: Vec<Membership>,
}

fn people() -> Vec<Person> {
    let official = |id, ms: Vec<Membership>| Person { id, account: AccountType::Official, memberships: ms };
    let mut both = member(RECV, Role::ReceptionOfficer);
    both.extend(member(UNIT, Role::Specialist));
    vec![
        Person { id: "citizen", account: AccountType::Citizen, memberships: vec![] },
        Person { id: "stranger", account: AccountType::Citizen, memberships: vec![] },
        official("clerk", member(RECV, Role::ReceptionOfficer)),
        official("clerk2", member(OTHER_CENTRE, Role::ReceptionOfficer)),
        official("specialist", member(UNIT, Role::Specialist)),
        official("specialist2", member(DEPT, Role::Specialist)),
        official("leader", member(DEPT, Role::Leader)),
        official("centre_leader", member(CENTRE, Role::Leader)),
        official("supervisor", member("/p/", Role::Supervisor)),
        official("both", both),
        official("nobody", vec![]),
        Person { id: KIOSK_ACTOR, account: AccountType::Citizen, memberships: vec![] },
        Person { id: CARRIER_ACTOR, account: AccountType::Citizen, memberships: vec![] },
    ]
}

/// What a case starts from.
#[derive(Debug, Clone)]
struct Setup {
    channel: Channel,
    limit: TimeLimit,
    online_only: bool,
    postal_excluded: bool,
    /// Per component: required?
    components: Vec<bool>,
    steps: usize,
    competent: bool,
}

/// One step of a case: a guided one picks among the kinds `available()` lists for the
/// actor (so cases reach deep states), the others pick any kind.
#[derive(Debug, Clone)]
struct Op {
    guided: bool,
    actor: usize,
    /// Index into the kinds, or into the moves on offer when guided.
    kind: usize,
    variant: u8,
    minutes: i64,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        prop_oneof![Just(Channel::Online), Just(Channel::Counter), Just(Channel::Postal)],
        prop_oneof![(1u32..=16).prop_map(TimeLimit::hours), (0u32..=15).prop_map(TimeLimit::working_days)],
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
        prop::collection::vec(any::<bool>(), 0..=2),
        1usize..=3,
        any::<bool>(),
    )
        .prop_map(|(channel, limit, online_only, postal_excluded, components, steps, competent)| Setup {
            channel,
            limit,
            online_only,
            postal_excluded,
            components,
            steps,
            competent,
        })
}

fn op() -> impl Strategy<Value = Op> {
    // Clock steps from none to three days, mostly within office hours' reach.
    (
        prop::bool::weighted(0.7),
        0usize..13,
        0usize..CommandKind::ALL.len() * 4,
        any::<u8>(),
        prop_oneof![Just(0i64), 1i64..=600, 1i64..=4320],
    )
        .prop_map(|(guided, actor, kind, variant, minutes)| Op { guided, actor, kind, variant, minutes })
}

fn world(s: &Setup) -> World {
    let components = s
        .components
        .iter()
        .enumerate()
        .map(|(i, required)| ComponentCheck {
            key: format!("c{i}"),
            name: format!("Thành phần {i}"),
            required: *required,
            provided: false,
            originals: 1,
            copies: 0,
            digitized: false,
            reused: false,
            // The second component is one TT 01/2023 leaves out of digitization.
            digitization: if i == 1 { motcua_domain_digitization_excluded() } else { Default::default() },
        })
        .collect();
    let mut p = procedure(s.limit);
    p.online_only = s.online_only;
    p.postal_excluded = s.postal_excluded;
    let owner = (s.channel == Channel::Online).then(|| "citizen".to_string());
    let created = Recorded {
        dossier_id: "d1".into(),
        seq: 1,
        at: ms(at("2026-03-02T01:00:00Z")),
        actor_id: owner.clone().unwrap_or_else(|| "clerk".into()),
        event: Event::Created {
            procedure: p,
            channel: s.channel,
            owner_id: owner,
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
            // Sometimes the case names the competent agency at filing.
            competent: s.competent.then(|| agency("D", DEPT)),
            components,
        },
    };
    let state = start(&created).unwrap();
    World { log: vec![created], state, cal: WorkCalendar::vietnam(), signed_result: false }
}

fn file(d: &Dossier, key: &str) -> FileRef {
    FileRef {
        id: format!("f{}", d.version),
        component_key: key.into(),
        sha256: "00".into(),
        name: "tep.pdf".into(),
        size: 10,
        media_type: "application/pdf".into(),
        at: d.updated_at,
        by: "x".into(),
        removed: false,
        locker_item_id: None,
    }
}

/// A command of `kind` with inputs `decide` should accept once the guard lets it through.
fn valid(kind: CommandKind, s: &Setup, d: &Dossier, a: &Actor<'_>, variant: u8) -> Command {
    let text = |t: &str| t.to_string();
    match kind {
        CommandKind::Submit => Command::Submit { reference: format!("N260302-{:08}", d.version), vneid: false },
        CommandKind::Receive => Command::Receive {
            code: "R-260302-0001".into(),
            procedure: Box::new(d.procedure.clone()),
            competent: Some(agency("D", DEPT)),
            steps: steps().into_iter().take(s.steps).collect(),
            components: d.components.iter().map(|c| ComponentCheck { provided: true, ..c.clone() }).collect(),
            rating_code: Some("12345678".into()),
        },
        CommandKind::Refuse => Command::Refuse { reasons: vec![text("Không thuộc thẩm quyền")] },
        CommandKind::RequestSupplement => Command::RequestSupplement {
            items: vec![SupplementItem {
                component_key: Some("c0".into()), name: text("Tờ khai"), reason: text("Thiếu chữ ký")
            }],
        },
        CommandKind::SupplySupplement => Command::SupplySupplement { note: variant.is_multiple_of(2).then(|| text("Đã ký")) },
        CommandKind::Forward => Command::Forward { note: None },
        CommandKind::SendBack => Command::SendBack { reason: text("Cần xem lại") },
        CommandKind::NoticeFees => {
            Command::NoticeFees { items: vec![FeeItem { name: text("Lệ phí"), amount: 50_000, exemption: None }] }
        }
        CommandKind::MarkPaid => {
            let methods: Vec<PaymentMethod> = PAYMENT.iter().map(|(m, _)| *m).filter(|m| may_record_payment(d, a, *m)).collect();
            let method = methods.get(variant as usize % methods.len().max(1)).copied().unwrap_or(PaymentMethod::Cash);
            Command::MarkPaid { method, receipt_number: text("BL-1"), amount: None }
        }
        CommandKind::Stop => Command::Stop { reason: text("Có tranh chấp"), basis: None, financial_consequences: None },
        CommandKind::RefuseAfterAppraisal => Command::RefuseAfterAppraisal {
            reasons: vec![text("Không đủ điều kiện")],
            basis: variant.is_multiple_of(2).then(|| text("Điều 5")),
        },
        CommandKind::Withdraw => Command::Withdraw { reason: text("Nộp nhầm") },
        CommandKind::Extend => {
            let appt = d.appointment_at.map_or(Timestamp::UNIX_EPOCH, ts);
            let new_date = local_date(appt).checked_add(jiff::Span::new().days(10 + i64::from(variant % 20))).unwrap();
            Command::Extend { reason: text("Cần xác minh thêm"), new_date }
        }
        CommandKind::Resolve => Command::Resolve { name: text("Giấy khai sinh"), number: Some(text("12/2026")), note: None },
        CommandKind::Return => match variant % 3 {
            0 => Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None },
            // Online only with a result file to send.
            1 if d.files.iter().any(|f| !f.removed && f.component_key == RESULT_COMPONENT) => {
                Command::Return { method: ReturnMethod::Online, tracking_number: None, note: None }
            }
            1 => Command::Return { method: ReturnMethod::Counter, tracking_number: None, note: None },
            _ => Command::Return { method: ReturnMethod::Counter, tracking_number: Some(text("EMS123")), note: None },
        },
        CommandKind::AttachFile => {
            let key = d.components.get(variant as usize % 3).map_or("other", |c| c.key.as_str());
            Command::AttachFile { file: file(d, key) }
        }
        CommandKind::AttachResult => Command::AttachFile { file: file(d, RESULT_COMPONENT) },
        CommandKind::RemoveFile => {
            Command::RemoveFile { file_id: d.files.iter().find(|f| !f.removed).map_or_else(|| text("none"), |f| f.id.clone()) }
        }
        CommandKind::DigitizeComponent => Command::DigitizeComponent {
            file: file(d, d.components.iter().find(|c| c.digitization.is_required()).map_or("c0", |c| c.key.as_str())),
            signature_sha256: "ab".repeat(32),
            signature_size: 1200,
            by_name: text("Trần Thị Bình"),
            certificate_serial: text("01"),
        },
        CommandKind::DigitizeResult => Command::DigitizeComponent {
            file: file(d, RESULT_COMPONENT),
            signature_sha256: "ab".repeat(32),
            signature_size: 1200,
            by_name: text("Trần Thị Bình"),
            certificate_serial: text("01"),
        },
        CommandKind::Rate => Command::Rate { satisfied: variant.is_multiple_of(2), comment: None, factors: vec![] },
        CommandKind::RateAtCounter => Command::RateAtCounter {
            satisfied: variant.is_multiple_of(2),
            comment: None,
            rating_code: d.rating_code.clone().unwrap_or_default(),
            factors: vec![],
        },
        CommandKind::Refund => Command::Refund { amount: d.payment.as_ref().map_or(1, |p| p.amount), reference: text("HT-1") },
        CommandKind::ChoosePostal => super::choose(variant.is_multiple_of(2), "000.00.31.H40"),
        CommandKind::Post => super::post(&format!("EL{:09}VN", d.version), i64::from(variant) * 1000),
        CommandKind::PostDelivered => super::delivered(None),
        CommandKind::PostUndelivered => super::undelivered("Không có người nhận"),
    }
}

fn motcua_domain_digitization_excluded() -> crate::catalog::Digitization {
    crate::catalog::Digitization::Excluded(crate::catalog::DigitizationExclusion::ShowOnly)
}

/// A command of `kind` with inputs that are often wrong (empty, out of range, unknown).
fn wild(kind: CommandKind, s: &Setup, d: &Dossier, a: &Actor<'_>, variant: u8) -> Command {
    let blank = || " ".to_string();
    match (kind, variant % 4) {
        (CommandKind::Receive, 0) => Command::Receive {
            code: "R-1".into(),
            procedure: Box::new(d.procedure.clone()),
            competent: None,
            steps: vec![],
            components: d.components.clone(),
            rating_code: None,
        },
        (CommandKind::Receive, 1) => {
            // The version being pinned may differ from the one filed under.
            let mut c = valid(kind, s, d, a, variant);
            if let Command::Receive { procedure, .. } = &mut c {
                procedure.online_only = !procedure.online_only;
                procedure.postal_excluded = !procedure.postal_excluded;
            }
            c
        }
        (CommandKind::Refuse, _) => Command::Refuse { reasons: vec![blank()] },
        (CommandKind::RequestSupplement, 0) => Command::RequestSupplement { items: vec![] },
        (CommandKind::RequestSupplement, _) => Command::RequestSupplement {
            items: vec![SupplementItem { component_key: None, name: blank(), reason: "x".repeat(2001) }],
        },
        (CommandKind::SendBack, _) => Command::SendBack { reason: blank() },
        (CommandKind::NoticeFees, 0) => Command::NoticeFees { items: vec![] },
        (CommandKind::NoticeFees, _) => Command::NoticeFees {
            items: vec![FeeItem {
                name: "Phí".into(),
                amount: [0, -5, 10_000_000_001, 1][variant as usize % 4],
                exemption: None,
            }],
        },
        (CommandKind::MarkPaid, _) => Command::MarkPaid {
            method: [PaymentMethod::Cash, PaymentMethod::OnlineNational, PaymentMethod::OnlineLocal][variant as usize % 3],
            receipt_number: if variant.is_multiple_of(2) { blank() } else { "BL-2".into() },
            amount: variant.is_multiple_of(3).then_some(1),
        },
        (CommandKind::Refund, _) => Command::Refund { amount: -1, reference: blank() },
        (CommandKind::Stop, _) => Command::Stop { reason: blank(), basis: Some(blank()), financial_consequences: None },
        (CommandKind::Withdraw, _) => Command::Withdraw { reason: "x".repeat(2001) },
        (CommandKind::RefuseAfterAppraisal, 0) => Command::RefuseAfterAppraisal { reasons: vec![blank()], basis: None },
        (CommandKind::RefuseAfterAppraisal, _) => {
            Command::RefuseAfterAppraisal { reasons: vec!["Lý do".into()], basis: Some("x".repeat(501)) }
        }
        (CommandKind::Extend, _) => Command::Extend {
            reason: if variant.is_multiple_of(2) { blank() } else { "Lý do".into() },
            new_date: local_date(ts(d.appointment_at.unwrap_or_default())),
        },
        (CommandKind::Resolve, _) => Command::Resolve { name: blank(), number: None, note: None },
        (CommandKind::Return, _) => Command::Return { method: ReturnMethod::Postal, tracking_number: Some(blank()), note: None },
        (CommandKind::ChoosePostal, 0) => super::choose(true, "000.00.99.H26"),
        (CommandKind::ChoosePostal, _) => Command::ChoosePostal {
            dossier_by_post: false,
            result_by_post: false,
            address: super::address("000.00.31.H40"),
            province: Box::new(super::province()),
        },
        (CommandKind::Post, 0) => super::post(&blank(), 1),
        (CommandKind::Post, _) => super::post("EL123456789VN", -1),
        (CommandKind::PostDelivered, _) => super::delivered(Some("XX000000000VN")),
        (CommandKind::PostUndelivered, _) => super::undelivered(&blank()),
        (CommandKind::AttachFile, _) => Command::AttachFile { file: file(d, "unknown") },
        (CommandKind::RemoveFile, _) => Command::RemoveFile { file_id: "missing".into() },
        // A component out of scope, one the dossier lacks, a missing signature.
        (CommandKind::DigitizeComponent, v) => match (valid(kind, s, d, a, variant), v) {
            (Command::DigitizeComponent { mut file, signature_sha256, signature_size, by_name, certificate_serial }, 0 | 1) => {
                file.component_key = if v == 0 { "c1" } else { "unknown" }.into();
                Command::DigitizeComponent { file, signature_sha256, signature_size, by_name, certificate_serial }
            }
            (Command::DigitizeComponent { file, certificate_serial, .. }, _) => Command::DigitizeComponent {
                file,
                signature_sha256: String::new(),
                signature_size: 0,
                by_name: blank(),
                certificate_serial,
            },
            (other, _) => other,
        },
        (CommandKind::Rate, _) => Command::Rate { satisfied: false, comment: Some("x".repeat(2001)), factors: vec![] },
        (CommandKind::RateAtCounter, 0) => {
            Command::RateAtCounter { satisfied: true, comment: None, rating_code: "00000000".into(), factors: vec![] }
        }
        (CommandKind::RateAtCounter, _) => Command::RateAtCounter {
            satisfied: true,
            comment: Some("x".repeat(2001)),
            rating_code: d.rating_code.clone().unwrap_or_default(),
            factors: vec![],
        },
        _ => valid(kind, s, d, a, variant),
    }
}

fn run_case(s: &Setup, ops: &[Op]) -> Result<(), TestCaseError> {
    let people = people();
    let mut w = world(s);
    let mut now = at("2026-03-02T01:30:00Z");
    for op in ops {
        now = now.checked_add(jiff::SignedDuration::from_mins(op.minutes)).unwrap();
        let who = &people[op.actor];
        let actor = Actor { user_id: who.id, account: who.account, memberships: &who.memberships };
        let d = w.state.clone();
        let cx = Ctx { actor, now, calendar: &w.cal, signed_result: false };
        let offered = available(&d, &cx);
        // Every kind offered is accepted with valid inputs, and no other kind is.
        for kind in CommandKind::ALL {
            let verdict = decide(&d, valid(kind, s, &d, &actor, op.variant), &cx);
            prop_assert_eq!(
                offered.contains(&kind),
                verdict.is_ok(),
                "{:?} as {} in {:?}: {:?}",
                kind,
                who.id,
                d.status,
                verdict
            );
        }
        // Guided steps move the dossier on: whoever may, does something other than a file,
        // and only now and then something that ends the dossier early.
        let ending = op.variant.is_multiple_of(10);
        let moves: Vec<(usize, CommandKind)> = people
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                let a = Actor { user_id: p.id, account: p.account, memberships: &p.memberships };
                available(&d, &Ctx { actor: a, now, calendar: &w.cal, signed_result: false }).into_iter().map(move |k| (i, k))
            })
            .filter(|(_, k)| match k {
                CommandKind::AttachFile
                | CommandKind::RemoveFile
                | CommandKind::DigitizeComponent
                | CommandKind::DigitizeResult => false,
                CommandKind::Refuse | CommandKind::Stop | CommandKind::RefuseAfterAppraisal | CommandKind::Withdraw => ending,
                _ => true,
            })
            .collect();
        let (who, actor) = match moves.get(op.kind % moves.len().max(1)) {
            Some((i, _)) if op.guided => {
                let p = &people[*i];
                (p, Actor { user_id: p.id, account: p.account, memberships: &p.memberships })
            }
            _ => (who, actor),
        };
        let cx = Ctx { actor, now, calendar: &w.cal, signed_result: false };
        let offered = if op.guided && !moves.is_empty() { available(&d, &cx) } else { offered };
        let (kind, cmd) = if op.guided && !moves.is_empty() {
            let kind = moves[op.kind % moves.len()].1;
            (kind, valid(kind, s, &d, &actor, op.variant))
        } else {
            let kind = CommandKind::ALL[op.kind % CommandKind::ALL.len()];
            (
                kind,
                if op.variant.is_multiple_of(2) {
                    valid(kind, s, &d, &actor, op.variant / 2)
                } else {
                    wild(kind, s, &d, &actor, op.variant / 2)
                },
            )
        };
        prop_assert_eq!(cmd.kind(), kind);
        // At reception the channel rule is weighed for the version being pinned, which the
        // app resolves in the transaction; the pages ask with the version filed under.
        let offered = match &cmd {
            Command::Receive { procedure, .. } if **procedure != d.procedure => {
                available(&Dossier { procedure: (**procedure).clone(), ..d.clone() }, &cx)
            }
            _ => offered,
        };
        match decide(&d, cmd, &cx) {
            Ok(event) => {
                prop_assert!(offered.contains(&kind), "{:?} accepted but not offered to {} in {:?}", kind, who.id, d.status);
                // The event as stored and read back is the same event.
                let json = serde_json::to_string(&event).unwrap();
                prop_assert_eq!(&serde_json::from_str::<Event>(&json).unwrap(), &event);
                let r = Recorded { dossier_id: "d1".into(), seq: d.version + 1, at: ms(now), actor_id: who.id.into(), event };
                apply(&mut w.state, &r);
                w.log.push(r);
                let after = &w.state;
                let expected = match guard(kind).outcome {
                    Outcome::To(st) => st,
                    Outcome::Same => d.status,
                    Outcome::Resume => d.pause.as_ref().map(|p| p.resume).unwrap(),
                };
                prop_assert_eq!(after.status, expected, "{:?} from {:?}", kind, d.status);
            }
            Err(e) => {
                // Status and actor errors come from the table alone (MarkPaid also weighs the method).
                let guard_error = matches!(e, DossierError::InvalidTransition { .. } | DossierError::Forbidden { .. });
                if offered.contains(&kind) && kind != CommandKind::MarkPaid {
                    prop_assert!(!guard_error, "{:?} offered to {} but refused: {:?}", kind, who.id, e);
                }
            }
        }
    }
    prop_assert_eq!(replay(&w.log).unwrap(), w.state);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_command_sequences_keep_guard_decide_and_replay_in_step(
        s in setup(),
        ops in prop::collection::vec(op(), 1..80),
    ) {
        run_case(&s, &ops)?;
    }
}
