//! Commands of the life cycle: load the state, ask the domain, append the event with the
//! projection, the counters and the outbox in one transaction.

use super::*;

/// The counters of one event (`dossier::ticks`), for the unit the dossier counts for. The
/// rebuild uses the same function.
pub(super) fn bump_ticks(db: &mut Db, before: dossier::Before, d: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    let unit = &d.accountable().id;
    for t in dossier::ticks(before, d, rec) {
        repo::bump(db, unit, &d.procedure.code, &day_of(t.at), &t.metric, t.delta)?;
    }
    Ok(())
}

/// Counters and outbox entries of one event, in the event's transaction.
pub(super) fn side_effects(db: &mut Db, before: dossier::Before, d: &Dossier, rec: &Recorded) -> Result<(), AppError> {
    bump_ticks(db, before, d, rec)?;
    super::postal::project(db, d, rec)?;
    // A dossier received while its officer serves a queue ticket is that visit's (issue #18).
    if matches!(rec.event, Event::Received { .. }) {
        crate::usecases::queue::link_received(db, &rec.actor_id, &d.id, d.code.as_deref(), rec.at)?;
    }
    // National portal sync (REQ-26): every event of a received dossier, and the refusal of
    // an online dossier before reception (status 3, issue #11 item 14): DVCQG knows the
    // filing and must learn its end; it is named by its filing reference. Delivered in
    // order per dossier (`crate::dvcqg`).
    if motcua_dvcqg::mapping::is_synced(d, &rec.event) {
        let payload = json!({
            "dossier_id": d.id, "code": d.code, "filing_reference": d.filing_reference, "seq": rec.seq,
            "event": rec.event.kind(), "status": d.status.code(), "national_status": d.status.national_code(),
        });
        motcua_store::repo::outbox::enqueue_in_order(db, motcua_dvcqg::TOPIC, &d.id, rec.seq, &payload, rec.at)?;
    }
    // The result goes into the applicant's data locker once issued (again at return: the
    // same file adds nothing).
    if matches!(rec.event, Event::Resolved { .. } | Event::ResultReturned { .. }) {
        crate::usecases::locker::fill_from_result(db, d, rec.at)?;
    }
    // A certified electronic copy goes into the applicant's locker too (a digitized paper
    // result is the result: it is there once the dossier is resolved).
    if let Event::ComponentDigitized { file, .. } = &rec.event {
        if file.component_key == dossier::RESULT_COMPONENT {
            crate::usecases::locker::fill_from_result(db, d, rec.at)?;
        } else if let Some(owner) = d.applicant.id_number.clone() {
            let name = d.components.iter().find(|c| c.key == file.component_key).map_or(file.name.as_str(), |c| c.name.as_str());
            let copy = crate::usecases::locker::CertifiedCopy {
                owner_id_number: owner,
                owner_kind: motcua_domain::locker::OwnerKind::of(d.applicant.kind),
                dossier_id: d.id.clone(),
                component_key: file.component_key.clone(),
                title: format!("{name} (bản sao điện tử có chứng thực)"),
                sha256: file.sha256.clone(),
                size: file.size,
                mime: file.media_type.clone(),
                document_id: None,
                issued_at: rec.at,
                valid_until: None,
            };
            crate::usecases::locker::add_certified_copy(db, copy, rec.at)?;
        }
    }
    // A low rating goes to the accountable unit's leaders (issue #18), without the rater.
    if let Event::Rated { satisfied, factors, .. } = &rec.event {
        let what = json!({"code": d.code.clone().unwrap_or_default()});
        crate::usecases::ratings::route_low(db, &d.accountable().path, Some(&d.id), what, *satisfied, factors, rec.at)?;
    }
    // The applicant's notice of this event, if it gives one (`motcua_domain::notice`): the
    // consumer (`crate::notify`) reads the dossier and the event and renders from them.
    if motcua_domain::notice::Notice::for_event(rec.event.kind()).is_some()
        && (d.applicant.email.is_some() || d.applicant.phone.is_some())
    {
        let payload = json!({"dossier_id": d.id, "seq": rec.seq, "event": rec.event.kind()});
        repo::enqueue(db, crate::notify::APPLICANT, &d.id, &payload, rec.at)?;
    }
    Ok(())
}

