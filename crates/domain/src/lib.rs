//! Pure rules of motcua. No I/O, no async, no SQL, no HTTP: everything that decides
//! lives here and is tested with unit and property tests.

pub mod agency;
pub mod attachment;
pub mod audit;
pub mod authz;
pub mod calendar;
pub mod catalog;
pub mod catalog_sync;
pub mod dossier;
pub mod error;
pub mod index766;
pub mod locker;
pub mod lunar;
pub mod notice;
pub mod petition;
pub mod queue;
pub mod retention;
pub mod target;
pub mod text;
pub mod user;
