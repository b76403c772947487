//! Reception: what the domain needs from the store to receive a dossier (the version in
//! force, its workflow, the competent agency and the steps' agencies).

use super::*;

/// Resolves what reception needs from the store and asks the domain for the event.
pub(super) fn receive_event(
    db: &mut Db,
    calendars: &crate::calendar::Calendars,
    current: &CurrentUser,
    d: &Dossier,
    competent_id: Option<&str>,
    components: Vec<ComponentCheck>,
    now: i64,
) -> Result<Event, AppError> {
    let version = catalog_repo::in_force(db, &d.procedure.code, now)?.ok_or_else(|| {
        invalid("procedure_code", "procedure_not_in_force", "Thủ tục không còn hiệu lực.", "The procedure is no longer in force.")
    })?;
    let Some((_, workflow)) = repo::workflow(db, &version.code)? else {
        return Err(invalid(
            "workflow",
            "workflow_missing",
            "Thủ tục chưa có quy trình xử lý; quản trị viên cần khai báo quy trình trước khi tiếp nhận.",
            "The procedure has no workflow; an administrator must define one before dossiers are received.",
        ));
    };
    let receiving = agencies::get(db, &d.receiving.id)?;
    let competent = resolve_competent(db, &version.spec, &receiving, competent_id)?;
    let steps = resolve_steps(db, &workflow, &receiving, competent.as_ref())?;
    // The dossier code is the service centre's (a counter has no identifier of its own).
    let code_agency = match (receiving.kind, &receiving.parent_id) {
        (AgencyKind::Counter, Some(p)) => agencies::get(db, p)?,
        _ => receiving.clone(),
    };
    let at = jiff::Timestamp::from_millisecond(now).map_err(|e| AppError::Internal(e.to_string()))?;
    let day = DossierCode::day_key(local_date(at));
    let n = repo::next_number(db, &code_agency.code, &day)?;
    let code = DossierCode::new(&code_agency.code, at, u32::try_from(n).unwrap_or(u32::MAX)).to_string();
    let cal = calendars.for_agency(Some(&receiving.id));
    let cx = Ctx { actor: actor(current), now: at, calendar: &cal };
    let cmd = Command::Receive {
        code,
        procedure: procedure_ref(&version.code, version.version, &version.spec),
        competent: competent.as_ref().map(agency_ref),
        steps,
        components,
    };
    Ok(dossier::decide(d, cmd, &cx)?)
}

/// The competent agency (REQ-7): named at reception, else the procedure's, else the commune
/// the reception point belongs to.
fn resolve_competent(
    db: &mut Db,
    spec: &ProcedureSpec,
    receiving: &AgencyRecord,
    named: Option<&str>,
) -> Result<Option<AgencyRecord>, AppError> {
    if let Some(id) = named.filter(|s| !s.is_empty()) {
        return agencies::find(db, id)?.map(Some).ok_or_else(|| {
            invalid(
                "competent_agency_id",
                "agency_not_found",
                "Không tìm thấy cơ quan giải quyết.",
                "The competent agency does not exist.",
            )
        });
    }
    if let Some(code) = &spec.agency_code
        && let Some(a) = agencies::get_by_code(db, code)?
    {
        return Ok(Some(a));
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
                StepAgency::Competent => competent.cloned().ok_or_else(|| {
                    invalid(
                        "competent_agency_id",
                        "competent_required",
                        "Chọn cơ quan giải quyết: thủ tục không nêu cơ quan và nơi tiếp nhận không thuộc một xã, phường.",
                        "Choose the competent agency: the procedure names none and the reception point is not in a commune.",
                    )
                })?,
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
