//! Pages anyone can open: home, the catalog, public tracking, document verification, login.

pub mod calendar;
pub mod catalog;
pub mod forms;
pub mod home;
pub mod login;
pub mod oidc;
pub mod open_data;
pub mod petitions;
pub mod rating;
pub mod tracking;
pub mod verify;