/// The commands `current` may issue on `d` now, weighed on the calendar its commands are
/// decided on: what a page offers (`dossier::available`).
pub fn available(ctx: &AppContext, current: &CurrentUser, d: &Dossier) -> Vec<dossier::CommandKind> {
    let cal = ctx.calendars.for_agency(Some(&d.receiving.id));
    let now = jiff::Timestamp::from_millisecond(ctx.clock.now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    // Resolving issues the signed result (the online result); returning offers online once
    // there is a result to hand over, which the command itself checks.
    let signed_result = ctx.documents.on_events;
    dossier::available(d, &Ctx { actor: actor(current), now, calendar: &cal, signed_result })
}

/// A command as the API receives it (the reception checklist and competent agency are
/// resolved in the transaction).
#[derive(Debug, Clone)]
pub enum Request {
    /// Submission; the filing reference is drawn in the transaction.
    Submit,
    Receive {
        competent_agency_id: Option<String>,
        components: Vec<ComponentInput>,
    },
    Do(Box<Command>),
    /// A fee notice: `items`, or when none the pinned procedure version's fee table; each
    /// `(name, reason)` of `exempt` sets that item to 0 with the exemption chosen.
    NoticeFees {
        items: Vec<dossier::FeeItem>,
        exempt: Vec<(String, String)>,
    },
}

impl Request {
    pub fn cmd(c: Command) -> Self {
        Request::Do(Box::new(c))
    }

    fn name(&self) -> &'static str {
        match self {
            Request::Submit => "submit",
            Request::Receive { .. } => "receive",
            Request::Do(c) => c.name(),
            Request::NoticeFees { .. } => "notice_fees",
        }
    }
}

/// A filing reference: the submission day and 8 random characters of Crockford's base32
/// (no I, L, O, U), e.g. `N260302-7KQM4XTA`. Random, not sequential: with the applicant's
/// last four digits it is what public tracking asks before the dossier has its code.
pub(super) fn filing_reference(now_ms: i64) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let day = day_of(now_ms).replace('-', "");
    let mut rng = rand::rng();
    let tail: String = (0..8).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect();
    format!("N{}-{tail}", day.get(2..).unwrap_or(&day))
}

/// Runs one command on the dossier at `expected_version`. With an idempotency key, a retry
/// of a command that already succeeded returns the dossier as it is and changes nothing.
pub async fn command(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    expected_version: i64,
    req: Request,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    crate::obs::record_dossier(id);
    crate::obs::usecase("dossiers.command", command_unobserved(ctx, current, id, expected_version, req, key)).await
}

