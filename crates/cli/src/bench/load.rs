//! `motcua bench load`: drives a running server over HTTP on loopback with N connections
//! for a bounded time, then measures the raw durable write ceiling of the same rows in the
//! same run and prints the ratio (issue #14).
//!
//! Memory is bounded: latencies go into fixed-size log-bucket histograms, errors into a
//! map keyed by status, and the dossiers kept for the read and command operations into a
//! bounded queue.

use super::http1::{self, Conn, Target};
use anyhow::{Context, Result, bail};
use motcua_store::Value;
use serde_json::{Value as Json, json};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The demo password of every seeded account.
const DEMO_PASSWORD: &str = "Motcua@2026";
/// Dossiers kept for the command, dossier-page and tracking operations.
const KEPT: usize = 10_000;
/// Receptions per commit in the grouped ceiling.
const GROUP: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Op {
    /// `POST /api/v1/dossiers` as a counter officer (a reception at the counter).
    Filing,
    /// `POST /api/v1/dossiers/{id}/forward` on a received dossier.
    Command,
    /// `GET /api/v1/dossiers?limit=20`: the officer's inbox, first page.
    Inbox,
    /// `GET /api/v1/tracking/{code}?check=…`: public tracking.
    Tracking,
    /// `GET /api/v1/dossiers/{id}`: the dossier page's data.
    Dossier,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Filing => "filing",
            Op::Command => "command",
            Op::Inbox => "inbox",
            Op::Tracking => "tracking",
            Op::Dossier => "dossier",
        }
    }
}

#[derive(clap::Args)]
pub struct LoadArgs {
    /// Base URL of the running server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// Concurrent connections (each runs one operation of --ops, in turn by connection).
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Operations, comma-separated: connection i runs ops[i % len].
    #[arg(long, value_enum, value_delimiter = ',', default_value = "filing")]
    pub ops: Vec<Op>,
    /// Counter officer who files and forwards (demo account).
    #[arg(long, default_value = "tiepnhan")]
    pub user: String,
    #[arg(long, default_value = DEMO_PASSWORD)]
    pub password: String,
    /// Procedure filed at the counter (its required components are all provided).
    #[arg(long, default_value = "1.910203.H40")]
    pub procedure: String,
    /// Skip the raw ceiling.
    #[arg(long)]
    pub no_ceiling: bool,
    /// Seconds for each ceiling loop.
    #[arg(long, default_value_t = 3)]
    pub ceiling_secs: u64,
    /// Folder for the scratch SQLite database of the ceiling (put it on the same kind of
    /// disk as the server's data directory); removed afterwards. Default: the current folder.
    #[arg(long)]
    pub scratch_dir: Option<PathBuf>,
    /// The ceiling's reception renders no documents (for a server run with
    /// `MOTCUA_DOCUMENTS__ISSUE_ON_EVENTS=false`): compare like with like.
    #[arg(long)]
    pub no_documents: bool,
    /// Also measure the PostgreSQL ceiling in this scratch database (it is seeded and written to).
    #[arg(long)]
    pub ceiling_pg: Option<String>,
    /// Connections of the PostgreSQL ceiling (default: the server's pool size).
    #[arg(long)]
    pub ceiling_pg_connections: Option<usize>,
}

// ---- histogram ---------------------------------------------------------------------------

const SUB_BITS: u32 = 5;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = (64 - SUB_BITS as usize + 1) * SUB;

/// Latencies in microseconds, log buckets with 32 sub-buckets per power of two (≤ 3 %
/// relative error), fixed size whatever the run length.
#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self { counts: vec![0; BUCKETS], total: 0, max: 0 }
    }
}

impl Histogram {
    fn index(us: u64) -> usize {
        if us < SUB as u64 {
            return us as usize;
        }
        let shift = 63 - us.leading_zeros() - SUB_BITS;
        let mantissa = (us >> shift) as usize & (SUB - 1);
        (shift as usize + 1) * SUB + mantissa
    }

