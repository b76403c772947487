//! The counter hall's queue (issue #18, `0030_queue`): service groups, counters, tickets,
//! their dossiers, appointments. Every change of a ticket's status is one conditional
//! `UPDATE … WHERE status IN (…)`: of two concurrent callers, one changes the row and the
//! other changes nothing (and is told so), on both backends.

use crate::{Db, SqlBuilder, StoreError, params};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    pub id: String,
    pub agency_id: String,
    pub prefix: String,
    pub name: String,
    pub procedures: String,
    pub sectors: String,
    pub days: String,
    pub sessions: String,
    pub slot_minutes: i64,
    pub slot_capacity: i64,
    pub is_open: bool,
    pub updated_at: i64,
}

const GROUP_COLS: &str =
    "id, agency_id, prefix, name, procedures, sectors, days, sessions, slot_minutes, slot_capacity, is_open, updated_at";

fn group(r: &crate::Row) -> Result<GroupRow, StoreError> {
    Ok(GroupRow {
        id: r.text(0)?,
        agency_id: r.text(1)?,
        prefix: r.text(2)?,
        name: r.text(3)?,
        procedures: r.text(4)?,
        sectors: r.text(5)?,
        days: r.text(6)?,
        sessions: r.text(7)?,
        slot_minutes: r.i64(8)?,
        slot_capacity: r.i64(9)?,
        is_open: r.bool(10)?,
        updated_at: r.i64(11)?,
    })
}

/// The constraint a centre's prefix used twice violates.
pub const PREFIX_TAKEN: &str = "uq_queue_groups_prefix";
/// The constraint a centre's counter number used twice violates.
pub const COUNTER_TAKEN: &str = "uq_queue_counters_number";

/// Inserts or replaces a group (by id).
pub fn upsert_group(db: &mut Db, g: &GroupRow) -> Result<(), StoreError> {
    db.execute(
        &format!(
            "INSERT INTO queue_groups ({GROUP_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) \
             ON CONFLICT (id) DO UPDATE SET prefix = $3, name = $4, procedures = $5, sectors = $6, days = $7, \
             sessions = $8, slot_minutes = $9, slot_capacity = $10, is_open = $11, updated_at = $12"
        ),
        &params![
            &g.id,
            &g.agency_id,
            &g.prefix,
            &g.name,
            &g.procedures,
            &g.sectors,
            &g.days,
            &g.sessions,
            g.slot_minutes,
            g.slot_capacity,
            g.is_open,
            g.updated_at
        ],
    )?;
    Ok(())
}

/// A centre's groups, by prefix (a centre has a handful).
pub fn groups(db: &mut Db, agency_id: &str) -> Result<Vec<GroupRow>, StoreError> {
    db.query(
        &format!("SELECT {GROUP_COLS} FROM queue_groups WHERE agency_id = $1 ORDER BY prefix LIMIT 100"),
        &params![agency_id],
    )?
    .iter()
    .map(group)
    .collect()
}

pub fn group_by_id(db: &mut Db, id: &str) -> Result<Option<GroupRow>, StoreError> {
    db.query_opt(&format!("SELECT {GROUP_COLS} FROM queue_groups WHERE id = $1"), &params![id])?.as_ref().map(group).transpose()
}

