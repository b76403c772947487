//! Server-rendered pages on askama templates (`templates/`: layouts, form components, one
//! file per page or partial; auto-escaped). A handler gathers data with the use cases of
//! `motcua-app` (the same ones the JSON API calls), fills a view struct and returns it.
//! Vietnamese by default, English with `?lang=en`; no page needs JavaScript.
//!
//! `motcua-web` is the HTTP shell: it mounts `router()` next to the API and the assets.

pub mod account;
pub mod admin;
pub mod citizen;
pub mod counter;
pub mod documents;
pub mod kit;
pub mod officer;
pub mod public;
pub mod queue;

use axum::routing::{MethodRouter, get, post};
use kit::Route;
use motcua_app::AppContext;

/// One page route: path, the methods it answers, its handlers, and the body it takes (the
/// web shell puts the matching body limit on it). `motcua-web` builds its router from these
/// rows and the authorization matrix test reads them.
pub type Row = (&'static str, &'static [&'static str], MethodRouter<AppContext>, Body);

/// The body a page route takes, for the web shell's body limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No body, or a small form: the default limit.
    Form,
    /// A form with one file (the attachment limit).
    Files,
    /// A counter or officer form with scans (up to `UPLOAD_LIMIT` in `motcua-web`).
    Scans,
}

/// The routes of the pages in this crate.
pub fn routes() -> Vec<Row> {
    vec![
        (Route::Home.pattern(), &["GET"], get(public::home::page), Body::Form),
        (Route::Catalog.pattern(), &["GET"], get(public::catalog::search_page), Body::Form),
        (Route::Procedure("").pattern(), &["GET"], get(public::catalog::procedure_page), Body::Form),
        (Route::CatalogTemplate("").pattern(), &["GET"], get(public::forms::template), Body::Form),
        (Route::Tracking.pattern(), &["GET"], get(public::tracking::page), Body::Form),
        (Route::Verify.pattern(), &["GET", "POST"], get(public::verify::page).post(public::verify::upload), Body::Files),
        (Route::VerifyDocument("").pattern(), &["GET"], get(public::verify::document), Body::Form),
        (Route::CounterRating.pattern(), &["GET", "POST"], get(public::rating::form).post(public::rating::submit), Body::Form),
        (Route::Petitions.pattern(), &["GET", "POST"], get(public::petitions::form).post(public::petitions::submit), Body::Form),
        (
            Route::PetitionFollow.pattern(),
            &["GET", "POST"],
            get(public::petitions::follow).post(public::petitions::act),
            Body::Form,
        ),
        (Route::PetitionAnswers.pattern(), &["GET"], get(public::petitions::answers), Body::Form),
        (Route::PetitionAnswer("").pattern(), &["GET"], get(public::petitions::answer), Body::Form),
        (Route::Kiosk.pattern(), &["GET", "POST"], get(queue::kiosk).post(queue::kiosk_submit), Body::Form),
        (Route::Ticket("").pattern(), &["GET", "POST"], get(queue::ticket).post(queue::ticket_rate), Body::Form),
        (Route::Board.pattern(), &["GET"], get(queue::board), Body::Form),
        (Route::BoardEvents.pattern(), &["GET"], get(queue::board_events), Body::Form),
        (Route::Desk.pattern(), &["GET", "POST"], get(queue::desk).post(queue::desk_act), Body::Form),
        (Route::MyAppointments.pattern(), &["GET", "POST"], get(queue::appointments).post(queue::appointments_act), Body::Form),
        (Route::QueueFigures.pattern(), &["GET"], get(queue::figures), Body::Form),
        (Route::QueueFiguresCsv.pattern(), &["GET"], get(queue::figures_csv), Body::Form),
        (Route::Calendar(0).pattern(), &["GET"], get(public::calendar::year_page), Body::Form),
        (Route::OpenDataPage.pattern(), &["GET"], get(public::open_data::page), Body::Form),
        (Route::Login.pattern(), &["GET", "POST"], get(public::login::form).post(public::login::submit), Body::Form),
        (Route::Logout.pattern(), &["POST"], post(public::login::logout), Body::Form),
        (Route::OidcStart("").pattern(), &["POST"], post(public::oidc::start), Body::Form),
        (Route::OidcCallback("").pattern(), &["GET"], get(public::oidc::callback), Body::Form),
        (Route::ChangePassword.pattern(), &["GET", "POST"], get(account::form).post(account::submit), Body::Form),
        (
            Route::FileOnline("").pattern(),
            &["GET", "POST"],
            get(citizen::filing::applicant_form).post(citizen::filing::applicant_submit),
            Body::Form,
        ),
        (
            Route::Component("", "").pattern(),
            &["GET", "POST"],
            get(citizen::filing::component_form).post(citizen::filing::component_upload),
            Body::Files,
        ),
        (Route::ComponentLocker("", "").pattern(), &["POST"], post(citizen::filing::component_from_locker), Body::Form),
        (Route::MyLocker.pattern(), &["GET"], get(citizen::locker::my_locker), Body::Form),
        (Route::MyNotices.pattern(), &["GET", "POST"], get(citizen::notices::form).post(citizen::notices::submit), Body::Form),
        (Route::Review("").pattern(), &["GET"], get(citizen::filing::review), Body::Form),
        (Route::Postal("").pattern(), &["GET", "POST"], get(citizen::postal::form).post(citizen::postal::save), Body::Form),
        (Route::Submit("").pattern(), &["POST"], post(citizen::filing::submit), Body::Form),
        (Route::Receipt("").pattern(), &["GET"], get(citizen::filing::receipt), Body::Form),
        (Route::MyDossiers.pattern(), &["GET"], get(citizen::dossiers::my_dossiers), Body::Form),
        (Route::Dossier("").pattern(), &["GET"], get(citizen::dossiers::dossier_page), Body::Form),
        (Route::Supply("").pattern(), &["POST"], post(citizen::dossiers::supply), Body::Form),
        (Route::SupplementFile("").pattern(), &["POST"], post(citizen::dossiers::supplement_upload), Body::Files),
        (Route::Rate("").pattern(), &["POST"], post(citizen::dossiers::rate), Body::Form),
        (Route::Pay("").pattern(), &["GET", "POST"], get(citizen::pay::page).post(citizen::pay::start), Body::Form),
        (Route::OfficerInbox.pattern(), &["GET"], get(officer::inbox::inbox), Body::Form),
        (Route::IndicatorReportCsv.pattern(), &["GET"], get(officer::reports::csv), Body::Form),
        (Route::IndicatorReportXlsx.pattern(), &["GET"], get(officer::reports::xlsx), Body::Form),
        (Route::IndicatorReportPdf.pattern(), &["GET"], get(officer::reports::pdf), Body::Form),
        (Route::OfficerInboxCsv.pattern(), &["GET"], get(officer::inbox::csv), Body::Form),
        (Route::OfficerInboxXlsx.pattern(), &["GET"], get(officer::inbox::xlsx), Body::Form),
        (Route::OfficerDossier("").pattern(), &["GET"], get(officer::dossier::dossier_page), Body::Form),
        (Route::ControlSlip("").pattern(), &["GET"], get(officer::dossier::control_slip_page), Body::Form),
        (Route::OfficerFile("", "").pattern(), &["GET"], get(officer::dossier::file), Body::Form),
        (Route::OfficerAction("", "").pattern(), &["POST"], post(officer::actions::action), Body::Form),
        (Route::OfficerUpload("").pattern(), &["POST"], post(officer::actions::upload_component), Body::Scans),
        (Route::OfficerResultUpload("").pattern(), &["POST"], post(officer::actions::upload_result), Body::Scans),
        (Route::OfficerDigitize("").pattern(), &["POST"], post(officer::actions::digitize), Body::Scans),
        (Route::OfficerSignature("", "").pattern(), &["GET"], get(officer::dossier::signature), Body::Form),
        (Route::Register.pattern(), &["GET"], get(officer::register::page), Body::Form),
        (Route::Notifications.pattern(), &["GET"], get(officer::notifications::page), Body::Form),
        (Route::OfficerPetitions.pattern(), &["GET"], get(officer::petitions::inbox), Body::Form),
        (Route::PetitionContactLog.pattern(), &["GET"], get(officer::petitions::contact_log), Body::Form),
        (
            Route::OfficerPetition("").pattern(),
            &["GET", "POST"],
            get(officer::petitions::page).post(officer::petitions::act),
            Body::Form,
        ),
        (Route::Indicators.pattern(), &["GET"], get(officer::indicators::dashboard), Body::Form),
        (Route::Index766.pattern(), &["GET"], get(officer::indicators::index766), Body::Form),
        (Route::Index766Indicator("").pattern(), &["GET"], get(officer::indicators::indicator), Body::Form),
        (Route::IndicatorDossiers.pattern(), &["GET"], get(officer::indicators::dossiers), Body::Form),
        (Route::IndicatorsWall.pattern(), &["GET"], get(officer::indicators_wall::wall), Body::Form),
        (Route::IndicatorsWallEvents.pattern(), &["GET"], get(officer::indicators_wall::events), Body::Form),
        (Route::OfficerTargets.pattern(), &["GET", "POST"], get(officer::targets::page).post(officer::targets::set), Body::Form),
        (Route::OfficerTargetDelete.pattern(), &["POST"], post(officer::targets::delete), Body::Form),
        (Route::OfficerRatings.pattern(), &["GET"], get(officer::ratings::page), Body::Form),
        (
            Route::CounterReception.pattern(),
            &["GET", "POST"],
            get(counter::reception::reception).post(counter::reception::receive),
            Body::Scans,
        ),
        (Route::CounterReceipt("").pattern(), &["GET"], get(counter::reception::receipt), Body::Form),
        (Route::CounterScreen("").pattern(), &["GET"], get(counter::screen::screen), Body::Form),
        (Route::CounterEvents("").pattern(), &["GET"], get(counter::screen::events), Body::Form),
        (Route::CounterDraft("").pattern(), &["POST"], post(counter::screen::draft), Body::Form),
        (Route::CounterScreenRate("").pattern(), &["POST"], post(counter::screen::rate), Body::Form),
        (Route::RegisterCsv.pattern(), &["GET"], get(officer::register::csv), Body::Form),
        (Route::RegisterXlsx.pattern(), &["GET"], get(officer::register::xlsx), Body::Form),
        (Route::RegisterPdf.pattern(), &["GET"], get(officer::register::pdf), Body::Form),
        (Route::DossierDocument("", "").pattern(), &["GET"], get(documents::download), Body::Form),
        (Route::AdminAgencies.pattern(), &["GET", "POST"], get(admin::agencies::page).post(admin::agencies::create), Body::Form),
        (Route::AdminAgencyRename("").pattern(), &["POST"], post(admin::agencies::rename), Body::Form),
        (Route::AdminUsers.pattern(), &["GET", "POST"], get(admin::users::page).post(admin::users::create), Body::Form),
        (
            Route::AdminUserLock("").pattern(),
            &["GET", "POST"],
            get(admin::users::lock_confirm).post(admin::users::lock),
            Body::Form,
        ),
        (Route::AdminAccessLog.pattern(), &["GET"], get(admin::access_log::page), Body::Form),
        (Route::AdminDvcqg.pattern(), &["GET"], get(admin::dvcqg::page), Body::Form),
        (
            Route::AdminPayments.pattern(),
            &["GET", "POST"],
            get(admin::payments::page).post(admin::payments::reconcile),
            Body::Form,
        ),
        (Route::AdminDvcqgReconcile.pattern(), &["POST"], post(admin::dvcqg::reconcile), Body::Form),
        (Route::AdminDvcqgRetry("").pattern(), &["POST"], post(admin::dvcqg::retry), Body::Form),
        (Route::AdminInboundErrors.pattern(), &["GET"], get(admin::inbound::page), Body::Form),
        (Route::AdminArchive.pattern(), &["GET"], get(admin::archive::page), Body::Form),
        (Route::AdminArchiveCsv.pattern(), &["GET"], get(admin::archive::csv), Body::Form),
        (Route::AdminArchivePackage("").pattern(), &["GET"], get(admin::archive::package), Body::Form),
        (Route::AdminArchivePurge("").pattern(), &["POST"], post(admin::archive::purge), Body::Form),
        (Route::AdminInboundRetry("").pattern(), &["POST"], post(admin::inbound::retry), Body::Form),
        (Route::AdminSystem.pattern(), &["GET"], get(admin::system::page), Body::Form),
        (Route::AdminWorkflows.pattern(), &["GET"], get(admin::workflows::list), Body::Form),
        (Route::AdminCatalog.pattern(), &["GET"], get(admin::catalog::list), Body::Form),
        (
            Route::AdminCatalogNew.pattern(),
            &["GET", "POST"],
            get(admin::catalog_form::new_form).post(admin::catalog_form::create),
            Body::Form,
        ),
        (
            Route::AdminAmend("").pattern(),
            &["GET", "POST"],
            get(admin::catalog_form::amend_form).post(admin::catalog_form::amend),
            Body::Form,
        ),
        (Route::AdminNational.pattern(), &["GET"], get(admin::national_catalog::page), Body::Form),
        (Route::AdminNationalImport.pattern(), &["POST"], post(admin::national_catalog::import), Body::Form),
        (Route::AdminNationalPublish.pattern(), &["POST"], post(admin::national_catalog::publish), Body::Form),
        (Route::AdminProcedure("").pattern(), &["GET"], get(admin::catalog::show), Body::Form),
        (Route::AdminPublish("").pattern(), &["POST"], post(admin::catalog::publish), Body::Form),
        (Route::AdminAbolish("").pattern(), &["POST"], post(admin::catalog::abolish), Body::Form),
        (Route::AdminReplace("").pattern(), &["POST"], post(admin::catalog::replace), Body::Form),
        (Route::AdminDiff("").pattern(), &["GET"], get(admin::catalog::diff), Body::Form),
        (
            Route::AdminResultTemplate("").pattern(),
            &["GET", "POST"],
            get(admin::result_template::show).post(admin::result_template::save),
            Body::Form,
        ),
        (Route::AdminResultPreview("").pattern(), &["POST"], post(admin::result_template::preview), Body::Form),
        (Route::AdminCalendar.pattern(), &["GET", "POST"], get(admin::calendar::page).post(admin::calendar::load), Body::Files),
        (
            Route::AdminWorkflow("").pattern(),
            &["GET", "POST"],
            get(admin::workflows::page).post(admin::workflows::save),
            Body::Form,
        ),
    ]
}
