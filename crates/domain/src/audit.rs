//! Append-only, hash-chained audit events. Each event's hash covers its content and the
//! previous event's hash, so altering, removing or reordering any stored event breaks the
//! chain at that event.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: String,
    pub chain: String,
    pub seq: i64,
    pub at_ms: i64,
    pub actor_id: Option<String>,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    /// JSON text, stored as written.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over length-prefixed fields, so no two different events serialise alike.
pub fn compute_hash(e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(&e.id);
    field(&e.chain);
    field(&e.seq.to_string());
    field(&e.at_ms.to_string());
    field(e.actor_id.as_deref().unwrap_or(""));
    field(&e.action);
    field(&e.entity_kind);
    field(&e.entity_id);
    field(&e.payload);
    field(&e.prev_hash);
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("chain {chain}: event {event_id} (seq {seq}) is broken: {reason}")]
pub struct BrokenChain {
    pub chain: String,
    pub event_id: String,
    pub seq: i64,
    pub reason: &'static str,
}

/// Walks one chain's events in `seq` order and reports the first event that does not fit.
/// `head` is the (seq, hash) the store recorded as the chain's last event, if any.
pub struct ChainVerifier {
    chain: String,
    expected_seq: i64,
    prev_hash: String,
    last_id: Option<String>,
}

impl ChainVerifier {
    pub fn new(chain: &str) -> Self {
        Self { chain: chain.to_string(), expected_seq: 1, prev_hash: GENESIS.to_string(), last_id: None }
    }

    pub fn push(&mut self, e: &AuditEvent) -> Result<(), BrokenChain> {
        let broken = |reason| BrokenChain { chain: self.chain.clone(), event_id: e.id.clone(), seq: e.seq, reason };
        if e.seq != self.expected_seq {
            return Err(broken("sequence gap (an event was removed or inserted)"));
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken("prev_hash does not match the previous event"));
        }
        if compute_hash(e) != e.hash {
            return Err(broken("content does not match its hash (the event was altered)"));
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.last_id = Some(e.id.clone());
        Ok(())
    }

    /// An event whose personal data were deleted (issue #19, docs/archive-format.md): its
    /// payload no longer hashes to `hash`, so only its place is checked (sequence, link to
    /// the previous hash); the caller checks `hash` against the hash recorded when the
    /// event was redacted. The next event's `prev_hash` still pins it.
    pub fn push_redacted(&mut self, e: &AuditEvent) -> Result<(), BrokenChain> {
        let broken = |reason| BrokenChain { chain: self.chain.clone(), event_id: e.id.clone(), seq: e.seq, reason };
        if e.seq != self.expected_seq {
            return Err(broken("sequence gap (an event was removed or inserted)"));
        }
        if e.prev_hash != self.prev_hash {
            return Err(broken("prev_hash does not match the previous event"));
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.last_id = Some(e.id.clone());
        Ok(())
    }

    /// Checks that the chain ends where the store's head says (catches truncation).
    pub fn finish(self, head: Option<(i64, String)>) -> Result<i64, BrokenChain> {
        let count = self.expected_seq - 1;
        match head {
            Some((seq, hash)) if seq != count || hash != self.prev_hash => Err(BrokenChain {
                chain: self.chain,
                event_id: self.last_id.unwrap_or_default(),
                seq: count,
                reason: "the chain's recorded head does not match its last event (events were removed)",
            }),
            _ => Ok(count),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    id: format!("e{seq}"),
                    chain: "admin".into(),
                    seq,
                    at_ms: seq * 1000,
                    actor_id: Some("u1".into()),
                    action: "user.created".into(),
                    entity_kind: "user".into(),
                    entity_id: format!("u{seq}"),
                    payload: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = compute_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(es: &[AuditEvent]) -> Result<i64, BrokenChain> {
        let mut v = ChainVerifier::new("admin");
        for e in es {
            v.push(e)?;
        }
        v.finish(es.last().map(|e| (e.seq, e.hash.clone())))
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn altered_event_is_named() {
        let mut es = chain(5);
        es[2].payload = "{\"x\":1}".into();
        assert_eq!(verify(&es).unwrap_err().event_id, "e3");
    }

    #[test]
    fn removed_event_is_found() {
        let mut es = chain(5);
        es.remove(1);
        assert_eq!(verify(&es).unwrap_err().event_id, "e3");
    }

    #[test]
    fn truncation_is_found_through_the_head() {
        let es = chain(5);
        let mut v = ChainVerifier::new("admin");
        for e in &es[..3] {
            v.push(e).unwrap();
        }
        assert!(v.finish(Some((5, es[4].hash.clone()))).is_err());
    }
}