async fn command_unobserved(
    ctx: &AppContext,
    current: &CurrentUser,
    id: &str,
    expected_version: i64,
    req: Request,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    let (current, id) = (current.clone(), id.to_string());
    let calendars = ctx.calendars.clone();
    let now = ctx.clock.now_ms();
    let issuing = Issuing::new(ctx);
    let issued = issuing.clone();
    let scope = format!("{}:{}:{}", current.user.id, req.name(), id);
    let hash = hex::encode(Sha256::digest(format!("{scope}@{expected_version}")));
    // Load, check and decide on a snapshot first; the writer gets only the writes and the
    // checks that must be atomic with them (the idempotency key, the dossier's version in
    // `repo::update`, the daily sequence number of a reception).
    let issues_result = issuing.issuer.on_events;
    let planned = {
        let (current, id, scope, key, hash, calendars) =
            (current.clone(), id.clone(), scope.clone(), key.clone(), hash.clone(), calendars.clone());
        ctx.store
            .read(move |db| {
                let d = load_visible(db, &current, &id)?;
                if let Some(k) = &key
                    && replayed(db, &scope, k, &hash)?
                {
                    return Ok(Err(d));
                }
                if d.version != expected_version {
                    return Err(stale());
                }
                let event = decide_request(db, &calendars, &current, &d, req, now, issues_result)?;
                Ok(Ok((d, event)))
            })
            .await?
    };
    let (d, event) = match planned {
        Ok(plan) => plan,
        // A retry of a command that succeeded: the dossier as it is, nothing written.
        Err(d) => return Ok(d),
    };
    // A signed result is stamped by a time-stamping authority: that command runs once, in its
    // own savepoint; every other can run again (`write_rerunnable`).
    let signs = matches!(&event, Planned::Event(Event::Resolved { .. }));
    let job = move |db: &mut Db| {
        if let Some(k) = &key
            && replayed(db, &scope, k, &hash)?
        {
            return load_visible(db, &current, &id);
        }
        let event = match &event {
            Planned::Event(e) => e.clone(),
            Planned::Reception(r) => r.number(db)?,
        };
        let next = commit(db, d.clone(), &current.user.id, event, now, &issued)?;
        if let Some(k) = &key {
            repo::save_idempotent(db, &scope, k, &hash, &id, now)?;
        }
        Ok(next)
    };
    let result = if signs { ctx.store.write(job).await } else { ctx.store.write_rerunnable(job).await };
    if result.is_err() {
        issuing.discard_stored();
    }
    result
}

/// A command's event, decided before the write; a reception's still to be numbered.
enum Planned {
    Event(Event),
    Reception(Reception),
}

/// Has this key answered already? Err when it answered another request.
fn replayed(db: &mut Db, scope: &str, key: &str, hash: &str) -> Result<bool, AppError> {
    match repo::idempotent(db, scope, key)? {
        None => Ok(false),
        Some((first, _)) if first == hash => Ok(true),
        Some(_) => Err(invalid(
            "Idempotency-Key",
            "idempotency_key_reused",
            "Khóa chống trùng này đã dùng cho một yêu cầu khác.",
            "This idempotency key was used for a different request.",
        )),
    }
}

fn decide_request(
    db: &mut Db,
    calendars: &crate::calendar::Calendars,
    current: &CurrentUser,
    d: &Dossier,
    req: Request,
    now: i64,
    issues_result: bool,
) -> Result<Planned, AppError> {
    Ok(match req {
        Request::Receive { competent_agency_id, components } => {
            let spec = catalog_repo::get_version(db, &d.procedure.code, d.procedure.version)?.map(|v| v.spec);
            let mut errs = Errors::new();
            let checks = match (&spec, components.is_empty()) {
                // No checklist: what the applicant attached online.
                (_, true) => d.components.clone(),
                (Some(s), false) => checklist(s, &components, &mut errs),
                (None, false) => d.components.clone(),
            };
            // The locker files are attached on the draft (the wizard, the attach API);
            // a checklist at reception cannot attach any.
            for (i, c) in components.iter().enumerate() {
                if c.locker_item_id.is_some() {
                    errs.push(FieldError::new(
                        format!("components[{i}].locker_item_id"),
                        "locker_item_not_here",
                        "Giấy tờ từ kho dữ liệu được đính kèm vào hồ sơ trước khi tiếp nhận.",
                        "Locker items are attached to the dossier before reception.",
                    ));
                }
            }
            errs.finish()?;
            let checks = with_files(checks, &d.files);
            Planned::Reception(plan_reception(db, calendars, current, d, competent_agency_id.as_deref(), checks, now, None)?)
        }
        Request::Submit | Request::Do(_) | Request::NoticeFees { .. } => {
            let cmd = match req {
                Request::Do(cmd) => super::postal::with_province(db, d, *cmd, now)?,
                Request::NoticeFees { items, exempt } => notice_from_table(db, d, items, exempt)?,
                _ => Command::Submit {
                    reference: filing_reference(now),
                    vneid: current.session.auth_method.as_deref() == Some(crate::oidc::VNEID),
                },
            };
            let cal = calendars.for_agency(Some(&d.receiving.id));
            let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
            // Resolving issues the signed result, the online result; returning online needs one.
            let signed_result = match &cmd {
                Command::Resolve { .. } => issues_result,
                Command::Return { .. } => {
                    motcua_store::repo::documents::list(db, &d.id)?.iter().any(|x| x.form == super::results::RESULT_FORM)
                }
                _ => false,
            };
            Planned::Event(dossier::decide(d, cmd, &Ctx { actor: actor(current), now: at, calendar: &cal, signed_result })?)
        }
    })
}

