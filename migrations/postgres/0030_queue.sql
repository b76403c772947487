-- The counter hall's queue (issue #18, docs/queue.md): service groups and counters of a
-- centre, numbered tickets, their links to the dossiers received while serving them, and
-- appointments booked online.

-- A service group of a centre (agency_id): its letter prefix, the procedures and sectors
-- it serves (comma-separated codes, for the kiosk's help text), opening days and sessions
-- (local time), the appointment slots' length and capacity, and whether it is open today.
CREATE TABLE queue_groups (
    id            TEXT    NOT NULL CONSTRAINT pk_queue_groups PRIMARY KEY,
    agency_id     TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    procedures    TEXT    NOT NULL DEFAULT '',
    sectors       TEXT    NOT NULL DEFAULT '',
    days          TEXT    NOT NULL,
    sessions      TEXT    NOT NULL,
    slot_minutes  BIGINT NOT NULL,
    slot_capacity BIGINT NOT NULL,
    is_open       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    CONSTRAINT uq_queue_groups_prefix UNIQUE (agency_id, prefix)
);

-- A counter (desk) of a centre: its number shown on the board, the groups it serves
-- (comma-separated group ids), open or closed.
CREATE TABLE queue_counters (
    id          TEXT    NOT NULL CONSTRAINT pk_queue_counters PRIMARY KEY,
    agency_id   TEXT    NOT NULL,
    number      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    group_ids   TEXT    NOT NULL,
    is_open     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT uq_queue_counters_number UNIQUE (agency_id, number)
);

-- The last number issued per group and local day (atomic upsert: no number twice).
CREATE TABLE queue_numbers (
    group_id TEXT    NOT NULL,
    day      TEXT    NOT NULL,
    last     BIGINT NOT NULL,
    CONSTRAINT pk_queue_numbers PRIMARY KEY (group_id, day)
);

-- One ticket. `counter` is the queue counter's id (called, served there; or the counter a
-- transfer sent it to); `token` is the secret of the follow-by-phone link (its QR).
CREATE TABLE queue_tickets (
    id             TEXT    NOT NULL CONSTRAINT pk_queue_tickets PRIMARY KEY,
    agency_id      TEXT    NOT NULL,
    group_id       TEXT    NOT NULL,
    day            TEXT    NOT NULL,
    seq            BIGINT NOT NULL,
    number         TEXT    NOT NULL,
    counter        TEXT,
    officer_id     TEXT,
    -- waiting, called, serving, done, no_show, transferred
    status         TEXT    NOT NULL,
    issued_at      BIGINT NOT NULL,
    called_at      BIGINT,
    started_at     BIGINT,
    finished_at    BIGINT,
    calls          BIGINT NOT NULL DEFAULT 0,
    appointment_id TEXT,
    slot_start     BIGINT,
    token          TEXT    NOT NULL,
    CONSTRAINT uq_queue_tickets_number UNIQUE (group_id, day, seq)
);
CREATE INDEX ix_queue_tickets_line ON queue_tickets (agency_id, status, issued_at);
CREATE INDEX ix_queue_tickets_day ON queue_tickets (agency_id, day);
CREATE INDEX ix_queue_tickets_officer ON queue_tickets (officer_id, status);

-- The dossiers a ticket produced (received while it was being served).
CREATE TABLE queue_ticket_dossiers (
    ticket_id  TEXT    NOT NULL,
    dossier_id TEXT    NOT NULL,
    code       TEXT,
    linked_at  BIGINT NOT NULL,
    CONSTRAINT pk_queue_ticket_dossiers PRIMARY KEY (ticket_id, dossier_id)
);
CREATE INDEX ix_queue_ticket_dossiers_dossier ON queue_ticket_dossiers (dossier_id);

-- An appointment booked online: a slot of a group, by a signed-in citizen; the code is
-- typed at the kiosk to check in. status: booked, cancelled, checked_in.
CREATE TABLE queue_appointments (
    id          TEXT    NOT NULL CONSTRAINT pk_queue_appointments PRIMARY KEY,
    agency_id   TEXT    NOT NULL,
    group_id    TEXT    NOT NULL,
    slot_start  BIGINT NOT NULL,
    user_id     TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    created_at  BIGINT NOT NULL,
    ticket_id   TEXT,
    CONSTRAINT uq_queue_appointments_code UNIQUE (code)
);
CREATE INDEX ix_queue_appointments_slot ON queue_appointments (group_id, slot_start, status);
CREATE INDEX ix_queue_appointments_user ON queue_appointments (user_id, slot_start);

-- The booked count per slot (the capacity check is one conditional upsert: no overbooking
-- under concurrent bookings on either backend).
CREATE TABLE queue_slot_counts (
    group_id   TEXT    NOT NULL,
    slot_start BIGINT NOT NULL,
    booked     BIGINT NOT NULL,
    CONSTRAINT pk_queue_slot_counts PRIMARY KEY (group_id, slot_start)
);