/// The centres that have groups (the kiosk's list), at most 500.
pub fn centres(db: &mut Db) -> Result<Vec<String>, StoreError> {
    db.query("SELECT DISTINCT agency_id FROM queue_groups ORDER BY agency_id LIMIT 500", &[])?.iter().map(|r| r.text(0)).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterRow {
    pub id: String,
    pub agency_id: String,
    pub number: String,
    pub name: String,
    /// Comma-separated group ids.
    pub group_ids: String,
    pub is_open: bool,
    pub updated_at: i64,
}

impl CounterRow {
    pub fn serves(&self, group_id: &str) -> bool {
        self.group_ids.split(',').any(|g| g == group_id)
    }
    pub fn group_list(&self) -> Vec<String> {
        self.group_ids.split(',').filter(|g| !g.is_empty()).map(str::to_string).collect()
    }
}

const COUNTER_COLS: &str = "id, agency_id, number, name, group_ids, is_open, updated_at";

fn counter(r: &crate::Row) -> Result<CounterRow, StoreError> {
    Ok(CounterRow {
        id: r.text(0)?,
        agency_id: r.text(1)?,
        number: r.text(2)?,
        name: r.text(3)?,
        group_ids: r.text(4)?,
        is_open: r.bool(5)?,
        updated_at: r.i64(6)?,
    })
}

pub fn upsert_counter(db: &mut Db, c: &CounterRow) -> Result<(), StoreError> {
    db.execute(
        &format!(
            "INSERT INTO queue_counters ({COUNTER_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7) \
             ON CONFLICT (id) DO UPDATE SET number = $3, name = $4, group_ids = $5, is_open = $6, updated_at = $7"
        ),
        &params![&c.id, &c.agency_id, &c.number, &c.name, &c.group_ids, c.is_open, c.updated_at],
    )?;
    Ok(())
}

pub fn counters(db: &mut Db, agency_id: &str) -> Result<Vec<CounterRow>, StoreError> {
    db.query(
        &format!("SELECT {COUNTER_COLS} FROM queue_counters WHERE agency_id = $1 ORDER BY number LIMIT 100"),
        &params![agency_id],
    )?
    .iter()
    .map(counter)
    .collect()
}

pub fn counter_by_id(db: &mut Db, id: &str) -> Result<Option<CounterRow>, StoreError> {
    db.query_opt(&format!("SELECT {COUNTER_COLS} FROM queue_counters WHERE id = $1"), &params![id])?
        .as_ref()
        .map(counter)
        .transpose()
}

/// The next number of a group on a local day (`YYYY-MM-DD`): one atomic upsert, so
/// concurrent issues never get the same number.
pub fn next_number(db: &mut Db, group_id: &str, day: &str) -> Result<i64, StoreError> {
    db.query_one(
        "INSERT INTO queue_numbers (group_id, day, last) VALUES ($1, $2, 1) \
         ON CONFLICT (group_id, day) DO UPDATE SET last = queue_numbers.last + 1 RETURNING last",
        &params![group_id, day],
    )?
    .i64(0)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRow {
    pub id: String,
    pub agency_id: String,
    pub group_id: String,
    pub day: String,
    pub seq: i64,
    pub number: String,
    pub counter: Option<String>,
    pub officer_id: Option<String>,
    pub status: String,
    pub issued_at: i64,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub calls: i64,
    pub appointment_id: Option<String>,
    pub slot_start: Option<i64>,
    pub token: String,
}

const TICKET_COLS: &str = "id, agency_id, group_id, day, seq, number, counter, officer_id, status, issued_at, called_at, \
     started_at, finished_at, calls, appointment_id, slot_start, token";

fn ticket(r: &crate::Row) -> Result<TicketRow, StoreError> {
    Ok(TicketRow {
        id: r.text(0)?,
        agency_id: r.text(1)?,
        group_id: r.text(2)?,
        day: r.text(3)?,
        seq: r.i64(4)?,
        number: r.text(5)?,
        counter: r.opt_text(6)?,
        officer_id: r.opt_text(7)?,
        status: r.text(8)?,
        issued_at: r.i64(9)?,
        called_at: r.opt_i64(10)?,
        started_at: r.opt_i64(11)?,
        finished_at: r.opt_i64(12)?,
        calls: r.i64(13)?,
        appointment_id: r.opt_text(14)?,
        slot_start: r.opt_i64(15)?,
        token: r.text(16)?,
    })
}

pub fn insert_ticket(db: &mut Db, t: &TicketRow) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO queue_tickets ({TICKET_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)"),
        &params![
            &t.id,
            &t.agency_id,
            &t.group_id,
            &t.day,
            t.seq,
            &t.number,
            t.counter.clone(),
            t.officer_id.clone(),
            &t.status,
            t.issued_at,
            t.called_at,
            t.started_at,
            t.finished_at,
            t.calls,
            t.appointment_id.clone(),
            t.slot_start,
            &t.token
        ],
    )?;
    Ok(())
}

pub fn ticket_by_id(db: &mut Db, id: &str) -> Result<Option<TicketRow>, StoreError> {
    db.query_opt(&format!("SELECT {TICKET_COLS} FROM queue_tickets WHERE id = $1"), &params![id])?
        .as_ref()
        .map(ticket)
        .transpose()
}

/// Most tickets in line read for one call (a centre's day is a few thousand tickets).
pub const LINE_LIMIT: usize = 2_000;

/// The tickets in line at a centre that a counter may call: of its groups, not sent to
/// another counter. Earliest first.
pub fn line(db: &mut Db, agency_id: &str, group_ids: &[String], counter_id: &str) -> Result<Vec<TicketRow>, StoreError> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = SqlBuilder::new(&format!("SELECT {TICKET_COLS} FROM queue_tickets WHERE agency_id = "));
    let a = q.bind(agency_id);
    q.push(&a).push(" AND status IN ('waiting', 'transferred') AND ((counter IS NULL AND group_id IN ");
    q.push_in(group_ids);
    let c = q.bind(counter_id);
    q.push(") OR counter = ").push(&c).push(") ORDER BY issued_at, seq");
    let l = q.bind(LINE_LIMIT as i64);
    q.push(" LIMIT ").push(&l);
    db.query(&q.sql, &q.params)?.iter().map(ticket).collect()
}

