//! Filing: the applicant's draft online, or a dossier received at once at a counter or from the post.

use super::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    /// `citizen` (default), `business`, `household_business`, `organisation`, `foreigner`.
    #[serde(default)]
    pub kind: Option<String>,
    pub name: String,
    /// CCCD (12 digits) of a person; tax or enterprise code of an organisation.
    #[serde(default)]
    pub id_number: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// One component as ticked at the counter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    pub key: String,
    #[serde(default)]
    pub provided: bool,
    #[serde(default)]
    pub originals: u8,
    #[serde(default)]
    pub copies: u8,
    /// Ignored (kept so older clients' requests still parse): a component is digitized by
    /// scanning and certifying it, `POST /api/v1/dossiers/{id}/components/{key}/digitize`.
    #[serde(default)]
    pub digitized: bool,
    /// An item of the applicant's data locker that stands for this component (its id): the
    /// file is attached from the locker and the component counts as reused. Only the
    /// applicant's own items (the signed-in citizen's online), valid, of a kind the
    /// component accepts.
    #[serde(default)]
    pub locker_item_id: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDossier {
    pub procedure_code: String,
    /// `online` for applicants (default); `counter` (default for officers) or `postal`.
    #[serde(default)]
    pub channel: Option<String>,
    pub applicant: ApplicantInput,
    /// Trích yếu: what the dossier asks for, in a line.
    #[serde(default)]
    pub summary: Option<String>,
    /// Reception point; default: the officer's counter, or the provincial centre for online filings.
    #[serde(default)]
    pub receiving_agency_id: Option<String>,
    /// Competent agency: for a commune-level procedure the commune or ward that handles the
    /// dossier (default: the one the applicant's address names); a province-level procedure's
    /// is the agency the catalog names and cannot be changed.
    #[serde(default)]
    pub competent_agency_id: Option<String>,
    /// Counter checklist (officers); online filings attach files instead.
    #[serde(default)]
    pub components: Vec<ComponentInput>,
}

pub(super) fn parse_applicant(a: &ApplicantInput, errs: &mut Errors) -> Option<Applicant> {
    let kind = match a.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => ApplicantType::Citizen,
        Some(k) => match serde_json::from_value::<ApplicantType>(json!(k)) {
            Ok(k) => k,
            Err(_) => {
                errs.push(FieldError::new(
                    "applicant.kind",
                    "invalid_applicant_kind",
                    "Loại người nộp không hợp lệ.",
                    "Unknown applicant kind.",
                ));
                ApplicantType::Citizen
            }
        },
    };
    let name = if kind == ApplicantType::Citizen || kind == ApplicantType::Foreigner {
        errs.take(user::parse_full_name("applicant.name", &a.name))
    } else {
        let n = motcua_domain::text::clean(&a.name);
        if n.chars().count() < 2 || n.chars().count() > 300 {
            errs.push(FieldError::new(
                "applicant.name",
                "invalid_name",
                "Tên tổ chức phải có 2–300 ký tự.",
                "The name must have 2–300 characters.",
            ));
        }
        Some(n)
    };
    let id_number = match a.id_number.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) if kind == ApplicantType::Citizen => {
            errs.take(CitizenId::parse("applicant.id_number", s)).map(|c| c.as_str().to_string())
        }
        Some(s) => {
            if !(8..=20).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errs.push(FieldError::new(
                    "applicant.id_number",
                    "invalid_id_number",
                    "Mã số thuế, mã doanh nghiệp hoặc số giấy tờ không hợp lệ.",
                    "Invalid tax, enterprise or document number.",
                ));
            }
            Some(s.to_string())
        }
    };
    let phone =
        a.phone.as_deref().filter(|s| !s.trim().is_empty()).and_then(|s| errs.take(user::parse_phone("applicant.phone", s)));
    let email =
        a.email.as_deref().filter(|s| !s.trim().is_empty()).and_then(|s| errs.take(user::parse_email("applicant.email", s)));
    let address = a.address.as_deref().map(motcua_domain::text::clean).filter(|s| !s.is_empty());
    if address.as_ref().is_some_and(|s| s.chars().count() > 500) {
        errs.push(FieldError::new("applicant.address", "too_long", "Địa chỉ tối đa 500 ký tự.", "At most 500 characters."));
    }
    Some(Applicant { kind, name: name?, id_number, phone, email, address })
}

