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
mod citizen_feedback;
mod citizen_pages;
mod cli;
mod counter_pages;
mod dossiers;
mod e2e_citizen;
mod e2e_harness;
mod login_page;
mod officer_browser;
mod officer_pages;
mod ops;
mod pages_escaping;
mod pages_golden;
mod store;
mod users;
