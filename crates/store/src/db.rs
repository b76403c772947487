//! `Db`: one connection (inside a transaction) of either engine, with the same three calls.
//! SQL is written once with `$1` placeholders; for SQLite it becomes `?1` (numbered
//! parameters keep their meaning even when reused or out of order).

use crate::value::{Row, Value};
use crate::{StoreError, postgres as pg, sqlite};
use std::borrow::Cow;

pub enum Db<'a> {
    Sqlite(&'a rusqlite::Connection, &'a sqlite::StatementStats),
    Postgres(&'a mut dyn pg::Exec),
}

impl Db<'_> {
    pub fn backend(&self) -> crate::Backend {
        match self {
            Db::Sqlite(..) => crate::Backend::Sqlite,
            Db::Postgres(_) => crate::Backend::Postgres,
        }
    }

    /// Runs a statement, returning the number of rows changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        match self {
            Db::Sqlite(c, s) => sqlite::execute(c, s, &to_sqlite(sql), params),
            Db::Postgres(t) => t.execute(sql, params),
        }
    }

    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        match self {
            Db::Sqlite(c, s) => sqlite::query(c, s, &to_sqlite(sql), params),
            Db::Postgres(t) => t.query(sql, params),
        }
    }

    pub fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    pub fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?.ok_or(StoreError::NotFound)
    }

    /// Runs several statements without parameters (migrations).
    pub fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(c, _) => c.execute_batch(sql).map_err(sqlite::map_err),
            Db::Postgres(t) => t.batch(sql),
        }
    }
}

/// `$12` → `?12`. Dollar signs inside string literals are left alone.
pub(crate) fn to_sqlite(sql: &str) -> Cow<'_, str> {
    if !sql.contains('$') {
        return Cow::Borrowed(sql);
    }
    // `$` and `?` are both one ASCII byte, so the text keeps its length and stays UTF-8:
    // a byte copy with replacements, run on every statement the server executes.
    let mut out = sql.as_bytes().to_vec();
    let mut in_str = false;
    for i in 0..out.len() {
        match out[i] {
            b'\'' => in_str = !in_str,
            b'$' if !in_str && out.get(i + 1).is_some_and(u8::is_ascii_digit) => out[i] = b'?',
            _ => {}
        }
    }
    Cow::Owned(String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

/// Appends `$n` placeholders and their values together, for queries whose filters vary.
#[derive(Default)]
pub struct SqlBuilder {
    pub sql: String,
    pub params: Vec<Value>,
}

impl SqlBuilder {
    pub fn new(sql: &str) -> Self {
        Self { sql: sql.to_string(), params: Vec::new() }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    /// Pushes a value and returns its placeholder text.
    pub fn bind(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("${}", self.params.len())
    }
    /// Pushes `($n, $n+1, …)` binding `values`, the right side of an `IN`: callers write
    /// `" AND status IN "` before it. Callers skip the clause when `values` is empty
    /// (`IN ()` is not valid PostgreSQL).
    pub fn push_in<T: Clone + Into<Value>>(&mut self, values: &[T]) -> &mut Self {
        debug_assert!(!values.is_empty(), "IN () with no values");
        self.sql.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.sql.push_str(", ");
            }
            let p = self.bind(v.clone());
            self.sql.push_str(&p);
        }
        self.sql.push(')');
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders() {
        assert_eq!(to_sqlite("select $1, $2, '$3'"), "select ?1, ?2, '$3'");
        assert_eq!(to_sqlite("select 1"), "select 1");
        assert_eq!(
            to_sqlite("insert into t values ($1, 'đã $2 xóa', $10) -- $"),
            "insert into t values (?1, 'đã $2 xóa', ?10) -- $"
        );
    }

    #[test]
    fn in_list() {
        let mut q = SqlBuilder::new("select 1 where a = ");
        let a = q.bind(7);
        q.push(&a).push(" and b in ").push_in(&["x", "y"]).push(" and c in ").push_in(&[String::from("z")]);
        assert_eq!(q.sql, "select 1 where a = $1 and b in ($2, $3) and c in ($4)");
        assert_eq!(q.params.len(), 4);
    }
}
