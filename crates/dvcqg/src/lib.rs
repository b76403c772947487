//! The national public-service portal (DVCQG, dichvucong.gov.vn; spec §0.2, REQ-26): the
//! messages motcua sends it (`payload`), how a dossier becomes those messages (`mapping`),
//! the one adapter that sends them (`client`), and a simulator of the portal's services for
//! tests and demonstrations (`sim`, with its checks in `validate`). See docs/integration.md.

pub mod catalog;
pub mod client;
pub mod inbound;
pub mod mapping;
pub mod payload;
pub mod sim;
pub mod validate;

pub use client::{Client, DvcqgConfig, SendError};

/// The outbox topic of the sync rows (queued by the dossier use cases).
pub const TOPIC: &str = "dvcqg.sync";

#[cfg(test)]
mod tests;
