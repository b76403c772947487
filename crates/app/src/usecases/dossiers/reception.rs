//! Reception: what the domain needs from the store to receive a dossier (the version in
//! force, its workflow, the competent agency and the steps' agencies).

use super::*;
use motcua_store::repo::catalog::VersionRecord;

/// A reception decided on a snapshot read, before the write: the event with its code still
/// to be numbered, and the agency whose daily sequence numbers it.
#[derive(Clone)]
pub(super) struct Reception {
    event: Event,
    code_agency: String,
    at: jiff::Timestamp,
}

impl Reception {
    /// Draws the dossier's number from its agency's daily sequence: the one statement of a
    /// reception that must run in the write transaction.
    pub(super) fn number(&self, db: &mut Db) -> Result<Event, AppError> {
        let day = DossierCode::day_key(local_date(self.at));
        let n = repo::next_number(db, &self.code_agency, &day)?;
        let numbered = DossierCode::new(&self.code_agency, self.at, u32::try_from(n).unwrap_or(u32::MAX)).to_string();
        let mut event = self.event.clone();
        if let Event::Received { code, .. } = &mut event {
            *code = numbered;
        }
        Ok(event)
    }
}

/// Resolves what reception needs from the store (the version in force, its workflow, the
/// competent agency and the steps' agencies) and asks the domain for the event. Run it on a
/// read snapshot before the write: the catalog, workflow and agencies it reads are the ones
/// in force when the request was validated, as for a request that came a moment earlier.
/// `in_force`: the version in force at `now` when the caller has just read it.
#[allow(clippy::too_many_arguments)]
pub(super) fn plan_reception(
    db: &mut Db,
    calendars: &crate::calendar::Calendars,
    current: &CurrentUser,
    d: &Dossier,
    competent_id: Option<&str>,
    components: Vec<ComponentCheck>,
    now: i64,
    in_force: Option<&VersionRecord>,
) -> Result<Reception, AppError> {
    let read;
    let version = match in_force {
        Some(v) => v,
        None => {
            read = catalog_repo::in_force(db, &d.procedure.code, now)?.ok_or_else(|| {
                invalid(
                    "procedure_code",
                    "procedure_not_in_force",
                    "Thủ tục không còn hiệu lực.",
                    "The procedure is no longer in force.",
                )
            })?;
            &read
        }
    };
    let Some((_, workflow)) = repo::workflow(db, &version.code)? else {
        return Err(invalid(
            "workflow",
            "workflow_missing",
            "Thủ tục chưa có quy trình xử lý; quản trị viên cần khai báo quy trình trước khi tiếp nhận.",
            "The procedure has no workflow; an administrator must define one before dossiers are received.",
        ));
    };
    let receiving = agencies::get(db, &d.receiving.id)?;
    let today = local_date_ms(now);
    let competent = resolve_competent(db, &version.spec, d, &receiving, competent_id, today)?;
    let steps = resolve_steps(db, &workflow, &receiving, competent.as_ref())?;
    // The dossier code is the service centre's (a counter has no identifier of its own).
    let code_agency = match (receiving.kind, &receiving.parent_id) {
        (AgencyKind::Counter, Some(p)) => agencies::get(db, p)?,
        _ => receiving.clone(),
    };
    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let cal = calendars.for_agency(Some(&receiving.id));
    let cx = Ctx { actor: actor(current), now: at, calendar: &cal, signed_result: false };
    let cmd = Command::Receive {
        // Numbered in the write (`Reception::number`).
        code: String::new(),
        procedure: Box::new(procedure_ref(&version.code, version.version, &version.spec)),
        competent: competent.as_ref().map(agency_ref),
        steps,
        components,
        rating_code: Some(rating_code()),
    };
    Ok(Reception { event: dossier::decide(d, cmd, &cx)?, code_agency: code_agency.code, at })
}

/// A one-time rating code for the receipt: 8 random digits (the kiosk checks it with the
/// tracking limits, so it cannot be guessed in practice).
fn rating_code() -> String {
    use rand::Rng;
    let n: u32 = rand::rng().random_range(0..100_000_000);
    format!("{n:08}")
}