pub(super) fn procedure_ref(code: &str, version: i64, spec: &ProcedureSpec) -> ProcedureRef {
    ProcedureRef {
        code: code.to_string(),
        version,
        name: spec.name.clone(),
        time_limit: spec.time_limit,
        counting: spec.counting,
        online_only: spec.online_only,
        postal_excluded: spec.postal_excluded,
        paper_result: spec.result.paper_required,
        supplement: spec.supplement.clone(),
        reception_check: spec.reception_check,
        sector: Some(spec.sector.clone()),
    }
}

pub(super) fn checklist(spec: &ProcedureSpec, input: &[ComponentInput], errs: &mut Errors) -> Vec<ComponentCheck> {
    for (i, c) in input.iter().enumerate() {
        if !spec.components.iter().any(|s| s.key == c.key) {
            errs.push(FieldError::new(
                format!("components[{i}].key"),
                "unknown_component",
                "Thủ tục không có thành phần hồ sơ này.",
                "The procedure has no such component.",
            ));
        }
    }
    spec.components
        .iter()
        .map(|s| {
            let given = input.iter().find(|c| c.key == s.key);
            ComponentCheck {
                key: s.key.clone(),
                name: s.name.clone(),
                required: s.required,
                provided: given.is_some_and(|g| g.provided || g.locker_item_id.is_some()),
                originals: given.map_or(0, |g| g.originals),
                copies: given.map_or(0, |g| g.copies),
                // Derived from the certified copies (`digitize`), never ticked.
                digitized: false,
                // Set by the system: checked against the locker in the filing's transaction.
                reused: given.is_some_and(|g| g.locker_item_id.is_some()),
                digitization: s.digitization,
            }
        })
        .collect()
}

/// The checklist with what the files say: a component with a file is provided, one with a
/// file taken from the data locker is reused (never a box the applicant ticks).
pub(super) fn with_files(checks: Vec<ComponentCheck>, files: &[FileRef]) -> Vec<ComponentCheck> {
    checks
        .into_iter()
        .map(|c| {
            let mine = || files.iter().filter(|f| !f.removed && f.component_key == c.key);
            let reused = mine().any(|f| f.locker_item_id.is_some());
            ComponentCheck { provided: c.provided || mine().next().is_some(), reused, ..c }
        })
        .collect()
}

/// What a filing writes, decided on a snapshot before the write.
struct Planned {
    /// The first event, encoded and chained before the write.
    created: repo::ChainedEvent,
    d: Dossier,
    reception: Option<Reception>,
    lockers: Vec<ComponentInput>,
    spec: ProcedureSpec,
}

/// The dossier a retried request already created, or the refusal of a key reused for
/// another request; None for a new key.
fn replay(db: &mut Db, scope: &str, key: &str, hash: &str) -> Result<Option<Dossier>, AppError> {
    let Some((first_hash, id)) = repo::idempotent(db, scope, key)? else { return Ok(None) };
    if first_hash != hash {
        return Err(invalid(
            "Idempotency-Key",
            "idempotency_key_reused",
            "Khóa chống trùng này đã dùng cho một yêu cầu khác.",
            "This idempotency key was used for a different request.",
        ));
    }
    Ok(Some(repo::get(db, &id)?.ok_or(AppError::not_found("dossier"))?))
}

fn request_hash(input: &NewDossier) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(input).unwrap_or_default()))
}

/// The default reception point: the officer's own counter, else the provincial service centre.
fn default_receiving(db: &mut Db, current: &CurrentUser) -> Result<AgencyRecord, AppError> {
    if let Some(m) = current.memberships.iter().find(|m| m.role == Role::ReceptionOfficer) {
        return Ok(agencies::get(db, &m.agency_id)?);
    }
    let (centres, _) =
        agencies::list(db, &agencies::AgencyFilter { kind: Some(AgencyKind::ServiceCentre), limit: 1, ..Default::default() })?;
    centres.into_iter().next().ok_or_else(|| {
        invalid("receiving_agency_id", "required", "Chọn nơi tiếp nhận hồ sơ.", "Choose where the dossier is received.")
    })
}

