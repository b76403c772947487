//! PostgreSQL executor: a pool of blocking clients (driven from `spawn_blocking`), each with
//! its own prepared-statement cache, so a repeated statement costs one round trip.

use crate::StoreError;
use crate::db::Db;
use crate::pool::Pool;
use crate::value::{Row, Value};
use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement, Transaction};
use std::collections::HashMap;
use std::error::Error as StdError;

pub struct PgConn {
    client: Client,
    cache: HashMap<String, Statement>,
}

pub struct Postgres {
    pool: Pool<PgConn>,
    /// For the `LISTEN` connections (boxed: it is large and rarely used).
    config: Box<postgres::Config>,
}

impl Postgres {
    pub fn open(url: &str, max_connections: usize) -> Result<Self, StoreError> {
        let config: postgres::Config = url.parse().map_err(|e: postgres::Error| StoreError::Unavailable(e.to_string()))?;
        let listen_config = config.clone();
        let pool = Pool::new(max_connections, move || {
            let client = config.connect(NoTls).map_err(|e| StoreError::Unavailable(e.to_string()))?;
            Ok(PgConn { client, cache: HashMap::new() })
        });
        // Fail at start-up, not at the first request, when the server is unreachable.
        drop(pool.get()?);
        Ok(Self { pool, config: Box::new(listen_config) })
    }

    /// Listens on `channel` (`LISTEN`) on a connection of its own, on a thread of its own,
    /// and calls `on` with each payload, and with `None` about every second; stops when `on`
    /// returns false. Reconnects (after a second) when the connection breaks; what was
    /// notified meanwhile is lost, so a listener must tolerate a gap.
    pub fn listen(&self, channel: &'static str, mut on: impl FnMut(Option<&str>) -> bool + Send + 'static) {
        let config = (*self.config).clone();
        let spawned = std::thread::Builder::new().name(format!("motcua-listen-{channel}")).spawn(move || {
            use postgres::fallible_iterator::FallibleIterator;
            loop {
                let mut client = match config.connect(NoTls) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(channel, error = %e, "LISTEN connection failed; retrying");
                        std::thread::sleep(std::time::Duration::from_secs(1));
                        if !on(None) {
                            return;
                        }
                        continue;
                    }
                };
                if let Err(e) = client.batch_execute(&format!("LISTEN {channel}")) {
                    tracing::warn!(channel, error = %e, "LISTEN failed; retrying");
                    std::thread::sleep(std::time::Duration::from_secs(1));
                    continue;
                }
                loop {
                    let mut n = client.notifications();
                    let mut it = n.timeout_iter(std::time::Duration::from_secs(1));
                    let next = it.next();
                    drop(it);
                    drop(n);
                    match next {
                        Ok(Some(note)) => {
                            if !on(Some(note.payload())) {
                                return;
                            }
                        }
                        Ok(None) => {
                            if !on(None) {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(channel, error = %e, "LISTEN connection lost; reconnecting");
                            break;
                        }
                    }
                }
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(channel, error = %e, "cannot start the listener thread");
        }
    }

    /// Runs `f` in one transaction; commits when it returns Ok.
    pub(crate) fn transaction<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        self.with_tx(false, f)
    }

    /// Runs `f` in a READ ONLY transaction that is always rolled back.
    pub(crate) fn read_only<T, E: From<StoreError>>(&self, f: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        self.with_tx(true, f)
    }

    fn with_tx<T, E: From<StoreError>>(&self, read_only: bool, f: impl FnOnce(&mut Db) -> Result<T, E>) -> Result<T, E> {
        let mut conn = self.pool.get()?;
        let (out, broken) = run_tx(&mut conn, read_only, f);
        if broken {
            conn.mark_broken();
        }
        out
    }
}

impl Drop for Postgres {
    /// Each blocking client owns a small runtime, which must not be dropped on an async
    /// worker thread (the last `Store` clone often goes away inside one): drop them on a
    /// plain thread.
    fn drop(&mut self) {
        let idle = self.pool.take_idle();
        if !idle.is_empty() {
            let _ = std::thread::Builder::new().name("motcua-pg-close".into()).spawn(move || drop(idle));
        }
    }
}

/// Returns the outcome and whether the connection is no longer usable.
fn run_tx<T, E: From<StoreError>>(
    conn: &mut PgConn,
    read_only: bool,
    f: impl FnOnce(&mut Db) -> Result<T, E>,
) -> (Result<T, E>, bool) {
    let result = {
        let PgConn { client, cache } = &mut *conn;
        let started = if read_only { client.build_transaction().read_only(true).start() } else { client.transaction() };
        let tx = match started {
            Ok(tx) => tx,
            Err(e) => return (Err(E::from(map_err(e))), true),
        };
        let mut ptx = PgTx { tx: Some(tx), cache };
        let out = f(&mut Db::Postgres(&mut ptx));
        let tx = ptx.tx.take().expect("transaction present");
        drop(ptx);
        match out {
            Ok(v) if !read_only => tx.commit().map(|_| v).map_err(|e| E::from(map_err(e))),
            other => {
                let _ = tx.rollback();
                other
            }
        }
    };
    (result, conn.client.is_closed())
}

