//! Pages anyone can open: home, the catalog, public tracking, login.

pub mod catalog;
pub mod home;
pub mod login;
pub mod tracking;
