//! The counter: the reception screen (`/can-bo/tiep-nhan`, `reception`) with the results to
//! hand back, the receipt it prints (form 01), and the applicant-facing second screen
//! (`/man-hinh/quay/{agency_id}`, `screen`).
//!
//! The second screen mirrors what the officer enters, so the applicant can check their name,
//! the procedure and the components ticked, then the code and appointment once received.
//! `CounterHub` is a small in-memory pub/sub, one tokio broadcast channel per counter; the
//! reception page's `/assets/counter.js` posts the draft as the officer types, the reception
//! itself publishes the result, and the screen listens over server-sent events. Without
//! JavaScript the screen reloads itself every few seconds and shows the last state. Opening
//! the reception screen again (the next applicant) clears it.

pub mod reception;
pub mod screen;

use motcua_app::auth::CurrentUser;
use motcua_domain::dossier::Dossier;
use motcua_domain::user::Role;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// What the second screen shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ScreenState {
    /// `idle`, `draft` (being entered) or `received`.
    pub stage: String,
    pub procedure: String,
    pub applicant: String,
    pub components: Vec<String>,
    pub code: Option<String>,
    pub appointment: Option<String>,
}

impl ScreenState {
    /// Nobody at the counter: nothing of the previous applicant.
    pub fn idle() -> Self {
        ScreenState { stage: "idle".into(), ..Default::default() }
    }

    fn received(d: &Dossier) -> Self {
        ScreenState {
            stage: "received".into(),
            procedure: d.procedure.name.clone(),
            applicant: d.applicant.name.clone(),
            components: d.components.iter().filter(|c| c.provided).map(|c| c.name.clone()).collect(),
            code: d.code.clone(),
            appointment: d.appointment_at.map(motcua_app::error::hanoi_time),
        }
    }
}

struct Slot {
    tx: broadcast::Sender<String>,
    last: Option<ScreenState>,
}

/// One broadcast channel per counter, with the last state for screens that join late.
#[derive(Clone, Default)]
pub struct CounterHub {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
}

impl CounterHub {
    fn with_slot<T>(&self, counter: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let slot = slots.entry(counter.to_string()).or_insert_with(|| Slot { tx: broadcast::channel(32).0, last: None });
        f(slot)
    }

    pub fn publish(&self, counter: &str, state: ScreenState) {
        let json = serde_json::to_string(&state).unwrap_or_default();
        self.with_slot(counter, |s| {
            s.last = Some(state);
            // No screen listening is fine.
            let _ = s.tx.send(json);
        });
    }

    /// Clears the screen unless it is already idle (or was never used).
    pub fn clear(&self, counter: &str) {
        if self.last(counter).is_some_and(|s| s.stage != "idle") {
            self.publish(counter, ScreenState::idle());
        }
    }

    pub fn last(&self, counter: &str) -> Option<ScreenState> {
        self.with_slot(counter, |s| s.last.clone())
    }

    fn subscribe(&self, counter: &str) -> (Option<ScreenState>, broadcast::Receiver<String>) {
        self.with_slot(counter, |s| (s.last.clone(), s.tx.subscribe()))
    }
}

/// The counter the officer works at (their reception-officer membership): id and name.
pub fn counter_of(user: &CurrentUser) -> Option<(String, String)> {
    user.memberships.iter().find(|m| m.role == Role::ReceptionOfficer).map(|m| (m.agency_id.clone(), m.agency_name.clone()))
}

fn serves_counter(user: &CurrentUser, agency_id: &str) -> bool {
    user.memberships.iter().any(|m| m.role == Role::ReceptionOfficer && m.agency_id == agency_id)
}
