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
//!
//! Several processes over one PostgreSQL database (issue #14): the screen may be served by
//! one process and the reception by another, so a hub built with `CounterHub::shared` also
//! sends each state with `NOTIFY` and feeds the states other processes send into its own
//! channels (`LISTEN`, on a connection of its own). A state is small (clipped fields); one
//! too large for a notification (8000 bytes) stays in its own process, logged.

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
    /// `idle`, `draft` (being entered), `received`, `rating` (a result handed back: the
    /// applicant rates on the screen) or `thanks` (rated).
    pub stage: String,
    pub procedure: String,
    pub applicant: String,
    pub components: Vec<String>,
    pub code: Option<String>,
    pub appointment: Option<String>,
    /// At the `rating` stage: the dossier's one-time rating code, the screen's proof when
    /// the applicant submits (not the officer's session; `screen::rate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_code: Option<String>,
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
            rating_code: None,
        }
    }

    /// A paper dossier's result handed back at the counter: the screen asks its applicant to
    /// rate (issue #18), with the dossier's one-time rating code.
    pub fn rating(d: &Dossier) -> Option<Self> {
        let at_counter = d.returned.as_ref().is_some_and(|r| r.method == motcua_domain::dossier::ReturnMethod::Counter);
        let code = d.rating_code.clone().filter(|_| d.rating.is_none() && at_counter)?;
        Some(ScreenState {
            stage: "rating".into(),
            procedure: d.procedure.name.clone(),
            code: d.code.clone(),
            rating_code: Some(code),
            ..Default::default()
        })
    }
}

struct Slot {
    tx: broadcast::Sender<String>,
    last: Option<ScreenState>,
}

type Slots = Arc<Mutex<HashMap<String, Slot>>>;

/// The PostgreSQL notification channel of counter states.
const CHANNEL: &str = "motcua_counter_screen";

/// A state as it travels between processes.
#[derive(Serialize, Deserialize)]
struct Relayed {
    /// The sending hub (a hub ignores its own states coming back).
    origin: String,
    counter: String,
    state: ScreenState,
}

#[derive(Clone)]
struct Relay {
    ctx: motcua_app::AppContext,
    origin: String,
}

/// One broadcast channel per counter, with the last state for screens that join late.
#[derive(Clone, Default)]
pub struct CounterHub {
    slots: Slots,
    relay: Option<Relay>,
}

fn with_slot<T>(slots: &Slots, counter: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
    let mut slots = slots.lock().unwrap_or_else(|e| e.into_inner());
    let slot = slots.entry(counter.to_string()).or_insert_with(|| Slot { tx: broadcast::channel(32).0, last: None });
    f(slot)
}

fn publish_local(slots: &Slots, counter: &str, state: ScreenState) {
    let json = serde_json::to_string(&state).unwrap_or_default();
    with_slot(slots, counter, |s| {
        s.last = Some(state);
        // No screen listening is fine.
        let _ = s.tx.send(json);
    });
}

impl CounterHub {
    /// A hub that also relays states to and from the other processes over the same
    /// PostgreSQL database; on SQLite (one process) the same as `default`. The listener
    /// stops once the hub and its clones are gone.
    pub fn shared(ctx: &motcua_app::AppContext) -> Self {
        let mut hub = Self::default();
        let origin = motcua_app::relay::origin_id();
        let weak = Arc::downgrade(&hub.slots);
        let me = origin.clone();
        let listening = motcua_app::relay::listen(ctx, CHANNEL, move |payload| {
            let Some(slots) = weak.upgrade() else { return false };
            if let Some(m) = payload.and_then(|p| serde_json::from_str::<Relayed>(p).ok())
                && m.origin != me
            {
                publish_local(&slots, &m.counter, m.state);
            }
            true
        });
        if listening {
            hub.relay = Some(Relay { ctx: ctx.clone(), origin });
        }
        hub
    }

    fn with_slot<T>(&self, counter: &str, f: impl FnOnce(&mut Slot) -> T) -> T {
        with_slot(&self.slots, counter, f)
    }

    pub fn publish(&self, counter: &str, state: ScreenState) {
        if let Some(r) = &self.relay {
            let m = Relayed { origin: r.origin.clone(), counter: counter.to_string(), state: state.clone() };
            let payload = serde_json::to_string(&m).unwrap_or_default();
            if payload.len() < 7900 {
                let ctx = r.ctx.clone();
                tokio::spawn(async move {
                    if let Err(e) = motcua_app::relay::notify(&ctx, CHANNEL, payload).await {
                        tracing::warn!(error = %e, "counter state not sent to the other processes");
                    }
                });
            } else {
                tracing::warn!(counter, bytes = payload.len(), "counter state too large for the other processes");
            }
        }
        publish_local(&self.slots, counter, state);
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