/// The executor's side of `Db::Postgres`.
pub trait Exec {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// `COPY … FROM STDIN` with `data` in COPY's text format (bulk loads).
    fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<u64, StoreError>;
}

pub struct PgTx<'c> {
    tx: Option<Transaction<'c>>,
    cache: &'c mut HashMap<String, Statement>,
}

impl PgTx<'_> {
    fn prepared(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let tx = self.tx.as_mut().expect("transaction present");
        let s = tx.prepare(sql).map_err(map_err)?;
        self.cache.insert(sql.to_string(), s.clone());
        Ok(s)
    }
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Exec for PgTx<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let st = self.prepared(sql)?;
        let tx = self.tx.as_mut().expect("transaction present");
        tx.execute(&st, &refs(params)).map_err(map_err)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let st = self.prepared(sql)?;
        let tx = self.tx.as_mut().expect("transaction present");
        let rows = tx.query(&st, &refs(params)).map_err(map_err)?;
        rows.iter().map(decode_row).collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.tx.as_mut().expect("transaction present").batch_execute(sql).map_err(map_err)
    }

    fn copy_in(&mut self, sql: &str, data: &[u8]) -> Result<u64, StoreError> {
        use std::io::Write;
        let tx = self.tx.as_mut().expect("transaction present");
        let mut w = tx.copy_in(sql).map_err(map_err)?;
        w.write_all(data).map_err(|e| StoreError::Unavailable(format!("COPY: {e}")))?;
        w.finish().map_err(map_err)
    }
}

fn decode_row(r: &postgres::Row) -> Result<Row, StoreError> {
    let mut vals = Vec::with_capacity(r.len());
    for (i, col) in r.columns().iter().enumerate() {
        let t = col.type_();
        let bad = |e: postgres::Error| StoreError::Decode(format!("column {}: {e}", col.name()));
        let v = if *t == Type::INT8 {
            r.try_get::<_, Option<i64>>(i).map_err(bad)?.map(Value::Int)
        } else if *t == Type::INT4 {
            r.try_get::<_, Option<i32>>(i).map_err(bad)?.map(|x| Value::Int(x.into()))
        } else if *t == Type::INT2 {
            r.try_get::<_, Option<i16>>(i).map_err(bad)?.map(|x| Value::Int(x.into()))
        } else if *t == Type::BOOL {
            r.try_get::<_, Option<bool>>(i).map_err(bad)?.map(|x| Value::Int(x.into()))
        } else if *t == Type::TEXT || *t == Type::VARCHAR || *t == Type::BPCHAR || *t == Type::NAME {
            r.try_get::<_, Option<String>>(i).map_err(bad)?.map(Value::Text)
        } else if *t == Type::FLOAT8 {
            r.try_get::<_, Option<f64>>(i).map_err(bad)?.map(Value::Real)
        } else if *t == Type::FLOAT4 {
            r.try_get::<_, Option<f32>>(i).map_err(bad)?.map(|x| Value::Real(x.into()))
        } else if *t == Type::BYTEA {
            r.try_get::<_, Option<Vec<u8>>>(i).map_err(bad)?.map(Value::Blob)
        } else {
            return Err(StoreError::Decode(format!(
                "column {}: type {t} is not one of the portable types (cast it in the SQL)",
                col.name()
            )));
        };
        vals.push(v.unwrap_or(Value::Null));
    }
    Ok(Row(vals))
}

/// Parameters are encoded by the type PostgreSQL inferred for each placeholder, so a NULL
/// fits any column and an integer fits int2/int4/int8/bool alike.
impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => {
                if *ty == Type::INT8 {
                    v.to_sql(ty, out)
                } else if *ty == Type::INT4 {
                    i32::try_from(*v)?.to_sql(ty, out)
                } else if *ty == Type::INT2 {
                    i16::try_from(*v)?.to_sql(ty, out)
                } else if *ty == Type::BOOL {
                    (*v != 0).to_sql(ty, out)
                } else if *ty == Type::FLOAT8 {
                    (*v as f64).to_sql(ty, out)
                } else if *ty == Type::TEXT || *ty == Type::VARCHAR {
                    v.to_string().to_sql(ty, out)
                } else {
                    Err(format!("an integer cannot be sent as {ty}").into())
                }
            }
            Value::Real(v) => {
                if *ty == Type::FLOAT4 {
                    (*v as f32).to_sql(ty, out)
                } else {
                    v.to_sql(ty, out)
                }
            }
            Value::Text(v) => v.to_sql(ty, out),
            Value::Blob(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

pub(crate) fn map_err(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        use postgres::error::SqlState;
        let constraint = || db.constraint().unwrap_or("unknown").to_string();
        let code = db.code();
        if *code == SqlState::UNIQUE_VIOLATION {
            return StoreError::Unique { constraint: constraint() };
        }
        if *code == SqlState::FOREIGN_KEY_VIOLATION {
            return StoreError::ForeignKey { constraint: constraint() };
        }
        if *code == SqlState::CHECK_VIOLATION {
            return StoreError::Check { constraint: constraint() };
        }
        return StoreError::Backend(format!("{}: {}", code.code(), db.message()));
    }
    if e.is_closed() {
        return StoreError::Unavailable(e.to_string());
    }
    StoreError::Backend(e.to_string())
}