/// Files a dossier. Applicants get a draft (online channel) to attach files to and submit;
/// reception officers at a counter (or taking a postal dossier) receive it at once. A
/// retry with the same idempotency key returns the first dossier and creates nothing.
pub async fn create(
    ctx: &AppContext,
    current: &CurrentUser,
    input: NewDossier,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    crate::obs::usecase("dossiers.create", async {
        let d = create_unobserved(ctx, current, input, key).await?;
        crate::obs::record_dossier(&d.id);
        Ok(d)
    })
    .await
}

async fn create_unobserved(
    ctx: &AppContext,
    current: &CurrentUser,
    input: NewDossier,
    key: Option<String>,
) -> Result<Dossier, AppError> {
    let mut errs = Errors::new();
    let official = current.user.account_type == AccountType::Official;
    let channel = match input.channel.as_deref().map(str::trim) {
        None | Some("") => {
            if official {
                Channel::Counter
            } else {
                Channel::Online
            }
        }
        Some("online") => Channel::Online,
        Some("counter") => Channel::Counter,
        Some("postal") => Channel::Postal,
        Some(_) => {
            errs.push(FieldError::new(
                "channel",
                "invalid_channel",
                "Kênh nộp phải là online, counter hoặc postal.",
                "The channel is online, counter or postal.",
            ));
            Channel::Online
        }
    };
    if official && channel == Channel::Online {
        errs.push(FieldError::new(
            "channel",
            "channel_not_allowed",
            "Hồ sơ trực tuyến do người nộp tự nộp; tại quầy chọn kênh trực tiếp hoặc bưu chính.",
            "Online dossiers are filed by applicants; at the counter use the counter or postal channel.",
        ));
    }
    if !official && channel != Channel::Online {
        errs.push(FieldError::new(
            "channel",
            "channel_not_allowed",
            "Người nộp chỉ nộp hồ sơ trực tuyến.",
            "Applicants file online.",
        ));
    }
    let applicant = parse_applicant(&input.applicant, &mut errs);
    let summary = input.summary.as_deref().map(motcua_domain::text::clean).filter(|s| !s.is_empty());
    if let Some(k) = &key
        && (k.is_empty() || k.len() > 200)
    {
        errs.push(FieldError::new(
            "Idempotency-Key",
            "invalid_idempotency_key",
            "Khóa chống trùng phải có 1–200 ký tự.",
            "The idempotency key has 1–200 characters.",
        ));
    }
    let code = input.procedure_code.trim().to_ascii_uppercase();
    let now = ctx.clock.now_ms();
    let hash = request_hash(&input);
    let scope = format!("{}:create", current.user.id);
    let (retry_scope, retry_key) = (scope.clone(), key.clone());
    let current = current.clone();
    let calendars = ctx.calendars.clone();
    let issuing = Issuing::new(ctx);
    let issued = issuing.clone();
    // Everything but the writes is read and decided on a snapshot first (catalog, agencies,
    // workflow, the reception event); the writer gets only the writes and the checks that
    // must be atomic with them (the idempotency key, the daily sequence number).
    let planned = {
        let (scope, key, hash, current, calendars) =
            (scope.clone(), key.clone(), hash.clone(), current.clone(), calendars.clone());
        ctx.store
            .read(move |db| {
                if let Some(k) = &key
                    && let Some(found) = replay(db, &scope, k, &hash)?
                {
                    return Ok(Err(found));
                }
                // The version in force and everything checked against it, in the same snapshot
                // as the plan (one read).
                let Some(version) = catalog_repo::in_force(db, &code, now)? else {
                    errs.push(FieldError::new(
                        "procedure_code",
                        "procedure_not_found",
                        "Không có thủ tục đang có hiệu lực với mã này.",
                        "No procedure with this code is in force.",
                    ));
                    return Err(errs.finish().err().map_or(AppError::not_found("procedure"), AppError::Validation));
                };
                if channel == Channel::Online && version.spec.online_level == OnlineLevel::None {
                    errs.push(FieldError::new(
                        "procedure_code",
                        "not_online",
                        "Thủ tục này chưa cung cấp dịch vụ công trực tuyến; vui lòng nộp tại bộ phận một cửa.",
                        "This procedure has no online service; file it at a one-stop counter.",
                    ));
                }
                let components = checklist(&version.spec, &input.components, &mut errs);
                errs.finish()?;
                let applicant = applicant.expect("validated");
                let address = applicant.address.clone();
                let today = local_date_ms(now);
                // An online filing of a commune-level procedure names its commune (chosen in the
                // wizard, else the one the address names); a counter names it at reception.
                let competent = if official {
                    None
                } else {
                    case_competent(db, &version.spec, input.competent_agency_id.as_deref(), address.as_deref(), today)?
                        .filter(|_| dossier::competence(&version.spec) == Competence::Commune)
                };
                let receiving = match input.receiving_agency_id.as_deref().filter(|s| !s.is_empty()) {
                    Some(id) => {
                        let a = agencies::find(db, id)?.ok_or_else(|| {
                            invalid(
                                "receiving_agency_id",
                                "agency_not_found",
                                "Không tìm thấy nơi tiếp nhận.",
                                "The reception point does not exist.",
                            )
                        })?;
                        // Only a service centre or its counter, in operation today, takes dossiers in.
                        if !a.kind.is_reception_point() || !a.facts().active_on(today) {
                            return Err(invalid(
                                "receiving_agency_id",
                                "not_a_reception_point",
                                "Nơi tiếp nhận phải là Trung tâm Phục vụ hành chính công hoặc một quầy tiếp nhận đang hoạt động.",
                                "The reception point must be a public administration service centre or one of its counters, in operation.",
                            ));
                        }
                        a
                    }
                    // Online, a commune's dossier lands at the commune's own centre, which receives it.
                    None => match competent.as_ref().map(|c| commune_centre(db, c)).transpose()?.flatten() {
                        Some(centre) => centre,
                        None => default_receiving(db, &current)?,
                    },
                };
                let id = new_id();
                let created = Recorded {
                    dossier_id: id.clone(),
                    seq: 1,
                    at: now,
                    actor_id: current.user.id.clone(),
                    event: Event::Created {
                        procedure: procedure_ref(&version.code, version.version, &version.spec),
                        channel,
                        owner_id: (!official).then(|| current.user.id.clone()),
                        applicant,
                        summary,
                        receiving: agency_ref(&receiving),
                        components: components.clone(),
                        competent: competent.as_ref().map(agency_ref),
                        portal: None,
                    },
                };
                let d = dossier::start(&created).expect("created event");
                // Reception at the counter in the same transaction: the code comes with the receipt.
                let reception = if official {
                    Some(plan_reception(
                        db,
                        &calendars,
                        &current,
                        &d,
                        input.competent_agency_id.as_deref(),
                        components,
                        now,
                        Some(&version),
                    )?)
                } else {
                    None
                };
                let created = repo::chain(&created, motcua_domain::audit::GENESIS)?;
                Ok(Ok(Planned { created, d, reception, lockers: input.components, spec: version.spec }))
            })
            .await?
    };
    let plan = match planned {
        Ok(plan) => plan,
        // A retry whose first request was answered: its dossier, nothing written.
        Err(first) => return Ok(first),
    };
    // PostgreSQL: the centre's daily number is taken first in its own short transaction, and
    // the shared counters are written last (below): their row locks last until COMMIT, so
    // receptions at one centre would otherwise queue behind each other's whole transaction.
    // A reception that then fails leaves a gap in that day's numbers (codes are unique, not
    // gapless). SQLite has one writer: the number is drawn inside the group, without gaps.
    let numbered = match (&plan.reception, ctx.store.backend()) {
        (Some(r), motcua_store::Backend::Postgres) => {
            let r = r.clone();
            Some(ctx.store.write(move |db| r.number(db)).await?)
        }
        _ => None,
    };
    // Rerunnable: everything random or read from outside was drawn above.
    let result = ctx
        .store
        .write_rerunnable(move |db| {
            if let Some(k) = &key
                && let Some(found) = replay(db, &scope, k, &hash)?
            {
                return Ok(found);
            }
            let Planned { created, d, reception, lockers, spec } = &plan;
            let mut d = d.clone();
            let id = d.id.clone();
            repo::insert_chained(db, created)?;
            let mut prev = created.hash.clone();
            // Each event's side effects with the state it left, written last.
            let mut effects: Vec<(Dossier, Recorded)> = Vec::new();
            if let Some(reception) = reception {
                let ev = match &numbered {
                    Some(ev) => ev.clone(),
                    None => reception.number(db)?,
                };
                let rec = Recorded { dossier_id: id.clone(), seq: 2, at: now, actor_id: current.user.id.clone(), event: ev };
                let before = d.clone();
                dossier::apply(&mut d, &rec);
                issue(db, &issued, &before, &d, &rec)?;
                prev = repo::append_event_after(db, &rec, &prev)?;
                effects.push((d.clone(), rec));
            }
            // Components taken from the applicant's data locker: the file attached from it
            // (checked in the write: an item may be withdrawn meanwhile).
            let cal = calendars.for_agency(Some(&d.receiving.id));
            for c in lockers.iter().filter(|c| c.locker_item_id.is_some()) {
                let spec = spec.components.iter().find(|s| s.key == c.key).expect("checked by the checklist");
                let item =
                    crate::usecases::locker::usable_for(db, &current, &d, spec, c.locker_item_id.as_deref().unwrap_or(""), now)?;
                let ev = locker_attach_event(&d, &current, &cal, &c.key, &item, now)?;
                let rec = Recorded {
                    dossier_id: id.clone(),
                    seq: d.version + 1,
                    at: now,
                    actor_id: current.user.id.clone(),
                    event: ev,
                };
                dossier::apply(&mut d, &rec);
                prev = repo::append_event_after(db, &rec, &prev)?;
                effects.push((d.clone(), rec));
            }
            repo::insert(db, &d)?;
            if let Some(k) = &key {
                repo::save_idempotent(db, &scope, k, &hash, &id, now).map_err(|e| match e {
                    motcua_store::StoreError::Unique { .. } => {
                        invalid("Idempotency-Key", "duplicate_request", "Yêu cầu trùng.", "Duplicate request.")
                    }
                    other => other.into(),
                })?;
            }
            // The shared counters (KPI) last: on PostgreSQL their row locks are then held the
            // shortest time.
            let mut was = dossier::Before::NEW;
            for (state, rec) in &effects {
                side_effects(db, was, state, rec)?;
                was = dossier::Before::of(state);
            }
            Ok(d)
        })
        .await;
    if result.is_err() {
        issuing.discard_stored();
    }
    match (result, retry_key) {
        // Two retries raced (PostgreSQL): the loser answers with the winner's dossier.
        (Err(AppError::Validation(v)), Some(k)) if v.0.iter().any(|f| f.code == "duplicate_request") => {
            ctx.store
                .read(move |db| {
                    let (_, id) = repo::idempotent(db, &retry_scope, &k)?.ok_or(AppError::not_found("dossier"))?;
                    repo::get(db, &id)?.ok_or(AppError::not_found("dossier"))
                })
                .await
        }
        (other, _) => other,
    }
}

/// A commune or ward an applicant may choose to handle their dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommuneChoice {
    pub id: String,
    pub name: String,
}

/// What the filing wizard asks for a procedure: for a commune-level one, the communes and
/// wards of the province in operation (any of them may be chosen; since 2025 the reception
/// point does not decide it) and the one `address` names, which it pre-selects. Empty for a
/// procedure whose catalog entry names its agency.
pub async fn commune_choices(
    ctx: &AppContext,
    spec: &ProcedureSpec,
    address: Option<&str>,
) -> Result<(Vec<CommuneChoice>, Option<String>), AppError> {
    if dossier::competence(spec) != Competence::Commune {
        return Ok((Vec::new(), None));
    }
    let today = ctx.clock.today();
    let address = address.map(str::to_string);
    ctx.store
        .read(move |db| {
            let choices: Vec<CommuneChoice> = active_communes(db, today)?
                .into_iter()
                .map(|c| CommuneChoice { name: c.short_name.clone().unwrap_or_else(|| c.name.clone()), id: c.id })
                .collect();
            let pairs: Vec<(&str, &str)> = choices.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
            let named = address.as_deref().and_then(|a| dossier::commune_named_in(a, &pairs)).map(str::to_string);
            Ok((choices, named))
        })
        .await
}
