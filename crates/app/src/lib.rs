//! Use cases: each loads what it needs, asks the domain, and writes through the store in
//! one transaction together with its audit event.

pub mod access;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod client_addr;
pub mod config;
pub mod context;
pub mod deadlines;
pub mod dvcqg;
pub mod error;
pub mod keys;
pub mod limits;
pub mod notify;
pub mod obs;
pub mod oidc;
pub mod outbox;
pub mod relay;
pub mod seed;
pub mod upload;
pub mod usecases;

pub use config::Config;
pub use context::AppContext;
pub use error::AppError;

/// Milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