    fn lower_bound(i: usize) -> u64 {
        if i < SUB {
            return i as u64;
        }
        let shift = (i / SUB - 1) as u32;
        ((SUB + i % SUB) as u64) << shift
    }

    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.counts[Self::index(us)] += 1;
        self.total += 1;
        self.max = self.max.max(us);
    }

    pub fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        self.total += o.total;
        self.max = self.max.max(o.max);
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// The latency at quantile `q` (0..=1), in microseconds (a bucket's lower bound).
    pub fn quantile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((self.total as f64 * q).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Self::lower_bound(i).min(self.max);
            }
        }
        self.max
    }
}

/// What one operation did: latencies of its successes, failures by status (0 = no answer).
#[derive(Clone, Default)]
pub struct Stats {
    pub ok: Histogram,
    pub errors: BTreeMap<u16, u64>,
}

impl Stats {
    fn merge(&mut self, o: &Stats) {
        self.ok.merge(&o.ok);
        for (k, v) in &o.errors {
            *self.errors.entry(*k).or_default() += v;
        }
    }
}

// ---- the HTTP side -----------------------------------------------------------------------

/// A logged-in API session (cookie + CSRF token), shared by all connections of one user.
#[derive(Clone)]
pub struct Session {
    pub target: Target,
    pub cookie: String,
    pub csrf: String,
}

/// A dossier filed at the counter, as the server acknowledged it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Filed {
    pub id: String,
    pub code: String,
    pub version: i64,
}

/// Outcome of one request: the status (0 when no answer came) and, for a filing, the dossier.
pub type Outcome = (u16, Option<Filed>);

/// Logs in through `POST /api/v1/auth/login`.
pub async fn login(base: &str, user: &str, password: &str) -> Result<Session> {
    let target = Target::parse(base)?;
    let (cookie, csrf) = http1::login(&target, user, password).await?;
    Ok(Session { target, cookie, csrf })
}

/// The body of a counter reception: every required component of the demo procedure provided.
pub fn filing_body(procedure: &str) -> Json {
    let components: Vec<Json> = ["to_khai", "anh_the", "giay_to_quoc_tich"]
        .iter()
        .map(|k| json!({"key": k, "provided": true, "digitized": true}))
        .collect();
    json!({
        "procedure_code": procedure,
        "applicant": {"name": "Trần Thị Bình", "id_number": "037192004321", "phone": "0912344321"},
        "summary": "Hồ sơ tải thử / load test",
        "components": components,
    })
}

/// Requests the operations send, each encoded once (the same bytes every time).
struct Requests {
    filing: Vec<u8>,
    inbox: Vec<u8>,
}

impl Requests {
    fn new(s: &Session, procedure: &str) -> Result<Self> {
        let t = &s.target;
        let body = serde_json::to_vec(&filing_body(procedure))?;
        let signed = [("Cookie", s.cookie.as_str()), ("x-csrf-token", s.csrf.as_str())];
        Ok(Requests {
            filing: http1::request(t, "POST", "/api/v1/dossiers", &signed, Some(&body)),
            inbox: http1::request(t, "GET", "/api/v1/dossiers?limit=20", &signed[..1], None),
        })
    }

