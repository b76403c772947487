//! Messages between the processes serving one database (issue #14): PostgreSQL
//! `NOTIFY`/`LISTEN`. With SQLite there is one process and nothing to relay. Used by what
//! lives in process memory and must be seen by every process (the counter's second screen).

use crate::{AppContext, AppError};

/// Sends `payload` (under 8000 bytes) to every process listening on `channel`.
pub async fn notify(ctx: &AppContext, channel: &'static str, payload: String) -> Result<(), AppError> {
    Ok(ctx.store.notify(channel, payload).await?)
}

/// Calls `on` with what other processes send on `channel` (and with `None` about every
/// second) on a thread of its own, until `on` returns false. False when there is nothing to
/// listen to (SQLite).
pub fn listen(ctx: &AppContext, channel: &'static str, on: impl FnMut(Option<&str>) -> bool + Send + 'static) -> bool {
    ctx.store.listen(channel, on)
}

/// A fresh unique id (to tell one's own messages from the others').
pub fn origin_id() -> String {
    motcua_store::repo::new_id()
}
