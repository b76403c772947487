//! Server-rendered pages on askama templates (`templates/`: layouts, form components, one
//! file per page or partial; auto-escaped). A handler gathers data with the use cases of
//! `motcua-app` (the same ones the JSON API calls), fills a view struct and returns it.
//! Vietnamese by default, English with `?lang=en`; no page needs JavaScript.
//!
//! `motcua-web` is the HTTP shell: it mounts `router()` next to the API and the assets.

pub mod citizen;
pub mod kit;
pub mod public;

use axum::Router;
use axum::routing::{get, post};
use kit::Route;
use motcua_app::AppContext;

/// The routes of the pages in this crate.
pub fn router() -> Router<AppContext> {
    Router::new()
        .route(Route::Home.pattern(), get(public::home::page))
        .route(Route::Catalog.pattern(), get(public::catalog::search_page))
        .route(Route::Procedure("").pattern(), get(public::catalog::procedure_page))
        .route(Route::Tracking.pattern(), get(public::tracking::page))
        .route(Route::Login.pattern(), get(public::login::form).post(public::login::submit))
        .route(Route::Logout.pattern(), post(public::login::logout))
        .route(Route::FileOnline("").pattern(), get(citizen::filing::applicant_form).post(citizen::filing::applicant_submit))
        .route(Route::Review("").pattern(), get(citizen::filing::review))
        .route(Route::Submit("").pattern(), post(citizen::filing::submit))
        .route(Route::Receipt("").pattern(), get(citizen::filing::receipt))
        .route(Route::MyDossiers.pattern(), get(citizen::dossiers::my_dossiers))
        .route(Route::Dossier("").pattern(), get(citizen::dossiers::dossier_page))
        .route(Route::Supply("").pattern(), post(citizen::dossiers::supply))
        .route(Route::Rate("").pattern(), post(citizen::dossiers::rate))
}

/// The page routes that take a file: the web shell puts its upload body limit on them.
pub fn upload_router() -> Router<AppContext> {
    Router::new()
        .route(Route::SupplementFile("").pattern(), post(citizen::dossiers::supplement_upload))
        .route(Route::Component("", "").pattern(), get(citizen::filing::component_form).post(citizen::filing::component_upload))
}