    fn forward(s: &Session, f: &Filed) -> Vec<u8> {
        let body = format!(r#"{{"version":{}}}"#, f.version);
        let signed = [("Cookie", s.cookie.as_str()), ("x-csrf-token", s.csrf.as_str())];
        http1::request(&s.target, "POST", &format!("/api/v1/dossiers/{}/forward", f.id), &signed, Some(body.as_bytes()))
    }

    fn dossier(s: &Session, f: &Filed) -> Vec<u8> {
        http1::request(&s.target, "GET", &format!("/api/v1/dossiers/{}", f.id), &[("Cookie", s.cookie.as_str())], None)
    }

    /// Tracking is public: no session cookie.
    fn tracking(s: &Session, f: &Filed) -> Vec<u8> {
        http1::request(&s.target, "GET", &format!("/api/v1/tracking/{}?check=4321", f.code), &[], None)
    }
}

/// The status of an answer, 0 when none came.
fn status_of(r: std::io::Result<http1::Answer>) -> u16 {
    r.map_or(0, |a| a.status)
}

struct Shared {
    session: Session,
    requests: Requests,
    /// Whether filed dossiers are kept (some operation reads or forwards them); when not,
    /// a filing's answer is not parsed, as a load generator should not spend the cores.
    keeps: bool,
    /// Received dossiers not yet forwarded (consumed by `command`).
    fresh: Mutex<VecDeque<Filed>>,
    /// Dossiers to read (dossier page, tracking); a bounded ring.
    kept: Mutex<VecDeque<Filed>>,
    counter: std::sync::atomic::AtomicU64,
}

impl Shared {
    fn next(&self) -> u64 {
        self.counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// Keeps a filed dossier to read, and to forward when `fresh` (not forwarded by its filer).
    fn keep(&self, f: &Filed, fresh: bool) {
        let queues: &[&Mutex<VecDeque<Filed>>] = if fresh { &[&self.fresh, &self.kept] } else { &[&self.kept] };
        for q in queues {
            let mut q = q.lock().unwrap_or_else(|e| e.into_inner());
            if q.len() >= KEPT {
                q.pop_front();
            }
            q.push_back(f.clone());
        }
    }

    fn pick(&self, n: u64) -> Option<Filed> {
        let q = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if q.is_empty() { None } else { q.get((n % q.len() as u64) as usize).cloned() }
    }

    /// One counter reception; the dossier (when kept) on 201.
    async fn file(&self, conn: &mut Conn, fresh: bool, keep: bool) -> Outcome {
        let Ok(a) = conn.send(&self.requests.filing).await else { return (0, None) };
        if a.status != 201 || !keep {
            return (a.status, None);
        }
        match serde_json::from_slice::<Filed>(&a.body) {
            Ok(f) => {
                self.keep(&f, fresh);
                (201, Some(f))
            }
            Err(_) => (0, None),
        }
    }
}

/// One connection's loop: the operation, timed, until the deadline.
async fn connection(shared: Arc<Shared>, op: Op, deadline: Instant) -> Stats {
    let mut stats = Stats::default();
    let s = &shared.session;
    let mut conn = Conn::new(&s.target);
    while Instant::now() < deadline {
        // The command needs a received dossier; file one (not timed) when none is waiting.
        let target = match op {
            Op::Command => {
                let f = shared.fresh.lock().unwrap_or_else(|e| e.into_inner()).pop_back();
                match f {
                    Some(f) => Some(f),
                    None => shared.file(&mut conn, false, true).await.1,
                }
            }
            Op::Dossier | Op::Tracking => shared.pick(shared.next()),
            Op::Filing | Op::Inbox => None,
        };
        if matches!(op, Op::Command | Op::Dossier | Op::Tracking) && target.is_none() {
            stats.errors.entry(0).and_modify(|n| *n += 1).or_insert(1);
            continue;
        }
        // Per-dossier requests are encoded before the clock starts.
        let request = match (op, &target) {
            (Op::Command, Some(f)) => Some(Requests::forward(s, f)),
            (Op::Dossier, Some(f)) => Some(Requests::dossier(s, f)),
            (Op::Tracking, Some(f)) => Some(Requests::tracking(s, f)),
            _ => None,
        };
        let t = Instant::now();
        let status = match (op, request) {
            (Op::Filing, _) => shared.file(&mut conn, true, shared.keeps).await.0,
            (Op::Inbox, _) => status_of(conn.send(&shared.requests.inbox).await),
            (_, Some(r)) => status_of(conn.send(&r).await),
            (_, None) => unreachable!("a per-dossier operation without its dossier is counted above"),
        };
        if (200..300).contains(&status) {
            stats.ok.record(t.elapsed());
        } else {
            *stats.errors.entry(status).or_default() += 1;
        }
    }
    stats
}

/// The HTTP phase: per operation, its merged statistics, and the wall time.
pub async fn drive(a: &LoadArgs) -> Result<(BTreeMap<Op, Stats>, Duration)> {
    if a.ops.is_empty() || a.connections == 0 {
        bail!("--ops and --connections must not be empty");
    }
    let session = login(&a.url, &a.user, &a.password).await?;
    let requests = Requests::new(&session, &a.procedure)?;
    let shared = Arc::new(Shared {
        session,
        requests,
        keeps: a.ops.iter().any(|o| matches!(o, Op::Command | Op::Dossier | Op::Tracking)),
        fresh: Mutex::default(),
        kept: Mutex::default(),
        counter: Default::default(),
    });
    // Dossiers to read exist before the clock starts.
    if a.ops.iter().any(|o| matches!(o, Op::Dossier | Op::Tracking)) {
        let mut conn = Conn::new(&shared.session.target);
        for _ in 0..32 {
            let (status, f) = shared.file(&mut conn, false, true).await;
            if f.is_none() {
                bail!("warm-up filing answered {status}");
            }
        }
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(a.duration);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..a.connections {
        let op = a.ops[i % a.ops.len()];
        let shared = shared.clone();
        set.spawn(async move { (op, connection(shared, op, deadline).await) });
    }
    let mut per_op: BTreeMap<Op, Stats> = BTreeMap::new();
    while let Some(r) = set.join_next().await {
        let (op, s) = r?;
        per_op.entry(op).or_default().merge(&s);
    }
    Ok((per_op, started.elapsed()))
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

pub async fn run(a: LoadArgs) -> Result<ExitCode> {
    println!(
        "motcua bench load: {} — {} connections, {} s, ops {}",
        a.url,
        a.connections,
        a.duration,
        a.ops.iter().map(|o| o.name()).collect::<Vec<_>>().join(",")
    );
    let (per_op, wall) = drive(&a).await?;
    let secs = wall.as_secs_f64();
    println!("{:<10} {:>9} {:>10} {:>10} {:>10} {:>10}  errors (status: count)", "operation", "ok", "per s", "p50", "p99", "max");
    let mut filing_rate = None;
    for (op, s) in &per_op {
        let rate = s.ok.count() as f64 / secs;
        if *op == Op::Filing {
            filing_rate = Some(rate);
        }
        let errors = s.errors.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
        println!(
            "{:<10} {:>9} {:>10.0} {:>10} {:>10} {:>10}  {}",
            op.name(),
            s.ok.count(),
            rate,
            ms(s.ok.quantile(0.5)),
            ms(s.ok.quantile(0.99)),
            ms(s.ok.max),
            if errors.is_empty() { "-".into() } else { errors }
        );
        if s.errors.contains_key(&429) && *op == Op::Tracking {
            println!("  (429 on tracking: run the server with MOTCUA_TRACKING__PER_ADDRESS_PER_MINUTE=0)");
        }
    }
    if a.no_ceiling {
        return Ok(ExitCode::SUCCESS);
    }
    let dir = a.scratch_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let dir = std::path::absolute(&dir)?;
    let tmp = tempfile::Builder::new().prefix("motcua-ceiling-").tempdir_in(&dir).context("scratch folder")?;
    let db_path = tmp.path().join("motcua.db");
    let rows = capture(tmp.path().to_path_buf(), Some(db_path.display().to_string()), &a.procedure, !a.no_documents).await?;
    println!("one counter reception writes {} rows: {}", rows.len(), summary(&rows));
    let limit = Duration::from_secs(a.ceiling_secs);
    let (one, grouped) = {
        let rows = rows.clone();
        tokio::task::spawn_blocking(move || sqlite_ceiling(&db_path, &rows, limit)).await??
    };
    println!("raw ceiling, SQLite (WAL, synchronous=FULL, {}):", tmp.path().display());
    println!("  1 reception per commit:   {one:>8.0} receptions/s");
    println!("  {GROUP} receptions per commit: {grouped:>8.0} receptions/s");
    if let Some(f) = filing_rate {
        println!("  filing through HTTP / grouped ceiling = {:.2}   (/ one-per-commit = {:.2})", f / grouped, f / one);
    }
    if let Some(url) = &a.ceiling_pg {
        let conns = a.ceiling_pg_connections.unwrap_or_else(|| motcua_app::Config::default().postgres.max_connections);
        let rows = capture(tmp.path().join("pg"), Some(url.clone()), &a.procedure, !a.no_documents).await?;
        let url = url.clone();
        let rate = tokio::task::spawn_blocking(move || pg_ceiling(&url, &rows, conns, limit)).await??;
        println!("raw ceiling, PostgreSQL ({conns} connections, 1 reception per commit each): {rate:>8.0} receptions/s");
        if let Some(f) = filing_rate {
            println!("  filing through HTTP / PostgreSQL ceiling = {:.2}", f / rate);
        }
    }
    Ok(ExitCode::SUCCESS)
}

// ---- the raw ceiling ---------------------------------------------------------------------

/// One row a reception wrote.
#[derive(Clone, Debug)]
pub struct RowWrite {
    pub table: String,
    pub columns: Vec<String>,
    pub values: Vec<Value>,
}

/// Tables a reception updates in place (`ON CONFLICT … DO UPDATE`), with the statement
/// the server uses and the columns it binds.
fn upsert(table: &str) -> Option<(&'static str, &'static [&'static str])> {
    match table {
        "dossier_sequences" => Some((
            "INSERT INTO dossier_sequences (agency_code, day, last_number) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_code, day) DO UPDATE SET last_number = dossier_sequences.last_number + 1",
            &["agency_code", "day"],
        )),
        "kpi_daily" => Some((
            "INSERT INTO kpi_daily (agency_id, procedure_code, day, metric, value) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (agency_id, procedure_code, day, metric) DO UPDATE SET value = kpi_daily.value + $5",
            &["agency_id", "procedure_code", "day", "metric", "value"],
        )),
        "kpi_monthly" => Some((
            "INSERT INTO kpi_monthly (agency_id, procedure_code, month, metric, value) VALUES ($1,$2,$3,$4,$5) \
             ON CONFLICT (agency_id, month, metric, procedure_code) DO UPDATE SET value = kpi_monthly.value + $5",
            &["agency_id", "procedure_code", "month", "metric", "value"],
        )),
        _ => None,
    }
}

/// Columns whose values identify the new dossier, its events and messages: renamed on
/// each replay so that keys stay unique.
const IDENTITY: &[&str] = &["id", "dossier_id", "code", "filing_reference", "sha256"];

/// Written off the request path in batches (the login's access record lands there late).
const NOT_THE_RECEPTION: &[&str] = &["access_log"];

fn summary(rows: &[RowWrite]) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *by.entry(&r.table).or_default() += 1;
    }
    by.iter().map(|(t, n)| format!("{t} {n}")).collect::<Vec<_>>().join(", ")
}

/// Each table's column names and rows.
type Snapshot = BTreeMap<String, (Vec<String>, Vec<Vec<Value>>)>;

/// Every row of every table, with the column names.
fn snapshot(db: &mut motcua_store::Db) -> Result<Snapshot, motcua_store::StoreError> {
    let tables: Vec<String> = match db.backend() {
        motcua_store::Backend::Sqlite => db
            // Not the full-text index (a virtual table and its shadow tables): the triggers on
            // `dossiers` write it again when the rows are replayed.
            .query(
                "SELECT name FROM sqlite_master m WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' AND NOT EXISTS (SELECT 1 FROM sqlite_master v \
                 WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%' AND substr(m.name, 1, length(v.name) + 1) = v.name || '_') \
                 ORDER BY name",
                &[],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_, _>>()?,
        motcua_store::Backend::Postgres => db
            .query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' ORDER BY table_name",
                &[],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_, _>>()?,
    };
    let mut out = BTreeMap::new();
    for t in tables {
        let columns: Vec<String> = match db.backend() {
            motcua_store::Backend::Sqlite => db
                .query(&format!("SELECT name FROM pragma_table_info('{t}') ORDER BY cid"), &[])?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<_, _>>()?,
            motcua_store::Backend::Postgres => db
                .query(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
                     AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
                    &[t.clone().into()],
                )?
                .iter()
                .map(|r| r.text(0))
                .collect::<Result<_, _>>()?,
        };
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        // A table of types the store does not read cannot be part of a reception's writes.
        let Ok(rows) = db.query(&format!("SELECT {list} FROM \"{t}\""), &[]) else { continue };
        out.insert(t, (columns, rows.into_iter().map(|r| r.0).collect()));
    }
    Ok(out)
}

/// Files one counter reception through the real use case on a fresh (or given) database and
/// returns the rows it wrote: the rows present after and not before.
pub async fn capture(data_dir: PathBuf, database_url: Option<String>, procedure: &str, documents: bool) -> Result<Vec<RowWrite>> {
    std::fs::create_dir_all(&data_dir)?;
    let mut config = motcua_app::Config { data_dir, database_url, seed_demo: true, ..Default::default() };
    config.sqlite.synchronous = "full".into();
    config.documents.issue_on_events = documents;
    let (ctx, _) = motcua_app::AppContext::open(config).await?;
    let clerk = motcua_app::auth::login(&ctx, "tiepnhan", DEMO_PASSWORD, std::net::Ipv4Addr::LOCALHOST.into(), None)
        .await
        .map_err(|e| anyhow::anyhow!("login: {e:?}"))?
        .current;
    let input: motcua_app::usecases::dossiers::NewDossier = serde_json::from_value(filing_body(procedure))?;
    let before = ctx.store.read(snapshot).await?;
    motcua_app::usecases::dossiers::create(&ctx, &clerk, input, None).await.map_err(|e| anyhow::anyhow!("reception: {e:?}"))?;
    let after = ctx.store.read(snapshot).await?;
    let mut rows = Vec::new();
    for (table, (columns, values)) in after {
        // Tables the triggers on `dossiers` keep (the inbox counters) are written again when
        // its row is replayed, as on the request path.
        if NOT_THE_RECEPTION.contains(&table.as_str()) || motcua_store::repo::bulk::DERIVED.iter().any(|d| d.table == table) {
            continue;
        }
        let old: HashSet<String> =
            before.get(&table).map(|(_, v)| v.iter().map(|r| format!("{r:?}")).collect()).unwrap_or_default();
        for r in values {
            if !old.contains(&format!("{r:?}")) {
                rows.push(RowWrite { table: table.clone(), columns: columns.clone(), values: r });
            }
        }
    }
    // Sessions and audit rows of the login are older than `before`; the rest is the reception's.
    if rows.is_empty() {
        bail!("the reception wrote nothing that could be read back");
    }
    Ok(rows)
}

/// A statement per row, and its parameters for replay `tag`.
struct Plan {
    sql: Vec<String>,
    rows: Vec<RowWrite>,
}

impl Plan {
    fn new(rows: &[RowWrite], placeholder: char) -> Self {
        let mut sql = Vec::new();
        let mut kept = Vec::new();
        // Inserts first, the shared counters last: on PostgreSQL the row locks of the upserts
        // are then held the shortest time, which is what a ceiling should assume.
        let mut ordered: Vec<&RowWrite> = rows.iter().collect();
        ordered.sort_by_key(|r| upsert(&r.table).is_some());
        for r in ordered {
            let (text, row) = match upsert(&r.table) {
                Some((text, cols)) => {
                    let values = cols
                        .iter()
                        // The KPI upsert adds the increment, which the first reception stored.
                        .map(|c| r.columns.iter().position(|x| x == c).map_or(Value::Null, |i| r.values[i].clone()))
                        .collect();
                    (
                        text.to_string(),
                        RowWrite { table: r.table.clone(), columns: cols.iter().map(|c| c.to_string()).collect(), values },
                    )
                }
                None => {
                    let cols = r.columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
                    let marks = (1..=r.columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
                    (format!("INSERT INTO \"{}\" ({cols}) VALUES ({marks})", r.table), r.clone())
                }
            };
            sql.push(if placeholder == '?' { text.replace('$', "?") } else { text });
            kept.push(row);
        }
        Self { sql, rows: kept }
    }

    fn params(&self, i: usize, tag: &str) -> Vec<Value> {
        let r = &self.rows[i];
        if upsert(&r.table).is_some() {
            return r.values.clone();
        }
        r.columns
            .iter()
            .zip(&r.values)
            .map(|(c, v)| match v {
                Value::Text(s) if IDENTITY.contains(&c.as_str()) => Value::Text(format!("{s}~{tag}")),
                v => v.clone(),
            })
            .collect()
    }
}

fn to_sqlite(v: Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as S;
    match v {
        Value::Null => S::Null,
        Value::Int(i) => S::Integer(i),
        Value::Real(f) => S::Real(f),
        Value::Text(s) => S::Text(s),
        Value::Blob(b) => S::Blob(b),
    }
}

/// Receptions per second with one per commit, then `GROUP` per commit, each for `limit`.
fn sqlite_ceiling(path: &std::path::Path, rows: &[RowWrite], limit: Duration) -> Result<(f64, f64)> {
    let c = rusqlite::Connection::open(path)?;
    c.busy_timeout(Duration::from_secs(10))?;
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")?;
    let plan = Plan::new(rows, '?');
    let mut n = 0usize;
    let mut run = |per_commit: usize, label: &str| -> Result<f64> {
        let start = Instant::now();
        let mut done = 0usize;
        while start.elapsed() < limit {
            let tx = c.unchecked_transaction()?;
            for _ in 0..per_commit {
                n += 1;
                let tag = format!("{label}{n}");
                for (i, sql) in plan.sql.iter().enumerate() {
                    let p: Vec<rusqlite::types::Value> = plan.params(i, &tag).into_iter().map(to_sqlite).collect();
                    tx.prepare_cached(sql)?.execute(rusqlite::params_from_iter(p))?;
                }
            }
            // The text index of the group's receptions, written once before the commit as the
            // server's writer does (migration 0020).
            for sql in motcua_store::repo::dossiers::SEARCH_FLUSH {
                tx.prepare_cached(sql)?.execute([])?;
            }
            tx.commit()?;
            done += per_commit;
        }
        Ok(done as f64 / start.elapsed().as_secs_f64())
    };
    let one = run(1, "s")?;
    let grouped = run(GROUP, "g")?;
    Ok((one, grouped))
}

/// Receptions per second over `connections` clients, one reception per commit each.
fn pg_ceiling(url: &str, rows: &[RowWrite], connections: usize, limit: Duration) -> Result<f64> {
    let plan = Arc::new(Plan::new(rows, '$'));
    let start = Instant::now();
    let threads: Vec<_> = (0..connections.max(1))
        .map(|w| {
            let (plan, url) = (plan.clone(), url.to_string());
            std::thread::spawn(move || -> Result<usize> {
                let mut c = postgres::Client::connect(&url, postgres::NoTls)?;
                let stmts = plan.sql.iter().map(|s| c.prepare(s)).collect::<Result<Vec<_>, _>>()?;
                let mut done = 0;
                while start.elapsed() < limit {
                    let mut tx = c.transaction()?;
                    let tag = format!("p{w}-{done}");
                    for (i, st) in stmts.iter().enumerate() {
                        let p = plan.params(i, &tag);
                        let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                            p.iter().map(|v| v as &(dyn postgres::types::ToSql + Sync)).collect();
                        tx.execute(st, &refs)?;
                    }
                    tx.commit()?;
                    done += 1;
                }
                Ok(done)
            })
        })
        .collect();
    let mut total = 0;
    for t in threads {
        total += t.join().map_err(|_| anyhow::anyhow!("a ceiling thread panicked"))??;
    }
    Ok(total as f64 / start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_within_three_percent() {
        let mut h = Histogram::default();
        for us in 1..=100_000u64 {
            h.record(Duration::from_micros(us));
        }
        for (q, want) in [(0.5, 50_000.0), (0.99, 99_000.0)] {
            let got = h.quantile(q) as f64;
            assert!((got - want).abs() / want < 0.035, "q{q}: {got} vs {want}");
        }
        assert_eq!(h.count(), 100_000);
        for us in [0, 1, 31, 32, 33, 63, 64, 1000, u64::MAX / 2] {
            let i = Histogram::index(us);
            assert!(i < BUCKETS && Histogram::lower_bound(i) <= us, "{us}");
        }
    }
}
