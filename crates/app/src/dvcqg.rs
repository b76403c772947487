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

/// What one pull of the portal's new online dossiers did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRound {
    /// Distinct dossiers the portal listed.
    pub listed: usize,
    pub created: usize,
    /// Already taken in (a repeat delivery): acknowledged again, nothing created.
    pub existing: usize,
    /// Refused this time (in the error list, tried again on the next pull).
    pub failed: usize,
    /// Skipped: held until an administrator retries them.
    pub held: usize,
    /// Calls to the portal that did not go through (tried again on the next pull).
    pub unreachable: usize,
}

/// The inbound half (REQ-8): pulls the province's new online dossiers from the portal,
/// takes each in through the one use case (`usecases::dossiers::take_in`) and acknowledges
/// it to the portal only once its dossier is committed. One dossier's failure never stops
/// the others; an unacknowledged dossier is listed again on the next pull.
pub struct Pull {
    client: Client,
}

impl Pull {
    pub fn new(cfg: &DvcqgConfig) -> Result<Self, AppError> {
        Ok(Self { client: Client::new(cfg.clone()).map_err(AppError::Internal)? })
    }

    pub async fn run_once(&self, ctx: &AppContext) -> Result<PullRound, String> {
        use crate::usecases::dossiers::{self as uc, Source};
        use motcua_dvcqg::inbound::{LIST_MAX, SERVICE_ACK, SERVICE_GET, SERVICE_LIST};
        let list = self.client.call(SERVICE_LIST, &serde_json::json!({"SoLuong": LIST_MAX})).await.map_err(|e| e.to_string())?;
        let mut ids: Vec<String> = Vec::new();
        for id in list.as_array().into_iter().flatten().filter_map(|x| x["MaHoSo"].as_str()) {
            // The same dossier listed twice (a bus delivering it again) is taken once.
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        let mut round = PullRound { listed: ids.len(), ..Default::default() };
        for id in ids {
            if uc::held(ctx, &id).await.map_err(|e| e.to_string())? {
                round.held += 1;
                continue;
            }
            let raw = match self.client.call(SERVICE_GET, &serde_json::json!({"MaHoSo": id})).await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(portal_id = %id, error = %e, "could not fetch an online dossier from the portal");
                    round.unreachable += 1;
                    continue;
                }
            };
            // Kept under the id it was listed by (an answer that does not name it is malformed).
            let mut raw = raw;
            if raw.is_object() && raw["MaHoSo"].is_null() {
                raw["MaHoSo"] = serde_json::json!(id);
            }
            match uc::take_in(ctx, &raw, Source::Pull).await {
                Ok(t) => {
                    match t {
                        uc::Taken::Created(_) => round.created += 1,
                        uc::Taken::Existing(_) => round.existing += 1,
                    }
                    // Acknowledged only now that the dossier is committed; a lost answer
                    // means the portal lists it again and the repeat finds the dossier.
                    match self.client.call(SERVICE_ACK, &serde_json::json!({"MaHoSo": id})).await {
                        Ok(_) => uc::acknowledged(ctx, &id).await.map_err(|e| e.to_string())?,
                        Err(e) => {
                            tracing::warn!(portal_id = %id, error = %e, "could not acknowledge an online dossier");
                            round.unreachable += 1;
                        }
                    }
                }
                Err(f) if f.http >= 500 => round.unreachable += 1,
                Err(_) => round.failed += 1,
            }
        }
        Ok(round)
    }
}

/// Pulls every `[dvcqg] pull_secs` until `stop` (started by `deadlines::start` when the
/// portal is enabled and `pull_secs` > 0).
pub fn start_pull(ctx: &AppContext, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<(), AppError> {
    let cfg = &ctx.config.dvcqg;
    if !cfg.enabled || cfg.pull_secs == 0 {
        return Ok(());
    }
    let pull = Pull::new(cfg)?;
    let pause = std::time::Duration::from_secs(cfg.pull_secs);
    let ctx = ctx.clone();
    tokio::spawn(async move {
        loop {
            match pull.run_once(&ctx).await {
                Ok(r) if r != PullRound::default() => tracing::info!(?r, "online dossiers pulled from the portal"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pulling online dossiers from the portal failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stop.changed() => return,
            }
        }
    });
    Ok(())
}
