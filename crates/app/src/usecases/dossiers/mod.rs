//! Dossiers: filing, reception and every command of the life cycle (DESIGN.md §4). Each
//! command loads the state, asks the domain, and in one transaction appends the event,
//! updates the projection and the KPI counters and queues the side effects in the outbox.

mod attachments;
mod commands;
mod digitization;
mod documents;
mod filing;
mod inbound;
pub mod payments;
mod postal;
mod reads;
mod rebuild;
mod reception;
mod results;
mod workflows;

pub use attachments::*;
pub use commands::*;
pub use digitization::*;
pub use documents::{
    Document, Issuer, RegisterEntry, SlipEntry, builtin_template, document, documents, form_name, form_time, forms_of,
    official_name, register_entries, register_pdf, slip_entries, verification_url,
};
use documents::{Issuing, issue};
pub use filing::*;
pub use inbound::{
    Failure, MAX_INBOUND_FILES, MAX_KEPT_PAYLOAD, Source, Taken, acknowledged, held, inbound_errors, portal_id_of, retry_inbound,
    take_in,
};
pub use postal::{
    CarrierReport, CarrierStatus, PostalKind, ReportTaken, carrier_report, postal_document, province,
    sign as sign_carrier_report, verify as verify_carrier_report,
};
pub use reads::*;
pub use rebuild::*;
use reception::*;
use results::issue_result;
pub use results::{
    MAX_TEMPLATE_BYTES, RESULT_FORM, TemplatePage, builtin_result_template, preview_template, save_template, template,
};
pub use workflows::*;

use crate::auth::CurrentUser;
use crate::{AppContext, AppError};
use motcua_domain::agency::AgencyKind;
use motcua_domain::attachment::{self, FileKind};
use motcua_domain::calendar::{local_date, local_date_ms, vn_time_zone};
use motcua_domain::catalog::{ApplicantType, Channel, OnlineLevel, ProcedureSpec};
use motcua_domain::dossier::{
    self, Actor, AgencyRef, Applicant, Command, Competence, ComponentCheck, Ctx, Dossier, DossierCode, DossierError, Event,
    FileRef, ProcedureRef, Recorded, Status, Step, StepAgency, Workflow,
};
use motcua_domain::error::{Errors, FieldError, ValidationError};
use motcua_domain::user::{self, AccountType, CitizenId, Role};
use motcua_store::Db;
use motcua_store::repo::agencies::{self, AgencyRecord};
use motcua_store::repo::catalog as catalog_repo;
use motcua_store::repo::dossiers::{self as repo, DossierFilter, Serving};
use motcua_store::repo::new_id;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

impl From<DossierError> for AppError {
    fn from(e: DossierError) -> Self {
        match e {
            DossierError::InvalidTransition { command, status } => AppError::Transition { command, status },
            DossierError::Forbidden { .. } => AppError::Forbidden,
            DossierError::Invalid(v) => AppError::Validation(v),
            DossierError::Calendar(c) => AppError::Calendar(c),
        }
    }
}

fn invalid(field: &str, code: &'static str, vi: &str, en: &str) -> AppError {
    AppError::Validation(ValidationError::single(field, code, vi, en))
}

fn stale() -> AppError {
    AppError::Conflict {
        code: "stale_version",
        field: Some("version"),
        vi: "Hồ sơ vừa được người khác cập nhật; vui lòng tải lại và thực hiện lại.",
        en: "The dossier was changed by someone else; reload it and try again.",
    }
}

/// The user as the domain's guard table sees them.
pub fn actor(c: &CurrentUser) -> Actor<'_> {
    Actor { user_id: &c.user.id, account: c.user.account_type, memberships: &c.principal.memberships }
}

fn agency_ref(a: &AgencyRecord) -> AgencyRef {
    AgencyRef { id: a.id.clone(), code: a.code.clone(), name: a.name.clone(), path: a.path.clone() }
}

/// The day key (YYYY-MM-DD, Asia/Ho_Chi_Minh) of an instant, for counters.
fn day_of(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| local_date(t).to_string()).unwrap_or_default()
}
