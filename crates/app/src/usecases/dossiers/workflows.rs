//! Workflows: the steps after filing, per procedure.

use super::*;

pub async fn workflow(ctx: &AppContext, code: &str) -> Result<(i64, Workflow), AppError> {
    let code = code.trim().to_ascii_uppercase();
    ctx.store.read(move |db| repo::workflow(db, &code)?.ok_or(AppError::not_found("workflow"))).await
}

/// Saves a procedure's workflow (province administrators): the steps' budgets must fit the
/// legal limit of the version in force, and fixed agencies must exist.
pub async fn set_workflow(ctx: &AppContext, current: &CurrentUser, code: &str, w: Workflow) -> Result<(i64, Workflow), AppError> {
    crate::usecases::require_province(Some(&current.principal), motcua_domain::authz::Permission::ManageCatalog)?;
    let code = code.trim().to_ascii_uppercase();
    let v = crate::usecases::catalog::in_force(ctx, &code, ctx.clock.now_ms()).await?.ok_or(AppError::not_found("procedure"))?;
    let office_day = ctx.calendars.national().office_hours().office_day();
    let w = w.validate(v.spec.time_limit, office_day)?;
    let actor_id = current.user.id.clone();
    ctx.store
        .write(move |db| {
            for (i, s) in w.steps.iter().enumerate() {
                if let StepAgency::Fixed { code: ac } = &s.agency
                    && agencies::get_by_code(db, ac)?.is_none()
                {
                    return Err(invalid(
                        &format!("steps[{i}].agency.code"),
                        "agency_not_found",
                        "Không tìm thấy cơ quan.",
                        "No such agency.",
                    ));
                }
            }
            let now = crate::now_ms();
            let rev = repo::put_workflow(db, &code, &w, Some(&actor_id), now)?;
            motcua_store::repo::audit::append(
                db,
                motcua_store::repo::audit::NewAudit {
                    chain: motcua_store::repo::audit::ADMIN_CHAIN,
                    at_ms: now,
                    actor_id: Some(&actor_id),
                    action: "workflow.saved",
                    entity_kind: "procedure",
                    entity_id: &code,
                    agency_path: None,
                    payload: json!({"revision": rev, "steps": w.steps.len()}),
                },
            )?;
            Ok((rev, w))
        })
        .await
}

/// The default workflow for every procedure that has none (seed and `motcua seed`).
pub fn seed_workflows_in(db: &mut Db, office_day: jiff::SignedDuration) -> Result<usize, AppError> {
    let mut n = 0;
    let now = crate::now_ms();
    for v in catalog_repo::all_in_force(db, now)? {
        if repo::workflow(db, &v.code)?.is_none() {
            let w = Workflow::default_for(&v.spec, office_day).validate(v.spec.time_limit, office_day)?;
            repo::put_workflow(db, &v.code, &w, None, now)?;
            n += 1;
        }
    }
    Ok(n)
}
