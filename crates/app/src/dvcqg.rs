//! The outbound sync to the national portal (issue #15, REQ-26): the consumer of the
//! `dvcqg.sync` outbox rows. For each row (one event of a dossier) it replays the dossier's
//! log up to that event, builds the `DongBoHoSoMC` message (`isUpdating` false for the
//! dossier's first row, true after) and the event's `CapNhatTienDoHoSoMC` item, and sends
//! both through the one adapter (`motcua_dvcqg::Client`). Rows of a dossier are claimed one
//! at a time in event order (`repo::outbox::IN_DOSSIER_ORDER`); retries, back-off and dead
//! letters are the outbox framework's. A refusal by the portal keeps its Vietnamese reason
//! on the row. At least once: the portal's side is idempotent (a message it already holds
//! is acknowledged and not kept twice), so a row sent again after a lost answer is harmless.

use crate::outbox::{Consumer, Handled, Message};
use crate::{AppContext, AppError};
/// The outbox topic of the sync rows.
pub use motcua_dvcqg::TOPIC;
use motcua_dvcqg::mapping::plan;
use motcua_dvcqg::payload::{SERVICE_DOSSIER, SERVICE_PROGRESS};
use motcua_dvcqg::{Client, DvcqgConfig};
use motcua_store::repo;
use std::collections::BTreeMap;

pub struct Sync {
    client: Client,
}

impl Sync {
    pub fn new(cfg: &DvcqgConfig) -> Result<Self, AppError> {
        Ok(Self { client: Client::new(cfg.clone()).map_err(AppError::Internal)? })
    }
}

/// Who acted, as the portal shows it: the user's full name; the counter's kiosk and the
/// system by a description.
fn actor_name(id: &str, names: &BTreeMap<String, String>) -> String {
    names.get(id).cloned().unwrap_or_else(|| match id {
        motcua_domain::dossier::KIOSK_ACTOR => "Công dân (tại quầy)".into(),
        _ => "Hệ thống".into(),
    })
}

impl Consumer for Sync {
    fn name(&self) -> &'static str {
        "dvcqg"
    }

    fn topics(&self) -> &'static [&'static str] {
        &[TOPIC]
    }

    fn handle<'a>(&'a self, ctx: &'a AppContext, msg: &'a Message) -> Handled<'a> {
        Box::pin(async move {
            let p: serde_json::Value = serde_json::from_str(&msg.payload).map_err(|e| format!("payload: {e}"))?;
            let (Some(id), Some(seq)) = (p["dossier_id"].as_str().map(str::to_string), p["seq"].as_i64()) else {
                return Err("payload without dossier_id and seq".into());
            };
            let (events, names) = ctx
                .store
                .read(move |db| {
                    let events = repo::dossiers::events(db, &id)?;
                    let mut names = BTreeMap::new();
                    for e in events.iter().filter(|e| e.seq <= seq) {
                        if !names.contains_key(&e.actor_id)
                            && let Ok(u) = repo::users::get(db, &e.actor_id)
                        {
                            names.insert(e.actor_id.clone(), u.full_name);
                        }
                    }
                    Ok::<_, motcua_store::StoreError>((events, names))
                })
                .await
                .map_err(|e| e.to_string())?;
            let Some(planned) = plan(&events, seq, &|a| actor_name(a, &names)) else {
                return Err(format!("no synced event {seq} in the dossier's log"));
            };
            self.client.call(SERVICE_DOSSIER, &planned.dossier).await.map_err(|e| e.to_string())?;
            self.client.call(SERVICE_PROGRESS, &planned.progress).await.map_err(|e| e.to_string())?;
            Ok(())
        })
    }
}
