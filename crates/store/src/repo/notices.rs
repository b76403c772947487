//! Applicant notices (issue #17): the citizens' choices and the delivery log of every
//! notice, per channel and recipient (recipient masked).

use crate::{Db, StoreError, params};
use motcua_domain::notice::{Language, Preferences};

/// A citizen's choices; `None` when they never chose (the defaults apply).
pub fn preferences(db: &mut Db, user_id: &str) -> Result<Option<Preferences>, StoreError> {
    let rows = db.query(
        "SELECT email, sms, zalo, language, optional_notices FROM notification_preferences WHERE user_id = $1",
        &params![user_id],
    )?;
    let Some(r) = rows.first() else { return Ok(None) };
    Ok(Some(Preferences {
        email: r.i64(0)? != 0,
        sms: r.i64(1)? != 0,
        zalo: r.i64(2)? != 0,
        language: Language::parse(&r.text(3)?).unwrap_or_default(),
        optional_notices: r.i64(4)? != 0,
    }))
}

pub fn set_preferences(db: &mut Db, user_id: &str, p: &Preferences, now: i64) -> Result<(), StoreError> {
    let f = |b: bool| i64::from(b);
    db.execute(
        "INSERT INTO notification_preferences (user_id, email, sms, zalo, language, optional_notices, updated_at) \
         VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, sms = excluded.sms, \
         zalo = excluded.zalo, language = excluded.language, optional_notices = excluded.optional_notices, \
         updated_at = excluded.updated_at",
        &params![user_id, f(p.email), f(p.sms), f(p.zalo), p.language.as_str(), f(p.optional_notices), now],
    )?;
    Ok(())
}

/// A delivery about to be logged.
#[derive(Debug, Clone)]
pub struct NewDelivery<'a> {
    /// The outbox row of the notice (or reminder) it comes from.
    pub source_id: &'a str,
    pub dossier_id: Option<&'a str>,
    pub event_seq: Option<i64>,
    pub notice: &'a str,
    pub channel: &'a str,
    /// `applicant` or the officer's user id: with the source and channel, the unique key.
    pub recipient_ref: &'a str,
    /// Masked.
    pub recipient: &'a str,
    /// `queued`, `deferred` (held to the sending window) or `opted_out`.
    pub status: &'a str,
}

/// Logs a delivery; `None` when this source, channel and recipient were logged already
/// (the source row handled twice), so the caller queues nothing twice.
pub fn log(db: &mut Db, d: &NewDelivery<'_>, now: i64) -> Result<Option<String>, StoreError> {
    let id = super::new_id();
    let n = db.execute(
        "INSERT INTO notification_deliveries (id, source_id, dossier_id, event_seq, notice, channel, recipient_ref, recipient, \
         status, attempts, error, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,0,NULL,$10,$11) \
         ON CONFLICT (source_id, channel, recipient_ref) DO NOTHING",
        &params![
            &id,
            d.source_id,
            d.dossier_id,
            d.event_seq,
            d.notice,
            d.channel,
            d.recipient_ref,
            d.recipient,
            d.status,
            now,
            now
        ],
    )?;
    Ok((n == 1).then_some(id))
}

/// The status of a logged delivery.
pub fn status(db: &mut Db, id: &str) -> Result<Option<String>, StoreError> {
    db.query("SELECT status FROM notification_deliveries WHERE id = $1", &params![id])?.first().map(|r| r.text(0)).transpose()
}

/// One attempt's outcome: `sent`, `failed` (permanently, e.g. a bounce) or `retrying`.
pub fn attempted(db: &mut Db, id: &str, status: &str, error: Option<&str>, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE notification_deliveries SET status = $1, error = $2, attempts = attempts + 1, updated_at = $3 WHERE id = $4",
        &params![status, error, now, id],
    )?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Delivery {
    pub id: String,
    pub event_seq: Option<i64>,
    pub notice: String,
    pub channel: String,
    /// Masked (`c***@example.vn`, `09******78`).
    pub recipient: String,
    /// `queued`, `deferred`, `sent`, `retrying`, `failed`, `opted_out`.
    pub status: String,
    pub attempts: i64,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The deliveries of a dossier's notices, oldest first, at most `limit`.
pub fn for_dossier(db: &mut Db, dossier_id: &str, limit: usize) -> Result<Vec<Delivery>, StoreError> {
    db.query(
        "SELECT id, event_seq, notice, channel, recipient, status, attempts, error, created_at, updated_at \
         FROM notification_deliveries WHERE dossier_id = $1 ORDER BY created_at, id LIMIT $2",
        &params![dossier_id, i64::try_from(limit).unwrap_or(i64::MAX)],
    )?
    .iter()
    .map(|r| {
        Ok(Delivery {
            id: r.text(0)?,
            event_seq: r.opt_i64(1)?,
            notice: r.text(2)?,
            channel: r.text(3)?,
            recipient: r.text(4)?,
            status: r.text(5)?,
            attempts: r.i64(6)?,
            error: r.opt_text(7)?,
            created_at: r.i64(8)?,
            updated_at: r.i64(9)?,
        })
    })
    .collect()
}

/// Marks the queued deliveries of a source as failed ("cancelled"): their messages send
/// nothing (the queue's appointment reminder after a cancellation).
pub fn cancel_queued(db: &mut Db, source_id: &str, notice: &str, now: i64) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE notification_deliveries SET status = 'failed', error = 'cancelled', updated_at = $1 \
         WHERE source_id = $2 AND notice = $3 AND status = 'queued'",
        &params![now, source_id, notice],
    )
}
