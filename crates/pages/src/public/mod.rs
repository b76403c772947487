//! Pages anyone can open: home, public tracking, login.

pub mod home;
pub mod login;
pub mod tracking;
