//! A small blocking connection pool: connections are made on demand up to `max`, handed
//! out to one blocking task at a time, and dropped instead of returned when broken.

use std::sync::{Condvar, Mutex};

pub struct Pool<T> {
    idle: Mutex<(Vec<T>, usize)>,
    freed: Condvar,
    max: usize,
    make: Box<dyn Fn() -> Result<T, crate::StoreError> + Send + Sync>,
}

impl<T> Pool<T> {
    pub fn new(max: usize, make: impl Fn() -> Result<T, crate::StoreError> + Send + Sync + 'static) -> Self {
        Self { idle: Mutex::new((Vec::new(), 0)), freed: Condvar::new(), max: max.max(1), make: Box::new(make) }
    }

    pub fn get(&self) -> Result<Pooled<'_, T>, crate::StoreError> {
        let mut g = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(c) = g.0.pop() {
                return Ok(Pooled { pool: self, conn: Some(c), broken: false });
            }
            if g.1 < self.max {
                g.1 += 1;
                drop(g);
                return match (self.make)() {
                    Ok(c) => Ok(Pooled { pool: self, conn: Some(c), broken: false }),
                    Err(e) => {
                        self.idle.lock().unwrap_or_else(|e| e.into_inner()).1 -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            g = self.freed.wait(g).unwrap_or_else(|e| e.into_inner());
        }
    }
}

impl<T> Pool<T> {
    /// Removes and returns the idle connections (for dropping them elsewhere).
    pub fn take_idle(&self) -> Vec<T> {
        let mut g = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let n = g.0.len();
        g.1 -= n;
        std::mem::take(&mut g.0)
    }
}

pub struct Pooled<'p, T> {
    pool: &'p Pool<T>,
    conn: Option<T>,
    broken: bool,
}

impl<T> Pooled<'_, T> {
    /// The connection failed in a way that makes it unusable: do not return it.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl<T> std::ops::Deref for Pooled<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.conn.as_ref().expect("pooled connection present")
    }
}
impl<T> std::ops::DerefMut for Pooled<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        self.conn.as_mut().expect("pooled connection present")
    }
}

impl<T> Drop for Pooled<'_, T> {
    fn drop(&mut self) {
        let mut g = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
        match self.conn.take() {
            Some(c) if !self.broken => g.0.push(c),
            _ => g.1 -= 1,
        }
        drop(g);
        self.pool.freed.notify_one();
    }
}