/// Locks the counter's row until the transaction ends (PostgreSQL; SQLite has one writer).
pub fn lock_counter(db: &mut Db, id: &str) -> Result<(), StoreError> {
    db.execute("UPDATE queue_counters SET updated_at = updated_at WHERE id = $1", &params![id])?;
    Ok(())
}

/// Tickets called to or being served at a counter.
pub fn busy(db: &mut Db, counter_id: &str) -> Result<i64, StoreError> {
    db.query_one(
        "SELECT COUNT(*) FROM queue_tickets WHERE counter = $1 AND status IN ('called', 'serving')",
        &params![counter_id],
    )?
    .i64(0)
}

/// Calls a ticket in line to a counter: changes nothing (0) when someone else called it first.
pub fn call(db: &mut Db, id: &str, counter_id: &str, officer_id: &str, now: i64) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE queue_tickets SET status = 'called', counter = $2, officer_id = $3, called_at = $4, calls = calls + 1 \
         WHERE id = $1 AND status IN ('waiting', 'transferred')",
        &params![id, counter_id, officer_id, now],
    )
}

/// Moves a ticket from one of `from` to `to`, stamping the column of the move (if any).
/// 0 = the ticket was not in one of `from` (any more).
pub fn set_status(db: &mut Db, id: &str, from: &[&str], to: &str, stamp: Option<&str>, now: i64) -> Result<u64, StoreError> {
    let mut q = SqlBuilder::new("UPDATE queue_tickets SET status = ");
    let t = q.bind(to);
    q.push(&t);
    if let Some(col) = stamp {
        // `col` is one of the fixed column names below, never input.
        debug_assert!(["called_at", "started_at", "finished_at"].contains(&col));
        let n = q.bind(now);
        q.push(&format!(", {col} = {n}"));
        if col == "called_at" {
            q.push(", calls = calls + 1");
        }
    }
    let i = q.bind(id);
    q.push(" WHERE id = ").push(&i).push(" AND status IN ");
    q.push_in(from);
    db.execute(&q.sql, &q.params)
}

/// Sends a called or served ticket to another group (counter none) or counter: it waits
/// there as `transferred`, keeping its number and issue time.
pub fn transfer(db: &mut Db, id: &str, group_id: &str, counter_id: Option<&str>) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE queue_tickets SET status = 'transferred', group_id = $2, counter = $3, officer_id = NULL \
         WHERE id = $1 AND status IN ('called', 'serving')",
        &params![id, group_id, counter_id.map(str::to_string)],
    )
}

/// The officer's ticket at hand (called or being served), latest first.
pub fn current_of(db: &mut Db, officer_id: &str) -> Result<Option<TicketRow>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {TICKET_COLS} FROM queue_tickets WHERE officer_id = $1 AND status IN ('called', 'serving') \
             ORDER BY called_at DESC LIMIT 1"
        ),
        &params![officer_id],
    )?
    .as_ref()
    .map(ticket)
    .transpose()
}

/// The ticket the officer is serving (the reception's link).
pub fn serving_of(db: &mut Db, officer_id: &str) -> Result<Option<TicketRow>, StoreError> {
    db.query_opt(
        &format!(
            "SELECT {TICKET_COLS} FROM queue_tickets WHERE officer_id = $1 AND status = 'serving' \
             ORDER BY started_at DESC LIMIT 1"
        ),
        &params![officer_id],
    )?
    .as_ref()
    .map(ticket)
    .transpose()
}

