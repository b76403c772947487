//! Server-rendered pages on askama templates (`templates/`: layouts, form components, one
//! file per page or partial; auto-escaped). A handler gathers data with the use cases of
//! `motcua-app` (the same ones the JSON API calls), fills a view struct and returns it.
//! Vietnamese by default, English with `?lang=en`; no page needs JavaScript.
//!
//! `motcua-web` is the HTTP shell: it mounts `router()` next to the API and the assets.

pub mod account;
pub mod admin;
pub mod citizen;
pub mod kit;
pub mod public;

use axum::routing::{MethodRouter, get, post};
use kit::Route;
use motcua_app::AppContext;

/// One page route: path, the methods it answers, its handlers, and whether it takes files
/// (the web shell puts its upload body limit on those). `motcua-web` builds its router from
/// these rows and the authorization matrix test reads them.
pub type Row = (&'static str, &'static [&'static str], MethodRouter<AppContext>, bool);

/// The routes of the pages in this crate.
pub fn routes() -> Vec<Row> {
    vec![
        (Route::Home.pattern(), &["GET"], get(public::home::page), false),
        (Route::Catalog.pattern(), &["GET"], get(public::catalog::search_page), false),
        (Route::Procedure("").pattern(), &["GET"], get(public::catalog::procedure_page), false),
        (Route::CatalogTemplate("").pattern(), &["GET"], get(public::forms::template), false),
        (Route::Tracking.pattern(), &["GET"], get(public::tracking::page), false),
        (Route::Calendar(0).pattern(), &["GET"], get(public::calendar::year_page), false),
        (Route::Login.pattern(), &["GET", "POST"], get(public::login::form).post(public::login::submit), false),
        (Route::Logout.pattern(), &["POST"], post(public::login::logout), false),
        (Route::ChangePassword.pattern(), &["GET", "POST"], get(account::form).post(account::submit), false),
        (
            Route::FileOnline("").pattern(),
            &["GET", "POST"],
            get(citizen::filing::applicant_form).post(citizen::filing::applicant_submit),
            false,
        ),
        (
            Route::Component("", "").pattern(),
            &["GET", "POST"],
            get(citizen::filing::component_form).post(citizen::filing::component_upload),
            true,
        ),
        (Route::Review("").pattern(), &["GET"], get(citizen::filing::review), false),
        (Route::Submit("").pattern(), &["POST"], post(citizen::filing::submit), false),
        (Route::Receipt("").pattern(), &["GET"], get(citizen::filing::receipt), false),
        (Route::MyDossiers.pattern(), &["GET"], get(citizen::dossiers::my_dossiers), false),
        (Route::Dossier("").pattern(), &["GET"], get(citizen::dossiers::dossier_page), false),
        (Route::Supply("").pattern(), &["POST"], post(citizen::dossiers::supply), false),
        (Route::SupplementFile("").pattern(), &["POST"], post(citizen::dossiers::supplement_upload), true),
        (Route::Rate("").pattern(), &["POST"], post(citizen::dossiers::rate), false),
        (Route::AdminAgencies.pattern(), &["GET", "POST"], get(admin::agencies::page).post(admin::agencies::create), false),
        (Route::AdminAgencyRename("").pattern(), &["POST"], post(admin::agencies::rename), false),
        (Route::AdminUsers.pattern(), &["GET", "POST"], get(admin::users::page).post(admin::users::create), false),
        (Route::AdminUserLock("").pattern(), &["GET", "POST"], get(admin::users::lock_confirm).post(admin::users::lock), false),
        (Route::AdminWorkflows.pattern(), &["GET"], get(admin::workflows::list), false),
        (Route::AdminCatalog.pattern(), &["GET"], get(admin::catalog::list), false),
        (Route::AdminProcedure("").pattern(), &["GET"], get(admin::catalog::show), false),
        (Route::AdminPublish("").pattern(), &["POST"], post(admin::catalog::publish), false),
        (Route::AdminAbolish("").pattern(), &["POST"], post(admin::catalog::abolish), false),
        (Route::AdminReplace("").pattern(), &["POST"], post(admin::catalog::replace), false),
        (Route::AdminDiff("").pattern(), &["GET"], get(admin::catalog::diff), false),
        (Route::AdminCalendar.pattern(), &["GET", "POST"], get(admin::calendar::page).post(admin::calendar::load), true),
        (Route::AdminWorkflow("").pattern(), &["GET", "POST"], get(admin::workflows::page).post(admin::workflows::save), false),
    ]
}