/// The competent agency at reception (REQ-7, issue #11 item 8), derived from the case by the
/// procedure's rule, never from the reception point alone: the department the catalog names;
/// for a commune-level procedure the commune named now (`named`), else the one chosen at
/// filing, else the one the applicant's address names, else the commune whose own counter
/// took the dossier in (the applicant came to that commune). None when nothing names one:
/// the domain then refuses the reception.
fn resolve_competent(
    db: &mut Db,
    spec: &ProcedureSpec,
    d: &Dossier,
    receiving: &AgencyRecord,
    named: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Option<AgencyRecord>, AppError> {
    let chosen = named.filter(|s| !s.is_empty()).or(d.competent.as_ref().map(|c| c.id.as_str()));
    if let Some(a) = case_competent(db, spec, chosen, d.applicant.address.as_deref(), today)? {
        return Ok(Some(a));
    }
    if dossier::competence(spec) != Competence::Commune {
        return Ok(None);
    }
    let mut cur = Some(receiving.clone());
    while let Some(a) = cur {
        if a.kind == AgencyKind::Commune {
            return Ok(Some(a));
        }
        cur = match &a.parent_id {
            Some(p) => Some(agencies::get(db, p)?),
            None => None,
        };
    }
    Ok(None)
}

/// The competent agency a case names, by the procedure's rule (filing and reception share
/// it): the catalog's agency; or, for a commune-level procedure, the commune chosen
/// (`chosen`, which must be a commune of the province in operation), else the commune the
/// address names. A named agency against the catalog's is refused, not ignored.
pub(super) fn case_competent(
    db: &mut Db,
    spec: &ProcedureSpec,
    chosen: Option<&str>,
    address: Option<&str>,
    today: jiff::civil::Date,
) -> Result<Option<AgencyRecord>, AppError> {
    let chosen = match chosen.filter(|s| !s.is_empty()) {
        None => None,
        Some(id) => Some(agencies::find(db, id)?.ok_or_else(|| {
            invalid(
                "competent_agency_id",
                "agency_not_found",
                "Không tìm thấy cơ quan giải quyết.",
                "The competent agency does not exist.",
            )
        })?),
    };
    match dossier::competence(spec) {
        Competence::Agency(code) => {
            let own = agencies::get_by_code(db, &code)?;
            if let (Some(c), Some(o)) = (&chosen, &own)
                && c.id != o.id
            {
                return Err(invalid(
                    "competent_agency_id",
                    "competent_fixed",
                    &format!("Thủ tục này do {} giải quyết; không chọn cơ quan khác.", o.name),
                    &format!("This procedure is decided by {}; no other agency may be chosen.", o.name),
                ));
            }
            Ok(own)
        }
        Competence::Commune => {
            if let Some(c) = chosen {
                if c.kind != AgencyKind::Commune || !c.facts().active_on(today) {
                    return Err(invalid(
                        "competent_agency_id",
                        "competent_not_commune",
                        "Thủ tục cấp xã: chọn một xã, phường của tỉnh đang hoạt động.",
                        "A commune-level procedure: choose a commune or ward of the province, in operation.",
                    ));
                }
                return Ok(Some(c));
            }
            let Some(address) = address else { return Ok(None) };
            let communes = active_communes(db, today)?;
            let pairs: Vec<(&str, &str)> =
                communes.iter().map(|c| (c.id.as_str(), c.short_name.as_deref().unwrap_or(&c.name))).collect();
            let found = dossier::commune_named_in(address, &pairs).map(str::to_string);
            Ok(found.and_then(|id| communes.into_iter().find(|c| c.id == id)))
        }
        Competence::Unknown => Ok(chosen),
    }
}

/// The communes and wards of the province in operation on `today`, by path.
pub(super) fn active_communes(db: &mut Db, today: jiff::civil::Date) -> Result<Vec<AgencyRecord>, AppError> {
    let f = agencies::AgencyFilter { kind: Some(AgencyKind::Commune), active_on: Some(today), limit: 1000, ..Default::default() };
    Ok(agencies::list(db, &f)?.0)
}

/// The public administration service centre of a commune, where its online dossiers land.
pub(super) fn commune_centre(db: &mut Db, commune: &AgencyRecord) -> Result<Option<AgencyRecord>, AppError> {
    let f = agencies::AgencyFilter {
        kind: Some(AgencyKind::CommuneCentre),
        parent_id: Some(commune.id.clone()),
        limit: 1,
        ..Default::default()
    };
    Ok(agencies::list(db, &f)?.0.into_iter().next())
}

fn resolve_steps(
    db: &mut Db,
    w: &Workflow,
    receiving: &AgencyRecord,
    competent: Option<&AgencyRecord>,
) -> Result<Vec<Step>, AppError> {
    w.steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let agency = match &s.agency {
                StepAgency::Receiving => receiving.clone(),
                StepAgency::Competent => competent.cloned().ok_or_else(|| AppError::from(dossier::competent_required()))?,
                StepAgency::Fixed { code } => agencies::get_by_code(db, code)?.ok_or_else(|| {
                    invalid(
                        &format!("workflow.steps[{i}]"),
                        "agency_not_found",
                        "Quy trình nêu một cơ quan không có trong danh mục.",
                        "The workflow names an agency that does not exist.",
                    )
                })?,
            };
            Ok(Step { kind: s.kind, name: s.name.clone(), agency: agency_ref(&agency), role: s.role, budget: s.budget })
        })
        .collect()
}
