//! The integration suite: one binary, every scenario on SQLite and on PostgreSQL.

mod admin_pages;
mod agencies;
mod audit;
mod auth;
mod bad_input;
mod browser;
mod calendar;
mod catalog;
mod catalog_admin;
mod citizen_pages;
mod cli;
mod connections;
mod counter_pages;
mod deadline_rules;
mod dossiers;
mod e2e_citizen;
mod e2e_harness;
mod edge_input;
mod lifecycle_rules;
mod login_page;
mod officer_browser;
mod officer_pages;
mod openapi_fuzz;
mod ops;
mod store;
mod users;
