//! The dossier (hồ sơ) as data: an append-only log of events and the state they fold into.
//!
//! `decide` checks a command against the state (status, the actor's role at the acting
//! agency, the inputs) and returns the one event it produces, with every derived fact
//! (deadlines, timeliness) computed into it; `apply` folds an event into the state and
//! never fails or consults anything else, so replaying the log rebuilds the projection
//! exactly (DESIGN.md §4).

pub mod code;
pub mod competent;
pub mod forms;
pub mod postal;
pub mod status;
pub mod workflow;

mod apply;
mod command;
mod decide;
mod event;
mod guard;
mod state;

pub use apply::*;
pub use code::DossierCode;
pub use command::*;
pub use competent::{Competence, commune_named_in, competence, competent_required};
pub use decide::*;
pub use event::*;
pub use guard::*;
pub use postal::{AdminUnit, PostalAddress, PostalChoice, Province, Shipment, ShipmentStatus};
pub use state::*;
pub use status::Status;
pub use workflow::{StepAgency, StepKind, StepSpec, Workflow};

#[cfg(test)]
mod tests;