/// How many tickets in line of the group were issued before this one (people ahead).
pub fn ahead(db: &mut Db, group_id: &str, day: &str, issued_at: i64, seq: i64) -> Result<i64, StoreError> {
    db.query_one(
        "SELECT COUNT(*) FROM queue_tickets WHERE group_id = $1 AND day = $2 AND status IN ('waiting', 'transferred') \
         AND (issued_at < $3 OR (issued_at = $3 AND seq < $4))",
        &params![group_id, day, issued_at, seq],
    )?
    .i64(0)
}

/// One line of the hall board: a number and the counter it is called to. Nothing else
/// (the board is public).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BoardLine {
    pub number: String,
    pub counter: String,
    pub status: String,
    pub called_at: i64,
    pub calls: i64,
}

/// The centre's tickets called or being served today, last called first (at most `limit`).
pub fn board(db: &mut Db, agency_id: &str, day: &str, limit: usize) -> Result<Vec<BoardLine>, StoreError> {
    db.query(
        "SELECT t.number, c.number, t.status, t.called_at, t.calls FROM queue_tickets t \
         JOIN queue_counters c ON c.id = t.counter \
         WHERE t.agency_id = $1 AND t.day = $2 AND t.status IN ('called', 'serving') \
         ORDER BY t.called_at DESC LIMIT $3",
        &params![agency_id, day, limit as i64],
    )?
    .iter()
    .map(|r| {
        Ok(BoardLine { number: r.text(0)?, counter: r.text(1)?, status: r.text(2)?, called_at: r.i64(3)?, calls: r.i64(4)? })
    })
    .collect()
}

/// Waiting count per group today (the kiosk and board show it).
pub fn waiting_counts(db: &mut Db, agency_id: &str, day: &str) -> Result<Vec<(String, i64)>, StoreError> {
    db.query(
        "SELECT group_id, COUNT(*) FROM queue_tickets WHERE agency_id = $1 AND day = $2 \
         AND status IN ('waiting', 'transferred') GROUP BY group_id",
        &params![agency_id, day],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.i64(1)?)))
    .collect()
}

/// Links a dossier to a ticket (once).
pub fn link_dossier(db: &mut Db, ticket_id: &str, dossier_id: &str, code: Option<&str>, now: i64) -> Result<(), StoreError> {
    db.execute(
        "INSERT INTO queue_ticket_dossiers (ticket_id, dossier_id, code, linked_at) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (ticket_id, dossier_id) DO NOTHING",
        &params![ticket_id, dossier_id, code.map(str::to_string), now],
    )?;
    Ok(())
}

/// The dossiers of a ticket: (dossier id, code).
pub fn dossiers_of(db: &mut Db, ticket_id: &str) -> Result<Vec<(String, Option<String>)>, StoreError> {
    db.query(
        "SELECT dossier_id, code FROM queue_ticket_dossiers WHERE ticket_id = $1 ORDER BY linked_at LIMIT 100",
        &params![ticket_id],
    )?
    .iter()
    .map(|r| Ok((r.text(0)?, r.opt_text(1)?)))
    .collect()
}

/// Most tickets one figures query reads (a month of a large centre).
pub const FIGURES_LIMIT: usize = 200_000;

