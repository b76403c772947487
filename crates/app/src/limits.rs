//! In-memory limits for the public doors (login, tracking, verification): token buckets per key and
//! exponential back-off per key. Every table has a fixed maximum number of keys, so an
//! attacker cycling through addresses or usernames cannot grow it without bound.
//!
//! The tables live in the process: behind a load balancer each instance keeps its own.
//! Keys are client addresses as the server sees them; behind a reverse proxy every client
//! would share the proxy's address (see README, "Behind a reverse proxy").

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;

/// The client address as a limit key. An IPv6 client usually holds a whole /64, so the
/// /64 counts as one client.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// Token buckets: each key may spend `per_minute` requests a minute, in bursts of up to
/// `per_minute`. `per_minute = 0` turns the limit off.
pub struct RateTable<K> {
    per_minute: u32,
    max_keys: usize,
    map: Mutex<HashMap<K, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at_ms: i64,
}

impl<K: Hash + Eq + Clone> RateTable<K> {
    pub fn new(per_minute: u32, max_keys: usize) -> Self {
        Self { per_minute, max_keys: max_keys.max(16), map: Mutex::new(HashMap::new()) }
    }

    /// Spends one request of `key`; `Err(ms)` says how long until the next one is allowed.
    pub fn take(&self, key: &K, now_ms: i64) -> Result<(), i64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(self.per_minute);
        let per_ms = cap / 60_000.0;
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(key) && map.len() >= self.max_keys {
            // Full buckets carry no information: drop them first, then the oldest half.
            map.retain(|_, b| b.tokens + (now_ms - b.at_ms) as f64 * per_ms < cap);
            if map.len() >= self.max_keys {
                drop_oldest_half(&mut map, |b| b.at_ms);
            }
        }
        let b = map.entry(key.clone()).or_insert(Bucket { tokens: cap, at_ms: now_ms });
        b.tokens = (b.tokens + (now_ms - b.at_ms).max(0) as f64 * per_ms).min(cap);
        b.at_ms = now_ms;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - b.tokens) / per_ms).ceil() as i64)
        }
    }
}

/// How failures of one key slow it down: the `after`-th consecutive failure makes the key
/// wait `base_ms`, each further one twice as long, up to `max_ms`. Failures are forgotten
/// after `max_ms` without one.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub after: u32,
    pub base_ms: i64,
    pub max_ms: i64,
}

impl Backoff {
    /// The wait after the `failures`-th consecutive failure (0 while still free).
    pub fn wait_ms(&self, failures: u32) -> i64 {
        if failures < self.after.max(1) {
            return 0;
        }
        let doublings = (failures - self.after.max(1)).min(40);
        self.base_ms.max(1).saturating_mul(1i64 << doublings).min(self.max_ms.max(self.base_ms.max(1)))
    }
}

/// Per-key failure counts with exponential back-off.
pub struct BackoffTable<K> {
    rule: Backoff,
    max_keys: usize,
    map: Mutex<HashMap<K, Strikes>>,
}

#[derive(Debug, Clone, Copy)]
struct Strikes {
    failures: u32,
    until_ms: i64,
    last_ms: i64,
}

/// A failure that made its key wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    pub failures: u32,
    pub wait_ms: i64,
}