/// The fee notice's items: as given, else the pinned version's fee table (the items with an
/// amount); the exemptions chosen set their item to 0 with the reason.
fn notice_from_table(
    db: &mut Db,
    d: &Dossier,
    items: Vec<dossier::FeeItem>,
    exempt: Vec<(String, String)>,
) -> Result<Command, AppError> {
    let mut items = if items.is_empty() {
        let spec = catalog_repo::get_version(db, &d.procedure.code, d.procedure.version)?.map(|v| v.spec);
        spec.iter()
            .flat_map(|s| &s.fees)
            .filter(|f| f.amount > 0)
            .map(|f| dossier::FeeItem { name: f.name.clone(), amount: f.amount, exemption: None })
            .collect()
    } else {
        items
    };
    let mut errs = Errors::new();
    for (i, (name, reason)) in exempt.iter().enumerate() {
        match items.iter_mut().find(|it| it.name.trim() == name.trim()) {
            Some(it) if !reason.trim().is_empty() => {
                it.amount = 0;
                it.exemption = Some(reason.trim().to_string());
            }
            Some(_) => errs.push(FieldError::new(
                format!("exempt[{i}].reason"),
                "required",
                "Nêu căn cứ miễn phí, lệ phí.",
                "Give the ground of the exemption.",
            )),
            None => errs.push(FieldError::new(
                format!("exempt[{i}].name"),
                "unknown_fee",
                "Không có khoản phí, lệ phí này trong thông báo.",
                "There is no such fee in the notice.",
            )),
        }
    }
    errs.finish()?;
    Ok(Command::NoticeFees { items })
}

/// Appends `event` with its projection, counters, outbox entries and the documents it
/// issues (rendered first: a render error writes nothing).
pub(super) fn commit(
    db: &mut Db,
    d: Dossier,
    actor_id: &str,
    event: Event,
    now: i64,
    issuing: &Issuing,
) -> Result<Dossier, AppError> {
    let expected = d.version;
    let rec = Recorded { dossier_id: d.id.clone(), seq: expected + 1, at: now, actor_id: actor_id.to_string(), event };
    // The state the event was decided on, kept only when the event issues documents (a
    // form, or the signed result at `Resolve`).
    let resolved = matches!(rec.event, Event::Resolved { .. });
    let before = (resolved || !forms_of(&rec.event).is_empty()).then(|| d.clone());
    let was = dossier::Before::of(&d);
    let mut next = d;
    dossier::apply(&mut next, &rec);
    if let Some(before) = &before {
        issue(db, issuing, before, &next, &rec)?;
        issue_result(db, issuing, before, &next, &rec)?;
    }
    if !repo::update(db, &next, expected)? {
        return Err(stale());
    }
    repo::append_event(db, &rec).map_err(|e| match e {
        motcua_store::StoreError::Unique { .. } => stale(),
        other => other.into(),
    })?;
    side_effects(db, was, &next, &rec)?;
    // Every recorded payment (cash at the counter, or the gateway's) has its e-receipt.
    if matches!(rec.event, Event::Paid { .. }) && issuing.issuer.on_events {
        super::payments::issue_receipt(db, issuing, &next, &rec)?;
    }
    Ok(next)
}

pub(super) fn load_visible(db: &mut Db, current: &CurrentUser, id: &str) -> Result<Dossier, AppError> {
    let d = repo::get(db, id)?.ok_or(AppError::not_found("dossier"))?;
    // Out of scope reads as absent, so ids cannot be probed.
    if !dossier::may_read(&d, &actor(current)) {
        return Err(AppError::not_found("dossier"));
    }
    Ok(d)
}
