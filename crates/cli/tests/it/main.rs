//! The integration suite: one binary, every scenario on SQLite and on PostgreSQL.

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
mod dossiers;
mod e2e_citizen;
mod e2e_harness;
mod login_page;
mod ops;
mod store;
mod users;