/// The figures' rows: a centre's tickets of the days `from..=to` (`YYYY-MM-DD`), with the
/// queue counter's number.
pub fn of_days(db: &mut Db, agency_id: &str, from: &str, to: &str) -> Result<Vec<(TicketRow, Option<String>)>, StoreError> {
    let cols: String = TICKET_COLS.split(", ").map(|c| format!("t.{}", c.trim())).collect::<Vec<_>>().join(", ");
    db.query(
        &format!(
            "SELECT {cols}, c.number FROM queue_tickets t LEFT JOIN queue_counters c ON c.id = t.counter \
             WHERE t.agency_id = $1 AND t.day >= $2 AND t.day <= $3 ORDER BY t.issued_at LIMIT $4"
        ),
        &params![agency_id, from, to, FIGURES_LIMIT as i64],
    )?
    .iter()
    .map(|r| Ok((ticket(r)?, r.opt_text(17)?)))
    .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRow {
    pub id: String,
    pub agency_id: String,
    pub group_id: String,
    pub slot_start: i64,
    pub user_id: String,
    pub code: String,
    /// booked, cancelled, checked_in
    pub status: String,
    pub created_at: i64,
    pub ticket_id: Option<String>,
}

const APPT_COLS: &str = "id, agency_id, group_id, slot_start, user_id, code, status, created_at, ticket_id";

fn appt(r: &crate::Row) -> Result<AppointmentRow, StoreError> {
    Ok(AppointmentRow {
        id: r.text(0)?,
        agency_id: r.text(1)?,
        group_id: r.text(2)?,
        slot_start: r.i64(3)?,
        user_id: r.text(4)?,
        code: r.text(5)?,
        status: r.text(6)?,
        created_at: r.i64(7)?,
        ticket_id: r.opt_text(8)?,
    })
}

/// Takes a place in a slot: false when the slot already has `capacity` bookings. One
/// conditional upsert, so concurrent bookings never exceed the capacity.
pub fn take_place(db: &mut Db, group_id: &str, slot_start: i64, capacity: i64) -> Result<bool, StoreError> {
    if capacity <= 0 {
        return Ok(false);
    }
    Ok(db
        .query_opt(
            "INSERT INTO queue_slot_counts (group_id, slot_start, booked) VALUES ($1, $2, 1) \
             ON CONFLICT (group_id, slot_start) DO UPDATE SET booked = queue_slot_counts.booked + 1 \
             WHERE queue_slot_counts.booked < $3 RETURNING booked",
            &params![group_id, slot_start, capacity],
        )?
        .is_some())
}

/// Gives a place back (a cancellation).
pub fn give_place(db: &mut Db, group_id: &str, slot_start: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE queue_slot_counts SET booked = booked - 1 WHERE group_id = $1 AND slot_start = $2 AND booked > 0",
        &params![group_id, slot_start],
    )?;
    Ok(())
}

/// Booked places per slot start of a group between two instants.
pub fn booked(db: &mut Db, group_id: &str, from: i64, to: i64) -> Result<Vec<(i64, i64)>, StoreError> {
    db.query(
        "SELECT slot_start, booked FROM queue_slot_counts WHERE group_id = $1 AND slot_start >= $2 AND slot_start < $3",
        &params![group_id, from, to],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.i64(1)?)))
    .collect()
}

pub fn insert_appointment(db: &mut Db, a: &AppointmentRow) -> Result<(), StoreError> {
    db.execute(
        &format!("INSERT INTO queue_appointments ({APPT_COLS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)"),
        &params![
            &a.id,
            &a.agency_id,
            &a.group_id,
            a.slot_start,
            &a.user_id,
            &a.code,
            &a.status,
            a.created_at,
            a.ticket_id.clone()
        ],
    )?;
    Ok(())
}

pub fn appointment_by_id(db: &mut Db, id: &str) -> Result<Option<AppointmentRow>, StoreError> {
    db.query_opt(&format!("SELECT {APPT_COLS} FROM queue_appointments WHERE id = $1"), &params![id])?
        .as_ref()
        .map(appt)
        .transpose()
}

pub fn appointment_by_code(db: &mut Db, code: &str) -> Result<Option<AppointmentRow>, StoreError> {
    db.query_opt(&format!("SELECT {APPT_COLS} FROM queue_appointments WHERE code = $1"), &params![code])?
        .as_ref()
        .map(appt)
        .transpose()
}

/// A citizen's appointments, latest slot first (at most 100).
pub fn appointments_of(db: &mut Db, user_id: &str) -> Result<Vec<AppointmentRow>, StoreError> {
    db.query(
        &format!("SELECT {APPT_COLS} FROM queue_appointments WHERE user_id = $1 ORDER BY slot_start DESC LIMIT 100"),
        &params![user_id],
    )?
    .iter()
    .map(appt)
    .collect()
}

/// Moves an appointment from `from` to `to` (0 = it was not in `from`).
pub fn set_appointment(db: &mut Db, id: &str, from: &str, to: &str, ticket_id: Option<&str>) -> Result<u64, StoreError> {
    db.execute(
        "UPDATE queue_appointments SET status = $3, ticket_id = COALESCE($4, ticket_id) WHERE id = $1 AND status = $2",
        &params![id, from, to, ticket_id.map(str::to_string)],
    )
}
