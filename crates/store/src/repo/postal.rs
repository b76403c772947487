//! Results returned by post (issue #17): the shipments projected from the dossier log
//! (`posted`, `post_delivered`, `post_undelivered`) and the carrier reports taken.

use crate::{Db, StoreError, params};

/// One shipment as the carrier's reports look it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub dossier_id: String,
    pub seq: i64,
    pub carrier: String,
    pub tracking_number: String,
    pub status: String,
    pub fee: i64,
    pub receiving_path: String,
    pub posted_at: i64,
    pub updated_at: i64,
    pub reason: Option<String>,
}

const COLUMNS: &str = "dossier_id, seq, carrier, tracking_number, status, fee, receiving_path, posted_at, updated_at, reason";

fn row(r: &crate::Row) -> Result<ShipmentRow, StoreError> {
    Ok(ShipmentRow {
        dossier_id: r.text(0)?,
        seq: r.i64(1)?,
        carrier: r.text(2)?,
        tracking_number: r.text(3)?,
        status: r.text(4)?,
        fee: r.i64(5)?,
        receiving_path: r.text(6)?,
        posted_at: r.i64(7)?,
        updated_at: r.i64(8)?,
        reason: r.opt_text(9)?,
    })
}

/// The constraint a tracking number already used by the carrier violates.
pub const TRACKING_TAKEN: &str = "uq_postal_shipments_tracking";

/// A hand-over to the post (`Unique` on [`TRACKING_TAKEN`] when the carrier's number is taken).
pub fn insert(db: &mut Db, s: &ShipmentRow) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO postal_shipments ({COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"),
        &params![
            &s.dossier_id,
            s.seq,
            &s.carrier,
            &s.tracking_number,
            &s.status,
            s.fee,
            &s.receiving_path,
            s.posted_at,
            s.updated_at,
            s.reason.clone()
        ],
    )?;
    Ok(())
}

/// The end of the dossier's shipment in transit (delivered or back undelivered).
pub fn finish(
    db: &mut Db,
    dossier_id: &str,
    tracking_number: &str,
    status: &str,
    reason: Option<&str>,
    at: i64,
) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE postal_shipments SET status = $1, reason = $2, updated_at = $3 \
         WHERE dossier_id = $4 AND tracking_number = $5 AND status = 'in_transit'",
        &params![status, reason.map(str::to_string), at, dossier_id, tracking_number],
    )
}

/// The shipment a carrier's tracking number names.
pub fn by_tracking(db: &mut Db, carrier: &str, tracking_number: &str) -> Result<Option<ShipmentRow>, StoreError> {
    db.query_opt(
        &format!("SELECT {COLUMNS} FROM postal_shipments WHERE carrier = $1 AND tracking_number = $2"),
        &params![carrier, tracking_number],
    )?
    .as_ref()
    .map(row)
    .transpose()
}

/// A dossier's shipments, in order.
pub fn of_dossier(db: &mut Db, dossier_id: &str) -> Result<Vec<ShipmentRow>, StoreError> {
    db.query(&format!("SELECT {COLUMNS} FROM postal_shipments WHERE dossier_id = $1 ORDER BY seq"), &params![dossier_id])?
        .iter()
        .map(row)
        .collect()
}

/// Has the carrier's event been taken already?
pub fn seen(db: &mut Db, carrier: &str, event_id: &str) -> Result<bool, StoreError> {
    Ok(db
        .query_opt("SELECT 1 FROM postal_carrier_events WHERE carrier = $1 AND event_id = $2", &params![carrier, event_id])?
        .is_some())
}

/// Takes a carrier's event (`Unique` when a concurrent delivery of it won).
pub fn record_event(
    db: &mut Db,
    carrier: &str,
    event_id: &str,
    tracking_number: &str,
    status: &str,
    dossier_id: &str,
    at: i64,
) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO postal_carrier_events (carrier, event_id, tracking_number, status, dossier_id, received_at) \
         VALUES ($1,$2,$3,$4,$5,$6)",
        &params![carrier, event_id, tracking_number, status, dossier_id, at],
    )?;
    Ok(())
}

/// How many carrier events were taken for a dossier.
pub fn events_of_dossier(db: &mut Db, dossier_id: &str) -> Result<i64, StoreError> {
    db.query_one("SELECT COUNT(*) FROM postal_carrier_events WHERE dossier_id = $1", &params![dossier_id])?.i64(0)
}