impl<K: Hash + Eq + Clone> BackoffTable<K> {
    pub fn new(rule: Backoff, max_keys: usize) -> Self {
        Self { rule, max_keys: max_keys.max(16), map: Mutex::new(HashMap::new()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Strikes>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `Some(ms)` while `key` must wait.
    pub fn blocked(&self, key: &K, now_ms: i64) -> Option<i64> {
        self.lock().get(key).filter(|s| s.until_ms > now_ms).map(|s| s.until_ms - now_ms)
    }

    /// Counts a failure of `key`; `Some` when it makes the key wait.
    pub fn failure(&self, key: &K, now_ms: i64) -> Option<Throttle> {
        let mut map = self.lock();
        if !map.contains_key(key) && map.len() >= self.max_keys {
            let forget = self.rule.max_ms;
            map.retain(|_, s| s.until_ms > now_ms || now_ms - s.last_ms < forget);
            if map.len() >= self.max_keys {
                drop_oldest_half(&mut map, |s| s.last_ms);
            }
        }
        let s = map.entry(key.clone()).or_insert(Strikes { failures: 0, until_ms: 0, last_ms: now_ms });
        if now_ms - s.last_ms > self.rule.max_ms && s.until_ms <= now_ms {
            s.failures = 0;
        }
        s.failures = s.failures.saturating_add(1);
        s.last_ms = now_ms;
        let wait_ms = self.rule.wait_ms(s.failures);
        if wait_ms == 0 {
            return None;
        }
        s.until_ms = now_ms + wait_ms;
        Some(Throttle { failures: s.failures, wait_ms })
    }

    /// A success clears the key's failures.
    pub fn success(&self, key: &K) {
        self.lock().remove(key);
    }
}

/// Lets a warning through at most once a second, so a flood of refused requests does not
/// become a flood of log lines.
#[derive(Default)]
pub struct LogGate(std::sync::atomic::AtomicI64);

impl LogGate {
    pub fn open(&self, now_ms: i64) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let last = self.0.load(Relaxed);
        now_ms - last >= 1000 && self.0.compare_exchange(last, now_ms, Relaxed, Relaxed).is_ok()
    }
}

/// The limit tables of the public doors, built once from the configuration.
pub struct Doors {
    /// Warnings about refused requests (rate limits), at most one a second.
    pub log_gate: LogGate,
    pub login_per_address: RateTable<IpAddr>,
    pub login_global: RateTable<()>,
    /// Failed logins per (username as typed, address): known and unknown names alike.
    pub login_failures: BackoffTable<(String, IpAddr)>,
    pub tracking_per_address: RateTable<IpAddr>,
    /// Wrong checks per (dossier code, address).
    pub tracking_failures: BackoffTable<(String, IpAddr)>,
    /// Wrong checks per dossier code, from every address.
    pub tracking_code_failures: BackoffTable<String>,
    /// Public verifications (`/xac-thuc`) per address.
    pub verification_per_address: RateTable<IpAddr>,
    /// Petitions filed per address (PAKN: no captcha, a rate).
    pub petitions_per_address: RateTable<IpAddr>,
    /// Queue tickets and check-ins per address (a kiosk in a busy hall stays well below).
    pub kiosk_per_address: RateTable<IpAddr>,
    /// Uploaded PDFs being checked at once.
    pub verification_slots: tokio::sync::Semaphore,
}

impl Doors {
    pub fn new(
        login: &crate::config::LoginConfig,
        tracking: &crate::config::TrackingConfig,
        verification: &crate::config::VerificationConfig,
        petitions: &crate::config::PetitionsConfig,
    ) -> Self {
        let lb = Backoff {
            after: login.backoff_after_failures,
            base_ms: login.backoff_base_secs * 1000,
            max_ms: login.backoff_max_secs * 1000,
        };
        let tb = |after| Backoff { after, base_ms: tracking.backoff_base_secs * 1000, max_ms: tracking.backoff_max_secs * 1000 };
        Self {
            log_gate: LogGate::default(),
            login_per_address: RateTable::new(login.per_address_per_minute, login.table_size),
            login_global: RateTable::new(login.global_per_minute, 16),
            login_failures: BackoffTable::new(lb, login.table_size),
            tracking_per_address: RateTable::new(tracking.per_address_per_minute, tracking.table_size),
            tracking_failures: BackoffTable::new(tb(tracking.backoff_after_failures), tracking.table_size),
            tracking_code_failures: BackoffTable::new(tb(tracking.code_backoff_after_failures), tracking.table_size),
            verification_per_address: RateTable::new(verification.per_address_per_minute, verification.table_size),
            petitions_per_address: RateTable::new(petitions.per_address_per_minute, petitions.table_size),
            kiosk_per_address: RateTable::new(KIOSK_PER_ADDRESS_PER_MINUTE, KIOSK_TABLE_SIZE),
            verification_slots: tokio::sync::Semaphore::new(verification.max_concurrent.max(1)),
        }
    }
}

/// Tickets a kiosk (one address) may take a minute: a hall's busiest kiosk gives a few.
pub const KIOSK_PER_ADDRESS_PER_MINUTE: u32 = 60;
/// Addresses kept in the kiosk's limit table (its memory bound).
const KIOSK_TABLE_SIZE: usize = 100_000;

/// A key from user input, bounded in length so a table entry stays small.
pub fn text_key(s: &str) -> String {
    s.trim().chars().take(100).flat_map(char::to_lowercase).collect()
}

fn drop_oldest_half<K: Hash + Eq + Clone, V>(map: &mut HashMap<K, V>, at: impl Fn(&V) -> i64) {
    let mut ages: Vec<i64> = map.values().map(&at).collect();
    let mid = ages.len() / 2;
    let (_, cut, _) = ages.select_nth_unstable(mid);
    let cut = *cut;
    map.retain(|_, v| at(v) > cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_and_refuse() {
        let t = RateTable::new(60, 100);
        for _ in 0..60 {
            assert!(t.take(&1, 0).is_ok());
        }
        assert_eq!(t.take(&1, 0), Err(1000));
        assert!(t.take(&2, 0).is_ok(), "other keys have their own bucket");
        assert!(t.take(&1, 1000).is_ok(), "one token a second comes back");
        assert!(RateTable::new(0, 1).take(&1, 0).is_ok(), "0 turns the limit off");
    }

    #[test]
    fn tables_stay_bounded() {
        let t = RateTable::new(1, 16);
        for k in 0..10_000 {
            let _ = t.take(&k, k as i64);
        }
        assert!(t.map.lock().unwrap().len() <= 16);
        let b = BackoffTable::new(Backoff { after: 1, base_ms: 1000, max_ms: 60_000 }, 16);
        for k in 0..10_000 {
            b.failure(&k, k as i64);
        }
        assert!(b.map.lock().unwrap().len() <= 16);
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_success_clears() {
        let rule = Backoff { after: 3, base_ms: 1000, max_ms: 8000 };
        assert_eq!((1..=7).map(|n| rule.wait_ms(n)).collect::<Vec<_>>(), [0, 0, 1000, 2000, 4000, 8000, 8000]);
        let t = BackoffTable::new(rule, 100);
        assert_eq!(t.failure(&"a", 0), None);
        assert_eq!(t.failure(&"a", 0), None);
        assert_eq!(t.failure(&"a", 0), Some(Throttle { failures: 3, wait_ms: 1000 }));
        assert_eq!(t.blocked(&"a", 500), Some(500));
        assert_eq!(t.blocked(&"a", 1000), None);
        assert_eq!(t.blocked(&"b", 0), None);
        t.success(&"a");
        assert_eq!(t.failure(&"a", 2000), None);
        assert_eq!(client_key("2001:db8:1:2:3:4:5:6".parse().unwrap()), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        assert_eq!(client_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1".parse::<IpAddr>().unwrap());
        let gate = LogGate::default();
        assert!(gate.open(5000) && !gate.open(5500) && gate.open(6000));
    }
}
